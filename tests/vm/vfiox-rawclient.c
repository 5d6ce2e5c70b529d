// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiox-rawclient ADDR: a program that knows nothing of libvfiox (it uses no function of
 * it): it takes what vfioctl exec passed from LISTEN_FDS and LISTEN_FDNAMES as systemd
 * documents them, and drives the device with raw VFIO ioctls. Prints "container api 0",
 * "group N viable attached", "edu id 0x010000ed", "dma map ok", "unmap ok".
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

int main(int argc, char **argv)
{
	const char *pid = getenv("LISTEN_PID"), *nfds = getenv("LISTEN_FDS");
	const char *names = getenv("LISTEN_FDNAMES");
	int container = -1, group = -1, device = -1, gid = -1, n, i;
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vfio_region_info bar0 = { .argsz = sizeof(bar0), .index = 0 };
	char want[64], *copy, *name, *save = NULL;
	uint32_t id = 0;
	void *page;

	if (argc != 2 || !pid || !nfds || !names || atoi(pid) != getpid()) {
		fprintf(stderr, "usage: vfioctl exec ADDR -- vfiox-rawclient ADDR\n");
		return 2;
	}
	n = atoi(nfds);
	snprintf(want, sizeof(want), "vfio-device-%s", argv[1]);
	for (i = 0; want[i]; i++)
		if (want[i] == ':')
			want[i] = '-';
	copy = strdup(names);
	for (i = 0, name = strtok_r(copy, ":", &save); name && i < n;
	     i++, name = strtok_r(NULL, ":", &save)) {
		if (!strcmp(name, "vfio-container"))
			container = 3 + i;
		else if (!strncmp(name, "vfio-group-", 11))
			group = 3 + i, gid = atoi(name + 11);
		else if (!strcmp(name, want))
			device = 3 + i;
	}
	free(copy);
	if (container < 0 || group < 0) {
		printf("FAIL no container or group in LISTEN_FDNAMES=%s\n", names);
		return 1;
	}
	printf("container api %d\n", ioctl(container, VFIO_GET_API_VERSION));
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &st))
		return printf("FAIL status: %s\n", strerror(errno)), 1;
	printf("group %d %s %s\n", gid, st.flags & VFIO_GROUP_FLAGS_VIABLE ? "viable" : "NOT-viable",
	       st.flags & VFIO_GROUP_FLAGS_CONTAINER_SET ? "attached" : "NOT-attached");
	if (device < 0)
		device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, argv[1]);
	if (device < 0 || ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &bar0) ||
	    pread(device, &id, 4, (off_t)bar0.offset) != 4)
		return printf("FAIL device: %s\n", strerror(errno)), 1;
	printf("edu id 0x%08x\n", id);
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
