/* test-mcu.c - unit tests of the simulated board (src/sim/mcu). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim/mcu/mcu.h"
#include "target/blobs.h"

#include "board_fixture.h"

#define DHCSR 0xE000EDF0u
#define DEMCR 0xE000EDFCu
#define AIRCR 0xE000ED0Cu
#define S_HALT (1u << 17)
#define S_LOCKUP (1u << 19)
#define S_RESET_ST (1u << 25)

#define F1 0x40022000u
#define F4 0x40023C00u
#define KEY1 0x45670123u
#define KEY2 0xCDEF89ABu

static const uint8_t crc_code[40];

static mcu_t *open_board(struct fixture *f, const char *model, const struct mcu_faults *faults)
{
	struct mcu_config cfg = { .model = model, .flash_path = f->path };
	if (faults)
		cfg.faults = *faults;
	char err[256] = "";
	mcu_t *m = mcu_new(&cfg, err, sizeof(err));
	if (!m)
		fail_msg("mcu_new: %s", err);
	return m;
}

static uint16_t r16(mcu_t *m, uint32_t addr)
{
	uint16_t v = 0;
	assert_int_equal(mcu_read(m, addr, &v, 2, 2), MCU_OK);
	return v;
}

static void w16(mcu_t *m, uint32_t addr, uint16_t v)
{
	assert_int_equal(mcu_write(m, addr, &v, 2, 2), MCU_OK);
}

static uint32_t reg(mcu_t *m, unsigned sel)
{
	uint32_t v = 0;
	assert_int_equal(mcu_read_core_reg(m, sel, &v), MCU_OK);
	return v;
}

static void set_reg(mcu_t *m, unsigned sel, uint32_t v)
{
	assert_int_equal(mcu_write_core_reg(m, sel, v), MCU_OK);
}

/* what OpenOCD's hla reset halt does (reference §7.3) */
static void reset_halt(mcu_t *m)
{
	w32(m, DHCSR, 0xA05F0001);
	w32(m, DEMCR, 0x01000001);
	w32(m, AIRCR, 0x05FA0004);
	assert_int_equal(mcu_system_reset(m), MCU_OK);
	w32(m, DEMCR, 0x01000000);
}

/* Runs the core until it halts, at most `slices` slices. */
static bool run_until_halt(mcu_t *m, int slices)
{
	for (int i = 0; i < slices; i++) {
		mcu_advance(m, (uint64_t)i * 1000000);
		if (r32(m, DHCSR) & S_HALT)
			return true;
	}
	return false;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
}

static size_t read_file(const char *path, void *data, size_t cap)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	size_t n = fread(data, 1, cap, fp);
	fclose(fp);
	return n;
}

/* ---------------------------------------------------------------------------------- */

static void test_models_identify(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *model;
		uint32_t dp, cpuid, dbg, size_addr;
		uint16_t kib;
	} want[] = {
		{ "stm32f103c8", 0x1BA01477, 0x411FC231, 0x20036410, 0x1FFFF7E0, 64 },
		{ "stm32f103cb", 0x1BA01477, 0x411FC231, 0x20036410, 0x1FFFF7E0, 128 },
		{ "stm32f205rg", 0x2BA01477, 0x412FC230, 0x20006411, 0x1FFF7A22, 1024 },
		{ "stm32f405rg", 0x2BA01477, 0x410FC241, 0x10076413, 0x1FFF7A22, 1024 },
		{ "stm32f407vg", 0x2BA01477, 0x410FC241, 0x10076413, 0x1FFF7A22, 1024 },
		{ "stm32f429zi", 0x2BA01477, 0x410FC241, 0x20016419, 0x1FFF7A22, 2048 },
		{ "stm32f429zg", 0x2BA01477, 0x410FC241, 0x20016419, 0x1FFF7A22, 1024 },
	};
	const char *const *names = mcu_model_names();
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_string_equal(names[i], want[i].model);
		snprintf(f->path, sizeof(f->path), "%s/%s.bin", f->dir, want[i].model);
		mcu_t *m = open_board(f, want[i].model, NULL);
		uint32_t id = 0;
		assert_int_equal(mcu_connect(m, &id), MCU_OK);
		assert_int_equal(id, want[i].dp);
		assert_int_equal(r32(m, 0xE000ED00), want[i].cpuid);
		assert_int_equal(r32(m, 0xE0042000), want[i].dbg);
		assert_int_equal(r16(m, want[i].size_addr), want[i].kib);
		struct stat st;
		assert_int_equal(stat(f->path, &st), 0);
		assert_int_equal(st.st_size, want[i].kib * 1024);
		assert_int_equal(r32(m, 0x08000000), 0xFFFFFFFF);
		/* M4 parts report FPv4-SP, M3 parts no FPU */
		bool m4 = (want[i].cpuid & 0xFFF0) == 0xC240;
		assert_int_equal(r32(m, 0xE000EF40), m4 ? 0x10110021 : 0);
		assert_int_equal(r32(m, 0xE000EF44), m4 ? 0x11000011 : 0);
		assert_int_equal(r32(m, 0xE0002000), 0x260);
		assert_int_equal(r32(m, 0xE0001000), 0x40000000);
		/* unmapped space faults */
		uint32_t v;
		assert_int_equal(mcu_read(m, 0x60000000, &v, 4, 4), MCU_FAULT);
		assert_int_equal(mcu_free(m), 0);
	}
	assert_null(names[7]);
}

static void test_bad_inputs(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct mcu_config cfg = { .model = "stm32f999", .flash_path = f->path };
	assert_null(mcu_new(&cfg, err, sizeof(err)));
	assert_string_equal(err, "unknown model 'stm32f999'; see --list-models");
	uint8_t small[1000];
	memset(small, 0x5A, sizeof(small));
	write_file(f->path, small, sizeof(small));
	cfg.model = "stm32f103c8";
	assert_null(mcu_new(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "is 1000 bytes; stm32f103c8 flash is 65536"));
	/* the bad file is left as it was */
	uint8_t back[2000];
	assert_int_equal(read_file(f->path, back, sizeof(back)), sizeof(small));
	assert_memory_equal(back, small, sizeof(small));

	/* a damaged option file: refused, and no flash file is created for it */
	char opt[128];
	snprintf(f->path, sizeof(f->path), "%s/new.bin", f->dir);
	snprintf(opt, sizeof(opt), "%s.opt", f->path);
	write_file(opt, "xyz", 3);
	assert_null(mcu_new(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "new.bin.opt' is not a stm32f103c8 option byte file"));
	assert_int_not_equal(access(f->path, F_OK), 0);
	/* an unreadable place */
	cfg.flash_path = "/nonexistent-dir/b.bin";
	assert_null(mcu_new(&cfg, err, sizeof(err)));
	assert_string_equal(err, "cannot open '/nonexistent-dir/b.bin': no such file or directory");
}

static void test_reset_halt_and_sticky_reset(void **state)
{
	struct fixture *f = *state;
	uint8_t img[65536];
	memset(img, 0xFF, sizeof(img));
	uint32_t vec[2] = { 0x20005000, 0x08000101 };
	memcpy(img, vec, sizeof(vec));
	write_file(f->path, img, sizeof(img));
	mcu_t *m = f->m = open_board(f, "stm32f103c8", NULL);

	/* init's examine: DEBUGEN not yet set, the chip runs (erased code locks up) */
	uint32_t d = r32(m, DHCSR);
	assert_false(d & S_HALT);
	reset_halt(m);
	d = r32(m, DHCSR);
	assert_true(d & S_HALT);
	assert_true(d & S_RESET_ST);
	assert_false(r32(m, DHCSR) & S_RESET_ST); /* sticky: cleared by the read */
	assert_int_equal(reg(m, 15), 0x08000100);
	assert_int_equal(reg(m, 13), 0x20005000);
	assert_int_equal(reg(m, 0x11), 0x20005000);
	assert_int_equal(reg(m, 0x10), 0x01000000);
	/* reset run as OpenOCD does it: DHCSR without C_HALT, no vector catch */
	w32(m, DHCSR, 0xA05F0001);
	w32(m, DEMCR, 0x01000000);
	w32(m, AIRCR, 0x05FA0004);
	assert_false(r32(m, DHCSR) & S_HALT);
	uint32_t v;
	assert_int_equal(mcu_read_core_reg(m, 15, &v), MCU_FAULT); /* not halted */
	/* halt request */
	w32(m, DHCSR, 0xA05F0003);
	assert_true(r32(m, DHCSR) & S_HALT);
}

