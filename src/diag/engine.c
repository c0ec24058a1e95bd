/* diag: the engine. Derives facts from the log, runs the rule table, merges and ranks
 * the findings. No I/O: the cli renders the report. */
#include <ctype.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag/paste.h"
#include "diag/rules.h"
#include "ocd/ocdlog.h"

#define MAX_EVIDENCE 12

/* The log as the rules see it: the complete lines plus an unterminated last line. With
 * -d3 and above OpenOCD puts "<ms> <n> file.c:line func(): " after the level; the rules
 * match the line without it (norm), the evidence shows it as printed (v). */
struct lines {
	const char *const *v;
	size_t n;
	const char *partial;
	char **norm; /* per line: the line without the debug prefix, or NULL when it has none */
};

static size_t lines_count(const struct lines *l)
{
	return l->n + (l->partial ? 1 : 0);
}

/* The line as printed. */
static const char *lines_orig(const struct lines *l, size_t i)
{
	return i < l->n ? l->v[i] : l->partial;
}

/* The line the rules match. */
static const char *lines_at(const struct lines *l, size_t i)
{
	if (l->norm && l->norm[i])
		return l->norm[i];
	return lines_orig(l, i);
}

static void lines_of(struct lines *l, const struct diag_evidence *ev)
{
	l->v = (const char *const *)ev->log_lines;
	l->n = ev->n_log_lines;
	l->partial = ev->partial_len ? ev->partial : NULL;
	l->norm = NULL;
}

/* "Error: 120 8 stlink_usb.c:3374 stlink_usb_usb_open(): open failed" ->
 * "Error: open failed", as the same message reads at the default level. Returns: new
 * string, or NULL when the line has no such prefix (or out of memory: the line is then
 * matched as printed). */
static char *strip_debug_prefix(const regex_t *re, const char *line)
{
	regmatch_t m[2];
	if (regexec(re, line, 2, m, 0) != 0)
		return NULL;
	const char *level = line + m[1].rm_so;
	int level_len = (int)(m[1].rm_eo - m[1].rm_so);
	const char *rest = line + m[0].rm_eo;
	/* LOG_USER lines carry no level at the default debug level. */
	const char *lead = strncmp(level, "User", 4) == 0 ? ""
	                   : strncmp(level, "Warn", 4) == 0 ? "Warn : "
	                   : strncmp(level, "Info", 4) == 0 ? "Info : "
	                   : NULL;
	size_t n = (lead ? strlen(lead) : (size_t)level_len + 2) + strlen(rest) + 1;
	char *out = malloc(n);
	if (!out)
		return NULL;
	if (lead)
		snprintf(out, n, "%s%s", lead, rest);
	else
		snprintf(out, n, "%.*s: %s", level_len, level, rest);
	return out;
}

static void lines_normalize(struct lines *l)
{
	regex_t re;
	if (regcomp(&re, "^(Error|Warn|Info|User|Debug) *: [0-9]+ [0-9]+ [^ ]+:[0-9]+ [^ ]+\\(\\): ?",
	            REG_EXTENDED) != 0)
		return;
	size_t n = lines_count(l);
	l->norm = n ? calloc(n, sizeof(char *)) : NULL;
	for (size_t i = 0; l->norm && i < n; i++)
		l->norm[i] = strip_debug_prefix(&re, lines_orig(l, i));
	regfree(&re);
}

static void lines_release(struct lines *l)
{
	if (!l->norm)
		return;
	for (size_t i = 0; i < lines_count(l); i++)
		free(l->norm[i]);
	free(l->norm);
	l->norm = NULL;
}

/* --- facts from the log ------------------------------------------------------------- */

unsigned diag_stm32_series(const char *code)
{
	static const char *const series[] = { "f0", "f1", "f2", "f3", "f4", "f7", "g0", "g4", "h7",
		                              "l0", "l1", "l4", "l5", "u5", "wb", "wl", "c0", "h5" };
	for (size_t i = 0; i < sizeof(series) / sizeof(series[0]); i++)
		if (strncasecmp(code, series[i], 2) == 0)
			/* the F2 and F4 share a flash driver and a target script's reading */
			return i == 2 || i == 4 ? (1u << 2 | 1u << 4) : 1u << i;
	return 0;
}

