// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reserved physical ranges for a container (libvfiox/physmap.c) against a fake kernel at
 * the syscall layer: /dev/mem opens as a fake fd (or fails as the test says), its mmap is
 * anonymous shared memory standing for the physical pages (or fails), and a fake type1
 * container maps DMA the way vfio_iommu_type1 does: memory of a /dev/mem mapping
 * (VM_PFNMAP) is not charged to RLIMIT_MEMLOCK, any other memory is, and MAP_DMA fails
 * with -ENOMEM past the limit. /proc/iomem, /proc/self/status and the lockdown file are
 * files in a fixture. Every test ends with every fake fd closed exactly once and no
 * /dev/mem mapping left.
 *
 * Linked with WRAP_test-physmap in the Makefile.
 */
#include <linux/vfio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <vfiox/physmap.h>

#include "internal.h"
#include "testutil.h"

#define FK_MAX 16
#include "fake-kernel.h"

enum { KIND_CONTAINER = 1, KIND_MEM };

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define MSI_LO 0xfee00000ull
#define MSI_HI 0xfeefffffull
#define TOP 0xffffffffffffull
#define RES 0x0c000000ull /* the range reserved at boot in the q35 text */
#define RES_SIZE (4 * MiB)
#define RW (VFIOX_DMA_READ | VFIOX_DMA_WRITE)

int __real_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode);
int __wrap_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode);
int __real_vfiox_sys_ioctl(int fd, unsigned long request, void *arg);
int __wrap_vfiox_sys_ioctl(int fd, unsigned long request, void *arg);
int __real_vfiox_sys_getrlimit(int resource, struct rlimit *rl);
int __wrap_vfiox_sys_getrlimit(int resource, struct rlimit *rl);
int __real_vfiox_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off,
			  void **addrp);
int __wrap_vfiox_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off,
			  void **addrp);
int __real_vfiox_sys_munmap(void *addr, size_t len);
int __wrap_vfiox_sys_munmap(void *addr, size_t len);

static const char q35[] =
	"00000000-00000fff : Reserved\n"
	"00001000-0009fbff : System RAM\n"
	"000f0000-000fffff : Reserved\n"
	"  000f0000-000fffff : System ROM\n"
	"00100000-0bffffff : System RAM\n"
	"  05600000-06400ee6 : Kernel code\n"
	"0c000000-0c3fffff : Reserved\n"
	"0c400000-1ffdffff : System RAM\n"
	"1ffe0000-1fffffff : Reserved\n"
	"c0000000-febfffff : PCI Bus 0000:00\n"
	"fee00000-fee00fff : Local APIC\n";

static const char hidden[] =
	"00000000-00000000 : Reserved\n"
	"00000000-00000000 : System RAM\n"
	"00000000-00000000 : Reserved\n";

struct devmem_map {
	void *addr;
	size_t len;
	off_t off;
	int prot, flags;
};

static struct fake {
	char devmem[4096]; /* the path the library must open */
	int open_err;      /* what opening it returns instead of an fd */
	int open_flags;
	unsigned opens;
	int mmap_err;
	unsigned mmaps, munmaps;
	struct devmem_map live[4]; /* /dev/mem mappings not yet unmapped */
	struct devmem_map last_mmap;
	uint64_t rlimit, locked;
	unsigned map_calls, unmap_calls;
	int fail_map; /* MAP_DMA answers this when set */
	struct vfio_iommu_type1_dma_map last_map;
	struct vfio_iommu_type1_dma_unmap last_unmap;
	struct { uint64_t iova, size; bool charged; } maps[16];
	size_t nmaps;
} fk;

static struct env *cur; /* the fixture of the running test */

static void write_status(void)
{
	char text[256];

	if (!cur)
		return;
	snprintf(text, sizeof(text), "Name:\ttest-physmap\nVmLck:\t%8llu kB\nCapEff:\t%016llx\n",
		 (unsigned long long)(fk.locked / 1024), 0ull);
	env_put(cur, "_proc/self/status", text);
}

