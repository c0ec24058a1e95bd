/* confirm.c - asking a person before something is lost (see ui_confirm in ui.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ui/ui.h"

bool ui_can_ask(void)
{
	return isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1;
}

bool ui_confirm(struct ui *ui, const char *what)
{
	char line[64];
	size_t n;

	ui_progress_clear(ui);
	fprintf(ui->err, "%s\nType 'yes' to go on: ", what);
	fflush(ui->err);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
		line[--n] = '\0';
	return strcmp(line, "yes") == 0;
}