/* The STM32 series a target name or config script on LINE names: "stm32f3x.cpu",
 * "target/stm32l0.cfg", "[stm32h7x.cpu0]", CubeIDE's "STM32F103C8Tx.cpu". A flash driver's
 * name alone ("stm32f1x" drives F0, F1 and F3) does not count: only a name followed by the
 * target's or the script's suffix does. */
static unsigned line_stm32_series(const char *line)
{
	unsigned bits = 0;
	for (const char *p = strcasestr(line, "stm32"); p; p = strcasestr(p + 5, "stm32")) {
		const char *w = p + 5;
		size_t n = 0;
		while (isalnum((unsigned char)w[n]))
			n++;
		if (n < 2 || w[n] != '.')
			continue;
		const char *sfx = w + n + 1;
		if (strncasecmp(sfx, "cpu", 3) != 0 && strncasecmp(sfx, "cfg", 3) != 0 &&
		    strncasecmp(sfx, "tap", 3) != 0 && strncasecmp(sfx, "dap", 3) != 0)
			continue;
		if (isdigit((unsigned char)w[1]) || strncasecmp(w, "wb", 2) == 0 ||
		    strncasecmp(w, "wl", 2) == 0)
			bits |= diag_stm32_series(w);
	}
	return bits;
}

/* stm32f1x.c's options_read prints the option byte register before its verdict: 0.11+
 * 'option byte register = 0x%x', 0.9-0.10 'Option Byte: 0x%x'. Bit 1 (OPT_READOUT, RM0008
 * FLASH_OBR RDPRT; F0/F3 RDPRT[2:1], set at level 1 and 2) is the readout protection the
 * next line words: 1 set, 0 clear, -1 for a line that is not one. */
static int f1_obr_readout(const char *line)
{
	static const char *const heads[] = { "option byte register = 0x", "Option Byte: 0x" };
	for (size_t k = 0; k < sizeof(heads) / sizeof(heads[0]); k++) {
		const char *p = strstr(line, heads[k]);
		char *end;
		if (!p)
			continue;
		p += strlen(heads[k]);
		unsigned long v = strtoul(p, &end, 16);
		if (end != p)
			return (int)((v >> 1) & 1);
	}
	return -1;
}

static void derive_line(struct diag_ctx *c, const char *line, bool *saw_voltage)
{
	uint32_t v;
	char word[64];
	double volts;
	int rdp;

	if (c->ver_major < 0 && ocdlog_version(line, word, sizeof(word))) {
		int ma, mi;
		if (sscanf(word, "%d.%d", &ma, &mi) == 2) {
			c->ver_major = ma;
			c->ver_minor = mi;
		}
	}
	if (ocdlog_voltage(line, &volts)) {
		c->voltage = volts;
		*saw_voltage = true;
	}
	/* The first IDCODE seen is the debug port's: JTAG chains list the boundary-scan TAP
	 * after it, and retries repeat it. */
	if (!c->has_dp_idcode && ocdlog_dp_idcode(line, &v)) {
		c->has_dp_idcode = true;
		c->dp_idcode = v;
	}
	if (!c->has_log_expected_idcode && ocdlog_expected_idcode(line, &v)) {
		c->has_log_expected_idcode = true;
		c->log_expected_idcode = v;
	}
	if (ocdlog_device_id(line, &v)) {
		c->has_dev_id = true;
		c->dev_id = v;
	}
	/* After "flash size failed, probe inaccurate" the size printed is OpenOCD's guess (the
	 * family's maximum), not the register. */
	if (!c->flash_size_failed && ocdlog_flash_kib(line, &v)) {
		c->has_flash_kib = true;
		c->flash_kib = v;
	}
	if (ocdlog_flash_size_guessed(line))
		c->flash_size_failed = true;
	if (ocdlog_cpu(line, word, sizeof(word)) && (v = ocdlog_cpu_partno(word)) != 0) {
		c->has_cpu_partno = true;
		c->cpu_partno = v;
	}
	/* Option bytes as OpenOCD prints them. */
	rdp = ocdlog_read_protection(line);
	if (rdp < 0)
		rdp = f1_obr_readout(line);
	if (rdp == 1)
		c->rdp_level = c->rdp_level > 1 ? c->rdp_level : 1;
	else if (rdp == 0 && c->rdp_level < 0)
		c->rdp_level = 0;
	if (ocdlog_wrp_register(line, &v))
		c->wrp = v == 0xffffffffu ? DIAG_TRI_NO : DIAG_TRI_YES;

	if (!c->firmware[0])
		ocdlog_stlink_firmware(line, c->firmware, sizeof(c->firmware));
	c->cfg_series |= line_stm32_series(line);
	if (c->family == DIAG_FAM_UNKNOWN) {
		if (strcasestr(line, "stm32f1x"))
			c->family = DIAG_FAM_F1;
		else if (strcasestr(line, "stm32f2x") || strcasestr(line, "stm32f4x"))
			c->family = DIAG_FAM_F2F4;
	}
	if (c->probe == DIAG_PROBE_UNKNOWN) {
		if (strcasestr(line, "stlink-server") || strcasestr(line, "stlink_backend tcp"))
			c->probe = DIAG_PROBE_SIM;
		else if (strcasestr(line, "STLINK") || strcasestr(line, "ST-LINK") ||
		         strcasestr(line, "hla_swd"))
			c->probe = DIAG_PROBE_STLINK;
		else if (strcasestr(line, "CMSIS-DAP"))
			c->probe = DIAG_PROBE_CMSIS_DAP;
		else if (strcasestr(line, "J-Link") || strcasestr(line, "jaylink"))
			c->probe = DIAG_PROBE_JLINK;
	}
}

