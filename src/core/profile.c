/* profile.c - strict loading of target profiles.
 *
 * jansson parses (rejecting duplicate keys and non-container roots) and reports syntax
 * errors with their position; the semantic checks below find the position of the value
 * or key they reject in a jsonpos index built from the same text. */
#include "core/profile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "core/digest.h"
#include "core/jsonpos.h"

#ifndef SWD_PROFILES_INSTALL_DIR
#define SWD_PROFILES_INSTALL_DIR "/usr/local/share/swdbackup/profiles"
#endif
#ifndef SWD_PROFILES_SOURCE_DIR
#define SWD_PROFILES_SOURCE_DIR "profiles"
#endif

/* Largest file we accept as a profile: real ones are a few KiB. */
#define PROFILE_MAX_BYTES (1024 * 1024)

struct vctx {
	const char *origin;
	struct swd_jsonpos pos;
	struct swd_error *err;
};

/* Reports a semantic error at path's value (or its key when at_key). */
static int verr(struct vctx *c, const char *path, bool at_key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int verr(struct vctx *c, const char *path, bool at_key, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = swd_jsonpos_verror(&c->pos, c->err, SWD_EPROFILE, c->origin, path, at_key, fmt, ap);
	va_end(ap);
	return rc;
}

/* "'flash.size'" in messages; the root is "the profile". */
static const char *disp(const char *path, char *buf, size_t len)
{
	/* paths are short; a truncated one still names the place */
	if (snprintf(buf, len, path[0] == '\0' ? "the profile" : "'%s'", path) < 0)
		buf[0] = '\0';
	return buf;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "something else";
}

struct key {
	const char *name;
	bool required;
};

/* Checks that v is an object with only the given keys and all the required ones. */
static int check_object(struct vctx *c, const char *path, const json_t *v, const struct key *keys)
{
	const char *k;
	json_t *m;
	char d[256];

	if (!json_is_object(v))
		return verr(c, path, false, "%s must be an object, not %s", disp(path, d, sizeof(d)),
		            type_name(v));
	json_object_foreach((json_t *)v, k, m) {
		const struct key *kk = keys;
		char *child;
		int rc;

		while (kk->name != NULL && strcmp(kk->name, k) != 0)
			kk++;
		if (kk->name != NULL)
			continue;
		child = swd_jsonpos_member(path, k);
		if (child == NULL)
			return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
		if (path[0] == '\0')
			rc = verr(c, child, true, "unknown key '%s'", k);
		else
			rc = verr(c, child, true, "unknown key '%s' in '%s'", k, path);
		free(child);
		return rc;
	}
	for (const struct key *kk = keys; kk->name != NULL; kk++) {
		if (!kk->required || json_object_get(v, kk->name) != NULL)
			continue;
		if (path[0] == '\0')
			return verr(c, path, false, "missing key '%s'", kk->name);
		return verr(c, path, false, "missing key '%s' in '%s'", kk->name, path);
	}
	return 0;
}

/* Child path into a caller buffer (paths in profiles are short). */
static const char *member(char *buf, size_t len, const char *parent, const char *key)
{
	if (snprintf(buf, len, "%s%s%s", parent, parent[0] ? "." : "", key) < 0)
		buf[0] = '\0';
	return buf;
}

static const char *item(char *buf, size_t len, const char *parent, size_t i)
{
	if (snprintf(buf, len, "%s[%zu]", parent, i) < 0)
		buf[0] = '\0';
	return buf;
}

static int get_string(struct vctx *c, const char *path, const json_t *v, char **out)
{
	char d[256];

	if (!json_is_string(v))
		return verr(c, path, false, "%s must be a string, not %s", disp(path, d, sizeof(d)),
		            type_name(v));
	if (json_string_length(v) == 0)
		return verr(c, path, false, "%s must not be empty", disp(path, d, sizeof(d)));
	if (strlen(json_string_value(v)) != json_string_length(v))
		return verr(c, path, false, "%s must not contain NUL", disp(path, d, sizeof(d)));
	*out = strdup(json_string_value(v));
	if (*out == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	return 0;
}

/* A hex string "0x..." of at most 8 digits, at most max. */
static int get_hex(struct vctx *c, const char *path, const json_t *v, uint32_t max, uint32_t *out)
{
	const char *s;
	char d[256];
	size_t n;

	if (!json_is_string(v))
		return verr(c, path, false,
		            "%s must be a hex string such as \"0x08000000\", not %s",
		            disp(path, d, sizeof(d)), type_name(v));
	s = json_string_value(v);
	n = strlen(s);
	if (n < 3 || n > 10 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') ||
	    strspn(s + 2, "0123456789abcdefABCDEF") != n - 2)
		return verr(c, path, false,
		            "%s must be a hex string such as \"0x08000000\", not \"%s\"",
		            disp(path, d, sizeof(d)), s);
	*out = (uint32_t)strtoul(s + 2, NULL, 16);
	if (*out > max)
		return verr(c, path, false, "%s is %s; at most 0x%X", disp(path, d, sizeof(d)), s,
		            max);
	return 0;
}

static int get_uint(struct vctx *c, const char *path, const json_t *v, uint64_t min,
                    uint64_t max, uint64_t *out)
{
	json_int_t i;
	char d[256];

	if (!json_is_integer(v))
		return verr(c, path, false, "%s must be an integer, not %s",
		            disp(path, d, sizeof(d)), type_name(v));
	i = json_integer_value(v);
	if (i < 0 || (uint64_t)i < min || (uint64_t)i > max)
		return verr(c, path, false, "%s is %lld; it must be between %llu and %llu",
		            disp(path, d, sizeof(d)), (long long)i, (unsigned long long)min,
		            (unsigned long long)max);
	*out = (uint64_t)i;
	return 0;
}

static int get_bool(struct vctx *c, const char *path, const json_t *v, bool *out)
{
	char d[256];

	if (!json_is_boolean(v))
		return verr(c, path, false, "%s must be true or false, not %s",
		            disp(path, d, sizeof(d)), type_name(v));
	*out = json_is_true(v);
	return 0;
}

static int get_array(struct vctx *c, const char *path, const json_t *v, bool nonempty)
{
	char d[256];

	if (!json_is_array(v))
		return verr(c, path, false, "%s must be an array, not %s", disp(path, d, sizeof(d)),
		            type_name(v));
	if (nonempty && json_array_size(v) == 0)
		return verr(c, path, false, "%s must not be empty", disp(path, d, sizeof(d)));
	return 0;
}

static bool is_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/* Characters allowed in file names and variable values that reach OpenOCD's Tcl: plain
 * data, nothing the interpreter would substitute even before quoting. */
static bool tcl_plain(const char *s)
{
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-/+") ==
	       strlen(s);
}

static int load_openocd(struct vctx *c, const json_t *o, struct swd_profile *p)
{
	static const struct key keys[] = {{"interface", true}, {"target", true},
	                                  {"variables", true}, {"adapter_khz", true},
	                                  {"connect_under_reset", true}, {NULL, false}};
	const char *path = "openocd";
	char b[256];
	uint64_t u;
	const char *k;
	json_t *v, *vars;
	int rc;

	if ((rc = check_object(c, path, o, keys)) < 0)
		return rc;
	if ((rc = get_string(c, member(b, sizeof(b), path, "interface"),
	                     json_object_get(o, "interface"), &p->openocd.interface)) < 0)
		return rc;
	if (!tcl_plain(p->openocd.interface) || strstr(p->openocd.interface, ".cfg") == NULL)
		return verr(c, b, false, "'%s' must name an openocd .cfg file, like \"interface/stlink.cfg\"", b);
	if ((rc = get_string(c, member(b, sizeof(b), path, "target"), json_object_get(o, "target"),
	                     &p->openocd.target)) < 0)
		return rc;
	if (!tcl_plain(p->openocd.target) || strstr(p->openocd.target, ".cfg") == NULL)
		return verr(c, b, false, "'%s' must name an openocd .cfg file, like \"target/stm32f4x.cfg\"", b);
	if ((rc = get_uint(c, member(b, sizeof(b), path, "adapter_khz"),
	                   json_object_get(o, "adapter_khz"), 1, 100000, &u)) < 0)
		return rc;
	p->openocd.adapter_khz = (unsigned)u;
	if ((rc = get_bool(c, member(b, sizeof(b), path, "connect_under_reset"),
	                   json_object_get(o, "connect_under_reset"),
	                   &p->openocd.connect_under_reset)) < 0)
		return rc;

	vars = json_object_get(o, "variables");
	member(b, sizeof(b), path, "variables");
	if (!json_is_object(vars))
		return verr(c, b, false, "'%s' must be an object, not %s", b, type_name(vars));
	p->openocd.vars = calloc(json_object_size(vars) + 1, sizeof(*p->openocd.vars));
	if (p->openocd.vars == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	json_object_foreach(vars, k, v) {
		struct swd_ocd_var *var = &p->openocd.vars[p->openocd.nvars];
		char vb[256];

		member(vb, sizeof(vb), b, k);
		if (k[0] == '\0' || strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(k) ||
		    isdigit((unsigned char)k[0]))
			return verr(c, vb, true,
			            "openocd variable '%s' must be upper case letters, digits and '_'", k);
		if ((rc = get_string(c, vb, v, &var->value)) < 0)
			return rc;
		if (!tcl_plain(var->value)) {
			rc = verr(c, vb, false, "openocd variable '%s' has characters other than letters, digits and \"_.-/+\"", k);
			free(var->value);
			var->value = NULL;
			return rc;
		}
		var->name = strdup(k);
		if (var->name == NULL) {
			free(var->value);
			var->value = NULL;
			return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
		}
		p->openocd.nvars++;
	}
	return 0;
}

static int add_sectors(struct vctx *c, const char *path, const json_t *runs, unsigned bank,
                       struct swd_profile *p, size_t *cap)
{
	static const struct key keys[] = {{"count", true}, {"size", true}, {NULL, false}};
	char rp[256], b[256];
	uint64_t count, size;
	size_t i;
	json_t *run;
	int rc;

	json_array_foreach(runs, i, run) {
		item(rp, sizeof(rp), path, i);
		if ((rc = check_object(c, rp, run, keys)) < 0)
			return rc;
		if ((rc = get_uint(c, member(b, sizeof(b), rp, "count"), json_object_get(run, "count"),
		                   1, 4096, &count)) < 0)
			return rc;
		if ((rc = get_uint(c, member(b, sizeof(b), rp, "size"), json_object_get(run, "size"),
		                   256, 16 * 1024 * 1024, &size)) < 0)
			return rc;
		if (!is_pow2(size))
			return verr(c, b, false, "'%s' is %llu; sector sizes are powers of two", b,
			            (unsigned long long)size);
		for (uint64_t k = 0; k < count; k++) {
			uint64_t addr = (uint64_t)p->flash.base;
			struct swd_sector *s;

			if (p->flash.nsectors > 0) {
				const struct swd_sector *last = &p->flash.sectors[p->flash.nsectors - 1];
				addr = (uint64_t)last->address + last->size;
			}
			if (addr + size > 0x100000000ULL)
				return verr(c, rp, false, "sectors in '%s' go beyond the 4 GiB address space", rp);
			if (addr % size != 0)
				return verr(c, rp, false,
				            "sector %zu at 0x%08llX is not aligned to its size (%llu bytes)",
				            p->flash.nsectors, (unsigned long long)addr,
				            (unsigned long long)size);
			if (p->flash.nsectors == *cap) {
				size_t ncap = *cap ? *cap * 2 : 64;
				struct swd_sector *ns = realloc(p->flash.sectors, ncap * sizeof(*ns));

				if (ns == NULL)
					return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
				p->flash.sectors = ns;
				*cap = ncap;
			}
			s = &p->flash.sectors[p->flash.nsectors];
			s->address = (uint32_t)addr;
			s->size = (uint32_t)size;
			s->bank = bank;
			s->index = (unsigned)p->flash.nsectors;
			p->flash.nsectors++;
		}
	}
	return 0;
}

static int load_flash(struct vctx *c, const json_t *o, struct swd_profile *p)
{
	static const struct key keys[] = {{"driver", true}, {"base", true}, {"size", true},
	                                  {"banks", true}, {"wrp_block", true}, {"die_size", false},
	                                  {"die_size_source", false}, {NULL, false}};
	static const struct key bank_keys[] = {{"sectors", true}, {NULL, false}};
	const char *path = "flash";
	char b[256], bp[256], sp[256];
	const char *drv;
	json_t *banks, *bank;
	uint64_t u, total = 0;
	size_t i, cap = 0;
	int rc;

	if ((rc = check_object(c, path, o, keys)) < 0)
		return rc;
	member(b, sizeof(b), path, "driver");
	if (!json_is_string(json_object_get(o, "driver")))
		return verr(c, b, false, "'%s' must be a string, not %s", b,
		            type_name(json_object_get(o, "driver")));
	drv = json_string_value(json_object_get(o, "driver"));
	if (strcmp(drv, "stm32f1x") == 0)
		p->flash.driver = SWD_FLASH_STM32F1X;
	else if (strcmp(drv, "stm32f2x") == 0)
		p->flash.driver = SWD_FLASH_STM32F2X;
	else
		return verr(c, b, false, "unknown flash driver \"%s\"; use \"stm32f1x\" or \"stm32f2x\"", drv);
	if ((rc = get_hex(c, member(b, sizeof(b), path, "base"), json_object_get(o, "base"),
	                  UINT32_MAX, &p->flash.base)) < 0)
		return rc;
	if ((rc = get_uint(c, member(b, sizeof(b), path, "size"), json_object_get(o, "size"), 1024,
	                   UINT32_MAX, &u)) < 0)
		return rc;
	p->flash.size = (uint32_t)u;
	p->flash.register_size = p->flash.size;
	if (json_object_get(o, "die_size") || json_object_get(o, "die_size_source")) {
		if ((rc = get_uint(c, member(b, sizeof(b), path, "die_size"), json_object_get(o, "die_size"),
		                   p->flash.size + 1, UINT32_MAX - p->flash.base, &u)) < 0)
			return rc;
		p->flash.die_size = (uint32_t)u;
		if ((rc = get_string(c, member(b, sizeof(b), path, "die_size_source"),
		                     json_object_get(o, "die_size_source"), &p->flash.die_size_source)) < 0)
			return rc;
	}
	if ((uint64_t)p->flash.base + p->flash.size > 0x100000000ULL)
		return verr(c, b, false, "flash at 0x%08X with %u bytes goes beyond the 4 GiB address space",
		            p->flash.base, p->flash.size);

	banks = json_object_get(o, "banks");
	member(bp, sizeof(bp), path, "banks");
	if ((rc = get_array(c, bp, banks, true)) < 0)
		return rc;
	if (json_array_size(banks) > 2)
		return verr(c, bp, false, "'%s' has %zu banks; at most 2", bp, json_array_size(banks));
	json_array_foreach(banks, i, bank) {
		char ip[256];

		item(ip, sizeof(ip), bp, i);
		if ((rc = check_object(c, ip, bank, bank_keys)) < 0)
			return rc;
		member(sp, sizeof(sp), ip, "sectors");
		if ((rc = get_array(c, sp, json_object_get(bank, "sectors"), true)) < 0)
			return rc;
		if ((rc = add_sectors(c, sp, json_object_get(bank, "sectors"), (unsigned)i, p, &cap)) < 0)
			return rc;
	}
	p->flash.nbanks = (unsigned)json_array_size(banks);
	for (i = 0; i < p->flash.nsectors; i++)
		total += p->flash.sectors[i].size;
	if (total != p->flash.size)
		return verr(c, member(b, sizeof(b), path, "size"), false,
		            "'flash.size' is %u but the sectors in 'flash.banks' add up to %llu bytes",
		            p->flash.size, (unsigned long long)total);

	if ((rc = get_uint(c, member(b, sizeof(b), path, "wrp_block"),
	                   json_object_get(o, "wrp_block"), 1, 64, &u)) < 0)
		return rc;
	p->flash.wrp_sectors_per_bit = (unsigned)u;
	if (p->flash.driver == SWD_FLASH_STM32F2X && u != 1)
		return verr(c, b, false, "'flash.wrp_block' must be 1 for stm32f2x (one nWRP bit per sector)");
	if (p->flash.driver == SWD_FLASH_STM32F1X &&
	    (p->flash.nsectors + u - 1) / u > 32)
		return verr(c, b, false, "'flash.wrp_block' is %llu: %zu pages would need %llu WRP bits; there are 32",
		            (unsigned long long)u, p->flash.nsectors,
		            (unsigned long long)((p->flash.nsectors + u - 1) / u));
	if (p->flash.driver == SWD_FLASH_STM32F2X && p->flash.nsectors > 24)
		return verr(c, bp, false, "%zu sectors; stm32f2x option bytes protect at most 24",
		            p->flash.nsectors);
	return 0;
}

/* ids.aliases: [{"dev_id", "cpuid_partno", "revision", "source"}], each another id. */
static int load_aliases(struct vctx *c, const json_t *arr, struct swd_profile *p)
{
	static const struct key keys[] = {{"dev_id", true}, {"cpuid_partno", true},
	                                  {"revision", true}, {"source", true}, {NULL, false}};
	const char *path = "ids.aliases";
	char b[256], ib[256];
	uint32_t h;
	json_t *v;
	size_t i;
	int rc;

	if (arr == NULL)
		return 0;
	if ((rc = get_array(c, path, arr, true)) < 0)
		return rc;
	p->ids.aliases = calloc(json_array_size(arr), sizeof(*p->ids.aliases));
	if (p->ids.aliases == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	json_array_foreach(arr, i, v) {
		struct swd_id_alias *a = &p->ids.aliases[p->ids.naliases];

		item(ib, sizeof(ib), path, i);
		if ((rc = check_object(c, ib, v, keys)) < 0)
			return rc;
		p->ids.naliases++;
		if ((rc = get_hex(c, member(b, sizeof(b), ib, "dev_id"), json_object_get(v, "dev_id"),
		                  0xFFF, &h)) < 0)
			return rc;
		a->dev_id = (uint16_t)h;
		if ((rc = get_hex(c, member(b, sizeof(b), ib, "cpuid_partno"),
		                  json_object_get(v, "cpuid_partno"), 0xFFF, &h)) < 0)
			return rc;
		a->cpuid_partno = (uint16_t)h;
		if ((rc = get_string(c, member(b, sizeof(b), ib, "revision"), json_object_get(v, "revision"),
		                     &a->revision)) < 0 ||
		    (rc = get_string(c, member(b, sizeof(b), ib, "source"), json_object_get(v, "source"),
		                     &a->source)) < 0)
			return rc;
	}
	return 0;
}

static int load_ids(struct vctx *c, const json_t *o, struct swd_profile *p)
{
	static const struct key keys[] = {{"dev_id", true}, {"revisions", true},
	                                  {"dp_idcodes", true}, {"clone_dp_idcodes", false},
	                                  {"cpuid_partno", true}, {"flash_size_kib", true},
	                                  {"aliases", false}, {"revisions_advisory", false},
	                                  {NULL, false}};
	const char *path = "ids";
	char b[256], ib[256];
	uint32_t h;
	uint64_t u;
	const char *k;
	json_t *v, *revs, *arr;
	size_t i;
	int rc;

	if ((rc = check_object(c, path, o, keys)) < 0)
		return rc;
	if ((rc = get_hex(c, member(b, sizeof(b), path, "dev_id"), json_object_get(o, "dev_id"),
	                  0xFFF, &h)) < 0)
		return rc;
	p->ids.dev_id = (uint16_t)h;
	if ((rc = get_hex(c, member(b, sizeof(b), path, "cpuid_partno"),
	                  json_object_get(o, "cpuid_partno"), 0xFFF, &h)) < 0)
		return rc;
	p->ids.cpuid_partno = (uint16_t)h;
	if ((rc = get_uint(c, member(b, sizeof(b), path, "flash_size_kib"),
	                   json_object_get(o, "flash_size_kib"), 1, 0xFFFE, &u)) < 0)
		return rc;
	p->ids.flash_size_kib = (uint16_t)u;
	if ((uint64_t)p->ids.flash_size_kib * 1024 != p->flash.size)
		return verr(c, b, false, "'ids.flash_size_kib' is %u KiB but 'flash.size' is %u bytes",
		            p->ids.flash_size_kib, p->flash.size);

	revs = json_object_get(o, "revisions");
	member(b, sizeof(b), path, "revisions");
	if (!json_is_object(revs))
		return verr(c, b, false, "'%s' must be an object, not %s", b, type_name(revs));
	p->ids.revisions = calloc(json_object_size(revs) + 1, sizeof(*p->ids.revisions));
	if (p->ids.revisions == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	json_object_foreach(revs, k, v) {
		struct swd_revision *r = &p->ids.revisions[p->ids.nrevisions];
		size_t n = strlen(k);

		member(ib, sizeof(ib), b, k);
		/* the key is the revision id: errors point at the key */
		if (n < 3 || n > 6 || k[0] != '0' || (k[1] != 'x' && k[1] != 'X') ||
		    strspn(k + 2, "0123456789abcdefABCDEF") != n - 2)
			return verr(c, ib, true,
			            "revision id '%s' must be a 16-bit hex string such as \"0x2003\"", k);
		h = (uint32_t)strtoul(k + 2, NULL, 16);
		r->id = (uint16_t)h;
		if ((rc = get_string(c, ib, v, &r->name)) < 0)
			return rc;
		p->ids.nrevisions++;
	}

	if (json_object_get(o, "revisions_advisory") &&
	    (rc = get_string(c, member(b, sizeof(b), path, "revisions_advisory"),
	                     json_object_get(o, "revisions_advisory"), &p->ids.revisions_advisory)) < 0)
		return rc;
	if ((rc = load_aliases(c, json_object_get(o, "aliases"), p)) < 0)
		return rc;

	for (int which = 0; which < 2; which++) {
		const char *key = which == 0 ? "dp_idcodes" : "clone_dp_idcodes";
		uint32_t **dst = which == 0 ? &p->ids.dp_idcodes : &p->ids.clone_dp_idcodes;
		size_t *nd = which == 0 ? &p->ids.ndp_idcodes : &p->ids.nclone_dp_idcodes;

		arr = json_object_get(o, key);
		if (arr == NULL)
			continue;
		member(b, sizeof(b), path, key);
		if ((rc = get_array(c, b, arr, which == 0)) < 0)
			return rc;
		*dst = calloc(json_array_size(arr) + 1, sizeof(**dst));
		if (*dst == NULL)
			return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
		json_array_foreach(arr, i, v) {
			if ((rc = get_hex(c, item(ib, sizeof(ib), b, i), v, UINT32_MAX, &h)) < 0)
				return rc;
			(*dst)[(*nd)++] = h;
		}
	}
	return 0;
}

static int load_registers(struct vctx *c, const json_t *o, struct swd_profile *p)
{
	static const struct key keys[] = {{"dbgmcu_idcode", true}, {"flash_size", true},
	                                  {"unique_id", true}, {"flash_interface", true},
	                                  {NULL, false}};
	const char *path = "registers";
	uint32_t *dst[] = {&p->regs.dbgmcu_idcode, &p->regs.flash_size, &p->regs.unique_id,
	                   &p->regs.flash_interface};
	char b[256];
	int rc;

	if ((rc = check_object(c, path, o, keys)) < 0)
		return rc;
	for (size_t i = 0; i < 4; i++) {
		if ((rc = get_hex(c, member(b, sizeof(b), path, keys[i].name),
		                  json_object_get(o, keys[i].name), UINT32_MAX, dst[i])) < 0)
			return rc;
	}
	if (p->regs.flash_size % 2 != 0)
		return verr(c, member(b, sizeof(b), path, "flash_size"), false,
		            "'registers.flash_size' 0x%08X is not halfword aligned", p->regs.flash_size);
	if (p->regs.dbgmcu_idcode % 4 != 0 || p->regs.unique_id % 4 != 0 ||
	    p->regs.flash_interface % 4 != 0)
		return verr(c, path, false, "'registers' addresses other than flash_size must be word aligned");
	return 0;
}

static int load_option_bytes(struct vctx *c, const json_t *o, struct swd_profile *p)
{
	static const struct key keys[] = {{"format", true}, {"address", true}, {"size", true},
	                                  {NULL, false}};
	const char *path = "option_bytes";
	char b[256];
	const char *fmt;
	uint64_t u;
	int rc;

	if ((rc = check_object(c, path, o, keys)) < 0)
		return rc;
	member(b, sizeof(b), path, "format");
	if (!json_is_string(json_object_get(o, "format")))
		return verr(c, b, false, "'%s' must be a string, not %s", b,
		            type_name(json_object_get(o, "format")));
	fmt = json_string_value(json_object_get(o, "format"));
	if (strcmp(fmt, "stm32f1") == 0)
		p->option_bytes.format = SWD_OB_STM32F1;
	else if (strcmp(fmt, "stm32f2x") == 0)
		p->option_bytes.format = SWD_OB_STM32F2X;
	else
		return verr(c, b, false, "unknown option byte format \"%s\"; use \"stm32f1\" or \"stm32f2x\"", fmt);
	if ((p->option_bytes.format == SWD_OB_STM32F1) != (p->flash.driver == SWD_FLASH_STM32F1X))
		return verr(c, b, false, "option byte format \"%s\" does not go with flash driver \"%s\"",
		            fmt, swd_flash_driver_name(p->flash.driver));
	if ((rc = get_hex(c, member(b, sizeof(b), path, "address"), json_object_get(o, "address"),
	                  UINT32_MAX, &p->option_bytes.address)) < 0)
		return rc;
	if (p->option_bytes.address % 4 != 0)
		return verr(c, b, false, "'%s' 0x%08X is not word aligned", b, p->option_bytes.address);
	if ((rc = get_uint(c, member(b, sizeof(b), path, "size"), json_object_get(o, "size"), 1,
	                   64, &u)) < 0)
		return rc;
	p->option_bytes.size = (uint32_t)u;
	if (p->option_bytes.format == SWD_OB_STM32F1 && u != 16)
		return verr(c, b, false, "'%s' is %llu; the stm32f1 option bytes are 16 bytes", b,
		            (unsigned long long)u);
	if (p->option_bytes.format == SWD_OB_STM32F2X) {
		if (u != 4 && u != 8)
			return verr(c, b, false, "'%s' is %llu; use 4 (OPTCR) or 8 (OPTCR and OPTCR1)", b,
			            (unsigned long long)u);
		if (p->flash.nsectors > 12 && u != 8)
			return verr(c, b, false, "'%s' must be 8: sectors 12 and up are protected through OPTCR1", b);
		p->option_bytes.has_optcr1 = u == 8;
		p->option_bytes.optcr1 = p->option_bytes.address + 4;
	}
	return 0;
}

static int load_otp(struct vctx *c, const json_t *o, struct swd_profile *p)
{
	static const struct key keys[] = {{"address", true}, {"size", true}, {"lock_address", true},
	                                  {"lock_size", true}, {NULL, false}};
	const char *path = "otp";
	char b[256];
	uint64_t u;
	int rc;

	if ((rc = check_object(c, path, o, keys)) < 0)
		return rc;
	if ((rc = get_hex(c, member(b, sizeof(b), path, "address"), json_object_get(o, "address"),
	                  UINT32_MAX, &p->otp.address)) < 0)
		return rc;
	if ((rc = get_uint(c, member(b, sizeof(b), path, "size"), json_object_get(o, "size"), 4,
	                   64 * 1024, &u)) < 0)
		return rc;
	p->otp.size = (uint32_t)u;
	if ((rc = get_hex(c, member(b, sizeof(b), path, "lock_address"),
	                  json_object_get(o, "lock_address"), UINT32_MAX, &p->otp.lock_address)) < 0)
		return rc;
	if ((rc = get_uint(c, member(b, sizeof(b), path, "lock_size"),
	                   json_object_get(o, "lock_size"), 1, 4096, &u)) < 0)
		return rc;
	p->otp.lock_size = (uint32_t)u;
	if (p->otp.address % 4 != 0 || p->otp.size % 4 != 0)
		return verr(c, path, false, "'otp' address and size must be word aligned");
	if (p->otp.lock_address < p->otp.address + p->otp.size &&
	    p->otp.address < p->otp.lock_address + p->otp.lock_size)
		return verr(c, member(b, sizeof(b), path, "lock_address"), false,
		            "'otp.lock_address' overlaps the otp data");
	p->otp.present = true;
	return 0;
}

static int load_reg_bits(struct vctx *c, const char *path, const json_t *o, struct swd_reg_bits *rb)
{
	static const struct key keys[] = {{"register", true}, {"bits", true}, {NULL, false}};
	char b[256];
	int rc;

	if ((rc = check_object(c, path, o, keys)) < 0)
		return rc;
	if ((rc = get_hex(c, member(b, sizeof(b), path, "register"), json_object_get(o, "register"),
	                  UINT32_MAX, &rb->address)) < 0)
		return rc;
	if ((rc = get_hex(c, member(b, sizeof(b), path, "bits"), json_object_get(o, "bits"),
	                  UINT32_MAX, &rb->bits)) < 0)
		return rc;
	if (rb->address % 4 != 0 || rb->bits == 0)
		return verr(c, path, false, "'%s' needs a word-aligned register and at least one bit", path);
	return 0;
}

static int load_backup_domain(struct vctx *c, const json_t *o, struct swd_profile *p)
{
	static const struct key keys[] = {{"reference", true}, {"regions", true}, {"clocks", true},
	                                  {"write_enable", true}, {NULL, false}};
	static const struct key rkeys[] = {{"name", true}, {"address", true}, {"size", true},
	                                   {NULL, false}};
	const char *path = "backup_domain";
	char b[256], ib[256], kb[256];
	const json_t *arr;
	json_t *v;
	uint64_t u;
	size_t i;
	int rc;

	if ((rc = check_object(c, path, o, keys)) < 0)
		return rc;
	if ((rc = get_string(c, member(b, sizeof(b), path, "reference"), json_object_get(o, "reference"),
	                     &p->backup_domain.reference)) < 0)
		return rc;
	arr = json_object_get(o, "regions");
	member(b, sizeof(b), path, "regions");
	if ((rc = get_array(c, b, arr, true)) < 0)
		return rc;
	if (json_array_size(arr) > 2)
		return verr(c, b, false, "'%s' has at most 2 regions", b);
	json_array_foreach(arr, i, v) {
		struct swd_bkp_region *r = &p->backup_domain.regions[i];

		item(ib, sizeof(ib), b, i);
		if ((rc = check_object(c, ib, v, rkeys)) < 0)
			return rc;
		p->backup_domain.nregions++;
		if ((rc = get_string(c, member(kb, sizeof(kb), ib, "name"), json_object_get(v, "name"),
		                     &r->name)) < 0)
			return rc;
		if (strcmp(r->name, "backup-sram") != 0 && strcmp(r->name, "backup-registers") != 0)
			return verr(c, kb, false, "'%s' must be \"backup-sram\" or \"backup-registers\"", kb);
		if ((rc = get_hex(c, member(kb, sizeof(kb), ib, "address"), json_object_get(v, "address"),
		                  UINT32_MAX, &r->address)) < 0)
			return rc;
		if ((rc = get_uint(c, member(kb, sizeof(kb), ib, "size"), json_object_get(v, "size"), 4,
		                   64 * 1024, &u)) < 0)
			return rc;
		r->size = (uint32_t)u;
		if (r->address % 4 != 0 || r->size % 4 != 0)
			return verr(c, ib, false, "'%s' address and size must be word aligned", ib);
	}
	arr = json_object_get(o, "clocks");
	member(b, sizeof(b), path, "clocks");
	if ((rc = get_array(c, b, arr, true)) < 0)
		return rc;
	if (json_array_size(arr) > 2)
		return verr(c, b, false, "'%s' has at most 2 clock gates", b);
	json_array_foreach(arr, i, v) {
		if ((rc = load_reg_bits(c, item(ib, sizeof(ib), b, i), v, &p->backup_domain.clocks[i])) < 0)
			return rc;
		p->backup_domain.nclocks++;
	}
	if ((rc = load_reg_bits(c, member(b, sizeof(b), path, "write_enable"),
	                        json_object_get(o, "write_enable"), &p->backup_domain.write_enable)) < 0)
		return rc;
	p->backup_domain.present = true;
	return 0;
}

struct span {
	const char *what;
	char path[64];
	uint64_t lo, hi;
};

static int load_ram(struct vctx *c, const json_t *arr, struct swd_profile *p)
{
	static const struct key keys[] = {{"name", true}, {"address", true}, {"size", true},
	                                  {NULL, false}};
	const char *path = "ram";
	char b[256], ip[256];
	json_t *r;
	uint64_t u;
	size_t i;
	int rc;

	if ((rc = get_array(c, path, arr, true)) < 0)
		return rc;
	p->ram = calloc(json_array_size(arr), sizeof(*p->ram));
	if (p->ram == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	json_array_foreach(arr, i, r) {
		struct swd_ram_region *reg = &p->ram[i];

		item(ip, sizeof(ip), path, i);
		if ((rc = check_object(c, ip, r, keys)) < 0)
			return rc;
		p->nram = i + 1;
		if ((rc = get_string(c, member(b, sizeof(b), ip, "name"), json_object_get(r, "name"),
		                     &reg->name)) < 0)
			return rc;
		for (size_t k = 0; k < i; k++)
			if (strcmp(p->ram[k].name, reg->name) == 0)
				return verr(c, b, false, "ram region name '%s' is used twice", reg->name);
		if ((rc = get_hex(c, member(b, sizeof(b), ip, "address"),
		                  json_object_get(r, "address"), UINT32_MAX, &reg->address)) < 0)
			return rc;
		if (reg->address % 4 != 0)
			return verr(c, b, false, "ram region '%s' at 0x%08X is not word aligned",
			            reg->name, reg->address);
		if ((rc = get_uint(c, member(b, sizeof(b), ip, "size"), json_object_get(r, "size"), 4,
		                   UINT32_MAX, &u)) < 0)
			return rc;
		reg->size = (uint32_t)u;
		if (u % 4 != 0)
			return verr(c, b, false, "ram region '%s' size %u is not a multiple of 4",
			            reg->name, reg->size);
		if ((uint64_t)reg->address + u > 0x100000000ULL)
			return verr(c, b, false, "ram region '%s' goes beyond the 4 GiB address space",
			            reg->name);
	}
	return 0;
}

/* Regions of the address space the profile describes must not overlap. */
static int check_overlaps(struct vctx *c, const struct swd_profile *p)
{
	struct span sp[16];
	size_t n = 0;

	sp[n].what = "flash";
	snprintf(sp[n].path, sizeof(sp[n].path), "flash.base");
	sp[n].lo = p->flash.base;
	sp[n++].hi = (uint64_t)p->flash.base + p->flash.size;
	if (p->option_bytes.format == SWD_OB_STM32F1) {
		sp[n].what = "option bytes";
		snprintf(sp[n].path, sizeof(sp[n].path), "option_bytes.address");
		sp[n].lo = p->option_bytes.address;
		sp[n++].hi = (uint64_t)p->option_bytes.address + p->option_bytes.size;
	}
	if (p->otp.present) {
		sp[n].what = "otp";
		snprintf(sp[n].path, sizeof(sp[n].path), "otp.address");
		sp[n].lo = p->otp.address;
		sp[n++].hi = (uint64_t)p->otp.address + p->otp.size;
		sp[n].what = "otp lock bytes";
		snprintf(sp[n].path, sizeof(sp[n].path), "otp.lock_address");
		sp[n].lo = p->otp.lock_address;
		sp[n++].hi = (uint64_t)p->otp.lock_address + p->otp.lock_size;
	}
	for (size_t i = 0; i < p->nram && n < sizeof(sp) / sizeof(sp[0]); i++) {
		sp[n].what = p->ram[i].name;
		snprintf(sp[n].path, sizeof(sp[n].path), "ram[%zu]", i);
		sp[n].lo = p->ram[i].address;
		sp[n++].hi = (uint64_t)p->ram[i].address + p->ram[i].size;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t k = 0; k < i; k++)
			if (sp[i].lo < sp[k].hi && sp[k].lo < sp[i].hi)
				return verr(c, sp[i].path, false,
				            "'%s' [0x%08llX, 0x%08llX) overlaps '%s' [0x%08llX, 0x%08llX)",
				            sp[i].what, (unsigned long long)sp[i].lo,
				            (unsigned long long)sp[i].hi, sp[k].what,
				            (unsigned long long)sp[k].lo, (unsigned long long)sp[k].hi);
	return 0;
}

static int load_root(struct vctx *c, const json_t *root, struct swd_profile *p)
{
	static const struct key keys[] = {
		{"name", true}, {"description", true}, {"reference_manual", true},
		{"openocd", true}, {"flash", true}, {"ids", true}, {"registers", true},
		{"option_bytes", true}, {"otp", false}, {"ram", true}, {"backup_domain", false},
		{NULL, false}};
	int rc;

	if ((rc = check_object(c, "", root, keys)) < 0)
		return rc;
	if ((rc = get_string(c, "name", json_object_get(root, "name"), &p->name)) < 0)
		return rc;
	if (strspn(p->name, "abcdefghijklmnopqrstuvwxyz0123456789_-.") != strlen(p->name) ||
	    p->name[0] == '.' || p->name[0] == '-')
		return verr(c, "name", false,
		            "profile name \"%s\" must be lower case letters, digits, '_', '-' and '.'",
		            p->name);
	if ((rc = get_string(c, "description", json_object_get(root, "description"),
	                     &p->description)) < 0)
		return rc;
	if ((rc = get_string(c, "reference_manual", json_object_get(root, "reference_manual"),
	                     &p->reference_manual)) < 0)
		return rc;
	if ((rc = load_openocd(c, json_object_get(root, "openocd"), p)) < 0)
		return rc;
	if ((rc = load_flash(c, json_object_get(root, "flash"), p)) < 0)
		return rc;
	if ((rc = load_ids(c, json_object_get(root, "ids"), p)) < 0)
		return rc;
	if ((rc = load_registers(c, json_object_get(root, "registers"), p)) < 0)
		return rc;
	if ((rc = load_option_bytes(c, json_object_get(root, "option_bytes"), p)) < 0)
		return rc;
	if (json_object_get(root, "otp") != NULL &&
	    (rc = load_otp(c, json_object_get(root, "otp"), p)) < 0)
		return rc;
	if (json_object_get(root, "backup_domain") != NULL &&
	    (rc = load_backup_domain(c, json_object_get(root, "backup_domain"), p)) < 0)
		return rc;
	if ((rc = load_ram(c, json_object_get(root, "ram"), p)) < 0)
		return rc;
	return check_overlaps(c, p);
}

void swd_profile_free(struct swd_profile *p)
{
	if (p == NULL)
		return;
	free(p->name);
	free(p->description);
	free(p->reference_manual);
	free(p->path);
	free(p->text);
	free(p->openocd.interface);
	free(p->openocd.target);
	for (size_t i = 0; i < p->openocd.nvars; i++) {
		free(p->openocd.vars[i].name);
		free(p->openocd.vars[i].value);
	}
	free(p->openocd.vars);
	free(p->flash.sectors);
	for (size_t i = 0; i < p->ids.nrevisions; i++)
		free(p->ids.revisions[i].name);
	free(p->ids.revisions);
	for (size_t i = 0; i < p->ids.naliases; i++) {
		free(p->ids.aliases[i].revision);
		free(p->ids.aliases[i].source);
	}
	free(p->ids.aliases);
	free(p->backup_domain.reference);
	free(p->flash.die_size_source);
	for (size_t i = 0; i < p->backup_domain.nregions; i++)
		free(p->backup_domain.regions[i].name);
	free(p->ids.revisions_advisory);
	free(p->ids.dp_idcodes);
	free(p->ids.clone_dp_idcodes);
	for (size_t i = 0; i < p->nram; i++)
		free(p->ram[i].name);
	free(p->ram);
	free(p);
}

int swd_profile_load_text(const char *text, size_t len, const char *origin,
                          struct swd_profile **out, struct swd_error *err)
{
	struct vctx c = {origin, {NULL, 0, 0}, err};
	struct swd_profile *p = NULL;
	struct swd_digests dg;
	json_error_t jerr;
	json_t *root = NULL;
	int rc;

	*out = NULL;
	if (len == 0) {
		rc = swd_error_set(err, SWD_EPROFILE, "'%s' is empty; a profile is a json object", origin);
		goto out;
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		rc = swd_error_set(err, SWD_EPROFILE, "'%s' line %d, column %d: %s", origin,
		                   jerr.line, jerr.column, jerr.text);
		goto out;
	}
	if (swd_jsonpos_build(text, len, &c.pos) < 0) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory indexing '%s'", origin);
		goto out;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = load_root(&c, root, p)) < 0)
		goto out;
	p->path = strdup(origin);
	p->text = malloc(len + 1);
	if (p->path == NULL || p->text == NULL) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(p->text, text, len);
	p->text[len] = '\0';
	p->text_len = len;
	if ((rc = swd_digest_buffer(text, len, &dg, err)) < 0)
		goto out;
	memcpy(p->sha256_hex, dg.sha256_hex, sizeof(p->sha256_hex));
	*out = p;
	p = NULL;
	rc = 0;
out:
	swd_profile_free(p);
	swd_jsonpos_release(&c.pos);
	json_decref(root);
	return rc;
}

/* Reads a whole (small) file. Returns: *buf new. */
static int read_file(const char *path, char **buf, size_t *len, struct swd_error *err)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	long n;
	int rc = 0;

	*buf = NULL;
	if (f == NULL)
		return swd_error_set(err, swd_err_from_errno(errno), "cannot open '%s': %s", path,
		                     swd_errno_text(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		rc = swd_error_set(err, SWD_EIO, "cannot read '%s': %s", path, swd_errno_text(errno));
		goto out;
	}
	if (n > PROFILE_MAX_BYTES) {
		rc = swd_error_set(err, SWD_EPROFILE, "'%s' is %ld bytes; a profile is at most %d",
		                   path, n, PROFILE_MAX_BYTES);
		goto out;
	}
	b = malloc((size_t)n + 1);
	if (b == NULL) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	if (fread(b, 1, (size_t)n, f) != (size_t)n) {
		rc = swd_error_set(err, SWD_EIO, "cannot read '%s': %s", path,
		                   ferror(f) ? swd_errno_text(errno) : "file changed while reading");
		goto out;
	}
	b[n] = '\0';
	*buf = b;
	*len = (size_t)n;
	b = NULL;
out:
	free(b);
	fclose(f);
	return rc;
}

int swd_profile_load(const char *path, struct swd_profile **out, struct swd_error *err)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return swd_error_set(err, SWD_EPROFILE, "'%s' is a directory, not a profile", path);
	if ((rc = read_file(path, &text, &len, err)) < 0)
		return rc;
	rc = swd_profile_load_text(text, len, path, out, err);
	free(text);
	return rc;
}

static int push_dir(char ***dirs, size_t *n, const char *a, const char *b)
{
	char *s = NULL;
	char **nd;

	if (asprintf(&s, "%s%s", a, b) < 0)
		return SWD_ENOMEM;
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*dirs)[i], s) == 0) {
			free(s);
			return 0;
		}
	nd = realloc(*dirs, (*n + 1) * sizeof(*nd));
	if (nd == NULL) {
		free(s);
		return SWD_ENOMEM;
	}
	nd[(*n)++] = s;
	*dirs = nd;
	return 0;
}

