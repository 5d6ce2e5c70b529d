/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private to libvfiox: the iommufd and VFIO cdev ioctls as Linux 6.12 defines them
 * (include/uapi/linux/iommufd.h and vfio.h). Build hosts may carry older kernel headers
 * (Debian 12's are 6.1: no iommufd.h, no VFIO_DEVICE_BIND_IOMMUFD), and the ABI is fixed,
 * so the library spells out what it uses under names of its own.
 */
#ifndef VFIOX_IOMMUFD_UAPI_H
#define VFIOX_IOMMUFD_UAPI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

#define VFIOX_K_IOMMUFD_TYPE ';'
#define VFIOX_K_IOMMU_IOCTL(nr) _IO(VFIOX_K_IOMMUFD_TYPE, (nr))
#define VFIOX_K_IOMMU_DESTROY VFIOX_K_IOMMU_IOCTL(0x80)
#define VFIOX_K_IOMMU_IOAS_ALLOC VFIOX_K_IOMMU_IOCTL(0x81)
#define VFIOX_K_IOMMU_IOAS_IOVA_RANGES VFIOX_K_IOMMU_IOCTL(0x84)
#define VFIOX_K_IOMMU_IOAS_MAP VFIOX_K_IOMMU_IOCTL(0x85)
#define VFIOX_K_IOMMU_IOAS_UNMAP VFIOX_K_IOMMU_IOCTL(0x86)
#define VFIOX_K_IOMMU_GET_HW_INFO VFIOX_K_IOMMU_IOCTL(0x8a)

/* VFIO_TYPE ';', VFIO_BASE 100 */
#define VFIOX_K_VFIO_DEVICE_BIND_IOMMUFD _IO(';', 100 + 18)
#define VFIOX_K_VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(';', 100 + 19)
#define VFIOX_K_VFIO_DEVICE_DETACH_IOMMUFD_PT _IO(';', 100 + 20)

struct vfiox_k_destroy {
	uint32_t size;
	uint32_t id;
};

struct vfiox_k_ioas_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_ioas_id;
};

struct vfiox_k_iova_range {
	uint64_t start;
	uint64_t last;
};

struct vfiox_k_ioas_iova_ranges {
	uint32_t size;
	uint32_t ioas_id;
	uint32_t num_iovas;
	uint32_t reserved;
	uint64_t allowed_iovas; /* user pointer to struct vfiox_k_iova_range[num_iovas] */
	uint64_t out_iova_alignment;
};

#define VFIOX_K_IOAS_MAP_FIXED_IOVA (1u << 0)
#define VFIOX_K_IOAS_MAP_WRITEABLE (1u << 1)
#define VFIOX_K_IOAS_MAP_READABLE (1u << 2)

struct vfiox_k_ioas_map {
	uint32_t size;
	uint32_t flags;
	uint32_t ioas_id;
	uint32_t reserved;
	uint64_t user_va;
	uint64_t length;
	uint64_t iova;
};

struct vfiox_k_ioas_unmap {
	uint32_t size;
	uint32_t ioas_id;
	uint64_t iova;
	uint64_t length;
};

struct vfiox_k_hw_info_vtd {
	uint32_t flags;
	uint32_t reserved;
	uint64_t cap_reg;
	uint64_t ecap_reg;
};

struct vfiox_k_hw_info {
	uint32_t size;
	uint32_t flags;
	uint32_t dev_id;
	uint32_t data_len;
	uint64_t data_uptr;
	uint32_t out_data_type;
	uint8_t out_max_pasid_log2;
	uint8_t reserved[3];
	uint64_t out_capabilities;
};

struct vfiox_k_bind_iommufd {
	uint32_t argsz;
	uint32_t flags;
	int32_t iommufd;
	uint32_t out_devid;
};

struct vfiox_k_attach_iommufd_pt {
	uint32_t argsz;
	uint32_t flags;
	uint32_t pt_id;
};

struct vfiox_k_detach_iommufd_pt {
	uint32_t argsz;
	uint32_t flags;
};

_Static_assert(sizeof(struct vfiox_k_ioas_iova_ranges) == 32, "iommu_ioas_iova_ranges");
_Static_assert(sizeof(struct vfiox_k_ioas_map) == 40, "iommu_ioas_map");
_Static_assert(sizeof(struct vfiox_k_ioas_unmap) == 24, "iommu_ioas_unmap");
_Static_assert(sizeof(struct vfiox_k_hw_info) == 40, "iommu_hw_info");
_Static_assert(sizeof(struct vfiox_k_bind_iommufd) == 16, "vfio_device_bind_iommufd");

/*
 * iommufd.c: checks the ranges of an IOMMU_IOAS_IOVA_RANGES reply (ascending, disjoint,
 * aligned to @align, itself a power of two or 0) and copies them to @out (room for @n);
 * pure (fuzzed). 0, or -EPROTO with the reason in @why.
 */
struct vfiox_iova_range;
int vfiox__parse_ioas_ranges(const struct vfiox_k_iova_range *k, uint32_t n, uint64_t align,
			     struct vfiox_iova_range *out, char *why, size_t whylen);

#endif /* VFIOX_IOMMUFD_UAPI_H */
