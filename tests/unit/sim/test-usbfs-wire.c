/* test-usbfs-wire.c - the direct usbfs channel's message I/O (src/sim/usbfs_wire.c): a
 * message goes whole and in order through a socket with little room, while signals cut
 * the sender's sendmsg short (a partial send) or before it moved anything (EINTR), and a
 * peer that goes away mid-message is reported, not waited for; the bus's reader takes a
 * request in pieces split at every byte without waiting for the rest; both ends name a
 * node's socket alike, and only a usbfs node's. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim/usbfs_wire.h"

#define BIG (1u << 20)

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted++;
}

struct sender {
	int fd;
	const uint8_t *data;
	bool ok;
};

/* Three messages: a bare header, a header with one byte, a header with BIG bytes. */
static void *send_three(void *arg)
{
	struct sender *s = arg;
	struct usbfs_wire_req q = {.request = 1};

	s->ok = usbfs_wire_send(s->fd, &q, sizeof(q), NULL, 0);
	q.request = 2, q.len = 1;
	s->ok = s->ok && usbfs_wire_send(s->fd, &q, sizeof(q), s->data, 1);
	q.request = 3, q.len = BIG;
	s->ok = s->ok && usbfs_wire_send(s->fd, &q, sizeof(q), s->data, BIG);
	return NULL;
}

static void test_whole_messages_through_a_small_buffer(void **state)
{
	int sv[2], small = 1024;
	uint8_t *data = malloc(BIG), *got = malloc(BIG);
	struct usbfs_wire_req q;
	pthread_t t;

	(void)state;
	assert_non_null(data);
	assert_non_null(got);
	for (uint32_t k = 0; k < BIG; k++)
		data[k] = (uint8_t)(k * 2654435761u >> 24);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	/* Little room: the sender blocks in sendmsg, where a signal without SA_RESTART ends
	 * it short, or with EINTR when nothing moved yet. */
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	struct sigaction sa = {.sa_handler = on_signal};
	assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);
	struct sender s = {.fd = sv[0], .data = data};
	assert_int_equal(pthread_create(&t, NULL, send_three, &s), 0);

	assert_true(usbfs_wire_recv(sv[1], &q, sizeof(q)));
	assert_int_equal(q.request, 1);
	assert_int_equal(q.len, 0);
	assert_true(usbfs_wire_recv(sv[1], &q, sizeof(q)));
	assert_int_equal(q.request, 2);
	assert_int_equal(q.len, 1);
	assert_true(usbfs_wire_recv(sv[1], got, 1));
	assert_int_equal(got[0], data[0]);
	assert_true(usbfs_wire_recv(sv[1], &q, sizeof(q)));
	assert_int_equal(q.request, 3);
	assert_int_equal(q.len, BIG);
	/* Read back in odd pieces, as a reader that wants less than was sent. */
	for (uint32_t at = 0, k = 0; at < BIG; k++) {
		uint32_t n = BIG - at < 4093 ? BIG - at : 4093;
		if (k % 4 == 0)
			pthread_kill(t, SIGUSR1);
		assert_true(usbfs_wire_recv(sv[1], got + at, n));
		at += n;
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(s.ok);
	assert_true(interrupted > 0);
	assert_memory_equal(got, data, BIG);
	close(sv[0]);
	close(sv[1]);
	free(got);
	free(data);
}

static void test_peer_gone_mid_message(void **state)
{
	int sv[2];
	uint8_t half[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct usbfs_wire_rep r;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], half, sizeof(half)), (ssize_t)sizeof(half));
	close(sv[0]);
	assert_true(sizeof(r) > sizeof(half));
	assert_false(usbfs_wire_recv(sv[1], &r, sizeof(r)));
	/* ... and a send to it fails at once instead of raising SIGPIPE. */
	assert_false(usbfs_wire_send(sv[1], &r, sizeof(r), NULL, 0));
	close(sv[1]);
}

/* A request of a header and 5 bytes, fed one byte at a time: whole only at the last. */
static void test_rx_split_at_every_byte(void **state)
{
	struct usbfs_wire_req q = {.request = 7, .len = 5, .cookie = 0x1122334455667788ull};
	uint8_t msg[sizeof(q) + 5], extra = 0;
	struct usbfs_wire_rx rx = {0};
	int sv[2];

	(void)state;
	memcpy(msg, &q, sizeof(q));
	memcpy(msg + sizeof(q), "abcde", 5);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(usbfs_wire_rx_read(&rx, sv[1], 64), 0); /* nothing yet */
	for (size_t k = 0; k < sizeof(msg); k++) {
		assert_int_equal(write(sv[0], msg + k, 1), 1);
		assert_int_equal(usbfs_wire_rx_read(&rx, sv[1], 64), k + 1 == sizeof(msg) ? 1 : 0);
	}
	assert_int_equal(rx.q.request, 7);
	assert_true(rx.q.cookie == q.cookie);
	assert_memory_equal(rx.data, "abcde", 5);
	free(rx.data);
	/* The next request's first byte stays in the socket until rx is zeroed. */
	assert_int_equal(write(sv[0], &extra, 1), 1);
	memset(&rx, 0, sizeof(rx));
	assert_int_equal(usbfs_wire_rx_read(&rx, sv[1], 64), 0);
	assert_int_equal(rx.got, 1);
	/* A peer gone mid-header, and a request larger than allowed, end the channel. */
	close(sv[0]);
	assert_int_equal(usbfs_wire_rx_read(&rx, sv[1], 64), -1);
	close(sv[1]);
	q.len = 65;
	memset(&rx, 0, sizeof(rx));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], &q, sizeof(q)), (ssize_t)sizeof(q));
	assert_int_equal(usbfs_wire_rx_read(&rx, sv[1], 64), -1);
	assert_null(rx.data);
	close(sv[0]);
	close(sv[1]);
}

/* Both ends find a node's socket through usbfs_wire_path(): only usbfs nodes have one. */
static void test_socket_path(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(usbfs_wire_path(out, sizeof(out), "/r", "/dev/bus/usb/001/002"), 23);
	assert_string_equal(out, "/r/swdsim-usbfs/001-002");
	assert_int_equal(usbfs_wire_path(out, sizeof(out), "/r", "/dev/bus/usb/3/17"), 23);
	assert_string_equal(out, "/r/swdsim-usbfs/003-017");
	/* Cut at size, as snprintf: the length says whether it fits. */
	assert_int_equal(usbfs_wire_path(out, 8, "/r", "/dev/bus/usb/001/002"), 23);
	assert_string_equal(out, "/r/swds");
	assert_int_equal(usbfs_wire_path(out, sizeof(out), "/r", "/dev/bus/usb/001/002x"), -1);
	assert_int_equal(usbfs_wire_path(out, sizeof(out), "/r", "/dev/bus/usb/001"), -1);
	assert_int_equal(usbfs_wire_path(out, sizeof(out), "/r", "/dev/bus/usb/001/0020"), -1);
	assert_int_equal(usbfs_wire_path(out, sizeof(out), "/r", "/dev/null"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_messages_through_a_small_buffer),
		cmocka_unit_test(test_peer_gone_mid_message),
		cmocka_unit_test(test_rx_split_at_every_byte),
		cmocka_unit_test(test_socket_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
