/* Unit tests for the host side of diagnosis: the same USB or dfu-util words read by the host
 * they came from, and the first cause over its cascade (a device found and not opened is
 * never "no device"). Each log is built from the messages OpenOCD and dfu-util print (the rule
 * that reads it cites the source); the host shows only through what a paste carries of it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag/diag.h"
#include "diag/host.h"
#include "diag/paste.h"

/* The top finding of LOG read as a pasted log, its confidence and its first evidence line
 * (copied into LINE, "" when it has none). */
static enum diag_id top_of(const char *log, enum diag_confidence *conf, char *line, size_t n)
{
	struct diag_report *r = diag_classify_log(log);
	assert_non_null(r);
	assert_true(r->n >= 1);
	enum diag_id id = r->findings[0].id;
	if (conf)
		*conf = r->findings[0].confidence;
	if (line)
		snprintf(line, n, "%s", r->findings[0].n_evidence ? r->findings[0].evidence[0] : "");
	diag_report_free(r);
	return id;
}

/* The top finding of HEAD followed by TAIL: the same failure under another host's or
 * version's first lines. */
static enum diag_id top_after(const char *head, const char *tail, enum diag_confidence *conf)
{
	char log[512];
	snprintf(log, sizeof(log), "%s%s", head, tail);
	return top_of(log, conf, NULL, 0);
}

/* "Cannot open DFU device" then "No DFU capable USB device available": the bootloader was
 * there. Windows: the driver; Linux: the permission; neither shown: permission, less sure. */
static void test_dfu_cannot_open_by_host(void **state)
{
	(void)state;
	static const char tail[] = "Cannot open DFU device 0483:df11\n"
	                           "No DFU capable USB device available\n";
	enum diag_confidence conf;

	assert_int_equal(top_after("user@PC /cygdrive/c/work/blink\n$ make program-dfu\n", tail, &conf), DIAG_PROBE_DRIVER_MISSING);
	assert_int_equal(conf, DIAG_CONF_HIGH);

	assert_int_equal(top_after("C:\\tools\\dfu-util.exe -a 0 -D fw.bin\n", tail, NULL), DIAG_PROBE_DRIVER_MISSING);

	/* Linux binds no driver a DFU interface must be taken from: the permission, high. */
	assert_int_equal(top_after("user@box:/home/user/fw$ dfu-util -a 0 -D fw.bin\n", tail, &conf), DIAG_USB_PERMISSION);
	assert_int_equal(conf, DIAG_CONF_HIGH);

	/* No host shown: the likelier reading (Linux) at medium, Windows' driver below it. */
	assert_int_equal(top_of(tail, &conf, NULL, 0), DIAG_USB_PERMISSION);
	assert_int_equal(conf, DIAG_CONF_MEDIUM);

	/* dfu-util 0.11+ names libusb's error: ACCESS is the permission on Linux, another
	 * program's handle on Windows (WinUSB opens once), the permission at medium when no
	 * host shows. */
	static const char access[] = "dfu-util: Cannot open DFU device 2341:0366 found on devnum "
	                             "24 (LIBUSB_ERROR_ACCESS)\n"
	                             "dfu-util: No DFU capable USB device available\n";
	assert_int_equal(top_of(access, &conf, NULL, 0), DIAG_USB_PERMISSION);
	assert_int_equal(conf, DIAG_CONF_MEDIUM);
	assert_int_equal(top_after("user@box:/home/user/fw$ dfu-util -a 0 -D fw.bin\n", access,
	                           &conf), DIAG_USB_PERMISSION);
	assert_int_equal(conf, DIAG_CONF_HIGH);
	assert_int_equal(top_after("C:\\tools\\dfu-util.exe -a 0 -D fw.bin\n", access, &conf),
	                 DIAG_PROBE_BUSY);
	assert_int_equal(conf, DIAG_CONF_HIGH);

	/* Nothing found at all is still no device. */
	assert_int_equal(top_of("dfu-util: No DFU capable USB device available\n", NULL, NULL, 0),
	                 DIAG_PROBE_NOT_FOUND);
}

/* A CMSIS-DAP OpenOCD found and could not open is reported again as "unable to find a
 * matching CMSIS-DAP device" by the next backend: the open failure decides. */
static void test_cmsis_dap_open_over_not_found(void **state)
{
	(void)state;
	static const char log[] = "Error: unable to open CMSIS-DAP device 0x2341:0x60\n"
	                          "Error: unable to find a matching CMSIS-DAP device\n";
	assert_int_equal(top_of(log, NULL, NULL, 0), DIAG_USB_PERMISSION);
	assert_int_equal(top_of("Error: unable to find a matching CMSIS-DAP device\n", NULL, NULL, 0),
	                 DIAG_PROBE_NOT_FOUND);
}

/* ACCESS from libusb_open is a permission on Linux; from libusb_claim_interface, after the
 * open worked, a driver that holds the interface. */
