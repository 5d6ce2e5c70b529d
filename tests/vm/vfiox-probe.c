// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiox-probe GROUP... : test helper for the VM. Opens one container, attaches every
 * group named, and prints the IOMMU model and IOVA ranges; on failure prints the
 * library's message and exits 1. Exercises what vfioctl does not: several groups in
 * one container.
 */
#include <stdio.h>
#include <stdlib.h>

#include <vfiox/vfiox.h>

int main(int argc, char **argv)
{
	struct vfiox_vgroup *groups[16] = { 0 };
	struct vfiox_container *c = NULL;
	struct vfiox_iommu_info *info = NULL;
	struct vfiox_ctx *ctx;
	int i, n = argc - 1, ret = 1;
	size_t k;

	if (n < 1 || n > 16) {
		fprintf(stderr, "usage: vfiox-probe GROUP... (1 to 16)\n");
		return 2;
	}
	if (vfiox_ctx_new(&ctx))
		return 1;
	if (vfiox_container_open(ctx, &c))
		goto out;
	for (i = 0; i < n; i++)
		if (vfiox_vgroup_open(ctx, atoi(argv[i + 1]), &groups[i]) ||
		    vfiox_container_attach(c, groups[i]))
			goto out;
	if (vfiox_container_iommu_info(c, &info))
		goto out;
	printf("attached %d group%s, model %s\n", n, n == 1 ? "" : "s",
	       vfiox_container_model(c) == VFIOX_IOMMU_TYPE1V2 ? "type1v2" : "type1");
	for (k = 0; k < info->num_iova_ranges; k++)
		printf("iova 0x%llx 0x%llx\n", (unsigned long long)info->iova_ranges[k].start,
		       (unsigned long long)info->iova_ranges[k].end);
	printf("dma_avail %lld\n", (long long)info->dma_avail);
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "vfiox-probe: %s\n", vfiox_ctx_last_error(ctx));
	vfiox_iommu_info_free(info);
	for (i = n - 1; i >= 0; i--)
		vfiox_vgroup_close(groups[i]);
	vfiox_container_close(c);
	vfiox_ctx_free(ctx);
	return ret;
}
