/* dfuse.c - DfuSe layout strings (UM0424 §10.3.2); see dfuse.h. */
#include "core/dfuse.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad(struct swd_error *err, const char *s, const char *why)
{
	return swd_error_set(err, SWD_EINPUT, "dfuse layout '%s': %s", s, why);
}

static bool read_uint(const char **p, int base, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!isxdigit((unsigned char)**p))
		return false;
	errno = 0;
	v = strtoull(*p, &end, base);
	if (errno != 0 || end == *p || v > max)
		return false;
	*p = end;
	*out = v;
	return true;
}

static int push_run(struct swd_dfuse_layout *l, const struct swd_dfuse_run *r)
{
	struct swd_dfuse_run *n = realloc(l->runs, (l->nruns + 1) * sizeof(*n));

	if (n == NULL)
		return SWD_ENOMEM;
	l->runs = n;
	l->runs[l->nruns++] = *r;
	return 0;
}

/* One "NN*SSSKg" run at *p, placed at *addr, which it moves past the run. */
static int parse_run(const char **p, uint64_t *addr, struct swd_dfuse_layout *l, const char *s,
                     struct swd_error *err)
{
	struct swd_dfuse_run r;
	uint64_t count, size, mult = 1;
	char c;

	if (!read_uint(p, 10, 0xFFFF, &count) || count == 0 || **p != '*')
		return bad(err, s, "a run must be COUNT*SIZE followed by a unit and a type letter");
	(*p)++;
	if (!read_uint(p, 10, 0xFFFF, &size) || size == 0)
		return bad(err, s, "a run's sector size must be a positive number");
	c = **p;
	if (c == 'K' || c == 'M' || c == ' ') {
		mult = c == 'K' ? 1024 : c == 'M' ? 1024 * 1024 : 1;
		(*p)++;
		c = **p;
	}
	if (c < 'a' || c > 'g')
		return bad(err, s, "a run's type must be a letter from 'a' to 'g'");
	(*p)++;
	/* dfu-util reads the type as everything up to ',' or '/'; only its first letter counts */
	while (**p != '\0' && **p != ',' && **p != '/')
		(*p)++;
	if (size * mult > 0xFFFFFFFFull)
		return bad(err, s, "a run's sector size must fit in 32 bits");
	r.address = (uint32_t)*addr;
	r.count = (uint32_t)count;
	r.size = (uint32_t)(size * mult);
	r.type = (unsigned)(c - 'a' + 1);
	if (*addr + count * size * mult > 0x100000000ull)
		return bad(err, s, "a block runs past the end of the 32-bit address space");
	*addr += count * size * mult;
	return push_run(l, &r) < 0 ? swd_error_set(err, SWD_ENOMEM, "out of memory") : 0;
}

int swd_dfuse_layout_parse(const char *s, struct swd_dfuse_layout *out, struct swd_error *err)
{
	const char *p = s, *slash;
	size_t n;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (*p == '@')
		p++;
	slash = strchr(p, '/');
	if (slash == NULL)
		return bad(err, s, "no '/0xADDRESS/' block follows the name");
	n = (size_t)(slash - p);
	while (n > 0 && p[n - 1] == ' ')
		n--;
	if (n >= sizeof(out->name))
		n = sizeof(out->name) - 1;
	memcpy(out->name, p, n);
	out->name[n] = '\0';
	p = slash;
	while (rc == 0 && *p == '/') {
		uint64_t addr;

		p++;
		if (*p == '\0' || isspace((unsigned char)*p))
			break; /* a trailing '/' ends the string */
		if (strncmp(p, "0x", 2) != 0 && strncmp(p, "0X", 2) != 0) {
			rc = bad(err, s, "a block must start with a hexadecimal address '0x...'");
			break;
		}
		p += 2;
		if (!read_uint(&p, 16, 0xFFFFFFFFull, &addr) || *p != '/') {
			rc = bad(err, s, "a block address must be 0x and up to 8 hex digits, then '/'");
			break;
		}
		p++;
		do {
			if (*p == ',')
				p++;
			rc = parse_run(&p, &addr, out, s, err);
		} while (rc == 0 && *p == ',');
	}
	while (rc == 0 && isspace((unsigned char)*p))
		p++;
	if (rc == 0 && *p != '\0')
		rc = bad(err, s, "unexpected text after the last run");
	if (rc == 0 && out->nruns == 0)
		rc = bad(err, s, "no memory block");
	if (rc < 0)
		swd_dfuse_layout_release(out);
	return rc;
}

