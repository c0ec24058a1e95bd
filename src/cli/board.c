/* board.c - profile, probe, connection with recovery, identity, protection, findings. */
#include "cli/board.h"
#include "cli/usbpick.h"
#include "core/image.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/findings.h"
#include "core/file.h"
#include "ocd/ocdlog.h"

const char *cli_board_revision(const struct cli_board *b)
{
	const struct swd_id_alias *a = swd_profile_alias(b->p, b->id.dbgmcu_idcode & 0xfff,
							  (b->id.cpuid >> 4) & 0xfff);

	if (a && (b->id.dbgmcu_idcode & 0xfff) != b->p->ids.dev_id)
		return a->revision;
	return swd_profile_revision_name(b->p, (uint16_t)(b->id.dbgmcu_idcode >> 16));
}

char *cli_hex32(char buf[16], uint32_t v)
{
	snprintf(buf, 16, "0x%08" PRIx32, v);
	return buf;
}

int cli_board_profile(struct cli_ctx *ctx, struct cli_board *b, bool source)
{
	int rc;

	memset(b, 0, sizeof(*b));
	b->ctx = ctx;
	diag_evidence_init(&b->ev);
	b->ev_ready = true;
	if (!ctx->opt.profile)
		return swd_error_set(&ctx->err, SWD_EUSAGE, "'%s' needs --profile (see 'swdbackup profiles')",
				     ctx->command);
	if (ctx->opt.interface && strcmp(ctx->opt.interface, "stlink") != 0 &&
	    (ctx->opt.probe.kind == CLI_PROBE_SIM || ctx->opt.probe.kind == CLI_PROBE_SIM_FILE ||
	     ctx->opt.probe.kind == CLI_PROBE_TCP))
		return swd_error_set(&ctx->err, SWD_EUSAGE, "--interface %s is for USB probes; '--probe %s' is an ST-LINK over TCP",
				     ctx->opt.interface, ctx->opt.probe_spec);
	rc = swd_profile_find(ctx->opt.profile, &b->p, &ctx->err);
	if (rc != 0)
		return rc;
	if (source && ctx->opt.npos != 1)
		return swd_error_set(&ctx->err, SWD_EUSAGE, ctx->opt.npos ? "'%s' takes one SOURCE" :
				     "'%s' needs a SOURCE (a bundle directory or an image)", ctx->command);
	if (!source && ctx->opt.npos > 0)
		return swd_error_set(&ctx->err, SWD_EUSAGE, "unexpected argument '%s'", ctx->opt.pos[0]);
	return 0;
}

static void on_log(void *ud, const char *line)
{
	struct cli_ctx *ctx = ud;

	ui_log_line(&ctx->ui, line);
}

static void on_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
	struct cli_ctx *ctx = ud;

	ui_progress(&ctx->ui, what, done, total);
}

static const char *probe_kind_name(struct cli_ctx *ctx)
{
	switch (ctx->opt.probe.kind) {
	case CLI_PROBE_SIM:
	case CLI_PROBE_SIM_FILE: return "sim";
	case CLI_PROBE_TCP: return "stlink-tcp";
	default: return ctx->opt.interface ? ctx->opt.interface : "stlink";
	}
}

/* Feeds the session's log lines not yet fed into the evidence. */
static void feed_log(struct cli_board *b, struct ocd_session *s, size_t *fed)
{
	const char *const *lines;
	size_t n = 0;

	if (!s)
		return;
	lines = ocd_session_log(s, &n);
	for (size_t i = *fed; i < n; i++) {
		diag_evidence_feed_log(&b->ev, lines[i], strlen(lines[i]));
		diag_evidence_feed_log(&b->ev, "\n", 1);
	}
	*fed = n;
}

static void evidence_from_probe(struct cli_ctx *ctx, struct cli_board *b)
{
	b->ev.probe_kind = ctx->opt.probe.kind == CLI_PROBE_SIM || ctx->opt.probe.kind == CLI_PROBE_SIM_FILE ||
			   ctx->opt.probe.kind == CLI_PROBE_TCP ? DIAG_PROBE_SIM :
			   ctx->opt.interface && strcmp(ctx->opt.interface, "cmsis-dap") == 0 ? DIAG_PROBE_CMSIS_DAP :
			   ctx->opt.interface && strcmp(ctx->opt.interface, "jlink") == 0 ? DIAG_PROBE_JLINK :
			   DIAG_PROBE_STLINK;
	if (b->probe.firmware[0])
		b->ev.probe_firmware = b->probe.firmware;
	if (b->probe.has_voltage)
		b->ev.target_voltage = b->probe.target_voltage;
	if (b->probe.openocd_version[0])
		b->ev.openocd_version = b->probe.openocd_version;
}

