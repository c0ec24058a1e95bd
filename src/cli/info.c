/* info.c - `swdbackup info`: probe, voltage, identity, flash size, RDP/WRP, used extent. */
#include <stdlib.h>
#include <string.h>

#include "cli/backup.h"
#include "board/board.h"
#include "cli/map.h"
#include "core/tmpdir.h"
#include "core/file.h"
#include "core/image.h"
#include "core/jsonfield.h"

int cmd_info(struct cli_ctx *ctx)
{
	struct board b;
	struct swd_tmp tmp = { 0 };
	uint8_t *dev = NULL;
	char *path = NULL;
	int rc;

	rc = board_profile(&b, ctx, false, &ctx->err);
	if (rc != 0)
		goto out;
	rc = swd_tmp_init(&tmp, &ctx->err);
	if (rc != 0)
		goto out;
	path = swd_tmp_path(&tmp, "flash.bin");
	rc = board_connect(&b, DIAG_OP_IDENTIFY, false, &ctx->err);
	if (rc != 0)
		goto out;
	rc = board_protection(&b, &ctx->err);
	if (rc != 0)
		goto out;
	json_object_set_new(ctx->doc, "flash_base", swd_jsonfield_addr(b.p->flash.base));
	json_object_set_new(ctx->doc, "flash_size", json_integer(b.p->flash.size));
	if (b.prot.rdp_level >= 1) {
		/* not an error for info: it reports the protection and what cannot be known */
		json_object_set_new(ctx->doc, "used_extent", json_null());
		if (ctx->opt.map)
			board_note(ctx, "no flash map: a read-protected flash cannot be read");
		goto out;
	}
	/* Where the firmware ends takes a read of the whole flash. */
	ui_status(&ctx->ui, "reading %u KiB of flash for the used extent", b.p->flash.size / 1024);
	rc = board_read_flash(&b, b.p->flash.size, path, &ctx->err);
	if (rc == 0)
		rc = swd_file_read_exact(path, b.p->flash.size, &dev, &ctx->err);
	if (rc == 0)
		json_object_set_new(ctx->doc, "used_extent", json_integer((json_int_t)swd_used_extent(dev, b.p->flash.size)));
	if (rc == 0 && ctx->opt.map) {
		struct swd_flashmap *map = NULL;

		rc = cli_map_build(ctx, &b, dev, NULL, NULL, &map);
		if (rc == 0)
			rc = cli_map_put(ctx, ctx->doc, map);
		swd_flashmap_free(map);
	}
out:
	free(dev);
	free(path);
	rc = board_close(&b, rc, &ctx->err);
	swd_tmp_release(&tmp);
	return rc;
}
