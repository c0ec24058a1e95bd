/* manifest.c - the manifest's JSON: written (swd_manifest_dump) and read back strictly
 * (swd_manifest_parse) side by side, so a field is added to both in one place. */
#include "core/manifest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/digest.h"
#include "core/jsonfield.h"

static const char *const reserved_files[] = {"manifest.json", "SHA256SUMS", "MD5SUMS", NULL};

bool swd_manifest_file_ok(const char *f)
{
	if (f[0] == '\0' || f[0] == '.' || strlen(f) > 64)
		return false;
	if (strspn(f, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(f))
		return false;
	for (const char *const *r = reserved_files; *r != NULL; r++)
		if (strcmp(*r, f) == 0)
			return false;
	return true;
}

void swd_manifest_regions_free(struct swd_manifest_region *r, size_t n)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(r[i].name);
		free(r[i].file);
	}
	free(r);
}

void swd_manifest_release(struct swd_manifest *m)
{
	if (m == NULL)
		return;
	free(m->tool_version);
	free(m->openocd_version);
	free(m->created);
	free(m->profile_name);
	free(m->profile_sha256);
	free(m->probe.kind);
	free(m->probe.serial);
	free(m->probe.firmware);
	free(m->probe.vid_pid);
	free(m->device.revision);
	free(m->protection.wrp);
	free(m->touched);
	swd_flashmap_free(m->map);
	free(m->flash_sources);
	free(m->dfu.part);
	for (size_t i = 0; i < m->dfu.nlayouts; i++)
		free(m->dfu.layouts[i]);
	free(m->dfu.layouts);
	swd_manifest_regions_free(m->regions, m->nregions);
	memset(m, 0, sizeof(*m));
}

/* --- writing ---------------------------------------------------------------------------- */

/* "obtained" of a flash source, in the order of swd_manifest_source.read (true first). */
static const char *const source_names[] = {"read", "equal to the image by on-target crc-32", NULL};

static json_t *jstr_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *jhex(uint32_t v, int digits)
{
	char b[16];

	snprintf(b, sizeof(b), "0x%0*x", digits, v);
	return json_string(b);
}