static void test_nrst(void **state)
{
	struct fixture *f = *state;
	mcu_t *m = f->m = open_board(f, "stm32f407vg", NULL);
	mcu_set_nrst(m, true);
	w32(m, DHCSR, 0xA05F0001);
	w32(m, DEMCR, 0x01000001);
	assert_true(r32(m, DHCSR) & S_RESET_ST);
	assert_false(r32(m, DHCSR) & S_HALT);
	mcu_set_nrst(m, false);
	assert_true(r32(m, DHCSR) & S_HALT);
	/* erased vector table: PC from 0xFFFFFFFF */
	assert_int_equal(reg(m, 15), 0xFFFFFFFE);
}

static void f1_unlock(mcu_t *m)
{
	w32(m, F1 + 0x04, KEY1);
	w32(m, F1 + 0x04, KEY2);
	assert_int_equal(r32(m, F1 + 0x10) & 0x80, 0);
}

static void test_f1_flash_controller(void **state)
{
	struct fixture *f = *state;
	mcu_t *m = f->m = open_board(f, "stm32f103c8", NULL);
	assert_int_equal(r32(m, F1 + 0x10), 0x80);  /* LOCK at reset */
	assert_int_equal(r32(m, F1 + 0x1C), 0x03FFFFFC);
	assert_int_equal(r32(m, F1 + 0x20), 0xFFFFFFFF);
	/* locked: programming does nothing */
	w32(m, F1 + 0x10, 0x01);
	w16(m, 0x08000000, 0x1234);
	assert_int_equal(r16(m, 0x08000000), 0xFFFF);

	f1_unlock(m);
	f1_unlock(m); /* keys again while unlocked: accepted, nothing breaks */
	w32(m, F1 + 0x10, 0x01);
	w16(m, 0x08000000, 0x1234);
	w16(m, 0x08000402, 0xBEEF);
	assert_int_equal(r16(m, 0x08000000), 0x1234);
	assert_int_equal(r32(m, F1 + 0x0C) & 0x15, 0);
	/* not erased and not zero: PGERR, flash unchanged */
	w16(m, 0x08000000, 0x5678);
	assert_int_equal(r32(m, F1 + 0x0C) & 0x04, 0x04);
	assert_int_equal(r16(m, 0x08000000), 0x1234);
	w32(m, F1 + 0x0C, 0x14);
	assert_int_equal(r32(m, F1 + 0x0C) & 0x14, 0);
	/* zero may always be written */
	w16(m, 0x08000000, 0x0000);
	assert_int_equal(r16(m, 0x08000000), 0x0000);
	/* the alias at 0 shows the same flash */
	assert_int_equal(r16(m, 0x00000402), 0xBEEF);
	/* page erase of page 0 leaves page 1 */
	w32(m, F1 + 0x10, 0x02);
	w32(m, F1 + 0x14, 0x08000000);
	w32(m, F1 + 0x10, 0x42);
	assert_int_equal(r32(m, F1 + 0x0C) & 1, 0);
	assert_int_equal(r32(m, 0x08000000), 0xFFFFFFFF);
	assert_int_equal(r16(m, 0x08000402), 0xBEEF);
	/* mass erase */
	w32(m, F1 + 0x10, 0x04);
	w32(m, F1 + 0x10, 0x44);
	assert_int_equal(r16(m, 0x08000402), 0xFFFF);
	/* lock, and a wrong key sequence keeps it locked until reset */
	w32(m, F1 + 0x10, 0x80);
	w32(m, F1 + 0x04, 0x11111111);
	w32(m, F1 + 0x04, KEY1);
	w32(m, F1 + 0x04, KEY2);
	assert_int_equal(r32(m, F1 + 0x10) & 0x80, 0x80);
	assert_int_equal(mcu_system_reset(m), MCU_OK);
	f1_unlock(m);
	/* the board file is the flash: visible at once */
	w32(m, F1 + 0x10, 0x01);
	w16(m, 0x08000010, 0xA55A);
	uint8_t img[65536];
	assert_int_equal(read_file(f->path, img, sizeof(img)), sizeof(img));
	assert_int_equal(img[0x10], 0x5A);
	assert_int_equal(img[0x11], 0xA5);
}

