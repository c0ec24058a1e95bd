/* link_ocd.c - the OpenOCD backend of a board link (link.h): one OpenOCD session
 * (ocd/session.h) configured from the profile.
 *
 * Everything OpenOCD-shaped the board layer used to know lives here: the interface and
 * target configs, the profile's `set` variables, the flash driver's name, bank 0 (0.12's
 * stm32f2x driver sees a dual-bank F42x/43x as one bank of the whole size, sectors
 * numbered straight through), the on-target CRC work area, and what OpenOCD's log says
 * about a start that failed.
 */
#include "board/link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocd/checksum.h"
#include "ocd/fastflash.h"
#include "ocd/ocdlog.h"
#include "ocd/session.h"

#define MAX_VARS 24

struct link_ocd {
	struct board_link base;       /* first: the link is this struct */
	struct ocd_session *s;
	bool has_voltage;             /* what the probe measured at start, for x32 writes */
	double target_voltage;
};

static struct ocd_session *S(struct board_link *l)
{
	return ((struct link_ocd *)l)->s;
}

static const struct ocd_session *CS(const struct board_link *l)
{
	return ((const struct link_ocd *)l)->s;
}

static void ocd_free(struct board_link *l)
{
	ocd_session_free(S(l));
	free(l);
}

static int ocd_stop(struct board_link *l, struct swd_error *err)
{
	return ocd_session_stop(S(l), err);
}

static const char *const *ocd_log(const struct board_link *l, size_t *n)
{
	*n = 0;
	return CS(l) ? ocd_session_log(CS(l), n) : NULL;
}

static void ocd_end(const struct board_link *l, struct board_link_end *out)
{
	const struct ocd_failure *f = ocd_session_failure(CS(l));
	const char *const *lines;
	size_t n = 0;
	uint32_t v;

	memset(out, 0, sizeof(*out));
	if (f && f->exited) {
		out->exited = true;
		out->status = f->term_signal ? -f->term_signal : (int)f->exit_status;
		/* 0.12 says nothing when the DP IDCODE read fails at init: it just exits (killed
		 * by a signal is a death, not that) */
		out->silent_start = !f->term_signal && ocdlog_silent_init(f->log, f->nlog);
	}
	lines = ocd_log(l, &n);
	for (size_t i = 0; i < n && !out->unexpected_dp_idcode; i++)
		if (ocdlog_unexpected_idcode(lines[i], &v))
			out->unexpected_dp_idcode = v;
}

static int ocd_identify_(struct board_link *l, struct board_identity *out, struct swd_error *err)
{
	const struct swd_profile *p = l->p;
	struct ocd_identity_regs regs = {
		.dbgmcu_idcode = p->regs.dbgmcu_idcode,
		.flash_size = p->regs.flash_size,
		.unique_id = p->regs.unique_id,
	};
	struct ocd_identity id;
	int rc;

	rc = ocd_identify(S(l), &regs, &id, err);
	if (rc != 0)
		return rc;
	out->cpuid = id.cpuid;
	out->dbgmcu_idcode = id.dbgmcu_idcode;
	out->has_dp_idcode = id.has_dp_idcode;
	out->dp_idcode = id.dp_idcode;
	out->flash_size_kib = id.flash_size_kib;
	memcpy(out->uid, id.uid, sizeof(out->uid));
	return 0;
}

static int ocd_reset_(struct board_link *l, enum board_reset mode, struct swd_error *err)
{
	return ocd_reset(S(l), mode == BOARD_RESET_HALT ? OCD_RESET_HALT : OCD_RESET_RUN, err);
}

static int ocd_halt_(struct board_link *l, struct swd_error *err)
{
	return ocd_halt(S(l), err);
}

static void ocd_keep_halted_(struct board_link *l)
{
	ocd_keep_halted(S(l));
}

static int ocd_read_memory_(struct board_link *l, uint32_t address, unsigned width, size_t count,
			    void *buf, struct swd_error *err)
{
	return ocd_read_memory(S(l), address, width, count, buf, err);
}

static int ocd_write_memory_(struct board_link *l, uint32_t address, unsigned width, size_t count,
			     const void *buf, struct swd_error *err)
{
	return ocd_write_memory(S(l), address, width, count, buf, err);
}

static int ocd_read_flash_(struct board_link *l, uint32_t offset, uint32_t len, const char *path,
			   struct swd_error *err)
{
	return ocd_read_flash(S(l), 0, offset, len, path, err);
}

static int ocd_verify_file(struct board_link *l, const char *path, uint32_t address,
			   struct board_verify_result *out, struct swd_error *err)
{
	struct ocd_verify_result vr;
	int rc;

	memset(&vr, 0, sizeof(vr));
	rc = ocd_verify_image(S(l), path, address, &vr, err);
	out->match = vr.match;
	out->has_first_diff = vr.has_first_diff;
	out->first_diff_address = vr.first_diff_address;
	return rc;
}

