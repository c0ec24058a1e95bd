/* diag: what an STM32 dev id (DBGMCU_IDCODE & 0xfff) is, which OpenOCD flash driver drives
 * it, from which release, and the stock target script of its series. The checks read a dev
 * id a log or the caller shows against it: another genuine STM32 than the one configured
 * (a wrong config), one the release that ran does not know yet (too old), or none (a part
 * of another vendor, a fake).
 *
 * The ids and releases are those of OpenOCD's drivers at the v0.9.0-v0.12.0 tags
 * (src/flash/nor/stm32f1x.c, stm32f2x.c, stm32lx.c, stm32l4x.h, stm32h7x.c), and, for the
 * parts no release up to 0.12 drives, ST's fork (STMicroelectronics/OpenOCD: stm32l4x.h,
 * stm32h5x.h). The reference manuals give the same ids (RM0008, RM0090, RM0351, ...). The
 * scripts are those of 0.12's tcl/target and, for the H5, ST's fork; the C0 and the WBA
 * have none in either.
 */
#include <stddef.h>
#include <string.h>

#include "diag/rules.h"

/* 13: no OpenOCD release up to 0.12 drives it; ST's fork does. */
#define ST_FORK 13

static const struct stm32_dev {
	unsigned dev;
	const char *family;
	const char *driver;
	int minor; /* the first 0.<minor> release whose driver knows it */
} devs[] = {
	{ 0x410, "STM32F1 medium density", "stm32f1x", 9 },
	{ 0x412, "STM32F1 low density", "stm32f1x", 9 },
	{ 0x414, "STM32F1 high density", "stm32f1x", 9 },
	{ 0x418, "STM32F1 connectivity line", "stm32f1x", 9 },
	{ 0x420, "STM32F1 value line", "stm32f1x", 9 },
	{ 0x428, "STM32F1 value line high density", "stm32f1x", 9 },
	{ 0x430, "STM32F1 XL density", "stm32f1x", 9 },
	{ 0x440, "STM32F0 (F05x)", "stm32f1x", 9 },
	{ 0x442, "STM32F0 (F09x)", "stm32f1x", 9 },
	{ 0x444, "STM32F0 (F03x)", "stm32f1x", 9 },
	{ 0x445, "STM32F0 (F04x)", "stm32f1x", 9 },
	{ 0x448, "STM32F0 (F07x)", "stm32f1x", 9 },
	{ 0x422, "STM32F3 (F302/F303xB/C)", "stm32f1x", 9 },
	{ 0x432, "STM32F37x", "stm32f1x", 9 },
	{ 0x438, "STM32F3 (F33x)", "stm32f1x", 9 },
	{ 0x439, "STM32F3 (F302x6/8)", "stm32f1x", 9 },
	{ 0x446, "STM32F3 (F303xD/E)", "stm32f1x", 9 },
	{ 0x411, "STM32F2", "stm32f2x", 9 },
	{ 0x413, "STM32F405/407", "stm32f2x", 9 },
	{ 0x419, "STM32F42x/43x", "stm32f2x", 9 },
	{ 0x421, "STM32F446", "stm32f2x", 9 },
	{ 0x423, "STM32F401xB/C", "stm32f2x", 9 },
	{ 0x431, "STM32F411", "stm32f2x", 9 },
	{ 0x433, "STM32F401xD/E", "stm32f2x", 9 },
	{ 0x434, "STM32F469/479", "stm32f2x", 10 },
	{ 0x441, "STM32F412", "stm32f2x", 10 },
	{ 0x458, "STM32F410", "stm32f2x", 10 },
	{ 0x449, "STM32F74x/75x", "stm32f2x", 10 },
	{ 0x451, "STM32F76x/77x", "stm32f2x", 10 },
	{ 0x452, "STM32F72x/73x", "stm32f2x", 11 },
	{ 0x463, "STM32F413/423", "stm32f2x", 11 },
	{ 0x416, "STM32L1 (cat. 1)", "stm32lx", 9 },
	{ 0x429, "STM32L1 (cat. 2)", "stm32lx", 9 },
	{ 0x427, "STM32L1 (cat. 3)", "stm32lx", 9 },
	{ 0x436, "STM32L1 (cat. 4)", "stm32lx", 9 },
	{ 0x437, "STM32L1 (cat. 5)", "stm32lx", 9 },
	{ 0x417, "STM32L0 (cat. 3)", "stm32lx", 9 },
	{ 0x457, "STM32L0 (cat. 1)", "stm32lx", 10 },
	{ 0x425, "STM32L0 (cat. 2)", "stm32lx", 10 },
	{ 0x447, "STM32L0 (cat. 5)", "stm32lx", 10 },
	{ 0x415, "STM32L47x/48x", "stm32l4x", 10 },
	{ 0x435, "STM32L43x/44x", "stm32l4x", 10 },
	{ 0x461, "STM32L49x/4Ax", "stm32l4x", 11 },
	{ 0x462, "STM32L45x/46x", "stm32l4x", 11 },
	{ 0x464, "STM32L41x/42x", "stm32l4x", 11 },
	{ 0x470, "STM32L4+ (L4Rx/4Sx)", "stm32l4x", 11 },
	{ 0x471, "STM32L4+ (L4Px/4Qx)", "stm32l4x", 11 },
	{ 0x472, "STM32L55x/56x", "stm32l4x", 11 },
	{ 0x460, "STM32G07x/08x", "stm32l4x", 11 },
	{ 0x466, "STM32G03x/04x", "stm32l4x", 11 },
	{ 0x456, "STM32G05x/06x", "stm32l4x", 12 },
	{ 0x467, "STM32G0Bx/0Cx", "stm32l4x", 12 },
	{ 0x468, "STM32G43x/44x", "stm32l4x", 11 },
	{ 0x469, "STM32G47x/48x", "stm32l4x", 11 },
	{ 0x479, "STM32G49x/4Ax", "stm32l4x", 11 },
	{ 0x495, "STM32WB5x", "stm32l4x", 11 },
	{ 0x496, "STM32WB3x", "stm32l4x", 11 },
	{ 0x494, "STM32WB1x", "stm32l4x", 12 },
	{ 0x497, "STM32WLE/WL5x", "stm32l4x", 11 },
	{ 0x482, "STM32U57x/58x", "stm32l4x", 12 },
	{ 0x455, "STM32U53x/54x", "stm32l4x", ST_FORK },
	{ 0x476, "STM32U5Fx/5Gx", "stm32l4x", ST_FORK },
	{ 0x481, "STM32U59x/5Ax", "stm32l4x", ST_FORK },
	{ 0x443, "STM32C01x", "stm32l4x", ST_FORK },
	{ 0x453, "STM32C03x", "stm32l4x", ST_FORK },
	{ 0x492, "STM32WBAx", "stm32l4x", ST_FORK },
	{ 0x450, "STM32H74x/75x", "stm32h7x", 11 },
	{ 0x480, "STM32H7Ax/7Bx", "stm32h7x", 11 },
	{ 0x483, "STM32H72x/73x", "stm32h7x", 11 },
	{ 0x474, "STM32H50x", "stm32h5x", ST_FORK },
	{ 0x484, "STM32H56x/57x", "stm32h5x", ST_FORK },
};

