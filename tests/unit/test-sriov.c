// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * SR-IOV (libvfiox/sriov.c) against a fake kernel at the syscall layer (WRAP_test-sriov in
 * the Makefile); the VF network settings are test-vfnet.c's:
 *
 * - vfiox_sys_pwrite on the fixture sysfs is recorded in order ("dev attr=value") and
 *   answered as the kernel does: sriov_numvfs N > 0 creates N VFs in the fixture (virtfn
 *   and physfn links), 0 removes the virtfn links. A write can be made to fail. At the
 *   first write the journal is read, to prove it was written before any change.
 * - vfiox_sys_getrandom gives fixed bytes; vfiox_sys_ioctl answers VFIO_DEVICE_FEATURE on
 *   an adopted fake device fd and records the request.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/vfio.h>

#include <vfiox/sriov.h>

#include "internal.h"
#include "journal.h"
#include "testutil.h"

#define FK_MAX 1
#include "fake-kernel.h"

#define PF "0000:03:00.0"
#define PF_NODRV "0000:04:00.0"
#define EDU "0000:00:03.0"

ssize_t __real_vfiox_sys_pwrite(int fd, const void *buf, size_t len, off_t off);
ssize_t __wrap_vfiox_sys_pwrite(int fd, const void *buf, size_t len, off_t off);
int __wrap_vfiox_sys_getrandom(void *buf, size_t len);
int __real_vfiox_sys_ioctl(int fd, unsigned long request, void *arg);
int __wrap_vfiox_sys_ioctl(int fd, unsigned long request, void *arg);

static struct fake {
	struct env *e;
	char log[2048]; /* "dev attr=value;" for every sysfs write */
	unsigned writes;
	char fail_attr[64];
	int fail_err;
	char journal_at_first[1024]; /* the PF's journal file when the first write came */
	bool saw_first;
	/* VFIO_DEVICE_FEATURE */
	unsigned feature_calls;
	uint8_t feature[64];
	size_t feature_len;
	int feature_err;
} fk;

/* ------------------------------------------------------------------ the fake kernel */

static void read_journal(const char *dev, char *buf, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/devices/%s", vfiox_ctx_state_dir(fk.e->ctx), dev);
	fk_read_text(path, buf, len);
}

static void remove_vfs(const char *pf)
{
	char attr[32], path[PATH_MAX];
	unsigned i;

	for (i = 0; i < 64; i++) {
		snprintf(attr, sizeof(attr), "virtfn%u", i);
		if (fx_dev_path(fk.e->fx, pf, attr, path, sizeof(path)) || (access(path, F_OK) &&
		    errno == ENOENT))
			break;
		FX(fk.e, fx_remove_attr(fk.e->fx, pf, attr));
	}
	FX(fk.e, fx_write_attr(fk.e->fx, pf, "sriov_numvfs", "0\n"));
}

ssize_t __wrap_vfiox_sys_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	char link[64], path[PATH_MAX], val[64], *attr, *dev;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (!fk.e || n <= 0)
		return __real_vfiox_sys_pwrite(fd, buf, len, off);
	path[n] = '\0';
	if (strncmp(path, fx_root(fk.e->fx), strlen(fx_root(fk.e->fx))) ||
	    strstr(path, "/state/"))
		return __real_vfiox_sys_pwrite(fd, buf, len, off);
	attr = strrchr(path, '/');
	*attr++ = '\0';
	dev = strrchr(path, '/') + 1;
	snprintf(val, sizeof(val), "%.*s", (int)len, (const char *)buf);
	if (val[0] && val[strlen(val) - 1] == '\n')
		val[strlen(val) - 1] = '\0';
	snprintf(fk.log + strlen(fk.log), sizeof(fk.log) - strlen(fk.log), "%s %s=%s;", dev, attr,
		 val);
	fk.writes++;
	if (!fk.saw_first) {
		fk.saw_first = true;
		read_journal(dev, fk.journal_at_first, sizeof(fk.journal_at_first));
	}
	if (fk.fail_attr[0] && !strcmp(attr, fk.fail_attr))
		return fk.fail_err;
	if (!strcmp(attr, "sriov_numvfs")) {
		unsigned long nvfs = strtoul(val, NULL, 10);

		if (nvfs)
			FX(fk.e, fx_add_vfs(fk.e->fx, dev, (unsigned)nvfs, NULL, 30));
		else
			remove_vfs(dev);
		return (ssize_t)len;
	}
	return __real_vfiox_sys_pwrite(fd, buf, len, off);
}

