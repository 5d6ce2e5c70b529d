// SPDX-License-Identifier: LGPL-2.1-or-later
/* The journal of original device state: one small file per device, replaced atomically. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "journal.h"

#define JOURNAL_SUBDIR "devices"
#define ENTRY_MAX 4096
/* Between tries for the lock: short at first, then at most this often. */
#define LOCK_POLL_MIN_MS 5
#define LOCK_POLL_MAX_MS 50

/*
 * CRC-32 (IEEE) of an entry's text before its end= line: a torn or garbled entry must
 * not be mistaken for a shorter valid one (a driver= line cut in its middle still parses).
 */
static uint32_t crc32(const char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	int k;

	while (n--) {
		c ^= (uint8_t)*p++;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

void vfiox__jentry_init(struct vfiox__jentry *e, const char *dev)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->dev, sizeof(e->dev), "%s", dev);
	e->sriov_numvfs = -1;
	e->sriov_autoprobe = -1;
}

/* Device names become file names: only what a PCI address can hold. */
static bool valid_name(const char *dev)
{
	size_t n = strlen(dev);

	if (!n || n >= VFIOX_PCI_ADDR_STRLEN)
		return false;
	return strspn(dev, "0123456789abcdefABCDEF:.") == n;
}

static bool valid_value(const char *s)
{
	return !strchr(s, '\n');
}

int vfiox__jentry_format(const struct vfiox__jentry *e, char *buf, size_t len)
{
	size_t off = 0, i;
	int n;

#define PUT(...)                                                                   \
	do {                                                                       \
		n = snprintf(buf + off, off < len ? len - off : 0, __VA_ARGS__);   \
		if (n < 0)                                                         \
			return -EINVAL;                                            \
		off += (size_t)n;                                                  \
	} while (0)
	PUT("# vfioctl journal: the state of %s before vfioctl changed it\n", e->dev);
	PUT("format=2\n");
	PUT("device=%s\n", e->dev);
	if (e->has_driver)
		PUT("driver=%s\n", e->driver);
	if (e->has_override)
		PUT("driver_override=%s\n", e->override);
	if (e->sriov_numvfs >= 0)
		PUT("sriov_numvfs=%d\n", e->sriov_numvfs);
	if (e->sriov_autoprobe >= 0)
		PUT("sriov_drivers_autoprobe=%d\n", e->sriov_autoprobe);
	if (e->vf_token[0])
		PUT("vf_token=%s\n", e->vf_token);
	for (i = 0; i < e->num_persist; i++)
		PUT("persist=%s\n", e->persist[i]);
	if (off >= len)
		return -ENOSPC;
	PUT("end=%08x\n", crc32(buf, off));
#undef PUT
	return off < len ? (int)off : -ENOSPC;
}

static int parse_int(const char *v, int *out)
{
	char *end;
	long x;

	errno = 0;
	x = strtol(v, &end, 10);
	if (errno || end == v || *end || x < 0 || x > 65535)
		return -EBADMSG;
	*out = (int)x;
	return 0;
}

static int copy_val(char *dst, size_t size, const char *v)
{
	if (strlen(v) >= size)
		return -EBADMSG;
	strcpy(dst, v);
	return 0;
}

#define WHY(...) (snprintf(why, whylen, __VA_ARGS__), -EBADMSG)

