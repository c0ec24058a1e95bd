/* bundle.c - backup bundles: staged, fsynced, atomically renamed into place; read back
 * strictly with every file checked against SHA256SUMS. */
#include "core/bundle.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/digest.h"
#include "core/image.h"
#include "core/jsonpos.h"

struct swd_bundle_writer {
	char *dest;    /* final path */
	char *parent;  /* its directory */
	char *tmp;     /* staging directory */
	bool force;
	bool committed;
	struct swd_manifest_region *regions;
	size_t nregions;
};

static const char *const reserved_files[] = {"manifest.json", "SHA256SUMS", "MD5SUMS", NULL};

/* --- small file helpers ---------------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) == 0 ? 0 : -1;
}

/* Removes a directory tree without following symlinks. */
static int remove_tree(const char *path)
{
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int fsync_path(const char *path, bool dir, struct swd_error *err)
{
	int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return swd_error_set(err, SWD_EIO, "cannot open '%s': %s", path, swd_errno_text(errno));
	if (fsync(fd) != 0 && errno != EINVAL)
		rc = swd_error_set(err, SWD_EIO, "cannot sync '%s': %s", path, swd_errno_text(errno));
	close(fd);
	return rc;
}

/* Writes a new file (never replacing one) and syncs it. */
static int write_new_file(const char *path, const void *data, size_t len, struct swd_error *err)
{
	const uint8_t *p = data;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	int rc = 0;

	if (fd < 0)
		return swd_error_set(err, SWD_EIO, "cannot create '%s': %s", path,
		                     swd_errno_text(errno));
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = swd_error_set(err, SWD_EIO, "cannot write '%s': %s", path, swd_errno_text(errno));
			goto out;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) != 0)
		rc = swd_error_set(err, SWD_EIO, "cannot sync '%s': %s", path, swd_errno_text(errno));
out:
	if (close(fd) != 0 && rc == 0)
		rc = swd_error_set(err, SWD_EIO, "cannot write '%s': %s", path, swd_errno_text(errno));
	return rc;
}

static char *path_join(const char *dir, const char *file)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s", dir, file) < 0)
		return NULL;
	return p;
}

/* A region file name is a plain name inside the bundle: no directories, no dot files,
 * nothing that sha256sum would print escaped. */
static bool plain_file_name(const char *f)
{
	if (f[0] == '\0' || f[0] == '.' || strlen(f) > 64)
		return false;
	if (strspn(f, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(f))
		return false;
	for (const char *const *r = reserved_files; *r != NULL; r++)
		if (strcmp(*r, f) == 0)
			return false;
	return true;
}

/* --- names ----------------------------------------------------------------------------- */

char *swd_bundle_default_name(const char *profile, const uint8_t uid[12], time_t t, char *buf,
                              size_t len)
{
	char hex[25], ts[32];
	struct tm tm;

	swd_hex(uid, 12, hex);
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, len, "%s-%s-%s", profile, hex, ts);
	return buf;
}

/* --- writer ---------------------------------------------------------------------------- */

static void regions_free(struct swd_manifest_region *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].name);
		free(r[i].file);
	}
	free(r);
}

void swd_bundle_writer_free(swd_bundle_writer_t *w)
{
	if (w == NULL)
		return;
	if (!w->committed && w->tmp != NULL)
		remove_tree(w->tmp);
	free(w->dest);
	free(w->parent);
	free(w->tmp);
	regions_free(w->regions, w->nregions);
	free(w);
}

/* Is the directory something we may replace: empty, or a bundle (has manifest.json)? */
static bool replaceable_dir(const char *path)
{
	char *m = path_join(path, "manifest.json");
	struct stat st;
	bool ok = false;
	DIR *d;

	if (m != NULL && lstat(m, &st) == 0 && S_ISREG(st.st_mode))
		ok = true;
	free(m);
	if (ok)
		return true;
	d = opendir(path);
	if (d == NULL)
		return false;
	ok = true;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			ok = false;
	closedir(d);
	return ok;
}

int swd_bundle_writer_new(const char *dest, bool force, swd_bundle_writer_t **out,
                          struct swd_error *err)
{
	swd_bundle_writer_t *w = calloc(1, sizeof(*w));
	char *base, *slash, *tmpl = NULL;
	struct stat st;
	size_t len;
	int rc = 0;

