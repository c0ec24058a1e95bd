/* target.c - operations on the target: memory, identity, reset and halt, option bytes
 * and protection, and a raw Tcl command for callers that need one. Each is one OpenOCD
 * command (or a few) run through the session's request/reply path. */
#include "ocd/session-priv.h"
#include "ocd/session-test.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocd/ocdlog.h"
#include "ocd/tcl.h"

/* Parses a list of numbers ("0x20005000 0x8000101") into vals (max n). Returns the count
 * or a negative error. */
static int parse_numbers(const char *text, uint64_t *vals, size_t n)
{
	struct tcl_list l;
	int rc = tcl_list_parse(text, strlen(text), &l);
	size_t i;

	if (rc)
		return rc;
	for (i = 0; i < l.n && i < n; i++) {
		char *end;

		errno = 0;
		vals[i] = strtoull(l.items[i], &end, 0);
		if (errno || *end || end == l.items[i]) {
			tcl_list_release(&l);
			return SWD_EOCDPROTO;
		}
	}
	rc = (int)l.n;
	tcl_list_release(&l);
	return rc;
}

int ocd_read_memory(struct ocd_session *s, uint32_t address, unsigned width, size_t count,
                    void *buf, struct swd_error *err)
{
	char *cmd = NULL, *text = NULL;
	uint64_t *vals = NULL;
	uint8_t *out = buf;
	int rc, got;

	if ((width != 8 && width != 16 && width != 32) || count == 0 || count > 65536)
		return swd_error_set(err, SWD_EINTERNAL, "bad read_memory request (width %u, count %zu)",
		                     width, count);
	cmd = ocd__fmt("read_memory 0x%08" PRIx32 " %u %zu", address, width, count);
	vals = calloc(count, sizeof(*vals));
	if (!cmd || !vals) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	rc = ocd__run_ok(s, cmd, 0, &text, err);
	if (rc)
		goto out;
	got = parse_numbers(text, vals, count);
	if (got != (int)count) {
		rc = ocd__fail(s, err, SWD_EOCDPROTO, cmd, 0, text,
		          "unexpected reply to '%s': '%.80s'", cmd, text);
		goto out;
	}
	for (size_t i = 0; i < count; i++)
		for (unsigned b = 0; b < width / 8; b++)
			*out++ = (uint8_t)(vals[i] >> (8 * b));
out:
	free(cmd);
	free(text);
	free(vals);
	return rc;
}

int ocd_write_memory(struct ocd_session *s, uint32_t address, unsigned width, size_t count,
                     const void *buf, struct swd_error *err)
{
	const uint8_t *in = buf;
	char *list = NULL, *cmd = NULL;
	size_t cap, n = 0;
	int rc;

	if ((width != 8 && width != 16 && width != 32) || count == 0 || count > 65536)
		return swd_error_set(err, SWD_EINTERNAL, "bad write_memory request");
	cap = count * 12 + 4;
	list = malloc(cap);
	if (!list)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	for (size_t i = 0; i < count; i++) {
		uint32_t v = 0;

		for (unsigned b = 0; b < width / 8; b++)
			v |= (uint32_t)*in++ << (8 * b);
		n += (size_t)snprintf(list + n, cap - n, "%s0x%" PRIx32, i ? " " : "", v);
	}
	cmd = ocd__fmt("write_memory 0x%08" PRIx32 " %u {%s}", address, width, list);
	free(list);
	if (!cmd)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	rc = ocd__run_ok(s, cmd, 0, NULL, err);
	free(cmd);
	return rc;
}

int ocd_identify(struct ocd_session *s, const struct ocd_identity_regs *regs,
                 struct ocd_identity *out, struct swd_error *err)
{
	char *cmd, *text = NULL;
	struct tcl_list l = { 0 };
	uint64_t v[3];
	int rc;

