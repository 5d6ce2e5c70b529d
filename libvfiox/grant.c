// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Granting IOMMU groups to an unprivileged user: a udev rule, the nodes' owner and mode,
 * the memlock limit (limits.d, a systemd drop-in), and revoking all of it.
 *
 * Every run keeps a log, <state_dir>/grants/run, of each change before it is made: "dir
 * PATH" (created), "file PATH new" (created), "file PATH backup COPY" (replaced or removed;
 * COPY holds what was there), "node PATH UID GID MODE" (what it was). A failure replays
 * the log backwards and deletes it; so does the next run when a killed one left it.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host-private.h"
#include "internal.h"
#include "journal.h"

#define GRANT_SUBDIR "grants"
#define RULE_PREFIX "72-vfioctl-grant-"
#define RULE_MARK "# vfioctl-grant:"
#define NAME_LEN 64
#define PATH_LEN 4096
#define MAX_NODES 64

struct grant_group {
	int id;					/* -1: a revoke of a device that is gone */
	char first[VFIOX_PCI_ADDR_STRLEN];	/* its lowest address: the key */
	char (*mem)[VFIOX_PCI_ADDR_STRLEN];
	size_t nmem;
};

struct vfiox_grant {
	struct vfiox_scan *scan;
	struct vfiox_ctx *ctx;
	bool revoke_only;
	bool is_group;
	char owner[NAME_LEN + 1];	/* "alice" or "@kvm" */
	char name[NAME_LEN];		/* "alice" or "kvm" */
	unsigned long uid, gid;
	uint64_t memlock;		/* KiB, VFIOX_GRANT_MEMLOCK_UNLIMITED, 0: none */
	char service[256];		/* "vm1.service" or "" */
	struct grant_group *groups;
	size_t ngroups;
	vfiox_grant_step_fn fn;
	void *fn_data;
};

/* What a rule file records of its grant. */
struct record {
	char owner[NAME_LEN + 1];
	char devices[1024];	/* "0000:03:00.0,0000:03:00.1" */
	char limits[PATH_LEN];	/* relative to etc, "" none */
	char service[PATH_LEN];	/* relative to etc, "" none */
	char memlock[32];
	struct {
		char path[256];
		unsigned long uid, gid;
		unsigned mode;
	} was[MAX_NODES];
	size_t nwas;
};

/* One run: the log and the nodes it found. */
struct run {
	struct vfiox_grant *g;
	bool dry;
	int log_fd;
	unsigned nbackup;
	char dir[PATH_LEN];	/* <state_dir>/grants */
};

/* ------------------------------------------------------------------ small helpers */

static int say(struct vfiox_grant *g, const char *what, const char *fmt, ...)
	VFIOX_PRINTF(3, 4);

static int say(struct vfiox_grant *g, const char *what, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (g->fn) {
		int ret = g->fn(g->fn_data, what, text);

		if (ret)
			return vfiox__err(g->ctx, ret, "stopped by the caller before: %s", text);
	}
	return 0;
}

static const char *etc_rel(struct vfiox_grant *g, const char *rel, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", g->ctx->etc_root, rel);

	if (n < 0 || (size_t)n >= len)
		buf[0] = '\0'; /* a path that long opens nothing: the caller's error names it */
	return buf;
}

static char *read_file(const char *path, size_t max)
{
	int fd = vfiox_sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	char *buf;
	ssize_t n;

	if (fd < 0)
		return NULL;
	buf = malloc(max + 1);
	n = buf ? vfiox_sys_read(fd, buf, max) : -1;
	vfiox_sys_close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static bool exists(const char *path, struct stat *st)
{
	struct stat tmp;

	return !vfiox_sys_fstatat(AT_FDCWD, path, st ? st : &tmp, 0);
}

int vfiox__write_atomic(const char *path, const char *text, size_t len, mode_t mode)
{
	char tmp[PATH_LEN + 8];
	int fd, ret;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = vfiox_sys_openat(AT_FDCWD, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return fd;
	ret = (int)vfiox_sys_write(fd, text, len);
	if (ret >= 0)
		ret = (size_t)ret == len ? vfiox_sys_fsync(fd) : -EIO;
	vfiox_sys_close(fd);
	if (ret >= 0)
		ret = vfiox_sys_renameat(AT_FDCWD, tmp, AT_FDCWD, path);
	if (ret < 0)
		vfiox_sys_unlinkat(AT_FDCWD, tmp, 0);
	return ret;
}

/* ------------------------------------------------------------------ who */

/* <etc>/passwd or <etc>/group: the line whose first field is @name, split at ':'. */
static int lookup(struct vfiox_ctx *ctx, const char *file, const char *name,
		  unsigned long *id, unsigned long *gid)
{
	char path[PATH_LEN], *text, *line, *save = NULL;
	int ret = -ENOENT;

	snprintf(path, sizeof(path), "%s/%s", ctx->etc_root, file);
	text = read_file(path, 1 << 22);
	if (!text)
		return vfiox__err(ctx, -ENOENT, "cannot read %s", path);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4], *tok;
		int n = 0;

		for (tok = strsep(&line, ":"); tok && n < 4; tok = strsep(&line, ":"))
			f[n++] = tok;
		if (n >= 3 && !strcmp(f[0], name)) {
			*id = strtoul(f[2], NULL, 10);
			if (gid)
				*gid = n == 4 ? strtoul(f[3], NULL, 10) : *id;
			ret = 0;
			break;
		}
	}
	free(text);
	if (ret)
		return vfiox__err(ctx, ret, "no %s %s in %s (users and groups of LDAP or other "
				  "name services are not looked up)",
				  strcmp(file, "passwd") ? "group" : "user", name, path);
	return 0;
}

