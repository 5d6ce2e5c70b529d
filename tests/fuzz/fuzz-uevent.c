// SPDX-License-Identifier: LGPL-2.1-or-later
/* libFuzzer: the uevent parser (kernel data) and the address parser (user and kernel data). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfiox_pci_dev dev;
	struct vfiox_pci_addr a, b;
	char buf[VFIOX_PCI_ADDR_STRLEN];
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	memset(&dev, 0, sizeof(dev));
	vfiox__parse_uevent(&dev, text);
	if (dev.class_code > 0xffffff)
		abort();
	free(dev.driver);

	memcpy(text, data, size);
	text[size] = '\0';
	if (!vfiox_pci_addr_parse(text, &a)) {
		/* Whatever parses must print and parse back to the same address. */
		if (vfiox_pci_addr_format(&a, buf, sizeof(buf)) < 0 || vfiox_pci_addr_parse(buf, &b) ||
		    vfiox_pci_addr_cmp(&a, &b) || a.dev > 31 || a.func > 7)
			abort();
	}
	free(text);
	return 0;
}