char *swd_manifest_dump(const struct swd_manifest *m, const struct swd_manifest_region *regs,
                        size_t nregs, const char *created)
{
	json_t *root = json_object(), *regions = json_array(), *wrp = json_array();
	char uid[25];
	char *text = NULL;
	bool known;
	int bad = 0;

	if (root == NULL || regions == NULL || wrp == NULL)
		goto out;
	swd_hex(m->device.unique_id, sizeof(m->device.unique_id), uid);
	for (size_t i = 0; i < nregs; i++)
		bad |= json_array_append_new(regions,
		                             json_pack("{s:s, s:s, s:o, s:I, s:s, s:s, s:I}",
		                                       "name", regs[i].name, "file", regs[i].file,
		                                       "address", jhex(regs[i].address, 8),
		                                       "size", (json_int_t)regs[i].size,
		                                       "sha256", regs[i].sha256, "md5", regs[i].md5,
		                                       "used", (json_int_t)regs[i].used));
	for (size_t i = 0; i < m->protection.nwrp; i++)
		bad |= json_array_append_new(wrp, json_integer(m->protection.wrp[i]));
	bad |= json_object_set_new(root, "format_version", json_integer(SWD_MANIFEST_FORMAT));
	bad |= json_object_set_new(root, "created", json_string(created));
	bad |= json_object_set_new(root, "tool",
	                           json_pack("{s:s, s:o}", "name", "swdbackup", "version",
	                                     jstr_or_null(m->tool_version)));
	bad |= json_object_set_new(root, "openocd",
	                           json_pack("{s:o}", "version", jstr_or_null(m->openocd_version)));
	bad |= json_object_set_new(root, "profile",
	                           json_pack("{s:o, s:o}", "name", jstr_or_null(m->profile_name),
	                                     "sha256", jstr_or_null(m->profile_sha256)));
	bad |= json_object_set_new(root, "probe",
	                           json_pack("{s:o, s:o, s:o, s:o}", "kind",
	                                     jstr_or_null(m->probe.kind), "serial",
	                                     jstr_or_null(m->probe.serial), "firmware",
	                                     jstr_or_null(m->probe.firmware), "target_voltage",
	                                     m->probe.target_voltage >= 0 &&
	                                             isfinite(m->probe.target_voltage)
	                                         ? json_real(round(m->probe.target_voltage * 1000) / 1000)
	                                         : json_null()));
	if (m->probe.vid_pid)
		bad |= json_object_set_new(json_object_get(root, "probe"), "vid_pid",
		                           json_string(m->probe.vid_pid));
	/* dbgmcu_idcode 0: the identity was not read (through DFU): unknown, not zero */
	known = m->device.dbgmcu_idcode != 0;
	bad |= json_object_set_new(root, "device",
	                           json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	                                     "dp_idcode", m->device.dp_idcode
	                                                      ? jhex(m->device.dp_idcode, 8)
	                                                      : json_null(),
	                                     "cpuid", m->device.cpuid ? jhex(m->device.cpuid, 8)
	                                                              : json_null(),
	                                     "dbgmcu_idcode", known ? jhex(m->device.dbgmcu_idcode, 8) : json_null(),
	                                     "dev_id", known ? jhex(m->device.dev_id, 3) : json_null(),
	                                     "rev_id", known ? jhex(m->device.rev_id, 4) : json_null(),
	                                     "revision", jstr_or_null(m->device.revision),
	                                     "flash_size_kib", known ? json_integer(m->device.flash_size_kib) : json_null(),
	                                     "unique_id", known ? json_string(uid) : json_null()));
	if (m->dfu.present) {
		json_t *l = json_array();

		for (size_t i = 0; i < m->dfu.nlayouts; i++)
			bad |= json_array_append_new(l, json_string(m->dfu.layouts[i]));
		bad |= json_object_set_new(root, "dfu", json_pack("{s:o, s:I, s:o}", "part",
		                                                  jstr_or_null(m->dfu.part), "alt",
		                                                  (json_int_t)m->dfu.alt, "layouts", l));
	}
	bad |= json_object_set_new(root, "protection",
	                           json_pack("{s:o, s:O, s:s}", "rdp_level",
	                                     m->protection.rdp_level >= 0
	                                         ? json_integer(m->protection.rdp_level)
	                                         : json_null(),
	                                     "wrp", wrp, "wrp_unit",
	                                     m->protection.pages ? "page" : "sector"));
	bad |= json_object_set(root, "regions", regions);
	if (m->ntouched) {
		json_t *t = json_array();

		for (size_t i = 0; i < m->ntouched; i++)
			bad |= json_array_append_new(t, json_pack("{s:o, s:o, s:o}",
			                                          "register", jhex(m->touched[i].address, 8),
			                                          "before", jhex(m->touched[i].before, 8),
			                                          "during", jhex(m->touched[i].during, 8)));
		bad |= json_object_set_new(root, "touched", t);
	}
	if (m->map) {
		json_t *map = swd_flashmap_regions_json(m->map);

		bad |= map == NULL || json_object_set_new(root, "map", map);
	}
	if (m->nflash_sources) {
		json_t *t = json_array();

		for (size_t i = 0; i < m->nflash_sources; i++)
			bad |= json_array_append_new(t, json_pack("{s:o, s:I, s:s}",
			                                          "address", jhex(m->flash_sources[i].address, 8),
			                                          "size", (json_int_t)m->flash_sources[i].size,
			                                          "obtained", source_names[!m->flash_sources[i].read]));
		bad |= json_object_set_new(root, "flash_sources", t);
	}
	if (bad == 0)
		text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(6));
	if (text != NULL) {
		/* end the file with a newline like any text file */
		size_t tl = strlen(text);
		char *t2 = realloc(text, tl + 2);

		if (t2 == NULL) {
			free(text);
			text = NULL;
			goto out;
		}
		text = t2;
		text[tl] = '\n';
		text[tl + 1] = '\0';
	}