void swd_dfuse_layout_release(struct swd_dfuse_layout *l)
{
	if (l == NULL)
		return;
	free(l->runs);
	l->runs = NULL;
	l->nruns = 0;
}

void swd_dfuse_layout_span(const struct swd_dfuse_layout *l, uint32_t *lo, uint32_t *hi)
{
	uint64_t a = UINT64_MAX, b = 0;

	for (size_t i = 0; i < l->nruns; i++) {
		uint64_t end = (uint64_t)l->runs[i].address + (uint64_t)l->runs[i].count * l->runs[i].size;

		if (l->runs[i].address < a)
			a = l->runs[i].address;
		if (end > b)
			b = end;
	}
	*lo = l->nruns ? (uint32_t)a : 0;
	*hi = l->nruns ? (uint32_t)(b > 0xFFFFFFFFull ? 0xFFFFFFFFull : b) : 0;
}

/* The run holding address, or NULL. */
static const struct swd_dfuse_run *run_at(const struct swd_dfuse_layout *l, uint32_t address)
{
	for (size_t i = 0; i < l->nruns; i++) {
		const struct swd_dfuse_run *r = &l->runs[i];

		if (address >= r->address &&
		    (uint64_t)address < (uint64_t)r->address + (uint64_t)r->count * r->size)
			return r;
	}
	return NULL;
}

bool swd_dfuse_layout_allows(const struct swd_dfuse_layout *l, uint32_t address,
                             uint64_t len, unsigned type, uint32_t *first_bad)
{
	uint64_t a = address, end = (uint64_t)address + len;

	while (a < end) {
		const struct swd_dfuse_run *r = a <= 0xFFFFFFFFull ? run_at(l, (uint32_t)a) : NULL;

		if (r == NULL || (r->type & type) != type) {
			if (first_bad != NULL)
				*first_bad = (uint32_t)a;
			return false;
		}
		a = (uint64_t)r->address + (uint64_t)r->count * r->size;
	}
	return true;
}

bool swd_dfuse_layout_sector(const struct swd_dfuse_layout *l, uint32_t address,
                             uint32_t *start, uint32_t *size)
{
	const struct swd_dfuse_run *r = run_at(l, address);

	if (r == NULL)
		return false;
	*size = r->size;
	*start = r->address + (address - r->address) / r->size * r->size;
	return true;
}

size_t swd_dfuse_layout_format(char *buf, size_t len, const char *name,
                               const struct swd_dfuse_run *runs, size_t nruns)
{
	size_t used = 0;
	uint64_t next = 0;

#define PUT(...)                                                                       \
	do {                                                                            \
		int k_ = snprintf(used < len ? buf + used : NULL, used < len ? len - used : 0, \
		                  __VA_ARGS__);                                         \
		used += k_ > 0 ? (size_t)k_ : 0;                                        \
	} while (0)
	if (len > 0)
		buf[0] = '\0';
	PUT("@%s  ", name);
	for (size_t i = 0; i < nruns; i++) {
		const struct swd_dfuse_run *r = &runs[i];
		/* KiB as the ROM prints them, MiB where KiB would not fit the parser's 16 bits */
		char unit = r->size % 1024 == 0 && r->size / 1024 <= 0xFFFF ? 'K' :
			    r->size % (1024 * 1024) == 0 ? 'M' : ' ';
		uint32_t n = unit == 'K' ? r->size / 1024 : unit == 'M' ? r->size / (1024 * 1024) : r->size;

		if (i == 0 || r->address != next)
			PUT("/0x%08X/", (unsigned)r->address);
		else
			PUT(",");
		PUT("%02u*%03u%c%c", (unsigned)r->count, (unsigned)n, unit, 'a' + (int)(r->type & 7) - 1);
		next = (uint64_t)r->address + (uint64_t)r->count * r->size;
	}
#undef PUT
	return used;
}
