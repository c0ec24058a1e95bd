/* probes.c - `swdbackup probes`: the debug probes attached over USB, whether this user may
 * open each, and which swdbackup run holds it now (its lock file, core/lock.h). */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/lock.h"
#include "usb/probes.h"

#define MAX_LISTED 64

static json_t *held_by(const struct usb_probe *p)
{
	struct swd_lock_holder h;
	char key[512], since[32] = "";
	struct tm tm;

	if (!p->serial[0])
		return json_null();
	usb_probes_lock_key(p->serial, key, sizeof(key));
	if (!swd_lock_held(key, &h))
		return json_null();
	if (h.since && gmtime_r(&h.since, &tm))
		strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_pack("{s:o,s:o,s:o}", "pid", h.pid ? json_integer(h.pid) : json_null(),
			 "command", h.command[0] ? json_string(h.command) : json_null(),
			 "since", since[0] ? json_string(since) : json_null());
}

static json_t *entry(struct usb_probe *p)
{
	json_t *held = held_by(p);
	char vp[10];

	/* a probe a swdbackup run holds is not claim-tested: that run may be starting on it */
	if (json_is_null(held))
		usb_probes_claim_test(p);

	snprintf(vp, sizeof(vp), "%04x:%04x", p->vid, p->pid);
	return json_pack("{s:s,s:s,s:o,s:o,s:s,s:b,s:o,s:o}", "kind", p->kind, "vid_pid", vp,
			 "serial", p->serial[0] ? json_string(p->serial) : json_null(),
			 "path", p->path[0] ? json_string(p->path) : json_null(),
			 "devnode", p->devnode, "may_open", p->can_open,
			 "held_by", held,
			 /* another program (not a swdbackup run's lock) has its interface */
			 "busy_by", p->busy ? json_pack("{s:o,s:o}", "pid", p->holder ? json_integer(p->holder)
							: json_null(), "command", p->holder_name[0] ?
							json_string(p->holder_name) : json_null())
				    : json_null());
}

int cmd_probes(struct cli_ctx *ctx)
{
	static struct usb_probe list[MAX_LISTED];
	json_t *arr;
	size_t n = 0;
	int rc;

	if (ctx->opt.npos > 0)
		return swd_error_set(&ctx->err, SWD_EUSAGE, "unexpected argument '%s'", ctx->opt.pos[0]);
	rc = usb_probes_list_all(list, MAX_LISTED, &n, &ctx->err);
	if (rc != 0)
		return rc;
	arr = json_array();
	json_object_set_new(ctx->doc, "probes", arr);
	for (size_t i = 0; i < n && i < MAX_LISTED; i++)
		json_array_append_new(arr, entry(&list[i]));
	if (n == 0)
		json_object_set_new(ctx->doc, "summary", json_string(
			"no debug probe is attached: plug in an ST-LINK, CMSIS-DAP or J-Link probe (or a board in "
			"DFU mode); 'swdbackup diagnose' explains one that does not show"));
	else if (n > MAX_LISTED)
		json_object_set_new(ctx->doc, "summary", json_pack("s", "more probes are attached than shown"));
	return 0;
}
