/* connect.c - the probe, one attempt at a link, and the recovery loop (board.h). */
#include "board/board-priv.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board/findings.h"
#include "board/usbpick.h"

static void on_log(void *ud, const char *line)
{
	struct cli_ctx *ctx = ud;

	ui_log_line(&ctx->ui, "openocd", line);
}

static void on_dfu_log(void *ud, const char *line)
{
	struct cli_ctx *ctx = ud;

	ui_log_line(&ctx->ui, "dfu-util", line);
}

static void on_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
	struct cli_ctx *ctx = ud;

	ui_progress(&ctx->ui, what, done, total);
	cli_timing_progress(ctx, what, done, total);
}

/* Feeds the link's log lines not yet fed into the evidence. */
static void feed_log(struct board *b)
{
	const char *const *lines;
	size_t n = 0;

	if (!b->link)
		return;
	lines = board_link_log(b->link, &n);
	for (size_t i = b->fed; i < n; i++) {
		diag_evidence_feed_log(&b->ev, lines[i], strlen(lines[i]));
		diag_evidence_feed_log(&b->ev, "\n", 1);
	}
	b->fed = n;
}

static bool is_sim(const struct cli_ctx *ctx)
{
	return ctx->opt.probe.kind == CLI_PROBE_SIM || ctx->opt.probe.kind == CLI_PROBE_SIM_FILE;
}

static void evidence_from_probe(struct board *b)
{
	struct cli_ctx *ctx = b->ctx;

	b->ev.probe_kind = ctx->opt.probe.kind == CLI_PROBE_DFU ? DIAG_PROBE_DFU :
			   is_sim(ctx) || ctx->opt.probe.kind == CLI_PROBE_TCP ? DIAG_PROBE_SIM :
			   ctx->opt.interface && strcmp(ctx->opt.interface, "cmsis-dap") == 0 ? DIAG_PROBE_CMSIS_DAP :
			   ctx->opt.interface && strcmp(ctx->opt.interface, "jlink") == 0 ? DIAG_PROBE_JLINK :
			   DIAG_PROBE_STLINK;
	if (b->probe.firmware[0])
		b->ev.probe_firmware = b->probe.firmware;
	if (b->probe.has_voltage)
		b->ev.target_voltage = b->probe.target_voltage;
	if (b->probe.version[0])
		b->ev.openocd_version = b->probe.version;
}

int board__check_part(const struct swd_profile *p, uint32_t dbgmcu_idcode, uint32_t cpuid,
		      struct swd_error *err)
{
	uint16_t dev = dbgmcu_idcode & 0xfff;

	if (dev == p->ids.dev_id && (!p->ids.cpuid_partno || ((cpuid >> 4) & 0xfff) == p->ids.cpuid_partno))
		return 0;
	if (swd_profile_alias(p, dev, (cpuid >> 4) & 0xfff))
		return 0;
	return swd_error_set(err, SWD_EWRONGTARGET,
			     "the target is dev id 0x%03x (cpuid 0x%08" PRIx32 "), but profile '%s' is for dev id 0x%03x; "
			     "use the profile of this part", dev, cpuid, p->name, p->ids.dev_id);
}

static enum diag_outcome outcome_of(int rc, bool at_halt)
{
	switch (rc) {
	case SWD_ETARGETNORESP: return at_halt ? DIAG_OUT_HALT_TIMEOUT : DIAG_OUT_NO_RESPONSE;
	case SWD_ETARGETFAILED: return DIAG_OUT_COMM_ERROR;
	default: return DIAG_OUT_OTHER;
	}
}

static void link_params(struct board *b, bool under_reset, unsigned speed, struct board_link_params *lp)
{
	struct cli_ctx *ctx = b->ctx;

	memset(lp, 0, sizeof(*lp));
	if (b->clone_idcode[0])
		lp->dp_idcode = (uint32_t)strtoul(b->clone_idcode, NULL, 16);
	lp->tool = ctx->opt.openocd;
	lp->interface = ctx->opt.interface;
	switch (ctx->opt.probe.kind) {
	case CLI_PROBE_SIM:
	case CLI_PROBE_SIM_FILE:
		lp->probe = BOARD_LINK_TCP;
		lp->port = (unsigned)b->sim.port;
		break;
	case CLI_PROBE_TCP:
		lp->probe = BOARD_LINK_TCP;
		lp->port = (unsigned)ctx->opt.probe.port;
		break;
	case CLI_PROBE_SERIAL:
		lp->probe = BOARD_LINK_USB_SERIAL;
		lp->serial = ctx->opt.probe.serial;
		break;
	case CLI_PROBE_DFU:
		lp->probe = BOARD_LINK_DFU;
		lp->serial = ctx->opt.probe.serial;
		lp->vid = ctx->opt.probe.vid;
		lp->pid = ctx->opt.probe.pid;
		lp->tool = ctx->opt.dfu_util;
		/* a backup reads first: the upload may start before the strings are read */
		lp->read_first = ctx->command != NULL && strcmp(ctx->command, "backup") == 0;
		break;
	default:
		lp->probe = BOARD_LINK_ANY_USB;
	}
	lp->speed_khz = speed;
	lp->under_reset = under_reset;
}

