/* stlink_tcp.c - stlink-server TCP request parser and reply encoders (see stlink_tcp.h).
 *
 * Request sizes (OpenOCD src/jtag/drivers/stlink_usb.c, stlink_tcp_*): 06 = 4 bytes,
 * 00 = 2, 01 = 1, 02/03/04 = 8, 05 = 32-byte header + data-out when the direction is 0.
 */
#include "sim/proto/stlink_tcp.h"

#include <string.h>

void stp_parser_init(struct stp_parser *p)
{
	p->have = 0;
	p->fixed = 0;
	p->need = 0;
	p->error = 0;
	memset(&p->req, 0, sizeof(p->req));
}

const char *stp_cmd_name(unsigned cmd)
{
	switch (cmd) {
	case STP_REFRESH_DEVICE_LIST: return "REFRESH_DEVICE_LIST";
	case STP_GET_NB_DEV: return "GET_NB_DEV";
	case STP_GET_DEV_INFO: return "GET_DEV_INFO";
	case STP_OPEN_DEV: return "OPEN_DEV";
	case STP_CLOSE_DEV: return "CLOSE_DEV";
	case STP_SEND_USB_CMD: return "SEND_USB_CMD";
	case STP_GET_SERVER_VERSION: return "GET_SERVER_VERSION";
	default: return "?";
	}
}

/* Size of the fixed part of a request, known from its first byte; 0 if unknown. */
static size_t fixed_len(uint8_t cmd)
{
	switch (cmd) {
	case STP_REFRESH_DEVICE_LIST: return 2;
	case STP_GET_NB_DEV: return 1;
	case STP_GET_DEV_INFO:
	case STP_OPEN_DEV:
	case STP_CLOSE_DEV: return 8;
	case STP_SEND_USB_CMD: return STP_USB_HEADER;
	case STP_GET_SERVER_VERSION: return 4;
	default: return 0;
	}
}

/* Called when the fixed part is complete: validates it and, for SEND_USB_CMD with
 * data-out, extends need. Returns 0 or a negative enum stp_error. */
static int check_fixed(struct stp_parser *p)
{
	const uint8_t *b = p->buf;

	if (b[0] == STP_GET_DEV_INFO && stp_get_u32(b + 4) > STP_MAX_DATA)
		return STP_E_LENGTH;
	if (b[0] != STP_SEND_USB_CMD)
		return 0;
	uint8_t dir = b[24];
	uint32_t n = stp_get_u32(b + 28);
	if (dir != STP_DIR_OUT && dir != STP_DIR_IN && dir != STP_DIR_TRACE)
		return STP_E_DIRECTION;
	if (n > STP_MAX_DATA)
		return STP_E_LENGTH;
	if (dir == STP_DIR_OUT)
		p->need += n;
	return 0;
}

static void decode(struct stp_parser *p)
{
	const uint8_t *b = p->buf;
	struct stp_request *r = &p->req;

	memset(r, 0, sizeof(*r));
	r->cmd = (enum stp_cmd)b[0];
	switch (b[0]) {
	case STP_REFRESH_DEVICE_LIST:
	case STP_GET_SERVER_VERSION:
		r->arg = b[1];
		break;
	case STP_GET_DEV_INFO:
		r->arg = b[1];
		r->size = stp_get_u32(b + 4);
		break;
	case STP_OPEN_DEV:
	case STP_CLOSE_DEV:
		r->id = stp_get_u32(b + 4);
		break;
	case STP_SEND_USB_CMD:
		r->id = stp_get_u32(b + 4);
		memcpy(r->cdb, b + 8, STP_CDB_LEN);
		r->dir = b[24];
		r->data_len = stp_get_u32(b + 28);
		if (r->dir == STP_DIR_OUT)
			r->data = b + STP_USB_HEADER;
		break;
	default:
		break;
	}
}

int stp_feed(struct stp_parser *p, const uint8_t *buf, size_t len, size_t *used)
{
	size_t off = 0;
	int rc = 0;

	if (p->error) {
		rc = p->error;
		goto out;
	}
	while (off < len) {
		if (p->have == 0) {
			p->fixed = p->need = fixed_len(buf[off]);
			if (p->need == 0) {
				rc = p->error = STP_E_COMMAND;
				goto out;
			}
		}
		size_t fixed = p->fixed;
		size_t want = p->need - p->have;
		size_t take = len - off < want ? len - off : want;
		/* Stop at the end of the fixed part so the data-out length can be learnt. */
		if (p->have < fixed && p->have + take > fixed)
			take = fixed - p->have;
		memcpy(p->buf + p->have, buf + off, take);
		p->have += take;
		off += take;
		if (p->have == fixed) {
			int e = check_fixed(p);
			if (e < 0) {
				rc = p->error = e;
				goto out;
			}
		}
		if (p->have == p->need) {
			decode(p);
			p->have = 0;
			p->need = 0;
			rc = 1;
			goto out;
		}
	}
out:
	*used = off;
	return rc;
}

size_t stp_encode_server_version(uint8_t out[16], uint32_t api, uint32_t major,
                                 uint32_t minor, uint32_t build)
{
	stp_put_u32(out, api);
	stp_put_u32(out + 4, major);
	stp_put_u32(out + 8, minor);
	stp_put_u32(out + 12, build);
	return STP_SERVER_VERSION_LEN;
}

size_t stp_encode_u32(uint8_t out[4], uint32_t v)
{
	stp_put_u32(out, v);
	return 4;
}

size_t stp_encode_dev_info(uint8_t out[45], uint32_t status, uint32_t device_id,
                           const char *serial, uint16_t vid, uint16_t pid, int used)
{
	size_t n = serial ? strlen(serial) : 0;

	memset(out, 0, STP_DEV_INFO_REPLY_LEN);
	stp_put_u32(out, status);
	stp_put_u32(out + 4, device_id);
	if (n > STP_SERIAL_LEN)
		n = STP_SERIAL_LEN;
	if (n)
		memcpy(out + 8, serial, n);
	stp_put_u16(out + 40, vid);
	stp_put_u16(out + 42, pid);
	out[44] = used ? 1 : 0;
	return STP_DEV_INFO_REPLY_LEN;
}

size_t stp_encode_open(uint8_t out[8], uint32_t status, uint32_t connect_id)
{
	stp_put_u32(out, status);
	stp_put_u32(out + 4, connect_id);
	return 8;
}
