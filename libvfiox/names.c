// SPDX-License-Identifier: LGPL-2.1-or-later
/* Names from the PCI ID database, through libpci, read once per device. */
#include <stdio.h>
#include <stdlib.h>

#include <pci/pci.h>

#include "internal.h"

/* "<subsystem vendor> <subsystem device>", as lspci prints it. */
static char *subsys_name(struct vfiox_ctx *ctx, struct vfiox_pci_dev *dev)
{
	char *vendor, *device, *name = NULL;
	int n;

	vendor = vfiox__pci_lookup(ctx, PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_VENDOR,
				   dev->subsys_vendor_id, 0, 0, 0);
	if (!vendor)
		return NULL;
	device = vfiox__pci_lookup(ctx, PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE, dev->vendor_id,
				   dev->device_id, dev->subsys_vendor_id, dev->subsys_device_id);
	if (device)
		n = asprintf(&name, "%s %s", vendor, device);
	else
		n = asprintf(&name, "%s device %04x", vendor, dev->subsys_device_id);
	if (n < 0)
		name = NULL;
	free(vendor);
	free(device);
	return name;
}

static void load_names(struct vfiox_pci_dev *dev)
{
	struct vfiox_ctx *ctx = dev->scan->ctx;
	unsigned int cls = dev->class_code >> 8;

	if (dev->names_loaded)
		return;
	dev->names_loaded = true;
	dev->vendor_name = vfiox__pci_lookup(ctx, PCI_LOOKUP_VENDOR, dev->vendor_id, 0, 0, 0);
	dev->device_name = vfiox__pci_lookup(ctx, PCI_LOOKUP_DEVICE, dev->vendor_id,
					     dev->device_id, 0, 0);
	/* libpci falls back from the subclass to the base class by itself. */
	dev->class_name = vfiox__pci_lookup(ctx, PCI_LOOKUP_CLASS, cls, 0, 0, 0);
	if (dev->subsys_vendor_id || dev->subsys_device_id)
		dev->subsys_name = subsys_name(ctx, dev);
}

VFIOX_EXPORT const char *vfiox_pci_dev_vendor_name(struct vfiox_pci_dev *dev)
{
	load_names(dev);
	return dev->vendor_name;
}

VFIOX_EXPORT const char *vfiox_pci_dev_device_name(struct vfiox_pci_dev *dev)
{
	load_names(dev);
	return dev->device_name;
}

VFIOX_EXPORT const char *vfiox_pci_dev_class_name(struct vfiox_pci_dev *dev)
{
	load_names(dev);
	return dev->class_name;
}

VFIOX_EXPORT const char *vfiox_pci_dev_subsys_name(struct vfiox_pci_dev *dev)
{
	load_names(dev);
	return dev->subsys_name;
}