void swd_profile_dirs_free(char **dirs, size_t ndirs)
{
	for (size_t i = 0; i < ndirs; i++)
		free(dirs[i]);
	free(dirs);
}

int swd_profile_dirs(char ***dirs, size_t *ndirs, struct swd_error *err)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	const char *extra = getenv("SWDBACKUP_PROFILE_PATH");
	char **d = NULL;
	size_t n = 0;
	int rc = 0;

	if (xdg != NULL && xdg[0] == '/')
		rc = push_dir(&d, &n, xdg, "/swdbackup/profiles");
	else if (home != NULL && home[0] != '\0')
		rc = push_dir(&d, &n, home, "/.config/swdbackup/profiles");
	if (rc == 0 && extra != NULL) {
		char *copy = strdup(extra), *save = NULL;

		if (copy == NULL)
			rc = SWD_ENOMEM;
		for (char *t = copy ? strtok_r(copy, ":", &save) : NULL; t != NULL && rc == 0;
		     t = strtok_r(NULL, ":", &save))
			rc = push_dir(&d, &n, t, "");
		free(copy);
	}
	if (rc == 0)
		rc = push_dir(&d, &n, SWD_PROFILES_INSTALL_DIR, "");
	if (rc == 0)
		rc = push_dir(&d, &n, SWD_PROFILES_SOURCE_DIR, "");
	if (rc < 0) {
		swd_profile_dirs_free(d, n);
		return swd_error_set(err, rc, "out of memory");
	}
	*dirs = d;
	*ndirs = n;
	return 0;
}

