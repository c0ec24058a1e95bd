/* diag host markers: what a pasted log shows of the host it came from (diag_log_host,
 * host.h). Each marker is a fact of one system (a path form, a prompt, a device node, a tool
 * or a libusb answer only that system gives), cited where it is read; the host-side checks
 * (host.c) read the host before they judge a USB or dfu-util line.
 *
 * Owns: nothing. Reads log lines only.
 * Must not: print, decide a finding, or read the caller's operation (host.c does).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "diag/host.h"

static bool has_any(const char *line, const char *const *marks, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(line, marks[i]))
			return true;
	return false;
}

#define HAS_ANY(line, marks) has_any(line, marks, sizeof(marks) / sizeof(marks[0]))

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* A drive letter that starts a word, then ":\" or ":/" and a name: "C:\tools", and
 * "C:/Users/..." as Go, CMake, Python's pathlib and Windows builds of OpenOCD print a path
 * with forward slashes ("http://" is no drive: its letter ends a word; "x://" is a URL). */
static bool drive_path(const char *line)
{
	for (const char *p = strchr(line, ':'); p; p = strchr(p + 1, ':')) {
		if (p == line || !isalpha((unsigned char)p[-1]) ||
		    (p - 1 > line && (isalnum((unsigned char)p[-2]) || p[-2] == '_')))
			continue;
		if (p[1] == '\\' || (p[1] == '/' && name_char(p[2])))
			return true;
	}
	return false;
}

/* A relative path in Windows' separator: names joined by two or more backslashes, the last
 * with an extension (".pio\build\env\firmware.elf": PlatformIO and other Python tools join
 * paths with os.sep, which is "\" on Windows alone; a Unix file name with backslashes is
 * legal but nobody's build output), or one backslash before an OpenOCD script
 * ("-f board\stm32f4discovery.cfg": Windows' OpenOCD opens it, a Unix shell eats the
 * backslash). */
static bool backslash_path(const char *line)
{
	const char *p = line;
	while (*p) {
		int seps = 0;
		bool dot = false;
		const char *q = p;
		while (name_char(*q) || (*q == '\\' && q > p && name_char(q[-1]) && name_char(q[1]))) {
			if (*q == '\\') {
				seps++;
				dot = false;
			} else if (*q == '.' && q[-1] != '\\' && q[-1] != '.') {
				dot = true;
			}
			q++;
		}
		if ((seps >= 2 && dot) ||
		    (seps == 1 && q - p > 4 && (strncmp(q - 4, ".cfg", 4) == 0 ||
		                                strncmp(q - 4, ".tcl", 4) == 0)))
			return true;
		p = q > p ? q : p + 1;
	}
	return false;
}

/* MSYS2's and Git for Windows' shells mount drive C: at "/c/": "/c/Users/...", and MSYS2's
 * own tree is C:\msys64 (msys32 for its 32-bit installer). */
static bool msys_path(const char *line)
{
	static const char *const dirs[] = { "Users/", "msys", "Program Files" };
	if (strstr(line, "msys64/") || strstr(line, "msys32/"))
		return true;
	for (const char *p = strchr(line, '/'); p; p = strchr(p + 1, '/')) {
		if ((p > line && name_char(p[-1])) || !isalpha((unsigned char)p[1]) || p[2] != '/')
			continue;
		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
			if (strncmp(p + 3, dirs[i], strlen(dirs[i])) == 0)
				return true;
	}
	return false;
}