/* Names go into file names and udev rules: the portable user-name characters only. */
static bool valid_name(const char *s)
{
	size_t i;

	if (!*s || strlen(s) >= NAME_LEN || *s == '-')
		return false;
	for (i = 0; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
}

VFIOX_EXPORT int vfiox_grant_new(struct vfiox_scan *scan, const char *owner, struct vfiox_grant **gp)
{
	struct vfiox_ctx *ctx = vfiox_scan_ctx(scan);
	struct vfiox_grant *g;
	int ret;

	*gp = NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return vfiox__err(ctx, -ENOMEM, "out of memory");
	g->scan = scan;
	g->ctx = ctx;
	g->memlock = VFIOX_GRANT_MEMLOCK_UNLIMITED;
	if (!owner) {
		g->revoke_only = true;
		*gp = g;
		return 0;
	}
	g->is_group = owner[0] == '@';
	if (!valid_name(owner + g->is_group)) {
		free(g);
		return vfiox__err(ctx, -EINVAL, "'%s' is not a %s name (letters, digits, '.', "
				  "'_' and '-', not first)", owner, owner[0] == '@' ? "group" :
				  "user");
	}
	snprintf(g->owner, sizeof(g->owner), "%s", owner);
	snprintf(g->name, sizeof(g->name), "%s", owner + g->is_group);
	if (g->is_group)
		ret = lookup(ctx, "group", g->name, &g->gid, NULL);
	else
		ret = lookup(ctx, "passwd", g->name, &g->uid, &g->gid);
	if (!ret && ((!g->is_group && g->uid == 0) || (g->is_group && g->gid == 0)))
		ret = vfiox__err(ctx, -EINVAL, "%s is %s: it needs no grant", owner,
				 g->is_group ? "root's group" : "root");
	if (ret) {
		free(g);
		return ret;
	}
	*gp = g;
	return 0;
}

VFIOX_EXPORT void vfiox_grant_free(struct vfiox_grant *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->ngroups; i++)
		free(g->groups[i].mem);
	free(g->groups);
	free(g);
}

/* ------------------------------------------------------------------ what */

static int add(struct vfiox_grant *g, int id, const char *const *names, size_t n)
{
	struct grant_group *gg, *tmp;
	size_t i;

	for (i = 0; i < g->ngroups; i++)
		if (!strcmp(g->groups[i].first, names[0]))
			return 0;
	tmp = realloc(g->groups, (g->ngroups + 1) * sizeof(*tmp));
	if (!tmp)
		return vfiox__err(g->ctx, -ENOMEM, "out of memory");
	g->groups = tmp;
	gg = &g->groups[g->ngroups];
	memset(gg, 0, sizeof(*gg));
	gg->mem = calloc(n, sizeof(*gg->mem));
	if (!gg->mem)
		return vfiox__err(g->ctx, -ENOMEM, "out of memory");
	gg->id = id;
	gg->nmem = n;
	for (i = 0; i < n; i++)
		snprintf(gg->mem[i], sizeof(gg->mem[i]), "%s", names[i]);
	snprintf(gg->first, sizeof(gg->first), "%s", names[0]);
	g->ngroups++;
	return 0;
}

static int add_scan_group(struct vfiox_grant *g, struct vfiox_group *grp)
{
	size_t i, n = vfiox_group_num_devs(grp);
	const char **names;
	int ret;

	if (!n)
		return vfiox__err(g->ctx, -ENOENT, "IOMMU group %d has no PCI device",
				  vfiox_group_id(grp));
	names = calloc(n, sizeof(*names));
	if (!names)
		return vfiox__err(g->ctx, -ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		names[i] = vfiox_pci_dev_name(vfiox_group_dev(grp, i));
	ret = add(g, vfiox_group_id(grp), names, n);
	free(names);
	return ret;
}

VFIOX_EXPORT int vfiox_grant_add_dev(struct vfiox_grant *g, const char *addr)
{
	struct vfiox_pci_addr a;
	struct vfiox_pci_dev *dev;
	struct vfiox_group *grp;
	char name[VFIOX_PCI_ADDR_STRLEN];
	const char *one = name;
	int ret;

	if (vfiox_pci_addr_parse(addr, &a))
		return vfiox__err(g->ctx, -EINVAL, "'%s' is not a PCI address", addr);
	vfiox_pci_addr_format(&a, name, sizeof(name));
	ret = vfiox_scan_find_dev(g->scan, name, &dev);
	if (ret && g->revoke_only)
		return add(g, -1, &one, 1); /* gone: its rule can still be removed */
	if (ret)
		return vfiox__err(g->ctx, -ENODEV, "no PCI device %s on this host", name);
	if (vfiox_pci_dev_iommu_group(dev) < 0 ||
	    vfiox_scan_find_group(g->scan, vfiox_pci_dev_iommu_group(dev), &grp)) {
		if (g->revoke_only)
			return add(g, -1, &one, 1);
		return vfiox__err(g->ctx, -ENOENT, "%s is in no IOMMU group: the IOMMU is off or "
				  "not enabled for it ('vfioctl check' says why)", name);
	}
	return add_scan_group(g, grp);
}

VFIOX_EXPORT int vfiox_grant_add_group(struct vfiox_grant *g, int group)
{
	struct vfiox_group *grp;

	if (vfiox_scan_find_group(g->scan, group, &grp))
		return vfiox__err(g->ctx, -ENOENT, "no IOMMU group %d on this host", group);
	return add_scan_group(g, grp);
}

VFIOX_EXPORT void vfiox_grant_set_memlock(struct vfiox_grant *g, uint64_t kib)
{
	g->memlock = kib;
}

VFIOX_EXPORT int vfiox_grant_set_service(struct vfiox_grant *g, const char *unit)
{
	size_t n;

	if (!unit || !*unit) {
		g->service[0] = '\0';
		return 0;
	}
	n = strlen(unit);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)unit[i]) && !strchr(":_.\\-@", unit[i]))
			return vfiox__err(g->ctx, -EINVAL, "'%s' is not a systemd unit name", unit);
	if (strchr(unit, '.') && (n < 9 || strcmp(unit + n - 8, ".service")))
		return vfiox__err(g->ctx, -EINVAL, "'%s' is not a service unit (LimitMEMLOCK= is "
				  "a setting of services)", unit);
	if (n + 9 > sizeof(g->service))
		return vfiox__err(g->ctx, -ENAMETOOLONG, "unit name '%s' is too long", unit);
	snprintf(g->service, sizeof(g->service), "%s%s", unit,
		 strchr(unit, '.') ? "" : ".service");
	return 0;
}

