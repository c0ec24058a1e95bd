/* checksum.c - flash checksums on the target (see checksum.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ocd/checksum.h"
#include "target/blobs.h"

/* Work area layout: the routine, then its parameter block, then the CRCs. */
#define CODE_ROOM 128u
#define PARAMS_HEAD 12u

/* The registers the routine changes, put back afterwards so that a halted firmware
 * resumes where it was. */
#define SAVED_REGS "r0 r1 r2 r3 r4 r5 r6 r7 r8 r9 r10 r11 r12 pc xPSR primask"

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint32_t ocd_crc_unit(uint32_t crc, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 4 <= len; i += 4) {
		crc ^= get_le32(p + i);
		for (int k = 0; k < 32; k++)
			crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
	}
	return crc;
}

int ocd_checksum_area(const struct swd_profile *p, struct ocd_checksum_area *out,
                      struct swd_error *err)
{
	const char *wa = NULL;
	for (size_t i = 0; i < p->openocd.nvars; i++)
		if (strcmp(p->openocd.vars[i].name, "WORKAREASIZE") == 0)
			wa = p->openocd.vars[i].value;
	const struct swd_ram_region *ram = NULL;
	for (size_t i = 0; i < p->nram && !ram; i++)
		if (p->ram[i].code)
			ram = &p->ram[i];
	if (!wa || !ram)
		return swd_error_set(err, SWD_ETARGETFAILED,
		                     "profile '%s' names no work area in RAM the core can run", p->name);
	char *end;
	unsigned long size = strtoul(wa, &end, 0);
	if (*end || size < CODE_ROOM + PARAMS_HEAD + 12 || size > ram->size)
		return swd_error_set(err, SWD_ETARGETFAILED,
		                     "profile '%s': work area size '%s' cannot hold the crc routine",
		                     p->name, wa);
	out->address = ram->address; /* where OpenOCD's target configs put it */
	out->size = (uint32_t)size;
	out->rcc_enr = p->family->crc_clock_reg;
	out->crcen = p->family->crc_clock_bit;
	return 0;
}

size_t ocd_checksum_max_ranges(uint32_t size)
{
	if (size < CODE_ROOM + PARAMS_HEAD)
		return 0;
	return (size - CODE_ROOM - PARAMS_HEAD) / 12; /* a pair in, a CRC out */
}

/* Runs script under the session's catch; a Tcl error is a target failure. */
static int run(struct ocd_session *s, const char *script, char **text, struct swd_error *err)
{
	int code = 0;
	char *out = NULL;
	int rc = ocd_command(s, script, &code, &out, err);
	if (rc < 0)
		return rc;
	if (code != 0) {
		rc = swd_error_set(err, SWD_ETARGETFAILED, "the crc routine could not run: %.120s",
		                   out && *out ? strtok(out, "\n") : "openocd refused");
		free(out);
		return rc;
	}
	if (text)
		*text = out;
	else
		free(out);
	return 0;
}

int ocd_checksum_ranges(struct ocd_session *s, const struct ocd_checksum_area *a,
                        const struct ocd_crc_range *r, size_t n, uint32_t *crcs,
                        struct swd_error *err)
{
	uint64_t bytes = 0;
	if (swd_target_crc_ranges_size > CODE_ROOM || n == 0 ||
	    n > ocd_checksum_max_ranges(a->size))
		return swd_error_set(err, SWD_EINTERNAL, "bad crc request (%zu ranges)", n);
	for (size_t i = 0; i < n; i++) {
		if (r[i].size % 4)
			return swd_error_set(err, SWD_EINTERNAL, "crc range of %" PRIu32 " bytes",
			                     r[i].size);
		bytes += r[i].size;
	}
	uint32_t params_at = a->address + CODE_ROOM;
	uint32_t crcs_at = params_at + PARAMS_HEAD + 8 * (uint32_t)n;
	uint32_t code_words = (uint32_t)(swd_target_crc_ranges_size + 3) / 4;
	uint32_t *words = calloc(code_words + 3 + 2 * n, 4);
	char *text = NULL;
	char script[640];
	int rc;
	if (!words)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	memcpy(words, swd_target_crc_ranges, swd_target_crc_ranges_size);
	uint32_t *params = words + code_words;
	params[0] = a->rcc_enr;
	params[1] = a->crcen;
	params[2] = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		params[3 + 2 * i] = r[i].address;
		params[4 + 2 * i] = r[i].size;
	}
	rc = ocd_halt(s, err);
	if (rc == 0)
		rc = ocd_write_memory(s, a->address, 32, code_words, words, err);
	if (rc == 0)
		rc = ocd_write_memory(s, params_at, 32, 3 + 2 * n, params, err);
	if (rc < 0)
		goto out;
	/* the unit takes a word per 4 cycles: 1 MiB is 65 ms at a 16 MHz reset clock, so
	 * a second per MiB at 1 MHz is more than enough for any clock the part can run */
	unsigned timeout_ms = (unsigned)(500 + bytes / 1024);
	snprintf(script, sizeof(script),
	         "foreach swd_r {" SAVED_REGS "} {"
	         " set ::swd_crc_saved($swd_r) [lindex [reg $swd_r] 2] };"
	         " reg primask 1; reg r0 0x%08" PRIx32 "; reg r1 0x%08" PRIx32 ";"
	         " reg xPSR 0x01000000; resume 0x%08" PRIx32 "; wait_halt %u",
	         params_at, crcs_at, a->address + swd_crc_ranges_entry_offset, timeout_ms);
	rc = run(s, script, NULL, err);
	if (rc == 0)
		rc = run(s, "reg pc", &text, err);
	if (rc == 0) {
		/* "pc (/32): 0x20000054" */
		const char *hex = text ? strstr(text, "pc (/32): 0x") : NULL;
		hex = hex ? hex + 10 : NULL;
		uint32_t pc = hex ? (uint32_t)strtoul(hex, NULL, 16) : 0;
		if (pc != a->address + swd_crc_ranges_done_offset)
			rc = swd_error_set(err, SWD_ETARGETFAILED,
			                   "the crc routine stopped at 0x%08" PRIx32
			                   " instead of its end (a fault on the target?)", pc);
	}
	if (rc == SWD_ETARGETFAILED)
		ocd_halt(s, NULL); /* wait_halt timed out: it may still run */
	if (rc != SWD_EOCDDIED && rc != SWD_EOCDTIMEOUT && rc != SWD_EINTR) {
		int r2 = run(s, "foreach swd_r [array names ::swd_crc_saved] {"
		                " reg $swd_r $::swd_crc_saved($swd_r) }", NULL, rc ? NULL : err);
		if (rc == 0)
			rc = r2;
	}
	if (rc == 0)
		rc = ocd_read_memory(s, crcs_at, 32, n, crcs, err);
