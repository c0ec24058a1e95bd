/* Unit tests for src/diag: the log corpus (tests/diag-logs, expected id in each file name),
 * the rule table itself, the fact-based rules, ranking, and the recovery advice. */
#include <dirent.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "diag/diag.h"
#include "diag/paste.h"
#include "diag/rules.h"

/* --- helpers ------------------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		if (len)
			*len = (size_t)n;
	}
	return buf;
}

/* The expected id of a corpus file: the longest vocabulary name that the file name starts
 * with, followed by '-' (ids contain '-' themselves). */
static int expected_id_of(const char *fname)
{
	int best = -1;
	size_t best_len = 0;
	for (int i = 0; i < DIAG_ID_COUNT; i++) {
		const char *name = diag_id_name((enum diag_id)i);
		size_t n = strlen(name);
		if (strncmp(fname, name, n) == 0 && fname[n] == '-' && n > best_len) {
			best = i;
			best_len = n;
		}
	}
	return best;
}

static const struct diag_finding *find(const struct diag_report *r, enum diag_id id)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->findings[i].id == id)
			return &r->findings[i];
	return NULL;
}

static bool evidence_has(const struct diag_finding *f, const char *needle)
{
	for (size_t i = 0; i < f->n_evidence; i++)
		if (strstr(f->evidence[i], needle))
			return true;
	return false;
}

static void feed(struct diag_evidence *ev, const char *text)
{
	assert_int_equal(diag_evidence_feed_log(ev, text, strlen(text)), 0);
}

static struct diag_report *run_ok(const struct diag_evidence *ev)
{
	struct diag_report *r = diag_run(ev);
	assert_non_null(r);
	assert_true(r->n >= 1);
	return r;
}

/* --- the corpus ---------------------------------------------------------------------- */

static void test_corpus(void **state)
{
	(void)state;
	DIR *d = opendir(DIAG_LOGS_DIR);
	assert_non_null(d);
	bool covered[DIAG_ID_COUNT] = { false };
	int files = 0, failures = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".log") != 0)
			continue;
		int want = expected_id_of(e->d_name);
		if (want < 0) {
			print_error("%s: the file name does not start with a finding id\n", e->d_name);
			failures++;
			continue;
		}
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", DIAG_LOGS_DIR, e->d_name);
		char *text = read_file(path, NULL);
		assert_non_null(text);
		struct diag_report *r = diag_classify_log(text);
		assert_non_null(r);
		assert_true(r->n >= 1);
		const struct diag_finding *top = &r->findings[0];
		files++;
		covered[want] = true;
		if ((int)top->id != want) {
			print_error("%s: top finding %s (%s), expected %s\n", e->d_name,
			            diag_id_name(top->id), diag_confidence_name(top->confidence),
			            diag_id_name((enum diag_id)want));
			failures++;
		}
		/* Every finding from a log shows the lines behind it and says what to do. */
		if (top->n_evidence == 0 && top->id != DIAG_UNKNOWN) {
			print_error("%s: top finding has no evidence lines\n", e->d_name);
			failures++;
		}
		for (size_t i = 0; i < r->n; i++) {
			assert_true(strlen(r->findings[i].cause) > 10);
			assert_true(strlen(r->findings[i].fix) > 10);
		}
		if (top->id == DIAG_UNKNOWN)
			assert_int_not_equal(top->confidence, DIAG_CONF_HIGH);
		/* Findings are ranked: confidence never rises down the list. */
		for (size_t i = 1; i < r->n; i++)
			assert_true(r->findings[i].confidence <= r->findings[i - 1].confidence);
		diag_report_free(r);
		free(text);
	}
	closedir(d);
	assert_true(files >= 60);
	/* Every id has a log, except the one only swdbackup's own verify can tell. */
	for (int i = 0; i < DIAG_ID_COUNT; i++) {
		if (i == DIAG_VERIFY_PADDING_ONLY)
			continue;
		if (!covered[i]) {
			print_error("no corpus log for %s\n", diag_id_name((enum diag_id)i));
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* A pushed log gives the same lines whatever way its bytes arrive. */
static void check_split(const char *text, size_t len)
{
	struct diag_evidence whole;
	diag_evidence_init(&whole);
	assert_int_equal(diag_evidence_feed_log(&whole, text, len), 0);
	for (size_t k = 0; k <= len; k++) {
		struct diag_evidence ev;
		diag_evidence_init(&ev);
		assert_int_equal(diag_evidence_feed_log(&ev, text, k), 0);
		assert_int_equal(diag_evidence_feed_log(&ev, text + k, len - k), 0);
		assert_int_equal(ev.n_log_lines, whole.n_log_lines);
		for (size_t i = 0; i < ev.n_log_lines; i++)
			assert_string_equal(ev.log_lines[i], whole.log_lines[i]);
		assert_int_equal(ev.partial_len, whole.partial_len);
		diag_evidence_release(&ev);
	}
	struct diag_evidence bytes;
	diag_evidence_init(&bytes);
	for (size_t k = 0; k < len; k++)
		assert_int_equal(diag_evidence_feed_log(&bytes, text + k, 1), 0);
	assert_int_equal(bytes.n_log_lines, whole.n_log_lines);
	for (size_t i = 0; i < bytes.n_log_lines; i++)
		assert_string_equal(bytes.log_lines[i], whole.log_lines[i]);
	diag_evidence_release(&bytes);
	diag_evidence_release(&whole);
}

static void test_feed_split_every_byte(void **state)
{
	(void)state;
	const char *names[] = { "clone-idcode-stlink-012.log", "target-unpowered-stlink-010.log",
		                "readout-protected-f1-options-012.log" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[4096];
		size_t len;
		snprintf(path, sizeof(path), "%s/%s", DIAG_LOGS_DIR, names[i]);
		char *text = read_file(path, &len);
		assert_non_null(text);
		check_split(text, len);
		free(text);
	}
	const char crlf[] = "Info : x\r\nError: open failed\r\nWarn : tail";
	check_split(crlf, sizeof(crlf) - 1);
}

static void test_feed_crlf_and_partial(void **state)
{
	(void)state;
	struct diag_evidence ev;
	diag_evidence_init(&ev);
	/* Windows line ends, and a last line without its newline (a pasted log). */
	feed(&ev, "Open On-Chip Debugger 0.12.0\r\nInfo : clock speed 1000 kHz\r\nError: open failed");
	assert_int_equal(ev.n_log_lines, 2);
	assert_string_equal(ev.log_lines[1], "Info : clock speed 1000 kHz");
	struct diag_report *r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_PROBE_NOT_FOUND);
	assert_true(evidence_has(&r->findings[0], "Error: open failed"));
	diag_report_free(r);
	diag_evidence_release(&ev);
}

/* --- the table ----------------------------------------------------------------------- */

static void test_rule_table(void **state)
{
	(void)state;
	bool has_rule[DIAG_ID_COUNT] = { false };
	for (size_t i = 0; i < diag_n_rules; i++) {
		const struct diag_rule *r = &diag_rules[i];
		assert_non_null(r->name);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(r->name, diag_rules[j].name);
		assert_true(r->cause && strlen(r->cause) > 10);
		assert_true(r->fix && strlen(r->fix) > 10);
		assert_true(r->source && strlen(r->source) > 5);
		/* A rule must be able to fire: patterns or a check. */
		assert_true(r->any[0] || r->all[0] || r->check);
		const char *const *groups[] = { r->any, r->all, r->none, r->show };
		for (size_t g = 0; g < 4; g++) {
			for (size_t k = 0; k < DIAG_RULE_MAX_PATTERNS && groups[g][k]; k++) {
				regex_t re;
				int rc = regcomp(&re, groups[g][k], REG_EXTENDED | REG_ICASE | REG_NOSUB);
				if (rc != 0)
					print_error("rule %s: pattern '%s' does not compile\n", r->name,
					            groups[g][k]);
				assert_int_equal(rc, 0);
				regfree(&re);
			}
		}
		has_rule[r->id] = true;
	}
	/* Each id has a rule (unknown is the engine's fallback, not a rule). */
	for (int i = 0; i < DIAG_ID_COUNT; i++)
		if (i != DIAG_UNKNOWN)
			assert_true(has_rule[i]);
	/* Readout protection's fix warns that unlocking mass-erases. */
	for (size_t i = 0; i < diag_n_rules; i++)
		if (diag_rules[i].id == DIAG_READOUT_PROTECTED)
			assert_non_null(strstr(diag_rules[i].fix, "MASS-ERASES"));
}

/* The fixes name only what exists: swdbackup's commands and options (src/cli/commands.c,
 * options.c), plus the two other tools' flags they quote (udevadm, openocd). */
static void test_fix_texts_name_real_options(void **state)
{
	(void)state;
	static const char *const options[] = {
		"--profile", "--probe", "--interface", "--openocd", "--dfu-util", "--output", "--force",
		"--no-safety-backup", "--option-bytes", "--connect-under-reset", "--strict",
		"--speed", "--halt", "--log", "--json", "--verbose", "--help",
		"--unlock", "--erase", "--factory-options", "--yes", "--mass", "--sector",
		"--reload-rules", /* udevadm control */
		"--version",      /* openocd --version */
	};
	static const char *const commands[] = { "backup", "restore", "verify", "info",
		                                "reset", "profiles", "diagnose", "rescue",
		                                "erase", "unlock", "--profile" };
	for (size_t i = 0; i < diag_n_rules; i++) {
		const char *fix = diag_rules[i].fix;
		for (const char *p = strstr(fix, "--"); p; p = strstr(p + 2, "--")) {
			size_t n = 2 + strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-");
			bool known = false;
			for (size_t k = 0; k < sizeof(options) / sizeof(options[0]) && !known; k++)
				known = strlen(options[k]) == n && strncmp(options[k], p, n) == 0;
			if (!known)
				print_error("rule %s: fix names '%.*s'\n", diag_rules[i].name, (int)n, p);
			assert_true(known);
		}
		for (const char *p = strstr(fix, "'swdbackup "); p; p = strstr(p + 1, "'swdbackup ")) {
			const char *w = p + strlen("'swdbackup ");
			size_t n = strcspn(w, " '");
			bool known = false;
			for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]) && !known; k++)
				known = strlen(commands[k]) == n && strncmp(commands[k], w, n) == 0;
			if (!known)
				print_error("rule %s: fix names 'swdbackup %.*s'\n", diag_rules[i].name,
				            (int)n, w);
			assert_true(known);
		}
		/* 'swdbackup info' shows RDP and WRP; it saves nothing. */
		const char *info = strstr(fix, "'swdbackup info");
		if (info) {
			const char *clause = info;
			while (clause > fix && clause[-1] != ';' && clause[-1] != '.')
				clause--;
			char buf[256];
			snprintf(buf, sizeof(buf), "%.*s", (int)(info - clause), clause);
			if (strstr(buf, "back up"))
				print_error("rule %s: '%s' says info backs something up\n",
				            diag_rules[i].name, buf);
			assert_null(strstr(buf, "back up"));
		}
	}
}

