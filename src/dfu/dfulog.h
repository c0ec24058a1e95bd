/* dfulog.h - what dfu-util 0.11 prints, read one line at a time.
 *
 * Owns: every pattern of dfu-util's text the client reads back: the device list ("Found
 *   DFU: [2b04:d006] ver=0200, devnum=5, ..."), the progress bars ("Upload\t[====   ]
 *   40%   65536 bytes", rewritten in place with '\r'), the totals, and the failures:
 *   no device, permission (LIBUSB_ERROR_ACCESS), a device that cannot be opened, the
 *   suffix warning, "Error during download get_status" (the leave quirk), a device in
 *   dfuERROR, a DfuSe command "not correctly executed", unreadable pages, transfer errors.
 *   Also the splitter that cuts dfu-util's output into those lines at '\n' and '\r'.
 * Must not: do I/O, or depend on libuv. Pure, like ocd/ocdlog.c, so verbatim outputs
 *   from real sessions are its tests.
 * Conventions: a line has no '\r' or '\n'; dfu-util's own prefix "dfu-util: " (its
 *   warnx/errx lines on stderr) may be there or not. Patterns follow dfu-util 0.11's
 *   source strings (dfu_util.c, dfuse.c, main.c, dfu_load.c).
 */
#ifndef SWD_DFU_DFULOG_H
#define SWD_DFU_DFULOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dfulog_kind {
	DFULOG_OTHER = 0,
	DFULOG_FOUND,           /* a device line of --list */
	DFULOG_PROGRESS,        /* phase, percent, bytes */
	DFULOG_DONE,            /* "Upload done." : phase */
	DFULOG_TOTAL,           /* "Received a total of N bytes" / "Sent a total of": bytes */
	DFULOG_LEAVE,           /* "Submitting leave request..." */
	DFULOG_SUFFIX,          /* "Invalid DFU suffix signature" and its follow-up: harmless */
	DFULOG_NO_DEVICE,       /* "No DFU capable USB device available" */
	DFULOG_MANY_DEVICES,    /* "More than one DFU capable USB device found!" */
	DFULOG_ACCESS,          /* "Cannot open DFU device ... (LIBUSB_ERROR_ACCESS)" */
	DFULOG_CANNOT_OPEN,     /* any other "Cannot open DFU device" / "Cannot open device",
	                         * "Cannot claim interface - LIBUSB_ERROR_BUSY" */
	DFULOG_GET_STATUS,      /* "Error during download get_status": after :leave, the quirk */
	DFULOG_STATE,           /* "DFU state(10) = dfuERROR, status(N) = ...": state, status */
	DFULOG_NOT_EXECUTED,    /* "ERASE_PAGE not correctly executed": text is the command */
	DFULOG_NOT_READABLE,    /* "Page at 0x%08x is not readable": address */
	DFULOG_NOT_WRITABLE,    /* "Page at 0x%08x is not writeable": address */
	DFULOG_SHORT_UPLOAD,    /* "Unexpected number of bytes uploaded from device" */
	DFULOG_TRANSFER_ERROR,  /* "Error during upload (...)", "Error during download (...)",
	                         * "dfuse_upload: libusb_control_transfer returned -9 (...)" */
	DFULOG_NO_ALT,          /* "Cannot set alternate interface" / no alt of that name */
	DFULOG_ERROR,           /* any other "dfu-util: " line: an errx or warnx */
};

/* One device as --list prints it. */
struct dfulog_device {
	uint16_t vid, pid, ver;
	unsigned devnum, cfg, intf, alt;
	char path[32];
	char name[160];         /* the alternate setting's name: a DfuSe layout string */
	char serial[64];
};

struct dfulog_line {
	enum dfulog_kind kind;
	char phase[16];         /* PROGRESS, DONE: "Upload", "Download", "Erase" */
	unsigned percent;       /* PROGRESS */
	uint64_t bytes;         /* PROGRESS, TOTAL */
	size_t rest;            /* PROGRESS: offset of text glued after "bytes" (a message
	                         * written before the bar's line ended), 0 when none */
	uint32_t address;       /* NOT_READABLE, NOT_WRITABLE */
	unsigned state, status; /* STATE */
	char text[96];          /* the libusb error name, the command, or the message */
	struct dfulog_device dev; /* FOUND */
};

/* Classifies one line. */
void dfulog_classify(const char *line, struct dfulog_line *out);

/* Whether a STATE line reports a failure (dfuERROR, or a status other than OK). */
bool dfulog_state_failed(const struct dfulog_line *l);

/* Cuts a byte stream into lines at '\n' and '\r' (dfu-util redraws its bars with '\r');
 * empty lines are dropped and over-long ones are cut. Push parser: any split of the input
 * gives the same lines. */
typedef void (*dfulog_line_cb)(void *ud, const char *line);

struct dfulog_splitter {
	char buf[512];
	size_t len;
	bool overflow;
	dfulog_line_cb cb;
	void *ud;
};

void dfulog_splitter_init(struct dfulog_splitter *s, dfulog_line_cb cb, void *ud);
void dfulog_splitter_feed(struct dfulog_splitter *s, const char *data, size_t len);
/* Delivers what is left without a line end (at EOF). */
void dfulog_splitter_flush(struct dfulog_splitter *s);

#endif
