/* fuzz_diag_log.c - libFuzzer harness: the OpenOCD log classifier behind `diagnose --log`,
 * whole (diag_classify_log) and fed in pieces as stderr arrives (diag_evidence_feed_log). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag/diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct diag_report *r = diag_classify_log(text);
	diag_report_free(r);

	struct diag_evidence ev;
	diag_evidence_init(&ev);
	size_t half = size / 2;
	diag_evidence_feed_log(&ev, text, half);
	diag_evidence_feed_log(&ev, text + half, size - half);
	r = diag_run(&ev);
	diag_report_free(r);
	diag_evidence_release(&ev);
	free(text);
	return 0;
}
