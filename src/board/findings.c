/* findings.c - evidence from profiles, findings into the report. */
#include "board/findings.h"

#include <string.h>

void board_evidence_from_profile(struct diag_evidence *ev, const struct swd_profile *p, bool strict)
{
	ev->strict = strict;
	if (!p)
		return;
	ev->profile_name = p->name;
	ev->profile_target_cfg = p->openocd.target;
	for (size_t i = 0; i < p->ids.ndp_idcodes && ev->n_expected_idcodes < DIAG_MAX_IDS; i++)
		ev->expected_idcodes[ev->n_expected_idcodes++] = p->ids.dp_idcodes[i];
	for (size_t i = 0; i < p->ids.nclone_dp_idcodes && ev->n_clone_idcodes < DIAG_MAX_IDS; i++)
		ev->clone_idcodes[ev->n_clone_idcodes++] = p->ids.clone_dp_idcodes[i];
	ev->expected_dev_ids[0] = p->ids.dev_id;
	ev->n_expected_dev_ids = 1;
	ev->expected_cpuid_partno = p->ids.cpuid_partno;
	ev->profile_flash_kib = p->flash.register_size / 1024;
	ev->profile_allows_under_reset = p->openocd.connect_under_reset;
}

json_t *board_finding_json(const struct diag_finding *f)
{
	json_t *o = json_object(), *ev = json_array();

	json_object_set_new(o, "id", json_string(diag_id_name(f->id)));
	json_object_set_new(o, "confidence", json_string(diag_confidence_name(f->confidence)));
	json_object_set_new(o, "cause", f->cause ? json_string(f->cause) : json_null());
	json_object_set_new(o, "fix", f->fix ? json_string(f->fix) : json_null());
	json_object_set_new(o, "detail", f->detail ? json_string(f->detail) : json_null());
	for (size_t i = 0; i < f->n_evidence; i++)
		json_array_append_new(ev, json_string(f->evidence[i]));
	json_object_set_new(o, "evidence", ev);
	if (f->source && *f->source)
		json_object_set_new(o, "source", json_string(f->source));
	return o;
}

static bool has_id(json_t *arr, const char *name)
{
	size_t i;
	json_t *x;

	json_array_foreach(arr, i, x)
		if (strcmp(json_string_value(json_object_get(x, "id")) ?: "", name) == 0)
			return true;
	return false;
}

void board_findings_append(json_t *arr, const struct diag_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		if (!has_id(arr, diag_id_name(r->findings[i].id)))
			json_array_append_new(arr, board_finding_json(&r->findings[i]));
}

void board_findings_append_known(json_t *arr, const struct diag_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		if (r->findings[i].id != DIAG_UNKNOWN && !has_id(arr, diag_id_name(r->findings[i].id)))
			json_array_append_new(arr, board_finding_json(&r->findings[i]));
}

void board_findings_append_id(json_t *arr, enum diag_id id, const char *confidence,
			    const char *cause, const char *fix, const char *detail)
{
	json_t *o;

	if (has_id(arr, diag_id_name(id)))
		return;
	o = json_object();
	json_object_set_new(o, "id", json_string(diag_id_name(id)));
	json_object_set_new(o, "confidence", json_string(confidence));
	json_object_set_new(o, "cause", json_string(cause));
	json_object_set_new(o, "fix", fix ? json_string(fix) : json_null());
	json_object_set_new(o, "detail", detail ? json_string(detail) : json_null());
	json_object_set_new(o, "evidence", json_array());
	json_array_append_new(arr, o);
}