void diag_ctx_derive(struct diag_ctx *c, const struct diag_evidence *ev)
{
	memset(c, 0, sizeof(*c));
	c->ev = ev;
	c->voltage = -1.0;
	c->ver_major = c->ver_minor = -1;
	c->rdp_level = -1;

	struct lines l;
	lines_of(&l, ev);
	bool saw_voltage = false;
	for (size_t i = 0; i < lines_count(&l); i++)
		derive_line(c, lines_at(&l, i), &saw_voltage);

	/* What the caller knows wins over what the log suggests. */
	if (ev->target_voltage >= 0.0)
		c->voltage = ev->target_voltage;
	if (ev->openocd_version) {
		int ma, mi;
		if (sscanf(ev->openocd_version, "%d.%d", &ma, &mi) == 2) {
			c->ver_major = ma;
			c->ver_minor = mi;
		}
	}
	if (ev->has_dp_idcode) {
		c->has_dp_idcode = true;
		c->dp_idcode = ev->dp_idcode;
	}
	if (ev->has_dev_id) {
		c->has_dev_id = true;
		c->dev_id = ev->dev_id;
	}
	if (ev->has_cpuid) {
		c->has_cpu_partno = true;
		c->cpu_partno = (ev->cpuid >> 4) & 0xfff;
	}
	if (ev->has_flash_size_reg) {
		c->has_flash_kib = true;
		c->flash_kib = ev->flash_size_reg_kib;
	}
	if (ev->rdp_level >= 0)
		c->rdp_level = ev->rdp_level;
	if (ev->wrp_active != DIAG_TRI_UNKNOWN)
		c->wrp = ev->wrp_active;
	if (ev->probe_kind != DIAG_PROBE_UNKNOWN)
		c->probe = ev->probe_kind;
	if (ev->probe_firmware)
		snprintf(c->firmware, sizeof(c->firmware), "%s", ev->probe_firmware);
	if (ev->profile_target_cfg) {
		if (strstr(ev->profile_target_cfg, "stm32f1x"))
			c->family = DIAG_FAM_F1;
		else if (strstr(ev->profile_target_cfg, "stm32f2x") ||
		         strstr(ev->profile_target_cfg, "stm32f4x"))
			c->family = DIAG_FAM_F2F4;
	}
}

/* --- running the rules -------------------------------------------------------------- */

struct compiled {
	regex_t re;
	bool ok;
};

