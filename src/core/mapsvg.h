/* mapsvg.h - the flash map as an SVG picture (a bundle's flash-map.svg).
 *
 * Owns: the picture's layout. Must not: touch files or print; the caller writes the text
 * where it belongs.
 */
#ifndef SWD_CORE_MAPSVG_H
#define SWD_CORE_MAPSVG_H

#include "core/flashmap.h"

/* The map as a standalone SVG 1.1 document: the cells on one bar with their boundaries,
 * write-protected and differing cells marked, the first and last address, one labelled row
 * per region, the call-outs and a legend. title is escaped (NULL: "flash map").
 * Returns: new (free()), NULL when out of memory. */
char *swd_flashmap_svg(const struct swd_flashmap *m, const char *title);

#endif