static void f1_options_erase_program(mcu_t *m, uint8_t rdp)
{
	f1_unlock(m);
	w32(m, F1 + 0x08, KEY1);
	w32(m, F1 + 0x08, KEY2);
	w32(m, F1 + 0x10, 0x220);
	w32(m, F1 + 0x10, 0x260);
	f1_unlock(m);
	w32(m, F1 + 0x08, KEY1);
	w32(m, F1 + 0x08, KEY2);
	w32(m, F1 + 0x10, 0x210);
	uint16_t vals[8] = { rdp, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
	for (int i = 0; i < 8; i++)
		w16(m, 0x1FFFF800 + 2 * i, vals[i]);
	w32(m, F1 + 0x10, 0x80);
}

static void test_f1_rdp_lock_unlock(void **state)
{
	struct fixture *f = *state;
	mcu_t *m = f->m = open_board(f, "stm32f103c8", NULL);
	f1_unlock(m);
	w32(m, F1 + 0x10, 0x01);
	w16(m, 0x08000100, 0x4242);
	w32(m, F1 + 0x10, 0x80);
	assert_int_equal(r16(m, 0x1FFFF800), 0x5AA5);

	f1_options_erase_program(m, 0x00); /* stm32f1x lock */
	assert_int_equal(r16(m, 0x1FFFF800), 0xFF00); /* complement made by hardware */
	/* not effective before reset */
	assert_int_equal(r32(m, F1 + 0x1C) & 2, 0);
	assert_int_equal(r16(m, 0x08000100), 0x4242);
	assert_int_equal(mcu_system_reset(m), MCU_OK);
	assert_int_equal(r32(m, F1 + 0x1C) & 2, 2);
	uint32_t v;
	assert_int_equal(mcu_read(m, 0x08000100, &v, 4, 4), MCU_FAULT);
	assert_int_equal(mcu_read(m, 0x1FFFF800, &v, 4, 4), MCU_FAULT);
	/* program and page erase refused */
	f1_unlock(m);
	w32(m, F1 + 0x10, 0x02);
	w32(m, F1 + 0x14, 0x08000000);
	w32(m, F1 + 0x10, 0x42);
	assert_int_equal(r32(m, F1 + 0x0C) & 0x10, 0x10);
	w32(m, F1 + 0x0C, 0x14);
	w32(m, F1 + 0x10, 0x80);

	/* survives a power cycle through FILE.opt */
	assert_int_equal(mcu_free(m), 0);
	m = f->m = open_board(f, "stm32f103c8", NULL);
	assert_int_equal(mcu_read(m, 0x08000100, &v, 4, 4), MCU_FAULT);

	/* unlock: erasing the options mass-erases the flash */
	f1_options_erase_program(m, 0xA5);
	assert_int_equal(mcu_system_reset(m), MCU_OK);
	assert_int_equal(r16(m, 0x08000100), 0xFFFF);
	assert_int_equal(r32(m, F1 + 0x1C), 0x03FFFFFC);
}

static void test_f1_wrp_fault(void **state)
{
	struct fixture *f = *state;
	struct mcu_faults faults = { .wrp_set = true };
	faults.wrp[0] = 1u << 1; /* pages 4..7 */
	mcu_t *m = f->m = open_board(f, "stm32f103c8", &faults);
	assert_int_equal(r32(m, F1 + 0x20), 0xFFFFFFFD);
	f1_unlock(m);
	w32(m, F1 + 0x10, 0x01);
	w16(m, 0x08001000, 0x1111);
	assert_int_equal(r32(m, F1 + 0x0C) & 0x10, 0x10);
	assert_int_equal(r16(m, 0x08001000), 0xFFFF);
	w32(m, F1 + 0x0C, 0x14);
	w16(m, 0x08000C00, 0x2222); /* page 3 is free */
	assert_int_equal(r16(m, 0x08000C00), 0x2222);
	assert_int_equal(r32(m, F1 + 0x0C) & 0x14, 0);
}

static void f4_unlock(mcu_t *m)
{
	w32(m, F4 + 0x04, KEY1);
	w32(m, F4 + 0x04, KEY2);
	assert_int_equal(r32(m, F4 + 0x10) & 0x80000000u, 0);
}

static void test_f4_flash_controller(void **state)
{
	struct fixture *f = *state;
	mcu_t *m = f->m = open_board(f, "stm32f429zi", NULL);
	assert_int_equal(r32(m, F4 + 0x10), 0x80000000u);
	assert_int_equal(r32(m, F4 + 0x14), 0x0FFFAAEDu);
	assert_int_equal(r32(m, F4 + 0x18), 0x0FFF0000u);
	f4_unlock(m);
	/* program at x16 */
	w32(m, F4 + 0x10, 0x101);
	w16(m, 0x08000000, 0x1234);
	w16(m, 0x08100000, 0xABCD); /* bank 2 */
	assert_int_equal(r16(m, 0x08000000), 0x1234);
	assert_int_equal(r32(m, F4 + 0x0C) & 0xF2, 0);
	/* wrong parallelism: PGPERR, nothing written */
	w32(m, 0x08000010, 0);
	assert_int_equal(r32(m, F4 + 0x0C) & 0x40, 0x40);
	assert_int_equal(r32(m, 0x08000010), 0xFFFFFFFF);
	w32(m, F4 + 0x0C, 0xF2);
	/* a store without PG: PGSERR */
	w32(m, F4 + 0x10, 0x000);
	w16(m, 0x08000020, 0);
	assert_int_equal(r32(m, F4 + 0x0C) & 0x80, 0x80);
	w32(m, F4 + 0x0C, 0xF2);
	/* sector 12 (bank 2) erase uses SNB 0x10; sector 0 untouched */
	w32(m, F4 + 0x10, 0x00010082);
	assert_int_equal(r32(m, F4 + 0x0C) & 0x10000, 0);
	assert_int_equal(r16(m, 0x08100000), 0xFFFF);
	assert_int_equal(r16(m, 0x08000000), 0x1234);
	w32(m, F4 + 0x10, 0x00010002); /* sector 0 */
	assert_int_equal(r16(m, 0x08000000), 0xFFFF);
	w32(m, F4 + 0x10, 0x80000000u);
	assert_int_equal(r32(m, F4 + 0x10) & 0x80000000u, 0x80000000u);
}

static void f4_options(mcu_t *m, uint32_t optcr)
{
	if (r32(m, F4 + 0x14) & 1) {
		w32(m, F4 + 0x08, 0x08192A3B);
		w32(m, F4 + 0x08, 0x4C5D6E7F);
	}
	assert_int_equal(r32(m, F4 + 0x14) & 1, 0);
	w32(m, F4 + 0x14, optcr);
	w32(m, F4 + 0x14, optcr | 2);
	w32(m, F4 + 0x14, optcr | 1);
}

static void test_f4_rdp_and_staging(void **state)
{
	struct fixture *f = *state;
	mcu_t *m = f->m = open_board(f, "stm32f407vg", NULL);
	f4_unlock(m);
	w32(m, F4 + 0x10, 0x101);
	w16(m, 0x08004000, 0x7777);
	w32(m, F4 + 0x10, 0x80000000u);
	/* a staged OPTCR without OPTSTRT changes nothing after reset */
	w32(m, F4 + 0x08, 0x08192A3B);
	w32(m, F4 + 0x08, 0x4C5D6E7F);
	w32(m, F4 + 0x14, 0x0FFF00EC);
	assert_int_equal(mcu_system_reset(m), MCU_OK);
	assert_int_equal(r32(m, F4 + 0x14), 0x0FFFAAED);
	/* stm32f2x lock: OPTSTRT commits; protection applies at reset */
	f4_options(m, 0x0FFF00EC);
	assert_int_equal(r16(m, 0x08004000), 0x7777);
	assert_int_equal(mcu_system_reset(m), MCU_OK);
	assert_int_equal(r32(m, F4 + 0x14), 0x0FFF00ED);
	uint32_t v;
	assert_int_equal(mcu_read(m, 0x08004000, &v, 4, 4), MCU_FAULT);
	f4_unlock(m);
	w32(m, F4 + 0x10, 0x0001000A); /* sector 1 */
	assert_int_equal(r32(m, F4 + 0x0C) & 0x10, 0x10); /* WRPERR */
	w32(m, F4 + 0x0C, 0xF2);
	/* unlock: level 1 -> 0 mass-erases */
	f4_options(m, 0x0FFFAAEC);
	assert_int_equal(mcu_system_reset(m), MCU_OK);
	assert_int_equal(r16(m, 0x08004000), 0xFFFF);
	uint8_t opt[8];
	char p[128];
	snprintf(p, sizeof(p), "%s.opt", f->path);
	assert_int_equal(read_file(p, opt, sizeof(opt)), 8);
	assert_int_equal(opt[1], 0xAA);
	/* level 2 is for good: after the next reset the debug port is gone */
	f4_options(m, 0x0FFFCCEC);
	uint32_t id;
	assert_int_equal(mcu_connect(m, &id), MCU_OK);
	assert_int_equal(mcu_system_reset(m), MCU_OK);
	assert_int_equal(mcu_connect(m, &id), MCU_NO_RESPONSE);
	assert_int_equal(mcu_read(m, 0x20000000, &v, 4, 4), MCU_NO_RESPONSE);
}

static void test_f4_rdp1_fault_and_wrp(void **state)
{
	struct fixture *f = *state;
	struct mcu_faults faults = { .rdp1 = true, .wrp_set = true };
	faults.wrp[0] = 1u << 13;
	mcu_t *m = f->m = open_board(f, "stm32f429zi", &faults);
	uint32_t v;
	assert_int_equal(mcu_read(m, 0x08000000, &v, 4, 4), MCU_FAULT);
	assert_int_not_equal((r32(m, F4 + 0x14) >> 8) & 0xFF, 0xAA);
	assert_int_equal(r32(m, F4 + 0x18), 0x0FFF0000u & ~(1u << 17));
	/* a debugger algorithm in SRAM cannot read the protected flash: the CRC routine
	 * faults and the core locks up instead of leaking a checksum */
	reset_halt(m);
	assert_int_equal(mcu_write(m, 0x20000000, crc_code, sizeof(crc_code), 4), MCU_OK);
	set_reg(m, 0, 0x08000000);
	set_reg(m, 1, 1024);
	set_reg(m, 15, 0x20000000);
	w32(m, DHCSR, 0xA05F0001);
	assert_false(run_until_halt(m, 10));
	assert_true(r32(m, DHCSR) & S_LOCKUP);
	/* the fault is not written to the board files until options change */
	char p[128];
	snprintf(p, sizeof(p), "%s.opt", f->path);
	assert_int_not_equal(access(p, F_OK), 0);
}

static void test_f4_otp(void **state)
{
	struct fixture *f = *state;
	mcu_t *m = f->m = open_board(f, "stm32f205rg", NULL);
	uint8_t b[2];
	assert_int_equal(mcu_read(m, 0x1FFF7A00, b, 1, 1), MCU_OK);
	assert_int_equal(b[0], 0xFF);
	f4_unlock(m);
	w32(m, F4 + 0x10, 0x001); /* PG, x8 */
	uint8_t one = 0x3C;
	assert_int_equal(mcu_write(m, 0x1FFF7800, &one, 1, 1), MCU_OK);
	uint8_t zero = 0x00;
	assert_int_equal(mcu_write(m, 0x1FFF7A00, &zero, 1, 1), MCU_OK); /* lock block 0 */
	one = 0x00;
	assert_int_equal(mcu_write(m, 0x1FFF7801, &one, 1, 1), MCU_OK);
	assert_int_equal(r32(m, F4 + 0x0C) & 0x10, 0x10); /* locked block refuses */
	assert_int_equal(mcu_read(m, 0x1FFF7800, b, 2, 1), MCU_OK);
	assert_int_equal(b[0], 0x3C);
	assert_int_equal(b[1], 0xFF);
	assert_int_equal(mcu_free(m), 0);
	m = f->m = open_board(f, "stm32f205rg", NULL);
	assert_int_equal(mcu_read(m, 0x1FFF7800, b, 1, 1), MCU_OK);
	assert_int_equal(b[0], 0x3C);
}

static mcu_t *open_timed(struct fixture *f, const char *model)
{
	struct mcu_config cfg = { .model = model, .flash_path = f->path,
	                          .timing = MCU_TIMING_REALISTIC };
	char err[256] = "";
	mcu_t *m = mcu_new(&cfg, err, sizeof(err));
	if (!m)
		fail_msg("mcu_new: %s", err);
	return m;
}

/* Simulated time only: BSY follows the clock the server passes, not the host's. */
static void test_realistic_busy_times(void **state)
{
	struct fixture *f = *state;
	uint64_t t0 = 5000000000ull;
	mcu_t *m = f->m = open_timed(f, "stm32f103c8");
	mcu_advance(m, t0);
	f1_unlock(m);
	w32(m, F1 + 0x10, 0x02);
	w32(m, F1 + 0x14, 0x08000000);
	w32(m, F1 + 0x10, 0x42);
	assert_int_equal(r32(m, F1 + 0x0C) & 1, 1);
	assert_int_equal(r32(m, F1 + 0x10) & 0x40, 0x40); /* STRT reads 1 while busy */
	mcu_advance(m, t0 + 24000000);
	assert_int_equal(r32(m, F1 + 0x0C) & 1, 1);
	mcu_advance(m, t0 + 26000000); /* page erase: 25 ms */
	assert_int_equal(r32(m, F1 + 0x0C) & 1, 0);
	assert_int_equal(r32(m, F1 + 0x10) & 0x40, 0);
	/* a halfword program: 52.5 us */
	w32(m, F1 + 0x10, 0x01);
	w16(m, 0x08000000, 0x1234);
	assert_int_equal(r32(m, F1 + 0x0C) & 1, 1);
	mcu_advance(m, t0 + 26000000 + 53000);
	assert_int_equal(r32(m, F1 + 0x0C) & 1, 0);
	mcu_free(m);
	f->m = NULL;

	/* F4 128 KiB sector at x8 (OpenOCD's erase): 2 s typ x 0.911 = 1.822 s; at x32
	 * 1 s x 0.911 */
	snprintf(f->path, sizeof(f->path), "%s/f4.bin", f->dir);
	m = f->m = open_timed(f, "stm32f407vg");
	mcu_advance(m, t0);
	f4_unlock(m);
	w32(m, F4 + 0x10, 0x00010002 | (5u << 3));
	mcu_advance(m, t0 + 1820000000ull);
	assert_int_equal(r32(m, F4 + 0x0C) & 0x10000, 0x10000);
	mcu_advance(m, t0 + 1823000000ull);
	assert_int_equal(r32(m, F4 + 0x0C) & 0x10000, 0);
	w32(m, F4 + 0x10, 0x00010202 | (6u << 3));
	mcu_advance(m, t0 + 1823000000ull + 910000000ull);
	assert_int_equal(r32(m, F4 + 0x0C) & 0x10000, 0x10000);
	mcu_advance(m, t0 + 1823000000ull + 912000000ull);
	assert_int_equal(r32(m, F4 + 0x0C) & 0x10000, 0);
	/* while busy, CR writes are ignored as the bus stalls them on silicon */
	w32(m, F4 + 0x10, 0x00010002 | (7u << 3));
	w32(m, F4 + 0x10, 0x80000000u);
	assert_int_equal(r32(m, F4 + 0x10) & 0x80000000u, 0);
}

/* --- the core ---------------------------------------------------------------------- */

static void test_tiny_program_to_bkpt(void **state)
{
	struct fixture *f = *state;
	mcu_t *m = f->m = open_board(f, "stm32f103cb", NULL);
	reset_halt(m);
	/* movs r0,#42; adds r0,#1; bkpt #0 */
	static const uint8_t code[] = { 0x2A, 0x20, 0x01, 0x30, 0x00, 0xBE };
	assert_int_equal(mcu_write(m, 0x20000000, code, sizeof(code), 1), MCU_OK);
	set_reg(m, 15, 0x20000000);
	set_reg(m, 0x10, 0x01000000);
	/* step one instruction */
	w32(m, DHCSR, 0xA05F000D);
	assert_true(r32(m, DHCSR) & S_HALT);
	assert_int_equal(reg(m, 15), 0x20000002);
	assert_int_equal(reg(m, 0), 42);
	/* resume: runs to the BKPT and halts with PC on it */
	w32(m, DHCSR, 0xA05F0001);
	assert_true(run_until_halt(m, 100));
	assert_int_equal(reg(m, 15), 0x20000004);
	assert_int_equal(reg(m, 0), 43);
}

static void test_wfi_sleeps_and_debugger_recovers(void **state)
{
	struct fixture *f = *state;
	mcu_t *m = f->m = open_board(f, "stm32f407vg", NULL);
	reset_halt(m);
	/* wfi; b . ; then at +8: movs r1,#7; bkpt */
	static const uint8_t code[] = { 0x30, 0xBF, 0xFE, 0xE7, 0x00, 0xBF, 0x00, 0xBF,
	                                0x07, 0x21, 0x00, 0xBE };
	assert_int_equal(mcu_write(m, 0x20000000, code, sizeof(code), 4), MCU_OK);
	set_reg(m, 15, 0x20000000);
	w32(m, DHCSR, 0xA05F0001);
	mcu_advance(m, 1000);
	mcu_advance(m, 2000);
	assert_true(r32(m, DHCSR) & (1u << 18)); /* S_SLEEP */
	w32(m, DHCSR, 0xA05F0003);
	assert_true(r32(m, DHCSR) & S_HALT);
	set_reg(m, 15, 0x20000008);
	w32(m, DHCSR, 0xA05F0001);
	assert_true(run_until_halt(m, 10));
	assert_int_equal(reg(m, 1), 7);
	assert_int_equal(reg(m, 15), 0x2000000A);
	/* bit-band: the debugger sets bit 3 of SRAM byte 0x20000201 through its alias word */
	w32(m, 0x22000000u + 0x201 * 32 + 3 * 4, 1);
	uint8_t byte;
	assert_int_equal(mcu_read(m, 0x20000201, &byte, 1, 1), MCU_OK);
	assert_int_equal(byte, 0x08);
	assert_int_equal(r32(m, 0x22000000u + 0x201 * 32 + 3 * 4), 1);
	/* and the core sets RCC's HSEON (CR bit 16) with a str to the alias:
	 * movs r1,#1; str r1,[r0]; bkpt */
	static const uint8_t bb[] = { 0x01, 0x21, 0x01, 0x60, 0x00, 0xBE, 0x00, 0xBF };
	assert_int_equal(mcu_write(m, 0x20000300, bb, sizeof(bb), 4), MCU_OK);
	set_reg(m, 0, 0x42000000u + (0x40023800u - 0x40000000u) * 32 + 16 * 4);
	set_reg(m, 15, 0x20000300);
	w32(m, DHCSR, 0xA05F0001);
	assert_true(run_until_halt(m, 10));
	assert_int_equal(r32(m, 0x40023800) & (3u << 16), 3u << 16); /* HSEON, HSERDY */
	/* YIELD is a NOP; WFE sleeps (no event ever comes); UDF locks up */
	static const uint8_t hints[] = { 0x10, 0xBF, 0x00, 0xBE, 0x20, 0xBF, 0x00, 0xBE,
	                                 0x00, 0xDE, 0x00, 0xBE };
	assert_int_equal(mcu_write(m, 0x20000100, hints, sizeof(hints), 4), MCU_OK);
	set_reg(m, 15, 0x20000100);
	w32(m, DHCSR, 0xA05F0001);
	assert_true(run_until_halt(m, 10));
	assert_int_equal(reg(m, 15), 0x20000102);
	set_reg(m, 15, 0x20000104);
	w32(m, DHCSR, 0xA05F0001);
	mcu_advance(m, 3000);
	assert_true(r32(m, DHCSR) & (1u << 18));
	w32(m, DHCSR, 0xA05F0003);
	set_reg(m, 15, 0x20000108);
	w32(m, DHCSR, 0xA05F0001);
	mcu_advance(m, 4000);
	assert_true(r32(m, DHCSR) & S_LOCKUP);
}

/* CRC-32 as OpenOCD defines it for verify_image: polynomial 0x04C11DB7, MSB first, init
 * 0xFFFFFFFF, no final xor. Our own Thumb-2 routine (r0 = address, r1 = length ->
 * r0 = crc), assembled from:
 *     ldr r3, =0x04C11DB7; movs r2, #0; mvns r2, r2; cbz r1, done
 *   byte: ldrb r4, [r0], #1; eor.w r2, r2, r4, lsl #24; movs r5, #8
 *   bit:  lsls r2, r2, #1; it cs; eorcs r2, r3; subs r5, #1; bne bit
 *         subs r1, #1; bne byte
 *   done: mov r0, r2; bkpt #0; .ltorg */
static const uint8_t crc_code[] = {
	0x08, 0x4b, 0x00, 0x22, 0xd2, 0x43, 0x59, 0xb1, 0x10, 0xf8, 0x01, 0x4b,
	0x82, 0xea, 0x04, 0x62, 0x08, 0x25, 0x52, 0x00, 0x28, 0xbf, 0x5a, 0x40,
	0x6d, 0x1e, 0xfa, 0xd1, 0x49, 0x1e, 0xf3, 0xd1, 0x10, 0x46, 0x00, 0xbe,
	0xb7, 0x1d, 0xc1, 0x04,
};

static uint32_t host_crc(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= (uint32_t)p[i] << 24;
		for (int k = 0; k < 8; k++)
			c = (c & 0x80000000u) ? (c << 1) ^ 0x04C11DB7u : c << 1;
	}
	return c;
}

