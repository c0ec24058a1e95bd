/* boardprofile.c - board profiles built on part profiles; see boardprofile.h. */
#include "core/boardprofile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/catalog.h"
#include "core/dfuse.h"

/* A board's part is loaded while the board is; a part that is itself a board would nest
 * (or loop), so loading is refused below the first level. */
static int nesting;

bool swd_profile_name_valid(const char *name)
{
	return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-.") == strlen(name) &&
	       name[0] != '.' && name[0] != '-';
}

void swd_board_free(struct swd_board *b)
{
	if (b == NULL)
		return;
	free(b->part);
	free(b->reference);
	free(b->bootloader);
	free(b->part_text);
	for (size_t i = 0; i < b->nalts; i++) {
		free(b->alts[i].name);
		free(b->alts[i].layout);
	}
	free(b->alts);
	free(b);
}

/* The part profile named by the board at origin: beside it first, then in the catalog. */
static int find_part(const char *origin, const char *part, struct swd_profile **out,
                     struct swd_error *err)
{
	const char *slash = strrchr(origin, '/');
	struct stat st;
	char *path = NULL;
	int rc;

	if (slash != NULL &&
	    asprintf(&path, "%.*s/%s.json", (int)(slash - origin), origin, part) < 0)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	if (path != NULL && stat(path, &st) == 0)
		rc = swd_profile_load(path, out, err);
	else
		rc = swd_profile_find(part, out, err);
	free(path);
	return rc;
}

