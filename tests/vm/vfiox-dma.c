// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiox-dma ADDR MODE [N] : test helper for the VM: QEMU's edu DMA engine through the real
 * IOMMU, with memory mapped by libvfiox. edu copies between an IOVA and its 4 KiB buffer
 * at device address 0x40000 (registers 0x80 src, 0x88 dst, 0x90 count, 0x98 cmd: bit 0
 * run, bit 1 device-to-RAM); it reaches 28 bits of IOVA. Transfers stay at or below 2048
 * bytes (QEMU 7.2's bounds check is off by one at 4096). Each line printed is one fact
 * the shell test compares.
 *
 *   roundtrip       RAM -> edu -> other RAM through library mappings; "roundtrip ok"
 *   blocked         edu writes to an IOVA never mapped and to one just unmapped: the
 *                   memory keeps its pattern ("never-mapped untouched", "unmapped untouched")
 *   ranges N        N allocations under the 28-bit mask: "N/N inside, below 0x10000000"
 *   entries N       maps 4 KiB buffers until refused: "mapped K" and the errno and message
 *   memlock         drops to uid 65534 with RLIMIT_MEMLOCK 64 KiB, maps 1 MiB: the message
 *   pool            a DMA pool in an IOVA window: data through the pool round-trips;
 *                   device writes just outside the pool change nothing
 *   batch N         N chunks of one buffer mapped in a batch, then without: entries used
 *   bench MIB KIND  (make bench) MIB of KIND memory (anon, huge2m) mapped in 2 MiB chunks
 *                   by the library and by a raw VFIO_IOMMU_MAP_DMA loop, alternating,
 *                   and unmapped again; medians of each and the ratio
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <linux/vfio.h>
#include <time.h>
#include <unistd.h>

#include "helper.h"

#define RW (VFIOX_DMA_READ | VFIOX_DMA_WRITE)

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

static void *buf_new(uint64_t size, int kind, struct vfiox_dma_buf **b)
{
	if (vfiox_dma_buf_new(ctx, size, kind, b))
		return NULL;
	return vfiox_dma_buf_addr(*b);
}

static int roundtrip(struct vfiox_container *c)
{
	struct vfiox_dma_buf *b1, *b2;
	uint8_t *src = buf_new(4096, VFIOX_BUF_ANON, &b1), *dst = buf_new(4096, VFIOX_BUF_MEMFD, &b2);
	uint64_t i1, i2;
	int i, ret;

	if (!src || !dst)
		return fail("buffers", -ENOMEM);
	for (i = 0; i < 2048; i++)
		src[i] = (uint8_t)(i * 7 + 3);
	memset(dst, 0xee, 4096);
	if ((ret = vfiox_dma_map(c, src, 4096, VFIOX_DMA_READ, EDU_MASK, &i1)) ||
	    (ret = vfiox_dma_map(c, dst, 4096, VFIOX_DMA_WRITE, EDU_MASK, &i2)))
		return fail("map", ret);
	if ((ret = edu_dma(i1, 2048, 0)) || (ret = edu_dma(i2, 2048, 1)))
		return fail("edu dma", ret);
	printf("roundtrip %s\n", !memcmp(src, dst, 2048) && dst[2048] == 0xee ? "ok" : "DIFFERS");
	vfiox_dma_unmap_all(c);
	vfiox_dma_buf_free(b1);
	vfiox_dma_buf_free(b2);
	return 0;
}

static bool all_bytes(const uint8_t *p, size_t len, uint8_t v)
{
	while (len--)
		if (*p++ != v)
			return false;
	return true;
}

static int blocked(struct vfiox_container *c)
{
	struct vfiox_dma_buf *b1, *b2;
	uint8_t *src = buf_new(4096, VFIOX_BUF_ANON, &b1), *victim = buf_new(4096, VFIOX_BUF_ANON, &b2);
	uint64_t i1, i2;
	int ret;

	if (!src || !victim)
		return fail("buffers", -ENOMEM);
	memset(src, 0x5a, 4096);
	memset(victim, 0xc3, 4096);
	/* Load the device buffer with 0x5a, so any write that got through would show. */
	if ((ret = vfiox_dma_map(c, src, 4096, VFIOX_DMA_READ, EDU_MASK, &i1)) ||
	    (ret = edu_dma(i1, 2048, 0)))
		return fail("load", ret);
	/* Never mapped: the IOVA right above the source's. */
	ret = edu_dma(i1 + 0x100000, 2048, 1);
	printf("never-mapped %s (%d)\n",
	       all_bytes(victim, 4096, 0xc3) && all_bytes(src, 4096, 0x5a) ? "untouched" : "CHANGED",
	       ret);
	if ((ret = vfiox_dma_map(c, victim, 4096, VFIOX_DMA_WRITE, EDU_MASK, &i2)))
		return fail("map victim", ret);
	if ((ret = vfiox_dma_unmap(c, i2, 4096)))
		return fail("unmap victim", ret);
	ret = edu_dma(i2, 2048, 1);
	printf("unmapped %s (%d)\n", all_bytes(victim, 4096, 0xc3) ? "untouched" : "CHANGED", ret);
	/* And the same write while mapped does land: the check above can tell. */
	if ((ret = vfiox_dma_map(c, victim, 4096, VFIOX_DMA_WRITE, EDU_MASK, &i2)) ||
	    (ret = edu_dma(i2, 2048, 1)))
		return fail("mapped write", ret);
	printf("mapped %s\n", all_bytes(victim, 2048, 0x5a) ? "written" : "NOT WRITTEN");
	vfiox_dma_unmap_all(c);
	vfiox_dma_buf_free(b1);
	vfiox_dma_buf_free(b2);
	return 0;
}

static int ranges(struct vfiox_container *c, int n)
{
	struct vfiox_iommu_info *info;
	struct vfiox_dma_buf *b;
	uint8_t *mem = buf_new((uint64_t)n * 4096, VFIOX_BUF_ANON, &b);
	int i, inside = 0, below = 0, ret;
	uint64_t iova;
	size_t r;

	if (!mem || (ret = vfiox_container_iommu_info(c, &info)))
		return fail("setup", -ENOMEM);
	for (i = 0; i < n; i++) {
		ret = vfiox_dma_map(c, mem + (size_t)i * 4096, 4096, VFIOX_DMA_READ,
				    EDU_MASK, &iova);
		if (ret)
			return fail("map", ret);
		below += iova + 4096 <= EDU_MASK;
		for (r = 0; r < info->num_iova_ranges; r++)
			if (iova >= info->iova_ranges[r].start && iova + 4095 <= info->iova_ranges[r].end) {
				inside++;
				break;
			}
	}
	printf("%d/%d inside the kernel's ranges, %d/%d below 0x%llx, entries %zu\n", inside, n,
	       below, n, EDU_MASK, vfiox_dma_entries_used(c));
	vfiox_dma_unmap_all(c);
	vfiox_iommu_info_free(info);
	vfiox_dma_buf_free(b);
	return 0;
}

static int entries(struct vfiox_container *c, int n)
{
	struct vfiox_dma_buf *b;
	uint8_t *mem = buf_new((uint64_t)(n + 2) * 8192, VFIOX_BUF_ANON, &b);
	uint64_t iova;
	int i, ret = 0;

	if (!mem)
		return fail("buffer", -ENOMEM);
	printf("avail %lld\n", (long long)vfiox_dma_entries_avail(c));
	for (i = 0; i < n + 2; i++) {
		/* Pages apart in memory: each mapping is its own entry. */
		ret = vfiox_dma_map(c, mem + (size_t)i * 8192, 4096, VFIOX_DMA_READ, 0, &iova);
		if (ret)
			break;
	}
	printf("mapped %d\n", i);
	printf("refused %s: %s\n", ret == -ENOSPC ? "ENOSPC" : strerror(-ret),
	       vfiox_ctx_last_error(ctx));
	vfiox_dma_unmap_all(c);
	vfiox_dma_buf_free(b);
	return 0;
}

static int memlock(struct vfiox_container *c)
{
	struct rlimit rl = { 64 * 1024, 64 * 1024 };
	struct vfiox_dma_buf *b;
	uint8_t *mem = buf_new(1 << 20, VFIOX_BUF_ANON, &b);
	uint64_t iova, limit, locked;
	bool cap;
	int ret;

	if (!mem)
		return fail("buffer", -ENOMEM);
	/* Whatever opened the device, the mapping is done by an unprivileged process. */
	if (setrlimit(RLIMIT_MEMLOCK, &rl) || setgid(65534) || setuid(65534)) {
		printf("FAIL dropping privileges: %s\n", strerror(errno));
		return 1;
	}
	if (vfiox_memlock_info(ctx, &limit, &locked, &cap))
		return fail("memlock info", -EIO);
	printf("uid %d limit %llu cap_ipc_lock %d\n", (int)getuid(), (unsigned long long)limit, cap);
	ret = vfiox_dma_map(c, mem, 1 << 20, VFIOX_DMA_READ, 0, &iova);
	printf("map 1 MiB: %s: %s\n", ret == -ENOMEM ? "ENOMEM" : strerror(-ret),
	       ret ? vfiox_ctx_last_error(ctx) : "mapped");
	/* Within the limit it works for the same process. */
	ret = vfiox_dma_map(c, mem, 32 * 1024, VFIOX_DMA_READ, 0, &iova);
	printf("map 32 KiB: %s\n", ret ? vfiox_ctx_last_error(ctx) : "mapped");
	vfiox_dma_unmap_all(c);
	vfiox_dma_buf_free(b);
	return 0;
}

static int pool(struct vfiox_container *c)
{
	const uint64_t win = 0x800000, winsz = 0x400000;
	struct vfiox_dma_pool *p;
	uint8_t data[2048], back[2048];
	uint64_t in, out, base, size;
	int i, ret;

	if ((ret = vfiox_dma_pool_new(c, 64 * 1024, VFIOX_BUF_MEMFD, RW, win, winsz, &p)))
		return fail("pool", ret);
	base = vfiox_dma_pool_iova(p);
	size = vfiox_dma_pool_size(p);
	printf("pool 0x%llx+0x%llx in window: %s; fd %s; entries %zu\n", (unsigned long long)base,
	       (unsigned long long)size, base >= win && base + size <= win + winsz ? "yes" : "NO",
	       vfiox_dma_pool_fd(p) >= 0 ? "yes" : "no", vfiox_dma_entries_used(c));
	if ((ret = vfiox_dma_pool_alloc(p, 2048, 0, &in, NULL)) ||
	    (ret = vfiox_dma_pool_alloc(p, 2048, 4096, &out, NULL)))
		return fail("pool alloc", ret);
	for (i = 0; i < 2048; i++)
		data[i] = (uint8_t)(i ^ 0xa5);
	if ((ret = vfiox_dma_pool_write(p, in, data, sizeof(data))) || (ret = edu_dma(in, 2048, 0)) ||
	    (ret = edu_dma(out, 2048, 1)) || (ret = vfiox_dma_pool_read(p, out, back, sizeof(back))))
		return fail("pool transfer", ret);
	printf("pool roundtrip %s\n", memcmp(data, back, sizeof(data)) ? "DIFFERS" : "ok");
	/* Right below and right above the pool: blocked, and the pool keeps its bytes. */
	memset(vfiox_dma_pool_addr(p), 0x11, size);
	edu_dma(base - 4096, 2048, 1);
	edu_dma(base + size, 2048, 1);
	printf("outside the pool %s\n",
	       all_bytes(vfiox_dma_pool_addr(p), size, 0x11) ? "blocked" : "REACHED THE POOL");
	ret = vfiox_dma_pool_write(p, base + size - 8, data, 16);
	printf("bounce past the end: %s\n", ret == -ERANGE ? "ERANGE" : "accepted");
	vfiox_dma_pool_free(p);
	printf("after free: entries %zu\n", vfiox_dma_entries_used(c));
	return 0;
}

/*
 * A reserved IOVA range [lo, hi] of the device's group, read from sysfs by the caller:
 * the library's usable ranges leave it out, a fixed mapping inside it is refused, and a
 * pool asked for a window that starts just below it (with no room there) lands past it;
 * where edu can reach that far, DMA through the pool works.
 */
static int reserved(struct vfiox_container *c, uint64_t lo, uint64_t hi)
{
	uint64_t start = lo & ~0xfffull, below = 0x20000, size = 0x40000, iova = start, base;
	struct vfiox_iommu_info *info;
	struct vfiox_dma_buf *b;
	struct vfiox_dma_pool *p;
	uint8_t *mem = buf_new(4096, VFIOX_BUF_ANON, &b), data[256], back[256];
	int ret, clash = 0, i;
	size_t r;

	if (!mem || (ret = vfiox_container_iommu_info(c, &info)))
		return fail("setup", -ENOMEM);
	for (r = 0; r < info->num_iova_ranges; r++)
		clash += info->iova_ranges[r].start <= hi && info->iova_ranges[r].end >= lo;
	printf("usable ranges leave it out: %s\n", clash ? "NO" : "yes");
	vfiox_iommu_info_free(info);
	ret = vfiox_dma_map(c, mem, 4096, VFIOX_DMA_READ | VFIOX_DMA_FIXED, 0, &iova);
	printf("fixed at its start: %s\n", ret == -EEXIST ? "refused" : ret ? strerror(-ret) : "MAPPED");
	iova = (hi & ~0xfffull);
	ret = vfiox_dma_map(c, mem, 4096, VFIOX_DMA_READ | VFIOX_DMA_FIXED, 0, &iova);
	printf("fixed at its end: %s\n", ret == -EEXIST ? "refused" : ret ? strerror(-ret) : "MAPPED");
	vfiox_dma_unmap_all(c);
	vfiox_dma_buf_free(b);
	if (start < below)
		below = start;
	ret = vfiox_dma_pool_new(c, size, VFIOX_BUF_MEMFD, RW, start - below,
				 below + (hi - start + 1) + size, &p);
	if (ret)
		return fail("pool", ret);
	base = vfiox_dma_pool_iova(p);
	printf("pool past it: %s\n", base > hi ? "yes" : "NO");
	if (base + size <= EDU_MASK) {
		for (i = 0; i < (int)sizeof(data); i++)
			data[i] = (uint8_t)(i * 7 + 1);
		if ((ret = vfiox_dma_pool_write(p, base, data, sizeof(data))) ||
		    (ret = edu_dma(base, sizeof(data), 0)) ||
		    (ret = edu_dma(base + 4096, sizeof(data), 1)) ||
		    (ret = vfiox_dma_pool_read(p, base + 4096, back, sizeof(back))))
			return fail("pool transfer", ret);
		printf("edu through it: %s\n", memcmp(data, back, sizeof(data)) ? "DIFFERS" : "ok");
	} else {
		printf("edu through it: beyond the 28-bit mask\n");
	}
	vfiox_dma_pool_free(p);
	return 0;
}

static int batch(struct vfiox_container *c, int n)
{
	struct vfiox_dma_buf *b;
	uint64_t chunk = 64 * 1024, iova;
	uint8_t *mem = buf_new(chunk * (uint64_t)n, VFIOX_BUF_ANON, &b);
	int i, ret;

	if (!mem)
		return fail("buffer", -ENOMEM);
	if ((ret = vfiox_dma_batch_begin(c)))
		return fail("batch", ret);
	for (i = 0; i < n; i++)
		if ((ret = vfiox_dma_map(c, mem + chunk * (uint64_t)i, chunk, RW, EDU_MASK, &iova)))
			return fail("map", ret);
	if ((ret = vfiox_dma_batch_end(c)))
		return fail("batch end", ret);
	printf("batch: %d chunks, %zu mappings, %zu entries\n", n, vfiox_dma_num_mappings(c),
	       vfiox_dma_entries_used(c));
	vfiox_dma_unmap_all(c);
	for (i = 0; i < n; i++)
		if ((ret = vfiox_dma_map(c, mem + chunk * (uint64_t)i, chunk, RW, EDU_MASK, &iova)))
			return fail("map", ret);
	printf("unbatched: %d chunks, %zu mappings, %zu entries\n", n, vfiox_dma_num_mappings(c),
	       vfiox_dma_entries_used(c));
	vfiox_dma_unmap_all(c);
	vfiox_dma_buf_free(b);
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The same memory, the same chunks: the raw ioctl loop and the library, alternating. */
/*
 * The raw floor of the iommufd backend: IOMMU_IOAS_MAP/UNMAP as Linux 6.12's uapi
 * defines them (Debian 12's kernel headers predate linux/iommufd.h), no library.
 */
struct raw_ioas_map {
	uint32_t size, flags, ioas_id, reserved;
	uint64_t user_va, length, iova;
};
struct raw_ioas_unmap {
	uint32_t size, ioas_id;
	uint64_t iova, length;
};
#define RAW_IOMMU_IOAS_MAP _IO(';', 0x85)
#define RAW_IOMMU_IOAS_UNMAP _IO(';', 0x86)
#define RAW_IOAS_MAP_FIXED_IOVA 1u
#define RAW_IOAS_MAP_WRITEABLE 2u
#define RAW_IOAS_MAP_READABLE 4u

static int raw_map(struct vfiox_container *c, void *va, uint64_t iova, uint64_t size)
{
	int fd = vfiox_container_fd(c);

	if (vfiox_container_backend(c) == VFIOX_BACKEND_IOMMUFD) {
		struct raw_ioas_map map = {
			.size = sizeof(map),
			.flags = RAW_IOAS_MAP_FIXED_IOVA | RAW_IOAS_MAP_READABLE |
				 RAW_IOAS_MAP_WRITEABLE,
			.ioas_id = vfiox_container_ioas(c),
			.user_va = (uintptr_t)va,
			.length = size,
			.iova = iova,
		};

		return ioctl(fd, RAW_IOMMU_IOAS_MAP, &map) ? -errno : 0;
	} else {
		struct vfio_iommu_type1_dma_map map = {
			.argsz = sizeof(map),
			.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.vaddr = (uintptr_t)va,
			.iova = iova,
			.size = size,
		};

		return ioctl(fd, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
	}
}

static int raw_unmap(struct vfiox_container *c, uint64_t iova, uint64_t size)
{
	int fd = vfiox_container_fd(c);

	if (vfiox_container_backend(c) == VFIOX_BACKEND_IOMMUFD) {
		struct raw_ioas_unmap unmap = { .size = sizeof(unmap),
						.ioas_id = vfiox_container_ioas(c),
						.iova = iova, .length = size };

		return ioctl(fd, RAW_IOMMU_IOAS_UNMAP, &unmap) ? -errno : 0;
	} else {
		struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap), .iova = iova,
							    .size = size };

		return ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap) ? -errno : 0;
	}
}

