/* test-stlink-tcp.c - the stlink-server TCP request parser and reply encoders: every request
 * OpenOCD sends is fed whole, split at every byte, and one byte at a time, and the decoded
 * fields are checked exactly; malformed streams fail and stay failed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/proto/stlink_tcp.h"

struct frame {
	const char *name;
	uint8_t bytes[64];
	size_t len;
	/* expected decode */
	enum stp_cmd cmd;
	uint8_t arg;
	uint32_t size, id, data_len;
	uint8_t dir;
	uint8_t cdb0, cdb1;
	size_t data_off; /* data-out offset in bytes, 0 if none */
};

/* Real request bytes as OpenOCD 0.12 sends them (reference section 2.3/2.4). */
static const struct frame frames[] = {
	{"server version", {0x06, 0x01, 0x00, 0x00}, 4, STP_GET_SERVER_VERSION, 1, 0, 0, 0, 0,
	 0, 0, 0},
	{"refresh", {0x00, 0x00}, 2, STP_REFRESH_DEVICE_LIST, 0, 0, 0, 0, 0, 0, 0, 0},
	{"nb dev", {0x01}, 1, STP_GET_NB_DEV, 0, 0, 0, 0, 0, 0, 0, 0},
	{"dev info", {0x02, 0x00, 0x00, 0x00, 0x29, 0x00, 0x00, 0x00}, 8, STP_GET_DEV_INFO, 0,
	 41, 0, 0, 0, 0, 0, 0},
	{"dev info idx 3", {0x02, 0x03, 0x00, 0x00, 0x29, 0x00, 0x00, 0x00}, 8, STP_GET_DEV_INFO,
	 3, 41, 0, 0, 0, 0, 0, 0},
	{"open", {0x03, 0x00, 0x00, 0x00, 0x34, 0x12, 0x00, 0x00}, 8, STP_OPEN_DEV, 0, 0, 0x1234,
	 0, 0, 0, 0, 0},
	{"close", {0x04, 0x00, 0x00, 0x00, 0xee, 0xff, 0xc0, 0x00}, 8, STP_CLOSE_DEV, 0, 0,
	 0x00C0FFEE, 0, 0, 0, 0, 0},
	{"usb get version",
	 {0x05, 0, 0, 0, 0xee, 0xff, 0xc0, 0x00, 0xF1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	  0x01, 0, 0, 0, 0x06, 0, 0, 0},
	 32, STP_SEND_USB_CMD, 0, 0, 0x00C0FFEE, 6, 1, 0xF1, 0, 0},
	{"usb readmem32",
	 {0x05, 0, 0, 0, 0x01, 0x02, 0x03, 0x04, 0xF2, 0x07, 0x00, 0x10, 0x00, 0x08, 0x00, 0x10,
	  0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 0x00, 0x10, 0, 0},
	 32, STP_SEND_USB_CMD, 0, 0, 0x04030201, 4096, 1, 0xF2, 0x07, 0},
	{"usb writemem32 8 bytes",
	 {0x05, 0, 0, 0, 0x01, 0, 0, 0, 0xF2, 0x08, 0x00, 0x00, 0x00, 0x20, 0x08, 0x00, 0, 0, 0,
	  0, 0, 0, 0, 0, 0x00, 0, 0, 0, 0x08, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03,
	  0x04},
	 40, STP_SEND_USB_CMD, 0, 0, 1, 8, 0, 0xF2, 0x08, 32},
	{"usb debug exit, no data",
	 {0x05, 0, 0, 0, 0x01, 0, 0, 0, 0xF2, 0x21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	  0, 0, 0, 0, 0, 0, 0},
	 32, STP_SEND_USB_CMD, 0, 0, 1, 0, 1, 0xF2, 0x21, 0},
	{"usb write, zero data-out",
	 {0x05, 0, 0, 0, 0x01, 0, 0, 0, 0xF2, 0x0D, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	  0x00, 0, 0, 0, 0, 0, 0, 0},
	 32, STP_SEND_USB_CMD, 0, 0, 1, 0, 0, 0xF2, 0x0D, 0},
};

static void check_req(const struct frame *f, const struct stp_request *r)
{
	assert_int_equal(r->cmd, f->cmd);
	assert_int_equal(r->arg, f->arg);
	assert_int_equal(r->size, f->size);
	assert_int_equal(r->id, f->id);
	assert_int_equal(r->data_len, f->data_len);
	assert_int_equal(r->dir, f->dir);
	if (f->cmd == STP_SEND_USB_CMD) {
		assert_int_equal(r->cdb[0], f->cdb0);
		assert_int_equal(r->cdb[1], f->cdb1);
		assert_memory_equal(r->cdb, f->bytes + 8, STP_CDB_LEN);
	}
	if (f->data_off) {
		assert_non_null(r->data);
		assert_memory_equal(r->data, f->bytes + f->data_off, f->data_len);
	} else if (f->cmd != STP_SEND_USB_CMD || f->dir != STP_DIR_OUT) {
		assert_null(r->data); /* data-in and non-USB requests carry no payload */
	}
}

