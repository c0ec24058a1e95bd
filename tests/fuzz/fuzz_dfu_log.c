/* fuzz_dfu_log.c - libFuzzer harness: dfu-util's output as swdbackup reads it
 * (dfu/dfulog.h). The splitter must give the same lines whatever the input's split (the
 * first byte chooses one), and every line must classify without reading past its end. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dfu/dfulog.h"

struct lines {
	char *all;      /* the lines, each ended by '\n' */
	size_t len;
};

static void collect(void *ud, const char *line)
{
	struct lines *l = ud;
	size_t n = strlen(line);
	char *p = realloc(l->all, l->len + n + 2);
	struct dfulog_line c;

	if (!p)
		abort();
	l->all = p;
	memcpy(l->all + l->len, line, n);
	l->len += n;
	l->all[l->len++] = '\n';
	l->all[l->len] = '\0';
	dfulog_classify(line, &c);
	if (c.rest > n || memchr(c.text, '\0', sizeof(c.text)) == NULL ||
	    memchr(c.phase, '\0', sizeof(c.phase)) == NULL)
		abort();
	dfulog_state_failed(&c);
}

static void split(const uint8_t *data, size_t size, size_t step, struct lines *out)
{
	struct dfulog_splitter s;

	dfulog_splitter_init(&s, collect, out);
	for (size_t i = 0; i < size; i += step)
		dfulog_splitter_feed(&s, (const char *)data + i, size - i < step ? size - i : step);
	dfulog_splitter_flush(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lines whole = { 0 }, parts = { 0 };

	if (size == 0)
		return 0;
	split(data + 1, size - 1, size, &whole);
	split(data + 1, size - 1, 1 + data[0] % 7, &parts);
	if (whole.len != parts.len || (whole.len && memcmp(whole.all, parts.all, whole.len) != 0))
		abort();
	free(whole.all);
	free(parts.all);
	return 0;
}