static void test_crc_on_target(void **state)
{
	struct fixture *f = *state;
	size_t n = 1024 * 1024;
	uint8_t *img = malloc(n);
	uint32_t x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		img[i] = (uint8_t)(x >> 16);
	}
	write_file(f->path, img, n);
	mcu_t *m = f->m = open_board(f, "stm32f407vg", NULL);
	reset_halt(m);
	assert_int_equal(mcu_write(m, 0x20000000, crc_code, sizeof(crc_code), 4), MCU_OK);
	set_reg(m, 0, 0x08000000);
	set_reg(m, 1, (uint32_t)n);
	set_reg(m, 15, 0x20000000);
	set_reg(m, 0x10, 0x01000000);
	w32(m, DHCSR, 0xA05F0001);
	assert_true(run_until_halt(m, 100000));
	assert_int_equal(reg(m, 15), 0x20000022);
	assert_int_equal(reg(m, 0), host_crc(img, n));
	/* and the well-known check value of this CRC variant (CRC-32/MPEG-2) */
	static const char check[] = "123456789";
	assert_int_equal(host_crc((const uint8_t *)check, 9), 0x0376E6E7);
	free(img);
}

/* --- the CRC calculation unit (src/sim/mcu/crc.c) --------------------------------- */

#define CRC_UNIT 0x40023000u

