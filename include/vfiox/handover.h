/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef VFIOX_HANDOVER_H
#define VFIOX_HANDOVER_H

#include <stddef.h>

#include <vfiox/ctx.h>
#include <vfiox/vfio.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: hand-over bundles
 *
 * A &struct vfiox_bundle is what a program needs to drive a set of devices without
 * opening anything under /dev/vfio itself, over one of the two IOMMU backends
 * (<vfiox/iommufd.h>):
 *
 * - type1: one container with the IOMMU model set, the groups of the devices attached to
 *   it (each viable), and optionally the device fds;
 * - iommufd: one open /dev/iommu with nothing allocated in it, and the VFIO cdev of each
 *   device (/dev/vfio/devices/vfioN), open but not bound: a cdev binds once, so the
 *   receiver binds it to the iommufd (and so can QEMU).
 *
 * The privileged side opens a bundle with vfiox_bundle_open() or
 * vfiox_bundle_open_backend() and hands its fds over (vfioctl exec, pass, serve, qmp);
 * the unprivileged side adopts one with vfiox_bundle_listen_fds() (systemd's LISTEN_FDS
 * convention) or vfiox_bundle_recv() (a message on a SOCK_SEQPACKET socket, see
 * vfiox_bundle_send()). Either way the fds end up in the same handles the rest of the
 * library uses: vfiox_bundle_container() (a type1 container, or an iommufd container with
 * an IOAS the receiver allocated), vfiox_bundle_group() (type1 only),
 * vfiox_bundle_device().
 *
 * Each fd has a kind (&enum vfiox_handover_kind), a group number, for devices and cdevs
 * an address, and a name in the LISTEN_FDNAMES form: "vfio-container", "vfio-group-N",
 * "vfio-device-DDDD-BB-SS.F", "iommufd", "vfio-cdev-DDDD-BB-SS.F" (the address with its
 * colons as dashes). The fds are in that order: the container, the groups by number, the
 * devices by address; or the iommufd, then the cdevs by address. A bundle is one or the
 * other, never both.
 *
 * The message (version 1) is text, one line per fd in fd order, at most
 * VFIOX_HANDOVER_MAX_MSG bytes, sent as one packet with the fds in SCM_RIGHTS:
 *
 *	vfiox-handover 1            vfiox-handover 1
 *	iommu type1v2               iommu iommufd
 *	container                   iommufd
 *	group 12                    cdev 0000:03:00.0 12
 *	device 0000:03:00.0 12      end
 *	end
 *
 * (the cdev line names the device's IOMMU group for the record; no group fd goes with
 * it). A broker that refuses a peer sends "vfiox-handover 1", "error TEXT", "end" and no
 * fd. Nothing received is trusted: every fd is checked against its description (fstat and
 * an ioctl probe) before it is adopted, and on any failure every received fd is closed.
 */
struct vfiox_bundle;

/* The message format's version, the first line's number. */
#define VFIOX_HANDOVER_VERSION 1
/* Most bytes in one message; a longer one is refused. */
#define VFIOX_HANDOVER_MAX_MSG 4096
/* Most fds in one bundle (the container, groups and devices, or the iommufd and cdevs). */
#define VFIOX_HANDOVER_MAX_FDS 64

enum vfiox_handover_kind {
	VFIOX_HANDOVER_CONTAINER = 1, /* /dev/vfio/vfio, IOMMU model set */
	VFIOX_HANDOVER_GROUP = 2,     /* /dev/vfio/N, viable and attached to the container */
	VFIOX_HANDOVER_DEVICE = 3,    /* a device fd of an attached group */
	VFIOX_HANDOVER_IOMMUFD = 4,   /* /dev/iommu, nothing allocated in it */
	VFIOX_HANDOVER_CDEV = 5,      /* /dev/vfio/devices/vfioN of a device, not bound */
};

/* Flags of vfiox_bundle_open(). */
#define VFIOX_BUNDLE_DEVICE_FDS (1u << 0) /* open each named device's fd, too */

/* Flags of vfiox_bundle_listen_fds(). */
#define VFIOX_LISTEN_UNSETENV (1u << 0) /* remove LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES */

