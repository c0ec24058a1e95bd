/* bundle_read.c - reading a backup bundle back strictly: SHA256SUMS first, every file it
 * lists checked, then the manifest, whose regions must agree with the sums. */
#include "core/bundle.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/file.h"
#include "core/image.h"

/* SHA256SUMS, MD5SUMS and manifest.json are a few KiB; anything near this is not ours. */
#define BUNDLE_TEXT_MAX (16u * 1024 * 1024)

void swd_bundle_free(struct swd_bundle *b)
{
	if (b == NULL)
		return;
	swd_manifest_release(&b->manifest);
	free(b->dir);
	free(b);
}

/* A bundle is read only through its own regular files: a symbolic link (which could point
 * anywhere), a directory, a FIFO or a device in its place is refused before it is opened. */
static int own_file(const char *path, struct swd_error *err)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return swd_error_set(err, SWD_EBUNDLE, "cannot open '%s': %s", path,
		                     swd_errno_text(errno));
	if (S_ISLNK(st.st_mode))
		return swd_error_set(err, SWD_EBUNDLE,
		                     "'%s' is a symbolic link; a bundle must hold its own files", path);
	if (!S_ISREG(st.st_mode))
		return swd_error_set(err, SWD_EBUNDLE, "'%s' is not a regular file", path);
	return 0;
}

/* Reads a small text file of the bundle. One that cannot be opened, or is too large, makes
 * the bundle invalid. Returns: *out new. */
static int slurp(const char *path, char **out, size_t *len, struct swd_error *err)
{
	struct swd_error local;
	int rc;

	if ((rc = own_file(path, err)) < 0)
		return rc;
	swd_error_init(&local);
	rc = swd_file_read(path, BUNDLE_TEXT_MAX, out, len, &local);
	if (rc < 0 && rc != SWD_ENOMEM && rc != SWD_EIO)
		rc = SWD_EBUNDLE;
	return rc < 0 ? swd_error_set(err, rc, "%s", local.msg) : 0;
}

struct sum_line {
	char digest[65];
	char file[80];
};

/* Parses "<hex>  <name>" lines (a '*' instead of the second space marks binary mode). */
static int parse_sums(const char *path, const char *text, size_t hexlen, struct sum_line **out,
                      size_t *n, struct swd_error *err)
{
	struct sum_line *v = NULL;
	size_t nv = 0;
	unsigned line = 0;
	const char *p = text;

	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t ll = eol ? (size_t)(eol - p) : strlen(p);
		struct sum_line *nl;

		line++;
		if (ll == 0) {
			p += eol ? 1 : 0;
			if (eol == NULL)
				break;
			continue;
		}
		if (ll < hexlen + 3 || strspn(p, "0123456789abcdef") != hexlen || p[hexlen] != ' ' ||
		    (p[hexlen + 1] != ' ' && p[hexlen + 1] != '*') || ll - hexlen - 2 >= 80) {
			free(v);
			return swd_error_set(err, SWD_EBUNDLE, "'%s' line %u: not '<digest>  <file>'",
			                     path, line);
		}
		nl = realloc(v, (nv + 1) * sizeof(*v));
		if (nl == NULL) {
			free(v);
			return swd_error_set(err, SWD_ENOMEM, "out of memory");
		}
		v = nl;
		memcpy(v[nv].digest, p, hexlen);
		v[nv].digest[hexlen] = '\0';
		memcpy(v[nv].file, p + hexlen + 2, ll - hexlen - 2);
		v[nv].file[ll - hexlen - 2] = '\0';
		if (!swd_manifest_file_ok(v[nv].file) && strcmp(v[nv].file, "manifest.json") != 0) {
			free(v);
			return swd_error_set(err, SWD_EBUNDLE, "'%s' line %u: unexpected file name",
			                     path, line);
		}
		nv++;
		if (eol == NULL)
			break;
		p = eol + 1;
	}
	*out = v;
	*n = nv;
	return 0;
}

static const struct sum_line *find_sum(const struct sum_line *v, size_t n, const char *file)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].file, file) == 0)
			return &v[i];
	return NULL;
}

