/* test-fleet.c - a run over many boards: which exit status is the most severe, and the
 * JUnit report (counts, a failure's message and findings, XML escaping). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/fleet.h"
#include "core/file.h"

static void test_worse(void **state)
{
	static const int order[] = { 130, 9, 4, 2, 3, 8, 7, 6, 5, 1, 0 };
	const size_t n = sizeof(order) / sizeof(order[0]);

	(void)state;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			assert_int_equal(cli_fleet_worse(order[i], order[j]), i < j);
	/* a status outside the list (a crash) counts as a local failure */
	assert_true(cli_fleet_worse(139, 4));
	assert_false(cli_fleet_worse(139, 9));
	assert_true(cli_fleet_worse(130, 139));
}

static void test_junit(void **state)
{
	char path[] = "/tmp/swd-test-junit-XXXXXX";
	const char *doc_text =
		"{\"command\": \"backup\", \"boards\": ["
		"{\"probe_spec\": \"P1\", \"duration_s\": 1.5, \"exit_code\": 0, \"device\": {\"unique_id\": \"00112233445566778899aabb\"}},"
		"{\"probe_spec\": \"P<2>&\", \"duration_s\": 0.25, \"exit_code\": 7,"
		" \"error\": {\"code\": \"EPROTECTED\", \"message\": \"the \\\"target\\\" is read-protected\\u0001\"},"
		" \"findings\": [{\"id\": \"readout-protected\", \"cause\": \"RDP <1>\", \"fix\": \"unlock & lose it\"}]}]}";
	json_t *doc = json_loads(doc_text, 0, NULL);
	struct swd_error err;
	char *xml = NULL;
	size_t len = 0;
	int fd = mkstemp(path);

	(void)state;
	assert_non_null(doc);
	assert_true(fd >= 0);
	close(fd);
	swd_error_init(&err);
	assert_int_equal(cli_fleet_junit(path, "swdbackup backup", doc, 1.75, &err), 0);
	assert_int_equal(swd_file_read(path, 1 << 20, &xml, &len, &err), 0);
	assert_non_null(strstr(xml, "<testsuites name=\"swdbackup backup\" tests=\"2\" failures=\"1\" errors=\"0\" time=\"1.750\">"));
	assert_non_null(strstr(xml, "<testcase classname=\"swdbackup backup\" name=\"P1 (uid 00112233445566778899aabb)\" time=\"1.500\"/>"));
	assert_non_null(strstr(xml, "name=\"P&lt;2&gt;&amp;\" time=\"0.250\">"));
	assert_non_null(strstr(xml, "<failure message=\"the &quot;target&quot; is read-protected?\" type=\"EPROTECTED\">exit code 7\n"));
	assert_non_null(strstr(xml, "finding readout-protected: RDP &lt;1&gt;; fix: unlock &amp; lose it\n</failure>"));
	/* nothing unescaped from the data reaches the markup */
	assert_null(strstr(xml, "P<2>"));
	free(xml);
	json_decref(doc);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worse),
		cmocka_unit_test(test_junit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
