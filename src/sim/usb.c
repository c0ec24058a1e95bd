/* usb.c - swdbackup-sim's virtual USB bus (see usb.h).
 *
 * The emulation sits below the real libusb-1.0, at the kernel interface, with umockdev:
 * each board is a sysfs USB device (its `descriptors` attribute is what libusb parses)
 * and a /dev/bus/usb/001/NNN node whose usbdevfs ioctls land in the board's handler
 * (usb_dev.c). This file reads the SPECs, sets up the bus and runs the child.
 *
 * Every board is served by threads of its own: umockdev runs all the handlers of a
 * testbed on that testbed's one worker thread, so each board's handler is attached on a
 * testbed of its own and its socket moved to where the clients look, under the testbed
 * that holds the bus's sysfs; and the board's direct usbfs channel (usb_direct.c), the
 * way clients with libswdsim-preload take, has a thread of its own beside it. A board's
 * state is touched under its lock only; what the boards share (that sysfs testbed, the
 * device numbers) is under bus_lock, taken after a board's lock, never before. The main
 * thread only sets up, starts the child and waits for it.
 */
#include "sim/usb.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <umockdev.h>

#include "sim/usb_dev.h"

#define MAX_BOARDS 16

static GMutex bus_lock;  /* the sysfs testbed and last_devnum, shared by the boards */
static int last_devnum; /* the bus hands out device numbers in order, never twice */


/* ---- SPEC ------------------------------------------------------------------------ */

static int parse_spec(struct board *b, char *spec, char *err, size_t errlen)
{
	char *save = NULL, *field;
	int i = 0;
	bool probe_set = false;

	b->spec = spec;
	b->o.seed = 1;
	for (field = strtok_r(spec, ",", &save); field; field = strtok_r(NULL, ",", &save), i++) {
		char *eq = strchr(field, '=');
		if (i == 0 && !eq) {
			b->o.model = field;
			continue;
		}
		if (i == 1 && !eq) {
			b->o.flash = field;
			continue;
		}
		if (!eq) {
			snprintf(err, errlen, "board field '%s' is not KEY=VALUE; use serial=, "
			         "probe=, dfu=, timing= or fault=", field);
			return -1;
		}
		*eq = '\0';
		const char *v = eq + 1;
		if (strcmp(field, "model") == 0 && *v) {
			b->o.model = v;
		} else if (strcmp(field, "flash") == 0 && *v) {
			b->o.flash = v;
		} else if (strcmp(field, "dfu") == 0) {
			if (dfu_kind_parse(v, &b->dfu_kind) < 0) {
				snprintf(err, errlen, "board dfu '%s' is unknown; use st, photon or "
				         "spark-core", v);
				return -1;
			}
		} else if (strcmp(field, "serial") == 0) {
			if (!*v || strlen(v) >= sizeof(b->serial)) {
				snprintf(err, errlen, "board serial '%s' must be 1 to 32 characters", v);
				return -1;
			}
			snprintf(b->serial, sizeof(b->serial), "%s", v);
		} else if (strcmp(field, "probe") == 0) {
			probe_set = true;
			if (strcmp(v, "v2") == 0)
				b->o.probe = PROBE_V2;
			else if (strcmp(v, "v2-1") == 0)
				b->o.probe = PROBE_V2_1;
			else if (strcmp(v, "v3") == 0)
				b->o.probe = PROBE_V3;
			else {
				snprintf(err, errlen, "board probe '%s' is unknown; use v2, v2-1 or v3", v);
				return -1;
			}
		} else if (strcmp(field, "timing") == 0) {
			if (strcmp(v, "none") == 0)
				b->o.timing = MCU_TIMING_NONE;
			else if (strcmp(v, "realistic") == 0)
				b->o.timing = MCU_TIMING_REALISTIC;
			else {
				snprintf(err, errlen, "board timing '%s' is unknown; use none or realistic",
				         v);
				return -1;
			}
		} else if (strcmp(field, "fault") == 0) {
			char *end;
			if (strcmp(v, "usb-access") == 0) {
				b->usb_access = true;
			} else if (strcmp(v, "usb-busy") == 0) {
				b->usb_busy = true;
			} else if (strncmp(v, "unplug-after=", 13) == 0) {
				errno = 0;
				unsigned long long n = strtoull(v + 13, &end, 10);
				if (errno || *end || n == 0 || v[13] == '-' || v[13] == '\0') {
					snprintf(err, errlen, "fault 'unplug-after' needs a byte count above 0, "
					         "e.g. unplug-after=65536");
					return -1;
				}
				b->unplug_after = n;
			} else if (strncmp(v, "stall=", 6) == 0) {
				double r = v[6] ? strtod(v + 6, &end) : -1;
				if (!v[6] || *end || !(r > 0 && r <= 1)) {
					snprintf(err, errlen, "fault 'stall' needs a rate above 0 and at most 1, "
					         "e.g. stall=0.01");
					return -1;
				}
				b->stall = r;
			} else if (sim_options_fault(&b->o, v, err, errlen) < 0) {
				if (strncmp(err, "unknown fault", 13) == 0)
					snprintf(err, errlen, "unknown fault '%s'; use usb-access, usb-busy, "
					         "unplug-after=BYTES, stall=RATE or a board fault (swd-disabled, "
					         "unpowered, rdp1, low-power, wrp=LIST, flaky=RATE, "
					         "clone-idcode=HEX)", v);
				return -1;
			} else if (b->o.busy || b->o.drop_after) {
				snprintf(err, errlen, "fault '%s' is for the TCP server; on USB use "
				         "usb-busy or unplug-after=BYTES", v);
				return -1;
			}
		} else {
			snprintf(err, errlen, "board field '%s' is unknown; use model=, flash=, "
			         "serial=, probe=, dfu=, timing= or fault=", field);
			return -1;
		}
	}
	if (!b->o.model || !b->o.flash) {
		snprintf(err, errlen, "--board needs MODEL,FLASHFILE, e.g. --board "
		         "stm32f103c8,board.bin,probe=v2");
		return -1;
	}
	/* One board file, two ways in, one at a time: the SPEC says which device the board
	 * sits behind, an ST-LINK (probe=) or its USB bootloader (dfu=). */
	if (b->dfu_kind && dfu_check_model(b->dfu_kind, b->o.model, err, errlen) < 0)
		return -1;
	if (b->dfu_kind && (probe_set || b->stall)) {
		snprintf(err, errlen, "board '%s': dfu= is the board's own USB bootloader; drop "
		         "%s (it is for an ST-LINK)", b->o.flash, probe_set ? "probe=" : "stall=");
		return -1;
	}
	return 0;
}