static void test_id_names(void **state)
{
	(void)state;
	for (int i = 0; i < DIAG_ID_COUNT; i++)
		assert_int_equal(diag_id_from_name(diag_id_name((enum diag_id)i)), i);
	assert_string_equal(diag_id_name(DIAG_CLONE_IDCODE), "clone-idcode");
	assert_string_equal(diag_id_name(DIAG_VERIFY_PADDING_ONLY), "verify-padding-only");
	assert_int_equal(diag_id_from_name("no-such-id"), -1);
	assert_int_equal(diag_id_from_name(NULL), -1);
	assert_int_equal(diag_id_exit_code(DIAG_VERIFY_MISMATCH), 1);
	assert_int_equal(diag_id_exit_code(DIAG_OPENOCD_MISSING), 4);
	assert_int_equal(diag_id_exit_code(DIAG_USB_PERMISSION), 5);
	assert_int_equal(diag_id_exit_code(DIAG_SWD_UNREACHABLE), 6);
	assert_int_equal(diag_id_exit_code(DIAG_READOUT_PROTECTED), 7);
	assert_int_equal(diag_id_exit_code(DIAG_CLONE_IDCODE), 8);
	assert_int_equal(diag_id_exit_code(DIAG_VERIFY_PADDING_ONLY), 0);
	/* The finding's error, not only its exit status: a busy probe, a permission problem
	 * and a missing OpenOCD keep their own codes. */
	assert_int_equal(diag_id_code(DIAG_PROBE_BUSY), SWD_EPROBEBUSY);
	assert_int_equal(diag_id_code(DIAG_USB_PERMISSION), SWD_EPROBEPERM);
	assert_int_equal(diag_id_code(DIAG_OPENOCD_MISSING), SWD_EOCDMISSING);
	assert_int_equal(diag_id_code(DIAG_PORT_IN_USE), SWD_EOCDDIED);
	assert_int_equal(diag_id_code(DIAG_UNKNOWN), SWD_EOCDDIED);
	assert_int_equal(diag_id_code(DIAG_VERIFY_PADDING_ONLY), 0);
	for (int i = 0; i < DIAG_ID_COUNT; i++)
		assert_int_equal(diag_id_exit_code((enum diag_id)i), swd_exit_code(diag_id_code((enum diag_id)i)));
	assert_string_equal(diag_confidence_name(DIAG_CONF_MEDIUM), "medium");
}

/* --- protection: RDP vs WRP by the option bytes ---------------------------------------- */

static const char write_error_log[] = "Info : device id = 0x20036410\n"
                                      "Info : flash size = 64 KiB\n"
                                      "Error: stm32x device protected\n"
                                      "Error: failed erasing sectors 0 to 2\n";

static void test_rdp_by_option_bytes(void **state)
{
	(void)state;
	struct diag_evidence ev;
	diag_evidence_init(&ev);
	ev.op = DIAG_OP_ERASE;
	feed(&ev, write_error_log);
	ev.rdp_level = 1;
	ev.wrp_active = DIAG_TRI_NO;
	struct diag_report *r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_READOUT_PROTECTED);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_HIGH);
	assert_non_null(strstr(r->findings[0].detail, "RDP level 1"));
	assert_null(find(r, DIAG_WRITE_PROTECTED));
	diag_report_free(r);
	diag_evidence_release(&ev);
}

static void test_wrp_by_option_bytes(void **state)
{
	(void)state;
	struct diag_evidence ev;
	diag_evidence_init(&ev);
	ev.op = DIAG_OP_ERASE;
	feed(&ev, write_error_log);
	ev.rdp_level = 0;
	ev.wrp_active = DIAG_TRI_YES;
	struct diag_report *r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_WRITE_PROTECTED);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_HIGH);
	assert_true(evidence_has(&r->findings[0], "stm32x device protected"));
	/* RDP is known to be off: no readout-protection finding at all. */
	assert_null(find(r, DIAG_READOUT_PROTECTED));
	diag_report_free(r);
	diag_evidence_release(&ev);
}

static void test_protection_log_only_is_hedged(void **state)
{
	(void)state;
	struct diag_evidence ev;
	diag_evidence_init(&ev);
	ev.op = DIAG_OP_ERASE;
	feed(&ev, write_error_log);
	struct diag_report *r = run_ok(&ev);
	const struct diag_finding *w = find(r, DIAG_WRITE_PROTECTED);
	const struct diag_finding *p = find(r, DIAG_READOUT_PROTECTED);
	assert_non_null(w);
	assert_non_null(p);
	/* Neither is high: the option bytes would settle it, and the detail says so. */
	assert_int_equal(w->confidence, DIAG_CONF_MEDIUM);
	assert_int_equal(p->confidence, DIAG_CONF_LOW);
	assert_non_null(strstr(w->detail, "option bytes were not read"));
	assert_non_null(strstr(p->detail, "option bytes were not read"));
	diag_report_free(r);
	diag_evidence_release(&ev);
}

static void test_protection_neither(void **state)
{
	(void)state;
	struct diag_evidence ev;
	diag_evidence_init(&ev);
	ev.op = DIAG_OP_ERASE;
	feed(&ev, write_error_log);
	ev.rdp_level = 0;
	ev.wrp_active = DIAG_TRI_NO;
	struct diag_report *r = run_ok(&ev);
	/* Option bytes clean: the write error is not protection; nothing fits -> unknown. */
	assert_null(find(r, DIAG_READOUT_PROTECTED));
	assert_null(find(r, DIAG_WRITE_PROTECTED));
	assert_int_equal(r->findings[0].id, DIAG_UNKNOWN);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_LOW);
	assert_true(evidence_has(&r->findings[0], "failed erasing sectors 0 to 2"));
	diag_report_free(r);
	diag_evidence_release(&ev);
}

