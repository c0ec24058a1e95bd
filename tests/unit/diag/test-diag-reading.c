/* Unit tests for how src/diag reads a log as an expert would: another vendor's protection
 * is never STM32 RDP/WRP, the same words read by platform, a peripheral read that fails is
 * the link, an old banner is no excuse for an error line nothing explains. Each log here is
 * built from OpenOCD's own messages (the rule that reads it cites the source). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "diag/diag.h"
#include "diag/rules.h"
#include "diag-top.h"

/* nRF, SAM and Kinetis locks are the vendor's own, at high confidence, with no STM32
 * protection reading anywhere in the report. */
static void test_vendor_protection_is_not_rdp(void **state)
{
	(void)state;
	static const char *const logs[] = {
		"Info : SWD DPIDR 0x2ba01477\n"
		"Error: [nrf52.cpu] Could not find MEM-AP to control the core\n"
		"****** WARNING ******\n"
		"nRF52 device has AP lock engaged (see UICR APPROTECT register).\n"
		"Warn : target nrf52.cpu examination failed\n",
		"Info : nRF51822-QFAC(build code: A1) 256kB Flash\n"
		"Error: Cannot erase protected sector at 0x0\n"
		"Error: failed erasing sectors 0 to 18\n",
		"Info : SAMD MCU: SAMD21G18A (256KB Flash, 32KB RAM)\n"
		"Error: SAMD: NVM lock error\n"
		"Error: Failed to erase row containing 00000000\n"
		"Error: failed erasing sectors 0 to 7\n",
		"Error: SAM: NVM lock error\n"
		"Error: Failed to erase block containing 00804000\n",
		"Warn : **** Your Kinetis MCU is in secured state, which means that,  ****\n"
		"Error: [kx.cpu] Could not find MEM-AP to control the core\n",
	};
	for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
		enum diag_confidence conf;
		assert_int_equal(top_of(logs[i], &conf), DIAG_VENDOR_PROTECTED);
		assert_int_equal(conf, DIAG_CONF_HIGH);
		assert_false(top_lists(logs[i], DIAG_READOUT_PROTECTED));
		assert_false(top_lists(logs[i], DIAG_WRITE_PROTECTED));
	}
	assert_string_equal(diag_id_name(DIAG_VENDOR_PROTECTED), "vendor-protected");
	assert_int_equal(diag_id_exit_code(DIAG_VENDOR_PROTECTED),
	                 diag_id_exit_code(DIAG_READOUT_PROTECTED));
}

/* The notice every nRF52 session through an ST-LINK prints names APPROTECT but is no
 * evidence of it. */
static void test_nrf52_hla_notice_is_not_evidence(void **state)
{
	(void)state;
	const char *log =
		"nRF52 device has a CTRL-AP dedicated to recover the device from AP lock.\n"
		"A high level adapter (like a ST-Link) you are currently using cannot access\n"
		"the CTRL-AP so 'nrf52_recover' command will not work.\n"
		"Do not enable UICR APPROTECT.\n"
		"Info : STLINK V2J37S7 (API v2) VID:PID 0483:3748\n"
		"Info : Target voltage: 3.091907\n"
		"Info : nrf52.cpu: hardware has 6 breakpoints, 4 watchpoints\n";
	assert_false(top_lists(log, DIAG_VENDOR_PROTECTED));
}

/* On a non-STM32 part a plain erase failure is not read as RDP or WRP. */
static void test_stm32_protection_stands_down_on_other_parts(void **state)
{
	(void)state;
	const char *stm32 = "Info : device id = 0x20036410\n"
	                    "Error: failed erasing sectors 0 to 2\n";
	assert_true(top_lists(stm32, DIAG_WRITE_PROTECTED));
	const char *lpc = "Info : lpc1768.cpu: hardware has 6 breakpoints, 4 watchpoints\n"
	                  "Error: failed erasing sectors 0 to 2\n";
	assert_false(top_lists(lpc, DIAG_WRITE_PROTECTED));
	assert_false(top_lists(lpc, DIAG_READOUT_PROTECTED));
}

/* STM32's option-byte words from a driver that reads another vendor's part (Nuclei's
 * gd32vf103.c 'Device Security Bit Set', stm32f1x's 'read protection: on' on a GD32VF103)
 * are that part's protection; on an STM32 they stay RDP. */