/* ---- the bus and the child ------------------------------------------------------- */

/* Attaches the board's handler to b->devnode on the board's own testbed, whose worker
 * thread then serves it, and moves the listening socket to the path under the bus's
 * testbed where clients connect (a bound socket keeps listening when renamed). */
static int attach_handler(struct board *b, char *err, size_t errlen)
{
	GError *gerr = NULL;
	int rc = -1;

	if (!umockdev_testbed_attach_ioctl(b->htb, b->devnode, b->handler, &gerr)) {
		snprintf(err, errlen, "cannot attach %s: %s", b->devnode, gerr->message);
		g_error_free(gerr);
		return -1;
	}
	char *hroot = umockdev_testbed_get_root_dir(b->htb);
	char *root = umockdev_testbed_get_root_dir(b->tb);
	char *from = g_build_filename(hroot, "ioctl", b->devnode, NULL);
	char *to = g_build_filename(root, "ioctl", b->devnode, NULL);
	char *dir = g_path_get_dirname(to);
	if (g_mkdir_with_parents(dir, 0755) < 0 || rename(from, to) < 0)
		snprintf(err, errlen, "cannot move the socket of %s to '%s': %s", b->devnode, to,
		         strerror(errno));
	else
		rc = 0;
	g_free(dir);
	g_free(to);
	g_free(from);
	g_free(root);
	g_free(hroot);
	return rc;
}

static int enumerate_locked(struct board *b, char *err, size_t errlen);

