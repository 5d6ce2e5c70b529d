// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer: the /proc/iomem parser (kernel text) and the questions asked of its entries.
 * The input is used as it is, not NUL-terminated, as the parser allows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iomem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct vfiox_iomem_entry *e;
	struct vfiox_iomem_verdict v;
	struct vfiox_iomem m;
	uint64_t lo = 0, hi = UINT64_MAX;
	size_t i, found = 0;

	if (vfiox__iomem_parse((const char *)data, size, &m))
		return 0;
	for (i = 0; i < m.n; i++) {
		e = &m.v[i];
		/* every entry is ordered, and its name lies inside the parsed copy */
		if (e->end < e->start || e->name < m.text || e->name > m.text + size)
			abort();
		if (e->name + strlen(e->name) > m.text + size)
			abort();
	}
	if (m.n) {
		lo = m.v[0].start;
		hi = m.v[m.n - 1].end < lo ? lo : m.v[m.n - 1].end;
	}
	vfiox__iomem_classify(&m, lo, hi, &v);
	if ((v.ram && strcmp(v.ram->name, "System RAM")) ||
	    (v.top && (v.top->depth || v.top->start > lo || v.top->end < hi)))
		abort();
	for (e = NULL; (e = vfiox__iomem_find(&m, "Reserved", lo, hi, 0, e)); found++)
		if (e < m.v || e >= m.v + m.n || found > m.n)
			abort();
	vfiox__iomem_release(&m);
	return 0;
}