out:
	free(text);
	free(words);
	return rc;
}

int ocd_checksum_equal(struct ocd_session *s, const struct ocd_checksum_area *a, uint32_t base,
                       const uint8_t *expected, const struct ocd_crc_range *r, size_t n,
                       bool *equal, struct swd_error *err)
{
	size_t per_run = ocd_checksum_max_ranges(a->size);
	uint32_t *crcs = calloc(per_run ? per_run : 1, sizeof(*crcs));
	int rc = 0;

	if (!crcs)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	for (size_t i = 0; i < n && rc == 0; i += per_run) {
		size_t k = n - i < per_run ? n - i : per_run;

		rc = ocd_checksum_ranges(s, a, r + i, k, crcs, err);
		for (size_t j = 0; j < k && rc == 0; j++)
			equal[i + j] = crcs[j] == ocd_crc_unit(0xFFFFFFFFu, expected + (r[i + j].address - base),
			                                      r[i + j].size);
	}
	free(crcs);
	return rc;
}

/* verify_image on one range's expected bytes, written to a file in tmpdir. */
static int verify_range(struct ocd_session *s, const char *tmpdir, const uint8_t *bytes,
                        const struct ocd_crc_range *r, bool *differs, struct swd_error *err)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/crc-range-XXXXXX", tmpdir);
	int fd = mkstemp(path);
	if (fd < 0)
		return swd_error_set(err, SWD_EIO, "cannot create a file in '%s'", tmpdir);
	size_t done = 0;
	while (done < r->size) {
		ssize_t w = write(fd, bytes + done, r->size - done);
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	close(fd);
	int rc = done == r->size ? 0 : swd_error_set(err, SWD_EIO, "cannot write '%s'", path);
	struct ocd_verify_result v = { 0 };
	struct swd_error e = { 0 };
	if (rc == 0) {
		rc = ocd_verify_image(s, path, r->address, &v, &e);
		if (rc == SWD_EVERIFY || rc == 0) {
			*differs = rc == SWD_EVERIFY;
			rc = 0;
		} else {
			swd_error_set(err, rc, "%s", e.msg);
		}
	}
	unlink(path);
	return rc;
}

int ocd_checksum_compare(struct ocd_session *s, const struct ocd_checksum_area *area,
                         uint32_t base, const uint8_t *expected, size_t len,
                         const struct ocd_crc_range *r, size_t n, bool *differs,
                         const char *tmpdir, enum ocd_checksum_method *method,
                         char *why, size_t whylen, struct swd_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].address < base || r[i].address - base > len ||
		    r[i].size > len - (r[i].address - base))
			return swd_error_set(err, SWD_EINTERNAL, "crc range outside the image");
	snprintf(why, whylen, "%s", area ? "" : "no work area for the crc routine");
	*method = OCD_CHECKSUM_CRC_UNIT;
	if (area) {
		struct swd_error e = { 0 };
		int rc = ocd_checksum_equal(s, area, base, expected, r, n, differs, &e);
		if (rc == 0) {
			for (size_t i = 0; i < n; i++)
				differs[i] = !differs[i];
			return 0;
		}
		if (rc != SWD_ETARGETFAILED) {
			swd_error_set(err, rc, "%s", e.msg);
			return rc;
		}
		snprintf(why, whylen, "%s", e.msg);
	}
	*method = OCD_CHECKSUM_VERIFY_IMAGE;
	for (size_t i = 0; i < n; i++) {
		int rc = verify_range(s, tmpdir, expected + (r[i].address - base), &r[i],
		                      &differs[i], err);
		if (rc < 0)
			return rc;
	}
	return 0;
}