static bool looks_like_path(const char *s)
{
	size_t n = strlen(s);

	return strchr(s, '/') != NULL || (n > 5 && strcmp(s + n - 5, ".json") == 0);
}

int swd_profile_find(const char *name_or_path, struct swd_profile **out, struct swd_error *err)
{
	char **dirs = NULL;
	size_t ndirs = 0;
	int rc;

	*out = NULL;
	if (looks_like_path(name_or_path))
		return swd_profile_load(name_or_path, out, err);
	if (name_or_path[0] == '\0' || name_or_path[0] == '.')
		return swd_error_set(err, SWD_ENOPROFILE, "unknown profile '%s'", name_or_path);
	if ((rc = swd_profile_dirs(&dirs, &ndirs, err)) < 0)
		return rc;
	rc = SWD_ENOPROFILE;
	for (size_t i = 0; i < ndirs; i++) {
		char *path = NULL;
		struct stat st;

		if (asprintf(&path, "%s/%s.json", dirs[i], name_or_path) < 0) {
			rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
			break;
		}
		if (stat(path, &st) != 0) {
			free(path);
			continue;
		}
		rc = swd_profile_load(path, out, err);
		if (rc == 0 && strcmp((*out)->name, name_or_path) != 0) {
			struct vctx c = {path, {NULL, 0, 0}, err};

			if (swd_jsonpos_build((*out)->text, (*out)->text_len, &c.pos) == 0) {
				rc = verr(&c, "name", false, "profile name \"%s\" does not match its file name '%s.json'",
				          (*out)->name, name_or_path);
				swd_jsonpos_release(&c.pos);
			} else {
				rc = swd_error_set(err, SWD_EPROFILE, "'%s': profile name \"%s\" does not match its file name",
				                   path, (*out)->name);
			}
			swd_profile_free(*out);
			*out = NULL;
		}
		free(path);
		break;
	}
	if (rc == SWD_ENOPROFILE)
		swd_error_set(err, SWD_ENOPROFILE,
		              "unknown profile '%s'; 'swdbackup profiles list' shows the known ones",
		              name_or_path);
	swd_profile_dirs_free(dirs, ndirs);
	return rc;
}

