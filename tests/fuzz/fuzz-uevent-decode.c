// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer: the monitor's uevent decoder (libvfiox/monitor.c), fed what the kernel or
 * udevd sends: "KEY=VALUE" entries separated by NUL, maybe an "action@devpath" header.
 * Whatever it accepts must be self-consistent.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vfiox/monitor.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfiox_event ev;
	struct vfiox_pci_addr a;
	char canon[VFIOX_PCI_ADDR_STRLEN];
	/* A copy of exactly @size bytes, so ASan catches any read past the end. */
	char *buf = malloc(size ? size : 1);
	int ret;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	ret = vfiox__uevent_decode(buf, size, &ev);
	if (ret != 0 && ret != 1 && ret != -EBADMSG)
		abort();
	if (ret == 1) {
		if (strnlen(ev.device, sizeof(ev.device)) == sizeof(ev.device) ||
		    strnlen(ev.driver, sizeof(ev.driver)) == sizeof(ev.driver) ||
		    ev.class_code > 0xffffff)
			abort();
		switch (ev.type) {
		case VFIOX_EVENT_GROUP_ADD:
		case VFIOX_EVENT_GROUP_REMOVE:
			if (ev.group < 0 || ev.device[0])
				abort();
			break;
		case VFIOX_EVENT_PCI_ADD:
		case VFIOX_EVENT_PCI_REMOVE:
		case VFIOX_EVENT_PCI_BIND:
		case VFIOX_EVENT_PCI_UNBIND:
		case VFIOX_EVENT_PCI_CHANGE:
			/* The address is canonical: it parses and prints back the same. */
			if (vfiox_pci_addr_parse(ev.device, &a) ||
			    vfiox_pci_addr_format(&a, canon, sizeof(canon)) < 0 ||
			    strcmp(canon, ev.device) || ev.group != -1)
				abort();
			if (ev.type == VFIOX_EVENT_PCI_BIND && !ev.driver[0])
				abort();
			break;
		default:
			abort();
		}
		if (!strcmp(vfiox_event_type_name(ev.type), "unknown"))
			abort();
	}
	free(buf);
	return 0;
}