VFIOX_EXPORT void vfiox_grant_set_step_cb(struct vfiox_grant *g, vfiox_grant_step_fn fn, void *userdata)
{
	g->fn = fn;
	g->fn_data = userdata;
}

VFIOX_EXPORT size_t vfiox_grant_num_groups(const struct vfiox_grant *g)
{
	return g->ngroups;
}

VFIOX_EXPORT const char *vfiox_grant_group_dev(const struct vfiox_grant *g, size_t i)
{
	return i < g->ngroups ? g->groups[i].first : NULL;
}

/* ------------------------------------------------------------------ the record */

static void rule_rel(const char *first, char *buf, size_t len)
{
	snprintf(buf, len, "udev/rules.d/" RULE_PREFIX "%s.rules", first);
}

static void limits_rel(const char *owner, char *buf, size_t len)
{
	if (owner[0] == '@')
		snprintf(buf, len, "security/limits.d/90-vfioctl-group-%s.conf", owner + 1);
	else
		snprintf(buf, len, "security/limits.d/90-vfioctl-%s.conf", owner);
}

static void service_rel(const char *unit, char *buf, size_t len)
{
	snprintf(buf, len, "systemd/system/%s.d/90-vfioctl-memlock.conf", unit);
}

static bool field(const char *line, const char *key, char *buf, size_t len)
{
	size_t k = strlen(key);
	const char *p = line;

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ') && p[k] == '=') {
			size_t n = strcspn(p + k + 1, " \n");

			if (n >= len)
				return false;
			memcpy(buf, p + k + 1, n);
			buf[n] = '\0';
			return true;
		}
		p += k;
	}
	return false;
}

/*
 * The record of a rule file: "# vfioctl-grant: owner=alice devices=A,B limits=REL
 * service=REL memlock=V" and "# vfioctl-grant-was: PATH UID GID MODE" lines. 0, -ENOENT,
 * or -EBADMSG for a file of ours that does not parse (a torn or edited one).
 */
static int parse_record(const char *text, struct record *r)
{
	const char *line, *nl;
	bool found = false;

	memset(r, 0, sizeof(*r));
	for (line = text; line && *line; line = nl ? nl + 1 : NULL) {
		char buf[1024];
		size_t n;

		nl = strchr(line, '\n');
		n = nl ? (size_t)(nl - line) : strlen(line);
		if (n >= sizeof(buf))
			continue;
		memcpy(buf, line, n);
		buf[n] = '\0';
		if (!strncmp(buf, RULE_MARK, strlen(RULE_MARK))) {
			if (!field(buf, "owner", r->owner, sizeof(r->owner)) ||
			    !field(buf, "devices", r->devices, sizeof(r->devices)) ||
			    !r->owner[0] || !r->devices[0])
				return -EBADMSG;
			field(buf, "limits", r->limits, sizeof(r->limits));
			field(buf, "service", r->service, sizeof(r->service));
			field(buf, "memlock", r->memlock, sizeof(r->memlock));
			found = true;
		} else if (!strncmp(buf, "# vfioctl-grant-was: ", 21) && r->nwas < MAX_NODES) {
			typeof(r->was[0]) *w = &r->was[r->nwas];

			if (sscanf(buf + 21, "%255s %lu %lu %o", w->path, &w->uid, &w->gid,
				   &w->mode) == 4 && w->path[0] == '/' && w->mode <= 07777)
				r->nwas++;
		}
	}
	return found ? 0 : -ENOENT;
}

static bool lists_dev(const struct record *r, const char *dev)
{
	size_t k = strlen(dev);
	const char *p = r->devices;

	while ((p = strstr(p, dev))) {
		if ((p == r->devices || p[-1] == ',') && (p[k] == ',' || !p[k]))
			return true;
		p += k;
	}
	return false;
}

/* Reads the rule of @first: 0, -ENOENT none, -EBADMSG (the last error names the file). */
static int read_record(struct vfiox_grant *g, const char *rel, struct record *r)
{
	char path[PATH_LEN], *text;
	int ret;

	etc_rel(g, rel, path, sizeof(path));
	text = read_file(path, 1 << 16);
	if (!text) {
		memset(r, 0, sizeof(*r));
		return -ENOENT;
	}
	ret = parse_record(text, r);
	free(text);
	if (ret == -EBADMSG || ret == -ENOENT)
		return vfiox__err(g->ctx, -EBADMSG, "%s is not a grant record vfioctl can read "
				  "(damaged or edited): check it, delete it by hand, grant again",
				  path);
	return ret;
}

struct rule_scan {
	struct vfiox_grant *g;
	const char *dev;	/* find the rule listing it, or */
	const char *limits;	/* count the rules naming this limits file, or */
	const char *service;	/* this service drop-in */
	const char *skip;	/* except these rules (the ones a revoke removes) */
	char found[PATH_LEN];
	unsigned count;
};

