/* err.h - the project's one list of error codes, and the error struct that carries details.
 *
 * Owns: the codes every module returns (0 or one of the negative SWD_E* below), their
 * names, short descriptions and the exit code each maps to (the command-line contract:
 * 0 ok, 1 verify mismatch, 2 usage, 3 bad input file, 4 OpenOCD (or dfu-util) missing or died, 5 probe
 * not found/busy/not permitted, 6 target did not respond, 7 target protected, 8 wrong
 * target, 9 local I/O error, 130 interrupted).
 *
 * Must not: print or exit. Only main() turns a code into an exit status (swd_exit_code).
 *
 * Conventions for every module:
 * - A function that can fail returns int: 0 on success or a negative SWD_E* code.
 * - Details go into an optional `struct swd_error *err` (NULL is allowed everywhere).
 *   The first error wins: once err->code is set, later swd_error_set() calls keep it, so
 *   the root cause reaches the user rather than the last cleanup failure.
 * - Messages are one lowercase line without a trailing period or newline, quoting the
 *   subject: "cannot open 'f4.bin': no such file or directory".
 *
 * Extending: add a line to SWD_ERRNO_MAP below (name, value, exit code, description).
 * Values are stable numbers so logs and --json output stay comparable across versions;
 * keep them unique (a unit test checks it). Ranges: -1000.. general and input,
 * -1100.. OpenOCD process and RPC, -1110.. dfu-util, -1200.. probe, -1300.. target.
 */
#ifndef SWD_CORE_ERR_H
#define SWD_CORE_ERR_H

#include <stddef.h>

/* XX(NAME, value, exit code, description). Descriptions are lowercase fragments. */
#define SWD_ERRNO_MAP(XX)                                                              \
	XX(EVERIFY, -1001, 1, "verify mismatch")                                        \
	XX(EUSAGE, -1002, 2, "usage error")                                             \
	XX(EEXIST, -1003, 2, "destination already exists")                              \
	XX(EUNSUPPORTED, -1004, 2, "not possible through this probe")                   \
	XX(EINPUT, -1010, 3, "bad input file")                                          \
	XX(ENOENT, -1011, 3, "no such file")                                            \
	XX(EPROFILE, -1012, 3, "invalid profile")                                       \
	XX(ENOPROFILE, -1013, 3, "unknown profile")                                     \
	XX(EIMAGE, -1014, 3, "invalid image")                                           \
	XX(EEMPTY, -1015, 3, "empty image")                                             \
	XX(ETOOBIG, -1016, 3, "image does not fit in flash")                            \
	XX(EBUNDLE, -1017, 3, "invalid bundle")                                         \
	XX(ECHECKSUM, -1018, 3, "checksum mismatch")                                    \
	XX(EVECTORS, -1020, 8, "vector table does not belong to this part")             \
	XX(EWRONGTARGET, -1021, 8, "wrong target")                                      \
	XX(EIO, -1030, 9, "local i/o error")                                            \
	XX(ENOMEM, -1031, 9, "out of memory")                                           \
	XX(EINTERNAL, -1032, 9, "internal error")                                       \
	XX(EINTR, -1040, 130, "interrupted")                                            \
	XX(EOCDMISSING, -1100, 4, "openocd not found")                                  \
	XX(EOCDDIED, -1101, 4, "openocd exited unexpectedly")                           \
	XX(EOCDTIMEOUT, -1102, 4, "openocd did not answer in time")                     \
	XX(EOCDPROTO, -1103, 4, "unexpected reply from openocd")                        \
	XX(EOCDCMD, -1104, 4, "openocd command failed")                                 \
	XX(EDFUMISSING, -1110, 4, "dfu-util not found")                                 \
	XX(EDFUFAILED, -1111, 4, "dfu-util failed")                                     \
	XX(EPROBENOTFOUND, -1200, 5, "probe not found")                                 \
	XX(EPROBEBUSY, -1201, 5, "probe busy")                                          \
	XX(EPROBEPERM, -1202, 5, "probe access not permitted")                          \
	XX(ETARGETNORESP, -1300, 6, "target did not respond")                           \
	XX(ETARGETFAILED, -1301, 6, "target operation failed")                          \
	XX(EPROTECTED, -1302, 7, "target is protected")

enum swd_errno {
	SWD_OK = 0,
#define SWD_ERR_ENUM_(name, value, exit_code, text) SWD_##name = (value),
	SWD_ERRNO_MAP(SWD_ERR_ENUM_)
#undef SWD_ERR_ENUM_
};

#define SWD_ERROR_MSG_MAX 1024

struct swd_error {
	int code;                      /* 0 until the first error */
	char msg[SWD_ERROR_MSG_MAX];   /* one lowercase line, "" until the first error */
};

/* Clears err (code 0, empty message). NULL is a no-op. */
void swd_error_init(struct swd_error *err);

/* Records code and the printf-style message in err unless err already holds an error
 * (the first error wins). err may be NULL. Returns code, so callers can write
 * `return swd_error_set(err, swd_err_from_errno(errno), "cannot open '%s': %s", path,
 *                      swd_errno_text(errno));`. */
int swd_error_set(struct swd_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "EIO" for SWD_EIO, "OK" for 0, "UNKNOWN" otherwise. Returns: borrowed, static. */
const char *swd_err_name(int code);

/* Short lowercase description ("local i/o error"). Returns: borrowed, static. */
const char *swd_strerror(int code);

/* Exit status of the command-line contract for a code: 0 for 0, the table's value for a
 * known code, 9 (local error) for anything else negative. */
int swd_exit_code(int code);

/* Maps an errno value from a failed local file operation to a code: ENOENT/ENOTDIR ->
 * SWD_ENOENT, ENOMEM -> SWD_ENOMEM, EEXIST/ENOTEMPTY -> SWD_EEXIST, else SWD_EIO. Every
 * "cannot open" of a file the user named goes through it, so one fault has one code. */
int swd_err_from_errno(int errnum);

/* strerror(errnum) starting in lower case, for messages ("no such file or directory").
 * Returns: borrowed, valid until the next call in the same thread. */
const char *swd_errno_text(int errnum);

#endif