static void test_claim_access_is_a_driver(void **state)
{
	(void)state;
	enum diag_confidence conf;
	assert_int_equal(top_of("Error: libusb_claim_interface() failed with LIBUSB_ERROR_ACCESS\n"
	                        "Error: unable to open ftdi device with vid 0403, pid 6010, "
	                        "description 'Dual RS232' and serial '*'\n",
	                        &conf, NULL, 0),
	                 DIAG_PROBE_DRIVER_MISSING);
	/* medium: on macOS another program's claim is refused alike (probe-busy below) */
	assert_int_equal(conf, DIAG_CONF_MEDIUM);
	assert_int_equal(top_of("user@box:/home/user/fw$ openocd -f interface/ftdi/flyswatter.cfg\n"
	                        "Error: libusb_open() failed with LIBUSB_ERROR_ACCESS\n"
	                        "Error: no device found\n"
	                        "Error: unable to open ftdi device with vid 15ba, pid 002a\n",
	                        &conf, NULL, 0),
	                 DIAG_USB_PERMISSION);
	assert_int_equal(conf, DIAG_CONF_HIGH);
}

/* A request dfu-util or the bootloader refused is "unknown" with its own line, above the
 * harmless suffix warning; a write into pages the memory map marks read-only is read from
 * the numbers even when the paste stops before the error line. */
static void test_dfu_refusal_is_unknown_with_its_line(void **state)
{
	(void)state;
	char line[160];
	enum diag_confidence conf;
	assert_int_equal(top_of("dfu-util: Warning: Invalid DFU suffix signature\n"
	                        "Downloading element to address = 0x90040000, size = 138352\n"
	                        "dfu-util: Last page at 0x90061c6f is not writeable\n",
	                        &conf, line, sizeof(line)),
	                 DIAG_UNKNOWN);
	assert_int_equal(conf, DIAG_CONF_LOW);
	assert_non_null(strstr(line, "is not writeable"));

	assert_int_equal(top_of("Run-time device DFU version 011a\n"
	                        "No such Alternate Setting: \"o\"\n",
	                        NULL, line, sizeof(line)),
	                 DIAG_UNKNOWN);
	assert_non_null(strstr(line, "No such Alternate Setting"));

	static const char cut[] = "dfu-util: Warning: Invalid DFU suffix signature\n"
	                          "Memory segment at 0x08000000  19 x 2048 = 38912 (r)\n"
	                          "Memory segment at 0x08009800 237 x 2048 = 485376 (rew)\n"
	                          "Downloading element to address = 0x08000000, size = 35724\n"
	                          "dfu-util: Last page a\n";
	assert_int_equal(top_of(cut, NULL, NULL, 0), DIAG_UNKNOWN);
	/* The same map with the write in the writable pages explains nothing. */
	static const char ok[] = "dfu-util: Warning: Invalid DFU suffix signature\n"
	                         "Memory segment at 0x08000000  19 x 2048 = 38912 (r)\n"
	                         "Memory segment at 0x08009800 237 x 2048 = 485376 (rew)\n"
	                         "Downloading element to address = 0x08009800, size = 35724\n";
	assert_int_equal(top_of(ok, NULL, NULL, 0), DIAG_DFU_SUFFIX_WARNING);
}

/* libjaylink words libusb's NOT_FOUND its own way; it is still a J-Link with no WinUSB
 * driver, and the line is Windows' whatever else the paste shows (libusb's Windows backend
 * alone answers NOT_FOUND from an open): the driver reading at high, never "not found". */
static void test_jaylink_not_found_on_windows(void **state)
{
	(void)state;
	static const char tail[] = "Warn : Failed to open device: LIBUSB_ERROR_NOT_FOUND.\n"
	                           "Error: No J-Link device found\n";
	enum diag_confidence conf;
	assert_int_equal(top_after("PS C:\\Users\\me> openocd -f interface/jlink.cfg\n", tail, &conf),
	                 DIAG_PROBE_DRIVER_MISSING);
	assert_int_equal(conf, DIAG_CONF_HIGH);
	assert_int_equal(top_of(tail, &conf, NULL, 0), DIAG_PROBE_DRIVER_MISSING);
	assert_int_equal(conf, DIAG_CONF_HIGH);
	assert_int_equal(top_of("Error: libusb_open() failed with LIBUSB_ERROR_NOT_FOUND\n", &conf,
	                        NULL, 0), DIAG_PROBE_DRIVER_MISSING);
	assert_int_equal(conf, DIAG_CONF_HIGH);
}

/* "SWD not supported" from OpenOCD 0.11 with CMSIS-DAP 2.1+ firmware is the OpenOCD (it
 * misreads two-byte capabilities); from 0.12, or with older firmware, it is not. */