int vfiox__jentry_parse_why(const char *text, size_t len, struct vfiox__jentry *e, char *why,
			    size_t whylen)
{
	char line[512];
	const char *p = text, *end = text + len;
	bool have_dev = false, v2 = false, have_end = false;
	unsigned int lineno = 0;
	int ret = 0;

	vfiox__jentry_init(e, "");
	if (whylen)
		why[0] = '\0';
	if (!len)
		return WHY("it is empty (torn: a crash while it was written?)");
	if (memchr(text, '\0', len))
		return WHY("it holds a NUL byte at offset %zu (garbled)",
			   (size_t)((const char *)memchr(text, '\0', len) - text));
	if (text[len - 1] != '\n')
		return WHY("it ends in the middle of a line after %zu bytes (torn: a crash while "
			   "it was written?)", len);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)(nl - p);
		char *eq, *key, *val;

		lineno++;
		if (have_end)
			return WHY("line %u follows its end= line (garbled)", lineno);
		if (n >= sizeof(line))
			return WHY("line %u is longer than %zu bytes (garbled)", lineno,
				   sizeof(line) - 1);
		memcpy(line, p, n);
		line[n] = '\0';
		if (!strncmp(line, "end=", 4) && v2) {
			char *x;
			unsigned long sum = strtoul(line + 4, &x, 16);

			if (x == line + 4 || *x || sum != crc32(text, (size_t)(p - text)))
				return WHY("its checksum (line %u) does not match its text (garbled)",
					   lineno);
			have_end = true;
			p = nl + 1;
			continue;
		}
		p = nl + 1;
		if (!line[0] || line[0] == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq)
			return WHY("line %u is not key=value (garbled)", lineno);
		*eq = '\0';
		key = line;
		val = eq + 1;
		if (!strcmp(key, "format")) {
			if (strcmp(val, "2"))
				return WHY("line %u: format %s is not one this vfioctl reads", lineno,
					   val);
			v2 = true;
		} else if (!strcmp(key, "device")) {
			ret = copy_val(e->dev, sizeof(e->dev), val);
			have_dev = !ret && valid_name(e->dev);
		} else if (!strcmp(key, "driver")) {
			ret = copy_val(e->driver, sizeof(e->driver), val);
			e->has_driver = true;
		} else if (!strcmp(key, "driver_override")) {
			ret = copy_val(e->override, sizeof(e->override), val);
			e->has_override = true;
		} else if (!strcmp(key, "sriov_numvfs")) {
			ret = parse_int(val, &e->sriov_numvfs);
		} else if (!strcmp(key, "sriov_drivers_autoprobe")) {
			ret = parse_int(val, &e->sriov_autoprobe);
		} else if (!strcmp(key, "vf_token")) {
			ret = copy_val(e->vf_token, sizeof(e->vf_token), val);
		} else if (!strcmp(key, "persist")) {
			if (e->num_persist >= VFIOX_JOURNAL_MAX_PERSIST)
				return WHY("line %u: more than %d persist= lines", lineno,
					   VFIOX_JOURNAL_MAX_PERSIST);
			ret = copy_val(e->persist[e->num_persist++], sizeof(e->persist[0]), val);
		}
		/* Unknown keys come from a newer vfioctl: kept out, not an error. */
		if (ret)
			return WHY("line %u: the value of %s is not valid", lineno, key);
	}
	/* An entry of format 2 ends with its checksum; one without it was cut short. */
	if (v2 && !have_end)
		return WHY("it has no end= line after %zu bytes (torn: a crash while it was "
			   "written?)", len);
	if (!have_dev)
		return WHY("it has no valid device= line (torn by a crash, or garbled)");
	return 0;
}
#undef WHY

int vfiox__jentry_parse(const char *text, struct vfiox__jentry *e)
{
	char why[128];

	return vfiox__jentry_parse_why(text, strlen(text), e, why, sizeof(why));
}

/* Opens (creating when @create) <state_dir>/devices. */
static int open_dir(struct vfiox_ctx *ctx, bool create)
{
	char path[4096];
	int ret;

	ret = snprintf(path, sizeof(path), "%s/" JOURNAL_SUBDIR, ctx->state_dir);
	if (ret < 0 || (size_t)ret >= sizeof(path)) {
		ret = -ENAMETOOLONG;
		goto fail;
	}
	/* mkdir -p: /run/vfioctl's parent exists, a test's state dir may not. */
	for (char *p = path + 1; create && (p = strchr(p, '/')); p++) {
		*p = '\0';
		ret = vfiox_sys_mkdirat(AT_FDCWD, path, 0700);
		*p = '/';
		if (ret && ret != -EEXIST)
			goto fail;
	}
	if (create) {
		ret = vfiox_sys_mkdirat(AT_FDCWD, path, 0700);
		if (ret && ret != -EEXIST)
			goto fail;
	}
	ret = vfiox_sys_openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0);
	if (ret >= 0 || (ret == -ENOENT && !create))
		return ret;