/* The device's node and sysfs record at the next device number (or at devnum when it
 * is not 0), on port b->port: what a device enumerating on the bus creates. The handler
 * must exist. Called by the main thread and, for a device that enumerates again, by the
 * board's. */
int usb_bus_enumerate(struct board *b, int devnum, char *err, size_t errlen)
{
	g_mutex_lock(&bus_lock);
	b->devnum = devnum ? devnum : ++last_devnum;
	if (b->devnum > last_devnum)
		last_devnum = b->devnum;
	int rc = enumerate_locked(b, err, errlen);
	g_mutex_unlock(&bus_lock);
	return rc;
}

static int enumerate_locked(struct board *b, char *err, size_t errlen)
{
	const struct identity *id = usb_identity(b->o.probe);
	uint8_t desc[128];
	size_t dlen;
	unsigned vid = 0x0483, pid = id->pid, bcd = 0x0100;
	const char *manufacturer = USB_MANUFACTURER, *product = id->product, *speed = id->speed;
	char hex[2 * sizeof(desc) + 1];
	GError *gerr = NULL;

	if (b->dfu) {
		const struct dfu_usb_id *di = dfu_usb_id(b->dfu);
		dlen = dfu_descriptors(b->dfu, desc, sizeof(desc));
		vid = di->vid, pid = di->pid, bcd = di->bcd_device;
		manufacturer = di->manufacturer, product = di->product, speed = "12";
	} else {
		dlen = usb_descriptors(id, desc);
	}
	snprintf(b->devnode, sizeof(b->devnode), "/dev/bus/usb/001/%03d", b->devnum);
	for (size_t k = 0; k < dlen; k++)
		snprintf(hex + 2 * k, 3, "%02x", desc[k]);
	/* The handlers first, so the device can be opened as soon as it appears. */
	if (attach_handler(b, err, errlen) < 0)
		return -1;
	char *root = umockdev_testbed_get_root_dir(b->tb);
	int rc = usb_direct_bind(b, root, err, errlen);
	g_free(root);
	if (rc < 0)
		return -1;
	/* A device record rather than add_device: only a record creates the node file.
	 * Text attributes end in a newline as in sysfs; usb_device nodes have major 189. */
	char *rec = g_strdup_printf(
		"P: /devices/pci0000:00/0000:00:14.0/usb1/1-%d\n"
		"N: bus/usb/001/%03d\n"
		"E: SUBSYSTEM=usb\nE: DRIVER=usb\nE: DEVTYPE=usb_device\n"
		"E: DEVNAME=/dev/bus/usb/001/%03d\nE: BUSNUM=001\nE: DEVNUM=%03d\n"
		"E: PRODUCT=%x/%x/%x\nE: ID_VENDOR_ID=%04x\nE: ID_MODEL_ID=%04x\n"
		"E: ID_SERIAL_SHORT=%s\n"
		"A: dev=189:%d\\n\nA: busnum=1\\n\nA: devnum=%d\\n\nA: speed=%s\\n\n"
		"A: idVendor=%04x\\n\nA: idProduct=%04x\\n\nA: bcdDevice=%04x\\n\n"
		"A: bConfigurationValue=1\\n\nA: bNumConfigurations=1\\n\n"
		"A: bDeviceClass=00\\n\nA: maxchild=0\\n\n"
		"A: manufacturer=%s\\n\nA: product=%s\\n\nA: serial=%s\\n\n"
		"H: descriptors=%s\n",
		b->port, b->devnum, b->devnum, b->devnum, vid, pid, bcd, vid, pid, b->serial,
		b->devnum - 1, b->devnum, speed, vid, pid, bcd, manufacturer, product,
		b->serial, hex);
	g_free(b->syspath);
	b->syspath = g_strdup_printf("/sys/devices/pci0000:00/0000:00:14.0/usb1/1-%d", b->port);
	bool ok = umockdev_testbed_add_from_string(b->tb, rec, &gerr);
	g_free(rec);
	if (!ok) {
		snprintf(err, errlen, "cannot add the USB device for '%s': %s", b->spec,
		         gerr->message);
		g_error_free(gerr);
		return -1;
	}
	if (b->usb_access) {
		/* Only the owner may open it: root still can, as on a real system. */
		char *root = umockdev_testbed_get_root_dir(b->tb);
		char *node = g_build_filename(root, b->devnode, NULL);
		chmod(node, 0);
		g_free(node);
		g_free(root);
	}
	return 0;
}

