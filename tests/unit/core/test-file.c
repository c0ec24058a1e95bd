/* test-file.c - whole-file read under a limit, and the atomic write: temp name, rename,
 * nothing left behind on failure, NOREPLACE never replacing; a STAGED write is the same
 * file (only the directory's sync is the caller's), a SCRATCH one is written in place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/file.h"

static char dir[] = "/tmp/swd-file-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

static char *in_dir(const char *name)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

/* How many entries the test directory holds. */
static int count_entries(void)
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort), real = 0;

	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		if (strcmp(list[i]->d_name, ".") && strcmp(list[i]->d_name, ".."))
			real++;
		free(list[i]);
	}
	free(list);
	return real;
}

static void test_write_then_read(void **state)
{
	char *path = in_dir("a.bin"), *buf = NULL;
	uint8_t big[200000];
	size_t len = 99;
	struct stat st;
	mode_t mask = umask(022);

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(swd_file_write(path, big, sizeof(big), 0, NULL), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(count_entries(), 1);
	assert_int_equal(swd_file_read(path, sizeof(big), &buf, &len, NULL), 0);
	assert_int_equal(len, sizeof(big));
	assert_memory_equal(buf, big, sizeof(big));
	assert_int_equal(buf[len], '\0');
	free(buf);

	/* replacing is the default */
	assert_int_equal(swd_file_write(path, "xy", 2, 0, NULL), 0);
	assert_int_equal(swd_file_read(path, 10, &buf, &len, NULL), 0);
	assert_int_equal(len, 2);
	assert_string_equal(buf, "xy");
	free(buf);

	/* empty files read as an empty string */
	assert_int_equal(swd_file_write(path, "", 0, 0, NULL), 0);
	assert_int_equal(swd_file_read(path, 0, &buf, &len, NULL), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
	assert_int_equal(unlink(path), 0);
	umask(mask);
	free(path);
}

static void test_read_limit(void **state)
{
	char *path = in_dir("limit.txt"), *buf = (char *)"unset";
	struct swd_error err;
	uint8_t *exact = NULL;
	size_t len = 5;

	(void)state;
	assert_int_equal(swd_file_write(path, "0123456789", 10, 0, NULL), 0);
	assert_int_equal(swd_file_read(path, 10, &buf, &len, NULL), 0);
	assert_int_equal(len, 10);
	free(buf);

	swd_error_init(&err);
	assert_int_equal(swd_file_read(path, 9, &buf, &len, &err), SWD_EINPUT);
	assert_null(buf);
	assert_int_equal(len, 0);
	assert_non_null(strstr(err.msg, "limit.txt' is larger than 9 bytes"));

	assert_int_equal(swd_file_read_exact(path, 10, &exact, NULL), 0);
	assert_memory_equal(exact, "0123456789", 10);
	free(exact);
	swd_error_init(&err);
	assert_int_equal(swd_file_read_exact(path, 11, &exact, &err), SWD_EIO);
	assert_null(exact);
	assert_non_null(strstr(err.msg, "limit.txt' is not 11 bytes long"));
	swd_error_init(&err);
	assert_int_equal(swd_file_read_exact(path, 4, &exact, &err), SWD_EIO);
	assert_non_null(strstr(err.msg, "limit.txt' is not 4 bytes long"));
	assert_int_equal(unlink(path), 0);
	free(path);
}

static void test_read_missing(void **state)
{
	struct swd_error err;
	char *buf;
	size_t len;
	uint8_t *exact;

	(void)state;
	swd_error_init(&err);
	assert_int_equal(swd_file_read("/nonexistent/x", 10, &buf, &len, &err), SWD_ENOENT);
	assert_string_equal(err.msg, "cannot open '/nonexistent/x': no such file or directory");
	swd_error_init(&err);
	assert_int_equal(swd_file_read_exact("/nonexistent/x", 1, &exact, &err), SWD_ENOENT);
	assert_string_equal(err.msg, "cannot open '/nonexistent/x': no such file or directory");
	swd_error_init(&err);
	assert_int_equal(swd_file_read(dir, 10, &buf, &len, &err), SWD_EIO);
	assert_non_null(strstr(err.msg, "cannot read '"));
}

static void test_read_stream(void **state)
{
	FILE *f = tmpfile();
	char *buf;
	size_t len;

	(void)state;
	assert_non_null(f);
	for (int i = 0; i < 100000; i++)
		fputc('a' + i % 26, f);
	rewind(f);
	assert_int_equal(swd_file_read_stream(f, "-", 1 << 20, &buf, &len, NULL), 0);
	assert_int_equal(len, 100000);
	assert_int_equal(buf[99999], 'a' + 99999 % 26);
	free(buf);
	fclose(f);
}

static void test_noreplace(void **state)
{
	char *path = in_dir("keep.txt"), *buf;
	struct swd_error err;
	size_t len;

	(void)state;
	assert_int_equal(swd_file_write(path, "old", 3, SWD_FILE_NOREPLACE, NULL), 0);
	swd_error_init(&err);
	assert_int_equal(swd_file_write(path, "new", 3, SWD_FILE_NOREPLACE, &err), SWD_EEXIST);
	assert_non_null(strstr(err.msg, "keep.txt': file exists"));
	assert_int_equal(swd_file_read(path, 10, &buf, &len, NULL), 0);
	assert_string_equal(buf, "old");
	free(buf);
	/* the temporary file went too */
	assert_int_equal(count_entries(), 1);
	assert_int_equal(unlink(path), 0);
	free(path);
}

static void test_write_failures_leave_nothing(void **state)
{
	char *sub = in_dir("sub"), *path = in_dir("nodir/x.bin");
	struct swd_error err;

	(void)state;
	/* the directory does not exist */
	swd_error_init(&err);
	assert_int_equal(swd_file_write(path, "x", 1, 0, &err), SWD_ENOENT);
	assert_non_null(strstr(err.msg, "cannot create '"));
	assert_non_null(strstr(err.msg, "nodir/x.bin': no such file or directory"));
	free(path);

	/* a directory stands at the path: the rename fails, the temporary file goes */
	assert_int_equal(mkdir(sub, 0755), 0);
	swd_error_init(&err);
	assert_int_equal(swd_file_write(sub, "x", 1, 0, &err), SWD_EIO);
	assert_non_null(strstr(err.msg, "cannot create '"));
	assert_int_equal(count_entries(), 1);
	assert_int_equal(rmdir(sub), 0);
	free(sub);
	assert_int_equal(count_entries(), 0);
}

/* A longer file, then a shorter one, at name with flags: the shorter is what is there,
 * with that mode, and nothing else is left in the directory. */
static void written_twice(const char *name, unsigned flags, mode_t mode)
{
	char *path = in_dir(name), *buf = NULL;
	struct stat st;
	size_t len = 0;

	assert_int_equal(swd_file_write(path, "0123456789", 10, flags, NULL), 0);
	assert_int_equal(swd_file_write(path, "abc", 3, flags, NULL), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, mode);
	assert_int_equal(swd_file_read(path, 100, &buf, &len, NULL), 0);
	assert_int_equal(len, 3);
	assert_string_equal(buf, "abc");
	free(buf);
	assert_int_equal(count_entries(), 1);
	assert_int_equal(unlink(path), 0);
	free(path);
}

/* What the flags change is when things reach the disk, which a test cannot see; what it
 * can see must be as without them: the content, the mode, nothing else left behind. A
 * scratch file is written in place and private. */
static void test_staged_and_scratch(void **state)
{
	char *path = in_dir("nodir/scratch.bin");
	struct swd_error err;
	mode_t mask = umask(022);

	(void)state;
	written_twice("staged.json", SWD_FILE_STAGED, 0644);
	written_twice("scratch.bin", SWD_FILE_SCRATCH, 0600);
	/* a scratch file that cannot be created says so, and leaves nothing */
	swd_error_init(&err);
	assert_int_equal(swd_file_write(path, "x", 1, SWD_FILE_SCRATCH, &err), SWD_ENOENT);
	assert_non_null(strstr(err.msg, "nodir/scratch.bin': no such file or directory"));
	assert_int_equal(count_entries(), 0);
	free(path);
	umask(mask);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_then_read),
		cmocka_unit_test(test_read_limit),
		cmocka_unit_test(test_read_missing),
		cmocka_unit_test(test_read_stream),
		cmocka_unit_test(test_noreplace),
		cmocka_unit_test(test_write_failures_leave_nothing),
		cmocka_unit_test(test_staged_and_scratch),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
