/* diagnose.c - `swdbackup diagnose`: the active check list (README: diagnosis), or --log FILE|-
 * to classify a saved OpenOCD log. Each step is shown with its result; the findings end
 * the report. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board/board.h"
#include "board/findings.h"
#include "core/file.h"
#include "ocd/process.h"

static void step(struct cli_ctx *ctx, const char *name, const char *result, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void step(struct cli_ctx *ctx, const char *name, const char *result, const char *fmt, ...)
{
	json_t *pending = json_object_get(ctx->doc, "checks");
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	/* Steps are learned out of order (one connection tells about the probe, the voltage
	 * and the identity at once); they are kept by name and put in order at the end. */
	if (!pending) {
		pending = json_object();
		json_object_set_new(ctx->doc, "checks", pending);
	}
	json_object_set_new(pending, name, json_pack("{s:s,s:s,s:s}", "step", name, "result", result, "detail", detail));
}

/* Turns the steps kept by name into the check list, in the order the README documents. */
static void order_steps(struct cli_ctx *ctx)
{
	static const char *const order[] = {
		"openocd", "openocd version", "profile", "probe", "probe found", "usb permission",
		"probe busy", "target voltage", "connect normally", "connect under reset",
		"connect at lower speed", "device identity", "RDP and WRP", "flash size register",
		"probe and target", NULL,
	};
	json_t *pending = json_object_get(ctx->doc, "checks"), *list = json_array();

	if (!pending)
		return;
	json_incref(pending);
	for (const char *const *n = order; *n; n++) {
		json_t *c = json_object_get(pending, *n);

		if (c) {
			json_array_append(list, c);
			json_object_del(pending, *n);
		}
	}
	{
		const char *k;
		json_t *v;

		json_object_foreach(pending, k, v)
			json_array_append(list, v);
	}
	json_decref(pending);
	json_object_set_new(ctx->doc, "checks", list);
}

/* A captured log is a few MiB at most; far beyond that it is not an OpenOCD log. */
#define LOG_MAX_BYTES (256u * 1024 * 1024)

