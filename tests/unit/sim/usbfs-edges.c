/* usbfs-edges.c - run under the virtual USB bus (`swdbackup-sim usb --board ... --
 * usbfs-edges CHECK`): raw usbdevfs ioctls on the first board's node, at the edges the
 * clients of the bus (libusb in OpenOCD, dfu-util, swdbackup) do not reach every day, on
 * whichever way in the process takes (the direct channel, or umockdev's with
 * SWDSIM_DIRECT_USBFS=0). Each CHECK holds the bus to what the kernel's usbfs does:
 *   opens     many opens and closes, each with a reap that waits for its URB's due time,
 *             leave the bus with as many open files as after the first (`swdbackup
 *             probes` opens every device on each run)
 *   big-urb   an URB larger than the kernel's usbfs memory limit (usbfs_memory_mb, 16 MiB
 *             by default) fails with ENOMEM instead of the bus allocating it
 *   stall     (the direct channel) a client that stops half-way through a request does not
 *             hold up another file of the same board: its ioctls are answered meanwhile
 *   broken    (the direct channel) when the channel to the bus breaks, an URB still in
 *             flight is reaped failed with ENODEV, then reaps fail with ENODEV, as after
 *             a device leaves usbfs (libusb spun for ever on a transfer never handed back)
 *   closes    (the direct channel) one thread submits commands and reaps them with waiting
 *             reaps while another closes the file under it and opens the node again: the
 *             reaps end (ENODEV or EBADF), nothing crashes, and the
 *             process and the bus are left with the open files they had (under ASan, a
 *             channel freed under a reap was a use after free)
 *   malformed (the direct channel) requests no libswdsim-preload sends, written on the
 *             socket by hand: an URB whose data is longer than its buffer, or whose
 *             length is negative, and an ioctl argument above USBFS_WIRE_MAX_ARG, fail
 *             with EINVAL; an URB above USBFS_WIRE_MAX_URB with ENOMEM, as big-urb's
 *             (whose client refuses it before sending); a request that carries more than
 *             that ends its connection; the board then still answers a file of its node
 *   reenum    (a dfu=st board) after the device resets and enumerates again, as a DFU
 *             READ_UNPROTECT makes it, its new node's interface can be claimed while a
 *             file of the old device is still open: that file's claim went with it
 * Exits 0 when the check holds, 1 when it does not, 2 on a usage or setup error. */
#include <dirent.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/usbdevice_fs.h>

#include "sim/usbfs_wire.h"

#define NODE "/dev/bus/usb/001/002" /* the first board: device 1 is the root hub */
#define EP_OUT 0x02                 /* an ST-LINK/V2, the bus's default probe */
#define EP_IN 0x81
#define OPENS 300
#define CLOSES_SECONDS 3

static int open_node(void)
{
	int fd = open(NODE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "usbfs-edges: cannot open '%s': %s\n", NODE, strerror(errno));
	return fd;
}

