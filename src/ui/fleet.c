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

void ui_fleet_lines(struct ui *ui, const struct ui_board_line *lines, size_t n, bool last)
{
	if (!ui->bar)
		return;
	ui_progress_clear(ui);
	if (ui->fleet_lines)
		fprintf(ui->err, "\033[%dA", ui->fleet_lines);
	for (size_t i = 0; i < n; i++) {
		const struct ui_board_line *l = &lines[i];
		char text[200], t[16];

		ui_fmt_duration(t, sizeof(t), (uint64_t)l->seconds);
		if (l->finished)
			snprintf(text, sizeof(text), "%s  %s", l->exit_code == 0 ? "done" : "failed", t);
		else if (l->total)
			ui_fmt_progress(text, sizeof(text), l->what, l->done, l->total, l->phase_seconds, 20);
		else
			snprintf(text, sizeof(text), "%s  %s", l->what, t);
		if (l->finished && l->exit_code)
			fprintf(ui->err, "\r\033[K%-26.26s %s (exit %d)\n", l->label, text, l->exit_code);
		else
			fprintf(ui->err, "\r\033[K%-26.26s %s\n", l->label, text);
	}
	ui->fleet_lines = last ? 0 : (int)n;
	fflush(ui->err);
}

void ui_render_boards(FILE *f, json_t *boards)
{
	size_t i;
	json_t *b;

	if (!json_is_array(boards))
		return;
	fprintf(f, "%-26s %-26s %-24s %8s %4s  %s\n", "probe", "serial", "unique id", "time", "exit", "result");
	json_array_foreach(boards, i, b) {
		json_t *probe = json_object_get(b, "probe"), *dev = json_object_get(b, "device");
		json_t *err = json_object_get(b, "error"), *code = json_object_get(b, "exit_code");
		char t[24];

		snprintf(t, sizeof(t), "%.1f s", json_number_value(json_object_get(b, "duration_s")));
		fprintf(f, "%-26s %-26s %-24s %8s %4lld  %s\n", or_dash(str(b, "probe_spec")),
			or_dash(str(probe, "serial")), or_dash(str(dev, "unique_id")), t,
			json_is_integer(code) ? (long long)json_integer_value(code) : -1LL,
			json_is_object(err) ? or_dash(str(err, "message")) : "ok");
	}
}