static void test_cmsis_dap_caps_by_openocd_version(void **state)
{
	(void)state;
	static const char tail[] = "Info : CMSIS-DAP: FW Version = 2.1.1\n"
	                           "Error: CMSIS-DAP: SWD not supported\n"
	                           "Error: No Valid JTAG Interface Configured.\n";
	enum diag_confidence conf;
	assert_int_equal(top_after("Open On-Chip Debugger 0.11.0\n", tail, &conf), DIAG_OPENOCD_TOO_OLD);
	assert_int_equal(conf, DIAG_CONF_HIGH);
	assert_int_not_equal(top_after("Open On-Chip Debugger 0.12.0\n", tail, NULL), DIAG_OPENOCD_TOO_OLD);
	assert_int_not_equal(top_of("Open On-Chip Debugger 0.11.0\n"
	                            "Info : CMSIS-DAP: FW Version = 1.10\n"
	                            "Error: CMSIS-DAP: SWD not supported\n",
	                            NULL, NULL, 0),
	                     DIAG_OPENOCD_TOO_OLD);
}

/* A tool the loader could not start is as good as missing, and the loader's own words say
 * which tool it was, on each host. */
static void test_tool_that_cannot_start(void **state)
{
	(void)state;
	assert_int_equal(top_of("dyld[3956]: Library not loaded: '/usr/local/opt/libusb/lib/"
	                        "libusb-1.0.0.dylib'\n"
	                        "  Referenced from: '/Library/Toolchain/bin/dfu-util'\n"
	                        "  Reason: tried: '/usr/lib/libusb-1.0.0.dylib' (no such file)\n",
	                        NULL, NULL, 0),
	                 DIAG_DFU_UTIL_MISSING);
	assert_int_equal(top_of("openocd: error while loading shared libraries: libhidapi-hidraw.so.0: "
	                        "cannot open shared object file: No such file or directory\n",
	                        NULL, NULL, 0),
	                 DIAG_OPENOCD_MISSING);
	/* The loader's line names another program: neither tool is blamed. */
	static const char other[] = "gdb: error while loading shared libraries: libncursesw.so.5: "
	                            "cannot open shared object file: No such file or directory\n";
	assert_int_not_equal(top_of(other, NULL, NULL, 0), DIAG_OPENOCD_MISSING);
	assert_int_not_equal(top_of(other, NULL, NULL, 0), DIAG_DFU_UTIL_MISSING);
}

/* The host TEXT shows, read as diagnose reads a paste (cleaned first). */
static enum diag_host host_in(const char *text)
{
	char *clean = diag_paste_clean(text, strlen(text));
	struct diag_evidence ev;
	assert_non_null(clean);
	diag_evidence_init(&ev);
	assert_int_equal(diag_evidence_feed_log(&ev, clean, strlen(clean)), 0);
	enum diag_host host = diag_log_host(&ev);
	diag_evidence_release(&ev);
	free(clean);
	return host;
}

struct host_case {
	const char *line;
	enum diag_host host;
};

static void expect_hosts(const struct host_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		enum diag_host got = host_in(cases[i].line);
		if (got != cases[i].host)
			fail_msg("'%s': want %s, got %s", cases[i].line,
			         diag_host_name(cases[i].host), diag_host_name(got));
	}
}

#define EXPECT_HOSTS(cases) expect_hosts(cases, sizeof(cases) / sizeof(cases[0]))

/* Each line carries one marker of Windows (the others are not in it), so each fails alone
 * when its marker goes. */