int __wrap_vfiox_sys_getrandom(void *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		((uint8_t *)buf)[i] = (uint8_t)i;
	return 0;
}

int __wrap_vfiox_sys_close(int fd)
{
	return fk_close(fd);
}

int __wrap_vfiox_sys_ioctl(int fd, unsigned long request, void *arg)
{
	if (fk_slot(fd) < 0)
		return __real_vfiox_sys_ioctl(fd, request, arg);
	if (request == VFIO_DEVICE_GET_INFO)
		return 0; /* vfiox_device_adopt() checks that the fd is a device */
	if (request != VFIO_DEVICE_FEATURE)
		fail_msg("unexpected ioctl 0x%lx", request);
	fk.feature_calls++;
	fk.feature_len = ((struct vfio_device_feature *)arg)->argsz;
	assert_true(fk.feature_len <= sizeof(fk.feature));
	memcpy(fk.feature, arg, fk.feature_len);
	return fk.feature_err;
}

/* ------------------------------------------------------------------ fixture */

#define SRIOV_CAPS { .pcie = true, .sriov = true, .sriov_total_vfs = 4, .sriov_offset = 1, \
		     .sriov_stride = 1, .sriov_vf_device = 0x10ed }

static struct env *sriov_env(void)
{
	const struct fx_dev devs[] = {
		{ .addr = EDU, .vendor = 0x1234, .device = 0x11e8, .class_code = 0x00ff00,
		  .driver = "vfio-pci", .group = 3, .numa = -1 },
		{ .addr = PF, .vendor = 0x8086, .device = 0x10fb, .class_code = 0x020000,
		  .driver = "ixgbe", .group = 21, .numa = -1, .caps = SRIOV_CAPS },
		{ .addr = PF_NODRV, .vendor = 0x8086, .device = 0x10fb, .class_code = 0x020000,
		  .group = 22, .numa = -1, .caps = SRIOV_CAPS },
	};
	struct env *e = env_empty(0);
	char state[PATH_MAX], dev[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		FX(e, fx_add_dev(e->fx, &devs[i]));
	env_ctx(e);
	snprintf(state, sizeof(state), "%s/state", fx_root(e->fx));
	snprintf(dev, sizeof(dev), "%s/dev", fx_root(e->fx));
	assert_int_equal(mkdir(dev, 0755), 0);
	assert_int_equal(vfiox_ctx_set_state_dir(e->ctx, state), 0);
	assert_int_equal(vfiox_ctx_set_dev_root(e->ctx, dev), 0);
	memset(&fk, 0, sizeof(fk));
	fk_fds_reset();
	fk.e = e;
	return e;
}

static void done(struct env *e)
{
	fk.e = NULL;
	env_free(e);
}

static char *attr_text(struct env *e, const char *dev, const char *attr)
{
	static char buf[128];
	char path[PATH_MAX];

	FX(e, fx_dev_path(e->fx, dev, attr, path, sizeof(path)));
	assert_true(vfiox__read_attr(AT_FDCWD, path, buf, sizeof(buf)) >= 0);
	return buf;
}

static bool journaled(struct env *e, const char *dev)
{
	struct vfiox__jentry j;

	return !vfiox__journal_read(e->ctx, dev, &j);
}

/* ------------------------------------------------------------------ checks */

static void test_bad_input_is_refused_before_any_write(void **state)
{
	struct env *e = sriov_env();

	(void)state;
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, "03:00", 2, 0), -EINVAL);
	env_assert_error(e, "'03:00' is not a PCI address", NULL, NULL);
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, "0000:09:00.0", 2, 0), -ENODEV);
	env_assert_error(e, "no PCI device 0000:09:00.0", NULL, NULL);
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, EDU, 2, 0), -EOPNOTSUPP);
	env_assert_error(e, EDU " is not an SR-IOV physical function", NULL, NULL);
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF, 5, 0), -ERANGE);
	env_assert_error(e, PF " can have at most 4 VFs", "not 5", NULL);
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF_NODRV, 2, 0), -EINVAL);
	env_assert_error(e, PF_NODRV " has no driver", "enable_sriov=1", NULL);
	assert_int_equal(vfiox_sriov_check(e->ctx, PF, 4, 0), 0);
	assert_int_equal(fk.writes, 0);
	assert_false(journaled(e, PF));
	assert_false(journaled(e, PF_NODRV));
	done(e);
}

