/* test-flash-routine.c - our F2/F4 flash routine (src/target/flash_f2x.S) on the simulated
 * F407: erase and program through its two slots at PSIZE x32, the error flags it stops on,
 * and the target time an x32 erase and program take against DS8626 table 40. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim/mcu/mcu.h"
#include "target/blobs.h"

#include "board_fixture.h"

#define DHCSR 0xE000EDF0u
#define DEMCR 0xE000EDFCu
#define AIRCR 0xE000ED0Cu
#define S_HALT (1u << 17)
#define FLASH_CR 0x40023C10u

/* the layout fastflash.c uses: code, control block, the slots (three here, so that the
 * routine's turn from the last slot back to the first is used) */
#define CODE_AT 0x20000000u
#define CTRL_AT 0x20000100u
#define NSLOTS 3u
#define SLOT_HDR(i) (CTRL_AT + 32u + 16u * (i))
#define SLOT_AT(i) (0x20000300u + (i) * 0x3C00u)
#define SLOT_SIZE 0x3C00u
#define PSIZE_X16 0x100u
#define PSIZE_X32 0x200u

/* A board holding `fill`, reset-halted as OpenOCD leaves it, with the routine started. */
static mcu_t *start(struct fixture *f, uint8_t fill, enum mcu_timing timing, uint32_t psize,
                    const struct mcu_faults *faults)
{
	size_t n = 1024 * 1024;
	uint8_t *img = malloc(n);
	memset(img, fill, n);
	FILE *fp = fopen(f->path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(img, 1, n, fp), n);
	fclose(fp);
	free(img);
	struct mcu_config cfg = { .model = "stm32f407vg", .flash_path = f->path, .timing = timing };
	if (faults)
		cfg.faults = *faults;
	char err[256] = "";
	mcu_t *m = f->m = mcu_new(&cfg, err, sizeof(err));
	if (!m)
		fail_msg("mcu_new: %s", err);
	f->now = 1000000000ull;
	mcu_advance(m, f->now);
	w32(m, DHCSR, 0xA05F0001);
	w32(m, DEMCR, 0x01000001);
	w32(m, AIRCR, 0x05FA0004);
	assert_int_equal(mcu_system_reset(m), MCU_OK);
	w32(m, DEMCR, 0x01000000);
	assert_int_equal(mcu_write(m, CODE_AT, swd_target_flash_f2x,
	                           (swd_target_flash_f2x_size + 3) & ~(size_t)3, 4), MCU_OK);
	uint32_t ctrl[8 + 4 * NSLOTS] = { 0x40023C00u, psize, 0, 0, NSLOTS };
	assert_int_equal(mcu_write(m, CTRL_AT, ctrl, sizeof(ctrl), 4), MCU_OK);
	assert_int_equal(mcu_write_core_reg(m, 0, CTRL_AT), MCU_OK);
	assert_int_equal(mcu_write_core_reg(m, 15, CODE_AT + swd_flash_f2x_entry_offset), MCU_OK);
	assert_int_equal(mcu_write_core_reg(m, 0x10, 0x01000000), MCU_OK);
	w32(m, DHCSR, 0xA05F0001);
	return m;
}

/* Runs the core in 0.1 ms steps until slot `slot` is free or the core halts; returns
 * false on a halt. */
static bool run_until_free(struct fixture *f, unsigned slot)
{
	for (int i = 0; i < 200000; i++) {
		if (r32(f->m, SLOT_HDR(slot)) == 0)
			return true;
		if (r32(f->m, DHCSR) & S_HALT)
			return false;
		f->now += 100000;
		mcu_advance(f->m, f->now);
	}
	fail_msg("the routine neither freed slot %u nor halted in 20 s of target time", slot);
	return false;
}

/* Hands the next op to its slot, as fastflash.c does: data first, the op word last. */
static bool feed(struct fixture *f, uint32_t op, uint32_t arg, const void *data, uint32_t len)
{
	unsigned slot = f->queued % NSLOTS;
	uint32_t hdr = SLOT_HDR(slot);
	if (!run_until_free(f, slot))
		return false;
	if (len)
		assert_int_equal(mcu_write(f->m, SLOT_AT(slot), data, len, 4), MCU_OK);
	uint32_t words[3] = { arg, len, SLOT_AT(slot) };
	assert_int_equal(mcu_write(f->m, hdr + 4, words, sizeof(words), 4), MCU_OK);
	w32(f->m, hdr, op);
	f->queued++;
	return true;
}

static void wait_halt(struct fixture *f)
{
	for (int i = 0; i < 200000 && !(r32(f->m, DHCSR) & S_HALT); i++) {
		f->now += 100000;
		mcu_advance(f->m, f->now);
	}
	assert_true(r32(f->m, DHCSR) & S_HALT);
	uint32_t pc = 0;
	assert_int_equal(mcu_read_core_reg(f->m, 15, &pc), MCU_OK);
	assert_int_equal(pc, CODE_AT + swd_flash_f2x_done_offset);
}

static uint8_t *pattern(size_t n, uint32_t seed)
{
	uint8_t *p = malloc(n);
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
	return p;
}