void usb_bus_remove(struct board *b)
{
	g_mutex_lock(&bus_lock);
	if (b->syspath)
		umockdev_testbed_remove_device(b->tb, b->syspath);
	g_mutex_unlock(&bus_lock);
}

static int add_board(UMockdevTestbed *tb, struct board *b, char *err, size_t errlen)
{
	b->tb = tb;
	usb_dev_init(b);
	if (usb_bus_enumerate(b, b->devnum, err, errlen) < 0)
		return -1;
	return usb_direct_start(b, err, errlen);
}

/* The bus's testbed and one per board (each with its worker thread). A testbed is a
 * directory tree, sysfs included, that every client reads at start: it goes in memory,
 * /dev/shm, unless $TMPDIR says where (on this disk, 16 boards took 0.5 s to set up and
 * take down instead of 0.1 s). Each testbed sets $UMOCKDEV_DIR to its own root: the
 * bus's comes last. Returns: new, the bus's testbed. */
static UMockdevTestbed *new_testbeds(struct board *boards, size_t nb)
{
	struct stat st;
	bool shm = !getenv("TMPDIR") && stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
	           access("/dev/shm", W_OK | X_OK) == 0;

	if (shm)
		setenv("TMPDIR", "/dev/shm", 1); /* read once, by the first testbed */
	for (size_t k = 0; k < nb; k++)
		boards[k].htb = umockdev_testbed_new();
	UMockdevTestbed *tb = umockdev_testbed_new();
	if (shm)
		unsetenv("TMPDIR"); /* the child's environment stays as it was given */
	return tb;
}

static double cpu_s(const struct rusage *r)
{
	return (double)(r->ru_utime.tv_sec + r->ru_stime.tv_sec) +
	       (double)(r->ru_utime.tv_usec + r->ru_stime.tv_usec) / 1e6;
}

/* --stats: the bus's own CPU time (every thread of this process) per URB, and the
 * command's (libusb spins reaping while a transfer waits: the node is a plain file). */
static void print_stats(const struct board *boards, size_t nb)
{
	struct rusage self, children;
	uint64_t urbs = 0, ioctls = 0, direct = 0, empty = 0, saves = 0;

	for (size_t k = 0; k < nb; k++) {
		urbs += boards[k].urbs;
		ioctls += boards[k].ioctls;
		direct += boards[k].direct_ioctls;
		empty += boards[k].empty_reaps;
		saves += boards[k].saves;
	}
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &children);
	fprintf(stderr, "swdbackup-sim usb: %llu urbs in %llu ioctls (%llu direct, %llu through "
	        "umockdev; %llu empty reaps; %llu board saves), bus cpu %.3f s (%.1f us per "
	        "urb), command cpu %.3f s\n", (unsigned long long)urbs,
	        (unsigned long long)(ioctls + direct), (unsigned long long)direct,
	        (unsigned long long)ioctls, (unsigned long long)empty, (unsigned long long)saves,
	        cpu_s(&self), urbs ? cpu_s(&self) * 1e6 / (double)urbs : 0.0, cpu_s(&children));
}

/* libswdsim-preload (preload.c): beside this executable in the build tree, else where
 * it is installed relative to bin/. Returns: new, its path, or NULL when it is not found
 * or its path cannot go in LD_PRELOAD (which splits at spaces and colons). */
