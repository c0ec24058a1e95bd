/* diag host: the checks of the rows that read host-side failures by the host the log came
 * from (diag_log_host, hostmark.c): USB access, dfu-util, a tool the loader cannot start, an
 * OpenOCD older than the probe's firmware, a line read one way on Windows and another
 * elsewhere. The same libusb or dfu-util words mean another cause on Windows, macOS and
 * Linux; these checks say which, from the log alone.
 *
 * Owns: nothing. A check reads the context and writes only its detail line.
 * Must not: print, touch a probe or target, or decide an id: it returns the confidence its
 * rule deserves (0: the rule does not apply) and the table (rules.c) says what that means.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "diag/checks.h"
#include "diag/host.h"

/* swdbackup's own run (the caller set the operation; a pasted log has none) ran its tools
 * on this machine, so its host is the one this was built for. */
static enum diag_host log_os(const struct diag_ctx *c)
{
	if (c->ev->op != DIAG_OP_NONE) {
#if defined(_WIN32)
		return DIAG_HOST_WINDOWS;
#elif defined(__APPLE__)
		return DIAG_HOST_MACOS;
#elif defined(__linux__)
		return DIAG_HOST_LINUX;
#endif
	}
	return diag_log_host(c->ev);
}

/* High when the log is from Windows, medium otherwise. */
int chk_windows_log(struct diag_ctx *c)
{
	if (log_os(c) != DIAG_HOST_WINDOWS)
		return DIAG_CONF_MEDIUM;
	snprintf(c->detail, sizeof(c->detail), "the log is from Windows");
	return DIAG_CONF_HIGH;
}

/* hidapi's hid_open failed ('unable to open CMSIS-DAP device 0x%x:0x%x': cmsis_dap_usb.c in
 * OpenOCD 0.9-0.10, cmsis_dap_usb_hid.c from 0.11).
 * Where another program's open refuses this one: macOS, whose hidapi seizes the device
 * (mac/hid.c: hid_init sets kIOHIDOptionsTypeSeizeDevice, so a second IOHIDDeviceOpen fails
 * with kIOReturnExclusiveAccess), and Windows, whose hidapi 0.8 opened for read and write
 * sharing reads only (windows/hid.c open_device, FILE_SHARE_READ, from 2013 until b5b2e17
 * in 2016; 0.7 and 0.9+ share writes too, so a second open there is not refused: medium).
 * Linux's hidraw lets several programs open a node, so there it is the node's permission
 * (hidapi-libusb builds aside, which claim the interface). */
static bool hid_open_exclusive(struct diag_ctx *c)
{
	enum diag_host os = log_os(c);
	return os == DIAG_HOST_WINDOWS || os == DIAG_HOST_MACOS;
}

/* The permission reading: medium where the open is not exclusive or the host is not shown. */
int chk_hid_open_permission(struct diag_ctx *c)
{
	return hid_open_exclusive(c) ? 0 : DIAG_CONF_MEDIUM;
}

/* Another program's: medium on Windows and macOS, low as the second reading elsewhere. */
int chk_hid_open_held(struct diag_ctx *c)
{
	if (!hid_open_exclusive(c))
		return 0;
	snprintf(c->detail, sizeof(c->detail), "the log is from %s, where hidapi opens the probe "
	         "exclusively", log_os(c) == DIAG_HOST_MACOS ? "macOS" : "Windows");
	return DIAG_CONF_MEDIUM;
}

int chk_hid_open_held_alt(struct diag_ctx *c)
{
	return hid_open_exclusive(c) ? 0 : DIAG_CONF_LOW;
}

/* libusb's ACCESS from libusb_open means this user may not open the device (Linux: no udev
 * rule). From libusb_claim_interface, after the open worked, it means the interface is held
 * (macOS: Apple's or FTDI's serial driver on an FT2232, or another program's claim: darwin
 * maps kIOReturnExclusiveAccess to ACCESS for both; Windows: the vendor's driver):
 * chk_claim_held reads that. The permission finding stands only on an open. mpsse.c names
 * the error ('libusb_claim_interface() failed with LIBUSB_ERROR_ACCESS'), CMSIS-DAP's bulk
 * backend libusb_strerror's words ('could not claim interface: Access denied ...'). */
