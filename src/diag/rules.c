/* diag: the rule table.
 *
 * Each rule names the OpenOCD messages it recognises (POSIX extended regular expressions,
 * case-insensitive, one log line at a time) and/or a check over the facts, and cites where
 * the message comes from at OpenOCD v0.12.0 with the older wording (0.9-0.11) for the same
 * condition. Several rules may give the same id (e.g. one from the log, one from facts);
 * the engine keeps the best and merges their evidence lines.
 *
 * Readout protection is told from write protection by the option bytes (given by the
 * caller, or printed by OpenOCD's options_read / read_options in the log), never by a
 * write error alone: a write error alone gives both, at medium and low confidence.
 *
 * Confidence follows the message catalogue (tests/diag-logs/catalogue.tsv): high for a
 * message only one cause prints, or a number read against what it should be; medium for a
 * message two causes print alike, whose other reading is a low row in rules_alt.inc. The
 * table is split by room: rules_dfu.inc (dfu-util), rules_ocd.inc (OpenOCD itself),
 * rules_id.inc (the chip's identity), rules_prot.inc (protection), rules_drv.inc (adapter
 * and flash drivers beyond the common probes, RISC-V and Xtensa debug), rules_fork.inc
 * (vendor forks' and pre-0.9 releases' own words), rules_adp.inc (the adapter and USB side
 * and dfu-util, read from their source), rules_alt.inc (second readings, last).
 */
#include "diag/checks.h"
#include "diag/fork.h"
#include "diag/host.h"
#include "diag/hw.h"
#include "diag/tgt.h"
#include "diag/rules.h"

/* --- the table ---------------------------------------------------------------------- */

/* The family of lines a shell prints when the program TOOL (a regex-safe name) is not on
 * PATH: bash/dash 'TOOL: (command) not found', zsh 'command not found: TOOL', fish 'Unknown
 * command: TOOL', an exec'ing wrapper's ENOENT, Windows cmd "'TOOL' is not recognized as an
 * internal or external command" in English and as its localised builds word it (French,
 * Spanish, Italian, Portuguese, German, Chinese, Russian), and PowerShell's "The term 'TOOL'
 * is not recognized as the name of a cmdlet". Read for each tool swdbackup starts, so one
 * tool's missing wording is never learnt from one paste. */
#define SHELL_NOT_FOUND(tool) \
	tool "(\\.exe)?: (command )?not found", \
	"(command not found|Unknown command):? '?" tool "(\\.exe)?'?( |$)", \
	"(^|[/ ])" tool "(\\.exe)?'?: No such file or directory *$", \
	"exec[a-z]*:? .*" tool ".*: (No such file|not found)", \
	"'" tool "(\\.exe)?' not found", \
	tool "(\\.exe)?['\"]? (is not recognized as|n'est pas reconnu|no se reconoce como|" \
		"non (e|è) riconosciuto|n(a|ã)o (e|é) reconhecido)", \
	"(Befehl|command) \"" tool "(\\.exe)?\" (ist entweder falsch geschrieben|is either " \
		"written)", \
	tool "(\\.exe)?['\"]? ?(不是内部或外部命令|не является внутренней или внешней)"

/* A probe refused at open (permission, or on Windows another program's): it was there, so
 * a "not found" after it is the next backend's cascade, never the cause. */
#define OPEN_REFUSED "(libusb_open\\(\\) failed with|Failed to open device:) LIBUSB_ERROR_ACCESS", \
	"could not open device 0x[0-9a-f]+:0x[0-9a-f]+: Access denied"

/* Texts shared by several rules of one id. */
#define CAUSE_NOT_FOUND "no debug probe answered: it is not plugged in, not the one asked for, " \
	"or not the kind OpenOCD was told to use"
#define FIX_NOT_FOUND "plug the probe in and check it shows up ('lsusb': " \
	"0483:3748/374b/374e/374f for ST-LINK, 1366:* for J-Link); name it with --probe " \
	"SERIAL when several are attached; " \
	"pick its kind with --interface stlink|cmsis-dap|jlink; for --probe stlink-tcp:PORT make " \
	"sure stlink-server (or swdbackup-sim) listens on that port"
#define CAUSE_UNREACHABLE "the probe works but the target's debug port does not answer: SWDIO/" \
	"SWCLK/GND not connected, the firmware has turned the SWD pins into GPIO or stopped the " \
	"debug clock, or the board is held in reset"
#define FIX_UNREACHABLE "check the board is powered (many ST-LINK clones report a voltage " \
	"they do not measure) and SWDIO, SWCLK and GND (and NRST) between probe and board; retry " \
	"with --connect-under-reset (NRST wired to the probe) so the core is caught before the " \
	"firmware runs; if it is flaky, lower the clock with --speed 950 (or 480, 100); 'swdbackup " \
	"diagnose --profile P' tries all of these"
#define CAUSE_UNPOWERED "the probe measures no (or too low) target voltage: the board is not " \
	"powered or the probe's VTref pin is not connected"
#define FIX_UNPOWERED "power the board (USB or its supply) and connect the probe's VTref/VAPP " \
	"pin to the board's 3.3 V; many ST-LINK clones do not sense VTref and report a fixed " \
	"value: check 3.3 V with a meter"
#define CAUSE_LOW_POWER "the core is in a low-power mode (WFI/WFE, Stop, Standby) so halt " \
	"requests are lost until it wakes"
#define FIX_LOW_POWER "retry with --connect-under-reset so the core is halted at reset before " \
	"the firmware sleeps (NRST must be wired); on boards without NRST, press and hold reset " \
	"while starting, release it right after 'init'"
#define CAUSE_COMM "the SWD link is unreliable: transfers fail or return garbage (long or loose " \
	"wires, missing ground, too high a clock, noise)"
#define FIX_COMM "shorten the wires (under 15 cm) and connect GND; lower the clock with --speed " \
	"950 (then 480, 240, 100); a rescued run tells the speed that worked"
/* A link failure is the consequence of each of these when the log shows one: the comm-errors
 * rules give way to them. */
#define COMM_YIELDS \
	.yield_to = { DIAG_TARGET_UNPOWERED, DIAG_SWD_UNREACHABLE, DIAG_READOUT_PROTECTED, \
	              DIAG_VENDOR_PROTECTED, DIAG_PROBE_NOT_FOUND, DIAG_WRONG_TARGET_CONFIG, \
	              DIAG_CLONE_IDCODE }, \
	.n_yield = 7
#define CAUSE_HALT "the core did not halt when asked: it is in a low-power mode, held by a " \
	"watchdog reset loop, or the debug link dropped"
#define FIX_HALT "retry with --connect-under-reset (halts the core at the reset vector); if a " \
	"hardware watchdog (option byte) keeps resetting it, 'swdbackup rescue --profile P " \
	"--factory-options' sets the watchdog back to software"
#define CAUSE_CLONE "the chip is a clone (CS32/CKS32/APM32F103) that reports the Cortex-M4 DP " \
	"IDCODE 0x2ba01477 instead of the STM32F1's 0x1ba01477"
#define FIX_CLONE "swdbackup accepts the clone's IDCODE on F1 profiles, notes it in the manifest " \
	"and goes on; pass --strict to refuse clones instead; with plain OpenOCD add " \
	"'-c \"set CPUTAPID 0x2ba01477\"' before '-f target/stm32f1x.cfg'"
#define CAUSE_WRONG "the chip behind the probe is not the part the profile (or OpenOCD target " \
	"config) describes"
#define FIX_WRONG "read the part marking and pick the matching profile ('swdbackup profiles " \
	"list'); 'swdbackup info --profile P' shows the identity it reads; with plain OpenOCD use " \
	"the target config of that family"
#define CAUSE_UNSUPPORTED "OpenOCD's flash driver does not recognise the chip's dev id, so it " \
	"is not a part this profile or driver knows (another family, or a clone/fake)"
#define FIX_UNSUPPORTED "check the part marking; use a profile for that part if swdbackup has " \
	"one ('swdbackup profiles list'), otherwise write one (see 'swdbackup profiles check " \
	"FILE'); a chip that answers with an unknown dev id may be a fake"
#define CAUSE_COUNTERFEIT "the chip's identity is inconsistent: its dev id, core (CPUID) or " \
	"revision does not belong to the STM32 it claims to be"
