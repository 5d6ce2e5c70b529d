// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * SR-IOV: creating and removing the VFs of a PF through sysfs, with its original state
 * journaled first (journal.c) so that restore puts it back, and the PF's VF token.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include <vfiox/inuse.h>
#include <vfiox/sriov.h>

#include "internal.h"
#include "host-private.h"
#include "journal.h"

#define UUID_STRLEN 37
/* VFs named in one "in use" message. */
#define MAX_VFS 4096

/* What sysfs says about a PF, read fresh. */
struct pf_state {
	char name[VFIOX_PCI_ADDR_STRLEN];
	char driver[64]; /* "" none */
	long total, cur, autoprobe;
};

static void dev_path(struct vfiox_ctx *ctx, const char *dev, const char *attr, char *buf,
		     size_t len)
{
	snprintf(buf, len, "%s/bus/pci/devices/%s%s%s", ctx->sysfs_root, dev, attr ? "/" : "",
		 attr ? attr : "");
}

static int read_long(struct vfiox_ctx *ctx, const char *dev, const char *attr, long *val)
{
	char path[PATH_MAX];

	dev_path(ctx, dev, attr, path, sizeof(path));
	return vfiox__read_attr_long(AT_FDCWD, path, 10, val);
}

static int write_long(struct vfiox_ctx *ctx, const char *dev, const char *attr, long val)
{
	char path[PATH_MAX], text[24];
	ssize_t n;
	int fd, len;

	dev_path(ctx, dev, attr, path, sizeof(path));
	len = snprintf(text, sizeof(text), "%ld\n", val);
	fd = vfiox_sys_openat(AT_FDCWD, path, O_WRONLY, 0);
	if (fd < 0)
		return fd;
	n = vfiox_sys_pwrite(fd, text, (size_t)len, 0);
	vfiox_sys_close(fd);
	if (n < 0)
		return (int)n;
	return n == len ? 0 : -EIO;
}

static int canon_name(struct vfiox_ctx *ctx, const char *pf, char *buf, size_t len)
{
	struct vfiox_pci_addr a;

	if (!pf || vfiox_pci_addr_parse(pf, &a))
		return vfiox__err(ctx, -EINVAL, "'%s' is not a PCI address (DDDD:BB:DD.F, e.g. "
				  "0000:03:00.0)", pf ? pf : "(null)");
	vfiox_pci_addr_format(&a, buf, len);
	return 0;
}

/* The PF's state; the errors of a device that is no SR-IOV PF. */
static int read_pf(struct vfiox_ctx *ctx, const char *pf, struct pf_state *st)
{
	char path[PATH_MAX], other[VFIOX_PCI_ADDR_STRLEN + 8];
	int ret, fd;

	memset(st, 0, sizeof(*st));
	ret = canon_name(ctx, pf, st->name, sizeof(st->name));
	if (ret)
		return ret;
	dev_path(ctx, st->name, NULL, path, sizeof(path));
	fd = vfiox_sys_openat(AT_FDCWD, path, O_PATH | O_DIRECTORY, 0);
	if (fd < 0)
		return vfiox__err(ctx, fd == -ENOENT ? -ENODEV : fd, "no PCI device %s (%s); "
				  "'vfioctl list' shows the devices", st->name, strerror(-fd));
	vfiox_sys_close(fd);
	dev_path(ctx, st->name, "physfn", path, sizeof(path));
	if (!vfiox__read_link_name(AT_FDCWD, path, other, sizeof(other)))
		return vfiox__err(ctx, -EINVAL, "%s is a virtual function (of PF %s): VFs have no "
				  "VFs of their own; name the PF", st->name, other);
	if (read_long(ctx, st->name, "sriov_totalvfs", &st->total) || st->total < 0)
		return vfiox__err(ctx, -EOPNOTSUPP, "%s is not an SR-IOV physical function (it has "
				  "no sriov_totalvfs: no SR-IOV capability, or the kernel was built "
				  "without CONFIG_PCI_IOV)", st->name);
	if (read_long(ctx, st->name, "sriov_numvfs", &st->cur) || st->cur < 0)
		return vfiox__err(ctx, -EIO, "%s: cannot read sriov_numvfs", st->name);
	if (read_long(ctx, st->name, "sriov_drivers_autoprobe", &st->autoprobe))
		st->autoprobe = -1;
	dev_path(ctx, st->name, "driver", path, sizeof(path));
	if (vfiox__read_link_name(AT_FDCWD, path, st->driver, sizeof(st->driver)))
		st->driver[0] = '\0';
	return 0;
}

