/* test-bundle.c - bundles appear complete or not at all; SHA256SUMS/MD5SUMS are what
 * sha256sum -c and md5sum -c accept; the reader is strict; odd directory names work. */
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/bundle.h"
#include "core/tmpdir.h"
#include "core/digest.h"

static char root[256];
static struct swd_profile *f103;

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/swd-bundle-XXXXXX");
	if (mkdtemp(root) == NULL)
		return -1;
	return swd_profile_load(CORE_PROFILES_DIR "/stm32f103c8.json", &f103, NULL);
}

static int teardown(void **state)
{
	char cmd[512];

	(void)state;
	swd_profile_free(f103);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Number of entries in root (other than . and ..), to see leftovers. */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void fill_manifest(struct swd_manifest *m)
{
	static const uint8_t uid[12] = {0x30, 0xff, 0x6b, 0x06, 0x4e, 0x50, 0x38, 0x31,
	                                0x12, 0x34, 0x17, 0x43};

	memset(m, 0, sizeof(*m));
	m->format = SWD_MANIFEST_FORMAT;
	m->tool_version = "0.1.0";
	m->openocd_version = "Open On-Chip Debugger 0.12.0";
	m->created = "2026-11-22T03:55:00Z";
	m->profile_name = f103->name;
	assert_int_equal(swd_profile_hash(f103, NULL), 0);
	m->profile_sha256 = f103->sha256_hex;
	m->probe.kind = "stlink-tcp";
	m->probe.serial = "0669FF3530474B3043";
	m->probe.firmware = "V2J37S7";
	m->probe.target_voltage = 3.2437;
	m->device.dp_idcode = 0x1BA01477;
	m->device.cpuid = 0x411FC231;
	m->device.dbgmcu_idcode = 0x20036410;
	m->device.dev_id = 0x410;
	m->device.rev_id = 0x2003;
	m->device.revision = "Y";
	m->device.flash_size_kib = 64;
	memcpy(m->device.unique_id, uid, 12);
	m->protection.rdp_level = 0;
	m->protection.pages = true;
}

/* Writes a complete F103 bundle at dest. */
static int write_bundle(const char *dest, bool force, uint8_t fill, struct swd_error *err)
{
	static unsigned wrp[] = {0, 1, 2, 3};
	uint8_t *flash = malloc(65536), *back = NULL;
	uint8_t ob[16] = {0xA5, 0x5A, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00,
	                  0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00};
	swd_bundle_writer_t *w = NULL;
	struct swd_manifest m;
	FILE *f;
	char *path;
	int rc;

	memset(flash, 0xFF, 65536);
	memset(flash, fill, 23552);
	fill_manifest(&m);
	m.protection.wrp = wrp;
	m.protection.nwrp = 4;
	rc = swd_bundle_writer_new(dest, force, &w, err);
	if (rc < 0)
		goto out;
	/* flash.bin as OpenOCD would produce it: written into the staging dir by someone else */
	path = swd_bundle_writer_file_path(w, "flash.bin");
	f = fopen(path, "wb");
	free(path);
	assert_non_null(f);
	assert_int_equal(fwrite(flash, 1, 65536, f), 65536);
	fclose(f);
	if ((rc = swd_bundle_writer_add_file_exact(w, "flash", "flash.bin", 0x08000000, 65536,
	                                           &back, err)) < 0)
		goto out;
	assert_memory_equal(back, flash, 65536);
	free(back);
	if ((rc = swd_bundle_writer_add_buffer(w, "option-bytes", "option-bytes.bin", 0x1FFFF800,
	                                       ob, sizeof(ob), err)) < 0)
		goto out;
	rc = swd_bundle_writer_commit(w, &m, err);
out:
	swd_bundle_writer_free(w);
	free(flash);
	return rc;
}

/* Runs `tool -c FILE` inside dir (no shell: the name is never interpreted). */
static int run_check(const char *dir, const char *tool, const char *file)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		if (chdir(dir) != 0)
			_exit(126);
		if (freopen("/dev/null", "w", stdout) == NULL || freopen("/dev/null", "w", stderr) == NULL)
			_exit(126);
		execlp(tool, tool, "--strict", "-c", file, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_write_and_check(void **state)
{
	char dest[512], path[600];
	struct swd_error err;
	struct swd_bundle *b = NULL;
	const struct swd_manifest_region *r;
	struct swd_digests d;
	uint8_t expect[65536];

	(void)state;
	/* spaces and every Tcl metacharacter in the directory name */
	snprintf(dest, sizeof(dest), "%s/my bundle [1] $x {y}; \"q\" \\z", root);
	swd_error_init(&err);
	if (write_bundle(dest, false, 0x42, &err) != 0)
		fail_msg("%s", err.msg);
	assert_true(exists(dest));
	assert_int_equal(entries(root), 1); /* no staging directory left behind */
	assert_int_equal(entries(dest), 5);
	assert_int_equal(run_check(dest, "sha256sum", "SHA256SUMS"), 0);
	assert_int_equal(run_check(dest, "md5sum", "MD5SUMS"), 0);

	/* the digests are those of the data */
	memset(expect, 0xFF, sizeof(expect));
	memset(expect, 0x42, 23552);
	swd_digest_buffer(expect, sizeof(expect), &d, NULL);

	swd_error_init(&err);
	if (swd_bundle_open(dest, &b, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(b->manifest.format, SWD_MANIFEST_FORMAT);
	assert_string_equal(b->manifest.tool_version, "0.1.0");
	assert_string_equal(b->manifest.openocd_version, "Open On-Chip Debugger 0.12.0");
	assert_string_equal(b->manifest.created, "2026-11-22T03:55:00Z");
	assert_string_equal(b->manifest.profile_name, "stm32f103c8");
	assert_string_equal(b->manifest.profile_sha256, f103->sha256_hex);
	assert_string_equal(b->manifest.probe.kind, "stlink-tcp");
	assert_string_equal(b->manifest.probe.firmware, "V2J37S7");
	assert_true(b->manifest.probe.target_voltage > 3.243 && b->manifest.probe.target_voltage < 3.245);
	assert_int_equal(b->manifest.device.dp_idcode, 0x1BA01477);
	assert_int_equal(b->manifest.device.cpuid, 0x411FC231);
	assert_int_equal(b->manifest.device.dbgmcu_idcode, 0x20036410);
	assert_int_equal(b->manifest.device.dev_id, 0x410);
	assert_int_equal(b->manifest.device.rev_id, 0x2003);
	assert_string_equal(b->manifest.device.revision, "Y");
	assert_int_equal(b->manifest.device.flash_size_kib, 64);
	assert_int_equal(b->manifest.device.unique_id[0], 0x30);
	assert_int_equal(b->manifest.device.unique_id[11], 0x43);
	assert_int_equal(b->manifest.protection.rdp_level, 0);
	assert_true(b->manifest.protection.pages);
	assert_int_equal(b->manifest.protection.nwrp, 4);
	assert_int_equal(b->manifest.protection.wrp[3], 3);
	assert_int_equal(b->manifest.nregions, 2);
	r = swd_bundle_region(b, "flash");
	assert_non_null(r);
	assert_string_equal(r->file, "flash.bin");
	assert_int_equal(r->address, 0x08000000);
	assert_int_equal(r->size, 65536);
	assert_int_equal(r->used, 23552);
	assert_string_equal(r->sha256, d.sha256_hex);
	assert_string_equal(r->md5, d.md5_hex);
	r = swd_bundle_region(b, "option-bytes");
	assert_non_null(r);
	assert_int_equal(r->size, 16);
	assert_int_equal(r->used, 16);
	assert_null(swd_bundle_region(b, "otp"));
	{
		char *fp = swd_bundle_region_path(b, "flash");

		snprintf(path, sizeof(path), "%s/flash.bin", dest);
		assert_string_equal(fp, path);
		free(fp);
	}

	/* restore checks */
	assert_int_equal(swd_bundle_check_target(b, 0x410, 64, NULL), 0);
	swd_error_init(&err);
	assert_int_equal(swd_bundle_check_target(b, 0x413, 1024, &err), SWD_EWRONGTARGET);
	assert_non_null(strstr(err.msg, "is from dev id 0x410 (stm32f103c8, 64 KiB of flash); the target is dev id 0x413 (1,024 KiB): nothing was written"));
	assert_int_equal(swd_bundle_check_profile(b, f103, NULL), 0);
	{
		struct swd_profile *cb;

		assert_int_equal(swd_profile_load(CORE_PROFILES_DIR "/stm32f103cb.json", &cb, NULL), 0);
		swd_error_init(&err);
		assert_int_equal(swd_bundle_check_profile(b, cb, &err), SWD_EWRONGTARGET);
	assert_non_null(strstr(err.msg, "(stm32f103c8, 65,536 bytes of flash at 0x08000000); stm32f103cb is dev id 0x410 with 131,072 bytes at 0x08000000: nothing was written; use --profile stm32f103c8"));
		swd_profile_free(cb);
	}
	swd_bundle_free(b);
}

static void test_exists_and_force(void **state)
{
	char dest[512], other[512], path[600];
	struct swd_error err;
	struct swd_bundle *b;

	(void)state;
	snprintf(dest, sizeof(dest), "%s/again", root);
	assert_int_equal(write_bundle(dest, false, 0x11, NULL), 0);
	swd_error_init(&err);
	assert_int_equal(write_bundle(dest, false, 0x22, &err), SWD_EEXIST);
	assert_string_equal(strstr(err.msg, "again'"), "again' already exists; choose another name or replace it with --force");
	/* nothing changed */
	assert_int_equal(swd_bundle_open(dest, &b, NULL), 0);
	assert_int_equal(swd_bundle_region(b, "flash")->used, 23552);
	swd_bundle_free(b);

	/* force replaces it; nothing is left beside it */
	swd_error_init(&err);
	if (write_bundle(dest, true, 0x22, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(swd_bundle_open(dest, &b, NULL), 0);
	{
		struct swd_digests d;
		char *fp = swd_bundle_region_path(b, "flash");
		FILE *f = fopen(fp, "rb");
		int c = fgetc(f);

		assert_int_equal(c, 0x22);
		fclose(f);
		assert_int_equal(swd_digest_file(fp, &d, NULL), 0);
		assert_string_equal(d.sha256_hex, swd_bundle_region(b, "flash")->sha256);
		free(fp);
	}
	swd_bundle_free(b);
	{
		DIR *d = opendir(root);

		for (struct dirent *e; (e = readdir(d)) != NULL;)
			assert_null(strstr(e->d_name, "partial"));
		closedir(d);
	}

	/* force does not replace something that is not a bundle */
	snprintf(other, sizeof(other), "%s/not-a-bundle", root);
	assert_int_equal(mkdir(other, 0755), 0);
	snprintf(path, sizeof(path), "%s/precious.txt", other);
	fclose(fopen(path, "w"));
	swd_error_init(&err);
	assert_int_equal(write_bundle(other, true, 0x22, &err), SWD_EEXIST);
	assert_non_null(strstr(err.msg, "not-a-bundle' exists and is not a backup bundle; not replacing it"));
	assert_true(exists(path));
}

/* A failure at any point before commit leaves no directory at the final name, and freeing
 * the writer removes the staging directory. */
static void test_atomic_failures(void **state)
{
	char dest[512], dir[400];
	swd_bundle_writer_t *w;
	struct swd_manifest m;
	struct swd_error err;
	uint8_t *back;
	char *path;
	int before;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/atomic", root);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(dest, sizeof(dest), "%s/b", dir);
	fill_manifest(&m);

	/* the producer's file never appeared (OpenOCD died mid-read) */
	assert_int_equal(swd_bundle_writer_new(dest, false, &w, NULL), 0);
	assert_int_equal(entries(dir), 1);
	assert_non_null(strstr(swd_bundle_writer_dir(w), "/.b.partial-"));
	assert_int_equal(swd_bundle_writer_add_buffer(w, "option-bytes", "option-bytes.bin",
	                                              0x1FFFF800, "0123456789abcdef", 16, NULL), 0);
	swd_error_init(&err);
	assert_int_equal(swd_bundle_writer_add_file_exact(w, "flash", "flash.bin", 0x08000000,
	                                                  65536, &back, &err), SWD_EIO);
	assert_null(back);
	assert_non_null(strstr(err.msg, "flash.bin': no such file or directory"));
	assert_false(exists(dest));
	swd_bundle_writer_free(w);
	assert_int_equal(entries(dir), 0);

	/* commit itself fails part way (manifest.json cannot be created) */
	assert_int_equal(swd_bundle_writer_new(dest, false, &w, NULL), 0);
	assert_int_equal(swd_bundle_writer_add_buffer(w, "flash", "flash.bin", 0x08000000,
	                                              "\xff\xff", 2, NULL), 0);
	path = swd_bundle_writer_file_path(w, "manifest.json");
	assert_int_equal(mkdir(path, 0755), 0);
	free(path);
	swd_error_init(&err);
	assert_int_equal(swd_bundle_writer_commit(w, &m, &err), SWD_EIO);
	assert_non_null(strstr(err.msg, "cannot create '"));
	assert_false(exists(dest));
	swd_bundle_writer_free(w);
	assert_int_equal(entries(dir), 0);

	/* the process is killed in the middle: the final name never appears */
	before = entries(dir);
	{
		pid_t pid = fork();
		int status;

		assert_true(pid >= 0);
		if (pid == 0) {
			swd_bundle_writer_t *cw;

			if (swd_bundle_writer_new(dest, false, &cw, NULL) != 0)
				_exit(1);
			swd_bundle_writer_add_buffer(cw, "flash", "flash.bin", 0x08000000, "\x00", 1, NULL);
			raise(SIGKILL);
			_exit(2);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
	}
	assert_false(exists(dest));
	/* what remains is a hidden staging directory, never the bundle name */
	assert_int_equal(entries(dir), before + 1);

	/* invalid names are refused before anything is created */
	assert_int_equal(swd_bundle_writer_new(dest, false, &w, NULL), 0);
	assert_int_equal(swd_bundle_writer_add_buffer(w, "x", "../escape.bin", 0, "", 0, NULL),
	                 SWD_EINTERNAL);
	assert_int_equal(swd_bundle_writer_add_buffer(w, "x", "SHA256SUMS", 0, "", 0, NULL),
	                 SWD_EINTERNAL);
	swd_bundle_writer_free(w);
	swd_error_init(&err);
	snprintf(dest, sizeof(dest), "%s/missing-parent/b", dir);
	assert_int_equal(swd_bundle_writer_new(dest, false, &w, &err), SWD_EIO);
	assert_non_null(strstr(err.msg, "missing-parent': no such file or directory"));
}

static void rewrite(const char *path, const char *from, const char *to)
{
	FILE *f = fopen(path, "rb");
	char buf[65536], *p;
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	p = strstr(buf, from);
	assert_non_null(p);
	f = fopen(path, "wb");
	fwrite(buf, 1, (size_t)(p - buf), f);
	fputs(to, f);
	fputs(p + strlen(from), f);
	fclose(f);
}

/* Regenerates SHA256SUMS (so the reader gets to the manifest). */
static void resum(const char *dir)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
	         "cd '%s' && sha256sum flash.bin option-bytes.bin manifest.json > SHA256SUMS && "
	         "md5sum flash.bin option-bytes.bin manifest.json > MD5SUMS", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_reader_strict(void **state)
{
	char dest[512], path[600];
	struct swd_bundle *b = (struct swd_bundle *)1;
	struct swd_error err;
	FILE *f;

	(void)state;
	snprintf(dest, sizeof(dest), "%s/strict", root);
	assert_int_equal(write_bundle(dest, false, 0x33, NULL), 0);

	/* one flipped byte in flash.bin */
	snprintf(path, sizeof(path), "%s/flash.bin", dest);
	f = fopen(path, "r+b");
	fseek(f, 100, SEEK_SET);
	fputc(0x00, f);
	fclose(f);
	assert_int_not_equal(run_check(dest, "sha256sum", "SHA256SUMS"), 0);
	swd_error_init(&err);
	assert_int_equal(swd_bundle_open(dest, &b, &err), SWD_ECHECKSUM);
	assert_null(b);
	assert_non_null(strstr(err.msg, "strict/flash.bin' does not match its sha256 in SHA256SUMS; the bundle is damaged"));
	f = fopen(path, "r+b");
	fseek(f, 100, SEEK_SET);
	fputc(0x33, f);
	fclose(f);
	assert_int_equal(swd_bundle_open(dest, &b, NULL), 0);
	swd_bundle_free(b);

	/* an unknown key in the manifest, with its position */
	snprintf(path, sizeof(path), "%s/manifest.json", dest);
	rewrite(path, "  \"format_version\": 2,", "  \"format_version\": 2,\n  \"extra\": true,");
	resum(dest);
	swd_error_init(&err);
	assert_int_equal(swd_bundle_open(dest, &b, &err), SWD_EBUNDLE);
	assert_non_null(strstr(err.msg, "manifest.json' line 14, column 3: unknown key 'extra'"));
	rewrite(path, "  \"extra\": true,\n", "");

	/* a future format */
	rewrite(path, "\"format_version\": 2", "\"format_version\": 3");
	resum(dest);
	swd_error_init(&err);
	assert_int_equal(swd_bundle_open(dest, &b, &err), SWD_EBUNDLE);
	assert_non_null(strstr(err.msg, "manifest format 3 is not supported (this version reads formats 1 to 2)"));
	rewrite(path, "\"format_version\": 3", "\"format_version\": 2");

	/* manifest and SHA256SUMS disagree about a region */
	rewrite(path, "\"dev_id\": \"0x410\"", "\"dev_id\": 1040");
	resum(dest);
	swd_error_init(&err);
	assert_int_equal(swd_bundle_open(dest, &b, &err), SWD_EBUNDLE);
	assert_non_null(strstr(err.msg, "'device.dev_id' must be a hex string such as \"0x08000000\", not an integer"));
	rewrite(path, "\"dev_id\": 1040", "\"dev_id\": \"0x410\"");
	resum(dest);
	assert_int_equal(swd_bundle_open(dest, &b, NULL), 0);
	swd_bundle_free(b);

	/* SHA256SUMS in the wrong shape */
	snprintf(path, sizeof(path), "%s/SHA256SUMS", dest);
	f = fopen(path, "a");
	fputs("not a digest line\n", f);
	fclose(f);
	swd_error_init(&err);
	assert_int_equal(swd_bundle_open(dest, &b, &err), SWD_EBUNDLE);
	assert_non_null(strstr(err.msg, "SHA256SUMS' line 4: not '<digest>  <file>'"));

	/* not a bundle at all */
	swd_error_init(&err);
	assert_int_equal(swd_bundle_open(root, &b, &err), SWD_EBUNDLE);
	assert_non_null(strstr(err.msg, "is not a bundle: it has no manifest.json"));
	swd_error_init(&err);
	snprintf(path, sizeof(path), "%s/nope", root);
	assert_int_equal(swd_bundle_open(path, &b, &err), SWD_ENOENT);
}

static void test_manifest_layout(void **state)
{
	char dest[512], path[600], buf[8192];
	FILE *f;
	size_t n;

	(void)state;
	snprintf(dest, sizeof(dest), "%s/layout", root);
	assert_int_equal(write_bundle(dest, false, 0x44, NULL), 0);
	snprintf(path, sizeof(path), "%s/manifest.json", dest);
	f = fopen(path, "rb");
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	/* pretty, sorted keys, hex identities, nulls for unknowns are spelled out */
	{
		static const char head[] = "{\n  \"created\": \"2026-11-22T03:55:00Z\",\n  \"device\": {\n";

		assert_int_equal(strncmp(buf, head, strlen(head)), 0);
	}
	assert_non_null(strstr(buf, "\"dev_id\": \"0x410\""));
	assert_non_null(strstr(buf, "\"unique_id\": \"30ff6b064e50383112341743\""));
	assert_non_null(strstr(buf, "\"target_voltage\": 3.244"));
	assert_non_null(strstr(buf, "\"wrp_unit\": \"page\""));
	assert_true(strstr(buf, "\"device\"") < strstr(buf, "\"format_version\""));
	assert_true(strstr(buf, "\"probe\"") < strstr(buf, "\"regions\""));
	assert_int_equal(buf[n - 1], '\n');
	snprintf(path, sizeof(path), "%s/SHA256SUMS", dest);
	f = fopen(path, "rb");
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_int_equal(strlen(buf), 3 * (64 + 2) + strlen("flash.bin\noption-bytes.bin\nmanifest.json\n"));
	assert_int_equal(strncmp(buf + 64, "  flash.bin\n", 12), 0);
	assert_non_null(strstr(buf, "  option-bytes.bin\n"));
	assert_non_null(strstr(buf, "  manifest.json\n"));
}

/* Identity that could not be read is null in the manifest and 0 when read back; the
 * finished directory has the usual permissions rather than mkdtemp's 0700. */
/* The manifest's writer and reader agree, and each fault is named once, with its place. */
static void test_manifest_round_trip(void **state)
{
	static unsigned wrp[] = {3, 7};
	struct swd_manifest_region reg = {"flash", "flash.bin", 0x08000000, 65536, "", "", 100};
	struct swd_manifest m, back;
	struct swd_error err;
	char *text, *bad;

	(void)state;
	fill_manifest(&m);
	m.protection.wrp = wrp;
	m.protection.nwrp = 2;
	memset(reg.sha256, 'a', 64);
	memset(reg.md5, 'b', 32);
	text = swd_manifest_dump(&m, &reg, 1, "2026-11-22T03:55:00Z");
	assert_non_null(text);
	assert_int_equal(text[strlen(text) - 1], '\n');
	swd_error_init(&err);
	if (swd_manifest_parse(text, strlen(text), "m.json", &back, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(back.probe.serial, "0669FF3530474B3043");
	assert_int_equal(back.device.dbgmcu_idcode, 0x20036410);
	assert_memory_equal(back.device.unique_id, m.device.unique_id, 12);
	assert_true(back.protection.pages);
	assert_int_equal(back.protection.nwrp, 2);
	assert_int_equal(back.protection.wrp[1], 7);
	assert_int_equal(back.nregions, 1);
	assert_int_equal(back.regions[0].used, 100);
	assert_string_equal(back.regions[0].sha256, reg.sha256);
	swd_manifest_release(&back);

	/* one wording for each fault, shared with profiles */
	bad = strdup(text);
	*strstr(bad, "\"page\"") = 'X';
	memcpy(strstr(bad, "Xpage\""), "\"pagx\"", 6);
	swd_error_init(&err);
	assert_int_equal(swd_manifest_parse(bad, strlen(bad), "m.json", &back, &err), SWD_EBUNDLE);
	assert_non_null(strstr(err.msg, "'protection.wrp_unit' is \"pagx\"; use \"sector\" or \"page\""));
	swd_manifest_release(&back);
	free(bad);

	bad = strdup(text);
	memcpy(strstr(bad, "\"tool\": {"), "\"tool\": [", 10);
	swd_error_init(&err);
	assert_int_equal(swd_manifest_parse(bad, strlen(bad), "m.json", &back, &err), SWD_EBUNDLE);
	assert_non_null(strstr(err.msg, "m.json' line "));
	swd_manifest_release(&back);
	free(bad);

	swd_error_init(&err);
	assert_int_equal(swd_manifest_parse("[1]", 3, "m.json", &back, &err), SWD_EBUNDLE);
	assert_string_equal(err.msg, "'m.json' line 1, column 1: the manifest must be an object, not an array");
	swd_manifest_release(&back);
	free(text);
}

/* Commits a bundle at dest holding flash (len bytes at 0x08000000) with m, and reads its
 * manifest.json back into buf. */
static void commit_flash(const char *dest, const struct swd_manifest *m, const uint8_t *flash,
                         size_t len, char *buf, size_t size)
{
	swd_bundle_writer_t *w;
	char path[600];
	FILE *f;
	size_t n;

	assert_int_equal(swd_bundle_writer_new(dest, false, &w, NULL), 0);
	assert_int_equal(swd_bundle_writer_add_buffer(w, "flash", "flash.bin", 0x08000000, flash,
	                                              len, NULL), 0);
	assert_int_equal(swd_bundle_writer_commit(w, m, NULL), 0);
	swd_bundle_writer_free(w);
	snprintf(path, sizeof(path), "%s/manifest.json", dest);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void test_unknown_identity(void **state)
{
	char dest[512], path[600], buf[8192];
	struct swd_bundle *b;
	struct swd_manifest m;
	struct stat st;
	mode_t mask;

	(void)state;
	snprintf(dest, sizeof(dest), "%s/unknown", root);
	fill_manifest(&m);
	m.device.dp_idcode = 0;
	m.device.cpuid = 0;
	m.probe.target_voltage = -1;
	m.protection.rdp_level = -1;
	m.openocd_version = NULL;
	commit_flash(dest, &m, (const uint8_t *)"\x01\xff", 2, buf, sizeof(buf));
	snprintf(path, sizeof(path), "%s/manifest.json", dest);
	assert_non_null(strstr(buf, "\"dp_idcode\": null"));
	assert_non_null(strstr(buf, "\"cpuid\": null"));
	assert_non_null(strstr(buf, "\"target_voltage\": null"));
	assert_non_null(strstr(buf, "\"rdp_level\": null"));
	assert_non_null(strstr(buf, "\"version\": null"));
	assert_int_equal(swd_bundle_open(dest, &b, NULL), 0);
	assert_int_equal(b->manifest.device.dp_idcode, 0);
	assert_int_equal(b->manifest.device.cpuid, 0);
	assert_true(b->manifest.probe.target_voltage < 0);
	assert_int_equal(b->manifest.protection.rdp_level, -1);
	assert_null(b->manifest.openocd_version);
	assert_int_equal(swd_bundle_region(b, "flash")->used, 1);
	swd_bundle_free(b);

	mask = umask(0);
	umask(mask);
	assert_int_equal(stat(dest, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0777 & ~mask);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0666 & ~mask);
}

/* A run killed before it could clean up left its staging directory: the next writer in the
 * same directory removes it and names it, and leaves a live run's and foreign names alone. */
static void test_stale_staging(void **state)
{
	char dir[400], dead[450], live[450], other[450], dest[512];
	const char *const *paths;
	swd_bundle_writer_t *w;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/stale", root);
	assert_int_equal(mkdir(dir, 0755), 0);
	/* pid 2^22+1 is above Linux's pid_max limit: no process can have it */
	snprintf(dead, sizeof(dead), "%s/.old.partial-4194305-AbCdEf", dir);
	snprintf(live, sizeof(live), "%s/.old.partial-%ld-XyZxYz", dir, (long)getppid());
	snprintf(other, sizeof(other), "%s/.old.partial-AbCdEf", dir);
	assert_int_equal(mkdir(dead, 0700), 0);
	assert_int_equal(mkdir(live, 0700), 0);
	assert_int_equal(mkdir(other, 0700), 0);
	snprintf(dest, sizeof(dest), "%s/flash.bin", dead);
	fclose(fopen(dest, "w"));

	snprintf(dest, sizeof(dest), "%s/b", dir);
	assert_int_equal(swd_bundle_writer_new(dest, false, &w, NULL), 0);
	assert_int_equal(swd_bundle_writer_stale(w, &paths), 1);
	assert_string_equal(paths[0], dead);
	assert_false(exists(dead));
	assert_true(exists(live));
	assert_true(exists(other));
	snprintf(dest, sizeof(dest), "/.b.partial-%ld-", (long)getpid());
	assert_non_null(strstr(swd_bundle_writer_dir(w), dest));
	swd_bundle_writer_free(w);
	assert_int_equal(rmdir(live), 0);
	assert_int_equal(rmdir(other), 0);

	/* the private temporary directory of a killed run: removed by the next one */
	struct swd_tmp t = { 0 };

	snprintf(dead, sizeof(dead), "%s/swdbackup-4194305-AbCdEf", dir);
	assert_int_equal(mkdir(dead, 0700), 0);
	snprintf(dest, sizeof(dest), "%s/chunk.bin", dead);
	fclose(fopen(dest, "w"));
	setenv("TMPDIR", dir, 1);
	assert_int_equal(swd_tmp_init(&t, NULL), 0);
	unsetenv("TMPDIR");
	assert_false(exists(dead));
	snprintf(dest, sizeof(dest), "%s/swdbackup-%ld-", dir, (long)getpid());
	assert_non_null(strstr(t.dir, dest));
	swd_tmp_release(&t);
	assert_int_equal(entries(dir), 0);
}

/* Writes (mode "wb") or appends ("ab") n bytes to the staged flash.bin, as a producer
 * (OpenOCD, dfu-util) would. */
static void stage_bytes(swd_bundle_writer_t *w, const char *mode, const uint8_t *bytes, size_t n)
{
	char *path = swd_bundle_writer_file_path(w, "flash.bin");
	FILE *f = fopen(path, mode);

	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, n, f), n);
	fclose(f);
	free(path);
}

/* The flash region is recorded with d's digests, size and used extent. */
static void assert_flash_region(const swd_bundle_writer_t *w, const struct swd_digests *d,
                                uint32_t size, uint32_t used)
{
	const struct swd_manifest_region *r = swd_bundle_writer_region(w, "flash");

	assert_non_null(r);
	assert_string_equal(r->sha256, d->sha256_hex);
	assert_string_equal(r->md5, d->md5_hex);
	assert_int_equal(r->size, size);
	assert_int_equal(r->used, used);
}

/* A producer's file read once: the bytes come back to the caller, the region's digests
 * and used extent are theirs, and a file of another size is refused, nothing recorded. */
static void test_add_file_exact(void **state)
{
	const uint8_t bytes[8] = {1, 2, 3, 4, 0xff, 0xff, 0xff, 0xff};
	swd_bundle_writer_t *w = NULL;
	struct swd_digests d;
	struct swd_error err;
	uint8_t *data = NULL;
	char dest[300];

	(void)state;
	snprintf(dest, sizeof(dest), "%s/exact", root);
	assert_int_equal(swd_bundle_writer_new(dest, false, &w, NULL), 0);
	stage_bytes(w, "wb", bytes, sizeof(bytes));
	swd_error_init(&err);
	assert_int_equal(swd_bundle_writer_add_file_exact(w, "flash", "flash.bin", 0x08000000, 16,
	                                                  &data, &err), SWD_EIO);
	assert_null(data);
	assert_null(swd_bundle_writer_region(w, "flash"));
	assert_int_equal(swd_bundle_writer_add_file_exact(w, "flash", "flash.bin", 0x08000000,
	                                                  sizeof(bytes), &data, NULL), 0);
	assert_memory_equal(data, bytes, sizeof(bytes));
	swd_digest_buffer(bytes, sizeof(bytes), &d, NULL);
	assert_flash_region(w, &d, 8, 4);
	free(data);
	swd_bundle_writer_free(w);
	assert_false(exists(dest));
}

/* A producer's file whose bytes and digests the caller followed as it was written: nothing
 * is read, the region takes the given digests and the bytes' used extent, and a file of
 * another size (or none) is refused, nothing recorded. */
static void test_add_file_known(void **state)
{
	const uint8_t bytes[8] = {1, 2, 3, 0xff, 0xff, 0xff, 0xff, 0xff};
	swd_bundle_writer_t *w = NULL;
	struct swd_digests d;
	struct swd_error err;
	char dest[300];

	(void)state;
	snprintf(dest, sizeof(dest), "%s/known", root);
	assert_int_equal(swd_bundle_writer_new(dest, false, &w, NULL), 0);
	swd_digest_buffer(bytes, sizeof(bytes), &d, NULL);
	swd_error_init(&err);
	assert_int_equal(swd_bundle_writer_add_file_known(w, "flash", "flash.bin", 0x08000000, bytes,
	                                                  sizeof(bytes), &d, &err), SWD_EIO);
	assert_null(swd_bundle_writer_region(w, "flash"));
	stage_bytes(w, "wb", bytes, 4);
	swd_error_init(&err);
	assert_int_equal(swd_bundle_writer_add_file_known(w, "flash", "flash.bin", 0x08000000, bytes,
	                                                  sizeof(bytes), &d, &err), SWD_EIO);
	assert_non_null(strstr(err.msg, "is not 8 bytes long"));
	assert_null(swd_bundle_writer_region(w, "flash"));
	stage_bytes(w, "ab", bytes + 4, 4);
	assert_int_equal(swd_bundle_writer_add_file_known(w, "flash", "flash.bin", 0x08000000, bytes,
	                                                  sizeof(bytes), &d, NULL), 0);
	assert_flash_region(w, &d, 8, 3);
	swd_bundle_writer_free(w);
	assert_false(exists(dest));
}

static void test_default_name(void **state)
{
	static const uint8_t uid[12] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	                                0x88, 0x99, 0xaa, 0xbb};
	char buf[128];

	(void)state;
	/* 2026-11-22 03:55:07 UTC */
	assert_string_equal(swd_bundle_default_name("stm32f407vg", uid, 1795319707, buf, sizeof(buf)),
	                    "stm32f407vg-00112233445566778899aabb-20261122T035507Z");
}

/* A bundle read through DFU: the identity registers are unknown (null), the DFU facts are
 * recorded, and it is refused before any write for a profile of another part. */
static void test_dfu_manifest(void **state)
{
	static char l0[] = "@Internal Flash  /0x08000000/20*001Ka,44*001Kg";
	static char *layouts[] = {l0};
	uint8_t *flash = calloc(1, 65536);
	char dest[512], buf[8192];
	struct swd_bundle *b;
	struct swd_profile *f205;
	struct swd_manifest m;
	struct swd_error err;

	(void)state;
	snprintf(dest, sizeof(dest), "%s/dfu", root);
	fill_manifest(&m);
	m.device.dp_idcode = m.device.cpuid = m.device.dbgmcu_idcode = 0;
	m.device.dev_id = m.device.rev_id = m.device.flash_size_kib = 0;
	memset(m.device.unique_id, 0, 12);
	m.device.revision = NULL;
	m.probe.kind = "dfu";
	m.probe.vid_pid = "1d50:607f";
	m.dfu.present = true;
	m.dfu.part = "stm32f103c8";
	m.dfu.layouts = layouts;
	m.dfu.nlayouts = 1;
	commit_flash(dest, &m, flash, 65536, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"dev_id\": null"));
	assert_non_null(strstr(buf, "\"dbgmcu_idcode\": null"));
	assert_non_null(strstr(buf, "\"flash_size_kib\": null"));
	assert_non_null(strstr(buf, "\"unique_id\": null"));
	assert_non_null(strstr(buf, "\"layouts\": [\n      \"@Internal Flash  /0x08000000/20*001Ka,44*001Kg\"\n"));
	swd_error_init(&err);
	if (swd_bundle_open(dest, &b, &err) != 0)
		fail_msg("%s", err.msg);
	assert_true(b->manifest.dfu.present);
	assert_string_equal(b->manifest.dfu.part, "stm32f103c8");
	assert_int_equal(b->manifest.dfu.nlayouts, 1);
	assert_string_equal(b->manifest.dfu.layouts[0], l0);
	assert_int_equal(b->manifest.device.dev_id, 0);
	assert_int_equal(swd_bundle_check_profile(b, f103, NULL), 0);
	assert_int_equal(swd_profile_load(CORE_PROFILES_DIR "/stm32f205rg.json", &f205, NULL), 0);
	swd_error_init(&err);
	assert_int_equal(swd_bundle_check_profile(b, f205, &err), SWD_EWRONGTARGET);
	assert_non_null(strstr(err.msg, "was read through DFU from a stm32f103c8 (stm32f103c8, "));
	assert_non_null(strstr(err.msg, "nothing was written"));
	swd_profile_free(f205);
	swd_bundle_free(b);
	free(flash);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_and_check),
		cmocka_unit_test(test_exists_and_force),
		cmocka_unit_test(test_atomic_failures),
		cmocka_unit_test(test_reader_strict),
		cmocka_unit_test(test_manifest_layout),
		cmocka_unit_test(test_manifest_round_trip),
		cmocka_unit_test(test_unknown_identity),
		cmocka_unit_test(test_dfu_manifest),
		cmocka_unit_test(test_stale_staging),
		cmocka_unit_test(test_add_file_exact),
		cmocka_unit_test(test_add_file_known),
		cmocka_unit_test(test_default_name),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
