/* dfu.h - what swdbackup asks of a USB DFU bootloader, each through one dfu-util run:
 * upload a range of an alternate setting to a file, download a file to an address (and
 * leave DFU mode). Listing the devices is usblist.h's, in-process.
 *
 * Owns: dfu-util's command lines (the only place that spells its options) and turning a
 *   run's result into a code and a one-line message: no device, permission, busy, a
 *   missing alternate setting, a refused read, a failed transfer.
 * Must not: judge a write by dfu-util's words. A download's result says what dfu-util
 *   reported, with the leave quirk set apart; the caller verifies by uploading again.
 *   Never asks for mass-erase or unprotect (both erase the whole chip).
 * Errors: those of runner.h, and SWD_EPROBENOTFOUND (no DFU device, or none with that
 *   serial), SWD_EUSAGE (several devices and no serial), SWD_EPROBEPERM (USB permission),
 *   SWD_EPROBEBUSY (the device could not be opened), SWD_EWRONGTARGET (no such alternate
 *   setting), SWD_EPROTECTED (the device refuses to be read), SWD_ETARGETFAILED (a
 *   transfer or DfuSe command failed), SWD_EDFUFAILED (dfu-util failed otherwise).
 */
#ifndef SWD_DFU_DFU_H
#define SWD_DFU_DFU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "dfu/runner.h"

/* Which device: vid 0 means any; serial NULL means any. */
struct dfu_select {
	uint16_t vid, pid;
	const char *serial;
};

/* Reads len bytes from address of alternate setting alt into path, which must not exist
 * (dfu-util will not replace a file). res is filled for the caller's diagnosis. */
int dfu_upload(const struct dfu_runner *r, const struct dfu_select *sel, unsigned alt,
               uint32_t address, uint32_t len, const char *path, struct dfu_result *res,
               struct swd_error *err);

/* Writes path at address of alternate setting alt (DfuSe erases the pages it touches
 * first), then, with leave, asks the device to run the application. Returns 0 when
 * dfu-util reported success or only the leave quirk (res->leave_quirk tells). */
int dfu_download(const struct dfu_runner *r, const struct dfu_select *sel, unsigned alt,
                 uint32_t address, const char *path, bool leave, struct dfu_result *res,
                 struct swd_error *err);

/* Asks the bootloader to leave DFU mode and run the application (DfuSe command mode:
 * set the address, then an empty download). Returns 0 when dfu-util reported success or
 * only the leave quirk (res->leave_quirk tells). */
int dfu_leave(const struct dfu_runner *r, const struct dfu_select *sel, unsigned alt,
              uint32_t address, struct dfu_result *res, struct swd_error *err);

/* The code and message for a run that did not succeed (what: "upload", "download",
 * "leave", or "list" for usblist.h's). Returns 0 when res shows success. */
int dfu_result_error(const struct dfu_result *res, const struct dfu_select *sel,
                     const char *what, struct swd_error *err);

#endif