/* One candidate finding while the rules run. */
struct cand {
	enum diag_id id;
	int confidence;
	int priority;
	const struct diag_rule *rule; /* the rule that gave the best confidence */
	char detail[256];
	size_t ev_lines[MAX_EVIDENCE];
	size_t n_ev;
	/* The line the rule's own evidence first matched (NO_LINE: none), shown first: the
	 * first match of its "any" list, else of its first "all" pattern, else of the first
	 * "show" pattern that matched. Context lines (a target name, a progress bar, a cascade
	 * another rule of the same id showed) come after it in log order. */
	size_t decisive;
};

#define NO_LINE ((size_t)-1)

static bool match_line(const char *pattern, const char *line, struct compiled *cache)
{
	if (!cache->ok) {
		if (regcomp(&cache->re, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0)
			return false;
		cache->ok = true;
	}
	return regexec(&cache->re, line, 0, NULL, 0) == 0;
}

/* Patterns are compiled lazily, each at most once per run. */
struct regcache {
	struct compiled *slots; /* diag_n_rules * 4 * DIAG_RULE_MAX_PATTERNS */
};

static struct compiled *slot(struct regcache *rc, size_t rule, int group, size_t k)
{
	return &rc->slots[(rule * 4 + (size_t)group) * DIAG_RULE_MAX_PATTERNS + k];
}

/* Keeps at most MAX_EVIDENCE distinct lines: a message repeated by polling or retries
 * takes one place, so the other lines behind the finding still show. */
static void add_ev_line(struct cand *c, const struct lines *l, size_t line)
{
	const char *text = lines_orig(l, line);
	for (size_t i = 0; i < c->n_ev; i++)
		if (c->ev_lines[i] == line || strcmp(lines_orig(l, c->ev_lines[i]), text) == 0)
			return;
	if (c->n_ev < MAX_EVIDENCE)
		c->ev_lines[c->n_ev++] = line;
}

/* Returns true when rule R fits; fills HIT's evidence lines from the log. */
static bool eval_rule(struct regcache *rc, size_t ri, const struct lines *l, struct diag_ctx *ctx,
                      struct cand *hit)
{
	const struct diag_rule *r = &diag_rules[ri];
	size_t nl = lines_count(l);

	hit->n_ev = 0;
	ctx->detail[0] = '\0';

	hit->decisive = NO_LINE;
	bool any_listed = r->any[0] != NULL;
	bool any_hit = false;
	for (size_t k = 0; k < DIAG_RULE_MAX_PATTERNS && r->any[k]; k++) {
		for (size_t i = 0; i < nl; i++) {
			if (match_line(r->any[k], lines_at(l, i), slot(rc, ri, 0, k))) {
				any_hit = true;
				add_ev_line(hit, l, i);
				if (i < hit->decisive)
					hit->decisive = i; /* the alternatives are equal: the first one */
			}
		}
	}
	if (any_listed && !any_hit)
		return false;
	for (size_t k = 0; k < DIAG_RULE_MAX_PATTERNS && r->all[k]; k++) {
		bool found = false;
		for (size_t i = 0; i < nl; i++) {
			if (match_line(r->all[k], lines_at(l, i), slot(rc, ri, 1, k))) {
				if (!found && k == 0 && !any_listed)
					hit->decisive = i;
				found = true;
				add_ev_line(hit, l, i);
			}
		}
		if (!found)
			return false;
	}
	for (size_t k = 0; k < DIAG_RULE_MAX_PATTERNS && r->none[k]; k++)
		for (size_t i = 0; i < nl; i++)
			if (match_line(r->none[k], lines_at(l, i), slot(rc, ri, 2, k)))
				return false;

	int conf = (int)r->confidence;
	if (r->check) {
		conf = r->check(ctx);
		if (conf <= 0)
			return false;
	} else if (!any_listed && !r->all[0]) {
		return false; /* a rule with neither patterns nor check never fits */
	}
	/* A rule decided by its check shows the facts it read: its first listed show pattern
	 * that matched names the line that carries them. */
	for (size_t k = 0; k < DIAG_RULE_MAX_PATTERNS && r->show[k]; k++)
		for (size_t i = 0; i < nl; i++)
			if (match_line(r->show[k], lines_at(l, i), slot(rc, ri, 3, k))) {
				if (hit->decisive == NO_LINE)
					hit->decisive = i;
				add_ev_line(hit, l, i);
			}
	hit->id = r->id;
	hit->confidence = conf;
	hit->priority = r->priority;
	hit->rule = r;
	snprintf(hit->detail, sizeof(hit->detail), "%s", ctx->detail);
	return true;
}

static int cmp_line_idx(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->confidence != y->confidence)
		return y->confidence - x->confidence;
	if (x->priority != y->priority)
		return y->priority - x->priority;
	return (int)x->id - (int)y->id;
}