/**
 * vfiox_bundle_open() - open what a set of devices needs, for handing it over
 * @ctx: the context
 * @groups: IOMMU group numbers, or NULL when @num_groups is 0
 * @num_groups: entries in @groups
 * @devices: PCI addresses ("0000:03:00.0"); their groups are added to @groups
 * @num_devices: entries in @devices
 * @flags: VFIOX_BUNDLE_DEVICE_FDS to open the devices' fds as well
 * @bp: receives the bundle; free it with vfiox_bundle_free()
 *
 * Opens one container, every group (each must be viable: the last error names what
 * keeps one from being), attaches them (the first sets the IOMMU model, type1v2 when
 * offered) and, with VFIOX_BUNDLE_DEVICE_FDS, the device fds. On failure nothing stays
 * open. Always type1; vfiox_bundle_open_backend() chooses.
 *
 * Return: 0; -EINVAL for no group and no device, a malformed address or more than
 * VFIOX_HANDOVER_MAX_FDS fds; -ENODEV for a device that does not exist or is in no
 * group; the errors of vfiox_container_open(), vfiox_vgroup_open(),
 * vfiox_container_attach() and vfiox_device_open().
 */
int vfiox_bundle_open(struct vfiox_ctx *ctx, const int *groups, size_t num_groups,
		      const char *const *devices, size_t num_devices, unsigned int flags,
		      struct vfiox_bundle **bp);

/**
 * vfiox_bundle_open_backend() - open what a set of devices needs, over a chosen backend
 * @ctx: the context
 * @groups: IOMMU group numbers, or NULL when @num_groups is 0
 * @num_groups: entries in @groups
 * @devices: PCI addresses ("0000:03:00.0")
 * @num_devices: entries in @devices
 * @flags: VFIOX_BUNDLE_DEVICE_FDS (type1: open the devices' fds as well)
 * @backend: an &enum vfiox_backend (<vfiox/iommufd.h>): VFIOX_BACKEND_TYPE1 opens what
 *	vfiox_bundle_open() opens; VFIOX_BACKEND_IOMMUFD opens /dev/iommu (nothing allocated
 *	in it) and the cdev of every named device and of every device on a VFIO driver in
 *	each of @groups, none of them bound (the receiver binds them); VFIOX_BACKEND_AUTO
 *	takes iommufd when every one of those devices offers it (vfiox_backend_choose()),
 *	type1 otherwise
 * @bp: receives the bundle; free it with vfiox_bundle_free()
 *
 * For iommufd each device's group must be viable (the kernel's bind claims the whole
 * group) and open nowhere through /dev/vfio/N, and its cdev open nowhere else: the last
 * error names the holder. vfiox_bundle_backend() says which backend was taken. An iommufd
 * bundle opened here has no handles, only fds: vfiox_bundle_container() and
 * vfiox_bundle_device() return NULL for it. On failure nothing stays open.
 *
 * Return: as vfiox_bundle_open(); for iommufd also -ENODEV (no /dev/iommu, no cdev, a
 * group with no device on vfio-pci), -EPERM (a group not viable), -EBUSY (a group or
 * cdev held), -EINVAL for an unknown @backend.
 */
int vfiox_bundle_open_backend(struct vfiox_ctx *ctx, const int *groups, size_t num_groups,
			      const char *const *devices, size_t num_devices, unsigned int flags,
			      int backend, struct vfiox_bundle **bp);

/**
 * vfiox_bundle_backend() - which IOMMU backend a bundle's fds are for
 * @b: the bundle
 *
 * Return: VFIOX_BACKEND_TYPE1 (container, groups, devices) or VFIOX_BACKEND_IOMMUFD (an
 * iommufd and cdevs).
 */
int vfiox_bundle_backend(const struct vfiox_bundle *b);

/**
 * vfiox_bundle_free() - close every handle of a bundle and free it
 * @b: the bundle, or NULL
 *
 * Groups the bundle received attached are not detached: the container they are in
 * belongs to whoever attached them.
 */
void vfiox_bundle_free(struct vfiox_bundle *b);

/**
 * vfiox_bundle_num_fds() - how many fds the bundle holds
 * @b: the bundle
 *
 * Return: the count, the container included.
 */
size_t vfiox_bundle_num_fds(const struct vfiox_bundle *b);

/**
 * vfiox_bundle_fd() - one of the bundle's fds (owned by the bundle)
 * @b: the bundle
 * @i: 0 .. vfiox_bundle_num_fds() - 1
 *
 * Return: the fd; -EINVAL for @i out of range.
 */
int vfiox_bundle_fd(const struct vfiox_bundle *b, size_t i);

/**
 * vfiox_bundle_fd_kind() - what one of the bundle's fds is
 * @b: the bundle
 * @i: 0 .. vfiox_bundle_num_fds() - 1
 *
 * Return: an &enum vfiox_handover_kind; -EINVAL for @i out of range.
 */
int vfiox_bundle_fd_kind(const struct vfiox_bundle *b, size_t i);

/**
 * vfiox_bundle_fd_group() - the IOMMU group of one of the bundle's fds
 * @b: the bundle
 * @i: 0 .. vfiox_bundle_num_fds() - 1
 *
 * Return: the group number of a group, device or cdev fd; -1 for the container and the
 * iommufd, and for a device or cdev adopted from LISTEN_FDNAMES (whose names carry no
 * group); -EINVAL for @i out of range.
 */
