/* fleet.c - the text views of the probe list and of a run over many boards, and the live
 * progress lines a fleet run draws on a terminal, one per board. */
#include "ui/ui.h"

#include <string.h>
#include <time.h>

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* "14:03:12" in local time from "2026-12-06T14:03:12Z". */
static void local_clock(const char *iso, char *out, size_t len)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	snprintf(out, len, "?");
	if (iso && strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm)) {
		time_t t = timegm(&tm);

		if (localtime_r(&t, &tm))
			strftime(out, len, "%H:%M:%S", &tm);
	}
}

void ui_render_probes(FILE *f, json_t *list)
{
	size_t i;
	json_t *p;

	if (!json_is_array(list) || json_array_size(list) == 0)
		return;
	fprintf(f, "%-13s %-9s %-26s %-9s %-5s %s\n", "kind", "vid:pid", "serial", "path", "open", "in use");
	json_array_foreach(list, i, p) {
		json_t *h = json_object_get(p, "held_by"), *b = json_object_get(p, "busy_by");
		char use[160] = "-", when[16];

		if (json_is_object(h)) {
			local_clock(str(h, "since"), when, sizeof(when));
			snprintf(use, sizeof(use), "swdbackup pid %lld (%s since %s)",
				 (long long)json_integer_value(json_object_get(h, "pid")), or_dash(str(h, "command")), when);
		} else if (json_is_object(b)) {
			snprintf(use, sizeof(use), "held by %s (pid %lld)", str(b, "command") ? str(b, "command") :
				 "another program", (long long)json_integer_value(json_object_get(b, "pid")));
		}
		fprintf(f, "%-13s %-9s %-26s %-9s %-5s %s\n", or_dash(str(p, "kind")), or_dash(str(p, "vid_pid")),
			or_dash(str(p, "serial")), or_dash(str(p, "path")),
			json_is_true(json_object_get(p, "may_open")) ? "yes" : "no", use);
	}
}