/* Lines that only wrap a failure printed elsewhere: OpenOCD's Tcl traceback ("in procedure
 * 'program_error' called at file ...") and the build tool's summary of the failed step
 * ("*** [upload] Error 1", "make: *** [flash] Error 1", PlatformIO's "==== [FAILED]"). */
bool diag_wraps_failure(const char *line)
{
	while (*line == ' ' || *line == '\t')
		line++;
	if (strncmp(line, "in procedure ", 13) == 0 || strncmp(line, "at file ", 8) == 0 ||
	    strncmp(line, "*** [", 5) == 0)
		return true;
	/* startup.tcl's 'program' says so after whatever failed (program_error) */
	if (strstr(line, "** Programming Failed **"))
		return true;
	if (strncmp(line, "make", 4) == 0) {
		const char *p = line + 4;
		if (*p == '[' && (p = strchr(p, ']')))
			p++;
		return p && strncmp(p, ": ***", 5) == 0;
	}
	return line[0] == '=' && strstr(line, "[FAILED]");
}

/* The lines a person would look at first when nothing explains them: 2 for an error,
 * 1 for a warning only (a DEPRECATED notice is not why a run failed), 0 for neither. */
static int error_weight(const char *line)
{
	/* Debug output (-d3) is full of "failed" that means nothing to the user. */
	if (strncmp(line, "Debug:", 6) == 0)
		return 0;
	if (diag_wraps_failure(line))
		return 1; /* shown, like a warning, only when no line says what failed */
	static const char *const words[] = { "error", "fail", "invalid", "cannot", "can't",
		                             "unable", "not found", "timed out", "unexpected" };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasestr(line, words[i]))
			return 2;
	/* dfu-util says every refusal and warning through err()/errx()/warnx(), which put its
	 * name first ("dfu-util: More than one DFU capable USB device found! ..."): a line it
	 * raised, even in words none of the above are in. */
	if (strncmp(line, "dfu-util: ", 10) == 0)
		return 1;
	return strcasestr(line, "warn") ? 1 : 0;
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

/* Moves the lines that only wrap a failure (a build tool's summary, a Tcl traceback) after
 * the others, in order: the first line shown is the one that decided, and a summary decides
 * only when the finding has no other line. */
static void wrappers_last(size_t *idx, size_t n, const struct lines *l)
{
	size_t tmp[MAX_EVIDENCE], w = 0;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++)
			if (diag_wraps_failure(lines_at(l, idx[i])) == (pass == 1))
				tmp[w++] = idx[i];
	memcpy(idx, tmp, n * sizeof(*idx));
}

static int fill_finding(struct diag_finding *f, const struct cand *c, const struct lines *l)
{
	const struct diag_rule *r = c->rule;
	f->id = c->id;
	f->confidence = (enum diag_confidence)c->confidence;
	f->cause = r ? r->cause : "";
	f->fix = r ? r->fix : "";
	f->source = r ? r->source : "";
	f->rule = r ? r->name : "unknown";
	f->detail = NULL;
	f->evidence = NULL;
	f->n_evidence = 0;
	if (c->detail[0] && !(f->detail = dup_str(c->detail)))
		return -1;
	if (c->n_ev) {
		f->evidence = calloc(c->n_ev, sizeof(char *));
		if (!f->evidence)
			return -1;
		size_t idx[MAX_EVIDENCE];
		memcpy(idx, c->ev_lines, c->n_ev * sizeof(size_t));
		qsort(idx, c->n_ev, sizeof(size_t), cmp_line_idx);
		wrappers_last(idx, c->n_ev, l);
		/* the deciding line first, the others in log order */
		for (size_t i = 0; c->decisive != NO_LINE && i < c->n_ev; i++) {
			/* a repeated line is kept once, at its first place */
			if (idx[i] != c->decisive &&
			    strcmp(lines_orig(l, idx[i]), lines_orig(l, c->decisive)) != 0)
				continue;
			size_t first = idx[i];
			memmove(idx + 1, idx, i * sizeof(size_t));
			idx[0] = first;
			break;
		}
		for (size_t i = 0; i < c->n_ev; i++) {
			/* A line repeated by retries or polling is shown once. */
			const char *text = lines_orig(l, idx[i]);
			bool seen = false;
			for (size_t k = 0; k < f->n_evidence && !seen; k++)
				seen = strcmp(f->evidence[k], text) == 0;
			if (seen)
				continue;
			if (!(f->evidence[f->n_evidence] = dup_str(text)))
				return -1;
			f->n_evidence++;
		}
	}
	return 0;
}