int __wrap_vfiox_sys_close(int fd)
{
	return fk_close(fd);
}

int __wrap_vfiox_sys_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	if (strcmp(path, fk.devmem))
		return __real_vfiox_sys_openat(dirfd, path, flags, mode);
	fk.opens++;
	fk.open_flags = flags;
	return fk.open_err ? fk.open_err : fk_new_fd(KIND_MEM);
}

static bool is_mem_fd(int fd)
{
	int s = fk_slot(fd);

	return fk_slot_open(s) && fk_fds.kind[s] == KIND_MEM;
}

int __wrap_vfiox_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off,
			  void **addrp)
{
	size_t i;
	void *p;

	if (fk_slot(fd) < 0)
		return __real_vfiox_sys_mmap(addr, len, prot, flags, fd, off, addrp);
	assert_true(is_mem_fd(fd));
	fk.mmaps++;
	fk.last_mmap = (struct devmem_map){ NULL, len, off, prot, flags };
	if (fk.mmap_err)
		return fk.mmap_err;
	/* Shared anonymous memory stands for the physical pages. */
	p = mmap(NULL, len, prot, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	for (i = 0; i < ARRAY_SIZE(fk.live) && fk.live[i].addr; i++)
		;
	assert_true(i < ARRAY_SIZE(fk.live));
	fk.live[i] = fk.last_mmap;
	fk.live[i].addr = p;
	*addrp = p;
	return 0;
}

int __wrap_vfiox_sys_munmap(void *addr, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fk.live); i++)
		if (fk.live[i].addr && fk.live[i].addr == addr) {
			assert_int_equal(fk.live[i].len, len);
			fk.live[i].addr = NULL;
			fk.munmaps++;
			break;
		}
	return __real_vfiox_sys_munmap(addr, len);
}

int __wrap_vfiox_sys_getrlimit(int resource, struct rlimit *rl)
{
	if (resource != RLIMIT_MEMLOCK)
		return __real_vfiox_sys_getrlimit(resource, rl);
	rl->rlim_cur = rl->rlim_max = fk.rlimit;
	return 0;
}

/* Inside a live /dev/mem mapping: VM_PFNMAP, which type1 neither pins nor charges. */
static bool is_pfnmap(uint64_t vaddr, uint64_t size)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fk.live); i++) {
		uint64_t a = (uintptr_t)fk.live[i].addr;

		if (a && vaddr >= a && vaddr + size <= a + fk.live[i].len)
			return true;
	}
	return false;
}

static int fk_info(struct vfio_iommu_type1_info *info)
{
	static const uint64_t ranges[] = { 0, MSI_LO - 1, MSI_HI + 1, TOP };
	struct fk_reply r;
	uint32_t argsz = info->argsz;

	fk_reply_iommu(&r, VFIO_IOMMU_INFO_PGSIZES, 4 * KiB | 2 * MiB);
	fk_cap_iova(&r, 2, ranges);
	if (argsz < r.len) {
		memcpy(info, r.buf, sizeof(*info) < argsz ? sizeof(*info) : argsz);
		info->argsz = (uint32_t)r.len;
		info->cap_offset = 0;
		return 0;
	}
	memcpy(info, r.buf, r.len);
	return 0;
}

static int fk_map(struct vfio_iommu_type1_dma_map *m)
{
	bool charge = !is_pfnmap(m->vaddr, m->size);
	size_t i;

	fk.map_calls++;
	fk.last_map = *m;
	if (fk.fail_map)
		return fk.fail_map;
	for (i = 0; i < fk.nmaps; i++)
		if (m->iova < fk.maps[i].iova + fk.maps[i].size &&
		    fk.maps[i].iova < m->iova + m->size)
			return -EEXIST;
	if (charge && fk.rlimit != RLIM_INFINITY && fk.locked + m->size > fk.rlimit)
		return -ENOMEM;
	assert_true(fk.nmaps < ARRAY_SIZE(fk.maps));
	fk.maps[fk.nmaps].iova = m->iova;
	fk.maps[fk.nmaps].size = m->size;
	fk.maps[fk.nmaps++].charged = charge;
	if (charge) {
		fk.locked += m->size;
		write_status();
	}
	return 0;
}

