/* Unit tests for src/ocd/ocdlog.c over the captured logs in tests/diag-logs: the facts each
 * named log states, checked against values read from the file by hand, and the OpenOCD
 * version every log's name gives (-012, -010, -009) against the banner it parses. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "ocd/ocdlog.h"

struct log {
	char **lines;
	size_t n;
	char *text; /* the whole file */
};

static void log_load(struct log *l, const char *name)
{
	char path[1024];
	FILE *f;
	long len;
	char *save = NULL;

	snprintf(path, sizeof(path), "%s/%s", OCD_LOGS_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	l->text = calloc(1, (size_t)len + 1);
	assert_non_null(l->text);
	assert_int_equal(fread(l->text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	l->lines = calloc((size_t)len + 1, sizeof(char *));
	assert_non_null(l->lines);
	l->n = 0;
	char *copy = strdup(l->text);
	assert_non_null(copy);
	for (char *t = strtok_r(copy, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
		t[strcspn(t, "\r")] = '\0';
		l->lines[l->n++] = strdup(t);
	}
	free(copy);
}

static void log_free(struct log *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->lines[i]);
	free(l->lines);
	free(l->text);
}

static const char *const *lines(const struct log *l)
{
	return (const char *const *)l->lines;
}

static bool first_dp_idcode(const struct log *l, uint32_t *v)
{
	for (size_t i = 0; i < l->n; i++)
		if (ocdlog_dp_idcode(l->lines[i], v))
			return true;
	return false;
}

/* What a log says, as read from the file. */
static const struct {
	const char *file;
	int init;               /* ocdlog_classify_init */
	const char *firmware;   /* "" when the log has no "STLINK V..." line */
	double voltage;         /* < 0: no voltage line */
	const char *cpu;
	uint32_t dp_idcode;     /* 0: none logged */
	const char *first_error;/* NULL: no "Error: " line */
	bool silent;
} cases[] = {
	{ "clone-idcode-stlink-012.log", SWD_EWRONGTARGET, "V2J37S7", 3.24, "", 0x2ba01477,
	  "expected 1 of 1: 0x1ba01477", false },
	{ "clone-idcode-cmsis-dap-012.log", SWD_EOCDDIED, "", -1, "Cortex-M3 r1p1", 0x2ba01477, NULL, false },
	{ "wrong-target-config-jlink-jtag-010.log", SWD_EOCDDIED, "", 3.30, "", 0x4ba00477,
	  "JTAG tap: stm32f1x.cpu  expected 1 of 1: 0x3ba00477 (mfg: 0x23b (ARM Ltd.), part: 0xba00, ver: 0x3)", false },
	{ "target-unpowered-stlink-012.log", SWD_ETARGETNORESP, "V2J37S7", 0.0, "", 0,
	  "target voltage may be too low for reliable debugging", false },
	{ "swd-unreachable-stlink-012.log", SWD_ETARGETNORESP, "V2J37S7", 3.25, "", 0,
	  "init mode failed (unable to connect to the target)", false },
	{ "swd-unreachable-sim-silent-idcodes-012.log", SWD_EOCDDIED, "V2J37S7", 3.30, "", 0, NULL, true },
	{ "probe-not-found-stlink-012.log", SWD_EPROBENOTFOUND, "", -1, "", 0, "open failed", false },
	{ "probe-busy-stlink-tcp-012.log", SWD_EPROBEBUSY, "", -1, "", 0,
	  "the selected device is already used", false },
	{ "usb-permission-stlink-012.log", SWD_EPROBEPERM, "", -1, "", 0,
	  "libusb_open() failed with LIBUSB_ERROR_ACCESS", false },
	{ "core-halt-timeout-stlink-012.log", SWD_EOCDDIED, "V2J37S7", 3.25, "Cortex-M3 r1p1", 0,
	  "timed out while waiting for target halted", false },
	{ "target-unpowered-jlink-012.log", SWD_EOCDDIED, "", 0.0, "", 0,
	  "Error connecting DP: cannot read IDR", false },
};

static void test_named_logs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct log l;
		struct ocdlog_probe p;
		uint32_t dp = 0;
		const char *e;

		log_load(&l, cases[i].file);
		ocdlog_probe_info(&p, lines(&l), l.n);
		assert_int_equal(ocdlog_classify_init(lines(&l), l.n), cases[i].init);
		assert_string_equal(p.firmware, cases[i].firmware);
		assert_int_equal(p.has_voltage, cases[i].voltage >= 0);
		if (cases[i].voltage >= 0)
			assert_true(p.target_voltage > cases[i].voltage - 0.006 &&
			            p.target_voltage < cases[i].voltage + 0.006);
		assert_string_equal(p.cpu, cases[i].cpu);
		assert_int_equal(first_dp_idcode(&l, &dp), cases[i].dp_idcode != 0);
		assert_int_equal(dp, cases[i].dp_idcode);
		e = ocdlog_first_error(lines(&l), 0, l.n);
		if (cases[i].first_error) {
			assert_non_null(e);
			assert_string_equal(e, cases[i].first_error);
		} else if (e) {
			fail_msg("%s: unexpected error line '%s'", cases[i].file, e);
		}
		assert_int_equal(ocdlog_silent_init(lines(&l), l.n), cases[i].silent);
		log_free(&l);
	}
}

/* The version in every log's name is the one its banner states. */
static void test_versions_match_names(void **state)
{
	DIR *d = opendir(OCD_LOGS_DIR);
	struct dirent *de;
	unsigned checked = 0;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		const char *want = NULL;
		struct log l;
		struct ocdlog_probe p;

		if (len < 8 || strcmp(de->d_name + len - 4, ".log") != 0)
			continue;
		if (strncmp(de->d_name + len - 8, "-012", 4) == 0)
			want = "0.12.";
		else if (strncmp(de->d_name + len - 8, "-010", 4) == 0)
			want = "0.10.";
		else if (strncmp(de->d_name + len - 8, "-009", 4) == 0)
			want = "0.9.";
		else
			continue;
		log_load(&l, de->d_name);
		ocdlog_probe_info(&p, lines(&l), l.n);
		if (strncmp(p.openocd_version, want, strlen(want)) != 0)
			fail_msg("%s: banner version '%s', name says %s", de->d_name, p.openocd_version, want);
		checked++;
		log_free(&l);
	}
	closedir(d);
	assert_true(checked >= 40);
}