static void test_create_journals_then_autoprobe_off_then_numvfs(void **state)
{
	struct env *e = sriov_env();
	struct vfiox__jentry j;

	(void)state;
	assert_int_equal(vfiox_sriov_autoprobe(e->ctx, PF), 1);
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF, 2, 0), 0);
	assert_string_equal(fk.log, PF " sriov_drivers_autoprobe=0;" PF " sriov_numvfs=2;");
	/* The original state was on disk before the first write */
	assert_non_null(strstr(fk.journal_at_first, "sriov_numvfs=0\n"));
	assert_non_null(strstr(fk.journal_at_first, "sriov_drivers_autoprobe=1\n"));
	assert_string_equal(attr_text(e, PF, "sriov_numvfs"), "2");
	assert_int_equal(vfiox_sriov_autoprobe(e->ctx, PF), 0);
	assert_int_equal(vfiox__journal_read(e->ctx, PF, &j), 0);
	assert_int_equal(j.sriov_numvfs, 0);
	assert_int_equal(j.sriov_autoprobe, 1);
	assert_false(j.has_driver);
	/* The same number again: nothing to do, nothing written */
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF, 2, 0), 0);
	assert_int_equal(fk.writes, 2);
	done(e);
}

static void test_other_count_needs_zero_first(void **state)
{
	struct env *e = sriov_env();

	(void)state;
	FX(e, fx_add_vfs(e->fx, PF, 2, NULL, 30));
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF, 3, 0), -EEXIST);
	env_assert_error(e, PF " has 2 VFs already", "vfioctl sriov " PF " --vfs 0", NULL);
	assert_int_equal(fk.writes, 0);
	assert_false(journaled(e, PF));
	done(e);
}

static void test_vf_is_not_a_pf(void **state)
{
	struct env *e = sriov_env();
	char vf[32];

	(void)state;
	FX(e, fx_add_vfs(e->fx, PF, 1, NULL, 30));
	FX(e, fx_vf_addr(e->fx, PF, 0, vf, sizeof(vf)));
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, vf, 1, 0), -EINVAL);
	env_assert_error(e, "is a virtual function (of PF " PF ")", NULL, NULL);
	assert_int_equal(fk.writes, 0);
	done(e);
}

static void test_numvfs_failure_puts_autoprobe_back_and_forgets(void **state)
{
	struct env *e = sriov_env();

	(void)state;
	snprintf(fk.fail_attr, sizeof(fk.fail_attr), "sriov_numvfs");
	fk.fail_err = -ENOENT;
	FX(e, fx_symlink_attr(e->fx, PF, "driver", "../../../bus/pci/drivers/vfio-pci"));
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF, 2, 0), -ENOENT);
	env_assert_error(e, "its driver vfio-pci cannot create VFs", "enable_sriov=1", NULL);
	assert_string_equal(fk.log, PF " sriov_drivers_autoprobe=0;" PF " sriov_numvfs=2;"
			    PF " sriov_drivers_autoprobe=1;");
	assert_string_equal(attr_text(e, PF, "sriov_drivers_autoprobe"), "1");
	assert_string_equal(attr_text(e, PF, "sriov_numvfs"), "0");
	assert_false(journaled(e, PF));
	done(e);
}