/* The unit's CRC, written the plain way: each 32-bit word MSB first through 0x04C11DB7. */
static uint32_t ref_crc_words(uint32_t crc, const uint32_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		crc ^= w[i];
		for (int k = 0; k < 32; k++)
			crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
	}
	return crc;
}

/* RCC clock enable of the unit: AHBENR bit 6 (F1), AHB1ENR bit 12 (F2/F4). */
static void crc_unit_checks(mcu_t *m, uint32_t enr, uint32_t bit)
{
	uint32_t words[64];
	uint32_t x = 777;
	for (size_t i = 0; i < 64; i++) {
		x = x * 1103515245u + 12345u;
		words[i] = x ^ (x << 13);
	}
	/* gated: writes are lost and everything reads 0 */
	w32(m, enr, r32(m, enr) & ~bit);
	w32(m, CRC_UNIT + 4, 0x5A);
	w32(m, CRC_UNIT, 0x12345678);
	assert_int_equal(r32(m, CRC_UNIT), 0);
	assert_int_equal(r32(m, CRC_UNIT + 4), 0);
	/* clocked: the reset value, then the same CRC as the reference */
	w32(m, enr, r32(m, enr) | bit);
	assert_int_equal(r32(m, CRC_UNIT), 0xFFFFFFFFu);
	assert_int_equal(r32(m, CRC_UNIT + 4), 0);
	for (size_t i = 0; i < 64; i++)
		w32(m, CRC_UNIT, words[i]);
	assert_int_equal(r32(m, CRC_UNIT), ref_crc_words(0xFFFFFFFFu, words, 64));
	/* one word from the reset value, against the byte-wise CRC-32/MPEG-2 reference
	 * (its bytes in the order the unit shifts them: the word's MSB first) */
	w32(m, CRC_UNIT + 4, 0xA5);
	w32(m, CRC_UNIT + 8, 1);
	assert_int_equal(r32(m, CRC_UNIT), 0xFFFFFFFFu);
	assert_int_equal(r32(m, CRC_UNIT + 8), 0); /* RESET reads 0 */
	assert_int_equal(r32(m, CRC_UNIT + 4), 0xA5); /* IDR survives CR.RESET */
	w32(m, CRC_UNIT + 4, 0x1FF);
	assert_int_equal(r32(m, CRC_UNIT + 4), 0xFF); /* an 8-bit register */
	w32(m, CRC_UNIT, 0x31323334u);
	assert_int_equal(r32(m, CRC_UNIT), host_crc((const uint8_t *)"1234", 4));
	/* a system reset puts the unit and its clock gate back */
	w32(m, CRC_UNIT, 0xDEADBEEFu);
	reset_halt(m);
	assert_int_equal(r32(m, enr) & bit, 0);
	w32(m, enr, r32(m, enr) | bit);
	assert_int_equal(r32(m, CRC_UNIT), 0xFFFFFFFFu);
	assert_int_equal(r32(m, CRC_UNIT + 4), 0);
}

static void test_crc_unit_registers(void **state)
{
	struct fixture *f = *state;
	mcu_t *m = f->m = open_board(f, "stm32f103c8", NULL);
	reset_halt(m);
	crc_unit_checks(m, 0x40021000u + 0x14, 1u << 6);
	mcu_free(m);
	f->m = NULL;
	snprintf(f->path, sizeof(f->path), "%s/f4.bin", f->dir);
	m = f->m = open_board(f, "stm32f407vg", NULL);
	reset_halt(m);
	crc_unit_checks(m, 0x40023800u + 0x30, 1u << 12);
	/* the F4 bit is not the F1 one */
	w32(m, 0x40023800u + 0x30, 1u << 6);
	assert_int_equal(r32(m, CRC_UNIT), 0);
}

/* Four HCLK cycles per word: eight back-to-back stores to DR per loop pass
 *   loop: str r2, [r0] (x8); subs r3, #1; bne loop; bkpt #0
 * take the unit's 8 x 4 cycles instead of the 12 the instructions alone cost. */
static const uint8_t crc_feed_code[] = {
	0x02, 0x60, 0x02, 0x60, 0x02, 0x60, 0x02, 0x60, 0x02, 0x60, 0x02, 0x60,
	0x02, 0x60, 0x02, 0x60, 0x01, 0x3b, 0xf5, 0xd1, 0x00, 0xbe,
};

static void test_crc_unit_timing(void **state)
{
	struct fixture *f = *state;
	uint64_t t0 = 5000000000ull;
	mcu_t *m = f->m = open_timed(f, "stm32f407vg");
	mcu_advance(m, t0);
	reset_halt(m);
	w32(m, 0x40023800u + 0x30, 1u << 12);
	assert_int_equal(mcu_write(m, 0x20000000, crc_feed_code, sizeof(crc_feed_code), 4),
	                 MCU_OK);
	/* 1000 passes: 12000 cycles (0.75 ms at the 16 MHz HSI) without the unit's
	 * cycles, 32000 (2 ms) with them */
	set_reg(m, 0, CRC_UNIT);
	set_reg(m, 2, 0x01020304);
	set_reg(m, 3, 1000);
	set_reg(m, 15, 0x20000000);
	set_reg(m, 0x10, 0x01000000);
	w32(m, DHCSR, 0xA05F0001);
	mcu_advance(m, t0 + 1500000);
	assert_false(r32(m, DHCSR) & S_HALT);
	mcu_advance(m, t0 + 4000000);
	assert_true(r32(m, DHCSR) & S_HALT);
	uint32_t words[8000];
	for (size_t i = 0; i < 8000; i++)
		words[i] = 0x01020304;
	assert_int_equal(r32(m, CRC_UNIT), ref_crc_words(0xFFFFFFFFu, words, 8000));
}

/* --- our CRC routine (src/target/crc_ranges.S) on the simulated core --------------- */

#define CODE_AT 0x20000000u
#define PARAMS_AT 0x20001000u
#define CRCS_AT 0x20002000u

/* The unit's CRC over flash bytes: little-endian words, each MSB first. */
static uint32_t ref_crc_bytes(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xFFFFFFFFu;
	for (size_t i = 0; i + 4 <= n; i += 4) {
		uint32_t w = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
		             (uint32_t)p[i + 3] << 24;
		crc = ref_crc_words(crc, &w, 1);
	}
	return crc;
}

/* Loads the routine and its ranges, runs it to its bkpt and returns the target time it
 * took in ms (to 0.1 ms; 0 with timing none). */
