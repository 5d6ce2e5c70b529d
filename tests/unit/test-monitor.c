// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The event stream (libvfiox/monitor.c). The decoder is driven with uevents as the kernel
 * sends them (an "action@devpath" header, then KEY=VALUE entries separated by NUL) and as
 * udevd passes them on (DEVNAME with /dev/). The monitor itself listens to the kernel on
 * a real netlink socket, but libudev's receive and property calls are substituted
 * (-Wl,--wrap, see WRAP_test-monitor in the Makefile) so that the test feeds it events:
 * the fixture sysfs gives the drivers bound at the start and the IOMMU groups.
 */
#include <time.h>

#include <libudev.h>

#include <vfiox/monitor.h>

#include "internal.h"
#include "testutil.h"

#define EDU "0000:00:03.0"
#define NVME "0000:00:04.0"

/* ------------------------------------------------------------------ the fake libudev */

struct udev_device;
struct udev_list_entry;
struct udev_monitor;

struct udev_device *__real_udev_monitor_receive_device(struct udev_monitor *m);
struct udev_device *__wrap_udev_monitor_receive_device(struct udev_monitor *m);
struct udev_device *__real_udev_device_unref(struct udev_device *d);
struct udev_device *__wrap_udev_device_unref(struct udev_device *d);
struct udev_list_entry *__wrap_udev_device_get_properties_list_entry(struct udev_device *d);
struct udev_list_entry *__wrap_udev_list_entry_get_next(struct udev_list_entry *e);
const char *__wrap_udev_list_entry_get_name(struct udev_list_entry *e);
const char *__wrap_udev_list_entry_get_value(struct udev_list_entry *e);

#define MAX_Q 16
#define MAX_PROPS 16

/* A queued event: its properties; device and list entries are pointers into it. */
static struct fake_dev {
	char names[MAX_PROPS][64];
	char values[MAX_PROPS][512];
	size_t n;
	bool freed;
} q[MAX_Q];
static size_t q_len, q_pos, unrefs;

static bool is_fake(const void *p)
{
	return (const char *)p >= (const char *)q && (const char *)p < (const char *)(q + MAX_Q);
}

/* "KEY=VALUE" strings, NULL-terminated. */
static void push(const char *const *props)
{
	struct fake_dev *d;

	assert_true(q_len < MAX_Q);
	d = &q[q_len++];
	memset(d, 0, sizeof(*d));
	for (; *props; props++) {
		const char *eq = strchr(*props, '=');

		assert_non_null(eq);
		assert_true(d->n < MAX_PROPS);
		snprintf(d->names[d->n], sizeof(d->names[0]), "%.*s", (int)(eq - *props), *props);
		snprintf(d->values[d->n], sizeof(d->values[0]), "%s", eq + 1);
		d->n++;
	}
}

struct udev_device *__wrap_udev_monitor_receive_device(struct udev_monitor *m)
{
	struct udev_device *real;

	if (q_pos < q_len)
		return (struct udev_device *)&q[q_pos++];
	/* Whatever the real socket got (nothing, normally) is read and dropped. */
	while ((real = __real_udev_monitor_receive_device(m)))
		__real_udev_device_unref(real);
	errno = EAGAIN;
	return NULL;
}

struct udev_device *__wrap_udev_device_unref(struct udev_device *d)
{
	if (!is_fake(d))
		return __real_udev_device_unref(d);
	assert_false(((struct fake_dev *)d)->freed);
	((struct fake_dev *)d)->freed = true;
	unrefs++;
	return NULL;
}

/* List entry i of device d: &d->names[i]. */
struct udev_list_entry *__wrap_udev_device_get_properties_list_entry(struct udev_device *d)
{
	struct fake_dev *f = (struct fake_dev *)d;

	assert_true(is_fake(d));
	return f->n ? (struct udev_list_entry *)f->names[0] : NULL;
}

static struct fake_dev *owner(struct udev_list_entry *e, size_t *idx)
{
	size_t i;

