/* mapsvg.c - the flash map as a small SVG picture for a bundle (flash-map.svg): one bar
 * for the whole flash with a box per page, sector or block, write-protected and differing
 * cells striped, a numbered strip of the regions under it, then one labelled line per
 * region. Plain SVG 1.1 text with the fonts and colours spelled out, so any viewer and
 * rsvg-convert draw it the same; a few kilobytes for any part. */
#include "core/mapsvg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W 800
#define X0 20.0
#define BAR_W 760.0
#define BAR_Y 44
#define BAR_H 40
#define STRIP_Y (BAR_Y + BAR_H + 4)
#define STRIP_H 14
#define ROW0 (BAR_Y + BAR_H + 62)
#define ROW_H 20

static const char *fill_of(const struct swd_map_cell *c)
{
	switch (c->state) {
	case SWD_CELL_FULL: return "#2e7d32";
	case SWD_CELL_PARTIAL: return "#81c784";
	case SWD_CELL_ERASED: return "#eeeeee";
	default: return "#ffffff";
	}
}

static const char *region_fill(enum swd_region_kind k)
{
	switch (k) {
	case SWD_REGION_CODE: return "#2e7d32";
	case SWD_REGION_DATA: return "#1565c0";
	case SWD_REGION_ERASED: return "#eeeeee";
	default: return "#ffffff";
	}
}

static double xof(const struct swd_flashmap *m, uint64_t address)
{
	return X0 + BAR_W * (double)(address - m->base) / (double)m->size;
}

static void escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else
			fputc(*s, f);
	}
}

char *swd_flashmap_svg(const struct swd_flashmap *m, const char *title)
{
	char *text = NULL, line[200], sz[32];
	size_t len = 0, ncallouts = 0;
	FILE *f = open_memstream(&text, &len);
	unsigned ndiff = 0, nwrp = 0;
	int h, y;

	if (!f)
		return NULL;
	for (size_t i = 0; i < m->nregions; i++)
		ncallouts += swd_flashmap_callout(m, i, line, sizeof(line)) != NULL;
	for (size_t i = 0; i < m->ncells; i++) {
		ndiff += m->cells[i].differs;
		nwrp += m->cells[i].wrp;
	}
	h = ROW0 + (int)(m->nregions + ncallouts) * ROW_H + 40;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans Mono, monospace\" font-size=\"12\">\n"
		"<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", W, h, W, h, W, h);
	fputs("<text x=\"20\" y=\"24\" font-size=\"14\" font-weight=\"bold\">", f);
	escaped(f, title ? title : "flash map");
	fprintf(f, "</text>\n<text x=\"780\" y=\"24\" text-anchor=\"end\" fill=\"#555555\">%zu %ss</text>\n",
		m->ncells, m->unit);

	/* the cells, their boundaries, and the flags as stripes over them */
	fputs("<g stroke=\"#9e9e9e\" stroke-width=\"0.5\">\n", f);
	for (size_t i = 0; i < m->ncells; i++) {
		const struct swd_map_cell *c = &m->cells[i];
		double x = xof(m, c->address), w = BAR_W * (double)c->size / (double)m->size;

		fprintf(f, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\"/>\n", x, BAR_Y, w, BAR_H,
			fill_of(c));
		if (c->wrp)
			fprintf(f, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"8\" fill=\"#f9a825\"/>\n", x, BAR_Y, w);
		if (c->differs)
			fprintf(f, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"12\" fill=\"#c62828\"/>\n", x,
				BAR_Y + BAR_H - 12, w);
	}
	fputs("</g>\n", f);
	/* the regions as a numbered strip under the bar, the first and last address below it */
	for (size_t i = 0; i < m->nregions; i++) {
		const struct swd_map_region *r = &m->regions[i];
		double x = xof(m, r->address), w = xof(m, (uint64_t)r->address + r->size) - x;

		fprintf(f, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\" stroke=\"#757575\" "
			"stroke-width=\"0.5\"/>\n", x, STRIP_Y, w, STRIP_H, region_fill(r->kind));
		fprintf(f, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\" fill=\"%s\">%zu</text>\n",
			x + w / 2, STRIP_Y + 11, r->kind == SWD_REGION_CODE || r->kind == SWD_REGION_DATA ? "#ffffff" : "#333333",
			i + 1);
	}
	fprintf(f, "<text x=\"20\" y=\"%d\" fill=\"#555555\">0x%08" PRIx32 "</text>\n", STRIP_Y + STRIP_H + 14, m->base);
	fprintf(f, "<text x=\"780\" y=\"%d\" text-anchor=\"end\" fill=\"#555555\">0x%08" PRIx32 "</text>\n",
		STRIP_Y + STRIP_H + 14, m->base + m->size - 1);

	/* one row per region, numbered as on the strip */
	y = ROW0;
	for (size_t i = 0; i < m->nregions; i++) {
		const struct swd_map_region *r = &m->regions[i];

		swd_flashmap_size_text(sz, sizeof(sz), r->size);
		fprintf(f, "<text x=\"230\" y=\"%d\" text-anchor=\"end\">%zu</text>\n", y - 4, i + 1);
		fprintf(f, "<rect x=\"238\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\" stroke=\"#757575\" "
			"stroke-width=\"0.5\"/>\n", y - 14, region_fill(r->kind));
		fprintf(f, "<text x=\"258\" y=\"%d\">%s</text><text x=\"338\" y=\"%d\">0x%08" PRIx32 "-0x%08" PRIx32
			"</text><text x=\"600\" y=\"%d\" text-anchor=\"end\">%s</text>\n", y - 4,
			swd_region_kind_name(r->kind), y - 4, r->address, r->address + r->size - 1, y - 4, sz);
		y += ROW_H;
	}
	for (size_t i = 0; i < m->nregions; i++)
		if (swd_flashmap_callout(m, i, line, sizeof(line))) {
			fprintf(f, "<text x=\"20\" y=\"%d\" font-style=\"italic\" fill=\"#1565c0\">", y - 4);
			escaped(f, line);
			fputs("</text>\n", f);
			y += ROW_H;
		}

	/* legend */
	y += 6;
	fprintf(f, "<g font-size=\"11\" fill=\"#333333\">\n"
		"<rect x=\"20\" y=\"%d\" width=\"10\" height=\"10\" fill=\"#2e7d32\"/><text x=\"34\" y=\"%d\">full</text>\n"
		"<rect x=\"80\" y=\"%d\" width=\"10\" height=\"10\" fill=\"#81c784\"/><text x=\"94\" y=\"%d\">partly used</text>\n"
		"<rect x=\"190\" y=\"%d\" width=\"10\" height=\"10\" fill=\"#eeeeee\" stroke=\"#9e9e9e\" stroke-width=\"0.5\"/>"
		"<text x=\"204\" y=\"%d\">erased</text>\n"
		"<rect x=\"260\" y=\"%d\" width=\"10\" height=\"10\" fill=\"#f9a825\"/><text x=\"274\" y=\"%d\">write-protected (%u)</text>\n"
		"<rect x=\"430\" y=\"%d\" width=\"10\" height=\"10\" fill=\"#c62828\"/><text x=\"444\" y=\"%d\">differs (%u)</text>\n"
		"</g>\n</svg>\n",
		y - 10, y, y - 10, y, y - 10, y, y - 10, y, nwrp, y - 10, y, ndiff);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
