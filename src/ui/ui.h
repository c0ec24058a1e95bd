/* ui.h - everything swdbackup shows: progress on stderr (a bar only on a TTY), status lines,
 * error lines, OpenOCD's log with -v, and the result of each command either as text or as one
 * JSON document on stdout (--json).
 *
 * Owns: the output streams and the progress bar state. The result of a command is a jansson
 * document built by the command (its schema is the README's "json" section); the text view is
 * rendered from that same document, so the two can never say different things.
 *
 * Must not: decide anything. It never exits and never talks to OpenOCD.
 */
#ifndef SWD_UI_H
#define SWD_UI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

struct ui {
	bool json;       /* results as one JSON document on stdout */
	bool bar;        /* progress bar allowed: stderr is a TTY */
	int verbose;     /* -v: status lines in JSON mode too, OpenOCD log passed through */
	FILE *out;       /* results */
	FILE *err;       /* progress, status, errors, logs */
	/* progress state */
	char what[48];
	uint64_t t0_ns;
	uint64_t last_ns;
	int shown;       /* width of the bar line currently on screen, 0 when none */
	int progress_fd; /* > 0: progress events also go there as lines (a fleet run's child) */
	uint64_t event_ns;
	int fleet_lines; /* lines of a fleet run's live view on screen */
};

/* Sets up for stdout/stderr; the bar is used only when stderr is a terminal. */
void ui_init(struct ui *ui, bool json, int verbose);

/* Same with explicit streams (tests); `bar` forces the bar on or off. */
void ui_init_streams(struct ui *ui, FILE *out, FILE *err, bool json, int verbose, bool bar);

/* One progress event: `done` of `total` bytes of `what` ("reading flash"). Draws at most
 * ten times a second, and always the final one. Nothing happens unless ui->bar. */
void ui_progress(struct ui *ui, const char *what, uint64_t done, uint64_t total);

/* Clears the bar line, if one is shown. Status and error lines call this themselves. */
void ui_progress_clear(struct ui *ui);

/* A status line on stderr ("reading 1 MiB of flash"): text mode, or JSON mode with -v. */
void ui_status(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One error line on stderr, prefixed "swdbackup: ". Printed in both modes. */
void ui_error(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A warning line on stderr, prefixed "swdbackup: warning: ". */
void ui_warn(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Whether a person can be asked: stdin and stderr are terminals. */
bool ui_can_ask(void);

/* Shows `what` (what will be lost, on stderr) and asks for "yes" on stdin. Returns true
 * only when the answer is exactly "yes". Call only when ui_can_ask(). */
bool ui_confirm(struct ui *ui, const char *what);

/* One line of a tool's log (no newline), shown on stderr with -v only, after the tool's
 * name ("openocd", "dfu-util"). */
void ui_log_line(struct ui *ui, const char *tool, const char *line);

/* Emits the command's result `doc`: JSON mode dumps it (one document, newline-terminated);
 * text mode renders it. Borrows doc. Returns 0 or -EIO when the stream fails. */
int ui_report(struct ui *ui, json_t *doc);

/* Text rendering of a result document (the dispatcher ui_report uses), to any stream. */
void ui_render_text(FILE *f, json_t *doc);

/* One board's live line in a fleet run. */
struct ui_board_line {
	const char *label;
	const char *what;      /* "reading flash", "connecting" */
	uint64_t done, total;  /* total 0: no bar */
	double phase_seconds;  /* since `what` began: the rate and the time left */
	double seconds;
	bool finished;
	int exit_code;         /* when finished */
};

/* Draws one line per board on a terminal (over the previous drawing); `last` draws them
 * once more and leaves them. Nothing happens unless ui->bar. */
void ui_fleet_lines(struct ui *ui, const struct ui_board_line *lines, size_t n, bool last);

/* A fleet run's table (a "boards" array of a result document): board, serial, unique ID,
 * time, exit code and result. Borrows boards. */
void ui_render_boards(FILE *f, json_t *boards);

/* The `probes` list (a "probes" array of a result document) as a table. Borrows list. */
void ui_render_probes(FILE *f, json_t *list);

/* How the flash map may draw on a stream: Unicode blocks on a UTF-8 terminal, colour on a
 * terminal unless NO_COLOR is set; neither with TERM=dumb or when f is not a terminal. */
struct ui_map_style {
	bool unicode;
	bool colour;
};

void ui_map_style_for(FILE *f, struct ui_map_style *s);

/* The "map" object of a result document (core/flashmap.h's JSON) as a grid of at most 80
 * columns with a legend, the regions, flagged cells and call-outs. Borrows map. */
void ui_render_map(FILE *f, json_t *map, const struct ui_map_style *s);

/* --- pure formatting, exposed for tests ---------------------------------------------- */

/* Grouped counts ("41,984") are swd_format_count() (core/image.h): one name for one job. */

/* 1048576 -> "1.0 MiB", 1536 -> "1.5 KiB", 512 -> "512 B". Returns buf. */
char *ui_fmt_size(char *buf, size_t n, uint64_t bytes);

/* 125 -> "2:05", 3725 -> "1:02:05". Returns buf. */
char *ui_fmt_duration(char *buf, size_t n, uint64_t seconds);

/* The bar line: "reading flash [#####.....]  512.0 KiB / 1.0 MiB  1.2 MiB/s  0:03 left".
 * elapsed_s <= 0 or nothing done yet: no rate and "--:--" left. Returns the length written. */
size_t ui_fmt_progress(char *buf, size_t n, const char *what, uint64_t done, uint64_t total,
		       double elapsed_s, int bar_width);

#endif