	for (i = 0; i < q_len; i++)
		if ((char *)e >= (char *)q[i].names && (char *)e < (char *)q[i].names[MAX_PROPS]) {
			*idx = (size_t)((char (*)[64])e - q[i].names);
			return &q[i];
		}
	fail_msg("list entry %p is not a fake one", (void *)e);
	return NULL;
}

struct udev_list_entry *__wrap_udev_list_entry_get_next(struct udev_list_entry *e)
{
	size_t i = 0;
	struct fake_dev *d = owner(e, &i);

	return i + 1 < d->n ? (struct udev_list_entry *)d->names[i + 1] : NULL;
}

const char *__wrap_udev_list_entry_get_name(struct udev_list_entry *e)
{
	size_t i = 0;
	struct fake_dev *d = owner(e, &i);

	return d->names[i];
}

const char *__wrap_udev_list_entry_get_value(struct udev_list_entry *e)
{
	size_t i = 0;
	struct fake_dev *d = owner(e, &i);

	return d->values[i];
}

static int q_reset(void **state)
{
	(void)state;
	memset(q, 0, sizeof(q));
	q_len = q_pos = unrefs = 0;
	return 0;
}

/* ------------------------------------------------------------------ helpers */

/* Decodes "a\0b\0c" given as one C string with '|' for NUL. */
static int decode(const char *text, struct vfiox_event *ev)
{
	char buf[2048];
	size_t i, n = strlen(text);

	assert_true(n < sizeof(buf));
	for (i = 0; i < n; i++)
		buf[i] = text[i] == '|' ? '\0' : text[i];
	return vfiox__uevent_decode(buf, n, ev);
}

#define KBIND "bind@/devices/pci0000:00/0000:00:03.0|ACTION=bind|" \
	"DEVPATH=/devices/pci0000:00/0000:00:03.0|SUBSYSTEM=pci|DRIVER=vfio-pci|" \
	"PCI_CLASS=FF00|PCI_ID=1234:11E8|PCI_SUBSYS_ID=1AF4:1100|PCI_SLOT_NAME=0000:00:03.0|" \
	"MODALIAS=pci:v00001234d000011E8sv00001AF4sd00001100bc00scFFi00|SEQNUM=1842"

/* ------------------------------------------------------------------ the decoder */

static void test_decode_kernel_bind_event(void **state)
{
	struct vfiox_event ev;

	(void)state;
	assert_int_equal(decode(KBIND, &ev), 1);
	assert_int_equal(ev.type, VFIOX_EVENT_PCI_BIND);
	assert_string_equal(ev.device, EDU);
	assert_string_equal(ev.driver, "vfio-pci");
	assert_int_equal(ev.vendor_id, 0x1234);
	assert_int_equal(ev.device_id, 0x11e8);
	assert_int_equal(ev.class_code, 0x00ff00);
	assert_int_equal(ev.seqnum, 1842);
	assert_int_equal(ev.group, -1); /* the decoder does not look at sysfs */
	assert_string_equal(ev.devnode, "");
	assert_string_equal(vfiox_event_type_name(ev.type), "bind");
}

static void test_decode_every_pci_action(void **state)
{
	static const struct { const char *action; int type; } t[] = {
		{ "add", VFIOX_EVENT_PCI_ADD }, { "remove", VFIOX_EVENT_PCI_REMOVE },
		{ "bind", VFIOX_EVENT_PCI_BIND }, { "unbind", VFIOX_EVENT_PCI_UNBIND },
		{ "change", VFIOX_EVENT_PCI_CHANGE },
	};
	struct vfiox_event ev;
	char text[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text), "ACTION=%s|SUBSYSTEM=pci|DRIVER=nvme|"
			 "PCI_SLOT_NAME=0000:00:04.0|PCI_ID=1B36:0010|PCI_CLASS=10802", t[i].action);
		assert_int_equal(decode(text, &ev), 1);
		assert_int_equal(ev.type, t[i].type);
		assert_string_equal(ev.device, NVME);
		assert_int_equal(ev.class_code, 0x010802);
		assert_string_equal(vfiox_event_type_name(ev.type), t[i].action);
	}
	/* Actions of no interest for PCI devices */
	assert_int_equal(decode("ACTION=move|SUBSYSTEM=pci|PCI_SLOT_NAME=0000:00:04.0", &ev), 0);
	assert_int_equal(decode("ACTION=online|SUBSYSTEM=pci|PCI_SLOT_NAME=0000:00:04.0", &ev), 0);
}

