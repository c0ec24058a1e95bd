/* profile_query.c - questions asked of a loaded profile (which sector, RAM region, alias,
 * revision or DP IDCODE kind an address or id is), and the two layouts a loaded profile
 * can switch to (the whole die; the sector layout an option bit selects). The loading
 * and validation are profile.c's. */
#include "core/profile.h"

#include <stdlib.h>
#include <string.h>

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

void swd_profile_use_option_layout(struct swd_profile *p)
{
	struct swd_sector *s;
	size_t n;
	unsigned nb;

	if (!p->flash.option_layout.present || p->flash.option_layout.active)
		return;
	s = p->flash.sectors;
	n = p->flash.nsectors;
	nb = p->flash.nbanks;
	p->flash.sectors = p->flash.option_layout.sectors;
	p->flash.nsectors = p->flash.option_layout.nsectors;
	p->flash.nbanks = p->flash.option_layout.nbanks;
	p->flash.option_layout.sectors = s;
	p->flash.option_layout.nsectors = n;
	p->flash.option_layout.nbanks = nb;
	p->flash.option_layout.active = true;
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
		                                             prev->bank, prev->index + 1,
		                                             prev->index + 1 };
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
	return swd_family_of(d)->driver;
}

enum swd_dp_kind swd_profile_dp_idcode_kind(const struct swd_profile *p, uint32_t idcode)
{
	for (size_t i = 0; i < p->ids.ndp_idcodes; i++)
		if (p->ids.dp_idcodes[i] == idcode)
			return SWD_DP_GENUINE;
	for (size_t i = 0; i < p->ids.nclone_dp_idcodes; i++)
		if (p->ids.clone_dp_idcodes[i] == idcode)
			return SWD_DP_CLONE;
	return SWD_DP_UNKNOWN;
}
