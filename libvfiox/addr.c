// SPDX-License-Identifier: LGPL-2.1-or-later
/* PCI addresses: parsing, formatting, ordering. */
#include <errno.h>
#include <stdio.h>

#include "internal.h"

/* Parses 1..@maxdigits hex digits; returns the position after them or NULL. */
static const char *hex_field(const char *s, int maxdigits, unsigned long *val)
{
	unsigned long v = 0;
	int n = 0;

	for (; n < maxdigits + 1; n++, s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		v = v * 16 + (unsigned long)d;
	}
	if (n == 0 || n > maxdigits)
		return NULL;
	*val = v;
	return s;
}

VFIOX_EXPORT int vfiox_pci_addr_parse(const char *str, struct vfiox_pci_addr *addr)
{
	unsigned long f[4];
	const char *p = str;
	int i, nfields;

	if (!str)
		return -EINVAL;
	/* Count the colons to know whether a domain is present. */
	for (nfields = 0, i = 0; str[i]; i++)
		nfields += str[i] == ':';
	if (nfields == 2) {
		p = hex_field(p, 8, &f[0]);
		if (!p || *p++ != ':')
			return -EINVAL;
	} else if (nfields == 1) {
		f[0] = 0;
	} else {
		return -EINVAL;
	}
	p = hex_field(p, 2, &f[1]);
	if (!p || *p++ != ':')
		return -EINVAL;
	p = hex_field(p, 2, &f[2]);
	if (!p || *p++ != '.')
		return -EINVAL;
	p = hex_field(p, 1, &f[3]);
	if (!p || *p != '\0')
		return -EINVAL;
	if (f[1] > 0xff || f[2] > 0x1f || f[3] > 7)
		return -EINVAL;
	addr->domain = (uint32_t)f[0];
	addr->bus = (uint8_t)f[1];
	addr->dev = (uint8_t)f[2];
	addr->func = (uint8_t)f[3];
	return 0;
}

VFIOX_EXPORT int vfiox_pci_addr_format(const struct vfiox_pci_addr *addr, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%04x:%02x:%02x.%x", addr->domain, addr->bus, addr->dev,
			 addr->func);

	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

VFIOX_EXPORT int vfiox_pci_addr_cmp(const struct vfiox_pci_addr *a, const struct vfiox_pci_addr *b)
{
	if (a->domain != b->domain)
		return a->domain < b->domain ? -1 : 1;
	if (a->bus != b->bus)
		return a->bus < b->bus ? -1 : 1;
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->func != b->func)
		return a->func < b->func ? -1 : 1;
	return 0;
}
