// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiox-handover: test helper for the VM, the receiving side of a hand-over (libvfiox).
 *
 *   work ADDR listen        adopt the fds vfioctl exec passed (LISTEN_FDS)
 *   work ADDR recv SOCK     listen on SOCK (SOCK_SEQPACKET), take one vfioctl pass
 *   work ADDR connect SOCK  ask vfioctl serve on SOCK
 *        then, with what arrived and nothing opened under /dev/vfio: an edu DMA round trip
 *        through a mapping in the passed container (type1, or the iommufd with the IOAS
 *        adopting it allocated) and an MSI on an eventfd. Prints one fact a line:
 *        "uid U", "own open /dev/vfio/N: REASON", "own open /dev/vfio/devices/vfioN:
 *        REASON" (where the device has a cdev), "fds NAMES", "backend B", "roundtrip ok",
 *        "msi ok".
 *   ask SOCK [UID]          connect to vfioctl serve (as UID), print "got N fds",
 *                           "refused: WHY" or "connect: WHY"
 *   silent SOCK SECONDS     connect and say and read nothing for SECONDS
 *   keep SOCK SECONDS       ask vfioctl serve, adopt what it hands (an iommufd bundle's
 *                           cdev is bound then), print "kept N fds", hold it SECONDS
 *   badmsg GROUP            as root, bad hand-overs over a socketpair (real fds: group GROUP
 *                           on vfio-pci, a pipe): one line a case, "NAME: ERRNO (why)
 *                           fds A->B", B the open fds after, A before
 *   badmsg-iommufd ADDR     the same for iommufd bundles (real fds: /dev/iommu, the cdev
 *                           of ADDR on vfio-pci, its group, a pipe), the kernel's bind
 *                           refusals among them
 *   bench-exec ADDR N       (make bench) N rounds, alternating: fork + exec of
 *                           `vfioctl exec ADDR -- /bin/true` against a plain fork + exec of
 *                           /bin/true; medians side by side
 *   bench-serve SOCK N      N round trips to vfioctl serve on SOCK (connect, receive,
 *                           check, adopt, close); the median
 *   hold ADDR cooperative|ignore SECONDS
 *                           adopt from LISTEN_FDS, enable REQ on the device, print "ready";
 *                           on REQ either close everything ("released") or keep it
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <dirent.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helper.h"

static struct vfiox_ctx *ctx;

static int fail(const char *what)
{
	printf("FAIL %s: %s\n", what, vfiox_ctx_last_error(ctx));
	return 1;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own fd */
}

static int edu_roundtrip(struct vfiox_container *c, struct vfiox_bar *bar)
{
	struct vfiox_dma_buf *b1, *b2;
	uint8_t *src, *dst;
	uint64_t i1, i2;
	int i, ret;

	if (vfiox_dma_buf_new(ctx, 4096, VFIOX_BUF_ANON, &b1) ||
	    vfiox_dma_buf_new(ctx, 4096, VFIOX_BUF_ANON, &b2))
		return fail("buffers");
	src = vfiox_dma_buf_addr(b1);
	dst = vfiox_dma_buf_addr(b2);
	for (i = 0; i < 2048; i++)
		src[i] = (uint8_t)(i * 13 + 5);
	memset(dst, 0xee, 4096);
	if (vfiox_dma_map(c, src, 4096, VFIOX_DMA_READ, EDU_MASK, &i1) ||
	    vfiox_dma_map(c, dst, 4096, VFIOX_DMA_WRITE, EDU_MASK, &i2))
		return fail("map");
	if ((ret = helper_edu_dma(bar, i1, 2048, 0)) || (ret = helper_edu_dma(bar, i2, 2048, 1))) {
		printf("FAIL edu dma: %s\n", strerror(-ret));
		return 1;
	}
	printf("roundtrip %s\n", !memcmp(src, dst, 2048) && dst[2048] == 0xee ? "ok" : "DIFFERS");
	vfiox_dma_unmap_all(c);
	vfiox_dma_buf_free(b1);
	vfiox_dma_buf_free(b2);
	return 0;
}