static void test_rdp_from_reads(void **state)
{
	(void)state;
	struct diag_evidence ev;
	diag_evidence_init(&ev);
	ev.op = DIAG_OP_READ;
	feed(&ev, "Error: error reading to flash at address 0x08000000 at offset 0x00000000\n"
	          "Error: Read error\n");
	struct diag_report *r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_READOUT_PROTECTED);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_MEDIUM);
	diag_report_free(r);
	/* An F1's option area refusing the debugger is the same hint. */
	struct diag_evidence ob;
	diag_evidence_init(&ob);
	feed(&ob, "Error: read_memory: read at 0x1ffff800 with width=16 and count=8 failed\n");
	struct diag_report *r2 = run_ok(&ob);
	assert_int_equal(r2->findings[0].id, DIAG_READOUT_PROTECTED);
	assert_int_equal(r2->findings[0].confidence, DIAG_CONF_MEDIUM);
	diag_report_free(r2);
	diag_evidence_release(&ob);
	/* Option bytes read as level 0: reads failing is then not RDP. */
	ev.rdp_level = 0;
	r = run_ok(&ev);
	assert_null(find(r, DIAG_READOUT_PROTECTED));
	diag_report_free(r);
	diag_evidence_release(&ev);
}

/* --- identity -------------------------------------------------------------------------- */

static void f1_profile(struct diag_evidence *ev)
{
	ev->profile_name = "stm32f103c8";
	ev->profile_target_cfg = "target/stm32f1x.cfg";
	ev->expected_idcodes[0] = 0x1ba01477;
	ev->n_expected_idcodes = 1;
	ev->clone_idcodes[0] = 0x2ba01477;
	ev->n_clone_idcodes = 1;
	ev->expected_dev_ids[0] = 0x410;
	ev->n_expected_dev_ids = 1;
	ev->expected_cpuid_partno = 0xc23;
	ev->profile_flash_kib = 64;
	ev->profile_allows_under_reset = true;
}

static void test_clone_on_f1_profile(void **state)
{
	(void)state;
	struct diag_evidence ev;
	diag_evidence_init(&ev);
	f1_profile(&ev);
	ev.op = DIAG_OP_CONNECT;
	feed(&ev, "Warn : UNEXPECTED idcode: 0x2ba01477\nError: expected 1 of 1: 0x1ba01477\n");
	struct diag_report *r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_CLONE_IDCODE);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_HIGH);
	assert_non_null(strstr(r->findings[0].detail, "0x2ba01477"));
	assert_null(strstr(r->findings[0].detail, "--strict"));
	assert_true(evidence_has(&r->findings[0], "UNEXPECTED idcode"));
	/* The F2/F4 reading stays, below it. */
	const struct diag_finding *w = find(r, DIAG_WRONG_TARGET_CONFIG);
	assert_non_null(w);
	assert_int_equal(w->confidence, DIAG_CONF_LOW);
	diag_report_free(r);

	ev.strict = true;
	r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_CLONE_IDCODE);
	assert_non_null(strstr(r->findings[0].detail, "--strict"));
	diag_report_free(r);
	diag_evidence_release(&ev);

	/* From facts alone, with the dev id read: clone, and no wrong-profile reading. */
	diag_evidence_init(&ev);
	f1_profile(&ev);
	ev.has_dp_idcode = true;
	ev.dp_idcode = 0x2ba01477;
	ev.has_dev_id = true;
	ev.dev_id = 0x20036410;
	r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_CLONE_IDCODE);
	assert_null(find(r, DIAG_WRONG_TARGET_CONFIG));
	diag_report_free(r);
	diag_evidence_release(&ev);
}

static void test_clone_idcode_expected_on_f4(void **state)
{
	(void)state;
	struct diag_evidence ev;
	diag_evidence_init(&ev);
	ev.profile_target_cfg = "target/stm32f4x.cfg";
	ev.expected_idcodes[0] = 0x2ba01477;
	ev.n_expected_idcodes = 1;
	ev.has_dp_idcode = true;
	ev.dp_idcode = 0x2ba01477;
	ev.op = DIAG_OP_READ;
	feed(&ev, "Error: flash_bank driver failed, no error message given\n");
	struct diag_report *r = run_ok(&ev);
	/* 0x2ba01477 is the F4's own IDCODE: neither clone nor wrong target. */
	assert_null(find(r, DIAG_CLONE_IDCODE));
	assert_null(find(r, DIAG_WRONG_TARGET_CONFIG));
	assert_int_equal(r->findings[0].id, DIAG_UNKNOWN);
	diag_report_free(r);
	diag_evidence_release(&ev);
}

/* An F1 profile on a genuine F2/F4: the IDCODE is the clones', but the dev id or the core
 * says another family, so the wrong profile leads and no clone is claimed. */
static void test_clone_idcode_on_other_family(void **state)
{
	(void)state;
	struct diag_evidence ev;
	diag_evidence_init(&ev);
	f1_profile(&ev);
	ev.op = DIAG_OP_IDENTIFY;
	feed(&ev, "Warn : UNEXPECTED idcode: 0x2ba01477\nError: expected 1 of 1: 0x1ba01477\n");
	ev.has_dp_idcode = true;
	ev.dp_idcode = 0x2ba01477;
	ev.has_dev_id = true;
	ev.dev_id = 0x10076413;
	ev.has_cpuid = true;
	ev.cpuid = 0x410fc241;
	struct diag_report *r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_WRONG_TARGET_CONFIG);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_HIGH);
	assert_non_null(strstr(r->findings[0].detail, "0x413"));
	assert_null(find(r, DIAG_CLONE_IDCODE));
	assert_null(find(r, DIAG_COUNTERFEIT_MCU));
	diag_report_free(r);

	/* The core alone (a Cortex-M4 where every STM32F1 and its clones have an M3). */
	ev.has_dev_id = false;
	r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_WRONG_TARGET_CONFIG);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_HIGH);
	assert_non_null(strstr(r->findings[0].detail, "Cortex-M4"));
	assert_null(find(r, DIAG_CLONE_IDCODE));
	diag_report_free(r);
	diag_evidence_release(&ev);

	/* A pasted log that goes on past the IDCODE to the core OpenOCD detected. */
	r = diag_classify_log("Info : STLINK V2J37S7 (API v2) VID:PID 0483:3748\n"
	                      "Info : Target voltage: 3.300000\n"
	                      "Warn : UNEXPECTED idcode: 0x2ba01477\n"
	                      "Error: expected 1 of 1: 0x1ba01477\n"
	                      "Info : [stm32f1x.cpu] Cortex-M4 r0p1 processor detected\n");
	assert_non_null(r);
	assert_int_equal(r->findings[0].id, DIAG_WRONG_TARGET_CONFIG);
	assert_null(find(r, DIAG_CLONE_IDCODE));
	diag_report_free(r);

	/* Identity unknown: the clone leads, and its cause says what else prints that line. */
	r = diag_classify_log("Warn : UNEXPECTED idcode: 0x2ba01477\n"
	                      "Error: expected 1 of 1: 0x1ba01477\n");
	assert_non_null(r);
	assert_int_equal(r->findings[0].id, DIAG_CLONE_IDCODE);
	assert_non_null(strstr(r->findings[0].cause, "F2/F4"));
	assert_non_null(find(r, DIAG_WRONG_TARGET_CONFIG));
	diag_report_free(r);

	/* A real clone (dev id 0x410, Cortex-M3): the cause does not hedge. */
	diag_evidence_init(&ev);
	f1_profile(&ev);
	ev.has_dp_idcode = true;
	ev.dp_idcode = 0x2ba01477;
	ev.has_dev_id = true;
	ev.dev_id = 0x20036410;
	ev.has_cpuid = true;
	ev.cpuid = 0x411fc231;
	r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_CLONE_IDCODE);
	assert_null(strstr(r->findings[0].cause, "F2/F4"));
	assert_null(find(r, DIAG_WRONG_TARGET_CONFIG));
	diag_report_free(r);
	diag_evidence_release(&ev);
}