/* The identity registers are where the profile says; on another part some are not there
 * at all. If the core answers where every Cortex-M does, it is the wrong part rather than
 * a bad link: true, with err saying so. */
static bool wrong_part(struct board *b, struct swd_error *err)
{
	uint32_t cpuid = 0, idcode = 0;
	struct swd_error lerr;

	swd_error_init(&lerr);
	if (board_link_read_memory(b->link, 0xE000ED00u, 32, 1, &cpuid, &lerr) != 0 ||
	    board_link_read_memory(b->link, b->p->regs.dbgmcu_idcode, 32, 1, &idcode, &lerr) != 0 ||
	    board__check_part(b->p, idcode, cpuid, NULL) == 0)
		return false;
	b->id.cpuid = cpuid;
	b->id.dbgmcu_idcode = idcode;
	b->wrong_part = true;
	b->clone = false; /* the IDCODE was not a clone's of this part after all */
	swd_error_init(err); /* this, not the failed read, is what went wrong */
	board__check_part(b->p, idcode, cpuid, err);
	return true;
}

/* One connection attempt: bring the link up, identify, halt. On failure the link is kept
 * in b->link so its log can be read, and *outcome says how it ended. */
int board_attempt(struct board *b, bool under_reset, unsigned speed, bool halt,
		  enum diag_outcome *outcome, struct swd_error *err)
{
	struct board_link_events ev = {
		.on_log = on_log, .on_progress = on_progress, .ud = b->ctx, .interrupted = &cli_interrupted,
	};
	struct board_link_params lp;
	int rc;

	*outcome = DIAG_OUT_OTHER;
	link_params(b, under_reset, speed, &lp);
	if (lp.probe == BOARD_LINK_DFU)
		ev.on_log = on_dfu_log;
	b->fed = 0;
	b->tried = true;
	b->ev.openocd_exited = false;
	memset(&b->probe, 0, sizeof(b->probe));
	if (lp.probe == BOARD_LINK_DFU)
		rc = board_link_dfu_open(b->p, &lp, &ev, &b->link, &b->probe, err);
	else
		rc = board_link_ocd_open(b->p, &lp, &ev, &b->link, &b->probe, err);
	evidence_from_probe(b);
	if (rc == SWD_EDFUMISSING)
		b->ev.dfu_util_found = DIAG_TRI_NO;
	if (rc == SWD_EPROBENOTFOUND && lp.probe == BOARD_LINK_DFU)
		b->ev.dfu_device_found = DIAG_TRI_NO;
	if (rc != 0) {
		*outcome = outcome_of(rc, false);
		return rc;
	}
	if (lp.probe == BOARD_LINK_DFU) {
		/* a DFU bootloader is known by its ids and layout (checked as the link came up);
		 * it reads no identity register, and the core runs the bootloader, not halted */
		*outcome = DIAG_OUT_OK;
		return 0;
	}
	rc = board_link_identify(b->link, &b->id, err);
	if (rc != 0) {
		*outcome = outcome_of(rc, false);
		if (rc != SWD_EINTR && rc != SWD_EOCDDIED && wrong_part(b, err)) {
			*outcome = DIAG_OUT_OTHER;
			return err->code;
		}
		return rc;
	}
	b->identified = true;
	if (halt) {
		/* Under reset the core must be caught before the firmware runs again (it may
		 * turn SWD off), so it is a reset halt; otherwise a plain halt leaves the
		 * firmware's state alone. */
		rc = under_reset ? board_link_reset(b->link, BOARD_RESET_HALT, err) : board_link_halt(b->link, err);
		if (rc != 0) {
			*outcome = outcome_of(rc, true);
			return rc;
		}
		b->halted = true;
	}
	*outcome = DIAG_OUT_OK;
	return 0;
}