static bool claim_line(const char *l)
{
	return (strstr(l, "claim_interface") || strstr(l, "claim interface")) &&
	       (strstr(l, "LIBUSB_ERROR_ACCESS") || strstr(l, "Access denied"));
}

/* libusb's ACCESS from an open names the host's reason: on Linux the device node's
 * permission (no udev rule); on Windows WinUSB's exclusive open, which another program (an
 * IDE's debug server, STM32CubeProgrammer, a second OpenOCD) already holds: CreateFile fails
 * with ERROR_ACCESS_DENIED (libusb os/windows_winusb.c, winusbx_open); macOS's libusb does
 * not refuse an open with it (access_by_host), only a claim. A "Permission denied" naming a
 * device node or USB (the row's own words: not a shell's refusal of a file or script), or
 * libftdi's EPERM, is Linux's whatever else the log shows. */
static bool open_access_line(const char *l)
{
	return (strstr(l, "ACCESS") || strcasestr(l, "insufficient permissions")) &&
	       strcasestr(l, "open") && !claim_line(l);
}

/* libftdi's "inappropriate permissions on device!" is its EPERM from detaching Linux's
 * kernel driver (ftdi_usb_open_dev), a Linux-only step. */
static bool node_denied_line(const char *l)
{
	bool node = strstr(l, "Permission denied") && (strstr(l, "/dev/") || strcasestr(l, "usb"));
	return (node || strstr(l, "inappropriate permissions")) && !claim_line(l);
}

/* True when the command sudo runs on line L is OpenOCD or dfu-util ("sudo openocd ...",
 * "$ sudo -E ./dfu-util ...", "sudo /usr/local/bin/openocd"): its options and variable
 * assignments skipped, the command's file name. A command that only names a file of theirs
 * ("sudo cp 60-openocd.rules /etc/udev/rules.d/") is not one. */
static bool sudo_runs_tool(const char *l)
{
	for (const char *s = strstr(l, "sudo "); s; s = strstr(s + 1, "sudo ")) {
		if (s != l && s[-1] != ' ')
			continue;
		const char *w = s + 5;
		size_t n;
		for (;;) {
			w += strspn(w, " ");
			n = strcspn(w, " ");
			if (n == 0 || (w[0] != '-' && !memchr(w, '=', n)))
				break;
			w += n;
		}
		for (const char *slash; (slash = memchr(w, '/', n)) != NULL; w = slash + 1)
			n -= (size_t)(slash + 1 - w);
		if (strncmp(w, "openocd", 7) == 0 || strncmp(w, "dfu-util", 8) == 0)
			return true;
	}
	return false;
}

/* True when the log shows OpenOCD or dfu-util started under sudo. */
static bool ran_under_sudo(const struct diag_ctx *c)
{
	for (size_t i = 0; i < c->ev->n_log_lines; i++)
		if (sudo_runs_tool(c->ev->log_lines[i]))
			return true;
	return false;
}

/* Root opens any usbfs node whatever its mode (get_usbfs_fd's EACCES is the node's
 * permission, which root's CAP_DAC_OVERRIDE passes): a tool run under sudo and still
 * refused is held back by something no udev rule lifts (a snap's confinement, a container
 * without the device). True then, with the detail written. */
static bool refused_as_root(struct diag_ctx *c)
{
	if (!ran_under_sudo(c) || log_os(c) == DIAG_HOST_WINDOWS)
		return false;
	snprintf(c->detail, sizeof(c->detail), "the tool ran under sudo, as root, and was still "
	         "refused: not a missing udev rule (a sandbox or container?)");
	return true;
}

/* Whether every refused open names another device than the ones dfu-util then found: it
 * opens each device while it scans the bus ("Cannot open DFU device 0a5c:21e6", a Bluetooth
 * radio without a driver libusb can use) and lists as "Found DFU: [1c11:b007]" only the ones
 * it opened, so a device it found was not the one refused. */
