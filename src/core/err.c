/* err.c - error codes: names, descriptions, exit codes, and the first-error-wins struct. */
#include "core/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void swd_error_init(struct swd_error *err)
{
	if (err == NULL)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

int swd_error_set(struct swd_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || err->code != 0)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* One line, whatever a quoted file name or a parser's echo of bad input held: control
	 * bytes (newlines, terminal escapes) become '?'. */
	for (char *c = err->msg; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return code;
}

const char *swd_err_name(int code)
{
	switch (code) {
	case 0:
		return "OK";
#define SWD_ERR_NAME_(name, value, exit_code, text) \
	case SWD_##name:                             \
		return #name;
		SWD_ERRNO_MAP(SWD_ERR_NAME_)
#undef SWD_ERR_NAME_
	}
	return "UNKNOWN";
}

int swd_err_from_name(const char *name)
{
#define SWD_ERR_BYNAME_(n, value, exit_code, text) \
	if (strcmp(name, #n) == 0)                \
		return SWD_##n;
	SWD_ERRNO_MAP(SWD_ERR_BYNAME_)
#undef SWD_ERR_BYNAME_
	return 0;
}

int swd_err_for_exit(int exit_code)
{
#define SWD_ERR_BYEXIT_(n, value, code, text) \
	if (exit_code == (code))                 \
		return SWD_##n;
	SWD_ERRNO_MAP(SWD_ERR_BYEXIT_)
#undef SWD_ERR_BYEXIT_
	return SWD_EINTERNAL;
}

const char *swd_strerror(int code)
{
	switch (code) {
	case 0:
		return "success";
#define SWD_ERR_TEXT_(name, value, exit_code, text) \
	case SWD_##name:                             \
		return text;
		SWD_ERRNO_MAP(SWD_ERR_TEXT_)
#undef SWD_ERR_TEXT_
	}
	return "unknown error";
}

int swd_exit_code(int code)
{
	switch (code) {
	case 0:
		return 0;
#define SWD_ERR_EXIT_(name, value, exit_code, text) \
	case SWD_##name:                             \
		return exit_code;
		SWD_ERRNO_MAP(SWD_ERR_EXIT_)
#undef SWD_ERR_EXIT_
	}
	return 9;
}

int swd_err_from_errno(int errnum)
{
	switch (errnum) {
	case ENOENT:
	case ENOTDIR:
		return SWD_ENOENT;
	case ENOMEM:
		return SWD_ENOMEM;
	case EEXIST:
	case ENOTEMPTY:
		return SWD_EEXIST;
	default:
		return SWD_EIO;
	}
}

const char *swd_errno_text(int errnum)
{
	static __thread char buf[256];
	char tmp[256];
	const char *t = strerror_r(errnum, tmp, sizeof(tmp));

	snprintf(buf, sizeof(buf), "%s", t);
	/* glibc capitalises; our messages are lower case (only the first letter: "I/O" stays) */
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}
