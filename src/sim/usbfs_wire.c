/* usbfs_wire.c - sending and receiving on the direct usbfs channel (see usbfs_wire.h);
 * linked into both ends. */
#include "sim/usbfs_wire.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/uio.h>

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