static int bench_chunks(struct vfiox_container *c, uint8_t *mem, uint64_t size, uint64_t chunk,
			const char *kind)
{
	bool fd_ioas = vfiox_container_backend(c) == VFIOX_BACKEND_IOMMUFD;
	uint64_t off, iova;
	int rounds = 31, r, ret;
	double raw[31], lib[31], ratio[31], t;

	for (r = 0; r < 2 * rounds; r++) {
		/* Alternate which goes first; both map at the IOVAs the library picks (from 0). */
		if ((r & 1) == (r / 2 & 1)) {
			t = now_ms();
			for (off = 0; off < size; off += chunk)
				if ((ret = raw_map(c, mem + off, off, chunk)))
					return fail("raw map", ret);
			raw[r / 2] = now_ms() - t;
			for (off = 0; off < size; off += chunk)
				if ((ret = raw_unmap(c, off, chunk)))
					return fail("raw unmap", ret);
		} else {
			t = now_ms();
			for (off = 0; off < size; off += chunk)
				if ((ret = vfiox_dma_map(c, mem + off, chunk, RW, 0, &iova)))
					return fail("map", ret);
			lib[r / 2] = now_ms() - t;
			if ((ret = vfiox_dma_unmap_all(c)))
				return fail("unmap", ret);
		}
	}
	/* The ratio of each pair of adjacent runs: drift and a busy host cancel out. */
	for (r = 0; r < rounds; r++)
		ratio[r] = lib[r] / raw[r];
	qsort(raw, rounds, sizeof(raw[0]), cmp_double);
	qsort(lib, rounds, sizeof(lib[0]), cmp_double);
	qsort(ratio, rounds, sizeof(ratio[0]), cmp_double);
	printf("bench: DMA map [%s] %llu MiB %s in %llu MiB chunks: raw %s loop %.2f ms, library "
	       "%.2f ms, ratio %.3fx (target <= 1.05x: %s; medians of %d pairs)\n",
	       fd_ioas ? "iommufd" : "type1", (unsigned long long)(size >> 20), kind,
	       (unsigned long long)(chunk >> 20), fd_ioas ? "IOMMU_IOAS_MAP" : "MAP_DMA",
	       raw[rounds / 2], lib[rounds / 2], ratio[rounds / 2],
	       ratio[rounds / 2] <= 1.05 ? "met" : "MISSED", rounds);
	return 0;
}

