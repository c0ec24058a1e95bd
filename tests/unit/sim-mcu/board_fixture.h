/* board_fixture.h - what the sim-mcu test programs share: a fixture holding one board file
 * in its own temporary directory, and 32-bit reads and writes as the debugger makes them.
 * Header-only: each test file is its own executable and includes it once. */
#ifndef SIM_MCU_BOARD_FIXTURE_H
#define SIM_MCU_BOARD_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim/mcu/mcu.h"

struct fixture {
	char dir[64];
	char path[96];
	mcu_t *m;
	uint64_t now;      /* simulated ns, for tests that step the core themselves */
	unsigned queued;   /* test-flash-routine: operations handed to the routine so far */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/sim-mcu-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/board.bin", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	mcu_free(f->m);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static uint32_t r32(mcu_t *m, uint32_t addr)
{
	uint32_t v = 0;
	assert_int_equal(mcu_read(m, addr, &v, 4, 4), MCU_OK);
	return v;
}

static void w32(mcu_t *m, uint32_t addr, uint32_t v)
{
	assert_int_equal(mcu_write(m, addr, &v, 4, 4), MCU_OK);
}

#endif