void swd_profile_entries_free(struct swd_profile_entry *e, size_t n)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(e[i].name);
		free(e[i].path);
		free(e[i].description);
		free(e[i].error);
	}
	free(e);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct swd_profile_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	/* before loading, code holds the index of the directory: earlier directories first */
	return (x->code > y->code) - (x->code < y->code);
}

int swd_profile_list(struct swd_profile_entry **out, size_t *n, struct swd_error *err)
{
	struct swd_profile_entry *e = NULL;
	size_t ne = 0, cap = 0, ndirs = 0;
	char **dirs = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = swd_profile_dirs(&dirs, &ndirs, err)) < 0)
		return rc;
	for (size_t d = 0; d < ndirs; d++) {
		struct dirent **names = NULL;
		int cnt = scandir(dirs[d], &names, NULL, alphasort);

		for (int i = 0; i < cnt; i++) {
			const char *fn = names[i]->d_name;
			size_t len = strlen(fn);

			if (rc == 0 && len > 5 && fn[0] != '.' && strcmp(fn + len - 5, ".json") == 0) {
				if (ne == cap) {
					size_t nc = cap ? cap * 2 : 16;
					struct swd_profile_entry *ne_ = realloc(e, nc * sizeof(*e));

					if (ne_ == NULL) {
						rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
					} else {
						e = ne_;
						cap = nc;
					}
				}
				if (rc == 0) {
					memset(&e[ne], 0, sizeof(e[ne]));
					e[ne].name = strndup(fn, len - 5);
					if (asprintf(&e[ne].path, "%s/%s", dirs[d], fn) < 0)
						e[ne].path = NULL;
					/* the directory index, used for ordering; replaced below */
					e[ne].code = (int)d;
					ne++;
					if (e[ne - 1].name == NULL || e[ne - 1].path == NULL)
						rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
				}
			}
			free(names[i]);
		}
		free(names);
	}
	if (rc < 0)
		goto out;
	qsort(e, ne, sizeof(*e), cmp_entry);
	for (size_t i = 0; i < ne; i++) {
		struct swd_profile *p = NULL;
		struct swd_error perr;

		e[i].shadowed = i > 0 && strcmp(e[i].name, e[i - 1].name) == 0;
		swd_error_init(&perr);
		e[i].code = swd_profile_find(e[i].path, &p, &perr);
		if (e[i].code == 0 && strcmp(p->name, e[i].name) != 0) {
			e[i].code = SWD_EPROFILE;
			if (asprintf(&e[i].error, "'%s': profile name \"%s\" does not match its file name",
			             e[i].path, p->name) < 0)
				e[i].error = NULL;
		} else if (e[i].code == 0) {
			e[i].description = strdup(p->description);
		} else {
			e[i].error = strdup(perr.msg);
		}
		swd_profile_free(p);
	}
	*out = e;
	*n = ne;
	e = NULL;
	ne = 0;
