/* fastflash.c - F2/F4 erase and program by our routine in SRAM (see fastflash.h). */
#include "ocd/session-priv.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ocd/fastflash.h"
#include "ocd/tcl.h"
#include "target/blobs.h"

/* RAM layout: the routine, its control block with the slot headers, then the slots' data:
 * 16 KiB each (the smallest F2/F4 sector), as many as fit up to MAX_SLOTS. */
#define CODE_ROOM 256u
#define MAX_SLOTS 16u
#define CTRL_ROOM (32u + 16u * MAX_SLOTS)
#define SLOT_SIZE 16384u
#define F2X_REGS 0x40023C00u
#define DHCSR 0xE000EDF0u
#define S_HALT (1u << 17)

enum { OP_EMPTY = 0, OP_PROGRAM = 1, OP_ERASE = 2, OP_STOP = 3 };

/* One operation handed to the routine, and what the board holds once it is done. */
struct op {
	int kind;
	uint32_t arg, len;       /* program: address, bytes; erase: SNB */
	size_t erased_after;     /* sectors of the run erased */
	uint32_t programmed_to;  /* the run holds the image below this address */
};

struct feed {
	struct ocd_session *s;
	struct ocd_fast_state *st;
	uint32_t ctrl, slot_data[MAX_SLOTS], slot_size;
	unsigned nslots;
	struct op *ops;
	size_t nops, queued, done;
	char *qscratch;
	const char *scratch;
};

static const struct {
	uint32_t bit;
	const char *name, *what;
} flags[] = {
	{ 1u << 7, "PGSERR", "programming sequence error" },
	{ 1u << 6, "PGPERR", "programming parallelism error" },
	{ 1u << 5, "PGAERR", "programming alignment error" },
	{ 1u << 4, "WRPERR", "write protection error" },
	{ 1u << 1, "OPERR", "operation error" },
};

const char *ocd_fast_flag_name(uint32_t sr)
{
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (sr & flags[i].bit)
			return flags[i].name;
	return NULL;
}

static const char *flag_what(uint32_t sr)
{
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (sr & flags[i].bit)
			return flags[i].what;
	return "error";
}

/* FLASH_CR's SNB for OpenOCD's sector number: bank 2 of a dual-bank part starts at SNB
 * 0x10 (RM0090 §3.9.8), which OpenOCD numbers from 12. */
static uint32_t snb_of(unsigned index)
{
	return index < 12 ? index : (index - 12) | 0x10;
}

static bool all_ff(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0xff)
			return false;
	return true;
}

/* The routine's failure as a target failure the caller may fall back from. */
static int routine_failed(struct feed *f, struct swd_error *err, const char *what)
{
	f->st->routine_fault = true;
	return ocd__fail(f->s, err, SWD_ETARGETFAILED, NULL, 0, NULL, "the flash routine %s", what);
}

/* Reads the control block and counts the operations finished since the last look; *sr gets
 * the routine's error flags, *halted whether the core stopped. */
static int look(struct feed *f, uint32_t *sr, uint32_t *at, bool *halted, struct swd_error *err)
{
	uint32_t c[6 + 4 * MAX_SLOTS], dhcsr = 0;
	/* DHCSR first: a core found halted has written all it will before the block is
	 * read, so a routine that finished its last op and its stop in between is not
	 * taken for one that stopped early */
	int rc = ocd_read_memory(f->s, DHCSR, 32, 1, &dhcsr, err);

	if (rc == 0)
		rc = ocd_read_memory(f->s, f->ctrl + 8, 32, 6 + 4 * f->nslots, c, err);
	if (rc)
		return rc;
	/* the routine takes the slots in turn, so an empty slot means its op is done */
	while (f->done < f->queued && c[6 + 4 * (f->done % f->nslots)] == OP_EMPTY)
		f->done++;
	*sr = c[0];
	*at = c[1];
	*halted = dhcsr & S_HALT;
	return 0;
}