static void test_windows_markers(void **state)
{
	(void)state;
	static const struct host_case cases[] = {
		/* drive paths, with either separator */
		/* PowerShell's prompt, a program's .exe, the Windows builds' libusb banner */
		{ "PS Env:\\> openocd -f board/x.cfg\n", DIAG_HOST_WINDOWS },
		{ "openocd.exe -f board/x.cfg\n", DIAG_HOST_WINDOWS },
		{ "OPENOCD.EXE -f board/x.cfg\n", DIAG_HOST_WINDOWS },
		{ "libusb1 09e75e98b4d9ea7909e8837b7a3f00dda4589dc3\n", DIAG_HOST_WINDOWS },
		{ "dev@LAPTOP MINGW32 ~/fw\n", DIAG_HOST_WINDOWS },
		{ "openocd -s C:\\tools\\openocd\\scripts -f board/x.cfg\n", DIAG_HOST_WINDOWS },
		{ "openocd -c \"program D:/work/blink/out.hex verify reset exit\"\n", DIAG_HOST_WINDOWS },
		{ "Info : script e:/fw/board.cfg\n", DIAG_HOST_WINDOWS },
		/* MSYS2 / Git Bash mounts and MSYS2's own tree */
		{ "cd /c/Users/dev/blink\n", DIAG_HOST_WINDOWS },
		{ "cd /E/Program Files/OpenOCD\n", DIAG_HOST_WINDOWS },
		{ "cd /d/msys/work\n", DIAG_HOST_WINDOWS },
		{ "export PATH=/opt/msys64/mingw64/bin\n", DIAG_HOST_WINDOWS },
		{ "cd work/msys32/src\n", DIAG_HOST_WINDOWS },
		{ "dev@LAPTOP MINGW64 ~/fw\n", DIAG_HOST_WINDOWS },
		/* a relative path joined with backslashes */
		{ "Uploading build\\nucleo\\firmware.elf\n", DIAG_HOST_WINDOWS },
		/* or one before an OpenOCD script */
		{ "openocd -f board\\st_nucleo_f4.cfg\n", DIAG_HOST_WINDOWS },
		{ "openocd -f tcl\\rp2040-core0.tcl\n", DIAG_HOST_WINDOWS },
		/* cmd.exe's not-found words, and their German as users translate them */
		{ "'openocd' is not recognized as an internal or external command,\n", DIAG_HOST_WINDOWS },
		{ "'openocd' n'est pas reconnu en tant que commande interne\n", DIAG_HOST_WINDOWS },
		{ "Der Befehl \"openocd\" ist entweder falsch geschrieben oder konnte nicht gefunden "
		  "werden.\n", DIAG_HOST_WINDOWS },
		{ "The command \"openocd\" is either written wrongly or could not be found.\n",
		  DIAG_HOST_WINDOWS },
		/* Windows' device ids */
		{ "Device USB\\VID_0483&PID_374B\\066DFF was not migrated\n", DIAG_HOST_WINDOWS },
		{ "libusb: debug [winusb_get_device_list] \\\\?\\usb#vid_0483&pid_374b#066d\n",
		  DIAG_HOST_WINDOWS },
		/* libusb's NOT_SUPPORTED from an open or a claim: its Windows backend alone */
		{ "Error: libusb_open() failed with LIBUSB_ERROR_NOT_SUPPORTED\n", DIAG_HOST_WINDOWS },
		{ "jaylink: Failed to open device: LIBUSB_ERROR_NOT_SUPPORTED.\n", DIAG_HOST_WINDOWS },
		{ "Debug: could not open device 0xc251:0xf001: Operation not supported or "
		  "unimplemented on this platform\n", DIAG_HOST_WINDOWS },
		{ "dfu-util: Cannot open DFU device 0483:df11 found on devnum 9 "
		  "(LIBUSB_ERROR_NOT_SUPPORTED)\n", DIAG_HOST_WINDOWS },
		/* and NOT_FOUND from an open (composite_open: no interface with a usable driver) */
		{ "Error: libusb_open() failed with LIBUSB_ERROR_NOT_FOUND\n", DIAG_HOST_WINDOWS },
		{ "Debug: could not open device 0x2e8a:0x000c: Entity not found\n", DIAG_HOST_WINDOWS },
		{ "Error: libusb_claim_interface() failed with LIBUSB_ERROR_NOT_SUPPORTED\n",
		  DIAG_HOST_WINDOWS },
		{ "Warn : could not claim interface: Operation not supported or unimplemented on "
		  "this platform\n", DIAG_HOST_WINDOWS },
	};
	EXPECT_HOSTS(cases);
}

/* What looks like a marker and is not one: a URL's scheme, a git remote, one backslash,
 * libusb's other errors, a claim's NOT_FOUND (Linux's and macOS's claims answer it too),
 * NOT_SUPPORTED from a call other than an open or claim, a bare "$ " prompt (Git Bash
 * prints it on Windows), and a Mac's folder name inside another tree (WSL's /mnt/c/Users). */
static void test_not_markers(void **state)
{
	(void)state;
	static const struct host_case cases[] = {
		{ "For bug reports, read\n\thttp://openocd.org/doc/doxygen/bugs.html\n", DIAG_HOST_UNKNOWN },
		{ "git clone git@github.com:dev/fw.git\n", DIAG_HOST_UNKNOWN },
		{ "echo done\\n\n", DIAG_HOST_UNKNOWN },
		{ "Warn : no file at build\\nucleo\n", DIAG_HOST_UNKNOWN },
		{ "Warn : no file at build\\nucleo.elf\n", DIAG_HOST_UNKNOWN },
		{ "% 100 done\n", DIAG_HOST_UNKNOWN },
		{ "Error: libusb_open() failed with LIBUSB_ERROR_ACCESS\n", DIAG_HOST_UNKNOWN },
		{ "dfu-util: Cannot claim interface 0: LIBUSB_ERROR_NOT_FOUND\n", DIAG_HOST_UNKNOWN },
		{ "Error: failed to reset FTDI device: LIBUSB_ERROR_NOT_SUPPORTED\n", DIAG_HOST_UNKNOWN },
		{ "$ openocd -f interface/stlink.cfg\n", DIAG_HOST_UNKNOWN },
		{ "Bus 001 Device 004: ID 05ac:024f Apple, Inc. Aluminium Keyboard\n", DIAG_HOST_UNKNOWN },
		{ "Found DFU: [05ac:1227] ver=0000, devnum=5, cfg=1, intf=0, alt=0\n", DIAG_HOST_UNKNOWN },
		{ "Info : Listening on port 3333 for gdb connections\n", DIAG_HOST_UNKNOWN },
		{ "see https://example.org/usr/share/doc\n", DIAG_HOST_UNKNOWN },
		/* WSL sees Windows' home folders under /mnt: no Mac's /Users */
		{ "cd /mnt/c/Users/dev/fw\n", DIAG_HOST_UNKNOWN },
		{ "openocd -f /mnt/d/Volumes/board.cfg\n", DIAG_HOST_UNKNOWN },
	};
	EXPECT_HOSTS(cases);
}