/* ST-LINK's READ_IDCODES failing at init prints nothing at the default level: OpenOCD
 * opens the probe, reads the voltage and exits 1. */
static void test_silent_idcode_failure(void **state)
{
	(void)state;
	static const char log[] =
	        "Open On-Chip Debugger 0.12.0\n"
	        "Info : clock speed 1000 kHz\n"
	        "Info : STLINK V2J37S7 (API v2) VID:PID 0483:3748\n"
	        "Info : Target voltage: 3.244444\n\n\n";
	struct diag_evidence ev;
	diag_evidence_init(&ev);
	ev.op = DIAG_OP_CONNECT;
	ev.openocd_exited = true;
	ev.openocd_exit_status = 1;
	feed(&ev, log);
	struct diag_report *r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_SWD_UNREACHABLE);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_MEDIUM);
	assert_non_null(strstr(r->findings[0].detail, "no reason"));
	assert_non_null(strstr(r->findings[0].detail, "IDCODE"));
	assert_non_null(strstr(r->findings[0].source, "stlink_usb_idcode"));
	assert_true(evidence_has(&r->findings[0], "Target voltage"));
	diag_report_free(r);

	/* Another exit status, or an error line, is not this case. */
	ev.openocd_exit_status = 2;
	r = run_ok(&ev);
	assert_int_not_equal(r->findings[0].id, DIAG_SWD_UNREACHABLE);
	diag_report_free(r);
	ev.openocd_exit_status = 1;
	feed(&ev, "Error: Translation from khz to adapter speed not implemented\n");
	r = run_ok(&ev);
	assert_int_not_equal(r->findings[0].id, DIAG_SWD_UNREACHABLE);
	diag_report_free(r);
	diag_evidence_release(&ev);

	/* Still running (a capture cut short): nothing to say. */
	diag_evidence_init(&ev);
	ev.op = DIAG_OP_CONNECT;
	feed(&ev, log);
	r = run_ok(&ev);
	assert_null(find(r, DIAG_SWD_UNREACHABLE));
	diag_report_free(r);
	diag_evidence_release(&ev);

	/* Captured from OpenOCD 0.12 against swdbackup-sim --fault swd-disabled: a second
	 * connection, not under reset, after one under reset let the firmware run. */
	size_t len;
	char *real = read_file(DIAG_LOGS_DIR "/swd-unreachable-sim-silent-idcodes-012.log", &len);
	assert_non_null(real);
	diag_evidence_init(&ev);
	ev.op = DIAG_OP_CONNECT;
	ev.openocd_exited = true;
	ev.openocd_exit_status = 1;
	assert_int_equal(diag_evidence_feed_log(&ev, real, len), 0);
	free(real);
	r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_SWD_UNREACHABLE);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_MEDIUM);
	assert_true(evidence_has(&r->findings[0], "STLINK V2J37S7"));
	diag_report_free(r);
	diag_evidence_release(&ev);

	/* The same log pasted: the exit status is unknown, so only a low-confidence guess. */
	r = diag_classify_log(log);
	assert_non_null(r);
	assert_int_equal(r->findings[0].id, DIAG_SWD_UNREACHABLE);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_LOW);
	diag_report_free(r);
}

static void test_counterfeit_by_cpuid(void **state)
{
	(void)state;
	struct diag_evidence ev;
	diag_evidence_init(&ev);
	f1_profile(&ev);
	ev.op = DIAG_OP_IDENTIFY;
	ev.has_dp_idcode = true;
	ev.dp_idcode = 0x1ba01477;
	ev.has_dev_id = true;
	ev.dev_id = 0x20036410;
	ev.has_cpuid = true;
	ev.cpuid = 0x410fc241; /* Cortex-M4 r0p1 */
	struct diag_report *r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_COUNTERFEIT_MCU);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_HIGH);
	assert_non_null(strstr(r->findings[0].detail, "Cortex-M4"));
	diag_report_free(r);

	/* A genuine F103: the same facts with a Cortex-M3 give nothing of the kind. */
	ev.cpuid = 0x411fc231;
	r = run_ok(&ev);
	assert_null(find(r, DIAG_COUNTERFEIT_MCU));
	assert_int_equal(r->findings[0].id, DIAG_UNKNOWN);
	diag_report_free(r);
	diag_evidence_release(&ev);
}

static void test_wrong_dev_id(void **state)
{
	(void)state;
	struct diag_evidence ev;
	diag_evidence_init(&ev);
	f1_profile(&ev);
	ev.has_dev_id = true;
	ev.dev_id = 0x10076413; /* an STM32F407 */
	struct diag_report *r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_WRONG_TARGET_CONFIG);
	assert_non_null(strstr(r->findings[0].detail, "0x413"));
	assert_non_null(strstr(r->findings[0].detail, "stm32f103c8"));
	diag_report_free(r);
	diag_evidence_release(&ev);
}

static void test_flash_size_mismatch(void **state)
{
	(void)state;
	struct diag_evidence ev;
	diag_evidence_init(&ev);
	f1_profile(&ev);
	ev.has_flash_size_reg = true;
	ev.flash_size_reg_kib = 128;
	struct diag_report *r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_FLASH_SIZE_MISMATCH);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_HIGH);
	assert_non_null(strstr(r->findings[0].detail, "128 KiB"));
	diag_report_free(r);

	ev.flash_size_reg_kib = 0xffff; /* blank register */
	r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_FLASH_SIZE_MISMATCH);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_MEDIUM);
	diag_report_free(r);

	ev.flash_size_reg_kib = 64;
	r = run_ok(&ev);
	assert_null(find(r, DIAG_FLASH_SIZE_MISMATCH));
	diag_report_free(r);
	diag_evidence_release(&ev);
}

/* --- OpenOCD and verify facts ----------------------------------------------------------- */

static void test_openocd_facts(void **state)
{
	(void)state;
	struct diag_evidence ev;
	diag_evidence_init(&ev);
	ev.op = DIAG_OP_SPAWN;
	ev.openocd_found = DIAG_TRI_NO;
	struct diag_report *r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_OPENOCD_MISSING);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_HIGH);
	assert_int_equal(diag_id_exit_code(r->findings[0].id), 4);
	diag_report_free(r);
	diag_evidence_release(&ev);

	diag_evidence_init(&ev);
	ev.openocd_found = DIAG_TRI_YES;
	ev.openocd_version = "0.10.0";
	r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_OPENOCD_TOO_OLD);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_HIGH);
	diag_report_free(r);
	ev.openocd_version = "0.12.0";
	ev.missing_command = "read_memory";
	r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_OPENOCD_TOO_OLD);
	assert_non_null(strstr(r->findings[0].detail, "read_memory"));
	diag_report_free(r);
	ev.missing_command = NULL;
	r = run_ok(&ev);
	assert_null(find(r, DIAG_OPENOCD_TOO_OLD));
	diag_report_free(r);
	diag_evidence_release(&ev);
}

static void test_probe_firmware_fact(void **state)
{
	(void)state;
	struct diag_evidence ev;
	diag_evidence_init(&ev);
	ev.op = DIAG_OP_CONNECT;
	ev.probe_kind = DIAG_PROBE_STLINK;
	ev.probe_firmware = "V2M37S7";
	struct diag_report *r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_PROBE_DRIVER_MISSING);
	assert_non_null(strstr(r->findings[0].detail, "V2M37S7"));
	diag_report_free(r);
	ev.probe_firmware = "V2J37S7";
	r = run_ok(&ev);
	assert_null(find(r, DIAG_PROBE_DRIVER_MISSING));
	diag_report_free(r);
	diag_evidence_release(&ev);
}