static void test_autoprobe_failure_changes_nothing(void **state)
{
	struct env *e = sriov_env();

	(void)state;
	snprintf(fk.fail_attr, sizeof(fk.fail_attr), "sriov_drivers_autoprobe");
	fk.fail_err = -EACCES;
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF, 2, 0), -EACCES);
	env_assert_error(e, "cannot switch sriov_drivers_autoprobe off", "nothing was changed", NULL);
	assert_string_equal(fk.log, PF " sriov_drivers_autoprobe=0;");
	assert_string_equal(attr_text(e, PF, "sriov_numvfs"), "0");
	assert_false(journaled(e, PF));
	done(e);
}

static void test_remove_puts_autoprobe_back_and_drops_the_entries(void **state)
{
	struct env *e = sriov_env();
	struct vfiox__jentry j;
	char vf[2][32];
	int i;

	(void)state;
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF, 2, 0), 0);
	/* What a bind of the VFs journals */
	for (i = 0; i < 2; i++) {
		FX(e, fx_vf_addr(e->fx, PF, (unsigned)i, vf[i], sizeof(vf[i])));
		vfiox__jentry_init(&j, vf[i]);
		j.has_driver = true;
		assert_int_equal(vfiox__journal_record(e->ctx, &j), 0);
	}
	fk.log[0] = '\0';
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF, 0, 0), 0);
	assert_string_equal(fk.log, PF " sriov_numvfs=0;" PF " sriov_drivers_autoprobe=1;");
	assert_int_equal(vfiox_sriov_autoprobe(e->ctx, PF), 1);
	assert_false(journaled(e, PF));
	assert_false(journaled(e, vf[0]));
	assert_false(journaled(e, vf[1]));
	/* Again with none left: no write */
	fk.log[0] = '\0';
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF, 0, 0), 0);
	assert_string_equal(fk.log, "");
	done(e);
}

static void test_remove_keeps_the_bind_of_the_pf_itself(void **state)
{
	struct env *e = sriov_env();
	struct vfiox__jentry j;
	char token[40];

	(void)state;
	vfiox__jentry_init(&j, PF);
	j.has_driver = true;
	snprintf(j.driver, sizeof(j.driver), "ixgbe");
	assert_int_equal(vfiox__journal_record(e->ctx, &j), 0);
	assert_int_equal(vfiox_sriov_new_vf_token(e->ctx, PF, token, sizeof(token)), 0);
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF, 1, 0), 0);
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF, 0, 0), 0);
	assert_int_equal(vfiox__journal_read(e->ctx, PF, &j), 0);
	assert_true(j.has_driver);
	assert_string_equal(j.driver, "ixgbe");
	assert_int_equal(j.sriov_numvfs, -1);
	assert_int_equal(j.sriov_autoprobe, -1);
	assert_string_equal(j.vf_token, "");
	done(e);
}

static void test_remove_refused_while_a_vf_is_open_through_vfio(void **state)
{
	struct env *e = sriov_env();
	char node[PATH_MAX], pid[32];
	int fd;

	(void)state;
	FX(e, fx_add_vfs(e->fx, PF, 2, "vfio-pci", 30));
	snprintf(node, sizeof(node), "%s/vfio", vfiox_ctx_dev_root(e->ctx));
	assert_int_equal(mkdir(node, 0755), 0);
	snprintf(node, sizeof(node), "%s/vfio/31", vfiox_ctx_dev_root(e->ctx));
	fd = open(node, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	snprintf(pid, sizeof(pid), "pid %d", (int)getpid());
	/* --force does not help: the kernel would wait for the user */
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF, 0, VFIOX_SRIOV_FORCE), -EBUSY);
	env_assert_error(e, "0000:03:00.2 of " PF " is open through VFIO", pid, NULL);
	assert_int_equal(fk.writes, 0);
	close(fd);
	/* The same through the device's cdev node (vfio-dev/vfioN) */
	FX(e, fx_dev_path(e->fx, "0000:03:00.1", "vfio-dev", node, sizeof(node)));
	assert_int_equal(mkdir(node, 0755), 0);
	strcat(node, "/vfio7");
	assert_int_equal(mkdir(node, 0755), 0);
	snprintf(node, sizeof(node), "%s/vfio/devices", vfiox_ctx_dev_root(e->ctx));
	assert_int_equal(mkdir(node, 0755), 0);
	strcat(node, "/vfio7");
	fd = open(node, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF, 0, VFIOX_SRIOV_FORCE), -EBUSY);
	env_assert_error(e, "0000:03:00.1 of " PF " is open through VFIO", "vfio/devices/vfio7", NULL);
	assert_int_equal(fk.writes, 0);
	close(fd);
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF, 0, VFIOX_SRIOV_FORCE), 0);
	assert_string_equal(fk.log, PF " sriov_numvfs=0;");
	done(e);
}

