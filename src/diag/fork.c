/* diag: the checks of rules_fork.inc (see fork.h). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag/checks.h"
#include "diag/fork.h"
#include "ocd/ocdlog.h"

enum piece_kind {
	PIECE_ADAPTER = 1,
	PIECE_FLASH = 2,
	PIECE_TARGET = 4,
};

#define FORK_RPI "Raspberry Pi's fork (raspberrypi/openocd, branch picoprobe; the debugprobe " \
	"firmware that replaced picoprobe's needs no fork: interface/cmsis-dap.cfg)"
#define FORK_WCH "WCH's fork (the OpenOCD MounRiver Studio ships)"
#define FORK_ESP "Espressif's fork (openocd-esp32, the OpenOCD ESP-IDF installs)"
#define FORK_ARTERY "Artery's fork (ArteryTek/openocd, the OpenOCD of Artery's AT32 IDE)"
#define FORK_INFINEON "Infineon's fork (the OpenOCD ModusToolbox ships; Infineon/openocd " \
	"releases)"
#define FORK_NUCLEI "Nuclei's RISC-V fork (riscv-mcu/riscv-openocd, in Nuclei Studio; WCH's " \
	"fork carries the driver too)"

/* The pieces only a fork has, read from each fork's sources against OpenOCD 0.12's: their
 * struct adapter_driver, flash_driver and target_type names (PREFIX: every name that starts
 * so). */
static const struct fork_piece {
	unsigned kinds;
	const char *name;
	bool prefix;
	const char *fork;
} fork_pieces[] = {
	{ PIECE_ADAPTER, "picoprobe", false, FORK_RPI },     /* src/jtag/drivers/picoprobe.c */
	{ PIECE_ADAPTER, "wlinke", false, FORK_WCH },        /* src/jtag/drivers/wlinke.c */
	{ PIECE_ADAPTER, "wlink", false, FORK_WCH },         /* its name in WCH's 2022 source */
	{ PIECE_FLASH | PIECE_TARGET, "wch_riscv", false, FORK_WCH }, /* wchriscv.c, wch_riscv.c */
	{ PIECE_FLASH, "wch_arm", false, FORK_WCH },         /* src/flash/nor/wcharm.c */
	{ PIECE_ADAPTER, "jtag_esp_remote", false, FORK_ESP },
	/* its source is not published in a repository; the name is the one its configs and
	 * Zephyr's board checks ('adapter driver kitprog3') use */
	{ PIECE_ADAPTER, "kitprog3", false, FORK_INFINEON },
	{ PIECE_FLASH, "esp32", true, FORK_ESP },            /* src/flash/nor/esp32*.c */
	/* the RISC-V chips' targets; esp32, esp32s2 and esp32s3 are upstream's since 0.12 */
	{ PIECE_TARGET, "esp32c", true, FORK_ESP },
	{ PIECE_TARGET, "esp32h", true, FORK_ESP },
	{ PIECE_TARGET, "esp32p4", false, FORK_ESP },
	{ PIECE_FLASH, "at32", true, FORK_ARTERY },          /* src/flash/nor/at32f4xx.c */
	{ PIECE_FLASH, "gd32vf103", false, FORK_NUCLEI },    /* src/flash/nor/gd32vf103.c */
};

/* The release that brought each target type: the struct target_type names in src/target at
 * tags v0.9.0-v0.12.0 (9: 0.9 had it already). */
static const struct {
	const char *name;
	int minor;
} target_types[] = {
	{ "arm11", 9 }, { "arm720t", 9 }, { "arm7tdmi", 9 }, { "arm920t", 9 }, { "arm926ejs", 9 },
	{ "arm946e", 9 }, { "arm966e", 9 }, { "arm9tdmi", 9 }, { "avr", 9 }, { "avr32_ap7k", 9 },
	{ "cortex_a", 9 }, { "cortex_m", 9 }, { "cortex_r4", 9 }, { "dragonite", 9 },
	{ "dsp563xx", 9 }, { "dsp5680xx", 9 }, { "fa526", 9 }, { "feroceon", 9 },
	{ "hla_target", 9 }, { "mips_m4k", 9 }, { "nds32_v2", 9 }, { "nds32_v3", 9 },
	{ "nds32_v3m", 9 }, { "or1k", 9 }, { "quark_x10xx", 9 }, { "testee", 9 }, { "xscale", 9 },
	{ "ls1_sap", 10 }, { "quark_d20xx", 10 },
	{ "aarch64", 11 }, { "arcv2", 11 }, { "esirisc", 11 }, { "mem_ap", 11 },
	{ "mips_mips64", 11 }, { "riscv", 11 }, { "stm8", 11 },
	{ "esp32", 12 }, { "esp32s2", 12 }, { "esp32s3", 12 }, { "xtensa", 12 },
};

