/* bkpdomain.c - the battery-backed domain of a connected board (see bkpdomain.h). */
#include "board/bkpdomain.h"

#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/jsonfield.h"

struct gates {
	struct swd_manifest_touch t[BOARD_BKP_TOUCH_MAX];
	size_t n;
};

/* Sets bits in each register (clocks, and DBP when writing), remembering what they were. */
static int open_gates(struct board *b, bool write, struct gates *g, struct swd_error *err)
{
	const struct swd_reg_bits *rb[BOARD_BKP_TOUCH_MAX];
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < b->p->backup_domain.nclocks; i++)
		rb[n++] = &b->p->backup_domain.clocks[i];
	if (write)
		rb[n++] = &b->p->backup_domain.write_enable;
	g->n = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct swd_manifest_touch *t = &g->t[g->n];

		t->address = rb[i]->address;
		rc = board_link_read_memory(b->link, t->address, 32, 1, &t->before, err);
		if (rc != 0)
			break;
		t->during = t->before | rb[i]->bits;
		g->n++;
		rc = board_link_write_memory(b->link, t->address, 32, 1, &t->during, err);
	}
	return rc;
}

/* Puts every opened gate back, last first; the first failure is reported. */
static int close_gates(struct board *b, const struct gates *g, struct swd_error *err)
{
	int rc = 0;

	for (size_t i = g->n; i-- > 0;) {
		int r = board_link_write_memory(b->link, g->t[i].address, 32, 1, &g->t[i].before, err);

		if (rc == 0)
			rc = r;
	}
	return rc;
}

static char *file_name(const char *region)
{
	char *f = malloc(strlen(region) + 5);

	if (f)
		strcat(strcpy(f, region), ".bin");
	return f;
}

int board_bkpdomain_read(struct cli_ctx *ctx, struct board *b, swd_bundle_writer_t *w,
		       struct swd_manifest_touch *touched, size_t *ntouched)
{
	const struct swd_profile *p = b->p;
	struct gates g;
	int rc, rc2;

	*ntouched = 0;
	if (!p->backup_domain.present || !board_link_reads_memory(b->link))
		return 0;
	ui_status(&ctx->ui, "reading the backup domain (%s)", p->backup_domain.nregions > 1 ?
		  "backup SRAM and backup registers" : "backup registers");
	rc = open_gates(b, false, &g, &ctx->err);
	for (size_t i = 0; rc == 0 && i < p->backup_domain.nregions; i++) {
		const struct swd_bkp_region *r = &p->backup_domain.regions[i];
		uint8_t *buf = malloc(r->size);
		char *file = file_name(r->name);

		if (!buf || !file)
			rc = swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
		if (rc == 0)
			rc = board_link_read_memory(b->link, r->address, 32, r->size / 4, buf, &ctx->err);
		if (rc == 0)
			rc = swd_bundle_writer_add_buffer(w, r->name, file, r->address, buf, r->size, &ctx->err);
		free(buf);
		free(file);
	}
	rc2 = close_gates(b, &g, &ctx->err);
	memcpy(touched, g.t, g.n * sizeof(*touched));
	*ntouched = g.n;
	return rc ? rc : rc2;
}

/* The bundle's region for r, checked against it: same address and size. */
static int bundle_region(struct cli_ctx *ctx, const struct swd_bundle *bundle,
			 const struct swd_bkp_region *r, uint8_t **data)
{
	const struct swd_manifest_region *mr = swd_bundle_region(bundle, r->name);
	char *path;
	int rc;

	if (!mr)
		return swd_error_set(&ctx->err, SWD_EINPUT, "the bundle has no '%s' region (it was made "
				     "before swdbackup saved the backup domain); nothing was written", r->name);
	if (mr->address != r->address || mr->size != r->size)
		return swd_error_set(&ctx->err, SWD_EINPUT, "the bundle's '%s' is %u bytes at 0x%08x; this part's "
				     "is %u bytes at 0x%08x", r->name, mr->size, mr->address, r->size, r->address);
	path = swd_bundle_region_path(bundle, r->name);
	if (!path)
		return swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
	rc = swd_file_read_exact(path, r->size, data, &ctx->err);
	free(path);
	return rc;
}

int board_bkpdomain_write(struct cli_ctx *ctx, struct board *b, const struct swd_bundle *bundle)
{
	const struct swd_profile *p = b->p;
	uint8_t *data[2] = { NULL, NULL };
	struct gates g = { .n = 0 };
	int rc = 0, rc2;

	if (!p->backup_domain.present)
		return swd_error_set(&ctx->err, SWD_EINPUT, "%s has no backup domain in its profile", p->name);
	for (size_t i = 0; rc == 0 && i < p->backup_domain.nregions; i++)
		rc = bundle_region(ctx, bundle, &p->backup_domain.regions[i], &data[i]);
	if (rc == 0) {
		ui_status(&ctx->ui, "writing the bundle's backup domain");
		rc = open_gates(b, true, &g, &ctx->err);
	}
	for (size_t i = 0; rc == 0 && i < p->backup_domain.nregions; i++)
		rc = board_link_write_memory(b->link, p->backup_domain.regions[i].address, 32,
				      p->backup_domain.regions[i].size / 4, data[i], &ctx->err);
	rc2 = close_gates(b, &g, &ctx->err);
	free(data[0]);
	free(data[1]);
	if (rc == 0 && rc2 == 0) {
		bool same = false;

		rc = board_bkpdomain_compare(ctx, b, bundle, &same);
		if (rc == 0 && !same)
			rc = swd_error_set(&ctx->err, SWD_ETARGETFAILED, "the backup domain reads back different from "
					   "what was written: is the backup domain powered (VBAT)?");
	}
	return rc ? rc : rc2;
}

int board_bkpdomain_compare(struct cli_ctx *ctx, struct board *b, const struct swd_bundle *bundle,
			  bool *same)
{
	const struct swd_profile *p = b->p;
	json_t *regions = json_array();
	struct gates g = { .n = 0 };
	int rc, rc2;

	*same = true;
	if (!p->backup_domain.present)
		return swd_error_set(&ctx->err, SWD_EINPUT, "%s has no backup domain in its profile", p->name);
	rc = open_gates(b, false, &g, &ctx->err);
	for (size_t i = 0; rc == 0 && i < p->backup_domain.nregions; i++) {
		const struct swd_bkp_region *r = &p->backup_domain.regions[i];
		uint8_t *want = NULL, *got = malloc(r->size);
		size_t off = 0;

		rc = got ? bundle_region(ctx, bundle, r, &want) : swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
		if (rc == 0)
			rc = board_link_read_memory(b->link, r->address, 32, r->size / 4, got, &ctx->err);
		if (rc == 0) {
			while (off < r->size && want[off] == got[off])
				off++;
			json_array_append_new(regions, off == r->size ?
				json_pack("{s:s,s:b}", "name", r->name, "match", 1) :
				json_pack("{s:s,s:b,s:o}", "name", r->name, "match", 0, "first_difference",
					  swd_jsonfield_addr(r->address + off)));
			if (off != r->size)
				*same = false;
		}
		free(want);
		free(got);
	}
	rc2 = close_gates(b, &g, &ctx->err);
	json_object_set_new(ctx->doc, "backup_domain", regions);
	return rc ? rc : rc2;
}