static void test_another_process_holding_the_journal_lock_means_no_write(void **state)
{
	struct env *e = sriov_env();
	int lock;

	(void)state;
	assert_int_equal(vfiox__journal_lock(e->ctx, &lock), 0);
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF, 2, 0), -EBUSY);
	env_assert_error(e, "another vfioctl is changing device bindings", NULL, NULL);
	assert_int_equal(fk.writes, 0);
	assert_false(journaled(e, PF));
	vfiox__journal_unlock(lock);
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF, 2, 0), 0);
	assert_int_equal(fk.writes, 2);
	done(e);
}

/* A failed create puts the PF's journal entry back as it was: the VF token stays. */
static void test_numvfs_failure_keeps_the_vf_token(void **state)
{
	struct env *e = sriov_env();
	char token[40], again[40];

	(void)state;
	assert_int_equal(vfiox_sriov_new_vf_token(e->ctx, PF, token, sizeof(token)), 0);
	snprintf(fk.fail_attr, sizeof(fk.fail_attr), "sriov_numvfs");
	fk.fail_err = -EIO;
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF, 2, 0), -EIO);
	assert_string_equal(attr_text(e, PF, "sriov_drivers_autoprobe"), "1");
	assert_int_equal(vfiox_sriov_vf_token(e->ctx, PF, again, sizeof(again)), 0);
	assert_string_equal(again, token);
	done(e);
}

static unsigned count_lines(const char *log, const char *what)
{
	unsigned n = 0;

	for (; (log = strstr(log, what)); log++)
		n++;
	return n;
}

/* Removing VFs looks for each VF's holders once (a walk of /proc per VF), not twice. */
static void test_remove_checks_each_vf_once(void **state)
{
	struct env *e = sriov_env();

	(void)state;
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF, 2, 0), 0);
	e->loglen = 0;
	e->log[0] = '\0';
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF, 0, 0), 0);
	assert_true(e->loglen < sizeof(e->log) - 1);
	assert_int_equal(count_lines(e->log, "holders of "), 2);
	done(e);
}

/* The udev rule of a --persist bind of a VF goes with the VF (restore could not reach it). */
static void test_remove_deletes_the_rules_of_the_vfs(void **state)
{
	struct env *e = sriov_env();
	struct vfiox__jentry j;
	char vf[32], rule[PATH_MAX];
	int fd;

	(void)state;
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF, 1, 0), 0);
	FX(e, fx_vf_addr(e->fx, PF, 0, vf, sizeof(vf)));
	snprintf(rule, sizeof(rule), "%s/61-vfioctl-%s.rules", fx_root(e->fx), vf);
	fd = open(rule, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	vfiox__jentry_init(&j, vf);
	j.has_driver = true;
	assert_true(strlen(rule) < sizeof(j.persist[0]));
	memcpy(j.persist[0], rule, strlen(rule) + 1);
	j.num_persist = 1;
	assert_int_equal(vfiox__journal_record(e->ctx, &j), 0);
	assert_int_equal(vfiox_sriov_set_numvfs(e->ctx, PF, 0, 0), 0);
	assert_false(journaled(e, vf));
	assert_int_equal(access(rule, F_OK), -1);
	done(e);
}

/* ------------------------------------------------------------------ the VF token */