	memset(out, 0, sizeof(*out));
	/* One round trip for the four reads. */
	cmd = ocd__fmt("list [read_memory 0xE000ED00 32 1] [read_memory 0x%08" PRIx32 " 32 1]"
	          " [read_memory 0x%08" PRIx32 " 16 1] [read_memory 0x%08" PRIx32 " 32 3]",
	          regs->dbgmcu_idcode, regs->flash_size, regs->unique_id);
	if (!cmd)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	rc = ocd__run_ok(s, cmd, 0, &text, err);
	if (rc)
		goto out;
	rc = tcl_list_parse(text, strlen(text), &l);
	if (rc || l.n != 4 || parse_numbers(l.items[0], v, 1) != 1) {
		rc = ocd__fail(s, err, SWD_EOCDPROTO, cmd, 0, text, "unexpected identity reply '%.80s'", text);
		goto out;
	}
	out->cpuid = (uint32_t)v[0];
	if (parse_numbers(l.items[1], v, 1) != 1)
		goto bad;
	out->dbgmcu_idcode = (uint32_t)v[0];
	if (parse_numbers(l.items[2], v, 1) != 1)
		goto bad;
	out->flash_size_kib = (uint16_t)v[0];
	if (parse_numbers(l.items[3], v, 3) != 3)
		goto bad;
	for (int i = 0; i < 3; i++)
		for (int b = 0; b < 4; b++)
			out->uid[i * 4 + b] = (uint8_t)(v[i] >> (8 * b));
	rc = 0;
	goto out;
bad:
	rc = ocd__fail(s, err, SWD_EOCDPROTO, cmd, 0, text, "unexpected identity reply '%.80s'", text);
out:
	tcl_list_release(&l);
	free(cmd);
	free(text);
	return rc;
}

int ocd_reset(struct ocd_session *s, enum ocd_reset_mode mode, struct swd_error *err)
{
	static const char *const cmds[] = { "reset run", "reset halt", "reset init" };
	int rc = ocd__run_ok(s, cmds[mode], 0, NULL, err);

	if (rc == 0)
		s->halted_by_us = s->reset_halted = mode != OCD_RESET_RUN;
	if (rc == 0 && s->adapter_khz) {
		/* The stock F2/F4 configs set their own speed in reset-start (2000 kHz) and
		 * reset-init (8000 kHz) handlers; put back the speed that was asked for. */
		char cmd[48];

		snprintf(cmd, sizeof(cmd), "adapter speed %u", s->adapter_khz);
		rc = ocd__run_ok(s, cmd, 0, NULL, err);
	}
	return rc;
}

int ocd_halt(struct ocd_session *s, struct swd_error *err)
{
	int rc = ocd__run_ok(s, "halt", 0, NULL, err);

	if (rc == 0)
		s->halted_by_us = true;
	s->reset_halted = false;
	return rc;
}

int ocd_resume(struct ocd_session *s, struct swd_error *err)
{
	int rc = ocd__run_ok(s, "resume", 0, NULL, err);

	if (rc == 0)
		s->halted_by_us = false;
	s->reset_halted = false;
	return rc;
}

/* Every write to flash or option bytes starts from a reset halt, as OpenOCD's own `program`
 * does. A core that was merely halted has run its firmware, and the firmware's traces stay in
 * the flash interface: an error flag it left in FLASH_SR (PGSERR after a stray store to flash,
 * RM0090 3.7.5; PGERR on F1, RM0008 3.4.2) makes OpenOCD's driver report the next erase or
 * program as failed, and a lock or a half-set FLASH_CR gets in the way too. A system reset
 * clears them all, and the halt at the reset vector keeps the firmware from running again. */
int ocd__write_ready(struct ocd_session *s, struct swd_error *err)
{
	return s->reset_halted ? 0 : ocd_reset(s, OCD_RESET_HALT, err);
}

const char *ocd_target_state(const struct ocd_session *s)
{
	return s->target_state;
}

void ocd_keep_halted(struct ocd_session *s)
{
	s->keep_halted = true;
}

/* Runs cmd (already quoted) and requires success. The option-byte and protection commands
 * of the stm32f1x/stm32f2x drivers report some failures only in their text and return OK. */
static int text_checked(struct ocd_session *s, const char *cmd, char **text_out,
                        struct swd_error *err)
{
	char *text = NULL;
	int rc;

	if (text_out)
		*text_out = NULL;
	/* Option-byte programming on F2/F4 polls for up to 33 s (an RDP change erases). */
	rc = ocd__run_ok(s, cmd, s->command_timeout_ms, &text, err);
	if (rc)
		goto out;
	if (strstr(text, "failed") || strstr(text, "Failed")) {
		char shown[256];

		snprintf(shown, sizeof(shown), "%s", text);
		ocd__strip_trailing_space(shown);
		rc = ocd__fail(s, err, SWD_ETARGETFAILED, cmd, 0, text, "openocd command '%s' failed: %s",
		          cmd, shown);
		goto out;
	}
	ocd__strip_trailing_space(text);
	if (text_out) {
		*text_out = text;
		text = NULL;
	}
out:
	free(text);
	return rc;
}

