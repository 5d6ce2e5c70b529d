/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fixture.h - fake sysfs trees for the unit tests, the CLI tests and the benchmark.
 *
 * A fixture is a temporary directory laid out like the parts of /sys that libvfiox and
 * lspci read (see notes/SPEC.md, "sysfs layout"):
 *
 *   ROOT/devices/pciDDDD:BB/<addr>[/<addr>...]   device dirs, nested under their bridge
 *   ROOT/bus/pci/devices/<addr>                  -> ../../../devices/...
 *   ROOT/bus/pci/drivers/<drv>/<addr>            -> the device dir (dir created on demand)
 *   ROOT/kernel/iommu_groups/<N>/devices/<addr>  -> the device dir (absent with FX_NO_IOMMU)
 *
 * and in every device dir: uevent, vendor, device, subsystem_vendor, subsystem_device,
 * class, revision, config (binary), driver_override, numa_node, local_cpulist, irq,
 * enable, modalias, resource, subsystem -> bus/pci, driver -> (when bound),
 * iommu_group -> (when grouped), reset_method (when given), boot_vga (VGA class only),
 * sriov_* (SR-IOV PFs), physfn / virtfnN (after fx_add_vfs()).
 *
 * Everything is created with openat/mkdirat/symlinkat relative to one directory fd, so
 * 10,000 devices take well under a second on tmpfs. No root needed.
 *
 * All functions return 0 or a negative errno; fx_last_error() says what went wrong.
 */
#ifndef VFIOX_TESTS_FIXTURE_H
#define VFIOX_TESTS_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct fx;

/* Flags for fx_new() / fx_new_at(). */
enum fx_flags {
	FX_NO_IOMMU = 1 << 0, /* no kernel/iommu_groups dir; fx_dev.group is ignored */
	FX_KEEP = 1 << 1,     /* fx_free() leaves the tree on disk */
};

#define FX_NO_GROUP (-1)

/* Where fx_add_dev() puts the capabilities it builds (fixed, so tests can assert them). */
#define FX_CAP_PCIE_OFF 0x40  /* PCI Express, 0x3c bytes */
#define FX_CAP_MSI_OFF 0x80   /* MSI, 0x18 bytes */
#define FX_CAP_MSIX_OFF 0xa0  /* MSI-X, 0x0c bytes */
/* Extended: the first present one at 0x100 (the list must start there), the next at 0x140 */
#define FX_ECAP_ACS_OFF 0x100 /* ACS, 8 bytes */
#define FX_ECAP_SRIOV_OFF(has_acs) ((has_acs) ? 0x140 : 0x100) /* SR-IOV, 0x40 bytes */

/*
 * struct fx_caps - what goes into the binary config file.
 *
 * The standard chain starts at 0x34 and links the present capabilities in offset order
 * (PCIe, MSI, MSI-X); the status register's capability-list bit is set when there is
 * at least one. The extended chain starts at 0x100: ACS there if present, SR-IOV at 0x100
 * without ACS and at 0x140 with it; with no extended capability the dword at 0x100 is 0.
 */
struct fx_caps {
	/* 0: 4096 when an extended capability is asked for, else 256. 256 or 4096 otherwise
	 * (extended capabilities are then silently left out of a 256-byte file). */
	unsigned config_size;

	bool msi;
	uint8_t msi_vectors; /* Multiple Message Capable as a count: 1, 2, 4, ... 32 */
	bool msi_64bit, msi_per_vector_mask, msi_enabled;

	bool msix;
	uint16_t msix_table_size; /* vectors, 1..2048 */
	uint8_t msix_table_bir;
	uint32_t msix_table_offset; /* multiple of 8 */
	uint8_t msix_pba_bir;
	uint32_t msix_pba_offset; /* multiple of 8 */
	bool msix_enabled, msix_masked;

	bool pcie;
	uint8_t pcie_port_type; /* PCI_EXP_TYPE_*: 0 endpoint, 4 root port, 7 PCIe-to-PCI ... */
	bool pcie_flr;
	uint8_t pcie_link_speed, pcie_link_width; /* current = max */