static char *find_preload(void)
{
	char *exe = g_file_read_link("/proc/self/exe", NULL);
	char *dir = exe ? g_path_get_dirname(exe) : NULL;
	const char *rel = SWDSIM_PRELOAD_RELDIR;
	char *found = NULL;

	if (!dir)
		goto out;
	char *tries[2] = {
		g_build_filename(dir, "libswdsim-preload.so", NULL),
		rel[0] == '/' ? g_build_filename(rel, "libswdsim-preload.so", NULL)
		              : g_build_filename(dir, "..", rel, "libswdsim-preload.so", NULL),
	};
	for (size_t k = 0; k < 2; k++) {
		if (!found && access(tries[k], R_OK) == 0 && !strpbrk(tries[k], " :"))
			found = tries[k];
		else
			g_free(tries[k]);
	}
out:
	g_free(dir);
	g_free(exe);
	return found;
}

/* The child's LD_PRELOAD: ours, umockdev's, then whatever was there. Returns: new. */
static char *child_preload(void)
{
	const char *old = getenv("LD_PRELOAD");
	char *ours = find_preload();
	char *preload = g_strdup_printf("%s%slibumockdev-preload.so.0%s%s", ours ? ours : "",
	                                ours ? ":" : "", old ? ":" : "", old ? old : "");

	g_free(ours);
	return preload;
}

static volatile sig_atomic_t child_pid;

static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

/* The board behind the device: its MCU, and its ST-LINK or DFU bootloader. */
static int init_board(struct board *b, char *err, size_t errlen)
{
	bool realistic = b->o.timing == MCU_TIMING_REALISTIC;
	/* Behind a DFU bootloader the board runs no debugger's algorithms: the bootloader
	 * (dfu.c) keeps the flash times itself and reports them. */
	struct mcu_config mc = {
		.model = b->o.model, .flash_path = b->o.flash, .faults = b->o.faults,
		.timing = b->dfu_kind ? MCU_TIMING_NONE : b->o.timing, .seed = b->o.seed,
	};

	err[0] = '\0';
	b->mcu = mcu_new(&mc, err, errlen);
	if (!b->mcu) {
		if (!err[0])
			snprintf(err, errlen, "cannot create board");
		return -1;
	}
	if (b->dfu_kind) {
		b->dfu = dfu_new(b->dfu_kind, b->mcu, b->o.model, b->o.flash, realistic, err,
		                 errlen);
		if (!b->dfu)
			return -1;
		if (!b->serial[0])
			dfu_default_serial(b->dfu, b->serial);
	}
	if (!b->serial[0])
		probe_default_serial(b->serial, b->o.flash);
	struct probe_config pc = {.model = b->o.probe, .serial = b->serial};
	probe_init(&b->probe, b->mcu, &pc);
	return 0;
}

static const char *usage =
	"usage: swdbackup-sim usb [--stats] --board SPEC [--board SPEC]... -- COMMAND [ARGS...]\n"
	"\n"
	"Runs COMMAND on a virtual USB bus with one device per SPEC: an ST-LINK with the\n"
	"board behind it, or with dfu= the board's own USB DFU bootloader:\n"
	"  MODEL,FLASHFILE[,serial=TEXT][,probe=v2|v2-1|v3|dfu=KIND][,timing=none|realistic]\n"
	"  [,fault=F]...\n"
	"MODEL and FLASHFILE may also be given as model=MODEL and flash=FILE.\n"
	"dfu=KIND: st (0483:df11, STM32F2/F4 system bootloader, F2/F4 models), photon\n"
	"(2b04:d006, Particle Photon, stm32f205rg; alt 1 is the DCT, flash sector 1) or\n"
	"spark-core (1d50:607f, stm32f103cb; alt 1 is the 2 MiB SPI flash, kept in\n"
	"FLASHFILE.spi). The same board file works either way, one way per run. With\n"
	"timing=realistic the bootloader reports datasheet erase/program times as\n"
	"bwPollTimeout and holds its answers for them and for full-speed USB transfer time.\n"
	"F is a board fault of the TCP server (swd-disabled, unpowered, rdp1, low-power,\n"
	"wrp=LIST, flaky=RATE, clone-idcode=HEX) or a USB fault: usb-access, usb-busy,\n"
	"unplug-after=BYTES, stall=RATE (ST-LINK only). Exits with COMMAND's status.\n"
	"--stats prints at the end the URB and ioctl counts (on the direct channel and\n"
	"through umockdev's handler), the reaps that found nothing, the board file saves\n"
	"(one per closed file, one per device leaving the bus), and the CPU time of the\n"
	"bus and of COMMAND. The bus's files (sysfs, device nodes, sockets) go in /dev/shm\n"
	"unless TMPDIR is set.\n"
	"COMMAND and its children get libswdsim-preload, which sends every usbdevfs ioctl\n"
	"of a device node over a direct socket to the bus, one message each way; a process\n"
	"with SWDSIM_DIRECT_USBFS=0 in its environment uses umockdev's ioctl protocol.\n";

