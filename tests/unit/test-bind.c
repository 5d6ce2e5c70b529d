// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Binding, the journal, rollback and restore (libvfiox/bind.c, journal.c) against a fake
 * kernel: a fixture sysfs whose driver_override, driver/unbind, drivers_probe and
 * drivers/X/bind files behave like the PCI core's (in the manner of libvirt's
 * virpcimock), by substituting vfiox_sys_openat/write/close. A write to one of them
 * moves the fixture's driver link and uevent DRIVER= line; a probe to vfio-pci creates
 * the group's node under a fake /dev. Every write is logged with whether the journal
 * held the device's original state at that moment, so the tests compare the whole
 * sequence, and a failure can be injected at any write.
 *
 * Linked with WRAP_test-bind in the Makefile.
 */
#include <dirent.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vfiox/bind.h>

#include "journal.h"

#include "testutil.h"

#define MAX_WRITES 64
#define FK_MAX (2 * MAX_WRITES) /* one sysfs open per write, and some that fail */
#include "fake-kernel.h"

#define BRIDGE "0000:00:1e.0"
#define NIC "0000:05:01.0"
#define SND "0000:05:02.0"
#define NVME "0000:00:04.0"
#define SATA "0000:00:1f.2"
#define SMBUS "0000:00:1f.3"
#define BOUND "0000:00:06.0"
#define LONE_BRIDGE "0000:00:07.0"
#define NOGROUP "0000:00:08.0"
#define PF "0000:00:09.0"

int __real_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode);
int __wrap_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode);
ssize_t __real_vfiox_sys_write(int fd, const void *buf, size_t len);
ssize_t __wrap_vfiox_sys_write(int fd, const void *buf, size_t len);

struct fk_write {
	char file[64];	 /* "driver_override", "unbind", "drivers_probe", "bind", attr name */
	char dev[32];	 /* the device the path or the text names */
	char text[64];
	bool journaled;	 /* the journal held the device's entry when the write happened */
	char jdriver[64]; /* driver= of that entry */
};

static struct {
	struct env *e;
	char dev_root[256], state_dir[256], etc_root[256];
	char path[FK_MAX][512]; /* of each fake fd, below the fixture root */
	struct fk_write w[MAX_WRITES];
	unsigned nw;
	unsigned fail_at; /* 1-based write that fails, 0 none */
	int fail_err;
	bool readonly;	  /* every O_WRONLY open of sysfs fails with EROFS */
	bool no_nodes;	  /* vfio-pci does not create /dev/vfio/N */
	const char *unloaded; /* a driver the fake kernel does not have */
} fk;

/* ------------------------------------------------------------------ the model */

static const char *native_driver(const char *dev)
{
	if (!strcmp(dev, NIC))
		return "e1000";
	if (!strcmp(dev, SND))
		return "snd_ens1371";
	if (!strcmp(dev, NVME))
		return "nvme";
	if (!strcmp(dev, SATA))
		return "ahci";
	if (!strcmp(dev, SMBUS))
		return "i801_smbus";
	if (!strcmp(dev, PF))
		return "igb";
	return NULL;
}

static void fk_read_attr(const char *dev, const char *attr, char *buf, size_t len)
{
	char path[512];
	ssize_t n;

	buf[0] = '\0';
	if (fx_dev_path(fk.e->fx, dev, attr, path, sizeof(path)))
		return;
	n = fk_read_text(path, buf, len);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
}

static void fk_driver(const char *dev, char *buf, size_t len)
{
	char path[512], target[512];
	ssize_t n;
	const char *b;

	buf[0] = '\0';
	fx_dev_path(fk.e->fx, dev, "driver", path, sizeof(path));
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	b = strrchr(target, '/');
	b = b ? b + 1 : target;
	if (strlen(b) < len)
		strcpy(buf, b);
}

static void fk_set_driver(const char *dev, const char *drv)
{
	char uevent[1024], out[1200], target[128], *line, *save;
	size_t off = 0;

	fk_read_attr(dev, "uevent", uevent, sizeof(uevent));
	if (drv)
		off += (size_t)snprintf(out + off, sizeof(out) - off, "DRIVER=%s\n", drv);
	for (line = strtok_r(uevent, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "DRIVER=", 7))
			off += (size_t)snprintf(out + off, sizeof(out) - off, "%s\n", line);
	FX(fk.e, fx_write_attr(fk.e->fx, dev, "uevent", out));
	if (drv) {
		snprintf(target, sizeof(target), "../../../bus/pci/drivers/%s", drv);
		FX(fk.e, fx_symlink_attr(fk.e->fx, dev, "driver", target));
	} else {
		FX(fk.e, fx_remove_attr(fk.e->fx, dev, "driver"));
	}
}

static int fk_group(const char *dev)
{
	char path[512], target[512];
	ssize_t n;
	const char *b;

	fx_dev_path(fk.e->fx, dev, "iommu_group", path, sizeof(path));
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return -1;
	target[n] = '\0';
	b = strrchr(target, '/');
	return atoi(b ? b + 1 : target);
}

static bool loaded(const char *drv)
{
	return drv && !(fk.unloaded && !strcmp(fk.unloaded, drv));
}

