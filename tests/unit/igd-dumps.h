/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * igd-dumps.h - shared by the IGD unit tests: config space from "OFF: bytes" rows (the form
 * of the public dumps in shared/igd/, every other byte zero) and little-endian stores.
 */
#ifndef VFIOX_TESTS_IGD_DUMPS_H
#define VFIOX_TESTS_IGD_DUMPS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static inline void hex_rows(const char *text, uint8_t *cfg, size_t len)
{
	const char *p = text;

	memset(cfg, 0, len);
	while (p && *p) {
		unsigned off, byte;
		int n;

		assert_int_equal(sscanf(p, "%x:%n", &off, &n), 1);
		p += n;
		while (*p == ' ' && sscanf(p, " %2x%n", &byte, &n) == 1) {
			assert_true(off < len);
			cfg[off++] = (uint8_t)byte;
			p += n;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
}

static inline void put16(uint8_t *c, size_t off, uint16_t v)
{
	c[off] = (uint8_t)v;
	c[off + 1] = (uint8_t)(v >> 8);
}

static inline void put32(uint8_t *c, size_t off, uint32_t v)
{
	put16(c, off, (uint16_t)v);
	put16(c, off + 2, (uint16_t)(v >> 16));
}

#endif /* VFIOX_TESTS_IGD_DUMPS_H */
