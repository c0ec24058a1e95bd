/* fuzz_dfuse.c - libFuzzer harness: DfuSe layout strings (core/dfuse.h), as a DFU device
 * reports them in its alternate settings' names. A layout that parses must come back the
 * same through swd_dfuse_layout_format(); a refusal must say why on one line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/dfuse.h"

static void check_roundtrip(const struct swd_dfuse_layout *l)
{
	struct swd_dfuse_layout again;
	struct swd_error err;
	char buf[4096];
	size_t n;

	n = swd_dfuse_layout_format(buf, sizeof(buf), l->name, l->runs, l->nruns);
	if (n >= sizeof(buf))
		return;
	memset(&again, 0, sizeof(again));
	swd_error_init(&err);
	if (swd_dfuse_layout_parse(buf, &again, &err) != 0)
		abort(); /* what we write we must read */
	if (again.nruns != l->nruns)
		abort();
	for (size_t i = 0; i < l->nruns; i++)
		if (again.runs[i].address != l->runs[i].address || again.runs[i].count != l->runs[i].count ||
		    again.runs[i].size != l->runs[i].size || again.runs[i].type != l->runs[i].type)
			abort();
	swd_dfuse_layout_release(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct swd_dfuse_layout l;
	struct swd_error err;
	uint32_t lo, hi, start, len, bad;
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	memset(&l, 0, sizeof(l));
	swd_error_init(&err);
	if (swd_dfuse_layout_parse(s, &l, &err) != 0) {
		if (err.code == 0 || err.msg[0] == '\0' || strpbrk(err.msg, "\n\r"))
			abort();
		swd_dfuse_layout_release(&l);
		free(s);
		return 0;
	}
	swd_dfuse_layout_span(&l, &lo, &hi);
	if (hi < lo)
		abort();
	for (size_t i = 0; i < l.nruns; i++) {
		uint32_t a = l.runs[i].address;

		if (!swd_dfuse_layout_sector(&l, a, &start, &len) || start > a || len == 0)
			abort(); /* the first byte of every run is in a sector */
	}
	swd_dfuse_layout_allows(&l, lo, (uint64_t)hi - lo, SWD_DFUSE_READ, &bad);
	swd_dfuse_layout_allows(&l, lo, (uint64_t)hi - lo + 1, SWD_DFUSE_WRITE | SWD_DFUSE_ERASE, &bad);
	check_roundtrip(&l);
	swd_dfuse_layout_release(&l);
	free(s);
	return 0;
}