static const struct diag_rule unknown_rule = {
	.id = DIAG_UNKNOWN,
	.name = "unknown",
	.confidence = DIAG_CONF_LOW,
	.cause = "no known cause fits what OpenOCD printed; the error lines it gave are shown below",
	.fix = "rerun with -v to see OpenOCD's full log, check the wiring (SWDIO, SWCLK, GND, "
	       "NRST) and the target's power, then run 'swdbackup diagnose' with the same "
	       "--profile and --probe; if it still fails, report the log",
	.source = "",
};

/* The same through a DFU bootloader, where the log is dfu-util's and there is no wiring. */
static const struct diag_rule unknown_dfu_rule = {
	.id = DIAG_UNKNOWN,
	.name = "unknown",
	.confidence = DIAG_CONF_LOW,
	.cause = "no known cause fits what dfu-util printed; the error lines it gave are shown below",
	.fix = "rerun with -v to see dfu-util's full output, check the USB cable and that the "
	       "board is in its bootloader ('dfu-util -l' lists it), then run 'swdbackup "
	       "diagnose' with the same --profile and --probe; if it still fails, report the log",
	.source = "",
};

static bool rescued(const struct diag_evidence *ev)
{
	if (ev->n_attempts < 2 || ev->attempts[ev->n_attempts - 1].outcome != DIAG_OUT_OK)
		return false;
	for (size_t i = 0; i + 1 < ev->n_attempts; i++)
		if (ev->attempts[i].outcome != DIAG_OUT_OK)
			return true;
	return false;
}

/* Every rule that fires, one candidate per id: the best rule's confidence and cause,
 * everyone's lines. Returns the number of candidates in cands. */
static size_t collect_cands(struct regcache *rc, const struct lines *l,
                            struct diag_ctx *ctx, struct cand *cands, bool *fired)
{
	size_t nc = 0;

	for (size_t ri = 0; ri < diag_n_rules; ri++) {
		struct cand hit = { 0 };
		if (!eval_rule(rc, ri, l, ctx, &hit))
			continue;
		if (fired)
			fired[ri] = true;
		struct cand *same = NULL;
		for (size_t i = 0; i < nc; i++)
			if (cands[i].id == hit.id)
				same = &cands[i];
		if (!same) {
			cands[nc++] = hit;
			continue;
		}
		if (hit.confidence > same->confidence ||
		    (hit.confidence == same->confidence && hit.priority > same->priority)) {
			struct cand old = *same;
			*same = hit;
			for (size_t i = 0; i < old.n_ev; i++)
				add_ev_line(same, l, old.ev_lines[i]);
		} else {
			for (size_t i = 0; i < hit.n_ev; i++)
				add_ev_line(same, l, hit.ev_lines[i]);
			if (same->decisive == NO_LINE)
				same->decisive = hit.decisive;
		}
	}
	return nc;
}

/* A more specific explanation pushes a generic one below it. */
static void apply_yields(struct cand *cands, size_t nc)
{
	for (size_t i = 0; i < nc; i++) {
		const struct diag_rule *r = cands[i].rule;
		for (size_t k = 0; k < r->n_yield; k++) {
			for (size_t j = 0; j < nc; j++) {
				if (j == i || cands[j].id != r->yield_to[k])
					continue;
				if (cands[j].confidence >= cands[i].confidence && cands[i].confidence > 1)
					cands[i].confidence = cands[j].confidence - 1 > 0
					                          ? cands[j].confidence - 1
					                          : 1;
			}
		}
	}
}