static void test_verify_facts(void **state)
{
	(void)state;
	struct diag_evidence ev;
	diag_evidence_init(&ev);
	ev.op = DIAG_OP_VERIFY;
	ev.verify = DIAG_VERIFY_PADDING;
	ev.verify_image_size = 23552;
	ev.verify_flash_size = 65536;
	struct diag_report *r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_VERIFY_PADDING_ONLY);
	assert_string_equal(r->findings[0].detail, "matches; the other 41,984 bytes are erased");
	assert_int_equal(diag_id_exit_code(r->findings[0].id), 0);
	diag_report_free(r);

	ev.verify = DIAG_VERIFY_DIFFER;
	ev.verify_first_diff = 0x08000400;
	ev.verify_units_differ = 3;
	ev.verify_units_total = 64;
	ev.verify_pages = true;
	r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_VERIFY_MISMATCH);
	assert_string_equal(r->findings[0].detail, "first difference at 0x08000400; 3 of 64 pages differ");
	assert_null(find(r, DIAG_VERIFY_PADDING_ONLY));
	diag_report_free(r);

	ev.verify_units_total = 0;
	ev.verify_pages = false;
	r = run_ok(&ev);
	assert_string_equal(r->findings[0].detail, "first difference at 0x08000400; 3 sectors differ");
	diag_report_free(r);

	ev.verify = DIAG_VERIFY_MATCH;
	r = run_ok(&ev);
	assert_null(find(r, DIAG_VERIFY_MISMATCH));
	assert_null(find(r, DIAG_VERIFY_PADDING_ONLY));
	diag_report_free(r);
	diag_evidence_release(&ev);
}

/* --- unknown and ranking ---------------------------------------------------------------- */

static void test_unknown_shows_error_lines(void **state)
{
	(void)state;
	struct diag_report *r = diag_classify_log(
	        "Open On-Chip Debugger 0.12.0\n"
	        "Info : clock speed 1000 kHz\n"
	        "Error: Translation from khz to adapter speed not implemented\n"
	        "Warn : something odd happened\n");
	assert_non_null(r);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->findings[0].id, DIAG_UNKNOWN);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_LOW);
	/* The error line decides; a plain warning beside it is not shown. */
	assert_int_equal(r->findings[0].n_evidence, 1);
	assert_string_equal(r->findings[0].evidence[0],
	                    "Error: Translation from khz to adapter speed not implemented");
	diag_report_free(r);

	/* With no error line, the warning is what there is to show. */
	r = diag_classify_log("Info : clock speed 1000 kHz\nWarn : something odd happened\n");
	assert_non_null(r);
	assert_int_equal(r->findings[0].id, DIAG_UNKNOWN);
	assert_int_equal(r->findings[0].n_evidence, 1);
	assert_string_equal(r->findings[0].evidence[0], "Warn : something odd happened");
	diag_report_free(r);

	r = diag_classify_log("");
	assert_non_null(r);
	assert_int_equal(r->findings[0].id, DIAG_UNKNOWN);
	assert_string_equal(r->findings[0].detail, "no OpenOCD output was captured");
	diag_report_free(r);

	/* OpenOCD killed part way, nothing printed: the detail says how it ended. */
	struct diag_evidence ev;
	diag_evidence_init(&ev);
	ev.op = DIAG_OP_READ;
	ev.openocd_exited = true;
	ev.openocd_exit_status = -9;
	feed(&ev, "Info : flash size = 64 KiB\n");
	r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_UNKNOWN);
	assert_string_equal(r->findings[0].detail,
	                    "OpenOCD was killed by signal 9; OpenOCD printed no error lines; its "
	                    "last line is shown");
	diag_report_free(r);
	diag_evidence_release(&ev);

	/* Through a DFU bootloader the log and the exit are dfu-util's, and say so. */
	diag_evidence_init(&ev);
	ev.op = DIAG_OP_READ;
	ev.probe_kind = DIAG_PROBE_DFU;
	ev.openocd_exited = true;
	ev.openocd_exit_status = 0;
	feed(&ev, "Opening DFU capable USB device...\n");
	r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_UNKNOWN);
	assert_string_equal(r->findings[0].detail,
	                    "dfu-util exited with status 0; dfu-util printed no error lines; its "
	                    "last line is shown");
	assert_non_null(strstr(r->findings[0].cause, "what dfu-util printed"));
	assert_null(strstr(r->findings[0].fix, "SWDIO"));
	diag_report_free(r);
	diag_evidence_release(&ev);
}

static void test_ranking_unpowered_over_unreachable(void **state)
{
	(void)state;
	struct diag_report *r = diag_classify_log(
	        "Info : Target voltage: 0.000000\n"
	        "Error: target voltage may be too low for reliable debugging\n"
	        "Error: init mode failed (unable to connect to the target)\n");
	assert_non_null(r);
	assert_true(r->n >= 2);
	assert_int_equal(r->findings[0].id, DIAG_TARGET_UNPOWERED);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_HIGH);
	assert_non_null(strstr(r->findings[0].detail, "0.00 V"));
	assert_int_equal(r->findings[1].id, DIAG_SWD_UNREACHABLE);
	assert_int_equal(r->findings[1].confidence, DIAG_CONF_MEDIUM);
	diag_report_free(r);

	/* A good voltage measured by the caller rules power out. */
	struct diag_evidence ev;
	diag_evidence_init(&ev);
	feed(&ev, "Error: init mode failed (unable to connect to the target)\n");
	ev.target_voltage = 3.3;
	r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_SWD_UNREACHABLE);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_HIGH);
	assert_null(find(r, DIAG_TARGET_UNPOWERED));
	diag_report_free(r);
	/* A low voltage measured by the caller, no voltage line in the log. */
	ev.target_voltage = 0.02;
	r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_TARGET_UNPOWERED);
	diag_report_free(r);
	diag_evidence_release(&ev);
}

/* A flaky link breaks the flash-size read and the flash reads alike; with the option bytes
 * read (RDP 0) the link comes first and the size is a symptom. */
static void test_ranking_flaky_link(void **state)
{
	(void)state;
	struct diag_evidence ev;
	diag_evidence_init(&ev);
	f1_profile(&ev);
	ev.op = DIAG_OP_READ;
	ev.rdp_level = 0;
	ev.wrp_active = DIAG_TRI_NO;
	feed(&ev, "Info : device id = 0x20036410\n"
	          "Warn : STM32 flash size failed, probe inaccurate - assuming 128k flash\n"
	          "Info : flash size = 128 KiB\n"
	          "Error: error reading to flash at address 0x08000000 at offset 0x00004000\n"
	          "Error: Read error\n");
	struct diag_report *r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_SWD_COMM_ERRORS);
	assert_null(find(r, DIAG_READOUT_PROTECTED));
	const struct diag_finding *fs = find(r, DIAG_FLASH_SIZE_MISMATCH);
	assert_non_null(fs);
	assert_true(fs->confidence < r->findings[0].confidence);
	diag_report_free(r);
	/* swdbackup's own read of the register agrees with the profile: no size finding. */
	ev.has_flash_size_reg = true;
	ev.flash_size_reg_kib = 64;
	r = run_ok(&ev);
	assert_null(find(r, DIAG_FLASH_SIZE_MISMATCH));
	diag_report_free(r);
	diag_evidence_release(&ev);
}

/* At -d3 the rules see the message without OpenOCD's "<ms> <n> file:line func(): " prefix,
 * and the evidence shows the line as printed. */
static void test_debug_level_prefix(void **state)
{
	(void)state;
	struct diag_report *r = diag_classify_log(
	        "Debug: 119 4 stlink_usb.c:3705 stlink_open(): transport: 4 vid: 0x0483\n"
	        "Error: 120 8 stlink_usb.c:3374 stlink_usb_usb_open(): open failed\n"
	        "Debug: 121 8 hla_layout.c:36 hl_layout_open(): failed\n");
	assert_non_null(r);
	assert_int_equal(r->findings[0].id, DIAG_PROBE_NOT_FOUND);
	assert_int_equal(r->findings[0].n_evidence, 1);
	assert_string_equal(r->findings[0].evidence[0],
	                    "Error: 120 8 stlink_usb.c:3374 stlink_usb_usb_open(): open failed");
	diag_report_free(r);

	/* Debug lines are not shown as the error lines of an unknown failure. */
	r = diag_classify_log("Debug: 122 8 command.c:544 run_command(): Command 'init' failed\n"
	                      "Error: 123 8 foo.c:1 bar(): something odd\n");
	assert_non_null(r);
	assert_int_equal(r->findings[0].id, DIAG_UNKNOWN);
	assert_int_equal(r->findings[0].n_evidence, 1);
	assert_string_equal(r->findings[0].evidence[0], "Error: 123 8 foo.c:1 bar(): something odd");
	diag_report_free(r);
}