static bool dfu_refused_others_only(const struct diag_ctx *c)
{
	unsigned refused[8], found[8];
	size_t nr = 0, nf = 0;
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		unsigned v, p;
		for (const char *q = strstr(l, "Cannot open DFU device "); q && nr < 8;
		     q = strstr(q + 1, "Cannot open DFU device "))
			if (sscanf(q, "Cannot open DFU device %4x:%4x", &v, &p) == 2)
				refused[nr++] = v << 16 | p;
		for (const char *q = strstr(l, "Found DFU: ["); q && nf < 8;
		     q = strstr(q + 1, "Found DFU: ["))
			if (sscanf(q, "Found DFU: [%4x:%4x]", &v, &p) == 2)
				found[nf++] = v << 16 | p;
	}
	if (nr == 0 || nf == 0)
		return false;
	for (size_t i = 0; i < nr; i++)
		for (size_t k = 0; k < nf; k++)
			if (refused[i] == found[k])
				return false;
	return true;
}

/* The permission reading of an open refused with ACCESS, by the host: high on Linux and on
 * a Unix host that does not say which (macOS's libusb never refuses an open with ACCESS:
 * darwin_open_locked takes kIOReturnExclusiveAccess from USBDeviceOpenSeize as opened and
 * leaves the refusal to the claim, so on a Unix host it is the device node's permission, as
 * linux_usbfs.c's get_usbfs_fd maps EACCES), none on Windows (another program holds the
 * DEVICE: probe-busy-windows-access), medium where the log shows no host, or macOS. */
static int access_by_host(struct diag_ctx *c, const char *device)
{
	if (refused_as_root(c))
		return DIAG_CONF_MEDIUM;
	switch (log_os(c)) {
	case DIAG_HOST_LINUX:
		snprintf(c->detail, sizeof(c->detail), "the log is from Linux: the device node "
		         "may not be opened by this user");
		return DIAG_CONF_HIGH;
	case DIAG_HOST_UNIX:
		snprintf(c->detail, sizeof(c->detail), "the log is from a Unix host, not Windows: "
		         "the device node may not be opened by this user");
		return DIAG_CONF_HIGH;
	case DIAG_HOST_WINDOWS:
		return 0;
	case DIAG_HOST_MACOS:
		snprintf(c->detail, sizeof(c->detail), "the log is from macOS, whose libusb does not "
		         "refuse an open with ACCESS: neither reading is sure");
		return DIAG_CONF_MEDIUM;
	default:
		snprintf(c->detail, sizeof(c->detail), "the log does not show a Linux host: on "
		         "Windows the same error means another program holds the %s", device);
		return DIAG_CONF_MEDIUM;
	}
}

int chk_open_access(struct diag_ctx *c)
{
	bool open = false;
	if (dfu_refused_others_only(c))
		return 0;
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		if (node_denied_line(l))
			return DIAG_CONF_HIGH;
		open |= open_access_line(l);
	}
	return open ? access_by_host(c, "probe") : 0;
}

/* The other reading of an open refused with ACCESS (OpenOCD's, libjaylink's, dfu-util
 * 0.11+'s "Cannot open DFU device ... (LIBUSB_ERROR_ACCESS)"): high on Windows (the open is
 * exclusive), low where the log shows no Linux host, none on Linux. */
int chk_open_access_held(struct diag_ctx *c)
{
	bool open = false;
	if (dfu_refused_others_only(c))
		return 0;
	for (size_t i = 0; i < c->ev->n_log_lines && !open; i++) {
		if (node_denied_line(c->ev->log_lines[i]))
			return 0;
		open = open_access_line(c->ev->log_lines[i]);
	}
	if (!open)
		return 0;
	switch (log_os(c)) {
	case DIAG_HOST_WINDOWS:
		snprintf(c->detail, sizeof(c->detail), "the log is from Windows, where a WinUSB "
		         "device opens once: another program has it open");
		return DIAG_CONF_HIGH;
	case DIAG_HOST_LINUX:
	case DIAG_HOST_UNIX:
		return 0;
	default:
		return DIAG_CONF_LOW;
	}
}

/* Medium: a kernel driver and another program's claim answer alike (probe-busy below). Only
 * macOS (darwin_claim_interface: kIOReturnExclusiveAccess) and Windows (winusbx_claim_interface:
 * WinUSB's Initialize refused by the driver bound) answer a claim with ACCESS; Linux's
 * claim_interface never does (BUSY for a held interface), so a Linux log names no host. */
