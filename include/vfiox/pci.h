/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef VFIOX_PCI_H
#define VFIOX_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vfiox/ctx.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct vfiox_pci_addr - a PCI function address (domain:bus:device.function)
 * @domain: PCI segment, 0..0xffffffff as sysfs allows
 * @bus: 0..255
 * @dev: 0..31
 * @func: 0..7
 */
struct vfiox_pci_addr {
	uint32_t domain;
	uint8_t bus;
	uint8_t dev;
	uint8_t func;
};

/* Room for "dddddddd:bb:dd.f" and the terminating NUL. */
#define VFIOX_PCI_ADDR_STRLEN 17

/**
 * vfiox_pci_addr_parse() - parse "DDDD:BB:DD.F" or "BB:DD.F"
 * @str: the text; hexadecimal fields, domain of 1-8 digits, bus 1-2, device 1-2, function 1
 * @addr: receives the address; domain 0 when the text has none
 *
 * Return: 0, or -EINVAL when the text is not an address or a field is out of range.
 */
int vfiox_pci_addr_parse(const char *str, struct vfiox_pci_addr *addr);

/**
 * vfiox_pci_addr_format() - write an address the way sysfs names it ("0000:03:00.0")
 * @addr: the address
 * @buf: output buffer
 * @len: its size; VFIOX_PCI_ADDR_STRLEN always suffices
 *
 * Return: the length written (without NUL), or -ENOSPC when @len is too small.
 */
int vfiox_pci_addr_format(const struct vfiox_pci_addr *addr, char *buf, size_t len);

/**
 * vfiox_pci_addr_cmp() - order two addresses by domain, bus, device, function
 * @a: first address
 * @b: second address
 *
 * Return: negative, 0 or positive like strcmp().
 */
int vfiox_pci_addr_cmp(const struct vfiox_pci_addr *a, const struct vfiox_pci_addr *b);

/**
 * DOC: scans
 *
 * A &struct vfiox_scan is a snapshot of the PCI devices and IOMMU groups under the
 * context's sysfs root, read with readdir/openat only. Devices (&struct vfiox_pci_dev) and
 * groups (&struct vfiox_group) belong to the scan and live until vfiox_scan_free().
 * Attributes that are not needed to list devices (NUMA node, reset methods, SR-IOV,
 * names, capabilities) are read on first use and then kept.
 */
struct vfiox_scan;
struct vfiox_pci_dev;
struct vfiox_group;

/**
 * vfiox_scan_new() - take a snapshot of PCI devices and IOMMU groups
 * @ctx: the context
 * @scanp: receives the scan
 *
 * Return: 0; -ENOENT when the sysfs root has no bus/pci/devices; -ENOMEM; another -errno
 * when sysfs cannot be read. A host without IOMMU groups is not an error: the scan then
 * has devices and no groups.
 */
int vfiox_scan_new(struct vfiox_ctx *ctx, struct vfiox_scan **scanp);

/**
 * vfiox_scan_free() - release a scan and every device and group in it
 * @scan: the scan, or NULL
 */
void vfiox_scan_free(struct vfiox_scan *scan);

/**
 * vfiox_scan_num_devs() - number of PCI devices in the scan
 * @scan: the scan
 *
 * Return: the count.
 */
size_t vfiox_scan_num_devs(const struct vfiox_scan *scan);

/**
 * vfiox_scan_dev() - a device by index, in address order
 * @scan: the scan
 * @idx: 0 .. vfiox_scan_num_devs() - 1
 *
 * Return: the device, or NULL when @idx is out of range.
 */
struct vfiox_pci_dev *vfiox_scan_dev(const struct vfiox_scan *scan, size_t idx);

/**
 * vfiox_scan_find_dev() - look a device up by its textual address
 * @scan: the scan
 * @addr: "DDDD:BB:DD.F" or "BB:DD.F" (domain 0)
 * @devp: receives the device
 *
 * Return: 0; -EINVAL when @addr is not a PCI address; -ENODEV when no such device
 * exists. Either error names @addr in vfiox_ctx_last_error().
 */
int vfiox_scan_find_dev(const struct vfiox_scan *scan, const char *addr,
			struct vfiox_pci_dev **devp);

/**
 * vfiox_scan_num_groups() - number of IOMMU groups
 * @scan: the scan
 *
 * Return: the count; 0 on a host with the IOMMU off.
 */
size_t vfiox_scan_num_groups(const struct vfiox_scan *scan);

