/* test-dfu.c - unit tests of the virtual DFU bootloaders (src/sim/dfu.c, dfu_mem.c) on a
 * real simulated board, one control request at a time, without the USB bus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim/dfu.h"
#include "sim/dfu_mem.h"
#include "sim/mcu/mcu.h"

#define OUT 0x21 /* class, interface, host to device */
#define IN 0xA1
#define DNLOAD 1
#define UPLOAD 2
#define GETSTATUS 3
#define CLRSTATUS 4
#define ABORT 6

#define MS 1000000ull

struct fixture {
	char dir[64];
	char path[96];
	mcu_t *m;
	dfu_device_t *d;
	uint64_t now;
};

static struct fixture *make(enum dfu_kind kind, const char *model, uint32_t size, bool rdp1,
                            bool realistic)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256] = "";

	snprintf(f->dir, sizeof(f->dir), "/tmp/sim-dfu-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/board.bin", f->dir);
	FILE *fp = fopen(f->path, "wb");
	for (uint32_t i = 0; i < size; i++)
		fputc((int)((i * 7 + 3) & 0xFF), fp);
	fclose(fp);
	struct mcu_config mc = {.model = model, .flash_path = f->path, .seed = 1};
	mc.faults.rdp1 = rdp1;
	f->m = mcu_new(&mc, err, sizeof(err));
	assert_non_null(f->m);
	f->d = dfu_new(kind, f->m, model, f->path, realistic, err, sizeof(err));
	assert_non_null(f->d);
	f->now = 1000 * MS;
	return f;
}