/* The address of VF @i of the PF (its virtfn link), into @buf; -errno when absent. */
static int vf_name(struct vfiox_ctx *ctx, const char *pf, long i, char *buf, size_t len)
{
	char path[PATH_MAX], attr[32];

	snprintf(attr, sizeof(attr), "virtfn%ld", i);
	dev_path(ctx, pf, attr, path, sizeof(path));
	return vfiox__read_link_name(AT_FDCWD, path, buf, len);
}

struct first_entry {
	char name[64];
};

static int take_entry(void *arg, const char *name)
{
	struct first_entry *f = arg;

	if (strlen(name) >= sizeof(f->name))
		return 0;
	snprintf(f->name, sizeof(f->name), "%s", name);
	return 1; /* the first one is enough */
}

/*
 * A VF open through VFIO, by its group's node or its device's cdev node (vfio-dev/vfioN,
 * kernels with VFIO_DEVICE_CDEV): the kernel would block sriov_numvfs = 0 until its user
 * lets go.
 */
static int check_vf_open(struct vfiox_ctx *ctx, const char *pf, const char *vf)
{
	char path[PATH_MAX], grp[32], holders[256];
	struct first_entry cdev = { "" };

	dev_path(ctx, vf, "iommu_group", path, sizeof(path));
	if (!vfiox__read_link_name(AT_FDCWD, path, grp, sizeof(grp))) {
		snprintf(path, sizeof(path), "%s/vfio/%s", ctx->dev_root, grp);
		vfiox__find_holders(ctx, path, holders, sizeof(holders));
		if (holders[0])
			goto busy;
	}
	dev_path(ctx, vf, "vfio-dev", path, sizeof(path));
	if (vfiox__for_each_dirent(AT_FDCWD, path, take_entry, &cdev) < 0 || !cdev.name[0])
		return 0;
	snprintf(path, sizeof(path), "%s/vfio/devices/%s", ctx->dev_root, cdev.name);
	vfiox__find_holders(ctx, path, holders, sizeof(holders));
	if (!holders[0])
		return 0;
busy:
	return vfiox__err(ctx, -EBUSY, "VF %s of %s is open through VFIO (%s holds %s): removing "
			  "the VFs would wait for that user; stop it first (--force does not "
			  "override this)", vf, pf, holders, path);
}

/* Host uses (vfiox/inuse.h) of the VFs. */
static int check_vf_uses(struct vfiox_ctx *ctx, const char *pf, char (*vfs)[VFIOX_PCI_ADDR_STRLEN],
			 size_t n)
{
	struct vfiox_pci_dev **devs;
	struct vfiox_uses *u = NULL;
	struct vfiox_scan *scan;
	size_t i, found = 0;
	int ret;

	ret = vfiox_scan_new(ctx, &scan);
	if (ret)
		return ret;
	devs = calloc(n ? n : 1, sizeof(*devs));
	if (!devs) {
		ret = vfiox__err(ctx, -ENOMEM, "out of memory");
		goto out_scan;
	}
	for (i = 0; i < n; i++)
		if (!vfiox_scan_find_dev(scan, vfs[i], &devs[found]))
			found++;
	/* All VFs in one pass: hundreds of them would otherwise mean hundreds of walks. */
	ret = vfiox__devs_uses(devs, found, &u);
	if (!ret && vfiox_uses_count(u))
		ret = vfiox__err(ctx, -EBUSY, "VF %s of %s is in use: %s; removing the VFs would take "
				 "it from the host. Way out: %s (or --force)", vfiox_uses_dev(u, 0),
				 pf, vfiox_uses_reason(u, 0), vfiox_uses_fix(u, 0));
	vfiox_uses_free(u);
	free(devs);
out_scan:
	vfiox_scan_free(scan);
	return ret;
}

