/* bytes.h - little-endian words in byte buffers: the target's order, whatever the host's.
 *
 * Owns: reading and writing a 32-bit little-endian word at any alignment.
 * Must not: grow beyond that.
 */
#ifndef SWD_CORE_BYTES_H
#define SWD_CORE_BYTES_H

#include <stdint.h>

static inline uint32_t swd_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void swd_le32_put(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#endif
