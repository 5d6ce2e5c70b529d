// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The one place where libvfiox touches the kernel. Every function returns the result of
 * the system call or -errno, so callers never look at errno and unit tests can replace a
 * single function with -Wl,--wrap=vfiox_sys_<name>.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

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