static int edu_msi(struct vfiox_device *d, struct vfiox_bar *bar)
{
	struct vfiox_irq_waiter *w = NULL;
	uint32_t status;
	uint64_t tag;
	int efd = -1, n;

	if (vfiox_irq_eventfd(ctx, &efd) || vfiox_irq_waiter_new(ctx, &w) ||
	    vfiox_irq_waiter_add(w, efd, 1) || vfiox_irq_enable(d, VFIOX_IRQ_MSI, 0, 1, &efd) ||
	    vfiox_bar_write32(bar, 0x60, 1))
		return fail("msi");
	n = vfiox_irq_waiter_wait(w, 2000, &tag, 1);
	printf("msi %s\n", n == 1 ? "ok" : "LOST");
	vfiox_bar_read32(bar, 0x24, &status);
	vfiox_bar_write32(bar, 0x64, status);
	vfiox_irq_disable(d, VFIOX_IRQ_MSI);
	vfiox_irq_waiter_free(w);
	close(efd);
	return n == 1 ? 0 : 1;
}

/* What the process can do itself: its uid, and whether it could open the group. */
static int own_view(const char *addr)
{
	struct vfiox_scan *scan;
	struct vfiox_pci_dev *p;
	char path[4096];
	int fd, group;

	if (vfiox_scan_new(ctx, &scan) || vfiox_scan_find_dev(scan, addr, &p))
		return fail("scan");
	group = vfiox_pci_dev_iommu_group(p);
	vfiox_scan_free(scan);
	printf("uid %d\n", (int)getuid());
	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	fd = open(path, O_RDWR | O_CLOEXEC);
	printf("own open %s: %s\n", path, fd < 0 ? strerror(errno) : "opened");
	if (fd >= 0)
		close(fd);
	if (vfiox_device_cdev(ctx, addr, path, sizeof(path)) == 0) {
		fd = open(path, O_RDWR | O_CLOEXEC);
		printf("own open %s: %s\n", path, fd < 0 ? strerror(errno) : "opened");
		if (fd >= 0)
			close(fd);
	}
	return group;
}

static int sock_at(const char *path, bool server)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0), c;
	struct pollfd p;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0)
		return -1;
	if (!server)
		return connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -1 : fd;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1))
		return -1;
	printf("listening\n");
	fflush(stdout);
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (poll(&p, 1, 30000) != 1)
		return -1;
	c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	close(fd);
	return c;
}

/* Another program's live socket: a SOCK_STREAM listener at @path for @secs seconds. */
static int stream_listener(const char *path, int secs)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1))
		return fail("stream listener");
	printf("listening\n");
	fflush(stdout);
	sleep((unsigned)secs);
	close(fd);
	return 0;
}

/*
 * A listener that never accepts, its backlog full: SOCK_SEQPACKET, backlog 0, one
 * connection of its own queued, for @secs seconds. A further connect gets EAGAIN.
 */
static int full_listener(const char *path, int secs)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	int c = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || c < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 0) ||
	    connect(c, (struct sockaddr *)&sa, sizeof(sa)))
		return fail("full listener");
	printf("listening\n");
	fflush(stdout);
	sleep((unsigned)secs);
	close(c);
	close(fd);
	return 0;
}

static int get_bundle(const char *how, const char *sock, struct vfiox_bundle **b)
{
	int fd, ret;

	if (!strcmp(how, "listen"))
		return vfiox_bundle_listen_fds(ctx, VFIOX_LISTEN_UNSETENV, b);
	fd = sock_at(sock, !strcmp(how, "recv"));
	if (fd < 0) {
		printf("FAIL socket %s: %s\n", sock, strerror(errno));
		return -1;
	}
	ret = vfiox_bundle_recv(ctx, fd, 10000, b);
	close(fd);
	return ret;
}