static double run_crc_ranges(mcu_t *m, uint32_t enr, uint32_t bit, const uint32_t *ranges,
                             unsigned n, uint64_t t0)
{
	uint32_t params[4 + 2 * 32];
	params[0] = enr;
	params[1] = bit;
	params[2] = n;
	params[3] = CRCS_AT;
	memcpy(params + 4, ranges, 8 * n);
	assert_int_equal(mcu_write(m, CODE_AT, swd_target_crc_ranges,
	                           (swd_target_crc_ranges_size + 3) & ~(size_t)3, 4), MCU_OK);
	assert_int_equal(mcu_write(m, PARAMS_AT, params, 16 + 8 * n, 4), MCU_OK);
	/* the firmware's registers, which the routine must leave as it found them */
	for (unsigned r = 1; r <= 12; r++)
		set_reg(m, r, 0x11110000u * r);
	set_reg(m, 14, 0x08000123u);
	set_reg(m, 0, PARAMS_AT);
	set_reg(m, 15, CODE_AT + swd_crc_ranges_entry_offset);
	set_reg(m, 0x10, 0x01000000);
	w32(m, DHCSR, 0xA05F0001);
	for (int i = 1; i <= 20000; i++) {
		mcu_advance(m, t0 + (uint64_t)i * 100000);
		if (r32(m, DHCSR) & S_HALT) {
			assert_int_equal(reg(m, 15), CODE_AT + swd_crc_ranges_done_offset);
			for (unsigned r = 1; r <= 12; r++)
				assert_int_equal(reg(m, r), 0x11110000u * r);
			assert_int_equal(reg(m, 14), 0x08000123u);
			return i / 10.0;
		}
	}
	fail_msg("the crc routine did not halt in 2 s of target time");
	return 0;
}

static void test_crc_routine(void **state)
{
	struct fixture *f = *state;
	size_t n = 1024 * 1024;
	uint8_t *img = malloc(n);
	uint32_t x = 4242;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		img[i] = (uint8_t)(x >> 16);
	}
	memset(img + 0x20000, 0xFF, 0x20000); /* an erased sector among the rest */
	write_file(f->path, img, n);
	mcu_t *m = f->m = open_board(f, "stm32f407vg", NULL);
	reset_halt(m);
	/* the F407's twelve sectors (RM0090 Table 5), then an empty range and ranges that
	 * end off the routine's four-word stride */
	uint32_t ranges[2 * 16];
	unsigned k = 0;
	uint32_t at = 0x08000000;
	for (unsigned s = 0; s < 12; s++) {
		uint32_t size = s < 4 ? 0x4000 : s == 4 ? 0x10000 : 0x20000;
		ranges[2 * k] = at;
		ranges[2 * k + 1] = size;
		k++;
		at += size;
	}
	uint32_t odd[][2] = { { 0x08000100, 0 }, { 0x08000104, 20 }, { 0x080FFFF4, 12 },
	                      { 0x08000000, 4 } };
	for (unsigned i = 0; i < 4; i++, k++) {
		ranges[2 * k] = odd[i][0];
		ranges[2 * k + 1] = odd[i][1];
	}
	/* some other AHB1 clock on, the CRC unit's off: left that way afterwards */
	w32(m, 0x40023830, 1u << 20);
	run_crc_ranges(m, 0x40023830, 1u << 12, ranges, k, 0);
	assert_int_equal(r32(m, 0x40023830), 1u << 20);
	for (unsigned i = 0; i < k; i++) {
		uint32_t crc = r32(m, CRCS_AT + 4 * i);
		uint32_t want = ref_crc_bytes(img + (ranges[2 * i] - 0x08000000), ranges[2 * i + 1]);
		if (crc != want)
			fail_msg("range %u (0x%08x, %u bytes): crc 0x%08x, want 0x%08x", i,
			         ranges[2 * i], ranges[2 * i + 1], crc, want);
	}
	assert_int_equal(r32(m, CRCS_AT + 4 * 12), 0xFFFFFFFFu); /* the empty range */
	/* the clock already on: stays on */
	w32(m, 0x40023830, 1u << 12);
	run_crc_ranges(m, 0x40023830, 1u << 12, ranges, 1, 0);
	assert_int_equal(r32(m, 0x40023830), 1u << 12);
	assert_int_equal(r32(m, CRCS_AT), ref_crc_bytes(img, 0x4000));
	mcu_free(m);
	f->m = NULL;

	/* F1: one CRC per 1 KiB page of a 128 KiB part, through RCC_AHBENR bit 6 */
	snprintf(f->path, sizeof(f->path), "%s/f1.bin", f->dir);
	write_file(f->path, img, 128 * 1024);
	m = f->m = open_board(f, "stm32f103cb", NULL);
	reset_halt(m);
	for (unsigned p = 0; p < 32; p++) {
		ranges[2 * (p % 16)] = 0x08000000 + 0x1000 * p;
		ranges[2 * (p % 16) + 1] = 0x400;
		if (p % 16 == 15) {
			run_crc_ranges(m, 0x40021014, 1u << 6, ranges, 16, 0);
			for (unsigned i = 0; i < 16; i++)
				assert_int_equal(r32(m, CRCS_AT + 4 * i),
				                 ref_crc_bytes(img + (ranges[2 * i] - 0x08000000), 0x400));
		}
	}
	assert_int_equal(r32(m, 0x40021014) & (1u << 6), 0);
	free(img);
}

/* 1 MiB at the F407's reset clock (16 MHz HSI), with realistic timing: the unit's four
 * cycles per word bound it at 65.5 ms; the loop around them costs a little more. */
static void test_crc_routine_timing(void **state)
{
	struct fixture *f = *state;
	size_t n = 1024 * 1024;
	uint8_t *img = calloc(1, n);
	for (size_t i = 0; i < n; i++)
		img[i] = (uint8_t)(i * 7 + (i >> 10));
	write_file(f->path, img, n);
	uint64_t t0 = 5000000000ull;
	mcu_t *m = f->m = open_timed(f, "stm32f407vg");
	mcu_advance(m, t0);
	reset_halt(m);
	uint32_t whole[2] = { 0x08000000, (uint32_t)n };
	double ms = run_crc_ranges(m, 0x40023830, 1u << 12, whole, 1, t0);
	print_message("crc_ranges: 1 MiB in %.1f ms of target time at 16 MHz\n", ms);
	assert_true(ms >= 65.0);
	assert_true(ms < 100.0);
	assert_int_equal(r32(m, CRCS_AT), ref_crc_bytes(img, n));
	free(img);
}

/* Programs flash from the core through the controller, as a flash loader does:
 *   loop: ldrh r4, [r1], #2; strh r4, [r2], #2
 *   wait: ldr r5, [r0, #12]; tst r5, #1; bne wait; tst r5, #0x14; bne out
 *         subs r3, #1; bne loop
 *   out:  mov r0, r5; bkpt #0 */
static const uint8_t prog_code[] = {
	0x31, 0xf8, 0x02, 0x4b, 0x22, 0xf8, 0x02, 0x4b, 0xc5, 0x68, 0x15, 0xf0,
	0x01, 0x0f, 0xfb, 0xd1, 0x15, 0xf0, 0x14, 0x0f, 0x01, 0xd1, 0x5b, 0x1e,
	0xf2, 0xd1, 0x28, 0x46, 0x00, 0xbe,
};

static void test_core_programs_flash(void **state)
{
	struct fixture *f = *state;
	mcu_t *m = f->m = open_board(f, "stm32f103c8", NULL);
	reset_halt(m);
	uint16_t data[64];
	for (int i = 0; i < 64; i++)
		data[i] = (uint16_t)(0x1000 + i);
	assert_int_equal(mcu_write(m, 0x20000000, prog_code, sizeof(prog_code), 1), MCU_OK);
	assert_int_equal(mcu_write(m, 0x20000100, data, sizeof(data), 2), MCU_OK);
	f1_unlock(m);
	w32(m, F1 + 0x10, 0x01);
	set_reg(m, 0, F1);
	set_reg(m, 1, 0x20000100);
	set_reg(m, 2, 0x08000400);
	set_reg(m, 3, 64);
	set_reg(m, 15, 0x20000000);
	set_reg(m, 0x10, 0x01000000);
	w32(m, DHCSR, 0xA05F0001);
	assert_true(run_until_halt(m, 1000));
	assert_int_equal(reg(m, 0) & 0x14, 0);
	uint16_t back[64];
	assert_int_equal(mcu_read(m, 0x08000400, back, sizeof(back), 4), MCU_OK);
	assert_memory_equal(back, data, sizeof(data));
	/* again over the same halfwords: the controller refuses, PGERR, flash keeps the
	 * old values although the core's raw stores differ */
	for (int i = 0; i < 64; i++)
		data[i] = 0x5555;
	assert_int_equal(mcu_write(m, 0x20000100, data, sizeof(data), 2), MCU_OK);
	set_reg(m, 0, F1);
	set_reg(m, 1, 0x20000100);
	set_reg(m, 2, 0x08000400);
	set_reg(m, 3, 64);
	set_reg(m, 15, 0x20000000);
	w32(m, DHCSR, 0xA05F0001);
	assert_true(run_until_halt(m, 1000));
	assert_int_equal(reg(m, 0) & 0x04, 0x04);
	assert_int_equal(r16(m, 0x08000400), 0x1000);
}

