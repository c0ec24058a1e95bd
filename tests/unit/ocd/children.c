/* children.c - teardown shared by the live OpenOCD tests. */
#include "children.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* After a failed assertion a test leaves its children (OpenOCD, the simulator) running;
 * kill every direct child so none outlives the test. */
int ocdtest_kill_children(void **state)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	(void)state;
	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char path[300], buf[512], *p;
		FILE *f;
		int pid = atoi(e->d_name), ppid = 0;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) != NULL)
			sscanf(p + 2, "%*c %d", &ppid);
		fclose(f);
		if (ppid == getpid())
			kill(pid, SIGKILL);
	}
	closedir(d);
	return 0;
}
