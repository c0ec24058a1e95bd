/* sim.c - starting and stopping swdbackup-sim for --probe sim / sim:FILE. */
#include "board/sim.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/about.h"
#include "core/catalog.h"
#include "core/childguard.h"
#include "core/file.h"

/* A candidate that is an executable file: its own copy, else NULL. */
static char *exe_or_null(char *cand)
{
	if (cand != NULL && access(cand, X_OK) == 0)
		return cand;
	free(cand);
	return NULL;
}

char *board_sim_find_exe(void)
{
	const char *env = getenv("SWDBACKUP_SIM");
	char *dir, *found = NULL;

	if (env && *env)
		return access(env, X_OK) == 0 ? strdup(env) : NULL;
	/* Next to the program (the build tree's sim/, or an install's bin), else on PATH: its
	 * full path, which the guard execs as it is. */
	if ((dir = swd_file_self_dir()) != NULL) {
		found = exe_or_null(swd_file_join(dir, "sim/swdbackup-sim"));
		if (found == NULL)
			found = exe_or_null(swd_file_join(dir, "swdbackup-sim"));
		free(dir);
	}
	return found != NULL ? found : swd_file_which("swdbackup-sim");
}

/* A board that looks like it holds firmware: this part's vector table (initial SP at the
 * top of its first RAM region, reset handler a `b .` loop at 0x100), then random bytes up
 * to a random end between 1/8 and 1/2 of flash, the rest erased. */
static int write_fresh_board(const char *path, const struct swd_profile *p, struct swd_error *err)
{
	uint8_t *buf = NULL;
	uint32_t used, seed, sp, rv;
	int rc = 0;

	buf = malloc(p->flash.size);
	if (!buf)
		return swd_error_set(err, SWD_ENOMEM, "out of memory for a %u-byte board", p->flash.size);
	memset(buf, 0xff, p->flash.size);
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (uint32_t)getpid();
	used = p->flash.size / 8 + seed % (p->flash.size * 3 / 8);
	used |= 1;
	if (getrandom(buf, used, 0) < 0) {
		rc = swd_error_set(err, SWD_EIO, "cannot get random bytes: %s", strerror(errno));
		goto out;
	}
	sp = p->nram ? p->ram[0].address + p->ram[0].size : 0x20000000u + 0x5000u;
	rv = p->flash.base + 0x100u + 1u;
	for (int i = 0; i < 64; i++) {
		uint32_t w = i == 0 ? sp : rv;

		memcpy(buf + 4 * i, &w, 4); /* little endian host and target */
	}
	buf[0x100] = 0xfe; /* b . */
	buf[0x101] = 0xe7;
	rc = swd_file_write(path, buf, p->flash.size, SWD_FILE_NOREPLACE, err);
out:
	free(buf);
	return rc;
}

static bool read_portfile(struct board_sim *s)
{
	FILE *f = fopen(s->portfile, "re");
	int port = 0;

	if (!f)
		return false;
	if (fscanf(f, "%d", &port) != 1)
		port = 0;
	fclose(f);
	if (port <= 0 || port > 65535)
		return false;
	s->port = port;
	s->port_ready = true;
	return true;
}

static void on_exit_cb(uv_process_t *proc, int64_t status, int sig)
{
	struct board_sim *s = proc->data;

	s->exited = true;
	s->exit_status = status;
	s->term_signal = sig;
	uv_stop(s->loop);
}

static void on_watch(uv_fs_event_t *h, const char *name, int events, int status)
{
	struct board_sim *s = h->data;

	(void)name;
	(void)events;
	(void)status;
	if (read_portfile(s))
		uv_stop(s->loop);
}

static void on_timer(uv_timer_t *t)
{
	struct board_sim *s = t->data;

	s->timed_out = true;
	uv_stop(s->loop);
}