/* Feeds buf in the given pieces; returns the number of requests seen, checking each
 * against the expected frame sequence. */
static int feed_pieces(struct stp_parser *p, const uint8_t *buf, size_t len, size_t piece,
                       const struct frame *const *expect)
{
	int seen = 0;

	for (size_t at = 0; at < len;) {
		size_t n = len - at < piece ? len - at : piece;
		size_t off = 0;
		while (off < n) {
			size_t used = 99999;
			int rc = stp_feed(p, buf + at + off, n - off, &used);
			assert_true(rc == 0 || rc == 1);
			assert_true(used <= n - off);
			off += used;
			if (rc == 1)
				check_req(expect[seen++], &p->req);
			else
				assert_int_equal(off, n); /* 0 means all consumed */
		}
		at += n;
	}
	return seen;
}

static void test_each_frame_whole_and_split(void **state)
{
	(void)state;
	static struct stp_parser p;

	for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		const struct frame *f = &frames[i];
		const struct frame *expect[1] = {f};
		/* whole */
		stp_parser_init(&p);
		assert_int_equal(feed_pieces(&p, f->bytes, f->len, f->len, expect), 1);
		/* split in two at every byte */
		for (size_t cut = 1; cut < f->len; cut++) {
			size_t used;
			stp_parser_init(&p);
			assert_int_equal(stp_feed(&p, f->bytes, cut, &used), 0);
			assert_int_equal(used, cut);
			assert_int_equal(stp_feed(&p, f->bytes + cut, f->len - cut, &used), 1);
			assert_int_equal(used, f->len - cut);
			check_req(f, &p.req);
		}
		/* one byte at a time */
		stp_parser_init(&p);
		assert_int_equal(feed_pieces(&p, f->bytes, f->len, 1, expect), 1);
	}
}

/* The whole session back to back in one buffer, then split at every byte. */
static void test_stream_of_all_frames(void **state)
{
	(void)state;
	static struct stp_parser p;
	uint8_t stream[1024];
	const struct frame *expect[32];
	size_t len = 0, n = sizeof(frames) / sizeof(frames[0]);

	for (size_t i = 0; i < n; i++) {
		memcpy(stream + len, frames[i].bytes, frames[i].len);
		len += frames[i].len;
		expect[i] = &frames[i];
	}
	for (size_t piece = 1; piece <= len; piece++) {
		stp_parser_init(&p);
		assert_int_equal(feed_pieces(&p, stream, len, piece, expect), (int)n);
		assert_int_equal(p.have, 0);
	}
	/* split in two at every byte */
	for (size_t cut = 0; cut <= len; cut++) {
		int seen = 0;
		stp_parser_init(&p);
		const uint8_t *parts[2] = {stream, stream + cut};
		size_t lens[2] = {cut, len - cut};
		for (int k = 0; k < 2; k++) {
			size_t off = 0;
			while (off < lens[k]) {
				size_t used;
				int rc = stp_feed(&p, parts[k] + off, lens[k] - off, &used);
				assert_true(rc == 0 || rc == 1);
				off += used;
				if (rc == 1)
					check_req(expect[seen++], &p.req);
			}
		}
		assert_int_equal(seen, (int)n);
	}
}

static void test_large_write_split(void **state)
{
	(void)state;
	static struct stp_parser p;
	static uint8_t buf[STP_USB_HEADER + 4096];
	size_t len = sizeof(buf);

	memset(buf, 0, STP_USB_HEADER);
	buf[0] = 0x05;
	buf[8] = 0xF2;
	buf[9] = 0x08;
	stp_put_u32(buf + 10, 0x20000000);
	stp_put_u16(buf + 14, 4096);
	buf[24] = 0;
	stp_put_u32(buf + 28, 4096);
	for (size_t i = 0; i < 4096; i++)
		buf[STP_USB_HEADER + i] = (uint8_t)(i * 7 + 3);
	for (size_t cut = 1; cut < len; cut += 13) {
		size_t used;
		stp_parser_init(&p);
		assert_int_equal(stp_feed(&p, buf, cut, &used), 0);
		assert_int_equal(stp_feed(&p, buf + cut, len - cut, &used), 1);
		assert_int_equal(used, len - cut);
		assert_int_equal(p.req.data_len, 4096);
		assert_int_equal(stp_get_u32(p.req.cdb + 2), 0x20000000);
		assert_memory_equal(p.req.data, buf + STP_USB_HEADER, 4096);
	}
}

