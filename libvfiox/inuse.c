// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Is a PCI device in use by the host? Network interfaces that are up or carry addresses
 * or routes, disks that are mounted or swapped on (directly or through dm/md), the boot
 * VGA device under the console. Everything is found from sysfs links: a class device
 * (class/net/X, class/block/X, class/graphics/fbN) belongs to the PCI device when its
 * link resolves below the device's own directory under devices/.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <vfiox/inuse.h>

#include "internal.h"
#include "host-private.h"

#define SYSFS_PATH_MAX 1024
/* A path of /proc (up to PATH_MAX) and the disk it is built on. */
#define DESC_MAX (4096 + 128)
/* Stacked block devices followed down from a disk; more is a loop or not believable. */
#define MAX_HOLDER_DEPTH 8
#define MAX_BLOCKS 4096

struct use {
	char *dev, *kind, *what, *reason, *fix;
	size_t member; /* index of the device in the probe: findings are sorted by it */
};

struct vfiox_uses {
	struct use *v;
	size_t n, cap;
};

/* One block device of the PCI device, or stacked on one (dm, md). */
struct blk {
	char name[64];
	char majmin[32];
	int via;   /* index of the block device it is built on, -1 for a disk or partition */
	size_t member; /* the device it belongs to (for a stacked one: that of its base) */
	bool used; /* a mount or swap finding names it or something built on it */
	bool top;  /* nothing is built on it */
};

/* One of the devices probed together (a group's members, or one device). */
struct member {
	struct vfiox_pci_dev *dev;
	char devpath[SYSFS_PATH_MAX]; /* "devices/pci0000:00/0000:00:04.0" */
};

/*
 * The devices are probed together so that each class directory, /proc/self/mountinfo and
 * /proc/swaps are read once for all of them; every finding names its member.
 */
struct probe {
	struct vfiox_ctx *ctx;
	struct member *m;
	size_t num_m;
	struct vfiox_uses *u;
	char subsys[16][SYSFS_PATH_MAX]; /* nvme subsystems a controller of ours is part of */
	size_t subsys_owner[16];         /* and the member that controller belongs to */
	size_t num_subsys;
	struct blk *blks;
	size_t num_blks, cap_blks;
	const char *cur_class; /* class dir being walked */
	struct vfiox_netdev_cache *nl; /* rtnetlink, opened for the first interface of ours */
	bool failed; /* a callback failed and set the last error */
};

/* ------------------------------------------------------------------ the list */

static int VFIOX_PRINTF(2, 3) xasprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(out, fmt, ap);
	va_end(ap);
	if (n < 0) {
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* Takes over @what, @reason and @fix (all malloc'd; NULL means out of memory). */
static int add_use(struct probe *p, size_t member, const char *kind, char *what, char *reason,
		   char *fix)
{
	const char *devname = vfiox_pci_dev_name(p->m[member].dev);
	struct vfiox_uses *u = p->u;
	struct use *e;

	if (!what || !reason || !fix)
		goto err_nomem;
	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 4;
		struct use *v = realloc(u->v, cap * sizeof(*v));

		if (!v)
			goto err_nomem;
		u->v = v;
		u->cap = cap;
	}
	e = &u->v[u->n];
	e->dev = strdup(devname);
	e->kind = strdup(kind);
	if (!e->dev || !e->kind) {
		free(e->dev);
		free(e->kind);
		goto err_nomem;
	}
	e->what = what;
	e->reason = reason;
	e->fix = fix;
	e->member = member;
	u->n++;
	vfiox__dbg(p->ctx, "%s in use: %s: %s", devname, kind, what);
	return 0;
err_nomem:
	free(what);
	free(reason);
	free(fix);
	p->failed = true;
	return vfiox__err(p->ctx, -ENOMEM, "out of memory");
}

/* @s as one shell word, malloc'd (NULL: out of memory): itself when it is plain, else in
 * single quotes. Never cut short: a cut path in a command would name another path. */
static char *shell_word(const char *s)
{
	size_t n = strlen(s), quotes = 0, o = 0, i;
	char *w;

	if (n && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			"/._:@%+=,-") == n)
		return strdup(s);
	for (i = 0; i < n; i++)
		quotes += s[i] == '\'';
	w = malloc(n + 3 * quotes + 3); /* ' becomes '\'' */
	if (!w)
		return NULL;
	w[o++] = '\'';
	for (i = 0; i < n; i++) {
		if (s[i] == '\'') {
			memcpy(w + o, "'\\''", 4);
			o += 4;
		} else {
			w[o++] = s[i];
		}
	}
	w[o++] = '\'';
	w[o] = '\0';
	return w;
}

/* ------------------------------------------------------------------ sysfs links */