static int bench(struct vfiox_container *c, int mib, const char *kind)
{
	const uint64_t chunk = 2ull << 20;
	uint64_t size = (uint64_t)mib << 20, off, iova;
	bool huge = !strcmp(kind, "huge2m");
	struct vfiox_dma_buf *b;
	double t;
	uint8_t *mem;
	int ret;

	if (huge) {
		mem = buf_new(size, VFIOX_BUF_HUGE_2M, &b);
	} else {
		/* "4 KiB-backed" means it: no transparent huge pages, decided before first touch. */
		b = NULL;
		mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED || madvise(mem, size, MADV_NOHUGEPAGE))
			return fail("4 KiB memory", -errno);
		memset(mem, 1, size);
	}
	if (!mem)
		return fail("buffer", -ENOMEM);
	if (bench_chunks(c, mem, size, chunk, huge ? "2 MiB hugetlb" : "4 KiB pages") ||
	    bench_chunks(c, mem, size, 32ull << 20, huge ? "2 MiB hugetlb" : "4 KiB pages"))
		return 1;
	/* Entries: the same buffer in chunks, batched (merged) and not. */
	if ((ret = vfiox_dma_batch_begin(c)))
		return fail("batch", ret);
	for (off = 0; off < size; off += chunk)
		if ((ret = vfiox_dma_map(c, mem + off, chunk, RW, 0, &iova)))
			return fail("map", ret);
	t = now_ms();
	if ((ret = vfiox_dma_batch_end(c)))
		return fail("batch end", ret);
	t = now_ms() - t;
	printf("bench: DMA entries for %d MiB %s in %llu chunks: %zu in a batch (%.1f ms), ", mib,
	       huge ? "2 MiB hugetlb" : "4 KiB pages", (unsigned long long)(size / chunk), vfiox_dma_entries_used(c), t);
	vfiox_dma_unmap_all(c);
	for (off = 0; off < size; off += chunk)
		if ((ret = vfiox_dma_map(c, mem + off, chunk, RW, 0, &iova)))
			return fail("map", ret);
	printf("%zu without\n", vfiox_dma_entries_used(c));
	vfiox_dma_unmap_all(c);
	if (b)
		vfiox_dma_buf_free(b);
	else
		munmap(mem, size);
	return 0;
}

