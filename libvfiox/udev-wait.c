// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Waiting for udevd to finish with a device node. Where udevd runs, a node that devtmpfs
 * has just created is not yet as the host's rules want it: udevd then applies their OWNER,
 * GROUP and MODE, and only after that records the device in its database,
 * <udev>/data/c<major>:<minor>. So the node is as udev leaves it once that record exists
 * and is not older than the node. A record left from an earlier node of the same number
 * is older (and goes when udevd handles that node's remove event).
 *
 * And telling udevd that its rules changed: it reads them again by itself at most every
 * 3 s, when an event comes (systemd 252), so a rule written just before a rebind or a
 * rescan would otherwise not apply to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>

#include "internal.h"

/*
 * udevd's directory for @ctx: VFIOX_UDEV_DIR, else /run/udev for the real /dev; NULL
 * when the context looks at another device tree, which no udevd manages.
 */
static const char *udev_dir(const struct vfiox_ctx *ctx)
{
	const char *dir = getenv("VFIOX_UDEV_DIR");

	if (dir && *dir)
		return dir;
	return strcmp(ctx->dev_root, "/dev") ? NULL : "/run/udev";
}

bool vfiox__udevd_runs(const struct vfiox_ctx *ctx)
{
	const char *dir = ctx ? udev_dir(ctx) : "/run/udev";
	char path[4096];
	int fd;

	if (!dir)
		return false;
	snprintf(path, sizeof(path), "%s/control", dir);
	fd = vfiox_sys_openat(AT_FDCWD, path, O_PATH, 0);
	if (fd < 0)
		return false;
	vfiox_sys_close(fd);
	return true;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool not_older(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec >= b->tv_nsec);
}

/* 1 when udevd has recorded @node (its record not older than the node), 0 not yet, -errno */
static int recorded(const char *node, const char *db)
{
	struct stat n, d;
	int ret;

	ret = vfiox_sys_fstatat(AT_FDCWD, node, &n, 0);
	if (ret)
		return ret;
	ret = vfiox_sys_fstatat(AT_FDCWD, db, &d, 0);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	return not_older(&d.st_mtim, &n.st_ctim);
}

int vfiox__wait_udev_node(struct vfiox_ctx *ctx, const char *node, int timeout_ms)
{
	const char *dir = udev_dir(ctx);
	char data[4096], db[4200], evbuf[4096];
	long long deadline = mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct epoll_event ev = { .events = EPOLLIN };
	struct stat st;
	int ifd, epfd, ret;

	if (!vfiox__udevd_runs(ctx))
		return 0;
	ret = vfiox_sys_fstatat(AT_FDCWD, node, &st, 0);
	if (ret)
		return vfiox__err(ctx, ret, "cannot stat %s: %s", node, strerror(-ret));
	snprintf(data, sizeof(data), "%s/data", dir);
	snprintf(db, sizeof(db), "%s/c%u:%u", data, major(st.st_rdev), minor(st.st_rdev));
	ret = recorded(node, db);
	if (ret)
		return ret < 0 ? vfiox__err(ctx, ret, "cannot stat %s: %s", db, strerror(-ret)) : 0;
	ifd = vfiox_sys_inotify_init();
	if (ifd < 0)
		return vfiox__err(ctx, ifd, "cannot watch %s: inotify: %s", data, strerror(-ifd));
	epfd = vfiox_sys_epoll_create();
	if (epfd < 0) {
		ret = vfiox__err(ctx, epfd, "epoll: %s", strerror(-epfd));
		goto out_close_ifd;
	}
	ev.data.fd = ifd;
	ret = vfiox_sys_epoll_ctl(epfd, EPOLL_CTL_ADD, ifd, &ev);
	if (ret) {
		vfiox__err(ctx, ret, "epoll: %s", strerror(-ret));
		goto out_close_epfd;
	}
	/* udevd writes a record to a temporary file and renames it into place. */
	ret = vfiox_sys_inotify_add_watch(ifd, data, IN_MOVED_TO | IN_CREATE | IN_CLOSE_WRITE);
	if (ret < 0 && ret != -ENOENT) {
		vfiox__err(ctx, ret, "cannot watch %s for %s: %s", data, node, strerror(-ret));
		goto out_close_epfd;
	}
	for (;;) {
		long long left;
		/* Without a watch (no data/ yet: udevd has recorded nothing), poll. */
		int wait_ms = ret < 0 ? 20 : -1;

		ret = recorded(node, db);
		if (ret) {
			if (ret < 0)
				vfiox__err(ctx, ret, "cannot stat %s: %s", db, strerror(-ret));
			else
				ret = 0;
			break;
		}
		left = deadline - mono_ms();
		if (left <= 0) {
			ret = vfiox__err(ctx, -ETIMEDOUT, "udevd has not finished with %s within %d "
					 "ms (it has not recorded it in %s): is udevd stuck on a "
					 "rule? 'udevadm settle' waits for it, 'udevadm monitor' "
					 "shows what it does", node, timeout_ms, db);
			break;
		}
		if (wait_ms < 0 || left < wait_ms)
			wait_ms = (int)left;
		ret = vfiox_sys_epoll_wait(epfd, &ev, 1, wait_ms);
		if (ret < 0 && ret != -EINTR) {
			vfiox__err(ctx, ret, "epoll_wait: %s", strerror(-ret));
			break;
		}
		while (vfiox_sys_read(ifd, evbuf, sizeof(evbuf)) > 0)
			;
		ret = vfiox_sys_inotify_add_watch(ifd, data, IN_MOVED_TO | IN_CREATE |
						  IN_CLOSE_WRITE);
		if (ret > 0)
			ret = 0;
	}
out_close_epfd:
	vfiox_sys_close(epfd);
out_close_ifd:
	vfiox_sys_close(ifd);
	return ret;
}

void vfiox__udev_reload(struct vfiox_ctx *ctx)
{
	char *argv[] = { "udevadm", "control", "--reload", "--timeout=10", NULL };
	extern char **environ;
	int ret, status;
	pid_t pid;

	if (strcmp(ctx->etc_root, "/etc") || !vfiox__udevd_runs(ctx))
		return; /* rules in another tree are no udevd's */
	ret = posix_spawnp(&pid, "udevadm", NULL, NULL, argv, environ);
	if (!ret) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			return;
	}
	vfiox__warn(ctx, "udevd runs, but 'udevadm control --reload' %s: the rule just "
		    "changed applies from udevd's next look at its rules (within seconds)",
		    ret ? strerror(ret) : "failed");
}
