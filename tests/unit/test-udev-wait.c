// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Waiting for udevd to finish with a group node (libvfiox/udev-wait.c through
 * vfiox_wait_group_node): a fake /dev with the node and a fake udev directory
 * (VFIOX_UDEV_DIR) with its control socket stand-in and data/ records, written by a child
 * the way udevd writes them (a temporary file renamed into place), late or not at all.
 * The node is a plain file, so its record is data/c0:0.
 */
#include <sys/wait.h>
#include <time.h>

#include "testutil.h"

struct tree {
	char root[64], dev[128], udev[128], node[160], data[160], db[192];
};

static struct tree t;
static struct vfiox_ctx *ctx;

static void put(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	close(fd);
}

/* The record, as udevd writes it: a temporary file, then a rename. */
static void record(void)
{
	char tmp[224];

	snprintf(tmp, sizeof(tmp), "%s.tmp", t.db);
	put(tmp);
	assert_int_equal(rename(tmp, t.db), 0);
}

static void sleep_ms(long ms)
{
	struct timespec d = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&d, NULL);
}

static long since_ms(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

/* A tree with the node; udevd "runs" (control exists) when @udevd. */
static int setup(void **state)
{
	char p[192];

	snprintf(t.root, sizeof(t.root), "/tmp/vfiox-udev-XXXXXX");
	assert_non_null(mkdtemp(t.root));
	snprintf(t.dev, sizeof(t.dev), "%s/dev", t.root);
	snprintf(t.udev, sizeof(t.udev), "%s/run/udev", t.root);
	snprintf(t.node, sizeof(t.node), "%s/vfio/42", t.dev);
	snprintf(t.data, sizeof(t.data), "%s/data", t.udev);
	snprintf(t.db, sizeof(t.db), "%s/c0:0", t.data);
	snprintf(p, sizeof(p), "%s/vfio", t.dev);
	env_mkdirs(p);
	env_mkdirs(t.udev);
	put(t.node);
	snprintf(p, sizeof(p), "%s/control", t.udev);
	put(p);
	setenv("VFIOX_UDEV_DIR", t.udev, 1);
	assert_int_equal(vfiox_ctx_new(&ctx), 0);
	assert_int_equal(vfiox_ctx_set_dev_root(ctx, t.dev), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	vfiox_ctx_free(ctx);
	ctx = NULL;
	unsetenv("VFIOX_UDEV_DIR");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", t.root);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void no_udevd_no_wait(void **state)
{
	char p[192];

	snprintf(p, sizeof(p), "%s/control", t.udev);
	unlink(p);
	assert_int_equal(vfiox_wait_group_node(ctx, 42, 0), 0);
}

static void another_dev_root_has_no_udevd(void **state)
{
	/* Without VFIOX_UDEV_DIR, a device root other than /dev is nobody's: no wait. */
	unsetenv("VFIOX_UDEV_DIR");
	assert_int_equal(vfiox_wait_group_node(ctx, 42, 0), 0);
}

static void unrecorded_node_times_out_naming_the_record(void **state)
{
	struct timespec a;

	env_mkdirs(t.data);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(vfiox_wait_group_node(ctx, 42, 100), -ETIMEDOUT);
	assert_true(since_ms(&a) >= 90);
	assert_non_null(strstr(vfiox_ctx_last_error(ctx), "udevd has not finished with"));
	assert_non_null(strstr(vfiox_ctx_last_error(ctx), "/run/udev/data/c0:0"));
	assert_non_null(strstr(vfiox_ctx_last_error(ctx), "udevadm settle"));
}

static void recorded_node_returns_at_once(void **state)
{
	env_mkdirs(t.data);
	record();
	assert_int_equal(vfiox_wait_group_node(ctx, 42, 0), 0);
}

static void record_older_than_the_node_is_stale(void **state)
{
	struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };

	env_mkdirs(t.data);
	record();
	assert_int_equal(utimensat(AT_FDCWD, t.db, old, 0), 0);
	assert_int_equal(vfiox_wait_group_node(ctx, 42, 50), -ETIMEDOUT);
}

/* @mkdata: the child makes data/ too (udevd that has recorded nothing yet: polled). */
static void woken_by_a_late_record(bool mkdata)
{
	struct timespec a;
	pid_t pid;

	if (!mkdata)
		env_mkdirs(t.data);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		sleep_ms(150);
		if (mkdata)
			mkdir(t.data, 0755);
		record();
		_exit(0);
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(vfiox_wait_group_node(ctx, 42, 10000), 0);
	waitpid(pid, NULL, 0);
	/* Woken by the record, not by the 10 s timeout, and not before it. */
	assert_true(since_ms(&a) >= 140);
	assert_true(since_ms(&a) < 5000);
}

static void late_record_wakes_the_wait(void **state)
{
	woken_by_a_late_record(false);
}

static void late_data_dir_is_polled_for(void **state)
{
	woken_by_a_late_record(true);
}

static void missing_node_is_the_first_wait(void **state)
{
	unlink(t.node);
	env_mkdirs(t.data);
	record();
	assert_int_equal(vfiox_wait_group_node(ctx, 42, 30), -ETIMEDOUT);
	assert_non_null(strstr(vfiox_ctx_last_error(ctx), "did not appear"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(no_udevd_no_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(another_dev_root_has_no_udevd, setup, teardown),
		cmocka_unit_test_setup_teardown(unrecorded_node_times_out_naming_the_record, setup,
						teardown),
		cmocka_unit_test_setup_teardown(recorded_node_returns_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(record_older_than_the_node_is_stale, setup,
						teardown),
		cmocka_unit_test_setup_teardown(late_record_wakes_the_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(late_data_dir_is_polled_for, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_node_is_the_first_wait, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