/**
 * vfiox_scan_group() - a group by index, in ascending group number
 * @scan: the scan
 * @idx: 0 .. vfiox_scan_num_groups() - 1
 *
 * Return: the group, or NULL when @idx is out of range.
 */
struct vfiox_group *vfiox_scan_group(const struct vfiox_scan *scan, size_t idx);

/**
 * vfiox_scan_find_group() - look a group up by number
 * @scan: the scan
 * @id: the group number
 * @groupp: receives the group
 *
 * Return: 0, or -ENOENT (with the number named in the last error).
 */
int vfiox_scan_find_group(const struct vfiox_scan *scan, int id, struct vfiox_group **groupp);

/**
 * vfiox_scan_ctx() - the context a scan was made with
 * @scan: the scan
 *
 * Return: the context.
 */
struct vfiox_ctx *vfiox_scan_ctx(const struct vfiox_scan *scan);

/* Identity: read by vfiox_scan_new(). */

/**
 * vfiox_pci_dev_addr() - the device's address
 * @dev: the device
 *
 * Return: the address; owned by the scan.
 */
const struct vfiox_pci_addr *vfiox_pci_dev_addr(const struct vfiox_pci_dev *dev);

/**
 * vfiox_pci_dev_name() - the device's sysfs name, e.g. "0000:03:00.0"
 * @dev: the device
 *
 * Return: the name; owned by the scan.
 */
const char *vfiox_pci_dev_name(const struct vfiox_pci_dev *dev);

/**
 * vfiox_pci_dev_vendor_id() - PCI vendor id
 * @dev: the device
 *
 * Return: the id as the kernel reports it.
 */
uint16_t vfiox_pci_dev_vendor_id(const struct vfiox_pci_dev *dev);

/**
 * vfiox_pci_dev_device_id() - PCI device id
 * @dev: the device
 *
 * Return: the id as the kernel reports it.
 */
uint16_t vfiox_pci_dev_device_id(const struct vfiox_pci_dev *dev);

/**
 * vfiox_pci_dev_subsys_vendor_id() - subsystem vendor id
 * @dev: the device
 *
 * Return: the id; 0 when the device has none.
 */
uint16_t vfiox_pci_dev_subsys_vendor_id(const struct vfiox_pci_dev *dev);

/**
 * vfiox_pci_dev_subsys_device_id() - subsystem device id
 * @dev: the device
 *
 * Return: the id; 0 when the device has none.
 */
uint16_t vfiox_pci_dev_subsys_device_id(const struct vfiox_pci_dev *dev);

/**
 * vfiox_pci_dev_class() - class code: base class, subclass, programming interface
 * @dev: the device
 *
 * Return: the 24-bit class code, e.g. 0x010802 for an NVMe controller.
 */
uint32_t vfiox_pci_dev_class(const struct vfiox_pci_dev *dev);

/**
 * vfiox_pci_dev_driver() - the bound driver
 * @dev: the device
 *
 * Return: the driver's name, or NULL when no driver is bound; owned by the scan.
 */
const char *vfiox_pci_dev_driver(const struct vfiox_pci_dev *dev);

/**
 * vfiox_pci_dev_iommu_group() - the device's IOMMU group number
 * @dev: the device
 *
 * Return: the group number, or -1 when the device is in no group.
 */
int vfiox_pci_dev_iommu_group(const struct vfiox_pci_dev *dev);

/**
 * vfiox_pci_dev_is_bridge() - whether the device is a PCI-to-PCI bridge
 * @dev: the device
 *
 * Return: true for class 0x0604 and 0x0609 (PCI and semi-transparent bridges).
 */
bool vfiox_pci_dev_is_bridge(const struct vfiox_pci_dev *dev);

/* Details: read on first use of any of them. */

/**
 * vfiox_pci_dev_revision() - revision id
 * @dev: the device
 *
 * Return: 0..255, or -1 when sysfs does not say.
 */
int vfiox_pci_dev_revision(struct vfiox_pci_dev *dev);

/**
 * vfiox_pci_dev_driver_override() - the driver_override attribute
 * @dev: the device
 *
 * Return: the driver name set as override, or NULL when none is set ("(null)" in sysfs).
 */
const char *vfiox_pci_dev_driver_override(struct vfiox_pci_dev *dev);

/**
 * vfiox_pci_dev_numa_node() - NUMA node the device is attached to
 * @dev: the device
 *
 * Return: the node, or -1 when unknown.
 */
int vfiox_pci_dev_numa_node(struct vfiox_pci_dev *dev);