/* The PCI core: what a write to each file does. */
static int fk_apply(struct fk_write *w)
{
	char cur[64], ovr[64], node[600];
	const char *drv;

	if (!strcmp(w->file, "driver_override")) {
		char t[80];

		snprintf(t, sizeof(t), "%s\n", strcmp(w->text, "\n") ? w->text : "(null)");
		FX(fk.e, fx_write_attr(fk.e->fx, w->dev, "driver_override", t));
		return 0;
	}
	fk_driver(w->dev, cur, sizeof(cur));
	if (!strcmp(w->file, "unbind")) {
		if (!cur[0])
			return -ENODEV;
		fk_set_driver(w->dev, NULL);
		return 0;
	}
	if (!strcmp(w->file, "drivers_probe") || !strcmp(w->file, "bind")) {
		if (cur[0])
			return strcmp(w->file, "bind") ? 0 : -EBUSY;
		fk_read_attr(w->dev, "driver_override", ovr, sizeof(ovr));
		drv = strcmp(ovr, "(null)") && ovr[0] ? ovr : native_driver(w->dev);
		if (!strcmp(w->file, "bind") && strcmp(drv, w->text))
			return -ENODEV;
		if (!loaded(drv))
			return 0; /* no driver takes it: the write still succeeds */
		fk_set_driver(w->dev, drv);
		if (!strcmp(drv, "vfio-pci") && !fk.no_nodes) {
			snprintf(node, sizeof(node), "%s/vfio", fk.dev_root);
			mkdir(node, 0755);
			snprintf(node, sizeof(node), "%s/vfio/%d", fk.dev_root, fk_group(w->dev));
			close(open(node, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
		}
		return 0;
	}
	/* Any other attribute (sriov_*): its new contents. */
	FX(fk.e, fx_write_attr(fk.e->fx, w->dev, w->file, w->text));
	return 0;
}

/* ------------------------------------------------------------------ the wraps */

int __wrap_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	const char *root = fk.e ? fx_root(fk.e->fx) : NULL;
	int fd;

	if (!root || (flags & O_ACCMODE) != O_WRONLY || strncmp(path, root, strlen(root)))
		return __real_vfiox_sys_openat(dirfd, path, flags, mode);
	if (fk.readonly)
		return -EROFS;
	fd = fk_new_fd(0);
	snprintf(fk.path[fk_slot(fd)], sizeof(fk.path[0]), "%s", path + strlen(root));
	return fd;
}

/* "/bus/pci/devices/D/driver/unbind" -> file "unbind", dev D. */
static void parse_path(const char *rel, struct fk_write *w)
{
	const char *p = rel, *slash;

	w->dev[0] = '\0';
	if (!strncmp(p, "/bus/pci/devices/", 17)) {
		p += 17;
		slash = strchr(p, '/');
		snprintf(w->dev, sizeof(w->dev), "%.*s", slash ? (int)(slash - p) : (int)strlen(p),
			 p);
	}
	slash = strrchr(rel, '/');
	snprintf(w->file, sizeof(w->file), "%s", slash ? slash + 1 : rel);
}

ssize_t __wrap_vfiox_sys_write(int fd, const void *buf, size_t len)
{
	struct vfiox__jentry je;
	struct fk_write *w;
	char rel[512], text[64];
	int slot = fk_slot(fd), ret;

	if (!fk_slot_open(slot))
		return __real_vfiox_sys_write(fd, buf, len);
	if (fk.nw >= MAX_WRITES)
		fail_msg("too many writes");
	w = &fk.w[fk.nw++];
	memset(w, 0, sizeof(*w));
	memcpy(rel, fk.path[slot], sizeof(rel));
	parse_path(rel, w);
	snprintf(text, sizeof(text), "%.*s", (int)len, (const char *)buf);
	memcpy(w->text, text, sizeof(w->text));
	if (!w->dev[0])
		snprintf(w->dev, sizeof(w->dev), "%.31s", text); /* drivers_probe, bind */
	/* What the journal holds at the moment of the write (read outside the wraps). */
	if (!vfiox__journal_read(fk.e->ctx, w->dev, &je)) {
		w->journaled = true;
		snprintf(w->jdriver, sizeof(w->jdriver), "%s", je.driver);
	}
	if (fk.fail_at && fk.nw == fk.fail_at)
		return fk.fail_err;
	ret = fk_apply(w);
	return ret ? ret : (ssize_t)len;
}

int __wrap_vfiox_sys_close(int fd)
{
	return fk_close(fd);
}

/* ------------------------------------------------------------------ setup */

static void add(struct env *e, const char *addr, uint32_t cls, const char *drv, int group,
		const char *parent)
{
	struct fx_dev d = { .addr = addr, .vendor = 0x8086, .device = 0x1000,
			    .class_code = cls, .driver = drv, .group = group, .parent = parent,
			    .numa = -1 };

	FX(e, fx_add_dev(e->fx, &d));
}

/*
 * group 5: bridge 00:1e.0 (no driver) + NIC 05:01.0 (e1000) + SND 05:02.0 (snd_ens1371)
 * group 2: NVMe 00:04.0 (nvme)            group 9: 00:1f.2 ahci + 00:1f.3 i801_smbus
 * group 6: 00:06.0 already on vfio-pci     group 7: a bridge alone
 * 00:08.0: in no group                     group 12: PF 00:09.0 igb
 */
static struct env *setup(void)
{
	struct env *e = env_empty(0);
	char tmpl[] = "/tmp/test-bind-XXXXXX", *dir;

	add(e, BRIDGE, 0x060401, NULL, 5, NULL);
	add(e, NIC, 0x020000, "e1000", 5, BRIDGE);
	add(e, SND, 0x040100, "snd_ens1371", 5, BRIDGE);
	add(e, NVME, 0x010802, "nvme", 2, NULL);
	add(e, SATA, 0x010601, "ahci", 9, NULL);
	add(e, SMBUS, 0x0c0500, "i801_smbus", 9, NULL);
	add(e, BOUND, 0x020000, "vfio-pci", 6, NULL);
	add(e, LONE_BRIDGE, 0x060400, "pcieport", 7, NULL);
	add(e, NOGROUP, 0x020000, "e1000", FX_NO_GROUP, NULL);
	add(e, PF, 0x020000, "igb", 12, NULL);
	memset(&fk, 0, sizeof(fk));
	fk_fds_reset();
	fk.e = e;
	fk.fail_err = -EIO;
	dir = mkdtemp(tmpl);
	assert_non_null(dir);
	snprintf(fk.dev_root, sizeof(fk.dev_root), "%s/dev", dir);
	snprintf(fk.state_dir, sizeof(fk.state_dir), "%s/state", dir);
	snprintf(fk.etc_root, sizeof(fk.etc_root), "%s/etc", dir);
	mkdir(fk.dev_root, 0755);
	env_scan(e);
	assert_int_equal(vfiox_ctx_set_dev_root(e->ctx, fk.dev_root), 0);
	assert_int_equal(vfiox_ctx_set_state_dir(e->ctx, fk.state_dir), 0);
	assert_int_equal(vfiox_ctx_set_etc_root(e->ctx, fk.etc_root), 0);
	return e;
}

static void rm_rf(const char *path)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", path);
}

static int teardown(void **state)
{
	char dir[256];

	/* Every sysfs and journal fd the library opened through the fake is closed again. */
	fk_assert_fds_closed();
	if (fk.dev_root[0]) {
		snprintf(dir, sizeof(dir), "%s", fk.dev_root);
		*strrchr(dir, '/') = '\0';
		rm_rf(dir);
	}
	memset(&fk, 0, sizeof(fk));
	return env_teardown(state);
}

#define bind_test(f) cmocka_unit_test_teardown(f, teardown)

static struct vfiox_bind_plan *plan_of(struct env *e, const char *dev, int group)
{
	struct vfiox_bind_plan *plan = NULL;

	assert_int_equal(vfiox_bind_plan_new(e->scan, NULL, &plan), 0);
	if (dev)
		assert_int_equal(vfiox_bind_plan_add_dev(plan, env_dev(e, dev)), 0);
	if (group >= 0)
		assert_int_equal(vfiox_bind_plan_add_group(plan, env_group(e, group)), 0);
	return plan;
}

static void expect_write(unsigned i, const char *file, const char *dev, const char *text)
{
	if (i >= fk.nw)
		fail_msg("write %u (%s of %s) did not happen; %u writes", i + 1, file, dev, fk.nw);
	if (strcmp(fk.w[i].file, file) || strcmp(fk.w[i].dev, dev) || strcmp(fk.w[i].text, text))
		fail_msg("write %u: %s of %s \"%s\", expected %s of %s \"%s\"", i + 1,
			 fk.w[i].file, fk.w[i].dev, fk.w[i].text, file, dev, text);
}