static void test_decode_unbind_has_no_driver_from_the_kernel(void **state)
{
	struct vfiox_event ev;

	(void)state;
	assert_int_equal(decode("unbind@/devices/pci0000:00/0000:00:03.0|ACTION=unbind|"
				"DEVPATH=/devices/pci0000:00/0000:00:03.0|SUBSYSTEM=pci|"
				"PCI_SLOT_NAME=0000:00:03.0|SEQNUM=7", &ev), 1);
	assert_int_equal(ev.type, VFIOX_EVENT_PCI_UNBIND);
	assert_string_equal(ev.driver, "");
	assert_int_equal(ev.vendor_id, 0);
}

static void test_decode_address_from_devpath_when_no_slot_name(void **state)
{
	struct vfiox_event ev;

	(void)state;
	assert_int_equal(decode("ACTION=add|SUBSYSTEM=pci|"
				"DEVPATH=/devices/pci0000:00/0000:00:1c.0/0000:01:00.1", &ev), 1);
	assert_string_equal(ev.device, "0000:01:00.1");
	/* A short form is written canonically */
	assert_int_equal(decode("ACTION=add|SUBSYSTEM=pci|PCI_SLOT_NAME=1:0.1", &ev), 1);
	assert_string_equal(ev.device, "0000:01:00.1");
}

static void test_decode_group_nodes_kernel_and_udev_form(void **state)
{
	struct vfiox_event ev;

	(void)state;
	assert_int_equal(decode("add@/devices/virtual/vfio/12|ACTION=add|"
				"DEVPATH=/devices/virtual/vfio/12|SUBSYSTEM=vfio|DEVNAME=vfio/12|"
				"DEVMODE=0600|SEQNUM=99", &ev), 1);
	assert_int_equal(ev.type, VFIOX_EVENT_GROUP_ADD);
	assert_int_equal(ev.group, 12);
	assert_false(ev.noiommu);
	assert_string_equal(ev.device, "");
	assert_int_equal(ev.seqnum, 99);
	assert_string_equal(vfiox_event_type_name(ev.type), "group-add");

	assert_int_equal(decode("ACTION=remove|SUBSYSTEM=vfio|DEVNAME=/dev/vfio/0|SEQNUM=100",
				&ev), 1);
	assert_int_equal(ev.type, VFIOX_EVENT_GROUP_REMOVE);
	assert_int_equal(ev.group, 0);
	assert_string_equal(vfiox_event_type_name(ev.type), "group-remove");

	assert_int_equal(decode("ACTION=add|SUBSYSTEM=vfio|DEVNAME=vfio/noiommu-3", &ev), 1);
	assert_int_equal(ev.group, 3);
	assert_true(ev.noiommu);
	/* Other actions on group nodes are of no interest */
	assert_int_equal(decode("ACTION=change|SUBSYSTEM=vfio|DEVNAME=vfio/12", &ev), 0);
}

static void test_decode_skips_other_subsystems(void **state)
{
	struct vfiox_event ev;

	(void)state;
	/* /dev/vfio/vfio is a misc device, the cdev interface is vfio-dev */
	assert_int_equal(decode("ACTION=add|SUBSYSTEM=misc|DEVNAME=vfio/vfio", &ev), 0);
	assert_int_equal(decode("ACTION=add|SUBSYSTEM=vfio-dev|DEVNAME=vfio/devices/vfio0", &ev), 0);
	assert_int_equal(decode("ACTION=add|SUBSYSTEM=block|DEVNAME=nvme0n1", &ev), 0);
	assert_int_equal(decode("ACTION=bind|SUBSYSTEM=pcie|DRIVER=aer", &ev), 0);
	/* Without action or subsystem there is nothing to say */
	assert_int_equal(decode("SUBSYSTEM=pci|PCI_SLOT_NAME=0000:00:04.0", &ev), 0);
	assert_int_equal(decode("ACTION=add|PCI_SLOT_NAME=0000:00:04.0", &ev), 0);
	assert_int_equal(vfiox__uevent_decode("", 0, &ev), 0);
	assert_string_equal(vfiox_event_type_name(0), "unknown");
	assert_string_equal(vfiox_event_type_name(99), "unknown");
}