static void test_option_words_on_other_parts(void **state)
{
	(void)state;
	static const char *const words[] = { "Info : Device Security Bit Set\n",
		                             "read protection: on\n" };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		char log[256];
		snprintf(log, sizeof(log), "Info : [gd32vf103.cpu] Examined RISC-V core\n%s",
		         words[i]);
		assert_top(log, DIAG_VENDOR_PROTECTED, DIAG_CONF_HIGH);
		assert_false(top_lists(log, DIAG_READOUT_PROTECTED));
		snprintf(log, sizeof(log), "Info : device id = 0x10016413\n%s", words[i]);
		assert_top(log, DIAG_READOUT_PROTECTED, DIAG_CONF_HIGH);
	}
}

/* 0.9-0.10 print "unable to open CMSIS-DAP device 0x..:0x.." once the HID list has the
 * probe: on Linux its hidraw node is not the user's, on Windows another program has it. A
 * probe that is not there reads "unable to find CMSIS-DAP device". */
static void test_cmsis_dap_hid_open_by_platform(void **state)
{
	(void)state;
	enum diag_confidence conf;
	assert_int_equal(top_of("Error: unable to open CMSIS-DAP device 0xd28:0x204\n", &conf),
	                 DIAG_USB_PERMISSION);
	assert_int_equal(conf, DIAG_CONF_MEDIUM);
	assert_int_equal(top_of("C:\\tools\\openocd.exe -f board.cfg\n"
	                        "Error: unable to open CMSIS-DAP device 0xd28:0x204\n",
	                        NULL),
	                 DIAG_PROBE_BUSY);
	assert_int_equal(top_of("Error: unable to find CMSIS-DAP device\n", NULL),
	                 DIAG_PROBE_NOT_FOUND);
}

/* An FTDI probe OpenOCD cannot find: mpsse.c opens each device of the VID:PID and logs a
 * failed open first, and libusb lists every device on Windows too, so a bare "no device
 * found" is no match there as well; with the vendor's driver bound, libusb_open's
 * NOT_FOUND (a composite FT2232) comes before it and decides. */
static void test_ftdi_not_found_by_platform(void **state)
{
	(void)state;
	enum diag_confidence conf;
	const char *tail = "Error: no device found\n"
	                   "Error: unable to open ftdi device with vid 0403, pid 6010, "
	                   "description '*', serial '*' at bus location '*'\n";
	assert_int_equal(top_of(tail, NULL), DIAG_PROBE_NOT_FOUND);
	char win[512];
	snprintf(win, sizeof(win), "D:\\esp\\esp-idf>openocd -f board\\esp32-wrover-kit.cfg\n%s",
	         tail);
	assert_int_equal(top_of(win, &conf), DIAG_PROBE_NOT_FOUND);
	assert_int_equal(conf, DIAG_CONF_MEDIUM);
	snprintf(win, sizeof(win), "D:\\esp\\esp-idf>openocd -f board\\esp32-wrover-kit.cfg\n"
	         "Error: libusb_open() failed with LIBUSB_ERROR_NOT_FOUND\n%s", tail);
	assert_int_equal(top_of(win, &conf), DIAG_PROBE_DRIVER_MISSING);
	assert_int_equal(conf, DIAG_CONF_HIGH);
}

/* The shell's own words for a missing OpenOCD, wherever it ran. */
static void test_openocd_missing_in_each_shell(void **state)
{
	(void)state;
	static const char *const logs[] = {
		"sh: 1: openocd: not found\n",
		"zsh: command not found: openocd\n",
		"'openocd' is not recognized as an internal or external command,\n",
		"openocd : The term 'openocd' is not recognized as the name of a cmdlet, function\n",
		"Der Befehl \"openocd\" ist entweder falsch geschrieben oder\n",
	};
	for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++)
		assert_int_equal(top_of(logs[i], NULL), DIAG_OPENOCD_MISSING);
}

