// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer: the check of an IOMMU_IOAS_IOVA_RANGES reply (vfiox__parse_ioas_ranges()),
 * the ranges a hostile or buggy kernel could send with their alignment. Input: one byte
 * choosing the alignment (0..63: 1 << it, 64: 0, more: the next 8 bytes as they are),
 * then struct iommu_iova_range entries of 16 bytes. Ranges and output get exact-size
 * copies so ASan catches a read or write past either; the verdict must match an
 * independent reading of the rules (ascending, disjoint, start <= last, both ends on the
 * alignment, itself a power of two or 0), and what passes must be copied unchanged.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "iommufd-uapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_N 4096 /* what iommufd.c believes at most */

static bool valid(const struct vfiox_k_iova_range *k, size_t n, uint64_t align)
{
	size_t i;

	if (align & (align - 1))
		return false;
	for (i = 0; i < n; i++) {
		if (k[i].start > k[i].last)
			return false;
		if (i && k[i].start <= k[i - 1].last)
			return false;
		if (align > 1 && (k[i].start % align || (k[i].last + 1) % align))
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfiox_k_iova_range *k;
	struct vfiox_iova_range *out;
	uint64_t align;
	char why[160];
	size_t n, i, head;
	int ret;

	if (size < 1)
		return 0;
	if (data[0] < 64) {
		align = 1ull << data[0];
		head = 1;
	} else if (data[0] == 64) {
		align = 0;
		head = 1;
	} else {
		if (size < 9)
			return 0;
		memcpy(&align, data + 1, 8);
		head = 9;
	}
	n = (size - head) / sizeof(*k);
	if (n > MAX_N)
		return 0;
	k = malloc(n ? n * sizeof(*k) : 1);
	out = malloc(n ? n * sizeof(*out) : 1);
	if (!k || !out)
		abort();
	memcpy(k, data + head, n * sizeof(*k));
	memset(why, 0, sizeof(why));
	ret = vfiox__parse_ioas_ranges(k, (uint32_t)n, align, out, why, sizeof(why));
	if (ret == 0) {
		if (!valid(k, n, align))
			abort();
		for (i = 0; i < n; i++)
			if (out[i].start != k[i].start || out[i].end != k[i].last)
				abort();
	} else if (ret != -EPROTO || valid(k, n, align) || !why[0] ||
		   !memchr(why, '\0', sizeof(why))) {
		abort();
	}
	free(out);
	free(k);
	return 0;
}
