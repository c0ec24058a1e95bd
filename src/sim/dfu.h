/* dfu.h - swdbackup-sim's virtual USB DFU bootloaders (`usb --board SPEC,dfu=KIND`).
 *
 * Owns: the three kinds of bootloader (ST's STM32F2/F4 system memory bootloader, Particle's
 * Photon bootloader, the Spark Core's), their USB identity, descriptors and strings, the
 * DFU 1.1 state machine with ST's DfuSe 1.1a extensions (AN3156), the bwPollTimeout each
 * operation reports and, under realistic timing, when each answer may be collected.
 *
 * Must not: know about usbdevfs, URBs or umockdev: usb.c hands over each control request
 * (setup packet and data) and the alt setting the host selects, and removes the device
 * from the bus when told it left. The memories are dfu_mem.c's.
 */
#ifndef SWDSIM_DFU_H
#define SWDSIM_DFU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/mcu/mcu.h"

enum dfu_kind {
	DFU_KIND_NONE = 0,
	DFU_KIND_ST,         /* 0483:df11, STM32F2/F4 system bootloader */
	DFU_KIND_PHOTON,     /* 2b04:d006, Particle Photon (STM32F205RG) */
	DFU_KIND_SPARK_CORE, /* 1d50:607f, Spark Core (STM32F103CB + SST25VF016B) */
};

/* "st", "photon" or "spark-core". Returns 0 or -1. */
int dfu_kind_parse(const char *name, enum dfu_kind *kind);

struct dfu_usb_id {
	uint16_t vid, pid, bcd_device;
	const char *manufacturer, *product;
};

typedef struct dfu_device dfu_device_t;

/* Whether a bootloader of this kind exists on the model. Returns 0, or -1 with a
 * one-line message naming the models that fit. */
int dfu_check_model(enum dfu_kind kind, const char *model, char *err, size_t errlen);

/* A bootloader of the given kind in front of the board. flash_path is the board file
 * (the Spark Core's SPI flash is kept in FLASH_PATH.spi). realistic: answers are held
 * back by the USB full-speed transfer time and flash operations by their datasheet
 * times. On failure returns NULL with a one-line message in err (e.g. a model the kind
 * does not fit). Returns: new, free with dfu_free(). */
dfu_device_t *dfu_new(enum dfu_kind kind, mcu_t *mcu, const char *model,
                      const char *flash_path, bool realistic, char *err, size_t errlen);
void dfu_free(dfu_device_t *d);

/* Returns: borrowed, static. */
const struct dfu_usb_id *dfu_usb_id(const dfu_device_t *d);

/* The serial number the bootloader reports, made from the chip's unique ID as each
 * bootloader does (at most 24 characters plus NUL). */
void dfu_default_serial(dfu_device_t *d, char out[33]);

/* Device descriptor followed by the configuration descriptor (every alt setting and the
 * DFU functional descriptor): what sysfs shows as `descriptors`. Returns its length. */
size_t dfu_descriptors(const dfu_device_t *d, uint8_t *out, size_t max);

/* The host selected an alt setting (SETINTERFACE). Returns 0 or -1 when it has none. */
int dfu_set_alt(dfu_device_t *d, unsigned alt);

struct dfu_answer {
	int len;          /* bytes of IN data written, or the OUT data taken; -1: stall */
	uint64_t due_ns;  /* the answer may not be collected before (0: at once) */
	bool leave;       /* the device leaves the bus after this answer (reset or jump) */
	bool rejoin;      /* ... and enumerates again at once, back in its bootloader in
	                   * dfuIDLE (the ST ROM after read unprotect: BOOT0 is still high) */
};

/* One control request on endpoint 0. setup: the 8-byte setup packet; data: its OUT data
 * (wLength bytes) or room for the IN data; serial: string descriptor 3. */
void dfu_control(dfu_device_t *d, const uint8_t setup[8], uint8_t *data, size_t room,
                 const char *serial, uint64_t now_ns, struct dfu_answer *a);

#endif
