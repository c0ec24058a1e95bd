/* preload.c - libswdsim-preload: loaded by the virtual USB bus (usb.c) into its child,
 * ahead of libumockdev-preload.
 *
 * Owns: one workaround in umockdev's emulation of uevent sockets. umockdev 0.17 turns a
 * NETLINK_KOBJECT_UEVENT socket into a Unix socket bound at $UMOCKDEV_DIR/event<fd>,
 * which it unlinks first: a path named by the descriptor's number alone, shared by every
 * process on the bus. Two processes that bind the same number at once can meet between
 * one's unlink and the other's bind, and one bind fails with EADDRINUSE; libudev then
 * cannot start its monitor, libusb_init() fails, and OpenOCD says only "open failed"
 * (once in some hundred starts when 16 boards start together). Binding again takes the
 * path over, which is what umockdev's unlink does anyway: the last binder gets the
 * uevents, as before.
 *
 * And one cost: umockdev's preload ends every emulated ioctl with usleep(0), to let other
 * threads at the device's socket. With Linux's default timer slack that is a sleep of
 * some 50 us and two context switches per ioctl (about 4,000 in a 1 MiB backup), which a
 * real ioctl does not cost; here usleep(0) yields the processor instead.
 * Must not: change any other call, or act outside a umockdev testbed.
 */
#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define BIND_TRIES 20

typedef int bind_fn(int, const struct sockaddr *, socklen_t);

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	static bind_fn *next;

	if (!next)
		next = (bind_fn *)dlsym(RTLD_NEXT, "bind");
	if (!next) {
		errno = ENOSYS;
		return -1;
	}
	int rc = next(fd, addr, len);
	if (!addr || addr->sa_family != AF_NETLINK || !getenv("UMOCKDEV_DIR"))
		return rc;
	for (int k = 1; k < BIND_TRIES && rc < 0 && errno == EADDRINUSE; k++)
		rc = next(fd, addr, len);
	return rc;
}

typedef int usleep_fn(useconds_t);

int usleep(useconds_t usec)
{
	static usleep_fn *next;

	if (usec == 0 && getenv("UMOCKDEV_DIR"))
		return sched_yield();
	if (!next)
		next = (usleep_fn *)dlsym(RTLD_NEXT, "usleep");
	if (!next) {
		errno = ENOSYS;
		return -1;
	}
	return next(usec);
}
