/* usb.h - swdbackup-sim's virtual USB bus: `swdbackup-sim usb --board SPEC... -- CMD`.
 *
 * Owns: the umockdev testbeds (sysfs entries and /dev/bus/usb nodes of one ST-LINK per
 * board, with the real probes' descriptors and strings; a worker thread per board) and
 * the child that runs under libumockdev-preload. The usbdevfs ioctl handler (URBs in
 * flight per open file, their completion times under realistic timing, the USB faults)
 * is usb_dev.c's.
 * Must not: interpret ST-LINK commands (probe.c) or touch target memory (mcu/).
 */
#ifndef SWDSIM_USB_H
#define SWDSIM_USB_H

/* Runs `swdbackup-sim usb` with argv starting after "usb". Returns the process's exit
 * status: the command's status (128 + signal if it was killed), or 2 for bad
 * arguments, 1 when the bus cannot be set up; the error is printed here. */
int sim_usb_main(int argc, char **argv);

#endif
