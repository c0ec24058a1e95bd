/* flashmap.c - cells, regions and call-outs of the flash map (see flashmap.h). */
#include "core/flashmap.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonfield.h"

const char *swd_region_kind_name(enum swd_region_kind k)
{
	static const char *const names[] = { "code", "data", "erased", "untouched" };

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

const char *swd_cell_state_name(enum swd_cell_state s)
{
	static const char *const names[] = { "erased", "partial", "full", "untouched" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

void swd_flashmap_free(struct swd_flashmap *m)
{
	if (!m)
		return;
	free(m->cells);
	free(m->regions);
	free(m);
}

/* Pages of one size are grouped into blocks of k pages; sectors of mixed sizes (F2/F4) are
 * few enough to stay one cell each. */
static size_t pages_per_cell(const struct swd_profile *p)
{
	return (p->flash.nsectors + SWD_MAP_MAX_CELLS - 1) / SWD_MAP_MAX_CELLS;
}

static bool wrp_has(const unsigned *wrp, size_t nwrp, size_t index)
{
	for (size_t i = 0; i < nwrp; i++)
		if (wrp[i] == index)
			return true;
	return false;
}

static void classify(struct swd_map_cell *c, const uint8_t *bytes)
{
	uint32_t lo = 0, hi = c->size;

	while (lo < c->size && bytes[lo] == 0xff)
		lo++;
	if (lo == c->size) {
		c->state = SWD_CELL_ERASED;
		return;
	}
	while (hi > lo && bytes[hi - 1] == 0xff)
		hi--;
	c->used_lo = lo;
	c->used_hi = hi;
	/* 0xFF inside code is common (constants, alignment); what tells is erased flash at the
	 * start or end of the cell, where the firmware ends or a store begins */
	c->state = lo == 0 && hi == c->size ? SWD_CELL_FULL : SWD_CELL_PARTIAL;
}

static bool differs(const uint8_t *a, const uint8_t *b, const uint8_t *covered, uint32_t off, uint32_t size)
{
	for (uint32_t i = off; i < off + size; i++)
		if (a[i] != b[i] && (!covered || ((covered[i >> 3] >> (i & 7)) & 1)))
			return true;
	return false;
}

static bool used(const struct swd_map_cell *c)
{
	return c->state == SWD_CELL_PARTIAL || c->state == SWD_CELL_FULL;
}

/* Runs of cells of one kind become regions. Adjacent used cells are one region (a gap
 * smaller than a cell is padding, not a separate store); a used run is trimmed to its
 * programmed bytes so that "16 KiB of settings" is not shown as the 128 KiB sector that holds
 * them, and the bytes trimmed off count as the erased flash around it. */
static int label(struct swd_flashmap *m, struct swd_error *err)
{
	struct swd_map_region *r;
	uint32_t prev_end = m->base;
	bool seen_used = false;
	size_t n = 0;

	free(m->regions);
	m->regions = NULL;
	m->nregions = 0;
	r = calloc(m->ncells * 3 + 1, sizeof(*r));
	if (!r)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	for (size_t i = 0; i < m->ncells;) {
		size_t j = i;

		if (used(&m->cells[i])) {
			uint32_t lo, hi;

			while (j + 1 < m->ncells && used(&m->cells[j + 1]))
				j++;
			lo = m->cells[i].address + m->cells[i].used_lo;
			hi = m->cells[j].address + m->cells[j].used_hi;
			if (lo > prev_end) {
				if (n > 0 && r[n - 1].kind == SWD_REGION_ERASED)
					r[n - 1].size = lo - r[n - 1].address;
				else
					r[n++] = (struct swd_map_region){ SWD_REGION_ERASED, prev_end, lo - prev_end, 0 };
			}
			r[n] = (struct swd_map_region){ seen_used ? SWD_REGION_DATA : SWD_REGION_CODE, lo, hi - lo, 0 };
			if (seen_used)
				r[n].gap_before = n > 0 && r[n - 1].kind == SWD_REGION_ERASED ? r[n - 1].size : 0;
			n++;
			seen_used = true;
			prev_end = hi;
		} else {
			enum swd_cell_state s = m->cells[i].state;
			enum swd_region_kind k = s == SWD_CELL_UNTOUCHED ? SWD_REGION_UNTOUCHED : SWD_REGION_ERASED;
			uint32_t end;

			while (j + 1 < m->ncells && m->cells[j + 1].state == s)
				j++;
			end = m->cells[j].address + m->cells[j].size;
			if (k != SWD_REGION_ERASED && prev_end < m->cells[i].address) {
				/* the erased tail of the used cell before */
				r[n++] = (struct swd_map_region){ SWD_REGION_ERASED, prev_end, m->cells[i].address - prev_end, 0 };
				prev_end = m->cells[i].address;
			}
			if (n > 0 && r[n - 1].kind == k && r[n - 1].address + r[n - 1].size == prev_end)
				r[n - 1].size = end - r[n - 1].address;
			else
				r[n++] = (struct swd_map_region){ k, prev_end, end - prev_end, 0 };
			/* after flash we know nothing about, a used run cannot be called the code */
			seen_used = seen_used || k == SWD_REGION_UNTOUCHED;
			prev_end = end;
		}
		i = j + 1;
	}
	/* the tail of the last used cell */
	if (prev_end < m->base + m->size) {
		if (n > 0 && r[n - 1].kind == SWD_REGION_ERASED)
			r[n - 1].size = m->base + m->size - r[n - 1].address;
		else
			r[n++] = (struct swd_map_region){ SWD_REGION_ERASED, prev_end, m->base + m->size - prev_end, 0 };
	}
	m->regions = r;
	m->nregions = n;
	return 0;
}

int swd_flashmap_build(const struct swd_profile *p, const uint8_t *data, size_t len,
		       const unsigned *wrp, size_t nwrp, const uint8_t *ref,
		       const uint8_t *covered, struct swd_flashmap **out, struct swd_error *err)
{
	struct swd_flashmap *m;
	size_t k, n;
	int rc;

	*out = NULL;
	if (len != p->flash.size || p->flash.nsectors == 0)
		return swd_error_set(err, SWD_EINTERNAL, "flash map of %zu bytes for a %" PRIu32 "-byte flash", len,
				     p->flash.size);
	m = calloc(1, sizeof(*m));
	k = pages_per_cell(p);
	n = (p->flash.nsectors + k - 1) / k;
	if (m)
		m->cells = calloc(n, sizeof(*m->cells));
	if (!m || !m->cells) {
		swd_flashmap_free(m);
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	}
	m->unit = k > 1 ? "block" : p->flash.driver == SWD_FLASH_STM32F1X ? "page" : "sector";
	m->base = p->flash.base;
	m->size = p->flash.size;
	m->ncells = n;
	for (size_t c = 0; c < n; c++) {
		struct swd_map_cell *cell = &m->cells[c];
		size_t first = c * k, last = first + k < p->flash.nsectors ? first + k : p->flash.nsectors;
		uint32_t off;

		cell->address = p->flash.sectors[first].address;
		cell->size = p->flash.sectors[last - 1].address + p->flash.sectors[last - 1].size - cell->address;
		off = cell->address - p->flash.base;
		for (size_t s = first; s < last; s++)
			cell->wrp = cell->wrp || wrp_has(wrp, nwrp, s);
		classify(cell, data + off);
		if (ref && differs(data, ref, covered, off, cell->size)) {
			cell->differs = true;
			m->ndiffer++;
		}
	}
	rc = label(m, err);
	if (rc != 0) {
		swd_flashmap_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

int swd_flashmap_restrict(struct swd_flashmap *m, uint32_t lo, uint32_t hi, struct swd_error *err)
{
	for (size_t i = 0; i < m->ncells; i++) {
		struct swd_map_cell *c = &m->cells[i];
		uint32_t off = c->address - m->base;

		if (off < hi && off + c->size > lo)
			c->written = true;
		else
			c->state = SWD_CELL_UNTOUCHED;
	}
	return label(m, err);
}

char *swd_flashmap_size_text(char *buf, size_t len, uint32_t v)
{
	if (v >= 1024 * 1024 && v % (1024 * 1024) == 0)
		snprintf(buf, len, "%" PRIu32 " MiB", v / (1024 * 1024));
	else if (v >= 1024 && v % 1024 == 0)
		snprintf(buf, len, "%" PRIu32 " KiB", v / 1024);
	else if (v >= 1024 * 1024)
		snprintf(buf, len, "%.1f MiB", v / (1024.0 * 1024.0));
	else if (v >= 1024)
		snprintf(buf, len, "%.1f KiB", v / 1024.0);
	else
		snprintf(buf, len, "%" PRIu32 " B", v);
	return buf;
}

char *swd_flashmap_callout(const struct swd_flashmap *m, size_t i, char *buf, size_t len)
{
	const struct swd_map_region *r;
	char a[32], b[32];

	if (i >= m->nregions)
		return NULL;
	r = &m->regions[i];
	if (r->kind != SWD_REGION_DATA || r->gap_before == 0)
		return NULL;
	snprintf(buf, len, "data at 0x%08" PRIx32 "-0x%08" PRIx32 ", %s, after %s of erased flash: settings or "
		 "EEPROM emulation?", r->address, r->address + r->size - 1, swd_flashmap_size_text(a, sizeof(a), r->size),
		 swd_flashmap_size_text(b, sizeof(b), r->gap_before));
	return buf;
}

json_t *swd_flashmap_regions_json(const struct swd_flashmap *m)
{
	json_t *o = json_object(), *regions = json_array();
	int bad = !o || !regions;

	for (size_t i = 0; !bad && i < m->nregions; i++)
		bad |= json_array_append_new(regions, json_pack("{s:s,s:o,s:I}", "kind",
			swd_region_kind_name(m->regions[i].kind), "address", swd_jsonfield_addr(m->regions[i].address),
			"size", (json_int_t)m->regions[i].size));
	if (!bad)
		bad |= json_object_set_new(o, "unit", json_string(m->unit));
	if (!bad) {
		bad |= json_object_set_new(o, "regions", regions);
		regions = NULL;
	}
	json_decref(regions);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *swd_flashmap_json(const struct swd_flashmap *m)
{
	json_t *o = swd_flashmap_regions_json(m), *cells = json_array(), *callouts = json_array();
	int bad = !o || !cells || !callouts;
	char line[200];

	for (size_t i = 0; !bad && i < m->ncells; i++) {
		const struct swd_map_cell *c = &m->cells[i];

		bad |= json_array_append_new(cells, json_pack("{s:o,s:I,s:s,s:b,s:b,s:b}", "address",
			swd_jsonfield_addr(c->address), "size", (json_int_t)c->size, "state", swd_cell_state_name(c->state),
			"write_protected", c->wrp, "differs", c->differs, "written", c->written));
	}
	for (size_t i = 0; !bad && i < m->nregions; i++)
		if (swd_flashmap_callout(m, i, line, sizeof(line)))
			bad |= json_array_append_new(callouts, json_string(line));
	if (!bad) {
		bad |= json_object_set(o, "cells", cells);
		bad |= json_object_set(o, "callouts", callouts);
		bad |= json_object_set_new(o, "cells_differ", json_integer(m->ndiffer));
	}
	json_decref(cells);
	json_decref(callouts);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}