/* The VFs present, read from the virtfn links; *vfsp is malloc'ed (may be NULL when none). */
static int list_vfs(struct vfiox_ctx *ctx, const struct pf_state *st,
		    char (**vfsp)[VFIOX_PCI_ADDR_STRLEN], size_t *np)
{
	char (*vfs)[VFIOX_PCI_ADDR_STRLEN] = NULL;
	size_t n = 0;
	long i;

	*vfsp = NULL;
	*np = 0;
	if (st->cur <= 0)
		return 0;
	if (st->cur > MAX_VFS)
		return vfiox__err(ctx, -EIO, "%s claims %ld VFs", st->name, st->cur);
	vfs = calloc((size_t)st->cur, sizeof(*vfs));
	if (!vfs)
		return vfiox__err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < st->cur; i++)
		if (!vf_name(ctx, st->name, i, vfs[n], sizeof(vfs[n])))
			n++;
	*vfsp = vfs;
	*np = n;
	return 0;
}

/* What sysfs alone decides: the PF, the count, its driver, the count present. */
static int check_pf(struct vfiox_ctx *ctx, const char *pf, unsigned int numvfs,
		    struct pf_state *st)
{
	int ret;

	ret = read_pf(ctx, pf, st);
	if (ret)
		return ret;
	if (numvfs > (unsigned long)st->total)
		return vfiox__err(ctx, -ERANGE, "%s can have at most %ld VFs (sriov_totalvfs), "
				  "not %u", st->name, st->total, numvfs);
	if (st->cur == (long)numvfs)
		return 0;
	if (!st->driver[0])
		return vfiox__err(ctx, -EINVAL, "%s has no driver: the kernel creates and removes "
				  "VFs through the PF's driver; bind it to its own driver, or to "
				  "vfio-pci loaded with enable_sriov=1", st->name);
	if (numvfs && st->cur)
		return vfiox__err(ctx, -EEXIST, "%s has %ld VFs already, and the kernel changes "
				  "the number only from 0: remove them first (vfioctl sriov %s "
				  "--vfs 0)", st->name, st->cur, st->name);
	return 0;
}

/* Removing the VFs present: none open through VFIO, none in use unless forced. */
static int check_vfs(struct vfiox_ctx *ctx, const struct pf_state *st, unsigned int flags)
{
	char (*vfs)[VFIOX_PCI_ADDR_STRLEN];
	size_t n, i;
	int ret;

	ret = list_vfs(ctx, st, &vfs, &n);
	if (ret)
		return ret;
	for (i = 0; i < n && !ret; i++)
		ret = check_vf_open(ctx, st->name, vfs[i]);
	if (!ret && !(flags & VFIOX_SRIOV_FORCE))
		ret = check_vf_uses(ctx, st->name, vfs, n);
	free(vfs);
	return ret;
}

static int check(struct vfiox_ctx *ctx, const char *pf, unsigned int numvfs, unsigned int flags,
		 struct pf_state *st)
{
	int ret = check_pf(ctx, pf, numvfs, st);

	if (ret || numvfs || st->cur <= 0)
		return ret;
	return check_vfs(ctx, st, flags);
}

VFIOX_EXPORT int vfiox_sriov_check(struct vfiox_ctx *ctx, const char *pf, unsigned int numvfs,
				   unsigned int flags)
{
	struct pf_state st;

	return check(ctx, pf, numvfs, flags, &st);
}

VFIOX_EXPORT int vfiox_sriov_autoprobe(struct vfiox_ctx *ctx, const char *pf)
{
	char name[VFIOX_PCI_ADDR_STRLEN];
	long v;
	int ret;

	ret = canon_name(ctx, pf, name, sizeof(name));
	if (ret)
		return ret;
	ret = read_long(ctx, name, "sriov_drivers_autoprobe", &v);
	if (ret)
		return vfiox__err(ctx, ret, "%s: cannot read sriov_drivers_autoprobe: %s", name,
				  strerror(-ret));
	return v != 0;
}

