/* test-options.c - swdbackup-sim's command line: every fault spelling, and that each bad
 * option is refused with one line naming it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/options.h"

static int parse(struct sim_options *o, char *err, const char *const *args)
{
	char *argv[64];
	int argc = 0;

	argv[argc++] = (char *)"swdbackup-sim";
	for (; *args; args++) {
		assert_true(argc < 63); /* room for this one and the NULL */
		argv[argc++] = (char *)*args;
	}
	argv[argc] = NULL;
	err[0] = '\0';
	return sim_options_parse(o, argc, argv, err, 256);
}

static void test_full_line(void **state)
{
	(void)state;
	struct sim_options o;
	char err[256];
	const char *const a[] = {"--model", "stm32f103c8", "--flash", "b.bin", "--port", "0",
	                         "--portfile", "p", "--fault", "rdp1", "--fault", "wrp=0,2-4,31",
	                         "--fault", "flaky=0.25", "--fault", "clone-idcode=0x2BA01477",
	                         "--fault", "drop-after=4096", "--fault", "busy",
	                         "--fault", "power-off=150000",
	                         "--fault", "swd-disabled", "--fault", "unpowered",
	                         "--fault", "low-power", "--timing", "realistic",
	                         "--uid", "00112233445566778899aabb", "--serial", "S1",
	                         "--seed", "42", "--trace", "t", "--probe", "v2-1",
	                         "--at-traffic", "5000:kill -INT 1234", NULL};

	assert_int_equal(parse(&o, err, a), 0);
	assert_string_equal(o.model, "stm32f103c8");
	assert_string_equal(o.flash, "b.bin");
	assert_int_equal(o.port, 0);
	assert_string_equal(o.portfile, "p");
	assert_true(o.faults.rdp1 && o.faults.swd_disabled && o.faults.unpowered &&
	            o.faults.low_power && o.busy && o.faults.wrp_set);
	assert_int_equal(o.faults.wrp[0], 0x8000001Du);
	assert_int_equal(o.faults.wrp[1], 0);
	assert_true(o.faults.flaky == 0.25);
	assert_int_equal(o.faults.clone_idcode, 0x2BA01477);
	assert_int_equal(o.drop_after, 4096);
	assert_int_equal(o.power_off_after, 150000);
	assert_int_equal(o.timing, MCU_TIMING_REALISTIC);
	assert_true(o.uid_set);
	static const uint8_t uid[12] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	                                0x88, 0x99, 0xaa, 0xbb};
	assert_memory_equal(o.uid, uid, 12);
	assert_string_equal(o.serial, "S1");
	assert_int_equal(o.seed, 42);
	assert_string_equal(o.trace, "t");
	assert_int_equal(o.probe, PROBE_V2_1);
	assert_int_equal(o.hook_after, 5000);
	assert_string_equal(o.hook_cmd, "kill -INT 1234");
}

static void test_defaults(void **state)
{
	(void)state;
	struct sim_options o;
	char err[256];
	const char *const a[] = {"--model", "stm32f103c8", "--flash", "b.bin", NULL};

	assert_int_equal(parse(&o, err, a), 0);
	assert_int_equal(o.port, 7184);
	assert_int_equal(o.timing, MCU_TIMING_NONE);
	assert_false(o.faults.wrp_set);
	assert_int_equal(o.drop_after, 0);
	assert_int_equal(o.power_off_after, 0);
	assert_false(o.uid_set);
	assert_int_equal(o.probe, PROBE_V2);

	const char *const h[] = {"--help", NULL};
	assert_int_equal(parse(&o, err, h), 0);
	assert_true(o.help);
	const char *const l[] = {"--list-models", NULL};
	assert_int_equal(parse(&o, err, l), 0);
	assert_true(o.list_models);
}

struct bad {
	const char *args[8];
	const char *msg; /* substring of the expected message */
};

