/* profile.c - strict loading of target profiles.
 *
 * jansson parses (rejecting duplicate keys and non-container roots) and reports syntax
 * errors with their position; the semantic checks below find the position of the value
 * or key they reject through the jsonfield kit. Finding profiles by name is catalog.c. */
#include "core/profile.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "core/boardprofile.h"
#include "core/digest.h"
#include "core/file.h"
#include "core/jsonfield.h"


/* Largest file we accept as a profile: real ones are a few KiB. */
#define PROFILE_MAX_BYTES (1024 * 1024)

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

static int load_openocd(struct swd_jsonfield *c, const json_t *o, struct swd_profile *p)
{
	static const struct swd_jsonfield_key keys[] = {{"interface", true}, {"target", true},
	                                               {"variables", true}, {"adapter_khz", true},
	                                               {"connect_under_reset", true}, {NULL, false}};
	const char *path = "openocd";
	char b[256];
	uint64_t u;
	const char *k;
	json_t *v, *vars;
	int rc;

	if ((rc = swd_jsonfield_object(c, path, o, keys)) < 0)
		return rc;
	if ((rc = swd_jsonfield_str(c, swd_jsonfield_member(b, sizeof(b), path, "interface"),
	                            json_object_get(o, "interface"), 0, &p->openocd.interface)) < 0)
		return rc;
	if (!tcl_plain(p->openocd.interface) || strstr(p->openocd.interface, ".cfg") == NULL)
		return swd_jsonfield_error(c, b, false,
		                           "'%s' must name an openocd .cfg file, like \"interface/stlink.cfg\"", b);
	if ((rc = swd_jsonfield_str(c, swd_jsonfield_member(b, sizeof(b), path, "target"),
	                            json_object_get(o, "target"), 0,
	                            &p->openocd.target)) < 0)
		return rc;
	if (!tcl_plain(p->openocd.target) || strstr(p->openocd.target, ".cfg") == NULL)
		return swd_jsonfield_error(c, b, false,
		                           "'%s' must name an openocd .cfg file, like \"target/stm32f4x.cfg\"", b);
	if ((rc = swd_jsonfield_uint(c, swd_jsonfield_member(b, sizeof(b), path, "adapter_khz"),
	                             json_object_get(o, "adapter_khz"), 1, 100000, &u)) < 0)
		return rc;
	p->openocd.adapter_khz = (unsigned)u;
	if ((rc = swd_jsonfield_bool(c, swd_jsonfield_member(b, sizeof(b), path,
	                                                     "connect_under_reset"),
	                             json_object_get(o, "connect_under_reset"),
	                             &p->openocd.connect_under_reset)) < 0)
		return rc;

	vars = json_object_get(o, "variables");
	swd_jsonfield_member(b, sizeof(b), path, "variables");
	if ((rc = swd_jsonfield_object(c, b, vars, NULL)) < 0)
		return rc;
	p->openocd.vars = calloc(json_object_size(vars) + 1, sizeof(*p->openocd.vars));
	if (p->openocd.vars == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	json_object_foreach(vars, k, v) {
		struct swd_ocd_var *var = &p->openocd.vars[p->openocd.nvars];
		char vb[256];

		swd_jsonfield_member(vb, sizeof(vb), b, k);
		if (k[0] == '\0' || strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(k) ||
		    isdigit((unsigned char)k[0]))
			return swd_jsonfield_error(c, vb, true,
			                           "openocd variable '%s' must be upper case letters, digits and '_'", k);
		if ((rc = swd_jsonfield_str(c, vb, v, 0, &var->value)) < 0)
			return rc;
		if (!tcl_plain(var->value)) {
			rc = swd_jsonfield_error(c, vb, false,
			                         "openocd variable '%s' has characters other than letters, digits and \"_.-/+\"", k);
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

static int add_sectors(struct swd_jsonfield *c, const char *path, const json_t *runs, unsigned bank,
                       struct swd_profile *p, size_t *cap)
{
	static const struct swd_jsonfield_key keys[] = {{"count", true}, {"size", true}, {NULL, false}};
	char rp[256], b[256];
	uint64_t count, size;
	size_t i;
	json_t *run;
	int rc;

	json_array_foreach(runs, i, run) {
		swd_jsonfield_item(rp, sizeof(rp), path, i);
		if ((rc = swd_jsonfield_object(c, rp, run, keys)) < 0)
			return rc;
		if ((rc = swd_jsonfield_uint(c, swd_jsonfield_member(b, sizeof(b), rp, "count"),
		                             json_object_get(run, "count"),
		                             1, 4096, &count)) < 0)
			return rc;
		if ((rc = swd_jsonfield_uint(c, swd_jsonfield_member(b, sizeof(b), rp, "size"),
		                             json_object_get(run, "size"),
		                             256, 16 * 1024 * 1024, &size)) < 0)
			return rc;
		if (!is_pow2(size))
			return swd_jsonfield_error(c, b, false,
			                           "'%s' is %llu; sector sizes are powers of two", b,
			                           (unsigned long long)size);
		for (uint64_t k = 0; k < count; k++) {
			uint64_t addr = (uint64_t)p->flash.base;
			struct swd_sector *s;

			if (p->flash.nsectors > 0) {
				const struct swd_sector *last = &p->flash.sectors[p->flash.nsectors - 1];
				addr = (uint64_t)last->address + last->size;
			}
			if (addr + size > 0x100000000ULL)
				return swd_jsonfield_error(c, rp, false,
				                           "sectors in '%s' go beyond the 4 GiB address space", rp);
			if (addr % size != 0)
				return swd_jsonfield_error(c, rp, false,
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
			s->wrp_bit = s->index;
			p->flash.nsectors++;
		}
	}
	return 0;
}

/* flash.option_layout: {"name", "source", "register", "bits", "banks": [...], "wrp_bits":
 * [first nWRP bit of each bank]}. Its sectors must add up to flash.size. */
static int load_option_layout(struct swd_jsonfield *c, const json_t *o, struct swd_profile *p)
{
	static const struct swd_jsonfield_key keys[] = {{"name", true}, {"source", true},
	                                               {"register", true}, {"bits", true},
	                                               {"banks", true}, {"wrp_bits", true},
	                                               {NULL, false}};
	static const struct swd_jsonfield_key bank_keys[] = {{"sectors", true}, {NULL, false}};
	const char *path = "flash.option_layout";
	struct swd_sector *main_sectors = p->flash.sectors;
	size_t main_n = p->flash.nsectors, cap = 0, i;
	const json_t *banks, *bits, *bank;
	char b[256], ip[256], sp[256];
	uint64_t total = 0, u;
	int rc;

	if ((rc = swd_jsonfield_object(c, path, o, keys)) < 0 ||
	    (rc = swd_jsonfield_str(c, swd_jsonfield_member(b, sizeof(b), path, "name"),
	                            json_object_get(o, "name"), 0, &p->flash.option_layout.name)) < 0 ||
	    (rc = swd_jsonfield_str(c, swd_jsonfield_member(b, sizeof(b), path, "source"),
	                            json_object_get(o, "source"), 0, &p->flash.option_layout.source)) < 0 ||
	    (rc = swd_jsonfield_hex(c, swd_jsonfield_member(b, sizeof(b), path, "register"),
	                            json_object_get(o, "register"), UINT32_MAX, 0,
	                            &p->flash.option_layout.reg)) < 0 ||
	    (rc = swd_jsonfield_hex(c, swd_jsonfield_member(b, sizeof(b), path, "bits"),
	                            json_object_get(o, "bits"), UINT32_MAX, 0,
	                            &p->flash.option_layout.bits)) < 0)
		return rc;
	banks = json_object_get(o, "banks");
	bits = json_object_get(o, "wrp_bits");
	swd_jsonfield_member(b, sizeof(b), path, "banks");
	if ((rc = swd_jsonfield_array(c, b, banks, true)) < 0)
		return rc;
	swd_jsonfield_member(sp, sizeof(sp), path, "wrp_bits");
	if ((rc = swd_jsonfield_array(c, sp, bits, true)) < 0)
		return rc;
	if (json_array_size(banks) > 2 || json_array_size(bits) != json_array_size(banks))
		return swd_jsonfield_error(c, sp, false, "'%s' needs one first nWRP bit per bank (at most 2)", sp);
	/* The layout's sectors are built where the main ones live, then moved aside. */
	p->flash.sectors = NULL;
	p->flash.nsectors = 0;
	rc = 0;
	json_array_foreach(banks, i, bank) {
		size_t first = p->flash.nsectors;
		uint64_t base;

		swd_jsonfield_item(ip, sizeof(ip), b, i);
		if ((rc = swd_jsonfield_object(c, ip, bank, bank_keys)) < 0)
			break;
		if ((rc = add_sectors(c, swd_jsonfield_member(sp, sizeof(sp), ip, "sectors"),
		                      json_object_get(bank, "sectors"), (unsigned)i, p, &cap)) < 0)
			break;
		if ((rc = swd_jsonfield_uint(c, swd_jsonfield_item(sp, sizeof(sp), "flash.option_layout.wrp_bits", i),
		                             json_array_get(bits, i), 0, 23, &base)) < 0)
			break;
		for (size_t k = first; k < p->flash.nsectors; k++) {
			p->flash.sectors[k].wrp_bit = (unsigned)(base + (k - first));
			if (p->flash.sectors[k].wrp_bit > 23) {
				rc = swd_jsonfield_error(c, sp, false, "'%s' puts sector %zu past nWRP bit 23", sp, k);
				break;
			}
		}
		if (rc < 0)
			break;
	}
	p->flash.option_layout.sectors = p->flash.sectors;
	p->flash.option_layout.nsectors = p->flash.nsectors;
	p->flash.option_layout.nbanks = (unsigned)json_array_size(banks);
	p->flash.sectors = main_sectors;
	p->flash.nsectors = main_n;
	if (rc < 0)
		return rc;
	for (i = 0; i < p->flash.option_layout.nsectors; i++)
		total += p->flash.option_layout.sectors[i].size;
	(void)u;
	if (total != p->flash.size)
		return swd_jsonfield_error(c, b, false, "the sectors in '%s' add up to %llu bytes; 'flash.size' "
		                           "is %u", b, (unsigned long long)total, p->flash.size);
	p->flash.option_layout.present = true;
	return 0;
}

static int load_flash(struct swd_jsonfield *c, const json_t *o, struct swd_profile *p)
{
	static const struct swd_jsonfield_key keys[] = {{"driver", true}, {"base", true}, {"size", true},
	                                               {"banks", true}, {"wrp_block", true}, {"die_size", false},
	                                               {"die_size_source", false}, {"option_layout", false},
	                                               {"x32_min_mv", false}, {"x32_source", false},
	                                               {NULL, false}};
	static const struct swd_jsonfield_key bank_keys[] = {{"sectors", true}, {NULL, false}};
	const char *path = "flash";
	char b[256], bp[256], sp[256];
	/* in the order of enum swd_flash_driver */
	const char *const drivers[] = {swd_family_of(SWD_FLASH_STM32F1X)->driver,
	                               swd_family_of(SWD_FLASH_STM32F2X)->driver, NULL};
	json_t *banks, *bank;
	int e;
	uint64_t u, total = 0;
	size_t i, cap = 0;
	int rc;

	if ((rc = swd_jsonfield_object(c, path, o, keys)) < 0)
		return rc;
	if ((rc = swd_jsonfield_enum(c, swd_jsonfield_member(b, sizeof(b), path, "driver"),
	                             json_object_get(o, "driver"), drivers, &e)) < 0)
		return rc;
	p->flash.driver = (enum swd_flash_driver)e;
	p->family = swd_family_of(p->flash.driver);
	if ((rc = swd_jsonfield_hex(c, swd_jsonfield_member(b, sizeof(b), path, "base"),
	                            json_object_get(o, "base"),
	                            UINT32_MAX, 0, &p->flash.base)) < 0)
		return rc;
	if ((rc = swd_jsonfield_uint(c, swd_jsonfield_member(b, sizeof(b), path, "size"),
	                             json_object_get(o, "size"), 1024,
	                             UINT32_MAX, &u)) < 0)
		return rc;
	p->flash.size = (uint32_t)u;
	p->flash.register_size = p->flash.size;
	if (json_object_get(o, "die_size") || json_object_get(o, "die_size_source")) {
		if ((rc = swd_jsonfield_uint(c, swd_jsonfield_member(b, sizeof(b), path,
		                                                     "die_size"), json_object_get(o,
		                                                                                  "die_size"),
		                             p->flash.size + 1, UINT32_MAX - p->flash.base, &u)) < 0)
			return rc;
		p->flash.die_size = (uint32_t)u;
		if ((rc = swd_jsonfield_str(c, swd_jsonfield_member(b, sizeof(b), path,
		                                                    "die_size_source"),
		                            json_object_get(o, "die_size_source"), 0, &p->flash.die_size_source)) < 0)
			return rc;
	}
	if (json_object_get(o, "x32_min_mv") || json_object_get(o, "x32_source")) {
		/* the supply from which erase and program may run at PSIZE x32 (F2/F4) */
		if (p->flash.driver != SWD_FLASH_STM32F2X)
			return swd_jsonfield_error(c, swd_jsonfield_member(b, sizeof(b), path, "x32_min_mv"), true,
			                           "'flash.x32_min_mv' is for stm32f2x parts (PSIZE)");
		if ((rc = swd_jsonfield_uint(c, swd_jsonfield_member(b, sizeof(b), path, "x32_min_mv"),
		                             json_object_get(o, "x32_min_mv"), 1700, 3600, &u)) < 0)
			return rc;
		p->flash.x32_min_mv = (unsigned)u;
		if ((rc = swd_jsonfield_str(c, swd_jsonfield_member(b, sizeof(b), path, "x32_source"),
		                            json_object_get(o, "x32_source"), 0, &p->flash.x32_source)) < 0)
			return rc;
	}
	if ((uint64_t)p->flash.base + p->flash.size > 0x100000000ULL)
		return swd_jsonfield_error(c, b, false,
		                           "flash at 0x%08X with %u bytes goes beyond the 4 GiB address space",
		                           p->flash.base, p->flash.size);

	banks = json_object_get(o, "banks");
	swd_jsonfield_member(bp, sizeof(bp), path, "banks");
	if ((rc = swd_jsonfield_array(c, bp, banks, true)) < 0)
		return rc;
	if (json_array_size(banks) > 2)
		return swd_jsonfield_error(c, bp, false, "'%s' has %zu banks; at most 2", bp,
		                           json_array_size(banks));
	json_array_foreach(banks, i, bank) {
		char ip[256];

		swd_jsonfield_item(ip, sizeof(ip), bp, i);
		if ((rc = swd_jsonfield_object(c, ip, bank, bank_keys)) < 0)
			return rc;
		swd_jsonfield_member(sp, sizeof(sp), ip, "sectors");
		if ((rc = swd_jsonfield_array(c, sp, json_object_get(bank, "sectors"), true)) < 0)
			return rc;
		if ((rc = add_sectors(c, sp, json_object_get(bank, "sectors"), (unsigned)i, p, &cap)) < 0)
			return rc;
	}
	p->flash.nbanks = (unsigned)json_array_size(banks);
	for (i = 0; i < p->flash.nsectors; i++)
		total += p->flash.sectors[i].size;
	if (total != p->flash.size)
		return swd_jsonfield_error(c, swd_jsonfield_member(b, sizeof(b), path, "size"),
		                           false,
		                           "'flash.size' is %u but the sectors in 'flash.banks' add up to %llu bytes",
		                           p->flash.size, (unsigned long long)total);

	if ((rc = swd_jsonfield_uint(c, swd_jsonfield_member(b, sizeof(b), path, "wrp_block"),
	                             json_object_get(o, "wrp_block"), 1, 64, &u)) < 0)
		return rc;
	p->flash.wrp_sectors_per_bit = (unsigned)u;
	if (p->flash.driver == SWD_FLASH_STM32F2X && u != 1)
		return swd_jsonfield_error(c, b, false,
		                           "'flash.wrp_block' must be 1 for stm32f2x (one nWRP bit per sector)");
	if (p->flash.driver == SWD_FLASH_STM32F1X &&
	    (p->flash.nsectors + u - 1) / u > 32)
		return swd_jsonfield_error(c, b, false,
		                           "'flash.wrp_block' is %llu: %zu pages would need %llu WRP bits; there are 32",
		                           (unsigned long long)u, p->flash.nsectors,
		                           (unsigned long long)((p->flash.nsectors + u - 1) / u));
	if (p->flash.driver == SWD_FLASH_STM32F2X && p->flash.nsectors > 24)
		return swd_jsonfield_error(c, bp, false,
		                           "%zu sectors; stm32f2x option bytes protect at most 24",
		                           p->flash.nsectors);
	if (json_object_get(o, "option_layout") != NULL)
		return load_option_layout(c, json_object_get(o, "option_layout"), p);
	return 0;
}

/* ids.aliases: [{"dev_id", "cpuid_partno", "revision", "source"}], each another id. */
static int load_aliases(struct swd_jsonfield *c, const json_t *arr, struct swd_profile *p)
{
	static const struct swd_jsonfield_key keys[] = {{"dev_id", true}, {"cpuid_partno", true},
	                                               {"revision", true}, {"source", true}, {NULL, false}};
	const char *path = "ids.aliases";
	char b[256], ib[256];
	uint32_t h;
	json_t *v;
	size_t i;
	int rc;

	if (arr == NULL)
		return 0;
	if ((rc = swd_jsonfield_array(c, path, arr, true)) < 0)
		return rc;
	p->ids.aliases = calloc(json_array_size(arr), sizeof(*p->ids.aliases));
	if (p->ids.aliases == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	json_array_foreach(arr, i, v) {
		struct swd_id_alias *a = &p->ids.aliases[p->ids.naliases];

		swd_jsonfield_item(ib, sizeof(ib), path, i);
		if ((rc = swd_jsonfield_object(c, ib, v, keys)) < 0)
			return rc;
		p->ids.naliases++;
		if ((rc = swd_jsonfield_hex(c, swd_jsonfield_member(b, sizeof(b), ib, "dev_id"),
		                            json_object_get(v, "dev_id"),
		                            0xFFF, 0, &h)) < 0)
			return rc;
		a->dev_id = (uint16_t)h;
		if ((rc = swd_jsonfield_hex(c, swd_jsonfield_member(b, sizeof(b), ib,
		                                                    "cpuid_partno"),
		                            json_object_get(v, "cpuid_partno"), 0xFFF, 0, &h)) < 0)
			return rc;
		a->cpuid_partno = (uint16_t)h;
		if ((rc = swd_jsonfield_str(c, swd_jsonfield_member(b, sizeof(b), ib, "revision"),
		                            json_object_get(v, "revision"), 0,
		                            &a->revision)) < 0 ||
		    (rc = swd_jsonfield_str(c, swd_jsonfield_member(b, sizeof(b), ib, "source"),
		                            json_object_get(v, "source"), 0,
		                            &a->source)) < 0)
			return rc;
	}
	return 0;
}

static int load_ids(struct swd_jsonfield *c, const json_t *o, struct swd_profile *p)
{
	static const struct swd_jsonfield_key keys[] = {{"dev_id", true}, {"revisions", true},
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

	if ((rc = swd_jsonfield_object(c, path, o, keys)) < 0)
		return rc;
	if ((rc = swd_jsonfield_hex(c, swd_jsonfield_member(b, sizeof(b), path, "dev_id"),
	                            json_object_get(o, "dev_id"),
	                            0xFFF, 0, &h)) < 0)
		return rc;
	p->ids.dev_id = (uint16_t)h;
	if ((rc = swd_jsonfield_hex(c, swd_jsonfield_member(b, sizeof(b), path, "cpuid_partno"),
	                            json_object_get(o, "cpuid_partno"), 0xFFF, 0, &h)) < 0)
		return rc;
	p->ids.cpuid_partno = (uint16_t)h;
	if ((rc = swd_jsonfield_uint(c, swd_jsonfield_member(b, sizeof(b), path, "flash_size_kib"),
	                             json_object_get(o, "flash_size_kib"), 1, 0xFFFE, &u)) < 0)
		return rc;
	p->ids.flash_size_kib = (uint16_t)u;
	if ((uint64_t)p->ids.flash_size_kib * 1024 != p->flash.size)
		return swd_jsonfield_error(c, b, false,
		                           "'ids.flash_size_kib' is %u KiB but 'flash.size' is %u bytes",
		                           p->ids.flash_size_kib, p->flash.size);

	revs = json_object_get(o, "revisions");
	swd_jsonfield_member(b, sizeof(b), path, "revisions");
	if ((rc = swd_jsonfield_object(c, b, revs, NULL)) < 0)
		return rc;
	p->ids.revisions = calloc(json_object_size(revs) + 1, sizeof(*p->ids.revisions));
	if (p->ids.revisions == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	json_object_foreach(revs, k, v) {
		struct swd_revision *r = &p->ids.revisions[p->ids.nrevisions];
		size_t n = strlen(k);

		swd_jsonfield_member(ib, sizeof(ib), b, k);
		/* the key is the revision id: errors point at the key */
		if (n < 3 || n > 6 || k[0] != '0' || (k[1] != 'x' && k[1] != 'X') ||
		    strspn(k + 2, "0123456789abcdefABCDEF") != n - 2)
			return swd_jsonfield_error(c, ib, true,
			                           "revision id '%s' must be a 16-bit hex string such as \"0x2003\"", k);
		h = (uint32_t)strtoul(k + 2, NULL, 16);
		r->id = (uint16_t)h;
		if ((rc = swd_jsonfield_str(c, ib, v, 0, &r->name)) < 0)
			return rc;
		p->ids.nrevisions++;
	}

	if (json_object_get(o, "revisions_advisory") &&
	    (rc = swd_jsonfield_str(c, swd_jsonfield_member(b, sizeof(b), path,
	                                                    "revisions_advisory"),
	                            json_object_get(o, "revisions_advisory"), 0, &p->ids.revisions_advisory)) < 0)
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
		swd_jsonfield_member(b, sizeof(b), path, key);
		if ((rc = swd_jsonfield_array(c, b, arr, which == 0)) < 0)
			return rc;
		*dst = calloc(json_array_size(arr) + 1, sizeof(**dst));
		if (*dst == NULL)
			return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
		json_array_foreach(arr, i, v) {
			if ((rc = swd_jsonfield_hex(c, swd_jsonfield_item(ib, sizeof(ib), b, i), v,
			                            UINT32_MAX, 0, &h)) < 0)
				return rc;
			(*dst)[(*nd)++] = h;
		}
	}
	return 0;
}

static int load_registers(struct swd_jsonfield *c, const json_t *o, struct swd_profile *p)
{
	static const struct swd_jsonfield_key keys[] = {{"dbgmcu_idcode", true}, {"flash_size", true},
	                                               {"unique_id", true}, {"flash_interface", true},
	                                               {NULL, false}};
	const char *path = "registers";
	uint32_t *dst[] = {&p->regs.dbgmcu_idcode, &p->regs.flash_size, &p->regs.unique_id,
	                   &p->regs.flash_interface};
	char b[256];
	int rc;

	if ((rc = swd_jsonfield_object(c, path, o, keys)) < 0)
		return rc;
	for (size_t i = 0; i < 4; i++) {
		if ((rc = swd_jsonfield_hex(c, swd_jsonfield_member(b, sizeof(b), path,
		                                                    keys[i].name),
		                            json_object_get(o, keys[i].name), UINT32_MAX, 0, dst[i])) < 0)
			return rc;
	}
	if (p->regs.flash_size % 2 != 0)
		return swd_jsonfield_error(c, swd_jsonfield_member(b, sizeof(b), path,
		                                                   "flash_size"), false,
		                           "'registers.flash_size' 0x%08X is not halfword aligned", p->regs.flash_size);
	if (p->regs.dbgmcu_idcode % 4 != 0 || p->regs.unique_id % 4 != 0 ||
	    p->regs.flash_interface % 4 != 0)
		return swd_jsonfield_error(c, path, false,
		                           "'registers' addresses other than flash_size must be word aligned");
	return 0;
}

static int load_option_bytes(struct swd_jsonfield *c, const json_t *o, struct swd_profile *p)
{
	static const struct swd_jsonfield_key keys[] = {{"format", true}, {"address", true}, {"size", true},
	                                               {NULL, false}};
	/* in the order of enum swd_ob_format */
	const char *const formats[] = {swd_family_of(SWD_FLASH_STM32F1X)->ob_format,
	                               swd_family_of(SWD_FLASH_STM32F2X)->ob_format, NULL};
	const char *path = "option_bytes";
	char b[256];
	uint64_t u;
	int rc, e;

	if ((rc = swd_jsonfield_object(c, path, o, keys)) < 0)
		return rc;
	if ((rc = swd_jsonfield_enum(c, swd_jsonfield_member(b, sizeof(b), path, "format"),
	                             json_object_get(o, "format"), formats, &e)) < 0)
		return rc;
	p->option_bytes.format = (enum swd_ob_format)e;
	if (p->option_bytes.format != p->family->ob_format_id)
		return swd_jsonfield_error(c, b, false,
		                           "option byte format \"%s\" does not go with flash driver \"%s\"",
		                           formats[e], p->family->driver);
	if ((rc = swd_jsonfield_hex(c, swd_jsonfield_member(b, sizeof(b), path, "address"),
	                            json_object_get(o, "address"),
	                            UINT32_MAX, 0, &p->option_bytes.address)) < 0)
		return rc;
	if (p->option_bytes.address % 4 != 0)
		return swd_jsonfield_error(c, b, false, "'%s' 0x%08X is not word aligned", b,
		                           p->option_bytes.address);
	if ((rc = swd_jsonfield_uint(c, swd_jsonfield_member(b, sizeof(b), path, "size"),
	                             json_object_get(o, "size"), 1,
	                             64, &u)) < 0)
		return rc;
	p->option_bytes.size = (uint32_t)u;
	if (p->option_bytes.format == SWD_OB_STM32F1 && u != 16)
		return swd_jsonfield_error(c, b, false,
		                           "'%s' is %llu; the stm32f1 option bytes are 16 bytes", b,
		                           (unsigned long long)u);
	if (p->option_bytes.format == SWD_OB_STM32F2X) {
		if (u != 4 && u != 8)
			return swd_jsonfield_error(c, b, false,
			                           "'%s' is %llu; use 4 (OPTCR) or 8 (OPTCR and OPTCR1)", b,
			                           (unsigned long long)u);
		if (p->flash.nsectors > 12 && u != 8)
			return swd_jsonfield_error(c, b, false,
			                           "'%s' must be 8: sectors 12 and up are protected through OPTCR1", b);
		p->option_bytes.has_optcr1 = u == 8;
		p->option_bytes.optcr1 = p->option_bytes.address + 4;
	}
	return 0;
}

static int load_otp(struct swd_jsonfield *c, const json_t *o, struct swd_profile *p)
{
	static const struct swd_jsonfield_key keys[] = {{"address", true}, {"size", true}, {"lock_address", true},
	                                               {"lock_size", true}, {NULL, false}};
	const char *path = "otp";
	char b[256];
	uint64_t u;
	int rc;

	if ((rc = swd_jsonfield_object(c, path, o, keys)) < 0)
		return rc;
	if ((rc = swd_jsonfield_hex(c, swd_jsonfield_member(b, sizeof(b), path, "address"),
	                            json_object_get(o, "address"),
	                            UINT32_MAX, 0, &p->otp.address)) < 0)
		return rc;
	if ((rc = swd_jsonfield_uint(c, swd_jsonfield_member(b, sizeof(b), path, "size"),
	                             json_object_get(o, "size"), 4,
	                             64 * 1024, &u)) < 0)
		return rc;
	p->otp.size = (uint32_t)u;
	if ((rc = swd_jsonfield_hex(c, swd_jsonfield_member(b, sizeof(b), path, "lock_address"),
	                            json_object_get(o, "lock_address"), UINT32_MAX, 0, &p->otp.lock_address)) < 0)
		return rc;
	if ((rc = swd_jsonfield_uint(c, swd_jsonfield_member(b, sizeof(b), path, "lock_size"),
	                             json_object_get(o, "lock_size"), 1, 4096, &u)) < 0)
		return rc;
	p->otp.lock_size = (uint32_t)u;
	if (p->otp.address % 4 != 0 || p->otp.size % 4 != 0)
		return swd_jsonfield_error(c, path, false,
		                           "'otp' address and size must be word aligned");
	if (p->otp.lock_address < p->otp.address + p->otp.size &&
	    p->otp.address < p->otp.lock_address + p->otp.lock_size)
		return swd_jsonfield_error(c, swd_jsonfield_member(b, sizeof(b), path,
		                                                   "lock_address"), false,
		                           "'otp.lock_address' overlaps the otp data");
	p->otp.present = true;
	return 0;
}

static int load_reg_bits(struct swd_jsonfield *c, const char *path, const json_t *o, struct swd_reg_bits *rb)
{
	static const struct swd_jsonfield_key keys[] = {{"register", true}, {"bits", true}, {NULL, false}};
	char b[256];
	int rc;

	if ((rc = swd_jsonfield_object(c, path, o, keys)) < 0)
		return rc;
	if ((rc = swd_jsonfield_hex(c, swd_jsonfield_member(b, sizeof(b), path, "register"),
	                            json_object_get(o, "register"),
	                            UINT32_MAX, 0, &rb->address)) < 0)
		return rc;
	if ((rc = swd_jsonfield_hex(c, swd_jsonfield_member(b, sizeof(b), path, "bits"),
	                            json_object_get(o, "bits"),
	                            UINT32_MAX, 0, &rb->bits)) < 0)
		return rc;
	if (rb->address % 4 != 0 || rb->bits == 0)
		return swd_jsonfield_error(c, path, false,
		                           "'%s' needs a word-aligned register and at least one bit", path);
	return 0;
}

static int load_backup_domain(struct swd_jsonfield *c, const json_t *o, struct swd_profile *p)
{
	static const struct swd_jsonfield_key keys[] = {{"reference", true}, {"regions", true}, {"clocks", true},
	                                               {"write_enable", true}, {NULL, false}};
	static const struct swd_jsonfield_key rkeys[] = {{"name", true}, {"address", true}, {"size", true},
	                                                {NULL, false}};
	const char *path = "backup_domain";
	char b[256], ib[256], kb[256];
	const json_t *arr;
	json_t *v;
	uint64_t u;
	size_t i;
	int rc;

	if ((rc = swd_jsonfield_object(c, path, o, keys)) < 0)
		return rc;
	if ((rc = swd_jsonfield_str(c, swd_jsonfield_member(b, sizeof(b), path, "reference"),
	                            json_object_get(o, "reference"), 0,
	                            &p->backup_domain.reference)) < 0)
		return rc;
	arr = json_object_get(o, "regions");
	swd_jsonfield_member(b, sizeof(b), path, "regions");
	if ((rc = swd_jsonfield_array(c, b, arr, true)) < 0)
		return rc;
	if (json_array_size(arr) > 2)
		return swd_jsonfield_error(c, b, false, "'%s' has at most 2 regions", b);
	json_array_foreach(arr, i, v) {
		struct swd_bkp_region *r = &p->backup_domain.regions[i];

		swd_jsonfield_item(ib, sizeof(ib), b, i);
		if ((rc = swd_jsonfield_object(c, ib, v, rkeys)) < 0)
			return rc;
		p->backup_domain.nregions++;
		if ((rc = swd_jsonfield_str(c, swd_jsonfield_member(kb, sizeof(kb), ib, "name"),
		                            json_object_get(v, "name"), 0,
		                            &r->name)) < 0)
			return rc;
		if (strcmp(r->name, "backup-sram") != 0 && strcmp(r->name, "backup-registers") != 0)
			return swd_jsonfield_error(c, kb, false,
			                           "'%s' must be \"backup-sram\" or \"backup-registers\"", kb);
		if ((rc = swd_jsonfield_hex(c, swd_jsonfield_member(kb, sizeof(kb), ib, "address"),
		                            json_object_get(v, "address"),
		                            UINT32_MAX, 0, &r->address)) < 0)
			return rc;
		if ((rc = swd_jsonfield_uint(c, swd_jsonfield_member(kb, sizeof(kb), ib, "size"),
		                             json_object_get(v, "size"), 4,
		                             64 * 1024, &u)) < 0)
			return rc;
		r->size = (uint32_t)u;
		if (r->address % 4 != 0 || r->size % 4 != 0)
			return swd_jsonfield_error(c, ib, false,
			                           "'%s' address and size must be word aligned", ib);
	}
	arr = json_object_get(o, "clocks");
	swd_jsonfield_member(b, sizeof(b), path, "clocks");
	if ((rc = swd_jsonfield_array(c, b, arr, true)) < 0)
		return rc;
	if (json_array_size(arr) > 2)
		return swd_jsonfield_error(c, b, false, "'%s' has at most 2 clock gates", b);
	json_array_foreach(arr, i, v) {
		if ((rc = load_reg_bits(c, swd_jsonfield_item(ib, sizeof(ib), b, i), v,
		                        &p->backup_domain.clocks[i])) < 0)
			return rc;
		p->backup_domain.nclocks++;
	}
	if ((rc = load_reg_bits(c, swd_jsonfield_member(b, sizeof(b), path, "write_enable"),
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

static int load_ram(struct swd_jsonfield *c, const json_t *arr, struct swd_profile *p)
{
	static const struct swd_jsonfield_key keys[] = {{"name", true}, {"address", true}, {"size", true},
	                                               {"code", false}, {NULL, false}};
	const char *path = "ram";
	char b[256], ip[256];
	json_t *r;
	uint64_t u;
	size_t i;
	int rc;

	if ((rc = swd_jsonfield_array(c, path, arr, true)) < 0)
		return rc;
	p->ram = calloc(json_array_size(arr), sizeof(*p->ram));
	if (p->ram == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	json_array_foreach(arr, i, r) {
		struct swd_ram_region *reg = &p->ram[i];

		swd_jsonfield_item(ip, sizeof(ip), path, i);
		if ((rc = swd_jsonfield_object(c, ip, r, keys)) < 0)
			return rc;
		p->nram = i + 1;
		if ((rc = swd_jsonfield_str(c, swd_jsonfield_member(b, sizeof(b), ip, "name"),
		                            json_object_get(r, "name"), 0,
		                            &reg->name)) < 0)
			return rc;
		reg->code = true;
		if (json_object_get(r, "code") != NULL &&
		    (rc = swd_jsonfield_bool(c, swd_jsonfield_member(b, sizeof(b), ip, "code"),
		                             json_object_get(r, "code"), &reg->code)) < 0)
			return rc;
		/* OpenOCD's target configs put the work area (flash loaders, the CRC) at the first
		 * RAM region: it must be one the core can run code from. */
		if (i == 0 && !reg->code)
			return swd_jsonfield_error(c, b, false, "the first ram region ('%s') holds the "
			                           "work area for flash loaders: it must be able to hold code",
			                           reg->name);
		for (size_t k = 0; k < i; k++)
			if (strcmp(p->ram[k].name, reg->name) == 0)
				return swd_jsonfield_error(c, b, false,
				                           "ram region name '%s' is used twice", reg->name);
		if ((rc = swd_jsonfield_hex(c, swd_jsonfield_member(b, sizeof(b), ip, "address"),
		                            json_object_get(r, "address"), UINT32_MAX, 0, &reg->address)) < 0)
			return rc;
		if (reg->address % 4 != 0)
			return swd_jsonfield_error(c, b, false,
			                           "ram region '%s' at 0x%08X is not word aligned",
			                           reg->name, reg->address);
		if ((rc = swd_jsonfield_uint(c, swd_jsonfield_member(b, sizeof(b), ip, "size"),
		                             json_object_get(r, "size"), 4,
		                             UINT32_MAX, &u)) < 0)
			return rc;
		reg->size = (uint32_t)u;
		if (u % 4 != 0)
			return swd_jsonfield_error(c, b, false,
			                           "ram region '%s' size %u is not a multiple of 4",
			                           reg->name, reg->size);
		if ((uint64_t)reg->address + u > 0x100000000ULL)
			return swd_jsonfield_error(c, b, false,
			                           "ram region '%s' goes beyond the 4 GiB address space",
			                           reg->name);
	}
	return 0;
}

/* Regions of the address space the profile describes must not overlap. */
static int check_overlaps(struct swd_jsonfield *c, const struct swd_profile *p)
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
				return swd_jsonfield_error(c, sp[i].path, false,
				                           "'%s' [0x%08llX, 0x%08llX) overlaps '%s' [0x%08llX, 0x%08llX)",
				                           sp[i].what, (unsigned long long)sp[i].lo,
				                           (unsigned long long)sp[i].hi, sp[k].what,
				                           (unsigned long long)sp[k].lo, (unsigned long long)sp[k].hi);
	return 0;
}

static int load_root(struct swd_jsonfield *c, const json_t *root, struct swd_profile *p)
{
	static const struct swd_jsonfield_key keys[] = {
		{"name", true}, {"description", true}, {"reference_manual", true},
		{"openocd", true}, {"flash", true}, {"ids", true}, {"registers", true},
		{"option_bytes", true}, {"otp", false}, {"ram", true}, {"backup_domain", false},
		{"sim_model", false}, {NULL, false}};
	int rc;

	if ((rc = swd_jsonfield_object(c, "", root, keys)) < 0)
		return rc;
	if ((rc = swd_jsonfield_str(c, "name", json_object_get(root, "name"), 0, &p->name)) < 0)
		return rc;
	if (!swd_profile_name_valid(p->name))
		return swd_jsonfield_error(c, "name", false,
		                           "profile name \"%s\" must be lower case letters, digits, '_', '-' and '.'",
		                           p->name);
	if ((rc = swd_jsonfield_str(c, "description", json_object_get(root, "description"), 0,
	                            &p->description)) < 0)
		return rc;
	if ((rc = swd_jsonfield_str(c, "reference_manual", json_object_get(root,
	                                                                   "reference_manual"), 0,
	                            &p->reference_manual)) < 0)
		return rc;
	/* which swdbackup-sim model plays this part for --probe sim (cli/sim.c); the model
	 * names are the simulator's, so only their spelling is checked here */
	if (json_object_get(root, "sim_model") != NULL &&
	    ((rc = swd_jsonfield_str(c, "sim_model", json_object_get(root, "sim_model"), 0,
	                             &p->sim_model)) < 0 ||
	     strspn(p->sim_model, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(p->sim_model)))
		return rc < 0 ? rc : swd_jsonfield_error(c, "sim_model", false,
		                                         "sim_model \"%s\" must be lower case letters and digits, "
		                                         "such as \"stm32f407vg\"", p->sim_model);
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
	free(p->sim_model);
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
	free(p->flash.x32_source);
	free(p->flash.option_layout.name);
	free(p->flash.option_layout.source);
	free(p->flash.option_layout.sectors);
	for (size_t i = 0; i < p->backup_domain.nregions; i++)
		free(p->backup_domain.regions[i].name);
	free(p->ids.revisions_advisory);
	free(p->ids.dp_idcodes);
	free(p->ids.clone_dp_idcodes);
	for (size_t i = 0; i < p->nram; i++)
		free(p->ram[i].name);
	free(p->ram);
	swd_board_free(p->board);
	free(p);
}

int swd_profile_load_text(const char *text, size_t len, const char *origin,
                          struct swd_profile **out, struct swd_error *err)
{
	struct swd_jsonfield c = {origin, "the profile", SWD_EPROFILE, err, {NULL, 0, 0}};
	struct swd_profile *p = NULL;
	json_t *root = NULL;
	int rc;

	*out = NULL;
	if (len == 0) {
		rc = swd_error_set(err, SWD_EPROFILE, "'%s' is empty; a profile is a json object", origin);
		goto out;
	}
	if ((rc = swd_jsonfield_parse(&c, text, len, &root)) < 0)
		goto out;
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		rc = swd_error_set(err, SWD_ENOMEM, "out of memory");
		goto out;
	}
	/* a board profile names its part rather than repeating the part's facts */
	if (json_is_object(root) && json_object_get(root, "part") != NULL)
		rc = swd_boardprofile_load(&c, root, p);
	else
		rc = load_root(&c, root, p);
	if (rc < 0)
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
	p->sha256_hex[0] = '\0';
	*out = p;
	p = NULL;
	rc = 0;
out:
	swd_profile_free(p);
	swd_jsonfield_release(&c);
	json_decref(root);
	return rc;
}

int swd_profile_hash(const struct swd_profile *p, struct swd_error *err)
{
	struct swd_profile *w = (struct swd_profile *)p;
	struct swd_board *b = w->board;
	struct swd_digests dg;
	int rc;

	if (w->sha256_hex[0] == '\0') {
		if ((rc = swd_digest_buffer(w->text, w->text_len, &dg, err)) < 0)
			return rc;
		memcpy(w->sha256_hex, dg.sha256_hex, sizeof(w->sha256_hex));
	}
	if (b != NULL && b->part_sha256_hex[0] == '\0' && b->part_text != NULL) {
		if ((rc = swd_digest_buffer(b->part_text, b->part_text_len, &dg, err)) < 0)
			return rc;
		memcpy(b->part_sha256_hex, dg.sha256_hex, sizeof(b->part_sha256_hex));
	}
	return 0;
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
	if ((rc = swd_file_read(path, PROFILE_MAX_BYTES, &text, &len, err)) < 0)
		return rc;
	rc = swd_profile_load_text(text, len, path, out, err);
	free(text);
	return rc;
}