static bool skipped(const char *skip, const char *name)
{
	size_t k = strlen(name);
	const char *p = skip;

	while (p && (p = strstr(p, name))) {
		if ((p == skip || p[-1] == '\n') && (p[k] == '\n' || !p[k]))
			return true;
		p += k;
	}
	return false;
}

static int scan_rule(void *arg, const char *name)
{
	struct rule_scan *s = arg;
	struct record r;
	char rel[PATH_LEN];
	size_t n = strlen(name);

	if (strncmp(name, RULE_PREFIX, strlen(RULE_PREFIX)) || n < 7 ||
	    strcmp(name + n - 6, ".rules") || skipped(s->skip, name))
		return 0;
	snprintf(rel, sizeof(rel), "udev/rules.d/%s", name);
	if (read_record(s->g, rel, &r))
		return 0;
	if ((s->dev && lists_dev(&r, s->dev)) || (s->limits && !strcmp(r.limits, s->limits)) ||
	    (s->service && !strcmp(r.service, s->service))) {
		s->count++;
		if (!s->found[0])
			snprintf(s->found, sizeof(s->found), "%s", rel);
	}
	return 0;
}

static void scan_rules(struct vfiox_grant *g, struct rule_scan *s)
{
	char dir[PATH_LEN];

	s->g = g;
	etc_rel(g, "udev/rules.d", dir, sizeof(dir));
	vfiox__for_each_dirent(AT_FDCWD, dir, scan_rule, s);
}

/* ------------------------------------------------------------------ the log */

static int log_line(struct run *r, const char *fmt, ...) VFIOX_PRINTF(2, 3);

static int log_line(struct run *r, const char *fmt, ...)
{
	char line[PATH_LEN * 2 + 64];
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return vfiox__err(r->g->ctx, -ENAMETOOLONG, "a path of the grant is too long");
	ret = (int)vfiox_sys_write(r->log_fd, line, (size_t)n);
	if (ret >= 0)
		ret = ret == n ? vfiox_sys_fsync(r->log_fd) : -EIO;
	if (ret < 0)
		return vfiox__err(r->g->ctx, ret, "cannot write the grant log %s/run: %s", r->dir,
				  strerror(-ret));
	return 0;
}

static void path_of_log(struct run *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s/run", r->dir);
}

/* Undoes one line of the log; returns 0 or -errno (the rest is undone anyway). */
static int undo_line(struct vfiox_ctx *ctx, char *line)
{
	char a[PATH_LEN], b[PATH_LEN], kind[16];
	unsigned long uid, gid;
	unsigned mode;
	int ret = 0;

	if (sscanf(line, "node %4095s %lu %lu %o", a, &uid, &gid, &mode) == 4) {
		ret = vfiox_sys_fchownat(AT_FDCWD, a, (uid_t)uid, (gid_t)gid, 0);
		if (!ret)
			ret = vfiox_sys_fchmodat(AT_FDCWD, a, (mode_t)mode);
		if (ret == -ENOENT)
			ret = 0; /* the node went away with its group */
	} else if (sscanf(line, "file %4095s %15s %4095s", a, kind, b) == 3 &&
		   !strcmp(kind, "backup")) {
		ret = vfiox_sys_renameat(AT_FDCWD, b, AT_FDCWD, a);
		if (ret == -ENOENT && exists(a, NULL))
			ret = 0; /* put back already, by an undo that was interrupted */
	} else if (sscanf(line, "file %4095s %15s", a, kind) == 2 && !strcmp(kind, "new")) {
		ret = vfiox_sys_unlinkat(AT_FDCWD, a, 0);
		if (ret == -ENOENT)
			ret = 0;
	} else if (sscanf(line, "dir %4095s", a) == 1) {
		ret = vfiox_sys_unlinkat(AT_FDCWD, a, AT_REMOVEDIR);
		if (ret == -ENOENT || ret == -ENOTEMPTY || ret == -EEXIST)
			ret = 0; /* something else put a file there since: keep it */
	}
	if (ret)
		vfiox__warn(ctx, "cannot undo '%s': %s", line, strerror(-ret));
	return ret;
}

/* Replays the log at @dir/run backwards, deletes it and the copies. 0, -ENOENT no log. */
static int rollback(struct vfiox_ctx *ctx, const char *dir, unsigned *undone)
{
	char path[PATH_LEN + 8], *text, *lines[4096];
	size_t n = 0;
	char *p, *save = NULL;
	int ret = 0;

	*undone = 0;
	snprintf(path, sizeof(path), "%s/run", dir);
	text = read_file(path, 1 << 22);
	if (!text)
		return -ENOENT;
	/* a line torn by a crash has no newline: its change was never made */
	p = strrchr(text, '\n');
	if (p)
		p[1] = '\0';
	else
		text[0] = '\0';
	for (p = strtok_r(text, "\n", &save); p && n < 4096; p = strtok_r(NULL, "\n", &save))
		lines[n++] = p;
	while (n--) {
		if (undo_line(ctx, lines[n]))
			ret = -EIO;
		else
			(*undone)++;
	}
	free(text);
	vfiox_sys_unlinkat(AT_FDCWD, path, 0);
	return ret;
}

static void unlink_backups(struct run *r)
{
	char path[PATH_LEN + 32];

	for (unsigned i = 0; i < r->nbackup; i++) {
		snprintf(path, sizeof(path), "%s/backup-%u", r->dir, i);
		vfiox_sys_unlinkat(AT_FDCWD, path, 0);
	}
}