static void expect_error(const uint8_t *b, size_t len, int err)
{
	static struct stp_parser p;
	size_t used;
	int rc = 0;

	/* whole, and byte by byte: the error comes at the same point either way */
	stp_parser_init(&p);
	assert_int_equal(stp_feed(&p, b, len, &used), err);
	stp_parser_init(&p);
	for (size_t i = 0; i < len && rc == 0; i++)
		rc = stp_feed(&p, b + i, 1, &used);
	assert_int_equal(rc, err);
	/* sticky */
	assert_int_equal(stp_feed(&p, (const uint8_t *)"\x06\x01\x00\x00", 4, &used), err);
	assert_int_equal(used, 0);
}

static void test_malformed(void **state)
{
	(void)state;
	uint8_t b[STP_USB_HEADER] = {0};

	b[0] = 0x07; /* GET_NB_OF_DEV_CLIENTS: never sent by OpenOCD 0.12 */
	expect_error(b, 1, STP_E_COMMAND);
	b[0] = 0xFF;
	expect_error(b, 4, STP_E_COMMAND);

	memset(b, 0, sizeof(b));
	b[0] = 0x05;
	b[24] = 2; /* direction 2 does not exist */
	expect_error(b, sizeof(b), STP_E_DIRECTION);

	b[24] = 0;
	stp_put_u32(b + 28, STP_MAX_DATA + 1);
	expect_error(b, sizeof(b), STP_E_LENGTH);
	b[24] = 1;
	stp_put_u32(b + 28, 0xFFFFFFFF);
	expect_error(b, sizeof(b), STP_E_LENGTH);

	uint8_t info[8] = {0x02, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF};
	expect_error(info, 8, STP_E_LENGTH);

	/* A good request followed by garbage: the good one decodes, then the error. */
	static struct stp_parser p;
	uint8_t mix[] = {0x01, 0x42};
	size_t used;
	stp_parser_init(&p);
	assert_int_equal(stp_feed(&p, mix, 2, &used), 1);
	assert_int_equal(used, 1);
	assert_int_equal(p.req.cmd, STP_GET_NB_DEV);
	assert_int_equal(stp_feed(&p, mix + 1, 1, &used), STP_E_COMMAND);
}

static void test_maximum_data_out(void **state)
{
	(void)state;
	static struct stp_parser p;
	static uint8_t buf[STP_USB_HEADER + STP_MAX_DATA];
	size_t used;

	memset(buf, 0xA5, sizeof(buf));
	memset(buf, 0, STP_USB_HEADER);
	buf[0] = 0x05;
	stp_put_u32(buf + 28, STP_MAX_DATA);
	stp_parser_init(&p);
	assert_int_equal(stp_feed(&p, buf, sizeof(buf), &used), 1);
	assert_int_equal(used, sizeof(buf));
	assert_int_equal(p.req.data_len, STP_MAX_DATA);
	assert_int_equal(p.req.data[STP_MAX_DATA - 1], 0xA5);
}

static void test_encoders(void **state)
{
	(void)state;
	uint8_t b[64];

	assert_int_equal(stp_encode_server_version(b, 2, 2, 1, 0), 16);
	static const uint8_t sv[16] = {2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
	assert_memory_equal(b, sv, 16);

	assert_int_equal(stp_encode_u32(b, 0x2004), 4);
	static const uint8_t st[4] = {0x04, 0x20, 0, 0};
	assert_memory_equal(b, st, 4);

	memset(b, 0xEE, sizeof(b));
	assert_int_equal(stp_encode_dev_info(b, 1, 0x5ab1, "066DFF123456", 0x0483, 0x3748, 1), 45);
	assert_int_equal(stp_get_u32(b), 1);
	assert_int_equal(stp_get_u32(b + 4), 0x5ab1);
	assert_string_equal((const char *)b + 8, "066DFF123456");
	for (int i = 8 + 12; i < 40; i++)
		assert_int_equal(b[i], 0);
	assert_int_equal(stp_get_u16(b + 40), 0x0483);
	assert_int_equal(stp_get_u16(b + 42), 0x3748);
	assert_int_equal(b[44], 1);
	assert_int_equal(b[45], 0xEE); /* nothing written past the reply */

	/* a serial longer than 32 bytes is cut, not overflowed */
	stp_encode_dev_info(b, 1, 1, "0123456789abcdef0123456789abcdefXYZ", 0x0483, 0x3748, 0);
	assert_memory_equal(b + 8, "0123456789abcdef0123456789abcdef", 32);
	assert_int_equal(stp_get_u16(b + 40), 0x0483);
	assert_int_equal(b[44], 0);

	assert_int_equal(stp_encode_open(b, 1, 0xC0FFEE01), 8);
	assert_int_equal(stp_get_u32(b + 4), 0xC0FFEE01);

	assert_string_equal(stp_cmd_name(5), "SEND_USB_CMD");
	assert_string_equal(stp_cmd_name(0x42), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_frame_whole_and_split),
		cmocka_unit_test(test_stream_of_all_frames),
		cmocka_unit_test(test_large_write_split),
		cmocka_unit_test(test_maximum_data_out),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_encoders),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