static void expect_state(const char *dev, const char *driver, const char *override)
{
	char cur[64], ovr[64];

	fk_driver(dev, cur, sizeof(cur));
	fk_read_attr(dev, "driver_override", ovr, sizeof(ovr));
	if (strcmp(cur, driver ? driver : ""))
		fail_msg("%s: driver %s, expected %s", dev, cur[0] ? cur : "none",
			 driver ? driver : "none");
	if (strcmp(ovr, override ? override : "(null)"))
		fail_msg("%s: driver_override %s, expected %s", dev, ovr,
			 override ? override : "(null)");
}

static size_t journal_count(void)
{
	char path[300];
	struct dirent *d;
	size_t n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/devices", fk.state_dir);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

static bool node_exists(int group)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/vfio/%d", fk.dev_root, group);
	return access(path, F_OK) == 0;
}

/* ------------------------------------------------------------------ tests */

static void bind_writes_override_then_unbind_then_probe(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NVME, -1);
	unsigned i;

	assert_int_equal(vfiox_bind_plan_num_steps(plan), 3);
	assert_non_null(strstr(vfiox_bind_plan_step(plan, 0), "driver_override"));
	assert_int_equal(vfiox_bind_plan_run(plan, 0, 1000), 0);
	assert_int_equal(fk.nw, 3);
	expect_write(0, "driver_override", NVME, "vfio-pci");
	expect_write(1, "unbind", NVME, NVME);
	expect_write(2, "drivers_probe", NVME, NVME);
	for (i = 0; i < fk.nw; i++) {
		assert_true(fk.w[i].journaled);
		assert_string_equal(fk.w[i].jdriver, "nvme");
	}
	expect_state(NVME, "vfio-pci", "vfio-pci");
	assert_true(node_exists(2));
	vfiox_bind_plan_free(plan);
}

static void bind_never_writes_new_id(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NULL, 5);
	unsigned i;

	assert_int_equal(vfiox_bind_plan_run(plan, 0, 1000), 0);
	for (i = 0; i < fk.nw; i++)
		assert_string_not_equal(fk.w[i].file, "new_id");
	vfiox_bind_plan_free(plan);
}

static void journal_holds_original_before_first_write(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NULL, 5);
	struct vfiox__jentry je;

	assert_int_equal(vfiox_bind_plan_run(plan, 0, 1000), 0);
	assert_int_equal(fk.nw, 6);
	/* The first write to SND happens when SND's entry is there already. */
	assert_string_equal(fk.w[3].dev, SND);
	assert_true(fk.w[3].journaled);
	assert_string_equal(fk.w[3].jdriver, "snd_ens1371");
	assert_int_equal(vfiox__journal_read(e->ctx, NIC, &je), 0);
	assert_true(je.has_driver && je.has_override);
	assert_string_equal(je.driver, "e1000");
	assert_string_equal(je.override, "");
	vfiox_bind_plan_free(plan);
}

static void group_bind_takes_endpoints_and_leaves_the_bridge(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NULL, 5);
	unsigned i;

	assert_int_equal(vfiox_bind_plan_num_devs(plan), 2);
	assert_int_equal(vfiox_bind_plan_run(plan, 0, 1000), 0);
	expect_write(0, "driver_override", NIC, "vfio-pci");
	expect_write(1, "unbind", NIC, NIC);
	expect_write(2, "drivers_probe", NIC, NIC);
	expect_write(3, "driver_override", SND, "vfio-pci");
	expect_write(4, "unbind", SND, SND);
	expect_write(5, "drivers_probe", SND, SND);
	for (i = 0; i < fk.nw; i++)
		assert_string_not_equal(fk.w[i].dev, BRIDGE);
	expect_state(BRIDGE, NULL, NULL);
	expect_state(NIC, "vfio-pci", "vfio-pci");
	expect_state(SND, "vfio-pci", "vfio-pci");
	assert_int_equal(journal_count(), 2);
	vfiox_bind_plan_free(plan);
}

static void restore_undoes_exactly_the_bind(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NVME, -1);

	assert_int_equal(vfiox_bind_plan_run(plan, 0, 1000), 0);
	fk.nw = 0;
	assert_int_equal(vfiox_bind_restore(e->ctx, NVME), 0);
	assert_int_equal(fk.nw, 3);
	expect_write(0, "driver_override", NVME, "\n");
	expect_write(1, "unbind", NVME, NVME);
	expect_write(2, "drivers_probe", NVME, NVME);
	expect_state(NVME, "nvme", NULL);
	assert_int_equal(journal_count(), 0);
	/* A second restore: nothing of ours left. */
	assert_int_equal(vfiox_bind_restore(e->ctx, NVME), -ENOENT);
	vfiox_bind_plan_free(plan);
}

/* One process at a time: a held journal lock stops bind and restore before any write. */
static void held_journal_lock_refuses_bind_and_restore(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NVME, -1);
	char path[300];
	int fd;

	assert_int_equal(vfiox_bind_plan_run(plan, 0, 1000), 0);
	fk.nw = 0;
	snprintf(path, sizeof(path), "%s/lock", fk.state_dir);
	fd = open(path, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(vfiox_bind_restore(e->ctx, NVME), -EBUSY);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "another vfioctl"));
	assert_int_equal(vfiox_bind_restore_all(e->ctx, NULL), -EBUSY);
	vfiox_bind_plan_free(plan);
	plan = plan_of(e, NIC, -1);
	assert_int_equal(vfiox_bind_plan_run(plan, VFIOX_BIND_FORCE, 1000), -EBUSY);
	assert_int_equal(fk.nw, 0);
	assert_int_equal(journal_count(), 1);
	close(fd);
	assert_int_equal(vfiox_bind_restore(e->ctx, NVME), 0);
	expect_state(NVME, "nvme", NULL);
	vfiox_bind_plan_free(plan);
}

/*
 * A device that moved between the scan and the bind (another vfioctl ran while this one
 * waited for the lock) is planned again from where it is: the journal records that state.
 */