int chk_claim_held(struct diag_ctx *c)
{
	static const char *const os[] = { "", "", " on macOS", " on Windows", "" };
	snprintf(c->detail, sizeof(c->detail), "the device opened but its interface could not be "
	         "claimed%s: a driver (or another program) holds it", os[log_os(c)]);
	return DIAG_CONF_MEDIUM;
}

/* A tool that could not start because the dynamic loader did not find a library it was
 * linked against: macOS dyld's "Library not loaded: ..." + "Referenced from: .../dfu-util",
 * Linux ld.so's "openocd: error while loading shared libraries: libusb-1.0.so.0: ...",
 * Windows' "The code execution cannot proceed because libusb-1.0.dll was not found" in a
 * log that names the tool. Returns true when TOOL is the one that failed. */
static bool tool_cannot_start(const struct diag_ctx *c, const char *tool)
{
	const struct diag_evidence *ev = c->ev;
	for (size_t i = 0; i < ev->n_log_lines; i++) {
		const char *l = ev->log_lines[i];
		if (strstr(l, "error while loading shared libraries")) {
			const char *colon = strstr(l, ": error while loading");
			size_t n = strlen(tool);
			if (colon && colon - l >= (ptrdiff_t)n && strncmp(colon - n, tool, n) == 0)
				return true;
			continue;
		}
		if (strstr(l, "Library not loaded")) {
			for (size_t k = i + 1; k < ev->n_log_lines && k <= i + 2; k++) {
				const char *r = strstr(ev->log_lines[k], "Referenced from:");
				if (r && strstr(r, tool))
					return true;
			}
			continue;
		}
		if (strstr(l, "cannot proceed because") && strstr(l, ".dll was not found"))
			return chk_log_has(c, tool);
	}
	return false;
}

static int cannot_start_finding(struct diag_ctx *c, const char *tool)
{
	if (!tool_cannot_start(c, tool))
		return 0;
	snprintf(c->detail, sizeof(c->detail), "%s did not start: the system's loader did not "
	         "find a library it needs", tool);
	return DIAG_CONF_HIGH;
}

int chk_dfu_util_cannot_start(struct diag_ctx *c)
{
	return cannot_start_finding(c, "dfu-util");
}

int chk_openocd_cannot_start(struct diag_ctx *c)
{
	return cannot_start_finding(c, "openocd");
}

/* The CMSIS-DAP protocol version the probe's firmware reports ("CMSIS-DAP: FW Version =
 * 2.1.1"), as major*100+minor; -1 when the log does not show it. */
static int cmsis_dap_fw(const struct diag_ctx *c)
{
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *p = strstr(c->ev->log_lines[i], "CMSIS-DAP: FW Version = ");
		int major, minor;
		if (p && sscanf(p, "CMSIS-DAP: FW Version = %d.%d", &major, &minor) == 2)
			return major * 100 + minor;
	}
	return -1;
}

/* Firmware for CMSIS-DAP 2.1 and later (CMSIS 5.7+) answers DAP_Info capabilities in two
 * bytes, which OpenOCD before 0.12 rejects: it then says the probe has no SWD. The same words
 * from 0.12 are the probe's own. */
int chk_cmsis_dap_caps_too_old(struct diag_ctx *c)
{
	int fw = cmsis_dap_fw(c);
	if (c->ver_major != 0 || c->ver_minor < 0 || c->ver_minor >= 12 || fw < 201)
		return 0;
	snprintf(c->detail, sizeof(c->detail), "OpenOCD 0.%d with CMSIS-DAP firmware %d.%d: "
	         "capabilities of DAP 2.1+ need OpenOCD 0.12", c->ver_minor, fw / 100, fw % 100);
	return DIAG_CONF_HIGH;
}

/* A capabilities refusal ("CMSIS-DAP: JTAG not supported") the release reads right: HIGH
 * under a 0.12+ banner, which takes DAP 2.1's two-byte answer; MEDIUM otherwise (0.9-0.11
 * left the capabilities at 0 for it, or no banner says which release ran). */
