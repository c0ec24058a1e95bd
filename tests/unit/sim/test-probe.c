/* test-probe.c - the probe model over the scripted board (fake_mcu.c): each ST-LINK
 * command's reply bytes, the status plumbing from mcu_status to the ST-LINK status
 * bytes, the READMEM_8 length quirk and the realistic-timing cost. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fake_mcu.h"
#include "sim/probe.h"

struct ctx {
	mcu_t *mcu;
	struct fake_mcu_state *st;
	struct probe p;
	struct probe_reply r;
	uint32_t cid;
};

static struct ctx *setup_ctx(struct mcu_faults faults, bool busy)
{
	static struct ctx c;
	struct mcu_config mc = {.model = "fake103", .faults = faults};
	struct probe_config pc = {.model = PROBE_V2, .serial = "0123456789ABCDEF01234567",
	                          .busy = busy};

	memset(&c, 0, sizeof(c));
	c.mcu = mcu_new(&mc, NULL, 0);
	c.st = fake_mcu_state(c.mcu);
	probe_init(&c.p, c.mcu, &pc);
	return &c;
}

static void req_simple(struct ctx *c, enum stp_cmd cmd, uint8_t arg, uint32_t size,
                       uint32_t id)
{
	struct stp_request q = {.cmd = cmd, .arg = arg, .size = size, .id = id};
	probe_handle(&c->p, &q, 1000, &c->r);
}

static void open_session(struct ctx *c)
{
	req_simple(c, STP_OPEN_DEV, 0, 0, PROBE_DEVICE_ID);
	assert_int_equal(c->r.len, 8);
	assert_int_equal(stp_get_u32(c->r.buf), STP_SS_OK);
	c->cid = stp_get_u32(c->r.buf + 4);
}

/* One SEND_USB_CMD; cdb given as up to 16 bytes; returns the data-in part. */
static const uint8_t *usb(struct ctx *c, const uint8_t *cdb, size_t cdblen, uint8_t dir,
                          uint32_t n, const uint8_t *out)
{
	struct stp_request q = {.cmd = STP_SEND_USB_CMD, .id = c->cid, .dir = dir,
	                        .data_len = n, .data = out};
	memcpy(q.cdb, cdb, cdblen);
	probe_handle(&c->p, &q, 5000, &c->r);
	assert_int_equal(c->r.len, 4 + (dir == STP_DIR_OUT ? 0 : n));
	return c->r.buf + 4;
}

static uint8_t last_rw_status(struct ctx *c)
{
	static const uint8_t cdb[] = {0xF2, 0x3E};
	const uint8_t *d = usb(c, cdb, sizeof(cdb), STP_DIR_IN, 12, NULL);
	return d[0];
}

static void test_tcp_handshake(void **state)
{
	(void)state;
	struct ctx *c = setup_ctx((struct mcu_faults){0}, false);

	req_simple(c, STP_GET_SERVER_VERSION, 1, 0, 0);
	assert_int_equal(c->r.len, 16);
	assert_int_equal(stp_get_u32(c->r.buf), 2); /* API v2: 4 KiB transfers */

	req_simple(c, STP_GET_NB_DEV, 0, 0, 0);
	assert_int_equal(c->r.len, 4);
	assert_int_equal(stp_get_u32(c->r.buf), 1);

	req_simple(c, STP_GET_DEV_INFO, 0, 41, 0);
	assert_int_equal(c->r.len, 45);
	assert_int_equal(stp_get_u32(c->r.buf), STP_SS_OK);
	assert_int_equal(stp_get_u32(c->r.buf + 4), PROBE_DEVICE_ID);
	assert_memory_equal(c->r.buf + 8, "0123456789ABCDEF01234567", 24);
	assert_int_equal(c->r.buf[8 + 24], 0);
	assert_int_equal(stp_get_u16(c->r.buf + 40), 0x0483);
	assert_int_equal(stp_get_u16(c->r.buf + 42), 0x3748);
	assert_int_equal(c->r.buf[44], 0);

	req_simple(c, STP_OPEN_DEV, 0, 0, 0x9999);
	assert_int_equal(stp_get_u32(c->r.buf), STP_SS_OPEN_ERR);

	/* USB commands before OPEN_DEV: a TCP error of the right size */
	static const uint8_t ver[] = {0xF1};
	usb(c, ver, 1, STP_DIR_IN, 6, NULL);
	assert_int_equal(stp_get_u32(c->r.buf), STP_SS_BAD_PARAMETER);

	open_session(c);
	const uint8_t *d = usb(c, ver, 1, STP_DIR_IN, 6, NULL);
	static const uint8_t v2j37s7[6] = {0x29, 0x47, 0x83, 0x04, 0x48, 0x37};
	assert_int_equal(stp_get_u32(c->r.buf), STP_SS_OK);
	assert_memory_equal(d, v2j37s7, 6);

	unsigned saves = c->st->saves;
	req_simple(c, STP_CLOSE_DEV, 0, 0, c->cid + 1);
	assert_int_equal(stp_get_u32(c->r.buf), STP_SS_BAD_PARAMETER);
	req_simple(c, STP_CLOSE_DEV, 0, 0, c->cid);
	assert_int_equal(c->r.len, 4);
	assert_int_equal(stp_get_u32(c->r.buf), STP_SS_OK);
	assert_int_equal(c->st->saves, saves + 1); /* board file current when OpenOCD leaves */
	mcu_free(c->mcu);
}