/* "UNEXPECTED idcode: 0x2ba01477" in the log of a failed start, or 0. */
static uint32_t unexpected_idcode(struct ocd_session *s)
{
	const char *const *lines;
	size_t n = 0;
	uint32_t v;

	if (!s)
		return 0;
	lines = ocd_session_log(s, &n);
	for (size_t i = 0; i < n; i++)
		if (ocdlog_unexpected_idcode(lines[i], &v))
			return v;
	return 0;
}

/* The start ended the way 0.12 ends when the DP IDCODE read fails (ocdlog_silent_init). */
static bool silent_init_failure(struct ocd_session *s)
{
	const struct ocd_failure *f = ocd_session_failure(s);

	return f && f->exited && !f->term_signal && ocdlog_silent_init(f->log, f->nlog);
}

/* SWD_EWRONGTARGET when the dev id (or the core, where the profile names it) is not the
 * profile's part, else 0. */
static int check_part(const struct swd_profile *p, uint32_t dbgmcu_idcode, uint32_t cpuid,
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

/* One connection attempt: start OpenOCD, identify, halt. On failure the session is kept
 * in b->s so its log can be read, and *outcome says how it ended. */
int cli_board_attempt(struct cli_ctx *ctx, struct cli_board *b, bool under_reset, unsigned speed,
		      bool halt, struct swd_error *err, enum diag_outcome *outcome)
{
	struct ocd_session_config cfg;
	struct ocdproc_var vars[24];
	struct ocd_identity_regs regs;
	size_t nv = 0;
	int rc;

	*outcome = DIAG_OUT_OTHER;
	memset(&cfg, 0, sizeof(cfg));
	for (size_t i = 0; i < b->p->openocd.nvars && nv < 24; i++) {
		vars[nv].name = b->p->openocd.vars[i].name;
		vars[nv].value = b->p->openocd.vars[i].value;
		nv++;
	}
	if (b->clone_idcode[0])
		cfg.proc.dp_idcode = (uint32_t)strtoul(b->clone_idcode, NULL, 16);
	cfg.proc.openocd = ctx->opt.openocd;
	cfg.proc.interface_cfg = b->p->openocd.interface;
	cfg.proc.interface = ctx->opt.interface;
	switch (ctx->opt.probe.kind) {
	case CLI_PROBE_SIM:
	case CLI_PROBE_SIM_FILE:
		cfg.proc.probe = OCDPROC_PROBE_STLINK_TCP;
		cfg.proc.stlink_port = (unsigned)b->sim.port;
		break;
	case CLI_PROBE_TCP:
		cfg.proc.probe = OCDPROC_PROBE_STLINK_TCP;
		cfg.proc.stlink_port = (unsigned)ctx->opt.probe.port;
		break;
	case CLI_PROBE_SERIAL:
		cfg.proc.probe = OCDPROC_PROBE_USB_SERIAL;
		cfg.proc.serial = ctx->opt.probe.serial;
		break;
	default:
		cfg.proc.probe = OCDPROC_PROBE_ANY;
	}
	cfg.proc.vars = vars;
	cfg.proc.nvars = nv;
	cfg.proc.target_cfg = b->p->openocd.target;
	cfg.proc.adapter_khz = speed ? speed : b->p->openocd.adapter_khz;
	cfg.proc.connect_under_reset = under_reset;
	cfg.on_log = on_log;
	cfg.on_progress = on_progress;
	cfg.ud = ctx;
	cfg.interrupted = &cli_interrupted;

	b->fed = 0;
	b->tried = true;
	b->ev.openocd_exited = false;
	memset(&b->probe, 0, sizeof(b->probe));
	rc = ocd_session_start(&cfg, &b->s, &b->probe, err);
	evidence_from_probe(ctx, b);
	if (rc != 0) {
		*outcome = outcome_of(rc, false);
		return rc;
	}
	regs.dbgmcu_idcode = b->p->regs.dbgmcu_idcode;
	regs.flash_size = b->p->regs.flash_size;
	regs.unique_id = b->p->regs.unique_id;
	rc = ocd_identify(b->s, &regs, &b->id, err);
	if (rc != 0) {
		uint32_t cpuid = 0, idcode = 0;
		struct swd_error lerr;

		*outcome = outcome_of(rc, false);
		/* The identity registers are where the profile says; on another part some are
		 * not there at all. If the core answers where every Cortex-M does, it is the
		 * wrong part rather than a bad link: say so, and do not retry. */
		swd_error_init(&lerr);
		if (rc != SWD_EINTR && rc != SWD_EOCDDIED &&
		    ocd_read_memory(b->s, 0xE000ED00u, 32, 1, &cpuid, &lerr) == 0 &&
		    ocd_read_memory(b->s, b->p->regs.dbgmcu_idcode, 32, 1, &idcode, &lerr) == 0 &&
		    check_part(b->p, idcode, cpuid, NULL) != 0) {
			b->id.cpuid = cpuid;
			b->id.dbgmcu_idcode = idcode;
			b->wrong_part = true;
			b->clone = false; /* the IDCODE was not a clone's of this part after all */
			*outcome = DIAG_OUT_OTHER;
			swd_error_init(err); /* this, not the failed read, is what went wrong */
			return check_part(b->p, idcode, cpuid, err);
		}
		return rc;
	}
	b->identified = true;
	if (halt) {
		/* Under reset the core must be caught before the firmware runs again (it may
		 * turn SWD off), so it is a reset halt; otherwise a plain halt leaves the
		 * firmware's state alone. */
		rc = under_reset ? ocd_reset(b->s, OCD_RESET_HALT, err) : ocd_halt(b->s, err);
		if (rc != 0) {
			*outcome = outcome_of(rc, true);
			return rc;
		}
		b->halted = true;
	}
	*outcome = DIAG_OUT_OK;
	return 0;
}

/* How the session's OpenOCD ended, kept in the evidence: the session may be dropped (and
 * another attempt made) before the findings are drawn. */
static void note_exit(struct cli_board *b)
{
	const struct ocd_failure *f = ocd_session_failure(b->s);

	if (f && f->exited) {
		b->ev.openocd_exited = true;
		b->ev.openocd_exit_status = f->term_signal ? -f->term_signal : (int)f->exit_status;
	}
}

void cli_board_drop(struct cli_board *b)
{
	note_exit(b);
	feed_log(b, b->s, &b->fed);
	ocd_session_free(b->s);
	b->s = NULL;
	cli_signals_install();
	b->identified = false;
	b->halted = false;
}

void cli_add_note(struct cli_ctx *ctx, const char *note)
{
	json_t *notes = json_object_get(ctx->doc, "notes");

	if (!notes) {
		notes = json_array();
		json_object_set_new(ctx->doc, "notes", notes);
	}
	json_array_append_new(notes, json_string(note));
	ui_status(&ctx->ui, "note: %s", note);
}

int cli_board_check_identity(struct cli_ctx *ctx, struct cli_board *b)
{
	const struct swd_profile *p = b->p;
	char msg[256];
	int rc;

	b->ev.has_dev_id = true;
	b->ev.dev_id = b->id.dbgmcu_idcode;
	b->ev.has_cpuid = true;
	b->ev.cpuid = b->id.cpuid;
	b->ev.has_flash_size_reg = true;
	b->ev.flash_size_reg_kib = b->id.flash_size_kib;
	if (b->id.has_dp_idcode) {
		b->ev.has_dp_idcode = true;
		b->ev.dp_idcode = b->id.dp_idcode;
	}
	if ((rc = check_part(p, b->id.dbgmcu_idcode, b->id.cpuid, &ctx->err)) != 0)
		return rc;
	{
		const struct swd_id_alias *a = swd_profile_alias(p, b->id.dbgmcu_idcode & 0xfff,
								  (b->id.cpuid >> 4) & 0xfff);

		if (a && (b->id.dbgmcu_idcode & 0xfff) != p->ids.dev_id) {
			snprintf(msg, sizeof(msg), "dev id 0x%03x with this core is %s silicon of revision %s "
				 "(%s); accepted", a->dev_id, p->name, a->revision, a->source);
			cli_add_note(ctx, msg);
		}
	}
	if (b->id.has_dp_idcode && !b->clone && swd_profile_dp_idcode_kind(p, b->id.dp_idcode) == SWD_DP_CLONE) {
		if (ctx->opt.strict)
			return swd_error_set(&ctx->err, SWD_EWRONGTARGET,
					     "DP IDCODE 0x%08" PRIx32 " is a known clone's, not a genuine %s; refused (--strict)",
					     b->id.dp_idcode, p->name);
		b->clone = true;
		cli_hex32(b->clone_idcode, b->id.dp_idcode);
	}
	if (p->flash.whole_die && !cli_board_has_die(b)) {
		char n[32];

		b->explained = true;
		return swd_error_set(&ctx->err, SWD_EWRONGTARGET, "the source holds the whole %s KiB die of "
				     "the %s; this chip has only the %u KiB its size register says: nothing was "
				     "written; use a bundle of this chip", swd_format_count(p->flash.die_size / 1024,
				     n, sizeof(n)), p->name, b->id.flash_size_kib);
	}
	if (p->flash.option_layout.present && !p->flash.option_layout.active) {
		struct swd_error lerr;
		uint32_t v = 0;

		/* The option bit decides how OpenOCD numbers and sizes the sectors. */
		swd_error_init(&lerr);
		if (ocd_read_memory(b->s, p->flash.option_layout.reg, 32, 1, &v, &lerr) == 0 &&
		    (v & p->flash.option_layout.bits) == p->flash.option_layout.bits) {
			swd_profile_use_option_layout(b->p);
			snprintf(msg, sizeof(msg), "the option bytes select the %s layout: %u banks, %zu sectors",
				 p->flash.option_layout.name, p->flash.nbanks, p->flash.nsectors);
			cli_add_note(ctx, msg);
		}
	}
	if (b->id.flash_size_kib != p->ids.flash_size_kib) {
		snprintf(msg, sizeof(msg), "the flash size register says %u KiB, the profile '%s' %u KiB; "
			 "using the profile's size", b->id.flash_size_kib, p->name, p->flash.size / 1024);
		cli_add_note(ctx, msg);
	}
	return 0;
}

/* The diagnosis engine reads OpenOCD's log more carefully than the session's first cut
 * at classifying a failed start, so its top finding decides how an attempt ended. */
static enum diag_outcome outcome_from_diag(struct cli_board *b, enum diag_outcome dflt)
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
static int code_from_diag(struct cli_ctx *ctx, struct cli_board *b, int rc)
{
	struct diag_report *r;
	int want = 0;

	b->ev.op = DIAG_OP_CONNECT;
	r = diag_run(&b->ev);
	if (r && r->n && r->findings[0].confidence >= DIAG_CONF_MEDIUM && r->findings[0].id != DIAG_UNKNOWN) {
		int code = diag_id_code(r->findings[0].id);

		if (code && swd_exit_code(code) != swd_exit_code(rc))
			want = code;
	}
	diag_report_free(r);
	if (!want)
		return rc;
	ctx->err.code = want;
	return want;
}

int cli_board_start_probe(struct cli_ctx *ctx, struct cli_board *b)
{
	int rc;

	b->op = DIAG_OP_CONNECT;
	cli_evidence_from_profile(&b->ev, b->p, ctx->opt.strict);
	if ((ctx->opt.probe.kind == CLI_PROBE_USB || ctx->opt.probe.kind == CLI_PROBE_SERIAL) &&
	    (!ctx->opt.interface || strcmp(ctx->opt.interface, "stlink") == 0)) {
		rc = cli_usb_pick(ctx, &b->usb, &b->usb_found);
		/* OpenOCD must open the very probe looked at: name it by serial. */
		if (rc == 0 && b->usb_found && b->usb.serial[0]) {
			ctx->opt.probe.kind = CLI_PROBE_SERIAL;
			ctx->opt.probe.serial = b->usb.serial;
		}
		return rc;
	}
	if (ctx->opt.probe.kind != CLI_PROBE_SIM && ctx->opt.probe.kind != CLI_PROBE_SIM_FILE)
		return 0;
	if (uv_loop_init(&b->loop) != 0)
		return swd_error_set(&ctx->err, SWD_EINTERNAL, "cannot set up an event loop");
	b->loop_ready = true;
	b->sim_started = true;
	rc = cli_sim_start(&b->sim, &b->loop, b->p,
			   ctx->opt.probe.kind == CLI_PROBE_SIM_FILE ? ctx->opt.probe.file : NULL,
			   ctx->opt.verbose, &ctx->err);
	return rc;
}

int cli_board_connect(struct cli_ctx *ctx, struct cli_board *b, enum diag_op op, bool halt)
{
	bool under = ctx->opt.connect_under_reset;
	unsigned speed = ctx->opt.speed_khz;
	unsigned dflt = speed ? speed : b->p->openocd.adapter_khz;
	int rc = 0, failures = 0;

	rc = cli_board_start_probe(ctx, b);
	if (rc != 0)
		return rc;

	for (;;) {
		struct swd_error aerr;
		enum diag_outcome out;
		struct diag_retry retry;
		uint32_t idc;
		bool silent;

		swd_error_init(&aerr);
		rc = cli_board_attempt(ctx, b, under, speed, halt, &aerr, &out);
		if (rc == 0 && b->clone && !ctx->opt.strict && !b->clone_idcode[0])
			cli_hex32(b->clone_idcode, b->id.dp_idcode);
		if (rc == 0) {
			if (failures)
				diag_evidence_add_attempt(&b->ev, under, speed, DIAG_OUT_OK);
			break;
		}
		if (cli_interrupted || rc == SWD_EINTR) {
			rc = swd_error_set(&ctx->err, SWD_EINTR, "interrupted");
			break;
		}
		/* A clone's DP IDCODE stops the stock config at init: note it and expect it. */
		idc = !b->clone_idcode[0] ? unexpected_idcode(b->s) : 0;
		if (idc && swd_profile_dp_idcode_kind(b->p, idc) == SWD_DP_CLONE) {
			b->ev.has_dp_idcode = true;
			b->ev.dp_idcode = idc;
			if (ctx->opt.strict) {
				cli_board_drop(b);
				rc = swd_error_set(&ctx->err, SWD_EWRONGTARGET,
						   "DP IDCODE 0x%08" PRIx32 " is a known clone's, not a genuine %s; refused (--strict)",
						   idc, b->p->name);
				break;
			}
			b->clone = true;
			cli_hex32(b->clone_idcode, idc);
			cli_board_drop(b);
			continue;
		}
		swd_error_set(&ctx->err, rc, "%s", aerr.msg);
		if (b->wrong_part) {
			b->ev.has_dev_id = true;
			b->ev.dev_id = b->id.dbgmcu_idcode;
			b->ev.has_cpuid = true;
			b->ev.cpuid = b->id.cpuid;
			cli_board_drop(b);
			break;
		}
		failures++;
		silent = silent_init_failure(b->s);
		b->silent_failure |= silent;
		cli_board_drop(b);
		out = silent ? DIAG_OUT_NO_RESPONSE : outcome_from_diag(b, out);
		diag_evidence_add_attempt(&b->ev, under, speed, out);
		if (!diag_recovery_next(&b->ev, dflt, &retry)) {
			/* OpenOCD 0.12 says nothing when READ_IDCODES fails at init (it just exits):
			 * the probe answered, the target did not. Worth the same retry under reset. */
			if (!silent || under || !b->p->openocd.connect_under_reset)
				break;
			retry.under_reset = true;
			retry.speed_khz = speed;
		}
		ui_status(&ctx->ui, "the target did not answer (%s); trying again%s at %u kHz", aerr.msg,
			  retry.under_reset ? " under reset" : "", retry.speed_khz ? retry.speed_khz : dflt);
		under = retry.under_reset;
		speed = retry.speed_khz;
	}
	if (rc != 0 && rc != SWD_EINTR)
		rc = code_from_diag(ctx, b, rc);
	if (rc != 0)
		return rc;

	b->under_reset = under;
	b->speed_khz = speed;
	swd_error_init(&ctx->err); /* the rescued attempts' errors are findings now, not errors */
	if (failures) {
		char note[512];

		if (diag_rescue_note(&b->ev, note, sizeof(note)) == 0)
			snprintf(note, sizeof(note), "connected after %d failed attempt%s%s at %u kHz", failures,
				 failures > 1 ? "s" : "", under ? " under reset" : "", speed ? speed : dflt);
		cli_add_note(ctx, note);
	}
	/* OpenOCD refuses to go on when the DP IDCODE is not the one its target config expects
	 * ("UNEXPECTED idcode"), so a connection that worked tells which one it was. */
	if (!b->id.has_dp_idcode && (b->clone_idcode[0] || b->p->ids.ndp_idcodes == 1)) {
		b->id.has_dp_idcode = true;
		b->id.dp_idcode = b->clone_idcode[0] ? (uint32_t)strtoul(b->clone_idcode, NULL, 16)
						      : b->p->ids.dp_idcodes[0];
	}
	rc = cli_board_check_identity(ctx, b);
	if (rc == 0 && b->clone) {
		char note[256];

		snprintf(note, sizeof(note), "DP IDCODE %s is a known clone's (CS32/CKS32/APM32), not ST's; "
			 "going on with it (--strict refuses)", b->clone_idcode);
		cli_add_note(ctx, note);
	}
	b->op = op;
	return rc;
}

int cli_board_protection(struct cli_ctx *ctx, struct cli_board *b)
{
	const struct swd_profile *p = b->p;
	uint32_t words[2] = { 0, 0 };
	int rc;

	b->ob_len = p->option_bytes.size;
	if (b->ob_len > sizeof(b->ob_raw))
		return swd_error_set(&ctx->err, SWD_EPROFILE, "option bytes of '%s' are %zu bytes; at most 16 supported",
				     p->name, b->ob_len);
	if (p->family->pages) {
		struct swd_error lerr;
		int level;

		swd_error_init(&lerr);
		rc = ocd_read_memory(b->s, p->option_bytes.address, 16, b->ob_len / 2, b->ob_raw, &lerr);
		if (rc != 0 && rc != SWD_EOCDDIED && rc != SWD_EINTR && rc != SWD_EOCDTIMEOUT) {
			/* Under RDP level 1 an F1 faults debugger reads of its option area too; the
			 * flash controller's OBR still tells the level (the driver wants a halted core). */
			if (!b->halted) {
				struct swd_error herr;

				swd_error_init(&herr);
				if (ocd_halt(b->s, &herr) == 0)
					b->halted = true;
			}
			rc = ocd_read_protection(b->s, p->family->driver, 0, &level, &ctx->err);
			if (rc == 0 && level == 1) {
				memset(&b->prot, 0, sizeof(b->prot));
				b->prot.rdp_level = 1;
				b->prot_ready = true;
				b->ob_len = 0;
				b->ev.rdp_level = 1;
				return 0;
			}
			if (rc == 0)
				rc = swd_error_set(&ctx->err, lerr.code ? lerr.code : SWD_ETARGETFAILED, "%s", lerr.msg);
		} else if (rc != 0) {
			swd_error_set(&ctx->err, rc, "%s", lerr.msg);
		}
	} else {
		rc = ocd_read_memory(b->s, p->option_bytes.address, 32, 1, &words[0], &ctx->err);
		if (rc == 0 && p->option_bytes.has_optcr1 && b->ob_len >= 8)
			rc = ocd_read_memory(b->s, p->option_bytes.optcr1, 32, 1, &words[1], &ctx->err);
		memcpy(b->ob_raw, words, b->ob_len < 8 ? b->ob_len : 8);
	}
	if (rc != 0)
		return rc;
	rc = swd_optbytes_decode(p, b->ob_raw, b->ob_len, &b->prot, &ctx->err);
	if (rc != 0)
		return rc;
	b->prot_ready = true;
	b->ev.rdp_level = b->prot.rdp_level;
	b->ev.wrp_active = b->prot.nwrp ? DIAG_TRI_YES : DIAG_TRI_NO;
	return 0;
}

int cli_board_unit_ranges(struct cli_ctx *ctx, const struct cli_board *b, uint32_t lo, uint32_t hi,
			  struct ocd_crc_range **r, size_t **idx, size_t *n)
{
	const struct swd_profile *p = b->p;
	struct ocd_crc_range *rs = calloc(p->flash.nsectors ? p->flash.nsectors : 1, sizeof(*rs));
	size_t *ix = calloc(p->flash.nsectors ? p->flash.nsectors : 1, sizeof(*ix));
	size_t k = 0;

	*r = NULL;
	*n = 0;
	if (idx)
		*idx = NULL;
	if (!rs || !ix) {
		free(rs);
		free(ix);
		return swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < p->flash.nsectors; i++) {
		uint32_t off = p->flash.sectors[i].address - p->flash.base;

		if (off < hi && off + p->flash.sectors[i].size > lo) {
			rs[k].address = p->flash.sectors[i].address;
			rs[k].size = p->flash.sectors[i].size;
			ix[k++] = i;
		}
	}
	*r = rs;
	*n = k;
	if (idx)
		*idx = ix;
	else
		free(ix);
	return 0;
}

int cli_board_crc_failed(struct cli_ctx *ctx, int rc, const struct swd_error *e, char *why, size_t whylen)
{
	if (rc == SWD_ETARGETFAILED && e->code)
		snprintf(why, whylen, "%.200s", e->msg);
	else if (rc != 0 && e->code)
		swd_error_set(&ctx->err, rc, "%s", e->msg);
	return rc;
}

int cli_board_read_units(struct cli_ctx *ctx, struct cli_board *b, const bool *have, uint8_t *buf,
			 const char *path, uint32_t *nread)
{
	const struct swd_profile *p = b->p;
	uint8_t *part = NULL;
	int rc = 0;

	for (size_t i = 0; i < p->flash.nsectors && rc == 0;) {
		uint32_t off = p->flash.sectors[i].address - p->flash.base, len = 0;
		size_t j = i;

		while (j < p->flash.nsectors && !have[j])
			len += p->flash.sectors[j++].size;
		if (j == i) {
			i++;
			continue;
		}
		b->op = DIAG_OP_READ;
		rc = ocd_read_flash(b->s, 0, off, len, path, &ctx->err);
		if (rc == 0)
			rc = swd_file_read_exact(path, len, &part, &ctx->err);
		if (rc == 0) {
			memcpy(buf + off, part, len);
			*nread += len;
		}
		free(part);
		part = NULL;
		i = j;
	}
	return rc;
}

int cli_board_read_flash(struct cli_ctx *ctx, struct cli_board *b, uint32_t len, const char *path)
{
	/* OpenOCD 0.12's stm32f2x driver sees a dual-bank part (F42x/43x) as one bank 0 of
	 * the whole size, sectors numbered straight through; the profile's banks only say
	 * where the silicon's halves are. So flash is always OpenOCD's bank 0. */
	b->op = DIAG_OP_READ;
	return ocd_read_flash(b->s, 0, 0, len, path, &ctx->err);
}

int cli_board_read_otp(struct cli_ctx *ctx, struct cli_board *b, uint8_t **buf, size_t *len)
{
	const struct swd_profile *p = b->p;
	uint8_t *d;
	int rc;

	*buf = NULL;
	*len = 0;
	if (!p->otp.present)
		return 0;
	d = malloc(p->otp.size + p->otp.lock_size);
	if (!d)
		return swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
	rc = ocd_read_memory(b->s, p->otp.address, 32, p->otp.size / 4, d, &ctx->err);
	if (rc == 0 && p->otp.lock_size)
		rc = ocd_read_memory(b->s, p->otp.lock_address, 8, p->otp.lock_size, d + p->otp.size, &ctx->err);
	if (rc != 0) {
		free(d);
		return rc;
	}
	*buf = d;
	*len = p->otp.size + p->otp.lock_size;
	return 0;
}

void cli_board_report(struct cli_ctx *ctx, struct cli_board *b)
{
	json_t *probe = json_object(), *dev, *prot;
	char h[16], uid[25];

	json_object_set_new(ctx->doc, "profile", json_string(b->p->name));
	json_object_set_new(probe, "kind", json_string(probe_kind_name(ctx)));
	json_object_set_new(probe, "serial", ctx->opt.probe.serial ? json_string(ctx->opt.probe.serial) : json_null());
	if (b->usb_found) {
		char vp[10];

		snprintf(vp, sizeof(vp), "%04x:%04x", b->usb.vid, b->usb.pid);
		json_object_set_new(probe, "usb_kind", json_string(b->usb.kind));
		json_object_set_new(probe, "vid_pid", json_string(vp));
	}
	json_object_set_new(probe, "firmware", b->probe.firmware[0] ? json_string(b->probe.firmware) : json_null());
	json_object_set_new(probe, "target_voltage", b->probe.has_voltage ? json_real(round(b->probe.target_voltage * 100.0) / 100.0) : json_null());
	json_object_set_new(probe, "openocd_version", b->probe.openocd_version[0] ? json_string(b->probe.openocd_version) : json_null());
	json_object_set_new(probe, "adapter_khz", b->probe.adapter_khz ? json_integer(b->probe.adapter_khz) : json_null());
	if (b->sim_started && ctx->opt.probe.kind == CLI_PROBE_SIM_FILE)
		json_object_set_new(probe, "board", json_string(ctx->opt.probe.file));
	json_object_set_new(ctx->doc, "probe", probe);
	json_object_set_new(ctx->doc, "connection", json_pack("{s:b,s:i}", "under_reset", b->under_reset,
							      "speed_khz", b->speed_khz ? b->speed_khz : b->p->openocd.adapter_khz));
	if (!b->identified && !b->id.dbgmcu_idcode)
		return;
	dev = json_object();
	json_object_set_new(dev, "dp_idcode", b->id.has_dp_idcode || b->clone_idcode[0] ?
			    json_string(b->id.has_dp_idcode ? cli_hex32(h, b->id.dp_idcode) : b->clone_idcode) : json_null());
	json_object_set_new(dev, "clone", json_boolean(b->clone));
	json_object_set_new(dev, "cpuid", json_string(cli_hex32(h, b->id.cpuid)));
	snprintf(h, sizeof(h), "0x%03x", b->id.dbgmcu_idcode & 0xfff);
	json_object_set_new(dev, "dev_id", json_string(h));
	snprintf(h, sizeof(h), "0x%04x", b->id.dbgmcu_idcode >> 16);
	json_object_set_new(dev, "rev_id", json_string(h));
	{
		const char *rn = cli_board_revision(b);

		json_object_set_new(dev, "revision", rn ? json_string(rn) : json_null());
		if (rn && b->p->ids.revisions_advisory)
			json_object_set_new(dev, "revision_advisory", json_string(b->p->ids.revisions_advisory));
	}
	for (int i = 0; i < 12; i++)
		snprintf(uid + 2 * i, 3, "%02x", b->id.uid[i]);
	if (b->wrong_part) {
		/* only CPUID and DBGMCU_IDCODE were read; the rest lives elsewhere on this part */
		json_object_set_new(dev, "flash_size_kib", json_null());
		json_object_set_new(dev, "unique_id", json_null());
	} else {
		json_object_set_new(dev, "flash_size_kib", json_integer(b->id.flash_size_kib));
		json_object_set_new(dev, "unique_id", json_string(uid));
	}
	json_object_set_new(dev, "flash_layout", b->p->flash.option_layout.active ?
			    json_string(b->p->flash.option_layout.name) : json_null());
	json_object_set_new(dev, "profile_flash_size_kib", json_integer(b->p->flash.register_size / 1024));
	json_object_set_new(ctx->doc, "device", dev);
	if (!b->prot_ready)
		return;
	prot = json_object();
	json_object_set_new(prot, "rdp_level", json_integer(b->prot.rdp_level));
	{
		json_t *w = json_array();

		for (size_t i = 0; i < b->prot.nwrp; i++)
			json_array_append_new(w, json_integer(b->prot.wrp[i]));
		json_object_set_new(prot, "wrp", w);
	}
	json_object_set_new(prot, "unit", json_string(b->p->family->units));
	json_object_set_new(ctx->doc, "protection", prot);
}

int cli_board_close(struct cli_ctx *ctx, struct cli_board *b, int rc)
{
	struct diag_report *r;
	bool gone;

	if (cli_interrupted && rc != 0)
		rc = swd_error_set(&ctx->err, SWD_EINTR, "interrupted");
	if (b->p && b->tried)
		cli_board_report(ctx, b);
	if (b->s)
		feed_log(b, b->s, &b->fed);
	/* A probe unplugged explains the failure; the log's errors are its consequences. */
	gone = b->usb_found && cli_usb_findings(ctx, &b->usb, rc, b->tried);
	if (!gone && b->ev_ready && b->p && b->tried && rc != 0 && rc != SWD_EINTR && rc != SWD_EUSAGE &&
	    swd_exit_code(rc) != 3 && !b->explained) {
		/* a failure: explain it */
		b->ev.op = b->op;
		if (rc == SWD_EOCDMISSING)
			b->ev.openocd_found = DIAG_TRI_NO;
		if (b->s)
			note_exit(b);
		r = diag_run(&b->ev);
		cli_findings_append(ctx->findings, r);
		diag_report_free(r);
	} else if (rc == 0 && b->ev_ready && b->p && (b->clone || b->ev.n_attempts ||
						       (b->identified && b->id.flash_size_kib != b->p->ids.flash_size_kib))) {
		/* a success that still has something to say: a rescue, a clone, a size mismatch */
		b->ev.op = b->op;
		r = diag_run(&b->ev);
		cli_findings_append_known(ctx->findings, r);
		diag_report_free(r);
		if (b->silent_failure && b->under_reset && json_array_size(ctx->findings) == 0) {
			/* The engine has no log line to go on when OpenOCD left without a word;
			 * the attempts themselves are the evidence. */
			json_t *f;

			cli_findings_append_id(ctx->findings, DIAG_SWD_UNREACHABLE, "medium",
					       "the target answered only while held in reset: its firmware turns the SWD "
					       "pins into GPIO (or stops the debug clock) as soon as it runs",
					       "use --connect-under-reset next time (NRST must be wired to the probe)",
					       "a normal connection ended with OpenOCD exiting during init without an error "
					       "message (the DP IDCODE read failed); connecting under reset worked");
			f = json_array_get(ctx->findings, json_array_size(ctx->findings) - 1);
			json_array_append_new(json_object_get(f, "evidence"),
					      json_string("openocd exited during init right after 'Target voltage', with no error line"));
		}
	}
	if (b->s) {
		struct swd_error serr;

		swd_error_init(&serr);
		ocd_session_stop(b->s, &serr);
		ocd_session_free(b->s);
		b->s = NULL;
		cli_signals_install();
	}
	if (b->sim_started)
		cli_sim_stop(&b->sim);
	if (b->loop_ready) {
		uv_run(&b->loop, UV_RUN_DEFAULT);
		uv_loop_close(&b->loop);
	}
	if (b->prot_ready)
		swd_protection_release(&b->prot);
	if (b->ev_ready)
		diag_evidence_release(&b->ev);
	swd_profile_free(b->p);
	b->p = NULL;
	return rc;
}

bool cli_board_has_die(struct cli_board *b)
{
	const struct swd_profile *p = b->p;
	struct swd_error lerr;
	size_t n = 0;
	uint32_t w;
	bool ok;

	if (!p->flash.die_size)
		return false;
	/* What OpenOCD says about a read that finds nothing is not evidence of a fault. */
	feed_log(b, b->s, &b->fed);
	swd_error_init(&lerr);
	ok = ocd_read_memory(b->s, p->flash.base + p->flash.die_size - 4, 32, 1, &w, &lerr) == 0 &&
	     ocd_read_memory(b->s, p->flash.base + p->flash.register_size, 32, 1, &w, &lerr) == 0;
	ocd_session_log(b->s, &n);
	b->fed = n;
	return ok;
}
