/* test-tcl.c - Tcl quoting and list parsing (ocd/tcl.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "ocd/tcl.h"

/* ---- a reference reader for one command word, written from Jim's rules (JimParseStr,
 * JimParseSubBrace, JimEscape) independently of tcl_list_parse. It returns the word's
 * value and fails the test if the word would trigger any substitution or does not end
 * exactly at the end of the input. */
static char *read_command_word(const char *s, size_t len, size_t *outlen)
{
	char *out = malloc(len + 1);
	size_t n = 0, i = 0;

	assert_non_null(out);
	assert_true(len > 0);
	if (s[0] == '{') {
		long depth = 1;

		for (i = 1; i < len; i++) {
			if (s[i] == '\\' && i + 1 < len) {
				out[n++] = s[i++];
				out[n++] = s[i];
				continue;
			}
			if (s[i] == '{')
				depth++;
			if (s[i] == '}' && --depth == 0)
				break;
			out[n++] = s[i];
		}
		assert_int_equal(depth, 0);
		assert_int_equal(i, len - 1); /* the closing brace is the last byte */
		/* "{*}" followed by more text would be expansion syntax */
		assert_false(len > 3 && s[1] == '*' && s[2] == '}');
	} else {
		assert_true(s[0] != '"'); /* tcl_quote never produces quoted words */
		while (i < len) {
			char c = s[i];

			assert_true(c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' &&
			            c != ';');
			assert_true(c != '$' && c != '[' && c != ']' && c != '"' && c != '{' &&
			            c != '}');
			assert_true(c != 0x1a);
			if (c == '\\') {
				char buf[4];
				size_t ol;

				assert_true(i + 1 < len); /* no trailing backslash */
				assert_true(s[i + 1] != '\n'); /* would end the word */
				i += tcl_unescape_one(s + i, len - i, buf, &ol);
				memcpy(out + n, buf, ol);
				n += ol;
			} else {
				out[n++] = c;
				i++;
			}
		}
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

static void check_round_trip(const char *s, size_t len)
{
	char *q = tcl_quote(s, len), *w;
	size_t wl;
	struct tcl_list l;

	assert_non_null(q);
	assert_null(memchr(q, 0x1a, strlen(q)));
	assert_null(memchr(q, '\n', strlen(q)));
	w = read_command_word(q, strlen(q), &wl);
	assert_int_equal(wl, len);
	assert_memory_equal(w, s, len);
	/* The same word read as a one-element list gives the same value. */
	assert_int_equal(tcl_list_parse(q, strlen(q), &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.lens[0], len);
	assert_memory_equal(l.items[0], s, len);
	tcl_list_release(&l);
	free(w);
	free(q);
}

static void test_quote_plain(void **state)
{
	char *q;

	(void)state;
	q = tcl_quote_str("flash.bin");
	assert_string_equal(q, "flash.bin");
	free(q);
	q = tcl_quote_str("/tmp/a-b_c/d.e:f+g,h=i@j%k");
	assert_string_equal(q, "/tmp/a-b_c/d.e:f+g,h=i@j%k");
	free(q);
	q = tcl_quote_str("");
	assert_string_equal(q, "{}");
	free(q);
}

static void test_quote_braces_when_safe(void **state)
{
	char *q;

	(void)state;
	q = tcl_quote_str("my file.bin");
	assert_string_equal(q, "{my file.bin}");
	free(q);
	q = tcl_quote_str("a [b] $c ; \"d\" {e}");
	assert_string_equal(q, "{a [b] $c ; \"d\" {e}}");
	free(q);
	q = tcl_quote_str("[shutdown]");
	assert_string_equal(q, "{[shutdown]}");
	free(q);
}

static void test_quote_escapes_when_unsafe(void **state)
{
	char *q;

	(void)state;
	q = tcl_quote_str("a}b");
	assert_string_equal(q, "a\\}b");
	free(q);
	q = tcl_quote_str("a\\b");
	assert_string_equal(q, "a\\\\b");
	free(q);
	q = tcl_quote_str("x{ [y] $z");
	assert_string_equal(q, "x\\{\\ \\[y\\]\\ \\$z");
	free(q);
	q = tcl_quote_str("line\nnext\x1a");
	assert_string_equal(q, "line\\nnext\\x1a");
	free(q);
	q = tcl_quote(":\0:", 3);
	assert_string_equal(q, ":\\x00:");
	free(q);
	/* "}{" is balanced in count but closes first: not brace-safe */
	assert_false(tcl_brace_safe("}{", 2));
	assert_true(tcl_brace_safe("{}", 2));
	assert_false(tcl_brace_safe("{", 1));
	assert_false(tcl_brace_safe("a\\", 2));
}

static void test_round_trip_hostile(void **state)
{
	static const char *const cases[] = {
		"my file.bin", "[exec rm -rf /]", "$env(HOME)", "a;b", "\"quoted\"", "{}", "}", "{",
		"}{", "\\", "a\\", "\\n", "x\\\ny", "tab\there", "cr\rlf\n", "#comment", "{*}x",
		"*}x{", "\x1a", "caf\xc3\xa9 \xe2\x82\xac", "a{b}c", "{a}b", "a\\{b", "$", "[", "]",
		" leading", "trailing ", "  ", "\x01\x7f\xff", "(a)", "a($b)", "0x1A",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_round_trip(cases[i], strlen(cases[i]));
}

/* Property: every byte string quotes to one word that reads back to itself. */
static void test_round_trip_random(void **state)
{
	static const char alphabet[] = "ab {}[]$;\"\\\n\t\r#*x()\x1a\x01\xff 0";
	uint64_t seed = 0x9e3779b97f4a7c15u;
	char buf[40];

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		size_t len;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		len = seed % sizeof(buf);
		for (size_t i = 0; i < len; i++) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			/* Mostly meta characters, sometimes any byte (NUL included). */
			buf[i] = (seed >> 8) % 4 ? alphabet[(seed >> 16) % (sizeof(alphabet) - 1)]
			                         : (char)(seed >> 24);
		}
		check_round_trip(buf, len);
	}
}

static void test_unescape(void **state)
{
	static const struct {
		const char *in;
		size_t consumed;
		const char *out;
		size_t outlen;
	} cases[] = {
		{ "\\n", 2, "\n", 1 },      { "\\t", 2, "\t", 1 },     { "\\x41B", 4, "A", 1 },
		{ "\\x4", 3, "\x04", 1 },   { "\\xg", 2, "x", 1 },      { "\\101", 4, "A", 1 },
		{ "\\0", 2, "", 1 },        { "\\u00e9", 6, "\xc3\xa9", 2 },
		{ "\\u{1F600}", 9, "\xf0\x9f\x98\x80", 4 }, { "\\[", 2, "[", 1 },
		{ "\\\n   x", 5, " ", 1 },  { "\\", 1, "\\", 1 },       { "\\q", 2, "q", 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[4];
		size_t ol;
		size_t c = tcl_unescape_one(cases[i].in, strlen(cases[i].in), out, &ol);

		assert_int_equal(c, cases[i].consumed);
		assert_int_equal(ol, cases[i].outlen);
		assert_memory_equal(out, cases[i].out, ol);
	}
}

static void test_list_parse(void **state)
{
	struct tcl_list l;

	(void)state;
	/* What `list [catch {...} r] $r` returns in the usual cases. */
	assert_int_equal(tcl_list_parse("0 {0x08000000: 20005000 08000101 \n}", 35, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0], "0");
	assert_string_equal(l.items[1], "0x08000000: 20005000 08000101 \n");
	tcl_list_release(&l);

	assert_int_equal(tcl_list_parse("-4 {}", 5, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0], "-4");
	assert_string_equal(l.items[1], "");
	tcl_list_release(&l);

	/* Jim escapes unbalanced braces with backslashes when it builds a list. */
	const char *s = "1 invalid\\ command\\ name\\ \\\"x\\{\\\"";
	assert_int_equal(tcl_list_parse(s, strlen(s), &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[1], "invalid command name \"x{\"");
	tcl_list_release(&l);

	s = "  a  \"b c\"\t{d {e} f}\n\"g\\\"h\" ";
	assert_int_equal(tcl_list_parse(s, strlen(s), &l), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.items[0], "a");
	assert_string_equal(l.items[1], "b c");
	assert_string_equal(l.items[2], "d {e} f");
	assert_string_equal(l.items[3], "g\"h");
	tcl_list_release(&l);

	/* Brace content is literal, [ and $ are ordinary everywhere. */
	s = "{a\\nb} [x] $y";
	assert_int_equal(tcl_list_parse(s, strlen(s), &l), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.items[0], "a\\nb");
	assert_string_equal(l.items[1], "[x]");
	assert_string_equal(l.items[2], "$y");
	tcl_list_release(&l);

	assert_int_equal(tcl_list_parse("", 0, &l), 0);
	assert_int_equal(l.n, 0);
	tcl_list_release(&l);

	/* A NUL inside the input is data, not the end. */
	assert_int_equal(tcl_list_parse("a\0b c", 5, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.lens[0], 3);
	tcl_list_release(&l);
}

static void test_list_parse_errors(void **state)
{
	static const char *const bad[] = { "{a", "\"a", "{a}b", "\"a\"b", "a {b {c}", "{{}" };
	struct tcl_list l;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tcl_list_parse(bad[i], strlen(bad[i]), &l), SWD_EOCDPROTO);
		assert_int_equal(l.n, 0);
		assert_null(l.items);
	}
	tcl_list_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_plain),
		cmocka_unit_test(test_quote_braces_when_safe),
		cmocka_unit_test(test_quote_escapes_when_unsafe),
		cmocka_unit_test(test_round_trip_hostile),
		cmocka_unit_test(test_round_trip_random),
		cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_list_parse),
		cmocka_unit_test(test_list_parse_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