static void test_decode_rejects_malformed_events(void **state)
{
	static const char *const bad[] = {
		"ACTION=add|SUBSYSTEM=pci|PCI_SLOT_NAME=not-an-address",
		"ACTION=add|SUBSYSTEM=pci",                              /* no address at all */
		"ACTION=add|SUBSYSTEM=pci|PCI_SLOT_NAME=0000:00:20.0",   /* device 0x20 */
		"ACTION=bind|SUBSYSTEM=pci|PCI_SLOT_NAME=0000:00:03.0",  /* bind without driver */
		"ACTION=add|SUBSYSTEM=pci|PCI_SLOT_NAME=0000:00:03.0|PCI_ID=1234",
		"ACTION=add|SUBSYSTEM=pci|PCI_SLOT_NAME=0000:00:03.0|PCI_ID=12345:11E8",
		"ACTION=add|SUBSYSTEM=pci|PCI_SLOT_NAME=0000:00:03.0|PCI_ID=:11E8",
		"ACTION=add|SUBSYSTEM=pci|PCI_SLOT_NAME=0000:00:03.0|PCI_CLASS=1234567",
		"ACTION=add|SUBSYSTEM=pci|PCI_SLOT_NAME=0000:00:03.0|PCI_CLASS=xyz",
		"ACTION=add|SUBSYSTEM=pci|PCI_SLOT_NAME=0000:00:03.0|SEQNUM=12a",
		"ACTION=add|SUBSYSTEM=pci|PCI_SLOT_NAME=0000:00:03.0|SEQNUM=99999999999999999999",
		"ACTION=bind|SUBSYSTEM=pci|PCI_SLOT_NAME=0000:00:03.0|DRIVER="
		"a-driver-name-that-is-longer-than-sixty-three-characters-in-total-yes",
		"ACTION=add|SUBSYSTEM=vfio",                               /* no DEVNAME */
		"ACTION=add|SUBSYSTEM=vfio|DEVNAME=vfio/abc",
		"ACTION=add|SUBSYSTEM=vfio|DEVNAME=vfio/",
		"ACTION=add|SUBSYSTEM=vfio|DEVNAME=vfio/012",
		"ACTION=add|SUBSYSTEM=vfio|DEVNAME=vfio/2147483648",
		"ACTION=add|SUBSYSTEM=vfio|DEVNAME=vfio/-1",
		"ACTION=add|SUBSYSTEM=vfio|DEVNAME=dri/card0",
	};
	struct vfiox_event ev;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (decode(bad[i], &ev) != -EBADMSG)
			fail_msg("accepted: %s", bad[i]);
	/* The largest group number that fits is fine */
	assert_int_equal(decode("ACTION=add|SUBSYSTEM=vfio|DEVNAME=vfio/2147483647", &ev), 1);
	assert_int_equal(ev.group, 2147483647);
}

static void test_decode_stops_at_the_given_length(void **state)
{
	/* The last entry is not NUL-terminated: its value ends at the length. */
	static const char text[] = "ACTION=add\0SUBSYSTEM=vfio\0DEVNAME=vfio/123456";
	struct vfiox_event ev;

	(void)state;
	assert_int_equal(vfiox__uevent_decode(text, sizeof(text) - 1 - 3, &ev), 1);
	assert_int_equal(ev.group, 123);
	/* Entries without '=' and empty keys are ignored, later keys win */
	assert_int_equal(decode("garbage|=x|ACTION=add|SUBSYSTEM=vfio|DEVNAME=vfio/1|"
				"DEVNAME=vfio/2", &ev), 1);
	assert_int_equal(ev.group, 2);
}

/* ------------------------------------------------------------------ the monitor */