/* A failed read of a peripheral register is the link, never protection. */
static void test_register_read_is_link(void **state)
{
	(void)state;
	const char *log = "Error: Failed to read memory at 0x40022010\n"
	                  "Error: error writing to flash at address 0x08000000 at offset "
	                  "0x00000000\n";
	assert_int_equal(top_of(log, NULL), DIAG_SWD_COMM_ERRORS);
	assert_false(top_lists(log, DIAG_READOUT_PROTECTED));
}

/* An old banner alone does not explain an error line: that is "unknown", shown with the
 * line; a subcommand the old OpenOCD lacks does name the version. */
static void test_old_banner_is_no_explanation(void **state)
{
	(void)state;
	const char *odd = "Open On-Chip Debugger 0.10.0\n"
	                  "Unexpected command line argument: atsamv gpnvm set 1\n";
	struct diag_report *r = diag_classify_log(odd);
	assert_non_null(r);
	assert_int_equal(r->findings[0].id, DIAG_UNKNOWN);
	assert_true(r->findings[0].n_evidence >= 1);
	assert_non_null(strstr(r->findings[0].evidence[0], "Unexpected command line argument"));
	diag_report_free(r);
	enum diag_confidence conf;
	assert_int_equal(top_of("Open On-Chip Debugger 0.10.0\n"
	                        "Error: invalid subcommand \"driver ftdi\"\n",
	                        &conf),
	                 DIAG_OPENOCD_TOO_OLD);
	assert_int_equal(conf, DIAG_CONF_HIGH);
	/* 0.11 has 'adapter driver': the same words there are not about the version. */
	assert_false(top_lists("Open On-Chip Debugger 0.11.0\n"
	                   "Error: invalid subcommand \"driver ftdi\"\n",
	                   DIAG_OPENOCD_TOO_OLD));
}

/* A stock script missing from an OpenOCD older than the release that added it names the
 * version; one the release already had is a search path or spelling problem. */
static void test_missing_script_against_release(void **state)
{
	(void)state;
	enum diag_confidence conf;
	assert_int_equal(top_of("Open On-Chip Debugger 0.10.0\n"
	                        "cfg:1: Error: Can't find board/st_nucleo_l4.cfg\n",
	                        &conf),
	                 DIAG_OPENOCD_TOO_OLD);
	assert_int_equal(conf, DIAG_CONF_HIGH);
	assert_int_equal(top_of("Open On-Chip Debugger 0.9.0-dirty (2017-05-16-18:46)\n"
	                        "cfg:1: Error: Can't find board/st_nucleo_f4.cfg\n",
	                        NULL),
	                 DIAG_CONFIG_NOT_FOUND);
	/* A prefixed name is a path the search cannot resolve, whatever the release. */
	assert_int_equal(top_of("Open On-Chip Debugger 0.10.0\n"
	                        "embedded:startup.tcl:56: Error: Can't find "
	                        "scripts/interface/stlink.cfg\n",
	                        NULL),
	                 DIAG_CONFIG_NOT_FOUND);
	/* No banner: a stock script newer than 0.9 is missing from a broken install or from an
	 * OpenOCD too old to have it; medium, with the other reading below it. A script 0.9
	 * already had, or one's own, stays high. */
	static const char nobanner[] = "cfg:1: Error: Can't find interface/stlink.cfg\n";
	assert_int_equal(top_of(nobanner, &conf), DIAG_CONFIG_NOT_FOUND);
	assert_int_equal(conf, DIAG_CONF_MEDIUM);
	assert_true(top_lists(nobanner, DIAG_OPENOCD_TOO_OLD));
	/* startup.tcl's line dates the release: 60 is 0.9's and 0.10's, which lack a script
	 * 0.11 brought; 26 (0.11) and 28 (0.12) leave the install at fault. */
	static const char line60[] = "embedded:startup.tcl:60: Error: Can't find "
	                             "interface/stlink.cfg\n";
	assert_int_equal(top_of(line60, &conf), DIAG_OPENOCD_TOO_OLD);
	assert_int_equal(conf, DIAG_CONF_MEDIUM);
	assert_true(top_lists(line60, DIAG_CONFIG_NOT_FOUND));
	assert_int_equal(top_of("embedded:startup.tcl:26: Error: Can't find "
	                        "interface/stlink.cfg\n",
	                        NULL),
	                 DIAG_CONFIG_NOT_FOUND);
	/* A script 0.10 already had is not dated by the line. */
	assert_int_equal(top_of("embedded:startup.tcl:60: Error: Can't find "
	                        "interface/stlink-v2.cfg\n",
	                        NULL),
	                 DIAG_CONFIG_NOT_FOUND);
	assert_int_equal(top_of("Error: Can't find target/stm32f1x.cfg\n", &conf),
	                 DIAG_CONFIG_NOT_FOUND);
	assert_int_equal(conf, DIAG_CONF_HIGH);
	assert_false(top_lists("Error: Can't find target/stm32f1x.cfg\n", DIAG_OPENOCD_TOO_OLD));
	assert_int_equal(diag_cfg_added_minor("interface/stlink.cfg"), 11);
	assert_int_equal(diag_cfg_added_minor("target/stm32f1x.cfg"), -1);
	assert_int_equal(diag_cfg_added_minor("my/own.cfg"), -1);
}

