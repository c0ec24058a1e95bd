/* Test helper for the diag corpus tools (diag-score, diag-audit): a whole file in memory. */
#ifndef SWD_TEST_DIAG_SLURP_H
#define SWD_TEST_DIAG_SLURP_H

#include <stdio.h>
#include <stdlib.h>

/* Returns: new NUL-terminated copy of the file at PATH, NULL when it cannot be read. */
static inline char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (p = malloc((size_t)n + 1)) && fread(p, 1, (size_t)n, f) == (size_t)n)
		p[n] = '\0';
	else {
		free(p);
		p = NULL;
	}
	fclose(f);
	return p;
}

#endif