static struct env *mon_env(void)
{
	static const struct fx_dev devs[] = {
		{ .addr = EDU, .vendor = 0x1234, .device = 0x11e8, .class_code = 0x00ff00,
		  .driver = "vfio-pci", .group = 12, .numa = -1 },
		{ .addr = NVME, .vendor = 0x1b36, .device = 0x0010, .class_code = 0x010802,
		  .driver = "nvme", .group = 13, .numa = -1 },
	};
	struct env *e = env_empty(0);
	size_t i;

	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		FX(e, fx_add_dev(e->fx, &devs[i]));
	env_ctx(e);
	assert_int_equal(vfiox_ctx_set_dev_root(e->ctx, "/fake-dev"), 0);
	return e;
}

static struct vfiox_monitor *mon_new(struct env *e)
{
	struct vfiox_monitor *m = NULL;
	int ret = vfiox_monitor_new(e->ctx, VFIOX_MONITOR_KERNEL, &m);

	if (ret)
		fail_msg("vfiox_monitor_new = %d: %s", ret, vfiox_ctx_last_error(e->ctx));
	assert_string_equal(vfiox_monitor_source(m), "kernel");
	assert_true(vfiox_monitor_fd(m) >= 0);
	return m;
}

static void test_monitor_unbind_names_the_driver_bound_at_start(void **state)
{
	struct env *e = mon_env();
	struct vfiox_monitor *m = mon_new(e);
	struct vfiox_event ev;

	(void)state;
	push((const char *const[]){ "ACTION=unbind", "SUBSYSTEM=pci", "PCI_SLOT_NAME=" EDU,
				    "SEQNUM=1", NULL });
	assert_int_equal(vfiox_monitor_next(m, 0, &ev), 1);
	assert_int_equal(ev.type, VFIOX_EVENT_PCI_UNBIND);
	assert_string_equal(ev.device, EDU);
	assert_string_equal(ev.driver, "vfio-pci"); /* from the fixture's driver link */
	assert_int_equal(ev.group, 12);             /* from its iommu_group link */
	assert_int_equal(unrefs, 1);
	vfiox_monitor_free(m);
	env_free(e);
}

static void test_monitor_follows_binds_and_forgets_removed_devices(void **state)
{
	struct env *e = mon_env();
	struct vfiox_monitor *m = mon_new(e);
	struct vfiox_event ev;

	(void)state;
	push((const char *const[]){ "ACTION=unbind", "SUBSYSTEM=pci", "PCI_SLOT_NAME=" NVME, NULL });
	push((const char *const[]){ "ACTION=bind", "SUBSYSTEM=pci", "PCI_SLOT_NAME=" NVME,
				    "DRIVER=vfio-pci", NULL });
	push((const char *const[]){ "ACTION=unbind", "SUBSYSTEM=pci", "PCI_SLOT_NAME=" NVME, NULL });
	push((const char *const[]){ "ACTION=unbind", "SUBSYSTEM=pci", "PCI_SLOT_NAME=" NVME, NULL });
	push((const char *const[]){ "ACTION=bind", "SUBSYSTEM=pci", "PCI_SLOT_NAME=0000:05:00.0",
				    "DRIVER=ixgbe", NULL });
	push((const char *const[]){ "ACTION=remove", "SUBSYSTEM=pci",
				    "PCI_SLOT_NAME=0000:05:00.0", "DRIVER=ixgbe", NULL });
	push((const char *const[]){ "ACTION=unbind", "SUBSYSTEM=pci",
				    "PCI_SLOT_NAME=0000:05:00.0", NULL });
	assert_int_equal(vfiox_monitor_next(m, 0, &ev), 1);
	assert_string_equal(ev.driver, "nvme");
	assert_int_equal(vfiox_monitor_next(m, 0, &ev), 1);
	assert_int_equal(ev.type, VFIOX_EVENT_PCI_BIND);
	assert_string_equal(ev.driver, "vfio-pci");
	assert_int_equal(ev.group, 13);
	assert_int_equal(vfiox_monitor_next(m, 0, &ev), 1);
	assert_string_equal(ev.driver, "vfio-pci");
	/* A second unbind: no driver was bound in between */
	assert_int_equal(vfiox_monitor_next(m, 0, &ev), 1);
	assert_string_equal(ev.driver, "");
	/* A device the fixture does not have: no group */
	assert_int_equal(vfiox_monitor_next(m, 0, &ev), 1);
	assert_int_equal(ev.group, -1);
	assert_int_equal(vfiox_monitor_next(m, 0, &ev), 1);
	assert_int_equal(ev.type, VFIOX_EVENT_PCI_REMOVE);
	assert_int_equal(vfiox_monitor_next(m, 0, &ev), 1);
	assert_string_equal(ev.driver, "");
	assert_int_equal(unrefs, 7);
	vfiox_monitor_free(m);
	env_free(e);
}