static void device_moved_after_the_scan_is_planned_again(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NVME, -1);
	struct vfiox__jentry r;

	fk_set_driver(NVME, NULL);
	assert_int_equal(vfiox_bind_plan_run(plan, 0, 1000), 0);
	assert_non_null(strstr(e->log, NVME " moved from nvme to no driver"));
	assert_int_equal(fk.nw, 2); /* no unbind: it had no driver any more */
	expect_write(0, "driver_override", NVME, "vfio-pci");
	expect_write(1, "drivers_probe", NVME, NVME);
	expect_state(NVME, "vfio-pci", "vfio-pci");
	assert_int_equal(vfiox__journal_read(e->ctx, NVME, &r), 0);
	assert_true(r.has_driver);
	assert_string_equal(r.driver, "");
	vfiox_bind_plan_free(plan);
	plan = plan_of(e, NIC, -1);
	/* Bound by someone else meanwhile: nothing left to do, nothing journaled. */
	fk_set_driver(NIC, "vfio-pci");
	fk.nw = 0;
	assert_int_equal(vfiox_bind_plan_run(plan, VFIOX_BIND_FORCE, 1000), 0);
	assert_int_equal(fk.nw, 0);
	assert_string_equal(vfiox_bind_plan_dev_note(plan, 0), "already bound to vfio-pci");
	assert_int_equal(journal_count(), 1);
	vfiox_bind_plan_free(plan);
}

static void restore_refuses_devices_we_did_not_change(void **state)
{
	struct env *e = setup();

	assert_int_equal(vfiox_bind_restore(e->ctx, BOUND), -ENOENT);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), BOUND));
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "not changed"));
	assert_int_equal(fk.nw, 0);
	expect_state(BOUND, "vfio-pci", NULL);
}

static void already_bound_is_a_noop(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, BOUND, -1);

	assert_int_equal(vfiox_bind_plan_num_steps(plan), 0);
	assert_string_equal(vfiox_bind_plan_dev_note(plan, 0), "already bound to vfio-pci");
	assert_int_equal(vfiox_bind_plan_run(plan, 0, 1000), 0);
	assert_int_equal(fk.nw, 0);
	assert_int_equal(journal_count(), 0);
	vfiox_bind_plan_free(plan);
}

static void dry_run_writes_nothing(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NULL, 5);

	assert_int_equal(vfiox_bind_plan_num_steps(plan), 6);
	assert_int_equal(vfiox_bind_plan_run(plan, VFIOX_BIND_DRY_RUN, 1000), 0);
	assert_int_equal(fk.nw, 0);
	assert_int_equal(journal_count(), 0);
	expect_state(NIC, "e1000", NULL);
	vfiox_bind_plan_free(plan);
}

static void bad_input_is_refused_with_a_reason(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = NULL;

	assert_int_equal(vfiox_bind_plan_new(e->scan, NULL, &plan), 0);
	assert_int_equal(vfiox_bind_plan_add_dev(plan, env_dev(e, BRIDGE)), -EINVAL);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), BRIDGE));
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "bridge"));
	assert_int_equal(vfiox_bind_plan_add_group(plan, env_group(e, 7)), -ENOENT);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "group 7"));
	assert_int_equal(vfiox_bind_plan_add_dev(plan, env_dev(e, NOGROUP)), -ENODEV);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "no IOMMU group"));
	assert_int_equal(vfiox_bind_plan_num_devs(plan), 0);
	vfiox_bind_plan_free(plan);
	assert_int_equal(vfiox_bind_plan_new(e->scan, "", &plan), -EINVAL);
	assert_int_equal(fk.nw, 0);
}

static void part_of_a_held_group_is_refused_naming_the_member(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, SMBUS, -1);

	assert_int_equal(vfiox_bind_plan_run(plan, 0, 1000), -EBUSY);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), SATA));
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "ahci"));
	assert_int_equal(fk.nw, 0);
	assert_int_equal(journal_count(), 0);
	/* --force binds it, and says what stays broken. */
	assert_int_equal(vfiox_bind_plan_run(plan, VFIOX_BIND_FORCE, 1000), 0);
	assert_true(env_warned(e, SATA, "ahci"));
	expect_state(SMBUS, "vfio-pci", "vfio-pci");
	expect_state(SATA, "ahci", NULL);
	vfiox_bind_plan_free(plan);
}

/* A failure at each write of the group bind: every device is back where it was. */
static void failure_at_every_step_rolls_back(void **state)
{
	unsigned k;

	for (k = 1; k <= 6; k++) {
		struct env *e = setup();
		struct vfiox_bind_plan *plan = plan_of(e, NULL, 5);
		int ret;

		fk.fail_at = k;
		ret = vfiox_bind_plan_run(plan, 0, 1000);
		if (ret != -EIO)
			fail_msg("failure at write %u: run = %d", k, ret);
		assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "put back"));
		expect_state(NIC, "e1000", NULL);
		expect_state(SND, "snd_ens1371", NULL);
		expect_state(BRIDGE, NULL, NULL);
		if (journal_count())
			fail_msg("failure at write %u: %zu journal entries left", k,
				 journal_count());
		vfiox_bind_plan_free(plan);
		teardown(state);
	}
}

struct stop {
	size_t at, seen[16], n;
};

static int stop_cb(void *userdata, size_t step, const char *text)
{
	struct stop *s = userdata;

	assert_non_null(text);
	if (s->n < 16)
		s->seen[s->n++] = step;
	return step == s->at ? -EINTR : 0;
}

static void step_callback_sees_every_write_and_can_stop(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NULL, 5);
	struct stop s = { .at = 99 };
	size_t i;

	vfiox_bind_plan_set_step_cb(plan, stop_cb, &s);
	assert_int_equal(vfiox_bind_plan_run(plan, 0, 1000), 0);
	assert_int_equal(s.n, 6);
	for (i = 0; i < 6; i++)
		assert_int_equal(s.seen[i], i + 1);
	vfiox_bind_plan_free(plan);
	teardown(state);

	e = setup();
	plan = plan_of(e, NULL, 5);
	s = (struct stop){ .at = 5 };
	vfiox_bind_plan_set_step_cb(plan, stop_cb, &s);
	assert_int_equal(vfiox_bind_plan_run(plan, 0, 1000), -EINTR);
	expect_state(NIC, "e1000", NULL);
	expect_state(SND, "snd_ens1371", NULL);
	assert_int_equal(journal_count(), 0);
	vfiox_bind_plan_free(plan);
}

static void read_only_sysfs_changes_nothing(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NVME, -1);

	fk.readonly = true;
	assert_int_equal(vfiox_bind_plan_run(plan, 0, 1000), -EROFS);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "read-only"));
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), NVME));
	expect_state(NVME, "nvme", NULL);
	assert_int_equal(journal_count(), 0);
	vfiox_bind_plan_free(plan);
}

static void unwritable_journal_stops_before_any_write(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NVME, -1);
	char file[300];

	/* The state dir is a regular file: the journal cannot be created. */
	close(open(fk.state_dir, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	assert_int_not_equal(vfiox_bind_plan_run(plan, 0, 1000), 0);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "journal"));
	assert_int_equal(fk.nw, 0);
	expect_state(NVME, "nvme", NULL);
	snprintf(file, sizeof(file), "%s", fk.state_dir);
	unlink(file);
	vfiox_bind_plan_free(plan);
}

