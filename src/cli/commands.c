/* commands.c - the command table: names, accepted options and --help texts. */
#include "cli/cli.h"

#include <signal.h>
#include <string.h>

volatile sig_atomic_t cli_interrupted;

static void on_signal(int sig)
{
	(void)sig;
	cli_interrupted = 1;
}

void cli_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

#define BOARD_HELP \
	"  --profile P            target profile: a name (see 'swdbackup profiles') or a JSON file\n" \
	"  --probe SPEC           sim | sim:FILE | stlink-tcp:PORT | a USB probe serial |\n" \
	"                         dfu[:SERIAL|VID:PID]: the board's own USB DFU bootloader\n" \
	"                         through dfu-util (backup, restore, verify, info)\n" \
	"                         (default: the one USB ST-LINK attached)\n" \
	"  --interface I          OpenOCD interface for USB probes: stlink, cmsis-dap, jlink\n" \
	"  --openocd PATH         the OpenOCD executable (default: openocd on PATH)\n" \
	"  --dfu-util PATH        the dfu-util executable, with --probe dfu (default: on PATH)\n" \
	"  --speed KHZ            adapter speed (default: the profile's)\n" \
	"  --connect-under-reset  hold NRST while connecting (firmware that disables SWD)\n" \
	"  --strict               refuse clone IDCODEs instead of noting them\n" \
	"  --wait[=SECONDS]       when another swdbackup run holds the probe, wait for it (up to\n" \
	"                         SECONDS) instead of failing at once with exit 5\n"

/* The commands that run many boards at once (cli/fleet.h). */
#define FLEET_HELP \
	"  --probe all|S1,S2,...  every attached probe of the --interface's kind, or these probes\n" \
	"                         (serials, sim:FILE, stlink-tcp:PORT): one run per board, all at\n" \
	"                         once; a line per board on a terminal, then a table; -o DIR holds\n" \
	"                         one directory per board, <profile>-<probe>-<UTC time>\n" \
	"  --junit FILE           with several probes: a JUnit XML report, one test case per board\n" \
	"                         (with several probes the exit status is 0 when every board\n" \
	"                         succeeded, else the most severe of theirs, in this order:\n" \
	"                         130, 9, 4, 2, 3, 8, 7, 6, 5, 1)\n"

#define COMMON_HELP \
	"  --json                 print one JSON document on stdout (with timing per step;\n" \
	"                         its schema is share/swdbackup/schema/report.schema.json)\n" \
	"  -v, --verbose          pass OpenOCD's log through on stderr\n" \
	"  -h, --help             show this help\n"