static int work(const char *addr, const char *how, const char *sock)
{
	struct vfiox_device *d, *own = NULL;
	struct vfiox_bundle *b;
	struct vfiox_bar *bar;
	char names[1024] = "";
	uint16_t cmd;
	size_t i;
	int group = own_view(addr), ret;

	if (group < 0 || get_bundle(how, sock, &b))
		return fail("hand-over");
	for (i = 0; i < vfiox_bundle_num_fds(b); i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", i ? " " : "",
			 vfiox_bundle_fd_name(b, i));
	printf("fds %s\n", names);
	printf("backend %s\n", vfiox_backend_name(vfiox_bundle_backend(b)));
	/* Without a device fd in the bundle, the group it came with gives one (type1). */
	d = vfiox_bundle_device(b, addr);
	if (!d && vfiox_device_open(vfiox_bundle_group(b, group), addr, NULL, &own))
		return fail("device from the passed group");
	if (!d)
		d = own;
	if (vfiox_bar_open(d, 0, 0, &bar) || vfiox_device_config_read(d, 4, &cmd, 2))
		return fail("bar");
	cmd |= 0x4; /* bus master: edu's DMA and MSI are memory writes */
	if (vfiox_device_config_write(d, 4, &cmd, 2))
		return fail("bus master");
	ret = edu_roundtrip(vfiox_bundle_container(b), bar) | edu_msi(d, bar);
	vfiox_bar_close(bar);
	vfiox_device_close(own);
	vfiox_bundle_free(b);
	return ret;
}

static int keep(const char *sock, int secs)
{
	struct vfiox_bundle *b;
	int fd = sock_at(sock, false), ret;

	if (fd < 0) {
		printf("connect: %s\n", strerror(errno));
		return 1;
	}
	ret = vfiox_bundle_recv(ctx, fd, 10000, &b);
	close(fd);
	if (ret) {
		printf("refused: %s\n", vfiox_ctx_last_error(ctx));
		return 1;
	}
	printf("kept %zu fds\n", vfiox_bundle_num_fds(b));
	fflush(stdout);
	sleep((unsigned)secs);
	vfiox_bundle_free(b);
	return 0;
}

static int ask(const char *sock, const char *uid)
{
	struct vfiox_bundle *b;
	int fd, ret;

	if (uid && (setgid((gid_t)atoi(uid)) || setuid((uid_t)atoi(uid)))) {
		printf("FAIL setuid %s: %s\n", uid, strerror(errno));
		return 1;
	}
	fd = sock_at(sock, false);
	if (fd < 0) {
		printf("connect: %s\n", strerror(errno));
		return 1;
	}
	ret = vfiox_bundle_recv(ctx, fd, 10000, &b);
	close(fd);
	if (ret) {
		printf("refused: %s\n", vfiox_ctx_last_error(ctx));
		return 1;
	}
	printf("got %zu fds\n", vfiox_bundle_num_fds(b));
	vfiox_bundle_free(b);
	return 0;
}

/* Sends @text with @n fds on one end of a fresh socketpair and receives on the other. */
static void bad_case(const char *name, const char *text, size_t len, const int *fds, size_t n)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * 8)];
	} cm;
	struct iovec iov = { .iov_base = (void *)text, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct vfiox_bundle *b = NULL;
	int sp[2], before, ret;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp)) {
		printf("%s: FAIL socketpair\n", name);
		return;
	}
	before = count_fds();
	if (n) {
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		cm.h.cmsg_level = SOL_SOCKET;
		cm.h.cmsg_type = SCM_RIGHTS;
		cm.h.cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(&cm.h), fds, sizeof(int) * n);
	}
	if (sendmsg(sp[0], &msg, 0) < 0) {
		printf("%s: FAIL sendmsg: %s\n", name, strerror(errno));
		goto out;
	}
	ret = vfiox_bundle_recv(ctx, sp[1], 1000, &b);
	vfiox_bundle_free(b);
	printf("%s: %s (%s) fds %d->%d\n", name, ret ? strerrorname_np(-ret) : "adopted",
	       ret ? vfiox_ctx_last_error(ctx) : "-", before, count_fds());
out:
	close(sp[0]);
	close(sp[1]);
}