/* A RISC-V DTM that reads zeros (or a version no spec has) after a TAP gave a real IDCODE:
 * the wires and power work, so no unreachable target; "unknown" with what sits behind the
 * TAP. With no IDCODE, or all zeros or all ones, the wires stay the reading. */
static void test_riscv_dtm_behind_live_tap(void **state)
{
	(void)state;
	enum diag_confidence conf;
	char log[512];
	static const char *const dtm[] = { "Error: dtmcontrol is 0. Check JTAG connectivity/board "
		                           "power.",
		                           "Error: Unsupported DTM version: 9" };
	for (size_t k = 0; k < 2; k++) {
		snprintf(log, sizeof(log), "Info : JTAG tap: riscv.cpu tap/device found: 0x%08x "
		         "(mfg: 0x049 (Xilinx), part: 0x3631, ver: 0x1)\n%s\n"
		         "Warn : target riscv.cpu examination failed\n", 0x13631093u, dtm[k]);
		assert_int_equal(top_of(log, &conf), DIAG_UNKNOWN);
		assert_false(top_lists(log, DIAG_SWD_UNREACHABLE));
		assert_false(top_lists(log, DIAG_SWD_COMM_ERRORS));
	}
	snprintf(log, sizeof(log), "%s\n", dtm[0]);
	assert_int_equal(top_of(log, &conf), DIAG_SWD_UNREACHABLE);
	assert_int_equal(conf, DIAG_CONF_HIGH);
	snprintf(log, sizeof(log), "Info : JTAG tap: riscv.cpu tap/device found: 0xffffffff "
	         "(mfg: 0x7ff (<invalid>), part: 0xffff, ver: 0xf)\n%s\n", dtm[0]);
	assert_int_equal(top_of(log, NULL), DIAG_SWD_UNREACHABLE);
}

/* dfu-util opens each device while it scans: a refused open of another device than the one
 * it then found and used ("Found DFU: [...]") is no fault of the board's. */
static void test_dfu_refusal_of_another_device(void **state)
{
	(void)state;
	static const char other[] =
		"dfu-util 0.11\n"
		"Cannot open DFU device 0a5c:21e6 found on devnum 3 (LIBUSB_ERROR_ACCESS)\n"
		"Found DFU: [0483:df11] ver=2200, devnum=5, cfg=1, intf=0, path=\"1-1\", alt=0, "
		"name=\"@Internal Flash  /0x08000000/04*016Kg\", serial=\"3276\"\n";
	assert_int_equal(top_of(other, NULL), DIAG_UNKNOWN);
	assert_false(top_lists(other, DIAG_USB_PERMISSION));
	assert_false(top_lists(other, DIAG_PROBE_BUSY));
	static const char same[] =
		"dfu-util 0.11\n"
		"Cannot open DFU device 0483:df11 found on devnum 3 (LIBUSB_ERROR_ACCESS)\n"
		"No DFU capable USB device available\n";
	assert_int_equal(top_of(same, NULL), DIAG_USB_PERMISSION);
}

/* dfu-util 0.11 returns the reset's LIBUSB_ERROR_NOT_FOUND (the device left DFU mode) as
 * its exit status, 251, after a download that went through. */