int sim_usb_main(int argc, char **argv)
{
	static struct board boards[MAX_BOARDS];
	size_t nb = 0;
	char err[512] = "";
	int i, status = 1;
	bool stats = false;
	UMockdevTestbed *tb = NULL;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		}
		if (strcmp(argv[i], "--stats") == 0) {
			stats = true;
			continue;
		}
		if (strcmp(argv[i], "--board") != 0 || i + 1 >= argc) {
			fprintf(stderr, "swdbackup-sim usb: expected --board SPEC or --, got '%s'; "
			        "see swdbackup-sim usb --help\n", argv[i]);
			return 2;
		}
		if (nb == MAX_BOARDS) {
			fprintf(stderr, "swdbackup-sim usb: at most %d boards\n", MAX_BOARDS);
			return 2;
		}
		struct board *b = &boards[nb];
		memset(b, 0, sizeof(*b));
		if (parse_spec(b, argv[++i], err, sizeof(err)) < 0) {
			fprintf(stderr, "swdbackup-sim usb: %s\n", err);
			return 2;
		}
		b->devnum = (int)nb + 2; /* 1 is the root hub */
		b->port = (int)nb + 1;
		b->rng = 0x9E3779B97F4A7C15ull ^ (uint64_t)b->devnum;
		nb++;
	}
	if (nb == 0 || i >= argc) {
		fprintf(stderr, "swdbackup-sim usb: needs at least one --board SPEC and a command "
		        "after --; see swdbackup-sim usb --help\n");
		return 2;
	}

	for (size_t k = 0; k < nb; k++)
		if (init_board(&boards[k], err, sizeof(err)) < 0) {
			fprintf(stderr, "swdbackup-sim usb: %s\n", err);
			goto out;
		}

	tb = new_testbeds(boards, nb);
	for (size_t k = 0; k < nb; k++)
		if (add_board(tb, &boards[k], err, sizeof(err)) < 0) {
			fprintf(stderr, "swdbackup-sim usb: %s\n", err);
			goto out;
		}

	char *preload = child_preload();
	pid_t pid = fork();
	if (pid == 0) {
		setenv("LD_PRELOAD", preload, 1);
		execvp(argv[i], argv + i);
		fprintf(stderr, "swdbackup-sim usb: cannot run '%s': %s\n", argv[i],
		        strerror(errno));
		_exit(127);
	}
	g_free(preload);
	if (pid < 0) {
		fprintf(stderr, "swdbackup-sim usb: cannot start '%s': %s\n", argv[i],
		        strerror(errno));
		goto out;
	}
	child_pid = pid;
	struct sigaction sa = {.sa_handler = forward_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	int ws;
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	if (stats)
		print_stats(boards, nb);

out:
	/* The boards' threads first: each may still be using the shared testbed (a device
	 * that leaves the bus or enumerates again writes its sysfs, and the direct channel's
	 * socket is in its directory). */
	for (size_t k = 0; k < nb; k++) {
		usb_direct_stop(&boards[k]);
		if (boards[k].htb)
			g_object_unref(boards[k].htb);
		usb_dev_release(&boards[k]);
		g_free(boards[k].syspath);
		dfu_free(boards[k].dfu);
		if (boards[k].mcu && mcu_free(boards[k].mcu) < 0) {
			fprintf(stderr, "swdbackup-sim usb: cannot save '%s'\n", boards[k].o.flash);
			if (status == 0)
				status = 1;
		}
	}
	if (tb)
		g_object_unref(tb);
	return status;
}