	bool acs;
	uint16_t acs_cap, acs_ctrl;

	bool sriov;
	uint16_t sriov_total_vfs, sriov_initial_vfs;
	uint16_t sriov_offset, sriov_stride; /* 0 means 1 */
	uint16_t sriov_vf_device;            /* 0 means the PF's device id */
};

/*
 * struct fx_dev - one PCI function for fx_add_dev().
 *
 * Zero-initialise and fill in. Beware: group 0 is a real group; say FX_NO_GROUP for none.
 * numa is written as-is ("0" when left 0; real hosts without NUMA say -1).
 */
struct fx_dev {
	const char *addr; /* "0000:03:00.0" or "3:0.0"; stored as the canonical sysfs name */
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_device;
	uint32_t class_code;	/* 24 bit; 0x0604xx/0x0609xx give header type 1 */
	uint8_t revision;
	const char *driver;	     /* NULL: unbound (no DRIVER= line, no driver link) */
	int group;		     /* FX_NO_GROUP: no iommu_group link */
	const char *parent;	     /* bridge address (added before), NULL: root bus */
	int numa;		     /* numa_node contents */
	const char *reset_method;    /* NULL: no reset_method file; "" gives an empty line */
	const char *driver_override; /* NULL: "(null)" */
	int boot_vga;		     /* boot_vga contents, written for class 0x0300xx only */
	struct fx_caps caps;
};

/**
 * fx_new() - create a fixture in a fresh directory under $TMPDIR, else /dev/shm when
 * writable, else /tmp
 * @fxp: receives the fixture
 * @flags: &enum fx_flags
 */
int fx_new(struct fx **fxp, unsigned flags);

/**
 * fx_new_at() - create a fixture in @dir (created if missing; must be empty or absent)
 */
int fx_new_at(struct fx **fxp, const char *dir, unsigned flags);

/**
 * fx_free() - release the fixture and remove its tree (unless FX_KEEP), even where
 * fx_chmod_attr()/fx_make_unreadable() took permissions away
 * @fx: the fixture, or NULL
 */
void fx_free(struct fx *fx);

/* The root directory: what stands for /sys. Owned by the fixture. */
const char *fx_root(const struct fx *fx);

/* Why the last failing call failed ("" if none). */
const char *fx_last_error(const struct fx *fx);

/* Number of devices added so far. */
size_t fx_num_devs(const struct fx *fx);

/**
 * fx_add_dev() - add a PCI function with all its attributes and links
 *
 * Return: 0; -EINVAL for a bad address or spec; -EEXIST when the address exists;
 * -ENOENT when @parent is not a device of the fixture; other -errno from the file system.
 */
int fx_add_dev(struct fx *fx, const struct fx_dev *dev);

/**
 * fx_add_vfs() - enable @n virtual functions of the SR-IOV physical function @pf
 * @driver: driver of every VF, or NULL
 * @first_group: group of VF 0, VF i gets first_group + i; FX_NO_GROUP for none
 *
 * VF addresses follow the PF's SR-IOV capability: routing id = PF's + offset + i * stride
 * (offset and stride 1 when the PF has no SR-IOV capability). VFs are siblings of the PF
 * dir, take the PF's ids but the VF device id, and get physfn -> ../PF; the PF gets
 * virtfnI -> ../VF, sriov_numvfs = @n and NumVFs/VF Enable in its capability.
 * Return: 0 or -errno; fails when VFs were already added to @pf.
 */
int fx_add_vfs(struct fx *fx, const char *pf, unsigned n, const char *driver, int first_group);

/* Formats the address of VF @idx of @pf as fx_add_vfs() computes it. */
int fx_vf_addr(struct fx *fx, const char *pf, unsigned idx, char *buf, size_t len);

/* Absolute path of attribute @attr of device @addr (@attr NULL or "": the dir itself). */
int fx_dev_path(struct fx *fx, const char *addr, const char *attr, char *buf, size_t len);

