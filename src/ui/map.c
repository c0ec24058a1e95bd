/* map.c - the flash map in the terminal: a grid of characters, one per fixed slice of flash,
 * with a legend, the regions and their call-outs, rendered from the "map" part of a result
 * document (core/flashmap.h builds it).
 *
 * Unicode blocks and colour only on a terminal that can show them (NO_COLOR turns colour
 * off, TERM=dumb both, a non-UTF-8 locale the blocks); plain ASCII otherwise, so a pasted
 * log or a ticket reads the same. Every line fits 80 columns. */
#include "ui/ui.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/flashmap.h"

#define ROW_CHARS 64   /* characters of map per row; a space after every 16 */
#define MAX_CHARS 128

enum glyph { G_UNTOUCHED, G_ERASED, G_PARTIAL, G_FULL, G_WRP, G_DIFFERS, G_COUNT };

static const char *const ascii[G_COUNT] = { "-", ".", "+", "#", "W", "X" };
static const char *const blocks[G_COUNT] = { "\u2500", "\u00b7", "\u2592", "\u2588", "\u2593", "\u2573" };
static const char *const colours[G_COUNT] = { "\033[2m", "\033[2m", "\033[32m", "\033[32m", "\033[33m",
					      "\033[1;31m" };
static const char *const meaning[G_COUNT] = { "not touched", "erased", "partly used", "full",
					      "write-protected", "differs" };

static bool utf8_locale(void)
{
	const char *v = getenv("LC_ALL");

	if (!v || !*v)
		v = getenv("LC_CTYPE");
	if (!v || !*v)
		v = getenv("LANG");
	return v && (strcasestr(v, "utf-8") || strcasestr(v, "utf8"));
}

void ui_map_style_for(FILE *f, struct ui_map_style *s)
{
	const char *term = getenv("TERM");
	bool tty = f && isatty(fileno(f)) && !(term && strcmp(term, "dumb") == 0);

	s->unicode = tty && utf8_locale();
	s->colour = tty && !getenv("NO_COLOR");
}

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* A size, or an address ("0x08000000", as every document writes one). */
static uint64_t num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		return strtoull(json_string_value(v), NULL, 16);
	return json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
}

/* What one cell shows; a flag outranks the contents, a difference outranks protection. */
static enum glyph cell_glyph(json_t *c)
{
	const char *st = str(c, "state");

	if (json_is_true(json_object_get(c, "differs")))
		return G_DIFFERS;
	if (json_is_true(json_object_get(c, "write_protected")))
		return G_WRP;
	if (strcmp(st, "full") == 0)
		return G_FULL;
	if (strcmp(st, "partial") == 0)
		return G_PARTIAL;
	if (strcmp(st, "erased") == 0)
		return G_ERASED;
	return G_UNTOUCHED;
}

static void put(FILE *f, const struct ui_map_style *s, enum glyph g)
{
	if (s->colour)
		fprintf(f, "%s%s\033[0m", colours[g], s->unicode ? blocks[g] : ascii[g]);
	else if (s->unicode && g != G_WRP && g != G_DIFFERS)
		fputs(blocks[g], f);
	else
		fputs(ascii[g], f);
}

/* "0x08000000-0x08009fff" and its size. */
static void fmt_range(char *buf, size_t n, uint64_t a, uint64_t size)
{
	char sz[32];

	swd_flashmap_size_text(sz, sizeof(sz), (uint32_t)size);
	snprintf(buf, n, "0x%08" PRIx64 "-0x%08" PRIx64 "  %9s", a, a + size - 1, sz);
}