/* The fork whose piece of kind KIND is called NAME, or NULL. */
static const char *fork_of(unsigned kind, const char *name)
{
	for (size_t i = 0; i < sizeof(fork_pieces) / sizeof(fork_pieces[0]); i++) {
		const struct fork_piece *p = &fork_pieces[i];
		if (!(p->kinds & kind))
			continue;
		if (p->prefix ? strncmp(name, p->name, strlen(p->name)) == 0
		              : strcmp(name, p->name) == 0)
			return p->fork;
	}
	return NULL;
}

/* Reads the name the log's refusal of a piece of KIND gives into NAME. Returns false when
 * no line refuses one. */
static bool refused_piece(const struct diag_ctx *c, unsigned kind, char name[64])
{
	static const struct {
		unsigned kind;
		const char *mark;
		const char *format;
	} refusals[] = {
		{ PIECE_ADAPTER, "debug interface was not found (",
		  "debug interface was not found (%63[^)])" },
		{ PIECE_FLASH, "flash driver '", "flash driver '%63[^']' not found" },
		{ PIECE_TARGET, "Unknown target type ", "Unknown target type %63[^, ]" },
	};
	for (size_t i = 0; i < c->ev->n_log_lines; i++)
		for (size_t k = 0; k < sizeof(refusals) / sizeof(refusals[0]); k++) {
			if (!(refusals[k].kind & kind))
				continue;
			const char *p = strstr(c->ev->log_lines[i], refusals[k].mark);
			if (p && sscanf(p, refusals[k].format, name) == 1)
				return true;
		}
	return false;
}

static int fork_refusal(struct diag_ctx *c, unsigned kinds, const char *what)
{
	for (unsigned kind = PIECE_ADAPTER; kind <= PIECE_TARGET; kind <<= 1) {
		char name[64];
		if (!(kinds & kind) || !refused_piece(c, kind, name))
			continue;
		const char *fork = fork_of(kind, name);
		if (!fork)
			continue;
		snprintf(c->detail, sizeof(c->detail), "'%s' is %s only %s has, no OpenOCD release",
		         name, kind == PIECE_TARGET ? "a target type" : what, fork);
		return DIAG_CONF_HIGH;
	}
	return 0;
}

int chk_fork_adapter(struct diag_ctx *c)
{
	return fork_refusal(c, PIECE_ADAPTER, "an adapter driver");
}

int chk_fork_piece(struct diag_ctx *c)
{
	return fork_refusal(c, PIECE_FLASH | PIECE_TARGET, "a flash driver");
}

int chk_target_type_release(struct diag_ctx *c)
{
	char name[64];
	if (!refused_piece(c, PIECE_TARGET, name))
		return DIAG_CONF_MEDIUM; /* the pattern matched a line the scan cannot split */
	int added = -1;
	for (size_t i = 0; i < sizeof(target_types) / sizeof(target_types[0]); i++)
		if (strcmp(target_types[i].name, name) == 0)
			added = target_types[i].minor;
	bool ran_known = c->ver_major == 0 && c->ver_minor >= 0;
	if (added < 0) {
		snprintf(c->detail, sizeof(c->detail), "no OpenOCD release up to 0.12 has a '%s' "
		         "target type: a vendor fork's, a newer one, or misspelt", name);
		return DIAG_CONF_MEDIUM;
	}
	if (ran_known && c->ver_minor >= added)
		return DIAG_CONF_LOW;
	if (!ran_known) {
		snprintf(c->detail, sizeof(c->detail), "the '%s' target type came with OpenOCD 0.%d",
		         name, added);
		return added > 9 ? DIAG_CONF_MEDIUM : DIAG_CONF_LOW;
	}
	snprintf(c->detail, sizeof(c->detail), "OpenOCD 0.%d predates the '%s' target type "
	         "(added in 0.%d)", c->ver_minor, name, added);
	return DIAG_CONF_HIGH;
}