static int open_log(struct run *r)
{
	struct vfiox_ctx *ctx = r->g->ctx;
	char path[PATH_LEN + 32];
	unsigned undone;
	int ret;

	snprintf(r->dir, sizeof(r->dir), "%s/" GRANT_SUBDIR, ctx->state_dir);
	ret = vfiox_sys_mkdirat(AT_FDCWD, r->dir, 0700);
	if (ret && ret != -EEXIST)
		return vfiox__err(ctx, ret, "cannot create %s: %s", r->dir, strerror(-ret));
	ret = rollback(ctx, r->dir, &undone);
	if (ret != -ENOENT) {
		say(r->g, "rollback", "put back %u change%s of a grant or revoke that was "
		    "interrupted (its log was %s/run)%s", undone, undone == 1 ? "" : "s", r->dir,
		    ret ? "; some could not be undone, see the warnings" : "");
	}
	/* copies left by that run: numbered from 0 again */
	for (unsigned i = 0; i < 1024; i++) {
		snprintf(path, sizeof(path), "%s/backup-%u", r->dir, i);
		if (vfiox_sys_unlinkat(AT_FDCWD, path, 0) == -ENOENT)
			break;
	}
	path_of_log(r, path, sizeof(path));
	r->log_fd = vfiox_sys_openat(AT_FDCWD, path,
				     O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	if (r->log_fd < 0)
		return vfiox__err(ctx, r->log_fd, "cannot create the grant log %s: %s", path,
				  strerror(-r->log_fd));
	return 0;
}

/* Success: the log goes; the copies it names go after it. */
static void close_log(struct run *r)
{
	char path[PATH_LEN + 8];

	if (r->log_fd < 0)
		return;
	vfiox_sys_close(r->log_fd);
	r->log_fd = -1;
	path_of_log(r, path, sizeof(path));
	vfiox_sys_unlinkat(AT_FDCWD, path, 0);
	unlink_backups(r);
}

static void fail_log(struct run *r)
{
	unsigned undone;

	if (r->log_fd < 0)
		return;
	vfiox_sys_close(r->log_fd);
	r->log_fd = -1;
	rollback(r->g->ctx, r->dir, &undone);
	unlink_backups(r);
}

/* ------------------------------------------------------------------ changes */

/* mkdir -p of the directory of @path, each directory it creates logged first. */
static int make_parents(struct run *r, const char *path)
{
	char dir[PATH_LEN];
	size_t root = strlen(r->g->ctx->etc_root);
	int ret;

	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + root + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (!exists(dir, NULL)) {
			ret = log_line(r, "dir %s\n", dir);
			if (ret)
				return ret;
			ret = vfiox_sys_mkdirat(AT_FDCWD, dir, 0755);
			if (ret && ret != -EEXIST)
				return ret;
		}
		*p = '/';
	}
	return 0;
}

/* Keeps a copy of @path (which exists) and logs it, before it is replaced or removed. */
static int back_up(struct run *r, const char *path)
{
	char copy[PATH_LEN + 32], *text;
	struct stat st;
	int ret;

	text = exists(path, &st) ? read_file(path, 1 << 20) : NULL;
	if (!text)
		return -EIO;
	snprintf(copy, sizeof(copy), "%s/backup-%u", r->dir, r->nbackup++);
	/* the copy goes back by rename: it carries the file's mode (owner: root's own files) */
	ret = vfiox__write_atomic(copy, text, strlen(text), st.st_mode & 0777);
	if (!ret)
		ret = vfiox_sys_fchmodat(AT_FDCWD, copy, st.st_mode & 07777); /* past the umask */
	free(text);
	if (ret)
		return ret;
	return log_line(r, "file %s backup %s\n", path, copy);
}

/* Writes @text to <etc>/@rel, logged so that it can be undone. */
static int put_file(struct run *r, const char *rel, const char *text)
{
	char path[PATH_LEN];
	int ret;

	etc_rel(r->g, rel, path, sizeof(path));
	ret = make_parents(r, path);
	if (!ret)
		ret = exists(path, NULL) ? back_up(r, path) : log_line(r, "file %s new\n", path);
	if (!ret)
		ret = vfiox__write_atomic(path, text, strlen(text), 0644);
	if (ret)
		return vfiox__err(r->g->ctx, ret, "cannot write %s: %s", path, strerror(-ret));
	return 0;
}

static int remove_file(struct run *r, const char *rel)
{
	char path[PATH_LEN];
	int ret;

	etc_rel(r->g, rel, path, sizeof(path));
	if (!exists(path, NULL))
		return 0;
	ret = back_up(r, path);
	if (!ret)
		ret = vfiox_sys_unlinkat(AT_FDCWD, path, 0);
	if (ret)
		return vfiox__err(r->g->ctx, ret, "cannot remove %s: %s", path, strerror(-ret));
	return 0;
}

static int set_node(struct run *r, const char *path, const struct stat *st, unsigned long uid,
		    unsigned long gid, unsigned mode)
{
	int ret = log_line(r, "node %s %u %u %o\n", path, (unsigned)st->st_uid,
			   (unsigned)st->st_gid, (unsigned)(st->st_mode & 07777));

	if (!ret)
		ret = vfiox_sys_fchownat(AT_FDCWD, path, (uid_t)uid, (gid_t)gid, 0);
	if (!ret)
		ret = vfiox_sys_fchmodat(AT_FDCWD, path, (mode_t)mode);
	if (ret)
		return vfiox__err(r->g->ctx, ret, "cannot change the owner or mode of %s: %s",
				  path, strerror(-ret));
	return 0;
}

/* ------------------------------------------------------------------ nodes */

struct node {
	char path[PATH_LEN];
	struct stat st;
	bool present;
};

