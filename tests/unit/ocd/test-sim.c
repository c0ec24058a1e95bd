/* test-sim.c - session operations end to end: the real OpenOCD against swdbackup-sim
 * (a virtual STM32F407 behind a virtual ST-LINK). Skips (77) without openocd. */
#include "children.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "core/err.h"
#include "ocd/process.h"
#include "ocd/checksum.h"
#include "ocd/session-test.h"

#ifndef OCD_TEST_SIM
#error "OCD_TEST_SIM must name the swdbackup-sim executable"
#endif

#define FLASH_BASE 0x08000000u
#define FLASH_SIZE (1024u * 1024u)
#define IMAGE_SIZE 23552u
#define UID_HEX "0123456789abcdef00112233"

static char tmpdir[256];
static bool sim_realistic;       /* next sim_start() uses --timing realistic */
static struct sim *running_sim;  /* killed by teardown if a test failed midway */
static char work[512];     /* hostile directory name for files OpenOCD reads/writes */

/* ---- the simulator, started with libuv; its port file is awaited with a fs event ----- */

struct sim {
	uv_loop_t loop;
	uv_process_t proc;
	uv_fs_event_t watch;
	bool exited;
	unsigned port;
	char portfile[600];
};

static void sim_exit(uv_process_t *p, int64_t status, int sig)
{
	struct sim *s = p->data;

	(void)status;
	(void)sig;
	s->exited = true;
}

static void sim_try_port(struct sim *s)
{
	FILE *f = fopen(s->portfile, "r");

	if (f) {
		if (fscanf(f, "%u", &s->port) != 1)
			s->port = 0;
		fclose(f);
	}
}

static void on_fs(uv_fs_event_t *h, const char *name, int events, int status)
{
	(void)name;
	(void)events;
	(void)status;
	sim_try_port(h->data);
}

static void sim_start(struct sim *s, const char *model, const char *flash, const char *fault)
{
	char *args[16];
	int n = 0;
	uv_process_options_t o;
	uv_stdio_container_t io[3];

	memset(s, 0, sizeof(*s));
	snprintf(s->portfile, sizeof(s->portfile), "%s/port", tmpdir);
	unlink(s->portfile);
	assert_int_equal(uv_loop_init(&s->loop), 0);
	assert_int_equal(uv_fs_event_init(&s->loop, &s->watch), 0);
	s->watch.data = s;
	assert_int_equal(uv_fs_event_start(&s->watch, on_fs, tmpdir, 0), 0);
	args[n++] = (char *)OCD_TEST_SIM;
	args[n++] = (char *)"--model";
	args[n++] = (char *)model;
	args[n++] = (char *)"--flash";
	args[n++] = (char *)flash;
	args[n++] = (char *)"--port";
	args[n++] = (char *)"0";
	args[n++] = (char *)"--portfile";
	args[n++] = s->portfile;
	args[n++] = (char *)"--uid";
	args[n++] = (char *)UID_HEX;
	if (fault) {
		args[n++] = (char *)"--fault";
		args[n++] = (char *)fault;
	}
	if (sim_realistic) {
		args[n++] = (char *)"--timing";
		args[n++] = (char *)"realistic";
	}
	args[n] = NULL;
	memset(&o, 0, sizeof(o));
	io[0].flags = UV_IGNORE;
	io[1].flags = UV_INHERIT_FD;
	io[1].data.fd = 2;
	io[2].flags = UV_INHERIT_FD;
	io[2].data.fd = 2;
	o.file = OCD_TEST_SIM;
	o.args = args;
	o.stdio = io;
	o.stdio_count = 3;
	o.exit_cb = sim_exit;
	s->proc.data = s;
	assert_int_equal(uv_spawn(&s->loop, &s->proc, &o), 0);
	sim_try_port(s);
	while (!s->port && !s->exited)
		uv_run(&s->loop, UV_RUN_ONCE);
	running_sim = s;
	assert_true(s->port > 0);
	uv_fs_event_stop(&s->watch);
}

static void sim_stop(struct sim *s)
{
	running_sim = NULL;
	if (!s->exited)
		uv_process_kill(&s->proc, SIGTERM);
	while (!s->exited)
		uv_run(&s->loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&s->proc, NULL);
	uv_close((uv_handle_t *)&s->watch, NULL);
	uv_run(&s->loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&s->loop), 0);
}

/* ---- helpers ------------------------------------------------------------------------- */

struct progress_log {
	char what[32];
	uint64_t last_done, total;
	unsigned events;
	bool monotonic;
	struct ocd_session *kill_after_first;  /* SIGKILL OpenOCD on the first event > 0 */
	bool sigint_after_first;               /* raise SIGINT on the first event > 0 */
};

