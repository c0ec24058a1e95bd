/* fuzz_bundle.c - libFuzzer harness: the bundle reader (manifest.json, SHA256SUMS,
 * MD5SUMS, the regions' file names and sizes).
 *
 * Input: one flags byte, then the files manifest.json, flash.bin, SHA256SUMS and MD5SUMS
 * separated by the line "--8<--". They are written into a scratch bundle directory and
 * opened with swd_bundle_open(). Flags:
 *   bit 0  write SHA256SUMS from the actual files (so mutations reach the manifest parser)
 *   bit 1  the same for MD5SUMS
 *   bit 2  flash.bin is a symbolic link to a file outside the bundle
 * Whatever the bytes, a bundle that opens must name only plain files inside its directory.
 */
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/bundle.h"
#include "core/digest.h"

#define SEP "\n--8<--\n"

static char root[64];    /* scratch directory: root/b is the bundle, root/outside a file */
static char bdir[96];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	if (root[0] != '\0')
		nftw(root, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *tmp = getenv("TMPDIR");
	snprintf(root, sizeof root, "%s/fuzz-bundle-XXXXXX", tmp && strlen(tmp) < 32 ? tmp : "/tmp");
	if (mkdtemp(root) == NULL)
		abort();
	atexit(cleanup);
	snprintf(bdir, sizeof bdir, "%s/b", root);
	return 0;
}

static void put(const char *name, const void *data, size_t len)
{
	char path[160];
	snprintf(path, sizeof path, "%s/%s", bdir, name);
	FILE *f = fopen(path, "wb");
	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0)
		abort();
}

/* Writes "<digest>  <file>" lines for manifest.json and flash.bin as they now are. */
static void put_sums(const char *name, bool md5)
{
	const char *files[] = {"manifest.json", "flash.bin"};
	char text[512];
	size_t n = 0;
	for (size_t i = 0; i < 2; i++) {
		char path[160];
		struct swd_digests d;
		snprintf(path, sizeof path, "%s/%s", bdir, files[i]);
		if (swd_digest_file(path, &d, NULL) != 0)
			continue;
		n += (size_t)snprintf(text + n, sizeof text - n, "%s  %s\n",
		                      md5 ? d.md5_hex : d.sha256_hex, files[i]);
	}
	put(name, text, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned flags = data[0];
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	const char *part[4] = {NULL};
	size_t plen[4] = {0};
	for (int i = 0; i < 4 && p <= end; i++) {
		const char *s = memmem(p, (size_t)(end - p), SEP, strlen(SEP));
		part[i] = p;
		plen[i] = s ? (size_t)(s - p) : (size_t)(end - p);
		p = s ? s + strlen(SEP) : end + 1;
	}

	cleanup();
	if (mkdir(root, 0700) != 0 || mkdir(bdir, 0700) != 0)
		abort();
	char outside[96];
	snprintf(outside, sizeof outside, "%s/outside", root);
	put("../outside", "outside the bundle\n", 19);

	if (part[0])
		put("manifest.json", part[0], plen[0]);
	if (flags & 4) {
		char link[160];
		snprintf(link, sizeof link, "%s/flash.bin", bdir);
		if (symlink(outside, link) != 0)
			abort();
	} else if (part[1]) {
		put("flash.bin", part[1], plen[1]);
	}
	if (flags & 1)
		put_sums("SHA256SUMS", false);
	else if (part[2])
		put("SHA256SUMS", part[2], plen[2]);
	if (flags & 2)
		put_sums("MD5SUMS", true);
	else if (part[3])
		put("MD5SUMS", part[3], plen[3]);

	struct swd_bundle *b = NULL;
	struct swd_error err;
	swd_error_init(&err);
	if (swd_bundle_open(bdir, &b, &err) != 0) {
		if (err.code == 0 || err.msg[0] == '\0' || strpbrk(err.msg, "\n\r\033"))
			abort(); /* a refusal must say why, on one line */
		return 0;
	}
	for (size_t i = 0; i < b->manifest.nregions; i++) {
		const struct swd_manifest_region *r = &b->manifest.regions[i];
		struct stat st;
		char *path = swd_bundle_region_path(b, r->name);
		if (!path || strchr(r->file, '/') || lstat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
		    (uint64_t)st.st_size != r->size)
			abort(); /* an opened bundle names a file that is not its own */
		free(path);
	}
	swd_bundle_free(b);
	return 0;
}