int vfiox_bundle_fd_group(const struct vfiox_bundle *b, size_t i);

/**
 * vfiox_bundle_fd_device() - the PCI address of a device or cdev fd
 * @b: the bundle
 * @i: 0 .. vfiox_bundle_num_fds() - 1
 *
 * Return: "0000:03:00.0", owned by the bundle; NULL for a container, group or iommufd fd
 * or @i out of range.
 */
const char *vfiox_bundle_fd_device(const struct vfiox_bundle *b, size_t i);

/**
 * vfiox_bundle_fd_name() - the LISTEN_FDNAMES name of one of the bundle's fds
 * @b: the bundle
 * @i: 0 .. vfiox_bundle_num_fds() - 1
 *
 * Return: "vfio-container", "vfio-group-12", "vfio-device-0000-03-00.0", "iommufd" or
 * "vfio-cdev-0000-03-00.0", owned by the bundle; NULL for @i out of range.
 */
const char *vfiox_bundle_fd_name(const struct vfiox_bundle *b, size_t i);

/**
 * vfiox_bundle_iommu_model() - the IOMMU model of the bundle's container
 * @b: the bundle
 *
 * Return: an &enum vfiox_iommu_model; VFIOX_IOMMU_IOMMUFD for an iommufd bundle.
 */
int vfiox_bundle_iommu_model(const struct vfiox_bundle *b);

/**
 * vfiox_bundle_container() - the bundle's container (owned by the bundle)
 * @b: the bundle
 *
 * Return: the container: type1, or (a received iommufd bundle) the iommufd with the IOAS
 * the receiver allocated in it; map DMA in it with vfiox_dma_map(). NULL for an iommufd
 * bundle opened for handing over (it holds the fds only).
 */
struct vfiox_container *vfiox_bundle_container(const struct vfiox_bundle *b);

/**
 * vfiox_bundle_group() - one of the bundle's groups (owned by the bundle)
 * @b: the bundle
 * @id: the group number
 *
 * Return: the group, attached to the bundle's container; NULL when the bundle has no
 * group @id (an iommufd bundle has none). vfiox_device_open() on it gives the devices the
 * bundle has no fd for.
 */
struct vfiox_vgroup *vfiox_bundle_group(const struct vfiox_bundle *b, int id);

/**
 * vfiox_bundle_device() - one of the bundle's device fds as a device (owned by the bundle)
 * @b: the bundle
 * @addr: the PCI address, in any form vfiox_pci_addr_parse() reads
 *
 * Return: the device (a received cdev: bound to the iommufd and attached to its IOAS);
 * NULL when the bundle holds no fd for @addr, or holds only its unbound cdev (an iommufd
 * bundle opened for handing over).
 */
struct vfiox_device *vfiox_bundle_device(const struct vfiox_bundle *b, const char *addr);

/**
 * vfiox_bundle_describe() - the bundle's hand-over message
 * @b: the bundle
 * @buf: receives the message (NUL-terminated)
 * @len: size of @buf; VFIOX_HANDOVER_MAX_MSG + 1 always suffices
 *
 * The text vfiox_bundle_send() sends, for logs and for programs that pass the fds by a
 * way of their own.
 *
 * Return: the message's length without the NUL; -ENOSPC when @buf is too small.
 */
int vfiox_bundle_describe(const struct vfiox_bundle *b, char *buf, size_t len);

/**
 * vfiox_bundle_send() - send the bundle's fds and description on a socket
 * @b: the bundle
 * @sock: a connected AF_UNIX SOCK_SEQPACKET socket
 * @timeout_ms: how long to wait for room in the socket; -1 forever, 0 not at all
 *
 * One packet: the message and every fd in one SCM_RIGHTS. The bundle keeps its fds.
 *
 * Return: 0; -ETIMEDOUT when the peer did not take the message in time; -EPIPE or
 * -ECONNRESET when it went away; other -errno of sendmsg().
 */
int vfiox_bundle_send(struct vfiox_bundle *b, int sock, int timeout_ms);

/**
 * vfiox_handover_refuse() - tell a peer that it gets no bundle, and why
 * @ctx: the context
 * @sock: a connected AF_UNIX SOCK_SEQPACKET socket
 * @reason: one line, shown to the peer ("uid 1000 is not allowed ...")
 * @timeout_ms: as for vfiox_bundle_send()
 *
 * The receiver's vfiox_bundle_recv() fails with -EACCES and @reason in its last error.
 *
 * Return: 0; -EINVAL for a reason with a newline or longer than fits in a message; the
 * errors of vfiox_bundle_send().
 */