/* The open files of process pid. */
static int open_fds(pid_t pid)
{
	char path[64];
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The open files of the bus, this process's parent. */
static int bus_fds(void)
{
	return open_fds(getppid());
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Reaps until want URBs are back. Returns 0, or -1 with errno. */
static int reap(int fd, int want)
{
	for (int tries = 0; want > 0 && tries < 20000; tries++) {
		void *got = NULL;
		if (ioctl(fd, USBDEVFS_REAPURBNDELAY, &got) == 0) {
			want--;
			continue;
		}
		if (errno != EAGAIN)
			return -1;
		usleep(50);
	}
	return want ? (errno = ETIMEDOUT, -1) : 0;
}

/* One ST-LINK GET_VERSION: its command OUT and its reply IN, as OpenOCD sends them. */
static int get_version(int fd)
{
	unsigned char cmd[16] = {0xF1}, in[64];
	struct usbdevfs_urb out = {.type = USBDEVFS_URB_TYPE_BULK, .endpoint = EP_OUT,
	                           .buffer = cmd, .buffer_length = sizeof(cmd)};
	struct usbdevfs_urb rep = {.type = USBDEVFS_URB_TYPE_BULK, .endpoint = EP_IN,
	                           .buffer = in, .buffer_length = 6};

	if (ioctl(fd, USBDEVFS_SUBMITURB, &out) < 0 || ioctl(fd, USBDEVFS_SUBMITURB, &rep) < 0)
		return -1;
	if (reap(fd, 2) < 0)
		return -1;
	return rep.status == 0 && rep.actual_length == 6 ? 0 : (errno = EIO, -1);
}

/* One open, claim, command and close, as each of the many below. */
static int open_once(int k)
{
	unsigned iface = 0;
	int fd = open_node();

	if (fd < 0)
		return 2;
	if (ioctl(fd, USBDEVFS_CLAIMINTERFACE, &iface) < 0 || get_version(fd) < 0) {
		fprintf(stderr, "usbfs-edges: open %d: %s\n", k, strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

static int check_opens(void)
{
	int before, after = -1, rc;

	/* The count starts after a first open: what the bus makes once, on its first client
	 * or a moment after the command started (its threads' own descriptors), is no leak,
	 * and a loaded machine can delay it past the first count. */
	if ((rc = open_once(-1)) != 0)
		return rc;
	sleep_ms(200);
	if ((before = bus_fds()) < 0)
		return 2;
	for (int k = 0; k < OPENS; k++) {
		if ((rc = open_once(k)) != 0)
			return rc;
	}
	/* The bus lets go of a closed file when it reads its end: give it a moment. */
	for (int t = 0; t < 250 && (after = bus_fds()) > before; t++)
		sleep_ms(20);
	printf("usbfs-edges: %d opens in all; the bus had %d open files after the first, %d "
	       "after the last\n", OPENS + 1, before, after);
	return after <= before ? 0 : 1;
}

static int check_big_urb(void)
{
	size_t len = 64u << 20;
	unsigned iface = 0;
	int fd = open_node();

	if (fd < 0)
		return 2;
	/* Never touched: the kernel refuses the URB before it reads or maps the buffer. */
	void *buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
	                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (buf == MAP_FAILED || ioctl(fd, USBDEVFS_CLAIMINTERFACE, &iface) < 0)
		return 2;
	struct usbdevfs_urb urb = {.type = USBDEVFS_URB_TYPE_BULK, .endpoint = EP_IN,
	                           .buffer = buf, .buffer_length = (int)len};
	int rc = ioctl(fd, USBDEVFS_SUBMITURB, &urb), e = errno;
	printf("usbfs-edges: a %zu MiB URB: %s\n", len >> 20, rc == 0 ? "accepted" : strerror(e));
	if (rc == 0) {
		void *got;
		ioctl(fd, USBDEVFS_DISCARDURB, &urb);
		ioctl(fd, USBDEVFS_REAPURBNDELAY, &got);
	}
	close(fd);
	return rc < 0 && e == ENOMEM ? 0 : 1;
}

/* check_closes: the file the reaping thread is to use, the one it uses, and whether it
 * should stop. */
static int race_fd = -1, race_on = -1;
static int race_stop;

/* Submits a GET_VERSION on whatever file race_fd is now and reaps it with waiting reaps,
 * over and over. The URBs are static: a reap may hand one back after its file was
 * closed and the next round has submitted it again. Returns the rounds that got both
 * URBs back, as a pointer. */
static void *race_reaper(void *arg)
{
	static unsigned char cmd[16] = {0xF1}, in[64];
	static struct usbdevfs_urb out, rep;
	uintptr_t whole = 0;

	(void)arg;
	while (!__atomic_load_n(&race_stop, __ATOMIC_SEQ_CST)) {
		int fd = __atomic_load_n(&race_fd, __ATOMIC_SEQ_CST), got = 0;
		__atomic_store_n(&race_on, fd, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&race_fd, __ATOMIC_SEQ_CST) != fd)
			continue; /* swapped meanwhile: the closer may not have seen race_on */
		out = (struct usbdevfs_urb){.type = USBDEVFS_URB_TYPE_BULK, .endpoint = EP_OUT,
		                            .buffer = cmd, .buffer_length = sizeof(cmd)};
		rep = (struct usbdevfs_urb){.type = USBDEVFS_URB_TYPE_BULK, .endpoint = EP_IN,
		                            .buffer = in, .buffer_length = 6};
		if (ioctl(fd, USBDEVFS_SUBMITURB, &out) < 0 || ioctl(fd, USBDEVFS_SUBMITURB, &rep) < 0)
			continue;
		for (void *urb; got < 2 && ioctl(fd, USBDEVFS_REAPURB, &urb) == 0; got++)
			;
		whole += got == 2;
	}
	return (void *)whole;
}

static int check_closes(void)
{
	int mine, bus, mine_after = -1, bus_after = -1, rc;
	long swaps = 0;
	pthread_t t;
	void *whole;

	/* Counted after a first open, as in check_opens: the bus's own descriptors, made once
	 * a moment after its first client, are no leak. */
	if ((rc = open_once(-1)) != 0)
		return rc;
	sleep_ms(200);
	mine = open_fds(getpid());
	bus = bus_fds();
	race_fd = open_node();
	if (mine < 0 || bus < 0 || race_fd < 0 || pthread_create(&t, NULL, race_reaper, NULL))
		return 2;
	for (time_t end = time(NULL) + CLOSES_SECONDS; time(NULL) < end; swaps++) {
		int old = race_fd, fd = open_node();
		if (fd < 0)
			return 2;
		__atomic_store_n(&race_fd, fd, __ATOMIC_SEQ_CST);
		usleep(100 + (unsigned)(swaps % 7) * 100); /* closes at every point of a round */
		close(old);
		/* The number is not opened again while the reaper may still use it: umockdev's
		 * own preload, where an ioctl on a file with no channel goes, does not bear an
		 * open of the number it is working on. */
		for (int k = 0; __atomic_load_n(&race_on, __ATOMIC_SEQ_CST) == old; k++) {
			if (k == 100000) {
				fprintf(stderr, "usbfs-edges: a reap on a closed file never ended\n");
				return 1;
			}
			usleep(50);
		}
	}
	__atomic_store_n(&race_stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(t, &whole);
	rc = get_version(race_fd);
	if (rc < 0)
		fprintf(stderr, "usbfs-edges: the node after the closes: %s\n", strerror(errno));
	close(race_fd);
	/* The bus lets go of a closed file when it reads its end: give it a moment. */
	for (int k = 0; k < 100; k++) {
		mine_after = open_fds(getpid());
		bus_after = bus_fds();
		if (mine_after <= mine && bus_after <= bus)
			break;
		sleep_ms(20);
	}
	printf("usbfs-edges: %ld closes under a reaping thread, %lu of its rounds whole; open "
	       "files: here %d before, %d after; the bus %d before, %d after\n", swaps,
	       (unsigned long)(uintptr_t)whole, mine, mine_after, bus, bus_after);
	return rc == 0 && (uintptr_t)whole > 0 && mine_after <= mine && bus_after <= bus ? 0 : 1;
}

/* A control transfer of the DFU class to interface 0. Returns 0, or -1 with errno. */
static int dfu_request(int fd, uint8_t type, uint8_t request, const uint8_t *out,
                       uint16_t len)
{
	uint8_t buf[8 + 64] = {type, request, 0, 0, 0, 0, (uint8_t)len, 0};
	struct usbdevfs_urb urb = {.type = USBDEVFS_URB_TYPE_CONTROL, .endpoint = 0,
	                           .buffer = buf, .buffer_length = 8 + len};

	if (out)
		memcpy(buf + 8, out, len);
	if (ioctl(fd, USBDEVFS_SUBMITURB, &urb) < 0 || reap(fd, 1) < 0)
		return -1;
	return urb.status == 0 ? 0 : (errno = -urb.status, -1);
}

static int check_reenum(void)
{
	const uint8_t unprotect = 0x92; /* AN3156: the bootloader resets after it */
	unsigned iface = 0;
	int old = open_node();

	if (old < 0 || ioctl(old, USBDEVFS_CLAIMINTERFACE, &iface) < 0 ||
	    dfu_request(old, 0x21, 1, &unprotect, 1) < 0 || dfu_request(old, 0xA1, 3, NULL, 6) < 0) {
		fprintf(stderr, "usbfs-edges: cannot make the bootloader reset: %s\n",
		        strerror(errno));
		return 2;
	}
	/* The next device number on a bus of one board. */
	int fd = open("/dev/bus/usb/001/003", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "usbfs-edges: the device did not come back: %s\n", strerror(errno));
		return 2;
	}
	int rc = ioctl(fd, USBDEVFS_CLAIMINTERFACE, &iface), e = errno;
	printf("usbfs-edges: claiming the re-enumerated device with the old file open: %s\n",
	       rc == 0 ? "claimed" : strerror(e));
	close(fd);
	close(old);
	return rc == 0 ? 0 : 1;
}

static void stalled(int sig)
{
	(void)sig;
	static const char msg[] = "usbfs-edges: the board's other file got no answer in 20 s\n";
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(1);
}

static int check_stall(void)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int sent[2], done[2];
	char x = 0;

	snprintf(path, sizeof(path), "%s/swdsim-usbfs/001-002", getenv("UMOCKDEV_DIR"));
	if (pipe(sent) < 0 || pipe(done) < 0)
		return 2;
	pid_t pid = fork();
	if (pid == 0) {
		/* Half a request header, then nothing until the other file is done. */
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		close(sent[0]);
		close(done[1]); /* so that a parent gone ends the wait below */
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
		if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    write(s, "\0\0\0\0", 4) != 4)
			_exit(2);
		(void)!write(sent[1], &x, 1);
		(void)!read(done[0], &x, 1);
		_exit(0);
	}
	if (pid < 0 || read(sent[0], &x, 1) != 1)
		return 2;
	/* A hang, not a speed: on the bus an answer takes microseconds. */
	signal(SIGALRM, stalled);
	alarm(20);
	unsigned iface = 0;
	int fd = open_node(), rc = fd < 0 ? 2 : 0;
	if (!rc && (ioctl(fd, USBDEVFS_CLAIMINTERFACE, &iface) < 0 || get_version(fd) < 0)) {
		fprintf(stderr, "usbfs-edges: %s\n", strerror(errno));
		rc = 1;
	}
	alarm(0);
	if (!rc)
		printf("usbfs-edges: answered while another client sat half-way through a request\n");
	if (fd >= 0)
		close(fd);
	(void)!write(done[1], &x, 1);
	int status;
	waitpid(pid, &status, 0);
	return rc ? rc : WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 2;
}

/* Shuts this process's direct channels down, as a bus that goes away. Returns how many. */
static int break_channels(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++) {
		struct sockaddr_un sa;
		socklen_t len = sizeof(sa);
		if (getpeername(fd, (struct sockaddr *)&sa, &len) == 0 && sa.sun_family == AF_UNIX &&
		    strstr(sa.sun_path, "/swdsim-usbfs/") && shutdown(fd, SHUT_RDWR) == 0)
			n++;
	}
	return n;
}

static int check_broken(void)
{
	unsigned char buf[64];
	unsigned iface = 0;
	int fd = open_node();
	/* An IN URB without a command: the probe never answers it. */
	struct usbdevfs_urb in = {.type = USBDEVFS_URB_TYPE_BULK, .endpoint = EP_IN,
	                          .buffer = buf, .buffer_length = sizeof(buf)};

	if (fd < 0 || ioctl(fd, USBDEVFS_CLAIMINTERFACE, &iface) < 0 ||
	    ioctl(fd, USBDEVFS_SUBMITURB, &in) < 0 || break_channels() != 1)
		return 2;
	void *got = NULL;
	int rc = ioctl(fd, USBDEVFS_REAPURBNDELAY, &got), e = errno;
	printf("usbfs-edges: the first reap on a broken channel: %s\n",
	       rc < 0 ? strerror(e) : got == &in ? "the URB in flight" : "another URB");
	if (rc < 0 || got != &in || in.status != -ENODEV)
		return 1;
	rc = ioctl(fd, USBDEVFS_REAPURBNDELAY, &got), e = errno;
	printf("usbfs-edges: the second: %s\n", rc < 0 ? strerror(e) : "an URB");
	close(fd);
	return rc < 0 && e == ENODEV ? 0 : 1;
}

/* A connection of its own to the first board's direct socket, or -1. A bus that never
 * answers fails the check in 10 s rather than at the test's timeout. */
static int connect_direct(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval wait = {.tv_sec = 10};
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/swdsim-usbfs/001-002",
	         getenv("UMOCKDEV_DIR"));
	if (s >= 0 && (setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait)) < 0 ||
	               connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)) {
		close(s);
		s = -1;
	}
	return s;
}