static void test_busy_and_v2_1(void **state)
{
	(void)state;
	struct ctx *c = setup_ctx((struct mcu_faults){0}, true);

	req_simple(c, STP_GET_DEV_INFO, 0, 41, 0);
	assert_int_equal(c->r.buf[44], 1);
	mcu_free(c->mcu);

	c = setup_ctx((struct mcu_faults){0}, false);
	c->p.cfg.model = PROBE_V2_1;
	req_simple(c, STP_GET_DEV_INFO, 0, 41, 0);
	assert_int_equal(stp_get_u16(c->r.buf + 42), 0x374B);
	open_session(c);
	static const uint8_t ver[] = {0xF1};
	static const uint8_t v2j37m26[6] = {0x29, 0x5A, 0x83, 0x04, 0x4B, 0x37};
	assert_memory_equal(usb(c, ver, 1, STP_DIR_IN, 6, NULL), v2j37m26, 6);
	mcu_free(c->mcu);
}

/* V3: GET_VERSION with v=3, x=y=0, then GET_VERSION_EX, the APIv3 clock commands, and
 * 8-bit transfers up to 512 bytes; a V2 refuses the V3-only commands. */
static void test_v3(void **state)
{
	(void)state;
	struct ctx *c = setup_ctx((struct mcu_faults){0}, false);
	static const uint8_t ver[] = {0xF1}, ver_ex[] = {0xFB};
	static const uint8_t get_freq[] = {0xF2, 0x62, 0x00};
	static const uint8_t set_freq[] = {0xF2, 0x61, 0x00, 0x00, 0xE8, 0x03, 0x00, 0x00};
	static const uint8_t read8_512[] = {0xF2, 0x0C, 0x00, 0x00, 0x00, 0x20, 0x00, 0x02};
	const uint8_t *d;

	c->p.cfg.model = PROBE_V3;
	req_simple(c, STP_GET_DEV_INFO, 0, 41, 0);
	assert_int_equal(stp_get_u16(c->r.buf + 42), 0x374F);
	open_session(c);
	d = usb(c, ver, 1, STP_DIR_IN, 6, NULL);
	assert_int_equal(d[0], 0x30); /* v=3, jtag 0, swim 0 */
	assert_int_equal(d[1], 0x00);
	assert_int_equal(stp_get_u16(d + 4), 0x374F);
	d = usb(c, ver_ex, 1, STP_DIR_IN, 12, NULL);
	assert_int_equal(d[0], 3);  /* V3 */
	assert_int_equal(d[2], 7);  /* J7 */
	assert_int_equal(d[3], 1);  /* M1 */
	assert_int_equal(d[4], 3);  /* B3 */
	assert_int_equal(stp_get_u16(d + 10), 0x374F);
	d = usb(c, get_freq, sizeof(get_freq), STP_DIR_IN, 52, NULL);
	assert_int_equal(d[0], 0x80);
	assert_int_equal(d[8], 7);
	assert_int_equal(stp_get_u32(d + 12), 24000);
	assert_int_equal(stp_get_u32(d + 12 + 4 * 6), 5);
	d = usb(c, set_freq, sizeof(set_freq), STP_DIR_IN, 8, NULL);
	assert_int_equal(d[0], 0x80);
	assert_int_equal(c->p.swd_khz, 1000);
	usb(c, read8_512, sizeof(read8_512), STP_DIR_IN, 512, NULL);
	assert_int_equal(last_rw_status(c), 0x80);
	mcu_free(c->mcu);

	c = setup_ctx((struct mcu_faults){0}, false);
	open_session(c);
	assert_int_equal(usb(c, get_freq, sizeof(get_freq), STP_DIR_IN, 52, NULL)[0], 0x81);
	assert_int_equal(usb(c, ver_ex, 1, STP_DIR_IN, 12, NULL)[0], 0x81);
	usb(c, read8_512, sizeof(read8_512), STP_DIR_IN, 512, NULL);
	assert_int_equal(last_rw_status(c), 0x12); /* over the V2's 64 bytes */
	mcu_free(c->mcu);
}

