/* stlink_tcp.h - the stlink-server TCP protocol as OpenOCD 0.12 speaks it: a push parser
 * for requests and encoders for replies.
 *
 * Owns: request framing (the seven TCP commands, the 32-byte SEND_USB_CMD header with its
 * 16-byte ST-LINK command block and data-out) and the byte layout of replies.
 * Must not: allocate, touch sockets, or interpret ST-LINK USB commands (that is the
 * probe model's job). All multi-byte fields are little-endian.
 */
#ifndef SWDSIM_STLINK_TCP_H
#define SWDSIM_STLINK_TCP_H

#include <stddef.h>
#include <stdint.h>

enum stp_cmd {
	STP_REFRESH_DEVICE_LIST = 0x00,
	STP_GET_NB_DEV = 0x01,
	STP_GET_DEV_INFO = 0x02,
	STP_OPEN_DEV = 0x03,
	STP_CLOSE_DEV = 0x04,
	STP_SEND_USB_CMD = 0x05,
	STP_GET_SERVER_VERSION = 0x06,
};

/* TCP-level status words (first u32 of most replies). */
enum stp_status {
	STP_SS_OK = 0x00000001,
	STP_SS_BAD_PARAMETER = 0x1002,
	STP_SS_OPEN_ERR = 0x1003,
	STP_SS_CMD_NOT_AVAILABLE = 0x1053,
};

/* SEND_USB_CMD directions. */
enum stp_dir {
	STP_DIR_OUT = 0,  /* host to device: data-out follows the header */
	STP_DIR_IN = 1,   /* device to host: data-in expected in the reply */
	STP_DIR_TRACE = 3 /* SWO trace read; treated as data-in */
};

#define STP_USB_HEADER 32
#define STP_CDB_LEN 16
/* OpenOCD's buffers are 10240 bytes each way; anything longer is not OpenOCD. */
#define STP_MAX_DATA 10240
#define STP_DEV_INFO_SIZE 41 /* "TDeviceInfo2": what OpenOCD asks for */
#define STP_SERIAL_LEN 32

/* Parser errors (negative returns of stp_feed). */
enum stp_error {
	STP_E_COMMAND = -1,   /* unknown TCP command byte */
	STP_E_DIRECTION = -2, /* SEND_USB_CMD direction not 0, 1 or 3 */
	STP_E_LENGTH = -3,    /* data length (or GET_DEV_INFO size) above STP_MAX_DATA */
};

/* One decoded request. Fields not used by a command are 0. */
struct stp_request {
	enum stp_cmd cmd;
	uint8_t arg;         /* byte 1: client API (06), keep-list flag (00), index (02) */
	uint32_t size;       /* GET_DEV_INFO: size of the info structure asked for */
	uint32_t id;         /* OPEN_DEV: device_id; CLOSE_DEV, SEND_USB_CMD: connect_id */
	uint8_t cdb[STP_CDB_LEN];
	uint8_t dir;         /* enum stp_dir */
	uint32_t data_len;   /* SEND_USB_CMD: N (data-out or data-in length) */
	const uint8_t *data; /* data-out bytes (dir 0), borrowed from the parser: valid until
	                      * the next stp_feed call */
};

struct stp_parser {
	size_t have;  /* bytes of the current request held in buf */
	size_t fixed; /* size of the current request's fixed part (header) */
	size_t need;  /* total bytes the current request needs, 0 while unknown */
	int error;    /* sticky: once a stream is malformed it stays so */
	uint8_t buf[STP_USB_HEADER + STP_MAX_DATA];
	struct stp_request req;
};

void stp_parser_init(struct stp_parser *p);

/* Consumes bytes until one request is complete or the input is used up. *used is set to
 * the number of bytes taken from buf. Returns 1 when p->req holds a complete request
 * (feed the rest of buf afterwards), 0 when more input is needed, or a negative
 * enum stp_error (sticky: every later call returns it too). */
int stp_feed(struct stp_parser *p, const uint8_t *buf, size_t len, size_t *used);

/* Human name of a TCP command, "?" when unknown. Returns: borrowed, static. */
const char *stp_cmd_name(unsigned cmd);

/* Reply encoders. Each writes into out (which must hold the size given) and returns the
 * number of bytes written. */
#define STP_SERVER_VERSION_LEN 16
size_t stp_encode_server_version(uint8_t out[16], uint32_t api, uint32_t major,
                                 uint32_t minor, uint32_t build);
/* A bare u32: GET_NB_DEV's count, or a status word. */
size_t stp_encode_u32(uint8_t out[4], uint32_t v);
/* GET_DEV_INFO: status, device_id, serial (NUL-padded to 32 bytes, truncated if longer),
 * VID, PID, used flag: 45 bytes. */
#define STP_DEV_INFO_REPLY_LEN (4 + STP_DEV_INFO_SIZE)
size_t stp_encode_dev_info(uint8_t out[45], uint32_t status, uint32_t device_id,
                           const char *serial, uint16_t vid, uint16_t pid, int used);
/* OPEN_DEV: status and connect_id. */
size_t stp_encode_open(uint8_t out[8], uint32_t status, uint32_t connect_id);

static inline uint32_t stp_get_u32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static inline uint16_t stp_get_u16(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

static inline void stp_put_u32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static inline void stp_put_u16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

#endif