/**
 * vfiox_pci_dev_reset_method() - the kernel's reset_method attribute
 * @dev: the device
 *
 * Return: space-separated methods in the kernel's order (e.g. "flr bus"), "" when the
 * device has none, NULL when the kernel does not expose the attribute.
 */
const char *vfiox_pci_dev_reset_method(struct vfiox_pci_dev *dev);

/**
 * vfiox_pci_dev_boot_vga() - whether firmware used this device as the boot display
 * @dev: the device
 *
 * Return: 1 or 0, or -1 when the device has no boot_vga attribute (not a VGA device).
 */
int vfiox_pci_dev_boot_vga(struct vfiox_pci_dev *dev);

/**
 * vfiox_pci_dev_sriov_totalvfs() - VFs the physical function can create
 * @dev: the device
 *
 * Return: the count, or -1 when the device is not an SR-IOV physical function.
 */
int vfiox_pci_dev_sriov_totalvfs(struct vfiox_pci_dev *dev);

/**
 * vfiox_pci_dev_sriov_numvfs() - VFs currently enabled
 * @dev: the device
 *
 * Return: the count, or -1 when the device is not an SR-IOV physical function.
 */
int vfiox_pci_dev_sriov_numvfs(struct vfiox_pci_dev *dev);

/**
 * vfiox_pci_dev_physfn() - the physical function of a virtual function
 * @dev: the device
 *
 * Return: the PF, or NULL when @dev is not a VF (or its PF is not in the scan).
 */
struct vfiox_pci_dev *vfiox_pci_dev_physfn(struct vfiox_pci_dev *dev);

/**
 * vfiox_pci_dev_num_vfs() - number of virtfn links of a physical function
 * @dev: the device
 *
 * Return: the count; 0 for a device that is not a PF or has no VFs enabled.
 */
size_t vfiox_pci_dev_num_vfs(struct vfiox_pci_dev *dev);

/**
 * vfiox_pci_dev_vf() - a virtual function by index (virtfnN)
 * @dev: the physical function
 * @idx: 0 .. vfiox_pci_dev_num_vfs() - 1
 *
 * Return: the VF, or NULL when @idx is out of range.
 */
struct vfiox_pci_dev *vfiox_pci_dev_vf(struct vfiox_pci_dev *dev, size_t idx);

/* Names from the PCI ID database through libpci; numbers are used where it has none. */

/**
 * vfiox_pci_dev_vendor_name() - vendor name
 * @dev: the device
 *
 * Return: the name, or NULL when the database does not know the vendor; owned by the scan.
 */
const char *vfiox_pci_dev_vendor_name(struct vfiox_pci_dev *dev);

/**
 * vfiox_pci_dev_device_name() - device name
 * @dev: the device
 *
 * Return: the name, or NULL when unknown; owned by the scan.
 */
const char *vfiox_pci_dev_device_name(struct vfiox_pci_dev *dev);

/**
 * vfiox_pci_dev_class_name() - name of the class (most specific known level)
 * @dev: the device
 *
 * Return: the name, or NULL when unknown; owned by the scan.
 */
const char *vfiox_pci_dev_class_name(struct vfiox_pci_dev *dev);

/**
 * vfiox_pci_dev_subsys_name() - name of the subsystem (vendor and device)
 * @dev: the device
 *
 * Return: the name, or NULL when unknown or the device has no subsystem ids.
 */
const char *vfiox_pci_dev_subsys_name(struct vfiox_pci_dev *dev);

/* Capabilities from config space, through libpci. */

/**
 * struct vfiox_pci_cap - one entry of the capability lists
 * @id: PCI_CAP_ID_* (standard) or PCI_EXT_CAP_ID_* (extended)
 * @offset: offset of the header in config space
 * @extended: true for the extended list (offset >= 0x100)
 */
struct vfiox_pci_cap {
	uint16_t id;
	uint16_t offset;
	bool extended;
};

/**
 * vfiox_pci_dev_caps() - the capability lists
 * @dev: the device
 * @capsp: receives the array (standard list first, then extended); owned by the scan
 * @countp: receives the number of entries
 *
 * A list that loops or points outside config space is cut where it goes wrong and a
 * warning is logged. Extended capabilities need the full 4 KiB of config space, which
 * sysfs gives only to root.
 *
 * Return: 0; -EACCES or -EIO when config space cannot be read.
 */
int vfiox_pci_dev_caps(struct vfiox_pci_dev *dev, const struct vfiox_pci_cap **capsp,
		       size_t *countp);

/**
 * vfiox_pci_cap_name() - short name of a capability ("MSI-X", "Express", "ACS", ...)
 * @cap: the capability
 *
 * Return: a static string; "unknown" for ids the library does not know.
 */