static void test_evidence_shown_once(void **state)
{
	(void)state;
	struct diag_report *r = diag_classify_log(
	        "Error: init mode failed (unable to connect to the target)\n"
	        "Error: init mode failed (unable to connect to the target)\n"
	        "Error: init mode failed (unable to connect to the target)\n");
	assert_non_null(r);
	assert_int_equal(r->findings[0].id, DIAG_SWD_UNREACHABLE);
	assert_int_equal(r->findings[0].n_evidence, 1);
	diag_report_free(r);
}

/* A probe refused at open was there: "open failed" after it is no "not found". */
static void test_ranking_permission_over_not_found(void **state)
{
	(void)state;
	struct diag_report *r = diag_classify_log(
	        "$ openocd -s /usr/share/openocd/scripts -f interface/stlink.cfg\n"
	        "Error: libusb_open() failed with LIBUSB_ERROR_ACCESS\nError: open failed\n");
	assert_non_null(r);
	assert_int_equal(r->findings[0].id, DIAG_USB_PERMISSION);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_HIGH);
	const struct diag_finding *nf = find(r, DIAG_PROBE_NOT_FOUND);
	assert_true(!nf || nf->confidence < r->findings[0].confidence);
	assert_non_null(strstr(r->findings[0].fix, "60-swdbackup.rules"));
	diag_report_free(r);
}

/* --- recovery ------------------------------------------------------------------------- */

static void test_speed_steps(void **state)
{
	(void)state;
	unsigned s[8];
	assert_int_equal(diag_speed_steps(4000, s, 8), 6);
	unsigned want[] = { 4000, 1800, 950, 480, 240, 100 };
	for (int i = 0; i < 6; i++)
		assert_int_equal(s[i], want[i]);
	assert_int_equal(diag_speed_steps(0, s, 8), 6);
	assert_int_equal(diag_speed_steps(2000, s, 8), 5);
	assert_int_equal(s[0], 1800);
	assert_int_equal(diag_speed_steps(4000, s, 2), 2);
	assert_int_equal(s[1], 1800);
	assert_int_equal(diag_speed_steps(50, s, 8), 0);
}

static void test_recovery_sequence(void **state)
{
	(void)state;
	struct diag_evidence ev;
	struct diag_retry next;
	diag_evidence_init(&ev);
	f1_profile(&ev);
	ev.op = DIAG_OP_CONNECT;
	feed(&ev, "Info : Target voltage: 3.240000\n"
	          "Error: init mode failed (unable to connect to the target)\n");
	/* Nothing tried yet: nothing to advise. */
	assert_int_equal(diag_recovery_next(&ev, 4000, &next), 0);

	assert_int_equal(diag_evidence_add_attempt(&ev, false, 0, DIAG_OUT_NO_RESPONSE), 0);
	assert_int_equal(diag_recovery_next(&ev, 4000, &next), 1);
	assert_true(next.under_reset);
	assert_int_equal(next.speed_khz, 0);

	/* Then each lower speed, under reset, in order, until all are tried. */
	unsigned want[] = { 1800, 950, 480, 240, 100 };
	assert_int_equal(diag_evidence_add_attempt(&ev, true, 0, DIAG_OUT_NO_RESPONSE), 0);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(diag_recovery_next(&ev, 4000, &next), 1);
		assert_true(next.under_reset);
		assert_int_equal(next.speed_khz, want[i]);
		assert_int_equal(diag_evidence_add_attempt(&ev, true, next.speed_khz,
		                                           DIAG_OUT_NO_RESPONSE), 0);
	}
	assert_int_equal(diag_recovery_next(&ev, 4000, &next), 0);
	struct diag_report *r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_SWD_UNREACHABLE);
	assert_false(r->rescued);
	diag_report_free(r);
	diag_evidence_release(&ev);
}

static void test_recovery_refuses(void **state)
{
	(void)state;
	struct diag_evidence ev;
	struct diag_retry next;

	/* Unpowered: retrying cannot help. */
	diag_evidence_init(&ev);
	f1_profile(&ev);
	feed(&ev, "Info : Target voltage: 0.000000\n"
	          "Error: target voltage may be too low for reliable debugging\n"
	          "Error: init mode failed (unable to connect to the target)\n");
	diag_evidence_add_attempt(&ev, false, 0, DIAG_OUT_NO_RESPONSE);
	assert_int_equal(diag_recovery_next(&ev, 4000, &next), 0);
	diag_evidence_release(&ev);

	/* No probe. */
	diag_evidence_init(&ev);
	f1_profile(&ev);
	feed(&ev, "Error: open failed\n");
	diag_evidence_add_attempt(&ev, false, 0, DIAG_OUT_OTHER);
	assert_int_equal(diag_recovery_next(&ev, 4000, &next), 0);
	diag_evidence_release(&ev);

	/* Last attempt worked. */
	diag_evidence_init(&ev);
	f1_profile(&ev);
	diag_evidence_add_attempt(&ev, false, 0, DIAG_OUT_OK);
	assert_int_equal(diag_recovery_next(&ev, 4000, &next), 0);
	diag_evidence_release(&ev);

	/* A core that will not halt, and no reset line: a slower clock does not wake it. */
	diag_evidence_init(&ev);
	f1_profile(&ev);
	ev.profile_allows_under_reset = false;
	feed(&ev, "Error: timed out while waiting for target halted\n");
	diag_evidence_add_attempt(&ev, false, 0, DIAG_OUT_HALT_TIMEOUT);
	assert_int_equal(diag_recovery_next(&ev, 4000, &next), 0);
	diag_evidence_release(&ev);

	/* An accepted clone whose firmware then hides SWD: the clone is no reason to stop. */
	diag_evidence_init(&ev);
	f1_profile(&ev);
	feed(&ev, "Warn : UNEXPECTED idcode: 0x2ba01477\nError: expected 1 of 1: 0x1ba01477\n"
	          "Error: init mode failed (unable to connect to the target)\n");
	ev.has_dp_idcode = true;
	ev.dp_idcode = 0x2ba01477;
	diag_evidence_add_attempt(&ev, false, 0, DIAG_OUT_NO_RESPONSE);
	assert_int_equal(diag_recovery_next(&ev, 4000, &next), 1);
	assert_true(next.under_reset);
	ev.strict = true; /* refused clones end the run */
	assert_int_equal(diag_recovery_next(&ev, 4000, &next), 0);
	ev.strict = false;
	/* The clone's IDCODE stopped the connection again after it was accepted: retrying
	 * would only repeat it. */
	feed(&ev, "Warn : UNEXPECTED idcode: 0x2ba01477\nError: expected 1 of 1: 0x1ba01477\n");
	assert_int_equal(diag_recovery_next(&ev, 4000, &next), 0);
	diag_evidence_release(&ev);

	/* An attempt that failed for another reason than the target's answer. */
	diag_evidence_init(&ev);
	f1_profile(&ev);
	feed(&ev, "Error: something else\n");
	diag_evidence_add_attempt(&ev, false, 0, DIAG_OUT_OTHER);
	assert_int_equal(diag_recovery_next(&ev, 4000, &next), 0);
	diag_evidence_release(&ev);

	/* Without reset allowed, nothing answering: lower speeds, normal connect. */
	diag_evidence_init(&ev);
	f1_profile(&ev);
	ev.profile_allows_under_reset = false;
	feed(&ev, "Error: init mode failed (unable to connect to the target)\n");
	diag_evidence_add_attempt(&ev, false, 0, DIAG_OUT_NO_RESPONSE);
	assert_int_equal(diag_recovery_next(&ev, 4000, &next), 1);
	assert_false(next.under_reset);
	assert_int_equal(next.speed_khz, 1800);
	diag_evidence_release(&ev);
}

