/* uevent-binds.c - run under the virtual USB bus (`swdbackup-sim usb ... -- uevent-binds`):
 * many processes open a uevent socket at once, as libudev does in every libusb_init() of a
 * fleet's OpenOCDs, and every bind must succeed. Under umockdev 0.17 alone about one bind
 * in a hundred failed with EADDRINUSE (see src/sim/preload.c). Exits 0 when all bound, 1
 * otherwise, 2 when not on the bus. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/netlink.h>

#define ROUNDS 20
#define AT_ONCE 16

static int one_bind(void)
{
	int fd = socket(PF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
	                NETLINK_KOBJECT_UEVENT);
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = 1};

	if (fd < 0)
		return 3;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return errno == EADDRINUSE ? 4 : 5;
	return 0;
}

int main(void)
{
	int failed = 0, status;

	if (!getenv("UMOCKDEV_DIR")) {
		fprintf(stderr, "uevent-binds: not on the virtual USB bus (no UMOCKDEV_DIR)\n");
		return 2;
	}
	for (int r = 0; r < ROUNDS; r++) {
		for (int k = 0; k < AT_ONCE; k++) {
			pid_t pid = fork();
			if (pid == 0)
				_exit(one_bind());
			if (pid < 0)
				failed++;
		}
		while (wait(&status) > 0)
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				failed++;
	}
	printf("uevent-binds: %d of %d binds failed\n", failed, ROUNDS * AT_ONCE);
	return failed ? 1 : 0;
}