static void driver_that_does_not_take_the_device_rolls_back(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NVME, -1);

	fk.unloaded = "vfio-pci";
	assert_int_equal(vfiox_bind_plan_run(plan, 0, 1000), -ENXIO);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "modprobe vfio-pci"));
	expect_state(NVME, "nvme", NULL);
	assert_int_equal(journal_count(), 0);
	vfiox_bind_plan_free(plan);
}

static int die_cb(void *userdata, size_t step, const char *text)
{
	if (step == *(size_t *)userdata)
		_exit(0);
	return 0;
}

/* kill -9 right before write K (a child that _exits there): restore --all puts it back. */
static void restore_all_replays_the_journal_after_kill(void **state)
{
	size_t k;

	for (k = 1; k <= 7; k++) {
		struct env *e = setup();
		struct vfiox_bind_plan *plan = plan_of(e, NULL, 5);
		size_t n = 99;
		int status;
		pid_t pid;

		fflush(NULL);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			vfiox_bind_plan_set_step_cb(plan, die_cb, &k);
			vfiox_bind_plan_run(plan, VFIOX_BIND_NO_WAIT, 0);
			_exit(0); /* k == 7: the whole bind went through */
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(journal_count() >= 1);
		assert_int_equal(vfiox_bind_restore_all(e->ctx, &n), 0);
		expect_state(NIC, "e1000", NULL);
		expect_state(SND, "snd_ens1371", NULL);
		expect_state(BRIDGE, NULL, NULL);
		assert_int_equal(journal_count(), 0);
		assert_int_equal(n, k >= 4 ? 2 : 1);
		vfiox_bind_plan_free(plan);
		teardown(state);
	}
}

/* ------------------------------------------------------------------ waiting for the lock */

/* Holds the journal's lock in a child for @ms, then lets go; the child's pid. */
static pid_t hold_lock_in_child(int ms)
{
	char path[300];
	int fd, pipefd[2];
	pid_t pid;
	char c;

	snprintf(path, sizeof(path), "%s/lock", fk.state_dir);
	assert_int_equal(pipe(pipefd), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB))
			_exit(1);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		nanosleep(&ts, NULL);
		_exit(0);
	}
	close(pipefd[1]);
	assert_int_equal(read(pipefd[0], &c, 1), 1); /* it holds the lock now */
	close(pipefd[0]);
	return pid;
}

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* With a wait set, a held lock is waited for (saying once who holds it), then taken. */
static void held_lock_is_waited_for_naming_the_holder(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NVME, -1);
	char want[64];
	long long t0, took;
	int status;
	pid_t pid;

	assert_int_equal(vfiox_bind_plan_run(plan, 0, 1000), 0);
	pid = hold_lock_in_child(400);
	assert_int_equal(vfiox_ctx_set_lock_wait(e->ctx, 10000), 0);
	assert_int_equal(vfiox_ctx_lock_wait(e->ctx), 10000);
	t0 = ms_now();
	assert_int_equal(vfiox_bind_restore(e->ctx, NVME), 0);
	took = ms_now() - t0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (took < 300 || took > 5000)
		fail_msg("restore took %lld ms for a lock held 400 ms", took);
	snprintf(want, sizeof(want), "pid %d (", (int)pid); /* from /proc/locks, and its cmdline */
	assert_true(env_warned(e, want, "holds the journal lock"));
	assert_true(env_warned(e, "waiting up to 10 s", NULL));
	expect_state(NVME, "nvme", NULL);
	assert_int_equal(journal_count(), 0);
	/* Said once, not once per try. */
	assert_int_equal(e->warnings, 1);
	vfiox_bind_plan_free(plan);
}

/* The wait ends: -ETIMEDOUT naming the holder and the option, nothing changed. */
static void lock_wait_times_out_naming_the_holder(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NVME, -1);
	char path[300], want[64];
	long long t0, took;
	int fd;

	assert_int_equal(vfiox_bind_plan_run(plan, 0, 1000), 0);
	fk.nw = 0;
	snprintf(path, sizeof(path), "%s/lock", fk.state_dir);
	fd = open(path, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(vfiox_ctx_set_lock_wait(e->ctx, 300), 0);
	t0 = ms_now();
	assert_int_equal(vfiox_bind_restore_all(e->ctx, NULL), -ETIMEDOUT);
	took = ms_now() - t0;
	if (took < 290 || took > 3000)
		fail_msg("a 300 ms wait took %lld ms", took);
	snprintf(want, sizeof(want), "pid %d (", (int)getpid());
	env_assert_error(e, want, "--wait SECONDS", path);
	assert_int_equal(fk.nw, 0);
	/* 0: at once, -EBUSY, and the message says how to wait. */
	assert_int_equal(vfiox_ctx_set_lock_wait(e->ctx, 0), 0);
	t0 = ms_now();
	assert_int_equal(vfiox_bind_restore(e->ctx, NVME), -EBUSY);
	assert_true(ms_now() - t0 < 200);
	env_assert_error(e, "another vfioctl", want, "--wait");
	assert_int_equal(vfiox_ctx_set_lock_wait(e->ctx, -2), -EINVAL);
	close(fd);
	assert_int_equal(vfiox_bind_restore(e->ctx, NVME), 0);
	vfiox_bind_plan_free(plan);
}

/* ------------------------------------------------------------------ torn and garbled entries */

static void entry_path(const char *dev, char *buf, size_t len)
{
	snprintf(buf, len, "%s/devices/%s", fk.state_dir, dev);
}

static size_t file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (size_t)st.st_size;
}

/* Puts NIC back as the fixture had it, by hand, as an administrator would. */
static void nic_by_hand(void)
{
	char path[300];

	entry_path(NIC, path, sizeof(path));
	unlink(path);
	fk_set_driver(NIC, "e1000");
	FX(fk.e, fx_write_attr(fk.e->fx, NIC, "driver_override", "(null)\n"));
}

/*
 * An entry cut at every length (a crash mid-write on a file system that lost part of it):
 * restore --all names it and why, restores every other device, and keeps it.
 */
