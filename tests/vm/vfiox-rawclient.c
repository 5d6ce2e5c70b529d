// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiox-rawclient ADDR: a program that knows nothing of libvfiox (it uses no function of
 * it): it takes what vfioctl exec passed from LISTEN_FDS and LISTEN_FDNAMES as systemd
 * documents them, and drives the device with raw VFIO and iommufd ioctls.
 *
 * type1 (vfio-container, vfio-group-N[, vfio-device-...]): prints "container api 0",
 * "group N viable attached", "edu id 0x010000ed", "dma map ok", "unmap ok".
 * iommufd (iommufd, vfio-cdev-...): allocates an IOAS, binds the cdev and attaches it, and
 * prints "ioas N", "cdev bound devid N attached", "edu id 0x010000ed", "dma map ok",
 * "unmap ok".
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vfio.h>

/*
 * The iommufd uapi as Linux 6.12 has it (<linux/iommufd.h>, and <linux/vfio.h> from 6.6),
 * which the build host's headers may predate.
 */
#define RAW_IOMMUFD_TYPE ';'
#define RAW_IOMMU_IOAS_ALLOC _IO(RAW_IOMMUFD_TYPE, 0x81)
#define RAW_IOMMU_IOAS_MAP _IO(RAW_IOMMUFD_TYPE, 0x85)
#define RAW_IOMMU_IOAS_UNMAP _IO(RAW_IOMMUFD_TYPE, 0x86)
#define RAW_VFIO_DEVICE_BIND_IOMMUFD _IO(VFIO_TYPE, VFIO_BASE + 18)
#define RAW_VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)

struct raw_ioas_alloc {
	uint32_t size, flags, out_ioas_id;
};

struct raw_ioas_map {
	uint32_t size, flags, ioas_id, reserved;
	uint64_t user_va, length, iova;
};

struct raw_ioas_unmap {
	uint32_t size, ioas_id;
	uint64_t iova, length;
};

struct raw_bind_iommufd {
	uint32_t argsz, flags;
	int32_t iommufd;
	uint32_t out_devid;
};

struct raw_attach_pt {
	uint32_t argsz, flags, pt_id;
};

/* BAR 0's first register of the device fd @device, the edu id. */
static int edu_id(int device)
{
	struct vfio_region_info bar0 = { .argsz = sizeof(bar0), .index = 0 };
	uint32_t id = 0;

	if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &bar0) ||
	    pread(device, &id, 4, (off_t)bar0.offset) != 4)
		return printf("FAIL device: %s\n", strerror(errno)), 1;
	printf("edu id 0x%08x\n", id);
	return 0;
}

static int type1(int container, int group, int gid, int device, const char *addr)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	void *page;

	printf("container api %d\n", ioctl(container, VFIO_GET_API_VERSION));
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &st))
		return printf("FAIL status: %s\n", strerror(errno)), 1;
	printf("group %d %s %s\n", gid, st.flags & VFIO_GROUP_FLAGS_VIABLE ? "viable" : "NOT-viable",
	       st.flags & VFIO_GROUP_FLAGS_CONTAINER_SET ? "attached" : "NOT-attached");
	if (device < 0)
		device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, addr);
	if (device < 0 || edu_id(device))
		return 1;
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	{
		struct vfio_iommu_type1_dma_map map = {
			.argsz = sizeof(map),
			.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.vaddr = (uintptr_t)page,
			.iova = 0x100000,
			.size = 4096,
		};
		struct vfio_iommu_type1_dma_unmap unmap = {
			.argsz = sizeof(unmap), .iova = 0x100000, .size = 4096,
		};

		printf("dma map %s\n", ioctl(container, VFIO_IOMMU_MAP_DMA, &map) ? strerror(errno)
										 : "ok");
		printf("unmap %s\n", ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap) ? strerror(errno)
										   : "ok");
	}
	return 0;
}

static int iommufd(int iommu, int cdev)
{
	struct raw_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct raw_bind_iommufd bind = { .argsz = sizeof(bind), .iommufd = iommu };
	struct raw_attach_pt at = { .argsz = sizeof(at) };
	void *page;

	if (ioctl(iommu, RAW_IOMMU_IOAS_ALLOC, &alloc))
		return printf("FAIL IOMMU_IOAS_ALLOC: %s\n", strerror(errno)), 1;
	printf("ioas %u\n", alloc.out_ioas_id);
	at.pt_id = alloc.out_ioas_id;
	if (ioctl(cdev, RAW_VFIO_DEVICE_BIND_IOMMUFD, &bind) ||
	    ioctl(cdev, RAW_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at))
		return printf("FAIL bind/attach: %s\n", strerror(errno)), 1;
	printf("cdev bound devid %u attached\n", bind.out_devid);
	if (edu_id(cdev))
		return 1;
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	{
		struct raw_ioas_map map = {
			.size = sizeof(map),
			.flags = 1 | 2 | 4, /* FIXED_IOVA, WRITEABLE, READABLE */
			.ioas_id = alloc.out_ioas_id,
			.user_va = (uintptr_t)page,
			.length = 4096,
			.iova = 0x100000,
		};
		struct raw_ioas_unmap unmap = {
			.size = sizeof(unmap), .ioas_id = alloc.out_ioas_id, .iova = 0x100000,
			.length = 4096,
		};

		printf("dma map %s\n", ioctl(iommu, RAW_IOMMU_IOAS_MAP, &map) ? strerror(errno)
									     : "ok");
		printf("unmap %s\n", ioctl(iommu, RAW_IOMMU_IOAS_UNMAP, &unmap) ? strerror(errno)
										 : "ok");
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *pid = getenv("LISTEN_PID"), *nfds = getenv("LISTEN_FDS");
	const char *names = getenv("LISTEN_FDNAMES");
	int container = -1, group = -1, device = -1, iommu = -1, cdev = -1, gid = -1, n, i;
	char want[64], want_cdev[64], *copy, *name, *save = NULL;

	if (argc != 2 || !pid || !nfds || !names || atoi(pid) != getpid()) {
		fprintf(stderr, "usage: vfioctl exec ADDR -- vfiox-rawclient ADDR\n");
		return 2;
	}
	n = atoi(nfds);
	snprintf(want, sizeof(want), "vfio-device-%s", argv[1]);
	snprintf(want_cdev, sizeof(want_cdev), "vfio-cdev-%s", argv[1]);
	for (i = 0; want[i]; i++)
		if (want[i] == ':')
			want[i] = '-';
	for (i = 0; want_cdev[i]; i++)
		if (want_cdev[i] == ':')
			want_cdev[i] = '-';
	copy = strdup(names);
	for (i = 0, name = strtok_r(copy, ":", &save); name && i < n;
	     i++, name = strtok_r(NULL, ":", &save)) {
		if (!strcmp(name, "vfio-container"))
			container = 3 + i;
		else if (!strncmp(name, "vfio-group-", 11))
			group = 3 + i, gid = atoi(name + 11);
		else if (!strcmp(name, want))
			device = 3 + i;
		else if (!strcmp(name, "iommufd"))
			iommu = 3 + i;
		else if (!strcmp(name, want_cdev))
			cdev = 3 + i;
	}
	free(copy);
	if (iommu >= 0 && cdev >= 0)
		return iommufd(iommu, cdev);
	if (container < 0 || group < 0) {
		printf("FAIL no container and group, nor iommufd and cdev, in LISTEN_FDNAMES=%s\n",
		       names);
		return 1;
	}
	return type1(container, group, gid, device, argv[1]);
}
