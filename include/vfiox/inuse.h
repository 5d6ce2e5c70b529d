/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef VFIOX_INUSE_H
#define VFIOX_INUSE_H

#include <stddef.h>

#include <vfiox/pci.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: is a device in use by the host?
 *
 * Before a device leaves its host driver for vfio-pci, the host should not be using it:
 * unbinding a network card that carries addresses or routes cuts the host off that
 * network, unbinding a storage controller whose disks are mounted or used as swap loses
 * data or crashes the host, and unbinding the boot VGA device under the console leaves
 * the host without a screen.
 *
 * vfiox_pci_dev_uses() looks for exactly these uses and returns a list of findings, each
 * with a kind, the object in use, a sentence saying why that matters and the way out:
 *
 * - "netdev": a network interface of the device (sysfs <dev>/net/) that is up, has
 *   addresses or is named by routes. The kernel is asked over rtnetlink.
 * - "mount": a disk or partition of the device (sysfs block devices below it: NVMe
 *   namespaces, SCSI/ATA disks, their partitions, and dm/md devices built on them) that
 *   is mounted (<proc>/self/mountinfo).
 * - "swap": such a block device used as swap (<proc>/swaps).
 * - "holder": such a block device that is part of a dm or md device (<block>/holders/)
 *   that is neither mounted nor swap itself; the stacked device would lose its disk.
 * - "console": the boot VGA device (boot_vga = 1) with a console on it: a framebuffer
 *   console bound (sysfs class/vtconsole/vtcon*, bind = 1, on a framebuffer of the
 *   device), or efifb/simplefb/vesafb drawing into its memory.
 *
 * The list is a snapshot taken at the call; it owns its strings.
 */
struct vfiox_uses;

/**
 * vfiox_pci_dev_uses() - what of the host uses a PCI device now
 * @dev: the device
 * @usesp: receives the findings (possibly none); free them with vfiox_uses_free()
 *
 * Every path is taken under the roots of the device's context (sysfs, proc); the network
 * facts come from the kernel's rtnetlink. Nothing is changed.
 *
 * Return: 0, and *@usesp set; -ENOMEM; -errno when sysfs, proc or netlink could not be
 * read (the last error says which; *@usesp is then NULL).
 */
int vfiox_pci_dev_uses(struct vfiox_pci_dev *dev, struct vfiox_uses **usesp);

/**
 * vfiox_group_uses() - the uses of every member of an IOMMU group, in member order
 * @group: the group
 * @usesp: receives the findings of all members; free them with vfiox_uses_free()
 *
 * The same findings as vfiox_pci_dev_uses() for each member, in one list;
 * vfiox_uses_dev() names the member each finding belongs to.
 *
 * Return: as vfiox_pci_dev_uses().
 */
int vfiox_group_uses(struct vfiox_group *group, struct vfiox_uses **usesp);

/**
 * vfiox_uses_count() - number of findings
 * @u: the findings
 *
 * Return: the count; 0 means the device is not in use by the host.
 */
size_t vfiox_uses_count(const struct vfiox_uses *u);

/**
 * vfiox_uses_dev() - the PCI device a finding belongs to ("0000:00:02.0")
 * @u: the findings
 * @i: 0 .. vfiox_uses_count() - 1
 *
 * Return: the address, owned by @u; NULL when @i is out of range.
 */
const char *vfiox_uses_dev(const struct vfiox_uses *u, size_t i);

/**
 * vfiox_uses_kind() - the kind of a finding
 * @u: the findings
 * @i: 0 .. vfiox_uses_count() - 1
 *
 * Return: "netdev", "mount", "swap", "holder" or "console" (see the DOC section), owned
 * by @u; NULL when @i is out of range.
 */
const char *vfiox_uses_kind(const struct vfiox_uses *u, size_t i);

/**
 * vfiox_uses_what() - the object in use
 * @u: the findings
 * @i: 0 .. vfiox_uses_count() - 1
 *
 * For example "enp0s2", "/dev/nvme0n1p1 on /mnt", "/dev/nvme0n1p2 (swap)", "fbcon on fb0".
 *
 * Return: the text, owned by @u; NULL when @i is out of range.
 */
const char *vfiox_uses_what(const struct vfiox_uses *u, size_t i);

/**
 * vfiox_uses_reason() - why the finding makes the device in use, as a sentence
 * @u: the findings
 * @i: 0 .. vfiox_uses_count() - 1
 *
 * For example "interface enp0s2 of 0000:00:02.0 is up and has addresses 10.0.2.15/24;
 * taking the device away cuts the host off that network".
 *
 * Return: the text, owned by @u; NULL when @i is out of range.
 */
const char *vfiox_uses_reason(const struct vfiox_uses *u, size_t i);

/**
 * vfiox_uses_fix() - the way out: what to do so the device is no longer in use
 * @u: the findings
 * @i: 0 .. vfiox_uses_count() - 1
 *
 * For example "ip addr flush dev enp0s2 && ip link set enp0s2 down", "umount /mnt",
 * "swapoff /dev/nvme0n1p2".
 *
 * Return: the text, owned by @u; NULL when @i is out of range.
 */
const char *vfiox_uses_fix(const struct vfiox_uses *u, size_t i);

/**
 * vfiox_uses_free() - release findings
 * @u: the findings, or NULL
 */
void vfiox_uses_free(struct vfiox_uses *u);

#ifdef __cplusplus
}
#endif

#endif /* VFIOX_INUSE_H */
