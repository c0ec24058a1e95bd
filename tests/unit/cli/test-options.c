/* test-options.c - option parsing of the subcommands: accepted sets, values, refusals,
 * positionals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli/options.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define ARGC(a) ((int)(sizeof(a) / sizeof(a[0]) - 1))

static int parse(char **argv, int argc, unsigned allowed, struct cli_options *o, char *err)
{
	return cli_options_parse("backup", argc, argv, allowed, o, err, 256);
}

static void test_backup_full(void **state)
{
	char *a[] = { "backup", "--profile", "stm32f407vg", "--probe", "sim", "-o", "my dir [x]",
		      "--speed", "1800", "--json", "-v", "-v", "--connect-under-reset", NULL };
	struct cli_options o;
	char err[256] = "";

	(void)state;
	assert_int_equal(parse(a, ARGC(a), CLI_O_BOARD | CLI_O_OUTPUT, &o, err), 0);
	assert_string_equal(o.profile, "stm32f407vg");
	assert_int_equal(o.probe.kind, CLI_PROBE_SIM);
	assert_string_equal(o.output, "my dir [x]");
	assert_int_equal(o.speed_khz, 1800);
	assert_true(o.json);
	assert_int_equal(o.verbose, 2);
	assert_true(o.connect_under_reset);
	assert_int_equal(o.npos, 0);
}

static void test_positional_after_and_before(void **state)
{
	char *a[] = { "restore", "bundle dir", "--profile", "stm32f103c8", "--force", NULL };
	struct cli_options o;
	char err[256] = "";

	(void)state;
	assert_int_equal(parse(a, ARGC(a), CLI_O_BOARD | CLI_O_FORCE, &o, err), 0);
	assert_int_equal(o.npos, 1);
	assert_string_equal(o.pos[0], "bundle dir");
	assert_true(o.force);
}

static void test_refuses_option_of_other_command(void **state)
{
	char *a[] = { "verify", "--profile", "p", "--option-bytes", "x.bin", NULL };
	struct cli_options o;
	char err[256] = "";

	(void)state;
	assert_int_equal(cli_options_parse("verify", ARGC(a), a, CLI_O_BOARD, &o, err, sizeof(err)), -1);
	assert_string_equal(err, "'verify' does not take --option-bytes");
}

static void test_unknown_and_missing_value(void **state)
{
	char *a[] = { "backup", "--nope", NULL };
	char *b[] = { "backup", "--profile", NULL };
	char *c[] = { "backup", "-x", NULL };
	struct cli_options o;
	char err[256] = "";

	(void)state;
	assert_int_equal(parse(a, ARGC(a), CLI_O_BOARD, &o, err), -1);
	assert_string_equal(err, "unknown option '--nope' for 'backup'");
	assert_int_equal(parse(b, ARGC(b), CLI_O_BOARD, &o, err), -1);
	assert_string_equal(err, "option '--profile' needs a value");
	assert_int_equal(parse(c, ARGC(c), CLI_O_BOARD, &o, err), -1);
	assert_string_equal(err, "unknown option '-x' for 'backup'");
}

static void test_speed_values(void **state)
{
	const char *bad[] = { "0", "-5", "abc", "12k", "", "100001" };
	struct cli_options o;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *a[] = { "info", "--speed", (char *)bad[i], NULL };

		assert_int_equal(parse(a, ARGC(a), CLI_O_BOARD, &o, err), -1);
		assert_non_null(strstr(err, "invalid speed"));
	}
	char *ok[] = { "info", "--speed=950", NULL };
	assert_int_equal(parse(ok, ARGC(ok), CLI_O_BOARD, &o, err), 0);
	assert_int_equal(o.speed_khz, 950);
}

static void test_interface(void **state)
{
	char *a[] = { "info", "--interface", "jlink", NULL };
	char *b[] = { "info", "--interface", "ftdi", NULL };
	struct cli_options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(a, ARGC(a), CLI_O_BOARD, &o, err), 0);
	assert_string_equal(o.interface, "jlink");
	assert_int_equal(parse(b, ARGC(b), CLI_O_BOARD, &o, err), -1);
	assert_string_equal(err, "unknown interface 'ftdi'; use stlink, cmsis-dap or jlink");
}

static void test_probe_specs(void **state)
{
	struct cli_probe p;
	char err[256];

	(void)state;
	assert_int_equal(cli_probe_parse("sim", &p, err, sizeof(err)), 0);
	assert_int_equal(p.kind, CLI_PROBE_SIM);
	assert_int_equal(cli_probe_parse("sim:/tmp/a b.bin", &p, err, sizeof(err)), 0);
	assert_int_equal(p.kind, CLI_PROBE_SIM_FILE);
	assert_string_equal(p.file, "/tmp/a b.bin");
	assert_int_equal(cli_probe_parse("stlink-tcp:7184", &p, err, sizeof(err)), 0);
	assert_int_equal(p.kind, CLI_PROBE_TCP);
	assert_int_equal(p.port, 7184);
	assert_int_equal(cli_probe_parse("066DFF485550755187121543", &p, err, sizeof(err)), 0);
	assert_int_equal(p.kind, CLI_PROBE_SERIAL);
	assert_string_equal(p.serial, "066DFF485550755187121543");

	assert_int_equal(cli_probe_parse("sim:", &p, err, sizeof(err)), -1);
	assert_int_equal(cli_probe_parse("stlink-tcp:0", &p, err, sizeof(err)), -1);
	assert_int_equal(cli_probe_parse("stlink-tcp:65536", &p, err, sizeof(err)), -1);
	assert_int_equal(cli_probe_parse("stlink-tcp:12ab", &p, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid port in '--probe stlink-tcp:12ab'; use stlink-tcp:1..65535");
	assert_int_equal(cli_probe_parse("dfu", &p, err, sizeof(err)), 0);
	assert_int_equal(p.kind, CLI_PROBE_DFU);
	assert_null(p.serial);
	assert_int_equal(p.vid, 0);
	assert_int_equal(cli_probe_parse("dfu:3276355A3334", &p, err, sizeof(err)), 0);
	assert_int_equal(p.kind, CLI_PROBE_DFU);
	assert_string_equal(p.serial, "3276355A3334");
	assert_int_equal(cli_probe_parse("dfu:2b04:D006", &p, err, sizeof(err)), 0);
	assert_int_equal(p.vid, 0x2b04);
	assert_int_equal(p.pid, 0xd006);
	assert_null(p.serial);
	assert_int_equal(cli_probe_parse("dfu:", &p, err, sizeof(err)), -1);
	assert_string_equal(err, "'--probe dfu:' needs a serial number or VID:PID after the colon");
	assert_int_equal(cli_probe_parse("dfu:2b04:d06", &p, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid usb ids in '--probe dfu:2b04:d06'; use dfu:VID:PID with four "
	                    "hex digits each (dfu:2b04:d006)");
	assert_int_equal(cli_probe_parse("dfu:0000:0000", &p, err, sizeof(err)), -1);
	assert_int_equal(cli_probe_parse("dfu:2b04:d006:1", &p, err, sizeof(err)), -1);
	assert_int_equal(cli_probe_parse("usb:1", &p, err, sizeof(err)), -1);
	assert_int_equal(cli_probe_parse("", &p, err, sizeof(err)), -1);
}

static void test_reparse_resets_state(void **state)
{
	char *a[] = { "backup", "--force", "x", NULL };
	char *b[] = { "backup", "y", NULL };
	struct cli_options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(a, ARGC(a), CLI_O_FORCE, &o, err), 0);
	assert_true(o.force);
	assert_int_equal(parse(b, ARGC(b), CLI_O_FORCE, &o, err), 0);
	assert_false(o.force);
	assert_int_equal(o.npos, 1);
	assert_string_equal(o.pos[0], "y");
}

static void test_double_dash_ends_options(void **state)
{
	char *a[] = { "restore", "--profile", "p", "--", "--weird name.bin", NULL };
	struct cli_options o;
	char err[256];

	(void)state;
	assert_int_equal(parse(a, ARGC(a), CLI_O_BOARD, &o, err), 0);
	assert_int_equal(o.npos, 1);
	assert_string_equal(o.pos[0], "--weird name.bin");
}

/* A single-valued option given twice is refused by name, in either spelling; a flag given
 * twice is harmless, and -v still counts. */