static void test_erased_board_locks_up(void **state)
{
	struct fixture *f = *state;
	mcu_t *m = f->m = open_board(f, "stm32f103c8", NULL);
	mcu_advance(m, 1000);
	uint32_t d = r32(m, DHCSR);
	assert_true(d & S_LOCKUP);
	assert_false(d & S_HALT);
	/* the debugger can still halt and reset it */
	w32(m, DHCSR, 0xA05F0003);
	assert_true(r32(m, DHCSR) & S_HALT);
	reset_halt(m);
	assert_int_equal(reg(m, 15), 0xFFFFFFFE);
}

static void test_garbage_boards_do_not_hang(void **state)
{
	struct fixture *f = *state;
	size_t n = 128 * 1024;
	uint8_t *img = malloc(n);
	for (uint32_t seed = 1; seed <= 40; seed++) {
		uint32_t x = seed * 2654435761u;
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			img[i] = (uint8_t)x;
		}
		if (seed % 2) {
			/* a plausible vector table into the garbage */
			uint32_t vec[2] = { 0x20005000, 0x08000101 + (seed * 64) };
			memcpy(img, vec, sizeof(vec));
		}
		write_file(f->path, img, n);
		mcu_t *m = open_board(f, "stm32f103cb", NULL);
		for (int i = 0; i < 20; i++)
			mcu_advance(m, (uint64_t)i * 1000000);
		uint32_t d = r32(m, DHCSR);
		/* whatever it did, the debugger still gets it halted */
		w32(m, DHCSR, 0xA05F0003);
		assert_true((r32(m, DHCSR) & S_HALT) || (d & S_LOCKUP));
		reset_halt(m);
		assert_true(r32(m, DHCSR) & S_HALT);
		assert_int_equal(mcu_free(m), 0);
	}
	free(img);
}

/* --- board faults -------------------------------------------------------------------- */

static void test_fault_unpowered(void **state)
{
	struct fixture *f = *state;
	struct mcu_faults faults = { .unpowered = true };
	mcu_t *m = f->m = open_board(f, "stm32f103c8", &faults);
	uint32_t id, v;
	assert_true(mcu_target_voltage(m) < 0.1);
	assert_int_equal(mcu_connect(m, &id), MCU_NO_RESPONSE);
	assert_int_equal(mcu_read(m, 0xE000ED00, &v, 4, 4), MCU_NO_RESPONSE);
}

static void test_fault_swd_disabled(void **state)
{
	struct fixture *f = *state;
	struct mcu_faults faults = { .swd_disabled = true };
	static uint8_t img[1024 * 1024];
	memset(img, 0xFF, sizeof(img));
	/* an erased chip runs no firmware: the pins stay SWD */
	mcu_t *m = f->m = open_board(f, "stm32f407vg", &faults);
	uint32_t id, v;
	assert_int_equal(mcu_connect(m, &id), MCU_OK);
	assert_int_equal(mcu_free(m), 0);
	/* firmware: b . */
	uint32_t vec[2] = { 0x20005000, 0x08000101 };
	memcpy(img, vec, sizeof(vec));
	img[0x100] = 0xFE;
	img[0x101] = 0xE7;
	write_file(f->path, img, sizeof(img));
	m = f->m = open_board(f, "stm32f407vg", &faults);
	assert_int_equal(mcu_connect(m, &id), MCU_NO_RESPONSE);
	/* connect under reset */
	mcu_set_nrst(m, true);
	assert_int_equal(mcu_connect(m, &id), MCU_OK);
	w32(m, DHCSR, 0xA05F0001);
	w32(m, DEMCR, 0x01000001);
	mcu_set_nrst(m, false);
	/* halted before the firmware ran: the pins still answer */
	assert_true(r32(m, DHCSR) & S_HALT);
	assert_int_equal(mcu_connect(m, &id), MCU_OK);
	/* resumed, the firmware takes the pins again */
	w32(m, DEMCR, 0x01000000);
	w32(m, DHCSR, 0xA05F0001);
	assert_int_equal(mcu_read(m, DHCSR, &v, 4, 4), MCU_NO_RESPONSE);
}

static void test_fault_low_power(void **state)
{
	struct fixture *f = *state;
	struct mcu_faults faults = { .low_power = true };
	uint8_t img[65536];
	memset(img, 0xFF, sizeof(img));
	/* firmware: b . (sleeps forever as far as the debugger can tell) */
	uint32_t vec[2] = { 0x20005000, 0x08000101 };
	memcpy(img, vec, sizeof(vec));
	img[0x100] = 0xFE;
	img[0x101] = 0xE7;
	write_file(f->path, img, sizeof(img));
	mcu_t *m = f->m = open_board(f, "stm32f103c8", &faults);
	mcu_advance(m, 1000);
	reset_halt(m);
	assert_false(r32(m, DHCSR) & S_HALT);
	w32(m, DHCSR, 0xA05F0003);
	assert_false(r32(m, DHCSR) & S_HALT);
	assert_int_equal(r32(m, 0x08000000), 0x20005000); /* memory still reads */
	/* under reset it works */
	mcu_set_nrst(m, true);
	w32(m, DEMCR, 0x01000001);
	mcu_set_nrst(m, false);
	assert_true(r32(m, DHCSR) & S_HALT);
}

static void test_fault_flaky_and_clone(void **state)
{
	struct fixture *f = *state;
	struct mcu_faults faults = { .flaky = 0.5, .clone_idcode = 0x2BA01477 };
	mcu_t *m = f->m = open_board(f, "stm32f103c8", &faults);
	uint32_t id;
	assert_int_equal(mcu_connect(m, &id), MCU_OK);
	assert_int_equal(id, 0x2BA01477);
	int ok = 0, wait = 0, fault = 0;
	for (int i = 0; i < 400; i++) {
		uint32_t v;
		switch (mcu_read(m, 0x20000000, &v, 4, 4)) {
		case MCU_OK: ok++; break;
		case MCU_WAIT: wait++; break;
		case MCU_FAULT: fault++; break;
		default: fail();
		}
	}
	assert_true(ok > 120 && ok < 280);
	assert_true(wait > 40);
	assert_true(fault > 40);
	/* debug registers are not memory: never flaky */
	for (int i = 0; i < 100; i++)
		(void)r32(m, DHCSR);
}

/* RM0090 §5.1.2: backup SRAM reads 0 without its clock and takes writes only with DBP;
 * RTC backup registers read at any time and take writes only with DBP (which needs the
 * PWR clock). Both survive a system reset and a power cycle (FILE.bkp). */