/*
 * Resolves link target @target found in directory @base (both relative to the sysfs
 * root) into @out, relative to the root, "." and ".." folded. Sysfs links are relative;
 * an absolute one is taken from the sysfs root on.
 */
static int resolve_rel(const char *sysfs_root, const char *base, const char *target, char *out,
		       size_t len)
{
	char tmp[2 * SYSFS_PATH_MAX];
	char *seg, *save = NULL;
	size_t rl = strlen(sysfs_root), o = 0;

	if (target[0] == '/') {
		if (!strncmp(target, sysfs_root, rl) && target[rl] == '/')
			target += rl;
		snprintf(tmp, sizeof(tmp), "%s", target);
	} else if ((size_t)snprintf(tmp, sizeof(tmp), "%s/%s", base, target) >= sizeof(tmp)) {
		return -ENAMETOOLONG;
	}
	out[0] = '\0';
	for (seg = strtok_r(tmp, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		size_t n = strlen(seg);

		if (!strcmp(seg, "."))
			continue;
		if (!strcmp(seg, "..")) {
			char *slash = strrchr(out, '/');

			o = slash ? (size_t)(slash - out) : 0;
			out[o] = '\0';
			continue;
		}
		if (o + n + 2 > len)
			return -ENAMETOOLONG;
		if (o)
			out[o++] = '/';
		memcpy(out + o, seg, n + 1);
		o += n;
	}
	return 0;
}

/* Where the sysfs link @rel (relative to the root) points, relative to the root. */
static int read_rel_link(struct vfiox_ctx *ctx, const char *rel, char *out, size_t len)
{
	char path[SYSFS_PATH_MAX * 2], target[SYSFS_PATH_MAX], base[SYSFS_PATH_MAX];
	char *slash;
	ssize_t n;

	if (vfiox__root_path(path, sizeof(path), ctx->sysfs_root, rel))
		return -ENAMETOOLONG;
	n = vfiox_sys_readlinkat(AT_FDCWD, path, target, sizeof(target) - 1);
	if (n < 0)
		return (int)n;
	target[n] = '\0';
	snprintf(base, sizeof(base), "%s", rel);
	slash = strrchr(base, '/');
	if (slash)
		*slash = '\0';
	else
		base[0] = '\0';
	return resolve_rel(ctx->sysfs_root, base, target, out, len);
}

/* @path is @dir itself or below it. */
static bool is_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return n && !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

static ssize_t read_sysfs(struct vfiox_ctx *ctx, const char *rel, char *buf, size_t len)
{
	char path[SYSFS_PATH_MAX * 2];

	if (vfiox__root_path(path, sizeof(path), ctx->sysfs_root, rel))
		return -ENAMETOOLONG;
	return vfiox__read_attr(AT_FDCWD, path, buf, len);
}

static int read_sysfs_long(struct vfiox_ctx *ctx, const char *rel, long *val)
{
	char path[SYSFS_PATH_MAX * 2];

	if (vfiox__root_path(path, sizeof(path), ctx->sysfs_root, rel))
		return -ENAMETOOLONG;
	return vfiox__read_attr_long(AT_FDCWD, path, 10, val);
}

static int for_each_in(struct vfiox_ctx *ctx, const char *rel, int (*fn)(void *, const char *),
		       void *arg)
{
	char path[SYSFS_PATH_MAX * 2];
	int ret;

	/* a cut path could name nothing, and "nothing there" would read as "not in use" */
	if (vfiox__root_path(path, sizeof(path), ctx->sysfs_root, rel))
		return -ENAMETOOLONG;
	ret = vfiox__for_each_dirent(AT_FDCWD, path, fn, arg);
	/* A class the kernel does not have (no networking, no framebuffers) holds nothing. */
	return ret == -ENOENT ? 0 : ret;
}

/*
 * @path lies below the device directory @dir and not below another PCI device there: a
 * bridge's directory holds the devices behind it, and their interfaces are theirs.
 */
static bool owned_by(const char *path, const char *dir)
{
	const char *p = path + strlen(dir);
	char seg[64];

	if (!is_below(path, dir))
		return false;
	while (*p == '/') {
		size_t n = strcspn(p + 1, "/");
		struct vfiox_pci_addr a;

		if (n < sizeof(seg)) {
			memcpy(seg, p + 1, n);
			seg[n] = '\0';
			if (strchr(seg, '.') && strchr(seg, ':') && !vfiox_pci_addr_parse(seg, &a))
				return false;
		}
		p += 1 + n;
	}
	return true;
}

/* The member whose device directory holds @real (relative to the root); -1 for none. */
static int member_of(const struct probe *p, const char *real)
{
	size_t i;

	for (i = 0; i < p->num_m; i++)
		if (owned_by(real, p->m[i].devpath))
			return (int)i;
	return -1;
}

/* The member the class device @name of the class being walked belongs to; -1 for none. */
static int class_dev_owner(struct probe *p, const char *name, char *real, size_t len)
{
	char rel[SYSFS_PATH_MAX];
	size_t i;
	int m;

	snprintf(rel, sizeof(rel), "%s/%s", p->cur_class, name);
	if (read_rel_link(p->ctx, rel, real, len))
		return -1;
	m = member_of(p, real);
	if (m >= 0)
		return m;
	for (i = 0; i < p->num_subsys; i++)
		if (is_below(real, p->subsys[i]))
			return (int)p->subsys_owner[i];
	return -1;
}

/* ------------------------------------------------------------------ network interfaces */

static int probe_netdev(void *arg, const char *name)
{
	struct probe *p = arg;
	struct vfiox_netdev_facts f;
	char real[SYSFS_PATH_MAX], rel[SYSFS_PATH_MAX * 2 + 16], *what, *reason, *fix, state[512];
	const char *devname;
	long ifindex;
	int ret, m = class_dev_owner(p, name, real, sizeof(real));

	if (m < 0)
		return 0;
	devname = vfiox_pci_dev_name(p->m[m].dev);
	snprintf(rel, sizeof(rel), "%s/ifindex", real);
	ret = read_sysfs_long(p->ctx, rel, &ifindex);
	if (ret || ifindex <= 0 || ifindex > 0x7fffffff) {
		vfiox__warn(p->ctx, "%s: interface %s: no usable ifindex in sysfs; not checked",
			    devname, name);
		return 0;
	}
	ret = vfiox__netdev_facts(p->ctx, &p->nl, (int)ifindex, name, &f);
	if (ret == -ENODEV)
		return 0;
	if (ret) {
		p->failed = true;
		return ret;
	}
	if (!f.up && !f.addrs && !f.routes) {
		vfiox__dbg(p->ctx, "%s: interface %s is down, without addresses or routes",
			   devname, name);
		return 0;
	}
	if (f.addrs && f.routes)
		snprintf(state, sizeof(state), "%s, has addresses %s and routes %s",
			 f.up ? "is up" : "is down", f.addrs, f.routes);
	else if (f.addrs || f.routes)
		snprintf(state, sizeof(state), "%s and has %s %s", f.up ? "is up" : "is down",
			 f.addrs ? "addresses" : "routes", f.addrs ? f.addrs : f.routes);
	else
		snprintf(state, sizeof(state), "is up");
	xasprintf(&what, "%s", name);
	xasprintf(&reason, "network interface %s of %s %s; taking the device away cuts the "
		  "host off that network", name, devname, state);
	xasprintf(&fix, "ip addr flush dev %s && ip link set dev %s down (and keep the network "
		  "configuration from bringing it back)", name, name);
	vfiox__netdev_facts_release(&f);
	return add_use(p, (size_t)m, "netdev", what, reason, fix);
}

/* ------------------------------------------------------------------ block devices */

static int add_blk(struct probe *p, const char *name, int via, size_t member)
{
	char rel[SYSFS_PATH_MAX], majmin[32];
	struct blk *b;
	size_t i;

	for (i = 0; i < p->num_blks; i++)
		if (!strcmp(p->blks[i].name, name))
			return 0; /* reached twice: md over two partitions of the same disk */
	if (strlen(name) >= sizeof(b->name))
		return 0;
	if (p->num_blks >= MAX_BLOCKS) {
		p->failed = true;
		return vfiox__err(p->ctx, -E2BIG, "%s: more than %d block devices on it",
				  vfiox_pci_dev_name(p->m[member].dev), MAX_BLOCKS);
	}
	snprintf(rel, sizeof(rel), "class/block/%s/dev", name);
	if (read_sysfs(p->ctx, rel, majmin, sizeof(majmin)) <= 0)
		majmin[0] = '\0';
	if (p->num_blks == p->cap_blks) {
		size_t cap = p->cap_blks ? p->cap_blks * 2 : 8;
		struct blk *v = realloc(p->blks, cap * sizeof(*v));

		if (!v) {
			p->failed = true;
			return vfiox__err(p->ctx, -ENOMEM, "out of memory");
		}
		p->blks = v;
		p->cap_blks = cap;
	}
	b = &p->blks[p->num_blks++];
	memset(b, 0, sizeof(*b));
	snprintf(b->name, sizeof(b->name), "%s", name);
	snprintf(b->majmin, sizeof(b->majmin), "%s", majmin);
	b->via = via;
	b->member = member;
	b->top = true;
	return 0;
}

static int probe_block(void *arg, const char *name)
{
	struct probe *p = arg;
	char real[SYSFS_PATH_MAX];
	int m = class_dev_owner(p, name, real, sizeof(real));

	return m < 0 ? 0 : add_blk(p, name, -1, (size_t)m);
}

struct holder_walk {
	struct probe *p;
	int below;
	bool any;
};

static int add_holder(void *arg, const char *name)
{
	struct holder_walk *w = arg;

	w->any = true;
	return add_blk(w->p, name, w->below, w->p->blks[w->below].member);
}

/* Adds what is built on each block device (holders/), breadth first, bounded. */
static int collect_holders(struct probe *p)
{
	size_t begin = 0, end = p->num_blks, i;
	int depth, ret;

	for (depth = 0; depth < MAX_HOLDER_DEPTH && begin < end; depth++) {
		for (i = begin; i < end; i++) {
			struct holder_walk w = { .p = p, .below = (int)i };
			char rel[SYSFS_PATH_MAX];

			snprintf(rel, sizeof(rel), "class/block/%s/holders", p->blks[i].name);
			ret = for_each_in(p->ctx, rel, add_holder, &w);
			if (ret && ret != -ENOTDIR)
				return p->failed
					   ? ret
					   : vfiox__err(p->ctx, ret, "cannot read %s/%s: %s",
							p->ctx->sysfs_root, rel, strerror(-ret));
			if (w.any)
				p->blks[i].top = false;
		}
		begin = end;
		end = p->num_blks;
	}
	return 0;
}

/* "/dev/dm-0 (built on nvme0n1p1)" into @buf: the device and the disk of ours below it. */
static void blk_describe(struct probe *p, size_t i, const char *path, char *buf, size_t len)
{
	size_t base = i;

	while (p->blks[base].via >= 0)
		base = (size_t)p->blks[base].via;
	if (base == i)
		snprintf(buf, len, "%s", path);
	else
		snprintf(buf, len, "%s (built on %s)", path, p->blks[base].name);
}

static void mark_used(struct probe *p, size_t i)
{
	for (;;) {
		p->blks[i].used = true;
		if (p->blks[i].via < 0)
			return;
		i = (size_t)p->blks[i].via;
	}
}

/*
 * The block device a path of /proc names ("/dev/nvme0n1p1", "/dev/mapper/vg-lv"): by its
 * name first, then by the device number of the node under the dev root. -1: not ours.
 */
static int blk_of_path(struct probe *p, const char *path)
{
	const char *base = strrchr(path, '/');
	char node[SYSFS_PATH_MAX * 2], majmin[32];
	struct stat st;
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; i < p->num_blks; i++)
		if (!strcmp(p->blks[i].name, base))
			return (int)i;
	if (strncmp(path, "/dev/", 5))
		return -1;
	snprintf(node, sizeof(node), "%s/%s", p->ctx->dev_root, path + 5);
	if (vfiox_sys_fstatat(AT_FDCWD, node, &st, 0) || !S_ISBLK(st.st_mode))
		return -1;
	snprintf(majmin, sizeof(majmin), "%u:%u", major(st.st_rdev), minor(st.st_rdev));
	for (i = 0; i < p->num_blks; i++)
		if (!strcmp(p->blks[i].majmin, majmin))
			return (int)i;
	return -1;
}