static void destroy(struct fixture *f)
{
	char cmd[128];

	dfu_free(f->d);
	assert_int_equal(mcu_free(f->m), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
}

static int req(struct fixture *f, uint8_t type, uint8_t request, uint16_t value,
               uint8_t *data, uint16_t len, struct dfu_answer *a)
{
	uint8_t setup[8] = {type, request, value & 0xFF, value >> 8, 0, 0, len & 0xFF, len >> 8};
	struct dfu_answer local;

	dfu_control(f->d, setup, data, len, "SERIAL", f->now, a ? a : &local);
	return (a ? a : &local)->len;
}

/* GETSTATUS: returns bState; *status and *poll_ms as reported. */
static int status(struct fixture *f, uint8_t *st, uint32_t *poll_ms, struct dfu_answer *a)
{
	uint8_t s[6];

	assert_int_equal(req(f, IN, GETSTATUS, 0, s, 6, a), 6);
	if (st)
		*st = s[0];
	if (poll_ms)
		*poll_ms = (uint32_t)s[1] | (uint32_t)s[2] << 8 | (uint32_t)s[3] << 16;
	return s[4];
}

/* A DfuSe command on DNLOAD block 0, then the two GETSTATUS that run it. Returns the
 * bStatus of the second. */
static int command(struct fixture *f, uint8_t cmd, uint32_t arg, bool with_arg)
{
	uint8_t b[5] = {cmd, arg & 0xFF, (arg >> 8) & 0xFF, (arg >> 16) & 0xFF, arg >> 24};
	uint8_t st;

	assert_int_equal(req(f, OUT, DNLOAD, 0, b, with_arg ? 5 : 1, NULL), with_arg ? 5 : 1);
	assert_int_equal(status(f, NULL, NULL, NULL), 4); /* dfuDNBUSY */
	int state = status(f, &st, NULL, NULL);
	assert_int_equal(state, st == 0 ? 5 : 10); /* dfuDNLOAD-IDLE, or dfuERROR */
	return st;
}

/* Erase the page at addr, write len bytes there (DNLOAD block 2), abort to dfuIDLE and
 * read them back into back. */
static void write_read(struct fixture *f, uint32_t addr, uint8_t *data, uint8_t *back,
                       uint16_t len)
{
	assert_int_equal(command(f, 0x41, addr, true), 0);
	assert_int_equal(command(f, 0x21, addr, true), 0);
	assert_int_equal(req(f, OUT, DNLOAD, 2, data, len, NULL), len);
	assert_int_equal(status(f, NULL, NULL, NULL), 4);
	assert_int_equal(status(f, NULL, NULL, NULL), 5);
	assert_int_equal(req(f, OUT, ABORT, 0, NULL, 0, NULL), 0);
	assert_int_equal(status(f, NULL, NULL, NULL), 2);
	assert_int_equal(req(f, IN, UPLOAD, 2, back, len, NULL), len);
	assert_memory_equal(back, data, len);
}

static void test_layout_parse(void **state)
{
	(void)state;
	struct dfu_alt a = {.layout = "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg"};
	uint32_t start, size;
	unsigned type, index;

	assert_int_equal(dfu_alt_parse(&a), 0);
	assert_int_equal(a.base, 0x08000000);
	assert_int_equal(a.size, 1024 * 1024);
	assert_true(dfu_alt_page(&a, 0x08012345, &start, &size, &type, &index));
	assert_int_equal(start, 0x08010000);
	assert_int_equal(size, 0x10000);
	assert_int_equal(index, 4);
	assert_int_equal(type, DFU_PAGE_READ | DFU_PAGE_ERASE | DFU_PAGE_WRITE);
	assert_false(dfu_alt_page(&a, 0x08100000, &start, &size, &type, &index));

	struct dfu_alt core = {.layout = "@Internal Flash  /0x08000000/20*001Ka,108*001Kg"};
	assert_int_equal(dfu_alt_parse(&core), 0);
	assert_true(dfu_alt_page(&core, 0x08004C00, &start, &size, &type, &index));
	assert_int_equal(type, DFU_PAGE_READ);
	assert_int_equal(index, 19);
	struct dfu_alt ob = {.layout = "@Option Bytes  /0x1FFFC000/01*016 e"};
	assert_int_equal(dfu_alt_parse(&ob), 0);
	assert_int_equal(ob.size, 16);
	assert_int_equal(ob.seg[0].type, DFU_PAGE_READ | DFU_PAGE_WRITE);
	struct dfu_alt bad = {.layout = "@Internal Flash  /0x08000000/04*016Kz"};
	assert_int_equal(dfu_alt_parse(&bad), -1);
}

static void test_models(void **state)
{
	(void)state;
	char err[256];

	assert_int_equal(dfu_check_model(DFU_KIND_ST, "stm32f407vg", err, sizeof(err)), 0);
	assert_int_equal(dfu_check_model(DFU_KIND_ST, "stm32f103cb", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no USB bootloader"));
	assert_int_equal(dfu_check_model(DFU_KIND_PHOTON, "stm32f405rg", err, sizeof(err)), -1);
	assert_int_equal(dfu_check_model(DFU_KIND_SPARK_CORE, "stm32f103cb", err, sizeof(err)), 0);
}

/* Set address, erase a sector, program a block, read it back; the board file follows. */
static void test_st_write_read(void **state)
{
	(void)state;
	struct fixture *f = make(DFU_KIND_ST, "stm32f407vg", 1024 * 1024, false, false);
	uint8_t block[2048], back[2048];

	for (int i = 0; i < 2048; i++)
		block[i] = (uint8_t)(i ^ 0x5A);
	write_read(f, 0x08004000, block, back, 2048);
	/* the rest of the erased sector reads erased, the file holds the block */
	assert_int_equal(req(f, IN, UPLOAD, 3, back, 2048, NULL), 2048);
	for (int i = 0; i < 2048; i++)
		assert_int_equal(back[i], 0xFF);
	FILE *fp = fopen(f->path, "rb");
	fseek(fp, 0x4000, SEEK_SET);
	assert_int_equal(fread(back, 1, 2048, fp), 2048);
	fclose(fp);
	assert_memory_equal(back, block, 2048);
	/* DNLOAD is refused in dfuUPLOAD-IDLE (DFU 1.1 A.2.9): the host aborts first */
	assert_int_equal(req(f, OUT, DNLOAD, 0, block, 5, NULL), -1);
	assert_int_equal(status(f, NULL, NULL, NULL), 10);
	assert_int_equal(req(f, OUT, CLRSTATUS, 0, NULL, 0, NULL), 0);
	/* an address outside the alt is refused: dfuERROR, errTARGET */
	assert_int_equal(command(f, 0x21, 0x20000000, true), 0x01);
	assert_int_equal(req(f, OUT, CLRSTATUS, 0, NULL, 0, NULL), 0);
	assert_int_equal(status(f, NULL, NULL, NULL), 2);
	destroy(f);
}

/* AN2662/AN3156: with readout protection upload and erase fail with errVENDOR; read
 * unprotect erases the flash, clears protection and the device leaves the bus. */
static void test_st_rdp(void **state)
{
	(void)state;
	struct fixture *f = make(DFU_KIND_ST, "stm32f405rg", 1024 * 1024, true, false);
	uint8_t buf[2048], st;
	struct dfu_answer a;

	assert_int_equal(req(f, IN, UPLOAD, 2, buf, 2048, NULL), -1);
	assert_int_equal(status(f, &st, NULL, NULL), 10);
	assert_int_equal(st, 0x0B);
	assert_int_equal(req(f, OUT, CLRSTATUS, 0, NULL, 0, NULL), 0);
	assert_int_equal(command(f, 0x41, 0x08000000, true), 0x0B);
	assert_int_equal(req(f, OUT, CLRSTATUS, 0, NULL, 0, NULL), 0);
	buf[0] = 0x92;
	assert_int_equal(req(f, OUT, DNLOAD, 0, buf, 1, NULL), 1);
	assert_int_equal(status(f, NULL, NULL, &a), 4);
	assert_true(a.leave);
	assert_true(a.rejoin);
	assert_int_equal(status(f, NULL, NULL, NULL), 2); /* a fresh bootloader */
	assert_int_equal(req(f, IN, UPLOAD, 2, buf, 16, NULL), 16);
	uint8_t word[4];
	assert_int_equal(mcu_read(f->m, 0x08000000, word, 4, 4), MCU_OK);
	assert_memory_equal(word, "\xFF\xFF\xFF\xFF", 4);
	destroy(f);
}

/* Leave: the ST ROM answers dfuMANIFEST, the Photon's bootloader does not answer. */
static void test_leave(void **state)
{
	(void)state;
	struct dfu_answer a;
	struct fixture *st = make(DFU_KIND_ST, "stm32f205rg", 1024 * 1024, false, false);

	assert_int_equal(req(st, OUT, DNLOAD, 2, NULL, 0, &a), 0);
	assert_false(a.leave);
	assert_int_equal(status(st, NULL, NULL, &a), 7);
	assert_true(a.leave);
	assert_false(a.rejoin); /* it runs the firmware now */
	destroy(st);

	struct fixture *ph = make(DFU_KIND_PHOTON, "stm32f205rg", 1024 * 1024, false, false);
	uint8_t s[6];
	assert_int_equal(req(ph, OUT, DNLOAD, 2, NULL, 0, &a), 0);
	assert_int_equal(req(ph, IN, GETSTATUS, 0, s, 6, &a), -1);
	assert_true(a.leave);
	destroy(ph);
}

/* Realistic timing: bwPollTimeout is the datasheet erase time, and the GETSTATUS after it
 * is not answered before the erase has ended; an upload costs its full-speed bus time. */
static void test_realistic_timing(void **state)
{
	(void)state;
	struct fixture *f = make(DFU_KIND_ST, "stm32f407vg", 1024 * 1024, false, true);
	uint8_t b[5] = {0x41, 0x00, 0x40, 0x00, 0x08}, buf[2048];
	uint32_t poll;
	struct dfu_answer a;

	assert_int_equal(req(f, OUT, DNLOAD, 0, b, 5, NULL), 5);
	assert_int_equal(status(f, NULL, &poll, NULL), 4);
	assert_int_equal(poll, 250); /* DS8626 table 40: 16 KiB sector, x32, typ */
	uint64_t asked = f->now;
	assert_int_equal(status(f, NULL, NULL, &a), 5);
	assert_true(a.due_ns >= asked + 250 * MS);
	assert_int_equal(req(f, OUT, ABORT, 0, NULL, 0, NULL), 0);
	f->now = a.due_ns + 1000 * MS; /* the bus is idle again */
	assert_int_equal(req(f, IN, UPLOAD, 2, buf, 2048, &a), 2048);
	/* 1 setup + 32 data + 1 status transactions at 13 per 1 ms frame */
	assert_int_equal(a.due_ns - f->now, 34 * 1000000ull / 13);
	destroy(f);
}

/* The Spark Core's SPI flash alt is a file: erase a 4 KiB sector, program, read back. */
static void test_core_spi(void **state)
{
	(void)state;
	struct fixture *f = make(DFU_KIND_SPARK_CORE, "stm32f103cb", 128 * 1024, false, false);
	uint8_t alt1 = 1, data[1024], back[1024];

	assert_int_equal(dfu_set_alt(f->d, alt1), 0);
	assert_int_equal(dfu_set_alt(f->d, 2), -1);
	for (int i = 0; i < 1024; i++)
		data[i] = (uint8_t)(i * 3);
	write_read(f, 0x2000, data, back, 1024);
	/* the bootloader's pages of the internal flash are not writable */
	assert_int_equal(req(f, OUT, ABORT, 0, NULL, 0, NULL), 0);
	assert_int_equal(dfu_set_alt(f->d, 0), 0);
	assert_int_equal(command(f, 0x21, 0x08000000, true), 0);
	assert_int_equal(req(f, OUT, DNLOAD, 2, data, 1024, NULL), 1024);
	assert_int_equal(status(f, NULL, NULL, NULL), 4);
	uint8_t st;
	assert_int_equal(status(f, &st, NULL, NULL), 10);
	assert_int_equal(st, 0x01); /* errTARGET */
	destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_parse),
		cmocka_unit_test(test_models),
		cmocka_unit_test(test_st_write_read),
		cmocka_unit_test(test_st_rdp),
		cmocka_unit_test(test_leave),
		cmocka_unit_test(test_realistic_timing),
		cmocka_unit_test(test_core_spi),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
