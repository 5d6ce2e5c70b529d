// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The one place where libvfiox touches the kernel. Every function returns the result of
 * the system call or -errno, so callers never look at errno and unit tests can replace a
 * single function with -Wl,--wrap=vfiox_sys_<name>.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "internal.h"

int vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	int fd = openat(dirfd, path, flags | O_CLOEXEC, mode);

	return fd < 0 ? -errno : fd;
}

int vfiox_sys_close(int fd)
{
	return close(fd) < 0 ? -errno : 0;
}

ssize_t vfiox_sys_read(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

ssize_t vfiox_sys_pread(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n;

	do
		n = pread(fd, buf, len, off);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

ssize_t vfiox_sys_readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
	ssize_t n = readlinkat(dirfd, path, buf, len);

	return n < 0 ? -errno : n;
}

ssize_t vfiox_sys_getdents(int fd, void *buf, size_t len)
{
	long n = syscall(SYS_getdents64, fd, buf, len);

	return n < 0 ? -errno : n;
}

int vfiox_sys_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do
		ret = ioctl(fd, request, arg);
	while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

int vfiox_sys_set_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

ssize_t vfiox_sys_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	ssize_t n;

	do
		n = pwrite(fd, buf, len, off);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

int vfiox_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off, void **addrp)
{
	void *p = mmap(addr, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return -errno;
	*addrp = p;
	return 0;
}

int vfiox_sys_munmap(void *addr, size_t len)
{
	return munmap(addr, len) < 0 ? -errno : 0;
}

int vfiox_sys_eventfd(unsigned int initval, int flags)
{
	int fd = eventfd(initval, flags | EFD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int vfiox_sys_epoll_create(void)
{
	int fd = epoll_create1(EPOLL_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int vfiox_sys_epoll_ctl(int epfd, int op, int fd, void *event)
{
	return epoll_ctl(epfd, op, fd, event) < 0 ? -errno : 0;
}

int vfiox_sys_epoll_wait(int epfd, void *events, int maxevents, int timeout_ms)
{
	int n = epoll_wait(epfd, events, maxevents, timeout_ms);

	return n < 0 ? -errno : n;
}

long vfiox_sys_page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

int vfiox_sys_getrlimit(int resource, struct rlimit *rl)
{
	return getrlimit(resource, rl) < 0 ? -errno : 0;
}

int vfiox_sys_memfd_create(const char *name, unsigned int flags)
{
	int fd = memfd_create(name, flags | MFD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int vfiox_sys_ftruncate(int fd, off_t len)
{
	return ftruncate(fd, len) < 0 ? -errno : 0;
}

int vfiox_sys_madvise(void *addr, size_t len, int advice)
{
	return madvise(addr, len, advice) < 0 ? -errno : 0;
}

ssize_t vfiox_sys_write(int fd, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

int vfiox_sys_fsync(int fd)
{
	return fsync(fd) < 0 ? -errno : 0;
}

int vfiox_sys_mkdirat(int dirfd, const char *path, mode_t mode)
{
	return mkdirat(dirfd, path, mode) < 0 ? -errno : 0;
}

int vfiox_sys_renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	return renameat(olddirfd, oldpath, newdirfd, newpath) < 0 ? -errno : 0;
}

int vfiox_sys_unlinkat(int dirfd, const char *path, int flags)
{
	return unlinkat(dirfd, path, flags) < 0 ? -errno : 0;
}

int vfiox_sys_inotify_init(void)
{
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

	return fd < 0 ? -errno : fd;
}

int vfiox_sys_inotify_add_watch(int fd, const char *path, uint32_t mask)
{
	int wd = inotify_add_watch(fd, path, mask);

	return wd < 0 ? -errno : wd;
}

int vfiox_sys_getrandom(void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom((char *)buf + done, len - done, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += (size_t)n;
	}
	return 0;
}

/* A bound: no rtnetlink answer to one request of ours comes near it (a PF with 256 VFs,
 * without stats, is about 40 KiB). */
#define NETLINK_REPLY_MAX (4u << 20)

ssize_t vfiox_sys_netlink_transact(int protocol, const void *req, size_t len, void **reply)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 10 };
	const struct nlmsghdr *h = req;
	uint8_t *out = NULL, *buf = NULL;
	size_t used = 0, bufsz = 0;
	bool done = false;
	int one = 1, fd;
	ssize_t ret;

	*reply = NULL;
	if (len < sizeof(*h))
		return -EINVAL;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	if (fd < 0)
		return -errno;
	/* Kernels before 4.12 (ext ack) or 4.20 (strict checks) lack them: answers come
	 * without a reason then, which the caller copes with. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (sendto(fd, req, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		ret = -errno;
		goto out_free;
	}
	while (!done) {
		const struct nlmsghdr *r;
		size_t left;
		ssize_t n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = errno == EAGAIN ? -ETIMEDOUT : -errno;
			goto out_free;
		}
		if ((size_t)n > NETLINK_REPLY_MAX) {
			ret = -EMSGSIZE;
			goto out_free;
		}
		if ((size_t)n > bufsz) {
			uint8_t *p = realloc(buf, (size_t)n);

			if (!p) {
				ret = -ENOMEM;
				goto out_free;
			}
			buf = p;
			bufsz = (size_t)n;
		}
		do
			n = recv(fd, buf, bufsz, 0);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			ret = -errno;
			goto out_free;
		}
		/* Only the messages of this request, up to and with its ack or NLMSG_DONE. */
		r = (const struct nlmsghdr *)buf;
		for (left = (size_t)n; !done && NLMSG_OK(r, left); r = NLMSG_NEXT(r, left)) {
			size_t step = NLMSG_ALIGN(r->nlmsg_len) <= left ? NLMSG_ALIGN(r->nlmsg_len)
								      : r->nlmsg_len;
			uint8_t *p;

			if (r->nlmsg_seq != h->nlmsg_seq)
				continue;
			if (used + step > NETLINK_REPLY_MAX) {
				ret = -EMSGSIZE;
				goto out_free;
			}
			p = realloc(out, used + step);
			if (!p) {
				ret = -ENOMEM;
				goto out_free;
			}
			out = p;
			memcpy(out + used, r, step);
			used += step;
			done = r->nlmsg_type == NLMSG_ERROR || r->nlmsg_type == NLMSG_DONE;
		}
	}
	*reply = out;
	out = NULL;
	ret = (ssize_t)used;
out_free:
	free(out);
	free(buf);
	close(fd);
	return ret;
}

int vfiox_sys_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	return fstatat(dirfd, path, st, flags) < 0 ? -errno : 0;
}

int vfiox_sys_fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	return fchownat(dirfd, path, uid, gid, flags) < 0 ? -errno : 0;
}

int vfiox_sys_fchmodat(int dirfd, const char *path, mode_t mode)
{
	return fchmodat(dirfd, path, mode, 0) < 0 ? -errno : 0;
}

int vfiox_sys_flock(int fd, int op)
{
	int ret;

	do
		ret = flock(fd, op);
	while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

ssize_t vfiox_sys_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	ssize_t n;

	do
		n = sendmsg(fd, msg, flags | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

ssize_t vfiox_sys_recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t n;

	do
		n = recvmsg(fd, msg, flags | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

int vfiox_sys_poll(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n = poll(&p, 1, timeout_ms);

	if (n < 0)
		return -errno;
	return n ? (p.revents ? p.revents : events) : 0;
}

int vfiox_sys_socket(int domain, int type, int protocol)
{
	int fd = socket(domain, type | SOCK_CLOEXEC, protocol);

	return fd < 0 ? -errno : fd;
}

int vfiox_sys_connect(int fd, const void *addr, unsigned int len)
{
	/* A connect interrupted by a signal goes on in the background: EINTR is not retried
	 * (a second call would say EALREADY); the caller sees -EINTR. */
	return connect(fd, addr, len) < 0 ? -errno : 0;
}

int vfiox_sys_getsockopt(int fd, int level, int name, void *val, unsigned int *len)
{
	return getsockopt(fd, level, name, val, len) < 0 ? -errno : 0;
}

int vfiox_sys_getpid(void)
{
	return getpid();
}

int vfiox_sys_pidfd_open(int pid)
{
	long fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : (int)fd;
}

int vfiox_sys_pidfd_getfd(int pidfd, int fd)
{
	long n = syscall(SYS_pidfd_getfd, pidfd, fd, 0);

	return n < 0 ? -errno : (int)n;
}