/* The evidence keeps how the tool ended: the link may be dropped (and another attempt
 * made) before the findings are drawn. */
void board__note_exit(struct board *b)
{
	struct board_link_end e;

	board_link_end(b->link, &e);
	if (e.exited) {
		b->ev.openocd_exited = true;
		b->ev.openocd_exit_status = e.status;
	}
}

void board__feed_log(struct board *b)
{
	feed_log(b);
}

void board_drop(struct board *b)
{
	board__note_exit(b);
	feed_log(b);
	board_link_free(b->link);
	b->link = NULL;
	cli_signals_install();
	b->identified = false;
	b->halted = false;
}

/* The diagnosis engine reads the tool's log more carefully than the link's first cut at
 * classifying a failed start, so its top finding decides how an attempt ended. */
static enum diag_outcome outcome_from_diag(struct board *b, enum diag_outcome dflt)
{
	struct diag_report *r;
	enum diag_outcome out = dflt;

	b->ev.op = DIAG_OP_CONNECT;
	r = diag_run(&b->ev);
	if (r && r->n && r->findings[0].confidence >= DIAG_CONF_MEDIUM) {
		switch (r->findings[0].id) {
		case DIAG_SWD_UNREACHABLE: out = DIAG_OUT_NO_RESPONSE; break;
		case DIAG_TARGET_LOW_POWER:
		case DIAG_CORE_HALT_TIMEOUT: out = DIAG_OUT_HALT_TIMEOUT; break;
		case DIAG_SWD_COMM_ERRORS: out = DIAG_OUT_COMM_ERROR; break;
		default: break;
		}
	}
	diag_report_free(r);
	return out;
}

/* The exit code of a failed connection follows the top finding when the engine is sure
 * of it (e.g. "init mode failed" is the target, exit 6, whatever else was logged). */
static int code_from_diag(struct board *b, int rc)
{
	struct diag_report *r;
	int want = rc;

	b->ev.op = DIAG_OP_CONNECT;
	r = diag_run(&b->ev);
	if (r && r->n && r->findings[0].confidence >= DIAG_CONF_MEDIUM && r->findings[0].id != DIAG_UNKNOWN) {
		int code = diag_id_code(r->findings[0].id);

		if (code && swd_exit_code(code) != swd_exit_code(rc))
			want = code;
	}
	diag_report_free(r);
	return want;
}

/* The probe's lock (core/lock.h): USB probes by serial (a virtual bus's apart from the
 * host's), a TCP one by port, a simulated board by its file; a fresh `sim` board needs none.
 * A refusal's message replaces whatever the first look at the probe found. */
static int board_lock(struct board *b, const char *serial, struct swd_error *err)
{
	struct cli_ctx *ctx = b->ctx;
	char key[PATH_MAX + 160], shown[PATH_MAX + 16], *real = NULL;
	struct swd_error lerr;
	int rc;

	if (serial) {
		usb_probes_lock_key(serial, key, sizeof(key));
		snprintf(shown, sizeof(shown), "%s", serial);
	} else if (ctx->opt.probe.kind == CLI_PROBE_TCP) {
		snprintf(key, sizeof(key), "tcp-%d", ctx->opt.probe.port);
		snprintf(shown, sizeof(shown), "stlink-tcp:%d", ctx->opt.probe.port);
	} else if (ctx->opt.probe.kind == CLI_PROBE_SIM_FILE) {
		real = realpath(ctx->opt.probe.file, NULL);
		snprintf(key, sizeof(key), "sim-%s", real ? real : ctx->opt.probe.file);
		snprintf(shown, sizeof(shown), "sim:%s", ctx->opt.probe.file);
		free(real);
	} else {
		return 0;
	}
	swd_error_init(&lerr);
	rc = swd_lock_take(&b->lock, key, shown, ctx->command, ctx->opt.wait_s, &cli_interrupted, &lerr);
	if (rc != 0) {
		b->explained = true;
		swd_error_init(err);
		return swd_error_set(err, rc, "%s", lerr.msg);
	}
	b->locked = true;
	return 0;
}

/* The USB ST-LINK: picked, locked, then checked for another program holding it; with
 * --wait checked again for a while (the run we waited for has let go, its OpenOCD's
 * claim may take a moment more to go). */
