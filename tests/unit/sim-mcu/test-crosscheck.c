/* test-crosscheck.c - the profiles against the simulator's device tables.
 *
 * profiles/ and src/sim/mcu/models.c are written independently from the same reference
 * manuals; this reads each simulated part's identity registers, option bytes and memory
 * edges through mcu.h (as a probe would) and checks them against the profile of that name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/optbytes.h"
#include "core/profile.h"
#include "sim/mcu/mcu.h"

static uint32_t rd32(mcu_t *m, uint32_t addr, enum mcu_status *st)
{
	uint8_t b[4] = {0};

	*st = mcu_read(m, addr, b, 4, 4);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void check_model(const char *model)
{
	char profile_path[512], dir[] = "/tmp/swd-xcheck-XXXXXX", flash[600], msg[256];
	struct mcu_config cfg;
	struct swd_profile *p = NULL;
	struct swd_protection pr;
	enum mcu_status st;
	uint8_t ob[16], uid[12];
	uint32_t v, idcode;
	mcu_t *m;

	snprintf(profile_path, sizeof(profile_path), "%s/%s.json", CORE_PROFILES_DIR, model);
	if (swd_profile_load(profile_path, &p, NULL) != 0)
		fail_msg("the simulator has '%s' but there is no valid profile for it", model);
	assert_non_null(mkdtemp(dir));
	snprintf(flash, sizeof(flash), "%s/flash.bin", dir);
	memset(&cfg, 0, sizeof(cfg));
	cfg.model = model;
	cfg.flash_path = flash;
	m = mcu_new(&cfg, msg, sizeof(msg));
	if (m == NULL)
		fail_msg("mcu_new %s: %s", model, msg);

	assert_int_equal(mcu_connect(m, &idcode), MCU_OK);
	assert_int_equal(swd_profile_dp_idcode_kind(p, idcode), 1);

	v = rd32(m, p->regs.dbgmcu_idcode, &st);
	assert_int_equal(st, MCU_OK);
	assert_int_equal(v & 0xFFF, p->ids.dev_id);
	if (swd_profile_revision_name(p, (uint16_t)(v >> 16)) == NULL)
		fail_msg("%s: revision id 0x%04x is not in the profile", model, v >> 16);

	v = rd32(m, 0xE000ED00, &st); /* CPUID */
	assert_int_equal(st, MCU_OK);
	assert_int_equal((v >> 4) & 0xFFF, p->ids.cpuid_partno);

	{
		uint8_t b[2];

		assert_int_equal(mcu_read(m, p->regs.flash_size, b, 2, 2), MCU_OK);
		assert_int_equal(b[0] | b[1] << 8, p->ids.flash_size_kib);
	}
	assert_int_equal(mcu_read(m, p->regs.unique_id, uid, 12, 4), MCU_OK);

	/* flash: the last word is there, the word after it is not */
	rd32(m, p->flash.base + p->flash.size - 4, &st);
	assert_int_equal(st, MCU_OK);
	rd32(m, p->flash.base + p->flash.size, &st);
	assert_int_not_equal(st, MCU_OK);

	/* each RAM region: same test at its end */
	for (size_t i = 0; i < p->nram; i++) {
		rd32(m, p->ram[i].address, &st);
		assert_int_equal(st, MCU_OK);
		rd32(m, p->ram[i].address + p->ram[i].size - 4, &st);
		if (st != MCU_OK)
			fail_msg("%s: ram '%s' end 0x%08x not readable", model, p->ram[i].name,
			         p->ram[i].address + p->ram[i].size - 4);
		rd32(m, p->ram[i].address + p->ram[i].size, &st);
		if (st == MCU_OK)
			fail_msg("%s: memory after ram '%s' (0x%08x) answers: the region is larger", model,
			         p->ram[i].name, p->ram[i].address + p->ram[i].size);
	}

	/* factory option bytes decode to level 0, nothing protected */
	if (p->option_bytes.format == SWD_OB_STM32F1)
		assert_int_equal(mcu_read(m, p->option_bytes.address, ob, 16, 2), MCU_OK);
	else
		assert_int_equal(mcu_read(m, p->option_bytes.address, ob, p->option_bytes.size, 4),
		                 MCU_OK);
	assert_int_equal(swd_optbytes_decode(p, ob, p->option_bytes.size, &pr, NULL), 0);
	assert_int_equal(pr.rdp_level, 0);
	assert_int_equal(pr.nwrp, 0);
	assert_false(pr.complement_error);
	swd_protection_release(&pr);

	if (p->otp.present) {
		uint8_t lock[16];

		assert_true(p->otp.lock_size <= sizeof(lock));
		assert_int_equal(mcu_read(m, p->otp.lock_address, lock, p->otp.lock_size, 1), MCU_OK);
		for (uint32_t i = 0; i < p->otp.lock_size; i++)
			assert_int_equal(lock[i], 0xFF);
		rd32(m, p->otp.address + p->otp.size - 4, &st);
		assert_int_equal(st, MCU_OK);
	}

	assert_int_equal(mcu_free(m), 0);
	{
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
	swd_profile_free(p);
}

static void test_every_model(void **state)
{
	const char *const *names = mcu_model_names();
	size_t n = 0;

	(void)state;
	for (; names[n] != NULL; n++)
		check_model(names[n]);
	assert_int_equal(n, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