static void torn_entry_is_named_and_the_rest_restored(void **state)
{
	struct env *e = setup();
	char path[300];
	size_t len, cut, n;

	entry_path(NIC, path, sizeof(path));
	for (cut = 0;; cut++) {
		struct vfiox_bind_plan *g = plan_of(e, NULL, 5), *nv = plan_of(e, NVME, -1);

		fk.nw = 0;
		fk_assert_fds_closed();
		fk_fds_reset();
		assert_int_equal(vfiox_bind_plan_run(g, 0, 1000), 0);
		assert_int_equal(vfiox_bind_plan_run(nv, 0, 1000), 0);
		vfiox_bind_plan_free(g);
		vfiox_bind_plan_free(nv);
		len = file_size(path);
		if (cut == len)
			break;
		assert_int_equal(truncate(path, (off_t)cut), 0);
		n = 99;
		e->loglen = 0;
		e->log[0] = '\0';
		if (vfiox_bind_restore_all(e->ctx, &n) != -EBADMSG)
			fail_msg("entry cut at %zu of %zu bytes: restore --all did not fail", cut, len);
		env_assert_error(e, path, "torn", "2 other devices restored");
		assert_int_equal(n, 2);
		expect_state(NVME, "nvme", NULL);
		expect_state(SND, "snd_ens1371", NULL);
		expect_state(NIC, "vfio-pci", "vfio-pci"); /* nothing of a torn entry is trusted */
		assert_int_equal(journal_count(), 1);
		assert_int_equal(file_size(path), cut); /* kept for the administrator */
		/* Binding it again is refused too, naming the entry: it holds the original state. */
		nic_by_hand();
		/* rescan: the plan is made from the fixture as it is now */
		env_scan(e);
	}
	/* Uncut: all three come back. */
	assert_int_equal(vfiox_bind_restore_all(e->ctx, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(journal_count(), 0);
}

static void put_entry(const char *dev, const char *text)
{
	char path[300];
	int fd;

	snprintf(path, sizeof(path), "%s/devices", fk.state_dir);
	mkdir(fk.state_dir, 0700);
	mkdir(path, 0700);
	entry_path(dev, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/*
 * Garbled entries (a byte changed, a NUL, a line that is no key=value, another device's
 * entry) are named with what is wrong; two bad entries are both named; an entry of an
 * older vfioctl (no format=, no checksum) is still restored.
 */
static void garbled_entries_are_named_and_old_ones_still_read(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NVME, -1);
	struct vfiox__jentry r;
	char path[300], text[1024], *p;
	size_t n;
	int fd;
	ssize_t len;

	assert_int_equal(vfiox_bind_plan_run(plan, 0, 1000), 0);
	entry_path(NVME, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	len = read(fd, text, sizeof(text) - 1);
	close(fd);
	assert_true(len > 0);
	text[len] = '\0';
	assert_non_null(strstr(text, "\nformat=2\n"));
	assert_non_null(strstr(text, "\nend="));
	/* One byte changed in a value: the checksum tells. */
	p = strstr(text, "driver=nvme");
	assert_non_null(p);
	p[strlen("driver=nvm")] = 'f';
	put_entry(NVME, text);
	assert_int_equal(vfiox__journal_read(e->ctx, NVME, &r), -EBADMSG);
	env_assert_error(e, path, "checksum", "garbled");
	/* A NUL byte. */
	fd = open(path, O_WRONLY | O_CLOEXEC);
	assert_int_equal(pwrite(fd, "\0", 1, 10), 1);
	close(fd);
	assert_int_equal(vfiox__journal_read(e->ctx, NVME, &r), -EBADMSG);
	env_assert_error(e, path, "NUL byte at offset 10", NULL);
	/* Not key=value, and the entry of another device under this name. */
	put_entry(NVME, "device=" NVME "\nrubbish\n");
	assert_int_equal(vfiox__journal_read(e->ctx, NVME, &r), -EBADMSG);
	env_assert_error(e, "line 2 is not key=value", NULL, NULL);
	put_entry(NVME, "device=" NIC "\ndriver=nvme\n");
	assert_int_equal(vfiox__journal_read(e->ctx, NVME, &r), -EBADMSG);
	env_assert_error(e, "names device " NIC, NULL, NULL);
	/* Two bad entries and a good one: both named, the good one restored. */
	put_entry(SND, "device=" SND "\nformat=2\ndriver=snd_ens1371\n");
	vfiox__jentry_init(&r, PF);
	r.has_driver = true;
	strcpy(r.driver, "igb");
	assert_int_equal(vfiox__journal_record(e->ctx, &r), 0);
	fk_set_driver(PF, NULL);
	assert_int_equal(vfiox_bind_restore_all(e->ctx, &n), -EBADMSG);
	assert_int_equal(n, 1);
	expect_state(PF, "igb", NULL);
	env_assert_error(e, "2 journal entries could not be restored", NVME ", " SND, NULL);
	assert_true(env_warned(e, SND, "no end= line"));
	assert_true(env_warned(e, NVME, "names device"));
	assert_int_equal(journal_count(), 2);
	/* An entry as vfioctl wrote it before format 2: read and restored as before. */
	put_entry(NVME, "# vfioctl journal\ndevice=" NVME "\ndriver=nvme\ndriver_override=\n");
	entry_path(SND, path, sizeof(path));
	unlink(path);
	assert_int_equal(vfiox_bind_restore_all(e->ctx, &n), 0);
	assert_int_equal(n, 1);
	expect_state(NVME, "nvme", NULL);
	assert_int_equal(journal_count(), 0);
	/* The parser, on text: every cut of a full entry fails, the whole one parses. */
	vfiox__jentry_init(&r, PF);
	r.has_driver = r.has_override = true;
	strcpy(r.driver, "igb");
	r.sriov_numvfs = 2;
	len = vfiox__jentry_format(&r, text, sizeof(text));
	assert_true(len > 0);
	for (n = 0; n < (size_t)len; n++) {
		char why[160];
		struct vfiox__jentry x;

		if (vfiox__jentry_parse_why(text, n, &x, why, sizeof(why)) != -EBADMSG || !why[0])
			fail_msg("a cut at %zu of %zd bytes parsed", n, len);
	}
	assert_int_equal(vfiox__jentry_parse(text, &r), 0);
	vfiox_bind_plan_free(plan);
}

/* ------------------------------------------------------------------ steps of restore */

struct kill_at {
	size_t at, seen;
};

static int ctx_die_cb(void *userdata, size_t step, const char *text)
{
	struct kill_at *k = userdata;

	assert_non_null(text);
	k->seen = step;
	if (step == k->at)
		kill(getpid(), SIGKILL); /* as kill -9: no exit handlers (nor valgrind's leak check) */
	return 0;
}

/*
 * kill -9 before each step of a restore (a child that _exits in the context's step
 * callback) of a group bind and an NVMe: 'restore --all' after it puts back every device
 * as the journal recorded it.
 */
static void restore_all_after_a_kill_at_every_step_of_restore(void **state)
{
	size_t k, steps = 0;

	for (k = 1;; k++) {
		struct env *e = setup();
		struct vfiox_bind_plan *g = plan_of(e, NULL, 5), *nv = plan_of(e, NVME, -1);
		struct kill_at ka = { .at = k };
		int status;
		size_t n;
		pid_t pid;

		assert_int_equal(vfiox_bind_plan_run(g, 0, 1000), 0);
		assert_int_equal(vfiox_bind_plan_run(nv, 0, 1000), 0);
		fflush(NULL);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			vfiox_ctx_set_step_cb(e->ctx, ctx_die_cb, &ka);
			_exit(vfiox_bind_restore_all(e->ctx, NULL) ? 2 : 1);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
			fail_msg("restore --all killed at step %zu: failed instead", k);
		assert_true(WIFEXITED(status) || (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
		assert_int_equal(vfiox_bind_restore_all(e->ctx, &n), 0);
		expect_state(NIC, "e1000", NULL);
		expect_state(SND, "snd_ens1371", NULL);
		expect_state(BRIDGE, NULL, NULL);
		expect_state(NVME, "nvme", NULL);
		assert_int_equal(journal_count(), 0);
		vfiox_bind_plan_free(g);
		vfiox_bind_plan_free(nv);
		teardown(state);
		if (WIFEXITED(status)) { /* went through: k - 1 steps */
			steps = k - 1;
			break;
		}
	}
	/* NIC, SND: override, unbind, probe, forget; NVMe the same: 12 */
	assert_int_equal(steps, 12);
}

/* The step callback sees each change of a restore and can stop it before any. */
static void step_callback_stops_a_restore(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NVME, -1);
	struct stop s = { .at = 2 };

	assert_int_equal(vfiox_bind_plan_run(plan, 0, 1000), 0);
	fk.nw = 0;
	vfiox_ctx_set_step_cb(e->ctx, stop_cb, &s);
	assert_int_equal(vfiox_bind_restore(e->ctx, NVME), -EINTR);
	env_assert_error(e, "stopped before step 2", NVME, NULL);
	assert_int_equal(fk.nw, 1); /* the override only */
	assert_int_equal(journal_count(), 1);
	s = (struct stop){ .at = 99 };
	assert_int_equal(vfiox_bind_restore(e->ctx, NVME), 0);
	/* what is left: unbind, probe, forget */
	assert_int_equal(s.n, 3);
	assert_int_equal(s.seen[0], 1);
	assert_int_equal(s.seen[2], 3);
	expect_state(NVME, "nvme", NULL);
	vfiox_bind_plan_free(plan);
}

static void persist_writes_a_udev_rule_and_restore_removes_it(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NVME, -1);
	char path[400], text[2048];
	ssize_t n;
	int fd;

	assert_int_equal(vfiox_bind_plan_run(plan, VFIOX_BIND_PERSIST, 1000), 0);
	snprintf(path, sizeof(path), "%s/udev/rules.d/61-vfioctl-%s.rules", fk.etc_root, NVME);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	assert_true(n > 0);
	text[n] = '\0';
	assert_non_null(strstr(text, "KERNEL==\"" NVME "\""));
	assert_non_null(strstr(text, "ATTR{driver_override}=\"vfio-pci\""));
	assert_non_null(strstr(text, "ACTION==\"add\", SUBSYSTEM==\"pci\""));
	assert_non_null(strstr(text, "RUN{builtin}+=\"kmod load vfio-pci\""));
	assert_non_null(strstr(text, "echo %k > /sys/bus/pci/drivers_probe"));
	assert_null(strstr(text, "\\\"")); /* no escaped quote: udev would not take it */
	assert_int_equal(vfiox_bind_restore(e->ctx, NVME), 0);
	assert_int_equal(access(path, F_OK), -1);
	expect_state(NVME, "nvme", NULL);
	vfiox_bind_plan_free(plan);
}

static void wait_times_out_without_the_node_and_wakes_when_it_appears(void **state)
{
	struct env *e = setup();
	struct timespec a, b;
	char node[300];
	pid_t pid;
	long ms;

	assert_int_equal(vfiox_wait_group_node(e->ctx, 42, 50), -ETIMEDOUT);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "/vfio/42"));
	snprintf(node, sizeof(node), "%s/vfio", fk.dev_root);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct timespec d = { 0, 100 * 1000 * 1000 };
		char p[320];

		nanosleep(&d, NULL);
		mkdir(node, 0755);
		snprintf(p, sizeof(p), "%s/42", node);
		close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
		_exit(0);
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(vfiox_wait_group_node(e->ctx, 42, 10000), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	waitpid(pid, NULL, 0);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	/* Woken by the event, not by the 10 s timeout. */
	assert_true(ms < 5000);
}

static void bind_without_node_reports_timeout(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NVME, -1);

	fk.no_nodes = true;
	assert_int_equal(vfiox_bind_plan_run(plan, 0, 50), -ETIMEDOUT);
	expect_state(NVME, "vfio-pci", "vfio-pci"); /* bound; the caller decides */
	vfiox_bind_plan_free(plan);
}

static void journal_record_keeps_the_first_original(void **state)
{
	struct env *e = setup();
	struct vfiox__jentry a, b, r;
	char text[1024];

	vfiox__jentry_init(&a, PF);
	a.has_driver = true;
	strcpy(a.driver, "igb");
	assert_int_equal(vfiox__journal_record(e->ctx, &a), 0);
	vfiox__jentry_init(&b, PF);
	b.has_driver = true;
	strcpy(b.driver, "vfio-pci"); /* a later state: must not replace the original */
	b.sriov_numvfs = 0;
	b.sriov_autoprobe = 1;
	strcpy(b.vf_token, "0b2c5c3a-0f4e-4c83-9d3f-2c0f6e9b1a11");
	assert_int_equal(vfiox__journal_record(e->ctx, &b), 0);
	assert_int_equal(vfiox__journal_read(e->ctx, PF, &r), 0);
	assert_string_equal(r.driver, "igb");
	assert_int_equal(r.sriov_numvfs, 0);
	assert_int_equal(r.sriov_autoprobe, 1);
	assert_string_equal(r.vf_token, b.vf_token);
	assert_int_equal(vfiox__jentry_format(&r, text, sizeof(text)) > 0, 1);
	assert_int_equal(vfiox__jentry_parse(text, &a), 0);
	assert_memory_equal(&a, &r, sizeof(a));
	assert_int_equal(vfiox__jentry_parse("driver=x\n", &a), -EBADMSG);
	assert_int_equal(vfiox__jentry_parse("device=../../etc\n", &a), -EBADMSG);
	vfiox__jentry_init(&a, "../x");
	assert_int_equal(vfiox__journal_record(e->ctx, &a), -EINVAL);
}

static void restore_puts_sriov_attributes_back(void **state)
{
	struct env *e = setup();
	struct vfiox__jentry a;
	size_t n;

	FX(e, fx_write_attr(e->fx, PF, "sriov_numvfs", "2\n"));
	FX(e, fx_write_attr(e->fx, PF, "sriov_drivers_autoprobe", "0\n"));
	vfiox__jentry_init(&a, PF);
	a.sriov_numvfs = 0;
	a.sriov_autoprobe = 1;
	assert_int_equal(vfiox__journal_record(e->ctx, &a), 0);
	assert_int_equal(vfiox_bind_restore_all(e->ctx, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(fk.nw, 2);
	expect_write(0, "sriov_numvfs", PF, "0");
	expect_write(1, "sriov_drivers_autoprobe", PF, "1");
	assert_int_equal(journal_count(), 0);
}

/*
 * A failed bind of a device vfioctl moved before puts it back where this bind found it
 * (vfio-pci), not on the older original, and keeps the journal entry as it was.
 */
static void failure_puts_back_the_state_before_this_run(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NVME, -1);
	struct vfiox__jentry before, after;

	assert_int_equal(vfiox_bind_plan_run(plan, 0, 1000), 0);
	vfiox_bind_plan_free(plan);
	assert_int_equal(vfiox__journal_read(e->ctx, NVME, &before), 0);
	env_scan(e);
	assert_int_equal(vfiox_bind_plan_new(e->scan, "other-vfio", &plan), 0);
	assert_int_equal(vfiox_bind_plan_add_dev(plan, env_dev(e, NVME)), 0);
	fk.unloaded = "other-vfio";
	fk.nw = 0;
	assert_int_equal(vfiox_bind_plan_run(plan, VFIOX_BIND_NO_WAIT, 0), -ENXIO);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "put back"));
	expect_write(0, "driver_override", NVME, "other-vfio");
	expect_state(NVME, "vfio-pci", "vfio-pci");
	assert_int_equal(vfiox__journal_read(e->ctx, NVME, &after), 0);
	assert_memory_equal(&before, &after, sizeof(before));
	/* and restore still goes back to the first original */
	fk.unloaded = NULL;
	assert_int_equal(vfiox_bind_restore(e->ctx, NVME), 0);
	expect_state(NVME, "nvme", NULL);
	vfiox_bind_plan_free(plan);
}

/* A failed bind keeps what an SR-IOV change journaled for the device, and writes none of it. */
static void failure_keeps_an_older_journal_entry(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, PF, -1);
	struct vfiox__jentry a, r;
	unsigned i;

	vfiox__jentry_init(&a, PF);
	a.sriov_numvfs = 0;
	a.sriov_autoprobe = 1;
	strcpy(a.vf_token, "0b2c5c3a-0f4e-4c83-9d3f-2c0f6e9b1a11");
	assert_int_equal(vfiox__journal_record(e->ctx, &a), 0);
	fk.fail_at = 3;
	assert_int_equal(vfiox_bind_plan_run(plan, 0, 1000), -EIO);
	expect_state(PF, "igb", NULL);
	for (i = 0; i < fk.nw; i++)
		if (strncmp(fk.w[i].file, "driver", 6) && strcmp(fk.w[i].file, "unbind"))
			fail_msg("write %u: %s of %s during the rollback", i + 1, fk.w[i].file,
				 fk.w[i].dev);
	assert_int_equal(vfiox__journal_read(e->ctx, PF, &r), 0);
	assert_memory_equal(&a, &r, sizeof(a));
	vfiox_bind_plan_free(plan);
}