static bool listed(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* The model of a profile in the search path that is a simulator model with p's dev id and
 * flash size: one with p's description first (a copy of a shipped profile keeps it), else
 * the first by name. Returns: borrowed from names, or NULL. */
static const char *model_like(const struct swd_profile *p, const char *const *names, size_t n)
{
	struct swd_profile_entry *e = NULL;
	const char *pick = NULL;
	bool same_text = false;
	size_t ne = 0;

	if (swd_profile_list(&e, &ne, NULL) != 0)
		return NULL;
	for (size_t i = 0; i < ne && !same_text; i++) {
		struct swd_profile *q = NULL;

		if (e[i].code || e[i].shadowed || !listed(e[i].name, names, n) ||
		    swd_profile_find(e[i].path, &q, NULL) != 0)
			continue;
		if (q->ids.dev_id == p->ids.dev_id && q->flash.size == p->flash.size) {
			same_text = p->description && q->description && strcmp(p->description, q->description) == 0;
			for (size_t k = 0; k < n; k++)
				if (strcmp(names[k], q->name) == 0 && (!pick || same_text))
					pick = names[k];
		}
		swd_profile_free(q);
	}
	swd_profile_entries_free(e, ne);
	return pick;
}

/* Which simulator model plays p (s->model, new): its "sim_model"; else its own name when the
 * simulator has a model of that name (every shipped profile); else model_like(). */
static int pick_model(struct board_sim *s, const struct swd_profile *p, struct swd_error *err)
{
	char *args[] = { s->exe, "--list-models", NULL };
	char text[1024], list[1024] = "";
	const char *names[32], *pick = NULL;
	size_t n = 0;

	if (cli_capture(args, text, sizeof(text)) == 0)
		for (char *save, *t = strtok_r(text, "\n", &save); t && n < 32; t = strtok_r(NULL, "\n", &save))
			names[n++] = t;
	if (n == 0)
		return swd_error_set(err, SWD_EPROBENOTFOUND, "'%s --list-models' names no model", s->exe);
	for (size_t i = 0; i < n; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "", names[i]);
	if (p->sim_model && !listed(p->sim_model, names, n))
		return swd_error_set(err, SWD_EPROFILE, "'%s': sim_model \"%s\" is not a simulator model; "
				     "use one of %s", p->path, p->sim_model, list);
	pick = p->sim_model ? p->sim_model : listed(p->name, names, n) ? p->name : model_like(p, names, n);
	if (!pick)
		return swd_error_set(err, SWD_EPROFILE, "no simulator model has the dev id 0x%03x and %u KiB of "
				     "profile '%s'; add \"sim_model\" to '%s', one of %s", p->ids.dev_id,
				     p->flash.size / 1024, p->name, p->path, list);
	s->model = strdup(pick);
	return s->model ? 0 : swd_error_set(err, SWD_ENOMEM, "out of memory");
}

int board_sim_start(struct board_sim *s, uv_loop_t *loop, const struct swd_profile *p,
		  const char *board_file, int verbose, struct swd_error *err)
{
	uv_process_options_t po;
	uv_stdio_container_t stdio[3];
	char tmpl[] = "/tmp/swdbackup-sim-XXXXXX";
	const char *tmp = getenv("TMPDIR");
	const char *args[16];
	struct swd_childguard guard;
	int rc = 0, n = 0;

	memset(s, 0, sizeof(*s));
	s->loop = loop;
	s->exe = board_sim_find_exe();
	if (!s->exe)
		return swd_error_set(err, SWD_EPROBENOTFOUND,
				     "cannot find 'swdbackup-sim' for --probe sim; build it or set SWDBACKUP_SIM");
	if ((rc = pick_model(s, p, err)) != 0)
		return rc;
	if (tmp && *tmp) {
		s->tmpdir = malloc(strlen(tmp) + 32);
		if (!s->tmpdir)
			return swd_error_set(err, SWD_ENOMEM, "out of memory");
		sprintf(s->tmpdir, "%s/swdbackup-sim-XXXXXX", tmp);
	} else {
		s->tmpdir = strdup(tmpl);
	}
	if (!s->tmpdir || !mkdtemp(s->tmpdir)) {
		rc = swd_error_set(err, SWD_EIO, "cannot create a temporary directory for the simulator: %s",
				   strerror(errno));
		free(s->tmpdir);
		s->tmpdir = NULL;
		return rc;
	}
	if (asprintf(&s->portfile, "%s/port", s->tmpdir) < 0) {
		s->portfile = NULL;
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	}
	if (board_file) {
		s->board = strdup(board_file);
	} else {
		if (asprintf(&s->board, "%s/board.bin", s->tmpdir) < 0)
			s->board = NULL;
		s->own_board = true;
	}
	if (!s->board)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	if (s->own_board && (rc = write_fresh_board(s->board, p, err)) != 0)
		return rc;

	args[n++] = "--model";
	args[n++] = s->model;
	args[n++] = "--flash";
	args[n++] = s->board;
	args[n++] = "--port";
	args[n++] = "0";
	args[n++] = "--portfile";
	args[n++] = s->portfile;
	args[n] = NULL;

	/* The watch goes up before the spawn, so the rename of the portfile cannot be missed. */
	uv_fs_event_init(loop, &s->watch);
	s->watch.data = s;
	rc = uv_fs_event_start(&s->watch, on_watch, s->tmpdir, 0);
	if (rc < 0) {
		rc = swd_error_set(err, SWD_EIO, "cannot watch '%s': %s", s->tmpdir, uv_strerror(rc));
		goto fail;
	}
	uv_timer_init(loop, &s->timer);
	s->timer.data = s;

	memset(&po, 0, sizeof(po));
	memset(stdio, 0, sizeof(stdio));
	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_IGNORE;
	stdio[2].flags = verbose ? UV_INHERIT_FD : UV_IGNORE;
	stdio[2].data.fd = 2;
	/* The simulator must not outlive us, even when we are killed with SIGKILL: its death
	 * signal, as for OpenOCD (core/childguard.h). */
	if ((rc = swd_childguard_init(&guard, s->exe, args, err)) != 0) {
		swd_childguard_release(&guard);
		goto fail;
	}
	if (verbose)
		fprintf(stderr, "swdbackup-sim runs under %s\n", swd_childguard_name(guard.how));
	po.file = guard.file;
	po.args = guard.argv;
	po.exit_cb = on_exit_cb;
	po.stdio = stdio;
	po.stdio_count = 3;
	s->proc.data = s;
	rc = uv_spawn(loop, &s->proc, &po);
	swd_childguard_release(&guard);
	s->spawned = true; /* uv_spawn wants uv_close even when it failed */
	if (rc < 0) {
		s->exited = true;
		rc = swd_error_set(err, SWD_EPROBENOTFOUND, "cannot start '%s': %s", s->exe, uv_strerror(rc));
		goto fail;
	}
	/* The simulator starts in milliseconds; the timer only guards against a hang. */
	uv_timer_start(&s->timer, on_timer, 15000, 0);
	while (!read_portfile(s) && !s->exited && !s->timed_out)
		uv_run(loop, UV_RUN_ONCE);
	uv_timer_stop(&s->timer);
	uv_fs_event_stop(&s->watch);
	if (s->port_ready)
		return 0;
	if (s->exited)
		rc = swd_error_set(err, SWD_EPROBENOTFOUND, "the simulator exited (status %d) before it listened; "
				   "run '%s --model %s --flash BOARD' to see why", (int)s->exit_status, s->exe, s->model);
	else
		rc = swd_error_set(err, SWD_EPROBENOTFOUND, "the simulator did not write its port file '%s'", s->portfile);
fail:
	return rc;
}

static void on_closed(uv_handle_t *h)
{
	(void)h;
}

void board_sim_stop(struct board_sim *s)
{
	if (!s->loop)
		return;
	if (s->spawned && !s->exited) {
		/* SIGTERM makes it save the board and exit; one that hangs gets SIGKILL. */
		uv_process_kill(&s->proc, SIGTERM);
		s->timed_out = false;
		if (s->timer.loop)
			uv_timer_start(&s->timer, on_timer, 10000, 0);
		while (!s->exited) {
			uv_run(s->loop, UV_RUN_ONCE);
			if (s->timed_out && !s->exited) {
				uv_process_kill(&s->proc, SIGKILL);
				s->timed_out = false;
			}
		}
		if (s->timer.loop)
			uv_timer_stop(&s->timer);
	}
	if (s->spawned)
		uv_close((uv_handle_t *)&s->proc, on_closed);
	if (uv_is_active((uv_handle_t *)&s->watch) || s->watch.loop)
		uv_close((uv_handle_t *)&s->watch, on_closed);
	if (s->timer.loop)
		uv_close((uv_handle_t *)&s->timer, on_closed);
	uv_run(s->loop, UV_RUN_NOWAIT);
	if (s->tmpdir) {
		if (s->portfile)
			unlink(s->portfile);
		if (s->own_board && s->board) {
			char *f;

			unlink(s->board);
			if (asprintf(&f, "%s.opt", s->board) >= 0) {
				unlink(f);
				free(f);
			}
			if (asprintf(&f, "%s.otp", s->board) >= 0) {
				unlink(f);
				free(f);
			}
		}
		rmdir(s->tmpdir);
	}
	free(s->exe);
	free(s->model);
	free(s->tmpdir);
	free(s->board);
	free(s->portfile);
	memset(s, 0, sizeof(*s));
}