/* The finding when no rule fires: the error lines decide; warnings are shown only when
 * there is no error. */
static struct cand unknown_cand(const struct diag_evidence *ev, const struct lines *l)
{
	/* the tool whose log this is: dfu-util's on a DFU link, OpenOCD's otherwise */
	bool dfu = ev->probe_kind == DIAG_PROBE_DFU;
	const char *tool = dfu ? "dfu-util" : "OpenOCD";
	struct cand u = { .id = DIAG_UNKNOWN, .confidence = DIAG_CONF_LOW,
	                  .rule = dfu ? &unknown_dfu_rule : &unknown_rule, .decisive = NO_LINE };
	int want = 0;
	size_t errs = 0;
	char how[96] = "";

	for (size_t i = 0; i < lines_count(l); i++)
		if (error_weight(lines_at(l, i)) > want)
			want = error_weight(lines_at(l, i));
	for (size_t i = 0; want && i < lines_count(l); i++) {
		if (error_weight(lines_at(l, i)) != want)
			continue;
		errs++;
		add_ev_line(&u, l, i);
	}
	if (ev->openocd_exited && ev->openocd_exit_status < 0)
		snprintf(how, sizeof(how), "%s was killed by signal %d; ", tool,
		         -ev->openocd_exit_status);
	else if (ev->openocd_exited)
		snprintf(how, sizeof(how), "%s exited with status %d; ", tool,
		         ev->openocd_exit_status);
	/* Nothing failed in words: where the log stops (a hang after the adapter's clock, a
	 * command the tool never got past) is the line a person reads. */
	for (size_t i = lines_count(l); errs == 0 && i-- > 0;) {
		const char *t = lines_at(l, i);
		if (t[strspn(t, " \t\r>")] == '\0')
			continue;
		add_ev_line(&u, l, i);
		break;
	}
	if (errs == 0 && u.n_ev)
		snprintf(u.detail, sizeof(u.detail), "%s%s printed no error lines; its last line is "
		         "shown", how, tool);
	else if (errs == 0 && lines_count(l))
		snprintf(u.detail, sizeof(u.detail), "%s%s printed no error lines", how, tool);
	else if (errs == 0)
		snprintf(u.detail, sizeof(u.detail), "%sno %s output was captured", how, tool);
	else if (errs > u.n_ev)
		snprintf(u.detail, sizeof(u.detail), "%s%zu error lines, %zu distinct shown",
		         how, errs, u.n_ev);
	else if (how[0])
		snprintf(u.detail, sizeof(u.detail), "%.*s", (int)strlen(how) - 2, how);
	return u;
}

/* Whether line I of L is among the evidence of one of the NC candidates. */
static bool shown_by(const struct cand *cands, size_t nc, const struct lines *l, size_t i)
{
	for (size_t c = 0; c < nc; c++)
		for (size_t k = 0; k < cands[c].n_ev; k++)
			if (cands[c].ev_lines[k] == i ||
			    strcmp(lines_orig(l, cands[c].ev_lines[k]), lines_orig(l, i)) == 0)
				return true;
	return false;
}

/* Whether some rule's patterns read LINE (line I of L), whether or not the rule fired: a
 * line the table knows has been weighed (a front-end's summary, a cascade a cause explains). */
static bool known_line(struct regcache *rc, const struct lines *l, size_t i)
{
	for (size_t ri = 0; ri < diag_n_rules; ri++) {
		const struct diag_rule *r = &diag_rules[ri];
		for (size_t k = 0; k < DIAG_RULE_MAX_PATTERNS && r->any[k]; k++)
			if (match_line(r->any[k], lines_at(l, i), slot(rc, ri, 0, k)))
				return true;
		for (size_t k = 0; k < DIAG_RULE_MAX_PATTERNS && r->all[k]; k++)
			if (match_line(r->all[k], lines_at(l, i), slot(rc, ri, 1, k)))
				return true;
	}
	return false;
}