/* The driver_override recorded is the one under the lock, not the scan's. */
static void journal_records_the_override_read_under_the_lock(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NVME, -1);
	struct vfiox__jentry r;

	FX(e, fx_write_attr(e->fx, NVME, "driver_override", "nvme\n"));
	assert_int_equal(vfiox_bind_plan_run(plan, 0, 1000), 0);
	assert_int_equal(vfiox__journal_read(e->ctx, NVME, &r), 0);
	assert_string_equal(r.override, "nvme");
	assert_int_equal(vfiox_bind_restore(e->ctx, NVME), 0);
	expect_state(NVME, "nvme", "nvme");
	vfiox_bind_plan_free(plan);
}

static bool rule_exists(const char *dev)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/udev/rules.d/61-vfioctl-%s.rules", fk.etc_root, dev);
	return access(path, F_OK) == 0;
}

/* --persist with an /etc that cannot take the rule: refused before any sysfs write. */
static void unwritable_rule_changes_nothing(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NVME, -1);

	close(open(fk.etc_root, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	assert_int_not_equal(vfiox_bind_plan_run(plan, VFIOX_BIND_PERSIST, 1000), 0);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "61-vfioctl-" NVME ".rules"));
	assert_int_equal(fk.nw, 0);
	expect_state(NVME, "nvme", NULL);
	assert_int_equal(journal_count(), 0);
	unlink(fk.etc_root);
	vfiox_bind_plan_free(plan);
}