#define FIX_COUNTERFEIT "treat it as a clone/fake: back it up with a matching profile, expect " \
	"flash timings and sizes to differ, and do not rely on ST documentation for it; " \
	"'swdbackup info' shows the identity read"
#define CAUSE_FLASH_SIZE "the flash-size register does not agree with the profile (another " \
	"variant of the part, a clone, or a blank register)"
#define FIX_FLASH_SIZE "check the part marking (e.g. STM32F103C8 = 64 KiB, CB = 128 KiB) and use " \
	"the matching profile; swdbackup reads the size the profile gives, so a smaller " \
	"profile leaves the rest unread; 'swdbackup info' shows both"
#define CAUSE_VENDOR "the chip is not an STM32 and its own protection is on (nRF APPROTECT " \
	"or protected regions, SAM NVM lock/BOOTPROT or security bit, Kinetis flash security): " \
	"the debugger is refused"
#define FIX_VENDOR "this is not STM32 readout protection and swdbackup's unlock does not " \
	"apply; the vendor's own unlock ERASES THE WHOLE CHIP (nRF52: OpenOCD's nrf52_recover " \
	"or nrfjprog's recover; nRF53/54/91: 'nrfutil device recover'; SAM: at91samd " \
	"chip-erase or clearing BOOTPROT/LOCK in the user row; Kinetis: kinetis mdm " \
	"mass_erase), so use it only when the chip's content does not matter"
#define CAUSE_RDP "the chip is readout-protected (RDP level 1 or 2): the debugger cannot read " \
	"or write its flash"
#define FIX_RDP "nothing on the flash can be read while RDP is set, so no backup is possible; " \
	"lifting RDP level 1 MASS-ERASES THE WHOLE FLASH (it destroys the firmware you wanted " \
	"to save), so do it only if the chip's content does not matter: 'swdbackup rescue " \
	"--profile P --unlock SOURCE' says so before it starts, lifts it and restores SOURCE (a " \
	"bundle or an image; 'swdbackup unlock --profile P' only lifts it); RDP level 2 is " \
	"permanent"
#define CAUSE_WRP "pages/sectors of the flash are write-protected by the option bytes (WRP): " \
	"erase and program fail there while reads still work"
#define FIX_WRP "first confirm RDP is level 0 with 'swdbackup info --profile P' (if RDP is set " \
	"this is readout protection: see readout-protected); then 'swdbackup rescue --profile P " \
	"--factory-options SOURCE' saves a safety bundle, clears write protection (with RDP at " \
	"level 0 this erases nothing) and restores SOURCE; without SOURCE it only clears it"