static void test_repeated_value_refused(void **state)
{
	char *a[] = { "backup", "--profile", "a", "--probe", "sim", "--profile", "b", NULL };
	char *b[] = { "backup", "-o", "x", "--output=y", NULL };
	char *c[] = { "backup", "--force", "--force", "-v", "-v", "--json", "--json", NULL };
	struct cli_options o;
	char err[256] = "";

	(void)state;
	assert_int_equal(parse(a, ARGC(a), CLI_O_BOARD, &o, err), -1);
	assert_string_equal(err, "--profile given twice; give it once");
	assert_int_equal(parse(b, ARGC(b), CLI_O_OUTPUT, &o, err), -1);
	assert_string_equal(err, "-o/--output given twice; give it once");
	assert_int_equal(parse(c, ARGC(c), CLI_O_FORCE, &o, err), 0);
	assert_true(o.force);
	assert_int_equal(o.verbose, 2);
}

/* --address takes one 32-bit address, hex or decimal. */
static void test_address(void **state)
{
	char *a[] = { "restore", "--address", "0x08004000", "x.bin", NULL };
	char *b[] = { "restore", "--address", "0x108000000", "x.bin", NULL };
	char *c[] = { "restore", "--address", "-1", "x.bin", NULL };
	struct cli_options o;
	char err[256] = "";

	(void)state;
	assert_int_equal(parse(a, ARGC(a), CLI_O_ADDRESS, &o, err), 0);
	assert_true(o.address_set);
	assert_int_equal(o.address, 0x08004000);
	assert_int_equal(parse(b, ARGC(b), CLI_O_ADDRESS, &o, err), -1);
	assert_string_equal(err, "invalid address '0x108000000'; give it in hex, e.g. --address 0x08004000");
	assert_int_equal(parse(c, ARGC(c), CLI_O_ADDRESS, &o, err), -1);
	assert_int_equal(parse(a, ARGC(a), CLI_O_BOARD, &o, err), -1);
	assert_string_equal(err, "'backup' does not take --address");
}