static void test_dfu_reset_exit_251(void **state)
{
	(void)state;
	enum diag_confidence conf;
	static const char log[] = "Download done.\n"
	                          "Done!\n"
	                          "Resetting USB to switch back to Run-Time mode\n"
	                          "Failed uploading: uploading error: exit status 251\n";
	assert_int_equal(top_of(log, &conf), DIAG_DFU_LEAVE_QUIRK);
	assert_int_equal(conf, DIAG_CONF_HIGH);
	/* the status alone, with no reset after the download, says nothing */
	assert_false(top_lists("Failed uploading: uploading error: exit status 251\n",
	                       DIAG_DFU_LEAVE_QUIRK));
	/* nor does a download that failed before the reset */
	static const char failed[] = "dfu-util: Error during download get_status\n"
	                             "Resetting USB to switch back to Run-Time mode\n"
	                             "Failed uploading: uploading error: exit status 251\n";
	assert_int_equal(top_of(failed, NULL), DIAG_UNKNOWN);
	assert_false(top_lists(failed, DIAG_DFU_LEAVE_QUIRK));
}

/* Readout protection refuses the first read of the flash: a read that failed after the log
 * showed the flash read back (a memory display of it, a bank read) had another cause. */
static void test_flash_read_back_before_failure(void **state)
{
	(void)state;
	static const char alone[] = "Error: Failed to read memory at 0x08000000\n";
	assert_int_equal(top_of(alone, NULL), DIAG_READOUT_PROTECTED);
	static const char shown[] = "0x08000000: 20005000 08000135 0800013d 0800013f\n"
	                            "Error: Failed to read memory at 0x08010000\n";
	assert_false(top_lists(shown, DIAG_READOUT_PROTECTED));
	/* flash read_bank's line (src/flash/nor/tcl.c) names the flash bank it read */
	static const char bank[] = "wrote 65536 bytes to file fw.bin from flash bank 0 at offset "
	                           "0x00000000 in 1.200000s (53.333 KiB/s)\n"
	                           "Error: Failed to read memory at 0x08010000\n";
	assert_false(top_lists(bank, DIAG_READOUT_PROTECTED));
	/* an SRAM display proves nothing about the flash */
	static const char sram[] = "0x20000000: 00000000 00000000\n"
	                           "Error: Failed to read memory at 0x08000000\n";
	assert_int_equal(top_of(sram, NULL), DIAG_READOUT_PROTECTED);
	/* nor does dump_image's line (target.c, handle_dump_image_command), which names no
	 * address: RDP leaves SRAM readable, so a RAM dump then a refused flash read is just
	 * what a protected chip shows */
	static const char dumped[] = "dumped 20480 bytes in 0.400000s (50.000 KiB/s)\n"
	                             "Error: Failed to read memory at 0x08000000\n";
	assert_int_equal(top_of(dumped, NULL), DIAG_READOUT_PROTECTED);
}

/* ST's DFU bootloader refuses a page erase while readout protection is on (or the page is
 * write-protected, the reading below it); another vendor's DfuSe bootloader refuses for
 * reasons of its own. */
static void test_dfu_erase_refused(void **state)
{
	(void)state;
	enum diag_confidence conf;
	static const char bare[] = "dfu-util: ERASE_PAGE not correctly executed\n";
	assert_int_equal(top_of(bare, &conf), DIAG_READOUT_PROTECTED);
	assert_int_equal(conf, DIAG_CONF_MEDIUM);
	assert_true(top_lists(bare, DIAG_WRITE_PROTECTED));
	static const char st[] = "Opening DFU capable USB device...\n"
	                         "ID 0483:df11\n"
	                         "dfu-util: ERASE_PAGE not correctly executed\n";
	assert_int_equal(top_of(st, NULL), DIAG_READOUT_PROTECTED);
	static const char gd[] = "Opening DFU capable USB device...\n"
	                         "ID 28e9:0189\n"
	                         "dfu-util: ERASE_PAGE not correctly executed\n";
	assert_int_equal(top_of(gd, NULL), DIAG_UNKNOWN);
	assert_false(top_lists(gd, DIAG_READOUT_PROTECTED));
	/* a mass erase refused is not read as protection */
	assert_int_equal(top_of("dfu-util: MASS_ERASE not correctly executed\n", NULL),
	                 DIAG_UNKNOWN);
}

