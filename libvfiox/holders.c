// SPDX-License-Identifier: LGPL-2.1-or-later
/* Who holds a device node open: the /proc/PID/fd links that point at it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct holder_search {
	const char *path;
	int proc_fd;
	char *buf;
	size_t len, used;
	unsigned int found;
	int pid; /* the pid whose fds are being read */
	bool hit;
	struct vfiox_holder *list; /* when asked: each process's first fd on the node */
	size_t max;
};

static int check_fd(void *arg, const char *name)
{
	struct holder_search *s = arg;
	char link[64], target[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "%d/fd/%s", s->pid, name);
	n = vfiox_sys_readlinkat(s->proc_fd, link, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	if (strcmp(target, s->path))
		return 0;
	s->hit = true;
	if (s->list && s->found < s->max) {
		s->list[s->found].pid = s->pid;
		s->list[s->found].fd = atoi(name);
	}
	return 1; /* one fd is enough for this process */
}

static int check_pid(void *arg, const char *name)
{
	struct holder_search *s = arg;
	char path[64], comm[64];
	char *end;
	long pid = strtol(name, &end, 10);

	if (*end || pid <= 0)
		return 0;
	s->pid = (int)pid;
	s->hit = false;
	snprintf(path, sizeof(path), "%ld/fd", pid);
	vfiox__for_each_dirent(s->proc_fd, path, check_fd, s);
	if (!s->hit)
		return 0;
	snprintf(path, sizeof(path), "%ld/comm", pid);
	if (vfiox__read_attr(s->proc_fd, path, comm, sizeof(comm)) < 0)
		snprintf(comm, sizeof(comm), "?");
	if (s->list && s->found < s->max)
		snprintf(s->list[s->found].comm, sizeof(s->list[s->found].comm), "%s", comm);
	if (s->used < s->len) {
		int k = snprintf(s->buf + s->used, s->len - s->used, "%spid %ld (%s)",
				 s->found ? ", " : "", pid, comm);

		s->used += k > 0 ? (size_t)k : 0;
	}
	s->found++;
	return 0;
}

/*
 * Walks the context's /proc as far as we may look; processes of other users stay invisible
 * to non-root.
 */
static unsigned int search(struct vfiox_ctx *ctx, struct holder_search *s)
{
	if (s->len)
		s->buf[0] = '\0';
	s->proc_fd = vfiox_sys_openat(AT_FDCWD, vfiox_ctx_proc_root(ctx), O_RDONLY | O_DIRECTORY,
				      0);
	if (s->proc_fd < 0)
		return 0;
	vfiox__for_each_dirent(s->proc_fd, ".", check_pid, s);
	vfiox_sys_close(s->proc_fd);
	if (s->used >= s->len && s->len > 4)
		strcpy(s->buf + s->len - 4, "...");
	vfiox__dbg(ctx, "holders of %s: %s", s->path,
		   s->len && s->buf[0] ? s->buf : s->found ? "some" : "none visible");
	return s->found;
}

void vfiox__find_holders(struct vfiox_ctx *ctx, const char *path, char *buf, size_t len)
{
	struct holder_search s = { .path = path, .buf = buf, .len = len };

	if (len)
		search(ctx, &s);
}

size_t vfiox__holders(struct vfiox_ctx *ctx, const char *path, struct vfiox_holder *list,
		      size_t max, char *buf, size_t len)
{
	struct holder_search s = { .path = path, .buf = buf, .len = len, .list = list, .max = max };

	return search(ctx, &s);
}
