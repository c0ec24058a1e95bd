/* Test helpers for the diag corpus tools (diag-score, diag-audit): a whole file in memory,
 * and the cases of a folder by name. */
#ifndef SWD_TEST_DIAG_CORPUS_FILES_H
#define SWD_TEST_DIAG_CORPUS_FILES_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static inline int corpus_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline void corpus_free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The names, without EXT, of the files in DIR whose names end in EXT (".json"), sorted, in
 * *OUT (new, free with corpus_free_names) and their count in *N. Returns false, with none
 * listed, when DIR cannot be opened or memory runs out. */
static inline bool corpus_names(const char *dir, const char *ext, char ***out, size_t *n)
{
	DIR *d = opendir(dir);
	size_t cap = 0, el = strlen(ext);
	char **v = NULL;
	struct dirent *e;

	*out = NULL;
	*n = 0;
	if (!d)
		return false;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len <= el || strcmp(e->d_name + len - el, ext) != 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				goto fail;
			v = nv;
		}
		if (!(v[*n] = strndup(e->d_name, len - el)))
			goto fail;
		(*n)++;
	}
	closedir(d);
	qsort(v, *n, sizeof(*v), corpus_cmp_str);
	*out = v;
	return true;
fail:
	corpus_free_names(v, *n);
	closedir(d);
	*n = 0;
	return false;
}

#endif