/* Every file SHA256SUMS lists is there and matches. Returns: *sums new. */
static int check_sha256sums(const char *dir, const char *path, struct sum_line **sums,
                            size_t *nsums, struct swd_error *err)
{
	char *text = NULL;
	size_t len;
	int rc;

	if ((rc = slurp(path, &text, &len, err)) < 0)
		return rc;
	rc = parse_sums(path, text, 64, sums, nsums, err);
	free(text);
	if (rc < 0)
		return rc;
	if (find_sum(*sums, *nsums, "manifest.json") == NULL)
		return swd_error_set(err, SWD_EBUNDLE, "'%s' does not list manifest.json", path);
	for (size_t i = 0; i < *nsums; i++) {
		struct swd_digests d;
		char *fp = swd_file_join(dir, (*sums)[i].file);

		if (fp == NULL)
			return swd_error_set(err, SWD_ENOMEM, "out of memory");
		rc = own_file(fp, err);
		if (rc == 0 && swd_digest_file(fp, &d, NULL) < 0)
			rc = swd_error_set(err, SWD_EBUNDLE, "'%s' is listed in SHA256SUMS but cannot be read",
			                   fp);
		else if (rc == 0 && strcmp(d.sha256_hex, (*sums)[i].digest) != 0)
			rc = swd_error_set(err, SWD_ECHECKSUM,
			                   "'%s' does not match its sha256 in SHA256SUMS; the bundle is damaged",
			                   fp);
		free(fp);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The manifest's digests and sizes must be the ones SHA256SUMS (and MD5SUMS, when there)
 * vouched for. */
static int check_regions(const struct swd_bundle *b, const struct sum_line *sums,
                         size_t nsums, struct swd_error *err)
{
	struct sum_line *md5s = NULL;
	size_t nmd5s = 0, len;
	char *text = NULL, *path = swd_file_join(b->dir, "MD5SUMS");
	struct stat st;
	int rc = 0;

	if (path == NULL)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	if (stat(path, &st) == 0 &&
	    ((rc = slurp(path, &text, &len, err)) < 0 ||
	     (rc = parse_sums(path, text, 32, &md5s, &nmd5s, err)) < 0))
		goto out;
	for (size_t i = 0; i < b->manifest.nregions; i++) {
		const struct swd_manifest_region *r = &b->manifest.regions[i];
		const struct sum_line *s = find_sum(sums, nsums, r->file);
		const struct sum_line *m5 = find_sum(md5s, nmd5s, r->file);
		char *fp = swd_file_join(b->dir, r->file);

		if (fp == NULL) {
			rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
			goto out;
		}
		if (s == NULL)
			rc = swd_error_set(err, SWD_EBUNDLE, "'%s' is not listed in SHA256SUMS", fp);
		else if (strcmp(s->digest, r->sha256) != 0)
			rc = swd_error_set(err, SWD_ECHECKSUM,
			                   "'%s': manifest.json and SHA256SUMS disagree on its sha256", fp);
		else if (m5 != NULL && strcmp(m5->digest, r->md5) != 0)
			rc = swd_error_set(err, SWD_ECHECKSUM,
			                   "'%s': manifest.json and MD5SUMS disagree on its md5", fp);
		else if (stat(fp, &st) != 0 || (uint64_t)st.st_size != r->size)
			rc = swd_error_set(err, SWD_EBUNDLE, "'%s' is not the %u bytes the manifest says",
			                   fp, r->size);
		free(fp);
		if (rc < 0)
			goto out;
	}
out:
	free(md5s);
	free(text);
	free(path);
	return rc;
}

int swd_bundle_open(const char *dir, struct swd_bundle **out, struct swd_error *err)
{
	struct swd_bundle *b = calloc(1, sizeof(*b));
	struct sum_line *sums = NULL;
	size_t nsums = 0, len;
	char *text = NULL, *path = NULL, *mpath = NULL;
	struct stat st;
	int rc;

	*out = NULL;
	if (b == NULL)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	if (stat(dir, &st) != 0) {
		rc = swd_error_set(err, swd_err_from_errno(errno), "cannot open '%s': %s", dir,
		                   swd_errno_text(errno));
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		rc = swd_error_set(err, SWD_EBUNDLE, "'%s' is not a bundle directory", dir);
		goto out;
	}
	b->dir = strdup(dir);
	path = swd_file_join(dir, "SHA256SUMS");
	mpath = swd_file_join(dir, "manifest.json");
	if (b->dir == NULL || path == NULL || mpath == NULL) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	if (access(mpath, F_OK) != 0) {
		rc = swd_error_set(err, SWD_EBUNDLE, "'%s' is not a bundle: it has no manifest.json", dir);
		goto out;
	}
	if ((rc = check_sha256sums(dir, path, &sums, &nsums, err)) < 0 ||
	    (rc = slurp(mpath, &text, &len, err)) < 0 ||
	    (rc = swd_manifest_parse(text, len, mpath, &b->manifest, err)) < 0 ||
	    (rc = check_regions(b, sums, nsums, err)) < 0)
		goto out;
	*out = b;
	b = NULL;
	rc = 0;
out:
	free(sums);
	free(text);
	free(path);
	free(mpath);
	swd_bundle_free(b);
	return rc;
}

const struct swd_manifest_region *swd_bundle_region(const struct swd_bundle *b,
                                                    const char *name)
{
	for (size_t i = 0; i < b->manifest.nregions; i++)
		if (strcmp(b->manifest.regions[i].name, name) == 0)
			return &b->manifest.regions[i];
	return NULL;
}

char *swd_bundle_region_path(const struct swd_bundle *b, const char *name)
{
	const struct swd_manifest_region *r = swd_bundle_region(b, name);

	return r != NULL ? swd_file_join(b->dir, r->file) : NULL;
}

int swd_bundle_check_target(const struct swd_bundle *b, uint16_t dev_id,
                            uint16_t flash_size_kib, struct swd_error *err)
{
	const struct swd_manifest *m = &b->manifest;

	char n1[32], n2[32];

	if (m->device.dev_id != dev_id || m->device.flash_size_kib != flash_size_kib)
		return swd_error_set(err, SWD_EWRONGTARGET,
		                     "bundle '%s' is from dev id 0x%03x (%s, %s KiB of flash); the "
		                     "target is dev id 0x%03x (%s KiB): nothing was written; restore "
		                     "it onto the part it came from",
		                     b->dir, m->device.dev_id,
		                     m->profile_name ? m->profile_name : "unknown profile",
		                     swd_format_count(m->device.flash_size_kib, n1, sizeof(n1)), dev_id,
		                     swd_format_count(flash_size_kib, n2, sizeof(n2)));
	return 0;
}

int swd_bundle_check_profile(const struct swd_bundle *b, const struct swd_profile *p,
                             struct swd_error *err)
{
	const struct swd_manifest_region *fl = swd_bundle_region(b, "flash");

	if (fl == NULL)
		return swd_error_set(err, SWD_EBUNDLE, "bundle '%s' has no flash region", b->dir);
	uint16_t dev = b->manifest.device.dev_id;
	bool part = dev == p->ids.dev_id ||
	            swd_profile_alias(p, dev, (b->manifest.device.cpuid >> 4) & 0xfff) != NULL;

	/* read through DFU, the dev id is unknown: the part the bundle's profile named counts */
	if (dev == 0 && b->manifest.dfu.present)
		part = b->manifest.dfu.part != NULL &&
		       strcmp(b->manifest.dfu.part, p->board != NULL ? p->board->part : p->name) == 0;
	bool size_ok = fl->size == p->flash.size || fl->size == p->flash.register_size ||
	               (p->flash.die_size && fl->size == p->flash.die_size);

	if (!part || !size_ok || fl->address != p->flash.base)
	{
		char n1[32], n2[32];
		const char *from = b->manifest.profile_name;

		if (dev == 0 && b->manifest.dfu.present)
			return swd_error_set(err, SWD_EWRONGTARGET,
			                     "bundle '%s' was read through DFU from a %s (%s, %s bytes of "
			                     "flash at 0x%08x); %s is %s with %s bytes at 0x%08x: nothing "
			                     "was written; use --profile %s with a board of that kind",
			                     b->dir, from ? from : "unknown board",
			                     b->manifest.dfu.part ? b->manifest.dfu.part : "unknown part",
			                     swd_format_count(fl->size, n1, sizeof(n1)), fl->address,
			                     p->name, p->board != NULL ? p->board->part : p->name,
			                     swd_format_count(p->flash.size, n2, sizeof(n2)), p->flash.base,
			                     from ? from : "<its profile>");

		return swd_error_set(err, SWD_EWRONGTARGET,
		                     "bundle '%s' is from dev id 0x%03x (%s, %s bytes of flash at "
		                     "0x%08x); %s is dev id 0x%03x with %s bytes at 0x%08x: nothing "
		                     "was written; use --profile %s with a board of that part",
		                     b->dir, b->manifest.device.dev_id, from ? from : "unknown profile",
		                     swd_format_count(fl->size, n1, sizeof(n1)), fl->address, p->name,
		                     p->ids.dev_id, swd_format_count(p->flash.size, n2, sizeof(n2)),
		                     p->flash.base, from ? from : "<its profile>");
	}
	return 0;
}
