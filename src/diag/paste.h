/* diag internals: the normaliser for pasted logs (paste.c). Not part of the public API. */
#ifndef SWD_DIAG_PASTE_H
#define SWD_DIAG_PASTE_H

#include <stddef.h>

/* Returns: a new NUL-terminated copy of the LEN bytes of TEXT as OpenOCD printed them, one
 * line per "\n": CRLF and lone CR turned into LF; ANSI escape sequences and control bytes
 * removed; a byte order mark, no-break spaces, typographic quotes and their Windows-1252 or
 * Latin-1 mojibake made ASCII; timestamps, container-name prefixes, gdb/MI stream quoting (a
 * record holding several lines gives each its own; gdb's \e, \t and octal escapes read)
 * and error results, front-end trace prefixes (cortex-debug "-> ", Eclipse CDT "077,345 "),
 * "(gdb) " prompts, "> " quoting and leading blanks taken off each line; a Markdown code
 * fence left as an empty line; lines a console
 * wrapped at 80 columns joined again (counting the columns the console showed). NULL when
 * out of memory. */
char *diag_paste_clean(const char *text, size_t len);

#endif