/* libusb's errors from an open that its Windows backend alone returns: windows_winusb.c
 * answers NOT_SUPPORTED for a device whose driver it cannot use (winusb_open's
 * CHECK_SUPPORTED_API: no WinUSB, libusbK, libusb0 or HID driver) and NOT_FOUND for a
 * composite device none of whose interfaces has one (composite_open); linux_usbfs.c's
 * op_open gives only ACCESS, NO_DEVICE or IO, darwin_usb.c's darwin_open NO_DEVICE or OTHER,
 * and a device that left the bus is NO_DEVICE on every backend. The
 * lines: OpenOCD's 'libusb_open() failed with %s' (libusb_helper.c), libjaylink's 'Failed to
 * open device: %s.', CMSIS-DAP's 'could not open device 0x%04x:0x%04x: %s' (libusb_strerror's
 * words, cmsis_dap_usb_bulk.c), dfu-util's 'Cannot open DFU device %04x:%04x found on devnum
 * %i (%s)'. A claim: NOT_SUPPORTED from libusb_claim_interface is Windows' too (Linux's
 * claim_interface maps errno to NOT_FOUND, BUSY, NO_DEVICE or OTHER; darwin's never says it
 * unless the caller asked libusb to detach kernel drivers, which mpsse.c and
 * cmsis_dap_usb_bulk.c do not). A claim's NOT_FOUND is every backend's (no such
 * interface). */
static bool windows_libusb_line(const char *line)
{
	static const char *const opens[] = { "libusb_open() failed with", "Failed to open device: ",
		                             "could not open device 0x", "Cannot open DFU device " };
	static const char *const errs[] = { "LIBUSB_ERROR_NOT_SUPPORTED", "LIBUSB_ERROR_NOT_FOUND",
		                            "Operation not supported or unimplemented",
		                            "Entity not found" };
	static const char *const claims[] = {
		"libusb_claim_interface() failed with LIBUSB_ERROR_NOT_SUPPORTED",
		"could not claim interface: Operation not supported"
	};
	return (HAS_ANY(line, opens) && HAS_ANY(line, errs)) || HAS_ANY(line, claims);
}

/* True when LINE shows Windows: a drive path (drive_path), a PowerShell prompt, an .exe, the
 * "libusb1 <hash>" banner line of the Windows builds, a Cygwin, MSYS2 or Git Bash prompt or
 * path, a relative path in backslashes, cmd.exe's words for a command it does not know (in
 * English, French and German, and as users translate the German), a Windows device path
 * ("USB\VID_0483&PID_3748", "\\?\usb#vid_..."), or a libusb error only Windows gives. */
static bool windows_line(const char *line)
{
	static const char *const marks[] = {
		".exe", ".EXE", "/cygdrive/", " MINGW64 ", " MINGW32 ", "USB\\VID_", "\\\\?\\",
		"is not recognized as an internal or external command",
		"n'est pas reconnu en tant que commande interne",
		"ist entweder falsch geschrieben oder konnte nicht gefunden werden",
		"\" is either written",
	};
	return drive_path(line) || strncmp(line, "PS ", 3) == 0 || strncmp(line, "libusb1 ", 8) == 0 ||
	       HAS_ANY(line, marks) || msys_path(line) || backslash_path(line) ||
	       windows_libusb_line(line);
}

/* A DFU-capable Apple device as dfu-util lists it ("Found Runtime: [05ac:8290] ..." or
 * "ID 05ac:8218" under, or pasted on one line with, "Opening DFU capable USB device..."):
 * 05ac:82xx are the Bluetooth host controllers built into Macs, which carry a DFU run-time
 * interface (lsusb's "ID 05ac:..." of an Apple keyboard on any host is no such line). */
static bool apple_dfu_line(const char *line)
{
	return (strstr(line, "Found ") && strstr(line, ": [05ac:82")) ||
	       strncmp(line, "ID 05ac:82", 10) == 0 ||
	       (strstr(line, "Opening DFU capable USB device") && strstr(line, " ID 05ac:82"));
}

/* DIR ("/Users/") at the start of a word: a path in that system folder, not a folder of that
 * name inside another tree (WSL's "/mnt/c/Users/" is Windows' home folder seen from Linux). */
static bool dir_at_word(const char *line, const char *dir)
{
	for (const char *p = strstr(line, dir); p; p = strstr(p + 1, dir))
		if (p == line || strchr(" \t'\"=(:", p[-1]))
			return true;
	return false;
}