static void test_new_token_is_a_v4_uuid_and_journaled(void **state)
{
	struct env *e = sriov_env();
	char token[40], again[40], small[36];

	(void)state;
	assert_int_equal(vfiox_sriov_vf_token(e->ctx, PF, token, sizeof(token)), -ENOENT);
	assert_int_equal(vfiox_sriov_new_vf_token(e->ctx, PF, token, sizeof(token)), 0);
	/* bytes 0..15, with the version nibble 4 and the variant bits 10 */
	assert_string_equal(token, "00010203-0405-4607-8809-0a0b0c0d0e0f");
	assert_int_equal(vfiox_sriov_vf_token(e->ctx, PF, again, sizeof(again)), 0);
	assert_string_equal(again, token);
	assert_int_equal(vfiox_sriov_vf_token(e->ctx, PF, small, sizeof(small)), -ENOSPC);
	assert_int_equal(vfiox_sriov_new_vf_token(e->ctx, PF, small, sizeof(small)), -ENOSPC);
	assert_int_equal(fk.writes, 0);
	done(e);
}

static struct vfiox_device *fake_dev(struct env *e)
{
	struct vfiox_device *d = NULL;

	assert_int_equal(vfiox_device_adopt(e->ctx, fk_new_fd(0), PF, &d), 0);
	return d;
}

static void test_set_vf_token_sends_the_feature_with_the_uuid(void **state)
{
	static const uint8_t want[16] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x46, 0x07,
					  0x88, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0xff };
	struct env *e = sriov_env();
	struct vfiox_device *d = fake_dev(e);
	struct vfio_device_feature *f = (struct vfio_device_feature *)fk.feature;

	(void)state;
	assert_int_equal(vfiox_device_set_vf_token(d, "00010203-0405-4607-8809-0A0B0C0D0EFF"), 0);
	assert_int_equal(fk.feature_calls, 1);
	assert_int_equal(fk.feature_len, sizeof(*f) + 16);
	assert_int_equal(f->argsz, sizeof(*f) + 16);
	assert_int_equal(f->flags, VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_PCI_VF_TOKEN);
	assert_memory_equal(fk.feature + sizeof(*f), want, 16);

	assert_int_equal(vfiox_device_set_vf_token(d, "00010203-0405-4607-8809-0a0b0c0d0e"), -EINVAL);
	assert_int_equal(vfiox_device_set_vf_token(d, "00010203x0405-4607-8809-0a0b0c0d0eff"), -EINVAL);
	assert_int_equal(vfiox_device_set_vf_token(d, "g0010203-0405-4607-8809-0a0b0c0d0eff"), -EINVAL);
	assert_int_equal(vfiox_device_set_vf_token(d, NULL), -EINVAL);
	assert_int_equal(fk.feature_calls, 1);

	fk.feature_err = -ENOTTY;
	assert_int_equal(vfiox_device_set_vf_token(d, "00010203-0405-4607-8809-0a0b0c0d0eff"),
			 -ENOTTY);
	env_assert_error(e, PF " has no VF token", "not an SR-IOV PF bound to vfio-pci", NULL);
	vfiox_device_close(d);
	done(e);
}

#define T(f) env_test(f)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_bad_input_is_refused_before_any_write),
		T(test_create_journals_then_autoprobe_off_then_numvfs),
		T(test_other_count_needs_zero_first),
		T(test_vf_is_not_a_pf),
		T(test_numvfs_failure_puts_autoprobe_back_and_forgets),
		T(test_autoprobe_failure_changes_nothing),
		T(test_remove_puts_autoprobe_back_and_drops_the_entries),
		T(test_remove_keeps_the_bind_of_the_pf_itself),
		T(test_remove_refused_while_a_vf_is_open_through_vfio),
		T(test_another_process_holding_the_journal_lock_means_no_write),
		T(test_numvfs_failure_keeps_the_vf_token),
		T(test_remove_checks_each_vf_once),
		T(test_remove_deletes_the_rules_of_the_vfs),
		T(test_new_token_is_a_v4_uuid_and_journaled),
		T(test_set_vf_token_sends_the_feature_with_the_uuid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