static int ocd_crc_equal(struct board_link *l, const uint8_t *expected, const struct board_range *r,
			 size_t n, bool *equal, struct swd_error *err)
{
	struct ocd_checksum_area area;
	struct ocd_crc_range *cr;
	int rc;

	rc = ocd_checksum_area(l->p, &area, err);
	if (rc != 0)
		return rc;
	cr = calloc(n ? n : 1, sizeof(*cr));
	if (!cr)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		cr[i].address = r[i].address;
		cr[i].size = r[i].size;
	}
	rc = ocd_checksum_equal(S(l), &area, l->p->flash.base, expected, cr, n, equal, err);
	free(cr);
	return rc;
}

static int ocd_erase_units(struct board_link *l, unsigned first, unsigned last, struct swd_error *err)
{
	return ocd_erase_sectors(S(l), 0, first, last, err);
}

static int ocd_mass_erase_(struct board_link *l, struct swd_error *err)
{
	return ocd_mass_erase(S(l), l->p->family->driver, 0, err);
}

/* Why the x32 routine (ocd/fastflash.h) may not write here, or NULL when it may. */
static const char *x32_refusal(const struct link_ocd *o, const struct board_program *a, char *buf, size_t n)
{
	const struct swd_profile *p = o->base.p;

	if (!p->flash.x32_min_mv)
		return "the profile allows no x32 writes";
	if (p->flash.option_layout.active)
		return "the option bytes select the dual-bank layout";
	if (!o->has_voltage) {
		snprintf(buf, n, "the probe reported no target voltage (x32 needs %.2f V)", p->flash.x32_min_mv / 1000.0);
		return buf;
	}
	if (o->target_voltage * 1000.0 < p->flash.x32_min_mv) {
		snprintf(buf, n, "the target voltage %.2f V is below the %.2f V x32 needs", o->target_voltage,
			 p->flash.x32_min_mv / 1000.0);
		return buf;
	}
	if (a->len % 4 || a->offset % 4)
		return "the image is not whole words";
	return NULL;
}

static void tell(const struct board_program *a, const char *method, const char *line, const char *why)
{
	if (!a->how)
		return;
	snprintf(a->how->method, sizeof(a->how->method), "%s", method);
	snprintf(a->how->line, sizeof(a->how->line), "%s", line);
	snprintf(a->how->why, sizeof(a->how->why), "%s", why ? why : "");
}

/* At PSIZE x32 by our routine when the supply allows it (RM0090 §3.6.2), else, or when
 * the routine cannot run, by OpenOCD's driver, which erases again whatever the routine
 * did. A flash error flag the routine met is final: the driver would meet it too. */
static int ocd_program_(struct board_link *l, const struct board_program *a, struct swd_error *err)
{
	const struct link_ocd *o = (const struct link_ocd *)l;
	const struct swd_profile *p = l->p;
	struct ocd_program_args pa;
	struct ocd_checksum_area wa;
	struct ocd_fast_state st;
	struct ocd_sector *secs;
	struct swd_error e = { 0 };
	char buf[160], why[SWD_ERROR_MSG_MAX + 40], line[SWD_ERROR_MSG_MAX + 96];
	const char *no = x32_refusal(o, a, buf, sizeof(buf));
	int rc;

	secs = calloc(p->flash.nsectors ? p->flash.nsectors : 1, sizeof(*secs));
	if (!secs)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->flash.nsectors; i++) {
		secs[i].index = p->flash.sectors[i].index;
		secs[i].offset = p->flash.sectors[i].address - p->flash.base;
		secs[i].size = p->flash.sectors[i].size;
	}
	memset(&pa, 0, sizeof(pa));
	pa.data = a->data;
	pa.len = a->len;
	pa.scratch = a->scratch;
	pa.bank = 0;
	pa.bank_base = p->flash.base;
	pa.offset = a->offset;
	pa.sectors = secs;
	pa.nsectors = p->flash.nsectors;
	if (!no && ocd_checksum_area(p, &wa, &e) != 0)
		no = e.msg;
	/* the whole RAM region the work area starts, not just the work area: the firmware is
	 * being replaced and is reset afterwards, and room for a sector's data lets it travel
	 * during the erase before it */
	for (size_t i = 0; !no && i < p->nram; i++)
		if (p->ram[i].address == wa.address)
			wa.size = p->ram[i].size;
	if (!no) {
		rc = ocd_fast_program(S(l), &wa, &pa, OCD_PSIZE_X32, &st, &e);
		if (rc == 0 || !st.routine_fault) {
			snprintf(line, sizeof(line), "written at psize x32 by swdbackup's flash routine "
				 "(target voltage %.2f V)", o->target_voltage);
			tell(a, "x32 routine", line, NULL);
			if (rc != 0)
				swd_error_set(err, rc, "%s", e.msg);
			free(secs);
			return rc;
		}
		snprintf(why, sizeof(why), "the x32 routine failed: %s", e.msg);
		no = why;
	}
	snprintf(line, sizeof(line), "written by openocd's %s driver: %s", p->family->driver, no);
	tell(a, "openocd driver", line, no);
	rc = ocd_program(S(l), &pa, err);
	free(secs);
	return rc;
}

