// SPDX-License-Identifier: LGPL-2.1-or-later
/* libFuzzer: the capability walker on arbitrary config space (kernel data). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfiox_pci_cap *caps = NULL;
	size_t n = 0, i;
	char why[160];
	uint8_t *cfg;

	if (size > 4096)
		size = 4096;
	/* An exact-size copy so ASan catches any read past what "the kernel" returned. */
	cfg = malloc(size ? size : 1);
	if (!cfg)
		return 0;
	memcpy(cfg, data, size);
	if (!vfiox__parse_caps(cfg, size, &caps, &n, why, sizeof(why))) {
		for (i = 0; i < n; i++) {
			size_t min = caps[i].extended ? 0x100 : 0x40;

			if (caps[i].offset < min || caps[i].offset >= size || caps[i].offset & 3)
				abort();
		}
		if (n > 48 + 960)
			abort();
		free(caps);
	}
	free(cfg);
	return 0;
}