/* Sends q with q->len zero bytes after it (only its header when q->len is more than a
 * few). Returns the bus's err (0 on success), -1 when the bus ended the connection
 * instead of answering, -2 on anything else. */
static int raw_request(int s, const struct usbfs_wire_req *q)
{
	static unsigned char zeros[USBFS_WIRE_MAX_ARG + 1];
	struct usbfs_wire_rep r;
	size_t n = q->len <= sizeof(zeros) ? q->len : 0;

	if (send(s, q, sizeof(*q), MSG_NOSIGNAL) != (ssize_t)sizeof(*q) ||
	    (n && send(s, zeros, n, MSG_NOSIGNAL) != (ssize_t)n))
		return -2;
	ssize_t got = recv(s, &r, sizeof(r), MSG_WAITALL);
	if (got == 0)
		return -1;
	if (got != (ssize_t)sizeof(r))
		return -2;
	if (r.len) { /* an argument sent back: not what a refusal brings */
		fprintf(stderr, "usbfs-edges: a reply with %u bytes\n", r.len);
		return -2;
	}
	return r.result < 0 ? r.err : 0;
}

static int check_malformed(void)
{
	int s = connect_direct(), fails = 0;
	struct usbfs_wire_req longer = {.request = USBDEVFS_SUBMITURB, .len = 8, .cookie = 1,
	                                .buffer_length = 4, .type = USBDEVFS_URB_TYPE_BULK,
	                                .endpoint = EP_OUT};
	struct usbfs_wire_req negative = longer;
	struct usbfs_wire_req big_arg = {.request = USBDEVFS_GET_CAPABILITIES,
	                                 .len = USBFS_WIRE_MAX_ARG + 1};
	struct usbfs_wire_req big_urb = {.request = USBDEVFS_SUBMITURB, .cookie = 2,
	                                 .buffer_length = USBFS_WIRE_MAX_URB + 1,
	                                 .type = USBDEVFS_URB_TYPE_BULK, .endpoint = EP_IN};
	struct usbfs_wire_req too_big = {.request = USBDEVFS_SUBMITURB,
	                                 .len = USBFS_WIRE_MAX_URB + 1};
	const struct {
		const char *what;
		const struct usbfs_wire_req *q;
		int want;
	} cases[] = {
		{"an URB with more data than its buffer", &longer, EINVAL},
		{"an URB of negative length", &negative, EINVAL},
		{"an argument above the largest", &big_arg, EINVAL},
		{"an URB above the kernel's limit, sent anyway", &big_urb, ENOMEM},
		{"a request above the largest URB", &too_big, -1},
	};

	negative.len = 0;
	negative.buffer_length = -1;
	if (s < 0)
		return 2;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		int got = raw_request(s, cases[k].q);
		printf("usbfs-edges: %s: %s\n", cases[k].what,
		       got == -1 ? "the connection ended" : got > 0 ? strerror(got)
		       : got == 0 ? "accepted" : "no answer");
		fails += got != cases[k].want;
	}
	close(s);
	unsigned iface = 0;
	int fd = open_node();
	if (fd < 0 || ioctl(fd, USBDEVFS_CLAIMINTERFACE, &iface) < 0 || get_version(fd) < 0) {
		fprintf(stderr, "usbfs-edges: the board after them: %s\n", strerror(errno));
		fails++;
	}
	if (fd >= 0)
		close(fd);
	return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (!getenv("UMOCKDEV_DIR")) {
		fprintf(stderr, "usbfs-edges: not on the virtual USB bus (no UMOCKDEV_DIR)\n");
		return 2;
	}
	if (argc == 2 && strcmp(argv[1], "opens") == 0)
		return check_opens();
	if (argc == 2 && strcmp(argv[1], "big-urb") == 0)
		return check_big_urb();
	if (argc == 2 && strcmp(argv[1], "broken") == 0)
		return check_broken();
	if (argc == 2 && strcmp(argv[1], "stall") == 0)
		return check_stall();
	if (argc == 2 && strcmp(argv[1], "closes") == 0)
		return check_closes();
	if (argc == 2 && strcmp(argv[1], "reenum") == 0)
		return check_reenum();
	if (argc == 2 && strcmp(argv[1], "malformed") == 0)
		return check_malformed();
	fprintf(stderr, "usage: usbfs-edges opens|big-urb|stall|broken|closes|reenum|"
	        "malformed\n");
	return 2;
}