/* macOS: its own folders at the start of a path (dir_at_word: home folders, apps, mounted
 * volumes, the per-user temporary folder under /var/folders), Homebrew's prefixes
 * (/opt/homebrew on Apple silicon, /usr/local/Cellar and /usr/local/opt on Intel;
 * Linuxbrew's is /home/linuxbrew), kernel-extension tools,
 * dyld's messages, dylibs, and what libusb's darwin backend alone says: its capture warning,
 * and ACCESS from libusb_detach_kernel_driver (darwin_detach_kernel_driver without root or
 * the entitlement; Linux's op_detach_kernel_driver never answers ACCESS, Windows has none
 * and answers NOT_SUPPORTED, which mpsse.c does not print). */
static bool macos_line(const char *line)
{
	static const char *const dirs[] = { "/Users/", "/Applications/", "/Volumes/",
		                            "/var/folders/", "/opt/homebrew/",
		                            "/usr/local/Cellar/", "/usr/local/opt/" };
	static const char *const marks[] = {
		"Darwin Kernel", "kextunload", "kextutil",
		"kextstat", "com.apple.", ".dylib", "dyld: ", "dyld[", "Mac OS X", "macOS ",
		"USB device capture requires",
		"detach_kernel_driver() failed with LIBUSB_ERROR_ACCESS",
	};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (dir_at_word(line, dirs[i]))
			return true;
	return HAS_ANY(line, marks) || apple_dfu_line(line);
}

/* Bash's default prompt as Debian's /etc/skel/.bashrc (and Ubuntu's, Raspberry Pi OS's)
 * sets it, '\u@\h:\w\$ ' ("pi@raspberrypi:~ $ ", "user@box:/work$ "), and as Fedora's
 * /etc/bashrc sets it, '[\u@\h \W]\$ '. macOS's bash prompt is '\h:\W \u\$ ' and its zsh's
 * '%n@%m %1~ %# ', Git Bash's puts "MINGW64" after the host: none has "user@host:". */
static bool linux_prompt(const char *line)
{
	bool fedora = line[0] == '[';
	const char *p = line + fedora, *q = p;
	while (name_char(*q))
		q++;
	if (q == p || *q++ != '@' || !name_char(*q))
		return false;
	while (name_char(*q))
		q++;
	if (fedora) {
		q = *q == ' ' ? strchr(q, ']') : NULL;
		return q && (q[1] == '$' || q[1] == '#') && q[2] == ' ';
	}
	if (q[0] != ':' || (q[1] != '~' && q[1] != '/'))
		return false;
	q += strcspn(q, " $#");
	q += *q == ' ';
	return (*q == '$' || *q == '#') && (q[1] == ' ' || q[1] == '\0');
}

/* Linux: udev and its device nodes and links, sysfs, the GPIO adapters OpenOCD builds only
 * there (configure.ac refuses linuxgpiod and sysfsgpio elsewhere; bcm2835gpio maps
 * /dev/gpiomem, a Raspberry Pi kernel's node), libusb's linux_usbfs.c's own complaint, the
 * dynamic loaders' words (glibc's ld.so "error while loading shared libraries", musl's
 * "Error loading shared library"; macOS's dyld says "Library not loaded"), the sudo prompt
 * Linux distributions build in (--with-passprompt="[sudo] password for %p: " in Debian's,
 * Arch's, NixOS's and Yocto's packages; sudo's own default and macOS's is "Password:"),
 * and the distributions' default bash prompts (linux_prompt). */