static int on_mount(void *arg, const char *majmin, const char *mountpoint, const char *source,
		    const char *fstype)
{
	struct probe *p = arg;
	char *what, *reason, *fix, *word, desc[DESC_MAX];
	int i = -1;
	size_t k;

	for (k = 0; k < p->num_blks && i < 0; k++)
		if (p->blks[k].majmin[0] && !strcmp(p->blks[k].majmin, majmin))
			i = (int)k;
	if (i < 0 && source[0] == '/')
		i = blk_of_path(p, source);
	if (i < 0)
		return 0;
	mark_used(p, (size_t)i);
	if (source[0] == '/')
		blk_describe(p, (size_t)i, source, desc, sizeof(desc));
	else {
		char dev[96];

		snprintf(dev, sizeof(dev), "/dev/%s", p->blks[i].name);
		blk_describe(p, (size_t)i, dev, desc, sizeof(desc));
	}
	xasprintf(&what, "%s on %s", source[0] == '/' ? source : p->blks[i].name, mountpoint);
	xasprintf(&reason, "%s, a disk of %s, is mounted on %s (%s); taking the controller "
		  "away pulls the file system from under the host", desc,
		  vfiox_pci_dev_name(p->m[p->blks[i].member].dev), mountpoint, fstype);
	word = shell_word(mountpoint);
	if (word)
		xasprintf(&fix, "umount %s (and take it out of /etc/fstab so it stays unmounted)",
			  word);
	else
		fix = NULL;
	free(word);
	return add_use(p, p->blks[i].member, "mount", what, reason, fix);
}