static bool dtm_unread_line(const char *l)
{
	return strstr(l, "dtmcontrol is 0") || strstr(l, "(dtmcontrol=0xffffffff)") ||
	       strstr(l, "read dtmcontrol.") || strstr(l, "scan dtmcontrol.");
}

/* The IDCODE a TAP gave before the first DTM line ("JTAG tap: riscv.cpu tap/device found:
 * 0x43651093 ...", read by ocdlog_dp_idcode), when it is one: neither all zeros (TDO held
 * low) nor all ones (TDO floating). The chain then answered, so the wires and power work and
 * the DTM's zeros come from what sits behind the TAP. Returns false when no such line comes
 * first. */
static bool tap_answered_before_dtm(const struct diag_ctx *c, uint32_t *idcode)
{
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		if (dtm_unread_line(l) || strstr(l, "Unsupported DTM version"))
			return false;
		if (ocdlog_dp_idcode(l, idcode) && *idcode != 0 && *idcode != 0xffffffffu)
			return true;
	}
	return false;
}

int chk_fork_dtm_unread(struct diag_ctx *c)
{
	uint32_t idcode;
	if (chk_answered_after(c, dtm_unread_line) || tap_answered_before_dtm(c, &idcode))
		return 0;
	return DIAG_CONF_HIGH;
}

/* The other side of chk_fork_dtm_unread: a TAP gave its IDCODE, then the DTM behind it read
 * zeros or a version no spec has. */
int chk_fork_dtm_behind_live_tap(struct diag_ctx *c)
{
	uint32_t idcode;
	if (!tap_answered_before_dtm(c, &idcode))
		return 0;
	snprintf(c->detail, sizeof(c->detail), "a TAP answered with IDCODE 0x%08" PRIx32 " before "
	         "it, so the JTAG wires and power work", idcode);
	return DIAG_CONF_LOW;
}

/* The value a JTAG IR capture line says it saw: '%s: IR capture error; saw 0x%0*x not ...'
 * (one TAP) or 'IR capture error at bit %d, saw 0x%s not 0x...3' (the whole chain, as many
 * hex digits as it has bits / 4). Returns 1 for all zeros, 2 for all ones (every bit of a
 * TAP's register: 0x3, 0x7, 0xf, 0x1f, ...), 3 for another value, 0 when no line says. */
static int ir_capture_seen(const struct diag_ctx *c)
{
	int kind = 0;
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *p = strstr(c->ev->log_lines[i], "IR capture error");
		if (!p || !(p = strstr(p, "saw 0x")))
			continue;
		p += 6;
		size_t n = strspn(p, "0123456789abcdefABCDEF");
		if (!n)
			continue;
		if (strspn(p, "0") == n) {
			kind = 1;
		} else if (strspn(p, "fF") == n && n > 2) {
			kind = 2; /* the whole chain's bits */
		} else {
			char hex[17];
			snprintf(hex, sizeof(hex), "%.*s", (int)(n < 16 ? n : 16), p);
			unsigned long long v = strtoull(hex, NULL, 16);
			kind = v > 1 && (v & (v + 1)) == 0 ? 2 : 3;
		}
	}
	return kind;
}

int chk_jtag_ir_dead(struct diag_ctx *c)
{
	int kind = ir_capture_seen(c);
	if (kind != 1 && kind != 2)
		return 0;
	/* a TAP that gave its IDCODE drives TDO: its capture was garbled (rules_drv.inc) */
	if (chk_log_has(c, "tap/device found: 0x"))
		return 0;
	snprintf(c->detail, sizeof(c->detail), "the IR capture read all %s: no TAP drove TDO",
	         kind == 1 ? "zeros" : "ones");
	return DIAG_CONF_HIGH;
}
