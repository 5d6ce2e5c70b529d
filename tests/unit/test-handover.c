// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Hand-over bundles (libvfiox/handover.c) against a fake kernel at the syscall layer: the
 * VFIO nodes under a fake /dev hand out fake fds whose fstat, /proc/self/fd link and
 * ioctls answer as the kernel's would (container 10:196, group N as 240:N, device fds as
 * anon inodes, and a pipe for what is not VFIO at all); sendmsg records the packet, and
 * recvmsg delivers the one a test scripts, fds and all, with the kernel's truncation flags
 * when it does not fit. The iommufd side too: /dev/iommu (misc 10:123 in the fake sysfs)
 * and the cdevs /dev/vfio/devices/vfioN (511:N), whose IOAS_ALLOC, BIND_IOMMUFD and
 * ATTACH_IOMMUFD_PT are counted, so that a sender is seen never to bind and a receiver to
 * bind each cdev once. Every test ends with every fake fd closed exactly once: the fd
 * accounting of every refusal is what most of these tests prove.
 *
 * Linked with WRAP_test-handover in the Makefile.
 */
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <linux/vfio.h>

#include "testutil.h"

#define FK_MAX 96 /* more than a bundle may hold, to send one too many */
#include "fake-kernel.h"

#include "internal.h"
#include "iommufd-uapi.h"

#define DEVROOT "/nonexistent/vfiox-handover-dev"
#define NVME "0000:00:04.0"  /* group 2 in the fixture's "base" */
#define E1000 "0000:05:00.0" /* group 5 in "bridge-group" */
#define GROUP_MAJOR 240
#define CDEV_MAJOR 511
#define IOMMU_MINOR 123 /* misc 10:123, /dev/iommu */

int __real_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode);
int __wrap_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode);
int __real_vfiox_sys_ioctl(int fd, unsigned long request, void *arg);
int __wrap_vfiox_sys_ioctl(int fd, unsigned long request, void *arg);
int __real_vfiox_sys_set_cloexec(int fd);
int __wrap_vfiox_sys_set_cloexec(int fd);
int __real_vfiox_sys_fstatat(int dirfd, const char *path, struct stat *st, int flags);
int __wrap_vfiox_sys_fstatat(int dirfd, const char *path, struct stat *st, int flags);
ssize_t __real_vfiox_sys_readlinkat(int dirfd, const char *path, char *buf, size_t len);
ssize_t __wrap_vfiox_sys_readlinkat(int dirfd, const char *path, char *buf, size_t len);
ssize_t __wrap_vfiox_sys_sendmsg(int fd, const struct msghdr *msg, int flags);
ssize_t __wrap_vfiox_sys_recvmsg(int fd, struct msghdr *msg, int flags);
int __wrap_vfiox_sys_poll(int fd, short events, int timeout_ms);
int __wrap_vfiox_sys_getsockopt(int fd, int level, int name, void *val, unsigned int *len);
int __wrap_vfiox_sys_getpid(void);
int __wrap_vfiox_sys_pidfd_open(int pid);
int __wrap_vfiox_sys_pidfd_getfd(int pidfd, int fd);

enum fk_kind { FK_FREE, FK_CONTAINER, FK_GROUP, FK_DEVICE, FK_PIPE, FK_PIDFD, FK_IOMMUFD,
	       FK_CDEV };

#define SOCK 77 /* the socket: the wraps answer for it, it is never opened or closed */

static struct fake {
	int group_id[FK_MAX];
	int group_container[FK_MAX]; /* the container fd a group is attached to, or -1 */
	bool iommu_set[FK_MAX];
	bool nonviable[FK_MAX];
	unsigned unset_calls;
	int sock_type;
	int poll_ret; /* 0: what was asked for */
	int pid;
	/* The packet recvmsg delivers. */
	char in[8192];
	size_t in_len;
	int in_fds[FK_MAX + 8];
	size_t in_nfds;
	/* The packet sendmsg got. */
	char out[8192];
	size_t out_len;
	int out_fds[FK_MAX];
	size_t out_nfds;
	unsigned sends;
	int send_err;
	/* revoke: the holder in the fake /proc, and how it answers REQ */
	char holder_link[4096]; /* its /proc/PID/fd/N, removed when it lets go */
	int holder_pid;
	int getfd_err, pidfd_open_err;
	bool req_enabled, cooperative;
	bool getfd_pipe; /* the holder's fd number is something else by now */
	bool no_group_nodes; /* a receiver's minimal /dev: no /dev/vfio/N */
	/* iommufd: /dev/iommu exists; cdev N's minor; how binds answer; what was called */
	bool iommu_node;
	int cdev_id[FK_MAX];
	int bind_err;
	unsigned ioas_allocs, binds, attaches;
	int getfd_kind; /* revoke: the holder's fd is a group (0) or a cdev (FK_CDEV) */
	unsigned req_triggers, pidfd_opens, pipe_ioctls;
} fk;

/* ------------------------------------------------------------------ the fake kernel */

static int dev_node(const char *path)
{
	const char *p = path + strlen(DEVROOT);
	char *end;
	long id;

	if (strncmp(path, DEVROOT "/vfio/", strlen(DEVROOT "/vfio/")))
		return -2;
	p += strlen("/vfio/");
	if (!strcmp(p, "vfio"))
		return -1;
	id = strtol(p, &end, 10);
	return *p && !*end ? (int)id : -2;
}

int __wrap_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	int node = dev_node(path), fd;

	if (!strcmp(path, DEVROOT "/iommu"))
		return fk.iommu_node ? fk_new_fd(FK_IOMMUFD) : -ENOENT;
	if (!strncmp(path, DEVROOT "/vfio/devices/vfio", strlen(DEVROOT "/vfio/devices/vfio"))) {
		fd = fk_new_fd(FK_CDEV);
		fk.cdev_id[fk_slot(fd)] = atoi(path + strlen(DEVROOT "/vfio/devices/vfio"));
		return fd;
	}
	if (node == -1)
		return fk_new_fd(FK_CONTAINER);
	if (node >= 0) {
		fd = fk_new_fd(FK_GROUP);
		fk.group_id[fk_slot(fd)] = node;
		return fd;
	}
	if (!strncmp(path, DEVROOT, strlen(DEVROOT)))
		return -ENOENT;
	return __real_vfiox_sys_openat(dirfd, path, flags, mode);
}

int __wrap_vfiox_sys_close(int fd)
{
	int s = fk_slot(fd), ret = fk_close(fd);

	if (s >= 0 && !ret)
		fk_vfio_closed(s, fd, FK_GROUP, FK_CONTAINER, fk.group_container);
	return ret;
}

int __wrap_vfiox_sys_set_cloexec(int fd)
{
	int s = fk_slot(fd);

	if (s < 0)
		return __real_vfiox_sys_set_cloexec(fd);
	return fk_slot_open(s) ? 0 : -EBADF;
}

static void fake_stat(struct stat *st, mode_t type, dev_t rdev)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = type | 0600;
	st->st_rdev = rdev;
}

int __wrap_vfiox_sys_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	int s = fk_slot(dirfd), node;

	if (s >= 0 && !*path && (flags & AT_EMPTY_PATH)) {
		if (!fk_slot_open(s))
			return -EBADF;
		switch (fk_fds.kind[s]) {
		case FK_CONTAINER:
			fake_stat(st, S_IFCHR, makedev(10, 196));
			break;
		case FK_GROUP:
			fake_stat(st, S_IFCHR, makedev(GROUP_MAJOR, (unsigned)fk.group_id[s]));
			break;
		case FK_DEVICE:
			fake_stat(st, 0, 0); /* an anon inode has no type */
			break;
		case FK_IOMMUFD:
			fake_stat(st, S_IFCHR, makedev(10, IOMMU_MINOR));
			break;
		case FK_CDEV:
			fake_stat(st, S_IFCHR, makedev(CDEV_MAJOR, (unsigned)fk.cdev_id[s]));
			break;
		default:
			fake_stat(st, S_IFIFO, 0);
		}
		return 0;
	}
	if (!strcmp(path, DEVROOT "/iommu")) {
		if (!fk.iommu_node)
			return -ENOENT;
		fake_stat(st, S_IFCHR, makedev(10, IOMMU_MINOR));
		return 0;
	}
	if (!strncmp(path, DEVROOT "/vfio/devices/vfio", strlen(DEVROOT "/vfio/devices/vfio"))) {
		fake_stat(st, S_IFCHR, makedev(CDEV_MAJOR, (unsigned)atoi(path + strlen(DEVROOT
								"/vfio/devices/vfio"))));
		return 0;
	}
	node = dev_node(path);
	if (node == -1) {
		fake_stat(st, S_IFCHR, makedev(10, 196));
		return 0;
	}
	if (node >= 0) {
		if (fk.no_group_nodes)
			return -ENOENT;
		fake_stat(st, S_IFCHR, makedev(GROUP_MAJOR, (unsigned)node));
		return 0;
	}
	return __real_vfiox_sys_fstatat(dirfd, path, st, flags);
}

