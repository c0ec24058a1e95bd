/* family.c - the families of parts, each given once: OpenOCD's driver, the profiles'
 * option-byte format, the unit of erase and protection, and the option-byte code.
 * Facts: RM0008 (F1: pages, option bytes at 0x1FFFF800); RM0033 and RM0090 (F2/F4:
 * sectors, FLASH_OPTCR/OPTCR1); OpenOCD 0.12 src/flash/nor/stm32f1x.c and stm32f2x.c.
 * CRC unit clock: RCC_AHBENR (0x40021014) bit 6 CRCEN, RM0008 §7.3.6; RCC_AHB1ENR
 * (0x40023830) bit 12 CRCEN, RM0033 §5.3.10 and RM0090 §6.3.10. */
#include "core/profile.h"

#include "core/optbytes.h"

/* Indexed by enum swd_flash_driver. */
static const struct swd_family families[] = {
	[SWD_FLASH_STM32F1X] = {
		.driver_id = SWD_FLASH_STM32F1X,
		.ob_format_id = SWD_OB_STM32F1,
		.driver = "stm32f1x",
		.ob_format = "stm32f1",
		.unit = "page",
		.units = "pages",
		.pages = true,
		.crc_clock_reg = 0x40021014u,
		.crc_clock_bit = 1u << 6,
		.ob_decode = swd_optbytes_f1_decode,
		.ob_encode = swd_optbytes_f1_encode,
		.ob_same = swd_optbytes_f1_same,
		.ob_applied = swd_optbytes_f1_applied,
	},
	[SWD_FLASH_STM32F2X] = {
		.driver_id = SWD_FLASH_STM32F2X,
		.ob_format_id = SWD_OB_STM32F2X,
		.driver = "stm32f2x",
		.ob_format = "stm32f2x",
		.unit = "sector",
		.units = "sectors",
		.pages = false,
		.crc_clock_reg = 0x40023830u,
		.crc_clock_bit = 1u << 12,
		.ob_decode = swd_optbytes_f2x_decode,
		.ob_encode = swd_optbytes_f2x_encode,
		.ob_same = swd_optbytes_f2x_same,
		.ob_applied = swd_optbytes_f2x_applied,
	},
};

const struct swd_family *swd_family_of(enum swd_flash_driver d)
{
	return &families[d == SWD_FLASH_STM32F1X ? SWD_FLASH_STM32F1X : SWD_FLASH_STM32F2X];
}
