/* usblist.h - the USB DFU devices on the bus, read in-process with libusb-1.0: what
 * `dfu-util -l` would list, without starting dfu-util for it.
 *
 * Owns: enumerating the DFU-mode interfaces (class 0xFE, subclass 1, protocol 2; DFU 1.1
 *   section 4.2.3) of the devices a selection names, one entry per alternate setting with
 *   the ids, bcdDevice, bus address, configuration, interface, alternate setting, its
 *   interface string (for DfuSe, the memory layout) and the serial; "UNKNOWN" for a
 *   string the device does not give, as dfu-util reports it (so that a later
 *   `dfu-util -S` names the same device); a device this user may not open, or that cannot
 *   be opened, as the failure dfu-util reports for it (the findings read the same words).
 * Must not: claim an interface, send a DFU request, leave the device open, or print.
 *   dfu-util moves the bytes (dfu.h).
 * Errors: SWD_EPROBENOTFOUND (libusb cannot look at the bus), SWD_EPROBEPERM and
 *   SWD_EPROBEBUSY (a device the selection names cannot be opened: see dfu_result_error),
 *   SWD_ENOMEM. No device is not an error here.
 */
#ifndef SWD_DFU_USBLIST_H
#define SWD_DFU_USBLIST_H

#include "dfu/dfu.h"

/* Lists the DFU-mode alternate settings of the devices sel names by ids (vid 0: every
 * device) into res->devices, in bus order, with one log line each in res->lines. The
 * serial in sel is not applied: the caller tells devices apart by it. *res is filled
 * (release with dfu_result_release(), also after a failure). */
int dfu_usb_list(const struct dfu_select *sel, struct dfu_result *res, struct swd_error *err);

#endif
