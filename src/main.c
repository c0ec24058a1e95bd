/* main.c - swdbackup's entry point: picks the subcommand, parses its options, installs the
 * interrupt handlers, runs it, prints its report and turns its result into the exit code.
 * This is the only place that exits and the only place that maps errors to exit codes.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "cli/about.h"
#include "cli/cli.h"
#include "cli/fleet.h"
#include "core/catalog.h"
#include "core/err.h"
#include "core/suggest.h"
#include "ocd/process.h"

#ifndef SWD_VERSION
#define SWD_VERSION "unknown"
#endif

/* The exit statuses, as the help texts name them (err.h maps each error to one). A command
 * that never touches a board cannot end with the board's ones. */
static const struct { int code; bool board; const char *what; } exit_codes[] = {
	{ 0, false, "ok" },
	{ 1, true, "verify mismatch" },
	{ 2, false, "usage" },
	{ 3, false, "bad input file or profile" },
	{ 4, true, "OpenOCD missing or died" },
	{ 5, true, "probe not found/busy/not permitted" },
	{ 6, true, "target did not respond" },
	{ 7, true, "target protected" },
	{ 8, true, "wrong target" },
	{ 9, false, "local i/o error" },
	{ 130, false, "interrupted" },
};

static void print_exit_codes(FILE *f, bool board)
{
	const char *sep = "exit codes: ";
	int col = 0;

	fputc('\n', f);
	for (size_t i = 0; i < sizeof(exit_codes) / sizeof(exit_codes[0]); i++) {
		char item[64];
		int len;

		if (exit_codes[i].board && !board)
			continue;
		len = snprintf(item, sizeof(item), "%d %s", exit_codes[i].code, exit_codes[i].what);
		if (col + (int)strlen(sep) + len > 86) {
			fputs(",\n  ", f);
			sep = "";
			col = 2;
		}
		col += fprintf(f, "%s%s", sep, item);
		sep = ", ";
	}
	fputs(".\n", f);
}

static void print_command_help(const struct cli_command *cmd)
{
	fputs(cmd->usage, stdout);
	print_exit_codes(stdout, (cmd->options & CLI_O_PROBE) != 0);
}

/* 'swdbackup --version': the program, the OpenOCD it would run and where profiles come from. */
static int print_version(void)
{
	char *exe = NULL, ver[64];
	char **dirs = NULL;
	size_t ndirs = 0;

	printf("swdbackup %s\n", SWD_VERSION);
	if (ocdproc_find(NULL, &exe, NULL) != 0)
		printf("openocd:  not found on PATH; install openocd or give --openocd PATH\n");
	else if (cli_openocd_version(exe, ver, sizeof(ver)) != 0)
		printf("openocd:  %s (its version did not print)\n", exe);
	else
		printf("openocd:  %s %s\n", exe, ver);
	free(exe);
	if (swd_profile_dirs(&dirs, &ndirs, NULL) == 0)
		for (size_t i = 0; i < ndirs; i++)
			printf("%s%s\n", i == 0 ? "profiles: " : "          ", dirs[i]);
	swd_profile_dirs_free(dirs, ndirs);
	return 0;
}

static void print_overview(FILE *f)
{
	fprintf(f, "usage: swdbackup [COMMAND] --profile P [--probe SPEC] [options]\n\n"
		   "Back up, restore, verify, identify and reset STM32 boards through OpenOCD.\n\n"
		   "commands:\n");
	for (const struct cli_command *c = cli_commands(); c->name; c++)
		fprintf(f, "  %-9s %s\n", c->name, c->summary);
	fprintf(f, "\n'swdbackup COMMAND --help' shows the options of a command;\n"
		   "'swdbackup --version' shows the OpenOCD it runs and where profiles are found.\n");
	print_exit_codes(f, true);
}

/* Fills in what every report carries and lets the ui show it. Returns rc, or SWD_EIO
 * when a successful run's report could not be written (stdout closed or full). */
static int finish_report(struct cli_ctx *ctx, int rc)
{
	cli_report_end(ctx, rc);
	if (rc != 0)
		ui_error(&ctx->ui, "%s", ctx->err.msg[0] ? ctx->err.msg : swd_strerror(rc));
	if (ui_report(&ctx->ui, ctx->doc) != 0 && rc == 0) {
		ui_error(&ctx->ui, "cannot write the report to stdout");
		rc = SWD_EIO;
	}
	return rc;
}

/* A usage error still gives --json users their one document (the options may not have
 * parsed, so --json is looked for by hand). */