static bool linux_line(const char *line)
{
	static const char *const marks[] = {
		"/home/", "/dev/bus/usb", "/dev/ttyACM", "/dev/ttyUSB", "/dev/hidraw",
		"/dev/serial/by-", "/dev/gpiomem", "/sys/class/", "/etc/udev", "udevadm",
		"/usr/share/openocd", "(Linux)", "plugdev", "bcm2835gpio", "BCM2835 GPIO", "linuxgpiod",
		"sysfsgpio",
		"libusb requires write access to USB device nodes",
		"error while loading shared libraries", "Error loading shared library ",
		"[sudo] password for ",
	};
	return HAS_ANY(line, marks) || linux_prompt(line);
}

/* zsh's default prompt for a user, "%n@%m %1~ %# " ("dev@mbp fw % cmd"). */
static bool zsh_prompt(const char *line)
{
	const char *at = strchr(line, '@'), *sp = strchr(line, ' ');
	if (!at || !sp || at > sp || at == line || !name_char(at[1]))
		return false;
	for (const char *p = line; p < sp; p++)
		if (p != at && !name_char(*p))
			return false;
	const char *dir = sp + 1, *end = strchr(dir, ' ');
	return end && end > dir && end[1] == '%' && end[2] == ' ';
}

/* A host that is not Windows, without saying which: a command run under sudo (no Windows
 * before 11 24H2 has one, and none of the logs' Windows tools ask for it), an absolute path
 * in a Unix system folder at the start of a word, zsh's prompt (its default for a user,
 * "host% ", and macOS's "%n@%m %1~ %# ": "dev@mbp fw % "; zsh is macOS's login shell since
 * 10.15 and a choice on Linux, so it says Unix, not which), PlatformIO's build folder
 * joined with "/" (".pio/build/env/firmware.elf", 3.x ".pioenvs/env/": PlatformIO and its
 * SCons join paths with os.sep, which is "\" on Windows, as backslash_path reads). Read
 * after the Windows markers: MSYS2's and Cygwin's shells have /usr, /tmp and /etc too. A
 * bare "$ " prompt is not one: Git Bash on Windows prints it. */
static bool unix_line(const char *line)
{
	static const char *const dirs[] = { "/usr/", "/opt/", "/etc/", "/tmp/", "/root/",
		                            "/var/", "/bin/", "/sbin/" };
	if (strncmp(line, "sudo ", 5) == 0 || strstr(line, "$ sudo ") || strstr(line, "# sudo ") ||
	    (line[0] == '%' && line[1] == ' ' && (isalpha((unsigned char)line[2]) ||
	                                          strchr("./~", line[2]))) ||
	    zsh_prompt(line) || strstr(line, ".pio/build/") || strstr(line, ".pioenvs/"))
		return true;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (dir_at_word(line, dirs[i]))
			return true;
	return false;
}

/* The host the log came from, read from what the paste shows of it (the *_line markers
 * above, each a fact of one system). The same libusb error means another cause on each (a
 * missing udev rule on Linux, another program's handle or a driver on Windows), so the
 * host-side rows read this before they judge. Windows first: a drive path is unambiguous,
 * a "/home/" may be MSYS2's; macOS over Linux, whose "/home/" a Mac's container may show;
 * either over a Unix host that does not say which. A log that shows none of these is
 * DIAG_HOST_UNKNOWN: the rows then stay less sure. */
enum diag_host diag_log_host(const struct diag_evidence *ev)
{
	bool mac = false, lin = false, unx = false;
	for (size_t i = 0; i < ev->n_log_lines; i++) {
		const char *l = ev->log_lines[i];
		if (windows_line(l))
			return DIAG_HOST_WINDOWS;
		mac |= macos_line(l);
		lin |= linux_line(l);
		unx |= unix_line(l);
	}
	return mac ? DIAG_HOST_MACOS : lin ? DIAG_HOST_LINUX : unx ? DIAG_HOST_UNIX
	                                                        : DIAG_HOST_UNKNOWN;
}

const char *diag_host_name(enum diag_host host)
{
	static const char *const names[] = { "unknown", "linux", "macos", "windows", "unix" };
	return (size_t)host < sizeof(names) / sizeof(names[0]) ? names[host] : "unknown";
}