static void test_mode_voltage_enter(void **state)
{
	(void)state;
	struct ctx *c = setup_ctx((struct mcu_faults){0}, false);
	static const uint8_t mode[] = {0xF5}, volt[] = {0xF7}, enter[] = {0xF2, 0x30, 0xA3},
	                     idc[] = {0xF2, 0x31}, exitc[] = {0xF2, 0x21};

	open_session(c);
	assert_int_equal(usb(c, mode, 1, STP_DIR_IN, 2, NULL)[0], 1);
	const uint8_t *d = usb(c, volt, 1, STP_DIR_IN, 8, NULL);
	uint32_t adc0 = stp_get_u32(d), adc1 = stp_get_u32(d + 4);
	double v = 2.0 * adc1 * 1.2 / adc0; /* OpenOCD's formula */
	assert_true(v > 3.29 && v < 3.31);

	assert_int_equal(usb(c, enter, 3, STP_DIR_IN, 2, NULL)[0], 0x80);
	assert_int_equal(usb(c, mode, 1, STP_DIR_IN, 2, NULL)[0], 2);
	d = usb(c, idc, 2, STP_DIR_IN, 12, NULL);
	assert_int_equal(d[0], 0x80);
	assert_int_equal(stp_get_u32(d + 4), 0x1BA01477);
	usb(c, exitc, 2, STP_DIR_IN, 0, NULL);
	assert_int_equal(usb(c, mode, 1, STP_DIR_IN, 2, NULL)[0], 1);
	mcu_free(c->mcu);

	struct mcu_faults f = {.unpowered = true};
	c = setup_ctx(f, false);
	open_session(c);
	d = usb(c, volt, 1, STP_DIR_IN, 8, NULL);
	assert_int_equal(stp_get_u32(d + 4), 0);
	assert_int_equal(usb(c, enter, 3, STP_DIR_IN, 2, NULL)[0], MCU_NO_RESPONSE);
	assert_int_equal(usb(c, mode, 1, STP_DIR_IN, 2, NULL)[0], 1);
	assert_int_equal(usb(c, idc, 2, STP_DIR_IN, 12, NULL)[0], MCU_NO_RESPONSE);
	mcu_free(c->mcu);

	f = (struct mcu_faults){.clone_idcode = 0x2BA01477};
	c = setup_ctx(f, false);
	open_session(c);
	assert_int_equal(stp_get_u32(usb(c, idc, 2, STP_DIR_IN, 12, NULL) + 4), 0x2BA01477);
	mcu_free(c->mcu);
}

