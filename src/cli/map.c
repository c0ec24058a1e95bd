/* map.c - the flash map of a command's result (see map.h). */
#include "cli/map.h"

int cli_map_build(struct cli_ctx *ctx, const struct board *b, const uint8_t *data,
		  const uint8_t *ref, const uint8_t *covered, struct swd_flashmap **out)
{
	return swd_flashmap_build(b->p, data, b->p->flash.size, b->prot_ready ? b->prot.wrp : NULL,
				  b->prot_ready ? b->prot.nwrp : 0, ref, covered, out, &ctx->err);
}

int cli_map_put(struct cli_ctx *ctx, json_t *doc, const struct swd_flashmap *m)
{
	json_t *j = swd_flashmap_json(m);

	if (!j || json_object_set_new(doc, "map", j) != 0)
		return swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
	return 0;
}