static void test_probe_line(void **state)
{
	struct ocdlog_probe p;
	const char *l[] = {
		"Open On-Chip Debugger 0.12.0",
		"Info : clock speed 1000 kHz",
		"Info : STLINK V2J37S7 (API v2) VID:PID 0483:3748",
		"Info : Target voltage: 3.245800",
		"Info : [stm32f1x.cpu] Cortex-M3 r1p1 processor detected",
		"Info : stlink-server API v2, version 2.1.0",
	};

	(void)state;
	ocdlog_probe_info(&p, l, sizeof(l) / sizeof(l[0]));
	assert_string_equal(p.openocd_version, "0.12.0");
	assert_string_equal(p.adapter, "stlink");
	assert_string_equal(p.firmware, "V2J37S7");
	assert_int_equal(p.api_version, 2);
	assert_int_equal(p.vid, 0x0483);
	assert_int_equal(p.pid, 0x3748);
	assert_int_equal(p.adapter_khz, 1000);
	assert_string_equal(p.cpu, "Cortex-M3 r1p1");
	assert_string_equal(p.server_version, "2.1.0");
	/* 0.9-0.10 spell the probe differently: no firmware, no adapter. */
	ocdlog_probe_info(&p, (const char *[]){ "Info : STLINK v2 JTAG v27 API v2 SWIM v6 VID 0x0483 PID 0x3748" }, 1);
	assert_string_equal(p.firmware, "");
	assert_string_equal(p.adapter, "");
}