static void test_memory_and_last_status(void **state)
{
	(void)state;
	struct ctx *c = setup_ctx((struct mcu_faults){0}, false);
	uint8_t cdb[16] = {0xF2, 0x0C};

	open_session(c);
	for (int i = 0; i < 16; i++)
		c->st->flash[i] = (uint8_t)(0x10 + i);

	/* READMEM_8 of one byte: N = 2, one byte asked of the target */
	stp_put_u32(cdb + 2, 0x08000003);
	stp_put_u16(cdb + 6, 1);
	const uint8_t *d = usb(c, cdb, 16, STP_DIR_IN, 2, NULL);
	assert_int_equal(d[0], 0x13);
	assert_int_equal(c->st->last_len, 1);
	assert_int_equal(c->st->last_width, 1);
	assert_int_equal(last_rw_status(c), 0x80);

	/* READMEM_16 and READMEM_32 pass their width */
	cdb[1] = 0x47;
	stp_put_u32(cdb + 2, 0x08000002);
	stp_put_u16(cdb + 6, 2);
	d = usb(c, cdb, 16, STP_DIR_IN, 2, NULL);
	assert_int_equal(stp_get_u16(d), 0x1312);
	assert_int_equal(c->st->last_width, 2);
	cdb[1] = 0x07;
	stp_put_u32(cdb + 2, 0x08000004);
	stp_put_u16(cdb + 6, 8);
	d = usb(c, cdb, 16, STP_DIR_IN, 8, NULL);
	assert_int_equal(stp_get_u32(d + 4), 0x1B1A1918);
	assert_int_equal(c->st->last_width, 4);

	/* WRITEMEM_32 and read back */
	static const uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	cdb[1] = 0x08;
	stp_put_u32(cdb + 2, 0x20000010);
	usb(c, cdb, 16, STP_DIR_OUT, 8, data);
	assert_int_equal(last_rw_status(c), 0x80);
	assert_memory_equal(c->st->sram + 0x10, data, 8);
	/* WRITEMEM_8 */
	cdb[1] = 0x0D;
	stp_put_u16(cdb + 6, 3);
	usb(c, cdb, 16, STP_DIR_OUT, 3, (const uint8_t *)"\xAA\xBB\xCC");
	assert_int_equal(c->st->sram[0x12], 0xCC);
	assert_int_equal(c->st->last_width, 1);

	/* a bus fault is reported by the following GETLASTRWSTATUS2, with the address */
	c->st->force_status = MCU_FAULT;
	c->st->force_count = 1;
	cdb[1] = 0x07;
	stp_put_u32(cdb + 2, 0x08000000);
	stp_put_u16(cdb + 6, 4);
	usb(c, cdb, 16, STP_DIR_IN, 4, NULL);
	static const uint8_t st2[] = {0xF2, 0x3E};
	d = usb(c, st2, 2, STP_DIR_IN, 12, NULL);
	assert_int_equal(d[0], 0x19);
	assert_int_equal(stp_get_u32(d + 4), 0x08000000);
	/* WAIT passes through so OpenOCD retries */
	c->st->force_status = MCU_WAIT;
	c->st->force_count = 1;
	usb(c, cdb, 16, STP_DIR_IN, 4, NULL);
	assert_int_equal(last_rw_status(c), 0x10);
	usb(c, cdb, 16, STP_DIR_IN, 4, NULL);
	assert_int_equal(last_rw_status(c), 0x80);

	/* misaligned or oversized transfers fail without touching the target */
	unsigned reads = c->st->reads;
	stp_put_u32(cdb + 2, 0x08000002);
	usb(c, cdb, 16, STP_DIR_IN, 4, NULL);
	assert_int_equal(last_rw_status(c), 0x12);
	cdb[1] = 0x0C;
	stp_put_u16(cdb + 6, 65);
	usb(c, cdb, 16, STP_DIR_IN, 65, NULL);
	assert_int_equal(last_rw_status(c), 0x12);
	/* a data-in size smaller than the length asked */
	cdb[1] = 0x07;
	stp_put_u32(cdb + 2, 0x08000000);
	stp_put_u16(cdb + 6, 8);
	usb(c, cdb, 16, STP_DIR_IN, 4, NULL);
	assert_int_equal(last_rw_status(c), 0x12);
	assert_int_equal(c->st->reads, reads);
	/* a WRITEMEM announced as data-in carries no data: refused, target untouched */
	unsigned writes = c->st->writes;
	cdb[1] = 0x08;
	stp_put_u32(cdb + 2, 0x20000000);
	stp_put_u16(cdb + 6, 4);
	usb(c, cdb, 16, STP_DIR_IN, 4, NULL);
	assert_int_equal(last_rw_status(c), 0x12);
	assert_int_equal(c->st->writes, writes);
	mcu_free(c->mcu);
}