out:
	swd_profile_entries_free(e, ne);
	swd_profile_dirs_free(dirs, ndirs);
	return rc;
}

const struct swd_sector *swd_profile_sector_at(const struct swd_profile *p, uint32_t address)
{
	size_t lo = 0, hi = p->flash.nsectors;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct swd_sector *s = &p->flash.sectors[mid];

		if (address < s->address)
			hi = mid;
		else if (address - s->address >= s->size)
			lo = mid + 1;
		else
			return s;
	}
	return NULL;
}

int swd_profile_use_die(struct swd_profile *p, struct swd_error *err)
{
	const struct swd_sector *last;
	struct swd_sector *ns;
	size_t extra;

	if (p->flash.whole_die)
		return 0;
	if (!p->flash.die_size || p->flash.nsectors == 0)
		return swd_error_set(err, SWD_EINPUT, "profile '%s' knows no flash beyond its %u bytes",
		                     p->name, p->flash.size);
	last = &p->flash.sectors[p->flash.nsectors - 1];
	if ((p->flash.die_size - p->flash.size) % last->size != 0)
		return swd_error_set(err, SWD_EPROFILE, "profile '%s': 'flash.die_size' %u does not end on "
		                     "a %u-byte sector", p->name, p->flash.die_size, last->size);
	extra = (p->flash.die_size - p->flash.size) / last->size;
	ns = realloc(p->flash.sectors, (p->flash.nsectors + extra) * sizeof(*ns));
	if (ns == NULL)
		return swd_error_set(err, SWD_ENOMEM, "out of memory");
	p->flash.sectors = ns;
	for (size_t k = 0; k < extra; k++) {
		struct swd_sector *prev = &ns[p->flash.nsectors - 1];

		ns[p->flash.nsectors] = (struct swd_sector){ prev->address + prev->size, prev->size,
		                                             prev->bank, prev->index + 1 };
		p->flash.nsectors++;
	}
	p->flash.size = p->flash.die_size;
	p->flash.whole_die = true;
	return 0;
}

