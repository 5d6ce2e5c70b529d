// SPDX-License-Identifier: LGPL-2.1-or-later
/* Names from the PCI ID database, through libpci, read once per device. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include "internal.h"

enum name_kind { NAME_VENDOR = 1, NAME_DEVICE, NAME_CLASS, NAME_SUBSYS };

static uint64_t name_key(enum name_kind kind, const struct vfiox_pci_dev *dev)
{
	uint64_t k = (uint64_t)kind << 60;

	switch (kind) {
	case NAME_VENDOR:
		return k | dev->vendor_id;
	case NAME_DEVICE:
		return k | (uint64_t)dev->vendor_id << 16 | dev->device_id;
	case NAME_CLASS:
		return k | dev->class_code >> 8;
	case NAME_SUBSYS:
		return k | (uint64_t)dev->vendor_id << 48 | (uint64_t)dev->device_id << 32 |
		       (uint64_t)dev->subsys_vendor_id << 16 | dev->subsys_device_id;
	}
	return k;
}

/* "<subsystem vendor> <subsystem device>", as lspci prints it. */
static char *subsys_name(struct vfiox_ctx *ctx, const struct vfiox_pci_dev *dev)
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

/*
 * libpci falls back from an unknown subclass to the base class by itself, but then
 * appends the number ("Unclassified device [00ff]"); callers print numbers themselves.
 */
static char *class_name(struct vfiox_ctx *ctx, unsigned int cls)
{
	char *name = vfiox__pci_lookup(ctx, PCI_LOOKUP_CLASS, cls, 0, 0, 0);
	size_t n = name ? strlen(name) : 0;

	if (n > 7 && name[n - 1] == ']' && name[n - 6] == '[' && name[n - 7] == ' ')
		name[n - 7] = '\0';
	return name;
}

static char *lookup(struct vfiox_ctx *ctx, enum name_kind kind, const struct vfiox_pci_dev *dev)
{
	switch (kind) {
	case NAME_VENDOR:
		return vfiox__pci_lookup(ctx, PCI_LOOKUP_VENDOR, dev->vendor_id, 0, 0, 0);
	case NAME_DEVICE:
		return vfiox__pci_lookup(ctx, PCI_LOOKUP_DEVICE, dev->vendor_id, dev->device_id, 0,
					 0);
	case NAME_CLASS:
		return class_name(ctx, dev->class_code >> 8);
	case NAME_SUBSYS:
		return subsys_name(ctx, dev);
	}
	return NULL;
}

static struct vfiox_name_slot *slot_for(struct vfiox_name_slot *slots, size_t cap, uint64_t key)
{
	size_t i = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);

	while (slots[i].key && slots[i].key != key)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

/* Open addressing, kept under half full; a failed allocation only costs caching. */
static const char *cached_name(struct vfiox_pci_dev *dev, enum name_kind kind)
{
	struct vfiox_scan *scan = dev->scan;
	uint64_t key = name_key(kind, dev);
	struct vfiox_name_slot *slot;

	if ((scan->names_used + 1) * 2 > scan->names_cap) {
		size_t i, cap = scan->names_cap ? scan->names_cap * 2 : 64;
		struct vfiox_name_slot *slots = calloc(cap, sizeof(*slots));

		if (!slots)
			return NULL;
		for (i = 0; i < scan->names_cap; i++)
			if (scan->names[i].key)
				*slot_for(slots, cap, scan->names[i].key) = scan->names[i];
		free(scan->names);
		scan->names = slots;
		scan->names_cap = cap;
	}
	slot = slot_for(scan->names, scan->names_cap, key);
	if (!slot->key) {
		slot->key = key;
		slot->name = lookup(scan->ctx, kind, dev);
		scan->names_used++;
	}
	return slot->name;
}

void vfiox__names_free(struct vfiox_scan *scan)
{
	size_t i;

	for (i = 0; i < scan->names_cap; i++)
		free(scan->names[i].name);
	free(scan->names);
	scan->names = NULL;
	scan->names_cap = scan->names_used = 0;
}

static void load_names(struct vfiox_pci_dev *dev)
{
	if (dev->names_loaded)
		return;
	dev->names_loaded = true;
	dev->vendor_name = cached_name(dev, NAME_VENDOR);
	dev->device_name = cached_name(dev, NAME_DEVICE);
	dev->class_name = cached_name(dev, NAME_CLASS);
	if (dev->subsys_vendor_id || dev->subsys_device_id)
		dev->subsys_name = cached_name(dev, NAME_SUBSYS);
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