static const struct stm32_dev *find(unsigned dev)
{
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if (devs[i].dev == (dev & 0xfff))
			return &devs[i];
	return NULL;
}

const char *diag_stm32_family(unsigned dev)
{
	const struct stm32_dev *d = find(dev);
	return d ? d->family : NULL;
}

const char *diag_stm32_driver(unsigned dev, int *minor)
{
	const struct stm32_dev *d = find(dev);
	if (!d)
		return NULL;
	*minor = d->minor;
	return d->driver;
}

const char *diag_stm32_script(const char *family)
{
	static const struct {
		const char *series, *script;
	} s[] = {
		{ "STM32F0", "target/stm32f0x.cfg" }, { "STM32F1", "target/stm32f1x.cfg" },
		{ "STM32F2", "target/stm32f2x.cfg" }, { "STM32F3", "target/stm32f3x.cfg" },
		{ "STM32F4", "target/stm32f4x.cfg" }, { "STM32F7", "target/stm32f7x.cfg" },
		{ "STM32L0", "target/stm32l0.cfg" },  { "STM32L1", "target/stm32l1.cfg" },
		{ "STM32L4", "target/stm32l4x.cfg" }, { "STM32L5", "target/stm32l5x.cfg" },
		{ "STM32G0", "target/stm32g0x.cfg" }, { "STM32G4", "target/stm32g4x.cfg" },
		{ "STM32H7", "target/stm32h7x.cfg" }, { "STM32U5", "target/stm32u5x.cfg" },
		{ "STM32WBA", NULL }, { "STM32WB", "target/stm32wbx.cfg" },
		{ "STM32WL", "target/stm32wlx.cfg" }, { "STM32H5", "target/stm32h5x.cfg" },
	};
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (strncmp(family, s[i].series, strlen(s[i].series)) == 0)
			return s[i].script;
	return NULL;
}