static int ocd_read_protection_(struct board_link *l, int *level, struct swd_error *err)
{
	return ocd_read_protection(S(l), l->p->family->driver, 0, level, err);
}

static int ocd_unlock(struct board_link *l, struct swd_error *err)
{
	return ocd_options_unlock(S(l), l->p->family->driver, 0, err);
}

static int ocd_f1_write(struct board_link *l, const struct board_f1_user *u, struct swd_error *err)
{
	struct ocd_f1_user o = {
		.swwdg = u->swwdg, .norststop = u->norststop, .norststndby = u->norststndby,
		.useropt = u->useropt,
	};

	return ocd_f1_options_write(S(l), 0, &o, err);
}

static int ocd_f2_write(struct board_link *l, uint32_t user, struct swd_error *err)
{
	return ocd_f2_options_write(S(l), 0, user, err);
}

static int ocd_protect(struct board_link *l, unsigned first, unsigned last, bool on, struct swd_error *err)
{
	return ocd_flash_protect(S(l), 0, first, last, on, err);
}

static const struct board_link_ops ocd_ops = {
	.kind = "openocd",
	.free = ocd_free,
	.stop = ocd_stop,
	.log = ocd_log,
	.end = ocd_end,
	.identify = ocd_identify_,
	.reset = ocd_reset_,
	.halt = ocd_halt_,
	.keep_halted = ocd_keep_halted_,
	.read_memory = ocd_read_memory_,
	.write_memory = ocd_write_memory_,
	.read_flash = ocd_read_flash_,
	.verify_file = ocd_verify_file,
	.crc_equal = ocd_crc_equal,
	.erase_units = ocd_erase_units,
	.mass_erase = ocd_mass_erase_,
	.program = ocd_program_,
	.read_protection = ocd_read_protection_,
	.unlock = ocd_unlock,
	.f1_options_write = ocd_f1_write,
	.f2_options_write = ocd_f2_write,
	.protect = ocd_protect,
};

static void copy_probe(struct board_link_probe *out, const struct ocdlog_probe *in)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->adapter, sizeof(out->adapter), "%s", in->adapter);
	snprintf(out->firmware, sizeof(out->firmware), "%s", in->firmware);
	snprintf(out->version, sizeof(out->version), "%s", in->openocd_version);
	out->has_voltage = in->has_voltage;
	out->target_voltage = in->target_voltage;
	out->adapter_khz = in->adapter_khz;
}

int board_link_ocd_open(const struct swd_profile *p, const struct board_link_params *lp,
			const struct board_link_events *ev, struct board_link **out,
			struct board_link_probe *probe, struct swd_error *err)
{
	struct ocd_session_config cfg;
	struct ocdproc_var vars[MAX_VARS];
	struct ocdlog_probe facts;
	struct link_ocd *l;
	size_t nv = 0;
	int rc;

	*out = NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	l->base.ops = &ocd_ops;
	l->base.p = p;
	memset(&cfg, 0, sizeof(cfg));
	for (size_t i = 0; i < p->openocd.nvars && nv < MAX_VARS; i++) {
		vars[nv].name = p->openocd.vars[i].name;
		vars[nv].value = p->openocd.vars[i].value;
		nv++;
	}
	cfg.proc.dp_idcode = lp->dp_idcode;
	cfg.proc.openocd = lp->tool;
	cfg.proc.interface_cfg = p->openocd.interface;
	cfg.proc.interface = lp->interface;
	switch (lp->probe) {
	case BOARD_LINK_TCP:
		cfg.proc.probe = OCDPROC_PROBE_STLINK_TCP;
		cfg.proc.stlink_port = lp->port;
		break;
	case BOARD_LINK_USB_SERIAL:
		cfg.proc.probe = OCDPROC_PROBE_USB_SERIAL;
		cfg.proc.serial = lp->serial;
		break;
	default:
		cfg.proc.probe = OCDPROC_PROBE_ANY;
	}
	cfg.proc.vars = vars;
	cfg.proc.nvars = nv;
	cfg.proc.target_cfg = p->openocd.target;
	cfg.proc.adapter_khz = lp->speed_khz ? lp->speed_khz : p->openocd.adapter_khz;
	cfg.proc.connect_under_reset = lp->under_reset;
	cfg.on_log = ev->on_log;
	cfg.on_progress = ev->on_progress;
	cfg.ud = ev->ud;
	cfg.interrupted = ev->interrupted;

	memset(&facts, 0, sizeof(facts));
	rc = ocd_session_start(&cfg, &l->s, &facts, err);
	l->has_voltage = facts.has_voltage;
	l->target_voltage = facts.target_voltage;
	if (probe)
		copy_probe(probe, &facts);
	/* kept on failure too: its log and how OpenOCD ended are the findings' evidence */
	*out = &l->base;
	return rc;
}