int chk_cmsis_dap_caps_read(struct diag_ctx *c)
{
	if (c->ver_major > 0 || (c->ver_major == 0 && c->ver_minor >= 12))
		return DIAG_CONF_HIGH;
	return DIAG_CONF_MEDIUM;
}

/* The too-old second reading of the same line: none under a 0.12+ banner. */
int chk_cmsis_dap_caps_alt(struct diag_ctx *c)
{
	return chk_cmsis_dap_caps_read(c) == DIAG_CONF_HIGH ? 0 : DIAG_CONF_LOW;
}

/* The libusb error dfu-util 0.11+ names after "Cannot open DFU device %04x:%04x found on
 * devnum %i (%s)" (libusb_error_name), copied into NAME ("LIBUSB_ERROR_IO"); "" for 0.9-0.10's
 * line without it. Returns false when the log has no such line, or when the devices refused
 * are not the ones dfu-util found and used (dfu_refused_others_only). */
static bool dfu_open_error(const struct diag_ctx *c, char *name, size_t n)
{
	bool found = false;
	name[0] = '\0';
	if (dfu_refused_others_only(c))
		return false;
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = strstr(c->ev->log_lines[i], "Cannot open DFU device ");
		const char *e = l ? strstr(l, "(LIBUSB_ERROR_") : NULL;
		found |= l != NULL;
		if (e && name[0] == '\0')
			snprintf(name, n, "%.*s", (int)strcspn(e + 1, ")"), e + 1);
	}
	return found;
}

/* Whether dfu-util's refused open may be a driver (or, elsewhere, a permission) at all: 0.9-0.10's
 * bare line, or a named error that means it. An error libusb gives for something else (IO,
 * NO_DEVICE for a device that left, BUSY, OTHER) is no driver and no permission on any host
 * (linux_usbfs.c's get_usbfs_fd: ACCESS is the node's mode; windows_winusb.c: NOT_SUPPORTED
 * and NOT_FOUND are the driver), and the engine's "unknown" shows that line. */
