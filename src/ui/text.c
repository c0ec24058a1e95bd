/* text.c - the text view of a result document. One renderer per part of the document, in
 * a fixed order, so every command shows the same thing the same way. */
#include "ui/ui.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A count, or an address ("0x08000000", as every document writes one). */
static json_int_t num(json_t *o, const char *key, json_int_t dflt)
{
	json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		return (json_int_t)strtoull(json_string_value(v), NULL, 16);
	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

static void render_probe(FILE *f, json_t *p)
{
	json_t *v;

	if (!json_is_object(p))
		return;
	fprintf(f, "probe:        %s", str(p, "kind") ? str(p, "kind") : "?");
	if (str(p, "serial"))
		fprintf(f, ", serial %s", str(p, "serial"));
	if (str(p, "firmware"))
		fprintf(f, ", firmware %s", str(p, "firmware"));
	fputc('\n', f);
	v = json_object_get(p, "target_voltage");
	if (json_is_number(v))
		fprintf(f, "target:       %.2f V\n", json_number_value(v));
}

static void render_device(FILE *f, json_t *d)
{
	char a[32], b[32];

	if (!json_is_object(d))
		return;
	fprintf(f, "device:       dev id %s", str(d, "dev_id") ? str(d, "dev_id") : "?");
	if (str(d, "revision"))
		fprintf(f, " rev %s", str(d, "revision"));
	if (str(d, "rev_id"))
		fprintf(f, " (%s)", str(d, "rev_id"));
	if (str(d, "dp_idcode")) {
		fprintf(f, ", dp idcode %s", str(d, "dp_idcode"));
		if (json_is_true(json_object_get(d, "clone")))
			fputs(" (clone)", f);
	}
	if (str(d, "cpuid"))
		fprintf(f, ", cpuid %s", str(d, "cpuid"));
	fputc('\n', f);
	if (str(d, "unique_id"))
		fprintf(f, "unique id:    %s\n", str(d, "unique_id"));
	if (json_is_integer(json_object_get(d, "flash_size_kib"))) {
		json_int_t reg = num(d, "flash_size_kib", -1), prof = num(d, "profile_flash_size_kib", -1);

		fprintf(f, "flash size:   %s KiB (register)", swd_format_count((uint64_t)reg, a, sizeof(a)));
		if (prof >= 0)
			fprintf(f, ", profile %s KiB%s", swd_format_count((uint64_t)prof, b, sizeof(b)),
				reg == prof ? "" : " (differs)");
		fputc('\n', f);
	}
}

static void render_protection(FILE *f, json_t *p)
{
	json_t *wrp, *v;
	size_t i;

	if (!json_is_object(p))
		return;
	v = json_object_get(p, "rdp_level");
	if (json_is_integer(v))
		fprintf(f, "readout:      RDP level %" JSON_INTEGER_FORMAT "%s\n", json_integer_value(v),
			json_integer_value(v) ? " (flash cannot be read by a debugger)" : " (not protected)");
	wrp = json_object_get(p, "wrp");
	if (json_is_array(wrp)) {
		if (json_array_size(wrp) == 0) {
			fputs("write:        not protected\n", f);
		} else {
			fprintf(f, "write:        %ss protected:", str(p, "wrp_unit") ? str(p, "wrp_unit") : "sector");
			json_array_foreach(wrp, i, v)
				fprintf(f, " %" JSON_INTEGER_FORMAT, json_integer_value(v));
			fputc('\n', f);
		}
	}
}

static void render_regions(FILE *f, json_t *regions)
{
	char s[32], u[32];
	size_t i;
	json_t *r;

	if (!json_is_array(regions))
		return;
	json_array_foreach(regions, i, r) {
		fprintf(f, "%-13s %s bytes at 0x%08" PRIx64 ", used %s bytes\n",
			str(r, "name") ? str(r, "name") : "?",
			swd_format_count((uint64_t)num(r, "size", 0), s, sizeof(s)),
			(uint64_t)num(r, "address", 0),
			swd_format_count((uint64_t)num(r, "used", 0), u, sizeof(u)));
		if (str(r, "sha256"))
			fprintf(f, "  sha256      %s\n  md5         %s\n", str(r, "sha256"),
				str(r, "md5") ? str(r, "md5") : "?");
	}
}

static void render_side(FILE *f, const char *label, json_t *s)
{
	char n[32];

	if (!json_is_object(s))
		return;
	fprintf(f, "%-13s %s bytes\n  sha256      %s\n  md5         %s\n", label,
		swd_format_count((uint64_t)num(s, "bytes", 0), n, sizeof(n)),
		str(s, "sha256") ? str(s, "sha256") : "?", str(s, "md5") ? str(s, "md5") : "?");
}

static void render_checks(FILE *f, json_t *checks)
{
	size_t i;
	json_t *c;

	if (!json_is_array(checks))
		return;
	json_array_foreach(checks, i, c)
		fprintf(f, "[%-4s] %-26s %s\n", str(c, "result") ? str(c, "result") : "?",
			str(c, "step") ? str(c, "step") : "?", str(c, "detail") ? str(c, "detail") : "");
}

static void render_profiles(FILE *f, json_t *list)
{
	size_t i;
	json_t *p;

	if (!json_is_array(list))
		return;
	json_array_foreach(list, i, p) {
		if (str(p, "error"))
			fprintf(f, "%-14s INVALID: %s\n", str(p, "name"), str(p, "error"));
		else
			fprintf(f, "%-14s %s%s\n", str(p, "name"), str(p, "description") ? str(p, "description") : "",
				json_is_true(json_object_get(p, "shadowed")) ? " (shadowed)" : "");
		fprintf(f, "%-14s %s\n", "", str(p, "path") ? str(p, "path") : "");
	}
}

static void render_findings(FILE *f, json_t *findings)
{
	size_t i, j;
	json_t *x, *e;

	if (!json_is_array(findings) || json_array_size(findings) == 0)
		return;
	fputs("\nfindings:\n", f);
	json_array_foreach(findings, i, x) {
		fprintf(f, "  %s (%s confidence)\n", str(x, "id") ? str(x, "id") : "unknown",
			str(x, "confidence") ? str(x, "confidence") : "?");
		if (str(x, "cause"))
			fprintf(f, "    cause: %s\n", str(x, "cause"));
		if (str(x, "detail"))
			fprintf(f, "    facts: %s\n", str(x, "detail"));
		if (str(x, "fix")) {
			/* fixes may be several lines (exact steps); indent each */
			const char *s = str(x, "fix");

			fputs("    fix:   ", f);
			for (; *s; s++) {
				fputc(*s, f);
				if (*s == '\n' && s[1])
					fputs("           ", f);
			}
			if (s[-1] != '\n')
				fputc('\n', f);
		}
		json_array_foreach(json_object_get(x, "evidence"), j, e)
			if (json_is_string(e))
				fprintf(f, "    saw:   %s\n", json_string_value(e));
	}
}

void ui_render_text(FILE *f, json_t *doc)
{
	json_t *v, *notes;
	size_t i;

	if (str(doc, "profile_text")) {
		/* `profiles show` prints the file itself, as it is */
		fputs(str(doc, "profile_text"), f);
		return;
	}
	render_profiles(f, json_object_get(doc, "profiles"));
	render_checks(f, json_object_get(doc, "checks"));
	render_probe(f, json_object_get(doc, "probe"));
	render_device(f, json_object_get(doc, "device"));
	render_protection(f, json_object_get(doc, "protection"));
	if (json_is_integer(v = json_object_get(doc, "used_extent")) && json_integer_value(v) == 0) {
		fputs("firmware ends: flash is erased (nothing programmed)\n", f);
	} else if (json_is_integer(v)) {
		char a[32];

		fprintf(f, "firmware ends: 0x%08" PRIx64 " (%s bytes used of flash)\n",
			(uint64_t)num(doc, "flash_base", 0) + (uint64_t)json_integer_value(v),
			swd_format_count((uint64_t)json_integer_value(v), a, sizeof(a)));
	}
	render_regions(f, json_object_get(doc, "regions"));
	if (json_is_object(json_object_get(doc, "map"))) {
		struct ui_map_style st;

		ui_map_style_for(f, &st);
		ui_render_map(f, json_object_get(doc, "map"), &st);
	}
	if (str(doc, "safety_backup"))
		fprintf(f, "safety backup: %s\n", str(doc, "safety_backup"));
	render_side(f, "image", json_object_get(doc, "image"));
	render_side(f, "device", json_object_get(doc, "device_digest"));
	if (str(doc, "summary"))
		fprintf(f, "%s\n", str(doc, "summary"));
	notes = json_object_get(doc, "notes");
	json_array_foreach(notes, i, v)
		if (json_is_string(v))
			fprintf(f, "note: %s\n", json_string_value(v));
	if (str(doc, "bundle"))
		fprintf(f, "bundle:       %s\n", str(doc, "bundle"));
	render_findings(f, json_object_get(doc, "findings"));
}
