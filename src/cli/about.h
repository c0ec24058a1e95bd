/* about.h - what 'swdbackup --version' reports besides its own version: the OpenOCD it
 * would run and that OpenOCD's version.
 *
 * Owns: running a helper program briefly and reading what it prints: 'openocd --version'
 *   (its banner), and any other short query (cli_capture).
 * Must not: print, start OpenOCD for real work (ocd/process.c does that).
 */
#ifndef SWD_CLI_ABOUT_H
#define SWD_CLI_ABOUT_H

#include <stddef.h>

/* Runs args (args[0] is the program's path) for at most 5 s and copies what it printed on
 * stdout and stderr together, at most len - 1 bytes, into text. Returns 0, or -1 when it
 * did not start. */
int cli_capture(char *const args[], char *text, size_t len);

/* Runs `exe --version` (at most 5 s) and copies the version from its banner ("Open On-Chip
 * Debugger 0.12.0" gives "0.12.0", with any "+dev" tail) into out. Returns 0, or -1 when
 * it did not run or printed no banner (out is then ""). */
int cli_openocd_version(const char *exe, char *out, size_t outlen);

#endif