/* The group node (present or not) and the members' cdevs that exist: how many. */
static size_t group_nodes(struct vfiox_grant *g, const struct grant_group *gg, struct node *nodes,
			  size_t max)
{
	size_t n = 0;

	if (gg->id >= 0 && n < max) {
		snprintf(nodes[n].path, sizeof(nodes[n].path), "%s/vfio/%d", g->ctx->dev_root,
			 gg->id);
		nodes[n].present = exists(nodes[n].path, &nodes[n].st) &&
				   S_ISCHR(nodes[n].st.st_mode);
		n++;
	}
	for (size_t i = 0; i < gg->nmem && n < max; i++) {
		char path[PATH_LEN];

		if (vfiox_device_cdev(g->ctx, gg->mem[i], path, sizeof(path)))
			continue;
		snprintf(nodes[n].path, sizeof(nodes[n].path), "%s", path);
		nodes[n].present = exists(path, &nodes[n].st) && S_ISCHR(nodes[n].st.st_mode);
		if (nodes[n].present)
			n++;
	}
	return n;
}

static const char *owner_of(const struct stat *st, char *buf, size_t len)
{
	snprintf(buf, len, "%u:%u %04o", (unsigned)st->st_uid, (unsigned)st->st_gid,
		 (unsigned)(st->st_mode & 07777));
	return buf;
}

/* ------------------------------------------------------------------ grant */

static void memlock_text(uint64_t kib, char *buf, size_t len)
{
	if (kib == VFIOX_GRANT_MEMLOCK_UNLIMITED)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%llu", (unsigned long long)kib);
}

static void human(uint64_t kib, char *buf, size_t len)
{
	if (kib == VFIOX_GRANT_MEMLOCK_UNLIMITED)
		snprintf(buf, len, "unlimited");
	else if (kib >= 1024 * 1024 && !(kib % (1024 * 1024)))
		snprintf(buf, len, "%llu GiB", (unsigned long long)(kib >> 20));
	else if (kib >= 1024 && !(kib % 1024))
		snprintf(buf, len, "%llu MiB", (unsigned long long)(kib >> 10));
	else
		snprintf(buf, len, "%llu KiB", (unsigned long long)kib);
}

/* Refuses what cannot be granted before anything changes. */
static int grant_check(struct vfiox_grant *g)
{
	for (size_t i = 0; i < g->ngroups; i++) {
		const struct grant_group *gg = &g->groups[i];
		char rel[PATH_LEN];
		struct record rec;
		int ret;

		rule_rel(gg->first, rel, sizeof(rel));
		ret = read_record(g, rel, &rec);
		if (ret == -EBADMSG)
			return ret;
		if (!ret && strcmp(rec.owner, g->owner))
			return vfiox__err(g->ctx, -EBUSY, "IOMMU group %d (%s) is granted to %s "
					  "already: 'vfioctl grant --revoke %s' first", gg->id,
					  gg->first, rec.owner, gg->first);
		for (size_t k = 0; k < gg->nmem; k++) {
			struct rule_scan s = { .dev = gg->mem[k] };

			scan_rules(g, &s);
			rule_rel(gg->first, rel, sizeof(rel));
			if (s.count && strcmp(s.found, rel))
				return vfiox__err(g->ctx, -EBUSY, "%s is in the grant of %s/%s (its "
						  "group changed since): 'vfioctl grant --revoke %s' "
						  "first", gg->mem[k], g->ctx->etc_root, s.found,
						  gg->mem[k]);
		}
	}
	return 0;
}

static int write_rule(struct run *r, const struct grant_group *gg, const struct node *nodes,
		      size_t nn, const struct record *old)
{
	struct vfiox_grant *g = r->g;
	char text[16384], rel[PATH_LEN], lim[PATH_LEN] = "", svc[PATH_LEN] = "", ml[32], own[96];
	size_t len = 0, k;
	unsigned mode = g->is_group ? 0660 : 0600;

#define PUT(...)                                                                      \
	do {                                                                          \
		int n_ = snprintf(text + len, sizeof(text) - len, __VA_ARGS__);       \
		if (n_ < 0 || (size_t)n_ >= sizeof(text) - len)                       \
			return vfiox__err(g->ctx, -ENOSPC, "the udev rule of %s is too long", \
					  gg->first);                                  \
		len += (size_t)n_;                                                    \
	} while (0)

	if (g->memlock)
		limits_rel(g->owner, lim, sizeof(lim));
	if (g->service[0])
		service_rel(g->service, svc, sizeof(svc));
	memlock_text(g->memlock, ml, sizeof(ml));
	if (g->is_group)
		snprintf(own, sizeof(own), "GROUP=\"%s\", MODE=\"%04o\"", g->name, mode);
	else
		snprintf(own, sizeof(own), "OWNER=\"%s\", MODE=\"%04o\"", g->name, mode);
	PUT("# Written by 'vfioctl grant'; 'vfioctl grant --revoke %s' removes it.\n"
	    "# Gives the VFIO nodes of IOMMU group %d (%zu device%s) to %s%s.\n", gg->first,
	    gg->id, gg->nmem, gg->nmem == 1 ? "" : "s", g->is_group ? "group " : "", g->name);
	PUT(RULE_MARK " owner=%s devices=", g->owner);
	for (k = 0; k < gg->nmem; k++)
		PUT("%s%s", k ? "," : "", gg->mem[k]);
	PUT(" limits=%s service=%s memlock=%s\n", lim, svc, g->memlock ? ml : "");
	/* what the nodes were before the first grant: a re-grant keeps the older record */
	for (k = 0; k < nn; k++) {
		const struct stat *st = &nodes[k].st;
		unsigned long uid = st->st_uid, gid = st->st_gid;
		unsigned m = st->st_mode & 07777;

		for (size_t w = 0; old && w < old->nwas; w++)
			if (!strcmp(old->was[w].path, nodes[k].path)) {
				uid = old->was[w].uid;
				gid = old->was[w].gid;
				m = old->was[w].mode;
			}
		if (nodes[k].present)
			PUT("# vfioctl-grant-was: %s %lu %lu %04o\n", nodes[k].path, uid, gid, m);
	}
	/* the group node by membership: its number may change at boot, the addresses not */
	PUT("SUBSYSTEM==\"vfio\", KERNEL==\"[0-9]*\", "
	    "TEST==\"/sys/kernel/iommu_groups/$kernel/devices/%s\", %s\n", gg->first, own);
	for (k = 0; k < gg->nmem; k++)
		PUT("SUBSYSTEM==\"vfio-dev\", KERNELS==\"%s\", %s\n", gg->mem[k], own);
#undef PUT
	rule_rel(gg->first, rel, sizeof(rel));
	return put_file(r, rel, text);
}