static int badmsg(int group)
{
	struct vfiox_container *c;
	struct vfiox_vgroup *g;
	char good[256], wrong[256], big[5000];
	int p[2], fds[3];

	if (vfiox_container_open(ctx, &c) || vfiox_vgroup_open(ctx, group, &g) ||
	    vfiox_container_attach(c, g) || pipe2(p, O_CLOEXEC))
		return fail("setup");
	snprintf(good, sizeof(good), "vfiox-handover 1\niommu type1v2\ncontainer\ngroup %d\nend\n",
		 group);
	snprintf(wrong, sizeof(wrong), "vfiox-handover 1\niommu type1v2\ncontainer\ngroup %d\n"
		 "end\n", group + 1000);
	fds[0] = vfiox_container_fd(c);
	fds[1] = vfiox_vgroup_fd(g);
	fds[2] = p[0];
	bad_case("good", good, strlen(good), fds, 2);
	bad_case("no-fds", good, strlen(good), fds, 0);
	bad_case("more-fds", good, strlen(good), fds, 3);
	bad_case("truncated", good, strlen(good) - 4, fds, 2);
	memset(big, 'x', sizeof(big));
	bad_case("overlong", big, sizeof(big), fds, 2);
	bad_case("wrong-group", wrong, strlen(wrong), fds, 2);
	fds[1] = p[0];
	bad_case("pipe-as-group", good, strlen(good), fds, 2);
	fds[0] = p[1];
	fds[1] = vfiox_vgroup_fd(g);
	bad_case("pipe-as-container", good, strlen(good), fds, 2);
	close(p[0]);
	close(p[1]);
	vfiox_vgroup_close(g);
	vfiox_container_close(c);
	return 0;
}

/* A fresh /dev/iommu and a fresh open of @cdev, as a sender holds them: 0 or -1. */
static int open_pair(const char *cdev, int *io, int *cd)
{
	*io = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	*cd = open(cdev, O_RDWR | O_CLOEXEC);
	return *io < 0 || *cd < 0 ? -1 : 0;
}

static int badmsg_iommufd(const char *addr)
{
	struct vfiox_bundle *held = NULL;
	char cdev[4096], good[256], other[256], mixed[256], big[5000];
	int p[2], fds[3], io, cd, io2, cd2, gfd, group = -1;
	struct vfiox_scan *scan;
	struct vfiox_pci_dev *dev;

	if (vfiox_device_cdev(ctx, addr, cdev, sizeof(cdev)) || pipe2(p, O_CLOEXEC) ||
	    vfiox_scan_new(ctx, &scan) || vfiox_scan_find_dev(scan, addr, &dev))
		return fail("setup");
	group = vfiox_pci_dev_iommu_group(dev);
	vfiox_scan_free(scan);
	snprintf(good, sizeof(good), "vfiox-handover 1\niommu iommufd\niommufd\ncdev %s %d\nend\n",
		 addr, group);
	/* another device's cdev, which has none: it cannot be checked */
	snprintf(other, sizeof(other), "vfiox-handover 1\niommu iommufd\niommufd\n"
		 "cdev 0000:00:00.0 %d\nend\n", group);
	snprintf(mixed, sizeof(mixed), "vfiox-handover 1\niommu type1v2\ncontainer\ngroup %d\n"
		 "cdev %s %d\nend\n", group, addr, group);
	if (open_pair(cdev, &io, &cd))
		return fail("open /dev/iommu and the cdev");
	fds[0] = io;
	fds[1] = cd;
	fds[2] = p[0];
	bad_case("good", good, strlen(good), fds, 2);
	/*
	 * Our copies of the files keep the cdev bound to that iommufd (the kernel unbinds on
	 * the last close): fresh ones for the rest.
	 */
	close(io);
	close(cd);
	if (open_pair(cdev, &io, &cd))
		return fail("open /dev/iommu and the cdev again");
	fds[0] = io;
	fds[1] = cd;
	bad_case("no-fds", good, strlen(good), fds, 0);
	bad_case("more-fds", good, strlen(good), fds, 3);
	bad_case("truncated", good, strlen(good) - 4, fds, 2);
	memset(big, 'x', sizeof(big));
	bad_case("overlong", big, sizeof(big), fds, 2);
	bad_case("mixed", mixed, strlen(mixed), fds, 2);
	bad_case("other-cdev", other, strlen(other), fds, 2);
	fds[1] = io;
	bad_case("iommufd-as-cdev", good, strlen(good), fds, 2);
	fds[0] = cd;
	fds[1] = cd;
	bad_case("cdev-as-iommufd", good, strlen(good), fds, 2);
	fds[0] = io;
	fds[1] = p[0];
	bad_case("pipe-as-cdev", good, strlen(good), fds, 2);
	/* the group open the type1 way: the kernel refuses the bind (EBUSY) */
	snprintf(big, sizeof(big), "/dev/vfio/%d", group);
	gfd = open(big, O_RDWR | O_CLOEXEC);
	if (gfd < 0)
		return fail("open the group");
	fds[1] = cd;
	bad_case("group-open", good, strlen(good), fds, 2);
	close(gfd);
	/* bound already (a receiver holds it): a second open of the cdev does not bind */
	{
		int sp[2];
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(sizeof(int) * 2)];
		} cm = { .h = { .cmsg_len = CMSG_LEN(sizeof(int) * 2), .cmsg_level = SOL_SOCKET,
				.cmsg_type = SCM_RIGHTS } };
		struct iovec iov = { .iov_base = good, .iov_len = strlen(good) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf,
				      .msg_controllen = sizeof(cm.buf) };

		memcpy(CMSG_DATA(&cm.h), (int[]){ io, cd }, sizeof(int) * 2);
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) ||
		    sendmsg(sp[0], &msg, 0) < 0 || vfiox_bundle_recv(ctx, sp[1], 1000, &held))
			return fail("the first receiver");
		close(sp[0]);
		close(sp[1]);
	}
	if (open_pair(cdev, &io2, &cd2))
		return fail("open /dev/iommu and the cdev again");
	fds[0] = io2;
	fds[1] = cd2;
	bad_case("bound-elsewhere", good, strlen(good), fds, 2);
	vfiox_bundle_free(held);
	close(io2);
	close(cd2);
	close(io);
	close(cd);
	close(p[0]);
	close(p[1]);
	return 0;
}