const struct diag_rule diag_rules[] = {
#include "diag/rules_dfu.inc"
#include "diag/rules_ocd.inc"
#include "diag/rules_front.inc"
#include "diag/rules_hw.inc"
#include "diag/rules_drv.inc"
#include "diag/rules_fork.inc"
#include "diag/rules_adp.inc"

	/* ---- probe ---- */
	{
		.id = DIAG_USB_PERMISSION, .name = "usb-permission",
		.confidence = DIAG_CONF_HIGH, .priority = 90,
		.any = { "LIBUSB_ERROR_ACCESS", "Access denied \\(insufficient permissions\\)",
		         "insufficient permissions", "Permission denied.*(/dev/bus/usb|/dev/hidraw|usb)",
		         /* libftdi's words for the same EACCES (its error -8) */
		         "inappropriate permissions on device" },
		.check = chk_open_access,
		.cause = "the probe is there but this user may not open it (no udev rule for it)",
		.fix = "install swdbackup's udev rules: 'sudo cp scripts/60-swdbackup.rules "
		       "/etc/udev/rules.d/ && sudo udevadm control --reload-rules && sudo udevadm "
		       "trigger', then unplug and replug the probe (or install the openocd package's "
		       "rules: /usr/lib/udev/rules.d/60-openocd.rules); do not run swdbackup as root",
		.source = "'libusb_open() failed with LIBUSB_ERROR_ACCESS' (src/jtag/drivers/"
		          "libusb_helper.c, jtag_libusb_open; 0.9-0.10 libusb1_common.c); CMSIS-DAP "
		          "'could not open device 0x%04x:0x%04x: Access denied (insufficient "
		          "permissions)' (cmsis_dap_usb_bulk.c, cmsis_dap_usb_open, 0.11+); J-Link "
		          "via libjaylink 'Failed to open device: LIBUSB_ERROR_ACCESS'; libftdi's "
		          "'unable to open ftdi device: inappropriate permissions on device!' "
		          "(usb_blaster/ublast_access_ftdi.c, openjtag.c, 0.9 ft2232.c)",
	},
	{
		.id = DIAG_PROBE_DRIVER_MISSING, .name = "usb-claim-held",
		.confidence = DIAG_CONF_HIGH, .priority = 88,
		.any = { "claim_interface\\(\\) failed with LIBUSB_ERROR_ACCESS",
		         "could not claim interface: Access denied",
		         /* libftdi's ftdi_usb_open_dev when its claim fails (0.9 ft2232.c) */
		         "unable to claim usb device\\. Make sure the default FTDI driver is not "
		         "in use" },
		.check = chk_claim_held,
		.cause = "the probe opened but another driver holds its debug interface: on macOS "
		         "Apple's (or FTDI's) serial driver claims both channels of an FT2232, on "
		         "Windows the vendor's own driver; libusb cannot take the interface from it",
		.fix = "macOS: unload the serial driver from the JTAG channel ('sudo kextunload -b "
		       "com.apple.driver.AppleUSBFTDI', or FTDI's com.FTDI.driver.FTDIUSBSerialDriver) "
		       "and replug; Windows: bind WinUSB to the probe's debug interface with Zadig; "
		       "then retry",
		.source = "'libusb_claim_interface() failed with %s' (src/jtag/drivers/mpsse.c, "
		          "mpsse_open, same in 0.9-0.12) and 'could not claim interface: %s' "
		          "(cmsis_dap_usb_bulk.c, 0.11+, libusb_strerror) after libusb_open "
		          "succeeded: libusb's darwin backend answers ACCESS (kIOReturnExclusiveAccess) "
		          "for an interface a kernel driver or another program holds, so medium with "
		          "probe-busy below (Linux says BUSY for another program's); libftdi's "
		          "'unable to claim usb device. Make sure the default FTDI driver is not in "
		          "use' (ft2232.c, 0.9) is the same claim failing",
	},
	{
		/* 0.9-0.10 found the CMSIS-DAP in the HID list and then could not open it. */
		.id = DIAG_USB_PERMISSION, .name = "usb-permission-cmsis-dap-hid",
		.confidence = DIAG_CONF_MEDIUM, .priority = 85,
		.any = { "unable to open CMSIS-DAP device 0x" },
		.check = chk_hid_open_permission,
		.cause = "the CMSIS-DAP probe is there but this user may not open its HID device (no "
		         "udev rule for /dev/hidraw*), or another program holds it",
		.fix = "install swdbackup's udev rules: 'sudo cp scripts/60-swdbackup.rules "
		       "/etc/udev/rules.d/ && sudo udevadm control --reload-rules && sudo udevadm "
		       "trigger', then unplug and replug the probe; if it persists, close any other "
		       "program that uses the probe",
		.source = "'unable to open CMSIS-DAP device 0x%x:0x%x' after the HID enumeration "
		          "matched it (src/jtag/drivers/cmsis_dap_usb.c, cmsis_dap_usb_open, "
		          "0.9-0.10: hid_open failed); not found is 'unable to find CMSIS-DAP device'",
	},
	{
		.id = DIAG_PROBE_BUSY, .name = "probe-busy-cmsis-dap-hid-held",
		.confidence = DIAG_CONF_MEDIUM, .priority = 85,
		.any = { "unable to open CMSIS-DAP device 0x" },
		.check = chk_hid_open_held,
		.cause = "the CMSIS-DAP probe is there but could not be opened: on Windows and macOS "
		         "another program (an IDE, pyOCD, another OpenOCD) holds its HID device",
		.fix = "close the other program that uses the probe and retry; with several probes "
		       "attached, name yours with --probe SERIAL",
		.source = "'unable to open CMSIS-DAP device 0x%x:0x%x' (src/jtag/drivers/"
		          "cmsis_dap_usb.c, cmsis_dap_usb_open, 0.9-0.10; cmsis_dap_usb_hid.c 0.11+: "
		          "hid_open failed); hidapi "
		          "opens exclusively on macOS (mac/hid.c, kIOHIDOptionsTypeSeizeDevice) and, "
		          "before 2016, on Windows (windows/hid.c, open_device, FILE_SHARE_READ)",
	},
	{
		/* The same ACCESS words as usb-permission, read by the host: Windows opens a WinUSB
		 * device once, so there it is another program's; with no host shown, low. */
		.id = DIAG_PROBE_BUSY, .name = "probe-busy-windows-access",
		.confidence = DIAG_CONF_HIGH, .priority = 89,
		.any = { "(libusb_open\\(\\) failed with|Failed to open device:) LIBUSB_ERROR_ACCESS",
		         "Access denied \\(insufficient permissions\\)",
		         "Cannot open DFU device .*\\(LIBUSB_ERROR_ACCESS\\)" },
		.check = chk_open_access_held,
		.cause = "another program holds the probe: on Windows a WinUSB device is opened by "
		         "one program at a time (an IDE's debug server, STM32CubeProgrammer, another "
		         "OpenOCD or pyOCD)",
		.fix = "close the other program that uses the probe (quit IDE debug sessions and "
		       "CubeProgrammer; end stray openocd.exe in Task Manager), replug it and retry",
		.source = "'libusb_open() failed with LIBUSB_ERROR_ACCESS' (src/jtag/drivers/"
		          "libusb_helper.c, jtag_libusb_open; libusb1_common.c 0.9-0.10), CMSIS-DAP "
		          "'could not open device 0x%04x:0x%04x: Access denied (insufficient "
		          "permissions)' (cmsis_dap_usb_bulk.c, 0.11+), libjaylink's 'Failed to open "
		          "device: LIBUSB_ERROR_ACCESS.', dfu-util 0.11+ 'Cannot open DFU device "
		          "%04x:%04x found on devnum %i (%s)': libusb's windows_winusb.c (winusbx_open) "
		          "maps CreateFile's ERROR_ACCESS_DENIED, a handle another process holds, to "
		          "LIBUSB_ERROR_ACCESS",
	},
	{
		.id = DIAG_PROBE_BUSY, .name = "probe-busy",
		.confidence = DIAG_CONF_HIGH, .priority = 85,
		.any = { "the selected device is already used", "LIBUSB_ERROR_BUSY", "Resource busy",
		         "unable to claim interface",
		         "maximum number of connections" },
		.yield_to = { DIAG_PROBE_DRIVER_MISSING },
		.n_yield = 1,
		.cause = "another program holds the probe (another OpenOCD, STM32CubeProgrammer, "
		         "st-util, an IDE debug session)",
		.fix = "close the other program ('pgrep -a openocd; pgrep -a st-util'; quit "
		       "CubeProgrammer/IDE debug sessions) and retry; with several probes attached, "
		       "name yours with --probe SERIAL",
		.source = "'the selected device is already used' (src/jtag/drivers/stlink_usb.c, "
		          "stlink_tcp_open, 0.12); 'could not claim interface: %s' (cmsis_dap_usb_bulk.c, "
		          "cmsis_dap_usb_open, 0.11+); libusb LIBUSB_ERROR_BUSY; J-Link 'Registration "
		          "failed: maximum number of connections' (jlink.c, jlink_register)",
	},
	{
		.id = DIAG_PROBE_DRIVER_MISSING, .name = "probe-driver-missing",
		.confidence = DIAG_CONF_HIGH, .priority = 85,
		.any = { "LIBUSB_ERROR_NOT_SUPPORTED", "Operation not supported or unimplemented",
		         "mode \\(transport\\) not supported by device",
		         "Selected transport is not supported by the device",
		         "Selected transport mode is not supported\\.",
		         "does not support DAP direct transport",
		         "CMSIS-DAP failed to connect in mode \\(1\\)",
		         "Device supports JTAG transport only", "J-Link driver does not support USB" },
		.check = chk_driver_failure_stands,
		.cause = "the probe cannot be driven: this OpenOCD was built without its driver, the "
		         "OS has the wrong USB driver bound to it, or its firmware cannot do SWD",
		.fix = "check 'openocd -c \"adapter list\"' (0.11+) lists the driver (Debian's "
		       "openocd has stlink, cmsis-dap, jlink); on Windows bind WinUSB with Zadig; "
		       "update the probe firmware (ST-LINK: STM32CubeProgrammer's firmware upgrade; "
		       "an ST-LINK in STM8/SWIM-only mode reports this too); pick the kind with "
		       "--interface stlink|cmsis-dap|jlink",
		.source = "'mode "
		          "(transport) not supported by device' (stlink_usb.c, stlink_usb_init_mode); "
		          "libusb LIBUSB_ERROR_NOT_SUPPORTED (libusb_helper.c, jtag_libusb_open); "
		          "'CMSIS-DAP failed to connect in mode (%d)' (cmsis_dap.c, "
		          "cmsis_dap_cmd_dap_connect; cmsis_dap_usb.c 0.9-0.10): the probe answered "
		          "another mode than SWD (1)",
	},
	{
		/* The adapter driver the config names, read against the releases that have it
		 * (cfgrel.c): one the release that ran has was left out of this build; one that
		 * came later is too-old-interface's (rules_ocd.inc). */
		.id = DIAG_PROBE_DRIVER_MISSING, .name = "interface-not-built",
		.confidence = DIAG_CONF_HIGH, .priority = 85,
		.any = { "The specified debug interface was not found \\(" },
		.check = chk_interface_driver,
		.cause = "this OpenOCD has no driver for the adapter the config names: it was built "
		         "without it, the config names a driver OpenOCD dropped (ft2232: use ftdi), "
		         "or a vendor fork's driver that a stock OpenOCD never had",
		.fix = "check 'openocd -c \"adapter list\"' (0.11+; 'interface_list' before) lists the "
		       "driver; install an OpenOCD built with it (Debian's openocd has stlink/hla, "
		       "cmsis-dap, jlink, ftdi), or the vendor's build the config was written for; "
		       "an old config's 'interface ft2232' becomes 'adapter driver ftdi'",
		.source = "'The specified debug interface was not found (%s)' (src/jtag/adapter.c, "
		          "handle_adapter_driver_command; 0.9-0.10 handle_interface_command), the "
		          "name read against the struct jtag_interface / adapter_driver names of "
		          "each release (src/diag/cfgrel.c)",
	},
	{
		/* libusb's Windows backend answers NOT_FOUND when the device has no WinUSB (or
		 * libusbK) driver bound; on Linux and macOS open() does not say that of a device
		 * it just listed. */
		.id = DIAG_PROBE_DRIVER_MISSING, .name = "probe-driver-missing-windows",
		.confidence = DIAG_CONF_HIGH, .priority = 86,
		.all = { "(libusb_open\\(\\) failed with|Failed to open device:) LIBUSB_ERROR_NOT_FOUND",
		         "could not find or open device|unable to open ftdi device|no device found|"
		         "Cannot find jlink|open failed|unable to find a matching CMSIS-DAP device|"
		         "Failed to open or find the device|No J-Link device found" },
		.check = chk_windows_log,
		.cause = "Windows has no WinUSB driver bound to the probe, so libusb cannot open it "
		         "(the probe shows in Device Manager under its vendor's driver or none)",
		.fix = "bind WinUSB to the probe's debug interface with Zadig (or install the "
		       "vendor's WinUSB driver: ST-LINK STSW-LINK009, Espressif esp-win-usb-drivers), "
		       "replug it and retry",
		.source = "'libusb_open() failed with %s' (src/helper/libusb_helper.c, "
		          "jtag_libusb_open; 0.9-0.10 src/jtag/drivers/libusb1_common.c) and libjaylink's "
		          "'Failed to open device: %s.' (J-Link, 0.10+); libusb's windows_winusb.c "
		          "returns LIBUSB_ERROR_NOT_FOUND with no usable driver",
	},
	{
		/* The probe says it has no SWD: its firmware is JTAG-only (or an OpenOCD before 0.12
		 * misread DAP 2.1 capabilities: too-old-cmsis-dap-caps settles that from the FW
		 * version line, and this reading yields to it). */
		.id = DIAG_PROBE_DRIVER_MISSING, .name = "cmsis-dap-no-swd",
		.confidence = DIAG_CONF_MEDIUM, .priority = 84,
		.any = { "CMSIS-DAP: SWD not supported" },
		.yield_to = { DIAG_OPENOCD_TOO_OLD },
		.n_yield = 1,
		.cause = "the CMSIS-DAP probe reports that it cannot do SWD: its firmware is JTAG-only "
		         "(or an OpenOCD older than 0.12 misreads newer firmware)",
		.fix = "update the probe's firmware to a CMSIS-DAP release with SWD, or use a probe "
		       "that has it; with CMSIS-DAP 2.1+ firmware use OpenOCD 0.12 or later",
		.source = "'CMSIS-DAP: SWD not supported' (src/jtag/drivers/cmsis_dap.c, "
		          "cmsis_dap_swd_open; cmsis_dap_usb.c 0.9-0.10): DAP_Info capabilities "
		          "without the SWD bit",
	},
	{
		/* libusb's NOT_FOUND from open: only its Windows backend answers it (a device that
		 * left the bus is NO_DEVICE on every backend), so the line alone is Windows with no
		 * usable driver; the row above reads it with the driver's own "not found". */
		.id = DIAG_PROBE_DRIVER_MISSING, .name = "libusb-open-not-found",
		.confidence = DIAG_CONF_HIGH, .priority = 84,
		.any = { "(libusb_open\\(\\) failed with|Failed to open device:) LIBUSB_ERROR_NOT_FOUND" },
		.check = chk_windows_log,
		.cause = "the probe was listed but could not be opened: Windows has no WinUSB (or "
		         "libusbK/HID) driver bound to any of its interfaces",
		.fix = "bind WinUSB to the probe's debug interface with Zadig (or the vendor's WinUSB "
		       "driver), replug it and retry",
		.source = "'libusb_open() failed with %s' (src/jtag/drivers/libusb_helper.c, "
		          "jtag_libusb_open; libusb1_common.c 0.9-0.10) and libjaylink's 'Failed to "
		          "open device: %s.' (jlink.c, 0.10): libusb's windows_winusb.c "
		          "(composite_open) answers NOT_FOUND when no interface has a usable driver; "
		          "linux_usbfs.c (op_open) and darwin_usb.c (darwin_open) never do",
	},
	{
		/* OpenOCD took a non-CMSIS-DAP interface (class 10: CDC data, held by the kernel's
		 * serial driver) for the v2 bulk one; the claim then fails "busy" although no
		 * other program has the probe. The HID (v1) interface works. */
		.id = DIAG_PROBE_DRIVER_MISSING, .name = "cmsis-dap-wrong-interface",
		.confidence = DIAG_CONF_HIGH, .priority = 87,
		.all = { "CMSIS-DAPv2 interface [0-9]+ with wrong class",
		         "could not claim interface|CMD_INFO failed|error (reading|writing) data" },
		.cause = "OpenOCD picked an interface of the probe that is not its CMSIS-DAP one (the "
		         "probe's firmware labels it badly); the operating system's serial driver "
		         "holds it, so it reads as busy",
		.fix = "use the probe's HID interface: add -c 'cmsis_dap_backend hid' (OpenOCD "
		       "0.11+), or update the probe's firmware so its CMSIS-DAPv2 interface is "
		       "labelled right",
		.source = "'Using CMSIS-DAPv2 interface %d with wrong class %d subclass %d or protocol "
		          "%d' (src/jtag/drivers/cmsis_dap_usb_bulk.c, cmsis_dap_usb_open, 0.11+)",
	},
	{
		/* The CMSIS-DAP firmware answered but lacks a command OpenOCD needs (0x1d
		 * DAP_SWD_Sequence for multidrop targets such as the RP2040), or does not answer
		 * the first one (CMD_INFO) at all: the probe's firmware, not the target. */
		.id = DIAG_PROBE_DRIVER_MISSING, .name = "cmsis-dap-firmware",
		.confidence = DIAG_CONF_MEDIUM, .priority = 83,
		.any = { "CMSIS-DAP command 0x[0-9a-fA-F]+ not implemented",
		         "CMSIS-DAP command CMD_INFO failed" },
		.check = chk_cmsis_dap_firmware,
		.cause = "the probe's CMSIS-DAP firmware does not do what OpenOCD asks: it lacks a "
		         "command (e.g. SWD sequences for multidrop targets) or does not answer at all",
		.fix = "update the probe's firmware to a current CMSIS-DAP (v2.1 or later) release, or "
		       "go back to the firmware that worked; with a DAPLink/CMSIS-DAPv2 probe also try "
		       "-c 'cmsis_dap_backend hid'",
		.source = "'CMSIS-DAP command 0x%02x not implemented' and 'CMSIS-DAP command %s "
		          "failed.' (src/jtag/drivers/cmsis_dap.c, cmsis_dap_xfer / cmsis_dap_cmd_*)",
	},
	{
		/* The FTDI chip answered enumeration but its reset request failed: with the
		 * vendor's VCP or an old libusb0/libusbK driver bound (Windows), libusb can list the
		 * device and not drive it. Medium: a flaky hub gives the same line. */
		.id = DIAG_PROBE_DRIVER_MISSING, .name = "ftdi-reset-failed",
		.confidence = DIAG_CONF_MEDIUM, .priority = 84,
		.all = { "failed to reset FTDI device: LIBUSB_ERROR_(IO|NOT_SUPPORTED|PIPE)",
		         "unable to open ftdi device" },
		.cause = "the FTDI probe enumerates but cannot be driven: the operating system has its "
		         "serial (VCP) or an old libusb driver bound to the JTAG channel",
		.fix = "on Windows bind WinUSB to the probe's interface 0 with Zadig (the Olimex and "
		       "Espressif manuals show it), replug it and retry; elsewhere try another port "
		       "or hub",
		.source = "'failed to reset FTDI device: %s' (src/jtag/drivers/mpsse.c, "
		          "open_matching_device / mpsse_open, 0.8+) and 'unable to open ftdi device "
		          "with vid %04x, pid %04x, ...' (mpsse_open)",
	},
	{
		.id = DIAG_PROBE_DRIVER_MISSING, .name = "probe-firmware-no-swd",
		.confidence = DIAG_CONF_HIGH, .priority = 85,
		.check = chk_firmware_no_swd,
		.show = { "STLINK V[0-9]", "mode \\(transport\\) not supported" },
		.cause = "the probe's firmware cannot do SWD: an ST-LINK running STM8-only (SWIM) "
		         "firmware, or one OpenOCD reads as such",
		.fix = "reflash the ST-LINK with ST's firmware upgrade (STM32CubeProgrammer or "
		       "STSW-LINK007) choosing the STM32 (JTAG/SWD) firmware, then retry",
		.source = "the probe firmware swdbackup read; OpenOCD prints 'STLINK V%dJ%dM%d...' "
		          "and 'mode (transport) not supported by device' (src/jtag/drivers/"
		          "stlink_usb.c, stlink_usb_version / stlink_usb_init_mode)",
	},
	{
		.id = DIAG_PROBE_NOT_FOUND, .name = "probe-not-found",
		.confidence = DIAG_CONF_HIGH, .priority = 80,
		.any = { "no ST-LINK detected", "No J-Link device found", "No device matches the serial string",
		         "open failed \\((vid/pid|serial) mismatch\\)",
		         "cannot connect to stlink server", "Can't find USB JTAG Interface",
		         "(can't|cannot) find (a |the )?[a-z0-9_ -]+ (interface|device)!",
		         "ICE-[0-9]+ emulator not found" },
		/* First cause over its cascade: a probe OpenOCD found and could not open is then
		 * reported as "unable to find a matching CMSIS-DAP device" by the next backend, and
		 * a J-Link libusb listed and could not open (NOT_FOUND: no usable driver bound) as
		 * "No J-Link device found": a device found but not opened is never "no device". */
		.none = { "unable to open CMSIS-DAP device 0x", OPEN_REFUSED,
		          "(libusb_open\\(\\) failed with|Failed to open device:) LIBUSB_ERROR_NOT_FOUND" },
		.yield_to = { DIAG_USB_PERMISSION, DIAG_PROBE_BUSY, DIAG_PROBE_DRIVER_MISSING },
		.n_yield = 3,
		.cause = CAUSE_NOT_FOUND,
		.fix = FIX_NOT_FOUND,
		.source = "'no ST-LINK detected' / 'ST-LINK open failed (serial mismatch)' "
		          "(src/jtag/drivers/stlink_usb.c, stlink_tcp_open, 0.12); 'No J-Link "
		          "device found' (jlink.c, jlink_init; 0.10-0.11 with a final '.'); a "
		          "driver's own 'Cannot find jlink Interface! Please check connection and "
		          "permissions.' (0.9 jlink.c, jlink_init) and the Raspberry Pi fork's 'Can't "
		          "find a picoprobe device! Please check device connections and permissions.' "
		          "(picoprobe.c, picoprobe_usb_open); ADI's fork: '%s emulator not found' "
		          "(ice1000.c, ice1000_init/ice2000_init, when the USB open finds no "
		          "device); a permission or driver problem shows its own libusb line before it",
	},
	{
		/* OpenOCD knows a CMSIS-DAP by its product string, which it reads only from a device
		 * it could open: 0.11+'s bulk backend logs a failed open at debug level unless
		 * cmsis_dap_vid_pid names the probe, so a v2 probe this user may not open (Linux)
		 * or with no WinUSB bound (Windows) reads as none at all. Only macOS, which needs
		 * neither, leaves absence alone. */
		.id = DIAG_PROBE_NOT_FOUND, .name = "probe-not-found-cmsis-dap",
		.confidence = DIAG_CONF_HIGH, .priority = 80,
		.any = { "unable to find (a matching )?CMSIS-DAP device" },
		.none = { "unable to open CMSIS-DAP device 0x", OPEN_REFUSED },
		.check = chk_cmsis_dap_not_found,
		.yield_to = { DIAG_USB_PERMISSION, DIAG_PROBE_BUSY, DIAG_PROBE_DRIVER_MISSING },
		.n_yield = 3,
		.cause = CAUSE_NOT_FOUND,
		.fix = FIX_NOT_FOUND,
		.source = "'unable to find a matching CMSIS-DAP device' (src/jtag/drivers/cmsis_dap.c, "
		          "cmsis_dap_open, 0.11+, after cmsis_dap_usb_bulk.c's libusb_open failure is "
		          "logged with LOG_DEBUG when no VID:PID was given); 0.9-0.10 'unable to find "
		          "CMSIS-DAP device' (cmsis_dap_usb.c, cmsis_dap_usb_open: HID only, matched "
		          "by a product string hidapi reads)",
	},
	{
		/* An FTDI probe OpenOCD could not find: unplugged, or another VID/PID or
		 * description than the config names. mpsse.c opens every device whose VID:PID
		 * matches and logs a failed open ('libusb_open() failed with %s') before this, and
		 * libusb lists every device on each host (Windows gives one without a WinUSB driver
		 * NOT_FOUND or NOT_SUPPORTED at open): a bare "no device found" is no match. */
		.id = DIAG_PROBE_NOT_FOUND, .name = "probe-not-found-ftdi",
		.confidence = DIAG_CONF_MEDIUM, .priority = 78,
		.any = { "unable to open ftdi device: device not found", "^(Error: *)?no device found$",
		         "unable to open ftdi device with (vid|description)" },
		.none = { OPEN_REFUSED },
		.yield_to = { DIAG_USB_PERMISSION, DIAG_PROBE_BUSY, DIAG_PROBE_DRIVER_MISSING },
		.n_yield = 3,
		.cause = CAUSE_NOT_FOUND,
		.fix = FIX_NOT_FOUND,
		.source = "'no device found' + 'unable to open ftdi device with vid %04x, pid %04x, "
		          "...' (src/jtag/drivers/mpsse.c, mpsse_open, 0.8+); libftdi's 'unable to "
		          "open ftdi device: device not found' (usb_blaster/ublast_access_ftdi.c and "
		          "openjtag.c 0.9-0.12, ft2232.c 0.4-0.9)",
	},
	{
		/* "open failed" is jtag_libusb_open finding no device of the config's VID:PIDs
		 * (and serial); a device it found and could not open logs libusb's error first,
		 * and a failed claim (another program) is logged at debug level and never reaches
		 * this line. So: absent, unless the release predates the probe's USB id. */
		.id = DIAG_PROBE_NOT_FOUND, .name = "probe-not-found-stlink-open",
		.confidence = DIAG_CONF_HIGH, .priority = 80,
		.any = { "^(Error: *)?open failed *$", "Error: open failed" },
		.none = { OPEN_REFUSED },
		.check = chk_stlink_open_failed,
		.yield_to = { DIAG_USB_PERMISSION, DIAG_PROBE_BUSY, DIAG_PROBE_DRIVER_MISSING,
		              DIAG_OPENOCD_TOO_OLD },
		.n_yield = 4,
		.cause = "no ST-LINK was found: none is plugged in, or not the one the config or "
		         "--probe SERIAL names",
		.fix = FIX_NOT_FOUND,
		.source = "'open failed' (src/jtag/drivers/stlink_usb.c, stlink_usb_usb_open; "
		          "stlink_usb_open in 0.9-0.10) after jtag_libusb_open (libusb_helper.c; "
		          "libusb1_common.c 0.9-0.10) matched no VID:PID (and serial); a refused "
		          "libusb_open logs 'libusb_open() failed with %s' first; a refused claim "
		          "is LOG_DEBUG('claim interface failed') and returns without this line",
	},
	{
		/* A probe selected by name or port that no attached probe matches: the family of
		 * "No device matches the serial string" (libusb_helper.c), "open failed (serial
		 * mismatch)" (stlink_usb.c) and the FlashPro driver's "'%s' does not match any
		 * available port" (Microsemi SoftConsole's OpenOCD fork; '' = the first one). */
		.id = DIAG_PROBE_NOT_FOUND, .name = "probe-not-found-selector",
		.confidence = DIAG_CONF_MEDIUM, .priority = 79,
		.any = { "'[^']*' does not match any available (port|programmer|device)" },
		.yield_to = { DIAG_USB_PERMISSION, DIAG_PROBE_BUSY, DIAG_PROBE_DRIVER_MISSING },
		.n_yield = 3,
		.cause = "no attached probe matches the one asked for: it is not plugged in (or not "
		         "seen by its driver), or the port/serial named is not its",
		.fix = FIX_NOT_FOUND,
		.source = "Microsemi SoftConsole's OpenOCD fork, FlashPro driver: \"'%s' does not "
		          "match any available port\" when the programmer port asked for (empty: "
		          "any) is not among those attached; upstream's 'No device matches the "
		          "serial string' (src/jtag/drivers/libusb_helper.c) says the same",
	},
	{
		.id = DIAG_PROBE_NOT_FOUND, .name = "probe-lost",
		.confidence = DIAG_CONF_HIGH, .priority = 50,
		.any = { "LIBUSB_ERROR_NO_DEVICE", "failed to send USB CMD",
		         "cannot get the stlink-server version" },
		/* dfu-util's device leaving after the completion request: dfu-manifest-status */
		.none = { "unable to read DFU status after completion",
		          "error resetting after download" },
		.show = { "failed to receive USB CMD response" },
		.cause = "the probe stopped answering part way (unplugged, reset by a power dip, or "
		         "the stlink-server/simulator behind --probe stlink-tcp went away)",
		.fix = "check the USB cable and hub (use a short cable, a powered port); for "
		       "stlink-tcp make sure the server still runs; then retry",
		.source = "'failed to receive USB CMD response' / 'failed to send USB CMD' "
		          "(src/jtag/drivers/stlink_usb.c, stlink_tcp_send_cmd, 0.12); libusb "
		          "LIBUSB_ERROR_NO_DEVICE from jtag_libusb_bulk_read/write",
	},

	{
		/* One reply that stalled for more than a second; the link may have recovered. */
		.id = DIAG_PROBE_NOT_FOUND, .name = "probe-stalled",
		.confidence = DIAG_CONF_MEDIUM, .priority = 40,
		.any = { "failed to receive USB CMD response",
		         /* 0.9-0.10: the ST-LINK enumerates but no longer answers its first command */
		         "^(Error: *)?read version failed" },
		.cause = "the probe (or the stlink-server behind --probe stlink-tcp) stopped answering "
		         "for more than a second",
		.fix = "unplug the probe and plug it back in; check the USB cable and hub (short "
		       "cable, powered port); for stlink-tcp make sure the server still runs; then retry",
		.source = "'failed to receive USB CMD response' (src/jtag/drivers/stlink_usb.c, "
		          "stlink_tcp_recv / stlink_tcp_send_cmd, 0.11+); 'read version failed' "
		          "(stlink_usb.c, stlink_usb_version, 0.9-0.10)",
	},

	/* ---- power and the debug port ---- */
	{
		.id = DIAG_TARGET_UNPOWERED, .name = "unpowered-log",
		.confidence = DIAG_CONF_HIGH, .priority = 80,
		.any = { "target voltage may be too low", "Target voltage too low",
		         "Target voltage: [01]\\.", "VTarget = [01]\\.[0-9]+ V",
		         "Vref too low\\. Check Target Power" },
		.check = chk_unpowered,
		.cause = CAUSE_UNPOWERED,
		.fix = FIX_UNPOWERED,
		.source = "'Target voltage: %f' + 'target voltage may be too low for reliable "
		          "debugging' (src/jtag/drivers/stlink_usb.c, stlink_usb_check_voltage / "
		          "stlink_usb_init_mode, same in 0.9-0.12, threshold 1.5 V); J-Link 'VTarget "
		          "= %u.%03u V' (jlink.c, jlink_init, 0.10+; 0.9 'Vref too low. Check Target "
		          "Power', jlink_get_status)",
	},
	{
		.id = DIAG_TARGET_UNPOWERED, .name = "unpowered-fact",
		.show = { "Target voltage", "VTarget", "init mode failed", "cannot read IDR" },
		.confidence = DIAG_CONF_HIGH, .priority = 80,
		.check = chk_unpowered_fact,
		.cause = CAUSE_UNPOWERED,
		.fix = FIX_UNPOWERED,
		.source = "the probe's target-voltage reading",
	},
	{
		.id = DIAG_SWD_UNREACHABLE, .name = "swd-unreachable-log",
		.confidence = DIAG_CONF_HIGH, .priority = 60,
		.any = { "init mode failed \\(unable to connect to the target\\)",
		         "Error connecting DP: cannot read IDR",
		         "Could not initialize the debug port",
		         "JTAG scan chain interrogation failed",
		         /* the same all-ones/all-zeros IDCODE scan as 0.1 and 0.2 word it */
		         "JTAG communication failure[,:] check connection",
		         "CMSIS-DAP command CMD_CONNECT failed",
		         /* Raspberry Pi's 0.10+dev fork logs the failed 'dap init' at Info */
		         "^Info *: DAP init failed",
		         /* ADI's fork: the ICE-1000/2000 tried every sampling delay and no IR
		          * capture came back valid, so nothing on the chain answers */
		         "ICE-[0-9]+ cannot find a good delay" },
		/* the adapter driver refused a dormant-state sequence: nothing was tried
		 * (hw-swd-seq-too-old, rules_hw.inc) */
		.none = { "Sequence [34] not supported" },
		/* none when the target answered after it: a first attempt, not the failure */
		.check = chk_unreachable_log,
		/* a probe that is gone makes every connect fail: its cascade (probe-lost,
		 * hw-cmsis-dap-vanished) */
		.yield_to = { DIAG_TARGET_UNPOWERED, DIAG_TARGET_LOW_POWER, DIAG_PROBE_NOT_FOUND },
		.n_yield = 3,
		.cause = CAUSE_UNREACHABLE,
		.fix = FIX_UNREACHABLE,
		.source = "'init mode failed (unable to connect to the target)' (src/jtag/drivers/"
		          "stlink_usb.c, stlink_open; same in 0.9-0.12); 'Error connecting DP: cannot "
		          "read IDR' (src/target/adi_v5_swd.c, swd_connect_single; swd_connect in 0.11); 0.10 "
		          "CMSIS-DAP/J-Link: 'Could not initialize the debug port' (cortex_m.c, "
		          "cortex_m_examine); JTAG: 'JTAG scan chain interrogation failed: all ones' "
		          "(src/jtag/core.c, jtag_examine_chain; 0.2 'JTAG communication failure: "
		          "check connection, JTAG interface, target power etc.', "
		          "jtag_examine_chain_check; 0.1 and the svn builds before it the same with a "
		          "comma, src/jtag/jtag.c); ADI fork 'ICE-2000 cannot find a "
		          "good delay' (its ICE-2000 driver's scan of sampling delays over IR captures)",
	},
	{
		.id = DIAG_SWD_UNREACHABLE, .name = "swd-unreachable-silent-init",
		.confidence = DIAG_CONF_MEDIUM, .priority = 58,
		/* 0.11+: "STLINK V2J37S7 (API v2) ..."; 0.9-0.10: "STLINK v2 JTAG v27 API v2 ..." */
		.all = { "STLINK v[0-9]", "Target voltage: " },
		.none = { "^Error", "processor detected", "breakpoints, [0-9]+ watchpoints",
		          "starting gdb server", "device id = ", "flash size = ", "halted due to",
		          "UNEXPECTED" },
		.check = chk_silent_init,
		.yield_to = { DIAG_TARGET_UNPOWERED },
		.n_yield = 1,
		.cause = "OpenOCD opened the probe and then exited without printing a reason: the "
		         "target's debug port did not give its IDCODE, so SWD is not reachable "
		         "(wiring, firmware that disables SWD, a sleeping or held core)",
		.fix = FIX_UNREACHABLE,
		.source = "ST-LINK READ_IDCODES failing in init (src/jtag/drivers/stlink_usb.c, "
		          "stlink_usb_idcode, called from hl_interface_init_target in src/jtag/hla/"
		          "hla_interface.c): 0.12 returns the error without a message at the default "
		          "debug level and OpenOCD exits 1",
	},
	{
		.id = DIAG_SWD_UNREACHABLE, .name = "swd-unreachable-attempts",
		.show = { "init mode failed", "cannot read IDR", "Could not initialize the debug port" },
		.confidence = DIAG_CONF_HIGH, .priority = 60,
		.check = chk_unreachable_attempts,
		.yield_to = { DIAG_TARGET_UNPOWERED },
		.n_yield = 1,
		.cause = CAUSE_UNREACHABLE,
		.fix = FIX_UNREACHABLE,
		.source = "the connection attempts swdbackup made",
	},
	{
		.id = DIAG_SWD_UNREACHABLE, .name = "rescued-under-reset",
		.show = { "init mode failed", "cannot read IDR", "Could not initialize the debug port" },
		.confidence = DIAG_CONF_HIGH, .priority = 70,
		.check = chk_rescued_under_reset,
		.cause = "the target answered only while held in reset: its firmware turns the SWD "
		         "pins into GPIO (or stops the debug clock) as soon as it runs",
		.fix = "use --connect-under-reset next time (NRST must be wired to the probe); to "
		       "make the board connectable normally, have the firmware keep PA13/PA14 in "
		       "their SWD function, or replace it: 'swdbackup rescue --profile P --erase' "
		       "(after a safety bundle) or 'swdbackup restore' of a firmware that does",
		.source = "the connection attempts swdbackup made (normal failed, under reset worked)",
	},
	{
		.id = DIAG_SWD_UNREACHABLE, .name = "rescued-under-reset-silent",
		.confidence = DIAG_CONF_MEDIUM, .priority = 69,
		.check = chk_rescued_silent,
		.cause = "the target answered only while held in reset: its firmware turns the SWD "
		         "pins into GPIO (or stops the debug clock) as soon as it runs",
		.fix = "use --connect-under-reset next time (NRST must be wired to the probe)",
		.source = "the connection attempts swdbackup made: a normal start ended with OpenOCD "
		          "exiting during init without an error message (the DP IDCODE read failed), "
		          "and connecting under reset worked",
	},
	{
		.id = DIAG_TARGET_LOW_POWER, .name = "rescued-low-power",
		.show = { "timed out while waiting for target halted", "Not halted" },
		.confidence = DIAG_CONF_HIGH, .priority = 70,
		.check = chk_rescued_low_power,
		.cause = CAUSE_LOW_POWER,
		.fix = FIX_LOW_POWER,
		.source = "the connection attempts swdbackup made (halt timed out, under reset worked)",
	},
	{
		.id = DIAG_TARGET_LOW_POWER, .name = "low-power-log",
		.confidence = DIAG_CONF_HIGH, .priority = 55,
		.all = { "timed out while waiting for target halted|- Not halted",
		         /* the `targets` table row, or a state line, saying the core runs */
		         "(target (state: )?running|is running|was running|"
		         "^ *[0-9]+\\* +[^ ]+ +[^ ]+ +[^ ]+ +[^ ]+ +running *$)" },
		.cause = CAUSE_LOW_POWER,
		.fix = FIX_LOW_POWER,
		.source = "'timed out while waiting for target %s' (src/target/target.c, "
		          "target_wait_state; same in 0.9-0.12) after the log showed the core running",
	},
	{
		/* The STM32 low-power lines (L0/L1/L4/L5/U5/WL) are built to sleep in stop mode
		 * between events; a halt that times out on one is most likely the sleeping core,
		 * and a truncated paste may keep only "timed out while wait". Medium: the family
		 * is a hint, not the evidence (the catalogue files the halt timeout under
		 * core-halt-timeout and target-low-power alike; only a core seen running, as
		 * low-power-log reads, settles it), so the halt-timeout reading stays below. */
		.id = DIAG_TARGET_LOW_POWER, .name = "low-power-part",
		.confidence = DIAG_CONF_MEDIUM, .priority = 56,
		.all = { "timed out while wait|Halt timed out, wake up GDB|- Not halted",
		         "stm32(l[0-9]|u5|wl)[a-z0-9]*\\.(cpu|m4|m0)" },
		.cause = CAUSE_LOW_POWER,
		.fix = FIX_LOW_POWER,
		.source = "'timed out while waiting for target %s' (src/target/target.c, "
		          "target_wait_state) and 'Halt timed out, wake up GDB.' (src/server/"
		          "gdb_server.c, gdb_new_connection) on a target of a low-power family",
	},
	{
		.id = DIAG_TARGET_LOW_POWER, .name = "low-power-guess",
		.show = { "Not halted" },
		.confidence = DIAG_CONF_LOW, .priority = 20,
		.any = { "timed out while waiting for target halted", "TARGET: [^ ]+ - Not halted",
		         "Halt timed out, wake up GDB" },
		.check = chk_low_power_guess,
		.cause = CAUSE_LOW_POWER,
		.fix = FIX_LOW_POWER,
		.source = "src/target/target.c, target_wait_state",
	},
	{
		.id = DIAG_CORE_HALT_TIMEOUT, .name = "halt-timeout-log",
		.confidence = DIAG_CONF_HIGH, .priority = 50,
		.any = { "timed out while waiting for target halted", "TARGET: .* - Not halted",
		         "Halt timed out, wake up GDB", "^Error: timed out while wait",
		         "TARGET: [^ ]+ - Not halted" },
		.check = chk_halt_not_cascade,
		.yield_to = { DIAG_TARGET_LOW_POWER, DIAG_READOUT_PROTECTED },
		.n_yield = 2,
		.cause = CAUSE_HALT,
		.fix = FIX_HALT,
		.source = "'timed out while waiting for target halted' (src/target/target.c, "
		          "target_wait_state; same wording 0.9-0.12) and 'TARGET: %s - Not halted' "
		          "(src/target/startup.tcl, ocd_process_reset_inner; same wording 0.9-0.12)",
	},
	{
		.id = DIAG_CORE_HALT_TIMEOUT, .name = "halt-timeout-attempts",
		.show = { "timed out while waiting for target halted", "Not halted" },
		.confidence = DIAG_CONF_HIGH, .priority = 50,
		.check = chk_halt_attempts,
		.yield_to = { DIAG_TARGET_LOW_POWER },
		.n_yield = 1,
		.cause = CAUSE_HALT,
		.fix = FIX_HALT,
		.source = "the connection attempts swdbackup made",
	},
	{
		.id = DIAG_SWD_COMM_ERRORS, .name = "comm-errors-hard",
		.confidence = DIAG_CONF_HIGH, .priority = 45,
		.any = { "jtag status contains invalid mode value - communication failure",
		         "SWD ack not OK", "STICKY ERROR", "Invalid ACK (\\([0-6]\\)|0x[0-6] )",
		         "DP initialisation failed", "SWD_AP_(FAULT|ERROR|PARITY)", "JTAG-DP OVERRUN",
		         "transfer count mismatch" },
		COMM_YIELDS,
		.cause = CAUSE_COMM,
		.fix = FIX_COMM,
		.source = "'jtag status contains invalid mode value - communication failure' "
		          "(src/target/hla_target.c, adapter_poll; same in 0.9-0.12); 'JTAG-DP STICKY "
		          "ERROR' (adi_v5_jtag.c); 'SWD ack not OK' (adi_v5_swd.c / cmsis_dap.c)",
	},
	{
		/* A JTAG ACK is three bits TDO shifts out: 7 is TDO high all through, a target that
		 * stopped driving it (held in reset, powered down, its pins taken by firmware) as
		 * much as a link that garbles it; the scan at init had read the chain, or 'all ones'
		 * would have come first. */
		.id = DIAG_SWD_COMM_ERRORS, .name = "comm-errors-ack-ones",
		.confidence = DIAG_CONF_MEDIUM, .priority = 44,
		.any = { "Invalid ACK (\\(7\\)|0x7 )" },
		COMM_YIELDS,
		.cause = CAUSE_COMM,
		.fix = FIX_COMM,
		.source = "'Invalid ACK (%1x) in DAP response' (src/target/adi_v5_jtag.c, "
		          "jtagdp_overrun_check, 0.10-0.12; 'Invalid ACK %#x in JTAG-DP "
		          "transaction', jtagdp_transaction_endcheck, 0.9): ACK 7 is TDO read "
		          "high, 2 is OK/FAULT and 1 WAIT",
	},
	{
		/* One WAIT is the core being busy; a run of them, or a Cortex-M read back with no
		 * breakpoint unit at all (every M0-M7 has at least two), is a link that
		 * returns stalls and zeros. */
		.id = DIAG_SWD_COMM_ERRORS, .name = "comm-errors-stalls",
		.confidence = DIAG_CONF_MEDIUM, .priority = 42,
		.show = { "DAP transaction stalled \\(WAIT\\)", "hardware has 0 breakpoints" },
		.check = chk_stalls,
		COMM_YIELDS,
		.cause = CAUSE_COMM,
		.fix = FIX_COMM,
		.source = "'DAP transaction stalled (WAIT) - slowing down' (src/target/"
		          "adi_v5_jtag.c, jtagdp_transaction_endcheck; 0.10-0.12) and '%s: hardware "
		          "has %d breakpoints, %d watchpoints' (src/target/cortex_m.c, "
		          "cortex_m_examine)",
	},
	{
		.id = DIAG_SWD_COMM_ERRORS, .name = "comm-errors-soft",
		.confidence = DIAG_CONF_MEDIUM, .priority = 40,
		.any = { "Previous state query failed", "examination failed",
		         "Polling target .* failed", "libusb_bulk_(write|read) error",
		         "LIBUSB_ERROR_(PIPE|IO|TIMEOUT|OVERFLOW)", "Failed to read memory at 0x[eE]",
		         "Cortex-M PARTNO 0x0 is unrecognized", "TARGET: [^ ]+ - Not examined",
		         "Fail reading CTRL/STAT register" },
		/* dfu-util's own libusb errors (a DFU download over USB) have no SWD link; a
		 * RISC-V DTM that read zeros or a bogus version already says why examination
		 * failed */
		.none = { "^dfu-util [0-9]+\\.[0-9]+", "dfu-util: ", "dtmcontrol is 0",
		          "Unsupported DTM version" },
		COMM_YIELDS,
		.cause = CAUSE_COMM,
		.fix = FIX_COMM,
		.source = "'Previous state query failed, trying to reconnect' (src/jtag/drivers/"
		          "stlink_usb.c, stlink_usb_state); 'target %s examination failed' "
		          "(src/target/target.c, target_examine); 'Polling target %s failed, trying "
		          "to reexamine' (target.c, handle_target); libusb_helper.c bulk errors",
	},
	{
		/* Readout protection guards flash, never the peripheral registers: a failed read
		 * of one (0x4000_0000-0x5fff_ffff, or a flash controller's status) is the link or
		 * the bus, on any vendor's part. */
		.id = DIAG_SWD_COMM_ERRORS, .name = "comm-errors-register-reads",
		.confidence = DIAG_CONF_MEDIUM, .priority = 38,
		.any = { "Failed to read memory at 0x[45][0-9a-f]{7}", "read_memory: read at "
		         "0x[45][0-9a-f]{7} .*failed", "Can't read NVM (status|intflag)" },
		.yield_to = { DIAG_TARGET_UNPOWERED, DIAG_SWD_UNREACHABLE, DIAG_VENDOR_PROTECTED,
		              DIAG_PROBE_NOT_FOUND, DIAG_WRONG_TARGET_CONFIG, DIAG_UNSUPPORTED_DEVICE },
		.n_yield = 6,
		.cause = CAUSE_COMM,
		.fix = FIX_COMM,
		.source = "'Failed to read memory at 0x%8.8x' (src/target/target.c, target_read_"
		          "memory callers, 0.11+); 'Can't read NVM status' (src/flash/nor/at91samd.c, "
		          "samd_check_error): a peripheral register read, which no flash protection "
		          "refuses",
	},
	{
		/* Flash reads that fail look the same whether RDP or a bad link refused them;
		 * without the option bytes the link stays a (lesser) reading. */
		.id = DIAG_SWD_COMM_ERRORS, .name = "comm-errors-read-errors",
		.confidence = DIAG_CONF_LOW, .priority = 30,
		.any = { "error reading to flash at address", "^(Error: *)?Read error",
		         "Flash read error" },
		.check = chk_comm_from_reads,
		.cause = CAUSE_COMM,
		.fix = FIX_COMM,
		.source = "'error reading to flash at address %s at offset 0x%8.8x' (src/flash/nor/"
		          "core.c, flash_driver_read): any failed read, a protected chip's or a noisy "
		          "link's",
	},
	{
		.id = DIAG_SWD_COMM_ERRORS, .name = "rescued-lower-speed",
		.confidence = DIAG_CONF_HIGH, .priority = 65,
		.check = chk_rescued_speed,
		.cause = "the SWD link works only at a lower clock (long or loose wires, missing "
		         "ground, a slow or noisy target)",
		.fix = "use the --speed that worked next time (shown above), or shorten the wires "
		       "and connect GND to run faster",
		.source = "the connection attempts swdbackup made",
	},
	{
		.id = DIAG_SWD_COMM_ERRORS, .name = "comm-errors-attempts",
		.confidence = DIAG_CONF_MEDIUM, .priority = 40,
		.check = chk_comm_attempts,
		.cause = CAUSE_COMM,
		.fix = FIX_COMM,
		.source = "the connection attempts swdbackup made",
	},

#include "diag/rules_id.inc"

#include "diag/rules_prot.inc"

#include "diag/rules_tgt.inc"

	/* ---- verify ---- */
	{
		.id = DIAG_VERIFY_MISMATCH, .name = "verify-mismatch-log",
		.confidence = DIAG_CONF_HIGH, .priority = 50,
		.any = { "contents differ", "diff [0-9]+ address 0x", "Verification error address",
		         "verify failed" },
		.check = chk_verify_after_refusal,
		.yield_to = { DIAG_READOUT_PROTECTED, DIAG_UNSUPPORTED_DEVICE, DIAG_WRITE_PROTECTED },
		.n_yield = 3,
		.cause = "what is on the device differs from the image",
		.fix = "if you just wrote it, write it again ('swdbackup restore --profile P IMAGE'); "
		       "'swdbackup verify' shows the first differing address and how many "
		       "pages/sectors differ; a mismatch only past the image's end is padding, not "
		       "an error",
		.source = "'contents differ' (src/flash/nor/tcl.c, handle_flash_verify_bank_command, "
		          "0.10+); 'diff %d address 0x%08x. Was 0x%02x instead of 0x%02x' "
		          "(src/target/target.c, handle_verify_image_command_internal; same in "
		          "0.9-0.12); 'Verification error address' (src/flash/nor/tcl.c, "
		          "handle_flash_fill_command); 'verify failed in bank at' (src/flash/nor/"
		          "core.c, flash_driver_verify, 0.11+)",
	},
	{
		/* verify_image_checksum compares the CRCs only: its mismatch is the verdict. */
		.id = DIAG_VERIFY_MISMATCH, .name = "verify-checksum-only",
		.confidence = DIAG_CONF_HIGH, .priority = 50,
		.any = { "checksum mismatch *$" },
		.check = chk_verify_after_refusal,
		.yield_to = { DIAG_READOUT_PROTECTED, DIAG_UNSUPPORTED_DEVICE, DIAG_WRITE_PROTECTED },
		.n_yield = 3,
		.cause = "the CRC of the device's content differs from the image's",
		.fix = "run 'swdbackup verify --profile P IMAGE' to see where it differs; write "
		       "the image again if it should match",
		.source = "'checksum mismatch' (src/target/target.c, "
		          "handle_verify_image_command_internal with IMAGE_CHECKSUM_ONLY, 0.10+)",
	},
	{
		.id = DIAG_VERIFY_MISMATCH, .name = "verify-checksum-log",
		.confidence = DIAG_CONF_MEDIUM, .priority = 50,
		.any = { "checksum mismatch" },
		/* the binary compare, or the verify of a 'program ... preverify verify' that
		 * then wrote the image, passed */
		.none = { "^verified [0-9]+ bytes", "\\*\\* Verified OK \\*\\*" },
		.check = chk_checksum_not_preverify,
		.yield_to = { DIAG_READOUT_PROTECTED, DIAG_UNSUPPORTED_DEVICE },
		.n_yield = 2,
		.cause = "the CRC of the device's content differs from the image's",
		.fix = "run 'swdbackup verify --profile P IMAGE' to see where it differs; write "
		       "the image again if it should match",
		.source = "'checksum mismatch' (src/target/target.c, "
		          "handle_verify_image_command_internal; same in 0.9-0.12; followed by a "
		          "binary compare that may still pass)",
	},
	{
		.id = DIAG_VERIFY_MISMATCH, .name = "verify-mismatch-fact",
		.confidence = DIAG_CONF_HIGH, .priority = 50,
		.check = chk_verify_differ,
		.cause = "what is on the device differs from the image",
		.fix = "write it again ('swdbackup restore --profile P IMAGE'); if it keeps "
		       "differing at the same place, that page/sector may be worn or write-protected "
		       "('swdbackup info' shows WRP)",
		.source = "swdbackup's own digest comparison",
	},
	{
		.id = DIAG_VERIFY_PADDING_ONLY, .name = "verify-padding-fact",
		.confidence = DIAG_CONF_HIGH, .priority = 50,
		.check = chk_verify_padding,
		.cause = "the device holds exactly the image and the rest of the flash is erased "
		         "(0xFF): the image is shorter than the flash, nothing is wrong",
		.fix = "nothing to do; to compare whole flash images, pad the image with 0xFF to "
		       "the flash size",
		.source = "swdbackup's own digest comparison",
	},
#include "diag/rules_alt.inc"
};

const size_t diag_n_rules = sizeof(diag_rules) / sizeof(diag_rules[0]);

bool diag_id_is_retryable(enum diag_id id)
{
	switch (id) {
	case DIAG_SWD_UNREACHABLE:
	case DIAG_TARGET_LOW_POWER:
	case DIAG_SWD_COMM_ERRORS:
	case DIAG_CORE_HALT_TIMEOUT:
	case DIAG_UNKNOWN:
		return true;
	default:
		return false;
	}
}