static int on_swap(void *arg, const char *path)
{
	struct probe *p = arg;
	char *what, *reason, *fix, *word, desc[DESC_MAX];
	int i = blk_of_path(p, path);

	if (i < 0)
		return 0;
	mark_used(p, (size_t)i);
	blk_describe(p, (size_t)i, path, desc, sizeof(desc));
	xasprintf(&what, "%s (swap)", path);
	xasprintf(&reason, "%s, a disk of %s, is in use as swap; taking the controller away "
		  "loses every page swapped out there", desc,
		  vfiox_pci_dev_name(p->m[p->blks[i].member].dev));
	word = shell_word(path);
	if (word)
		xasprintf(&fix, "swapoff %s (and take it out of /etc/fstab)", word);
	else
		fix = NULL;
	free(word);
	return add_use(p, p->blks[i].member, "swap", what, reason, fix);
}

/* Reads a whole proc file; NULL with the error set when it cannot be read. */
static char *read_proc(struct vfiox_ctx *ctx, const char *rel, int *errp)
{
	char path[4096 + 64];

	if (vfiox__root_path(path, sizeof(path), ctx->proc_root, rel)) {
		*errp = vfiox__err(ctx, -ENAMETOOLONG, "%s/%s: the path is too long",
				   ctx->proc_root, rel);
		return NULL;
	}
	return vfiox__read_text(ctx, path, errp);
}

