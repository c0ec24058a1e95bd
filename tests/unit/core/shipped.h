/* shipped.h - for the core tests: a profile shipped in profiles/, loaded or the test fails. */
#ifndef SWD_TEST_CORE_SHIPPED_H
#define SWD_TEST_CORE_SHIPPED_H

#include <stdio.h>

#include "core/profile.h"

static struct swd_profile *load_shipped(const char *name)
{
	char path[512];
	struct swd_profile *p = NULL;
	struct swd_error err;

	swd_error_init(&err);
	snprintf(path, sizeof(path), "%s/%s.json", CORE_PROFILES_DIR, name);
	if (swd_profile_load(path, &p, &err) != 0)
		fail_msg("%s", err.msg);
	return p;
}

#endif
