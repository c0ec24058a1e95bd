/* Unit tests for the rules the overfitting audit of issue 14 generalised: each one read a
 * single real log's wording, and now reads the family of messages behind it (or the number
 * against what it should be). Every line here is built from the source's format strings,
 * other releases, other adapters and other shells, never copied from a corpus log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "diag/diag.h"
#include "diag-top.h"

/* Every SPI/QSPI flash driver says it cannot address the chip with the same family of
 * lines (ath79, fespi, jtagspi, lpcspifi, mrvlqspi, stmsmi, sh_qspi; sfdp's reader): the
 * verify mismatch after it is its consequence. */
static void test_spi_flash_addressing_family(void **state)
{
	(void)state;
	static const char *const logs[] = {
		"Info : Found flash device 'win w25q256fv' (ID 0x001940ef)\n"
		"Warn : device needs paging or 4-byte addresses - not implemented\n"
		"Error: checksum mismatch - attempting binary compare\n"
		"diff 0 address 0x01000000. Was 0xff instead of 0x12\n",
		"Warn : device needs 2-byte addresses - not implemented\n"
		"verify failed in bank at 0x20000000 starting at 0x00000000\n",
		"Error: device needs paging - not implemented\n",
	};
	for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++)
		assert_top(logs[i], DIAG_UNSUPPORTED_DEVICE, DIAG_CONF_HIGH);
	/* 0.12's jtagspi does 4-byte addresses: its notice is no failure. */
	assert_int_not_equal(top_of("Warn : 4-byte addresses needed, might need extra command to "
	                            "enable\n", NULL),
	                     DIAG_UNSUPPORTED_DEVICE);
}

/* The shells' and Windows' "not found" for each tool swdbackup starts, in the wordings a
 * paste brings (localised cmd builds included). */
static void test_tool_not_found_in_every_shell(void **state)
{
	(void)state;
	static const char *const forms[] = {
		"bash: %s: command not found\n",
		"/bin/sh: 1: %s: not found\n",
		"zsh: command not found: %s\n",
		"fish: Unknown command: %s\n",
		"'%s' is not recognized as an internal or external command,\n",
		"%s : The term '%s' is not recognized as the name of a cmdlet, function, script\n",
		"'%s' n'est pas reconnu en tant que commande interne\n",
		"\"%s\" no se reconoce como un comando interno o externo,\n",
		"'%s' non è riconosciuto come comando interno o esterno,\n",
		"Der Befehl \"%s.exe\" ist entweder falsch geschrieben oder\n",
		"'%s' 不是内部或外部命令，也不是可运行的程序\n",
	};
	static const struct {
		const char *tool;
		enum diag_id id;
	} tools[] = { { "openocd", DIAG_OPENOCD_MISSING }, { "dfu-util", DIAG_DFU_UTIL_MISSING } };
	for (size_t t = 0; t < sizeof(tools) / sizeof(tools[0]); t++) {
		for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
			char log[256];
			snprintf(log, sizeof(log), forms[i], tools[t].tool, tools[t].tool);
			assert_top(log, tools[t].id, DIAG_CONF_HIGH);
		}
	}
	/* The tool ran and could not open its input: not a missing tool. */
	assert_int_not_equal(top_of("dfu-util: Cannot open file 'fw.bin' for reading: No such "
	                            "file or directory\n", NULL),
	                     DIAG_DFU_UTIL_MISSING);
	assert_int_not_equal(top_of("Error: couldn't open fw.elf: No such file or directory\n", NULL),
	                     DIAG_OPENOCD_MISSING);
}

/* libusb_claim_interface() answering ACCESS after libusb_open worked: the interface is held,
 * by a kernel driver (macOS's or Windows' serial driver) or, on macOS, by another program's
 * claim (darwin answers kIOReturnExclusiveAccess to both): the driver at medium, any
 * FTDI-based probe or CMSIS-DAP's bulk backend, any version. */