static int classify_log(struct cli_ctx *ctx)
{
	char *text = NULL;
	size_t len = 0;
	struct diag_report *r;
	int rc;

	if (strcmp(ctx->opt.log, "-") == 0)
		rc = swd_file_read_stream(stdin, ctx->opt.log, LOG_MAX_BYTES, &text, &len, &ctx->err);
	else
		rc = swd_file_read(ctx->opt.log, LOG_MAX_BYTES, &text, &len, &ctx->err);
	if (rc != 0)
		return rc;
	json_object_set_new(ctx->doc, "log", json_string(ctx->opt.log));
	r = diag_classify_log(text);
	if (!r) {
		rc = swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	board_findings_append(ctx->findings, r);
	diag_report_free(r);
out:
	free(text);
	return rc;
}

/* Which udev rules let a normal user open ST-LINK, CMSIS-DAP and J-Link probes: ours, or
 * the ones Debian's openocd package ships. Returns: static text, or NULL when none. */
static const char *udev_rules(void)
{
	static const char *const files[] = {
		"/etc/udev/rules.d/60-swdbackup.rules", "/usr/lib/udev/rules.d/60-swdbackup.rules",
		"/etc/udev/rules.d/60-openocd.rules", "/usr/lib/udev/rules.d/60-openocd.rules",
		"/lib/udev/rules.d/60-openocd.rules", NULL,
	};
	static char found[128];

	for (const char *const *f = files; *f; f++)
		if (access(*f, R_OK) == 0) {
			snprintf(found, sizeof(found), "udev rules installed: %s", *f);
			return found;
		}
	return NULL;
}

static const char *outcome_text(enum diag_outcome o)
{
	switch (o) {
	case DIAG_OUT_OK: return "connected";
	case DIAG_OUT_NO_RESPONSE: return "no answer";
	case DIAG_OUT_HALT_TIMEOUT: return "connected, but the core did not halt";
	case DIAG_OUT_COMM_ERROR: return "transfer errors";
	default: return "failed";
	}
}

/* One connection step; on the first that works, identity, protection and flash size. */
static int try_connect(struct cli_ctx *ctx, struct board *b, const char *name, bool under, unsigned speed,
		       bool *connected, int *first_rc, struct swd_error *first_err)
{
	struct swd_error aerr;
	enum diag_outcome out;
	unsigned khz = speed ? speed : b->p->openocd.adapter_khz;
	int rc;

	swd_error_init(&aerr);
	rc = board_attempt(b, under, speed, true, &out, &aerr);
	if (rc == SWD_EINTR || cli_interrupted)
		return SWD_EINTR;
	/* The evidence is a recovery sequence: the attempts up to the first that worked. */
	if (!*connected)
		diag_evidence_add_attempt(&b->ev, under, speed, rc == 0 ? DIAG_OUT_OK : out);
	if (rc != 0) {
		step(ctx, name, "fail", "%s at %u kHz: %s", outcome_text(out), khz, aerr.msg);
		if (!*first_rc) {
			*first_rc = rc;
			*first_err = aerr;
		}
		board_drop(b);
		return rc;
	}
	step(ctx, name, "ok", "connected at %u kHz%s", khz, under ? " with NRST held" : "");
	if (!*connected) {
		struct swd_error ierr;
		char h[16];

		*connected = true;
		b->under_reset = under;
		b->speed_khz = speed;
		swd_error_init(&ierr);
		rc = board_check_identity(b, &ierr);
		if (rc != 0) {
			step(ctx, "device identity", "fail", "%s", ierr.msg);
			if (!*first_rc || *first_rc == SWD_ETARGETNORESP) {
				*first_rc = rc;
				*first_err = ierr;
			}
		} else {
			step(ctx, "device identity", "ok", "dev id 0x%03" PRIx32 ", cpuid %s%s, as %s expects",
			     b->id.dbgmcu_idcode & 0xfff, board_hex32(h, b->id.cpuid), b->clone ? " (clone DP IDCODE)" : "",
			     b->p->name);
		}
		step(ctx, "flash size register", b->id.flash_size_kib == b->p->ids.flash_size_kib ? "ok" : "warn",
		     "%u KiB; the profile says %u KiB", b->id.flash_size_kib, b->p->flash.size / 1024);
		swd_error_init(&ierr);
		rc = board_protection(b, &ierr);
		if (rc != 0) {
			step(ctx, "RDP and WRP", "fail", "cannot read the option bytes: %s", ierr.msg);
		} else {
			step(ctx, "RDP and WRP", b->prot.rdp_level || b->prot.nwrp ? "warn" : "ok",
			     "RDP level %d%s, %zu %s write-protected", b->prot.rdp_level,
			     b->prot.rdp_level ? " (flash cannot be read)" : "", b->prot.nwrp,
			     b->p->family->units);
		}
		board_report(b);
	}
	board_drop(b);
	return 0;
}

/* What the first start told about the probe: found, permission, busy, voltage. */
static void probe_steps(struct cli_ctx *ctx, const struct board *b, int first_rc,
			const struct swd_error *first_err)
{
	if (b->probe.version[0])
		step(ctx, "openocd version", "ok", "%s", b->probe.version);
	if (first_rc == SWD_EPROBENOTFOUND || first_rc == SWD_EPROBEBUSY || first_rc == SWD_EPROBEPERM ||
	    first_rc == SWD_EOCDMISSING || first_rc == SWD_EOCDDIED) {
		step(ctx, "probe found", first_rc == SWD_EPROBENOTFOUND ? "fail" : "ok", "%s",
		     first_rc == SWD_EPROBENOTFOUND ? first_err->msg : "yes");
	} else {
		step(ctx, "probe found", "ok", "%s%s%s", b->probe.adapter[0] ? b->probe.adapter : "ST-LINK",
		     b->probe.firmware[0] ? " " : "", b->probe.firmware);
	}
	if (ctx->opt.probe.kind == CLI_PROBE_SIM || ctx->opt.probe.kind == CLI_PROBE_SIM_FILE ||
	    ctx->opt.probe.kind == CLI_PROBE_TCP)
		step(ctx, "usb permission", "skip", "the probe is reached over TCP");
	else if (first_rc == SWD_EPROBEPERM)
		step(ctx, "usb permission", "fail", "this user may not open the probe; %s",
		     udev_rules() ? udev_rules() : "no udev rules for debug probes are installed: sudo cp "
						   "scripts/60-swdbackup.rules /etc/udev/rules.d/ && sudo udevadm control "
						   "--reload-rules, then replug the probe");
	else
		step(ctx, "usb permission", udev_rules() || geteuid() == 0 ? "ok" : "warn", "%s%s",
		     first_rc == SWD_EPROBENOTFOUND ? "no probe to open; " : "the probe could be opened; ",
		     udev_rules() ? udev_rules() : "no udev rules for debug probes are installed (scripts/60-swdbackup.rules)");
	if (first_rc == SWD_EPROBENOTFOUND)
		step(ctx, "probe busy", "skip", "no probe was found");
	else
		step(ctx, "probe busy", first_rc == SWD_EPROBEBUSY ? "fail" : "ok", "%s",
		     first_rc == SWD_EPROBEBUSY ? first_err->msg : "not in use by another program");
	if (b->probe.has_voltage)
		step(ctx, "target voltage", b->probe.target_voltage < 1.6 ? "fail" : "ok", "%.2f V", b->probe.target_voltage);
	else
		step(ctx, "target voltage", "skip", "the probe did not report it");
}

int cmd_diagnose(struct cli_ctx *ctx)
{
	struct board b;
	struct swd_error first_err;
	unsigned steps[8];
	size_t nsteps;
	char *exe = NULL;
	bool connected = false;
	int rc = 0, first_rc = 0;

	swd_error_init(&first_err);
	if (ctx->opt.npos > 0)
		return swd_error_set(&ctx->err, SWD_EUSAGE, "unexpected argument '%s'", ctx->opt.pos[0]);
	if (ctx->opt.log)
		return classify_log(ctx);
	board_init(&b, ctx);

	/* 1. OpenOCD */
	{
		struct swd_error e;

		swd_error_init(&e);
		if (ocdproc_find(ctx->opt.openocd, &exe, &e) != 0) {
			step(ctx, "openocd", "fail", "%s", e.msg);
			b.ev.openocd_found = DIAG_TRI_NO;
			rc = swd_error_set(&ctx->err, SWD_EOCDMISSING, "%s", e.msg);
			goto findings;
		}
		b.ev.openocd_found = DIAG_TRI_YES;
		step(ctx, "openocd", "ok", "%s", exe);
	}
	if (!ctx->opt.profile) {
		step(ctx, "probe and target", "skip", "give --profile P (and --probe) to check the probe and the target");
		goto findings;
	}
	rc = swd_profile_find(ctx->opt.profile, &b.p, &ctx->err);
	if (rc != 0) {
		step(ctx, "profile", "fail", "%s", ctx->err.msg);
		order_steps(ctx);
		board_release(&b);
		free(exe);
		return rc;
	}
	rc = board_start_probe(&b, &ctx->err);
	if (rc != 0) {
		step(ctx, "probe", "fail", "%s", ctx->err.msg);
		goto findings;
	}

	/* 2. connect normally; its start also tells about the probe, permission, busy, voltage */
	try_connect(ctx, &b, "connect normally", false, 0, &connected, &first_rc, &first_err);
	if (cli_interrupted)
		goto findings;
	probe_steps(ctx, &b, first_rc, &first_err);
	if (first_rc == SWD_EPROBENOTFOUND || first_rc == SWD_EPROBEBUSY || first_rc == SWD_EPROBEPERM ||
	    first_rc == SWD_EOCDMISSING)
		goto findings;

	/* 3. at a lower speed, 4. under reset: in this order, because a reset halt leaves a
	 * firmware that disables SWD unable to run, so a normal attempt after it would pass
	 * for the wrong reason (the list shows them in the order all the same) */
	nsteps = diag_speed_steps(b.p->openocd.adapter_khz, steps, 8);
	if (!cli_interrupted && nsteps > 1)
		try_connect(ctx, &b, "connect at lower speed", false, steps[nsteps - 1], &connected, &first_rc, &first_err);
	if (cli_interrupted)
		;
	else if (b.p->openocd.connect_under_reset)
		try_connect(ctx, &b, "connect under reset", true, 0, &connected, &first_rc, &first_err);
	else
		step(ctx, "connect under reset", "skip", "the profile says this part cannot be attached under reset");
	if (!connected)
		step(ctx, "device identity", "skip", "no connection worked");

findings:
	order_steps(ctx);
	if (cli_interrupted) {
		rc = swd_error_set(&ctx->err, SWD_EINTR, "interrupted");
	} else if (b.p) {
		struct diag_report *r;

		b.ev.op = DIAG_OP_CONNECT;
		r = diag_run(&b.ev);
		if (connected && first_rc == 0)
			board_findings_append_known(ctx->findings, r);
		else
			board_findings_append(ctx->findings, r);
		diag_report_free(r);
		/* the board is usable when some connection worked and it is the profile's part */
		if (!connected || first_rc == SWD_EWRONGTARGET)
			rc = swd_error_set(&ctx->err, first_rc ? first_rc : SWD_ETARGETNORESP, "%s",
					   first_err.msg[0] ? first_err.msg : "no connection worked");
	} else if (rc != 0) {
		struct diag_report *r = diag_run(&b.ev);

		board_findings_append(ctx->findings, r);
		diag_report_free(r);
	}
	free(exe);
	board_release(&b);
	return rc;
}