static int grant_group(struct run *r, const struct grant_group *gg)
{
	struct vfiox_grant *g = r->g;
	struct node nodes[MAX_NODES];
	char rel[PATH_LEN], path[PATH_LEN], was[64];
	struct record old;
	bool have_old;
	unsigned mode = g->is_group ? 0660 : 0600;
	size_t nn, k;
	int ret;

	nn = group_nodes(g, gg, nodes, MAX_NODES);
	rule_rel(gg->first, rel, sizeof(rel));
	have_old = !read_record(g, rel, &old);
	ret = say(g, "rule", "%s: udev rule for IOMMU group %d: its nodes go to %s%s, mode "
		  "%04o, whenever they are created (reboots, re-binds)%s",
		  etc_rel(g, rel, path, sizeof(path)), gg->id, g->is_group ? "group " : "",
		  g->name, mode, have_old ? " (replaces the grant's earlier rule)" : "");
	if (!ret && !r->dry)
		ret = write_rule(r, gg, nodes, nn, have_old ? &old : NULL);
	if (ret)
		return ret;
	if (!nn || !nodes[0].present) {
		ret = say(g, "note", "%s/vfio/%d does not exist yet: the rule gives it to %s when "
			  "the group is bound to vfio-pci (vfioctl bind --group %d)",
			  g->ctx->dev_root, gg->id, g->name, gg->id);
		if (ret)
			return ret;
	}
	for (k = 0; k < nn; k++) {
		const struct stat *st = &nodes[k].st;
		unsigned long uid = g->is_group ? st->st_uid : g->uid;
		unsigned long gid = g->is_group ? g->gid : st->st_gid;

		if (!nodes[k].present)
			continue;
		ret = say(g, "node", "%s: owner %lu:%lu, mode %04o (was %s)", nodes[k].path, uid,
			  gid, mode, owner_of(st, was, sizeof(was)));
		if (!ret && !r->dry)
			ret = set_node(r, nodes[k].path, st, uid, gid, mode);
		if (ret)
			return ret;
	}
	return 0;
}

static int grant_memlock(struct run *r)
{
	struct vfiox_grant *g = r->g;
	char rel[PATH_LEN], path[PATH_LEN], text[1024], ml[32], hm[32], *old;
	int ret;

	if (!g->memlock)
		return say(g, "memlock", "the memlock limits of %s are left as they are "
			   "(--no-memlock); VFIO pins all of a guest's memory", g->owner);
	limits_rel(g->owner, rel, sizeof(rel));
	etc_rel(g, rel, path, sizeof(path));
	memlock_text(g->memlock, ml, sizeof(ml));
	human(g->memlock, hm, sizeof(hm));
	snprintf(text, sizeof(text),
		 "# Written by 'vfioctl grant'; 'vfioctl grant --revoke' removes it with the "
		 "last grant of %s.\n"
		 "# What VFIO may pin for a login of %s%s (pam_limits reads it at login).\n"
		 "%s hard memlock %s\n%s soft memlock %s\n",
		 g->owner, g->is_group ? "a member of " : "", g->name, g->owner, ml, g->owner, ml);
	old = read_file(path, 1 << 16);
	if (old && !strcmp(old, text)) {
		free(old);
		return say(g, "memlock", "%s: memlock %s for logins of %s (already so)", path, hm,
			   g->owner);
	}
	free(old);
	ret = say(g, "memlock", "%s: memlock %s for logins of %s", path, hm, g->owner);
	if (!ret && !r->dry)
		ret = put_file(r, rel, text);
	return ret;
}

static int grant_service(struct run *r)
{
	struct vfiox_grant *g = r->g;
	char rel[PATH_LEN], path[PATH_LEN], text[1024], val[32];
	int ret;

	if (g->memlock == VFIOX_GRANT_MEMLOCK_UNLIMITED || !g->memlock)
		snprintf(val, sizeof(val), "infinity");
	else
		snprintf(val, sizeof(val), "%lluK", (unsigned long long)g->memlock);
	if (!g->service[0])
		return say(g, "service", "a systemd service running as %s does not read limits.d: "
			   "give it LimitMEMLOCK=%s under [Service] (or --service UNIT)",
			   g->is_group ? "a member of the group" : g->name, val);
	service_rel(g->service, rel, sizeof(rel));
	snprintf(text, sizeof(text),
		 "# Written by 'vfioctl grant --service %s'; 'vfioctl grant --revoke' removes "
		 "it.\n[Service]\nLimitMEMLOCK=%s\n", g->service, val);
	ret = say(g, "service", "%s: LimitMEMLOCK=%s for %s (systemctl daemon-reload, then "
		  "restart it)", etc_rel(g, rel, path, sizeof(path)), val, g->service);
	if (!ret && !r->dry)
		ret = put_file(r, rel, text);
	return ret;
}

/* ------------------------------------------------------------------ revoke */

