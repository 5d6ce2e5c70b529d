// SPDX-License-Identifier: LGPL-2.1-or-later
/* Readers for sysfs attributes, links and directories, on top of sys.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Reads a small attribute into @buf as a NUL-terminated string without trailing newline. */
ssize_t vfiox__read_attr(int dirfd, const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if (len == 0)
		return -EINVAL;
	fd = vfiox_sys_openat(dirfd, path, O_RDONLY, 0);
	if (fd < 0)
		return fd;
	n = vfiox_sys_read(fd, buf, len - 1);
	vfiox_sys_close(fd);
	if (n < 0)
		return n;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return n;
}

/* Parses the whole attribute as one integer; anything else is -EINVAL. */
int vfiox__read_attr_long(int dirfd, const char *path, int base, long *val)
{
	char buf[64], *end;
	ssize_t n;
	long v;

	n = vfiox__read_attr(dirfd, path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	if (n == 0)
		return -EINVAL;
	errno = 0;
	v = strtol(buf, &end, base);
	if (errno || *end != '\0')
		return -EINVAL;
	*val = v;
	return 0;
}

/* Puts the last path component of the link's target into @buf. */
int vfiox__read_link_name(int dirfd, const char *path, char *buf, size_t len)
{
	char target[512];
	const char *base;
	ssize_t n;

	n = vfiox_sys_readlinkat(dirfd, path, target, sizeof(target) - 1);
	if (n < 0)
		return (int)n;
	target[n] = '\0';
	while (n > 1 && target[n - 1] == '/')
		target[--n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

int vfiox__for_each_dirent(int dirfd, const char *path, int (*fn)(void *arg, const char *name),
			   void *arg)
{
	/* Large buffer: sysfs directories of big hosts hold thousands of entries. */
	size_t buflen = 64 * 1024;
	char *buf;
	int fd, ret = 0;

	fd = vfiox_sys_openat(dirfd, path, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return fd;
	buf = malloc(buflen);
	if (!buf) {
		ret = -ENOMEM;
		goto out_close;
	}
	for (;;) {
		ssize_t n = vfiox_sys_getdents(fd, buf, buflen);
		ssize_t pos = 0;

		if (n <= 0) {
			ret = (int)n;
			break;
		}
		while (pos < n) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + pos);

			pos += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			ret = fn(arg, d->d_name);
			if (ret)
				goto out_free;
		}
	}
out_free:
	free(buf);
out_close:
	vfiox_sys_close(fd);
	return ret;
}

char *vfiox__strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}
