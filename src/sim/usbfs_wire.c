/* usbfs_wire.c - sending and receiving on the direct usbfs channel (see usbfs_wire.h);
 * linked into both ends. */
#include "sim/usbfs_wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>

int usbfs_wire_path(char *out, size_t size, const char *root, const char *devnode)
{
	unsigned bus, dev;
	char tail;

	if (sscanf(devnode, "/dev/bus/usb/%3u/%3u%c", &bus, &dev, &tail) != 2)
		return -1;
	return snprintf(out, size, "%s/%s/%03u-%03u", root, USBFS_WIRE_DIR, bus, dev);
}

bool usbfs_wire_send(int fd, const void *head, size_t hlen, const void *data, size_t dlen)
{
	struct iovec iov[2] = {{(void *)head, hlen}, {(void *)data, dlen}};
	struct msghdr m = {.msg_iov = iov, .msg_iovlen = dlen ? 2 : 1};

	while (m.msg_iovlen) {
		ssize_t n = sendmsg(fd, &m, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		while (m.msg_iovlen && (size_t)n >= m.msg_iov[0].iov_len) {
			n -= (ssize_t)m.msg_iov[0].iov_len;
			m.msg_iov++;
			m.msg_iovlen--;
		}
		if (m.msg_iovlen) {
			m.msg_iov[0].iov_base = (char *)m.msg_iov[0].iov_base + n;
			m.msg_iov[0].iov_len -= (size_t)n;
		}
	}
	return true;
}

bool usbfs_wire_recv(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, MSG_WAITALL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

int usbfs_wire_rx_read(struct usbfs_wire_rx *rx, int fd, uint32_t max)
{
	const size_t head = sizeof(rx->q);

	for (;;) {
		char *at = (char *)&rx->q + rx->got;
		size_t want = head - rx->got;
		if (rx->got >= head) {
			size_t have = rx->got - head;
			if (have == rx->q.len)
				return 1;
			at = (char *)rx->data + have;
			want = rx->q.len - have;
		}
		ssize_t n = recv(fd, at, want, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		rx->got += (size_t)n;
		if (rx->got == head && rx->q.len) {
			if (rx->q.len > max || !(rx->data = malloc(rx->q.len)))
				return -1;
		}
	}
}