static void test_classify_failure(void **state)
{
	const char *prot[] = { "Error: stm32x device protected" };
	const char *halt[] = { "Error: timed out while waiting for target halted" };
	const char *other[] = { "Error: something else" };

	(void)state;
	assert_int_equal(ocdlog_classify_failure(prot, 1, 1, ""), SWD_EPROTECTED);
	assert_int_equal(ocdlog_classify_failure(other, 1, -909, ""), SWD_EPROTECTED);
	assert_int_equal(ocdlog_classify_failure(halt, 1, 1, ""), SWD_ETARGETNORESP);
	assert_int_equal(ocdlog_classify_failure(other, 1, 1, "Target not examined yet"), SWD_ETARGETFAILED);
	assert_int_equal(ocdlog_classify_failure(other, 1, 1, "Not examined"), SWD_ETARGETNORESP);
	assert_int_equal(ocdlog_classify_failure(other, 1, 1, ""), SWD_ETARGETFAILED);
}

static void test_read_protection(void **state)
{
	struct log l;
	int level = -1;

	(void)state;
	log_load(&l, "readout-protected-f1-options-012.log");
	for (size_t i = 0; i < l.n; i++)
		if (ocdlog_read_protection(l.lines[i]) >= 0)
			level = ocdlog_read_protection(l.lines[i]);
	assert_int_equal(level, 1);
	log_free(&l);
	assert_int_equal(ocdlog_read_protection("read protection: off"), 0);
	assert_int_equal(ocdlog_read_protection("Readout Protection On"), 1);
	assert_int_equal(ocdlog_read_protection("user_options 0xEC"), -1);
	assert_int_equal(ocdlog_read_protection("Info : RDP level 1 (0xBB)"), 1);
	assert_int_equal(ocdlog_read_protection("Info : RDP level 0 (0xAA)"), 0);
	/* TrustZone's level 0.5 is not readout protection. */
	assert_int_equal(ocdlog_read_protection("Info : RDP level 0.5 (0x55)"), -1);
}

static void test_verify(void **state)
{
	struct log l;
	struct ocdlog_verify v;

	(void)state;
	log_load(&l, "verify-mismatch-verify-image-012.log");
	ocdlog_verify(l.text, &v);
	assert_true(v.has_first_diff);
	assert_int_equal(v.first_diff_address, 0x08000400);
	assert_true(v.ndiff_lines >= 3);
	log_free(&l);
	ocdlog_verify("verified 65536 bytes in 0.1s (640 KiB/s)", &v);
	assert_false(v.differs);
	assert_false(v.has_first_diff);
	assert_int_equal(v.bytes, 65536);
	ocdlog_verify("checksum mismatch - attempting binary compare\ndiff 0 address 0x08000010. Was 0xff "
	              "instead of 0x00\nNo more differences found.\ncontents differ", &v);
	assert_true(v.differs);
	assert_int_equal(v.first_diff_address, 0x08000010);
	assert_int_equal(v.ndiff_lines, 1);
}

/* Both versions' spellings of the flash driver's probe, from the same board. */
static void test_flash_probe(void **state)
{
	static const char *const files[] = { "flash-size-mismatch-stlink-012.log",
	                                     "flash-size-mismatch-stlink-010.log" };

	(void)state;
	for (size_t f = 0; f < 2; f++) {
		struct log l;
		uint32_t dev = 0, kib = 0, v;
		bool guessed = false;

		log_load(&l, files[f]);
		for (size_t i = 0; i < l.n; i++) {
			if (ocdlog_device_id(l.lines[i], &v))
				dev = v;
			if (ocdlog_flash_kib(l.lines[i], &v))
				kib = v;
			guessed |= ocdlog_flash_size_guessed(l.lines[i]);
		}
		assert_int_equal(dev, 0x20036410);
		assert_int_equal(kib, 128);
		assert_true(guessed);
		log_free(&l);
	}
	assert_false(ocdlog_flash_kib("Info : flash size = 512 bytes", &(uint32_t){ 0 }));
	assert_int_equal(ocdlog_cpu_partno("Cortex-M0+ r0p1"), 0xc60);
	assert_int_equal(ocdlog_cpu_partno("Cortex-M4 r0p1"), 0xc24);
	assert_int_equal(ocdlog_cpu_partno("Cortex-A9"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_named_logs),
		cmocka_unit_test(test_versions_match_names),
		cmocka_unit_test(test_probe_line),
		cmocka_unit_test(test_classify_failure),
		cmocka_unit_test(test_read_protection),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_flash_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
