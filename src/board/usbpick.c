/* usbpick.c - choosing the USB ST-LINK before OpenOCD starts (see usbpick.h). */
#include "board/usbpick.h"

#include "board/findings.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_PROBES 32

int board_usb_pick(struct cli_ctx *ctx, struct usb_probe *probe, bool *found, struct swd_error *err)
{
	static struct usb_probe list[MAX_PROBES];
	const char *want = ctx->opt.probe.kind == CLI_PROBE_SERIAL ? ctx->opt.probe.serial : NULL;
	struct usb_probe *p = NULL;
	size_t n = 0;
	int rc;

	*found = false;
	rc = usb_probes_list(list, MAX_PROBES, &n, err);
	if (rc != 0)
		return rc;
	if (n > MAX_PROBES)
		n = MAX_PROBES;
	for (size_t i = 0; want && i < n; i++)
		if (strcmp(list[i].serial, want) == 0)
			p = &list[i];
	if (want && !p)
		return 0; /* OpenOCD reports the serial mismatch; the findings explain it */
	if (!want && n > 1) {
		char names[768];
		size_t at = 0;

		names[0] = '\0';
		for (size_t i = 0; i < n && at < sizeof(names); i++)
			at += (size_t)snprintf(names + at, sizeof(names) - at, "%s%s %s",
			                       i ? ", " : "", list[i].kind,
			                       list[i].serial[0] ? list[i].serial : "(no serial)");
		return swd_error_set(err, SWD_EPROBENOTFOUND,
		                     "%zu ST-LINK probes are attached (%s); pick one with --probe SERIAL",
		                     n, names);
	}
	if (!p && n == 1)
		p = &list[0];
	if (!p)
		return 0;
	*probe = *p;
	*found = true;
	if (!p->can_open)
		return swd_error_set(err, SWD_EPROBEPERM,
		                     "this user may not open the %s %s (%s); install the udev rules "
		                     "scripts/60-swdbackup.rules into /etc/udev/rules.d/, run 'udevadm "
		                     "control --reload-rules' as root and replug the probe",
		                     p->kind, p->serial, p->devnode);
	return 0;
}

int board_usb_claimable(struct usb_probe *p, struct swd_error *err)
{
	/* Another swdbackup (a listing, or a run's own check) tries a claim for an instant,
	 * and may have let go before /proc is searched for the holder: a claim that nobody
	 * visible holds is tried again too. */
	for (int i = 0; i < 5; i++) {
		struct timespec ts = { 0, 100000000L };

		usb_probes_claim_test(p);
		if (!p->busy || (p->holder && strcmp(p->holder_name, "swdbackup") != 0))
			break;
		nanosleep(&ts, NULL);
	}
	if (p->busy && p->holder)
		return swd_error_set(err, SWD_EPROBEBUSY,
		                     "the %s %s is held by '%s' (pid %d); close it and retry",
		                     p->kind, p->serial, p->holder_name, (int)p->holder);
	if (p->busy)
		return swd_error_set(err, SWD_EPROBEBUSY,
		                     "the %s %s is held by another program (another openocd, "
		                     "st-util or an IDE debug session); close it and retry",
		                     p->kind, p->serial);
	return 0;
}

/* Whether the probe with this serial is still on the bus. */
static bool attached(const struct usb_probe *probe)
{
	static struct usb_probe list[MAX_PROBES];
	size_t n = 0;

	if (usb_probes_list(list, MAX_PROBES, &n, NULL) != 0)
		return true; /* cannot tell: claim nothing */
	for (size_t i = 0; i < n && i < MAX_PROBES; i++)
		if (strcmp(list[i].serial, probe->serial) == 0)
			return true;
	return false;
}

bool board_usb_findings(struct cli_ctx *ctx, const struct usb_probe *probe, int rc, bool tried)
{
	char detail[256];

	if (tried) {
		if (rc == 0 || rc == SWD_EINTR || attached(probe))
			return false;
		snprintf(detail, sizeof(detail), "the %s %s (%s) was on the bus when the run began "
		         "and is gone now", probe->kind, probe->serial, probe->devnode);
		board_findings_append_id(ctx->findings, DIAG_PROBE_NOT_FOUND, "high",
		                       "the probe was unplugged (or lost power) during the run",
		                       "plug it back in, with a short cable on a powered port, and run "
		                       "the command again", detail);
		return true;
	} else if (rc == SWD_EPROBEPERM) {
		snprintf(detail, sizeof(detail), "libusb_open of the %s %s (%s) failed with "
		         "LIBUSB_ERROR_ACCESS", probe->kind, probe->serial, probe->devnode);
		board_findings_append_id(ctx->findings, DIAG_USB_PERMISSION, "high",
		                       "the probe is there but this user may not open it (no udev rule "
		                       "for it)",
		                       "install the udev rules: 'sudo cp scripts/60-swdbackup.rules "
		                       "/etc/udev/rules.d/ && sudo udevadm control --reload-rules && "
		                       "sudo udevadm trigger', then replug the probe; do not run "
		                       "swdbackup as root", detail);
	} else if (rc == SWD_EPROBEBUSY) {
		if (probe->holder)
			snprintf(detail, sizeof(detail), "claiming the %s %s failed with "
			         "LIBUSB_ERROR_BUSY; %s is held open by '%s' (pid %d)", probe->kind,
			         probe->serial, probe->devnode, probe->holder_name, (int)probe->holder);
		else
			snprintf(detail, sizeof(detail), "claiming the %s %s failed with "
			         "LIBUSB_ERROR_BUSY; no process visible in /proc holds %s", probe->kind,
			         probe->serial, probe->devnode);
		board_findings_append_id(ctx->findings, DIAG_PROBE_BUSY, "high",
		                       "another program holds the probe (another OpenOCD, "
		                       "STM32CubeProgrammer, st-util, an IDE debug session)",
		                       probe->holder ? "close that program and retry"
		                                     : "close the other debugger and retry",
		                       detail);
	}
	return false;
}
