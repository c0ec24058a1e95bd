/* fuzz_image.c - libFuzzer harness: the firmware image readers, laid out over a real
 * profile's flash. Built once per format: -DFUZZ_IMAGE_FORMAT=SWD_IMAGE_HEX, _ELF or _SREC. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "core/profile.h"

static struct swd_profile *profile;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	struct swd_error err;
	swd_error_init(&err);
	if (swd_profile_load(FUZZ_PROFILE, &profile, &err) != 0)
		abort(); /* the harness itself is broken: FUZZ_PROFILE is in the source tree */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct swd_image *img = NULL;
	struct swd_error err;
	swd_error_init(&err);
	if (swd_image_load_mem(data, size, "fuzz", FUZZ_IMAGE_FORMAT, profile, &img, &err) != 0) {
		if (err.code == 0 || err.msg[0] == '\0' || strpbrk(err.msg, "\n\r\033"))
			abort(); /* a refusal must say why, on one line */
		return 0;
	}
	swd_image_is_covered(img, img->lo);
	swd_image_is_covered(img, img->hi - 1);
	swd_image_check_vectors(img, profile, &err);
	swd_used_extent(img->data, img->size);
	swd_image_free(img);
	return 0;
}