fail:
	return vfiox__err(ctx, ret, "cannot use the journal directory %s/" JOURNAL_SUBDIR
			  ": %s (set another with VFIOX_STATE_DIR)", ctx->state_dir,
			  strerror(-ret));
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Who holds the flock on @fd's file: the pid that /proc/locks gives for its inode (the
 * kernel's own record: never stale, unlike a pid written into the file), then that
 * process's command line. Without /proc/locks (or a holder in another pid namespace) the
 * processes that have the file open are named instead (waiters among them).
 */
static void lock_holder(struct vfiox_ctx *ctx, int fd, const char *path, char *buf, size_t len)
{
	char want[64], cmd[160], file[4200];
	struct stat st;
	size_t used = 0, cap = 1 << 16;
	char *locks = NULL, *line, *save;
	ssize_t n;
	long pid = 0;
	int lfd;

	buf[0] = '\0';
	snprintf(file, sizeof(file), "%s/locks", ctx->proc_root);
	if (!vfiox_sys_fstatat(fd, "", &st, AT_EMPTY_PATH) &&
	    (lfd = vfiox_sys_openat(AT_FDCWD, file, O_RDONLY | O_CLOEXEC, 0)) >= 0) {
		locks = malloc(cap);
		while (locks && used < cap - 1 &&
		       (n = vfiox_sys_read(lfd, locks + used, cap - 1 - used)) > 0)
			used += (size_t)n;
		vfiox_sys_close(lfd);
	}
	if (locks) {
		locks[used] = '\0';
		snprintf(want, sizeof(want), "%02x:%02x:%llu", major(st.st_dev), minor(st.st_dev),
			 (unsigned long long)st.st_ino);
		for (line = strtok_r(locks, "\n", &save); line && !pid;
		     line = strtok_r(NULL, "\n", &save)) {
			char kind[16], dev[64];
			long p;

			/* "1: FLOCK  ADVISORY  WRITE 1234 00:19:5678 0 EOF"; "->" marks a waiter */
			if (strstr(line, "->") ||
			    sscanf(line, "%*s %15s %*s %*s %ld %63s", kind, &p, dev) != 3)
				continue;
			if (!strcmp(kind, "FLOCK") && !strcmp(dev, want) && p > 0)
				pid = p;
		}
		free(locks);
	}
	if (!pid) {
		vfiox__find_holders(ctx, path, buf, len);
		return;
	}
	snprintf(file, sizeof(file), "%s/%ld/cmdline", ctx->proc_root, pid);
	n = vfiox__read_attr(AT_FDCWD, file, cmd, sizeof(cmd));
	if (n <= 0) {
		snprintf(buf, len, "pid %ld", pid);
		return;
	}
	for (ssize_t i = 0; i < n; i++)
		if (cmd[i] == '\0')
			cmd[i] = ' ';
	while (n > 0 && cmd[n - 1] == ' ')
		cmd[--n] = '\0';
	if ((size_t)n >= sizeof(cmd) - 1)
		strcpy(cmd + sizeof(cmd) - 5, "...");
	snprintf(buf, len, "pid %ld (%s)", pid, cmd);
}