/*
 * Drops the SR-IOV fields (and the VF token) from the PF's journal entry, keeping the
 * rest (a bind of the PF itself); the entry goes when nothing is left.
 */
static int forget_sriov(struct vfiox_ctx *ctx, const char *pf)
{
	struct vfiox__jentry e;
	int ret;

	ret = vfiox__journal_read(ctx, pf, &e);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	e.sriov_numvfs = -1;
	e.sriov_autoprobe = -1;
	e.vf_token[0] = '\0';
	return vfiox__journal_replace(ctx, &e);
}

static int numvfs_error(struct vfiox_ctx *ctx, const struct pf_state *st, unsigned int numvfs,
			int err)
{
	if (err == -ENOENT)
		return vfiox__err(ctx, err, "%s: its driver %s cannot %s VFs through sysfs%s",
				  st->name, st->driver[0] ? st->driver : "(none)",
				  numvfs ? "create" : "remove",
				  !strcmp(st->driver, "vfio-pci") ? " unless vfio-pci is loaded with "
				  "enable_sriov=1 (echo 1 > /sys/module/vfio_pci/parameters/"
				  "enable_sriov)" : "");
	if (err == -EBUSY)
		return vfiox__err(ctx, err, "%s: the kernel refused %u VFs: VFs are enabled "
				  "already; remove them first (vfioctl sriov %s --vfs 0)", st->name,
				  numvfs, st->name);
	return vfiox__err(ctx, err, "%s: writing %u to sriov_numvfs failed: %s (the kernel log "
			  "says why)", st->name, numvfs, strerror(-err));
}

static int remove_vfs(struct vfiox_ctx *ctx, const struct pf_state *st)
{
	char (*vfs)[VFIOX_PCI_ADDR_STRLEN];
	struct vfiox__jentry e;
	bool have_entry;
	size_t n, i;
	int ret;

	ret = list_vfs(ctx, st, &vfs, &n);
	if (ret)
		return ret;
	ret = vfiox__journal_read(ctx, st->name, &e);
	if (ret && ret != -ENOENT)
		goto out_free;
	have_entry = !ret;
	ret = st->cur > 0 ? vfiox__step(ctx, "write 0 to %s/bus/pci/devices/%s/sriov_numvfs "
					"(remove its %ld VFs)", ctx->sysfs_root, st->name,
					st->cur) : 0;
	if (ret)
		goto out_free;
	ret = st->cur > 0 ? write_long(ctx, st->name, "sriov_numvfs", 0) : 0;
	if (ret) {
		ret = numvfs_error(ctx, st, 0, ret);
		goto out_free;
	}
	if (have_entry && e.sriov_autoprobe >= 0 && e.sriov_autoprobe != st->autoprobe) {
		ret = vfiox__step(ctx, "write %d to %s/bus/pci/devices/%s/sriov_drivers_autoprobe "
				  "(as journaled)", e.sriov_autoprobe, ctx->sysfs_root, st->name);
		if (ret)
			goto out_free;
		ret = write_long(ctx, st->name, "sriov_drivers_autoprobe", e.sriov_autoprobe);
		if (ret) {
			ret = vfiox__err(ctx, ret, "%s: VFs removed, but sriov_drivers_autoprobe "
					 "could not be put back to %d: %s; 'vfioctl restore %s' "
					 "retries", st->name, e.sriov_autoprobe, strerror(-ret),
					 st->name);
			goto out_free;
		}
	}
	/*
	 * The VFs are gone: their own entries (from binding them) have nothing to restore,
	 * and a udev rule of a --persist bind would take a later VF at the same address.
	 */
	if (n || have_entry) {
		ret = vfiox__step(ctx, "forget the journal entries of the %zu VFs and the SR-IOV "
				  "state of %s", n, st->name);
		if (ret)
			goto out_free;
	}
	for (i = 0; i < n; i++) {
		int r = vfiox__journal_drop(ctx, vfs[i]);

		if (r && r != -ENOENT)
			vfiox__warn(ctx, "%s: cannot drop the journal entry of its removed VF %s: "
				    "%s", st->name, vfs[i], ctx->last_error);
	}
	ret = forget_sriov(ctx, st->name);
	if (ret)
		ret = vfiox__err(ctx, ret, "%s: VFs removed, but its journal entry could not be "
				 "updated: %s", st->name, strerror(-ret));
out_free:
	free(vfs);
	return ret;
}

