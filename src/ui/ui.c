/* ui.c - streams, status and error lines, the progress bar. */
#include "ui/ui.h"

#include "core/image.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void ui_init_streams(struct ui *ui, FILE *out, FILE *err, bool json, int verbose, bool bar)
{
	memset(ui, 0, sizeof(*ui));
	ui->out = out;
	ui->err = err;
	ui->json = json;
	ui->verbose = verbose;
	ui->bar = bar;
}

void ui_init(struct ui *ui, bool json, int verbose)
{
	const char *fd = getenv("SWD_PROGRESS_FD");

	ui_init_streams(ui, stdout, stderr, json, verbose, isatty(STDERR_FILENO) == 1);
	/* a fleet run's child: its parent draws the bar from these events */
	if (fd && atoi(fd) > 2 && fcntl(atoi(fd), F_SETFD, FD_CLOEXEC) == 0)
		ui->progress_fd = atoi(fd);
}

/* "P\tDONE\tTOTAL\tWHAT\n", at most ten a second and always the last. */
static void progress_event(struct ui *ui, const char *what, uint64_t done, uint64_t total)
{
	char line[128];
	uint64_t t = now_ns();
	int len;

	if (done < total && ui->event_ns && t - ui->event_ns < 100000000u)
		return;
	ui->event_ns = t;
	len = snprintf(line, sizeof(line), "P\t%" PRIu64 "\t%" PRIu64 "\t%s\n", done, total, what);
	if (len > 0 && len < (int)sizeof(line) && write(ui->progress_fd, line, (size_t)len) != len)
		ui->progress_fd = 0; /* the parent is gone: the run goes on without it */
}

char *ui_fmt_size(char *buf, size_t n, uint64_t bytes)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB" };
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, n, "%" PRIu64 " B", bytes);
		return buf;
	}
	while (v >= 1024.0 && u < 2) {
		v /= 1024.0;
		u++;
	}
	snprintf(buf, n, "%.1f %s", v, unit[u]);
	return buf;
}

char *ui_fmt_duration(char *buf, size_t n, uint64_t s)
{
	if (s >= 3600)
		snprintf(buf, n, "%" PRIu64 ":%02u:%02u", s / 3600, (unsigned)(s / 60 % 60),
			 (unsigned)(s % 60));
	else
		snprintf(buf, n, "%u:%02u", (unsigned)(s / 60), (unsigned)(s % 60));
	return buf;
}

size_t ui_fmt_progress(char *buf, size_t n, const char *what, uint64_t done, uint64_t total,
		       double elapsed_s, int bar_width)
{
	char d[24], t[24], r[24], left[24], bar[72];
	int filled = 0;
	int len;

	if (done > total)
		done = total;
	if (bar_width > (int)sizeof(bar) - 1)
		bar_width = (int)sizeof(bar) - 1;
	if (total)
		filled = (int)((double)done * bar_width / (double)total);
	for (int i = 0; i < bar_width; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[bar_width > 0 ? bar_width : 0] = '\0';

	ui_fmt_size(d, sizeof(d), done);
	ui_fmt_size(t, sizeof(t), total);
	if (elapsed_s > 0 && done > 0) {
		double rate = (double)done / elapsed_s;

		ui_fmt_size(r, sizeof(r), (uint64_t)rate);
		strcat(r, "/s");
		ui_fmt_duration(left, sizeof(left), (uint64_t)((double)(total - done) / rate + 0.5));
	} else {
		strcpy(r, "--");
		strcpy(left, "--:--");
	}
	len = snprintf(buf, n, "%s [%s] %s / %s  %s  %s left", what, bar, d, t, r, left);
	if (len < 0)
		return 0;
	return (size_t)len < n ? (size_t)len : (n ? n - 1 : 0);
}

void ui_progress_clear(struct ui *ui)
{
	if (!ui->shown)
		return;
	fprintf(ui->err, "\r%*s\r", ui->shown, "");
	fflush(ui->err);
	ui->shown = 0;
}

void ui_progress(struct ui *ui, const char *what, uint64_t done, uint64_t total)
{
	char line[200];
	uint64_t t = now_ns();
	size_t len;

	if (ui->progress_fd > 0)
		progress_event(ui, what, done, total);
	if (!ui->bar)
		return;
	if (strncmp(ui->what, what, sizeof(ui->what) - 1) != 0 || !ui->t0_ns) {
		snprintf(ui->what, sizeof(ui->what), "%s", what);
		ui->t0_ns = t;
		ui->last_ns = 0;
	}
	/* Redrawing for every chunk would cost more than the read; ten times a second is
	 * enough for a human, and the last event is always drawn so the bar ends at 100%. */
	if (done < total && ui->last_ns && t - ui->last_ns < 100000000u)
		return;
	ui->last_ns = t;
	len = ui_fmt_progress(line, sizeof(line), what, done, total, (double)(t - ui->t0_ns) / 1e9, 24);
	fprintf(ui->err, "\r%s", line);
	if ((int)len < ui->shown)
		fprintf(ui->err, "%*s", ui->shown - (int)len, "");
	fflush(ui->err);
	ui->shown = (int)len;
	if (done >= total) {
		fputc('\n', ui->err);
		ui->shown = 0;
		ui->what[0] = '\0';
		ui->t0_ns = 0;
	}
}

static void vline(struct ui *ui, const char *prefix, const char *fmt, va_list ap)
{
	ui_progress_clear(ui);
	fputs(prefix, ui->err);
	vfprintf(ui->err, fmt, ap);
	fputc('\n', ui->err);
	fflush(ui->err);
}

void ui_status(struct ui *ui, const char *fmt, ...)
{
	va_list ap;

	if (ui->json && !ui->verbose)
		return;
	va_start(ap, fmt);
	vline(ui, "", fmt, ap);
	va_end(ap);
}

void ui_error(struct ui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(ui, "swdbackup: ", fmt, ap);
	va_end(ap);
}

void ui_warn(struct ui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(ui, "swdbackup: warning: ", fmt, ap);
	va_end(ap);
}

void ui_log_line(struct ui *ui, const char *tool, const char *line)
{
	if (!ui->verbose)
		return;
	ui_progress_clear(ui);
	fprintf(ui->err, "%s: %s\n", tool, line);
	fflush(ui->err);
}

int ui_report(struct ui *ui, json_t *doc)
{
	ui_progress_clear(ui);
	if (ui->json) {
		if (json_dumpf(doc, ui->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) != 0)
			return -EIO;
		fputc('\n', ui->out);
	} else {
		ui_render_text(ui->out, doc);
	}
	return fflush(ui->out) == 0 && !ferror(ui->out) ? 0 : -EIO;
}