static int usb_probe(struct board *b, struct swd_error *err)
{
	struct cli_ctx *ctx = b->ctx;
	int rc = board_usb_pick(ctx, &b->usb, &b->usb_found, err);

	if (rc != 0 || !b->usb_found || !b->usb.serial[0])
		return rc;
	if (board_lock(b, b->usb.serial, err) != 0)
		return err->code;
	rc = board_usb_claimable(&b->usb, err);
	for (int i = 0; rc == SWD_EPROBEBUSY && ctx->opt.wait_s >= 0 && i < 10; i++) {
		struct timespec ts = { 0, 200000000L };

		nanosleep(&ts, NULL);
		swd_error_init(err);
		rc = board_usb_claimable(&b->usb, err);
	}
	return rc;
}

int board_start_probe(struct board *b, struct swd_error *err)
{
	struct cli_ctx *ctx = b->ctx;
	int rc;

	b->op = DIAG_OP_CONNECT;
	board_evidence_from_profile(&b->ev, b->p, ctx->opt.strict);
	if ((ctx->opt.probe.kind == CLI_PROBE_USB || ctx->opt.probe.kind == CLI_PROBE_SERIAL) &&
	    (!ctx->opt.interface || strcmp(ctx->opt.interface, "stlink") == 0)) {
		rc = usb_probe(b, err);
		/* the tool must open the very probe looked at: name it by serial */
		if (rc == 0 && b->usb_found && b->usb.serial[0]) {
			ctx->opt.probe.kind = CLI_PROBE_SERIAL;
			ctx->opt.probe.serial = b->usb.serial;
		}
		return rc;
	}
	/* a DFU device is locked when named by serial; by ids or alone, dfu-util picks it */
	rc = board_lock(b, ctx->opt.probe.kind == CLI_PROBE_SERIAL || ctx->opt.probe.kind == CLI_PROBE_DFU ?
			ctx->opt.probe.serial : NULL, err);
	if (rc != 0 || !is_sim(ctx))
		return rc;
	if (uv_loop_init(&b->loop) != 0)
		return swd_error_set(err, SWD_EINTERNAL, "cannot set up an event loop");
	b->loop_ready = true;
	b->sim_started = true;
	return board_sim_start(&b->sim, &b->loop, b->p,
			     ctx->opt.probe.kind == CLI_PROBE_SIM_FILE ? ctx->opt.probe.file : NULL,
			     ctx->opt.verbose, err);
}

/* A clone's DP IDCODE stops the stock config at start-up: true when the failed attempt
 * was that, with *rc 0 and the IDCODE noted to be expected next time, or *rc the refusal
 * under --strict. */
static bool clone_refused_at_start(struct board *b, int *rc, struct swd_error *err)
{
	struct board_link_end e;

	if (b->clone_idcode[0])
		return false;
	board_link_end(b->link, &e);
	if (!e.unexpected_dp_idcode || swd_profile_dp_idcode_kind(b->p, e.unexpected_dp_idcode) != SWD_DP_CLONE)
		return false;
	b->ev.has_dp_idcode = true;
	b->ev.dp_idcode = e.unexpected_dp_idcode;
	board_drop(b);
	if (b->ctx->opt.strict) {
		*rc = swd_error_set(err, SWD_EWRONGTARGET, "DP IDCODE 0x%08" PRIx32 " is a known clone's, "
				    "not a genuine %s; refused (--strict)", e.unexpected_dp_idcode, b->p->name);
		return true;
	}
	b->clone = true;
	board_hex32(b->clone_idcode, e.unexpected_dp_idcode);
	*rc = 0;
	return true;
}

/* Tries until a link is up or diag_recovery_next() gives up. Returns 0 or the last
 * attempt's failure, with *first the first failure's message and *failures the attempts
 * that failed. */
static int recover(struct board *b, bool halt, unsigned *speed_io, bool *under_io, int *failures,
		   struct swd_error *first)
{
	struct cli_ctx *ctx = b->ctx;
	bool under = *under_io;
	unsigned speed = *speed_io;
	unsigned dflt = ctx->opt.speed_khz ? ctx->opt.speed_khz : b->p->openocd.adapter_khz;
	int rc;

