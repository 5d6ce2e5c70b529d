// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer: the decoders of VFIO info replies (region, IOMMU, device) on arbitrary
 * bytes, as a hostile or buggy kernel could send them. Each decoder gets an exact-size
 * copy so ASan catches a read past the reply; what they accept must hold together.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_REPLY (64 * 1024) /* what vfio.c believes at most */

static void check_region(const uint8_t *buf, size_t len)
{
	struct vfiox_region r;
	char why[200];
	size_t i;
	int ret;

	ret = vfiox__parse_region_info(buf, len, &r, why, sizeof(why));
	if (ret) {
		if ((ret != -EPROTO && ret != -ENOMEM) || r.sparse || r.num_sparse || !why[0])
			abort();
		return;
	}
	if (!r.name || !r.name[0])
		abort();
	if (r.has_sparse != (r.sparse != NULL) || (!r.has_sparse && r.num_sparse))
		abort();
	for (i = 0; i < r.num_sparse; i++)
		if (r.sparse[i].offset > r.size || r.sparse[i].size > r.size - r.sparse[i].offset)
			abort();
	/* Each area takes 16 bytes of the reply: the count cannot exceed that. */
	if (r.num_sparse > len / 16 || r.num_unknown_caps > 64)
		abort();
	free(r.sparse);
}

static void check_iommu(const uint8_t *buf, size_t len)
{
	struct vfiox_iommu_info info;
	char why[200];
	size_t i;
	int ret;

	ret = vfiox__parse_iommu_info(buf, len, &info, why, sizeof(why));
	if (ret) {
		if ((ret != -EPROTO && ret != -ENOMEM) || info.iova_ranges ||
		    info.num_iova_ranges || !why[0])
			abort();
		return;
	}
	if (!info.iova_ranges && info.num_iova_ranges)
		abort();
	if (info.num_iova_ranges > len / 16)
		abort();
	for (i = 0; i < info.num_iova_ranges; i++) {
		if (info.iova_ranges[i].start > info.iova_ranges[i].end)
			abort();
		if (i && info.iova_ranges[i].start <= info.iova_ranges[i - 1].end)
			abort();
	}
	if (info.dma_avail < -1 || info.dma_avail > UINT32_MAX)
		abort();
	if (info.num_unknown_caps > 64)
		abort();
	free(info.iova_ranges);
}

static void check_device(const uint8_t *buf, size_t len)
{
	struct vfiox_device_info info;
	char why[200];
	int ret;

	ret = vfiox__parse_device_info(buf, len, &info, why, sizeof(why));
	if (ret) {
		if (ret != -EPROTO || !why[0])
			abort();
		return;
	}
	/* At most 64 capabilities, each with an 8-byte header in the reply. */
	if (info.num_caps > 64 || info.num_caps > len / 8)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;

	if (size > MAX_REPLY)
		size = MAX_REPLY;
	/* An exact-size copy so ASan catches any read past what "the kernel" returned. */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	check_region(buf, size);
	check_iommu(buf, size);
	check_device(buf, size);
	free(buf);
	return 0;
}