/* A misspelt long option gets the closest one; a far one gets no guess. */
static void test_unknown_option_suggests(void **state)
{
	char *a[] = { "backup", "--profle", "x", NULL };
	char *b[] = { "backup", "--outptu=d", NULL };
	char *c[] = { "backup", "--zzzzzz", NULL };
	struct cli_options o;
	char err[256] = "";

	(void)state;
	assert_int_equal(parse(a, ARGC(a), CLI_O_BOARD, &o, err), -1);
	assert_string_equal(err, "unknown option '--profle' for 'backup' (did you mean '--profile'?)");
	assert_int_equal(parse(b, ARGC(b), CLI_O_OUTPUT, &o, err), -1);
	assert_string_equal(err, "unknown option '--outptu=d' for 'backup' (did you mean '--output'?)");
	assert_int_equal(parse(c, ARGC(c), CLI_O_BOARD, &o, err), -1);
	assert_string_equal(err, "unknown option '--zzzzzz' for 'backup'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backup_full),
		cmocka_unit_test(test_positional_after_and_before),
		cmocka_unit_test(test_refuses_option_of_other_command),
		cmocka_unit_test(test_unknown_and_missing_value),
		cmocka_unit_test(test_speed_values),
		cmocka_unit_test(test_interface),
		cmocka_unit_test(test_probe_specs),
		cmocka_unit_test(test_reparse_resets_state),
		cmocka_unit_test(test_double_dash_ends_options),
		cmocka_unit_test(test_repeated_value_refused),
		cmocka_unit_test(test_unknown_option_suggests),
		cmocka_unit_test(test_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
