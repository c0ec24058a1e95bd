/* profiles.c - `swdbackup profiles [list | show NAME | check FILE]`. */
#include <string.h>

#include "cli/cli.h"
#include "core/profile.h"

static int profiles_list(struct cli_ctx *ctx)
{
	struct swd_profile_entry *e = NULL;
	json_t *list = json_array();
	size_t n = 0;
	int rc;

	rc = swd_profile_list(&e, &n, &ctx->err);
	if (rc != 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(e[i].name));
		json_object_set_new(o, "path", json_string(e[i].path));
		json_object_set_new(o, "description", e[i].description ? json_string(e[i].description) : json_null());
		json_object_set_new(o, "shadowed", json_boolean(e[i].shadowed));
		json_object_set_new(o, "error", e[i].error ? json_string(e[i].error) : json_null());
		json_array_append_new(list, o);
	}
out:
	json_object_set_new(ctx->doc, "profiles", list);
	swd_profile_entries_free(e, n);
	return rc;
}

static int profiles_show(struct cli_ctx *ctx, const char *name, bool check)
{
	struct swd_profile *p = NULL;
	int rc;

	rc = check ? swd_profile_load(name, &p, &ctx->err) : swd_profile_find(name, &p, &ctx->err);
	if (rc != 0)
		goto out;
	json_object_set_new(ctx->doc, "profile", json_string(p->name));
	json_object_set_new(ctx->doc, "path", json_string(p->path));
	if ((rc = swd_profile_hash(p, &ctx->err)) != 0)
		goto out;
	json_object_set_new(ctx->doc, "sha256", json_string(p->sha256_hex));
	if (check) {
		char line[512];

		snprintf(line, sizeof(line), "'%s' is a valid profile for %s (%s)", name, p->name,
			 p->reference_manual ? p->reference_manual : "no reference manual given");
		json_object_set_new(ctx->doc, "valid", json_true());
		json_object_set_new(ctx->doc, "summary", json_string(line));
	} else if (ctx->ui.json) {
		json_object_set_new(ctx->doc, "text", json_stringn(p->text, p->text_len));
	} else {
		json_object_set_new(ctx->doc, "profile_text", json_stringn(p->text, p->text_len));
	}
out:
	if (rc != 0 && check)
		json_object_set_new(ctx->doc, "valid", json_false());
	swd_profile_free(p);
	return rc;
}

int cmd_profiles(struct cli_ctx *ctx)
{
	const char *sub = ctx->opt.npos > 0 ? ctx->opt.pos[0] : "list";
	int want = strcmp(sub, "list") == 0 ? (ctx->opt.npos ? 1 : 0) : 2;

	if (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "check"))
		return swd_error_set(&ctx->err, SWD_EUSAGE, "unknown 'profiles' action '%s'; use list, show NAME or check FILE", sub);
	if (ctx->opt.npos != want)
		return swd_error_set(&ctx->err, SWD_EUSAGE, want <= 1 ? "'profiles list' takes no arguments"
					: "'profiles %s' takes exactly one %s", sub,
					strcmp(sub, "show") == 0 ? "profile name" : "file");
	json_object_set_new(ctx->doc, "action", json_string(sub));
	if (want <= 1)
		return profiles_list(ctx);
	return profiles_show(ctx, ctx->opt.pos[1], strcmp(sub, "check") == 0);
}