static void test_debug_registers_and_reset(void **state)
{
	(void)state;
	struct ctx *c = setup_ctx((struct mcu_faults){0}, false);
	uint8_t cdb[16] = {0xF2, 0x35};

	open_session(c);
	c->st->flash[0] = 0x00; c->st->flash[1] = 0x50; c->st->flash[2] = 0x00; c->st->flash[3] = 0x20;
	c->st->flash[4] = 0x01; c->st->flash[5] = 0x01; c->st->flash[6] = 0x00; c->st->flash[7] = 0x08;

	/* reset halt as OpenOCD does it: DHCSR, DEMCR, AIRCR, RESETSYS, poll */
	stp_put_u32(cdb + 2, 0xE000EDF0);
	stp_put_u32(cdb + 6, 0xA05F0001);
	assert_int_equal(usb(c, cdb, 16, STP_DIR_IN, 2, NULL)[0], 0x80);
	stp_put_u32(cdb + 2, 0xE000EDFC);
	stp_put_u32(cdb + 6, 0x01000001);
	usb(c, cdb, 16, STP_DIR_IN, 2, NULL);
	assert_int_equal(c->st->demcr, 0x01000001);
	static const uint8_t rs[] = {0xF2, 0x32};
	unsigned resets = c->st->resets;
	assert_int_equal(usb(c, rs, 2, STP_DIR_IN, 2, NULL)[0], 0x80);
	assert_int_equal(c->st->resets, resets + 1);

	uint8_t rd[16] = {0xF2, 0x36};
	stp_put_u32(rd + 2, 0xE000EDF0);
	const uint8_t *d = usb(c, rd, 16, STP_DIR_IN, 8, NULL);
	assert_int_equal(d[0], 0x80);
	assert_true(stp_get_u32(d + 4) & (1u << 17)); /* S_HALT */

	uint8_t rr[16] = {0xF2, 0x33, 0x0F};
	d = usb(c, rr, 16, STP_DIR_IN, 8, NULL);
	assert_int_equal(d[0], 0x80);
	assert_int_equal(stp_get_u32(d + 4), 0x08000100);
	uint8_t wr[16] = {0xF2, 0x34, 0x00};
	stp_put_u32(wr + 3, 0xCAFEF00D);
	assert_int_equal(usb(c, wr, 16, STP_DIR_IN, 2, NULL)[0], 0x80);
	assert_int_equal(c->st->regs[0], 0xCAFEF00D);

	/* resume: core registers are refused while running */
	stp_put_u32(cdb + 2, 0xE000EDF0);
	stp_put_u32(cdb + 6, 0xA05F0001);
	usb(c, cdb, 16, STP_DIR_IN, 2, NULL);
	assert_int_equal(usb(c, rr, 16, STP_DIR_IN, 8, NULL)[0], MCU_FAULT);

	/* NRST: low then high resets once */
	uint8_t nrst[16] = {0xF2, 0x3C, 0x00};
	resets = c->st->resets;
	usb(c, nrst, 16, STP_DIR_IN, 2, NULL);
	assert_true(c->st->nrst);
	nrst[2] = 1;
	usb(c, nrst, 16, STP_DIR_IN, 2, NULL);
	assert_false(c->st->nrst);
	assert_int_equal(c->st->resets, resets + 1);

	/* unknown debug command: DEBUG_ERR_FAULT, right size */
	static const uint8_t unk[] = {0xF2, 0x99};
	assert_int_equal(usb(c, unk, 2, STP_DIR_IN, 2, NULL)[0], 0x81);
	/* INIT_AP on another AP */
	static const uint8_t ap1[] = {0xF2, 0x4B, 0x01};
	assert_int_equal(usb(c, ap1, 3, STP_DIR_IN, 2, NULL)[0], 0x1D);
	mcu_free(c->mcu);
}

static void test_timing_cost_and_advance(void **state)
{
	(void)state;
	struct ctx *c = setup_ctx((struct mcu_faults){0}, false);

	assert_int_equal(probe_divisor_khz(0), 4000);
	assert_int_equal(probe_divisor_khz(1), 1800);
	assert_int_equal(probe_divisor_khz(3), 950);
	assert_int_equal(probe_divisor_khz(5), 480);
	assert_int_equal(probe_divisor_khz(798), 5);
	assert_int_equal(probe_divisor_khz(5000), 5);

	open_session(c);
	unsigned adv = c->st->advances;
	uint8_t f[16] = {0xF2, 0x43, 0x00, 0x00};
	assert_int_equal(usb(c, f, 16, STP_DIR_IN, 2, NULL)[0], 0x80);
	assert_int_equal(c->st->advances, adv); /* the clock setting does not touch the target */
	assert_int_equal(c->r.cost_ns, 1000000);

	uint8_t cdb[16] = {0xF2, 0x07};
	stp_put_u32(cdb + 2, 0x08000000);
	stp_put_u16(cdb + 6, 4096);
	usb(c, cdb, 16, STP_DIR_IN, 4096, NULL);
	assert_int_equal(c->st->advances, adv + 1);
	assert_int_equal(c->st->last_now, 5000);
	/* one USB round trip + 1024 transfers x 46 clocks at 4 MHz */
	assert_int_equal(c->r.cost_ns, 1000000 + 1024ull * 46 * 1000000 / 4000);

	stp_put_u16(f + 2, 1); /* 1800 kHz */
	usb(c, f, 16, STP_DIR_IN, 2, NULL);
	usb(c, cdb, 16, STP_DIR_IN, 4096, NULL);
	assert_int_equal(c->r.cost_ns, 1000000 + 1024ull * 46 * 1000000 / 1800);
	mcu_free(c->mcu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_handshake),
		cmocka_unit_test(test_busy_and_v2_1),
		cmocka_unit_test(test_v3),
		cmocka_unit_test(test_mode_voltage_enter),
		cmocka_unit_test(test_memory_and_last_status),
		cmocka_unit_test(test_debug_registers_and_reset),
		cmocka_unit_test(test_timing_cost_and_advance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