static int fk_unmap(struct vfio_iommu_type1_dma_unmap *u)
{
	size_t i;

	fk.unmap_calls++;
	fk.last_unmap = *u;
	for (i = 0; i < fk.nmaps; i++)
		if (fk.maps[i].iova == u->iova && fk.maps[i].size == u->size) {
			if (fk.maps[i].charged)
				fk.locked -= u->size;
			fk.maps[i] = fk.maps[--fk.nmaps];
			write_status();
			return 0;
		}
	return -EINVAL;
}

int __wrap_vfiox_sys_ioctl(int fd, unsigned long request, void *arg)
{
	int s = fk_slot(fd);

	if (s < 0)
		return __real_vfiox_sys_ioctl(fd, request, arg);
	assert_true(fk_slot_open(s));
	assert_int_equal(fk_fds.kind[s], KIND_CONTAINER);
	switch (request) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return (long)arg == VFIO_TYPE1v2_IOMMU || (long)arg == VFIO_TYPE1_IOMMU;
	case VFIO_IOMMU_GET_INFO:
		return fk_info(arg);
	case VFIO_IOMMU_MAP_DMA:
		return fk_map(arg);
	case VFIO_IOMMU_UNMAP_DMA:
		return fk_unmap(arg);
	}
	return -ENOTTY;
}

/* ------------------------------------------------------------------ helpers */

struct t {
	struct env *e;
	struct vfiox_container *c;
};

static struct t setup_host(const char *iomem, const char *lockdown)
{
	struct t t = { .e = env_empty(0) };
	char root[3072];

	cur = t.e;
	env_ctx(t.e);
	if (iomem)
		env_put(t.e, "_proc/iomem", iomem);
	if (lockdown)
		env_put(t.e, "kernel/security/lockdown", lockdown);
	write_status();
	snprintf(root, sizeof(root), "%s/_proc", fx_root(t.e->fx));
	assert_int_equal(vfiox_ctx_set_proc_root(t.e->ctx, root), 0);
	snprintf(root, sizeof(root), "%s/_dev", fx_root(t.e->fx));
	assert_int_equal(vfiox_ctx_set_dev_root(t.e->ctx, root), 0);
	snprintf(fk.devmem, sizeof(fk.devmem), "%s/mem", root);
	assert_int_equal(vfiox_container_adopt(t.e->ctx, fk_new_fd(KIND_CONTAINER), &t.c), 0);
	/* What attaching a group does; the DMA layer needs only the model. */
	t.c->model = VFIOX_IOMMU_TYPE1V2;
	return t;
}

/* Closes the container; then nothing of the fake kernel may be left open or mapped. */
static void done(struct t *t)
{
	size_t i;

	vfiox_container_close(t->c);
	env_free(t->e);
	cur = NULL;
	fk_assert_fds_closed();
	for (i = 0; i < ARRAY_SIZE(fk.live); i++)
		if (fk.live[i].addr)
			fail_msg("a /dev/mem mapping of %zu bytes at offset 0x%llx was never unmapped",
				 fk.live[i].len, (unsigned long long)fk.live[i].off);
}

static void assert_error(struct t *t, const char *w1, const char *w2, const char *w3)
{
	env_assert_error(t->e, w1, w2, w3);
}

/* A refusal made before /dev/mem was opened: nothing was asked of the kernel. */
static void assert_nothing_asked(void)
{
	assert_int_equal(fk.opens, 0);
	assert_int_equal(fk.mmaps, 0);
	assert_int_equal(fk.map_calls, 0);
}