static void usage_json(int argc, char **argv, const char *command, const char *msg)
{
	uint64_t t0 = cli_now_ns();
	json_t *doc;
	bool json = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--json") == 0)
			json = true;
	}
	if (!json)
		return;
	doc = cli_report_new(command, (int64_t)time(NULL));
	if (doc) {
		cli_report_tail(doc, t0, SWD_EUSAGE, msg);
		json_object_set_new(doc, "findings", json_array());
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
		fputc('\n', stdout);
		json_decref(doc);
	}
}

int main(int argc, char **argv)
{
	const struct cli_command *cmd;
	struct cli_ctx ctx;
	char msg[256];
	int sub_argc;
	char **sub_argv;
	size_t seed = 0;
	int rc;

	/* jansson's hash seed from the kernel's generator in one system call, before the first
	 * JSON value: left to itself it opens /dev/urandom, which under an LD_PRELOAD device
	 * emulator (the virtual USB bus, umockdev) is a round trip to the emulator */
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed) && seed != 0)
		json_object_seed(seed);
	/* libcrypto would free its tables in an atexit handler (a quarter of a millisecond at
	 * the end of every run, after the work is done); the kernel frees them anyway */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
	memset(&ctx, 0, sizeof(ctx));
	ctx.argv0 = argv[0];
	swd_error_init(&ctx.err);

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
			  strcmp(argv[1], "help") == 0)) {
		if (argc >= 3 && strcmp(argv[1], "help") == 0 && (cmd = cli_command_find(argv[2]))) {
			print_command_help(cmd);
			return 0;
		}
		print_overview(stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "--version") == 0)
		return print_version();
	if (argc < 2) {
		print_overview(stderr);
		return swd_exit_code(SWD_EUSAGE);
	}
	/* backup is the default command: "swdbackup --profile stm32f407vg" backs up. */
	cmd = cli_command_find(argv[1]);
	if (cmd) {
		sub_argc = argc - 1;
		sub_argv = argv + 1;
	} else if (argv[1][0] == '-') {
		cmd = cli_command_find("backup");
		sub_argc = argc;
		sub_argv = argv;
	} else {
		const char *names[32], *hint;
		size_t n = 0;

		for (const struct cli_command *c = cli_commands(); c->name && n < 32; c++)
			names[n++] = c->name;
		hint = swd_suggest(argv[1], names, n);
		if (hint)
			snprintf(msg, sizeof(msg), "unknown command '%s' (did you mean '%s'?)", argv[1], hint);
		else
			snprintf(msg, sizeof(msg), "unknown command '%s'", argv[1]);
		fprintf(stderr, "swdbackup: %s; see 'swdbackup --help'\n", msg);
		usage_json(argc, argv, NULL, msg);
		return swd_exit_code(SWD_EUSAGE);
	}
	ctx.command = cmd->name;
	ctx.argc = sub_argc;
	ctx.argv = sub_argv;

	if (cli_options_parse(cmd->name, sub_argc, sub_argv, cmd->options, &ctx.opt, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "swdbackup: %s; see 'swdbackup %s --help'\n", msg, cmd->name);
		usage_json(argc, argv, cmd->name, msg);
		return swd_exit_code(SWD_EUSAGE);
	}
	if (ctx.opt.help) {
		print_command_help(cmd);
		return 0;
	}

	/* Ctrl-C sets a flag the running operation notices; it then stops OpenOCD and the
	 * simulator and removes its temporary files before we exit with 130. A closed stdout
	 * (EPIPE) and a file-size limit (EFBIG, "file too large") are write errors like any
	 * other, reported with exit 9, rather than signals that kill us half-way through. */
	cli_signals_install();
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);

	ui_init(&ctx.ui, ctx.opt.json, ctx.opt.verbose);
	ctx.findings = json_array();
	if (cli_report_begin(&ctx, cmd->name) != 0 || !ctx.findings) {
		fprintf(stderr, "swdbackup: out of memory\n");
		return swd_exit_code(SWD_ENOMEM);
	}

	rc = cli_dispatch(&ctx, cmd);
	if (rc == 0 && cli_interrupted)
		rc = swd_error_set(&ctx.err, SWD_EINTR, "interrupted");
	if (rc == SWD_EUSAGE) {
		/* usage mistakes found by the command itself (a missing argument): one line */
		fprintf(stderr, "swdbackup: %s; see 'swdbackup %s --help'\n", ctx.err.msg, cmd->name);
		usage_json(argc, argv, cmd->name, ctx.err.msg);
	} else {
		rc = finish_report(&ctx, rc);
	}
	json_decref(ctx.doc);
	json_decref(ctx.findings);
	return swd_exit_code(rc);
}