	*out = NULL;
	if (w == NULL)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	w->force = force;
	w->dest = strdup(dest);
	if (w->dest == NULL) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	len = strlen(w->dest);
	while (len > 1 && w->dest[len - 1] == '/')
		w->dest[--len] = '\0';
	slash = strrchr(w->dest, '/');
	base = slash ? slash + 1 : w->dest;
	if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		rc = swd_error_set(err, SWD_EUSAGE, "'%s' is not a usable bundle name", dest);
		goto out;
	}
	w->parent = slash == NULL ? strdup(".") : slash == w->dest ? strdup("/")
	                                                            : strndup(w->dest, (size_t)(slash - w->dest));
	if (w->parent == NULL) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	if (stat(w->parent, &st) != 0 || !S_ISDIR(st.st_mode)) {
		rc = swd_error_set(err, SWD_EIO, "cannot write into '%s': %s", w->parent,
		                   errno ? swd_errno_text(errno) : "not a directory");
		goto out;
	}
	if (lstat(w->dest, &st) == 0) {
		if (!force) {
			rc = swd_error_set(err, SWD_EEXIST,
			                   "'%s' already exists; choose another name or replace it with --force",
			                   w->dest);
			goto out;
		}
		if (!S_ISDIR(st.st_mode) || !replaceable_dir(w->dest)) {
			rc = swd_error_set(err, SWD_EEXIST,
			                   "'%s' exists and is not a backup bundle; not replacing it",
			                   w->dest);
			goto out;
		}
	}
	if (asprintf(&tmpl, "%s/.%s.partial-XXXXXX", w->parent, base) < 0) {
		tmpl = NULL;
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	if (mkdtemp(tmpl) == NULL) {
		rc = swd_error_set(err, SWD_EIO, "cannot create a directory in '%s': %s", w->parent,
		                   swd_errno_text(errno));
		goto out;
	}
	w->tmp = tmpl;
	tmpl = NULL;
	*out = w;
	w = NULL;
out:
	free(tmpl);
	swd_bundle_writer_free(w);
	return rc;
}

const char *swd_bundle_writer_dir(const swd_bundle_writer_t *w)
{
	return w->tmp;
}

const char *swd_bundle_writer_dest(const swd_bundle_writer_t *w)
{
	return w->dest;
}

char *swd_bundle_writer_file_path(const swd_bundle_writer_t *w, const char *file)
{
	return path_join(w->tmp, file);
}

static int add_region(swd_bundle_writer_t *w, const char *region, const char *file,
                      uint32_t address, uint64_t size, const struct swd_digests *d,
                      uint64_t used, struct swd_error *err)
{
	struct swd_manifest_region *r, *nr;

	if (size > UINT32_MAX)
		return swd_error_set(err, SWD_EINPUT, "'%s' is larger than 4 GiB", file);
	nr = realloc(w->regions, (w->nregions + 1) * sizeof(*nr));
	if (nr == NULL)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	w->regions = nr;
	r = &nr[w->nregions];
	memset(r, 0, sizeof(*r));
	r->name = strdup(region);
	r->file = strdup(file);
	if (r->name == NULL || r->file == NULL) {
		free(r->name);
		free(r->file);
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	}
	r->address = address;
	r->size = (uint32_t)size;
	r->used = (uint32_t)used;
	memcpy(r->sha256, d->sha256_hex, sizeof(r->sha256));
	memcpy(r->md5, d->md5_hex, sizeof(r->md5));
	w->nregions++;
	return 0;
}

static int check_new_region(swd_bundle_writer_t *w, const char *region, const char *file,
                            struct swd_error *err)
{
	if (w->committed)
		return swd_error_set(err, SWD_EINTERNAL, "bundle '%s' is already complete", w->dest);
	if (!plain_file_name(file))
		return swd_error_set(err, SWD_EINTERNAL, "'%s' is not a valid bundle file name", file);
	for (size_t i = 0; i < w->nregions; i++)
		if (strcmp(w->regions[i].name, region) == 0 || strcmp(w->regions[i].file, file) == 0)
			return swd_error_set(err, SWD_EINTERNAL, "region '%s' ('%s') is already in the bundle",
			                     region, file);
	return 0;
}

int swd_bundle_writer_add_buffer(swd_bundle_writer_t *w, const char *region, const char *file,
                                 uint32_t address, const void *data, size_t size,
                                 struct swd_error *err)
{
	struct swd_digests d;
	char *path = NULL;
	int rc;

	if ((rc = check_new_region(w, region, file, err)) < 0)
		return rc;
	path = path_join(w->tmp, file);
	if (path == NULL)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	rc = write_new_file(path, data, size, err);
	if (rc == 0)
		rc = swd_digest_buffer(data, size, &d, err);
	if (rc == 0)
		rc = add_region(w, region, file, address, size, &d, swd_used_extent(data, size), err);
	free(path);
	return rc;
}

int swd_bundle_writer_add_file(swd_bundle_writer_t *w, const char *region, const char *file,
                               uint32_t address, struct swd_error *err)
{
	struct swd_digests d;
	uint64_t size = 0, used = 0;
	char *path = NULL;
	int fd = -1, rc;

	if ((rc = check_new_region(w, region, file, err)) < 0)
		return rc;
	path = path_join(w->tmp, file);
	if (path == NULL)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	/* A missing file here is the producer's (OpenOCD's) failure, not bad input. */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = swd_error_set(err, SWD_EIO, "cannot open '%s': %s", path, swd_errno_text(errno));
		goto out;
	}
	if ((rc = swd_digest_file_extent(path, &d, &size, &used, err)) < 0)
		goto out;
	/* the producer may not have synced it */
	if (fsync(fd) != 0) {
		rc = swd_error_set(err, SWD_EIO, "cannot sync '%s': %s", path, swd_errno_text(errno));
		goto out;
	}
	rc = add_region(w, region, file, address, size, &d, used, err);