static void test_bad_options(void **state)
{
	(void)state;
	static const struct bad bad[] = {
		{{"--flash", "b", NULL}, "missing --model"},
		{{"--model", "stm32f103c8", NULL}, "missing --flash"},
		{{"--model", "nope", "--flash", "b", NULL}, "unknown model 'nope'"},
		{{"--model", "stm32f103c8", "--flash", "b", "--port", "0", NULL}, "--portfile"},
		{{"--model", "stm32f103c8", "--flash", "b", "--port", "70000", NULL}, "--port '70000'"},
		{{"--model", "stm32f103c8", "--flash", "b", "--port", "-1", NULL}, "--port '-1'"},
		{{"--model", "stm32f103c8", "--flash", "b", "--port", "12x", NULL}, "--port '12x'"},
		{{"--model", "stm32f103c8", "--flash", "b", "--timing", "fast", NULL}, "--timing 'fast'"},
		{{"--model", "stm32f103c8", "--flash", "b", "--at-traffic", "12", NULL}, "--at-traffic"},
		{{"--model", "stm32f103c8", "--flash", "b", "--at-traffic", "0:true", NULL},
		 "--at-traffic"},
		{{"--model", "stm32f103c8", "--flash", "b", "--at-traffic", "x:true", NULL},
		 "--at-traffic"},
		{{"--model", "stm32f103c8", "--flash", "b", "--at-traffic", "12:", NULL}, "--at-traffic"},
		{{"--model", "stm32f103c8", "--flash", "b", "--uid", "0011", NULL}, "--uid '0011'"},
		{{"--model", "stm32f103c8", "--flash", "b", "--uid", "00112233445566778899aaXX", NULL},
		 "--uid"},
		{{"--model", "stm32f103c8", "--flash", "b", "--seed", "x", NULL}, "--seed 'x'"},
		{{"--model", "stm32f103c8", "--flash", "b", "--probe", "v4", NULL}, "--probe 'v4'"},
		{{"--model", "stm32f103c8", "--flash", "b", "--bogus", NULL}, "unknown option '--bogus'"},
		{{"--model", "stm32f103c8", "--flash", "b", "extra", NULL}, "unexpected argument 'extra'"},
		{{"--model", NULL}, "option '--model' needs a value"},
		{{"--fault", "melted", NULL}, "unknown fault 'melted'"},
		{{"--fault", "rdp1=2", NULL}, "fault 'rdp1' takes no value"},
		{{"--fault", "busy=yes", NULL}, "fault 'busy' takes no value"},
		{{"--fault", "wrp", NULL}, "fault 'wrp' needs a list"},
		{{"--fault", "wrp=", NULL}, "fault 'wrp' needs a list"},
		{{"--fault", "wrp=1,,2", NULL}, "not a list"},
		{{"--fault", "wrp=3-1", NULL}, "not a list"},
		{{"--fault", "wrp=1,", NULL}, "not a list"},
		{{"--fault", "wrp=a", NULL}, "not a list"},
		{{"--fault", "wrp=32", NULL}, "out of range (0-31)"},
		{{"--fault", "wrp=0-40", NULL}, "out of range (0-31)"},
		{{"--fault", "flaky", NULL}, "fault 'flaky' needs a rate"},
		{{"--fault", "flaky=0", NULL}, "fault 'flaky' needs a rate"},
		{{"--fault", "flaky=1.5", NULL}, "fault 'flaky' needs a rate"},
		{{"--fault", "flaky=0.1x", NULL}, "fault 'flaky' needs a rate"},
		{{"--fault", "clone-idcode=xyz", NULL}, "clone-idcode"},
		{{"--fault", "clone-idcode=0x123456789", NULL}, "clone-idcode"},
		{{"--fault", "clone-idcode", NULL}, "clone-idcode"},
		{{"--fault", "drop-after=0", NULL}, "drop-after"},
		{{"--fault", "drop-after=-5", NULL}, "drop-after"},
		{{"--fault", "power-off=0", NULL}, "power-off"},
		{{"--fault", "power-off", NULL}, "power-off"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sim_options o;
		char err[256];
		assert_int_equal(parse(&o, err, bad[i].args), -1);
		if (!strstr(err, bad[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, err, bad[i].msg);
		assert_null(strchr(err, '\n'));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_line),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bad_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
