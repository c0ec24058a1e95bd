/* protect.c - the option bytes, and reading flash and OTP by the profile's units (board.h). */
#include "board/board-priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"

/* Under RDP level 1 an F1 faults debugger reads of its option area too; the flash
 * controller still tells the level (the driver wants a halted core). Returns 0 with
 * b->prot filled for level 1, else the failure (the read's own, lerr, when the level is
 * not 1). */
static int f1_level_when_unreadable(struct board *b, const struct swd_error *lerr, struct swd_error *err)
{
	int level, rc;

	if (!b->halted) {
		struct swd_error herr;

		swd_error_init(&herr);
		if (board_link_halt(b->link, &herr) == 0)
			b->halted = true;
	}
	rc = board_link_read_protection(b->link, &level, err);
	if (rc != 0)
		return rc;
	if (level != 1)
		return swd_error_set(err, lerr->code ? lerr->code : SWD_ETARGETFAILED, "%s", lerr->msg);
	memset(&b->prot, 0, sizeof(b->prot));
	b->prot.rdp_level = 1;
	b->prot_ready = true;
	b->ob_len = 0;
	b->ev.rdp_level = 1;
	return 0;
}

int board_protection(struct board *b, struct swd_error *err)
{
	const struct swd_profile *p = b->p;
	uint32_t words[2] = { 0, 0 };
	int rc;

	if (!board_link_reads_memory(b->link)) {
		/* not through this link (DFU): protection stays unknown, and no option bytes */
		b->ob_len = 0;
		b->prot_ready = false;
		return 0;
	}
	b->ob_len = p->option_bytes.size;
	if (b->ob_len > sizeof(b->ob_raw))
		return swd_error_set(err, SWD_EPROFILE, "option bytes of '%s' are %zu bytes; at most 16 supported",
				     p->name, b->ob_len);
	if (p->family->pages) {
		struct swd_error lerr;

		swd_error_init(&lerr);
		rc = board_link_read_memory(b->link, p->option_bytes.address, 16, b->ob_len / 2, b->ob_raw, &lerr);
		if (rc != 0 && rc != SWD_EOCDDIED && rc != SWD_EINTR && rc != SWD_EOCDTIMEOUT)
			return f1_level_when_unreadable(b, &lerr, err);
		if (rc != 0)
			return swd_error_set(err, rc, "%s", lerr.msg);
	} else {
		rc = board_link_read_memory(b->link, p->option_bytes.address, 32, 1, &words[0], err);
		if (rc == 0 && p->option_bytes.has_optcr1 && b->ob_len >= 8)
			rc = board_link_read_memory(b->link, p->option_bytes.optcr1, 32, 1, &words[1], err);
		memcpy(b->ob_raw, words, b->ob_len < 8 ? b->ob_len : 8);
		if (rc != 0)
			return rc;
	}
	rc = swd_optbytes_decode(p, b->ob_raw, b->ob_len, &b->prot, err);
	if (rc != 0)
		return rc;
	b->prot_ready = true;
	b->ev.rdp_level = b->prot.rdp_level;
	b->ev.wrp_active = b->prot.nwrp ? DIAG_TRI_YES : DIAG_TRI_NO;
	return 0;
}

int board_unit_ranges(const struct board *b, uint32_t lo, uint32_t hi, struct board_range **r,
		      size_t **idx, size_t *n, struct swd_error *err)
{
	const struct swd_profile *p = b->p;
	struct board_range *rs = calloc(p->flash.nsectors ? p->flash.nsectors : 1, sizeof(*rs));
	size_t *ix = calloc(p->flash.nsectors ? p->flash.nsectors : 1, sizeof(*ix));
	size_t k = 0;

	*r = NULL;
	*n = 0;
	if (idx)
		*idx = NULL;
	if (!rs || !ix) {
		free(rs);
		free(ix);
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
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

int board_crc_failed(int rc, const struct swd_error *e, char *why, size_t whylen, struct swd_error *err)
{
	if (rc == SWD_ETARGETFAILED && e->code)
		snprintf(why, whylen, "%.200s", e->msg);
	else if (rc != 0 && e->code)
		swd_error_set(err, rc, "%s", e->msg);
	return rc;
}

int board_read_units(struct board *b, const bool *have, uint8_t *buf, const char *path,
		     uint32_t *nread, struct swd_error *err)
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
		rc = board_link_read_flash(b->link, off, len, path, err);
		if (rc == 0)
			rc = swd_file_read_exact(path, len, &part, err);
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

int board_read_flash(struct board *b, uint32_t len, const char *path, struct swd_error *err)
{
	b->op = DIAG_OP_READ;
	return board_link_read_flash(b->link, 0, len, path, err);
}

int board_read_otp(struct board *b, uint8_t **buf, size_t *len, struct swd_error *err)
{
	const struct swd_profile *p = b->p;
	uint8_t *d;
	int rc;

	*buf = NULL;
	*len = 0;
	if (!p->otp.present || !board_link_reads_memory(b->link))
		return 0;
	d = malloc(p->otp.size + p->otp.lock_size);
	if (!d)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	rc = board_link_read_memory(b->link, p->otp.address, 32, p->otp.size / 4, d, err);
	if (rc == 0 && p->otp.lock_size)
		rc = board_link_read_memory(b->link, p->otp.lock_address, 8, p->otp.lock_size, d + p->otp.size, err);
	if (rc != 0) {
		free(d);
		return rc;
	}
	*buf = d;
	*len = p->otp.size + p->otp.lock_size;
	return 0;
}