static void on_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
	struct progress_log *p = ud;

	if (strcmp(p->what, what) != 0) {
		snprintf(p->what, sizeof(p->what), "%s", what);
		p->last_done = 0;
	} else if (done < p->last_done) {
		p->monotonic = false;
	}
	p->last_done = done;
	p->total = total;
	p->events++;
	if (p->kill_after_first && done > 0) {
		kill(ocd_session_pid(p->kill_after_first), SIGKILL);
		p->kill_after_first = NULL;
	}
	if (p->sigint_after_first && done > 0) {
		raise(SIGINT);
		p->sigint_after_first = false;
	}
}

static void config(struct ocd_session_config *c, struct sim *sim, struct progress_log *pl)
{
	static const struct ocdproc_var vars[] = { { "CHIPNAME", "stm32f4x" } };

	memset(c, 0, sizeof(*c));
	c->proc.interface_cfg = "interface/stlink.cfg";
	c->proc.probe = OCDPROC_PROBE_STLINK_TCP;
	c->proc.stlink_port = sim->port;
	c->proc.vars = vars;
	c->proc.nvars = 1;
	c->proc.target_cfg = "target/stm32f4x.cfg";
	c->on_progress = on_progress;
	c->ud = pl;
	c->no_signals = true;
}

static void write_bytes(const char *path, const uint8_t *d, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(d, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static uint8_t *read_bytes(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *d;
	long sz;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	fseek(f, 0, SEEK_SET);
	d = malloc((size_t)sz + 1);
	assert_int_equal(fread(d, 1, (size_t)sz, f), (size_t)sz);
	fclose(f);
	*n = (size_t)sz;
	return d;
}

static const struct ocd_sector f4_sectors[] = {
	{ 0, 0x00000, 0x4000 },  { 1, 0x04000, 0x4000 },  { 2, 0x08000, 0x4000 },
	{ 3, 0x0C000, 0x4000 },  { 4, 0x10000, 0x10000 }, { 5, 0x20000, 0x20000 },
	{ 6, 0x40000, 0x20000 }, { 7, 0x60000, 0x20000 }, { 8, 0x80000, 0x20000 },
	{ 9, 0xA0000, 0x20000 }, { 10, 0xC0000, 0x20000 }, { 11, 0xE0000, 0x20000 },
};

static int setup(void **state)
{
	char t[] = "/tmp/swd-ocdsim-XXXXXX";

	(void)state;
	if (!mkdtemp(t))
		return -1;
	snprintf(tmpdir, sizeof(tmpdir), "%s", t);
	snprintf(work, sizeof(work), "%s/out [1] $x {y ;\"z", tmpdir);
	return mkdir(work, 0700);
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	if (running_sim && !running_sim->exited)
		kill(running_sim->proc.pid, SIGKILL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- tests --------------------------------------------------------------------------- */

static void test_backup_cycle(void **state)
{
	static struct sim sim;
	struct ocd_session_config c;
	struct progress_log pl = { .monotonic = true };
	struct ocd_session *s = NULL;
	struct ocdlog_probe pi;
	struct ocd_identity id;
	const struct ocd_identity_regs regs = { 0xE0042000, 0x1FFF7A22, 0x1FFF7A10 };
	struct ocd_verify_result vr;
	struct swd_error err;
	char flash[600], image[600], bad[600], dump[600], *text = NULL;
	uint8_t img[IMAGE_SIZE], *back;
	uint8_t ob[4];
	size_t n;
	uint32_t x = 12345;
	int code;

	(void)state;
	swd_error_init(&err);
	snprintf(flash, sizeof(flash), "%s/board.bin", tmpdir);
	snprintf(image, sizeof(image), "%s/image [a].bin", work);
	snprintf(bad, sizeof(bad), "%s/bad {b.bin", work);
	snprintf(dump, sizeof(dump), "%s/flash $dump.bin", work);
	for (size_t i = 0; i < sizeof(img); i++) {
		x = x * 1103515245u + 12345u;
		img[i] = (uint8_t)(x >> 16);
	}
	write_bytes(image, img, sizeof(img));
	img[0x1234] ^= 0x5a;
	write_bytes(bad, img, sizeof(img));
	img[0x1234] ^= 0x5a;

	sim_start(&sim, "stm32f407vg", flash, NULL);
	config(&c, &sim, &pl);
	c.proc.adapter_khz = 4000;
	assert_int_equal(ocd_session_start(&c, &s, &pi, &err), 0);
	assert_string_equal(pi.adapter, "stlink");
	assert_string_equal(pi.firmware, "V2J37S7");
	assert_int_equal(pi.api_version, 2);
	assert_int_equal(pi.vid, 0x0483);
	assert_int_equal(pi.pid, 0x3748);
	assert_true(pi.has_voltage);
	assert_true(pi.target_voltage > 3.2 && pi.target_voltage < 3.4);
	assert_string_equal(pi.server_version, "2.1.0");
	assert_string_equal(pi.cpu, "Cortex-M4 r0p1");

	assert_int_equal(ocd_identify(s, &regs, &id, &err), 0);
	assert_int_equal(id.cpuid, 0x410FC241);
	assert_int_equal(id.dbgmcu_idcode & 0xfff, 0x413);
	assert_int_equal(id.flash_size_kib, 1024);
	assert_memory_equal(id.uid, "\x01\x23\x45\x67\x89\xab\xcd\xef\x00\x11\x22\x33", 12);

	/* Program with per-sector erase, then verify on the target. */
	{
		char scratch[700];

		snprintf(scratch, sizeof(scratch), "%s/chunk [c] $s {.bin", work);
		struct ocd_program_args a = { .data = img, .len = sizeof(img), .scratch = scratch,
		                              .bank_base = FLASH_BASE, .sectors = f4_sectors, .nsectors = 12 };

		assert_int_equal(ocd_program(s, &a, &err), 0);
		assert_int_not_equal(access(scratch, F_OK), 0); /* the scratch file is removed */
		/* The reset halt inside kept the requested speed (stm32f4x.cfg's
		 * reset-start handler sets 2000 kHz). */
		assert_int_equal(ocd_command(s, "adapter speed", &code, &text, &err), 0);
		assert_int_equal(code, 0);
		assert_non_null(strstr(text, "4000"));
		free(text);
		text = NULL;
		assert_string_equal(pl.what, "programming");
		assert_int_equal(pl.last_done, IMAGE_SIZE);
		assert_true(pl.monotonic);
	}
	assert_int_equal(ocd_verify_image(s, image, FLASH_BASE, &vr, &err), 0);
	assert_true(vr.match);
	assert_int_equal(vr.bytes, IMAGE_SIZE);

	/* A one-byte difference is found, with its address. */
	assert_int_equal(ocd_verify_image(s, bad, FLASH_BASE, &vr, &err), SWD_EVERIFY);
	assert_false(vr.match);
	assert_true(vr.has_first_diff);
	assert_int_equal(vr.first_diff_address, FLASH_BASE + 0x1234);
	assert_int_equal(vr.ndiff_lines, 1);
	assert_non_null(strstr(err.msg, "0x08001234"));
	swd_error_init(&err);
	assert_int_equal(ocd_verify_bank(s, 0, bad, 0, &vr, &err), SWD_EVERIFY);
	assert_int_equal(vr.first_diff_address, 0x1234);
	swd_error_init(&err);
	assert_int_equal(ocd_verify_bank(s, 0, image, 0, &vr, &err), 0);
	assert_true(vr.match);

	/* Read all of flash, in chunks, to a file with a hostile name. */
	pl.events = 0;
	pl.monotonic = true;
	assert_int_equal(ocd_read_flash(s, 0, 0, FLASH_SIZE, dump, &err), 0);
	assert_string_equal(pl.what, "reading flash");
	assert_int_equal(pl.last_done, FLASH_SIZE);
	assert_int_equal(pl.total, FLASH_SIZE);
	assert_true(pl.events > 2);
	assert_true(pl.monotonic);
	back = read_bytes(dump, &n);
	assert_int_equal(n, FLASH_SIZE);
	assert_memory_equal(back, img, IMAGE_SIZE);
	for (size_t i = IMAGE_SIZE; i < 0x8000; i++)   /* erased rest of the last sector */
		assert_int_equal(back[i], 0xff);
	free(back);
	{
		char chunk[700];
		struct stat st;

		snprintf(chunk, sizeof(chunk), "%s.chunk0", dump);
		assert_int_equal(stat(chunk, &st), -1); /* scratch files are gone */
	}
	/* The whole 1 MiB dump verifies; one flipped byte far in is found at its address. */
	assert_int_equal(ocd_verify_image(s, dump, FLASH_BASE, &vr, &err), 0);
	assert_true(vr.match);
	assert_int_equal(vr.bytes, FLASH_SIZE);
	assert_string_equal(pl.what, "verifying");
	assert_int_equal(pl.last_done, FLASH_SIZE);
	back = read_bytes(dump, &n);
	back[0x9abcd] ^= 0x01;
	write_bytes(bad, back, n);
	free(back);
	assert_int_equal(ocd_verify_image(s, bad, FLASH_BASE, &vr, &err), SWD_EVERIFY);
	assert_false(vr.match);
	assert_int_equal(vr.first_diff_address, FLASH_BASE + 0x9abcd);
	swd_error_init(&err);
	/* bad is reused below with its original meaning */
	img[0x1234] ^= 0x5a;
	write_bytes(bad, img, sizeof(img));
	img[0x1234] ^= 0x5a;

	/* An odd offset and length. */
	assert_int_equal(ocd_read_flash(s, 0, 3, 70001, dump, &err), 0);
	back = read_bytes(dump, &n);
	assert_int_equal(n, 70001);
	assert_memory_equal(back, img + 3, IMAGE_SIZE - 3);
	free(back);

	/* write_image erase in one command (no sector map), then verify it. */
	{
		char scratch[700];
		uint8_t *bytes = read_bytes(bad, &n);

		snprintf(scratch, sizeof(scratch), "%s/whole [w] $s {.bin", work);
		struct ocd_program_args a = { .data = bytes, .len = n, .scratch = scratch, .bank_base = FLASH_BASE };

		assert_int_equal(ocd_program(s, &a, &err), 0);
		assert_int_not_equal(access(scratch, F_OK), 0);
		free(bytes);
		assert_int_equal(ocd_verify_image(s, bad, FLASH_BASE, &vr, &err), 0);
		assert_true(vr.match);
		assert_int_equal(ocd_verify_image(s, image, FLASH_BASE, &vr, &err), SWD_EVERIFY);
		swd_error_init(&err);
	}

	/* SRAM round trip with write_memory/read_memory at each width. */
	{
		static const uint8_t pat[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
		uint8_t got[8];

		for (unsigned w = 8; w <= 32; w *= 2) {
			memset(got, 0, sizeof(got));
			assert_int_equal(ocd_write_memory(s, 0x20001000, w, 64 / w, pat, &err), 0);
			assert_int_equal(ocd_read_memory(s, 0x20001000, w, 64 / w, got, &err), 0);
			assert_memory_equal(got, pat, 8);
			assert_int_equal(ocd_read_memory(s, 0x20001000, 32, 1, got, &err), 0);
			assert_memory_equal(got, pat, 4);
		}
	}

	/* Small reads: option bytes as the factory left them. */
	assert_int_equal(ocd_read_memory(s, 0x40023C14, 32, 1, ob, &err), 0);
	assert_memory_equal(ob, "\xed\xaa\xff\x0f", 4);
	assert_int_equal(ocd_options_read(s, "stm32f2x", 0, &text, &err), 0);
	assert_non_null(strstr(text, "user_options"));
	free(text);

	/* A failing command is an error with OpenOCD's code and the session goes on. */
	assert_int_equal(ocd_read_flash(s, 7, 0, 16, dump, &err), SWD_ETARGETFAILED);
	assert_int_not_equal(ocd_session_failure(s)->ocd_code, 0);
	assert_non_null(ocd_session_failure(s)->command);
	swd_error_init(&err);
	assert_int_equal(ocd_reset(s, OCD_RESET_RUN, &err), 0);
	assert_int_equal(ocd_session_stop(s, &err), 0);
	assert_int_equal(ocd_session_failure(s)->exit_status, 0);
	ocd_session_free(s);
	assert_int_equal(err.code, 0);
	sim_stop(&sim);
}

/* OpenOCD killed in the middle of a read: reported as such, promptly. */
static void test_killed_during_read(void **state)
{
	static struct sim sim;
	struct ocd_session_config c;
	struct progress_log pl = { .monotonic = true };
	struct ocd_session *s = NULL;
	struct swd_error err;
	char flash[600], dump[600];

	(void)state;
	swd_error_init(&err);
	snprintf(flash, sizeof(flash), "%s/board2.bin", tmpdir);
	snprintf(dump, sizeof(dump), "%s/killed.bin", work);
	sim_start(&sim, "stm32f407vg", flash, NULL);
	config(&c, &sim, &pl);
	assert_int_equal(ocd_session_start(&c, &s, NULL, &err), 0);
	pl.kill_after_first = s;
	assert_int_equal(ocd_read_flash(s, 0, 0, FLASH_SIZE, dump, &err), SWD_EOCDDIED);
	assert_non_null(strstr(err.msg, "killed by signal 9"));
	assert_true(ocd_session_failure(s)->exited);
	ocd_session_free(s);
	sim_stop(&sim);
}

static bool dhcsr_halted(struct ocd_session *s)
{
	uint8_t d[4];

	assert_int_equal(ocd_read_memory(s, 0xE000EDF0, 32, 1, d, NULL), 0);
	return d[2] & 0x02; /* S_HALT, bit 17 */
}

/* Ctrl-C in the middle of a read: "interrupted", OpenOCD still shut down politely, and
 * no scratch file left beside the output. */
static void test_interrupted_read(void **state)
{
	static struct sim sim;
	struct ocd_session_config c;
	struct progress_log pl = { .monotonic = true };
	struct ocd_session *s = NULL;
	struct swd_error err;
	char flash[600], dump[600], chunk[700];
	struct stat st;

	(void)state;
	swd_error_init(&err);
	snprintf(flash, sizeof(flash), "%s/board7.bin", tmpdir);
	snprintf(dump, sizeof(dump), "%s/interrupted.bin", work);
	/* Realistic timing, so a chunk is still being read when the signal lands. */
	sim_realistic = true;
	sim_start(&sim, "stm32f407vg", flash, NULL);
	sim_realistic = false;
	config(&c, &sim, &pl);
	c.no_signals = false;
	assert_int_equal(ocd_session_start(&c, &s, NULL, &err), 0);
	assert_int_equal(ocd_reset(s, OCD_RESET_HALT, &err), 0);
	pl.sigint_after_first = true;
	assert_int_equal(ocd_read_flash(s, 0, 0, FLASH_SIZE, dump, &err), SWD_EINTR);
	assert_true(pl.last_done < FLASH_SIZE);
	assert_int_equal(ocd_session_stop(s, NULL), 0);
	/* Checked once OpenOCD is gone: it can no longer write anything. */
	for (int i = 0; i < 2; i++) {
		snprintf(chunk, sizeof(chunk), "%s.chunk%d", dump, i);
		assert_int_equal(stat(chunk, &st), -1);
	}
	assert_true(ocd_session_failure(s)->exited);
	assert_int_equal(ocd_session_failure(s)->exit_status, 0);
	assert_int_equal(ocd_session_failure(s)->code, SWD_EINTR);
	ocd_session_free(s);

	/* The target halted by the interrupted session was resumed before shutdown. */
	c.no_signals = true;
	assert_int_equal(ocd_session_start(&c, &s, NULL, &err), 0);
	assert_false(dhcsr_halted(s));
	ocd_session_free(s);
	sim_stop(&sim);
}

/* Readout protection: the read is refused and classified as protection. */
static void test_rdp_read_refused(void **state)
{
	static struct sim sim;
	struct ocd_session_config c;
	struct progress_log pl = { .monotonic = true };
	struct ocd_session *s = NULL;
	struct swd_error err;
	char flash[600], dump[600];
	int rc;

	(void)state;
	swd_error_init(&err);
	snprintf(flash, sizeof(flash), "%s/board3.bin", tmpdir);
	snprintf(dump, sizeof(dump), "%s/rdp.bin", work);
	sim_start(&sim, "stm32f407vg", flash, "rdp1");
	config(&c, &sim, &pl);
	assert_int_equal(ocd_session_start(&c, &s, NULL, &err), 0);
	rc = ocd_read_flash(s, 0, 0, 65536, dump, &err);
	/* The read alone cannot tell RDP from a bus fault; the caller reads the option
	 * bytes to say which. */
	assert_int_equal(rc, SWD_ETARGETFAILED);
	print_message("rdp1 read: %s (%s)\n", swd_err_name(rc), err.msg);
	assert_non_null(strstr(err.msg, "reading flash at offset 0x00000000 failed"));
	ocd_session_free(s);
	sim_stop(&sim);
}

/* No board answering: OpenOCD's init fails and the cause is classified. */
static void test_unpowered_target(void **state)
{
	static struct sim sim;
	struct ocd_session_config c;
	struct progress_log pl = { .monotonic = true };
	struct ocd_session *s = NULL;
	struct swd_error err;
	char flash[600];
	struct ocdlog_probe pi;
	int rc;

	(void)state;
	swd_error_init(&err);
	snprintf(flash, sizeof(flash), "%s/board4.bin", tmpdir);
	sim_start(&sim, "stm32f407vg", flash, "unpowered");
	config(&c, &sim, &pl);
	rc = ocd_session_start(&c, &s, &pi, &err);
	print_message("unpowered: %s (%s)\n", swd_err_name(rc), err.msg);
	/* The probe answered before the target did not: its facts are still there. */
	assert_string_equal(pi.firmware, "V2J37S7");
	assert_true(pi.has_voltage);
	assert_int_equal(rc, SWD_ETARGETNORESP);
	assert_true(ocd_session_failure(s)->exited);
	ocd_session_free(s);
	sim_stop(&sim);
}

/* Nothing listens on the ST-LINK TCP port: the probe is missing. */
static void test_no_stlink_server(void **state)
{
	struct sim sim = { .port = 1 };  /* nothing listens on port 1 */
	struct ocd_session_config c;
	struct progress_log pl = { .monotonic = true };
	struct ocd_session *s = NULL;
	struct swd_error err;

	(void)state;
	swd_error_init(&err);
	config(&c, &sim, &pl);
	assert_int_equal(ocd_session_start(&c, &s, NULL, &err), SWD_EPROBENOTFOUND);
	assert_non_null(strstr(err.msg, "cannot connect to stlink server"));
	ocd_session_free(s);
}

/* A target the session halted is resumed at stop, unless asked to stay halted. */
static void test_resume_on_stop(void **state)
{
	static struct sim sim;
	struct ocd_session_config c;
	struct progress_log pl = { .monotonic = true };
	struct ocd_session *s = NULL;
	struct swd_error err;
	char flash[600];

	(void)state;
	swd_error_init(&err);
	snprintf(flash, sizeof(flash), "%s/board5.bin", tmpdir);
	sim_start(&sim, "stm32f407vg", flash, NULL);
	config(&c, &sim, &pl);

	assert_int_equal(ocd_session_start(&c, &s, NULL, &err), 0);
	assert_int_equal(ocd_reset(s, OCD_RESET_HALT, &err), 0);
	assert_string_equal(ocd_target_state(s), "halted");
	assert_true(dhcsr_halted(s));
	assert_int_equal(ocd_session_stop(s, &err), 0);
	ocd_session_free(s);

	assert_int_equal(ocd_session_start(&c, &s, NULL, &err), 0);
	assert_false(dhcsr_halted(s));
	assert_int_equal(ocd_halt(s, &err), 0);
	assert_true(dhcsr_halted(s));
	ocd_keep_halted(s);
	ocd_session_free(s);

	assert_int_equal(ocd_session_start(&c, &s, NULL, &err), 0);
	assert_true(dhcsr_halted(s));
	assert_int_equal(ocd_resume(s, &err), 0);
	assert_string_equal(ocd_target_state(s), "running");
	ocd_session_free(s);
	assert_int_equal(err.code, 0);
	sim_stop(&sim);
}

/* F1 option bytes: options_read text, lock and unlock through the driver. */
static void test_f1_options(void **state)
{
	static struct sim sim;
	struct ocd_session_config c;
	struct progress_log pl = { .monotonic = true };
	struct ocd_session *s = NULL;
	struct swd_error err;
	char flash[600], *text = NULL;
	const struct ocd_identity_regs regs = { 0xE0042000, 0x1FFFF7E0, 0x1FFFF7E8 };
	struct ocd_identity id;

	(void)state;
	swd_error_init(&err);
	snprintf(flash, sizeof(flash), "%s/board6.bin", tmpdir);
	sim_start(&sim, "stm32f103c8", flash, NULL);
	config(&c, &sim, &pl);
	c.proc.target_cfg = "target/stm32f1x.cfg";
	/* The target config's own work area: programming goes through the on-target loader. */
	c.proc.vars = NULL;
	c.proc.nvars = 0;
	assert_int_equal(ocd_session_start(&c, &s, NULL, &err), 0);
	assert_int_equal(ocd_identify(s, &regs, &id, &err), 0);
	assert_int_equal(id.cpuid, 0x411FC231);
	assert_int_equal(id.dbgmcu_idcode & 0xfff, 0x410);
	assert_int_equal(id.flash_size_kib, 64);
	/* Program an odd-sized image over 1 KiB pages, page by page. */
	{
		struct ocd_sector pages[64];
		uint8_t img[3001];
		char path[700];
		struct ocd_verify_result vr;

		for (unsigned i = 0; i < 64; i++)
			pages[i] = (struct ocd_sector){ i, i * 1024, 1024 };
		for (size_t i = 0; i < sizeof(img); i++)
			img[i] = (uint8_t)(i * 7 + 3);
		snprintf(path, sizeof(path), "%s/f1 image.bin", work);
		write_bytes(path, img, sizeof(img));
		char scratch[700];

		snprintf(scratch, sizeof(scratch), "%s/f1 chunk.bin", work);
		struct ocd_program_args a = { .data = img, .len = sizeof(img), .scratch = scratch,
		                              .bank_base = FLASH_BASE, .sectors = pages, .nsectors = 64 };
		assert_int_equal(ocd_program(s, &a, &err), 0);
		assert_int_equal(ocd_verify_image(s, path, FLASH_BASE, &vr, &err), 0);
		assert_true(vr.match);
		assert_int_equal(vr.bytes, sizeof(img));
	}
	/* An image that ends in erased bytes: pages 0-7 hold other data first; all eight are
	 * erased, only the first 1000 bytes are programmed, and the rest reads back 0xFF. */
	{
		struct ocd_sector pages[64];
		static uint8_t img[8192];
		char path[700];
		struct ocd_verify_result vr;

		for (unsigned i = 0; i < 64; i++)
			pages[i] = (struct ocd_sector){ i, i * 1024, 1024 };
		for (size_t i = 0; i < sizeof(img); i++)
			img[i] = (uint8_t)(i * 13 + 1) == 0xff ? 0 : (uint8_t)(i * 13 + 1);
		snprintf(path, sizeof(path), "%s/f1 junk.bin", work);
		write_bytes(path, img, sizeof(img));
		char scratch[700];

		snprintf(scratch, sizeof(scratch), "%s/f1 chunk.bin", work);
		struct ocd_program_args a = { .data = img, .len = sizeof(img), .scratch = scratch,
		                              .bank_base = FLASH_BASE, .sectors = pages, .nsectors = 64 };
		assert_int_equal(ocd_program(s, &a, &err), 0);
		memset(img + 997, 0xff, sizeof(img) - 997);
		snprintf(path, sizeof(path), "%s/f1 padded.bin", work);
		write_bytes(path, img, sizeof(img));
		assert_int_equal(ocd_program(s, &a, &err), 0);
		assert_string_equal(pl.what, "programming");
		assert_int_equal(pl.total, 1000);
		assert_int_equal(pl.last_done, 1000);
		assert_int_equal(ocd_verify_image(s, path, FLASH_BASE, &vr, &err), 0);
		assert_true(vr.match);
		assert_int_equal(vr.bytes, sizeof(img));
	}
	assert_int_equal(ocd_reset(s, OCD_RESET_HALT, &err), 0);
	assert_int_equal(ocd_options_read(s, "stm32f1x", 0, &text, &err), 0);
	assert_non_null(strstr(text, "read protection: off"));
	free(text);
	assert_int_equal(ocd_options_lock(s, "stm32f1x", 0, &err), 0);
	assert_int_equal(ocd_reset(s, OCD_RESET_HALT, &err), 0);
	assert_int_equal(ocd_options_read(s, "stm32f1x", 0, &text, &err), 0);
	assert_non_null(strstr(text, "read protection: on"));
	free(text);
	assert_int_equal(ocd_options_unlock(s, "stm32f1x", 0, &err), 0);
	assert_int_equal(ocd_reset(s, OCD_RESET_HALT, &err), 0);
	assert_int_equal(ocd_options_read(s, "stm32f1x", 0, &text, &err), 0);
	assert_non_null(strstr(text, "read protection: off"));
	free(text);
	/* A running core (OpenOCD's F1 driver refuses option writes then): every write starts
	 * from the session's own reset halt, so the lock goes through. */
	assert_int_equal(ocd_reset(s, OCD_RESET_RUN, &err), 0);
	assert_int_equal(ocd_options_lock(s, "stm32f1x", 0, &err), 0);
	assert_int_equal(ocd_reset(s, OCD_RESET_HALT, &err), 0);
	assert_int_equal(ocd_options_read(s, "stm32f1x", 0, &text, &err), 0);
	assert_non_null(strstr(text, "read protection: on"));
	free(text);
	assert_int_equal(ocd_options_unlock(s, "stm32f1x", 0, &err), 0);
	ocd_session_free(s);
	sim_stop(&sim);
}

/* Our CRC routine through OpenOCD (ocd/checksum.c): one CRC per F407 sector from the
 * simulated CRC unit, the same as the host's; registers and the CRC clock gate as they
 * were afterwards; a differing sector found; and OpenOCD's verify_image used, and said,
 * when there is no work area or the core faults running the routine. */
static void test_checksum_on_target(void **state)
{
	static struct sim sim;
	struct ocd_session_config c;
	struct progress_log pl = { .monotonic = true };
	struct ocd_session *s = NULL;
	struct swd_error err;
	const struct ocd_checksum_area area = { 0x20000000, 0x8000, 0x40023830, 1u << 12 };
	const struct ocd_checksum_area ccm = { 0x10000000, 0x8000, 0x40023830, 1u << 12 };
	struct ocd_crc_range r[12];
	uint32_t crcs[12], enr[2];
	bool differs[12];
	enum ocd_checksum_method method;
	char flash[600], why[256], *pc[2] = { NULL, NULL };
	size_t size = 0x100000;
	uint8_t *img = malloc(size);
	uint32_t x = 777;
	int code;

	(void)state;
	swd_error_init(&err);
	for (size_t i = 0; i < size; i++) {
		x = x * 1103515245u + 12345u;
		img[i] = (uint8_t)(x >> 16);
	}
	snprintf(flash, sizeof(flash), "%s/board-crc.bin", tmpdir);
	write_bytes(flash, img, size);
	for (size_t i = 0; i < 12; i++) {
		r[i].address = 0x08000000 + f4_sectors[i].offset;
		r[i].size = f4_sectors[i].size;
	}
	sim_start(&sim, "stm32f407vg", flash, NULL);
	config(&c, &sim, &pl);
	assert_int_equal(ocd_session_start(&c, &s, NULL, &err), 0);
	assert_int_equal(ocd_reset(s, OCD_RESET_HALT, &err), 0);
	assert_int_equal(ocd_command(s, "reg pc", &code, &pc[0], &err), 0);
	assert_int_equal(ocd_read_memory(s, 0x40023830, 32, 1, &enr[0], &err), 0);

	if (ocd_checksum_ranges(s, &area, r, 12, crcs, &err) != 0)
		fail_msg("%s", err.msg);
	for (size_t i = 0; i < 12; i++)
		assert_int_equal(crcs[i], ocd_crc_unit(0xFFFFFFFFu, img + f4_sectors[i].offset,
		                                       f4_sectors[i].size));
	assert_int_equal(ocd_command(s, "reg pc", &code, &pc[1], &err), 0);
	assert_string_equal(pc[0], pc[1]);
	assert_int_equal(ocd_read_memory(s, 0x40023830, 32, 1, &enr[1], &err), 0);
	assert_int_equal(enr[0], enr[1]);

	/* the image differs from the board in sector 3 only */
	img[0xC000 + 77] ^= 0x10;
	assert_int_equal(ocd_checksum_compare(s, &area, 0x08000000, img, size, r, 12, differs,
	                                      tmpdir, &method, why, sizeof(why), &err), 0);
	assert_int_equal(method, OCD_CHECKSUM_CRC_UNIT);
	assert_string_equal(why, "");
	for (size_t i = 0; i < 12; i++)
		assert_int_equal(differs[i], i == 3);
	/* no work area: verify_image, range by range */
	assert_int_equal(ocd_checksum_compare(s, NULL, 0x08000000, img, size, r, 5, differs,
	                                      tmpdir, &method, why, sizeof(why), &err), 0);
	assert_int_equal(method, OCD_CHECKSUM_VERIFY_IMAGE);
	assert_string_equal(why, "no work area for the crc routine");
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(differs[i], i == 3);
	/* code in the F4's CCM cannot be fetched: the core faults, the routine never ends */
	assert_int_equal(ocd_checksum_compare(s, &ccm, 0x08000000, img, size, r, 5, differs,
	                                      tmpdir, &method, why, sizeof(why), &err), 0);
	assert_int_equal(method, OCD_CHECKSUM_VERIFY_IMAGE);
	assert_non_null(strstr(why, "crc routine"));
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(differs[i], i == 3);
	free(pc[1]);
	pc[1] = NULL;
	assert_int_equal(ocd_command(s, "reg pc", &code, &pc[1], &err), 0);
	assert_string_equal(pc[0], pc[1]);

	assert_int_equal(ocd_session_stop(s, &err), 0);
	ocd_session_free(s);
	assert_int_equal(err.code, 0);
	sim_stop(&sim);
	free(pc[0]);
	free(pc[1]);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_backup_cycle, ocdtest_kill_children),
		cmocka_unit_test_teardown(test_killed_during_read, ocdtest_kill_children),
		cmocka_unit_test_teardown(test_interrupted_read, ocdtest_kill_children),
		cmocka_unit_test_teardown(test_rdp_read_refused, ocdtest_kill_children),
		cmocka_unit_test_teardown(test_unpowered_target, ocdtest_kill_children),
		cmocka_unit_test_teardown(test_no_stlink_server, ocdtest_kill_children),
		cmocka_unit_test_teardown(test_resume_on_stop, ocdtest_kill_children),
		cmocka_unit_test_teardown(test_f1_options, ocdtest_kill_children),
		cmocka_unit_test_teardown(test_checksum_on_target, ocdtest_kill_children),
	};
	char *path = NULL;

	if (ocdproc_find(NULL, &path, NULL) != 0) {
		fprintf(stderr, "openocd not installed: skipping\n");
		return 77;
	}
	free(path);
	return cmocka_run_group_tests(tests, setup, teardown);
}
