// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiox-physmap ADDR MODE PHYS SIZE : test helper for the VM: a physical range reserved at
 * boot (memmap=, "Reserved" in /proc/iomem, owned by no process) mapped by
 * vfiox_physmap_new() through /dev/mem into the container of edu ADDR, and QEMU's edu DMA
 * engine reading and writing it through the real IOMMU (at most 2048 bytes per transfer,
 * device buffer at 0x40000, 28 bits of IOVA). Each line printed is one fact the shell
 * test compares.
 *
 *   chosen   the library picks the IOVA (below 1 << 28): a pattern written through the
 *            /dev/mem view goes range -> edu -> another part of the range; the bytes are
 *            checked in the view and read back from /dev/mem with pread
 *   fixed    the same at IOVA = PHYS (VFIOX_DMA_FIXED)
 *   blocked  only the first half mapped at IOVA = PHYS: edu writing to the IOVA just past
 *            it (the second half, watched through a /dev/mem mapping of this helper's
 *            own) changes nothing; once the second half is mapped too, the same write lands
 *   vmlck    VmLck of this process around a physmap of SIZE and around an ordinary buffer
 *            of SIZE mapped for DMA: type1 charges the second, not the first
 *   hidden   as uid 65534 (after the device is open): /proc/iomem hides its addresses and
 *            the library refuses
 *   ram      PHYS SIZE is System RAM: the refusal and its message
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "helper.h"

#define RW (VFIOX_DMA_READ | VFIOX_DMA_WRITE)
#define XFER 2048u

static struct vfiox_ctx *ctx;
static struct vfiox_bar *bar;

static int fail(const char *what, int err)
{
	printf("FAIL %s: %d %s\n", what, err, vfiox_ctx_last_error(ctx));
	return 1;
}

static int edu_dma(uint64_t iova, uint32_t len, int to_ram)
{
	return helper_edu_dma(bar, iova, len, to_ram);
}

static bool all_bytes(const uint8_t *p, size_t len, uint8_t v)
{
	while (len--)
		if (*p++ != v)
			return false;
	return true;
}

static void pattern(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + seed);
}

/* The physical bytes at @phys as /dev/mem's read path sees them, not through any mapping. */
static bool devmem_equals(uint64_t phys, const uint8_t *want, size_t len)
{
	uint8_t got[XFER];
	int fd = open("/dev/mem", O_RDONLY | O_CLOEXEC);
	bool same;

	if (fd < 0)
		return false;
	same = pread(fd, got, len, (off_t)phys) == (ssize_t)len && !memcmp(got, want, len);
	close(fd);
	return same;
}

static int roundtrip(struct vfiox_container *c, uint64_t phys, uint64_t size, bool fixed)
{
	const char *name = fixed ? "fixed" : "chosen";
	struct vfiox_physmap *m;
	uint64_t iova = phys, dst;
	uint8_t want[XFER], *v;
	int ret;

	ret = vfiox_physmap_new(c, phys, size, RW | (fixed ? VFIOX_DMA_FIXED : 0), EDU_MASK, &iova,
				&m);
	if (ret)
		return fail("physmap", ret);
	v = vfiox_physmap_addr(m);
	dst = size / 2;
	pattern(want, sizeof(want), fixed ? 11 : 3);
	memcpy(v, want, XFER);
	memset(v + dst, 0xee, XFER + 4096);
	if ((ret = edu_dma(iova, XFER, 0)) || (ret = edu_dma(iova + dst, XFER, 1)))
		return fail("edu dma", ret);
	printf("%s iova 0x%llx (%s phys) below 0x%llx: %s\n", name, (unsigned long long)iova,
	       iova == phys ? "=" : "!=", EDU_MASK, iova + size <= EDU_MASK ? "yes" : "NO");
	printf("%s view %s\n", name,
	       !memcmp(v + dst, want, XFER) && all_bytes(v + dst + XFER, 4096, 0xee) ? "ok"
										  : "DIFFERS");
	printf("%s /dev/mem %s\n", name, devmem_equals(phys + dst, want, XFER) ? "ok" : "DIFFERS");
	printf("%s entries %zu\n", name, vfiox_dma_entries_used(c));
	vfiox_physmap_free(m);
	printf("%s after free: entries %zu\n", name, vfiox_dma_entries_used(c));
	return 0;
}