/* Prints text after prefix, wrapped at spaces to fit 80 columns, later lines indented. */
static void wrapped(FILE *f, const char *prefix, const char *text)
{
	size_t col = (size_t)fprintf(f, "%s", prefix), indent = col;

	while (*text) {
		size_t w = strcspn(text, " ");

		if (col > indent && col + 1 + w > 79) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fwrite(text, 1, w, f);
		col += w;
		text += w;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

static void list_flagged(FILE *f, json_t *cells, const char *flag, const char *label, const char *unit)
{
	json_t *c;
	size_t i, shown = 0;
	int col = 0;

	json_array_foreach(cells, i, c) {
		if (!json_is_true(json_object_get(c, flag)))
			continue;
		if (shown++ == 0)
			col = fprintf(f, "  %s %ss:", label, unit);
		if (col > 72) {
			fputs("\n   ", f);
			col = 3;
		}
		col += fprintf(f, " %zu", i);
	}
	if (shown)
		fputc('\n', f);
}

void ui_render_map(FILE *f, json_t *map, const struct ui_map_style *s)
{
	json_t *cells = json_object_get(map, "cells"), *c, *r, *v;
	uint64_t base, size, slice = UINT64_MAX;
	size_t ncells = json_array_size(cells), nchars, i;
	bool seen[G_COUNT] = { false }, wide = false;
	const char *unit = str(map, "unit");
	char sz[32];

	if (!json_is_object(map) || ncells == 0)
		return;
	base = num(json_array_get(cells, 0), "address");
	size = num(json_array_get(cells, ncells - 1), "address") + num(json_array_get(cells, ncells - 1), "size") - base;
	json_array_foreach(cells, i, c)
		if (num(c, "size") && num(c, "size") < slice)
			slice = num(c, "size");
	while (size / slice > MAX_CHARS)
		slice *= 2;
	json_array_foreach(cells, i, c)
		wide = wide || num(c, "size") > slice;
	nchars = (size_t)((size + slice - 1) / slice);

	swd_flashmap_size_text(sz, sizeof(sz), (uint32_t)slice);
	fprintf(f, "\nflash map: %zu %ss, one character = %s\n", ncells, unit, sz);
	for (size_t row = 0, ci = 0; row * ROW_CHARS < nchars; row++) {
		size_t end = (row + 1) * ROW_CHARS < nchars ? (row + 1) * ROW_CHARS : nchars, rn = 0;
		char ruler[ROW_CHARS + ROW_CHARS / 16 + 1];

		fprintf(f, "0x%08" PRIx64 " ", base + row * ROW_CHARS * slice);
		for (size_t k = row * ROW_CHARS; k < end; k++) {
			uint64_t lo = base + k * slice, hi = lo + slice;
			enum glyph g = G_UNTOUCHED;
			bool any = false;

			if (k % 16 == 0 && k % ROW_CHARS != 0) {
				fputc(' ', f);
				ruler[rn++] = ' ';
			}
			/* the cells this slice overlaps: the most telling one shows */
			while (ci < ncells && num(json_array_get(cells, ci), "address") + num(json_array_get(cells, ci), "size") <= lo)
				ci++;
			ruler[rn++] = ci < ncells && num(json_array_get(cells, ci), "address") == lo ? '|' : ' ';
			for (size_t j = ci; j < ncells && num(json_array_get(cells, j), "address") < hi; j++) {
				enum glyph h = cell_glyph(json_array_get(cells, j));

				if (!any || h > g)
					g = h;
				any = true;
			}
			seen[g] = true;
			put(f, s, g);
		}
		fputc('\n', f);
		/* where cells span several characters (sectors), a ruler marks where each starts */
		if (wide) {
			while (rn > 0 && ruler[rn - 1] == ' ')
				rn--;
			fprintf(f, "%11s%.*s\n", "", (int)rn, ruler);
		}
	}
	fputs("  legend:", f);
	for (int g = G_COUNT - 1; g >= 0; g--) {
		if (!seen[g] && g != G_FULL && g != G_PARTIAL && g != G_ERASED)
			continue;
		fputs(" ", f);
		put(f, s, (enum glyph)g);
		fprintf(f, " %s", meaning[g]);
	}
	fputc('\n', f);
	json_array_foreach(json_object_get(map, "regions"), i, r) {
		char line[64];

		fmt_range(line, sizeof(line), num(r, "address"), num(r, "size"));
		fprintf(f, "  %-10s %s\n", str(r, "kind"), line);
	}
	list_flagged(f, cells, "differs", "differing", unit);
	list_flagged(f, cells, "write_protected", "write-protected", unit);
	list_flagged(f, cells, "written", "erased and written", unit);
	json_array_foreach(json_object_get(map, "callouts"), i, v)
		if (json_is_string(v))
			wrapped(f, "  note: ", json_string_value(v));
}