out:
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

const struct swd_manifest_region *swd_bundle_writer_region(const swd_bundle_writer_t *w,
                                                           const char *region)
{
	for (size_t i = 0; i < w->nregions; i++)
		if (strcmp(w->regions[i].name, region) == 0)
			return &w->regions[i];
	return NULL;
}

static json_t *jstr_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *jhex(uint32_t v, int digits)
{
	char b[16];

	snprintf(b, sizeof(b), "0x%0*x", digits, v);
	return json_string(b);
}

/* Returns: new JSON text of the manifest, or NULL on ENOMEM. */
static char *manifest_dump(const struct swd_manifest *m, const struct swd_manifest_region *regs,
                           size_t nregs, const char *created)
{
	json_t *root = json_object(), *regions = json_array(), *wrp = json_array();
	char uid[25];
	char *text = NULL;
	int bad = 0;

	if (root == NULL || regions == NULL || wrp == NULL)
		goto out;
	swd_hex(m->device.unique_id, sizeof(m->device.unique_id), uid);
	for (size_t i = 0; i < nregs; i++)
		bad |= json_array_append_new(regions,
		                             json_pack("{s:s, s:s, s:o, s:I, s:s, s:s, s:I}",
		                                       "name", regs[i].name, "file", regs[i].file,
		                                       "address", jhex(regs[i].address, 8),
		                                       "size", (json_int_t)regs[i].size,
		                                       "sha256", regs[i].sha256, "md5", regs[i].md5,
		                                       "used", (json_int_t)regs[i].used));
	for (size_t i = 0; i < m->protection.nwrp; i++)
		bad |= json_array_append_new(wrp, json_integer(m->protection.wrp[i]));
	bad |= json_object_set_new(root, "format_version", json_integer(SWD_MANIFEST_FORMAT));
	bad |= json_object_set_new(root, "created", json_string(created));
	bad |= json_object_set_new(root, "tool",
	                           json_pack("{s:s, s:o}", "name", "swdbackup", "version",
	                                     jstr_or_null(m->tool_version)));
	bad |= json_object_set_new(root, "openocd",
	                           json_pack("{s:o}", "version", jstr_or_null(m->openocd_version)));
	bad |= json_object_set_new(root, "profile",
	                           json_pack("{s:o, s:o}", "name", jstr_or_null(m->profile_name),
	                                     "sha256", jstr_or_null(m->profile_sha256)));
	bad |= json_object_set_new(root, "probe",
	                           json_pack("{s:o, s:o, s:o, s:o}", "kind",
	                                     jstr_or_null(m->probe.kind), "serial",
	                                     jstr_or_null(m->probe.serial), "firmware",
	                                     jstr_or_null(m->probe.firmware), "target_voltage",
	                                     m->probe.target_voltage >= 0 &&
	                                             isfinite(m->probe.target_voltage)
	                                         ? json_real(round(m->probe.target_voltage * 1000) / 1000)
	                                         : json_null()));
	if (m->probe.vid_pid)
		bad |= json_object_set_new(json_object_get(root, "probe"), "vid_pid",
		                           json_string(m->probe.vid_pid));
	bad |= json_object_set_new(root, "device",
	                           json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:s}",
	                                     "dp_idcode", m->device.dp_idcode
	                                                      ? jhex(m->device.dp_idcode, 8)
	                                                      : json_null(),
	                                     "cpuid", m->device.cpuid ? jhex(m->device.cpuid, 8)
	                                                              : json_null(),
	                                     "dbgmcu_idcode", jhex(m->device.dbgmcu_idcode, 8),
	                                     "dev_id", jhex(m->device.dev_id, 3),
	                                     "rev_id", jhex(m->device.rev_id, 4),
	                                     "revision", jstr_or_null(m->device.revision),
	                                     "flash_size_kib", (json_int_t)m->device.flash_size_kib,
	                                     "unique_id", uid));
	bad |= json_object_set_new(root, "protection",
	                           json_pack("{s:o, s:O, s:s}", "rdp_level",
	                                     m->protection.rdp_level >= 0
	                                         ? json_integer(m->protection.rdp_level)
	                                         : json_null(),
	                                     "wrp", wrp, "wrp_unit",
	                                     m->protection.pages ? "page" : "sector"));
	bad |= json_object_set(root, "regions", regions);
	if (bad == 0)
		text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(6));
out:
	json_decref(root);
	json_decref(regions);
	json_decref(wrp);
	return text;
}