static int set_numvfs(struct vfiox_ctx *ctx, const char *pf, unsigned int numvfs,
		      unsigned int flags)
{
	char keep[sizeof(ctx->last_error)];
	struct vfiox__jentry e, old;
	struct pf_state st;
	bool had_entry;
	int ret, r;

	ret = check(ctx, pf, numvfs, flags, &st);
	if (ret)
		return ret;
	/* 0 when there are none still puts back what an interrupted run left behind. */
	if (!numvfs)
		return remove_vfs(ctx, &st);
	if (st.cur == (long)numvfs) {
		vfiox__dbg(ctx, "%s has %u VFs already", st.name, numvfs);
		return 0;
	}

	ret = vfiox__journal_read(ctx, st.name, &old);
	if (ret && ret != -ENOENT)
		return ret;
	had_entry = !ret;
	vfiox__jentry_init(&e, st.name);
	e.sriov_numvfs = (int)st.cur;
	e.sriov_autoprobe = (int)st.autoprobe;
	ret = vfiox__journal_record(ctx, &e);
	if (ret)
		return ret;
	if (st.autoprobe != 0) {
		ret = vfiox__step(ctx, "write 0 to %s/bus/pci/devices/%s/sriov_drivers_autoprobe "
				  "(no host driver takes the VFs)", ctx->sysfs_root, st.name);
		if (ret)
			goto err_forget;
		ret = write_long(ctx, st.name, "sriov_drivers_autoprobe", 0);
		if (ret) {
			ret = vfiox__err(ctx, ret, "%s: cannot switch sriov_drivers_autoprobe off: "
					 "%s; nothing was changed", st.name, strerror(-ret));
			goto err_forget;
		}
	}
	ret = vfiox__step(ctx, "write %u to %s/bus/pci/devices/%s/sriov_numvfs", numvfs,
			  ctx->sysfs_root, st.name);
	if (ret)
		goto err_autoprobe;
	ret = write_long(ctx, st.name, "sriov_numvfs", numvfs);
	if (ret) {
		ret = numvfs_error(ctx, &st, numvfs, ret);
		goto err_autoprobe;
	}
	vfiox__dbg(ctx, "%s: %u VFs created with autoprobe off", st.name, numvfs);
	return 0;
err_autoprobe:
	if (st.autoprobe > 0) {
		r = write_long(ctx, st.name, "sriov_drivers_autoprobe", st.autoprobe);
		if (r) {
			vfiox__warn(ctx, "%s: cannot put sriov_drivers_autoprobe back to %ld: %s; "
				    "'vfioctl restore %s' retries", st.name, st.autoprobe,
				    strerror(-r), st.name);
			return ret;
		}
	}
err_forget:
	/* The entry as before: a VF token or a bind recorded earlier stays. */
	memcpy(keep, ctx->last_error, sizeof(keep));
	r = had_entry ? vfiox__journal_replace(ctx, &old) : vfiox__journal_remove(ctx, st.name);
	memcpy(ctx->last_error, keep, sizeof(keep));
	if (r && r != -ENOENT)
		vfiox__warn(ctx, "%s: cannot put its journal entry back: %s", st.name,
			    strerror(-r));
	return ret;
}

/* Under the journal's lock, as a bind: one process at a time changes devices. */
VFIOX_EXPORT int vfiox_sriov_set_numvfs(struct vfiox_ctx *ctx, const char *pf,
					unsigned int numvfs, unsigned int flags)
{
	struct pf_state st;
	int lock, ret;

	/*
	 * Bad input is refused before the lock (which creates the state directory); the
	 * checks of the VFs (a walk of /proc, a scan) run once, under it.
	 */
	ret = check_pf(ctx, pf, numvfs, &st);
	if (ret)
		return ret;
	ret = vfiox__journal_lock(ctx, &lock);
	if (ret)
		return ret;
	vfiox__steps_begin(ctx);
	ret = set_numvfs(ctx, pf, numvfs, flags);
	vfiox__journal_unlock(lock);
	return ret;
}

