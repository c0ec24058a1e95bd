/* report.c - the board's part of the report document, and the findings at close (board.h). */
#include "board/board-priv.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "board/findings.h"
#include "board/usbpick.h"

static const char *probe_kind_name(const struct cli_ctx *ctx)
{
	switch (ctx->opt.probe.kind) {
	case CLI_PROBE_SIM:
	case CLI_PROBE_SIM_FILE: return "sim";
	case CLI_PROBE_TCP: return "stlink-tcp";
	case CLI_PROBE_DFU: return "dfu";
	default: return ctx->opt.interface ? ctx->opt.interface : "stlink";
	}
}

static json_t *probe_json(struct board *b)
{
	struct cli_ctx *ctx = b->ctx;
	json_t *probe = json_object();

	json_object_set_new(probe, "kind", json_string(probe_kind_name(ctx)));
	json_object_set_new(probe, "serial", ctx->opt.probe.serial ? json_string(ctx->opt.probe.serial) : json_null());
	if (b->usb_found) {
		char vp[10];

		snprintf(vp, sizeof(vp), "%04x:%04x", b->usb.vid, b->usb.pid);
		json_object_set_new(probe, "usb_kind", json_string(b->usb.kind));
		json_object_set_new(probe, "vid_pid", json_string(vp));
	}
	json_object_set_new(probe, "firmware", b->probe.firmware[0] ? json_string(b->probe.firmware) : json_null());
	json_object_set_new(probe, "target_voltage", b->probe.has_voltage ?
			    json_real(round(b->probe.target_voltage * 100.0) / 100.0) : json_null());
	json_object_set_new(probe, "openocd_version", b->probe.version[0] ? json_string(b->probe.version) : json_null());
	json_object_set_new(probe, "adapter_khz", b->probe.adapter_khz ? json_integer(b->probe.adapter_khz) : json_null());
	if (b->sim_started && ctx->opt.probe.kind == CLI_PROBE_SIM_FILE)
		json_object_set_new(probe, "board", json_string(ctx->opt.probe.file));
	if (b->sim_started && b->sim.model)
		json_object_set_new(probe, "sim_model", json_string(b->sim.model));
	if (b->probe.vid_pid[0]) {
		/* a DFU bootloader: what it reported of itself */
		json_t *l = json_array();

		for (size_t i = 0; i < b->probe.nlayouts; i++)
			json_array_append_new(l, json_string(b->probe.layouts[i]));
		json_object_set_new(probe, "serial", json_string(b->probe.serial));
		json_object_set_new(probe, "vid_pid", json_string(b->probe.vid_pid));
		json_object_set_new(probe, "flash_alt", json_integer(b->probe.flash_alt));
		json_object_set_new(probe, "layouts", l);
	}
	return probe;
}

static json_t *device_json(struct board *b)
{
	json_t *dev = json_object();
	const char *rn = board_revision(b);
	char h[16], uid[25];

	json_object_set_new(dev, "dp_idcode", b->id.has_dp_idcode || b->clone_idcode[0] ?
			    json_string(b->id.has_dp_idcode ? board_hex32(h, b->id.dp_idcode) : b->clone_idcode) : json_null());
	json_object_set_new(dev, "clone", json_boolean(b->clone));
	json_object_set_new(dev, "cpuid", json_string(board_hex32(h, b->id.cpuid)));
	json_object_set_new(dev, "dbgmcu_idcode", json_string(board_hex32(h, b->id.dbgmcu_idcode)));
	snprintf(h, sizeof(h), "0x%03x", b->id.dbgmcu_idcode & 0xfff);
	json_object_set_new(dev, "dev_id", json_string(h));
	snprintf(h, sizeof(h), "0x%04x", b->id.dbgmcu_idcode >> 16);
	json_object_set_new(dev, "rev_id", json_string(h));
	json_object_set_new(dev, "revision", rn ? json_string(rn) : json_null());
	if (rn && b->p->ids.revisions_advisory)
		json_object_set_new(dev, "revision_advisory", json_string(b->p->ids.revisions_advisory));
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
	return dev;
}

void board_report(struct board *b)
{
	struct cli_ctx *ctx = b->ctx;
	json_t *prot, *w;

	json_object_set_new(ctx->doc, "profile", json_string(b->p->name));
	json_object_set_new(ctx->doc, "probe", probe_json(b));
	if (ctx->opt.probe.kind != CLI_PROBE_DFU)
		json_object_set_new(ctx->doc, "connection", json_pack("{s:b,s:i}", "under_reset", b->under_reset,
								      "speed_khz", b->speed_khz ? b->speed_khz : b->p->openocd.adapter_khz));
	if (!b->identified && !b->id.dbgmcu_idcode)
		return;
	json_object_set_new(ctx->doc, "device", device_json(b));
	if (!b->prot_ready)
		return;
	prot = json_object();
	json_object_set_new(prot, "rdp_level", json_integer(b->prot.rdp_level));
	w = json_array();
	for (size_t i = 0; i < b->prot.nwrp; i++)
		json_array_append_new(w, json_integer(b->prot.wrp[i]));
	json_object_set_new(prot, "wrp", w);
	json_object_set_new(prot, "wrp_unit", json_string(b->p->family->unit));
	json_object_set_new(ctx->doc, "protection", prot);
}

/* A failure: explain it from everything the link's tool said. */
static void failure_findings(struct board *b, int rc)
{
	struct diag_report *r;

	b->ev.op = b->op;
	if (rc == SWD_EOCDMISSING)
		b->ev.openocd_found = DIAG_TRI_NO;
	if (b->link)
		board__note_exit(b);
	r = diag_run(&b->ev);
	board_findings_append(b->ctx->findings, r);
	diag_report_free(r);
}

/* A success that still has something to say: a rescue, a clone, a size mismatch. */
static void success_findings(struct board *b)
{
	struct diag_report *r;

	b->ev.op = b->op;
	b->ev.rescued_after_silent_start = b->silent_failure && b->under_reset;
	r = diag_run(&b->ev);
	board_findings_append_known(b->ctx->findings, r);
	diag_report_free(r);
}

int board_close(struct board *b, int rc, struct swd_error *err)
{
	struct cli_ctx *ctx = b->ctx;
	bool gone;

	if (cli_interrupted && rc != 0)
		rc = swd_error_set(err, SWD_EINTR, "interrupted");
	if (b->p && b->tried)
		board_report(b);
	board__feed_log(b);
	/* A probe unplugged explains the failure; the log's errors are its consequences. */
	gone = b->usb_found && board_usb_findings(ctx, &b->usb, rc, b->tried);
	if (!gone && b->ev_ready && b->p && b->tried && rc != 0 && rc != SWD_EINTR && rc != SWD_EUSAGE &&
	    swd_exit_code(rc) != 3 && !b->explained)
		failure_findings(b, rc);
	else if (rc == 0 && b->ev_ready && b->p && (b->clone || b->ev.n_attempts ||
						     (b->identified && b->id.flash_size_kib != b->p->ids.flash_size_kib)))
		success_findings(b);
	board_release(b);
	return rc;
}