static int hold(const char *addr, const char *mode, int seconds)
{
	struct vfiox_irq_waiter *w = NULL;
	struct vfiox_bundle *b;
	struct vfiox_device *d;
	uint64_t tag;
	int efd = -1, n, left = seconds * 10;

	if (vfiox_bundle_listen_fds(ctx, VFIOX_LISTEN_UNSETENV, &b))
		return fail("hand-over");
	d = vfiox_bundle_device(b, addr);
	if (!d || vfiox_irq_eventfd(ctx, &efd) || vfiox_irq_waiter_new(ctx, &w) ||
	    vfiox_irq_waiter_add(w, efd, 4) || vfiox_irq_enable(d, VFIOX_IRQ_REQ, 0, 1, &efd))
		return fail("req");
	printf("ready\n");
	fflush(stdout);
	while (left-- > 0) {
		n = vfiox_irq_waiter_wait(w, 100, &tag, 1);
		if (n == 1 && !strcmp(mode, "cooperative")) {
			printf("req: released\n");
			fflush(stdout);
			break;
		}
		if (n == 1) {
			printf("req: ignored\n");
			fflush(stdout);
		}
	}
	vfiox_irq_waiter_free(w);
	close(efd);
	vfiox_bundle_free(b);
	return 0;
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static long long median(long long *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_ll);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One fork + exec of @argv to its end, in microseconds; -1 when it failed. */
static long long spawn(char *const *argv)
{
	long long t0 = now_us();
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;
	return now_us() - t0;
}

/* vfioctl exec against a plain exec, alternating (a broker must not hold the group). */
static int bench_exec(char *addr, int n)
{
	char *with[] = { "vfioctl", "exec", addr, "--", "/bin/true", NULL };
	char *plain[] = { "/bin/true", NULL }, *bare[] = { "vfioctl", "--version", NULL };
	long long *a = calloc((size_t)n, sizeof(*a)), *b = calloc((size_t)n, sizeof(*b));
	long long *c = calloc((size_t)n, sizeof(*c));
	int i;

	if (!a || !b || !c)
		return 1;
	for (i = 0; i < n; i++) {
		a[i] = spawn(with);
		b[i] = spawn(plain);
		c[i] = spawn(bare);
		if (a[i] < 0 || b[i] < 0 || c[i] < 0) {
			printf("bench: FAILED: vfioctl exec %s -- /bin/true did not run\n", addr);
			return 1;
		}
	}
	printf("bench: vfioctl exec %s -- /bin/true (bundle of 3 fds): median %lld us; "
	       "plain fork+exec of /bin/true: median %lld us; the hand-over adds %lld us "
	       "(%d rounds, alternating)\n", addr, median(a, n), median(b, n),
	       median(a, n) - median(b, n), n);
	printf("bench: of which starting vfioctl itself (vfioctl --version, its shared libraries "
	       "loaded): median %lld us; opening and placing the bundle: %lld us\n", median(c, n),
	       median(a, n) - median(c, n));
	free(a);
	free(b);
	free(c);
	return 0;
}

/* Round trips to vfioctl serve: connect, receive, check, adopt, close. */
static int bench_serve(const char *sock, int n)
{
	long long *c = calloc((size_t)n, sizeof(*c));
	struct vfiox_bundle *bu;
	int i, fd;

	if (!c)
		return 1;
	for (i = 0; i < n; i++) {
		c[i] = now_us();
		fd = sock_at(sock, false);
		if (fd < 0 || vfiox_bundle_recv(ctx, fd, 5000, &bu)) {
			printf("bench: FAILED: serve round trip: %s\n", vfiox_ctx_last_error(ctx));
			return 1;
		}
		vfiox_bundle_free(bu);
		close(fd);
		c[i] = now_us() - c[i];
	}
	printf("bench: vfioctl serve round trip (connect, receive 3 fds, check each, adopt, close): "
	       "median %lld us (%d rounds)\n", median(c, n), n);
	free(c);
	return 0;
}

int main(int argc, char **argv)
{
	int ret = 2;

	if (vfiox_ctx_new(&ctx))
		return 1;
	if (argc >= 4 && !strcmp(argv[1], "work"))
		ret = work(argv[2], argv[3], argc > 4 ? argv[4] : NULL);
	else if (argc >= 3 && !strcmp(argv[1], "ask"))
		ret = ask(argv[2], argc > 3 ? argv[3] : NULL);
	else if (argc == 4 && !strcmp(argv[1], "keep"))
		ret = keep(argv[2], atoi(argv[3]));
	else if (argc == 4 && !strcmp(argv[1], "silent"))
		ret = sock_at(argv[2], false) < 0 ? 1 : (sleep((unsigned)atoi(argv[3])), 0);
	else if (argc == 3 && !strcmp(argv[1], "badmsg"))
		ret = badmsg(atoi(argv[2]));
	else if (argc == 3 && !strcmp(argv[1], "badmsg-iommufd"))
		ret = badmsg_iommufd(argv[2]);
	else if (argc == 4 && !strcmp(argv[1], "bench-exec"))
		ret = bench_exec(argv[2], atoi(argv[3]));
	else if (argc == 4 && !strcmp(argv[1], "bench-serve"))
		ret = bench_serve(argv[2], atoi(argv[3]));
	else if (argc == 5 && !strcmp(argv[1], "hold"))
		ret = hold(argv[2], argv[3], atoi(argv[4]));
	else if (argc == 4 && !strcmp(argv[1], "stream"))
		ret = stream_listener(argv[2], atoi(argv[3]));
	else if (argc == 4 && !strcmp(argv[1], "full"))
		ret = full_listener(argv[2], atoi(argv[3]));
	else
		fprintf(stderr, "usage: vfiox-handover work ADDR listen|recv SOCK|connect SOCK | "
				"ask SOCK [UID] | silent SOCK SECONDS | keep SOCK SECONDS | badmsg GROUP | badmsg-iommufd ADDR | hold ADDR cooperative|ignore SECONDS | "
				"stream SOCK SECONDS | full SOCK SECONDS\n");
	fflush(stdout);
	vfiox_ctx_free(ctx);
	return ret;
}