static void test_macos_markers(void **state)
{
	(void)state;
	static const struct host_case cases[] = {
		{ "openocd -f /Volumes/Work/fw/board.cfg\n", DIAG_HOST_MACOS },
		{ "openocd -f /Users/dev/fw/board.cfg\n", DIAG_HOST_MACOS },
		{ "open /Applications/STM32CubeIDE.app\n", DIAG_HOST_MACOS },
		{ "/opt/homebrew/bin/openocd -f board/x.cfg\n", DIAG_HOST_MACOS },
		{ "/usr/local/Cellar/open-ocd/0.12.0/bin/openocd\n", DIAG_HOST_MACOS },
		{ "Darwin Kernel Version 19.6.0\n", DIAG_HOST_MACOS },
		{ "sudo kextunload -b FTDIUSBSerialDriver\n", DIAG_HOST_MACOS },
		{ "kextutil -t FTDIUSBSerialDriver.kext\n", DIAG_HOST_MACOS },
		{ "driver com.apple.driver.AppleUSBFTDI loaded\n", DIAG_HOST_MACOS },
		{ "Library not loaded: libusb-1.0.0.dylib\n", DIAG_HOST_MACOS },
		{ "Mac OS X 10.11.6\n", DIAG_HOST_MACOS },
		{ "macOS 14.2 (23C64)\n", DIAG_HOST_MACOS },
		{ "program /var/folders/x1/q2w3/T/fw.elf verify\n", DIAG_HOST_MACOS },
		{ "openocd -s /usr/local/opt/open-ocd/share/openocd/scripts\n", DIAG_HOST_MACOS },
		{ "dyld: Library not loaded: @rpath/libusb\n", DIAG_HOST_MACOS },
		{ "dyld[812]: Library not loaded: @rpath/libhidapi\n", DIAG_HOST_MACOS },
		{ "kextstat | grep FTDI\n", DIAG_HOST_MACOS },
		{ "libusb: warning [darwin_detach_kernel_driver] USB device capture requires either "
		  "an entitlement or root privilege\n", DIAG_HOST_MACOS },
		{ "Warn : libusb_detach_kernel_driver() failed with LIBUSB_ERROR_ACCESS, trying to "
		  "continue anyway\n", DIAG_HOST_MACOS },
		{ "Found Runtime: [05ac:8233] ver=0100, devnum=3, cfg=1, intf=2, alt=0, "
		  "name=\"UNKNOWN\"\n", DIAG_HOST_MACOS },
		{ "Opening DFU capable USB device...\nID 05ac:8233\n", DIAG_HOST_MACOS },
		{ "Opening DFU capable USB device... ID 05ac:8233\n", DIAG_HOST_MACOS },
	};
	EXPECT_HOSTS(cases);
}

