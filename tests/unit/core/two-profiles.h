/* two-profiles.h - the group setup several core tests share: the shipped stm32f103c8 and
 * stm32f407vg profiles, loaded once per test program as f103 and f407. Include after
 * cmocka.h; the program passes setup and teardown to cmocka_run_group_tests. */
#ifndef SWD_TEST_TWO_PROFILES_H
#define SWD_TEST_TWO_PROFILES_H

#include "core/profile.h"

static struct swd_profile *f103, *f407;

static int setup(void **state)
{
	(void)state;
	if (swd_profile_load(CORE_PROFILES_DIR "/stm32f103c8.json", &f103, NULL) != 0 ||
	    swd_profile_load(CORE_PROFILES_DIR "/stm32f407vg.json", &f407, NULL) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	swd_profile_free(f103);
	swd_profile_free(f407);
	return 0;
}

#endif