static void test_claim_access_is_a_held_interface(void **state)
{
	(void)state;
	assert_top("Open On-Chip Debugger 0.12.0\n"
	           "Info : clock speed 1000 kHz\n"
	           "Error: libusb_claim_interface() failed with LIBUSB_ERROR_ACCESS\n"
	           "Error: unable to open ftdi device with description '*', serial '*' at bus "
	           "location '*'\n",
	           DIAG_PROBE_DRIVER_MISSING, DIAG_CONF_MEDIUM);
	assert_top("Info : Using CMSIS-DAPv2 interface with VID:PID=0x0d28:0x0204, serial=0240\n"
	           "Warn : could not claim interface: Access denied (insufficient permissions)\n"
	           "Error: error writing data: Access denied (insufficient permissions)\n",
	           DIAG_PROBE_DRIVER_MISSING, DIAG_CONF_MEDIUM);
	/* BUSY from the same call is another program holding it. */
	assert_int_equal(top_of("Error: libusb_claim_interface() failed with LIBUSB_ERROR_BUSY\n",
	                        NULL),
	                 DIAG_PROBE_BUSY);
}

/* A target script calling the object 'dap create' (0.11) or 'tpiu create' (0.12) makes,
 * read against the version the banner shows. */
static void test_script_objects_against_release(void **state)
{
	(void)state;
	assert_top("Open On-Chip Debugger 0.10.0\n"
	           "Error: invalid command name \"stm32l4x.dap\"\n",
	           DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
	assert_top("Open On-Chip Debugger 0.11.0\n"
	           "Error: invalid command name \"rp2040.core0.tpiu\"\n",
	           DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
	assert_top("Error: invalid command name \"nrf52.dap\"\n", DIAG_OPENOCD_TOO_OLD,
	           DIAG_CONF_HIGH);
	/* 0.12 has both: a missing object is the cascade of an earlier failure, never high. */
	enum diag_confidence conf;
	top_of("Open On-Chip Debugger 0.12.0\n"
	       "Error: invalid command name \"stm32h7x.dap\"\n", &conf);
	assert_int_not_equal(conf, DIAG_CONF_HIGH);
}

/* CMSIS-DAP firmware that answers DAP_Info capabilities in two bytes (DAP 2.1 and later)
 * is misread by OpenOCD before 0.12: the firmware's version against OpenOCD's. */
static void test_cmsis_dap_caps_against_versions(void **state)
{
	(void)state;
	assert_top("Open On-Chip Debugger 0.10.0+dev-01293-gabcdef\n"
	           "Info : CMSIS-DAP: FW Version = 2.1.0\n"
	           "Error: CMSIS-DAP: SWD not supported\n",
	           DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
	/* DAP 2.0 firmware answers one byte: 0.11 reads it right, so the probe has no SWD. */
	assert_int_equal(top_of("Open On-Chip Debugger 0.11.0\n"
	                        "Info : CMSIS-DAP: FW Version = 2.0.0\n"
	                        "Error: CMSIS-DAP: SWD not supported\n", NULL),
	                 DIAG_PROBE_DRIVER_MISSING);
	/* 0.12 reads 2.1 right: the words are the probe's own. */
	assert_int_equal(top_of("Open On-Chip Debugger 0.12.0\n"
	                        "Info : CMSIS-DAP: FW Version = 2.1.1\n"
	                        "Error: CMSIS-DAP: SWD not supported\n", NULL),
	                 DIAG_PROBE_DRIVER_MISSING);
}

/* dfu-util -v's memory map against the address the download starts at: a start in a
 * segment without 'w' is refused whatever the map's layout. */
static void test_dfu_download_into_readonly_pages(void **state)
{
	(void)state;
	static const char *const map =
		"Memory segment at 0x08000000   4 x 16384 = 65536 (r)\n"
		"Memory segment at 0x08010000   1 x 65536 = 65536 (rew)\n"
		"Memory segment at 0x08020000   7 x 131072 = 917504 (rew)\n";
	char log[512];
	snprintf(log, sizeof(log), "%sDownloading element to address = 0x08004000, size = 1024\n",
	         map);
	assert_int_equal(top_of(log, NULL), DIAG_UNKNOWN);
	struct diag_report *r = diag_classify_log(log);
	assert_non_null(r);
	assert_string_equal(r->findings[0].rule, "dfu-readonly-pages");
	diag_report_free(r);
	snprintf(log, sizeof(log), "%sDownloading element to address = 0x08010000, size = 1024\n"
	         "File downloaded successfully\n", map);
	r = diag_classify_log(log);
	assert_non_null(r);
	assert_string_not_equal(r->findings[0].rule, "dfu-readonly-pages");
	diag_report_free(r);
}

/* "flash driver 'X' not found" read against the release that brought driver X. */
static void test_flash_driver_against_release(void **state)
{
	(void)state;
	/* stm32l4x came with 0.10, rp2040_flash with 0.12. */
	assert_top("Open On-Chip Debugger 0.9.0 (2015-05-19-12:09)\n"
	           "Error: flash driver 'stm32l4x' not found\n",
	           DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
	assert_top("Open On-Chip Debugger 0.11.0+dev-00001-g1234567\n"
	           "Error: flash driver 'rp2040_flash' not found\n",
	           DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
	/* A driver no release up to 0.12 has (a fork's): the binary is not the scripts' own. */
	assert_top("Error: flash driver 'stm32wbax' not found\n", DIAG_OPENOCD_TOO_OLD,
	           DIAG_CONF_MEDIUM);
	/* No banner: every release builds all its NOR drivers, so one that came after 0.9 says
	 * the binary predates it; one 0.9 had already says little. */
	assert_top("Error: flash driver 'stm32l4x' not found\n", DIAG_OPENOCD_TOO_OLD,
	           DIAG_CONF_HIGH);
	assert_top("Error: flash driver 'stm32f1x' not found\n", DIAG_OPENOCD_TOO_OLD,
	           DIAG_CONF_LOW);
	/* 0.12 has stm32f1x: the name is not what a too-old binary lacks. */
	enum diag_confidence conf;
	top_of("Open On-Chip Debugger 0.12.0\nError: flash driver 'stm32f1x' not found\n", &conf);
	assert_int_equal(conf, DIAG_CONF_LOW);
}

/* libftdi's own error strings after "unable to open ftdi device: " (USB-Blaster, OpenJTAG,
 * 0.9's ft2232): EACCES is the permission, "device not found" a probe not there (or, off
 * Linux, one whose driver libusb cannot use: the second reading is listed). */
static void test_libftdi_open_errors(void **state)
{
	(void)state;
	assert_top("Info : usb blaster interface using libftdi\n"
	           "Error: unable to open ftdi device: inappropriate permissions on device!\n",
	           DIAG_USB_PERMISSION, DIAG_CONF_HIGH);
	struct diag_report *r = diag_classify_log("Error: unable to open ftdi device: device not "
	                                          "found\n");
	assert_non_null(r);
	assert_int_equal(r->findings[0].id, DIAG_PROBE_NOT_FOUND);
	assert_int_equal(r->findings[0].confidence, DIAG_CONF_MEDIUM);
	bool driver = false;
	for (size_t i = 1; i < r->n; i++)
		driver = driver || r->findings[i].id == DIAG_PROBE_DRIVER_MISSING;
	assert_true(driver);
	diag_report_free(r);
}

/* dfu-util refusing the request itself: each of its refusals (dfu-util 0.9-0.11 main.c and
 * dfuse.c) is "unknown" with dfu-util's own line, whatever the address or alt setting. */
static void test_dfu_refusals_family(void **state)
{
	(void)state;
	static const char *const logs[] = {
		"dfu-util: Page at 0x08000000 is not writeable\n",
		"dfu-util: Last page at 0x0801ffff is not writeable\n",
		"dfu-util: Cannot set alternate interface: LIBUSB_ERROR_NOT_FOUND\n",
		"dfu-util: Failed to parse memory layout for alternate interface 1\n",
		"dfu-util: Only DfuSe file version 1.1a is supported\n",
		"DFU state(10) = dfuERROR, status(10) = Device's firmware is corrupt. It cannot return "
		"to run-time (non-DFU) operations\n",
	};
	for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
		struct diag_report *r = diag_classify_log(logs[i]);
		assert_non_null(r);
		if (r->findings[0].id != DIAG_UNKNOWN ||
		    strcmp(r->findings[0].rule, "dfu-request-refused") != 0)
			fail_msg("'%s': read by %s", logs[i], r->findings[0].rule);
		diag_report_free(r);
	}
}

/* A DfuSe device failing a request part way: dfuse.c's special-command and download-status
 * errors (each wording, with 0.11's libusb error name), read as "unknown" with the line,
 * never as the SWD link (DFU has none) nor as the suffix warning beside it. */
static void test_dfu_device_failures_family(void **state)
{
	(void)state;
	static const char *const lines[] = {
		"dfu-util: Error during special command \"ERASE_PAGE\" get_status\n",
		"dfu-util: Error during special command \"SET_ADDRESS\" download\n",
		"dfu-util: Wrong state after command \"MASS_ERASE\" download\n",
		"dfu-util: Error during command \"SET_ADDRESS\" second get_status\n",
		/* ("ERASE_PAGE" not correctly executed: ST's ROM refusing a protected page,
		 * test-diag-reading.c's test_dfu_erase_refused) */
		"dfu-util: \"MASS_ERASE\" not correctly executed\n",
		"dfu-util: Error during download get_status (LIBUSB_ERROR_PIPE)\n",
		"dfu-util: Error during download get_status (LIBUSB_ERROR_TIMEOUT)\n",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		char log[512];
		snprintf(log, sizeof(log), "dfu-util 0.11\n"
		         "dfu-util: Warning: Invalid DFU suffix signature\n"
		         "Device ID 0483:df11\n%s", lines[i]);
		struct diag_report *r = diag_classify_log(log);
		assert_non_null(r);
		if (r->findings[0].id != DIAG_UNKNOWN ||
		    strcmp(r->findings[0].rule, "dfu-device-failed") != 0)
			fail_msg("'%s': read by %s", lines[i], r->findings[0].rule);
		for (size_t k = 0; k < r->n; k++)
			assert_int_not_equal(r->findings[k].id, DIAG_SWD_COMM_ERRORS);
		diag_report_free(r);
	}
}

/* dfu-util's suffix warning quoted by the tool that ran it as its own failure ('%s failed:
 * dfu-util: Invalid DFU suffix signature'): not the harmless case, so no suffix finding, and
 * the engine's "unknown" shows the line. The status line of every DFU state report ('No
 * error condition is present') is no failure. */
static void test_dfu_suffix_quoted_as_failure(void **state)
{
	(void)state;
	static const char *const logs[] = {
		"upload failed: dfu-util: Invalid DFU suffix signature\n",
		"Error flashing: dfu-util: Invalid DFU suffix signature\n"
		"dfu-util: A valid DFU suffix will be required in a future dfu-util release\n",
	};
	for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
		struct diag_report *r = diag_classify_log(logs[i]);
		assert_non_null(r);
		if (r->findings[0].id != DIAG_UNKNOWN || r->findings[0].n_evidence == 0 ||
		    !strstr(r->findings[0].evidence[0], "DFU suffix"))
			fail_msg("'%s': read as %s by %s", logs[i], diag_id_name(r->findings[0].id),
			         r->findings[0].rule);
		diag_report_free(r);
	}
	assert_top("dfu-util: Invalid DFU suffix signature\n"
	           "DFU state(2) = dfuIDLE, status(0) = No error condition is present\n"
	           "Download done.\nFile downloaded successfully\n",
	           DIAG_DFU_SUFFIX_WARNING, DIAG_CONF_HIGH);
}

/* dfu-suffix and dfu-prefix come with dfu-util: a shell that cannot find them says the
 * package is missing, in each shell's words. */
static void test_dfu_util_package_tools_missing(void **state)
{
	(void)state;
	static const char *const logs[] = {
		"sh: 1: dfu-suffix: not found\n",
		"bash: dfu-prefix: command not found\n",
		"'dfu-suffix' is not recognized as an internal or external command,\n",
		"zsh: command not found: dfu-suffix\n",
	};
	for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++)
		assert_top(logs[i], DIAG_DFU_UTIL_MISSING, DIAG_CONF_HIGH);
}

/* A subcommand a config script calls that the OpenOCD running it lacks, and a peripheral
 * register read that fails (0.12's 'Can't read NVM intflag', a flash controller's status
 * register at 0x40022000): the scripts are newer; the link failed, never protection. */
static void test_script_subcommand_and_register_reads(void **state)
{
	(void)state;
	assert_top("Error: invalid subcommand \"configure -dbgbase 0xe00fe000\" in procedure "
	           "'script'\n", DIAG_OPENOCD_TOO_OLD, DIAG_CONF_MEDIUM);
	assert_top("Error: Can't read NVM intflag\n", DIAG_SWD_COMM_ERRORS, DIAG_CONF_MEDIUM);
	assert_top("Error: Failed to read memory at 0x4002200c\n", DIAG_SWD_COMM_ERRORS,
	           DIAG_CONF_MEDIUM);
	assert_top("C:\\Program Files\\openocd\\bin\\openocd.exe -f board\\st_nucleo_f4.cfg\n"
	           "The code execution cannot proceed because libusb-1.0.dll was not found.\n",
	           DIAG_OPENOCD_MISSING, DIAG_CONF_HIGH);
}

/* A run of WAIT stalls is the link, in 0.10-0.11's wording and 0.12's; one is a busy core. */
static void test_wait_stalls_in_each_wording(void **state)
{
	(void)state;
	static const char *const waits[] = {
		"Info : DAP transaction stalled (WAIT) - slowing down\n",
		"Info : DAP transaction stalled (WAIT) - slowing down and resending\n",
	};
	for (size_t i = 0; i < 2; i++) {
		char log[512] = "Info : JTAG tap: stm32f4x.cpu tap/device found: 0x4ba00477\n";
		for (int k = 0; k < 3; k++)
			strcat(log, waits[i]);
		assert_top(log, DIAG_SWD_COMM_ERRORS, DIAG_CONF_MEDIUM);
		assert_int_not_equal(top_of(waits[i], NULL), DIAG_SWD_COMM_ERRORS);
	}
}

/* Any command or subcommand a later release brought (from the tags' registrations), read
 * against the banner's version: 0.11's linuxgpiod driver, 0.12's am335xgpio and
 * semihosting_cmdline, 0.11's 'adapter speed'. */
static void test_commands_against_release(void **state)
{
	(void)state;
	assert_top("Open On-Chip Debugger 0.10.0\n"
	           "Error: invalid command name \"linuxgpiod\"\n",
	           DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
	assert_top("Open On-Chip Debugger 0.11.0 (2021-03-07-12:52)\n"
	           "invalid command name \"am335xgpio\"\n",
	           DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
	assert_top("Open On-Chip Debugger 0.10.0\n"
	           "Error: invalid subcommand \"speed 2000\"\n",
	           DIAG_OPENOCD_TOO_OLD, DIAG_CONF_HIGH);
	/* No banner: the name says a later release, not which one ran. */
	assert_top("Error: invalid command name \"semihosting_cmdline\"\n", DIAG_OPENOCD_TOO_OLD,
	           DIAG_CONF_MEDIUM);
	/* The release that ran has it: not a too-old binary. */
	assert_int_not_equal(top_of("Open On-Chip Debugger 0.12.0\n"
	                            "Error: invalid command name \"linuxgpiod\"\n", NULL),
	                     DIAG_OPENOCD_TOO_OLD);
}

/* A target script's 'transport select' before any adapter config: the interface config is
 * missing or comes after it, in any version, at any debug level. */
static void test_no_adapter_before_target(void **state)
{
	(void)state;
	assert_top("Open On-Chip Debugger 0.12.0\n"
	           "Error: Debug adapter does not support any transports? Check config file order.\n"
	           "Error: unable to select a session transport. Can't continue.\n",
	           DIAG_CONFIG_NOT_FOUND, DIAG_CONF_HIGH);
}

/* Plain DFU 1.1: the whole image and the completion request went through, then the status
 * request found the device gone (it reset into the firmware); not when the download
 * itself failed. */
static void test_dfu_status_after_completion(void **state)
{
	(void)state;
	assert_top("Download\t[=========================] 100%        16384 bytes\n"
	           "Download done.\n"
	           "dfu-util: unable to read DFU status after completion (LIBUSB_ERROR_IO)\n",
	           DIAG_DFU_LEAVE_QUIRK, DIAG_CONF_HIGH);
	assert_top("Sent a total of 4096 bytes\n"
	           "unable to read DFU status\n", DIAG_DFU_LEAVE_QUIRK, DIAG_CONF_HIGH);
	assert_int_not_equal(top_of("Download\t[======        ] 40%\n"
	                            "dfu-util: Error during download get_status (LIBUSB_ERROR_PIPE)\n"
	                            "dfu-util: unable to read DFU status after completion\n", NULL),
	                     DIAG_DFU_LEAVE_QUIRK);
}

/* A programmer asked for by name or port that no attached one matches. */
static void test_probe_selector_matches_none(void **state)
{
	(void)state;
	assert_top("'E2009UJ8C5' does not match any available port\n", DIAG_PROBE_NOT_FOUND,
	           DIAG_CONF_MEDIUM);
}

/* An old banner names a version, not a failure: a log that just stops reads unknown. */
static void test_old_banner_alone_is_unknown(void **state)
{
	(void)state;
	assert_int_equal(top_of("Open On-Chip Debugger 0.10.0 (2019-04-01)\n"
	                        "Info : clock speed 1000 kHz\n", NULL),
	                 DIAG_UNKNOWN);
}

/* A write the flash driver refused, then the same log erased, programmed and verified the
 * flash with no unlock between: neither write nor readout protection; nor is a checksum
 * mismatch whose verify then passed a mismatch. */
static void test_refusal_then_success_is_not_protection(void **state)
{
	(void)state;
	const char *log = "Error: stm32x device protected\n"
	                  "Error: failed erasing sectors 0 to 3\n"
	                  "> flash erase_sector 0 0 last\n"
	                  "erased sectors 0 through 127 on flash bank 0 in 1.2s\n"
	                  "** Programming Started **\n"
	                  "** Programming Finished **\n"
	                  "** Verify Started **\n"
	                  "** Verified OK **\n";
	enum diag_id id = top_of(log, NULL);
	assert_int_not_equal(id, DIAG_WRITE_PROTECTED);
	assert_int_not_equal(id, DIAG_READOUT_PROTECTED);
	/* Without the later success the refusal still points at protection. */
	id = top_of("Error: stm32x device protected\nError: failed erasing sectors 0 to 3\n",
	            NULL);
	assert_true(id == DIAG_WRITE_PROTECTED || id == DIAG_READOUT_PROTECTED);
	/* An unlock between makes the success no proof. */
	id = top_of("Error: stm32x device protected\n"
	            "stm32x unlocked.\n"
	            "erased sectors 0 through 127 on flash bank 0 in 1.2s\n", NULL);
	assert_true(id == DIAG_WRITE_PROTECTED || id == DIAG_READOUT_PROTECTED);
	assert_int_not_equal(top_of("Warn : checksum mismatch - attempting binary compare\n"
	                            "** Programming Finished **\n** Verified OK **\n", NULL),
	                     DIAG_VERIFY_MISMATCH);
}

/* The STM32 series the target's name or script says against the dev id's series, for any
 * series (not only F1 against F2/F4). */
static void test_dev_id_against_configured_series(void **state)
{
	(void)state;
	assert_top("Info : stm32l4x.cpu: hardware has 6 breakpoints, 4 watchpoints\n"
	           "Info : device id = 0x10006468\n"
	           "Warn : Cannot identify target as an STM32 L4 or L5 family device.\n",
	           DIAG_WRONG_TARGET_CONFIG, DIAG_CONF_HIGH);
	assert_top("openocd -f interface/stlink.cfg -f target/stm32f0x.cfg\n"
	           "Info : device id = 0x20036410\n"
	           "Warn : Cannot identify target as a STM32 family.\n",
	           DIAG_WRONG_TARGET_CONFIG, DIAG_CONF_HIGH);
	/* An F4 under the F2's script shares its flash driver: not a wrong config. */
	assert_int_not_equal(top_of("Info : stm32f2x.cpu: hardware has 6 breakpoints\n"
	                            "Info : device id = 0x10016413\n"
	                            "Info : flash size = 1024 KiB\n", NULL),
	                     DIAG_WRONG_TARGET_CONFIG);
}

/* The STM32F1 part the target is named after against the dev id read, with the clone's DP
 * IDCODE: neither the part marked nor a genuine F1. */
static void test_part_named_against_identity(void **state)
{
	(void)state;
	assert_top("Info : SWD DPIDR 0x2ba01477\n"
	           "Info : STM32F103RBTx.cpu: Cortex-M3 r2p1 processor detected\n"
	           "Info : device id = 0x10036430\n"
	           "Info : flash size = 1024kbytes\n",
	           DIAG_COUNTERFEIT_MCU, DIAG_CONF_HIGH);
	/* The clone DP with the dev id the part has is the known clone, not a counterfeit. */
	assert_int_not_equal(top_of("Info : SWD DPIDR 0x2ba01477\n"
	                            "Info : STM32F103RBTx.cpu: Cortex-M3 r2p1 processor detected\n"
	                            "Info : device id = 0x20036410\n", NULL),
	                     DIAG_COUNTERFEIT_MCU);
}

/* A DPIDR the part the target is named after never reports. */
static void test_dpidr_against_named_part(void **state)
{
	(void)state;
	assert_top("Info : [rp2040.core0] Hardware thread awareness created\n"
	           "Info : SWD DPIDR 0x4c013477\n", DIAG_WRONG_TARGET_CONFIG, DIAG_CONF_HIGH);
	assert_top("Info : nrf51.cpu: hardware has 4 breakpoints\n"
	           "Info : SWD DPIDR 0x2ba01477\n", DIAG_WRONG_TARGET_CONFIG, DIAG_CONF_HIGH);
	assert_int_not_equal(top_of("Info : SWD DPIDR 0x2ba01477\n"
	                            "Info : nrf52.cpu: hardware has 6 breakpoints\n", NULL),
	                     DIAG_WRONG_TARGET_CONFIG);
	/* Two parts named: not one target's config, so no part to read the DPIDR against. */
	assert_int_not_equal(top_of("Info : nrf51.cpu: hardware has 4 breakpoints\n"
	                            "Info : nrf52.cpu: hardware has 6 breakpoints\n"
	                            "Info : SWD DPIDR 0x4c013477\n", NULL),
	                     DIAG_WRONG_TARGET_CONFIG);
}

/* dfu-util's suffix warning: high when the download then went through, medium when the
 * log stops at the warning, low when another line failed. */
static void test_suffix_warning_confidence(void **state)
{
	(void)state;
	static const char warn[] = "dfu-util: Invalid DFU suffix signature\n"
	                           "dfu-util: A valid DFU suffix will be required in a future "
	                           "dfu-util release\n";
	char log[512];
	assert_top(warn, DIAG_DFU_SUFFIX_WARNING, DIAG_CONF_MEDIUM);
	snprintf(log, sizeof(log), "%sDownload done.\nFile downloaded successfully\n", warn);
	assert_top(log, DIAG_DFU_SUFFIX_WARNING, DIAG_CONF_HIGH);
	snprintf(log, sizeof(log), "%sdfu-util: Cannot open DFU device 1209:5bf0\n", warn);
	assert_int_not_equal(top_of(log, NULL), DIAG_DFU_SUFFIX_WARNING);
	/* A paste that stops after a download into read-only pages: the refusal is the story,
	 * the warning stays low. */
	snprintf(log, sizeof(log), "%sMemory segment at 0x08000000   4 x 16384 = 65536 (r)\n"
	         "Downloading element to address = 0x08004000, size = 1024\n", warn);
	struct diag_report *r = diag_classify_log(log);
	assert_non_null(r);
	assert_string_equal(r->findings[0].rule, "dfu-readonly-pages");
	bool low = false;
	for (size_t i = 1; i < r->n; i++)
		low = low || (r->findings[i].id == DIAG_DFU_SUFFIX_WARNING &&
		              r->findings[i].confidence == DIAG_CONF_LOW);
	assert_true(low);
	diag_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spi_flash_addressing_family),
		cmocka_unit_test(test_tool_not_found_in_every_shell),
		cmocka_unit_test(test_claim_access_is_a_held_interface),
		cmocka_unit_test(test_script_objects_against_release),
		cmocka_unit_test(test_cmsis_dap_caps_against_versions),
		cmocka_unit_test(test_dfu_download_into_readonly_pages),
		cmocka_unit_test(test_flash_driver_against_release),
		cmocka_unit_test(test_libftdi_open_errors),
		cmocka_unit_test(test_dfu_refusals_family),
		cmocka_unit_test(test_dfu_device_failures_family),
		cmocka_unit_test(test_dfu_suffix_quoted_as_failure),
		cmocka_unit_test(test_dfu_util_package_tools_missing),
		cmocka_unit_test(test_script_subcommand_and_register_reads),
		cmocka_unit_test(test_wait_stalls_in_each_wording),
		cmocka_unit_test(test_commands_against_release),
		cmocka_unit_test(test_no_adapter_before_target),
		cmocka_unit_test(test_dfu_status_after_completion),
		cmocka_unit_test(test_probe_selector_matches_none),
		cmocka_unit_test(test_old_banner_alone_is_unknown),
		cmocka_unit_test(test_refusal_then_success_is_not_protection),
		cmocka_unit_test(test_dev_id_against_configured_series),
		cmocka_unit_test(test_part_named_against_identity),
		cmocka_unit_test(test_dpidr_against_named_part),
		cmocka_unit_test(test_suffix_warning_confidence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