static bool dfu_open_error_is(const struct diag_ctx *c, const char *const *names, size_t n)
{
	char name[40];
	if (!dfu_open_error(c, name, sizeof(name)))
		return false;
	if (name[0] == '\0')
		return true;
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/* dfu-util 0.10 and older print "Cannot open DFU device vid:pid" without libusb's reason;
 * the host says which one it is: Windows binds no WinUSB driver to an STM32 bootloader
 * (ST's DfuSe driver or none), Linux denies the node without a udev rule. */
int chk_dfu_open_windows(struct diag_ctx *c)
{
	/* dfu-util 0.11+ names libusb's error: ACCESS on Windows is a handle another program
	 * holds (probe-busy-windows-access), not a missing driver; only NOT_SUPPORTED and
	 * NOT_FOUND are the driver's. */
	static const char *const driver[] = { "LIBUSB_ERROR_NOT_SUPPORTED", "LIBUSB_ERROR_NOT_FOUND" };
	if (log_os(c) != DIAG_HOST_WINDOWS || !dfu_open_error_is(c, driver, 2))
		return 0;
	snprintf(c->detail, sizeof(c->detail), "the log is from Windows: dfu-util found the "
	         "bootloader and could not open it with the driver bound to it");
	return DIAG_CONF_HIGH;
}

/* dfu-util -v prints the bootloader's memory map ("Memory segment at 0x08000000  19 x 2048 =
 * 38912 (r)") before "Downloading element to address = 0x08000000, size = 35724" (0.9:
 * "Downloading to address = ..."). A write that starts in a segment without 'w' is refused
 * by the bootloader, whatever dfu-util printed after it (a paste may stop mid-line). */
struct ro_write {
	unsigned long addr;  /* where the download starts */
	unsigned long start; /* the read-only segment it starts in */
	unsigned long end;   /* last byte of it */
	char flags[8];       /* the segment's flags, "r" */
};

/* Fills RO when the log's download starts in a segment of the map without 'w'. */
static bool readonly_write(const struct diag_evidence *ev, struct ro_write *ro)
{
	unsigned long size;
	bool have = false;
	for (size_t i = 0; i < ev->n_log_lines; i++) {
		const char *p = strstr(ev->log_lines[i], "to address = 0x");
		if (p && sscanf(p, "to address = 0x%lx, size = %lu", &ro->addr, &size) == 2)
			have = true;
	}
	if (!have)
		return false;
	for (size_t i = 0; i < ev->n_log_lines; i++) {
		unsigned long start, n, len;
		const char *p = strstr(ev->log_lines[i], "Memory segment at 0x");
		if (!p || sscanf(p, "Memory segment at 0x%lx %lu x %lu = %*u (%7[a-z])", &start, &n,
		                 &len, ro->flags) != 4)
			continue;
		if (ro->addr < start || ro->addr >= start + n * len || strchr(ro->flags, 'w'))
			continue;
		ro->start = start;
		ro->end = start + n * len - 1;
		return true;
	}
	return false;
}

int chk_dfu_readonly_pages(struct diag_ctx *c)
{
	struct ro_write ro;
	if (!readonly_write(c->ev, &ro))
		return 0;
	snprintf(c->detail, sizeof(c->detail), "the write starts at 0x%08lx, in pages the "
	         "bootloader marks '%s' (0x%08lx-0x%08lx): not writable", ro.addr, ro.flags,
	         ro.start, ro.end);
	return DIAG_CONF_LOW;
}

int chk_dfu_open_permission(struct diag_ctx *c)
{
	static const char *const access[] = { "LIBUSB_ERROR_ACCESS" };
	if (!dfu_open_error_is(c, access, 1))
		return 0;
	if (refused_as_root(c))
		return DIAG_CONF_MEDIUM;
	switch (log_os(c)) {
	case DIAG_HOST_LINUX:
		/* Linux binds no driver to a DFU interface that libusb must displace: a
		 * bootloader listed and then not opened is the device node's permission. */
		snprintf(c->detail, sizeof(c->detail), "the log is from Linux: dfu-util found the "
		         "bootloader and may not open it");
		return DIAG_CONF_HIGH;
	case DIAG_HOST_UNKNOWN:
		/* Linux is the likelier host; the Windows driver reading stays below it. */
		snprintf(c->detail, sizeof(c->detail), "the log does not show its host: on Linux "
		         "this is a missing udev rule, on Windows a missing WinUSB driver");
		return DIAG_CONF_MEDIUM;
	case DIAG_HOST_UNIX:
		/* Not Windows, so not its driver; Linux's permission or a Mac's refusal. */
		snprintf(c->detail, sizeof(c->detail), "the log is from a Unix host, not Windows: "
		         "on Linux this is a missing udev rule");
		return DIAG_CONF_MEDIUM;
	default:
		return 0;
	}
}

/* Low with no host shown; 0 on Linux, where the permission row reads it at high, on a Unix
 * host (no Windows driver there), and on Windows, where dfu-cannot-open-windows does. */
int chk_dfu_open_driver_alt(struct diag_ctx *c)
{
	enum diag_host os = log_os(c);
	return os == DIAG_HOST_WINDOWS || os == DIAG_HOST_LINUX || os == DIAG_HOST_UNIX
	               ? 0
	               : DIAG_CONF_LOW;
}

/* A line that quotes the suffix warning as a failure: another tool's error in front of
 * dfu-util's words ("X failed: dfu-util: Invalid DFU suffix signature"). */
static bool suffix_quoted_as_failure(const char *l)
{
	const char *suffix = strstr(l, "DFU suffix");
	if (!suffix)
		return false;
	const char *tool = strstr(l, "dfu-util");
	size_t n = (size_t)((tool && tool < suffix ? tool : suffix) - l);
	static const char *const words[] = { "rror", "ailed" };
	for (size_t k = 0; k < 2; k++) {
		const char *w = strstr(l, words[k]);
		if (w && (size_t)(w - l) < n)
			return true;
	}
	return false;
}

/* The percentage of dfu-util's last progress bar ("Download\t[=====    ]  42%  1024 bytes",
 * dfu-util's dfu_progress_bar) is below 100. */
static bool transfer_stopped(const struct diag_evidence *ev)
{
	static const char *const kinds[] = { "Download", "Upload", "Erase" };
	int last = -1;
	for (size_t i = 0; i < ev->n_log_lines; i++) {
		const char *l = ev->log_lines[i], *bar;
		int pct;
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (strncmp(l, kinds[k], strlen(kinds[k])) == 0 && (bar = strchr(l, ']')) &&
			    sscanf(bar + 1, " %d%%", &pct) == 1)
				last = pct;
	}
	return last >= 0 && last < 100;
}

/* The suffix warning is the whole story when the download then went through and nothing
 * else failed: high then; medium when nothing else failed but the log stops before saying
 * whether the download went through (a paste of the warning alone); low when another line
 * failed (another row, or "unknown" with its line, says what went wrong). No finding when a
 * transfer's bar stops short of 100 % (a paste cut mid-transfer), nor when a
 * tool quotes the warning itself as its failure: then it was not harmless, and the engine's
 * "unknown" shows that line. */
int chk_dfu_suffix_alone(struct diag_ctx *c)
{
	/* "age at 0x": dfuse.c's refusals ("Last page at 0x%08x is not writeable", "Page at
	 * 0x%08x can not be erased"), even when a cut paste keeps only their start */
	static const char *const words[] = { "rror", "annot", "ailed", "No DFU", "nvalid",
		                             "not writeable", "age at 0x", "No such", "Wrong state",
		                             "stuck", "not correctly executed" };
	bool done = false;
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		if (suffix_quoted_as_failure(l))
			return 0;
	}
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *l = c->ev->log_lines[i];
		if (strstr(l, "File downloaded successfully") || strstr(l, "Download done"))
			done = true;
		/* the warning's own words, dfu_status_to_string(DFU_STATUS_OK), and a build
		 * tool's summary, which says only that a step failed */
		if (strstr(l, "DFU suffix") || strstr(l, "No error condition is present") ||
		    diag_wraps_failure(l))
			continue;
		for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++)
			if (strstr(l, words[k]))
				return DIAG_CONF_LOW;
	}
	if (done)
		return DIAG_CONF_HIGH;
	/* A transfer whose bar stops short of 100 % did not get through: the warning is not
	 * the story, and the lines that would say why are not in the paste. */
	if (transfer_stopped(c->ev))
		return 0;
	/* A download into pages the map marks read-only fails whatever was printed after it
	 * (a cut paste may stop mid-line): then the warning is not the story. */
	struct ro_write ro;
	return readonly_write(c->ev, &ro) ? DIAG_CONF_LOW : DIAG_CONF_MEDIUM;
}