const struct swd_id_alias *swd_profile_alias(const struct swd_profile *p, uint16_t dev_id,
                                             uint16_t partno)
{
	for (size_t i = 0; i < p->ids.naliases; i++)
		if (p->ids.aliases[i].dev_id == dev_id && p->ids.aliases[i].cpuid_partno == partno)
			return &p->ids.aliases[i];
	return NULL;
}

const char *swd_profile_revision_name(const struct swd_profile *p, uint16_t rev_id)
{
	for (size_t i = 0; i < p->ids.nrevisions; i++)
		if (p->ids.revisions[i].id == rev_id)
			return p->ids.revisions[i].name;
	return NULL;
}

const struct swd_ram_region *swd_profile_ram_at(const struct swd_profile *p, uint32_t address)
{
	for (size_t i = 0; i < p->nram; i++)
		if (address >= p->ram[i].address && address - p->ram[i].address < p->ram[i].size)
			return &p->ram[i];
	return NULL;
}

const char *swd_flash_driver_name(enum swd_flash_driver d)
{
	return d == SWD_FLASH_STM32F1X ? "stm32f1x" : "stm32f2x";
}

int swd_profile_dp_idcode_kind(const struct swd_profile *p, uint32_t idcode)
{
	for (size_t i = 0; i < p->ids.ndp_idcodes; i++)
		if (p->ids.dp_idcodes[i] == idcode)
			return 1;
	for (size_t i = 0; i < p->ids.nclone_dp_idcodes; i++)
		if (p->ids.clone_dp_idcodes[i] == idcode)
			return 2;
	return 0;
}
