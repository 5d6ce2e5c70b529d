// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiox-bar ADDR BAR OP... : test helper for the VM. Opens the device (its group must be
 * viable and on vfio-pci), opens BAR twice (mapped as the library chooses, and with
 * VFIOX_BAR_NO_MMAP) and runs the operations in order, one output line each:
 *   layout                 segments: "OFFSET SIZE KIND" (hex, kind as a word)
 *   mapped | trapped       use the mapped (default) or the all-trapped handle from now on
 *   r8|r16|r32|r64 OFF     read: prints the value in hex
 *   w8|w16|w32|w64 OFF VAL write
 *   ptr OFF LEN            "mapped" when vfiox_bar_ptr() gives a pointer, else "trapped"
 * Exits 1 with the library's message on the first failure.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper.h"

static const char *kind_name(int k)
{
	static const char *const names[] = { "mapped", "msix-table", "msix-pba", "sparse-gap",
					     "not-mmappable" };

	return k >= 0 && k <= 4 ? names[k] : "?";
}

static int run_op(struct vfiox_bar *b, char **argv, int *i, int argc)
{
	const char *op = argv[*i];
	uint64_t off, val = 0;
	int bits, ret;

	if (!strcmp(op, "layout")) {
		size_t k;

		for (k = 0; k < vfiox_bar_num_segments(b); k++) {
			const struct vfiox_bar_segment *s = vfiox_bar_segment(b, k);

			printf("0x%" PRIx64 " 0x%" PRIx64 " %s\n", s->offset, s->size,
			       kind_name(s->kind));
		}
		return 0;
	}
	if (*i + 1 >= argc)
		return -2;
	off = strtoull(argv[++*i], NULL, 0);
	if (!strcmp(op, "ptr")) {
		if (*i + 1 >= argc)
			return -2;
		printf("%s\n", vfiox_bar_ptr(b, off, strtoull(argv[++*i], NULL, 0)) ? "mapped"
										     : "trapped");
		return 0;
	}
	if ((op[0] != 'r' && op[0] != 'w') || !(bits = atoi(op + 1)))
		return -2;
	if (op[0] == 'w') {
		if (*i + 1 >= argc)
			return -2;
		val = strtoull(argv[++*i], NULL, 0);
		switch (bits) {
		case 8: return vfiox_bar_write8(b, off, (uint8_t)val);
		case 16: return vfiox_bar_write16(b, off, (uint16_t)val);
		case 32: return vfiox_bar_write32(b, off, (uint32_t)val);
		case 64: return vfiox_bar_write64(b, off, val);
		}
		return -2;
	}
	switch (bits) {
	case 8: { uint8_t v; ret = vfiox_bar_read8(b, off, &v); val = v; break; }
	case 16: { uint16_t v; ret = vfiox_bar_read16(b, off, &v); val = v; break; }
	case 32: { uint32_t v; ret = vfiox_bar_read32(b, off, &v); val = v; break; }
	case 64: ret = vfiox_bar_read64(b, off, &val); break;
	default: return -2;
	}
	if (!ret)
		printf("0x%" PRIx64 "\n", val);
	return ret;
}

int main(int argc, char **argv)
{
	struct vfiox_ctx *ctx;
	struct helper_dev dev = { 0 };
	struct vfiox_bar *mapped = NULL, *trapped = NULL, *cur;
	int i, ret = 1;

	if (argc < 4) {
		fprintf(stderr, "usage: vfiox-bar ADDR BAR OP...\n");
		return 2;
	}
	if (vfiox_ctx_new(&ctx))
		return 1;
	if (helper_open(ctx, argv[1], &dev) ||
	    vfiox_bar_open(dev.d, (uint32_t)atoi(argv[2]), 0, &mapped) ||
	    vfiox_bar_open(dev.d, (uint32_t)atoi(argv[2]), VFIOX_BAR_NO_MMAP, &trapped))
		goto out;
	cur = mapped;
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "mapped")) {
			cur = mapped;
			continue;
		}
		if (!strcmp(argv[i], "trapped")) {
			cur = trapped;
			continue;
		}
		ret = run_op(cur, argv, &i, argc);
		if (ret == -2) {
			fprintf(stderr, "vfiox-bar: bad operation at '%s'\n", argv[i]);
			ret = 2;
			goto done;
		}
		if (ret)
			goto out;
	}
	ret = 0;
	goto done;
out:
	fprintf(stderr, "vfiox-bar: %s\n", vfiox_ctx_last_error(ctx));
	ret = 1;
done:
	vfiox_bar_close(trapped);
	vfiox_bar_close(mapped);
	helper_close(&dev);
	vfiox_ctx_free(ctx);
	return ret;
}