/* "unable to find a matching CMSIS-DAP device": absent, or (0.11+) a probe OpenOCD could
 * not open to read its name, which it logs at debug level only: on Linux the permission,
 * on Windows a bulk interface without WinUSB. macOS needs neither: high there; medium
 * elsewhere, with the host's other reading below it. */
int chk_cmsis_dap_not_found(struct diag_ctx *c)
{
	if (log_os(c) == DIAG_HOST_MACOS)
		return DIAG_CONF_HIGH;
	snprintf(c->detail, sizeof(c->detail), "%s", log_os(c) == DIAG_HOST_WINDOWS
	         ? "on Windows a CMSIS-DAP with no WinUSB driver bound reads the same"
	         : "a CMSIS-DAP this user may not open reads the same (its open is logged at "
	           "debug level only)");
	return DIAG_CONF_MEDIUM;
}

int chk_cmsis_dap_unopened_alt(struct diag_ctx *c)
{
	enum diag_host os = log_os(c);
	return os == DIAG_HOST_LINUX || os == DIAG_HOST_UNIX || os == DIAG_HOST_UNKNOWN
	               ? DIAG_CONF_LOW
	               : 0;
}

int chk_cmsis_dap_no_winusb_alt(struct diag_ctx *c)
{
	return log_os(c) == DIAG_HOST_WINDOWS ? DIAG_CONF_LOW : 0;
}

/* Before 0.11 only the HID backend existed. */
int chk_cmsis_dap_v2_too_old_alt(struct diag_ctx *c)
{
	if (c->ver_major != 0 || c->ver_minor < 0 || c->ver_minor >= 11)
		return 0;
	snprintf(c->detail, sizeof(c->detail), "OpenOCD 0.%d has no CMSIS-DAP v2 (bulk) backend; "
	         "it came with 0.11", c->ver_minor);
	return DIAG_CONF_LOW;
}

