/* Test helper: classifies the OpenOCD log on stdin with the diagnosis engine and prints the
 * ranked findings, one per line: "<id> <confidence>". Used by sim-faults.py to check that
 * each fault of the virtual board, through the real OpenOCD, yields the right finding. */
#include <stdio.h>
#include <stdlib.h>

#include "diag/diag.h"

int main(void)
{
	struct diag_evidence ev;
	char buf[4096];
	size_t n;
	int rc = 0;

	diag_evidence_init(&ev);
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0) {
		if (diag_evidence_feed_log(&ev, buf, n) != 0) {
			fprintf(stderr, "diag-classify: out of memory\n");
			rc = 1;
			goto out;
		}
	}
	struct diag_report *r = diag_run(&ev);
	if (!r) {
		fprintf(stderr, "diag-classify: out of memory\n");
		rc = 1;
		goto out;
	}
	for (size_t i = 0; i < r->n; i++)
		printf("%s %s\n", diag_id_name(r->findings[i].id),
		       diag_confidence_name(r->findings[i].confidence));
	diag_report_free(r);
out:
	diag_evidence_release(&ev);
	return rc;
}
