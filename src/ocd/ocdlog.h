/* ocdlog.h - what OpenOCD's log and command replies say, read one line (or one reply) at
 * a time.
 *
 * Owns: every pattern of OpenOCD text the client reads back: the banner, the probe lines
 *   ("STLINK V2J37S7 (API v2) VID:PID 0483:3748", "Target voltage: 3.24"), the IDCODE lines
 *   of each adapter, "Error: " lines, why an init failed, why a command failed, the
 *   flash drivers' probe lines, the readout- and write-protection lines and the
 *   verify_image reply.
 * Must not: do I/O, keep state between calls, or depend on libuv. It is pure, like tcl.c,
 *   so that the captured logs in tests/diag-logs test it without an OpenOCD.
 * Conventions: a line is one line of OpenOCD output without its newline. Patterns follow
 *   OpenOCD 0.12 and, where the diagnosis reads older logs, 0.9-0.11. Functions that
 *   return const char * point into the line given (borrowed). */
#ifndef SWD_OCD_OCDLOG_H
#define SWD_OCD_OCDLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The probe facts the log states. */
struct ocdlog_probe {
	char adapter[16];       /* "stlink" when an ST-LINK answered, else "" */
	char firmware[32];      /* "V2J37S7" */
	unsigned api_version;   /* 2 from "(API v2)" */
	uint16_t vid, pid;      /* 0x0483, 0x3748 */
	bool has_voltage;
	double target_voltage;  /* volts, when has_voltage */
	char server_version[32];/* stlink-server "2.1.0" for tcp probes, else "" */
	unsigned adapter_khz;   /* last "clock speed N kHz" / "using N kHz", 0 if unseen */
	char cpu[48];           /* "Cortex-M4 r0p1" */
	char openocd_version[64]; /* "0.12.0" from the banner */
};

/* Folds the facts of one line into *p; a later line overrides what an earlier one said. */
void ocdlog_probe_line(struct ocdlog_probe *p, const char *line);

/* Clears *p and folds every line into it. */
void ocdlog_probe_info(struct ocdlog_probe *p, const char *const *lines, size_t n);

/* The banner's version word ("0.12.0", "0.10.0+dev-00512-g...", Espressif's "v0.12.0-esp32-..."
 * without its 'v') copied to out, or false. */
bool ocdlog_version(const char *line, char *out, size_t outlen);

/* ST-LINK "Target voltage: 3.245800" or J-Link "VTarget = 3.300 V". */
bool ocdlog_voltage(const char *line, double *volts);

/* "STLINK V2J37S7 ..." (0.11 and later; 0.9-0.10 print "STLINK v2 JTAG v27" and do not
 * match): "V2J37S7" copied to out. */
bool ocdlog_stlink_firmware(const char *line, char *out, size_t outlen);

/* "... Cortex-M3 r1p1 processor detected": "Cortex-M3 r1p1" copied to out. */
bool ocdlog_cpu(const char *line, char *out, size_t outlen);

/* The CPUID part number of a core name from ocdlog_cpu ("Cortex-M3 r1p1": 0xc23), or 0. */
uint32_t ocdlog_cpu_partno(const char *cpu);

/* The flash drivers' probe lines: "device id = 0x20036410" (the DBGMCU_IDCODE they read),
 * "flash size = 64 KiB" (0.12) or "flash size = 64kbytes" (0.9-0.11), but not the OTP
 * bank's "flash size = 512 bytes"; "flash size failed, probe inaccurate" (the size printed
 * next is the driver's guess, not the register); and the F1 options_read's "write
 * protection register = 0xffffffff". */
bool ocdlog_device_id(const char *line, uint32_t *dev);
bool ocdlog_flash_kib(const char *line, uint32_t *kib);
bool ocdlog_flash_size_guessed(const char *line);
bool ocdlog_wrp_register(const char *line, uint32_t *wrp);

/* hla: "UNEXPECTED idcode: 0x2ba01477", the DP IDCODE the probe read when it is not the
 * one the target config expects. */
bool ocdlog_unexpected_idcode(const char *line, uint32_t *idcode);

/* hla: "expected 1 of 1: 0x1ba01477", the IDCODE the target config expected. */
bool ocdlog_expected_idcode(const char *line, uint32_t *idcode);

/* A DP IDCODE as any adapter logs it: the hla mismatch above, JTAG "UNEXPECTED: 0x..." and
 * "tap/device found: 0x...", CMSIS-DAP and J-Link "SWD DPIDR 0x..." (0.9: "SWD IDCODE"). */
bool ocdlog_dp_idcode(const char *line, uint32_t *idcode);

/* The message of an "Error: " line (without the prefix), or NULL. */
const char *ocdlog_error_line(const char *line);

/* The first and the last error message among lines[from..n), or NULL. */
const char *ocdlog_first_error(const char *const *lines, size_t from, size_t n);
const char *ocdlog_last_error(const char *const *lines, size_t from, size_t n);

/* OpenOCD exited before it listened: SWD_E* for why, from its whole log (SWD_EOCDDIED when
 * the log does not say). */
int ocdlog_classify_init(const char *const *lines, size_t n);

/* A command failed with catch code `code` and result `text`: SWD_EPROTECTED,
 * SWD_ETARGETNORESP or SWD_ETARGETFAILED, from the reply and the lines logged while it ran. */
int ocdlog_classify_failure(const char *const *lines, size_t n, int code, const char *text);

/* OpenOCD exited during init after the probe reported the target voltage, without one
 * "Error"/"Warn" line: what 0.12 does when the DP IDCODE read fails (stlink_usb.c logs it at
 * debug level only). */
bool ocdlog_silent_init(const char *const *lines, size_t n);

/* Readout protection as the drivers print it: 1 for F1 options_read "read protection: on"
 * (0.11+), "Readout Protection On" (0.9-0.10), "Device Security Bit Set" (F1 0.9-0.10,
 * F2/F4) and L4-style "RDP level 1 (0xBB)" (0.12); 0 for "read protection: off" /
 * "Readout Protection Off" / "RDP level 0 (0xAA)"; -1 when the line says neither. */
int ocdlog_read_protection(const char *line);

/* What a verify_image reply says. */
struct ocdlog_verify {
	uint64_t bytes;             /* "verified N bytes" (or "read N bytes from file") */
	bool differs;               /* "contents differ" */
	bool has_first_diff;
	uint32_t first_diff_address;/* first "diff K address 0x..." */
	size_t ndiff_lines;         
};

void ocdlog_verify(const char *text, struct ocdlog_verify *r);

#endif
