/* hook.c - the --at-traffic hook (see hook.h). */
#include "sim/hook.h"

#include <errno.h>
#include <inttypes.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

void sim_hook_check(struct sim_hook *h, uint64_t traffic, FILE *trace)
{
	char *argv[] = {"sh", "-c", (char *)h->cmd, NULL};
	int status = -1;
	pid_t pid;

	if (!h->after || h->done || traffic < h->after)
		return;
	h->done = true;
	/* Synchronous on purpose: no reply leaves until the command has run. */
	int rc = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ);
	if (rc == 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	if (trace) {
		fprintf(trace, "hook after %" PRIu64 " bytes: %s\n", traffic,
		        rc != 0 ? strerror(rc)
		        : WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "ran" : "failed");
		fflush(trace);
	}
}