/* ST-LINK PIDs by the release that first lists them (stlink_usb.c's STLINK_*_PID and the
 * interface configs): 0x374e/0x374f/0x3753 (V3) and 0x3752 (V2-1 without mass storage) in
 * 0.11, 0x3754 (V3E without it) in 0.12. An older release finds no ST-LINK of those and
 * says only "open failed". */
static const struct { unsigned pid; int minor; } stlink_pids[] = {
	{ 0x3744, 9 }, { 0x3748, 9 }, { 0x374b, 9 }, { 0x3752, 11 }, { 0x374d, 11 },
	{ 0x374e, 11 }, { 0x374f, 11 }, { 0x3753, 11 }, { 0x3754, 12 },
};

/* The release that first knows the ST-LINK a pasted 'lsusb' line lists ("Bus 001 Device
 * 007: ID 0483:374e STMicroelectronics STLINK-V3"), copying its PID to PID; -1 when none is
 * listed (the newest such release when several are). */
static int listed_stlink_minor(const struct diag_ctx *c, unsigned *pid)
{
	int newest = -1;
	for (size_t i = 0; i < c->ev->n_log_lines; i++) {
		const char *p = strstr(c->ev->log_lines[i], "ID 0483:");
		unsigned id;
		if (!p || sscanf(p, "ID 0483:%4x", &id) != 1)
			continue;
		for (size_t k = 0; k < sizeof(stlink_pids) / sizeof(stlink_pids[0]); k++)
			if (stlink_pids[k].pid == id && stlink_pids[k].minor > newest) {
				newest = stlink_pids[k].minor;
				*pid = id;
			}
	}
	return newest;
}

/* "open failed" (nothing matched): high under a 0.12 banner, which knows every ST-LINK;
 * medium when the banner is older or absent, since the probe may be one that release does
 * not know (too-old-stlink-pid). A listed ST-LINK of a known id does not change it: the
 * config may name another ST-LINK's VID:PID (stlink-v2.cfg for a V2-1), or another serial. */
int chk_stlink_open_failed(struct diag_ctx *c)
{
	if (c->ver_major > 0 || (c->ver_major == 0 && c->ver_minor >= 12))
		return DIAG_CONF_HIGH;
	return DIAG_CONF_MEDIUM;
}

/* The release reading of the same line: high when the bus lists an ST-LINK the banner's
 * release does not know; low when the banner is older than 0.12 or absent. */
int chk_too_old_stlink_pid(struct diag_ctx *c)
{
	if (c->ver_major > 0 || (c->ver_major == 0 && c->ver_minor >= 12))
		return 0;
	unsigned pid = 0;
	int listed = listed_stlink_minor(c, &pid);
	if (listed >= 0 && c->ver_minor >= 0 && listed > c->ver_minor) {
		snprintf(c->detail, sizeof(c->detail), "OpenOCD 0.%d does not know the ST-LINK "
		         "0483:%04x on the bus (known from 0.%d)", c->ver_minor, pid, listed);
		return DIAG_CONF_HIGH;
	}
	if (c->ver_minor == 11)
		snprintf(c->detail, sizeof(c->detail), "OpenOCD 0.11 does not know the STLINK-V3E "
		         "without mass storage (0483:3754)");
	else if (c->ver_minor >= 0)
		snprintf(c->detail, sizeof(c->detail), "OpenOCD 0.%d knows no STLINK-V3 "
		         "(0483:374e/374f/3753) and no V2-1 without mass storage (0483:3752)",
		         c->ver_minor);
	else
		snprintf(c->detail, sizeof(c->detail), "the log shows no version: OpenOCD before "
		         "0.11 knows no STLINK-V3");
	return DIAG_CONF_LOW;
}

/* dfu-util 0.11+'s "Cannot open DFU device ... (LIBUSB_ERROR_ACCESS)": the node's permission
 * on Linux (high), another program's handle on Windows (none here: probe-busy-windows-access
 * reads it), either with no host shown (medium). */
int chk_dfu_open_access(struct diag_ctx *c)
{
	if (dfu_refused_others_only(c))
		return 0;
	return access_by_host(c, "bootloader");
}