/* Sector 1 and 4 rewritten over old contents through the slots in turn; the others kept. */
static void test_erase_and_program(void **state)
{
	struct fixture *f = *state;
	mcu_t *m = start(f, 0x5A, MCU_TIMING_NONE, PSIZE_X32, NULL);
	uint8_t *d1 = pattern(0x4000, 1), *d4 = pattern(0x10000, 4);

	assert_true(feed(f, 2, 1, NULL, 0));
	for (uint32_t off = 0; off < 0x4000; off += SLOT_SIZE) {
		uint32_t n = 0x4000 - off < SLOT_SIZE ? 0x4000 - off : SLOT_SIZE;
		assert_true(feed(f, 1, 0x08004000 + off, d1 + off, n));
	}
	assert_true(feed(f, 2, 4, NULL, 0));
	for (uint32_t off = 0; off < 0x10000; off += SLOT_SIZE) {
		uint32_t n = 0x10000 - off < SLOT_SIZE ? 0x10000 - off : SLOT_SIZE;
		assert_true(feed(f, 1, 0x08010000 + off, d4 + off, n));
	}
	assert_true(feed(f, 3, 0, NULL, 0));
	wait_halt(f);
	assert_int_equal(r32(m, CTRL_AT + 8), 0);          /* no error flags */
	assert_int_equal(r32(m, FLASH_CR), 0x80000000u);   /* locked again */
	uint8_t *got = malloc(0x10000);
	assert_int_equal(mcu_read(m, 0x08004000, got, 0x4000, 4), MCU_OK);
	assert_memory_equal(got, d1, 0x4000);
	assert_int_equal(mcu_read(m, 0x08010000, got, 0x10000, 4), MCU_OK);
	assert_memory_equal(got, d4, 0x10000);
	assert_int_equal(r32(m, 0x08000000), 0x5A5A5A5Au); /* sector 0 untouched */
	assert_int_equal(r32(m, 0x0800C000), 0x5A5A5A5Au); /* sector 3 untouched */
	free(got);
	free(d1);
	free(d4);
}

/* The controller's refusals end the run with the flag, the address, and the slot still
 * holding the op that failed. */
static void test_error_flags(void **state)
{
	struct fixture *f = *state;
	uint8_t *d = pattern(0x400, 9);

	/* words stored while PSIZE says x16: PGPERR at the first word */
	mcu_t *m = start(f, 0xFF, MCU_TIMING_NONE, PSIZE_X16, NULL);
	assert_true(feed(f, 1, 0x08000400, d, 0x400));
	wait_halt(f);
	assert_int_equal(r32(m, CTRL_AT + 8), 1u << 6);
	assert_int_equal(r32(m, CTRL_AT + 12), 0x08000400u);
	assert_int_equal(r32(m, SLOT_HDR(0)), 1);
	assert_int_equal(r32(m, 0x08000400), 0xFFFFFFFFu);
	assert_int_equal(r32(m, FLASH_CR), 0x80000000u);
	mcu_free(m);

	/* write protection on sector 2: WRPERR on its erase, after sector 1 was erased */
	struct mcu_faults wrp = { .wrp = { 1u << 2 }, .wrp_set = true };
	f->queued = 0;
	m = start(f, 0x00, MCU_TIMING_NONE, PSIZE_X32, &wrp);
	assert_true(feed(f, 2, 1, NULL, 0));
	assert_true(feed(f, 2, 2, NULL, 0));
	wait_halt(f);
	assert_int_equal(r32(m, CTRL_AT + 8), 1u << 4);
	assert_int_equal(r32(m, CTRL_AT + 12), 2);
	assert_int_equal(r32(m, SLOT_HDR(0)), 0);          /* slot 0: sector 1 done */
	assert_int_equal(r32(m, SLOT_HDR(1)), 2);          /* slot 1: the refused erase */
	assert_int_equal(r32(m, 0x08004000), 0xFFFFFFFFu);
	assert_int_equal(r32(m, 0x08008000), 0);
	mcu_free(m);
	f->m = NULL;
	free(d);
}

/* Realistic timing: a 16 KiB sector erased at x32 in 0.911 x 250 ms (DS8626 table 40 typ,
 * scaled as the simulator scales every sector erase), and 16 KiB programmed in 4096
 * word operations of 16 us: 65.5 ms, half of what OpenOCD's half-words take. */
static void test_x32_times(void **state)
{
	struct fixture *f = *state;
	mcu_t *m = start(f, 0x00, MCU_TIMING_REALISTIC, PSIZE_X32, NULL);
	uint8_t *d = pattern(0x4000, 2);
	uint64_t t0 = f->now;

	assert_true(feed(f, 2, 0, NULL, 0));
	assert_true(feed(f, 3, 0, NULL, 0));
	wait_halt(f);
	double erase_ms = (f->now - t0) / 1e6;
	print_message("x32 erase of a 16 KiB sector: %.1f ms of target time\n", erase_ms);
	assert_true(erase_ms >= 227.0 && erase_ms < 240.0);
	mcu_free(m);

	f->queued = 0;
	m = start(f, 0xFF, MCU_TIMING_REALISTIC, PSIZE_X32, NULL);
	t0 = f->now;
	for (uint32_t off = 0; off < 0x4000; off += SLOT_SIZE) {
		uint32_t n = 0x4000 - off < SLOT_SIZE ? 0x4000 - off : SLOT_SIZE;
		assert_true(feed(f, 1, 0x08000000 + off, d + off, n));
	}
	assert_true(feed(f, 3, 0, NULL, 0));
	wait_halt(f);
	double prog_ms = (f->now - t0) / 1e6;
	print_message("x32 program of 16 KiB: %.1f ms of target time\n", prog_ms);
	assert_true(prog_ms >= 65.5 && prog_ms < 75.0);
	uint8_t *got = malloc(0x4000);
	assert_int_equal(mcu_read(m, 0x08000000, got, 0x4000, 4), MCU_OK);
	assert_memory_equal(got, d, 0x4000);
	free(got);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_erase_and_program, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_x32_times, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