	for (;;) {
		struct board_link_end end;
		struct swd_error e, *aerr = &e;
		enum diag_outcome out;
		struct diag_retry retry;

		swd_error_init(aerr);
		rc = board_attempt(b, under, speed, halt, &out, aerr);
		if (rc == 0 && b->clone && !ctx->opt.strict && !b->clone_idcode[0])
			board_hex32(b->clone_idcode, b->id.dp_idcode);
		if (rc == 0) {
			if (*failures)
				diag_evidence_add_attempt(&b->ev, under, speed, DIAG_OUT_OK);
			break;
		}
		if (cli_interrupted || rc == SWD_EINTR) {
			swd_error_set(first, SWD_EINTR, "interrupted");
			rc = SWD_EINTR;
			break;
		}
		if (clone_refused_at_start(b, &rc, first)) {
			if (rc != 0)
				break;
			continue;
		}
		swd_error_set(first, rc, "%s", aerr->msg);
		if (ctx->opt.probe.kind == CLI_PROBE_DFU) {
			/* no reset line, no speed: nothing to recover with */
			board__note_exit(b);
			feed_log(b);
			break;
		}
		if (b->wrong_part) {
			b->ev.has_dev_id = true;
			b->ev.dev_id = b->id.dbgmcu_idcode;
			b->ev.has_cpuid = true;
			b->ev.cpuid = b->id.cpuid;
			board_drop(b);
			break;
		}
		(*failures)++;
		board_link_end(b->link, &end);
		b->silent_failure |= end.silent_start;
		board_drop(b);
		out = end.silent_start ? DIAG_OUT_NO_RESPONSE : outcome_from_diag(b, out);
		diag_evidence_add_attempt(&b->ev, under, speed, out);
		if (!diag_recovery_next(&b->ev, dflt, &retry)) {
			/* A start that ended without a word (the DP IDCODE read failed): the probe
			 * answered, the target did not. Worth the same retry under reset. */
			if (!end.silent_start || under || !b->p->openocd.connect_under_reset)
				break;
			retry.under_reset = true;
			retry.speed_khz = speed;
		}
		ui_status(&ctx->ui, "the target did not answer (%s); trying again%s at %u kHz", aerr->msg,
			  retry.under_reset ? " under reset" : "", retry.speed_khz ? retry.speed_khz : dflt);
		under = retry.under_reset;
		speed = retry.speed_khz;
	}
	*under_io = under;
	*speed_io = speed;
	return rc;
}

int board_connect(struct board *b, enum diag_op op, bool halt, struct swd_error *err)
{
	struct cli_ctx *ctx = b->ctx;
	bool under = ctx->opt.connect_under_reset;
	unsigned speed = ctx->opt.speed_khz;
	unsigned dflt = speed ? speed : b->p->openocd.adapter_khz;
	struct swd_error first;
	int rc, failures = 0;

	rc = board_start_probe(b, err);
	if (rc != 0)
		return rc;
	/* the attempts' errors are findings; the connection's error is set once, here */
	swd_error_init(&first);
	rc = recover(b, halt, &speed, &under, &failures, &first);
	if (rc != 0) {
		if (rc != SWD_EINTR)
			rc = code_from_diag(b, rc);
		return swd_error_set(err, rc, "%s", first.msg);
	}
	if (ctx->opt.probe.kind == CLI_PROBE_DFU) {
		b->op = op;
		return 0;
	}
	b->under_reset = under;
	b->speed_khz = speed;
	if (failures) {
		char note[512];

		if (diag_rescue_note(&b->ev, note, sizeof(note)) == 0)
			snprintf(note, sizeof(note), "connected after %d failed attempt%s%s at %u kHz", failures,
				 failures > 1 ? "s" : "", under ? " under reset" : "", speed ? speed : dflt);
		board_note(ctx, note);
	}
	/* The tool refuses to go on when the DP IDCODE is not the one its target config
	 * expects, so a connection that worked tells which one it was. */
	if (!b->id.has_dp_idcode && (b->clone_idcode[0] || b->p->ids.ndp_idcodes == 1)) {
		b->id.has_dp_idcode = true;
		b->id.dp_idcode = b->clone_idcode[0] ? (uint32_t)strtoul(b->clone_idcode, NULL, 16)
						      : b->p->ids.dp_idcodes[0];
	}
	rc = board_check_identity(b, err);
	if (rc == 0 && b->clone) {
		char note[256];

		snprintf(note, sizeof(note), "DP IDCODE %s is a known clone's (CS32/CKS32/APM32), not ST's; "
			 "going on with it (--strict refuses)", b->clone_idcode);
		board_note(ctx, note);
	}
	b->op = op;
	return rc;
}
