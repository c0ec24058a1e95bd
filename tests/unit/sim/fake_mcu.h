/* fake_mcu.h - test double for src/sim/mcu/mcu.h (see fake_mcu.c). */
#ifndef SWDSIM_FAKE_MCU_H
#define SWDSIM_FAKE_MCU_H

#include "sim/mcu/mcu.h"

struct fake_mcu_state {
	struct mcu_faults faults;
	char path[512];          /* flash file, loaded at creation and written by mcu_save */
	double volts;
	uint8_t flash[64 * 1024];
	uint8_t sram[20 * 1024];
	uint32_t regs[32];
	uint32_t dhcsr, demcr;
	bool nrst;
	enum mcu_status force_status; /* next accesses answer this (0 = normal) */
	unsigned force_count;         /* for that many accesses (0 = until cleared) */
	unsigned reads, writes, connects, resets, saves, advances;
	uint32_t last_addr;
	size_t last_len;
	unsigned last_width;
	uint64_t last_now;
};

/* The fake's state, for tests to set up and inspect. NULL = the last board created. */
struct fake_mcu_state *fake_mcu_state(mcu_t *m);

#endif