static int blocked(struct vfiox_container *c, uint64_t phys, uint64_t size)
{
	uint64_t half = size / 2, iova = phys, iova2 = phys + half;
	struct vfiox_physmap *m, *m2;
	uint8_t *v, *watch;
	int fd, ret;

	if ((ret = vfiox_physmap_new(c, phys, half, RW | VFIOX_DMA_FIXED, EDU_MASK, &iova, &m)))
		return fail("physmap", ret);
	fd = open("/dev/mem", O_RDWR | O_CLOEXEC);
	watch = fd < 0 ? MAP_FAILED
		       : mmap(NULL, half, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)(phys + half));
	if (fd >= 0)
		close(fd);
	if (watch == MAP_FAILED)
		return fail("watch", -errno);
	v = vfiox_physmap_addr(m);
	memset(watch, 0xc3, half);
	/* Load the device buffer with 0x5a, so any write that got through would show. */
	memset(v, 0x5a, XFER);
	if ((ret = edu_dma(iova, XFER, 0)))
		return fail("load", ret);
	memset(v, 0x11, half);
	ret = edu_dma(phys + half, XFER, 1);
	printf("past the range %s (%d)\n",
	       all_bytes(watch, half, 0xc3) && all_bytes(v, half, 0x11) ? "untouched" : "CHANGED",
	       ret);
	ret = edu_dma(phys - 4096, XFER, 1);
	printf("below the range %s (%d)\n",
	       all_bytes(watch, half, 0xc3) && all_bytes(v, half, 0x11) ? "untouched" : "CHANGED",
	       ret);
	/* The same write once the second half is mapped too: it lands, so the check can tell. */
	if ((ret = vfiox_physmap_new(c, phys + half, half, RW | VFIOX_DMA_FIXED, EDU_MASK, &iova2,
				     &m2)))
		return fail("physmap second half", ret);
	if ((ret = edu_dma(iova2, XFER, 1)))
		return fail("mapped write", ret);
	printf("mapped %s\n", all_bytes(watch, XFER, 0x5a) && all_bytes(watch + XFER, half - XFER,
									  0xc3) ? "written" : "NOT WRITTEN");
	vfiox_physmap_free(m2);
	vfiox_physmap_free(m);
	munmap(watch, half);
	return 0;
}

static unsigned long vmlck_kb(void)
{
	char line[256];
	unsigned long kb = ~0ul;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %lu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static int vmlck(struct vfiox_container *c, uint64_t phys, uint64_t size)
{
	unsigned long before, after;
	struct vfiox_physmap *m;
	struct vfiox_dma_buf *b;
	uint64_t iova;
	int ret;

	before = vmlck_kb();
	if ((ret = vfiox_physmap_new(c, phys, size, RW, EDU_MASK, &iova, &m)))
		return fail("physmap", ret);
	after = vmlck_kb();
	printf("physmap %llu KiB: VmLck +%ld kB\n", (unsigned long long)(size >> 10),
	       (long)(after - before));
	vfiox_physmap_free(m);
	if ((ret = vfiox_dma_buf_new(ctx, size, VFIOX_BUF_ANON, &b)))
		return fail("buffer", ret);
	before = vmlck_kb();
	if ((ret = vfiox_dma_map(c, vfiox_dma_buf_addr(b), size, RW, EDU_MASK, &iova)))
		return fail("map", ret);
	after = vmlck_kb();
	printf("buffer %llu KiB: VmLck +%ld kB\n", (unsigned long long)(size >> 10),
	       (long)(after - before));
	vfiox_dma_unmap_all(c);
	vfiox_dma_buf_free(b);
	return 0;
}

static int refused(struct vfiox_container *c, uint64_t phys, uint64_t size, bool drop)
{
	struct vfiox_physmap *m = NULL;
	uint64_t iova;
	int ret;

	if (drop && (setgid(65534) || setuid(65534))) {
		printf("FAIL dropping privileges: %s\n", strerror(errno));
		return 1;
	}
	ret = vfiox_physmap_new(c, phys, size, RW, EDU_MASK, &iova, &m);
	printf("refused %s: %s\n", ret ? strerrorname_np(-ret) : "NOT", vfiox_ctx_last_error(ctx));
	printf("mappings %zu\n", vfiox_dma_num_mappings(c));
	vfiox_physmap_free(m);
	return 0;
}

int main(int argc, char **argv)
{
	struct helper_dev dev;
	uint64_t phys, size;
	uint16_t cmd;
	int ret;

	if (argc != 5) {
		fprintf(stderr, "usage: vfiox-physmap ADDR MODE PHYS SIZE\n");
		return 2;
	}
	phys = strtoull(argv[3], NULL, 0);
	size = strtoull(argv[4], NULL, 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (vfiox_ctx_new(&ctx))
		return 1;
	if (helper_open(ctx, argv[1], &dev) || vfiox_bar_open(dev.d, 0, 0, &bar))
		return fail("open", -EIO);
	/* edu's DMA is a bus master's memory access. */
	if (vfiox_device_config_read(dev.d, 4, &cmd, 2))
		return fail("config", -EIO);
	cmd |= 0x4;
	if (vfiox_device_config_write(dev.d, 4, &cmd, 2))
		return fail("config", -EIO);
	if (!strcmp(argv[2], "chosen") || !strcmp(argv[2], "fixed"))
		ret = roundtrip(dev.c, phys, size, !strcmp(argv[2], "fixed"));
	else if (!strcmp(argv[2], "blocked"))
		ret = blocked(dev.c, phys, size);
	else if (!strcmp(argv[2], "vmlck"))
		ret = vmlck(dev.c, phys, size);
	else if (!strcmp(argv[2], "hidden") || !strcmp(argv[2], "ram"))
		ret = refused(dev.c, phys, size, !strcmp(argv[2], "hidden"));
	else
		ret = 2;
	vfiox_bar_close(bar);
	helper_close(&dev);
	vfiox_ctx_free(ctx);
	return ret;
}
