/* link.c - dispatch of the link operations (link.h), and the generic ways where a backend
 * has no operation of its own. */
#include "board/link.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/file.h"

static int unsupported(const struct board_link *l, const char *what, struct swd_error *err)
{
	return swd_error_set(err, SWD_EUNSUPPORTED, "a %s link cannot %s; use an SWD probe for that",
			     l->ops->kind, what);
}

#define CALL(l, op, what, err, ...) \
	((l)->ops->op ? (l)->ops->op((l), __VA_ARGS__) : unsupported((l), (what), (err)))

const char *board_link_kind(const struct board_link *l)
{
	return l ? l->ops->kind : NULL;
}

void board_link_free(struct board_link *l)
{
	if (l)
		l->ops->free(l);
}

int board_link_stop(struct board_link *l, struct swd_error *err)
{
	return l && l->ops->stop ? l->ops->stop(l, err) : 0;
}

const char *const *board_link_log(const struct board_link *l, size_t *n)
{
	*n = 0;
	return l && l->ops->log ? l->ops->log(l, n) : NULL;
}

void board_link_end(const struct board_link *l, struct board_link_end *out)
{
	memset(out, 0, sizeof(*out));
	if (l && l->ops->end)
		l->ops->end(l, out);
}

int board_link_identify(struct board_link *l, struct board_identity *out, struct swd_error *err)
{
	return CALL(l, identify, "read the chip's identity registers", err, out, err);
}

int board_link_reset(struct board_link *l, enum board_reset mode, struct swd_error *err)
{
	return CALL(l, reset, "reset the target", err, mode, err);
}

int board_link_halt(struct board_link *l, struct swd_error *err)
{
	return CALL(l, halt, "halt the core", err, err);
}

void board_link_keep_halted(struct board_link *l)
{
	if (l->ops->keep_halted)
		l->ops->keep_halted(l);
}

int board_link_read_memory(struct board_link *l, uint32_t address, unsigned width, size_t count,
			   void *buf, struct swd_error *err)
{
	return CALL(l, read_memory, "read memory outside flash", err, address, width, count, buf, err);
}

int board_link_write_memory(struct board_link *l, uint32_t address, unsigned width, size_t count,
			    const void *buf, struct swd_error *err)
{
	return CALL(l, write_memory, "write memory", err, address, width, count, buf, err);
}

int board_link_read_flash(struct board_link *l, uint32_t offset, uint32_t len, const char *path,
			  struct swd_error *err)
{
	return CALL(l, read_flash, "read flash", err, offset, len, path, err);
}

uint8_t *board_link_take_read(struct board_link *l, size_t *len, struct swd_digests *d)
{
	*len = 0;
	return l && l->ops->take_read ? l->ops->take_read(l, len, d) : NULL;
}

/* The generic check: read the range back and compare. */
static int verify_by_reading(struct board_link *l, const char *path, uint32_t address,
			     struct board_verify_result *out, struct swd_error *err)
{
	char *want = NULL, *got = NULL;
	size_t len = 0, glen = 0;
	char *back = NULL;
	int rc;

	rc = swd_file_read(path, UINT32_MAX, &want, &len, err);
	if (rc == 0 && (!(back = malloc(strlen(path) + 8))))
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
	if (rc == 0) {
		sprintf(back, "%s.back", path);
		rc = board_link_read_flash(l, address - l->p->flash.base, (uint32_t)len, back, err);
	}
	if (rc == 0)
		rc = swd_file_read(back, UINT32_MAX, &got, &glen, err);
	if (back)
		unlink(back);
	if (rc == 0) {
		out->match = glen == len && memcmp(want, got, len) == 0;
		for (size_t i = 0; !out->match && i < len; i++)
			if (i >= glen || want[i] != got[i]) {
				out->has_first_diff = true;
				out->first_diff_address = address + (uint32_t)i;
				break;
			}
		if (!out->match)
			rc = swd_error_set(err, SWD_EVERIFY, "flash differs from the file at 0x%08" PRIx32,
					   out->first_diff_address);
	}
	free(want);
	free(got);
	free(back);
	return rc;
}

int board_link_verify_file(struct board_link *l, const char *path, uint32_t address,
			   struct board_verify_result *out, struct swd_error *err)
{
	memset(out, 0, sizeof(*out));
	if (l->ops->verify_file)
		return l->ops->verify_file(l, path, address, out, err);
	return verify_by_reading(l, path, address, out, err);
}

int board_link_crc_equal(struct board_link *l, const uint8_t *expected, const struct board_range *r,
			 size_t n, bool *equal, struct swd_error *err)
{
	if (!l->ops->crc_equal)
		return swd_error_set(err, SWD_ETARGETFAILED, "a %s link has no on-target checksum",
				     l->ops->kind);
	return l->ops->crc_equal(l, expected, r, n, equal, err);
}

int board_link_erase_units(struct board_link *l, unsigned first, unsigned last, struct swd_error *err)
{
	return CALL(l, erase_units, "erase single sectors", err, first, last, err);
}

int board_link_mass_erase(struct board_link *l, struct swd_error *err)
{
	return CALL(l, mass_erase, "mass-erase", err, err);
}

int board_link_program(struct board_link *l, const struct board_program *a, struct swd_error *err)
{
	return CALL(l, program, "program flash", err, a, err);
}

int board_link_read_protection(struct board_link *l, int *level, struct swd_error *err)
{
	return CALL(l, read_protection, "read the protection level", err, level, err);
}

int board_link_unlock(struct board_link *l, struct swd_error *err)
{
	return CALL(l, unlock, "remove readout protection", err, err);
}

int board_link_f1_options_write(struct board_link *l, const struct board_f1_user *u, struct swd_error *err)
{
	return CALL(l, f1_options_write, "write option bytes", err, u, err);
}

int board_link_f2_options_write(struct board_link *l, uint32_t user, struct swd_error *err)
{
	return CALL(l, f2_options_write, "write option bytes", err, user, err);
}

int board_link_protect(struct board_link *l, unsigned first, unsigned last, bool on, struct swd_error *err)
{
	return CALL(l, protect, "change write protection", err, first, last, on, err);
}

bool board_link_reads_memory(const struct board_link *l)
{
	return l != NULL && l->ops->read_memory != NULL;
}