/* Waits until op `upto` (exclusive) is done: polls, sleeping in OpenOCD between looks. */
static int wait_done(struct feed *f, size_t upto, uint32_t *sr, uint32_t *at, struct swd_error *err)
{
	uint64_t allowed = 2000, waited = 0;
	bool halted = false;

	for (size_t i = f->done; i < upto; i++)
		allowed += f->ops[i].kind == OP_ERASE ? 4000 : f->ops[i].len / 40; /* x8 max; 100 us/word */
	for (;;) {
		int rc = look(f, sr, at, &halted, err);

		if (rc || *sr || f->done >= upto)
			return rc;
		if (halted)
			return routine_failed(f, err, "stopped before its end (a fault on the target?)");
		if (waited > allowed)
			return routine_failed(f, err, "did not finish in time");
		unsigned ms = f->ops[f->done].kind == OP_ERASE ? 20 : 2;
		char cmd[24];

		snprintf(cmd, sizeof(cmd), "sleep %u", ms);
		rc = ocd__run_ok(f->s, cmd, 0, NULL, err);
		if (rc)
			return rc;
		waited += ms + 1;
	}
}

/* Hands op number f->queued to its slot once the routine is done with that slot. */
static int queue_op(struct feed *f, const uint8_t *data, uint32_t *sr, uint32_t *at,
                    struct swd_error *err)
{
	const struct op *o = &f->ops[f->queued];
	unsigned slot = (unsigned)(f->queued % f->nslots);
	uint32_t hdr = f->ctrl + 32 + 16 * slot;
	char *cmd = NULL;
	int rc = 0;

	if (f->queued >= f->nslots)
		rc = wait_done(f, f->queued - f->nslots + 1, sr, at, err);
	if (rc || *sr)
		return rc;
	if (o->kind == OP_PROGRAM) {
		rc = ocd__write_file(f->scratch, data, o->len, err);
		if (rc)
			return rc;
		cmd = ocd__fmt("load_image %s 0x%08" PRIx32 " bin; write_memory 0x%08" PRIx32
		               " 32 {0x%" PRIx32 " 0x%" PRIx32 " 0x%" PRIx32 "}; write_memory 0x%08"
		               PRIx32 " 32 %d", f->qscratch, f->slot_data[slot], hdr + 4, o->arg, o->len,
		               f->slot_data[slot], hdr, o->kind);
	} else {
		cmd = ocd__fmt("write_memory 0x%08" PRIx32 " 32 {0x%" PRIx32 " 0 0}; write_memory 0x%08"
		               PRIx32 " 32 %d", hdr + 4, o->arg, hdr, o->kind);
	}
	if (!cmd)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	int code = 0;
	char *text = NULL;

	rc = ocd__run_catch(f->s, cmd, 0, &code, &text, NULL, err);
	if (rc == 0 && code != 0) {
		char why[SWD_ERROR_MSG_MAX], what[48];

		if (o->kind == OP_PROGRAM)
			snprintf(what, sizeof(what), "the data for 0x%08" PRIx32, o->arg);
		else
			snprintf(what, sizeof(what), "an erase (snb %" PRIu32 ")", o->arg);
		rc = ocd__fail(f->s, err, ocd__classify(f->s, code, text), cmd, code, text,
		               "handing the flash routine %s failed (%d): %s", what, code,
		               ocd__failure_reason(f->s, text, why, sizeof(why)));
	}
	free(text);
	free(cmd);
	if (rc == 0)
		f->queued++;
	return rc;
}

/* The operations for the sectors [first, last] of a: an erase each, then the chunks of
 * the image in it that are not all 0xFF. */
static int plan(struct feed *f, const struct ocd_program_args *a, size_t first, size_t last,
                struct swd_error *err)
{
	size_t cap = 2;
	uint32_t base = a->bank_base;

	for (size_t i = first; i <= last; i++)
		cap += 1 + a->sectors[i].size / f->slot_size + 1;
	f->ops = calloc(cap, sizeof(*f->ops));
	if (!f->ops)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	for (size_t i = first; i <= last; i++) {
		const struct ocd_sector *sec = &a->sectors[i];
		uint32_t lo = sec->offset > a->offset ? sec->offset : a->offset;
		uint32_t hi = sec->offset + sec->size;
		struct op *e = &f->ops[f->nops++];

		if (hi > a->offset + a->len)
			hi = a->offset + (uint32_t)a->len;
		*e = (struct op){ OP_ERASE, snb_of(sec->index), 0, i - first + 1, base + sec->offset };
		for (uint32_t off = lo; off < hi; off += f->slot_size) {
			uint32_t n = hi - off < f->slot_size ? hi - off : f->slot_size;

			if (all_ff(a->data + (off - a->offset), n))
				continue;
			f->ops[f->nops++] = (struct op){ OP_PROGRAM, base + off, (n + 3) & ~3u, i - first + 1,
			                                 base + off + n };
		}
		/* what the run holds once the sector's last op is done: the erased tail too */
		f->ops[f->nops - 1].programmed_to = base + sec->offset + sec->size;
	}
	f->ops[f->nops++] = (struct op){ OP_STOP, 0, 0, last - first + 1,
	                                 base + a->sectors[last].offset + a->sectors[last].size };
	return 0;
}