static void test_linux_markers(void **state)
{
	(void)state;
	static const struct host_case cases[] = {
		/* the distributions' default bash prompts */
		{ "dev@bench:~/fw$ openocd -f board/st_nucleo_f4.cfg\n", DIAG_HOST_LINUX },
		{ "pi@rpi4:~ $ make flash\n", DIAG_HOST_LINUX },
		{ "root@buildbox:/src# openocd -f board/x.cfg\n", DIAG_HOST_LINUX },
		{ "[dev@bench fw]$ openocd -f board/x.cfg\n", DIAG_HOST_LINUX },
		{ "[sudo] password for dev:\n", DIAG_HOST_LINUX },
		{ "cd /home/dev/fw\n", DIAG_HOST_LINUX },
		{ "Bus 001 Device 007 at /dev/bus/usb/001/007\n", DIAG_HOST_LINUX },
		{ "screen /dev/ttyACM0 115200\n", DIAG_HOST_LINUX },
		{ "screen /dev/ttyUSB1 115200\n", DIAG_HOST_LINUX },
		{ "crw------- 1 root root 241, 0 /dev/hidraw3\n", DIAG_HOST_LINUX },
		{ "cp 60-openocd.rules /etc/udev/rules.d/\n", DIAG_HOST_LINUX },
		{ "udevadm control --reload\n", DIAG_HOST_LINUX },
		{ "-s /usr/share/openocd/scripts\n", DIAG_HOST_LINUX },
		{ "Ubuntu 22.04 (Linux) x86_64\n", DIAG_HOST_LINUX },
		{ "usermod -aG plugdev dev\n", DIAG_HOST_LINUX },
		{ "Failed to flash to /dev/serial/by-id/usb-Arduino-if00\n", DIAG_HOST_LINUX },
		{ "Error: Cannot open /dev/gpiomem\n", DIAG_HOST_LINUX },
		{ "echo 17 > /sys/class/gpio/export\n", DIAG_HOST_LINUX },
		{ "Info : BCM2835 GPIO JTAG/SWD bitbang driver\n", DIAG_HOST_LINUX },
		{ "adapter driver bcm2835gpio\n", DIAG_HOST_LINUX },
		{ "adapter driver linuxgpiod\n", DIAG_HOST_LINUX },
		{ "interface sysfsgpio\n", DIAG_HOST_LINUX },
		{ "libusb: error [get_usbfs_fd] libusb requires write access to USB device nodes.\n",
		  DIAG_HOST_LINUX },
		{ "openocd: error while loading shared libraries: libjaylink.so.0: cannot open shared "
		  "object file: No such file or directory\n", DIAG_HOST_LINUX },
		{ "Error loading shared library libusb-1.0.so.0: No such file or directory (needed by "
		  "openocd)\n", DIAG_HOST_LINUX },
	};
	EXPECT_HOSTS(cases);
}

static void test_unix_markers(void **state)
{
	(void)state;
	static const struct host_case cases[] = {
		{ "sudo openocd -f interface/stlink.cfg\n", DIAG_HOST_UNIX },
		{ "$ sudo make flash\n", DIAG_HOST_UNIX },
		{ "# sudo make flash\n", DIAG_HOST_UNIX },
		{ "% openocd -f board/x.cfg\n", DIAG_HOST_UNIX },
		{ "% ./bin/openocd -f board/x.cfg\n", DIAG_HOST_UNIX },
		{ "dev@mbp fw % openocd -f board/x.cfg\n", DIAG_HOST_UNIX },
		{ "openocd -s /usr/local/share/openocd/scripts\n", DIAG_HOST_UNIX },
		{ "/opt/xpack/bin/openocd -f board/x.cfg\n", DIAG_HOST_UNIX },
		{ "program '/tmp/fw.elf' verify\n", DIAG_HOST_UNIX },
		{ "cp fw.bin /root/\n", DIAG_HOST_UNIX },
		{ "ls /sbin/ifconfig\n", DIAG_HOST_UNIX },
		{ "/bin/sh -c make\n", DIAG_HOST_UNIX },
		{ "cat /etc/os-release\n", DIAG_HOST_UNIX },
		{ "ls /var/log\n", DIAG_HOST_UNIX },
		{ "Uploading .pio/build/nucleo/firmware.elf\n", DIAG_HOST_UNIX },
		{ "Checking size .pioenvs/nucleo/firmware.elf\n", DIAG_HOST_UNIX },
	};
	EXPECT_HOSTS(cases);
}

/* Windows first (MSYS2 has /usr and /home too), then macOS (a Mac's container shows
 * Linux paths), then Linux, then a Unix host that does not say which. */
static void test_host_precedence(void **state)
{
	(void)state;
	static const struct host_case cases[] = {
		{ "cd /c/Users/dev/fw\n/usr/bin/make flash\n", DIAG_HOST_WINDOWS },
		{ "/home/dev/fw\nC:/tools/openocd.cfg\n", DIAG_HOST_WINDOWS },
		{ "/home/dev/fw\n/Volumes/Work/fw\n", DIAG_HOST_MACOS },
		{ "sudo make flash\ndev@bench:~/fw$ ls\n", DIAG_HOST_LINUX },
	};
	EXPECT_HOSTS(cases);
}

/* ACCESS from an open on a Unix host that does not say which is the permission at high:
 * macOS's libusb never refuses an open with ACCESS, so it is Linux's (or a BSD's) node;
 * never Windows' held handle. On macOS itself the reading stays medium. */