const char *vfiox_pci_cap_name(const struct vfiox_pci_cap *cap);

/**
 * struct vfiox_msix_info - the MSI-X capability decoded
 * @table_size: number of vectors
 * @table_bir: BAR that holds the vector table
 * @table_offset: offset of the table in that BAR
 * @pba_bir: BAR that holds the pending-bit array
 * @pba_offset: offset of the PBA in that BAR
 * @enabled: MSI-X enable bit
 * @masked: function mask bit
 */
struct vfiox_msix_info {
	uint16_t table_size;
	uint8_t table_bir;
	uint32_t table_offset;
	uint8_t pba_bir;
	uint32_t pba_offset;
	bool enabled;
	bool masked;
};

/**
 * vfiox_pci_dev_msix() - decode the MSI-X capability
 * @dev: the device
 * @info: receives the decoded capability
 *
 * Return: 0; -ENOENT when the device has no MSI-X; -EACCES/-EIO when config space
 * cannot be read.
 */
int vfiox_pci_dev_msix(struct vfiox_pci_dev *dev, struct vfiox_msix_info *info);

/**
 * struct vfiox_msi_info - the MSI capability decoded
 * @vectors: vectors the function can request (1..32)
 * @addr64: 64-bit message address
 * @per_vector_mask: per-vector masking
 * @enabled: MSI enable bit
 */
struct vfiox_msi_info {
	uint8_t vectors;
	bool addr64;
	bool per_vector_mask;
	bool enabled;
};

/**
 * vfiox_pci_dev_msi() - decode the MSI capability
 * @dev: the device
 * @info: receives the decoded capability
 *
 * Return: 0; -ENOENT when the device has no MSI; -EACCES/-EIO on read failure.
 */
int vfiox_pci_dev_msi(struct vfiox_pci_dev *dev, struct vfiox_msi_info *info);

/**
 * struct vfiox_pcie_info - the PCI Express capability decoded
 * @port_type: device/port type (PCI_EXP_TYPE_*: 0 endpoint, 4 root port, ...)
 * @flr: function-level reset supported (DevCap)
 * @link_speed: current link speed in the kernel's encoding (1 = 2.5GT/s ...), 0 if none
 * @link_width: negotiated link width, 0 when there is no link
 */
struct vfiox_pcie_info {
	uint8_t port_type;
	bool flr;
	uint8_t link_speed;
	uint8_t link_width;
};

/**
 * vfiox_pci_dev_pcie() - decode the PCI Express capability
 * @dev: the device
 * @info: receives the decoded capability
 *
 * Return: 0; -ENOENT for a conventional PCI device; -EACCES/-EIO on read failure.
 */
int vfiox_pci_dev_pcie(struct vfiox_pci_dev *dev, struct vfiox_pcie_info *info);

/**
 * struct vfiox_acs_info - the Access Control Services capability
 * @cap: ACS capability register
 * @ctrl: ACS control register
 */
struct vfiox_acs_info {
	uint16_t cap;
	uint16_t ctrl;
};

/**
 * vfiox_pci_dev_acs() - read the ACS capability
 * @dev: the device
 * @info: receives the registers
 *
 * Return: 0; -ENOENT when the device has no ACS (or its extended config space cannot be
 * read); -EACCES/-EIO on read failure.
 */
int vfiox_pci_dev_acs(struct vfiox_pci_dev *dev, struct vfiox_acs_info *info);

/**
 * struct vfiox_sriov_info - the SR-IOV capability decoded
 * @total_vfs: TotalVFs
 * @initial_vfs: InitialVFs
 * @num_vfs: NumVFs as programmed
 * @vf_offset: First VF Offset (routing id distance to the PF)
 * @vf_stride: VF Stride
 * @vf_device_id: device id of the VFs
 */
struct vfiox_sriov_info {
	uint16_t total_vfs;
	uint16_t initial_vfs;
	uint16_t num_vfs;
	uint16_t vf_offset;
	uint16_t vf_stride;
	uint16_t vf_device_id;
};

/**
 * vfiox_pci_dev_sriov() - decode the SR-IOV capability
 * @dev: the device
 * @info: receives the decoded capability
 *
 * Return: 0; -ENOENT when the device has no SR-IOV capability; -EACCES/-EIO on read failure.
 */
int vfiox_pci_dev_sriov(struct vfiox_pci_dev *dev, struct vfiox_sriov_info *info);

#ifdef __cplusplus
}
#endif

#endif /* VFIOX_PCI_H */