int vfiox__journal_lock(struct vfiox_ctx *ctx, int *fdp)
{
	char path[4096], who[512];
	long long start = 0, waited;
	int dfd, fd, ret, pause = LOCK_POLL_MIN_MS;
	int wait = ctx->lock_wait_ms;

	*fdp = -1;
	dfd = open_dir(ctx, true); /* creates the state directory on the way */
	if (dfd < 0)
		return dfd;
	vfiox_sys_close(dfd);
	snprintf(path, sizeof(path), "%s/lock", ctx->state_dir);
	fd = vfiox_sys_openat(AT_FDCWD, path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return vfiox__err(ctx, fd, "cannot open the journal lock %s: %s", path,
				  strerror(-fd));
	/*
	 * A blocking flock() could only be cut short by a signal; trying again after a short
	 * sleep needs none, and the holder's changes take far longer than the pause.
	 */
	while ((ret = vfiox_sys_flock(fd, LOCK_EX | LOCK_NB)) == -EWOULDBLOCK) {
		if (!start) {
			start = now_ms();
			lock_holder(ctx, fd, path, who, sizeof(who));
			if (!wait)
				break;
			if (wait > 0)
				vfiox__warn(ctx, "%s holds the journal lock %s: waiting up to %d s "
					    "for it to finish", *who ? who : "another process",
					    path, (wait + 999) / 1000);
			else
				vfiox__warn(ctx, "%s holds the journal lock %s: waiting for it to "
					    "finish", *who ? who : "another process", path);
		}
		waited = now_ms() - start;
		if (wait > 0 && waited >= wait) {
			lock_holder(ctx, fd, path, who, sizeof(who));
			vfiox_sys_close(fd);
			return vfiox__err(ctx, -ETIMEDOUT,
					  "waited %lld s for the journal lock %s, still held by "
					  "%s: is it stuck? Wait longer (vfioctl --wait SECONDS), "
					  "or see what it does", (waited + 500) / 1000, path,
					  *who ? who : "another process");
		}
		if (wait > 0 && pause > wait - waited)
			pause = (int)(wait - waited);
		vfiox_sys_poll(-1, 0, pause); /* no fd: sleeps @pause ms */
		if (pause < LOCK_POLL_MAX_MS)
			pause *= 2;
	}
	if (ret == -EWOULDBLOCK) {
		vfiox_sys_close(fd);
		return vfiox__err(ctx, -EBUSY,
				  "another vfioctl is changing device bindings right now (it holds "
				  "%s%s%s): wait for it to finish, then try again (vfioctl --wait "
				  "SECONDS waits for it)", path, *who ? ": " : "", who);
	}
	if (ret < 0) {
		vfiox_sys_close(fd);
		return vfiox__err(ctx, ret, "cannot lock %s: %s", path, strerror(-ret));
	}
	if (start)
		vfiox__dbg(ctx, "journal lock %s taken after %lld ms", path, now_ms() - start);
	*fdp = fd;
	return 0;
}

void vfiox__journal_unlock(int fd)
{
	if (fd >= 0)
		vfiox_sys_close(fd); /* closing the last fd releases the flock */
}

static int read_entry(struct vfiox_ctx *ctx, int dfd, const char *dev, struct vfiox__jentry *e)
{
	char text[ENTRY_MAX + 1], why[160];
	ssize_t n;
	int fd, ret;

	fd = vfiox_sys_openat(dfd, dev, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	n = vfiox_sys_read(fd, text, sizeof(text));
	vfiox_sys_close(fd);
	if (n < 0)
		return vfiox__err(ctx, (int)n, "cannot read the journal entry %s/" JOURNAL_SUBDIR
				  "/%s: %s", ctx->state_dir, dev, strerror((int)-n));
	if ((size_t)n > ENTRY_MAX) {
		snprintf(why, sizeof(why), "it is longer than %d bytes (garbled)", ENTRY_MAX);
		ret = -EBADMSG;
	} else {
		ret = vfiox__jentry_parse_why(text, (size_t)n, e, why, sizeof(why));
	}
	if (!ret && strcmp(e->dev, dev)) {
		snprintf(why, sizeof(why), "it names device %.32s", e->dev);
		ret = -EBADMSG;
	}
	if (ret)
		return vfiox__err(ctx, ret, "the journal entry %s/" JOURNAL_SUBDIR "/%s is damaged: "
				  "%s; nothing of it was restored: compare it with the device in "
				  "sysfs, put the device back by hand, then delete the entry",
				  ctx->state_dir, dev, why);
	return 0;
}

/* The journal directory, for an entry of @dev that may exist (no directory: -ENOENT). */
static int open_dir_for(struct vfiox_ctx *ctx, const char *dev)
{
	if (!valid_name(dev))
		return vfiox__err(ctx, -EINVAL, "\"%s\" is not a PCI device name", dev);
	return open_dir(ctx, false);
}

int vfiox__journal_read(struct vfiox_ctx *ctx, const char *dev, struct vfiox__jentry *e)
{
	int dfd, ret;

	dfd = open_dir_for(ctx, dev);
	if (dfd < 0)
		return dfd;
	ret = read_entry(ctx, dfd, dev, e);
	vfiox_sys_close(dfd);
	return ret;
}

/* Temp file, write, fsync, rename over the entry, fsync the directory. */
static int write_entry(struct vfiox_ctx *ctx, int dfd, const struct vfiox__jentry *e)
{
	char text[ENTRY_MAX], tmp[64];
	int fd, n, ret;

	n = vfiox__jentry_format(e, text, sizeof(text));
	if (n < 0)
		return vfiox__err(ctx, n, "journal entry of %s too long", e->dev);
	snprintf(tmp, sizeof(tmp), ".%s.tmp", e->dev);
	fd = vfiox_sys_openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		ret = fd;
		goto fail;
	}
	ret = (int)vfiox_sys_write(fd, text, (size_t)n);
	if (ret >= 0 && ret != n)
		ret = -EIO;
	if (ret >= 0)
		ret = vfiox_sys_fsync(fd);
	vfiox_sys_close(fd);
	if (ret < 0)
		goto err_unlink;
	ret = vfiox_sys_renameat(dfd, tmp, dfd, e->dev);
	if (ret)
		goto err_unlink;
	vfiox_sys_fsync(dfd);
	return 0;
err_unlink:
	vfiox_sys_unlinkat(dfd, tmp, 0);
fail:
	return vfiox__err(ctx, ret, "cannot write the journal entry of %s in %s/" JOURNAL_SUBDIR
			  ": %s; nothing was changed", e->dev, ctx->state_dir, strerror(-ret));
}

static void merge(struct vfiox__jentry *old, const struct vfiox__jentry *e)
{
	size_t i, j;

	if (!old->has_driver && e->has_driver) {
		old->has_driver = true;
		memcpy(old->driver, e->driver, sizeof(old->driver));
	}
	if (!old->has_override && e->has_override) {
		old->has_override = true;
		memcpy(old->override, e->override, sizeof(old->override));
	}
	if (old->sriov_numvfs < 0)
		old->sriov_numvfs = e->sriov_numvfs;
	if (old->sriov_autoprobe < 0)
		old->sriov_autoprobe = e->sriov_autoprobe;
	if (e->vf_token[0])
		memcpy(old->vf_token, e->vf_token, sizeof(old->vf_token));
	for (i = 0; i < e->num_persist; i++) {
		for (j = 0; j < old->num_persist; j++)
			if (!strcmp(old->persist[j], e->persist[i]))
				break;
		if (j == old->num_persist && old->num_persist < VFIOX_JOURNAL_MAX_PERSIST)
			memcpy(old->persist[old->num_persist++], e->persist[i],
			       sizeof(old->persist[0]));
	}
}

static int check_entry(struct vfiox_ctx *ctx, const struct vfiox__jentry *e)
{
	size_t i;

	if (!valid_name(e->dev))
		return vfiox__err(ctx, -EINVAL, "\"%s\" is not a PCI device name", e->dev);
	if (!valid_value(e->driver) || !valid_value(e->override) ||
	    !valid_value(e->vf_token))
		return vfiox__err(ctx, -EINVAL, "journal entry of %s: a value holds a newline",
				  e->dev);
	for (i = 0; i < e->num_persist; i++)
		if (!valid_value(e->persist[i]))
			return vfiox__err(ctx, -EINVAL, "journal entry of %s: a path holds a "
					  "newline", e->dev);
	return 0;
}

int vfiox__journal_record(struct vfiox_ctx *ctx, const struct vfiox__jentry *e)
{
	struct vfiox__jentry cur;
	int dfd, ret;

	ret = check_entry(ctx, e);
	if (ret)
		return ret;
	dfd = open_dir(ctx, true);
	if (dfd < 0)
		return dfd;
	ret = read_entry(ctx, dfd, e->dev, &cur);
	if (ret == -ENOENT) {
		vfiox__jentry_init(&cur, e->dev);
		ret = 0;
	}
	if (ret < 0) {
		if (ret != -EBADMSG)
			vfiox__err(ctx, ret, "cannot read the journal entry of %s: %s", e->dev,
				   strerror(-ret));
		goto out_close;
	}
	merge(&cur, e);
	ret = write_entry(ctx, dfd, &cur);
out_close:
	vfiox_sys_close(dfd);
	return ret;
}

int vfiox__journal_replace(struct vfiox_ctx *ctx, const struct vfiox__jentry *e)
{
	int dfd, ret;

	if (!e->has_driver && !e->has_override && e->sriov_numvfs < 0 && e->sriov_autoprobe < 0 &&
	    !e->vf_token[0] && !e->num_persist) {
		ret = vfiox__journal_remove(ctx, e->dev);
		return ret == -ENOENT ? 0 : ret;
	}
	ret = check_entry(ctx, e);
	if (ret)
		return ret;
	dfd = open_dir(ctx, true);
	if (dfd < 0)
		return dfd;
	ret = write_entry(ctx, dfd, e);
	vfiox_sys_close(dfd);
	return ret;
}

int vfiox__journal_remove(struct vfiox_ctx *ctx, const char *dev)
{
	int dfd, ret;

	dfd = open_dir_for(ctx, dev);
	if (dfd < 0)
		return dfd;
	ret = vfiox_sys_unlinkat(dfd, dev, 0);
	if (!ret)
		vfiox_sys_fsync(dfd);
	else if (ret != -ENOENT)
		vfiox__err(ctx, ret, "cannot remove the journal entry of %s: %s", dev,
			   strerror(-ret));
	vfiox_sys_close(dfd);
	return ret;
}

int vfiox__jentry_unlink_persist(struct vfiox_ctx *ctx, const struct vfiox__jentry *e)
{
	size_t i;
	int ret;

	for (i = 0; i < e->num_persist; i++) {
		ret = vfiox_sys_unlinkat(AT_FDCWD, e->persist[i], 0);
		if (ret && ret != -ENOENT)
			return vfiox__err(ctx, ret, "cannot remove %s (the persistent binding of "
					  "%s): %s", e->persist[i], e->dev, strerror(-ret));
	}
	if (e->num_persist)
		vfiox__udev_reload(ctx);
	return 0;
}

int vfiox__journal_drop(struct vfiox_ctx *ctx, const char *dev)
{
	struct vfiox__jentry e;
	int ret;

	ret = vfiox__journal_read(ctx, dev, &e);
	if (!ret)
		ret = vfiox__jentry_unlink_persist(ctx, &e);
	return ret ? ret : vfiox__journal_remove(ctx, dev);
}

struct list {
	char **names;
	size_t n, cap;
};

static int add_name(void *arg, const char *name)
{
	struct list *l = arg;
	char **p;

	if (name[0] == '.' || !valid_name(name))
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		p = realloc(l->names, l->cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		l->names = p;
	}
	l->names[l->n] = strdup(name);
	if (!l->names[l->n])
		return -ENOMEM;
	l->n++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void vfiox__journal_list_free(char **names, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

int vfiox__journal_list(struct vfiox_ctx *ctx, char ***namesp, size_t *countp)
{
	struct list l = { 0 };
	int dfd, ret;

	*namesp = NULL;
	*countp = 0;
	dfd = open_dir(ctx, false);
	if (dfd == -ENOENT)
		return 0;
	if (dfd < 0)
		return dfd;
	ret = vfiox__for_each_dirent(dfd, ".", add_name, &l);
	vfiox_sys_close(dfd);
	if (ret) {
		vfiox__journal_list_free(l.names, l.n);
		return vfiox__err(ctx, ret, "cannot list the journal in %s/" JOURNAL_SUBDIR ": %s",
				  ctx->state_dir, strerror(-ret));
	}
	if (l.n)
		qsort(l.names, l.n, sizeof(*l.names), cmp_str);
	*namesp = l.names;
	*countp = l.n;
	return 0;
}