/* (Re)writes @attr of @addr with exactly @text (no newline added); creates it if needed. */
int fx_write_attr(struct fx *fx, const char *addr, const char *attr, const char *text);

/* Removes @attr of @addr (file, symlink or directory tree). */
int fx_remove_attr(struct fx *fx, const char *addr, const char *attr);

/* chmod of @attr of @addr. Note: root reads a mode-000 file anyway. */
int fx_chmod_attr(struct fx *fx, const char *addr, const char *attr, mode_t mode);

/*
 * Makes @attr of @addr unreadable for everyone, root included: replaces it with a
 * mode-000 directory, so open() fails (EACCES) or read() does (EISDIR).
 */
int fx_make_unreadable(struct fx *fx, const char *addr, const char *attr);

/* Replaces @attr of @addr with a symlink to @target (taken literally). */
int fx_symlink_attr(struct fx *fx, const char *addr, const char *attr, const char *target);

/* Writes @len raw bytes into the config file of @addr at @off (may grow the file). */
int fx_write_config(struct fx *fx, const char *addr, unsigned off, const void *buf, size_t len);

/* Truncates the config file of @addr to @len bytes (e.g. 64: what non-root sees). */
int fx_truncate_config(struct fx *fx, const char *addr, size_t len);

/*
 * Adds an entry named @name to bus/pci/devices that is no device of the fixture: a
 * symlink to an empty dir under devices/ (for "not a PCI address" tests).
 */
int fx_add_bus_entry(struct fx *fx, const char *name);

/*
 * Scenarios. Each adds a fixed set of devices (documented in fixture.c, where the
 * tables are) so tests can assert exact addresses, ids, drivers and groups. The parts
 * use distinct addresses and groups, so they combine.
 *
 *  base:         0000:00:00.0 host bridge (grp 0), 0000:00:01.0 VGA boot_vga=1 (grp 1),
 *                0000:00:04.0 NVMe vfio-pci with PCIe+MSI-X (grp 2)
 *  bridge-group: 0000:00:1e.0 conventional PCI bridge + 0000:05:00.0 (vfio-pci) and
 *                0000:05:01.0 (unbound) behind it, all in group 5 (viable)
 *  nonviable:    group 9 = 00:1f.0 unbound, 00:1f.2 ahci, 00:1f.3 vfio-pci (blocker 1f.2);
 *                group 10 = 00:1c.0 pcieport, 01:00.0 pci-stub, 01:00.1 mlx5_vfio_pci
 *                (viable); group 11 = 02:00.0 nvidia, 02:00.1 snd_hda_intel (2 blockers)
 *  sriov:        0000:00:02.0 root port (grp 20), PF 0000:03:00.0 igb (grp 21, total 7,
 *                offset 0x80, stride 4, VF id 0x1520) with 4 VFs 03:10.0 03:10.4 03:11.0
 *                03:11.4 on vfio-pci in groups 22..25
 *  domains:      0001:00:00.0 (grp 40), 0001:00:01.0 root port + 0001:01:00.0 nvme
 *                (grp 41), 10000:e1:00.0 vfio-pci (grp 42)
 */
int fx_scn_base(struct fx *fx);
int fx_scn_bridge_group(struct fx *fx);
int fx_scn_nonviable(struct fx *fx);
int fx_scn_sriov(struct fx *fx);
int fx_scn_domains(struct fx *fx);

/*
 * fx_scenario() - build a named scenario in a new fixture
 * @name: "base", "bridge-group", "nonviable", "sriov", "domains" (each: base + that
 *        part), "host" (base + all parts), "noiommu" (FX_NO_IOMMU, base + nonviable)
 * @dir: directory to build in (FX_KEEP implied), or NULL for a temp dir
 * Return: 0, -EINVAL for an unknown name, or the first failure.
 */
int fx_scenario(struct fx **fxp, const char *name, const char *dir);

/* The names fx_scenario() knows, NULL-terminated. */
extern const char *const fx_scenario_names[];

#endif /* VFIOX_TESTS_FIXTURE_H */