static void test_backup_domain_f4(void **state)
{
	struct fixture *f = *state;
	mcu_t *m = f->m = open_board(f, "stm32f407vg", NULL);
	w32(m, 0x40024000, 0x12345678);      /* no clock: dropped */
	w32(m, 0x40023830, 1u << 18);        /* BKPSRAMEN */
	assert_int_equal(r32(m, 0x40024000), 0);
	w32(m, 0x40024000, 0x12345678);      /* no DBP: dropped */
	w32(m, 0x40002850, 0xCAFEF00D);
	assert_int_equal(r32(m, 0x40024000), 0);
	assert_int_equal(r32(m, 0x40002850), 0);
	w32(m, 0x40007000, 1u << 8);         /* DBP without the PWR clock: ignored */
	assert_int_equal(r32(m, 0x40007000), 0);
	w32(m, 0x40023840, 1u << 28);        /* PWREN */
	w32(m, 0x40007000, 1u << 8);
	w32(m, 0x40024FFC, 0x12345678);
	w32(m, 0x4000289C, 0xCAFEF00D);      /* RTC_BKP19R */
	assert_int_equal(r32(m, 0x40024FFC), 0x12345678);
	assert_int_equal(r32(m, 0x4000289C), 0xCAFEF00D);
	reset_halt(m);                       /* the clock and DBP go, the contents stay */
	assert_int_equal(r32(m, 0x40024FFC), 0);
	assert_int_equal(r32(m, 0x4000289C), 0xCAFEF00D);
	assert_int_equal(mcu_free(m), 0);
	f->m = NULL;
	char bkp[160];
	uint8_t buf[4096 + 80];
	snprintf(bkp, sizeof(bkp), "%s.bkp", f->path);
	assert_int_equal(read_file(bkp, buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(buf[4092] | buf[4093] << 8 | buf[4094] << 16 | (uint32_t)buf[4095] << 24,
	                 0x12345678);
	m = f->m = open_board(f, "stm32f407vg", NULL);
	w32(m, 0x40023830, 1u << 18);
	assert_int_equal(r32(m, 0x40024FFC), 0x12345678);
	assert_int_equal(r32(m, 0x4000289C), 0xCAFEF00D);
}

/* RM0008 §6: BKP_DR1-DR10 need PWREN and BKPEN, and DBP to write; 16 data bits each. */
static void test_backup_domain_f1(void **state)
{
	struct fixture *f = *state;
	mcu_t *m = f->m = open_board(f, "stm32f103c8", NULL);
	w32(m, 0x4002101C, (1u << 28) | (1u << 27));
	w32(m, 0x40006C04, 0xBEEF);
	assert_int_equal(r32(m, 0x40006C04), 0);
	w32(m, 0x40007000, 1u << 8);
	w32(m, 0x40006C04, 0x1234BEEF);
	w32(m, 0x40006C28, 0x5A5A);
	assert_int_equal(r32(m, 0x40006C04), 0xBEEF);
	assert_int_equal(r32(m, 0x40006C28), 0x5A5A);
	w32(m, 0x4002101C, 0);               /* no clock: reads 0 */
	assert_int_equal(r32(m, 0x40006C04), 0);
	w32(m, 0x4002101C, 1u << 27);
	assert_int_equal(r32(m, 0x40006C04), 0xBEEF);
}

/* A 128 KiB board file for the x8 model: the size register says 64 KiB, the die holds 128
 * and its upper half programs and erases like the rest. A file of any other size is
 * refused with both sizes named. */
static void test_f103c8_whole_die(void **state)
{
	struct fixture *f = *state;
	static uint8_t img[128 * 1024];
	char err[256];
	memset(img, 0xFF, sizeof(img));
	img[0x1FFFE] = 0x42;
	write_file(f->path, img, sizeof(img));
	mcu_t *m = f->m = open_board(f, "stm32f103c8", NULL);
	assert_int_equal(r16(m, 0x1FFFF7E0), 64);
	assert_int_equal(r16(m, 0x0801FFFE), 0xFF42);
	w32(m, F1 + 0x04, KEY1);
	w32(m, F1 + 0x04, KEY2);
	w32(m, F1 + 0x10, 1);                /* PG */
	w16(m, 0x08010000, 0xA55A);
	assert_int_equal(r16(m, 0x08010000), 0xA55A);
	w32(m, F1 + 0x10, 2);                /* PER: the last page */
	w32(m, F1 + 0x14, 0x0801FC00);
	w32(m, F1 + 0x10, 0x42);
	assert_int_equal(r16(m, 0x0801FFFE), 0xFFFF);
	assert_int_equal(mcu_free(m), 0);
	f->m = NULL;
	write_file(f->path, img, 96 * 1024);
	struct mcu_config cfg = { .model = "stm32f103c8", .flash_path = f->path };
	assert_null(mcu_new(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "is 98304 bytes; stm32f103c8 flash is 65536 (or 131072 for "
	                            "the whole die)"));
}

/* RM0090 §3.5 table 7: a 1 MiB F42x with DB1M has sectors 0-7 and 12-19, bank 2 at
 * 0x08080000; without it one bank of sectors 0-11. */
static void test_f429zg_db1m(void **state)
{
	struct fixture *f = *state;
	mcu_t *m = f->m = open_board(f, "stm32f429zg", NULL);
	f4_unlock(m);
	w32(m, F4 + 0x10, 0x101);
	w16(m, 0x08080000, 0x1234);          /* sector 8 of the single bank */
	w16(m, 0x080A0000, 0x4321);          /* sector 9 */
	w32(m, F4 + 0x10, 0x00010042);       /* SNB 8 erases 0x08080000-0x0809FFFF */
	assert_int_equal(r32(m, F4 + 0x0C) & 0xF2, 0);
	assert_int_equal(r16(m, 0x08080000), 0xFFFF);
	assert_int_equal(r16(m, 0x080A0000), 0x4321);
	w32(m, F4 + 0x10, 0x101);
	w16(m, 0x08080000, 0x1234);
	f4_options(m, 0x0FFFAAEC | (1u << 30));
	assert_int_equal(r32(m, F4 + 0x14) & (1u << 30), 1u << 30);
	f4_unlock(m);
	w32(m, F4 + 0x10, 0x00010082);       /* sector 12: bank 2's first, at 0x08080000 */
	assert_int_equal(r32(m, F4 + 0x0C) & 0xF2, 0);
	assert_int_equal(r16(m, 0x08080000), 0xFFFF);
	w32(m, F4 + 0x10, 0x101);
	w16(m, 0x0807FFFE, 0x5678);          /* sector 7 ends bank 1 */
	w32(m, F4 + 0x10, 0x00010042);       /* SNB 8: not in a 512 KiB bank */
	assert_int_equal(r32(m, F4 + 0x0C) & 0x80, 0x80);
	assert_int_equal(r16(m, 0x0807FFFE), 0x5678);
}

/* --dbgmcu-idcode: early silicon reports another DBGMCU_IDCODE (rev A F407: 0x10006411). */
static void test_dbgmcu_override(void **state)
{
	struct fixture *f = *state;
	struct mcu_config cfg = { .model = "stm32f407vg", .flash_path = f->path,
	                          .dbgmcu_idcode = 0x10006411 };
	char err[256];
	mcu_t *m = f->m = mcu_new(&cfg, err, sizeof(err));
	assert_non_null(m);
	assert_int_equal(r32(m, 0xE0042000), 0x10006411);
	assert_int_equal(r32(m, 0xE000ED00), 0x410FC241);
}

/* RM0008 §19: with WDG_SW = 0 the IWDG runs from reset and resets the chip 4096 x 4 LSI
 * periods (40 kHz: 409.6 ms) after its last reload, on the target's clock; DBG_IWDG_STOP
 * holds it while the core is halted, and a reload restarts the count. */
static void test_hw_watchdog(void **state)
{
	struct fixture *f = *state;
	struct mcu_config cfg = { .model = "stm32f103c8", .flash_path = f->path,
	                          .timing = MCU_TIMING_REALISTIC };
	char err[256];
	uint64_t t = 1000000000ull, ms = 1000000ull;
	cfg.faults.hw_watchdog = true;
	mcu_t *m = f->m = mcu_new(&cfg, err, sizeof(err));
	assert_non_null(m);
	mcu_advance(m, t);
	(void)r32(m, DHCSR);                 /* clears S_RESET_ST of the power-on reset */
	mcu_advance(m, t + 400 * ms);
	assert_int_equal(r32(m, DHCSR) & S_RESET_ST, 0);
	mcu_advance(m, t + 410 * ms);
	assert_int_equal(r32(m, DHCSR) & S_RESET_ST, S_RESET_ST);
	/* halted with DBG_IWDG_STOP: frozen for as long as it stays halted */
	w32(m, DHCSR, 0xA05F0003);
	w32(m, 0xE0042004, 1u << 8);
	mcu_advance(m, t + 3000 * ms);
	assert_int_equal(r32(m, DHCSR) & S_RESET_ST, 0);
	/* halted without it: it keeps counting */
	w32(m, 0xE0042004, 0);
	mcu_advance(m, t + 3300 * ms);
	assert_int_equal(r32(m, DHCSR) & S_RESET_ST, 0);
	w32(m, 0x40003000, 0xAAAA);          /* reload: 409.6 ms from now */
	mcu_advance(m, t + 3700 * ms);
	assert_int_equal(r32(m, DHCSR) & S_RESET_ST, 0);
	mcu_advance(m, t + 3710 * ms);
	assert_int_equal(r32(m, DHCSR) & S_RESET_ST, S_RESET_ST);
	/* PR and RLR take writes only after 0x5555 */
	w32(m, 0x40003004, 6);
	assert_int_equal(r32(m, 0x40003004), 0);
	w32(m, 0x40003000, 0x5555);
	w32(m, 0x40003004, 6);
	assert_int_equal(r32(m, 0x40003004), 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_models_identify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_inputs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_halt_and_sticky_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nrst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_f1_flash_controller, setup, teardown),
		cmocka_unit_test_setup_teardown(test_f1_rdp_lock_unlock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_f1_wrp_fault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_f4_flash_controller, setup, teardown),
		cmocka_unit_test_setup_teardown(test_f4_rdp_and_staging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_f4_rdp1_fault_and_wrp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_f4_otp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_realistic_busy_times, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tiny_program_to_bkpt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wfi_sleeps_and_debugger_recovers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crc_on_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crc_unit_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crc_unit_timing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crc_routine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crc_routine_timing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_core_programs_flash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_erased_board_locks_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_boards_do_not_hang, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_unpowered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_swd_disabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_low_power, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_flaky_and_clone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup_domain_f4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup_domain_f1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_f103c8_whole_die, setup, teardown),
		cmocka_unit_test_setup_teardown(test_f429zg_db1m, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dbgmcu_override, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hw_watchdog, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
