/* fuzz_stlink.c - libFuzzer harness: swdbackup-sim's ST-LINK request decoder.
 *
 * The bytes are a client's TCP stream to the simulator: stp_feed() decodes stlink-server
 * requests and probe_handle() decodes the ST-LINK USB command inside each one, over the
 * scripted board of the unit tests (tests/unit/sim/fake_mcu.c), which is fast and
 * starts from the same state for every input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/probe.h"
#include "sim/proto/stlink_tcp.h"

static struct stp_parser parser;
static struct probe_reply reply;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mcu_config mc = {.model = "fake103"};
	struct probe_config pc = {.model = PROBE_V2, .serial = "0123456789ABCDEF01234567"};
	mcu_t *mcu = mcu_new(&mc, NULL, 0);
	if (!mcu)
		abort();
	struct probe probe;
	probe_init(&probe, mcu, &pc);
	stp_parser_init(&parser);

	uint64_t now = 0;
	while (size > 0) {
		size_t used = 0;
		int rc = stp_feed(&parser, data, size, &used);
		if (used > size)
			abort(); /* the decoder took more than it was given */
		data += used;
		size -= used;
		if (rc < 0 || (rc == 0 && used == 0))
			break;
		if (rc == 1) {
			memset(&reply, 0, sizeof reply);
			probe_handle(&probe, &parser.req, now += 1000, &reply);
			if (reply.len > sizeof reply.buf)
				abort();
		}
	}
	probe_disconnect(&probe);
	mcu_free(mcu);
	return 0;
}