ssize_t __wrap_vfiox_sys_readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
	const char *p = strstr(path, "/self/fd/");
	const char *text;
	int s;

	if (!p)
		return __real_vfiox_sys_readlinkat(dirfd, path, buf, len);
	s = fk_slot(atoi(p + strlen("/self/fd/")));
	if (!fk_slot_open(s))
		return -ENOENT;
	text = fk_fds.kind[s] == FK_DEVICE ? "anon_inode:[vfio-device]"
	       : fk_fds.kind[s] == FK_PIPE ? "pipe:[4711]"
					   : "/dev/vfio/something";
	snprintf(buf, len, "%s", text);
	return (ssize_t)(strlen(text) < len ? strlen(text) : len);
}

static int group_ioctl(int fd, int s, unsigned long req, void *arg)
{
	struct vfio_group_status *st = arg;
	int c;

	switch (req) {
	case VFIO_GROUP_GET_STATUS:
		st->flags = (fk.nonviable[s] ? 0 : VFIO_GROUP_FLAGS_VIABLE) |
			    (fk.group_container[s] >= 0 ? VFIO_GROUP_FLAGS_CONTAINER_SET : 0);
		return 0;
	case VFIO_GROUP_SET_CONTAINER:
		c = fk_slot(*(int *)arg);
		if (!fk_slot_open(c) || fk_fds.kind[c] != FK_CONTAINER)
			return -EBADF;
		if (fk.group_container[s] >= 0)
			return -EINVAL;
		if (fk.nonviable[s])
			return -EPERM;
		fk.group_container[s] = *(int *)arg;
		return 0;
	case VFIO_GROUP_UNSET_CONTAINER:
		fk.unset_calls++;
		if (fk.group_container[s] < 0)
			return -EINVAL;
		fk.group_container[s] = -1;
		return 0;
	case VFIO_GROUP_GET_DEVICE_FD:
		(void)fd;
		return fk.group_container[s] >= 0 ? fk_new_fd(FK_DEVICE) : -EINVAL;
	default:
		return -ENOTTY;
	}
}

/* The holder lets go: its /proc link goes, as when it closes the group. */
static void holder_releases(void)
{
	if (fk.holder_link[0])
		unlink(fk.holder_link);
}

static int device_ioctl(unsigned long request, void *arg)
{
	struct vfio_device_info *di = arg;
	struct vfio_irq_info *ii = arg;
	struct vfio_irq_set *set = arg;

	switch (request) {
	case VFIO_DEVICE_GET_INFO:
		di->flags = VFIO_DEVICE_FLAGS_PCI;
		di->num_regions = 9;
		di->num_irqs = 5;
		return 0;
	case VFIO_DEVICE_GET_IRQ_INFO:
		ii->flags = VFIO_IRQ_INFO_EVENTFD;
		ii->count = 1;
		return ii->index < 5 ? 0 : -EINVAL;
	case VFIO_DEVICE_SET_IRQS:
		/* vfio-pci's loopback: DATA_NONE + TRIGGER signals the REQ eventfd, if set. */
		if (set->index != VFIO_PCI_REQ_IRQ_INDEX ||
		    set->flags != (VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER))
			return -EINVAL;
		if (!fk.req_enabled)
			return -EINVAL;
		fk.req_triggers++;
		if (fk.cooperative)
			holder_releases();
		return 0;
	default:
		return -ENOTTY;
	}
}

int __wrap_vfiox_sys_ioctl(int fd, unsigned long request, void *arg)
{
	int s = fk_slot(fd), i;

	if (s < 0)
		return __real_vfiox_sys_ioctl(fd, request, arg);
	if (!fk_slot_open(s))
		fail_msg("ioctl 0x%lx on fd %d, which is not open", request, fd);
	switch (fk_fds.kind[s]) {
	case FK_CONTAINER:
		if (request == VFIO_GET_API_VERSION)
			return VFIO_API_VERSION;
		if (request == VFIO_CHECK_EXTENSION)
			return (long)arg == VFIO_TYPE1v2_IOMMU || (long)arg == VFIO_TYPE1_IOMMU;
		if (request == VFIO_SET_IOMMU) {
			for (i = 0; i < FK_MAX; i++)
				if (fk.group_container[i] == fd)
					fk.iommu_set[s] = true;
			return fk.iommu_set[s] ? 0 : -EINVAL;
		}
		if (request == VFIO_IOMMU_GET_INFO)
			return fk.iommu_set[s] ? 0 : -ENOTTY;
		return -ENOTTY;
	case FK_GROUP:
		return group_ioctl(fd, s, request, arg);
	case FK_DEVICE:
		return device_ioctl(request, arg);
	case FK_IOMMUFD:
		if (request == VFIOX_K_IOMMU_IOAS_ALLOC) {
			((struct vfiox_k_ioas_alloc *)arg)->out_ioas_id = 1 + fk.ioas_allocs++;
			return 0;
		}
		return -ENOTTY;
	case FK_CDEV:
		if (request == VFIOX_K_VFIO_DEVICE_BIND_IOMMUFD) {
			struct vfiox_k_bind_iommufd *b = arg;

			int si = fk_slot(b->iommufd);

			if (!fk_slot_open(si) || fk_fds.kind[si] != FK_IOMMUFD)
				return -EBADF;
			fk.binds++;
			if (fk.bind_err)
				return fk.bind_err;
			b->out_devid = 100 + (uint32_t)fk.cdev_id[s];
			return 0;
		}
		if (request == VFIOX_K_VFIO_DEVICE_ATTACH_IOMMUFD_PT) {
			fk.attaches++;
			return 0;
		}
		return device_ioctl(request, arg);
	default:
		fk.pipe_ioctls++;
		return -ENOTTY;
	}
}

ssize_t __wrap_vfiox_sys_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	const struct cmsghdr *h = CMSG_FIRSTHDR((struct msghdr *)msg);

	assert_int_equal(fd, SOCK);
	fk.sends++;
	if (fk.send_err)
		return fk.send_err;
	assert_int_equal(msg->msg_iovlen, 1);
	assert_true(msg->msg_iov[0].iov_len < sizeof(fk.out));
	fk.out_len = msg->msg_iov[0].iov_len;
	memcpy(fk.out, msg->msg_iov[0].iov_base, fk.out_len);
	fk.out[fk.out_len] = '\0';
	fk.out_nfds = 0;
	if (h) {
		assert_int_equal(h->cmsg_type, SCM_RIGHTS);
		fk.out_nfds = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(fk.out_fds, CMSG_DATA(h), fk.out_nfds * sizeof(int));
	}
	return (ssize_t)fk.out_len;
}

/* As the kernel does it: what does not fit is cut (MSG_TRUNC), fds past the room closed
 * (MSG_CTRUNC). */
ssize_t __wrap_vfiox_sys_recvmsg(int fd, struct msghdr *msg, int flags)
{
	size_t room, n = fk.in_len < msg->msg_iov[0].iov_len ? fk.in_len : msg->msg_iov[0].iov_len;
	size_t i, fit;
	struct cmsghdr *h;

	assert_int_equal(fd, SOCK);
	memcpy(msg->msg_iov[0].iov_base, fk.in, n);
	msg->msg_flags = fk.in_len > n ? MSG_TRUNC : 0;
	room = msg->msg_controllen >= CMSG_LEN(0) ? (msg->msg_controllen - CMSG_LEN(0)) / sizeof(int)
						  : 0;
	fit = fk.in_nfds < room ? fk.in_nfds : room;
	for (i = fit; i < fk.in_nfds; i++)
		__wrap_vfiox_sys_close(fk.in_fds[i]);
	if (fit < fk.in_nfds)
		msg->msg_flags |= MSG_CTRUNC;
	if (!fit) {
		msg->msg_controllen = 0;
		return (ssize_t)n;
	}
	h = CMSG_FIRSTHDR(msg);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(fit * sizeof(int));
	memcpy(CMSG_DATA(h), fk.in_fds, fit * sizeof(int));
	msg->msg_controllen = CMSG_SPACE(fit * sizeof(int));
	return (ssize_t)n;
}

int __wrap_vfiox_sys_poll(int fd, short events, int timeout_ms)
{
	assert_int_equal(fd, SOCK);
	return fk.poll_ret < 0 ? 0 : fk.poll_ret ? fk.poll_ret : events;
}

int __wrap_vfiox_sys_getsockopt(int fd, int level, int name, void *val, unsigned int *len)
{
	assert_int_equal(fd, SOCK);
	assert_int_equal(name, SO_TYPE);
	memcpy(val, &fk.sock_type, sizeof(int));
	return 0;
}

int __wrap_vfiox_sys_getpid(void)
{
	return fk.pid;
}