static const struct cli_command table[] = {
	{ "backup", cmd_backup, CLI_O_BOARD | CLI_O_JUNIT | CLI_O_OUTPUT | CLI_O_FORCE,
	  "read flash, option bytes and OTP into a verified bundle (the default command)",
	  "usage: swdbackup [backup] --profile P [--probe SPEC] [-o DIR] [options]\n"
	  "\n"
	  "Identifies the device, reads all of flash, the option bytes and (where the part has it)\n"
	  "OTP, verifies what was read against the device, and writes a bundle directory\n"
	  "(default name <profile>-<uid>-<UTC time>) holding flash.bin, option-bytes.bin, otp.bin,\n"
	  "manifest.json, SHA256SUMS and MD5SUMS, and flash-map.svg: a picture of what each page or\n"
	  "sector holds. With --probe dfu on a board profile (particle-photon, spark-core),\n"
	  "dfu-util starts reading at once and the device is listed and checked against the\n"
	  "profile while it starts; a device that is not the profile's stops it, nothing kept.\n"
	  "\n"
	  BOARD_HELP
	  FLEET_HELP
	  "  -o, --output DIR       the bundle directory to create\n"
	  "  --force                replace DIR if it exists\n"
	  COMMON_HELP },
	{ "restore", cmd_restore, CLI_O_BOARD | CLI_O_JUNIT | CLI_O_FORCE | CLI_O_NO_SAFETY | CLI_O_SAFETY_FULL | CLI_O_OPTION_BYTES |
	  CLI_O_OUTPUT | CLI_O_BACKUP_DOMAIN | CLI_O_ADDRESS,
	  "program a bundle or an image (.bin/.hex/.elf/.srec), after a safety backup",
	  "usage: swdbackup restore --profile P [--probe SPEC] [options] SOURCE\n"
	  "\n"
	  "SOURCE is a bundle directory (or its manifest.json) or an image (.bin at the flash base,\n"
	  ".hex, .elf, .srec/.s19/.s28/.s37/.mot; another name is identified by content). Refuses\n"
	  "before touching the board an image that does not fit, an empty one, a bundle from\n"
	  "another device, and a .bin whose vector table cannot belong to this part. Compares each\n"
	  "page or sector the image covers with the board by an on-target CRC-32, saves a safety\n"
	  "bundle of the current contents, then erases and programs only what differs (nothing\n"
	  "when the image is already there), checks what it wrote by on-target CRC-32, resets and\n"
	  "runs. On F2/F4 with a target voltage of at least the profile's x32 limit (2.7 V) it\n"
	  "erases and programs at PSIZE x32 by its own routine in SRAM, about twice OpenOCD's\n"
	  "speed; below it, on F1, or when the routine cannot run, OpenOCD's driver does, and the\n"
	  "run says which and why. A flash error flag stops it with the flag, the address and\n"
	  "what each sector now holds. If the write stops part-way, it says which pages/sectors\n"
	  "may be erased or half-programmed and prints the command that restores the safety\n"
	  "bundle.\n"
	  "\n"
	  BOARD_HELP
	  FLEET_HELP
	  "  --force                program a .bin whose vector table does not fit this part\n"
	  "  --no-safety-backup     skip the safety bundle\n"
	  "  --safety-backup=full   read all of flash into it, also where the image is already\n"
	  "                         there (by default those pages/sectors come from the image)\n"
	  "  -o, --output DIR       where to write the safety bundle (default: a new directory in\n"
	  "                         $XDG_STATE_HOME/swdbackup/safety, ~/.local/state/swdbackup/safety)\n"
	  "  --option-bytes         also write the bundle's option bytes\n"
	  "  --backup-domain        also write the bundle's backup SRAM and backup registers\n"
	  "  --address ADDR         where a .bin starts (default: the flash base), e.g. 0x08004000\n"
	  COMMON_HELP },
	{ "verify", cmd_verify, CLI_O_BOARD | CLI_O_JUNIT | CLI_O_BACKUP_DOMAIN | CLI_O_ADDRESS,
	  "compare the device with a bundle or an image",
	  "usage: swdbackup verify --profile P [--probe SPEC] [options] SOURCE\n"
	  "\n"
	  "Compares the device with a bundle or an image and prints MD5 and SHA-256 of both sides.\n"
	  "An image shorter than flash matches when the rest of flash is erased. On a mismatch it\n"
	  "shows the first differing address and how many pages or sectors differ (exit 1).\n"
	  "\n"
	  BOARD_HELP
	  FLEET_HELP
	  "  --backup-domain        also compare the bundle's backup SRAM and backup registers\n"
	  "  --address ADDR         where a .bin starts (default: the flash base), e.g. 0x08004000\n"
	  COMMON_HELP },
	{ "info", cmd_info, CLI_O_BOARD | CLI_O_JUNIT | CLI_O_MAP,
	  "probe, target voltage, identity, flash size, protection, used extent",
	  "usage: swdbackup info --profile P [--probe SPEC] [--map] [options]\n"
	  "\n"
	  BOARD_HELP
	  FLEET_HELP
	  "  --map                  show what each page or sector holds: code, data, erased,\n"
	  "                         write-protected\n"
	  COMMON_HELP },
	{ "reset", cmd_reset, CLI_O_BOARD | CLI_O_JUNIT | CLI_O_HALT,
	  "reset the target and let it run (or --halt)",
	  "usage: swdbackup reset --profile P [--probe SPEC] [--halt] [options]\n"
	  "\n"
	  BOARD_HELP
	  FLEET_HELP
	  "  --halt                 leave the core halted after the reset\n"
	  COMMON_HELP },
	{ "rescue", cmd_rescue, CLI_O_BOARD | CLI_O_OUTPUT | CLI_O_NO_SAFETY | CLI_O_FORCE | CLI_O_OPTION_BYTES |
	  CLI_O_UNLOCK | CLI_O_ERASE | CLI_O_FACTORY,
	  "bring a bricked board back: find what bricks it, fix it with consent, restore SOURCE",
	  "usage: swdbackup rescue --profile P [--probe SPEC] [--unlock] [--erase] [--factory-options]\n"
	  "                        [options] [SOURCE]\n"
	  "\n"
	  "Connects every way there is (as usual, under reset, at lower speeds), identifies the\n"
	  "target and reads its option bytes for what bricks a board: readout protection, write\n"
	  "protection, the hardware watchdog, reset on Stop or Standby, a brown-out level above the\n"
	  "supply, a firmware that turns SWD off. Each fix needs its own flag; without it nothing is\n"
	  "changed, and the plan and the exact command that carries it out are printed (exit 7 when\n"
	  "protection stands in the way, 6 when the target is unreachable). With the flags: a safety\n"
	  "bundle of what can be read, the fixes, then SOURCE (a bundle or an image) restored and\n"
	  "verified. Readout protection level 2 is never set.\n"
	  "\n"
	  BOARD_HELP
	  "  --unlock               lift readout protection level 1 (the chip erases all of flash)\n"
	  "  --erase                mass-erase the flash (a firmware that disables SWD at once)\n"
	  "  --factory-options      option bytes back to factory values (readout protection kept)\n"
	  "  --option-bytes         also write the SOURCE bundle's option bytes\n"
	  "  --force                program a .bin whose vector table does not fit this part\n"
	  "  --no-safety-backup     skip the safety bundle\n"
	  "  -o, --output DIR       where to write the safety bundle (default: a new directory in\n"
	  "                         $XDG_STATE_HOME/swdbackup/safety, ~/.local/state/swdbackup/safety)\n"
	  COMMON_HELP },
	{ "erase", cmd_erase, CLI_O_BOARD | CLI_O_OUTPUT | CLI_O_NO_SAFETY | CLI_O_MASS | CLI_O_SECTOR | CLI_O_YES,
	  "erase all of flash or some sectors, after a safety backup and with consent",
	  "usage: swdbackup erase --profile P [--probe SPEC] (--mass | --sector N[-M]) [--yes] [options]\n"
	  "\n"
	  "Saves a safety bundle, says what will be lost and asks for 'yes' on a terminal (without a\n"
	  "terminal it needs --yes, else it refuses with exit 2), erases, and reads back to check\n"
	  "that the range is erased. Sectors (F2/F4) and pages (F1) are numbered as 'flash info'\n"
	  "numbers them. A read- or write-protected range is refused (exit 7).\n"
	  "\n"
	  BOARD_HELP
	  "  --mass                 erase all of flash\n"
	  "  --sector N[-M]         erase sectors (pages on F1) N to M\n"
	  "  --yes                  consent without a prompt\n"
	  "  --no-safety-backup     skip the safety bundle\n"
	  "  -o, --output DIR       where to write the safety bundle (default: a new directory in\n"
	  "                         $XDG_STATE_HOME/swdbackup/safety, ~/.local/state/swdbackup/safety)\n"
	  COMMON_HELP },
	{ "unlock", cmd_unlock, CLI_O_BOARD | CLI_O_YES,
	  "lift readout protection level 1 (the chip erases all of flash), with consent",
	  "usage: swdbackup unlock --profile P [--probe SPEC] [--yes] [options]\n"
	  "\n"
	  "Says that all of flash will be lost (it cannot be saved first: a protected flash cannot\n"
	  "be read), asks for 'yes' on a terminal (without one it needs --yes, else exit 2), sets\n"
	  "readout protection to level 0, resets, and checks the level. Level 2 is permanent and is\n"
	  "refused (exit 7). A board that is not protected is left alone (exit 0).\n"
	  "\n"
	  BOARD_HELP
	  "  --yes                  consent without a prompt\n"
	  COMMON_HELP },
	{ "profiles", cmd_profiles, 0,
	  "list profiles, show one, or check a profile file",
	  "usage: swdbackup profiles [list | show NAME | check FILE] [--json]\n"
	  "\n"
	  "Profiles come from the installed profiles folder, $XDG_CONFIG_HOME/swdbackup/profiles,\n"
	  "or a path given as NAME.\n"
	  "\n"
	  COMMON_HELP },
	{ "probes", cmd_probes, 0,
	  "list the debug probes attached over USB, who may open them and which run holds them",
	  "usage: swdbackup probes [--json]\n"
	  "\n"
	  "Lists ST-LINK (V2, V2-1, V3), CMSIS-DAP (v1, v2: by interface string), J-Link and USB DFU\n"
	  "devices (0483:df11, 2b04:d006, 1d50:607f) through libusb: kind, VID:PID, serial, USB path\n"
	  "(bus-port.port, as in /sys/bus/usb/devices), whether this user may open it, and whether a\n"
	  "swdbackup run holds it now (pid, command, since when; from its lock) or another program\n"
	  "has its interface. Nothing attached is not an error (exit 0, with a hint).\n"
	  "\n"
	  COMMON_HELP },
	{ "diagnose", cmd_diagnose, CLI_O_BOARD | CLI_O_LOG,
	  "check OpenOCD, probe, power and connection step by step, or classify a saved log",
	  "usage: swdbackup diagnose [--profile P] [--probe SPEC] [options]\n"
	  "       swdbackup diagnose --log FILE|-\n"
	  "\n"
	  "Runs the check list (OpenOCD, probe, USB permission, probe busy, target voltage,\n"
	  "connect normally, under reset, at lower speed, identity, RDP/WRP, flash size) and ends\n"
	  "with the findings. With --log, classifies an OpenOCD log instead ('-' reads stdin): a\n"
	  "paste reads as the clean log, with IDE, gdb and build-tool lines around it, CRLF,\n"
	  "colour, timestamps, gdb/MI records, quoting, a BOM, typographic quotes or their\n"
	  "mojibake, 80-column wraps, or a cut last line (then it may read 'unknown'); each\n"
	  "finding shows the lines it is based on, the one that decided first, and a log nothing\n"
	  "explains reads 'unknown' with its error lines (or, when it just stops, its last line).\n"
	  "Another vendor's protection (nRF APPROTECT, SAM NVM lock, Kinetis security) reads\n"
	  "'vendor-protected', never RDP. dfu-util's output is read too. USB failures are read by\n"
	  "the host the log shows (Windows drive and MSYS paths, cmd.exe's words, libusb errors\n"
	  "only Windows gives; macOS paths and Homebrew; Linux udev, prompts and sudo prompt; a\n"
	  "sudo or Unix path rules out Windows): a device found but not opened is a driver on\n"
	  "Windows and a udev rule on Linux, never 'no device'. The OpenOCD\n"
	  "build is read against the hardware (a driver without the SWD sequence a part needs, a\n"
	  "SPI flash chip its table lacks: too old), and a DFU device that fails a request reads\n"
	  "'unknown' with its line, above a suffix warning, unless the refused page lies in the\n"
	  "flash of another MCU family than the device's (an image built for another board). A\n"
	  "probe that left the bus is read before the connect failures it causes; a device found\n"
	  "with the ids asked for is never 'no device'. Adapters beyond ST-LINK, CMSIS-DAP,\n"
	  "J-Link and FTDI (GPIO on a Raspberry Pi, remote_bitbang, XDS110, Nu-Link, Bus Pirate,\n"
	  "...) are read by their drivers' words: a GPIO, serial or parallel port refused needs a\n"
	  "group or root, not a udev rule. A probe that cannot do the transport asked for (a\n"
	  "CMSIS-DAP without JTAG, read with the release; an old J-Link or ST-LINK firmware) is\n"
	  "its driver, and dfu-util's failed reset after a finished download is the leave quirk.\n"
	  "A failure printed after its cause (a verify mismatch\n"
	  "after a refused write or a link failure, an unidentified part after a link failure)\n"
	  "stays below that cause, never high. The console of a program that ran OpenOCD (VS Code cortex-debug,\n"
	  "Eclipse/STM32CubeIDE, PlatformIO, Arduino, west, make, gdb) is read too: its wrappers\n"
	  "are taken off, its own causes (openocd not found, a DLL missing, a port taken) are\n"
	  "read, and its 'OpenOCD failed' lines never decide over OpenOCD's own. Vendor forks'\n"
	  "own words are read too (Raspberry Pi's picoprobe, WCH-Link, Artery AT32, GD32VF103,\n"
	  "the RISC-V forks, OpenOCD 0.5-0.8), and a stock OpenOCD given a config for a fork's\n"
	  "driver or target names the fork whose build it needs. The flash side's numbers are\n"
	  "read by bit: a flash status register's WRPERR ('flash write failed = ...': write\n"
	  "protection, RDP the lower reading), the F1 option byte register's RDP bit, a bank\n"
	  "read or verify past the flash size the chip reports (flash-size-mismatch, medium).\n"
	  "Exit 0 once the log is read, whatever it shows (the finding is in the output and in\n"
	  "--json); 3 when it cannot be read.\n"
	  "\n"
	  BOARD_HELP
	  "  --log FILE             classify a saved OpenOCD log ('-' for stdin)\n"
	  COMMON_HELP },
	{ NULL, NULL, 0, NULL, NULL },
};

const struct cli_command *cli_commands(void)
{
	return table;
}

const struct cli_command *cli_command_find(const char *name)
{
	for (const struct cli_command *c = table; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}