/* Puts the staging directory at dest: atomically exchanged with an old bundle when forced. */
static int move_into_place(swd_bundle_writer_t *w, struct swd_error *err)
{
	struct stat st;

	if (renameat2(AT_FDCWD, w->tmp, AT_FDCWD, w->dest, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno == EEXIST || errno == ENOTEMPTY) {
		if (!w->force)
			return swd_error_set(err, SWD_EEXIST,
			                     "'%s' appeared while the backup was written; not replacing it",
			                     w->dest);
		if (lstat(w->dest, &st) != 0 || !S_ISDIR(st.st_mode) || !replaceable_dir(w->dest))
			return swd_error_set(err, SWD_EEXIST,
			                     "'%s' exists and is not a backup bundle; not replacing it",
			                     w->dest);
		/* swap: dest gets the new bundle, the staging path the old one (removed by the
		 * caller) */
		if (renameat2(AT_FDCWD, w->tmp, AT_FDCWD, w->dest, RENAME_EXCHANGE) == 0)
			return 1;
		if (errno != EINVAL && errno != ENOSYS)
			return swd_error_set(err, SWD_EIO, "cannot replace '%s': %s", w->dest,
			                     swd_errno_text(errno));
		/* no RENAME_EXCHANGE on this file system: old aside, new in, old removed */
		{
			char *aside = NULL;
			int rc = 1;

			if (asprintf(&aside, "%s.old", w->tmp) < 0)
				return swd_error_set(err, SWD_ENOMEM, "out of memory");
			if (rename(w->dest, aside) != 0) {
				rc = swd_error_set(err, SWD_EIO, "cannot move '%s' aside: %s", w->dest,
				                   swd_errno_text(errno));
			} else if (rename(w->tmp, w->dest) != 0) {
				rc = swd_error_set(err, SWD_EIO, "cannot rename '%s' to '%s': %s", w->tmp,
				                   w->dest, swd_errno_text(errno));
				rename(aside, w->dest);
			} else if (rename(aside, w->tmp) != 0) {
				remove_tree(aside);
			}
			free(aside);
			return rc;
		}
	}
	if (errno == EINVAL || errno == ENOSYS) {
		/* no RENAME_NOREPLACE: lstat above showed dest absent; rename() refuses to replace a
		 * non-empty directory and we never create an empty one at dest */
		if (lstat(w->dest, &st) == 0 && !w->force)
			return swd_error_set(err, SWD_EEXIST, "'%s' already exists", w->dest);
		if (rename(w->tmp, w->dest) == 0)
			return 0;
	}
	return swd_error_set(err, SWD_EIO, "cannot rename '%s' to '%s': %s", w->tmp, w->dest,
	                     swd_errno_text(errno));
}

int swd_bundle_writer_commit(swd_bundle_writer_t *w, const struct swd_manifest *m,
                             struct swd_error *err)
{
	struct swd_digests dm;
	char created[32];
	char *text = NULL, *sha = NULL, *md5 = NULL, *path = NULL;
	size_t shalen = 0, md5len = 0;
	FILE *fs = NULL, *fm = NULL;
	int rc, moved;

	if (w->committed)
		return swd_error_set(err, SWD_EINTERNAL, "bundle '%s' is already complete", w->dest);
	if (m->profile_name == NULL)
		return swd_error_set(err, SWD_EINTERNAL, "bundle '%s' has no profile name", w->dest);
	if (m->format != 0 && m->format != SWD_MANIFEST_FORMAT)
		return swd_error_set(err, SWD_EINTERNAL, "manifest format %d cannot be written", m->format);
	if (m->created != NULL) {
		snprintf(created, sizeof(created), "%s", m->created);
	} else {
		time_t t = time(NULL);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	text = manifest_dump(m, w->regions, w->nregions, created);
	if (text == NULL) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	path = path_join(w->tmp, "manifest.json");
	if (path == NULL) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	{
		size_t tl = strlen(text);

		/* end the file with a newline like any text file */
		char *t2 = realloc(text, tl + 2);

		if (t2 == NULL) {
			rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
			goto out;
		}
		text = t2;
		text[tl] = '\n';
		text[tl + 1] = '\0';
	}
	if ((rc = write_new_file(path, text, strlen(text), err)) < 0)
		goto out;
	if ((rc = swd_digest_buffer(text, strlen(text), &dm, err)) < 0)
		goto out;

	fs = open_memstream(&sha, &shalen);
	fm = open_memstream(&md5, &md5len);
	if (fs == NULL || fm == NULL) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	/* the format sha256sum -c and md5sum -c read: digest, two spaces, name */
	for (size_t i = 0; i < w->nregions; i++) {
		fprintf(fs, "%s  %s\n", w->regions[i].sha256, w->regions[i].file);
		fprintf(fm, "%s  %s\n", w->regions[i].md5, w->regions[i].file);
	}
	fprintf(fs, "%s  manifest.json\n", dm.sha256_hex);
	fprintf(fm, "%s  manifest.json\n", dm.md5_hex);
	if (fclose(fs) != 0 || fclose(fm) != 0) {
		fs = fm = NULL;
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	fs = fm = NULL;
	free(path);
	path = path_join(w->tmp, "SHA256SUMS");
	if (path == NULL || (rc = write_new_file(path, sha, shalen, err)) < 0) {
		rc = path == NULL ? swd_error_set(err, SWD_ENOMEM, "out of memory") : rc;
		goto out;
	}
	free(path);
	path = path_join(w->tmp, "MD5SUMS");
	if (path == NULL || (rc = write_new_file(path, md5, md5len, err)) < 0) {
		rc = path == NULL ? swd_error_set(err, SWD_ENOMEM, "out of memory") : rc;
		goto out;
	}
	{
		/* mkdtemp made it private; a finished bundle gets the usual permissions */
		mode_t mask = umask(0);

		umask(mask);
		if (chmod(w->tmp, 0777 & ~mask) != 0) {
			rc = swd_error_set(err, SWD_EIO, "cannot set permissions of '%s': %s", w->tmp,
			                   swd_errno_text(errno));
			goto out;
		}
	}
	if ((rc = fsync_path(w->tmp, true, err)) < 0)
		goto out;
	moved = move_into_place(w, err);
	if (moved < 0) {
		rc = moved;
		goto out;
	}
	w->committed = true;
	/* the rename is durable only once the parent directory is synced */
	rc = fsync_path(w->parent, true, err);
	if (moved == 1)
		remove_tree(w->tmp);
out:
	if (fs != NULL)
		fclose(fs);
	if (fm != NULL)
		fclose(fm);
	free(sha);
	free(md5);
	free(text);
	free(path);
	return rc;
}

/* --- reader ---------------------------------------------------------------------------- */

void swd_manifest_release(struct swd_manifest *m)
{
	if (m == NULL)
		return;
	free(m->tool_version);
	free(m->openocd_version);
	free(m->created);
	free(m->profile_name);
	free(m->profile_sha256);
	free(m->probe.kind);
	free(m->probe.serial);
	free(m->probe.firmware);
	free(m->probe.vid_pid);
	free(m->device.revision);
	free(m->protection.wrp);
	regions_free(m->regions, m->nregions);
	memset(m, 0, sizeof(*m));
}

void swd_bundle_free(struct swd_bundle *b)
{
	if (b == NULL)
		return;
	swd_manifest_release(&b->manifest);
	free(b->dir);
	free(b);
}

struct mctx {
	const char *origin;
	struct swd_jsonpos pos;
	struct swd_error *err;
};

static int merr(struct mctx *c, const char *path, bool at_key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int merr(struct mctx *c, const char *path, bool at_key, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = swd_jsonpos_verror(&c->pos, c->err, SWD_EBUNDLE, c->origin, path, at_key, fmt, ap);
	va_end(ap);
	return rc;
}

/* Only the listed keys, all of them present (manifests are written by us: nothing is
 * optional, unknown values are null). */
static int mobject(struct mctx *c, const char *path, json_t *o, const char *const *keys)
{
	const char *k;
	json_t *v;

	if (!json_is_object(o))
		return merr(c, path, false, "'%s' must be an object", path[0] ? path : "manifest");
	json_object_foreach(o, k, v) {
		const char *const *kk = keys;
		char *child;
		int rc;

		while (*kk != NULL && strcmp(*kk, k) != 0)
			kk++;
		if (*kk != NULL)
			continue;
		child = swd_jsonpos_member(path, k);
		rc = merr(c, child ? child : path, true, "unknown key '%s'", k);
		free(child);
		return rc;
	}
	for (const char *const *kk = keys; *kk != NULL; kk++)
		if (json_object_get(o, *kk) == NULL)
			return merr(c, path, false, "missing key '%s'%s%s", *kk, path[0] ? " in " : "",
			            path);
	return 0;
}

static int mstr(struct mctx *c, const char *path, json_t *o, const char *key, bool nullable,
                char **out)
{
	json_t *v = json_object_get(o, key);
	char *child = swd_jsonpos_member(path, key);
	int rc = 0;

	if (child == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	if (nullable && json_is_null(v)) {
		*out = NULL;
	} else if (!json_is_string(v)) {
		rc = merr(c, child, false, "'%s' must be a string%s", child, nullable ? " or null" : "");
	} else {
		*out = strdup(json_string_value(v));
		if (*out == NULL)
			rc = swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	}
	free(child);
	return rc;
}

static int mhex(struct mctx *c, const char *path, json_t *o, const char *key, uint32_t max,
                uint32_t *out)
{
	json_t *v = json_object_get(o, key);
	char *child = swd_jsonpos_member(path, key);
	const char *s;
	char *end = NULL;
	int rc = 0;

	if (child == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	s = json_string_value(v);
	if (s == NULL || strncmp(s, "0x", 2) != 0 || s[2] == '\0' || strlen(s) > 10 ||
	    strspn(s + 2, "0123456789abcdefABCDEF") != strlen(s + 2) ||
	    (*out = (uint32_t)strtoul(s + 2, &end, 16)) > max)
		rc = merr(c, child, false, "'%s' must be a hex string no larger than 0x%x", child, max);
	free(child);
	return rc;
}

/* Identity registers that were not read are null; 0 is never a valid value for them. */
static int mhex_or_null(struct mctx *c, const char *path, json_t *o, const char *key,
                        uint32_t *out)
{
	if (json_is_null(json_object_get(o, key))) {
		*out = 0;
		return 0;
	}
	return mhex(c, path, o, key, UINT32_MAX, out);
}

static int mint(struct mctx *c, const char *path, json_t *o, const char *key, uint64_t max,
                uint64_t *out)
{
	json_t *v = json_object_get(o, key);
	char *child = swd_jsonpos_member(path, key);
	int rc = 0;

	if (child == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max)
		rc = merr(c, child, false, "'%s' must be an integer from 0 to %llu", child,
		          (unsigned long long)max);
	else
		*out = (uint64_t)json_integer_value(v);
	free(child);
	return rc;
}

static bool is_hex_digest(const char *s, size_t n)
{
	return strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

static int parse_manifest(struct mctx *c, json_t *root, struct swd_manifest *m)
{
	static const char *const top[] = {"format_version", "created", "tool", "openocd", "profile",
	                                  "probe", "device", "protection", "regions", NULL};
	static const char *const tool[] = {"name", "version", NULL};
	static const char *const ocd[] = {"version", NULL};
	static const char *const prof[] = {"name", "sha256", NULL};
	static const char *const probe[] = {"kind", "serial", "firmware", "target_voltage", "vid_pid",
	                                    NULL};
	static const char *const dev[] = {"dp_idcode", "cpuid", "dbgmcu_idcode", "dev_id", "rev_id",
	                                  "revision", "flash_size_kib", "unique_id", NULL};
	static const char *const prot[] = {"rdp_level", "wrp", "wrp_unit", NULL};
	static const char *const reg[] = {"name", "file", "address", "size", "sha256", "md5",
	                                  "used", NULL};
	json_t *o, *v, *arr;
	char *uid = NULL, *unit = NULL, *toolname = NULL;
	uint32_t h;
	uint64_t u;
	size_t i;
	int rc;

	if ((rc = mobject(c, "", root, top)) < 0)
		return rc;
	if ((rc = mint(c, "", root, "format_version", 1000, &u)) < 0)
		return rc;
	if (u != SWD_MANIFEST_FORMAT)
		return merr(c, "format_version", false,
		            "manifest format %llu is not supported (this version reads format %d)",
		            (unsigned long long)u, SWD_MANIFEST_FORMAT);
	m->format = (int)u;
	if ((rc = mstr(c, "", root, "created", false, &m->created)) < 0)
		return rc;

	o = json_object_get(root, "tool");
	if ((rc = mobject(c, "tool", o, tool)) < 0 || (rc = mstr(c, "tool", o, "name", false, &toolname)) < 0)
		return rc;
	rc = strcmp(toolname, "swdbackup") != 0
	         ? merr(c, "tool.name", false, "'tool.name' is \"%s\", not \"swdbackup\"", toolname)
	         : 0;
	free(toolname);
	if (rc < 0 || (rc = mstr(c, "tool", o, "version", true, &m->tool_version)) < 0)
		return rc;

	o = json_object_get(root, "openocd");
	if ((rc = mobject(c, "openocd", o, ocd)) < 0 ||
	    (rc = mstr(c, "openocd", o, "version", true, &m->openocd_version)) < 0)
		return rc;

	o = json_object_get(root, "profile");
	if ((rc = mobject(c, "profile", o, prof)) < 0 ||
	    (rc = mstr(c, "profile", o, "name", false, &m->profile_name)) < 0 ||
	    (rc = mstr(c, "profile", o, "sha256", true, &m->profile_sha256)) < 0)
		return rc;

	o = json_object_get(root, "probe");
	if ((rc = mobject(c, "probe", o, probe)) < 0 ||
	    (rc = mstr(c, "probe", o, "kind", true, &m->probe.kind)) < 0 ||
	    (rc = mstr(c, "probe", o, "serial", true, &m->probe.serial)) < 0 ||
	    (rc = mstr(c, "probe", o, "firmware", true, &m->probe.firmware)) < 0)
		return rc;
	if (json_object_get(o, "vid_pid") &&
	    (rc = mstr(c, "probe", o, "vid_pid", true, &m->probe.vid_pid)) < 0)
		return rc;
	v = json_object_get(o, "target_voltage");
	if (json_is_null(v))
		m->probe.target_voltage = -1;
	else if (json_is_number(v) && json_number_value(v) >= 0)
		m->probe.target_voltage = json_number_value(v);
	else
		return merr(c, "probe.target_voltage", false,
		            "'probe.target_voltage' must be a number of volts or null");

	o = json_object_get(root, "device");
	if ((rc = mobject(c, "device", o, dev)) < 0 ||
	    (rc = mhex_or_null(c, "device", o, "dp_idcode", &m->device.dp_idcode)) < 0 ||
	    (rc = mhex_or_null(c, "device", o, "cpuid", &m->device.cpuid)) < 0 ||
	    (rc = mhex(c, "device", o, "dbgmcu_idcode", UINT32_MAX, &m->device.dbgmcu_idcode)) < 0)
		return rc;
	if ((rc = mhex(c, "device", o, "dev_id", 0xFFF, &h)) < 0)
		return rc;
	m->device.dev_id = (uint16_t)h;
	if ((rc = mhex(c, "device", o, "rev_id", 0xFFFF, &h)) < 0)
		return rc;
	m->device.rev_id = (uint16_t)h;
	if ((rc = mstr(c, "device", o, "revision", true, &m->device.revision)) < 0)
		return rc;
	if ((rc = mint(c, "device", o, "flash_size_kib", 0xFFFF, &u)) < 0)
		return rc;
	m->device.flash_size_kib = (uint16_t)u;
	if ((rc = mstr(c, "device", o, "unique_id", false, &uid)) < 0)
		return rc;
	if (!is_hex_digest(uid, 24)) {
		free(uid);
		return merr(c, "device.unique_id", false,
		            "'device.unique_id' must be 24 lowercase hex digits");
	}
	for (i = 0; i < 12; i++) {
		char b[3] = {uid[2 * i], uid[2 * i + 1], 0};

		m->device.unique_id[i] = (uint8_t)strtoul(b, NULL, 16);
	}
	free(uid);

	o = json_object_get(root, "protection");
	if ((rc = mobject(c, "protection", o, prot)) < 0)
		return rc;
	v = json_object_get(o, "rdp_level");
	if (json_is_null(v))
		m->protection.rdp_level = -1;
	else if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 2)
		m->protection.rdp_level = (int)json_integer_value(v);
	else
		return merr(c, "protection.rdp_level", false,
		            "'protection.rdp_level' must be 0, 1, 2 or null");
	if ((rc = mstr(c, "protection", o, "wrp_unit", false, &unit)) < 0)
		return rc;
	m->protection.pages = strcmp(unit, "page") == 0;
	rc = !m->protection.pages && strcmp(unit, "sector") != 0
	         ? merr(c, "protection.wrp_unit", false,
	                "'protection.wrp_unit' must be \"page\" or \"sector\"")
	         : 0;
	free(unit);
	if (rc < 0)
		return rc;
	arr = json_object_get(o, "wrp");
	if (!json_is_array(arr))
		return merr(c, "protection.wrp", false, "'protection.wrp' must be an array");
	m->protection.wrp = calloc(json_array_size(arr) + 1, sizeof(unsigned));
	if (m->protection.wrp == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	json_array_foreach(arr, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 65535) {
			char *child = swd_jsonpos_item("protection.wrp", i);

			rc = merr(c, child ? child : "protection.wrp", false,
			          "'protection.wrp' holds page or sector numbers");
			free(child);
			return rc;
		}
		m->protection.wrp[m->protection.nwrp++] = (unsigned)json_integer_value(v);
	}

	arr = json_object_get(root, "regions");
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return merr(c, "regions", false, "'regions' must be a non-empty array");
	m->regions = calloc(json_array_size(arr), sizeof(*m->regions));
	if (m->regions == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	json_array_foreach(arr, i, v) {
		struct swd_manifest_region *r = &m->regions[i];
		char *rp = swd_jsonpos_item("regions", i);
		char *sha = NULL, *md5 = NULL;

		if (rp == NULL)
			return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
		m->nregions = i + 1;
		rc = mobject(c, rp, v, reg);
		if (rc == 0)
			rc = mstr(c, rp, v, "name", false, &r->name);
		if (rc == 0)
			rc = mstr(c, rp, v, "file", false, &r->file);
		if (rc == 0 && !plain_file_name(r->file))
			rc = merr(c, rp, false, "region file '%s' is not a plain file name", r->file);
		if (rc == 0)
			rc = mhex(c, rp, v, "address", UINT32_MAX, &r->address);
		if (rc == 0 && (rc = mint(c, rp, v, "size", UINT32_MAX, &u)) == 0)
			r->size = (uint32_t)u;
		if (rc == 0 && (rc = mint(c, rp, v, "used", r->size, &u)) == 0)
			r->used = (uint32_t)u;
		if (rc == 0)
			rc = mstr(c, rp, v, "sha256", false, &sha);
		if (rc == 0)
			rc = mstr(c, rp, v, "md5", false, &md5);
		if (rc == 0 && (!is_hex_digest(sha, 64) || !is_hex_digest(md5, 32)))
			rc = merr(c, rp, false, "region '%s' has a malformed sha256 or md5", r->name);
		if (rc == 0) {
			memcpy(r->sha256, sha, 65);
			memcpy(r->md5, md5, 33);
		}
		for (size_t k = 0; rc == 0 && k < i; k++)
			if (strcmp(m->regions[k].name, r->name) == 0 ||
			    strcmp(m->regions[k].file, r->file) == 0)
				rc = merr(c, rp, false, "region '%s' is listed twice", r->name);
		free(sha);
		free(md5);
		free(rp);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Reads a small text file of the bundle. Returns: *out new. */
static int slurp(const char *path, char **out, size_t *len, struct swd_error *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	int rc = 0;

	*out = NULL;
	if (f == NULL)
		return swd_error_set(err, SWD_EBUNDLE, "cannot open '%s': %s", path, swd_errno_text(errno));
	for (;;) {
		size_t got;

		if (n + 4096 + 1 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 8192;
			if (cap > 16 * 1024 * 1024) {
				rc = swd_error_set(err, SWD_EBUNDLE, "'%s' is too large", path);
				goto out;
			}
			nb = realloc(buf, cap);
			if (nb == NULL) {
				rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
				goto out;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		rc = swd_error_set(err, SWD_EIO, "cannot read '%s': %s", path, swd_errno_text(errno));
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	fclose(f);
	return rc;
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
		if (!plain_file_name(v[nv].file) && strcmp(v[nv].file, "manifest.json") != 0) {
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

int swd_bundle_open(const char *dir, struct swd_bundle **out, struct swd_error *err)
{
	struct swd_bundle *b = calloc(1, sizeof(*b));
	struct mctx c = {NULL, {NULL, 0, 0}, err};
	struct sum_line *sums = NULL, *md5s = NULL;
	size_t nsums = 0, nmd5s = 0, len;
	char *text = NULL, *path = NULL, *mpath = NULL;
	json_error_t jerr;
	json_t *root = NULL;
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
	path = path_join(dir, "SHA256SUMS");
	mpath = path_join(dir, "manifest.json");
	if (b->dir == NULL || path == NULL || mpath == NULL) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	if (access(mpath, F_OK) != 0) {
		rc = swd_error_set(err, SWD_EBUNDLE, "'%s' is not a bundle: it has no manifest.json", dir);
		goto out;
	}
	if ((rc = slurp(path, &text, &len, err)) < 0)
		goto out;
	if ((rc = parse_sums(path, text, 64, &sums, &nsums, err)) < 0)
		goto out;
	free(text);
	text = NULL;
	if (find_sum(sums, nsums, "manifest.json") == NULL) {
		rc = swd_error_set(err, SWD_EBUNDLE, "'%s' does not list manifest.json", path);
		goto out;
	}
	for (size_t i = 0; i < nsums; i++) {
		struct swd_digests d;
		char *fp = path_join(dir, sums[i].file);

		if (fp == NULL) {
			rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
			goto out;
		}
		rc = swd_digest_file(fp, &d, NULL);
		if (rc < 0)
			rc = swd_error_set(err, SWD_EBUNDLE, "'%s' is listed in SHA256SUMS but cannot be read",
			                   fp);
		else if (strcmp(d.sha256_hex, sums[i].digest) != 0)
			rc = swd_error_set(err, SWD_ECHECKSUM,
			                   "'%s' does not match its sha256 in SHA256SUMS; the bundle is damaged",
			                   fp);
		free(fp);
		if (rc < 0)
			goto out;
	}

	if ((rc = slurp(mpath, &text, &len, err)) < 0)
		goto out;
	c.origin = mpath;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		rc = swd_error_set(err, SWD_EBUNDLE, "'%s' line %d, column %d: %s", mpath, jerr.line,
		                   jerr.column, jerr.text);
		goto out;
	}
	if (swd_jsonpos_build(text, len, &c.pos) < 0) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = parse_manifest(&c, root, &b->manifest)) < 0)
		goto out;

	/* the manifest's digests must be the ones SHA256SUMS vouched for */
	free(path);
	path = path_join(dir, "MD5SUMS");
	if (path != NULL && stat(path, &st) == 0) {
		free(text);
		text = NULL;
		if ((rc = slurp(path, &text, &len, err)) < 0 ||
		    (rc = parse_sums(path, text, 32, &md5s, &nmd5s, err)) < 0)
			goto out;
	}
	for (size_t i = 0; i < b->manifest.nregions; i++) {
		const struct swd_manifest_region *r = &b->manifest.regions[i];
		const struct sum_line *s = find_sum(sums, nsums, r->file);
		const struct sum_line *m5 = find_sum(md5s, nmd5s, r->file);
		char *fp = path_join(dir, r->file);

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
	*out = b;
	b = NULL;
	rc = 0;
out:
	swd_jsonpos_release(&c.pos);
	json_decref(root);
	free(sums);
	free(md5s);
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

	return r != NULL ? path_join(b->dir, r->file) : NULL;
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
	if (b->manifest.device.dev_id != p->ids.dev_id || fl->size != p->flash.size ||
	    fl->address != p->flash.base)
	{
		char n1[32], n2[32];
		const char *from = b->manifest.profile_name;

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