/* A probe driver's "can't find a <probe> device!" is the probe missing, not a script;
 * a script name is a config problem; a permission line before it says why. */
static void test_driver_cant_find_probe_is_no_script(void **state)
{
	(void)state;
	const char *pico = "Error: Failed to open or find the device\n"
	                   "Error: Can't find a picoprobe device! Please check device connections "
	                   "and permissions.\n";
	assert_int_equal(top_of(pico, NULL), DIAG_PROBE_NOT_FOUND);
	assert_false(top_lists(pico, DIAG_CONFIG_NOT_FOUND));
	assert_int_equal(top_of("Error: Cannot find jlink Interface! Please check connection and "
	                        "permissions.\n",
	                        NULL),
	                 DIAG_PROBE_NOT_FOUND);
	char denied[256];
	snprintf(denied, sizeof(denied), "Error: libusb_open() failed with LIBUSB_ERROR_ACCESS\n%s",
	         pico);
	assert_int_equal(top_of(denied, NULL), DIAG_USB_PERMISSION);
	assert_int_equal(top_of("embedded:startup.tcl:28: Error: Can't find "
	                        "interface/picoprobe.cfg\n",
	                        NULL),
	                 DIAG_CONFIG_NOT_FOUND);
}

/* Scripts newer than the binary that runs them: a DAP object command, a subcommand met
 * while a script is sourced, a flash driver the binary lacks. */
static void test_scripts_newer_than_binary(void **state)
{
	(void)state;
	enum diag_confidence conf;
	assert_int_equal(top_of("scripts/target/stm32f7x.cfg:155: Error: invalid command name "
	                        "\"stm32f7x.dap\"\nin procedure 'script'\n",
	                        &conf),
	                 DIAG_OPENOCD_TOO_OLD);
	assert_int_equal(conf, DIAG_CONF_HIGH);
	assert_int_equal(top_of("Error: invalid subcommand \"set_enable_virt2phys off\" in "
	                        "procedure 'script'\n",
	                        &conf),
	                 DIAG_OPENOCD_TOO_OLD);
	assert_int_equal(conf, DIAG_CONF_MEDIUM);
	assert_int_equal(top_of("Warn : DEPRECATED: auto-selecting transport \"swd (dapdirect)\". "
	                        "Use 'transport select swd' to suppress this message.\n"
	                        "Error: flash driver 'stm32h5x' not found\n",
	                        &conf),
	                 DIAG_OPENOCD_TOO_OLD);
	assert_int_equal(conf, DIAG_CONF_MEDIUM);
}

/* ST's GDB server (STM32CubeIDE) says a port is taken in its own words; the IDE's "check
 * power and cabling" after it is the cascade. */
static void test_vendor_gdb_server_port(void **state)
{
	(void)state;
	assert_int_equal(top_of("Failed to bind to port 61234, error code -1: No such file or "
	                        "directory\n"
	                        "Failure starting GDB server: TCP port 61234 not available.\n"
	                        "Error in initializing ST-LINK device.\n"
	                        "Reason: (0) Unknown. Please check power and cabling to target.\n",
	                        NULL),
	                 DIAG_PORT_IN_USE);
}

/* A flash driver that cannot address the part comes before the verify it spoils. */
static void test_flash_part_unsupported_before_verify(void **state)
{
	(void)state;
	const char *diff = "contents differ\n"
	                   "diff 0 address 0x00000085. Was 0x10 instead of 0x30\n";
	assert_int_equal(top_of(diff, NULL), DIAG_VERIFY_MISMATCH);
	char both[256];
	snprintf(both, sizeof(both),
	         "Warn : device needs paging or 4-byte addresses - not implemented\n%s", diff);
	assert_int_equal(top_of(both, NULL), DIAG_UNSUPPORTED_DEVICE);
}

/* A halt that times out because the CRC algorithm OpenOCD ran during verify crashed is
 * the algorithm's: the verify mismatch decides; a plain halt timeout still reads as one. */