out:
	json_decref(root);
	json_decref(regions);
	json_decref(wrp);
	return text;
}

/* --- reading ---------------------------------------------------------------------------- */

/* Manifests are written by us: every key is present, unknown values are null. */
#define K(name) {name, true}
#define STR SWD_JSONFIELD_EMPTY
#define STR_OR_NULL (SWD_JSONFIELD_EMPTY | SWD_JSONFIELD_NULL)

static bool is_hex_digest(const char *s, size_t n)
{
	return strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

/* The value of o's member key, its path in buf. */
static const json_t *at(const json_t *o, const char *parent, const char *key, char *buf,
                        size_t len)
{
	swd_jsonfield_member(buf, len, parent, key);
	return json_object_get(o, key);
}

static int parse_head(struct swd_jsonfield *c, const json_t *root, struct swd_manifest *m)
{
	static const struct swd_jsonfield_key tool[] = {K("name"), K("version"), {NULL, false}};
	static const struct swd_jsonfield_key ocd[] = {K("version"), {NULL, false}};
	static const struct swd_jsonfield_key prof[] = {K("name"), K("sha256"), {NULL, false}};
	const json_t *o;
	char *toolname = NULL;
	char b[64];
	uint64_t u;
	int rc;

	if ((rc = swd_jsonfield_uint(c, "format_version", json_object_get(root, "format_version"),
	                             0, 1000, &u)) < 0)
		return rc;
	if (u < SWD_MANIFEST_FORMAT_OLDEST || u > SWD_MANIFEST_FORMAT)
		return swd_jsonfield_error(c, "format_version", false,
		                           "manifest format %llu is not supported (this version reads "
		                           "formats %d to %d)", (unsigned long long)u,
		                           SWD_MANIFEST_FORMAT_OLDEST, SWD_MANIFEST_FORMAT);
	m->format = (int)u;
	if ((rc = swd_jsonfield_str(c, "created", json_object_get(root, "created"), STR,
	                            &m->created)) < 0)
		return rc;

	o = json_object_get(root, "tool");
	if ((rc = swd_jsonfield_object(c, "tool", o, tool)) < 0 ||
	    (rc = swd_jsonfield_str(c, "tool.name", json_object_get(o, "name"), STR, &toolname)) < 0)
		return rc;
	rc = strcmp(toolname, "swdbackup") != 0
	         ? swd_jsonfield_error(c, "tool.name", false, "'tool.name' is \"%s\", not \"swdbackup\"",
	                               toolname)
	         : 0;
	free(toolname);
	if (rc < 0 ||
	    (rc = swd_jsonfield_str(c, b, at(o, "tool", "version", b, sizeof(b)), STR_OR_NULL,
	                            &m->tool_version)) < 0)
		return rc;

	o = json_object_get(root, "openocd");
	if ((rc = swd_jsonfield_object(c, "openocd", o, ocd)) < 0 ||
	    (rc = swd_jsonfield_str(c, b, at(o, "openocd", "version", b, sizeof(b)), STR_OR_NULL,
	                            &m->openocd_version)) < 0)
		return rc;

	o = json_object_get(root, "profile");
	if ((rc = swd_jsonfield_object(c, "profile", o, prof)) < 0 ||
	    (rc = swd_jsonfield_str(c, b, at(o, "profile", "name", b, sizeof(b)), STR,
	                            &m->profile_name)) < 0 ||
	    (rc = swd_jsonfield_str(c, b, at(o, "profile", "sha256", b, sizeof(b)), STR_OR_NULL,
	                            &m->profile_sha256)) < 0)
		return rc;
	return 0;
}

static int parse_probe(struct swd_jsonfield *c, const json_t *o, struct swd_manifest *m)
{
	static const struct swd_jsonfield_key keys[] = {K("kind"), K("serial"), K("firmware"),
	                                               K("target_voltage"), {"vid_pid", false},
	                                               {NULL, false}};
	const json_t *v;
	char b[64];
	int rc;

	if ((rc = swd_jsonfield_object(c, "probe", o, keys)) < 0 ||
	    (rc = swd_jsonfield_str(c, b, at(o, "probe", "kind", b, sizeof(b)), STR_OR_NULL,
	                            &m->probe.kind)) < 0 ||
	    (rc = swd_jsonfield_str(c, b, at(o, "probe", "serial", b, sizeof(b)), STR_OR_NULL,
	                            &m->probe.serial)) < 0 ||
	    (rc = swd_jsonfield_str(c, b, at(o, "probe", "firmware", b, sizeof(b)), STR_OR_NULL,
	                            &m->probe.firmware)) < 0)
		return rc;
	if (json_object_get(o, "vid_pid") &&
	    (rc = swd_jsonfield_str(c, b, at(o, "probe", "vid_pid", b, sizeof(b)), STR_OR_NULL,
	                            &m->probe.vid_pid)) < 0)
		return rc;
	v = json_object_get(o, "target_voltage");
	if (json_is_null(v))
		m->probe.target_voltage = -1;
	else if (json_is_number(v) && json_number_value(v) >= 0)
		m->probe.target_voltage = json_number_value(v);
	else
		return swd_jsonfield_error(c, "probe.target_voltage", false,
		                           "'probe.target_voltage' must be a number of volts or null");
	return 0;
}

static int parse_device(struct swd_jsonfield *c, const json_t *o, struct swd_manifest *m)
{
	static const struct swd_jsonfield_key keys[] = {
		K("dp_idcode"), K("cpuid"), K("dbgmcu_idcode"), K("dev_id"), K("rev_id"),
		K("revision"), K("flash_size_kib"), K("unique_id"), {NULL, false}};
	char *uid = NULL;
	char b[64];
	unsigned unknown;
	uint32_t h;
	uint64_t u;
	int rc;

	/* identity registers that were not read are null; 0 is never a valid value for them */
	if ((rc = swd_jsonfield_object(c, "device", o, keys)) < 0 ||
	    (rc = swd_jsonfield_hex(c, b, at(o, "device", "dp_idcode", b, sizeof(b)), UINT32_MAX,
	                            SWD_JSONFIELD_NULL, &m->device.dp_idcode)) < 0 ||
	    (rc = swd_jsonfield_hex(c, b, at(o, "device", "cpuid", b, sizeof(b)), UINT32_MAX,
	                            SWD_JSONFIELD_NULL, &m->device.cpuid)) < 0 ||
	    (rc = swd_jsonfield_hex(c, b, at(o, "device", "dbgmcu_idcode", b, sizeof(b)),
	                            UINT32_MAX, SWD_JSONFIELD_NULL, &m->device.dbgmcu_idcode)) < 0)
		return rc;
	/* what a DFU backup could not read is null, as the identity register is */
	unknown = m->device.dbgmcu_idcode == 0 ? SWD_JSONFIELD_NULL : 0;
	if ((rc = swd_jsonfield_hex(c, b, at(o, "device", "dev_id", b, sizeof(b)), 0xFFF, unknown,
	                            &h)) < 0)
		return rc;
	m->device.dev_id = (uint16_t)h;
	if ((rc = swd_jsonfield_hex(c, b, at(o, "device", "rev_id", b, sizeof(b)), 0xFFFF, unknown,
	                            &h)) < 0)
		return rc;
	m->device.rev_id = (uint16_t)h;
	if ((rc = swd_jsonfield_str(c, b, at(o, "device", "revision", b, sizeof(b)), STR_OR_NULL,
	                            &m->device.revision)) < 0)
		return rc;
	u = 0;
	if ((!unknown || !json_is_null(json_object_get(o, "flash_size_kib"))) &&
	    (rc = swd_jsonfield_uint(c, b, at(o, "device", "flash_size_kib", b, sizeof(b)), 0,
	                             0xFFFF, &u)) < 0)
		return rc;
	m->device.flash_size_kib = (uint16_t)u;
	if ((rc = swd_jsonfield_str(c, b, at(o, "device", "unique_id", b, sizeof(b)),
	                            unknown ? STR_OR_NULL : STR, &uid)) < 0)
		return rc;
	if (uid == NULL)
		return 0;
	if (!is_hex_digest(uid, 24)) {
		free(uid);
		return swd_jsonfield_error(c, "device.unique_id", false,
		                           "'device.unique_id' must be 24 lowercase hex digits");
	}
	for (size_t i = 0; i < 12; i++) {
		char x[3] = {uid[2 * i], uid[2 * i + 1], 0};

		m->device.unique_id[i] = (uint8_t)strtoul(x, NULL, 16);
	}
	free(uid);
	return 0;
}

static int parse_protection(struct swd_jsonfield *c, const json_t *o, struct swd_manifest *m)
{
	static const struct swd_jsonfield_key keys[] = {K("rdp_level"), K("wrp"), K("wrp_unit"),
	                                               {NULL, false}};
	static const char *const units[] = {"sector", "page", NULL};
	const json_t *v, *arr;
	char b[64];
	size_t i;
	int rc, unit;

	if ((rc = swd_jsonfield_object(c, "protection", o, keys)) < 0)
		return rc;
	v = json_object_get(o, "rdp_level");
	if (json_is_null(v))
		m->protection.rdp_level = -1;
	else if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 2)
		m->protection.rdp_level = (int)json_integer_value(v);
	else
		return swd_jsonfield_error(c, "protection.rdp_level", false,
		                           "'protection.rdp_level' must be 0, 1, 2 or null");
	if ((rc = swd_jsonfield_enum(c, b, at(o, "protection", "wrp_unit", b, sizeof(b)), units,
	                             &unit)) < 0)
		return rc;
	m->protection.pages = unit == 1;
	arr = json_object_get(o, "wrp");
	if ((rc = swd_jsonfield_array(c, "protection.wrp", arr, false)) < 0)
		return rc;
	m->protection.wrp = calloc(json_array_size(arr) + 1, sizeof(unsigned));
	if (m->protection.wrp == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	json_array_foreach(arr, i, v) {
		uint64_t u;

		swd_jsonfield_item(b, sizeof(b), "protection.wrp", i);
		if ((rc = swd_jsonfield_uint(c, b, v, 0, 65535, &u)) < 0)
			return rc;
		m->protection.wrp[m->protection.nwrp++] = (unsigned)u;
	}
	return 0;
}

static int parse_region(struct swd_jsonfield *c, const char *rp, const json_t *v,
                        struct swd_manifest *m, size_t i)
{
	static const struct swd_jsonfield_key keys[] = {K("name"), K("file"), K("address"),
	                                               K("size"), K("sha256"), K("md5"), K("used"),
	                                               {NULL, false}};
	struct swd_manifest_region *r = &m->regions[i];
	char *sha = NULL, *md5 = NULL;
	char b[64];
	uint64_t u;
	int rc;

	rc = swd_jsonfield_object(c, rp, v, keys);
	if (rc == 0)
		rc = swd_jsonfield_str(c, b, at(v, rp, "name", b, sizeof(b)), STR, &r->name);
	if (rc == 0)
		rc = swd_jsonfield_str(c, b, at(v, rp, "file", b, sizeof(b)), STR, &r->file);
	if (rc == 0 && !swd_manifest_file_ok(r->file))
		rc = swd_jsonfield_error(c, b, false, "region file '%s' is not a plain file name",
		                         r->file);
	if (rc == 0)
		rc = swd_jsonfield_hex(c, b, at(v, rp, "address", b, sizeof(b)), UINT32_MAX, 0,
		                       &r->address);
	if (rc == 0 &&
	    (rc = swd_jsonfield_uint(c, b, at(v, rp, "size", b, sizeof(b)), 0, UINT32_MAX, &u)) == 0)
		r->size = (uint32_t)u;
	if (rc == 0 &&
	    (rc = swd_jsonfield_uint(c, b, at(v, rp, "used", b, sizeof(b)), 0, r->size, &u)) == 0)
		r->used = (uint32_t)u;
	if (rc == 0)
		rc = swd_jsonfield_str(c, b, at(v, rp, "sha256", b, sizeof(b)), STR, &sha);
	if (rc == 0 && !is_hex_digest(sha, 64))
		rc = swd_jsonfield_error(c, b, false, "'%s' must be 64 lowercase hex digits", b);
	if (rc == 0)
		rc = swd_jsonfield_str(c, b, at(v, rp, "md5", b, sizeof(b)), STR, &md5);
	if (rc == 0 && !is_hex_digest(md5, 32))
		rc = swd_jsonfield_error(c, b, false, "'%s' must be 32 lowercase hex digits", b);
	if (rc == 0) {
		memcpy(r->sha256, sha, 65);
		memcpy(r->md5, md5, 33);
	}
	for (size_t k = 0; rc == 0 && k < i; k++)
		if (strcmp(m->regions[k].name, r->name) == 0 || strcmp(m->regions[k].file, r->file) == 0)
			rc = swd_jsonfield_error(c, rp, false, "region '%s' is listed twice", r->name);
	free(sha);
	free(md5);
	return rc;
}

/* "touched" is optional: bundles whose backup changed no register have none. */
static int parse_touched(struct swd_jsonfield *c, const json_t *arr, struct swd_manifest *m)
{
	static const struct swd_jsonfield_key keys[] = {K("register"), K("before"), K("during"),
	                                               {NULL, false}};
	const json_t *v;
	size_t i;
	int rc;

	if (arr == NULL)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > 16)
		return swd_jsonfield_error(c, "touched", false,
		                           "'touched' must be an array of 1 to 16 registers");
	m->touched = calloc(json_array_size(arr), sizeof(*m->touched));
	if (m->touched == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	json_array_foreach(arr, i, v) {
		struct swd_manifest_touch *t = &m->touched[m->ntouched];
		char ip[32], b[64];

		swd_jsonfield_item(ip, sizeof(ip), "touched", i);
		if ((rc = swd_jsonfield_object(c, ip, v, keys)) < 0 ||
		    (rc = swd_jsonfield_hex(c, b, at(v, ip, "register", b, sizeof(b)), UINT32_MAX, 0,
		                            &t->address)) < 0 ||
		    (rc = swd_jsonfield_hex(c, b, at(v, ip, "before", b, sizeof(b)), UINT32_MAX, 0,
		                            &t->before)) < 0 ||
		    (rc = swd_jsonfield_hex(c, b, at(v, ip, "during", b, sizeof(b)), UINT32_MAX, 0,
		                            &t->during)) < 0)
			return rc;
		m->ntouched++;
	}
	return 0;
}

/* "map": {"unit", "regions": [{"kind", "address", "size"}]}, absent in older bundles; the
 * addresses are numbers in format 1. */
static int parse_map(struct swd_jsonfield *c, const json_t *o, struct swd_manifest *m)
{
	static const struct swd_jsonfield_key keys[] = {K("unit"), K("regions"), {NULL, false}};
	static const struct swd_jsonfield_key rkeys[] = {K("kind"), K("address"), K("size"), {NULL, false}};
	static const char *const units[] = {"page", "sector", "block", NULL};
	static const char *const kinds[] = {"code", "data", "erased", "untouched", NULL};
	const json_t *arr, *v;
	size_t i;
	int rc, u;

	if (o == NULL)
		return 0;
	arr = json_object_get(o, "regions");
	if ((rc = swd_jsonfield_object(c, "map", o, keys)) < 0 ||
	    (rc = swd_jsonfield_enum(c, "map.unit", json_object_get(o, "unit"), units, &u)) < 0 ||
	    (rc = swd_jsonfield_array(c, "map.regions", arr, true)) < 0)
		return rc;
	m->map = calloc(1, sizeof(*m->map));
	if (m->map != NULL)
		m->map->regions = calloc(json_array_size(arr), sizeof(*m->map->regions));
	if (m->map == NULL || m->map->regions == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	m->map->unit = units[u];
	json_array_foreach(arr, i, v) {
		struct swd_map_region *r = &m->map->regions[i];
		char ip[32], b[48];
		uint64_t a, n;
		uint32_t h;
		int k;

		swd_jsonfield_item(ip, sizeof(ip), "map.regions", i);
		if ((rc = swd_jsonfield_object(c, ip, v, rkeys)) < 0 ||
		    (rc = swd_jsonfield_enum(c, swd_jsonfield_member(b, sizeof(b), ip, "kind"),
		                             json_object_get(v, "kind"), kinds, &k)) < 0)
			return rc;
		swd_jsonfield_member(b, sizeof(b), ip, "address");
		rc = m->format == 1 ? swd_jsonfield_uint(c, b, json_object_get(v, "address"), 0, UINT32_MAX, &a)
		                    : swd_jsonfield_hex(c, b, json_object_get(v, "address"), UINT32_MAX, 0, &h);
		if (m->format != 1)
			a = h;
		if (rc < 0 ||
		    (rc = swd_jsonfield_uint(c, swd_jsonfield_member(b, sizeof(b), ip, "size"),
		                             json_object_get(v, "size"), 1, UINT32_MAX - a + 1, &n)) < 0)
			return rc;
		r->kind = (enum swd_region_kind)k;
		r->address = (uint32_t)a;
		r->size = (uint32_t)n;
		m->map->nregions = i + 1;
	}
	return 0;
}

/* "flash_sources": [{"address", "size", "obtained"}], absent when all of flash was read. */
static int parse_sources(struct swd_jsonfield *c, const json_t *arr, struct swd_manifest *m)
{
	static const struct swd_jsonfield_key keys[] = {K("address"), K("size"), K("obtained"),
	                                                {NULL, false}};
	const json_t *v;
	size_t i;
	int rc;

	if (arr == NULL)
		return 0;
	if ((rc = swd_jsonfield_array(c, "flash_sources", arr, true)) < 0)
		return rc;
	if (json_array_size(arr) > 4096)
		return swd_jsonfield_error(c, "flash_sources", false, "'flash_sources' names at most 4096 runs");
	m->flash_sources = calloc(json_array_size(arr), sizeof(*m->flash_sources));
	if (m->flash_sources == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	json_array_foreach(arr, i, v) {
		struct swd_manifest_source *t = &m->flash_sources[i];
		char ip[32], b[48];
		uint64_t size;
		int how;

		swd_jsonfield_item(ip, sizeof(ip), "flash_sources", i);
		if ((rc = swd_jsonfield_object(c, ip, v, keys)) < 0 ||
		    (rc = swd_jsonfield_hex(c, swd_jsonfield_member(b, sizeof(b), ip, "address"),
		                            json_object_get(v, "address"), UINT32_MAX, 0, &t->address)) < 0 ||
		    (rc = swd_jsonfield_uint(c, swd_jsonfield_member(b, sizeof(b), ip, "size"),
		                             json_object_get(v, "size"), 1, UINT32_MAX, &size)) < 0 ||
		    (rc = swd_jsonfield_enum(c, swd_jsonfield_member(b, sizeof(b), ip, "obtained"),
		                             json_object_get(v, "obtained"), source_names, &how)) < 0)
			return rc;
		t->size = (uint32_t)size;
		t->read = how == 0;
		m->nflash_sources = i + 1;
	}
	return 0;
}

static int parse_dfu(struct swd_jsonfield *c, const json_t *o, struct swd_manifest *m)
{
	static const struct swd_jsonfield_key keys[] = {K("part"), K("alt"), K("layouts"),
	                                               {NULL, false}};
	const json_t *arr, *v;
	char b[64];
	uint64_t u;
	size_t i;
	int rc;

	if (o == NULL)
		return 0;
	m->dfu.present = true;
	if ((rc = swd_jsonfield_object(c, "dfu", o, keys)) < 0 ||
	    (rc = swd_jsonfield_str(c, "dfu.part", json_object_get(o, "part"), SWD_JSONFIELD_NULL,
	                            &m->dfu.part)) < 0 ||
	    (rc = swd_jsonfield_uint(c, "dfu.alt", json_object_get(o, "alt"), 0, 255, &u)) < 0)
		return rc;
	m->dfu.alt = (unsigned)u;
	arr = json_object_get(o, "layouts");
	if ((rc = swd_jsonfield_array(c, "dfu.layouts", arr, false)) < 0)
		return rc;
	if ((m->dfu.layouts = calloc(json_array_size(arr) + 1, sizeof(char *))) == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	json_array_foreach(arr, i, v) {
		if ((rc = swd_jsonfield_str(c, swd_jsonfield_item(b, sizeof(b), "dfu.layouts", i), v, 0,
		                            &m->dfu.layouts[i])) < 0)
			return rc;
		m->dfu.nlayouts = i + 1;
	}
	return 0;
}

static int parse_root(struct swd_jsonfield *c, const json_t *root, struct swd_manifest *m)
{
	static const struct swd_jsonfield_key top[] = {
		K("format_version"), K("created"), K("tool"), K("openocd"), K("profile"),
		K("probe"), K("device"), K("protection"), K("regions"), {"touched", false}, {"map", false},
		{"flash_sources", false}, {"dfu", false}, {NULL, false}};
	const json_t *arr, *v;
	size_t i;
	int rc;

	if ((rc = swd_jsonfield_object(c, "", root, top)) < 0 ||
	    (rc = parse_touched(c, json_object_get(root, "touched"), m)) < 0 ||
	    (rc = parse_head(c, root, m)) < 0 ||
	    (rc = parse_probe(c, json_object_get(root, "probe"), m)) < 0 ||
	    (rc = parse_device(c, json_object_get(root, "device"), m)) < 0 ||
	    (rc = parse_protection(c, json_object_get(root, "protection"), m)) < 0 ||
	    (rc = parse_dfu(c, json_object_get(root, "dfu"), m)) < 0)
		return rc;
	arr = json_object_get(root, "regions");
	if ((rc = swd_jsonfield_array(c, "regions", arr, true)) < 0)
		return rc;
	m->regions = calloc(json_array_size(arr), sizeof(*m->regions));
	if (m->regions == NULL)
		return swd_error_set(c->err, SWD_ENOMEM, "out of memory");
	json_array_foreach(arr, i, v) {
		char rp[32];

		m->nregions = i + 1;
		swd_jsonfield_item(rp, sizeof(rp), "regions", i);
		if ((rc = parse_region(c, rp, v, m, i)) < 0)
			return rc;
	}
	if ((rc = parse_map(c, json_object_get(root, "map"), m)) < 0)
		return rc;
	return parse_sources(c, json_object_get(root, "flash_sources"), m);
}

int swd_manifest_parse(const char *text, size_t len, const char *origin,
                       struct swd_manifest *m, struct swd_error *err)
{
	struct swd_jsonfield c = {origin, "the manifest", SWD_EBUNDLE, err, {NULL, 0, 0}};
	json_t *root = NULL;
	int rc;

	memset(m, 0, sizeof(*m));
	if ((rc = swd_jsonfield_parse(&c, text, len, &root)) == 0)
		rc = parse_root(&c, root, m);
	json_decref(root);
	swd_jsonfield_release(&c);
	return rc;
}
