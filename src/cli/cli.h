/* cli.h - what main() hands a subcommand, and the command table entries.
 *
 * One file per subcommand (backup.c, restore.c, ...), each defining cmd_<name>. A command
 * returns 0 or a negative SWD_E* code with details in ctx->err; it records its result in
 * ctx->doc (the --json document, also what the text view is rendered from) and its
 * diagnosis findings in ctx->findings. Only main() prints the final report and exits.
 *
 * Owns: struct cli_ctx, the command table's shape and the interrupt flag.
 * Must not: hold command logic; commands live one per file.
 */
#ifndef SWD_CLI_CLI_H
#define SWD_CLI_CLI_H

#include <signal.h>

#include <jansson.h>

#include "cli/options.h"
#include "cli/report.h"
#include "core/err.h"
#include "ui/ui.h"

struct cli_ctx {
	const char *argv0;        /* as the user typed it; used to find swdbackup-sim */
	const char *command;
	struct cli_options opt;
	struct ui ui;
	struct swd_error err;
	json_t *doc;              /* owned: the result document */
	json_t *findings;         /* owned: array of finding objects */
	struct cli_report rep;    /* the document's clock and timing (report.h) */
};

struct cli_command {
	const char *name;
	int (*fn)(struct cli_ctx *ctx);
	unsigned options;         /* enum cli_opt bits it accepts */
	const char *summary;      /* one line for the command list */
	const char *usage;        /* its --help text */
};

/* Set by the SIGINT/SIGTERM handler; long operations poll it and return SWD_EINTR. */
extern volatile sig_atomic_t cli_interrupted;

/* Installs the SIGINT/SIGTERM handler that sets cli_interrupted (again after an OpenOCD
 * session, whose libuv signal handling restores the default when it ends). */
void cli_signals_install(void);

int cmd_backup(struct cli_ctx *ctx);
int cmd_restore(struct cli_ctx *ctx);
int cmd_verify(struct cli_ctx *ctx);
int cmd_info(struct cli_ctx *ctx);
int cmd_reset(struct cli_ctx *ctx);
int cmd_profiles(struct cli_ctx *ctx);
int cmd_diagnose(struct cli_ctx *ctx);
int cmd_rescue(struct cli_ctx *ctx);
int cmd_erase(struct cli_ctx *ctx);
int cmd_unlock(struct cli_ctx *ctx);

/* The table main() dispatches on; NULL-name terminated. Returns: borrowed, static. */
const struct cli_command *cli_commands(void);

/* Entry by name, or NULL. */
const struct cli_command *cli_command_find(const char *name);

#endif