/* "sectors 3-5" / "sector 3" into buf, for the sectors [first, first + n) of the run. */
static const char *sector_span(char *buf, size_t len, const struct ocd_program_args *a,
                               size_t first, size_t n)
{
	if (n == 1)
		snprintf(buf, len, "sector %u", a->sectors[first].index);
	else
		snprintf(buf, len, "sectors %u-%u", a->sectors[first].index, a->sectors[first + n - 1].index);
	return buf;
}

/* Appends "sectors 3-5 WHAT" (or "sector 3 WHAT") for the run's sectors [from, from + n). */
static void tell(char *buf, size_t len, const struct ocd_program_args *a, size_t from, size_t n,
                 const char *what)
{
	size_t used = strlen(buf);
	char span[48];

	if (n == 0)
		return;
	sector_span(span, sizeof(span), a, from, n);
	snprintf(buf + used, len - used, "%s%s %s", used ? ", " : "", span, what);
}

/* The flag, where, and what the board now holds, from the ops the routine finished. */
static int told_failure(struct feed *f, const struct ocd_program_args *a, size_t first,
                        size_t last, uint32_t sr, uint32_t at, struct ocd_fast_state *st,
                        struct swd_error *err)
{
	const struct op *bad = &f->ops[f->done < f->nops ? f->done : f->nops - 1];
	const struct op *ok = f->done ? &f->ops[f->done - 1] : NULL;
	size_t erased = ok ? ok->erased_after : 0, held = 0, n = last - first + 1;
	uint32_t to = ok ? ok->programmed_to : a->bank_base + a->sectors[first].offset;
	size_t sec = first + (bad->erased_after ? bad->erased_after - 1 : 0);
	char where[64], state[320] = "", part[96];

	while (held < erased && a->bank_base + a->sectors[first + held].offset +
	       a->sectors[first + held].size <= to)
		held++;
	st->flags = sr;
	st->nerased = erased;
	st->nprogrammed = held;
	st->programmed_to = to;
	if (bad->kind == OP_ERASE)
		snprintf(where, sizeof(where), "erase sector %u", a->sectors[sec].index);
	else
		snprintf(where, sizeof(where), "program 0x%08" PRIx32 " in sector %u", at,
		         a->sectors[sec].index);
	tell(state, sizeof(state), a, first, held, "written with the image");
	if (held < erased && to > a->bank_base + a->sectors[first + held].offset) {
		snprintf(part, sizeof(part), "written below 0x%08" PRIx32 " and erased from there", to);
		tell(state, sizeof(state), a, first + held, 1, part);
		held++;
	}
	tell(state, sizeof(state), a, first + held, erased - held, "erased");
	tell(state, sizeof(state), a, first + erased, n - erased, "untouched");
	return ocd__fail(f->s, err, SWD_ETARGETFAILED, NULL, 0, NULL,
	                 "the flash controller refused to %s: %s (%s, FLASH_SR 0x%08" PRIx32 "); "
	                 "the board now holds: %s", where, ocd_fast_flag_name(sr), flag_what(sr), sr, state);
}

int ocd_fast_program(struct ocd_session *s, const struct ocd_checksum_area *wa,
                     const struct ocd_program_args *a, enum ocd_psize psize,
                     struct ocd_fast_state *st, struct swd_error *err)
{
	struct feed f = { .s = s, .st = st, .scratch = a->scratch };
	uint32_t lo = a->offset, hi = a->offset + (uint32_t)a->len, sr = 0, at = 0;
	size_t first = SIZE_MAX, last = 0;
	char *cmd = NULL;
	int rc;