static int options_cmd(struct ocd_session *s, const char *driver, const char *verb,
                       unsigned bank, const char *args, char **text_out, struct swd_error *err)
{
	char *qd = tcl_quote_str(driver), *cmd;
	int rc;

	if (text_out)
		*text_out = NULL;
	cmd = qd ? ocd__fmt("%s %s %u%s", qd, verb, bank, args) : NULL;
	free(qd);
	if (!cmd)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	rc = text_checked(s, cmd, text_out, err);
	free(cmd);
	return rc;
}

int ocd_options_read(struct ocd_session *s, const char *driver, unsigned bank, char **text,
                     struct swd_error *err)
{
	return options_cmd(s, driver, "options_read", bank, "", text, err);
}

int ocd_read_protection(struct ocd_session *s, const char *driver, unsigned bank, int *level,
                        struct swd_error *err)
{
	char *text = NULL;
	int rc;

	*level = -1;
	rc = options_cmd(s, driver, "options_read", bank, "", &text, err);
	if (rc == 0 && text)
		*level = ocdlog_read_protection(text);
	free(text);
	return rc;
}

int ocd_options_lock(struct ocd_session *s, const char *driver, unsigned bank,
                     struct swd_error *err)
{
	int rc = ocd__write_ready(s, err);

	return rc ? rc : options_cmd(s, driver, "lock", bank, "", NULL, err);
}

int ocd_options_unlock(struct ocd_session *s, const char *driver, unsigned bank,
                       struct swd_error *err)
{
	int rc = ocd__write_ready(s, err);

	return rc ? rc : options_cmd(s, driver, "unlock", bank, "", NULL, err);
}

int ocd_mass_erase(struct ocd_session *s, const char *driver, unsigned bank,
                   struct swd_error *err)
{
	int rc = ocd__write_ready(s, err);

	return rc ? rc : options_cmd(s, driver, "mass_erase", bank, "", NULL, err);
}

int ocd_f1_options_write(struct ocd_session *s, unsigned bank, const struct ocd_f1_user *u,
                         struct swd_error *err)
{
	char args[96];
	int rc = ocd__write_ready(s, err);

	if (rc)
		return rc;
	snprintf(args, sizeof(args), " %s %s %s USEROPT 0x%04x", u->swwdg ? "SWWDG" : "HWWDG",
	         u->norststop ? "NORSTSTOP" : "RSTSTOP", u->norststndby ? "NORSTSTNDBY" : "RSTSTNDBY",
	         (unsigned)u->useropt);
	return options_cmd(s, "stm32f1x", "options_write", bank, args, NULL, err);
}

int ocd_f2_options_write(struct ocd_session *s, unsigned bank, uint32_t user,
                         struct swd_error *err)
{
	char args[32];
	int rc = ocd__write_ready(s, err);

	if (rc)
		return rc;
	snprintf(args, sizeof(args), " 0x%03" PRIx32, user);
	return options_cmd(s, "stm32f2x", "options_write", bank, args, NULL, err);
}

int ocd_flash_protect(struct ocd_session *s, unsigned bank, unsigned first, unsigned last,
                      bool on, struct swd_error *err)
{
	char *cmd;
	int rc = ocd__write_ready(s, err);

	if (rc)
		return rc;
	cmd = ocd__fmt("flash protect %u %u %u %s", bank, first, last, on ? "on" : "off");
	if (!cmd)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	rc = text_checked(s, cmd, NULL, err);
	free(cmd);
	return rc;
}

int ocd_command(struct ocd_session *s, const char *script, int *ocd_code, char **text,
                struct swd_error *err)
{
	char *q = tcl_quote_str(script), *cmd;
	int rc;

	*text = NULL;
	*ocd_code = 0;
	cmd = q ? ocd__fmt("capture %s", q) : NULL;
	free(q);
	if (!cmd)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	rc = ocd__run_catch(s, cmd, 0, ocd_code, text, NULL, err);
	free(cmd);
	return rc;
}
