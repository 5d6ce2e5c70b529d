/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef VFIOX_MONITOR_H
#define VFIOX_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include <vfiox/ctx.h>
#include <vfiox/pci.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: the event stream
 *
 * A &struct vfiox_monitor listens to the kernel's device events (uevents) through libudev
 * and turns those that matter for VFIO into a &struct vfiox_event: a PCI device added or
 * removed, bound to a driver or unbound, and an IOMMU group's /dev/vfio node created or
 * removed (vfio-pci creates it with the first device of the group it takes and removes it
 * with the last).
 *
 * Events come from udevd after it has processed them (its rules have run, so the node
 * exists with its permissions) when udevd runs, else straight from the kernel (hosts and
 * containers without udevd, initramfs shells). A bind is preceded by the group's node
 * event when vfio-pci takes the first device of a group; an unbind follows the node's
 * removal.
 */
struct vfiox_monitor;

/* Kinds of &struct vfiox_event. */
enum vfiox_event_type {
	VFIOX_EVENT_PCI_ADD = 1,    /* a PCI device appeared (hotplug, VF created, rescan) */
	VFIOX_EVENT_PCI_REMOVE,     /* a PCI device went away */
	VFIOX_EVENT_PCI_BIND,       /* a driver took a PCI device */
	VFIOX_EVENT_PCI_UNBIND,     /* a driver let a PCI device go */
	VFIOX_EVENT_PCI_CHANGE,     /* the kernel reported a change (e.g. AER recovery) */
	VFIOX_EVENT_GROUP_ADD,      /* /dev/vfio/N appeared */
	VFIOX_EVENT_GROUP_REMOVE,   /* /dev/vfio/N went away */
};

/**
 * struct vfiox_event - one decoded event
 * @type: an &enum vfiox_event_type
 * @seqnum: the kernel's sequence number of the uevent (0 when absent)
 * @device: PCI events: the device's address ("0000:02:01.0"); group events: ""
 * @driver: bind: the driver that took the device; unbind: the driver that let it go when
 *	the monitor saw it bound (from its start or a bind event), else ""; otherwise the
 *	bound driver as the kernel reported it, "" for none
 * @vendor_id: PCI events: vendor id (0 when the kernel did not say)
 * @device_id: PCI events: device id
 * @class_code: PCI events: 24-bit class code
 * @group: group events: the group number; PCI events: the device's IOMMU group read
 *	from sysfs when the event arrived, -1 when it has none or is gone
 * @noiommu: group events: a no-IOMMU group (/dev/vfio/noiommu-N)
 * @devnode: group events: the node's path under the context's device root
 *	("/dev/vfio/12"); "" otherwise
 */
struct vfiox_event {
	int type;
	uint64_t seqnum;
	char device[VFIOX_PCI_ADDR_STRLEN];
	char driver[64];
	uint16_t vendor_id;
	uint16_t device_id;
	uint32_t class_code;
	int group;
	bool noiommu;
	char devnode[128];
};

/* Flags for vfiox_monitor_new(). */
enum vfiox_monitor_flags {
	VFIOX_MONITOR_KERNEL = 1 << 0, /* listen to the kernel even when udevd runs */
	VFIOX_MONITOR_UDEV = 1 << 1,   /* listen to udevd even when it does not seem to run */
};

/**
 * vfiox_monitor_new() - start listening
 * @ctx: the context (its sysfs and device roots name devices and nodes)
 * @flags: &enum vfiox_monitor_flags; 0 picks udevd when /run/udev/control exists, else
 *	the kernel
 * @mp: receives the monitor (NULL on failure); free it with vfiox_monitor_free()
 *
 * Events that happen after this call returns are delivered; the drivers bound at this
 * moment are read from sysfs so that unbind events can name the driver.
 *
 * Return: 0; -EINVAL for both flags at once; -EPERM or -EACCES when the netlink socket is
 * refused; -ENOMEM; other -errno.
 */
int vfiox_monitor_new(struct vfiox_ctx *ctx, unsigned int flags, struct vfiox_monitor **mp);

/**
 * vfiox_monitor_free() - stop listening
 * @m: the monitor, or NULL
 */
void vfiox_monitor_free(struct vfiox_monitor *m);

/**
 * vfiox_monitor_source() - where the events come from
 * @m: the monitor
 *
 * Return: "udev" or "kernel", a static string.
 */
const char *vfiox_monitor_source(const struct vfiox_monitor *m);

/**
 * vfiox_monitor_fd() - a file descriptor to poll for readability
 * @m: the monitor
 *
 * Readable when an event may be pending; call vfiox_monitor_next() with timeout 0 then.
 *
 * Return: the fd, owned by the monitor.
 */
int vfiox_monitor_fd(const struct vfiox_monitor *m);

/**
 * vfiox_monitor_next() - wait for the next event of interest
 * @m: the monitor
 * @timeout_ms: how long to wait; 0 does not wait, negative waits without limit
 * @ev: receives the event
 *
 * Events of other subsystems and malformed messages are skipped (the latter with a
 * debug message).
 *
 * Return: 1 with @ev filled; 0 when @timeout_ms passed without an event; -errno when
 * receiving failed (-ENOBUFS: the socket's buffer overflowed and events were lost).
 */
int vfiox_monitor_next(struct vfiox_monitor *m, int timeout_ms, struct vfiox_event *ev);

/**
 * vfiox_monitor_udev_property() - what udevd added to the last event
 * @m: the monitor
 * @i: 0 for the first property, 1 for the next, ...
 *
 * udevd passes an event on with the properties its rules and builtins added (the hwdb's
 * ID_VENDOR_FROM_DATABASE and ID_MODEL_FROM_DATABASE, ID_PATH, USEC_INITIALIZED, TAGS,
 * a rule's ENV{...}); the kernel's own keys (ACTION, DEVPATH, DRIVER, PCI_ID, MAJOR, ...)
 * are left out. Valid until the next vfiox_monitor_next() or vfiox_monitor_free().
 *
 * Return: the @i-th property as "KEY=value", in udevd's order; NULL past the last one,
 * before the first event, and always for a monitor of the kernel's events.
 */
const char *vfiox_monitor_udev_property(const struct vfiox_monitor *m, size_t i);

/**
 * vfiox_event_type_name() - the name of an event type
 * @type: an &enum vfiox_event_type
 *
 * Return: "add", "remove", "bind", "unbind", "change", "group-add", "group-remove", or
 * "unknown"; a static string.
 */
const char *vfiox_event_type_name(int type);

#ifdef __cplusplus
}
#endif

#endif /* VFIOX_MONITOR_H */
