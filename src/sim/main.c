/* main.c - swdbackup-sim: a virtual ST-LINK/V2 with a simulated STM32 behind it.
 *
 * Wires the pieces together: options -> mcu (the board) -> probe (the ST-LINK) ->
 * server (libuv TCP on 127.0.0.1); `swdbackup-sim usb ...` hands over to usb.c (the
 * virtual USB bus). The only place that prints to the user or exits.
 * Exit codes: 0 after SIGINT/SIGTERM (board saved), 1 when the board cannot be created,
 * saved or the port cannot be bound, 2 for bad options.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "sim/mcu/mcu.h"
#include "sim/options.h"
#include "sim/probe.h"
#include "sim/server.h"
#include "sim/usb.h"

/* strerror() in the project's lowercase message style. Returns: static buffer. */
static const char *errstr(int errnum)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "%s", strerror(errnum));
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

/* Writes the port under a temporary name and renames it, so a reader polling for the
 * file never sees a partial number. Returns 0 or -errno. */
static int write_portfile(const char *path, int port)
{
	char tmp[4096];
	FILE *f;
	int rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	if (fprintf(f, "%d\n", port) < 0)
		rc = -EIO;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc < 0)
		unlink(tmp);
	return rc;
}

int main(int argc, char **argv)
{
	struct sim_options o;
	char err[512];
	char serial[25];
	struct mcu_config mc;
	struct probe probe;
	struct probe_config pc;
	struct sim_server *server = NULL;
	uv_loop_t loop;
	mcu_t *mcu = NULL;
	FILE *trace = NULL;
	int port = 0, rc, status = 1;
	bool loop_ready = false;

	/* A client that vanishes mid-reply must cost a connection, not the process. */
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && strcmp(argv[1], "usb") == 0)
		return sim_usb_main(argc - 2, argv + 2);
	if (sim_options_parse(&o, argc, argv, err, sizeof(err)) < 0) {
		fprintf(stderr, "swdbackup-sim: %s\n", err);
		return 2;
	}
	if (o.help) {
		fputs(sim_options_usage(), stdout);
		return 0;
	}
	if (o.list_models) {
		for (const char *const *m = mcu_model_names(); *m; m++)
			puts(*m);
		return 0;
	}
	if (o.trace) {
		trace = fopen(o.trace, "w");
		if (!trace) {
			fprintf(stderr, "swdbackup-sim: cannot open '%s': %s\n", o.trace,
			        errstr(errno));
			return 2;
		}
	}

	memset(&mc, 0, sizeof(mc));
	mc.model = o.model;
	mc.flash_path = o.flash;
	mc.uid = o.uid_set ? o.uid : NULL;
	mc.dbgmcu_idcode = o.dbgmcu_idcode;
	mc.faults = o.faults;
	mc.timing = o.timing;
	mc.seed = o.seed;
	err[0] = '\0';
	mcu = mcu_new(&mc, err, sizeof(err));
	if (!mcu) {
		fprintf(stderr, "swdbackup-sim: %s\n", err[0] ? err : "cannot create the board");
		goto out;
	}

	if (!o.serial)
		probe_default_serial(serial, o.flash);
	memset(&pc, 0, sizeof(pc));
	pc.model = o.probe;
	pc.serial = o.serial ? o.serial : serial;
	pc.busy = o.busy;
	pc.trace = trace;
	probe_init(&probe, mcu, &pc);

	rc = uv_loop_init(&loop);
	if (rc < 0) {
		fprintf(stderr, "swdbackup-sim: cannot start the event loop: %s\n", uv_strerror(rc));
		goto out;
	}
	loop_ready = true;
	server = calloc(1, sizeof(*server)); /* large: holds a request and a reply buffer */
	if (!server) {
		fprintf(stderr, "swdbackup-sim: out of memory\n");
		goto out;
	}
	rc = sim_server_start(server, &loop, &probe, mcu, o.port, &port);
	server->realistic = o.timing == MCU_TIMING_REALISTIC;
	server->drop_after = o.drop_after;
	server->power_off_after = o.power_off_after;
	server->hook.after = o.hook_after;
	server->hook.cmd = o.hook_cmd;
	if (rc < 0) {
		fprintf(stderr, "swdbackup-sim: cannot listen on 127.0.0.1:%d: %s\n", o.port,
		        uv_strerror(rc));
		uv_run(&loop, UV_RUN_DEFAULT); /* let the closed handles finish */
		goto out;
	}
	if (o.portfile) {
		rc = write_portfile(o.portfile, port);
		if (rc < 0) {
			fprintf(stderr, "swdbackup-sim: cannot write '%s': %s\n", o.portfile,
			        errstr(-rc));
			sim_server_stop(server);
			uv_run(&loop, UV_RUN_DEFAULT);
			goto out;
		}
	}
	uv_run(&loop, UV_RUN_DEFAULT);
	status = 0;

out:
	if (loop_ready && uv_loop_close(&loop) != 0 && status == 0) {
		fprintf(stderr, "swdbackup-sim: event loop still busy at exit\n");
		status = 1;
	}
	free(server);
	rc = mcu_free(mcu);
	if (rc < 0 && mcu) {
		fprintf(stderr, "swdbackup-sim: cannot save '%s': %s\n", o.flash, errstr(-rc));
		status = 1;
	}
	if (trace)
		fclose(trace);
	return status;
}