/* --persist and a failing write: the rules written go with the rollback. */
static void failure_removes_the_rules_of_the_run(void **state)
{
	struct env *e = setup();
	struct vfiox_bind_plan *plan = plan_of(e, NULL, 5);

	fk.fail_at = 5;
	assert_int_equal(vfiox_bind_plan_run(plan, VFIOX_BIND_PERSIST, 1000), -EIO);
	expect_state(NIC, "e1000", NULL);
	expect_state(SND, "snd_ens1371", NULL);
	assert_false(rule_exists(NIC));
	assert_false(rule_exists(SND));
	assert_int_equal(journal_count(), 0);
	vfiox_bind_plan_free(plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		bind_test(bind_writes_override_then_unbind_then_probe),
		bind_test(bind_never_writes_new_id),
		bind_test(journal_holds_original_before_first_write),
		bind_test(group_bind_takes_endpoints_and_leaves_the_bridge),
		bind_test(restore_undoes_exactly_the_bind),
		bind_test(held_journal_lock_refuses_bind_and_restore),
		bind_test(device_moved_after_the_scan_is_planned_again),
		bind_test(restore_refuses_devices_we_did_not_change),
		bind_test(already_bound_is_a_noop),
		bind_test(dry_run_writes_nothing),
		bind_test(bad_input_is_refused_with_a_reason),
		bind_test(part_of_a_held_group_is_refused_naming_the_member),
		bind_test(failure_at_every_step_rolls_back),
		bind_test(step_callback_sees_every_write_and_can_stop),
		bind_test(read_only_sysfs_changes_nothing),
		bind_test(unwritable_journal_stops_before_any_write),
		bind_test(driver_that_does_not_take_the_device_rolls_back),
		bind_test(restore_all_replays_the_journal_after_kill),
		bind_test(held_lock_is_waited_for_naming_the_holder),
		bind_test(lock_wait_times_out_naming_the_holder),
		bind_test(torn_entry_is_named_and_the_rest_restored),
		bind_test(garbled_entries_are_named_and_old_ones_still_read),
		bind_test(restore_all_after_a_kill_at_every_step_of_restore),
		bind_test(step_callback_stops_a_restore),
		bind_test(persist_writes_a_udev_rule_and_restore_removes_it),
		bind_test(wait_times_out_without_the_node_and_wakes_when_it_appears),
		bind_test(bind_without_node_reports_timeout),
		bind_test(journal_record_keeps_the_first_original),
		bind_test(restore_puts_sriov_attributes_back),
		bind_test(failure_puts_back_the_state_before_this_run),
		bind_test(failure_keeps_an_older_journal_entry),
		bind_test(journal_records_the_override_read_under_the_lock),
		bind_test(unwritable_rule_changes_nothing),
		bind_test(failure_removes_the_rules_of_the_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
