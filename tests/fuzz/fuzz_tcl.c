/* fuzz_tcl.c - libFuzzer harness: the Tcl list parser and quoting.
 *
 * Any bytes parse or fail cleanly, and quoting must round-trip: tcl_quote(x) read back as
 * a list is exactly one element equal to x (file names and serials are data, never code).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ocd/tcl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct tcl_list l = {0};
	if (tcl_list_parse(s, size, &l) == 0)
		tcl_list_release(&l);

	char *q = tcl_quote(s, size);
	if (!q)
		return 0;
	struct tcl_list one = {0};
	if (tcl_list_parse(q, strlen(q), &one) != 0 || one.n != 1 || one.lens[0] != size ||
	    memcmp(one.items[0], s, size) != 0)
		abort(); /* quoting is not an identity through the parser */
	tcl_list_release(&one);
	free(q);
	return 0;
}