/* ------------------------------------------------------------------ the tests */

static void reserved_range_maps_the_fd_at_its_physical_address(void **state)
{
	struct t t = setup_host(q35, "[none] integrity confidentiality\n");
	struct vfiox_physmap *m = NULL;
	uint64_t iova = 0;
	uint8_t *p;

	assert_int_equal(vfiox_physmap_new(t.c, RES, RES_SIZE, RW, 1ull << 28, &iova, &m), 0);
	assert_non_null(m);
	/* /dev/mem read-write, shared, at the physical address as the offset. */
	assert_int_equal(fk.opens, 1);
	assert_int_equal(fk.open_flags & O_ACCMODE, O_RDWR);
	assert_int_equal(fk.last_mmap.off, (off_t)RES);
	assert_int_equal(fk.last_mmap.len, RES_SIZE);
	assert_int_equal(fk.last_mmap.flags, MAP_SHARED);
	assert_int_equal(fk.last_mmap.prot, PROT_READ | PROT_WRITE);
	/* The fd is closed once the mapping exists; the container's is the only one left. */
	assert_int_equal(fk_fds.closes, 1);
	/* The container maps that mapping, read-write, below the limit. */
	assert_int_equal(fk.map_calls, 1);
	assert_int_equal(fk.last_map.vaddr, (uintptr_t)vfiox_physmap_addr(m));
	assert_int_equal(fk.last_map.size, RES_SIZE);
	assert_int_equal(fk.last_map.iova, iova);
	assert_int_equal(fk.last_map.flags, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
	assert_true(iova + RES_SIZE <= 1ull << 28);
	assert_int_equal(vfiox_physmap_iova(m), iova);
	assert_int_equal(vfiox_physmap_size(m), RES_SIZE);
	assert_int_equal(vfiox_dma_num_mappings(t.c), 1);
	p = vfiox_physmap_addr(m);
	p[0] = 0xa5;
	p[RES_SIZE - 1] = 0x5a;
	/* Free: the devices lose it (UNMAP_DMA of exactly it), then the process. */
	vfiox_physmap_free(m);
	assert_int_equal(fk.unmap_calls, 1);
	assert_int_equal(fk.last_unmap.iova, iova);
	assert_int_equal(fk.last_unmap.size, RES_SIZE);
	assert_int_equal(fk.munmaps, 1);
	assert_int_equal(vfiox_dma_num_mappings(t.c), 0);
	vfiox_physmap_free(NULL);
	done(&t);
}

static void fixed_iova_equal_to_the_physical_address(void **state)
{
	struct t t = setup_host(q35, NULL);
	struct vfiox_physmap *m = NULL, *m2 = NULL;
	uint64_t iova = RES, iova2 = RES + MiB;

	assert_int_equal(vfiox_physmap_new(t.c, RES, RES_SIZE, VFIOX_DMA_WRITE | VFIOX_DMA_FIXED,
					   1ull << 28, &iova, &m), 0);
	assert_int_equal(iova, RES);
	assert_int_equal(fk.last_map.iova, RES);
	assert_int_equal(fk.last_map.flags, VFIO_DMA_MAP_FLAG_WRITE);
	assert_int_equal(vfiox_physmap_iova(m), RES);
	/* A second one over the same IOVA: refused by the tracking, its mmap undone. */
	assert_int_equal(vfiox_physmap_new(t.c, RES, MiB, RW | VFIOX_DMA_FIXED, 1ull << 28,
					   &iova2, &m2), -EEXIST);
	assert_null(m2);
	assert_int_equal(fk.map_calls, 1);
	assert_int_equal(fk.mmaps, 2);
	assert_int_equal(fk.munmaps, 1);
	assert_error(&t, "physical range 0xc000000-0xc0fffff", "overlaps the mapping", NULL);
	vfiox_physmap_free(m);
	done(&t);
}

static void devmem_pages_are_not_charged_to_memlock(void **state)
{
	struct t t = setup_host(q35, NULL);
	struct vfiox_physmap *m = NULL;
	uint64_t iova;
	void *buf;

	buf = mmap(NULL, 256 * KiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(buf != MAP_FAILED);
	/* 64 KiB of memlock, no CAP_IPC_LOCK: 4 MiB of /dev/mem still maps. */
	fk.rlimit = 64 * KiB;
	assert_int_equal(vfiox_physmap_new(t.c, RES, RES_SIZE, RW, 0, &iova, &m), 0);
	assert_int_equal(fk.locked, 0);
	/* And does not count against what ordinary memory may pin afterwards... */
	assert_int_equal(vfiox_dma_map(t.c, buf, 32 * KiB, RW, 0, &iova), 0);
	assert_int_equal(fk.locked, 32 * KiB);
	/* ...while the preflight still guards ordinary memory: refused before the kernel. */
	assert_int_equal(vfiox_dma_map(t.c, (uint8_t *)buf + 64 * KiB, 64 * KiB, RW, 0, &iova),
			 -ENOMEM);
	assert_int_equal(fk.map_calls, 2);
	assert_error(&t, "cannot pin 64 KiB", "RLIMIT_MEMLOCK", "32 KiB are locked");
	vfiox_physmap_free(m);
	vfiox_dma_unmap_all(t.c);
	munmap(buf, 256 * KiB);
	done(&t);
}

static void system_ram_is_refused(void **state)
{
	struct t t = setup_host(q35, NULL);
	struct vfiox_physmap *m = NULL;
	uint64_t iova;

	/* All RAM. */
	assert_int_equal(vfiox_physmap_new(t.c, 0x01000000, MiB, RW, 0, &iova, &m), -EPERM);
	assert_error(&t, "physical range 0x1000000-0x10fffff", "overlaps System RAM 0x100000-0xbffffff",
		     "never mapped through /dev/mem");
	/* The reserved range and one page of the RAM after it. */
	assert_int_equal(vfiox_physmap_new(t.c, RES, RES_SIZE + 4 * KiB, RW, 0, &iova, &m),
			 -EPERM);
	assert_error(&t, "overlaps System RAM 0xc400000-0x1ffdffff", NULL, NULL);
	/* The page of RAM before it. */
	assert_int_equal(vfiox_physmap_new(t.c, RES - 4 * KiB, 8 * KiB, RW, 0, &iova, &m), -EPERM);
	assert_error(&t, "overlaps System RAM 0x100000-0xbffffff", NULL, NULL);
	assert_null(m);
	assert_nothing_asked();
	done(&t);
}

static void hidden_iomem_is_refused(void **state)
{
	struct t t = setup_host(hidden, NULL);
	struct vfiox_physmap *m = NULL;
	uint64_t iova;

	assert_int_equal(vfiox_physmap_new(t.c, RES, RES_SIZE, RW, 0, &iova, &m), -EACCES);
	assert_error(&t, "physical range 0xc000000-0xc3fffff", "every address as 0", "root");
	assert_null(m);
	assert_nothing_asked();
	done(&t);
}

static void missing_iomem_is_refused(void **state)
{
	struct t t = setup_host(NULL, NULL);
	struct vfiox_physmap *m = NULL;
	uint64_t iova;

	assert_int_equal(vfiox_physmap_new(t.c, RES, RES_SIZE, RW, 0, &iova, &m), -ENOENT);
	assert_error(&t, "cannot check physical range", "iomem", NULL);
	assert_nothing_asked();
	done(&t);
}

static void unaligned_and_zero_ranges_are_refused(void **state)
{
	struct t t = setup_host(q35, NULL);
	struct vfiox_physmap *m = NULL;
	uint64_t iova;

	assert_int_equal(vfiox_physmap_new(t.c, RES + 1, RES_SIZE - 4 * KiB, RW, 0, &iova, &m),
			 -EINVAL);
	assert_error(&t, "physical range 0xc000001", "multiples of the page size", NULL);
	assert_int_equal(vfiox_physmap_new(t.c, RES, 100, RW, 0, &iova, &m), -EINVAL);
	assert_int_equal(vfiox_physmap_new(t.c, RES, 0, RW, 0, &iova, &m), -EINVAL);
	assert_int_equal(vfiox_physmap_new(t.c, UINT64_MAX - 4095, 8 * KiB, RW, 0, &iova, &m),
			 -EINVAL);
	assert_error(&t, "must not wrap", NULL, NULL);
	assert_int_equal(vfiox_physmap_new(t.c, RES, RES_SIZE, RW, 0, NULL, &m), -EINVAL);
	assert_int_equal(vfiox_physmap_new(t.c, RES, RES_SIZE, RW, 0, &iova, NULL), -EINVAL);
	assert_null(m);
	assert_nothing_asked();
	done(&t);
}

static void missing_devmem_is_named(void **state)
{
	struct t t = setup_host(q35, NULL);
	struct vfiox_physmap *m = NULL;
	uint64_t iova;

	fk.open_err = -ENOENT;
	assert_int_equal(vfiox_physmap_new(t.c, RES, RES_SIZE, RW, 0, &iova, &m), -ENOENT);
	assert_error(&t, "there is no", fk.devmem, "CONFIG_DEVMEM");
	assert_int_equal(fk.mmaps, 0);
	done(&t);
}

static void lockdown_is_named_when_devmem_is_refused(void **state)
{
	struct t t = setup_host(q35, "none [integrity] confidentiality\n");
	struct vfiox_physmap *m = NULL;
	uint64_t iova;

	fk.open_err = -EPERM;
	assert_int_equal(vfiox_physmap_new(t.c, RES, RES_SIZE, RW, 0, &iova, &m), -EPERM);
	assert_error(&t, "locked down ([integrity] in", "kernel/security/lockdown",
		     "0xc000000-0xc3fffff");
	assert_int_equal(fk.mmaps, 0);
	/* Without lockdown the same EPERM is the missing capability. */
	env_put(t.e, "kernel/security/lockdown", "[none] integrity confidentiality\n");
	assert_int_equal(vfiox_physmap_new(t.c, RES, RES_SIZE, RW, 0, &iova, &m), -EPERM);
	assert_error(&t, "CAP_SYS_RAWIO", "run as root", NULL);
	fk.open_err = -EACCES;
	assert_int_equal(vfiox_physmap_new(t.c, RES, RES_SIZE, RW, 0, &iova, &m), -EACCES);
	assert_error(&t, "permission denied", "run as root", NULL);
	assert_null(m);
	done(&t);
}

static void strict_devmem_refusal_is_explained_and_the_fd_closed(void **state)
{
	struct t t = setup_host(q35, "[none] integrity confidentiality\n");
	struct vfiox_physmap *m = NULL;
	uint64_t iova;

	fk.mmap_err = -EPERM;
	assert_int_equal(vfiox_physmap_new(t.c, RES, RES_SIZE, RW, 0, &iova, &m), -EPERM);
	assert_error(&t, "CONFIG_STRICT_DEVMEM", "CONFIG_IO_STRICT_DEVMEM", "(Reserved in");
	assert_int_equal(fk.opens, 1);
	assert_int_equal(fk_fds.closes, 1); /* the /dev/mem fd */
	assert_int_equal(fk.map_calls, 0);
	/* A locked-down kernel gets the lockdown words for the same refusal. */
	env_put(t.e, "kernel/security/lockdown", "none integrity [confidentiality]\n");
	assert_int_equal(vfiox_physmap_new(t.c, RES, RES_SIZE, RW, 0, &iova, &m), -EPERM);
	assert_error(&t, "[confidentiality]", "locked down", NULL);
	/* Another errno is passed on with its name. */
	fk.mmap_err = -EAGAIN;
	assert_int_equal(vfiox_physmap_new(t.c, RES, RES_SIZE, RW, 0, &iova, &m), -EAGAIN);
	assert_error(&t, "cannot mmap", strerror(EAGAIN), NULL);
	assert_null(m);
	done(&t);
}

static void dma_map_failure_undoes_the_mmap(void **state)
{
	struct t t = setup_host(q35, NULL);
	struct vfiox_physmap *m = NULL;
	uint64_t iova;

	fk.fail_map = -EFAULT;
	assert_int_equal(vfiox_physmap_new(t.c, RES, RES_SIZE, RW, 1ull << 28, &iova, &m),
			 -EFAULT);
	assert_error(&t, "physical range 0xc000000-0xc3fffff", "VFIO_IOMMU_MAP_DMA", NULL);
	assert_int_equal(fk.mmaps, 1);
	assert_int_equal(fk.munmaps, 1);
	assert_int_equal(vfiox_dma_num_mappings(t.c), 0);
	/* Its ENOMEM is not made a memlock story: nothing was charged. */
	fk.rlimit = 64 * KiB;
	fk.fail_map = -ENOMEM;
	assert_int_equal(vfiox_physmap_new(t.c, RES, RES_SIZE, RW, 1ull << 28, &iova, &m),
			 -ENOMEM);
	assert_null(strstr(vfiox_ctx_last_error(t.e->ctx), "RLIMIT_MEMLOCK"));
	assert_int_equal(fk.munmaps, 2);
	/* Bad flags are refused by the DMA layer after the mmap: undone as well. */
	fk.fail_map = 0;
	assert_int_equal(vfiox_physmap_new(t.c, RES, RES_SIZE, 0, 0, &iova, &m), -EINVAL);
	assert_error(&t, "VFIOX_DMA_READ", NULL, NULL);
	assert_int_equal(fk.munmaps, 3);
	assert_null(m);
	done(&t);
}

static void open_batch_is_refused_and_undone(void **state)
{
	struct t t = setup_host(q35, NULL);
	struct vfiox_physmap *m = NULL;
	uint64_t iova;

	assert_int_equal(vfiox_dma_batch_begin(t.c), 0);
	assert_int_equal(vfiox_physmap_new(t.c, RES, RES_SIZE, RW, 0, &iova, &m), -EBUSY);
	assert_error(&t, "physical range 0xc000000-0xc3fffff", "batch is open", NULL);
	assert_int_equal(fk.munmaps, 1);
	assert_int_equal(vfiox_dma_batch_end(t.c), 0);
	assert_int_equal(vfiox_dma_num_mappings(t.c), 0);
	assert_int_equal(vfiox_physmap_new(t.c, RES, RES_SIZE, RW, 0, &iova, &m), 0);
	vfiox_physmap_free(m);
	done(&t);
}

static int test_setup(void **state)
{
	memset(&fk, 0, sizeof(fk));
	fk_fds_reset();
	fk.rlimit = RLIM_INFINITY;
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, test_setup, env_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(reserved_range_maps_the_fd_at_its_physical_address),
		T(fixed_iova_equal_to_the_physical_address),
		T(devmem_pages_are_not_charged_to_memlock),
		T(system_ram_is_refused),
		T(hidden_iomem_is_refused),
		T(missing_iomem_is_refused),
		T(unaligned_and_zero_ranges_are_refused),
		T(missing_devmem_is_named),
		T(lockdown_is_named_when_devmem_is_refused),
		T(strict_devmem_refusal_is_explained_and_the_fd_closed),
		T(dma_map_failure_undoes_the_mmap),
		T(open_batch_is_refused_and_undone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