	memset(st, 0, sizeof(*st));
	if (!a->sectors || !a->nsectors || !a->len || a->len % 4 || !a->scratch)
		return swd_error_set(err, SWD_EINTERNAL, "bad fast program request");
	if (wa->size < CODE_ROOM + CTRL_ROOM + 4096 || swd_target_flash_f2x_size > CODE_ROOM) {
		st->routine_fault = true;
		return swd_error_set(err, SWD_ETARGETFAILED, "the work area is too small for the flash routine");
	}
	for (size_t i = 0; i < a->nsectors; i++)
		if (a->sectors[i].offset < hi && a->sectors[i].offset + a->sectors[i].size > lo) {
			first = first == SIZE_MAX ? i : first;
			last = i;
		}
	if (first == SIZE_MAX)
		return swd_error_set(err, SWD_EINTERNAL, "the image meets no sector");
	f.ctrl = wa->address + CODE_ROOM;
	f.slot_size = SLOT_SIZE;
	f.nslots = (wa->size - CODE_ROOM - CTRL_ROOM) / SLOT_SIZE;
	if (f.nslots > MAX_SLOTS)
		f.nslots = MAX_SLOTS;
	if (f.nslots < 2) {
		f.nslots = 2;
		f.slot_size = ((wa->size - CODE_ROOM - CTRL_ROOM) / 2) & ~1023u;
	}
	for (unsigned i = 0; i < f.nslots; i++)
		f.slot_data[i] = f.ctrl + CTRL_ROOM + i * f.slot_size;
	f.qscratch = tcl_quote_str(a->scratch);
	rc = f.qscratch ? plan(&f, a, first, last, err) : swd_error_set(err, SWD_ENOMEM, "out of memory");
	if (rc == 0)
		rc = ocd__write_ready(s, err);
	if (rc == 0) {
		uint32_t ctrl[8 + 4 * MAX_SLOTS] = { F2X_REGS, (uint32_t)psize << 8, 0, 0, f.nslots };

		rc = ocd_write_memory(s, wa->address, 32, (swd_target_flash_f2x_size + 3) / 4,
		                      swd_target_flash_f2x, err);
		if (rc == 0)
			rc = ocd_write_memory(s, f.ctrl, 32, 8 + 4 * f.nslots, ctrl, err);
	}
	cmd = rc ? NULL : ocd__fmt("reg primask 1; reg r0 0x%08" PRIx32 "; reg xPSR 0x01000000; resume 0x%08" PRIx32,
	                           f.ctrl, wa->address + swd_flash_f2x_entry_offset);
	if (rc == 0 && !cmd)
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
	if (rc == 0)
		rc = ocd__run_ok(s, cmd, 0, NULL, err);
	if (rc)
		goto out;
	st->started = true;
	s->reset_halted = false;
	uint64_t total = 0, sent = 0;

	for (size_t i = 0; i < f.nops; i++)
		total += f.ops[i].len;
	if (s->on_progress)
		s->on_progress(s->ud, "programming", 0, total);
	while (rc == 0 && sr == 0 && f.queued < f.nops) {
		const struct op *o = &f.ops[f.queued];

		rc = queue_op(&f, o->kind == OP_PROGRAM ? a->data + (o->arg - a->bank_base - a->offset) : NULL,
		              &sr, &at, err);
		sent += o->kind == OP_PROGRAM && rc == 0 && sr == 0 ? o->len : 0;
		if (s->on_progress && o->kind == OP_PROGRAM)
			s->on_progress(s->ud, "programming", sent, total);
	}
	/* every op but the stop done, then the routine at its breakpoint */
	if (rc == 0 && sr == 0)
		rc = wait_done(&f, f.nops - 1, &sr, &at, err);
	if (rc == 0 && sr == 0)
		rc = ocd__run_ok(s, "wait_halt 2000", 0, NULL, err);
	if (rc == 0 && sr)
		rc = told_failure(&f, a, first, last, sr, at, st, err);
	if (rc == 0) {
		st->nerased = st->nprogrammed = last - first + 1;
		st->programmed_to = f.ops[f.nops - 1].programmed_to;
	}
	if (st->routine_fault)
		ocd_halt(s, NULL); /* it may still run */
out:
	if (f.qscratch)
		unlink(a->scratch);
	free(cmd);
	free(f.qscratch);
	free(f.ops);
	return rc;
}