static void test_rescue_under_reset(void **state)
{
	(void)state;
	struct diag_evidence ev;
	char note[256];
	diag_evidence_init(&ev);
	f1_profile(&ev);
	ev.op = DIAG_OP_CONNECT;
	feed(&ev, "Info : Target voltage: 3.240000\n"
	          "Error: init mode failed (unable to connect to the target)\n");
	diag_evidence_add_attempt(&ev, false, 0, DIAG_OUT_NO_RESPONSE);
	assert_int_equal(diag_rescue_note(&ev, note, sizeof(note)), 0);
	assert_string_equal(note, "");
	diag_evidence_add_attempt(&ev, true, 0, DIAG_OUT_OK);

	size_t n = diag_rescue_note(&ev, note, sizeof(note));
	assert_string_equal(note, "connected only under reset: the firmware disables SWD; use "
	                          "--connect-under-reset next time");
	assert_int_equal(n, strlen(note));

	struct diag_report *r = run_ok(&ev);
	assert_true(r->rescued);
	assert_int_equal(r->findings[0].id, DIAG_SWD_UNREACHABLE);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_HIGH);
	assert_string_equal(r->findings[0].detail, note);
	assert_true(evidence_has(&r->findings[0], "init mode failed"));
	assert_non_null(strstr(r->findings[0].fix, "--connect-under-reset"));
	diag_report_free(r);

	/* Truncation keeps a terminated string. */
	char tiny[10];
	diag_rescue_note(&ev, tiny, sizeof(tiny));
	assert_int_equal(strlen(tiny), 9);
	diag_evidence_release(&ev);
}

/* A start that ended without a word, then a connection under reset that worked: the
 * attempts leave no log line to go on, so the flag is the evidence. */
static void test_rescue_after_silent_start(void **state)
{
	(void)state;
	struct diag_evidence ev;
	struct diag_report *r;
	bool found = false;

	diag_evidence_init(&ev);
	f1_profile(&ev);
	ev.op = DIAG_OP_READ;
	feed(&ev, "Info : Target voltage: 3.240000\n");
	r = diag_run(&ev);
	for (size_t i = 0; r && i < r->n; i++)
		assert_int_not_equal(r->findings[i].id, DIAG_SWD_UNREACHABLE);
	diag_report_free(r);

	ev.rescued_after_silent_start = true;
	r = run_ok(&ev);
	for (size_t i = 0; i < r->n; i++) {
		if (r->findings[i].id != DIAG_SWD_UNREACHABLE)
			continue;
		found = true;
		assert_int_equal(r->findings[i].confidence, DIAG_CONF_MEDIUM);
		assert_non_null(strstr(r->findings[i].detail, "no error line"));
		assert_non_null(strstr(r->findings[i].fix, "--connect-under-reset"));
	}
	assert_true(found);
	diag_report_free(r);
	diag_evidence_release(&ev);
}

static void test_rescue_low_power_and_speed(void **state)
{
	(void)state;
	struct diag_evidence ev;
	char note[256];

	diag_evidence_init(&ev);
	f1_profile(&ev);
	feed(&ev, "Error: timed out while waiting for target halted\n"
	          "TARGET: stm32f1x.cpu - Not halted\n");
	diag_evidence_add_attempt(&ev, false, 0, DIAG_OUT_HALT_TIMEOUT);
	diag_evidence_add_attempt(&ev, true, 0, DIAG_OUT_OK);
	struct diag_report *r = run_ok(&ev);
	assert_int_equal(r->findings[0].id, DIAG_TARGET_LOW_POWER);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_HIGH);
	const struct diag_finding *h = find(r, DIAG_CORE_HALT_TIMEOUT);
	assert_non_null(h);
	assert_true(h->confidence < DIAG_CONF_HIGH);
	diag_report_free(r);
	diag_rescue_note(&ev, note, sizeof(note));
	assert_non_null(strstr(note, "low-power"));
	assert_non_null(strstr(note, "--connect-under-reset"));
	diag_evidence_release(&ev);

	diag_evidence_init(&ev);
	f1_profile(&ev);
	ev.profile_allows_under_reset = false;
	feed(&ev, "Error: jtag status contains invalid mode value - communication failure\n");
	diag_evidence_add_attempt(&ev, false, 4000, DIAG_OUT_COMM_ERROR);
	diag_evidence_add_attempt(&ev, false, 1800, DIAG_OUT_COMM_ERROR);
	diag_evidence_add_attempt(&ev, false, 950, DIAG_OUT_OK);
	r = run_ok(&ev);
	assert_true(r->rescued);
	assert_int_equal(r->findings[0].id, DIAG_SWD_COMM_ERRORS);
	assert_non_null(strstr(r->findings[0].detail, "--speed 950"));
	diag_report_free(r);
	diag_rescue_note(&ev, note, sizeof(note));
	assert_string_equal(note, "connected only at 950 kHz: the SWD link fails at faster clocks "
	                          "(long or loose wires, missing ground); use --speed 950 next time");
	diag_evidence_release(&ev);

	/* Both: under reset and slower. The note and the finding name both options. */
	diag_evidence_init(&ev);
	f1_profile(&ev);
	feed(&ev, "Error: init mode failed (unable to connect to the target)\n");
	diag_evidence_add_attempt(&ev, false, 0, DIAG_OUT_NO_RESPONSE);
	diag_evidence_add_attempt(&ev, true, 0, DIAG_OUT_NO_RESPONSE);
	diag_evidence_add_attempt(&ev, true, 1800, DIAG_OUT_OK);
	diag_rescue_note(&ev, note, sizeof(note));
	assert_non_null(strstr(note, "--connect-under-reset --speed 1800"));
	r = run_ok(&ev);
	assert_true(r->rescued);
	assert_int_equal(r->findings[0].id, DIAG_SWD_UNREACHABLE);
	assert_string_equal(r->findings[0].detail, note);
	assert_non_null(find(r, DIAG_SWD_COMM_ERRORS));
	diag_report_free(r);
	diag_evidence_release(&ev);
}

/* --- the udev rules shipped for the probes ------------------------------------------- */

/* Every line of scripts/60-swdbackup.rules is a comment, blank, or comma-separated
 * KEY[{attr}] op "value" pairs; every device rule grants access (MODE + uaccess); and the
 * ST-LINK ids cover the ones OpenOCD's interface/stlink.cfg asks for. */
/* DFU: a permission failure quoted from a public report (pollen-robotics/reachy-mini-os#35)
 * ranks the DFU rule, whose fix names the DFU ids in the udev rules; dfu-util missing is a
 * fact; the harmless lines rank below a real failure. */
static void test_dfu_rules(void **state)
{
	(void)state;
	struct diag_report *r = diag_classify_log("dfu-util: Cannot open DFU device 38fb:1001 found "
	                                          "on devnum 3 (LIBUSB_ERROR_ACCESS)\n");
	assert_non_null(r);
	assert_int_equal(r->findings[0].id, DIAG_USB_PERMISSION);
	assert_non_null(strstr(r->findings[0].fix, "2b04:d006"));
	diag_report_free(r);
	r = diag_classify_log("dfu-util: Warning: Invalid DFU suffix signature\n"
	                      "dfu-util: No DFU capable USB device available\n");
	assert_int_equal(r->findings[0].id, DIAG_PROBE_NOT_FOUND);
	assert_non_null(strstr(r->findings[0].fix, "release SETUP when the LED blinks yellow"));
	assert_int_equal(r->findings[r->n - 1].id, DIAG_DFU_SUFFIX_WARNING);
	diag_report_free(r);
	struct diag_evidence ev;
	diag_evidence_init(&ev);
	ev.probe_kind = DIAG_PROBE_DFU;
	ev.dfu_util_found = DIAG_TRI_NO;
	r = diag_run(&ev);
	assert_int_equal(r->findings[0].id, DIAG_DFU_UTIL_MISSING);
	assert_int_equal(diag_id_exit_code(DIAG_DFU_UTIL_MISSING), 4);
	assert_int_equal(diag_id_code(DIAG_DFU_LEAVE_QUIRK), 0);
	diag_report_free(r);
	diag_evidence_release(&ev);
}

