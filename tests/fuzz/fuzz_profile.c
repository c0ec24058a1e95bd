/* fuzz_profile.c - libFuzzer harness: a target profile (JSON) and its schema checks. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct swd_profile *p = NULL;
	struct swd_error err;
	swd_error_init(&err);
	if (swd_profile_load_text((const char *)data, size, "fuzz.json", &p, &err) != 0) {
		if (err.code == 0 || err.msg[0] == '\0' || strpbrk(err.msg, "\n\r\033"))
			abort(); /* a refusal must say why, on one line */
	} else {
		/* A profile that passed the checks must answer its own queries. */
		for (size_t i = 0; i < p->flash.nsectors; i++)
			swd_profile_sector_at(p, p->flash.sectors[i].address);
		swd_profile_ram_at(p, 0x20000000u);
		swd_profile_revision_name(p, 0x1000);
		swd_profile_free(p);
	}
	return 0;
}