static void test_algorithm_timeout_is_not_the_core(void **state)
{
	(void)state;
	const char *halt = "Error: timed out while waiting for target halted\n";
	assert_int_equal(top_of(halt, NULL), DIAG_CORE_HALT_TIMEOUT);
	char verify[512];
	snprintf(verify, sizeof(verify),
	         "** Verify Started **\n%s"
	         "target halted due to debug-request, current mode: Handler HardFault\n"
	         "Error: error executing cortex_m crc algorithm\n"
	         "Error: checksum mismatch - attempting binary compare\n"
	         "diff 0 address 0x00020020. Was 0x00 instead of 0x41\n",
	         halt);
	assert_int_equal(top_of(verify, NULL), DIAG_VERIFY_MISMATCH);
}

/* The log reads "unknown" and shows exactly one line, the one containing NEEDLE. */
static void assert_unknown_shows(const char *log, const char *needle)
{
	struct diag_report *r = diag_classify_log(log);
	assert_non_null(r);
	assert_int_equal(r->findings[0].id, DIAG_UNKNOWN);
	assert_int_equal(r->findings[0].n_evidence, 1);
	assert_non_null(strstr(r->findings[0].evidence[0], needle));
	diag_report_free(r);
}

/* Nothing explains the log: the error line is shown, not a warning printed before it. */
static void test_unknown_shows_the_error_line(void **state)
{
	(void)state;
	assert_unknown_shows("Warn : DEPRECATED! use 'adapter speed' not 'adapter_khz'\n"
	                     "Error: frobnicator exploded at 0x1234\n",
	                     "frobnicator");
}

/* ADI's ICE probes scan every sampling delay for a valid IR capture: none means nothing on
 * the chain answers, the same reading as an all-ones scan chain. */
static void test_ice_delay_scan_is_unreachable(void **state)
{
	(void)state;
	assert_int_equal(top_of("Error: ICE-2000 cannot find a good delay\n", NULL),
	                 DIAG_SWD_UNREACHABLE);
	assert_int_equal(top_of("Error: ICE-1000 cannot find a good delay\n", NULL),
	                 DIAG_SWD_UNREACHABLE);
}

/* OpenOCD's Tcl traceback and the build tool's summary wrap the failure; the line that
 * says what failed is shown, they are not, unless nothing else was printed. */
static void test_unknown_skips_wrapper_lines(void **state)
{
	(void)state;
	assert_unknown_shows("Error: frobnicator exploded at 0x1234\n"
	                     "in procedure 'program_error' called at file \"embedded:startup.tcl\", "
	                     "line 1581\n"
	                     "*** [upload] Error 1\n"
	                     "make: *** [Makefile:17: flash] Error 1\n"
	                     "================== [FAILED] Took 2.53 seconds ==================\n",
	                     "frobnicator");
	assert_unknown_shows("in procedure 'frobnicate' called at file \"x.cfg\", line 3\n",
	                     "frobnicate");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vendor_protection_is_not_rdp),
		cmocka_unit_test(test_nrf52_hla_notice_is_not_evidence),
		cmocka_unit_test(test_stm32_protection_stands_down_on_other_parts),
		cmocka_unit_test(test_option_words_on_other_parts),
		cmocka_unit_test(test_cmsis_dap_hid_open_by_platform),
		cmocka_unit_test(test_ftdi_not_found_by_platform),
		cmocka_unit_test(test_openocd_missing_in_each_shell),
		cmocka_unit_test(test_register_read_is_link),
		cmocka_unit_test(test_old_banner_is_no_explanation),
		cmocka_unit_test(test_missing_script_against_release),
		cmocka_unit_test(test_dfu_erase_refused),
		cmocka_unit_test(test_flash_read_back_before_failure),
		cmocka_unit_test(test_riscv_dtm_behind_live_tap),
		cmocka_unit_test(test_dfu_refusal_of_another_device),
		cmocka_unit_test(test_dfu_reset_exit_251),
		cmocka_unit_test(test_driver_cant_find_probe_is_no_script),
		cmocka_unit_test(test_scripts_newer_than_binary),
		cmocka_unit_test(test_vendor_gdb_server_port),
		cmocka_unit_test(test_flash_part_unsupported_before_verify),
		cmocka_unit_test(test_algorithm_timeout_is_not_the_core),
		cmocka_unit_test(test_unknown_shows_the_error_line),
		cmocka_unit_test(test_ice_delay_scan_is_unreachable),
		cmocka_unit_test(test_unknown_skips_wrapper_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
