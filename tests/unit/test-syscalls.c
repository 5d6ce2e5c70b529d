// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Kernel replies substituted at the one syscall layer (libvfiox/sys.c) with
 * -Wl,--wrap: failures sysfs rarely gives on demand, and a device that vanishes
 * between readdir and read (hot-unplug). Linked with WRAP_test-syscalls in the Makefile.
 */
#include <fcntl.h>
#include <sys/types.h>

#include "testutil.h"

/* A path suffix to fail, and with what; empty = pass everything through. */
static char fail_open_suffix[64];
static int fail_open_err;
static int fail_getdents_err;
static unsigned opens_failed;

int __real_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode);
int __wrap_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode);
ssize_t __real_vfiox_sys_getdents(int fd, void *buf, size_t len);
ssize_t __wrap_vfiox_sys_getdents(int fd, void *buf, size_t len);

int __wrap_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	size_t n = strlen(path), m = strlen(fail_open_suffix);

	if (m && n >= m && !strcmp(path + n - m, fail_open_suffix)) {
		opens_failed++;
		return fail_open_err;
	}
	return __real_vfiox_sys_openat(dirfd, path, flags, mode);
}

ssize_t __wrap_vfiox_sys_getdents(int fd, void *buf, size_t len)
{
	if (fail_getdents_err)
		return fail_getdents_err;
	return __real_vfiox_sys_getdents(fd, buf, len);
}

static int reset_faults(void **state)
{
	(void)state;
	fail_open_suffix[0] = '\0';
	fail_open_err = 0;
	fail_getdents_err = 0;
	opens_failed = 0;
	return 0;
}

static void fail_open(const char *suffix, int err)
{
	snprintf(fail_open_suffix, sizeof(fail_open_suffix), "%s", suffix);
	fail_open_err = err;
}

/* Scans and expects failure @err with a message holding @w1 and @w2. */
static void expect_scan_error(struct env *e, int err, const char *w1, const char *w2)
{
	struct vfiox_scan *scan = NULL;
	const char *msg;

	env_ctx(e);
	assert_int_equal(vfiox_scan_new(e->ctx, &scan), err);
	assert_null(scan);
	msg = vfiox_ctx_last_error(e->ctx);
	if (!strstr(msg, w1) || (w2 && !strstr(msg, w2)))
		fail_msg("last error '%s' lacks '%s'/'%s'", msg, w1, w2 ? w2 : "");
}

static void test_unreadable_device_directory_fails_with_its_path(void **state)
{
	struct env *e = env_scenario("base");

	(void)state;
	fail_getdents_err = -EIO;
	expect_scan_error(e, -EIO, "bus/pci/devices", "Input/output error");
	env_free(e);
}

static void test_eacces_on_the_bus_directory_is_reported(void **state)
{
	struct env *e = env_scenario("base");

	(void)state;
	fail_open("/bus/pci/devices", -EACCES);
	expect_scan_error(e, -EACCES, "bus/pci/devices", "Permission denied");
	assert_int_equal(opens_failed, 1);
	env_free(e);
}

static void test_eacces_on_the_group_directory_is_reported(void **state)
{
	struct env *e = env_scenario("base");

	(void)state;
	fail_open("/kernel/iommu_groups", -EACCES);
	expect_scan_error(e, -EACCES, "kernel/iommu_groups", "Permission denied");
	env_free(e);
}

static void test_uevent_refused_everywhere_falls_back_to_the_id_files(void **state)
{
	struct env *e = env_scenario("base");
	struct vfiox_pci_dev *d;

	(void)state;
	fail_open("uevent", -EACCES);
	env_scan(e);
	assert_true(opens_failed >= 3);
	assert_int_equal(vfiox_scan_num_devs(e->scan), 3);
	d = env_dev(e, "0000:00:04.0");
	assert_int_equal(vfiox_pci_dev_class(d), 0x010802);
	assert_string_equal(vfiox_pci_dev_driver(d), "vfio-pci"); /* from the driver link */
	assert_null(vfiox_pci_dev_driver(env_dev(e, "0000:00:00.0")));
	assert_int_equal(e->warnings, 0);
	env_free(e);
}

static void test_device_gone_between_readdir_and_read_is_skipped(void **state)
{
	struct env *e = env_scenario("base");
	struct vfiox_pci_dev *d = NULL;

	(void)state;
	/* The O_PATH open of the device's directory: the device was just unplugged. */
	fail_open("0000:00:01.0", -ENOENT);
	env_scan(e);
	assert_int_equal(vfiox_scan_num_devs(e->scan), 2);
	assert_int_equal(vfiox_scan_find_dev(e->scan, "0000:00:01.0", &d), -ENODEV);
	if (!env_warned(e, "0000:00:01.0", "No such file"))
		fail_msg("the vanished device was not named; log:\n%s", e->log);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unreadable_device_directory_fails_with_its_path,
						reset_faults, env_teardown),
		cmocka_unit_test_setup_teardown(test_eacces_on_the_bus_directory_is_reported,
						reset_faults, env_teardown),
		cmocka_unit_test_setup_teardown(test_eacces_on_the_group_directory_is_reported,
						reset_faults, env_teardown),
		cmocka_unit_test_setup_teardown(test_uevent_refused_everywhere_falls_back_to_the_id_files,
						reset_faults, env_teardown),
		cmocka_unit_test_setup_teardown(test_device_gone_between_readdir_and_read_is_skipped,
						reset_faults, env_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