static int revoke_group(struct run *r, const struct grant_group *gg, const char *rel,
			const struct record *rec)
{
	struct vfiox_grant *g = r->g;
	struct node nodes[MAX_NODES];
	char path[PATH_LEN], was[64];
	size_t nn, k;
	int ret;

	ret = say(g, "rule", "%s: removed (the grant of IOMMU group %d to %s)",
		  etc_rel(g, rel, path, sizeof(path)), gg->id, rec->owner);
	if (!ret && !r->dry)
		ret = remove_file(r, rel);
	if (ret)
		return ret;
	nn = group_nodes(g, gg, nodes, MAX_NODES);
	for (k = 0; k < nn; k++) {
		unsigned long uid = 0, gid = 0;
		unsigned mode = 0600;

		if (!nodes[k].present)
			continue;
		for (size_t w = 0; w < rec->nwas; w++)
			if (!strcmp(rec->was[w].path, nodes[k].path)) {
				uid = rec->was[w].uid;
				gid = rec->was[w].gid;
				mode = rec->was[w].mode;
			}
		ret = say(g, "node", "%s: owner %lu:%lu, mode %04o again (was %s)", nodes[k].path,
			  uid, gid, mode, owner_of(&nodes[k].st, was, sizeof(was)));
		if (!ret && !r->dry)
			ret = set_node(r, nodes[k].path, &nodes[k].st, uid, gid, mode);
		if (ret)
			return ret;
	}
	return 0;
}

/* A limits or service file of the revoked grants that no remaining grant names: removed. */
static int revoke_shared(struct run *r, const char *what, const char *rel, const char *skip)
{
	struct vfiox_grant *g = r->g;
	struct rule_scan s = { .skip = skip };
	char path[PATH_LEN];
	int ret;

	if (!rel[0])
		return 0;
	if (!strcmp(what, "memlock"))
		s.limits = rel;
	else
		s.service = rel;
	scan_rules(g, &s);
	etc_rel(g, rel, path, sizeof(path));
	if (s.count)
		return say(g, what, "%s: kept, %s/%s needs it too", path, g->ctx->etc_root,
			   s.found);
	if (!exists(path, NULL))
		return 0;
	ret = say(g, what, "%s: removed", path);
	if (!ret && !r->dry)
		ret = remove_file(r, rel);
	return ret;
}

static int revoke_all(struct run *r)
{
	struct vfiox_grant *g = r->g;
	char rels[16][PATH_LEN], skip[8192] = "";
	struct record recs[16];
	size_t n = 0, i, len = 0;
	int ret;

	if (g->ngroups > 16)
		return vfiox__err(g->ctx, -E2BIG, "revoke at most 16 groups at a time");
	for (i = 0; i < g->ngroups; i++) {
		const struct grant_group *gg = &g->groups[i];
		struct rule_scan s = { 0 };

		for (size_t k = 0; k < gg->nmem && !s.count; k++) {
			s.dev = gg->mem[k];
			scan_rules(g, &s);
		}
		if (!s.count)
			return vfiox__err(g->ctx, -ENOENT, "%s%s%d%s is not granted (no %s/udev/rules.d/"
					  RULE_PREFIX "*.rules lists it)", gg->first,
					  gg->id >= 0 ? " (IOMMU group " : "", gg->id,
					  gg->id >= 0 ? ")" : "", g->ctx->etc_root);
		snprintf(rels[n], sizeof(rels[n]), "%s", s.found);
		ret = read_record(g, rels[n], &recs[n]);
		if (ret)
			return ret;
		len += (size_t)snprintf(skip + len, sizeof(skip) - len, "%s\n",
					strrchr(rels[n], '/') + 1);
		n++;
	}
	for (i = 0; i < n; i++) {
		ret = revoke_group(r, &g->groups[i], rels[i], &recs[i]);
		if (ret)
			return ret;
	}
	for (i = 0; i < n; i++) {
		ret = revoke_shared(r, "memlock", recs[i].limits, skip);
		if (!ret)
			ret = revoke_shared(r, "service", recs[i].service, skip);
		if (ret)
			return ret;
	}
	return 0;
}

/* ------------------------------------------------------------------ run */

VFIOX_EXPORT int vfiox_grant_run(struct vfiox_grant *g, unsigned int flags)
{
	struct run r = { .g = g, .dry = flags & VFIOX_GRANT_DRY_RUN, .log_fd = -1 };
	bool revoke = flags & VFIOX_GRANT_REVOKE;
	int lock = -1, ret;

	if (!g->ngroups)
		return vfiox__err(g->ctx, -EINVAL, "nothing to %s: name a device or a group",
				  revoke ? "revoke" : "grant");
	if (!revoke && g->revoke_only)
		return vfiox__err(g->ctx, -EINVAL, "a grant needs an owner (a user or @group)");
	if (!revoke) {
		ret = grant_check(g);
		if (ret)
			return ret;
	}
	if (!r.dry) {
		ret = vfiox__journal_lock(g->ctx, &lock);
		if (ret)
			return ret;
		ret = open_log(&r);
		if (ret)
			goto out_unlock;
		if (!revoke) {
			ret = grant_check(g); /* again, under the lock */
			if (ret)
				goto out_fail;
		}
	}
	if (revoke) {
		ret = revoke_all(&r);
	} else {
		ret = 0;
		for (size_t i = 0; i < g->ngroups && !ret; i++)
			ret = grant_group(&r, &g->groups[i]);
		if (!ret)
			ret = grant_memlock(&r);
		if (!ret)
			ret = grant_service(&r);
	}
	if (ret)
		goto out_fail;
	close_log(&r);
	goto out_unlock;
out_fail:
	fail_log(&r);
	if (!r.dry)
		say(g, "rollback", "%s failed: everything it had changed is put back",
		    revoke ? "the revoke" : "the grant");
out_unlock:
	if (!r.dry)
		vfiox__udev_reload(g->ctx); /* the rules written, removed or put back */
	vfiox__journal_unlock(lock);
	return ret;
}