/* ------------------------------------------------------------------ the VF token */

static bool parse_uuid(const char *s, uint8_t out[16])
{
	int i, k = 0;

	if (!s || strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		char c = s[i];
		int v;

		if (dash) {
			if (c != '-')
				return false;
			continue;
		}
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return false;
		if (k % 2 == 0)
			out[k / 2] = (uint8_t)(v << 4);
		else
			out[k / 2] |= (uint8_t)v;
		k++;
	}
	return k == 32;
}

VFIOX_EXPORT int vfiox_sriov_new_vf_token(struct vfiox_ctx *ctx, const char *pf, char *buf,
					  size_t len)
{
	struct vfiox__jentry e;
	char name[VFIOX_PCI_ADDR_STRLEN];
	uint8_t b[16];
	int lock, ret;

	ret = canon_name(ctx, pf, name, sizeof(name));
	if (ret)
		return ret;
	if (len < UUID_STRLEN)
		return vfiox__err(ctx, -ENOSPC, "a VF token needs %d bytes", UUID_STRLEN);
	ret = vfiox_sys_getrandom(b, sizeof(b));
	if (ret)
		return vfiox__err(ctx, ret, "cannot create a VF token for %s: getrandom: %s", name,
				  strerror(-ret));
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4: random */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(buf, len, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
	vfiox__jentry_init(&e, name);
	snprintf(e.vf_token, sizeof(e.vf_token), "%s", buf);
	ret = vfiox__journal_lock(ctx, &lock);
	if (!ret) {
		ret = vfiox__journal_record(ctx, &e);
		vfiox__journal_unlock(lock);
	}
	if (ret)
		buf[0] = '\0';
	return ret;
}

VFIOX_EXPORT int vfiox_sriov_vf_token(struct vfiox_ctx *ctx, const char *pf, char *buf,
				      size_t len)
{
	struct vfiox__jentry e;
	char name[VFIOX_PCI_ADDR_STRLEN];
	int ret;

	ret = canon_name(ctx, pf, name, sizeof(name));
	if (ret)
		return ret;
	ret = vfiox__journal_read(ctx, name, &e);
	if (ret == -ENOENT || (!ret && !e.vf_token[0]))
		return vfiox__err(ctx, -ENOENT, "no VF token is journaled for %s", name);
	if (ret)
		return ret;
	if (strlen(e.vf_token) >= len)
		return vfiox__err(ctx, -ENOSPC, "a VF token needs %zu bytes",
				  strlen(e.vf_token) + 1);
	snprintf(buf, len, "%s", e.vf_token);
	return 0;
}

VFIOX_EXPORT int vfiox_device_set_vf_token(struct vfiox_device *pf, const char *uuid)
{
	union {
		struct vfio_device_feature f;
		uint8_t raw[sizeof(struct vfio_device_feature) + 16];
	} req;
	uint8_t u[16];
	int ret;

	if (!parse_uuid(uuid, u))
		return vfiox__err(pf->ctx, -EINVAL, "VF token '%s' is not a UUID "
				  "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", uuid ? uuid : "(null)");
	memset(&req, 0, sizeof(req));
	req.f = (struct vfio_device_feature){
		.argsz = sizeof(req.raw),
		.flags = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_PCI_VF_TOKEN,
	};
	memcpy(req.raw + sizeof(struct vfio_device_feature), u, sizeof(u));
	ret = vfiox_sys_ioctl(pf->fd, VFIO_DEVICE_FEATURE, &req);
	if (ret >= 0)
		return 0;
	if (ret == -ENOTTY)
		return vfiox__err(pf->ctx, ret, "%s has no VF token: it is not an SR-IOV PF bound "
				  "to vfio-pci (or the kernel is older than 5.7)", pf->name);
	return vfiox__err(pf->ctx, ret, "%s: setting the VF token (VFIO_DEVICE_FEATURE "
			  "PCI_VF_TOKEN) failed: %s", pf->name, strerror(-ret));
}