static void test_open_access_on_a_unix_host(void **state)
{
	(void)state;
	static const char tail[] = "Error: libusb_open() failed with LIBUSB_ERROR_ACCESS\n"
	                           "Error: open failed\n";
	enum diag_confidence conf;
	assert_int_equal(top_after("% openocd -f interface/stlink.cfg\n", tail, &conf),
	                 DIAG_USB_PERMISSION);
	assert_int_equal(conf, DIAG_CONF_HIGH);
	assert_int_equal(top_after("/opt/xpack/bin/openocd -f interface/stlink.cfg\n", tail, &conf),
	                 DIAG_USB_PERMISSION);
	assert_int_equal(conf, DIAG_CONF_HIGH);
	struct diag_report *r = diag_classify_log("sudo openocd -f interface/stlink.cfg\n"
	                                          "Error: libusb_open() failed with "
	                                          "LIBUSB_ERROR_ACCESS\n");
	assert_non_null(r);
	for (size_t i = 0; i < r->n; i++)
		assert_int_not_equal(r->findings[i].id, DIAG_PROBE_BUSY);
	diag_report_free(r);
	assert_int_equal(top_after("/Volumes/Work/openocd -f interface/stlink.cfg\n", tail, &conf),
	                 DIAG_USB_PERMISSION);
	assert_int_equal(conf, DIAG_CONF_MEDIUM);
	/* run as root and still refused: no udev rule stops root, so never high */
	assert_int_equal(top_after("dev@bench:~/fw$ sudo openocd -f interface/stlink.cfg\n", tail,
	                           &conf), DIAG_USB_PERMISSION);
	assert_int_equal(conf, DIAG_CONF_MEDIUM);
	assert_int_equal(top_after("dev@bench:~/fw$ sudo make flash\n", tail, &conf),
	                 DIAG_USB_PERMISSION);
	assert_int_equal(conf, DIAG_CONF_HIGH);
	/* the command sudo ran, not a file of the tool's it names */
	assert_int_equal(top_after("dev@bench:~/fw$ sudo cp 60-openocd.rules /etc/udev/rules.d/\n",
	                           tail, &conf), DIAG_USB_PERMISSION);
	assert_int_equal(conf, DIAG_CONF_HIGH);
	assert_int_equal(top_after("dev@bench:~/fw$ sudo -E /usr/local/bin/openocd -f x.cfg\n",
	                           tail, &conf), DIAG_USB_PERMISSION);
	assert_int_equal(conf, DIAG_CONF_MEDIUM);
	/* a shell's "Permission denied" for a file is no device node's: on Windows the open
	 * refused with ACCESS stays another program's handle */
	assert_int_equal(top_after("C:\\fw> openocd -f interface/stlink.cfg\n"
	                           "cp: cannot create regular file 'fw.bin': Permission denied\n",
	                           tail, &conf), DIAG_PROBE_BUSY);
	assert_int_equal(conf, DIAG_CONF_HIGH);
	assert_int_equal(top_after("crw-rw-r-- 1 root root 189, 7 /dev/bus/usb/001/008\n"
	                           "openocd: /dev/bus/usb/001/008: Permission denied\n", tail,
	                           &conf), DIAG_USB_PERMISSION);
	assert_int_equal(conf, DIAG_CONF_HIGH);
	/* dfu-util's refused open under sudo too: 0.9-0.10's bare line and 0.11+'s named one */
	static const char *const dfu[] = {
		"dfu-util: Cannot open DFU device 0483:df11\n",
		"dfu-util: Cannot open DFU device 0483:df11 found on devnum 9 (LIBUSB_ERROR_ACCESS)\n",
	};
	for (size_t i = 0; i < sizeof(dfu) / sizeof(dfu[0]); i++) {
		assert_int_equal(top_after("dev@bench:~/fw$ dfu-util -a 0 -D fw.bin\n", dfu[i], &conf),
		                 DIAG_USB_PERMISSION);
		assert_int_equal(conf, DIAG_CONF_HIGH);
		assert_int_equal(top_after("dev@bench:~/fw$ sudo dfu-util -a 0 -D fw.bin\n", dfu[i],
		                           &conf), DIAG_USB_PERMISSION);
		assert_int_equal(conf, DIAG_CONF_MEDIUM);
	}
}

/* dfu-util 0.9-0.10's bare "Cannot open DFU device" on a Unix host: the permission at medium, and
 * Windows' driver reading is not listed (no WinUSB there). */
static void test_dfu_cannot_open_on_a_unix_host(void **state)
{
	(void)state;
	static const char log[] = "sudo dfu-util -a 0 -D fw.bin\n"
	                          "Cannot open DFU device 0483:df11\n"
	                          "No DFU capable USB device available\n";
	struct diag_report *r = diag_classify_log(log);
	assert_non_null(r);
	assert_int_equal(r->findings[0].id, DIAG_USB_PERMISSION);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_MEDIUM);
	for (size_t i = 1; i < r->n; i++)
		assert_int_not_equal(r->findings[i].id, DIAG_PROBE_DRIVER_MISSING);
	diag_report_free(r);
	/* with no host shown, the driver reading stays below */
	r = diag_classify_log(log + strlen("sudo dfu-util -a 0 -D fw.bin\n"));
	assert_non_null(r);
	bool driver = false;
	for (size_t i = 1; i < r->n; i++)
		driver |= r->findings[i].id == DIAG_PROBE_DRIVER_MISSING;
	assert_true(driver);
	diag_report_free(r);
}

