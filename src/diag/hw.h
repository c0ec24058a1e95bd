/* diag internals: the checks that read the OpenOCD build against the hardware it met (an
 * adapter driver without the SWD sequences a part needs, a SPI flash chip the build's table
 * does not list, an adapter that is not on the bus, a DFU device found but not claimed, a
 * page erase ST's bootloader refused, an image built for another MCU than the DFU device's, an Xtensa debug instruction that
 * faulted), defined in hw.c and named by the rows of rules_hw.inc.
 *
 * Owns: nothing. A check reads the context and writes only its detail line.
 * Must not: print, touch a probe or target, or decide an id.
 */
#ifndef SWD_DIAG_HW_H
#define SWD_DIAG_HW_H

#include "diag/rules.h"

int chk_swd_seq_too_old(struct diag_ctx *c);
int chk_spi_flash_unlisted(struct diag_ctx *c);
int chk_usb_adapter_absent(struct diag_ctx *c);
int chk_dfu_runtime_unasked(struct diag_ctx *c);
int chk_dfu_runtime_asked(struct diag_ctx *c);
int chk_dfu_erase_refused(struct diag_ctx *c);
int chk_dfu_erase_refused_alt(struct diag_ctx *c);
int chk_dfu_image_for_other_mcu(struct diag_ctx *c);
int chk_xtensa_dir_fault(struct diag_ctx *c);
int chk_xtensa_dir_fault_alt(struct diag_ctx *c);

#endif