static int load_alts(struct swd_jsonfield *c, const json_t *arr, struct swd_board *b)
{
	static const struct swd_jsonfield_key keys[] = {{"alt", true}, {"name", true},
	                                               {"layout", true}, {NULL, false}};
	char ip[128], kp[160];
	const json_t *a;
	size_t i;
	int rc;

	if ((rc = swd_jsonfield_array(c, "dfu.alts", arr, true)) < 0)
		return rc;
	if ((b->alts = calloc(json_array_size(arr), sizeof(*b->alts))) == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	json_array_foreach(arr, i, a) {
		struct swd_dfu_alt *alt = &b->alts[i];
		struct swd_dfuse_layout l;
		struct swd_error lerr;
		uint64_t u;

		swd_jsonfield_item(ip, sizeof(ip), "dfu.alts", i);
		if ((rc = swd_jsonfield_object(c, ip, a, keys)) < 0)
			return rc;
		b->nalts = i + 1;
		if ((rc = swd_jsonfield_uint(c, swd_jsonfield_member(kp, sizeof(kp), ip, "alt"),
		                             json_object_get(a, "alt"), 0, 255, &u)) < 0)
			return rc;
		alt->alt = (unsigned)u;
		if ((rc = swd_jsonfield_str(c, swd_jsonfield_member(kp, sizeof(kp), ip, "name"),
		                            json_object_get(a, "name"), 0, &alt->name)) < 0)
			return rc;
		for (size_t k = 0; k < i; k++)
			if (b->alts[k].alt == alt->alt || strcmp(b->alts[k].name, alt->name) == 0)
				return swd_jsonfield_error(c, ip, false, "alternate setting %u ('%s') "
				                           "is given twice", alt->alt, alt->name);
		swd_jsonfield_member(kp, sizeof(kp), ip, "layout");
		if ((rc = swd_jsonfield_str(c, kp, json_object_get(a, "layout"), 0, &alt->layout)) < 0)
			return rc;
		swd_error_init(&lerr);
		if (swd_dfuse_layout_parse(alt->layout, &l, &lerr) < 0)
			return swd_jsonfield_error(c, kp, false, "%s", lerr.msg);
		swd_dfuse_layout_release(&l);
	}
	return 0;
}

/* The flash alternate setting lies within the part's flash, and the user region is
 * writable in it. */
static int check_flash_alt(struct swd_jsonfield *c, const struct swd_profile *p)
{
	const struct swd_board *b = p->board;
	const struct swd_dfu_alt *alt = NULL;
	struct swd_dfuse_layout l;
	uint32_t lo, hi;
	int rc = 0;

	for (size_t i = 0; i < b->nalts; i++)
		if (strcmp(b->alts[i].name, "flash") == 0)
			alt = &b->alts[i];
	if (alt == NULL)
		return swd_jsonfield_error(c, "dfu.alts", false, "no alternate setting is named "
		                           "\"flash\" (the part's internal flash)");
	if (swd_dfuse_layout_parse(alt->layout, &l, c->err) < 0)
		return c->code;
	swd_dfuse_layout_span(&l, &lo, &hi);
	if (lo < p->flash.base || (uint64_t)hi > (uint64_t)p->flash.base + p->flash.size)
		rc = swd_jsonfield_error(c, "dfu.alts", false, "the flash layout [0x%08X, 0x%08X) "
		                         "is not within %s's flash [0x%08X, 0x%08llX)", lo, hi,
		                         b->part, p->flash.base,
		                         (unsigned long long)p->flash.base + p->flash.size);
	else if (!swd_dfuse_layout_allows(&l, b->user_address, b->user_size, SWD_DFUSE_WRITE, &lo))
		rc = swd_jsonfield_error(c, "dfu.user", false, "the user region is not writable "
		                         "through the bootloader at 0x%08X", lo);
	swd_dfuse_layout_release(&l);
	return rc;
}

static int load_dfu(struct swd_jsonfield *c, const json_t *o, struct swd_board *b)
{
	static const struct swd_jsonfield_key keys[] = {{"bootloader", true}, {"usb", true},
	                                               {"alts", true}, {"user", true}, {NULL, false}};
	static const struct swd_jsonfield_key usb[] = {{"vid", true}, {"pid", true}, {NULL, false}};
	static const struct swd_jsonfield_key user[] = {{"address", true}, {"size", true},
	                                               {NULL, false}};
	static const char *const kinds[] = {"st", "particle", NULL};
	const json_t *u;
	uint32_t h;
	uint64_t n;
	int rc, k;

	if ((rc = swd_jsonfield_object(c, "dfu", o, keys)) < 0)
		return rc;
	if ((rc = swd_jsonfield_enum(c, "dfu.bootloader", json_object_get(o, "bootloader"), kinds,
	                             &k)) < 0)
		return rc;
	if ((b->bootloader = strdup(kinds[k])) == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	u = json_object_get(o, "usb");
	if ((rc = swd_jsonfield_object(c, "dfu.usb", u, usb)) < 0 ||
	    (rc = swd_jsonfield_hex(c, "dfu.usb.vid", json_object_get(u, "vid"), 0xFFFF, 0, &h)) < 0)
		return rc;
	b->vid = (uint16_t)h;
	if ((rc = swd_jsonfield_hex(c, "dfu.usb.pid", json_object_get(u, "pid"), 0xFFFF, 0, &h)) < 0)
		return rc;
	b->pid = (uint16_t)h;
	if ((rc = load_alts(c, json_object_get(o, "alts"), b)) < 0)
		return rc;
	u = json_object_get(o, "user");
	if ((rc = swd_jsonfield_object(c, "dfu.user", u, user)) < 0 ||
	    (rc = swd_jsonfield_hex(c, "dfu.user.address", json_object_get(u, "address"),
	                            0xFFFFFFFF, 0, &b->user_address)) < 0 ||
	    (rc = swd_jsonfield_uint(c, "dfu.user.size", json_object_get(u, "size"), 1,
	                             0xFFFFFFFF, &n)) < 0)
		return rc;
	b->user_size = (uint32_t)n;
	return 0;
}

/* The part's profile becomes p, its name and description the board's. */
static int adopt_part(struct swd_jsonfield *c, struct swd_profile *p, struct swd_board *b)
{
	struct swd_profile *part = NULL;
	int rc;

	if (nesting > 0)
		return swd_jsonfield_error(c, "part", false, "a board profile cannot be the part "
		                           "of another board; name a part profile");
	nesting++;
	rc = find_part(c->origin, b->part, &part, c->err);
	nesting--;
	if (rc < 0)
		return rc;
	/* hashed on demand (swd_profile_hash) */
	b->part_text = part->text;
	b->part_text_len = part->text_len;
	part->text = NULL;
	free(part->name);
	free(part->description);
	free(part->path);
	free(part->text);
	*p = *part;
	p->name = p->description = p->path = p->text = NULL;
	free(part);
	return 0;
}

int swd_boardprofile_load(struct swd_jsonfield *c, const json_t *root, struct swd_profile *p)
{
	static const struct swd_jsonfield_key keys[] = {
		{"name", true}, {"description", true}, {"part", true}, {"reference", true},
		{"dfu", true}, {NULL, false}};
	struct swd_board *b;
	char *name = NULL, *desc = NULL;
	int rc;

	if ((rc = swd_jsonfield_object(c, "", root, keys)) < 0)
		return rc;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	if ((rc = swd_jsonfield_str(c, "name", json_object_get(root, "name"), 0, &name)) < 0 ||
	    (rc = swd_jsonfield_str(c, "description", json_object_get(root, "description"), 0,
	                            &desc)) < 0 ||
	    (rc = swd_jsonfield_str(c, "part", json_object_get(root, "part"), 0, &b->part)) < 0 ||
	    (rc = swd_jsonfield_str(c, "reference", json_object_get(root, "reference"), 0,
	                            &b->reference)) < 0 ||
	    (rc = load_dfu(c, json_object_get(root, "dfu"), b)) < 0)
		goto out;
	if (!swd_profile_name_valid(name)) {
		rc = swd_jsonfield_error(c, "name", false, "profile name \"%s\" must be lower case "
		                         "letters, digits, '_', '-' and '.'", name);
		goto out;
	}
	if (!swd_profile_name_valid(b->part)) {
		rc = swd_jsonfield_error(c, "part", false, "\"%s\" must be a profile name, not a path",
		                         b->part);
		goto out;
	}
	if ((rc = adopt_part(c, p, b)) < 0)
		goto out;
	p->name = name;
	p->description = desc;
	p->board = b;
	name = desc = NULL;
	b = NULL;
	rc = check_flash_alt(c, p);
out:
	free(name);
	free(desc);
	swd_board_free(b);
	return rc;
}

/* The ST system bootloader's layout of the part's flash: one run per stretch of equal
 * sectors, every sector readable, erasable and writable ('g'). */
static void st_flash_layout(const struct swd_profile *p, char *buf, size_t len)
{
	struct swd_dfuse_run runs[16];
	size_t n = 0;

	for (size_t i = 0; i < p->flash.nsectors; i++) {
		const struct swd_sector *s = &p->flash.sectors[i];

		if (n > 0 && runs[n - 1].size == s->size &&
		    runs[n - 1].address + runs[n - 1].count * runs[n - 1].size == s->address) {
			runs[n - 1].count++;
		} else if (n < sizeof(runs) / sizeof(runs[0])) {
			runs[n++] = (struct swd_dfuse_run){s->address, 1, s->size,
			                                   SWD_DFUSE_READ | SWD_DFUSE_ERASE | SWD_DFUSE_WRITE};
		}
	}
	swd_dfuse_layout_format(buf, len, "Internal Flash", runs, n);
}

int swd_profile_dfu(const struct swd_profile *p, struct swd_dfu_facts *out,
                    struct swd_error *err)
{
	const struct swd_board *b = p->board;

	memset(out, 0, sizeof(*out));
	if (b != NULL) {
		out->bootloader = b->bootloader;
		out->vid = b->vid;
		out->pid = b->pid;
		out->alts = b->alts;
		out->nalts = b->nalts;
		for (size_t i = 0; i < b->nalts; i++)
			if (strcmp(b->alts[i].name, "flash") == 0) {
				out->flash_alt = b->alts[i].alt;
				snprintf(out->flash_layout, sizeof(out->flash_layout), "%s", b->alts[i].layout);
			}
		out->user_address = b->user_address;
		out->user_size = b->user_size;
		return 0;
	}
	if (p->family->pages)
		return swd_error_set(err, SWD_EINPUT, "'%s' has no USB DFU bootloader in ROM (its "
		                     "system bootloader speaks USART only); name a board profile "
		                     "whose bootloader speaks DFU, such as 'spark-core'", p->name);
	out->bootloader = "st";
	out->vid = 0x0483;
	out->pid = 0xDF11;
	out->flash_alt = 0;
	st_flash_layout(p, out->flash_layout, sizeof(out->flash_layout));
	out->user_address = p->flash.base;
	out->user_size = p->flash.size;
	return 0;
}