int __wrap_vfiox_sys_pidfd_open(int pid)
{
	assert_int_equal(pid, fk.holder_pid);
	fk.pidfd_opens++;
	if (fk.pidfd_open_err) {
		holder_releases(); /* ESRCH: it exited meanwhile */
		return fk.pidfd_open_err;
	}
	return fk_new_fd(FK_PIDFD);
}

/* The holder's group fd, duplicated: another fake fd attached to the same container. */
int __wrap_vfiox_sys_pidfd_getfd(int pidfd, int fd)
{
	int g;

	assert_true(fk_slot_open(fk_slot(pidfd)));
	assert_int_equal(fk_fds.kind[fk_slot(pidfd)], FK_PIDFD);
	if (fk.getfd_err && fk.getfd_err != -EPERM)
		holder_releases(); /* ESRCH, EBADF: it exited, or closed the group */
	if (fk.getfd_err)
		return fk.getfd_err;
	if (fk.getfd_pipe) {
		holder_releases(); /* the group closed, the fd number reused for a pipe */
		return fk_new_fd(FK_PIPE);
	}
	if (fk.getfd_kind == FK_CDEV) {
		g = fk_new_fd(FK_CDEV); /* the holder's cdev, bound to its iommufd */
		fk.cdev_id[fk_slot(g)] = 0;
		return g;
	}
	g = fk_new_fd(FK_GROUP);
	fk.group_id[fk_slot(g)] = 2;
	fk.group_container[fk_slot(g)] = 999; /* attached, by the holder */
	(void)fd;
	return g;
}

/* ------------------------------------------------------------------ the script */

static int fk_reset(void **state)
{
	unsigned i;

	(void)state;
	memset(&fk, 0, sizeof(fk));
	fk_fds_reset();
	for (i = 0; i < FK_MAX; i++)
		fk.group_container[i] = -1;
	fk.sock_type = SOCK_SEQPACKET;
	fk.pid = 4242;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return 0;
}

/* A new round inside one test: no fds, no per-fd state. */
static void fk_fresh(void)
{
	unsigned i;

	fk_fds_reset();
	for (i = 0; i < FK_MAX; i++) {
		fk.group_container[i] = -1;
		fk.iommu_set[i] = false;
		fk.nonviable[i] = false;
	}
}

#define fk_test(f) cmocka_unit_test_setup_teardown(f, fk_reset, env_teardown)

static struct env *fk_env(void)
{
	struct env *e = env_scenario("bridge-group");

	env_ctx(e);
	assert_int_equal(vfiox_ctx_set_dev_root(e->ctx, DEVROOT), 0);
	return e;
}

/* What a sender holds: a container with the model set and group @id attached to it. */
static int sent_container(void)
{
	int c = fk_new_fd(FK_CONTAINER);

	fk.iommu_set[fk_slot(c)] = true;
	return c;
}

static int sent_group(int container, int id)
{
	int g = fk_new_fd(FK_GROUP);

	fk.group_id[fk_slot(g)] = id;
	fk.group_container[fk_slot(g)] = container;
	return g;
}

/* The packet the peer sends: @text and @n fds. */
static void inbox(const char *text, const int *fds, size_t n)
{
	fk.in_len = strlen(text);
	memcpy(fk.in, text, fk.in_len);
	if (n)
		memcpy(fk.in_fds, fds, n * sizeof(int));
	fk.in_nfds = n;
}

#define MSG(...) "vfiox-handover 1\n" __VA_ARGS__
#define MSG_C_G5 MSG("iommu type1v2\ncontainer\ngroup 5\nend\n")

/* vfiox_bundle_recv() fails with @err, a reason holding @word, and every fd closed. */
static void recv_refused(struct env *e, int err, const char *word)
{
	struct vfiox_bundle *b = NULL;
	int ret = vfiox_bundle_recv(e->ctx, SOCK, 1000, &b);

	if (ret != err || !strstr(vfiox_ctx_last_error(e->ctx), word))
		fail_msg("recv = %d (%s), want %d with \"%s\"", ret, vfiox_ctx_last_error(e->ctx),
			 err, word);
	assert_null(b);
	fk_assert_fds_closed();
}

/* ------------------------------------------------------------------ opening */

static void test_open_gives_container_groups_then_devices_in_order(void **state)
{
	struct env *e = fk_env();
	const char *devs[] = { E1000, NVME, NVME };
	const int groups[] = { 5 };
	struct vfiox_bundle *b = NULL;
	char text[512];
	int ret;

	(void)state;
	ret = vfiox_bundle_open(e->ctx, groups, 1, devs, 3, VFIOX_BUNDLE_DEVICE_FDS, &b);
	if (ret)
		fail_msg("open = %d: %s", ret, vfiox_ctx_last_error(e->ctx));
	assert_int_equal(vfiox_bundle_num_fds(b), 5); /* NVME once, group 5 once */
	assert_string_equal(vfiox_bundle_fd_name(b, 0), "vfio-container");
	assert_string_equal(vfiox_bundle_fd_name(b, 1), "vfio-group-2");
	assert_string_equal(vfiox_bundle_fd_name(b, 2), "vfio-group-5");
	assert_string_equal(vfiox_bundle_fd_name(b, 3), "vfio-device-0000-00-04.0");
	assert_string_equal(vfiox_bundle_fd_name(b, 4), "vfio-device-0000-05-00.0");
	assert_int_equal(vfiox_bundle_fd_kind(b, 2), VFIOX_HANDOVER_GROUP);
	assert_int_equal(vfiox_bundle_fd_group(b, 4), 5);
	assert_string_equal(vfiox_bundle_fd_device(b, 3), NVME);
	assert_null(vfiox_bundle_fd_device(b, 1));
	assert_null(vfiox_bundle_fd_name(b, 5));
	assert_int_equal(vfiox_bundle_fd(b, 5), -EINVAL);
	assert_int_equal(vfiox_bundle_iommu_model(b), VFIOX_IOMMU_TYPE1V2);
	assert_int_equal(vfiox_bundle_fd(b, 0), vfiox_container_fd(vfiox_bundle_container(b)));
	assert_int_equal(vfiox_bundle_fd(b, 2), vfiox_vgroup_fd(vfiox_bundle_group(b, 5)));
	assert_int_equal(vfiox_bundle_fd(b, 3), vfiox_device_fd(vfiox_bundle_device(b, "00:04.0")));
	assert_null(vfiox_bundle_group(b, 7));
	assert_int_equal(fk.group_container[fk_slot(vfiox_bundle_fd(b, 1))], vfiox_bundle_fd(b, 0));
	assert_true(vfiox_bundle_describe(b, text, sizeof(text)) > 0);
	assert_string_equal(text, MSG("iommu type1v2\ncontainer\ngroup 2\ngroup 5\n"
				      "device 0000:00:04.0 2\ndevice 0000:05:00.0 5\nend\n"));
	vfiox_bundle_free(b);
	assert_int_equal(fk.unset_calls, 2); /* what it attached, it detaches */
	fk_assert_fds_closed();
	env_free(e);
}

