/* source.c - bundles and images as inputs. */
#include "cli/source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/jsonfield.h"

int cli_source_load(struct cli_ctx *ctx, struct swd_profile *p, const char *path,
		    bool check_vectors, struct cli_source *src)
{
	struct stat st;
	char *flash = NULL;
	int rc;

	memset(src, 0, sizeof(*src));
	src->path = path;
	/* a bundle's manifest.json stands for its bundle */
	size_t plen = strlen(path);
	char *dir = NULL;

	if ((plen == 13 || (plen > 13 && path[plen - 14] == '/')) &&
	    strcmp(path + plen - 13, "manifest.json") == 0) {
		dir = plen == 13 ? strdup(".") : strndup(path, plen - 14 ? plen - 14 : 1);
		if (dir == NULL)
			return swd_error_set(&ctx->err, SWD_ENOMEM, "out of memory");
		rc = cli_source_load(ctx, p, dir, check_vectors, src);
		src->path = path;
		free(dir);
		return rc;
	}
	if (stat(path, &st) != 0)
		return swd_error_set(&ctx->err, swd_err_from_errno(errno), "cannot open '%s': %s", path,
				     swd_errno_text(errno));
	if (S_ISDIR(st.st_mode) && ctx->opt.address_set)
		return swd_error_set(&ctx->err, SWD_EUSAGE, "--address places a raw .bin; '%s' is a bundle", path);
	if (S_ISDIR(st.st_mode)) {
		rc = swd_bundle_open(path, &src->bundle, &ctx->err);
		if (rc == 0)
			rc = swd_bundle_check_profile(src->bundle, p, &ctx->err);
		if (rc == 0 && p->flash.die_size && !p->flash.whole_die &&
		    swd_bundle_region(src->bundle, "flash")->size == p->flash.die_size)
			rc = swd_profile_use_die(p, &ctx->err);
		if (rc != 0)
			return rc;
		flash = swd_bundle_region_path(src->bundle, "flash");
		if (!flash)
			return swd_error_set(&ctx->err, SWD_EBUNDLE, "bundle '%s' has no flash region", path);
		rc = swd_image_load(flash, SWD_IMAGE_BIN, p, &src->img, &ctx->err);
		src->option_bytes_path = swd_bundle_region_path(src->bundle, "option-bytes");
		free(flash);
		return rc;
	}
	if (ctx->opt.address_set) {
		rc = swd_image_load(path, SWD_IMAGE_AUTO, p, &src->img, &ctx->err);
		if (rc == 0 && src->img->format != SWD_IMAGE_BIN)
			rc = swd_error_set(&ctx->err, SWD_EUSAGE,
					   "--address places a raw .bin; '%s' carries its own addresses", path);
		swd_image_free(src->img);
		src->img = NULL;
		if (rc == 0)
			rc = swd_image_load_bin_at(path, ctx->opt.address, p, &src->img, &ctx->err);
	} else {
		rc = swd_image_load(path, SWD_IMAGE_AUTO, p, &src->img, &ctx->err);
	}
	if (rc == 0 && check_vectors) {
		rc = swd_image_check_vectors(src->img, p, &ctx->err);
		if (rc == SWD_EVECTORS) {
			size_t n = strlen(ctx->err.msg);

			snprintf(ctx->err.msg + n, sizeof(ctx->err.msg) - n,
				 "; --force programs it anyway");
		}
	}
	return rc;
}

json_t *cli_source_json(const struct cli_source *src)
{
	static const char *const fmt[] = { "auto", "bin", "hex", "elf", "srec" };
	json_t *o = json_object();

	json_object_set_new(o, "path", json_string(src->path));
	json_object_set_new(o, "kind", json_string(src->bundle ? "bundle" : src->img ? fmt[src->img->format] : "unknown"));
	if (src->img) {
		json_object_set_new(o, "address", swd_jsonfield_addr((uint32_t)(src->img->base + src->img->lo)));
		json_object_set_new(o, "bytes", json_integer(src->img->nbytes));
	}
	return o;
}

void cli_source_release(struct cli_source *src)
{
	swd_bundle_free(src->bundle);
	swd_image_free(src->img);
	free(src->option_bytes_path);
	memset(src, 0, sizeof(*src));
}