int main(int argc, char **argv)
{
	struct helper_dev dev;
	uint16_t cmd;
	int n = argc > 3 ? atoi(argv[3]) : 0, ret;

	if (argc < 3) {
		fprintf(stderr, "usage: vfiox-dma ADDR MODE [N]\n");
		return 2;
	}
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
	if (!strcmp(argv[2], "roundtrip"))
		ret = roundtrip(dev.c);
	else if (!strcmp(argv[2], "blocked"))
		ret = blocked(dev.c);
	else if (!strcmp(argv[2], "ranges"))
		ret = ranges(dev.c, n);
	else if (!strcmp(argv[2], "entries"))
		ret = entries(dev.c, n);
	else if (!strcmp(argv[2], "memlock"))
		ret = memlock(dev.c);
	else if (!strcmp(argv[2], "pool"))
		ret = pool(dev.c);
	else if (!strcmp(argv[2], "reserved") && argc > 4)
		ret = reserved(dev.c, strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0));
	else if (!strcmp(argv[2], "batch"))
		ret = batch(dev.c, n);
	else if (!strcmp(argv[2], "bench") && argc > 4)
		ret = bench(dev.c, n, argv[4]);
	else
		ret = 2;
	vfiox_bar_close(bar);
	helper_close(&dev);
	vfiox_ctx_free(ctx);
	return ret;
}