static void test_open_without_device_fds_gives_only_groups(void **state)
{
	struct env *e = fk_env();
	const char *devs[] = { NVME };
	struct vfiox_bundle *b = NULL;

	(void)state;
	assert_int_equal(vfiox_bundle_open(e->ctx, NULL, 0, devs, 1, 0, &b), 0);
	assert_int_equal(vfiox_bundle_num_fds(b), 2);
	assert_null(vfiox_bundle_device(b, NVME));
	vfiox_bundle_free(b);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_open_refusals_leave_nothing_open(void **state)
{
	struct env *e = fk_env();
	const char *missing[] = { "0000:09:00.0" }, *bad[] = { "zz" };
	const int neg[] = { -3 };
	struct vfiox_bundle *b = NULL;

	(void)state;
	assert_int_equal(vfiox_bundle_open(e->ctx, NULL, 0, NULL, 0, 0, &b), -EINVAL);
	env_assert_error(e, "at least one group", NULL, NULL);
	assert_int_equal(vfiox_bundle_open(e->ctx, neg, 1, NULL, 0, 0, &b), -EINVAL);
	assert_true(vfiox_bundle_open(e->ctx, NULL, 0, missing, 1, 0, &b) < 0);
	env_assert_error(e, "0000:09:00.0", NULL, NULL);
	assert_true(vfiox_bundle_open(e->ctx, NULL, 0, bad, 1, 0, &b) < 0);
	assert_null(b);
	fk_assert_fds_closed();
	env_free(e);
}

/* The second of three groups is not viable: the container and group 2 before it are closed. */
static void test_open_failing_midway_closes_what_it_opened(void **state)
{
	struct env *e = fk_env();
	const int groups[] = { 2, 5, 9 };
	struct vfiox_bundle *b = NULL;
	int ret;

	(void)state;
	ret = vfiox_bundle_open(e->ctx, groups, 3, NULL, 0, 0, &b);
	assert_int_equal(ret, 0);
	assert_int_equal(vfiox_bundle_num_fds(b), 4);
	vfiox_bundle_free(b);
	b = NULL;
	fk_assert_fds_closed();
	fk_fresh();
	fk.nonviable[2] = true; /* slots: 0 container, 1 group 2, 2 group 5 */
	ret = vfiox_bundle_open(e->ctx, groups, 3, NULL, 0, 0, &b);
	assert_int_equal(ret, -EPERM);
	env_assert_error(e, "group 5", "not viable", NULL);
	assert_null(b);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_too_many_fds_are_refused_before_opening(void **state)
{
	struct env *e = fk_env();
	int groups[VFIOX_HANDOVER_MAX_FDS];
	struct vfiox_bundle *b = NULL;
	int i;

	(void)state;
	for (i = 0; i < VFIOX_HANDOVER_MAX_FDS; i++)
		groups[i] = i;
	assert_int_equal(vfiox_bundle_open(e->ctx, groups, VFIOX_HANDOVER_MAX_FDS, NULL, 0, 0, &b),
			 -EINVAL);
	env_assert_error(e, "64", NULL, NULL);
	assert_int_equal(fk_fds.opens, 0);
	env_free(e);
}

/* ------------------------------------------------------------------ sending */

static void test_send_puts_every_fd_in_one_packet(void **state)
{
	struct env *e = fk_env();
	const char *devs[] = { NVME };
	struct vfiox_bundle *b = NULL;
	size_t i;

	(void)state;
	assert_int_equal(vfiox_bundle_open(e->ctx, NULL, 0, devs, 1, VFIOX_BUNDLE_DEVICE_FDS, &b), 0);
	assert_int_equal(vfiox_bundle_send(b, SOCK, 1000), 0);
	assert_string_equal(fk.out, MSG("iommu type1v2\ncontainer\ngroup 2\n"
					"device 0000:00:04.0 2\nend\n"));
	assert_int_equal(fk.out_nfds, 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(fk.out_fds[i], vfiox_bundle_fd(b, i));
	/* A peer that went away, and one that takes nothing in time. */
	fk.send_err = -EPIPE;
	assert_int_equal(vfiox_bundle_send(b, SOCK, 1000), -EPIPE);
	env_assert_error(e, "went away", NULL, NULL);
	fk.send_err = -EAGAIN;
	assert_int_equal(vfiox_bundle_send(b, SOCK, 0), -ETIMEDOUT);
	fk.send_err = 0;
	fk.poll_ret = -1;
	assert_int_equal(vfiox_bundle_send(b, SOCK, 10), -ETIMEDOUT);
	vfiox_bundle_free(b);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_refuse_sends_the_reason_and_recv_reports_it(void **state)
{
	struct env *e = fk_env();

	(void)state;
	assert_int_equal(vfiox_handover_refuse(e->ctx, SOCK, "uid 1000 is not allowed", 100), 0);
	assert_string_equal(fk.out, MSG("error uid 1000 is not allowed\nend\n"));
	assert_int_equal(fk.out_nfds, 0);
	assert_int_equal(vfiox_handover_refuse(e->ctx, SOCK, "two\nlines", 100), -EINVAL);
	inbox(fk.out, NULL, 0);
	recv_refused(e, -EACCES, "uid 1000 is not allowed");
	env_free(e);
}

/* ------------------------------------------------------------------ receiving */

static void test_recv_adopts_a_good_bundle(void **state)
{
	struct env *e = fk_env();
	int c = sent_container(), g = sent_group(c, 5), d = fk_new_fd(FK_DEVICE);
	int fds[] = { c, g, d };
	struct vfiox_bundle *b = NULL;
	int ret;

	(void)state;
	inbox(MSG("iommu type1\ncontainer\ngroup 5\ndevice 0000:05:00.0 5\nend\n"), fds, 3);
	ret = vfiox_bundle_recv(e->ctx, SOCK, 1000, &b);
	if (ret)
		fail_msg("recv = %d: %s", ret, vfiox_ctx_last_error(e->ctx));
	assert_int_equal(vfiox_bundle_num_fds(b), 3);
	assert_int_equal(vfiox_container_fd(vfiox_bundle_container(b)), c);
	assert_int_equal(vfiox_vgroup_fd(vfiox_bundle_group(b, 5)), g);
	assert_int_equal(vfiox_device_fd(vfiox_bundle_device(b, E1000)), d);
	assert_string_equal(vfiox_bundle_fd_name(b, 2), "vfio-device-0000-05-00.0");
	/* The message's model, not the library's guess. */
	assert_int_equal(vfiox_bundle_iommu_model(b), VFIOX_IOMMU_TYPE1);
	assert_int_equal(vfiox_container_model(vfiox_bundle_container(b)), VFIOX_IOMMU_TYPE1);
	vfiox_bundle_free(b);
	/* Shared with the sender: closing its copy must not detach the group. */
	assert_int_equal(fk.unset_calls, 0);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_recv_refuses_a_message_without_fds(void **state)
{
	struct env *e = fk_env();

	(void)state;
	inbox(MSG_C_G5, NULL, 0);
	recv_refused(e, -EBADMSG, "describes 2 fds and came with 0");
	env_free(e);
}

static void test_recv_refuses_a_pipe_described_as_a_group(void **state)
{
	struct env *e = fk_env();
	int fds[] = { sent_container(), fk_new_fd(FK_PIPE) };

	(void)state;
	inbox(MSG_C_G5, fds, 2);
	recv_refused(e, -EBADF, "is a pipe, not " DEVROOT "/vfio/5");
	env_free(e);
}

/* A sandbox without /dev/vfio/N: the group is checked against sysfs's class/vfio/N/dev. */
static void test_recv_checks_a_group_against_sysfs_without_its_node(void **state)
{
	struct env *e = fk_env();
	struct vfiox_bundle *b = NULL;
	int c, g, fds[2], ret;
	char dev[32];

	(void)state;
	fk.no_group_nodes = true;
	c = sent_container();
	g = sent_group(c, 5);
	fds[0] = c;
	fds[1] = g;
	inbox(MSG_C_G5, fds, 2);
	recv_refused(e, -EBADF, "nor");
	snprintf(dev, sizeof(dev), "%d:5\n", GROUP_MAJOR);
	env_put(e, "class/vfio/5/dev", dev);
	c = sent_container();
	g = sent_group(c, 5);
	fds[0] = c;
	fds[1] = g;
	inbox(MSG_C_G5, fds, 2);
	ret = vfiox_bundle_recv(e->ctx, SOCK, 1000, &b);
	if (ret)
		fail_msg("recv = %d: %s", ret, vfiox_ctx_last_error(e->ctx));
	vfiox_bundle_free(b);
	/* another group's number there is refused */
	snprintf(dev, sizeof(dev), "%d:6\n", GROUP_MAJOR);
	env_put(e, "class/vfio/5/dev", dev);
	c = sent_container();
	g = sent_group(c, 5);
	fds[0] = c;
	fds[1] = g;
	inbox(MSG_C_G5, fds, 2);
	recv_refused(e, -EBADF, "not " DEVROOT "/vfio/5");
	fk.no_group_nodes = false;
	fk_assert_fds_closed();
	env_free(e);
}

static void test_recv_refuses_more_fds_than_described(void **state)
{
	struct env *e = fk_env();
	int c = sent_container(), fds[] = { c, sent_group(c, 5), fk_new_fd(FK_PIPE) };

	(void)state;
	inbox(MSG_C_G5, fds, 3);
	recv_refused(e, -EBADMSG, "describes 2 fds and came with 3");
	env_free(e);
}

static void test_recv_refuses_truncated_text(void **state)
{
	struct env *e = fk_env();
	int c = sent_container(), fds[] = { c, sent_group(c, 5) };

	(void)state;
	inbox(MSG("iommu type1v2\ncontainer\ngroup 5\n"), fds, 2);
	recv_refused(e, -EBADMSG, "truncated");
	env_free(e);
}

static void test_recv_refuses_an_overlong_message(void **state)
{
	struct env *e = fk_env();
	int c = sent_container(), fds[] = { c, sent_group(c, 5) };

	(void)state;
	inbox(MSG_C_G5, fds, 2);
	memset(fk.in + fk.in_len, 'x', VFIOX_HANDOVER_MAX_MSG);
	fk.in_len += VFIOX_HANDOVER_MAX_MSG;
	recv_refused(e, -EMSGSIZE, "longer than 4096");
	env_free(e);
}

/* More fds than a bundle may have: those past the room the kernel closes, the rest we do. */
static void test_recv_refuses_too_many_fds(void **state)
{
	struct env *e = fk_env();
	int fds[VFIOX_HANDOVER_MAX_FDS + 3];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(fds); i++)
		fds[i] = fk_new_fd(FK_PIPE);
	inbox(MSG_C_G5, fds, ARRAY_SIZE(fds));
	recv_refused(e, -EMSGSIZE, "more than 64 fds");
	env_free(e);
}

static void test_recv_checks_each_fd_against_its_description(void **state)
{
	struct env *e = fk_env();
	struct {
		const char *text;
		int make; /* 0 good, 1 group not viable, 2 group detached, 3 no model, 4 other
			   * group, 5 pipe as container, 6 group as device, 7 container as group */
		const char *word;
	} cases[] = {
		{ MSG_C_G5, 1, "not viable" },
		{ MSG_C_G5, 2, "not attached to a container" },
		{ MSG_C_G5, 3, "no IOMMU model set" },
		{ MSG_C_G5, 4, "not " DEVROOT "/vfio/5" },
		{ MSG_C_G5, 5, "said to be the container" },
		{ MSG("iommu type1v2\ncontainer\ngroup 5\ndevice 0000:05:00.0 5\nend\n"), 6,
		  "not a VFIO device fd" },
		{ MSG_C_G5, 7, "not " DEVROOT "/vfio/5" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int c = fk_new_fd(cases[i].make == 5 ? FK_PIPE : FK_CONTAINER);
		int g = sent_group(c, cases[i].make == 4 ? 6 : 5), fds[3] = { c, g, -1 };
		size_t n = 2;

		fk.iommu_set[fk_slot(c)] = cases[i].make != 3;
		if (cases[i].make == 1)
			fk.nonviable[fk_slot(g)] = true;
		if (cases[i].make == 2)
			fk.group_container[fk_slot(g)] = -1;
		if (cases[i].make == 6)
			fds[n++] = sent_group(c, 5);
		if (cases[i].make == 7) {
			__wrap_vfiox_sys_close(g); /* not sent after all */
			fds[1] = sent_container();
		}
		inbox(cases[i].text, fds, n);
		recv_refused(e, -EBADF, cases[i].word);
		fk_fresh();
	}
	env_free(e);
}

static void test_recv_timeouts_closed_peers_and_wrong_sockets(void **state)
{
	struct env *e = fk_env();

	(void)state;
	fk.poll_ret = -1;
	recv_refused(e, -ETIMEDOUT, "within 1000 ms");
	fk.poll_ret = 0;
	inbox("", NULL, 0);
	recv_refused(e, -ECONNRESET, "closed the socket");
	fk.sock_type = SOCK_STREAM;
	recv_refused(e, -ESOCKTNOSUPPORT, "SOCK_SEQPACKET");
	env_free(e);
}

/* ------------------------------------------------------------------ iommufd bundles */

static void listen_env(const char *pid, const char *nfds, const char *names)
{
	if (pid)
		setenv("LISTEN_PID", pid, 1);
	if (nfds)
		setenv("LISTEN_FDS", nfds, 1);
	if (names)
		setenv("LISTEN_FDNAMES", names, 1);
}

/* Removes @rel (a file or an empty directory) under the fixture root. */
static void env_rm(struct env *e, const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", fx_root(e->fx), rel);
	assert_int_equal(remove(path), 0);
}

/* The bridge-group host with iommufd: /dev/iommu, and cdevs vfio0 (NVME), vfio1 (E1000). */
static struct env *iommufd_env(void)
{
	struct env *e = fk_env();

	fk.iommu_node = true;
	env_put(e, "class/misc/iommu/dev", "10:123\n");
	env_put(e, "bus/pci/devices/" NVME "/vfio-dev/vfio0/dev", "511:0\n");
	env_put(e, "bus/pci/devices/" E1000 "/vfio-dev/vfio1/dev", "511:1\n");
	return e;
}

static int sent_iommufd(void)
{
	return fk_new_fd(FK_IOMMUFD);
}

static int sent_cdev(int id)
{
	int fd = fk_new_fd(FK_CDEV);

	fk.cdev_id[fk_slot(fd)] = id;
	return fd;
}

#define MSG_IOMMUFD MSG("iommu iommufd\niommufd\ncdev 0000:00:04.0 2\ncdev 0000:05:00.0 5\nend\n")

static void test_open_iommufd_gives_the_iommufd_then_unbound_cdevs(void **state)
{
	struct env *e = iommufd_env();
	const char *devs[] = { E1000, NVME };
	struct vfiox_bundle *b = NULL;
	char text[512];
	int ret;

	(void)state;
	ret = vfiox_bundle_open_backend(e->ctx, NULL, 0, devs, 2, 0, VFIOX_BACKEND_IOMMUFD, &b);
	if (ret)
		fail_msg("open = %d: %s", ret, vfiox_ctx_last_error(e->ctx));
	assert_int_equal(vfiox_bundle_backend(b), VFIOX_BACKEND_IOMMUFD);
	assert_int_equal(vfiox_bundle_iommu_model(b), VFIOX_IOMMU_IOMMUFD);
	assert_int_equal(vfiox_bundle_num_fds(b), 3);
	assert_string_equal(vfiox_bundle_fd_name(b, 0), "iommufd");
	assert_string_equal(vfiox_bundle_fd_name(b, 1), "vfio-cdev-0000-00-04.0");
	assert_string_equal(vfiox_bundle_fd_name(b, 2), "vfio-cdev-0000-05-00.0");
	assert_int_equal(vfiox_bundle_fd_kind(b, 0), VFIOX_HANDOVER_IOMMUFD);
	assert_int_equal(vfiox_bundle_fd_kind(b, 2), VFIOX_HANDOVER_CDEV);
	assert_int_equal(vfiox_bundle_fd_group(b, 0), -1);
	assert_int_equal(vfiox_bundle_fd_group(b, 1), 2);
	assert_string_equal(vfiox_bundle_fd_device(b, 2), E1000);
	assert_null(vfiox_bundle_fd_device(b, 0));
	assert_int_equal(fk_fds.kind[fk_slot(vfiox_bundle_fd(b, 0))], FK_IOMMUFD);
	assert_int_equal(fk.cdev_id[fk_slot(vfiox_bundle_fd(b, 2))], 1);
	/* fds only: the receiver allocates and binds */
	assert_null(vfiox_bundle_container(b));
	assert_null(vfiox_bundle_device(b, NVME));
	assert_null(vfiox_bundle_group(b, 2));
	assert_int_equal(fk.ioas_allocs, 0);
	assert_int_equal(fk.binds, 0);
	assert_true(vfiox_bundle_describe(b, text, sizeof(text)) > 0);
	assert_string_equal(text, MSG_IOMMUFD);
	assert_int_equal(vfiox_bundle_send(b, SOCK, 100), 0);
	assert_int_equal(fk.out_nfds, 3);
	vfiox_bundle_free(b);
	fk_assert_fds_closed();
	env_free(e);
}

/* A group stands for its devices on vfio-pci: 05:00.0, not the bridge or 05:01.0. */
static void test_open_iommufd_of_a_group_takes_its_vfio_members(void **state)
{
	struct env *e = iommufd_env();
	const int groups[] = { 5 };
	struct vfiox_bundle *b = NULL;
	int ret;

	(void)state;
	ret = vfiox_bundle_open_backend(e->ctx, groups, 1, NULL, 0, 0, VFIOX_BACKEND_IOMMUFD, &b);
	if (ret)
		fail_msg("open = %d: %s", ret, vfiox_ctx_last_error(e->ctx));
	assert_int_equal(vfiox_bundle_num_fds(b), 2);
	assert_string_equal(vfiox_bundle_fd_name(b, 1), "vfio-cdev-0000-05-00.0");
	vfiox_bundle_free(b);
	fk_assert_fds_closed();
	/* the group of a device plus that device: once */
	{
		const char *devs[] = { E1000 };

		b = NULL;
		assert_int_equal(vfiox_bundle_open_backend(e->ctx, groups, 1, devs, 1, 0,
							   VFIOX_BACKEND_IOMMUFD, &b), 0);
		assert_int_equal(vfiox_bundle_num_fds(b), 2);
		vfiox_bundle_free(b);
	}
	fk_assert_fds_closed();
	env_free(e);
}

static void test_open_auto_takes_iommufd_only_when_every_device_offers_it(void **state)
{
	struct env *e = iommufd_env();
	const char *devs[] = { E1000, NVME };
	struct vfiox_bundle *b = NULL;

	(void)state;
	assert_int_equal(vfiox_bundle_open_backend(e->ctx, NULL, 0, devs, 2, VFIOX_BUNDLE_DEVICE_FDS,
						   VFIOX_BACKEND_AUTO, &b), 0);
	assert_int_equal(vfiox_bundle_backend(b), VFIOX_BACKEND_IOMMUFD);
	vfiox_bundle_free(b);
	b = NULL;
	/* NVME loses its cdev: type1 for both */
	env_rm(e, "bus/pci/devices/" NVME "/vfio-dev/vfio0/dev");
	env_rm(e, "bus/pci/devices/" NVME "/vfio-dev/vfio0");
	assert_int_equal(vfiox_bundle_open_backend(e->ctx, NULL, 0, devs, 2, VFIOX_BUNDLE_DEVICE_FDS,
						   VFIOX_BACKEND_AUTO, &b), 0);
	assert_int_equal(vfiox_bundle_backend(b), VFIOX_BACKEND_TYPE1);
	assert_string_equal(vfiox_bundle_fd_name(b, 0), "vfio-container");
	assert_int_equal(vfiox_bundle_num_fds(b), 5);
	vfiox_bundle_free(b);
	b = NULL;
	/* and no /dev/iommu: type1; the old call is type1 whatever the host offers */
	assert_int_equal(vfiox_bundle_open(e->ctx, NULL, 0, devs + 0, 1, 0, &b), 0);
	assert_int_equal(vfiox_bundle_backend(b), VFIOX_BACKEND_TYPE1);
	vfiox_bundle_free(b);
	b = NULL;
	assert_int_equal(vfiox_bundle_open_backend(e->ctx, NULL, 0, devs, 1, 0, 7, &b), -EINVAL);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_open_iommufd_refusals_leave_nothing_open(void **state)
{
	struct env *e = iommufd_env();
	const char *nvme[] = { NVME }, *bare[] = { "0000:05:01.0" };
	const int bridge_only[] = { 0 };
	struct vfiox_bundle *b = NULL;
	int ret;

	(void)state;
	/* a device without a cdev (on no driver) */
	ret = vfiox_bundle_open_backend(e->ctx, NULL, 0, bare, 1, 0, VFIOX_BACKEND_IOMMUFD, &b);
	assert_int_equal(ret, -ENODEV);
	env_assert_error(e, "0000:05:01.0", "no VFIO cdev", NULL);
	/* a group with nothing on vfio-pci */
	ret = vfiox_bundle_open_backend(e->ctx, bridge_only, 1, NULL, 0, 0, VFIOX_BACKEND_IOMMUFD,
					&b);
	assert_int_equal(ret, -ENODEV);
	env_assert_error(e, "IOMMU group 0 has no device on vfio-pci", NULL, NULL);
	/* no /dev/iommu */
	fk.iommu_node = false;
	ret = vfiox_bundle_open_backend(e->ctx, NULL, 0, nvme, 1, 0, VFIOX_BACKEND_IOMMUFD, &b);
	assert_int_equal(ret, -ENODEV);
	env_assert_error(e, DEVROOT "/iommu does not exist", "CONFIG_IOMMUFD", NULL);
	assert_null(b);
	fk_assert_fds_closed();
	env_free(e);
}

/* A group another process holds through /dev/vfio/N, and a cdev held elsewhere: named. */
static void test_open_iommufd_refuses_a_held_group_or_cdev_naming_the_holder(void **state)
{
	struct env *e = iommufd_env();
	const char *nvme[] = { NVME };
	struct vfiox_bundle *b = NULL;
	char path[4096], link[4200];
	int ret;

	(void)state;
	snprintf(path, sizeof(path), "%s/proc", fx_root(e->fx));
	assert_int_equal(vfiox_ctx_set_proc_root(e->ctx, path), 0);
	env_put(e, "proc/4711/comm", "qemu\n");
	snprintf(path, sizeof(path), "%s/proc/4711/fd", fx_root(e->fx));
	env_mkdirs(path);
	snprintf(link, sizeof(link), "%s/7", path);
	assert_int_equal(symlink(DEVROOT "/vfio/2", link), 0);
	ret = vfiox_bundle_open_backend(e->ctx, NULL, 0, nvme, 1, 0, VFIOX_BACKEND_IOMMUFD, &b);
	assert_int_equal(ret, -EBUSY);
	env_assert_error(e, "pid 4711 (qemu) has " DEVROOT "/vfio/2 open", "type1 backend", NULL);
	fk_assert_fds_closed();
	unlink(link);
	assert_int_equal(symlink(DEVROOT "/vfio/devices/vfio0", link), 0);
	ret = vfiox_bundle_open_backend(e->ctx, NULL, 0, nvme, 1, 0, VFIOX_BACKEND_IOMMUFD, &b);
	assert_int_equal(ret, -EBUSY);
	env_assert_error(e, "pid 4711 (qemu) has " DEVROOT "/vfio/devices/vfio0 open", "once",
			 NULL);
	assert_null(b);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_open_iommufd_refuses_a_group_that_is_not_viable(void **state)
{
	struct env *e = env_scenario("nonviable");
	const char *dev[] = { "0000:00:1f.3" }; /* on vfio-pci, beside ahci in group 9 */
	struct vfiox_bundle *b = NULL;

	(void)state;
	env_ctx(e);
	assert_int_equal(vfiox_ctx_set_dev_root(e->ctx, DEVROOT), 0);
	fk.iommu_node = true;
	env_put(e, "bus/pci/devices/0000:00:1f.3/vfio-dev/vfio4/dev", "511:4\n");
	assert_int_equal(vfiox_bundle_open_backend(e->ctx, NULL, 0, dev, 1, 0,
						   VFIOX_BACKEND_IOMMUFD, &b), -EPERM);
	env_assert_error(e, "IOMMU group 9", "0000:00:1f.2 (bound to ahci)", "not viable");
	assert_null(b);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_recv_adopts_an_iommufd_bundle_binding_each_cdev(void **state)
{
	struct env *e = iommufd_env();
	int fds[] = { sent_iommufd(), sent_cdev(0), sent_cdev(1) };
	struct vfiox_bundle *b = NULL;
	struct vfiox_container *c;
	struct vfiox_device *d;
	int ret;

	(void)state;
	inbox(MSG_IOMMUFD, fds, 3);
	ret = vfiox_bundle_recv(e->ctx, SOCK, 1000, &b);
	if (ret)
		fail_msg("recv = %d: %s", ret, vfiox_ctx_last_error(e->ctx));
	assert_int_equal(vfiox_bundle_backend(b), VFIOX_BACKEND_IOMMUFD);
	assert_int_equal(vfiox_bundle_iommu_model(b), VFIOX_IOMMU_IOMMUFD);
	c = vfiox_bundle_container(b);
	assert_non_null(c);
	assert_int_equal(vfiox_container_backend(c), VFIOX_BACKEND_IOMMUFD);
	assert_int_equal(vfiox_container_fd(c), fds[0]);
	assert_int_equal(vfiox_container_ioas(c), 1);
	assert_int_equal(fk.ioas_allocs, 1);
	assert_int_equal(fk.binds, 2);
	assert_int_equal(fk.attaches, 2);
	d = vfiox_bundle_device(b, "05:00.0");
	assert_non_null(d);
	assert_int_equal(vfiox_device_fd(d), fds[2]);
	assert_int_equal(vfiox_device_devid(d), 101);
	assert_null(vfiox_bundle_group(b, 5));
	assert_string_equal(vfiox_bundle_fd_name(b, 1), "vfio-cdev-0000-00-04.0");
	assert_int_equal(vfiox_bundle_fd_group(b, 2), 5);
	vfiox_bundle_free(b);
	fk_assert_fds_closed();
	env_free(e);
}

/* Without the sysfs attributes, the nodes are the reference. */
static void test_recv_checks_an_iommufd_bundle_against_the_nodes_without_sysfs(void **state)
{
	struct env *e = iommufd_env();
	int fds[] = { sent_iommufd(), sent_cdev(0), sent_cdev(1) };
	struct vfiox_bundle *b = NULL;
	int ret;

	(void)state;
	env_rm(e, "class/misc/iommu/dev");
	inbox(MSG_IOMMUFD, fds, 3);
	ret = vfiox_bundle_recv(e->ctx, SOCK, 1000, &b);
	if (ret)
		fail_msg("recv = %d: %s", ret, vfiox_ctx_last_error(e->ctx));
	vfiox_bundle_free(b);
	fk_assert_fds_closed();
	fk_fresh();
	fk.iommu_node = false; /* and no node either: cannot be checked, refused */
	fds[0] = sent_iommufd();
	fds[1] = sent_cdev(0);
	fds[2] = sent_cdev(1);
	inbox(MSG_IOMMUFD, fds, 3);
	recv_refused(e, -EBADF, "cannot be checked");
	env_free(e);
}

static void test_recv_refuses_iommufd_fds_that_are_not_what_they_say(void **state)
{
	struct env *e = iommufd_env();
	struct {
		int make; /* 1 cdev of another device, 2 a pipe as the iommufd, 3 a group as a
			   * cdev, 4 the iommufd as a cdev, 5 a cdev as the iommufd */
		const char *word;
	} cases[] = {
		{ 1, "the character device 511:1, not " DEVROOT "/vfio/devices/vfio0 (511:0" },
		{ 2, "said to be the iommufd) is a pipe" },
		{ 3, "said to be the cdev of 0000:00:04.0) is the character device 240:2" },
		{ 4, "the character device 10:123, not " DEVROOT "/vfio/devices/vfio0" },
		{ 5, "the character device 511:0, not " DEVROOT "/iommu (10:123" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int fds[3];

		fds[0] = cases[i].make == 2 ? fk_new_fd(FK_PIPE) :
			 cases[i].make == 5 ? sent_cdev(0) : sent_iommufd();
		fds[1] = cases[i].make == 1 ? sent_cdev(1) :
			 cases[i].make == 3 ? sent_group(-1, 2) :
			 cases[i].make == 4 ? sent_iommufd() : sent_cdev(0);
		fds[2] = sent_cdev(1);
		inbox(MSG_IOMMUFD, fds, 3);
		recv_refused(e, -EBADF, cases[i].word);
		assert_int_equal(fk.binds, 0);
		assert_int_equal(fk.ioas_allocs, 0);
		fk_fresh();
	}
	env_free(e);
}

/* The kernel refuses the bind (the device is busy): said, every fd closed. */
static void test_recv_reports_a_refused_bind_and_closes_every_fd(void **state)
{
	struct env *e = iommufd_env();
	int fds[] = { sent_iommufd(), sent_cdev(0), sent_cdev(1) };

	(void)state;
	fk.bind_err = -EBUSY;
	inbox(MSG_IOMMUFD, fds, 3);
	recv_refused(e, -EBUSY, "cannot bind 0000:00:04.0 to the iommufd: it is in use");
	assert_int_equal(fk.binds, 1);
	env_free(e);
}

static void test_recv_refuses_a_mixed_bundle(void **state)
{
	struct env *e = iommufd_env();
	int c = sent_container(), fds[] = { c, sent_group(c, 2), sent_cdev(0) };

	(void)state;
	inbox(MSG("iommu type1v2\ncontainer\ngroup 2\ncdev 0000:00:04.0 2\nend\n"), fds, 3);
	recv_refused(e, -EBADMSG, "never both");
	env_free(e);
}

static void test_listen_fds_adopts_an_iommufd_bundle_by_name(void **state)
{
	struct env *e = iommufd_env();
	int i = sent_iommufd(), d = sent_cdev(1);
	struct vfiox_bundle *b = NULL;
	int ret;

	(void)state;
	assert_int_equal(i, FK_BASE);
	listen_env("4242", "2", "iommufd:vfio-cdev-0000-05-00.0");
	ret = vfiox__bundle_listen_at(e->ctx, FK_BASE, VFIOX_LISTEN_UNSETENV, &b);
	if (ret)
		fail_msg("listen = %d: %s", ret, vfiox_ctx_last_error(e->ctx));
	assert_int_equal(vfiox_device_fd(vfiox_bundle_device(b, E1000)), d);
	assert_int_equal(vfiox_bundle_fd_group(b, 1), -1);
	assert_int_equal(vfiox_bundle_backend(b), VFIOX_BACKEND_IOMMUFD);
	assert_int_equal(fk.binds, 1);
	vfiox_bundle_free(b);
	fk_assert_fds_closed();
	fk_fresh();
	/* a cdev said to be another device's: refused, both closed */
	sent_iommufd();
	sent_cdev(1);
	listen_env("4242", "2", "iommufd:vfio-cdev-0000-00-04.0");
	assert_int_equal(vfiox__bundle_listen_at(e->ctx, FK_BASE, 0, &b), -EBADF);
	env_assert_error(e, "not " DEVROOT "/vfio/devices/vfio0", NULL, NULL);
	fk_assert_fds_closed();
	env_free(e);
}

/* ------------------------------------------------------------------ LISTEN_FDS */

static void test_listen_fds_adopts_by_name(void **state)
{
	struct env *e = fk_env();
	int c = sent_container(), g = sent_group(c, 5), d = fk_new_fd(FK_DEVICE);
	struct vfiox_bundle *b = NULL;
	int ret;

	(void)state;
	assert_int_equal(c, FK_BASE);
	listen_env("4242", "3", "vfio-container:vfio-group-5:vfio-device-0000-05-00.0");
	ret = vfiox__bundle_listen_at(e->ctx, FK_BASE, VFIOX_LISTEN_UNSETENV, &b);
	if (ret)
		fail_msg("listen = %d: %s", ret, vfiox_ctx_last_error(e->ctx));
	assert_null(getenv("LISTEN_FDS"));
	assert_null(getenv("LISTEN_PID"));
	assert_null(getenv("LISTEN_FDNAMES"));
	assert_int_equal(vfiox_vgroup_fd(vfiox_bundle_group(b, 5)), g);
	assert_int_equal(vfiox_device_fd(vfiox_bundle_device(b, E1000)), d);
	assert_int_equal(vfiox_bundle_fd_group(b, 2), -1);
	assert_int_equal(vfiox_bundle_iommu_model(b), VFIOX_IOMMU_TYPE1V2);
	vfiox_bundle_free(b);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_listen_fds_for_someone_else_touches_nothing(void **state)
{
	struct env *e = fk_env();
	struct vfiox_bundle *b = NULL;
	int c = sent_container(), g = sent_group(c, 5);

	(void)state;
	assert_int_equal(vfiox__bundle_listen_at(e->ctx, FK_BASE, 0, &b), -ENOENT);
	env_assert_error(e, "LISTEN_FDS is not set", NULL, NULL);
	listen_env("1", "2", "vfio-container:vfio-group-5");
	assert_int_equal(vfiox__bundle_listen_at(e->ctx, FK_BASE, 0, &b), -ENOENT);
	env_assert_error(e, "not this process", NULL, NULL);
	listen_env("4242", "two", NULL);
	assert_int_equal(vfiox__bundle_listen_at(e->ctx, FK_BASE, 0, &b), -EBADMSG);
	assert_int_equal(fk_fds.closes, 0); /* not ours to close */
	assert_non_null(getenv("LISTEN_FDS")); /* no VFIOX_LISTEN_UNSETENV */
	__wrap_vfiox_sys_close(g);
	__wrap_vfiox_sys_close(c);
	fk_assert_fds_closed();
	env_free(e);
}

static void test_listen_fds_refusals_close_every_fd(void **state)
{
	struct env *e = fk_env();
	struct {
		const char *nfds, *names;
		int err;
		const char *word;
	} cases[] = {
		{ "2", "vfio-container:vfio-group-5:vfio-group-6", -EBADMSG, "more names" },
		{ "2", "vfio-container", -EBADMSG, "1 names for the 2 fds" },
		{ "2", NULL, -EBADMSG, "LISTEN_FDNAMES is not set" },
		{ "2", "vfio-container:vfio-group-7", -EBADF, "not " DEVROOT "/vfio/7" },
		{ "2", "vfio-group-5:vfio-container", -EBADF, "said to be group 5" },
		{ "3", "vfio-container:vfio-group-5:stdin", -EBADMSG, "\"stdin\"" },
	};
	struct vfiox_bundle *b = NULL;
	size_t i;
	int ret;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int c = sent_container();

		sent_group(c, 5);
		if (!strcmp(cases[i].nfds, "3"))
			fk_new_fd(FK_PIPE);
		unsetenv("LISTEN_FDNAMES");
		listen_env("4242", cases[i].nfds, cases[i].names);
		ret = vfiox__bundle_listen_at(e->ctx, FK_BASE, 0, &b);
		if (ret != cases[i].err || !strstr(vfiox_ctx_last_error(e->ctx), cases[i].word))
			fail_msg("case %zu = %d (%s), want %d with \"%s\"", i, ret,
				 vfiox_ctx_last_error(e->ctx), cases[i].err, cases[i].word);
		assert_null(b);
		fk_assert_fds_closed();
		fk_fresh();
	}
	env_free(e);
}

/* ------------------------------------------------------------------ revoke */

/* A context over "base" (NVME on vfio-pci, group 2) with a fake /proc in which pid 4711
 * (qemu) holds /dev/vfio/2 at fd 7, and a journal without an entry for it. */
static struct env *revoke_env(void)
{
	struct env *e = env_scenario("base");
	char path[4096];

	env_ctx(e);
	assert_int_equal(vfiox_ctx_set_dev_root(e->ctx, DEVROOT), 0);
	snprintf(path, sizeof(path), "%s/proc", fx_root(e->fx));
	assert_int_equal(vfiox_ctx_set_proc_root(e->ctx, path), 0);
	snprintf(path, sizeof(path), "%s/state", fx_root(e->fx));
	env_mkdirs(path);
	assert_int_equal(vfiox_ctx_set_state_dir(e->ctx, path), 0);
	env_put(e, "proc/4711/comm", "qemu\n");
	snprintf(fk.holder_link, sizeof(fk.holder_link), "%s/proc/4711/fd/7", fx_root(e->fx));
	env_mkdirs(strcat(strcpy(path, fx_root(e->fx)), "/proc/4711/fd"));
	assert_int_equal(symlink(DEVROOT "/vfio/2", fk.holder_link), 0);
	fk.holder_pid = 4711;
	fk.req_enabled = true;
	return e;
}

static void test_revoke_of_a_cooperative_holder_releases_it(void **state)
{
	struct env *e = revoke_env();
	int ret;

	(void)state;
	fk.cooperative = true;
	ret = vfiox_device_revoke(e->ctx, NVME, 1000);
	if (ret != 1)
		fail_msg("revoke = %d: %s", ret, vfiox_ctx_last_error(e->ctx));
	/* No journal entry: released, left on vfio-pci, and said so. */
	env_assert_error(e, "was released", "stays on vfio-pci", "journal has no entry");
	assert_int_equal(fk.req_triggers, 1);
	assert_int_equal(fk.pidfd_opens, 1);
	fk_assert_fds_closed(); /* the pidfd, the duplicated group, our device fd */
	env_free(e);
}

static void test_revoke_of_a_holder_that_ignores_req_changes_nothing(void **state)
{
	struct env *e = revoke_env();
	struct stat st;

	(void)state;
	assert_int_equal(vfiox_device_revoke(e->ctx, NVME, 150), -EBUSY);
	env_assert_error(e, "still held by pid 4711 (qemu)", "150 ms", "nothing was changed");
	assert_int_equal(fk.req_triggers, 1);
	assert_int_equal(lstat(fk.holder_link, &st), 0); /* still held */
	fk_assert_fds_closed();
	env_free(e);
}

static void test_revoke_of_a_holder_without_req_names_it(void **state)
{
	struct env *e = revoke_env();

	(void)state;
	fk.req_enabled = false;
	assert_int_equal(vfiox_device_revoke(e->ctx, NVME, 1000), -EBUSY);
	env_assert_error(e, "pid 4711 (qemu)", "no REQ interrupt enabled", "nothing was changed");
	fk_assert_fds_closed();
	env_free(e);
}

static void test_revoke_refusals(void **state)
{
	struct env *e = revoke_env();

	(void)state;
	fk.getfd_err = -EPERM;
	assert_int_equal(vfiox_device_revoke(e->ctx, NVME, 1000), -EPERM);
	env_assert_error(e, "pid 4711 (qemu)", "CAP_SYS_PTRACE", NULL);
	fk_assert_fds_closed();
	assert_int_equal(vfiox_device_revoke(e->ctx, "0000:00:01.0", 1000), -EINVAL);
	env_assert_error(e, "bound to bochs-drm", "nothing to revoke", NULL);
	assert_true(vfiox_device_revoke(e->ctx, "0000:09:00.0", 1000) < 0);
	assert_int_equal(fk.req_triggers, 0);
	env_free(e);
}

/*
 * The holder lets go between the scan of /proc and the pidfd: it exited (ESRCH), closed
 * the fd (EBADF), or the fd number (or the pid) is something else by now. Nobody is left
 * to ask, so it counts as released; and an fd that is not the group gets no VFIO ioctl.
 */
static void test_revoke_of_a_holder_that_lets_go_meanwhile_releases_it(void **state)
{
	struct env *e = revoke_env();
	struct {
		int open_err, getfd_err;
		bool pipe;
	} cases[] = { { -ESRCH, 0, false }, { 0, -ESRCH, false }, { 0, -EBADF, false },
		      { 0, 0, true } };
	size_t i;
	int ret;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		unlink(fk.holder_link);
		assert_int_equal(symlink(DEVROOT "/vfio/2", fk.holder_link), 0); /* the scan sees it */
		fk.pidfd_open_err = cases[i].open_err;
		fk.getfd_err = cases[i].getfd_err;
		fk.getfd_pipe = cases[i].pipe;
		fk.pidfd_opens = 0;
		ret = vfiox_device_revoke(e->ctx, NVME, 1000);
		if (ret != 1)
			fail_msg("case %zu: revoke = %d: %s", i, ret, vfiox_ctx_last_error(e->ctx));
		env_assert_error(e, "was released", NULL, NULL);
		assert_int_equal(fk.pidfd_opens, 1);
		assert_int_equal(fk.pipe_ioctls, 0);
		assert_int_equal(fk.req_triggers, 0);
		fk_assert_fds_closed();
	}
	env_free(e);
}

/*
 * The iommufd way: the holder has the device's cdev open, not its group. The REQ goes
 * through a duplicate of that cdev fd, which is a device fd already (no group ioctl).
 */
static void test_revoke_of_a_cdev_holder_asks_through_its_cdev(void **state)
{
	struct env *e = revoke_env();
	int ret;

	(void)state;
	env_put(e, "bus/pci/devices/" NVME "/vfio-dev/vfio0/dev", "511:0\n");
	unlink(fk.holder_link);
	assert_int_equal(symlink(DEVROOT "/vfio/devices/vfio0", fk.holder_link), 0);
	fk.getfd_kind = FK_CDEV;
	fk.cooperative = true;
	ret = vfiox_device_revoke(e->ctx, NVME, 1000);
	if (ret != 1)
		fail_msg("revoke = %d: %s", ret, vfiox_ctx_last_error(e->ctx));
	assert_int_equal(fk.req_triggers, 1);
	assert_int_equal(fk.pidfd_opens, 1);
	fk_assert_fds_closed(); /* the pidfd and the duplicated cdev */
	/* one that ignores it is named, as a group holder is */
	assert_int_equal(symlink(DEVROOT "/vfio/devices/vfio0", fk.holder_link), 0);
	fk.cooperative = false;
	assert_int_equal(vfiox_device_revoke(e->ctx, NVME, 150), -EBUSY);
	env_assert_error(e, "still held by pid 4711 (qemu)", "nothing was changed", NULL);
	assert_int_equal(fk.req_triggers, 2);
	/* and a cdev fd number reused for something else by now gets no ioctl */
	fk.getfd_pipe = true;
	fk.getfd_kind = 0;
	ret = vfiox_device_revoke(e->ctx, NVME, 1000);
	assert_int_equal(ret, 1);
	assert_int_equal(fk.pipe_ioctls, 0);
	fk_assert_fds_closed();
	env_free(e);
}

/* Nobody holds it: nothing to ask, straight to the journal. */
static void test_revoke_of_an_unheld_device_asks_nobody(void **state)
{
	struct env *e = revoke_env();

	(void)state;
	holder_releases();
	assert_int_equal(vfiox_device_revoke(e->ctx, NVME, 1000), 1);
	assert_int_equal(fk.pidfd_opens, 0);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		fk_test(test_open_gives_container_groups_then_devices_in_order),
		fk_test(test_open_without_device_fds_gives_only_groups),
		fk_test(test_open_refusals_leave_nothing_open),
		fk_test(test_open_failing_midway_closes_what_it_opened),
		fk_test(test_too_many_fds_are_refused_before_opening),
		fk_test(test_send_puts_every_fd_in_one_packet),
		fk_test(test_refuse_sends_the_reason_and_recv_reports_it),
		fk_test(test_recv_adopts_a_good_bundle),
		fk_test(test_recv_refuses_a_message_without_fds),
		fk_test(test_recv_refuses_a_pipe_described_as_a_group),
		fk_test(test_recv_checks_a_group_against_sysfs_without_its_node),
		fk_test(test_recv_refuses_more_fds_than_described),
		fk_test(test_recv_refuses_truncated_text),
		fk_test(test_recv_refuses_an_overlong_message),
		fk_test(test_recv_refuses_too_many_fds),
		fk_test(test_recv_checks_each_fd_against_its_description),
		fk_test(test_recv_timeouts_closed_peers_and_wrong_sockets),
		fk_test(test_open_iommufd_gives_the_iommufd_then_unbound_cdevs),
		fk_test(test_open_iommufd_of_a_group_takes_its_vfio_members),
		fk_test(test_open_auto_takes_iommufd_only_when_every_device_offers_it),
		fk_test(test_open_iommufd_refusals_leave_nothing_open),
		fk_test(test_open_iommufd_refuses_a_held_group_or_cdev_naming_the_holder),
		fk_test(test_open_iommufd_refuses_a_group_that_is_not_viable),
		fk_test(test_recv_adopts_an_iommufd_bundle_binding_each_cdev),
		fk_test(test_recv_checks_an_iommufd_bundle_against_the_nodes_without_sysfs),
		fk_test(test_recv_refuses_iommufd_fds_that_are_not_what_they_say),
		fk_test(test_recv_reports_a_refused_bind_and_closes_every_fd),
		fk_test(test_recv_refuses_a_mixed_bundle),
		fk_test(test_listen_fds_adopts_an_iommufd_bundle_by_name),
		fk_test(test_listen_fds_adopts_by_name),
		fk_test(test_listen_fds_for_someone_else_touches_nothing),
		fk_test(test_listen_fds_refusals_close_every_fd),
		fk_test(test_revoke_of_a_cooperative_holder_releases_it),
		fk_test(test_revoke_of_a_holder_that_ignores_req_changes_nothing),
		fk_test(test_revoke_of_a_holder_without_req_names_it),
		fk_test(test_revoke_refusals),
		fk_test(test_revoke_of_an_unheld_device_asks_nobody),
		fk_test(test_revoke_of_a_cdev_holder_asks_through_its_cdev),
		fk_test(test_revoke_of_a_holder_that_lets_go_meanwhile_releases_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
