/* fuzz_rpc.c - libFuzzer harness: OpenOCD TCL RPC framing (0x1A-terminated frames).
 *
 * The first byte picks the size of the chunks the stream arrives in (as a socket would
 * split it); every complete frame goes through the notification test and the reply parser.
 */
#include <stdint.h>
#include <stdlib.h>

#include "ocd/rpc.h"

static void on_frame(void *ud, const char *frame, size_t len)
{
	size_t *frames = ud;
	(*frames)++;
	rpc_frame_is_notification(frame, len);
	int code;
	char *text = NULL;
	size_t textlen;
	if (rpc_parse_catch_reply(frame, len, &code, &text, &textlen) == 0)
		free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t chunk = (size_t)data[0] % 64 + 1;
	data++;
	size--;
	struct rpc_framer f;
	rpc_framer_init(&f, 4096); /* small, so that the too-long path is reached */
	size_t frames = 0;
	for (size_t off = 0; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;
		if (rpc_framer_feed(&f, (const char *)data + off, n, on_frame, &frames) != 0)
			break;
	}
	rpc_framer_release(&f);
	return 0;
}