char *vfiox__read_text(struct vfiox_ctx *ctx, const char *path, int *errp)
{
	size_t cap = 16384, len = 0;
	char *buf = NULL, *p;
	ssize_t n;
	int fd;

	fd = vfiox_sys_openat(AT_FDCWD, path, O_RDONLY, 0);
	if (fd < 0) {
		*errp = vfiox__err(ctx, fd, "cannot open %s: %s", path, strerror(-fd));
		return NULL;
	}
	for (;;) {
		if (len + 1 >= cap || !buf) {
			cap = buf ? cap * 2 : cap;
			if (cap > (64u << 20)) {
				*errp = vfiox__err(ctx, -EFBIG, "%s: larger than 64 MiB", path);
				goto err_free;
			}
			p = realloc(buf, cap);
			if (!p) {
				*errp = vfiox__err(ctx, -ENOMEM, "out of memory");
				goto err_free;
			}
			buf = p;
		}
		n = vfiox_sys_read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			*errp = vfiox__err(ctx, (int)n, "cannot read %s: %s", path,
					   strerror((int)-n));
			goto err_free;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	vfiox_sys_close(fd);
	buf[len] = '\0';
	return buf;
err_free:
	free(buf);
	vfiox_sys_close(fd);
	return NULL;
}

/* A stacked device nothing mounts or swaps on: its disk is part of it all the same. */
static int holder_uses(struct probe *p)
{
	size_t i;
	int ret;

	for (i = 0; i < p->num_blks; i++) {
		struct blk *b = &p->blks[i];
		char *what, *reason, *fix, desc[SYSFS_PATH_MAX], dev[96];

		if (b->via < 0 || !b->top || b->used)
			continue;
		snprintf(dev, sizeof(dev), "/dev/%s", b->name);
		blk_describe(p, i, dev, desc, sizeof(desc));
		xasprintf(&what, "/dev/%s", b->name);
		xasprintf(&reason, "%s is a device-mapper or md device on a disk of %s; taking the "
			  "controller away leaves it without that disk", desc,
			  vfiox_pci_dev_name(p->m[b->member].dev));
		xasprintf(&fix, "stop %s first (dmsetup remove, vgchange -an, cryptsetup close or "
			  "mdadm --stop, whichever built it)", b->name);
		ret = add_use(p, b->member, "holder", what, reason, fix);
		if (ret)
			return ret;
	}
	return 0;
}

static int probe_subsys(void *arg, const char *name);

static int probe_storage(struct probe *p)
{
	char *text;
	int ret = 0;

	p->cur_class = "class/nvme-subsystem";
	ret = for_each_in(p->ctx, p->cur_class, probe_subsys, p);
	if (ret)
		return vfiox__err(p->ctx, ret, "cannot read %s/class/nvme-subsystem: %s",
				  p->ctx->sysfs_root, strerror(-ret));
	p->cur_class = "class/block";
	ret = for_each_in(p->ctx, p->cur_class, probe_block, p);
	if (ret)
		return p->failed ? ret : vfiox__err(p->ctx, ret, "cannot read %s/class/block: %s",
						    p->ctx->sysfs_root, strerror(-ret));
	if (!p->num_blks)
		return 0;
	ret = collect_holders(p);
	if (ret)
		return ret;
	text = read_proc(p->ctx, "self/mountinfo", &ret);
	if (!text)
		return ret;
	ret = vfiox__parse_mountinfo(text, on_mount, p);
	free(text);
	if (ret)
		return ret;
	text = read_proc(p->ctx, "swaps", &ret);
	if (!text)
		return ret == -ENOENT ? 0 : ret; /* a kernel without swap has no /proc/swaps */
	ret = vfiox__parse_swaps(text, on_swap, p);
	free(text);
	if (ret)
		return ret;
	return holder_uses(p);
}

/* An NVMe subsystem with a controller of ours: its namespaces' head disks count too. */
struct subsys_walk {
	struct probe *p;
	const char *dir;
	int owner; /* the member with a controller in it, -1 for none */
};

static int subsys_member(void *arg, const char *name)
{
	struct subsys_walk *w = arg;
	char rel[SYSFS_PATH_MAX], real[SYSFS_PATH_MAX];

	if (strncmp(name, "nvme", 4))
		return 0; /* the controllers are links named nvmeN */
	snprintf(rel, sizeof(rel), "%s/%s", w->dir, name);
	if (!read_rel_link(w->p->ctx, rel, real, sizeof(real)))
		w->owner = member_of(w->p, real);
	return w->owner >= 0;
}

static int probe_subsys(void *arg, const char *name)
{
	struct probe *p = arg;
	char rel[SYSFS_PATH_MAX], real[SYSFS_PATH_MAX];
	struct subsys_walk w = { .p = p, .dir = real, .owner = -1 };

	if (p->num_subsys >= ARRAY_SIZE(p->subsys))
		return 0;
	snprintf(rel, sizeof(rel), "class/nvme-subsystem/%s", name);
	if (read_rel_link(p->ctx, rel, real, sizeof(real)))
		return 0;
	if (for_each_in(p->ctx, real, subsys_member, &w) < 0 || w.owner < 0)
		return 0;
	p->subsys_owner[p->num_subsys] = (size_t)w.owner;
	snprintf(p->subsys[p->num_subsys++], sizeof(p->subsys[0]), "%s", real);
	return 0;
}

/* ------------------------------------------------------------------ the console */

static bool is_vga(struct vfiox_pci_dev *dev)
{
	return (dev->class_code >> 16) == 0x03; /* display controller */
}

/* The member that is the boot VGA device (only one device of a host is); -1 for none. */
static int boot_vga_member(const struct probe *p)
{
	size_t i;

	for (i = 0; i < p->num_m; i++)
		if (is_vga(p->m[i].dev) && vfiox_pci_dev_boot_vga(p->m[i].dev) == 1)
			return (int)i;
	return -1;
}

struct vtcon {
	char name[32];
	bool fbcon, vgacon;
};

struct console_walk {
	struct probe *p;
	struct vtcon bound[8];
	size_t num_bound;
};

static int probe_vtcon(void *arg, const char *name)
{
	struct console_walk *w = arg;
	char rel[SYSFS_PATH_MAX], text[128];
	long bind;
	struct vtcon *v;

	snprintf(rel, sizeof(rel), "class/vtconsole/%s/bind", name);
	if (read_sysfs_long(w->p->ctx, rel, &bind) || bind != 1)
		return 0;
	snprintf(rel, sizeof(rel), "class/vtconsole/%s/name", name);
	if (read_sysfs(w->p->ctx, rel, text, sizeof(text)) < 0 ||
	    w->num_bound >= ARRAY_SIZE(w->bound))
		return 0;
	v = &w->bound[w->num_bound];
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->fbcon = strstr(text, "frame buffer") != NULL;
	v->vgacon = strstr(text, "VGA") != NULL;
	if (v->fbcon || v->vgacon)
		w->num_bound++;
	return 0;
}

static const struct vtcon *bound_con(const struct console_walk *w, bool fb)
{
	size_t i;

	for (i = 0; i < w->num_bound; i++)
		if (fb ? w->bound[i].fbcon : w->bound[i].vgacon)
			return &w->bound[i];
	return NULL;
}

static int probe_fb(void *arg, const char *name)
{
	struct console_walk *w = arg;
	struct probe *p = w->p;
	char rel[SYSFS_PATH_MAX + 16], real[SYSFS_PATH_MAX], fbdir[SYSFS_PATH_MAX], fbname[64];
	char *what, *reason, *fix;
	const char *devname;
	const struct vtcon *con = bound_con(w, true);
	bool firmware;
	int m;

	if (strncmp(name, "fb", 2))
		return 0;
	snprintf(rel, sizeof(rel), "class/graphics/%s", name);
	if (read_rel_link(p->ctx, rel, fbdir, sizeof(fbdir)))
		return 0;
	snprintf(rel, sizeof(rel), "%s/device", fbdir);
	if (read_rel_link(p->ctx, rel, real, sizeof(real)))
		return 0;
	/* Firmware framebuffers draw into the memory of the boot VGA device. */
	firmware = strstr(real, "efi-framebuffer") || strstr(real, "vesa-framebuffer") ||
		   strstr(real, "simple-framebuffer") || strstr(real, "vga-framebuffer");
	m = member_of(p, real);
	if (m >= 0 && !is_vga(p->m[m].dev))
		return 0;
	if (m < 0 && firmware)
		m = boot_vga_member(p);
	if (m < 0)
		return 0;
	devname = vfiox_pci_dev_name(p->m[m].dev);
	snprintf(rel, sizeof(rel), "class/graphics/%s/name", name);
	if (read_sysfs(p->ctx, rel, fbname, sizeof(fbname)) <= 0)
		snprintf(fbname, sizeof(fbname), "?");
	if (con) {
		xasprintf(&what, "fbcon on %s (%s)", name, fbname);
		xasprintf(&reason, "the host's console (fbcon, %s) draws on framebuffer %s (%s) of "
			  "%s; taking the device away leaves the host without its screen",
			  con->name, name, fbname, devname);
		xasprintf(&fix, "echo 0 > /sys/class/vtconsole/%s/bind (then only a serial or "
			  "network console is left)", con->name);
	} else if (firmware) {
		xasprintf(&what, "%s (%s, firmware framebuffer)", name, fbname);
		xasprintf(&reason, "firmware framebuffer %s (%s) draws into the memory of the boot "
			  "VGA device %s; vfio-pci removes it when it binds", name, fbname,
			  devname);
		xasprintf(&fix, "boot with video=efifb:off video=vesafb:off (or nomodeset) so no "
			  "framebuffer claims it");
	} else {
		return 0; /* a framebuffer of the device nobody shows a console on */
	}
	return add_use(p, (size_t)m, "console", what, reason, fix);
}

static int probe_console(struct probe *p)
{
	struct console_walk w = { .p = p };
	const struct vtcon *vga;
	char *what, *reason, *fix;
	int ret, m;

	ret = for_each_in(p->ctx, "class/vtconsole", probe_vtcon, &w);
	if (ret)
		return vfiox__err(p->ctx, ret, "cannot read %s/class/vtconsole: %s",
				  p->ctx->sysfs_root, strerror(-ret));
	ret = for_each_in(p->ctx, "class/graphics", probe_fb, &w);
	if (ret)
		return p->failed ? ret
				 : vfiox__err(p->ctx, ret, "cannot read %s/class/graphics: %s",
					      p->ctx->sysfs_root, strerror(-ret));
	vga = bound_con(&w, false);
	m = boot_vga_member(p);
	if (!vga || m < 0)
		return 0;
	/* The VGA text console works through the legacy VGA ranges, routed to the boot device. */
	xasprintf(&what, "VGA text console (vgacon, %s)", vga->name);
	xasprintf(&reason, "%s is the boot VGA device and the host's VGA text console (%s) "
		  "draws on it; taking the device away leaves the host without its screen",
		  vfiox_pci_dev_name(p->m[m].dev), vga->name);
	xasprintf(&fix, "echo 0 > /sys/class/vtconsole/%s/bind, or boot with a serial console "
		  "(console=ttyS0) and without the VGA console", vga->name);
	return add_use(p, (size_t)m, "console", what, reason, fix);
}

/* ------------------------------------------------------------------ the API */

/* Keeps each member's findings in the order found, the members in the order given. */
static void sort_by_member(struct vfiox_uses *u)
{
	size_t i, k;

	for (i = 1; i < u->n; i++) {
		struct use e = u->v[i];

		for (k = i; k > 0 && u->v[k - 1].member > e.member; k--)
			u->v[k] = u->v[k - 1];
		u->v[k] = e;
	}
}

static int probe_devs(struct vfiox_pci_dev *const *devs, size_t n, struct vfiox_uses *u)
{
	struct vfiox_ctx *ctx = devs[0]->scan->ctx;
	char rel[SYSFS_PATH_MAX];
	bool any_vga = false;
	struct probe *p;
	size_t i;
	int ret = 0;

	p = calloc(1, sizeof(*p));
	if (!p)
		return vfiox__err(ctx, -ENOMEM, "out of memory");
	p->m = calloc(n, sizeof(*p->m));
	if (!p->m) {
		ret = vfiox__err(ctx, -ENOMEM, "out of memory");
		goto out_free;
	}
	p->ctx = ctx;
	p->num_m = n;
	p->u = u;
	for (i = 0; i < n; i++) {
		p->m[i].dev = devs[i];
		any_vga |= is_vga(devs[i]);
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s", devs[i]->name);
		ret = read_rel_link(ctx, rel, p->m[i].devpath, sizeof(p->m[i].devpath));
		if (ret) {
			ret = vfiox__err(ctx, ret, "%s: cannot resolve %s/%s: %s", devs[i]->name,
					 ctx->sysfs_root, rel, strerror(-ret));
			goto out_free;
		}
	}
	p->cur_class = "class/net";
	ret = for_each_in(ctx, p->cur_class, probe_netdev, p);
	if (ret) {
		if (!p->failed) /* the walk itself, not a finding's query */
			vfiox__err(ctx, ret, "cannot read %s/class/net: %s", ctx->sysfs_root,
				   strerror(-ret));
		goto out_free;
	}
	ret = probe_storage(p);
	if (ret)
		goto out_free;
	if (any_vga)
		ret = probe_console(p);
	if (!ret)
		sort_by_member(u);
out_free:
	vfiox__netdev_cache_free(p->nl);
	free(p->blks);
	free(p->m);
	free(p);
	return ret;
}

/* Findings of @n devices (all of one scan) into a new list; n == 0 gives an empty one. */
static int devs_uses(struct vfiox_pci_dev *const *devs, size_t n, struct vfiox_uses **usesp)
{
	struct vfiox_uses *u;
	int ret;

	*usesp = NULL;
	u = calloc(1, sizeof(*u));
	if (!u)
		return n ? vfiox__err(devs[0]->scan->ctx, -ENOMEM, "out of memory") : -ENOMEM;
	if (n) {
		ret = probe_devs(devs, n, u);
		if (ret) {
			vfiox_uses_free(u);
			return ret;
		}
	}
	*usesp = u;
	return 0;
}

VFIOX_EXPORT int vfiox_pci_dev_uses(struct vfiox_pci_dev *dev, struct vfiox_uses **usesp)
{
	return devs_uses(&dev, 1, usesp);
}

VFIOX_EXPORT int vfiox_group_uses(struct vfiox_group *group, struct vfiox_uses **usesp)
{
	return devs_uses(group->devs, group->num_devs, usesp);
}

int vfiox__devs_uses(struct vfiox_pci_dev *const *devs, size_t n, struct vfiox_uses **usesp)
{
	return devs_uses(devs, n, usesp);
}

VFIOX_EXPORT size_t vfiox_uses_count(const struct vfiox_uses *u)
{
	return u ? u->n : 0;
}

#define GETTER(field)                                                                       \
	VFIOX_EXPORT const char *vfiox_uses_##field(const struct vfiox_uses *u, size_t i)   \
	{                                                                                   \
		return u && i < u->n ? u->v[i].field : NULL;                                \
	}
GETTER(dev)
GETTER(kind)
GETTER(what)
GETTER(reason)
GETTER(fix)

VFIOX_EXPORT void vfiox_uses_free(struct vfiox_uses *u)
{
	size_t i;

	if (!u)
		return;
	for (i = 0; i < u->n; i++) {
		free(u->v[i].dev);
		free(u->v[i].kind);
		free(u->v[i].what);
		free(u->v[i].reason);
		free(u->v[i].fix);
	}
	free(u->v);
	free(u);
}

/* ------------------------------------------------------------------ /proc parsers */

/* Decodes the kernel's octal escapes (\040 for a space, \011, \012, \134) in place. */
static void unescape(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

/*
 * "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue":
 * id, parent, major:minor, root, mount point, options, optional fields up to "-", then
 * file system type, source, super options.
 */
int vfiox__parse_mountinfo(char *text, vfiox_mount_fn fn, void *arg)
{
	char *line, *save = NULL;
	int ret = 0;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[6], *tok, *lsave = NULL, *fstype, *source;
		int n = 0;

		while (n < 6 && (tok = strtok_r(n ? NULL : line, " ", &lsave)))
			f[n++] = tok;
		if (n < 6 || !strchr(f[2], ':'))
			continue;
		/* optional fields, then the separator */
		for (tok = strtok_r(NULL, " ", &lsave); tok && strcmp(tok, "-");
		     tok = strtok_r(NULL, " ", &lsave))
			;
		if (!tok)
			continue;
		fstype = strtok_r(NULL, " ", &lsave);
		source = strtok_r(NULL, " ", &lsave);
		if (!fstype || !source)
			continue;
		unescape(f[4]);
		unescape(fstype);
		unescape(source);
		ret = fn(arg, f[2], f[4], source, fstype);
		if (ret)
			break;
	}
	return ret;
}

/* "Filename\tType\tSize\tUsed\tPriority" then "/dev/sda2  partition  1048572  0  -2". */
int vfiox__parse_swaps(char *text, vfiox_swap_fn fn, void *arg)
{
	char *line, *save = NULL;
	int ret = 0;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *name, *type, *lsave = NULL;

		name = strtok_r(line, " \t", &lsave);
		type = strtok_r(NULL, " \t", &lsave);
		if (!name || !type || name[0] != '/')
			continue;
		unescape(name);
		ret = fn(arg, name);
		if (ret)
			break;
	}
	return ret;
}