int vfiox_handover_refuse(struct vfiox_ctx *ctx, int sock, const char *reason, int timeout_ms);

/**
 * vfiox_bundle_recv() - receive a bundle on a socket and adopt it
 * @ctx: the context
 * @sock: a connected AF_UNIX SOCK_SEQPACKET socket
 * @timeout_ms: how long to wait for the message; -1 forever
 * @bp: receives the bundle; free it with vfiox_bundle_free()
 *
 * Checks every fd against its description before adopting it: the container is
 * /dev/vfio/vfio (fstat) and answers VFIO_GET_API_VERSION with an IOMMU model set; a
 * group is the character device /dev/vfio/N of its number and reports viable and
 * attached; a device is a VFIO device fd of a PCI device; the iommufd is the character
 * device <sysfs>/class/misc/iommu/dev names (else /dev/iommu's), and a cdev the one
 * <sysfs>/bus/pci/devices/ADDR/vfio-dev/vfioN/dev names (else its node's). Then an
 * iommufd bundle is adopted: an IOAS allocated (vfiox_iommufd_adopt()), each cdev bound
 * and attached (vfiox_device_adopt_cdev()). On any failure every fd that arrived is
 * closed.
 *
 * Return: 0; -ETIMEDOUT; -ECONNRESET when the peer closed without a message; -EACCES
 * when the peer refused us (its reason in the last error); -EMSGSIZE for a message
 * longer than VFIOX_HANDOVER_MAX_MSG or with more fds than VFIOX_HANDOVER_MAX_FDS;
 * -EBADMSG for a message that does not parse or whose fd count differs from its
 * description; -EPROTO for another version; -EBADF for an fd that is not what its
 * description says; -ESOCKTNOSUPPORT when @sock is not SOCK_SEQPACKET; the errors of
 * vfiox_iommufd_adopt() and vfiox_device_adopt_cdev() (-EBUSY: a cdev already bound).
 */
int vfiox_bundle_recv(struct vfiox_ctx *ctx, int sock, int timeout_ms, struct vfiox_bundle **bp);

/**
 * vfiox_bundle_listen_fds() - adopt a bundle passed as systemd passes sockets
 * @ctx: the context
 * @flags: VFIOX_LISTEN_UNSETENV to remove the three variables afterwards
 * @bp: receives the bundle; free it with vfiox_bundle_free()
 *
 * Reads LISTEN_PID (must be this process), LISTEN_FDS (the fds from 3 on) and
 * LISTEN_FDNAMES (one name per fd, colon-separated: "vfio-container", "vfio-group-N",
 * "vfio-device-DDDD-BB-SS.F", or "iommufd", "vfio-cdev-DDDD-BB-SS.F"), sets FD_CLOEXEC
 * on each fd, checks each as vfiox_bundle_recv() does and adopts them. The type1 IOMMU
 * model is taken as type1v2 when the kernel offers it (the names do not carry it). On any
 * failure every fd from 3 to 3 + LISTEN_FDS - 1 is closed.
 *
 * Return: 0; -ENOENT when LISTEN_FDS is not set or LISTEN_PID is another process;
 * -EBADMSG for variables that do not parse, a name count that differs from LISTEN_FDS or
 * no container; -EMSGSIZE for more than VFIOX_HANDOVER_MAX_FDS fds; -EBADF for an fd that
 * is not what its name says.
 */
int vfiox_bundle_listen_fds(struct vfiox_ctx *ctx, unsigned int flags, struct vfiox_bundle **bp);

/**
 * vfiox_device_revoke() - ask whoever holds a device to release it, then give it back
 * @ctx: the context
 * @dev: the device's address, on vfio-pci
 * @timeout_ms: how long the holders have to let go; negative: 10000
 *
 * Raises the device's REQ interrupt in every process holding its group (through a
 * duplicate of the holder's group fd, pidfd_getfd(2), and a loopback trigger; no unbind is
 * started, since the kernel could not call one off) or its cdev (/dev/vfio/devices/vfioN:
 * the duplicate of that fd is a device fd itself), and waits for both to be closed
 * everywhere. Then the device goes back to the driver the journal recorded
 * (vfiox_bind_restore()). Needs root (CAP_SYS_PTRACE over the holders).
 *
 * Return: 0 when released and restored; 1 when released but the journal has no entry for
 * @dev (it stays on vfio-pci; the last error says so); -EBUSY when a holder is still there
 * after @timeout_ms or has no REQ interrupt enabled: the last error names it and nothing
 * was changed; -EINVAL when @dev is not on vfio-pci; -EPERM when a holder cannot be
 * reached; the errors of vfiox_bind_restore().
 */
int vfiox_device_revoke(struct vfiox_ctx *ctx, const char *dev, int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* VFIOX_HANDOVER_H */