static void test_monitor_skips_foreign_and_malformed_events(void **state)
{
	struct env *e = mon_env();
	struct vfiox_monitor *m = mon_new(e);
	struct vfiox_event ev;

	(void)state;
	push((const char *const[]){ "ACTION=add", "SUBSYSTEM=block", "DEVNAME=sda", NULL });
	push((const char *const[]){ "ACTION=add", "SUBSYSTEM=vfio", "DEVNAME=vfio/x", NULL });
	push((const char *const[]){ "ACTION=add", "SUBSYSTEM=vfio", "DEVNAME=vfio/12", NULL });
	assert_int_equal(vfiox_monitor_next(m, 0, &ev), 1);
	assert_int_equal(ev.type, VFIOX_EVENT_GROUP_ADD);
	assert_int_equal(ev.group, 12);
	assert_string_equal(ev.devnode, "/fake-dev/vfio/12");
	assert_int_equal(unrefs, 3);
	assert_non_null(strstr(e->log, "skipped a malformed event"));
	vfiox_monitor_free(m);
	env_free(e);
}

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_monitor_timeout_returns_zero(void **state)
{
	struct env *e = mon_env();
	struct vfiox_monitor *m = mon_new(e);
	struct vfiox_event ev;
	long long t0;

	(void)state;
	assert_int_equal(vfiox_monitor_next(m, 0, &ev), 0);
	t0 = ms_now();
	assert_int_equal(vfiox_monitor_next(m, 60, &ev), 0);
	assert_true(ms_now() - t0 >= 59);
	/* Only foreign events in the queue: still a timeout */
	push((const char *const[]){ "ACTION=add", "SUBSYSTEM=net", "INTERFACE=eth0", NULL });
	assert_int_equal(vfiox_monitor_next(m, 20, &ev), 0);
	assert_int_equal(unrefs, 1);
	vfiox_monitor_free(m);
	vfiox_monitor_free(NULL);
	env_free(e);
}

static void test_monitor_refuses_both_sources(void **state)
{
	struct env *e = mon_env();
	struct vfiox_monitor *m = (struct vfiox_monitor *)1;

	(void)state;
	assert_int_equal(vfiox_monitor_new(e->ctx, VFIOX_MONITOR_KERNEL | VFIOX_MONITOR_UDEV, &m),
			 -EINVAL);
	assert_null(m);
	assert_non_null(strstr(vfiox_ctx_last_error(e->ctx), "not both"));
	env_free(e);
}

#define T(f) cmocka_unit_test_setup_teardown(f, q_reset, env_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_decode_kernel_bind_event),
		T(test_decode_every_pci_action),
		T(test_decode_unbind_has_no_driver_from_the_kernel),
		T(test_decode_address_from_devpath_when_no_slot_name),
		T(test_decode_group_nodes_kernel_and_udev_form),
		T(test_decode_skips_other_subsystems),
		T(test_decode_rejects_malformed_events),
		T(test_decode_stops_at_the_given_length),
		T(test_monitor_unbind_names_the_driver_bound_at_start),
		T(test_monitor_follows_binds_and_forgets_removed_devices),
		T(test_monitor_skips_foreign_and_malformed_events),
		T(test_monitor_timeout_returns_zero),
		T(test_monitor_refuses_both_sources),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