static void test_udev_rules(void **state)
{
	(void)state;
	char *text = read_file(DIAG_RULES_FILE, NULL);
	assert_non_null(text);
	regex_t pair;
	assert_int_equal(regcomp(&pair,
	                         "^ *(LABEL|GOTO|ACTION|SUBSYSTEM|KERNEL|ATTRS?\\{[a-zA-Z]+\\}|MODE|GROUP|TAG)"
	                         " *(==|!=|\\+=|=) *\"[^\"]*\" *$",
	                         REG_EXTENDED | REG_NOSUB), 0);
	int device_rules = 0;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || line[0] == '\0')
			continue;
		char *copy = strdup(line), *s2 = NULL;
		for (char *tok = strtok_r(copy, ",", &s2); tok; tok = strtok_r(NULL, ",", &s2)) {
			if (regexec(&pair, tok, 0, NULL, 0) != 0)
				print_error("bad udev token '%s' in '%s'\n", tok, line);
			assert_int_equal(regexec(&pair, tok, 0, NULL, 0), 0);
		}
		free(copy);
		if (strstr(line, "ATTRS{")) {
			device_rules++;
			assert_non_null(strstr(line, "MODE=\"660\""));
			assert_non_null(strstr(line, "TAG+=\"uaccess\""));
		}
	}
	regfree(&pair);
	free(text);
	assert_true(device_rules >= 10);

	/* Cross-check with the installed OpenOCD's list when it is there. */
	char *rules = read_file(DIAG_RULES_FILE, NULL);
	char *cfg = read_file("/usr/share/openocd/scripts/interface/stlink.cfg", NULL);
	if (cfg) {
		const char *p = strstr(cfg, "hla_vid_pid");
		assert_non_null(p);
		unsigned vid, pid;
		int checked = 0;
		const char *q = p + strlen("hla_vid_pid");
		while (sscanf(q, " 0x%x 0x%x", &vid, &pid) == 2) {
			char want[96];
			snprintf(want, sizeof(want), "ATTRS{idVendor}==\"%04x\", ATTRS{idProduct}==\"%04x\"",
			         vid, pid);
			if (!strstr(rules, want))
				print_error("no udev rule for ST-LINK %04x:%04x\n", vid, pid);
			assert_non_null(strstr(rules, want));
			checked++;
			/* Skip the two numbers just read. */
			for (int k = 0; k < 2; k++) {
				q = strstr(q, "0x");
				q += 2;
			}
			while (*q && *q != ' ' && *q != '\n')
				q++;
		}
		assert_true(checked >= 9);
		free(cfg);
	}
	free(rules);
}

/* --- pasted logs ----------------------------------------------------------------------- */

/* The normaliser gives back the lines OpenOCD printed, whatever wrapped them. */
static void test_paste_clean(void **state)
{
	(void)state;
	static const struct {
		const char *pasted, *want;
	} cases[] = {
		{ "Info : a\r\nError: b\r\n", "Info : a\nError: b\n" },
		{ "Info : a\rError: b", "Info : a\nError: b\n" },
		{ "\x1b[31mError: \x1b[1;33mopen failed\x1b[0m\n", "Error: open failed\n" },
		{ "[2023-06-26T19:37:37.428Z] Error: open failed\n", "Error: open failed\n" },
		{ "12:01:02.345 Info : Target voltage: 3.2\n", "Info : Target voltage: 3.2\n" },
		{ "openocd_1    | Error: init mode failed\n", "Error: init mode failed\n" },
		{ "~\"Error: open failed\\n\"\n", "Error: open failed\n" },
		{ "(gdb) > Error: x\n", "Error: x\n" },
		{ "    Error: indented\t \n", "Error: indented\n" },
		{ "Error: 270 49 stlink_usb.c:1672 stlink_usb_open(): **open failed**\n",
		  "Error: 270 49 stlink_usb.c:1672 stlink_usb_open(): open failed\n" },
		{ "** OpenOCD init failed **\n", "** OpenOCD init failed **\n" },
		{ "C:\\Users\\*****\\x\n", "C:\\Users\\*****\\x\n" },
		/* a Windows console wraps at 80 columns; the rest is joined back */
		{ "Info : The selected transport took over low-level target control. The results mi\n"
		  "ght differ compared to plain JTAG/SWD\nError: open failed\n",
		  "Info : The selected transport took over low-level target control. The results might "
		  "differ compared to plain JTAG/SWD\nError: open failed\n" },
		/* a line of 80 characters followed by an OpenOCD line is not joined */
		{ "Info : 0123456789012345678901234567890123456789012345678901234567890123456789012\n"
		  "Error: x\n",
		  "Info : 0123456789012345678901234567890123456789012345678901234567890123456789012\n"
		  "Error: x\n" },
		{ "", "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = diag_paste_clean(cases[i].pasted, strlen(cases[i].pasted));
		assert_non_null(got);
		if (strcmp(got, cases[i].want) != 0)
			print_error("case %zu: got \"%s\"\n", i, got);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

/* A log pasted from an IDE (timestamps, colour, CRLF) reads like the clean one. */
static void test_paste_classifies_like_clean(void **state)
{
	(void)state;
	static const char clean[] =
		"Info : STLINK V2J37S7 (API v2) VID:PID 0483:3748\n"
		"Info : Target voltage: 3.214229\n"
		"Warn : UNEXPECTED idcode: 0x2ba01477\n"
		"Error: expected 1 of 1: 0x1ba01477\n";
	static const char pasted[] =
		"[12:00:01] \x1b[32mInfo : STLINK V2J37S7 (API v2) VID:PID 0483:3748\x1b[0m\r\n"
		"[12:00:01] \x1b[32mInfo : Target voltage: 3.214229\x1b[0m\r\n"
		"[12:00:01] \x1b[33mWarn : UNEXPECTED idcode: 0x2ba01477\x1b[0m\r\n"
		"[12:00:01] \x1b[31mError: expected 1 of 1: 0x1ba01477\x1b[0m\r\n"
		"(gdb) \r\n";
	struct diag_report *a = diag_classify_log(clean), *b = diag_classify_log(pasted);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->findings[0].id, DIAG_CLONE_IDCODE);
	assert_int_equal(b->findings[0].id, a->findings[0].id);
	assert_int_equal(b->findings[0].confidence, a->findings[0].confidence);
	assert_true(b->findings[0].n_evidence >= 1);
	assert_true(evidence_has(&b->findings[0], "UNEXPECTED idcode: 0x2ba01477"));
	diag_report_free(a);
	diag_report_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_paste_clean),
		cmocka_unit_test(test_paste_classifies_like_clean),
		cmocka_unit_test(test_feed_split_every_byte),
		cmocka_unit_test(test_feed_crlf_and_partial),
		cmocka_unit_test(test_rule_table),
		cmocka_unit_test(test_fix_texts_name_real_options),
		cmocka_unit_test(test_id_names),
		cmocka_unit_test(test_rdp_by_option_bytes),
		cmocka_unit_test(test_wrp_by_option_bytes),
		cmocka_unit_test(test_protection_log_only_is_hedged),
		cmocka_unit_test(test_protection_neither),
		cmocka_unit_test(test_rdp_from_reads),
		cmocka_unit_test(test_clone_on_f1_profile),
		cmocka_unit_test(test_clone_idcode_expected_on_f4),
		cmocka_unit_test(test_clone_idcode_on_other_family),
		cmocka_unit_test(test_silent_idcode_failure),
		cmocka_unit_test(test_counterfeit_by_cpuid),
		cmocka_unit_test(test_wrong_dev_id),
		cmocka_unit_test(test_flash_size_mismatch),
		cmocka_unit_test(test_openocd_facts),
		cmocka_unit_test(test_probe_firmware_fact),
		cmocka_unit_test(test_verify_facts),
		cmocka_unit_test(test_unknown_shows_error_lines),
		cmocka_unit_test(test_ranking_unpowered_over_unreachable),
		cmocka_unit_test(test_ranking_permission_over_not_found),
		cmocka_unit_test(test_evidence_shown_once),
		cmocka_unit_test(test_debug_level_prefix),
		cmocka_unit_test(test_ranking_flaky_link),
		cmocka_unit_test(test_speed_steps),
		cmocka_unit_test(test_recovery_sequence),
		cmocka_unit_test(test_recovery_refuses),
		cmocka_unit_test(test_rescue_under_reset),
		cmocka_unit_test(test_rescue_after_silent_start),
		cmocka_unit_test(test_rescue_low_power_and_speed),
		cmocka_unit_test(test_udev_rules),
		cmocka_unit_test(test_dfu_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