/* When every finding is low and the log has an error line that none of them shows and no
 * rule reads, the error lines are what a person must read first: the engine's "unknown"
 * with them goes above the findings (and takes the place of an "unknown" that shows only a
 * build tool's summary). A paste cut in its decisive line, or a build tool's line among
 * OpenOCD's, then still shows the error lines it has. Returns the number of candidates. */
static size_t unexplained_first(struct regcache *rc, struct cand *cands, size_t nc,
                                const struct diag_evidence *ev, const struct lines *l)
{
	bool unexplained = false;
	for (size_t i = 0; i < nc; i++)
		if (cands[i].confidence > DIAG_CONF_LOW)
			return nc;
	for (size_t i = 0; i < lines_count(l) && !unexplained; i++)
		unexplained = error_weight(lines_at(l, i)) == 2 && !shown_by(cands, nc, l, i) &&
		              !known_line(rc, l, i);
	if (!unexplained)
		return nc;
	size_t at = nc;
	for (size_t i = 0; i < nc; i++)
		if (cands[i].id == DIAG_UNKNOWN)
			at = i;
	/* a row's own "unknown" (a DFU request that failed) keeps its line */
	for (size_t k = 0; at < nc && k < cands[at].n_ev; k++)
		if (!diag_wraps_failure(lines_at(l, cands[at].ev_lines[k])))
			return nc;
	cands[at] = unknown_cand(ev, l);
	cands[at].priority = INT_MAX;
	return at == nc ? nc + 1 : nc;
}

struct diag_report *diag_run(const struct diag_evidence *ev)
{
	return diag_run_traced(ev, NULL);
}

struct diag_report *diag_run_traced(const struct diag_evidence *ev, bool *fired)
{
	struct diag_report *rep = NULL;
	struct cand *cands = NULL;
	/* The rule table is fixed: its patterns are compiled once per process and kept. */
	static struct regcache rc;
	struct diag_ctx ctx;
	struct lines l;
	size_t nc = 0;
	bool ok = false;

	diag_ctx_derive(&ctx, ev);
	lines_of(&l, ev);
	lines_normalize(&l);

	if (!rc.slots)
		rc.slots = calloc(diag_n_rules * 4 * DIAG_RULE_MAX_PATTERNS, sizeof(*rc.slots));
	cands = calloc(diag_n_rules + 1, sizeof(*cands));
	rep = calloc(1, sizeof(*rep));
	if (!rc.slots || !cands || !rep)
		goto out;

	nc = collect_cands(&rc, &l, &ctx, cands, fired);
	apply_yields(cands, nc);
	if (nc == 0)
		cands[nc++] = unknown_cand(ev, &l);
	else
		nc = unexplained_first(&rc, cands, nc, ev, &l);

	qsort(cands, nc, sizeof(*cands), cmp_cand);
	rep->findings = calloc(nc, sizeof(*rep->findings));
	if (!rep->findings)
		goto out;
	for (size_t i = 0; i < nc; i++) {
		rep->n++;
		if (fill_finding(&rep->findings[i], &cands[i], &l) < 0)
			goto out;
	}
	rep->rescued = rescued(ev);
	ok = true;

out:
	free(cands);
	lines_release(&l);
	if (!ok) {
		diag_report_free(rep);
		rep = NULL;
	}
	return rep;
}

struct diag_report *diag_classify_log(const char *text)
{
	return diag_classify_log_traced(text, NULL);
}

struct diag_report *diag_classify_log_traced(const char *text, bool *fired)
{
	struct diag_evidence ev;
	struct diag_report *rep = NULL;

	char *clean = diag_paste_clean(text ? text : "", text ? strlen(text) : 0);

	if (!clean)
		return NULL;
	diag_evidence_init(&ev);
	if (diag_evidence_feed_log(&ev, clean, strlen(clean)) == 0)
		rep = diag_run_traced(&ev, fired);
	diag_evidence_release(&ev);
	free(clean);
	return rep;
}

void diag_report_free(struct diag_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		struct diag_finding *f = &r->findings[i];
		free(f->detail);
		for (size_t k = 0; k < f->n_evidence; k++)
			free(f->evidence[k]);
		free(f->evidence);
	}
	free(r->findings);
	free(r);
}
