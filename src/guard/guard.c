/* guard.c - swdbackup-guard PARENT-PID PROGRAM [ARG]...: runs PROGRAM so that it dies with
 * the process PARENT-PID that started it (the Linux death signal, SIGKILL), as
 * `setpriv --pdeathsig KILL` does, at a fraction of its cost: this program is linked
 * statically (with musl where there is one), so its start is an exec and two system
 * calls, where setpriv's is a dynamic link and a locale (about a millisecond, which is
 * some 0.5 % of a 128 KiB DFU backup). Every child swdbackup starts goes through it
 * (src/core/childguard.c picks it, or setpriv where it is missing).
 *
 * Owns: setting the death signal, checking the parent has not already gone (the signal is
 *   only armed from now on: a parent that died before is not noticed by the kernel), and
 *   exec'ing PROGRAM with the same environment.
 * Must not: fork, wait, or touch PROGRAM's input and output; swdbackup (through libuv's
 *   uv_spawn) starts it and reads PROGRAM's output.
 * Exit: 2 usage; 125 the parent has already gone (nobody to report to); 126 PROGRAM
 *   cannot be run, 127 it is not there (as a shell says), each with one line on stderr
 *   that starts "swdbackup-guard: cannot run".
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *end = NULL;
	long parent;

	if (argc < 3 || (parent = strtol(argv[1], &end, 10)) <= 0 || *end != '\0') {
		fprintf(stderr, "usage: swdbackup-guard PARENT-PID PROGRAM [ARG]...\n");
		return 2;
	}
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
		fprintf(stderr, "swdbackup-guard: cannot run '%s': cannot set its death signal: %s\n",
		        argv[2], strerror(errno));
		return 126;
	}
	if (getppid() != (pid_t)parent)
		return 125;
	execv(argv[2], argv + 2);
	fprintf(stderr, "swdbackup-guard: cannot run '%s': %s\n", argv[2], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
