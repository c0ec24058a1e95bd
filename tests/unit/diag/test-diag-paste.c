/* Unit tests for the pasted-log normaliser (src/diag/paste.c): each thing a user's tools add
 * to a log on its way to a paste, taken off one mechanism at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag/paste.h"

/* --- the normaliser, one mechanism at a time ----------------------------------------------- */

/* The cleaned text of TEXT equals WANT. */
static void expect_clean(const char *text, const char *want)
{
	char *got = diag_paste_clean(text, strlen(text));
	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("clean('%s'): want '%s', got '%s'", text, want, got);
	free(got);
}

/* Byte order marks, no-break spaces, typographic quotes and their mojibake read as ASCII;
 * other characters stay. */
static void test_clean_respells(void **state)
{
	(void)state;
	expect_clean("\xef\xbb\xbfOpen On-Chip Debugger 0.12.0\n", "Open On-Chip Debugger 0.12.0\n");
	expect_clean("\xc3\xaf\xc2\xbb\xc2\xbfOpen On-Chip Debugger\n", "Open On-Chip Debugger\n");
	expect_clean("Error: flash driver \xe2\x80\x98stm32h7x\xe2\x80\x99 not found\n",
	             "Error: flash driver 'stm32h7x' not found\n");
	expect_clean("Error: couldn\xc3\xa2\xe2\x82\xac\xe2\x84\xa2t bind\n", "Error: couldn't bind\n");
	expect_clean("Error: Can\xc3\xa2\xc2\x80\xc2\x99t find x.cfg\n", "Error: Can't find x.cfg\n");
	expect_clean("\xc3\xa2\xe2\x82\xac\xc5\x93x\xc3\xa2\xe2\x82\xac\xc2\x9d\n", "\"x\"\n");
	/* a file saved as Windows-1252: the quote is one byte, not UTF-8 */
	expect_clean("Error: Can\x92t find x.cfg\n", "Error: Can't find x.cfg\n");
	expect_clean("Info\xc2\xa0: x\n", "Info : x\n");
	/* U+2012 (its last byte is 0x92) and other characters are left alone */
	expect_clean("a \xe2\x80\x92 caf\xc3\xa9 \xe2\x88\x9a\n", "a \xe2\x80\x92 caf\xc3\xa9 \xe2\x88\x9a\n");
}

/* gdb escapes a stream record's bytes as printchar does: \e, \t, octal for 0x80-0x9f. */
static void test_clean_mi_escapes(void **state)
{
	(void)state;
	expect_clean("~\"Error: Can\xe2\\200\\231t find x.cfg\\n\"\n", "Error: Can't find x.cfg\n");
	expect_clean("&\"\\e[1;31mError: open failed\\e[0m\\n\"\n", "Error: open failed\n");
	expect_clean("@\"Upload\\t[ ]\"\n", "Upload\t[ ]\n");
	expect_clean("~\"a\\000b\\n\"\n", "ab\n");
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* A console 80 columns wide wrapped the line: its rest is joined again, counting the
 * columns the console saw. */
static void test_clean_wraps(void **state)
{
	(void)state;
	char *x61 = repeat('x', 61), *x62 = repeat('x', 62), *x68 = repeat('x', 68);
	char *x73 = repeat('x', 73);
	char *x80 = repeat('x', 80), in[512], want[512];

	/* a timestamp the tool put there counts; the rest has none */
	snprintf(in, sizeof(in), "[12:00:01] Info : %s\nmore\n", x62);
	snprintf(want, sizeof(want), "Info : %smore\n", x62);
	expect_clean(in, want);
	/* a line of its own has one, even when the one before is 79 columns wide with it */
	snprintf(in, sizeof(in), "[12:00:01] %s\n[12:00:02] more\n", x68);
	snprintf(want, sizeof(want), "%s\nmore\n", x68);
	expect_clean(in, want);
	/* colour takes no column (this line is 80 bytes, 68 columns) */
	snprintf(in, sizeof(in), "\x1b[33mWarn : %s\x1b[0m\x1b[K\nmore\n", x61);
	snprintf(want, sizeof(want), "Warn : %s\nmore\n", x61);
	expect_clean(in, want);
	/* quoting and indentation came after the wrap: the rest has the same */
	snprintf(in, sizeof(in), "> Info : %s\n> more\n", x73);
	snprintf(want, sizeof(want), "Info : %smore\n", x73);
	expect_clean(in, want);
	snprintf(in, sizeof(in), "\tInfo : %s\n\tmore\n", x73);
	expect_clean(in, want);
	snprintf(in, sizeof(in), "> Info : %s\n>  more\n", x73);
	snprintf(want, sizeof(want), "Info : %s\nmore\n", x73);
	expect_clean(in, want);
	/* a line of 200 characters comes back from three */
	snprintf(in, sizeof(in), "%s\n%s\nend\n", x80, x80);
	snprintf(want, sizeof(want), "%s%send\n", x80, x80);
	expect_clean(in, want);
	/* a front-end's own line after a line of 80 is a line of its own */
	snprintf(in, sizeof(in), "%s\nLaunching gdb-server: openocd\nReading symbols from a.elf\n",
	         x80);
	snprintf(want, sizeof(want), "%s\nLaunching gdb-server: openocd\nReading symbols from a.elf\n",
	         x80);
	expect_clean(in, want);
	free(x61);
	free(x62);
	free(x68);
	free(x73);
	free(x80);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_respells),
		cmocka_unit_test(test_clean_mi_escapes),
		cmocka_unit_test(test_clean_wraps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