/* hidapi's failed open of a CMSIS-DAP (OpenOCD 0.9-0.10): another program's on macOS, which
 * hidapi seizes the device on, as on Windows; the permission on Linux. */
static void test_hid_open_by_host(void **state)
{
	(void)state;
	static const char tail[] = "Error: unable to open CMSIS-DAP device 0xc251:0xf001\n";
	enum diag_confidence conf;
	assert_int_equal(top_after("/Volumes/Work/fw$ openocd -f interface/cmsis-dap.cfg\n", tail,
	                           &conf), DIAG_PROBE_BUSY);
	assert_int_equal(conf, DIAG_CONF_MEDIUM);
	assert_int_equal(top_after("C:\\fw> openocd -f interface/cmsis-dap.cfg\n", tail, &conf),
	                 DIAG_PROBE_BUSY);
	assert_int_equal(top_after("dev@bench:~/fw$ openocd -f interface/cmsis-dap.cfg\n", tail,
	                           &conf), DIAG_USB_PERMISSION);
	assert_int_equal(conf, DIAG_CONF_MEDIUM);
}

/* The detail a host-side finding shows follows what the sources say of that host: macOS's
 * libusb never refuses an open with ACCESS, Linux's never refuses a claim with it. */
static void test_details_by_host(void **state)
{
	(void)state;
	struct diag_report *r = diag_classify_log("/Volumes/Work/openocd -f interface/stlink.cfg\n"
	                                          "Error: libusb_open() failed with "
	                                          "LIBUSB_ERROR_ACCESS\n");
	assert_non_null(r);
	assert_int_equal(r->findings[0].id, DIAG_USB_PERMISSION);
	assert_non_null(r->findings[0].detail);
	assert_non_null(strstr(r->findings[0].detail, "macOS"));
	diag_report_free(r);
	r = diag_classify_log("dev@bench:~/fw$ openocd -f interface/ftdi/olimex-arm-usb-ocd-h.cfg\n"
	                      "Error: libusb_claim_interface() failed with LIBUSB_ERROR_ACCESS\n");
	assert_non_null(r);
	assert_int_equal(r->findings[0].id, DIAG_PROBE_DRIVER_MISSING);
	assert_non_null(r->findings[0].detail);
	assert_null(strstr(r->findings[0].detail, "Linux"));
	diag_report_free(r);
}

/* dfu-util 0.11+'s "Cannot open DFU device ... (%s)" with an error that is neither the node's
 * permission nor Windows' driver (a device that left the bus, an I/O error) is neither
 * reading on any host: "unknown" with its line. */
static void test_dfu_open_error_named(void **state)
{
	(void)state;
	static const char *const heads[] = { "dev@bench:~/fw$ dfu-util -a 0 -D fw.bin\n",
		                             "C:\\tools\\dfu-util.exe -a 0 -D fw.bin\n", "" };
	char log[512], line[160];
	enum diag_confidence conf;
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		snprintf(log, sizeof(log), "%sdfu-util: Cannot open DFU device 0483:df11 found on "
		         "devnum 12 (LIBUSB_ERROR_IO)\ndfu-util: No DFU capable USB device "
		         "available\n", heads[i]);
		assert_int_equal(top_of(log, &conf, line, sizeof(line)), DIAG_UNKNOWN);
		assert_non_null(strstr(line, "Cannot open DFU device"));
	}
	/* Windows' driver errors are the driver's */
	assert_int_equal(top_of("dfu-util: Cannot open DFU device 0483:df11 found on devnum 12 "
	                        "(LIBUSB_ERROR_NOT_SUPPORTED)\n", &conf, NULL, 0),
	                 DIAG_PROBE_DRIVER_MISSING);
	assert_int_equal(conf, DIAG_CONF_HIGH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dfu_cannot_open_by_host),
		cmocka_unit_test(test_cmsis_dap_open_over_not_found),
		cmocka_unit_test(test_claim_access_is_a_driver),
		cmocka_unit_test(test_dfu_refusal_is_unknown_with_its_line),
		cmocka_unit_test(test_jaylink_not_found_on_windows),
		cmocka_unit_test(test_cmsis_dap_caps_by_openocd_version),
		cmocka_unit_test(test_tool_that_cannot_start),
		cmocka_unit_test(test_windows_markers),
		cmocka_unit_test(test_not_markers),
		cmocka_unit_test(test_macos_markers),
		cmocka_unit_test(test_linux_markers),
		cmocka_unit_test(test_unix_markers),
		cmocka_unit_test(test_host_precedence),
		cmocka_unit_test(test_open_access_on_a_unix_host),
		cmocka_unit_test(test_dfu_cannot_open_on_a_unix_host),
		cmocka_unit_test(test_hid_open_by_host),
		cmocka_unit_test(test_details_by_host),
		cmocka_unit_test(test_dfu_open_error_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
