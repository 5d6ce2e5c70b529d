// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * DMA mapping (libvfiox/dma.c, dma-buf.c) against a fake type1 IOMMU at the syscall layer.
 * The fake container answers VFIO_IOMMU_GET_INFO with usable ranges that leave out the
 * x86 MSI window, page sizes 4 KiB | 2 MiB | 1 GiB and a DMA entry budget, and keeps the
 * mappings the way vfio_iommu_type1 does: MAP_DMA fails with -EEXIST on overlap, -ENOSPC
 * when the budget is spent, -ENOMEM past the memory lock limit; UNMAP_DMA removes the
 * mappings inside the range and refuses (-EINVAL) to cut one. getrlimit is substituted;
 * the process status (VmLck, CapEff) is a file under a fake /proc root.
 *
 * Linked with WRAP_test-dma in the Makefile.
 */
#include <linux/vfio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vfiox/dma.h>

#include "internal.h"
#include "testutil.h"

#define FK_MAX 1
#include "fake-kernel.h"

#define FK_CFD FK_BASE /* the container */
#define MSI_LO 0xfee00000ull
#define MSI_HI 0xfeefffffull
#define TOP 0xffffffffffffull
#define KiB 1024ull
#define MiB (1024ull * KiB)

int __real_vfiox_sys_ioctl(int fd, unsigned long request, void *arg);
int __wrap_vfiox_sys_ioctl(int fd, unsigned long request, void *arg);
int __real_vfiox_sys_getrlimit(int resource, struct rlimit *rl);
int __wrap_vfiox_sys_getrlimit(int resource, struct rlimit *rl);

struct fk_map {
	uint64_t iova, size, vaddr;
	uint32_t flags;
};

static struct fake {
	int64_t avail;     /* what GET_INFO reports; -1: no DMA_AVAIL capability */
	int64_t real_avail; /* what MAP_DMA enforces (another user may have spent some) */
	uint64_t rlimit;   /* RLIM_INFINITY for none */
	uint64_t locked;   /* pinned bytes, charged like the kernel */
	bool cap_ipc_lock;
	struct fk_map maps[4096];
	size_t nmaps;
	unsigned map_calls, unmap_calls, info_calls;
	int fail_map_at; /* >0: the Nth MAP_DMA fails with fail_err */
	int fail_err;
	struct fk_map last_map;
	char proc[256];
} fk;

static void write_status(void)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/self/status", fk.proc);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "Name:\ttest-dma\nVmPeak:\t  1000 kB\nVmLck:\t%8llu kB\nVmPin:\t       0 kB\n"
		   "CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t%016llx\n",
		(unsigned long long)(fk.locked / 1024), fk.cap_ipc_lock ? 1ull << 14 : 0ull);
	fclose(f);
}

static void fk_reset(void)
{
	char proc[256];

	snprintf(proc, sizeof(proc), "%s", fk.proc);
	memset(&fk, 0, sizeof(fk));
	fk_fds_reset();
	snprintf(fk.proc, sizeof(fk.proc), "%s", proc);
	fk.avail = fk.real_avail = 65535;
	fk.rlimit = RLIM_INFINITY;
	write_status();
}

int __wrap_vfiox_sys_close(int fd)
{
	return fk_close(fd);
}

int __wrap_vfiox_sys_getrlimit(int resource, struct rlimit *rl)
{
	if (resource != RLIMIT_MEMLOCK)
		return __real_vfiox_sys_getrlimit(resource, rl);
	rl->rlim_cur = rl->rlim_max = fk.rlimit;
	return 0;
}

static int fk_info(struct vfio_iommu_type1_info *info)
{
	static const struct vfio_iova_range ranges[] = { { 0, MSI_LO - 1 }, { MSI_HI + 1, TOP } };
	size_t ranges_len = sizeof(struct vfio_iommu_type1_info_cap_iova_range) + sizeof(ranges);
	size_t avail_len = sizeof(struct vfio_iommu_type1_info_dma_avail);
	size_t need = sizeof(*info) + ranges_len + (fk.avail >= 0 ? avail_len : 0);
	struct vfio_iommu_type1_info_cap_iova_range *r;
	struct vfio_iommu_type1_info_dma_avail *a;

	fk.info_calls++;
	info->flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
	info->iova_pgsizes = 4 * KiB | 2 * MiB | 1024 * MiB;
	if (info->argsz < need) {
		info->argsz = (uint32_t)need;
		info->cap_offset = 0;
		return 0;
	}
	info->cap_offset = sizeof(*info);
	r = (void *)((uint8_t *)info + sizeof(*info));
	r->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
	r->header.version = 1;
	r->header.next = fk.avail >= 0 ? (uint32_t)(sizeof(*info) + ranges_len) : 0;
	r->nr_iovas = 2;
	memcpy(r->iova_ranges, ranges, sizeof(ranges));
	if (fk.avail >= 0) {
		a = (void *)((uint8_t *)info + sizeof(*info) + ranges_len);
		a->header.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL;
		a->header.version = 1;
		a->header.next = 0;
		a->avail = (uint32_t)fk.avail;
	}
	return 0;
}

static int fk_map(struct vfio_iommu_type1_dma_map *m)
{
	size_t i;

	fk.map_calls++;
	fk.last_map = (struct fk_map){ m->iova, m->size, m->vaddr, m->flags };
	if (fk.fail_map_at && (int)fk.map_calls == fk.fail_map_at)
		return fk.fail_err;
	if ((m->iova | m->size | m->vaddr) & (4 * KiB - 1) || !m->size)
		return -EINVAL;
	for (i = 0; i < fk.nmaps; i++)
		if (m->iova < fk.maps[i].iova + fk.maps[i].size &&
		    fk.maps[i].iova < m->iova + m->size)
			return -EEXIST;
	if (!fk.real_avail)
		return -ENOSPC;
	if (!fk.cap_ipc_lock && fk.rlimit != RLIM_INFINITY && fk.locked + m->size > fk.rlimit)
		return -ENOMEM;
	assert_true(fk.nmaps < sizeof(fk.maps) / sizeof(fk.maps[0]));
	fk.maps[fk.nmaps++] = (struct fk_map){ m->iova, m->size, m->vaddr, m->flags };
	fk.real_avail--;
	if (fk.avail > 0)
		fk.avail--;
	fk.locked += m->size;
	write_status();
	return 0;
}

/* type1 v2: every mapping inside the range goes; one that sticks out is -EINVAL. */
static int fk_unmap(struct vfio_iommu_type1_dma_unmap *u)
{
	uint64_t end = u->iova + u->size, done = 0;
	size_t i;

	fk.unmap_calls++;
	for (i = 0; i < fk.nmaps; i++) {
		struct fk_map *m = &fk.maps[i];

		if (m->iova < end && u->iova < m->iova + m->size &&
		    (m->iova < u->iova || m->iova + m->size > end))
			return -EINVAL;
	}
	for (i = 0; i < fk.nmaps;) {
		struct fk_map *m = &fk.maps[i];

		if (m->iova >= u->iova && m->iova + m->size <= end) {
			done += m->size;
			fk.locked -= m->size;
			fk.real_avail++;
			if (fk.avail >= 0)
				fk.avail++;
			*m = fk.maps[--fk.nmaps];
		} else {
			i++;
		}
	}
	u->size = done;
	write_status();
	return 0;
}

int __wrap_vfiox_sys_ioctl(int fd, unsigned long request, void *arg)
{
	if (fd != FK_CFD)
		return __real_vfiox_sys_ioctl(fd, request, arg);
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

static struct t setup_container(void)
{
	struct t t = { .e = env_empty(0) };

	env_ctx(t.e);
	assert_int_equal(vfiox_ctx_set_proc_root(t.e->ctx, fk.proc), 0);
	assert_int_equal(vfiox_container_adopt(t.e->ctx, fk_new_fd(0), &t.c), 0);
	/* What attaching a group does; the DMA layer needs only the model. */
	t.c->model = VFIOX_IOMMU_TYPE1V2;
	return t;
}

static void done(struct t *t)
{
	vfiox_container_close(t->c);
	env_free(t->e);
}

#define VA(x) ((void *)(uintptr_t)(x))

static bool in_usable(uint64_t iova, uint64_t size)
{
	uint64_t last = iova + size - 1;

	return last >= iova && last <= TOP && (last < MSI_LO || iova > MSI_HI);
}

/* ------------------------------------------------------------------ mapping */

static void map_allocates_usable_iova_below_the_limit(void **state)
{
	struct t t = setup_container();
	uint64_t iova;
	int i;

	/* 28-bit mask: edu. The whole space below it is usable; many maps stay under it. */
	for (i = 0; i < 64; i++) {
		assert_int_equal(vfiox_dma_map(t.c, VA(0x7f0000000000 + i * MiB), MiB,
					       VFIOX_DMA_READ | VFIOX_DMA_WRITE, 1ull << 28, &iova),
				 0);
		assert_true(iova + MiB <= 1ull << 28);
		assert_true(in_usable(iova, MiB));
		assert_int_equal(iova % (4 * KiB), 0);
		assert_int_equal(fk.last_map.iova, iova);
		assert_int_equal(fk.last_map.vaddr, 0x7f0000000000 + i * MiB);
		assert_int_equal(fk.last_map.flags, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
	}
	assert_int_equal(vfiox_dma_entries_used(t.c), 64);
	assert_int_equal(vfiox_dma_mapped_bytes(t.c), 64 * MiB);
	assert_int_equal(vfiox_dma_entries_avail(t.c), 65535 - 64);
	/* The limit is full after 256 MiB: then -ENOSPC naming the mask, nothing sent. */
	for (; i < 256; i++)
		assert_int_equal(vfiox_dma_map(t.c, VA(0x7f0000000000 + i * MiB), MiB,
					       VFIOX_DMA_READ, 1ull << 28, &iova),
				 0);
	assert_int_equal(vfiox_dma_map(t.c, VA(0x7e0000000000), 4 * KiB, VFIOX_DMA_READ,
				       1ull << 28, &iova), -ENOSPC);
	assert_non_null(strstr(vfiox_ctx_last_error(t.e->ctx), "DMA mask"));
	assert_int_equal(fk.map_calls, 256);
	/* Without the limit, the allocator skips the MSI window on its way up. */
	for (i = 0; i < 8; i++) {
		assert_int_equal(vfiox_dma_map(t.c, VA(0x7e0000000000 + i * 1024 * MiB), 1024 * MiB,
					       VFIOX_DMA_READ, VFIOX_DMA_NO_LIMIT, &iova),
				 0);
		assert_true(in_usable(iova, 1024 * MiB));
	}
	done(&t);
}

static void map_rejects_bad_arguments_before_the_kernel(void **state)
{
	struct t t = setup_container();
	uint64_t iova = 0x10000;

	assert_int_equal(vfiox_dma_map(t.c, VA(0x100000), 4 * KiB + 1, VFIOX_DMA_READ, 0, &iova),
			 -EINVAL);
	assert_non_null(strstr(vfiox_ctx_last_error(t.e->ctx), "multiple of the IOMMU page size"));
	assert_int_equal(vfiox_dma_map(t.c, VA(0x100000), 0, VFIOX_DMA_READ, 0, &iova), -EINVAL);
	assert_int_equal(vfiox_dma_map(t.c, VA(0x100800), 4 * KiB, VFIOX_DMA_READ, 0, &iova),
			 -EINVAL);
	assert_non_null(strstr(vfiox_ctx_last_error(t.e->ctx), "not aligned"));
	assert_int_equal(vfiox_dma_map(t.c, VA(0x100000), 4 * KiB, 0, 0, &iova), -EINVAL);
	assert_int_equal(vfiox_dma_map(t.c, VA(0x100000), 4 * KiB, VFIOX_DMA_READ | 0x80, 0, &iova),
			 -EINVAL);
	iova = 0x10800;
	assert_int_equal(vfiox_dma_map(t.c, VA(0x100000), 4 * KiB, VFIOX_DMA_READ | VFIOX_DMA_FIXED,
				       0, &iova), -EINVAL);
	iova = (1ull << 28) - 4 * KiB;
	assert_int_equal(vfiox_dma_map(t.c, VA(0x100000), 8 * KiB, VFIOX_DMA_READ | VFIOX_DMA_FIXED,
				       1ull << 28, &iova), -EINVAL);
	assert_non_null(strstr(vfiox_ctx_last_error(t.e->ctx), "DMA mask"));
	assert_int_equal(vfiox_dma_map(t.c, VA(0x100000), 4 * KiB, VFIOX_DMA_READ, 0, NULL),
			 -EINVAL);
	assert_int_equal(fk.map_calls, 0);
	assert_int_equal(vfiox_dma_num_mappings(t.c), 0);
	done(&t);
}

static void map_without_iommu_model_is_refused(void **state)
{
	struct t t = setup_container();
	uint64_t iova;

	t.c->model = VFIOX_IOMMU_NONE;
	assert_int_equal(vfiox_dma_map(t.c, VA(0x100000), 4 * KiB, VFIOX_DMA_READ, 0, &iova),
			 -EINVAL);
	assert_non_null(strstr(vfiox_ctx_last_error(t.e->ctx), "attach a group"));
	assert_int_equal(fk.info_calls, 0);
	done(&t);
}

static void fixed_map_refuses_overlap_and_reserved_ranges(void **state)
{
	struct t t = setup_container();
	uint64_t iova = 0x200000;

	assert_int_equal(vfiox_dma_map(t.c, VA(0x100000), 64 * KiB,
				       VFIOX_DMA_READ | VFIOX_DMA_FIXED, 0, &iova), 0);
	assert_int_equal(iova, 0x200000);
	iova = 0x20f000;
	assert_int_equal(vfiox_dma_map(t.c, VA(0x400000), 8 * KiB,
				       VFIOX_DMA_READ | VFIOX_DMA_FIXED, 0, &iova), -EEXIST);
	assert_non_null(strstr(vfiox_ctx_last_error(t.e->ctx), "overlaps the mapping at 0x200000"));
	iova = MSI_LO - 4 * KiB;
	assert_int_equal(vfiox_dma_map(t.c, VA(0x400000), 8 * KiB,
				       VFIOX_DMA_READ | VFIOX_DMA_FIXED, 0, &iova), -EEXIST);
	assert_non_null(strstr(vfiox_ctx_last_error(t.e->ctx), "MSI window"));
	iova = TOP + 1;
	assert_int_equal(vfiox_dma_map(t.c, VA(0x400000), 4 * KiB,
				       VFIOX_DMA_READ | VFIOX_DMA_FIXED, 0, &iova), -EEXIST);
	assert_int_equal(fk.map_calls, 1);
	/* The IOVA of a refused fixed map is free again: a fit right after the first works. */
	iova = 0x210000;
	assert_int_equal(vfiox_dma_map(t.c, VA(0x400000), 4 * KiB,
				       VFIOX_DMA_WRITE | VFIOX_DMA_FIXED, 0, &iova), 0);
	assert_int_equal(fk.last_map.flags, VFIO_DMA_MAP_FLAG_WRITE);
	done(&t);
}

static void entry_budget_is_checked_before_the_kernel(void **state)
{
	struct t t = setup_container();
	uint64_t iova[4];
	int i;

	fk.avail = fk.real_avail = 3;
	for (i = 0; i < 3; i++)
		assert_int_equal(vfiox_dma_map(t.c, VA(0x100000 + i * 0x10000), 4 * KiB,
					       VFIOX_DMA_READ, 0, &iova[i]), 0);
	assert_int_equal(vfiox_dma_entries_avail(t.c), 0);
	assert_int_equal(vfiox_dma_map(t.c, VA(0x900000), 4 * KiB, VFIOX_DMA_READ, 0, &iova[3]),
			 -ENOSPC);
	assert_int_equal(fk.map_calls, 3);
	assert_non_null(strstr(vfiox_ctx_last_error(t.e->ctx), "has 0 left"));
	assert_non_null(strstr(vfiox_ctx_last_error(t.e->ctx), "dma_entry_limit"));
	/* An unmap gives an entry back. */
	assert_int_equal(vfiox_dma_unmap(t.c, iova[1], 4 * KiB), 0);
	assert_int_equal(vfiox_dma_entries_avail(t.c), 1);
	assert_int_equal(vfiox_dma_map(t.c, VA(0x900000), 4 * KiB, VFIOX_DMA_READ, 0, &iova[3]), 0);
	done(&t);
}

static void kernel_enospc_becomes_the_budget_message(void **state)
{
	struct t t = setup_container();
	uint64_t iova;

	/* Another user of the container spent the budget after the library looked. */
	fk.avail = 10;
	fk.real_avail = 0;
	assert_int_equal(vfiox_dma_map(t.c, VA(0x100000), 4 * KiB, VFIOX_DMA_READ, 0, &iova),
			 -ENOSPC);
	assert_int_equal(fk.map_calls, 1);
	assert_non_null(strstr(vfiox_ctx_last_error(t.e->ctx), "dma_entry_limit"));
	assert_int_equal(vfiox_dma_num_mappings(t.c), 0);
	done(&t);
}

/* A kernel before 5.10 does not report the budget; its ENOSPC must still be a failure. */
static void kernel_enospc_without_a_reported_budget_fails(void **state)
{
	struct t t = setup_container();
	uint64_t iova;

	fk.avail = -1;
	fk.real_avail = 0;
	assert_int_equal(vfiox_dma_entries_avail(t.c), -1);
	assert_int_equal(vfiox_dma_map(t.c, VA(0x100000), 4 * KiB, VFIOX_DMA_READ, 0, &iova),
			 -ENOSPC);
	assert_non_null(strstr(vfiox_ctx_last_error(t.e->ctx), "VFIO_IOMMU_MAP_DMA"));
	assert_int_equal(vfiox_dma_num_mappings(t.c), 0);
	assert_int_equal(vfiox_dma_entries_used(t.c), 0);
	done(&t);
}

static void memlock_is_checked_before_the_kernel(void **state)
{
	struct t t = setup_container();
	uint64_t iova;
	const char *msg;

	fk.rlimit = 64 * KiB;
	assert_int_equal(vfiox_dma_map(t.c, VA(0x100000), 64 * KiB, VFIOX_DMA_READ, 0, &iova), 0);
	assert_int_equal(vfiox_dma_map(t.c, VA(0x200000), 4 * KiB, VFIOX_DMA_READ, 0, &iova),
			 -ENOMEM);
	assert_int_equal(fk.map_calls, 1);
	msg = vfiox_ctx_last_error(t.e->ctx);
	assert_non_null(strstr(msg, "cannot pin 4 KiB"));
	assert_non_null(strstr(msg, "64 KiB are locked already"));
	assert_non_null(strstr(msg, "limit (RLIMIT_MEMLOCK) is 64 KiB"));
	assert_non_null(strstr(msg, "ulimit -l"));
	assert_non_null(strstr(msg, "LimitMEMLOCK="));
	/* Unmapping gives the budget back. */
	assert_int_equal(vfiox_dma_unmap_all(t.c), 0);
	assert_int_equal(vfiox_dma_map(t.c, VA(0x200000), 64 * KiB, VFIOX_DMA_READ, 0, &iova), 0);
	assert_int_equal(fk.map_calls, 2);
	done(&t);
}

static void kernel_enomem_becomes_the_memlock_message(void **state)
{
	struct t t = setup_container();
	uint64_t iova;

	fk.rlimit = 64 * KiB;
	fk.locked = 60 * KiB; /* mlock()ed by someone else; the library does not know yet */
	write_status();
	assert_int_equal(vfiox_dma_map(t.c, VA(0x100000), 8 * KiB, VFIOX_DMA_READ, 0, &iova),
			 -ENOMEM);
	assert_int_equal(fk.map_calls, 1);
	assert_non_null(strstr(vfiox_ctx_last_error(t.e->ctx), "60 KiB are locked already"));
	assert_non_null(strstr(vfiox_ctx_last_error(t.e->ctx), "ulimit -l"));
	assert_int_equal(vfiox_dma_num_mappings(t.c), 0);
	done(&t);
}

static void cap_ipc_lock_skips_the_memlock_check(void **state)
{
	struct t t;
	uint64_t iova;

	fk.cap_ipc_lock = true;
	fk.rlimit = 4 * KiB;
	write_status();
	t = setup_container();
	assert_int_equal(vfiox_dma_map(t.c, VA(0x100000), MiB, VFIOX_DMA_READ, 0, &iova), 0);
	assert_int_equal(fk.map_calls, 1);
	done(&t);
}

/* CAP_IPC_LOCK seen at the first map, dropped later: the kernel's ENOMEM gets the message. */
static void capability_dropped_after_setup_still_gets_the_message(void **state)
{
	struct t t;
	uint64_t iova;

	fk.cap_ipc_lock = true;
	write_status();
	t = setup_container();
	assert_int_equal(vfiox_dma_map(t.c, VA(0x100000), 4 * KiB, VFIOX_DMA_READ, 0, &iova), 0);
	fk.cap_ipc_lock = false;
	fk.rlimit = 16 * KiB;
	write_status();
	assert_int_equal(vfiox_dma_map(t.c, VA(0x200000), 64 * KiB, VFIOX_DMA_READ, 0, &iova),
			 -ENOMEM);
	assert_non_null(strstr(vfiox_ctx_last_error(t.e->ctx), "ulimit -l"));
	/* And from then on the preflight knows: no kernel call for the next one. */
	assert_int_equal(vfiox_dma_map(t.c, VA(0x300000), 64 * KiB, VFIOX_DMA_READ, 0, &iova),
			 -ENOMEM);
	assert_int_equal(fk.map_calls, 2);
	done(&t);
}

static void memlock_info_reads_limit_locked_and_capability(void **state)
{
	struct t t = setup_container();
	uint64_t limit, locked;
	bool cap;

	fk.rlimit = 8 * MiB;
	fk.locked = 12 * KiB;
	fk.cap_ipc_lock = true;
	write_status();
	assert_int_equal(vfiox_memlock_info(t.e->ctx, &limit, &locked, &cap), 0);
	assert_int_equal(limit, 8 * MiB);
	assert_int_equal(locked, 12 * KiB);
	assert_true(cap);
	fk.rlimit = RLIM_INFINITY;
	assert_int_equal(vfiox_memlock_info(t.e->ctx, &limit, &locked, &cap), 0);
	assert_int_equal(limit, UINT64_MAX);
	/* The parser: lines anywhere, odd values refused. */
	assert_int_equal(vfiox__parse_proc_status("VmLck:\t  12 kB\nCapEff:\t0000000000004000",
						  &locked, &cap), 0);
	assert_int_equal(locked, 12 * KiB);
	assert_true(cap);
	assert_int_equal(vfiox__parse_proc_status("Name:\tx\nCapEff:\t0\n", &locked, NULL),
			 -EPROTO);
	assert_int_equal(vfiox__parse_proc_status("VmLck:\t12 MB\n", &locked, NULL), -EPROTO);
	assert_int_equal(vfiox__parse_proc_status("VmLck:\t99999999999999999999 kB\n", &locked,
						  NULL), -EPROTO);
	assert_int_equal(vfiox__parse_proc_status("CapEff:\tzz\n", NULL, &cap), -EPROTO);
	assert_int_equal(vfiox__parse_proc_status("XVmLck:\t1 kB\n", &locked, NULL), -EPROTO);
	/* No status at all: the error names the file. */
	assert_int_equal(vfiox_ctx_set_proc_root(t.e->ctx, "/nonexistent-proc"), 0);
	assert_int_equal(vfiox_memlock_info(t.e->ctx, &limit, &locked, &cap), -ENOENT);
	done(&t);
}

/* ------------------------------------------------------------------ merging */

static void batch_merges_contiguous_chunks_into_one_entry(void **state)
{
	struct t t = setup_container();
	uint64_t iova[16];
	int i;

	assert_int_equal(vfiox_dma_batch_begin(t.c), 0);
	assert_int_equal(vfiox_dma_batch_begin(t.c), -EBUSY);
	for (i = 0; i < 16; i++)
		assert_int_equal(vfiox_dma_map(t.c, VA(0x40000000 + i * 64 * KiB), 64 * KiB,
					       VFIOX_DMA_READ | VFIOX_DMA_WRITE, 0, &iova[i]), 0);
	/* A second buffer elsewhere in memory: its own run. */
	assert_int_equal(vfiox_dma_map(t.c, VA(0x80000000), 64 * KiB, VFIOX_DMA_READ, 0, &iova[0]),
			 0);
	assert_int_equal(fk.map_calls, 0);
	assert_int_equal(vfiox_dma_num_mappings(t.c), 17);
	assert_int_equal(vfiox_dma_batch_end(t.c), 0);
	assert_int_equal(fk.map_calls, 2);
	assert_int_equal(fk.nmaps, 2);
	assert_int_equal(vfiox_dma_entries_used(t.c), 2);
	assert_int_equal(vfiox_dma_mapped_bytes(t.c), 17 * 64 * KiB);
	assert_true(fk.maps[0].size == MiB || fk.maps[1].size == MiB);
	assert_int_equal(vfiox_dma_batch_end(t.c), -EINVAL);
	done(&t);
}

static void chunks_outside_a_batch_cost_one_entry_each(void **state)
{
	struct t t = setup_container();
	uint64_t iova;
	int i;

	for (i = 0; i < 16; i++)
		assert_int_equal(vfiox_dma_map(t.c, VA(0x40000000 + i * 64 * KiB), 64 * KiB,
					       VFIOX_DMA_READ, 0, &iova), 0);
	assert_int_equal(vfiox_dma_entries_used(t.c), 16);
	done(&t);
}

static void failed_batch_undoes_everything(void **state)
{
	struct t t = setup_container();
	uint64_t iova, first;
	int i;

	assert_int_equal(vfiox_dma_batch_begin(t.c), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(vfiox_dma_map(t.c, VA(0x40000000 + i * 64 * KiB), 64 * KiB,
					       VFIOX_DMA_READ, 0, i ? &iova : &first), 0);
	assert_int_equal(vfiox_dma_map(t.c, VA(0x80000000), 64 * KiB, VFIOX_DMA_WRITE, 0, &iova), 0);
	fk.fail_map_at = 2;
	fk.fail_err = -EFAULT;
	assert_int_equal(vfiox_dma_batch_end(t.c), -EFAULT);
	assert_int_equal(fk.nmaps, 0);
	assert_int_equal(fk.unmap_calls, 1);
	assert_int_equal(vfiox_dma_num_mappings(t.c), 0);
	assert_int_equal(vfiox_dma_entries_used(t.c), 0);
	assert_int_equal(vfiox_dma_entries_avail(t.c), 65535);
	/* Every IOVA came back: the next allocation gets the first one again. */
	fk.fail_map_at = 0;
	assert_int_equal(vfiox_dma_map(t.c, VA(0x40000000), 64 * KiB, VFIOX_DMA_READ, 0, &iova), 0);
	assert_int_equal(iova, first);
	done(&t);
}

static void batch_over_the_budget_is_refused_whole(void **state)
{
	struct t t = setup_container();
	uint64_t iova;

	fk.avail = fk.real_avail = 1;
	assert_int_equal(vfiox_dma_batch_begin(t.c), 0);
	assert_int_equal(vfiox_dma_map(t.c, VA(0x40000000), 64 * KiB, VFIOX_DMA_READ, 0, &iova), 0);
	assert_int_equal(vfiox_dma_map(t.c, VA(0x80000000), 64 * KiB, VFIOX_DMA_READ, 0, &iova), 0);
	assert_int_equal(vfiox_dma_batch_end(t.c), -ENOSPC);
	assert_non_null(strstr(vfiox_ctx_last_error(t.e->ctx), "needs 2 DMA mapping entries"));
	assert_int_equal(fk.map_calls, 0);
	assert_int_equal(vfiox_dma_num_mappings(t.c), 0);
	done(&t);
}

static void unmap_inside_a_merged_entry_maps_the_rest_again(void **state)
{
	struct t t = setup_container();
	uint64_t iova[4];
	int i;

	assert_int_equal(vfiox_dma_batch_begin(t.c), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(vfiox_dma_map(t.c, VA(0x40000000 + i * 64 * KiB), 64 * KiB,
					       VFIOX_DMA_READ, 0, &iova[i]), 0);
	assert_int_equal(vfiox_dma_batch_end(t.c), 0);
	assert_int_equal(fk.nmaps, 1);
	/* Cutting a mapping is refused, nothing sent. */
	assert_int_equal(vfiox_dma_unmap(t.c, iova[1], 32 * KiB), -EINVAL);
	assert_non_null(strstr(vfiox_ctx_last_error(t.e->ctx), "cuts the mapping"));
	assert_int_equal(fk.unmap_calls, 0);
	assert_int_equal(vfiox_dma_unmap(t.c, iova[1], 64 * KiB), 0);
	assert_int_equal(fk.unmap_calls, 1);
	assert_int_equal(fk.nmaps, 2);
	assert_int_equal(vfiox_dma_entries_used(t.c), 2);
	assert_int_equal(vfiox_dma_num_mappings(t.c), 3);
	assert_int_equal(vfiox_dma_mapped_bytes(t.c), 192 * KiB);
	for (i = 0; i < 2; i++) {
		/* The pieces keep their memory: IOVA and vaddr move together. */
		assert_int_equal(fk.maps[i].vaddr - 0x40000000, fk.maps[i].iova - iova[0]);
		assert_true(fk.maps[i].iova == iova[0] || fk.maps[i].iova == iova[2]);
	}
	assert_int_equal(vfiox_dma_unmap(t.c, iova[1], 64 * KiB), -ENOENT);
	assert_non_null(strstr(vfiox_ctx_last_error(t.e->ctx), "nothing is mapped"));
	/* Two whole mappings in one range: both go. */
	assert_int_equal(vfiox_dma_unmap(t.c, iova[2], 128 * KiB), 0);
	assert_int_equal(vfiox_dma_num_mappings(t.c), 1);
	assert_int_equal(fk.nmaps, 1);
	done(&t);
}

static void unmap_all_returns_to_the_start(void **state)
{
	struct t t = setup_container();
	uint64_t iova, first = 0;
	int i;

	for (i = 0; i < 10; i++)
		assert_int_equal(vfiox_dma_map(t.c, VA(0x40000000 + i * MiB), MiB, VFIOX_DMA_READ, 0,
					       i ? &iova : &first), 0);
	assert_int_equal(vfiox_dma_unmap_all(t.c), 0);
	assert_int_equal(fk.nmaps, 0);
	assert_int_equal(vfiox_dma_entries_used(t.c), 0);
	assert_int_equal(vfiox_dma_num_mappings(t.c), 0);
	assert_int_equal(vfiox_dma_mapped_bytes(t.c), 0);
	assert_int_equal(vfiox_dma_entries_avail(t.c), 65535);
	assert_int_equal(vfiox_dma_map(t.c, VA(0x40000000), MiB, VFIOX_DMA_READ, 0, &iova), 0);
	assert_int_equal(iova, first);
	done(&t);
}

/* Random maps, batches and unmaps: the library and the fake kernel always agree. */
static void random_sequences_keep_library_and_kernel_in_step(void **state)
{
	struct t t = setup_container();
	struct { uint64_t iova, size; } live[512];
	size_t nlive = 0, i;
	unsigned seed = 12345;
	uint64_t iova, size, va = 0x100000000ull;
	int step, ret;

	for (step = 0; step < 4000; step++) {
		unsigned r = rand_r(&seed) % 100;

		if (r < 55 && nlive < 512) {
			size = (1 + rand_r(&seed) % 16) * 4 * KiB;
			ret = vfiox_dma_map(t.c, VA(va), size, VFIOX_DMA_READ,
					    rand_r(&seed) % 4 ? 0 : 1ull << 28, &iova);
			assert_int_equal(ret, 0);
			va += size + (rand_r(&seed) % 2) * 4 * KiB;
			assert_true(in_usable(iova, size));
			for (i = 0; i < nlive; i++)
				assert_true(iova + size <= live[i].iova ||
					    live[i].iova + live[i].size <= iova);
			live[nlive].iova = iova;
			live[nlive++].size = size;
		} else if (r < 60) {
			if (rand_r(&seed) % 2)
				assert_int_equal(vfiox_dma_batch_begin(t.c), 0);
			else if (vfiox_dma_batch_end(t.c) < 0)
				assert_non_null(strstr(vfiox_ctx_last_error(t.e->ctx), "no DMA batch"));
			vfiox_dma_batch_end(t.c); /* at most one batch open */
		} else if (nlive) {
			i = rand_r(&seed) % nlive;
			assert_int_equal(vfiox_dma_unmap(t.c, live[i].iova, live[i].size), 0);
			live[i] = live[--nlive];
		}
		assert_int_equal(vfiox_dma_num_mappings(t.c), nlive);
		assert_int_equal(vfiox_dma_entries_used(t.c), fk.nmaps);
		size = 0;
		for (i = 0; i < fk.nmaps; i++)
			size += fk.maps[i].size;
		assert_int_equal(vfiox_dma_mapped_bytes(t.c), size);
		assert_int_equal(vfiox_dma_entries_avail(t.c), 65535 - (int64_t)fk.nmaps);
	}
	assert_int_equal(vfiox_dma_unmap_all(t.c), 0);
	assert_int_equal(fk.nmaps, 0);
	done(&t);
}

/* ------------------------------------------------------------------ buffers and pools */

static void buffers_of_each_plain_kind(void **state)
{
	struct t t = setup_container();
	struct vfiox_dma_buf *b;

	assert_int_equal(vfiox_dma_buf_new(t.e->ctx, 5000, VFIOX_BUF_ANON, &b), 0);
	assert_int_equal(vfiox_dma_buf_size(b), 8 * KiB);
	assert_int_equal(vfiox_dma_buf_fd(b), -1);
	assert_int_equal((uintptr_t)vfiox_dma_buf_addr(b) % (4 * KiB), 0);
	memset(vfiox_dma_buf_addr(b), 0xab, 8 * KiB);
	vfiox_dma_buf_free(b);
	assert_int_equal(vfiox_dma_buf_new(t.e->ctx, 4096, VFIOX_BUF_MEMFD, &b), 0);
	assert_true(vfiox_dma_buf_fd(b) >= 0);
	assert_int_equal(pwrite(vfiox_dma_buf_fd(b), "hi", 2, 100), 2);
	assert_memory_equal((char *)vfiox_dma_buf_addr(b) + 100, "hi", 2);
	vfiox_dma_buf_free(b);
	assert_int_equal(vfiox_dma_buf_new(t.e->ctx, 0, VFIOX_BUF_ANON, &b), -EINVAL);
	assert_int_equal(vfiox_dma_buf_new(t.e->ctx, 4096, 9, &b), -EINVAL);
	done(&t);
}

static void hugepage_shortage_is_explained(void **state)
{
	struct t t = setup_container();
	struct vfiox_dma_buf *b;
	char path[512];
	const char *msg;

	/* The fixture has no kernel/mm/hugepages at all. */
	assert_int_equal(vfiox_dma_buf_new(t.e->ctx, 2 * MiB, VFIOX_BUF_HUGE_2M, &b), -ENOMEM);
	assert_non_null(strstr(vfiox_ctx_last_error(t.e->ctx), "offers no 2 MiB hugepages"));
	snprintf(path, sizeof(path), "mkdir -p %s/kernel/mm/hugepages/hugepages-1048576kB && "
		 "echo 1 > %s/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages",
		 fx_root(t.e->fx), fx_root(t.e->fx));
	assert_int_equal(system(path), 0);
	assert_int_equal(vfiox_dma_buf_new(t.e->ctx, 3ull << 30, VFIOX_BUF_HUGE_1G, &b), -ENOMEM);
	msg = vfiox_ctx_last_error(t.e->ctx);
	assert_non_null(strstr(msg, "3 1 GiB hugepages are needed and 1 are free"));
	assert_non_null(strstr(msg, "nr_hugepages"));
	assert_non_null(strstr(msg, "hugepagesz=1G"));
	done(&t);
}

static void pool_lies_in_its_window_and_bounces(void **state)
{
	struct t t = setup_container();
	struct vfiox_dma_pool *p;
	uint64_t iova, iova2;
	char out[16];
	void *va;

	assert_int_equal(vfiox_dma_pool_new(t.c, 64 * KiB, VFIOX_BUF_MEMFD,
					    VFIOX_DMA_READ | VFIOX_DMA_WRITE, 0x8000000, MiB, &p), 0);
	assert_int_equal(vfiox_dma_pool_iova(p), 0x8000000);
	assert_int_equal(vfiox_dma_pool_size(p), 64 * KiB);
	assert_true(vfiox_dma_pool_fd(p) >= 0);
	assert_int_equal(fk.nmaps, 1);
	assert_int_equal(fk.maps[0].iova, 0x8000000);
	assert_int_equal(fk.maps[0].vaddr, (uintptr_t)vfiox_dma_pool_addr(p));
	assert_int_equal(vfiox_dma_pool_alloc(p, 100, 0, &iova, &va), 0);
	assert_int_equal(iova, 0x8000000);
	assert_int_equal(vfiox_dma_pool_alloc(p, 100, 4096, &iova2, NULL), 0);
	assert_int_equal(iova2 % 4096, 0);
	assert_true(iova2 > iova);
	assert_int_equal(vfiox_dma_pool_write(p, iova, "pattern", 8), 0);
	assert_string_equal((char *)va, "pattern");
	assert_int_equal(vfiox_dma_pool_read(p, iova, out, 8), 0);
	assert_string_equal(out, "pattern");
	/* Outside the pool, before or after it or straddling its end: -ERANGE. */
	assert_int_equal(vfiox_dma_pool_write(p, 0x8000000 - 1, "x", 1), -ERANGE);
	assert_int_equal(vfiox_dma_pool_read(p, 0x8000000 + 64 * KiB - 4, out, 8), -ERANGE);
	assert_int_equal(vfiox_dma_pool_read(p, UINT64_MAX, out, 8), -ERANGE);
	assert_non_null(strstr(vfiox_ctx_last_error(t.e->ctx), "outside the DMA pool"));
	assert_int_equal(vfiox_dma_pool_alloc(p, 64 * KiB, 0, &iova2, NULL), -ENOSPC);
	assert_int_equal(vfiox_dma_pool_release(p, iova, 100), 0);
	assert_int_equal(vfiox_dma_pool_release(p, iova, 100), -ENOENT);
	vfiox_dma_pool_free(p);
	assert_int_equal(fk.nmaps, 0);
	assert_int_equal(vfiox_dma_num_mappings(t.c), 0);
	done(&t);
}

static void pool_window_must_have_room(void **state)
{
	struct t t = setup_container();
	struct vfiox_dma_pool *p;
	uint64_t iova = 0x8000000;

	/* Taken: the window's only place. */
	assert_int_equal(vfiox_dma_map(t.c, VA(0x100000), 64 * KiB,
				       VFIOX_DMA_READ | VFIOX_DMA_FIXED, 0, &iova), 0);
	assert_int_equal(vfiox_dma_pool_new(t.c, 64 * KiB, VFIOX_BUF_MEMFD, VFIOX_DMA_READ,
					    0x8000000, 96 * KiB, &p), -ENOSPC);
	assert_non_null(strstr(vfiox_ctx_last_error(t.e->ctx), "in the window 0x8000000-0x8017fff"));
	/* A window over the MSI window only. */
	assert_int_equal(vfiox_dma_pool_new(t.c, 64 * KiB, VFIOX_BUF_MEMFD, VFIOX_DMA_READ,
					    MSI_LO, MSI_HI - MSI_LO + 1, &p), -ENOSPC);
	assert_int_equal(vfiox_dma_pool_new(t.c, 64 * KiB, VFIOX_BUF_ANON, VFIOX_DMA_READ, 0, 0, &p),
			 -EINVAL);
	assert_int_equal(vfiox_dma_pool_new(t.c, 64 * KiB, VFIOX_BUF_MEMFD, 0, 0, 0, &p), -EINVAL);
	assert_int_equal(vfiox_dma_pool_new(t.c, 64 * KiB, VFIOX_BUF_MEMFD, VFIOX_DMA_READ, 5, 0, &p),
			 -EINVAL);
	assert_int_equal(fk.nmaps, 1);
	done(&t);
}

static int group_setup(void **state)
{
	char tmpl[] = "/tmp/vfiox-test-dma-XXXXXX";
	char path[512];

	assert_non_null(mkdtemp(tmpl));
	snprintf(fk.proc, sizeof(fk.proc), "%s", tmpl);
	snprintf(path, sizeof(path), "%s/self", tmpl);
	assert_int_equal(mkdir(path, 0755), 0);
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fk.proc);
	return system(cmd) == 0 ? 0 : -1;
}

static int test_setup(void **state)
{
	fk_reset();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(map_allocates_usable_iova_below_the_limit, test_setup),
		cmocka_unit_test_setup(map_rejects_bad_arguments_before_the_kernel, test_setup),
		cmocka_unit_test_setup(map_without_iommu_model_is_refused, test_setup),
		cmocka_unit_test_setup(fixed_map_refuses_overlap_and_reserved_ranges, test_setup),
		cmocka_unit_test_setup(entry_budget_is_checked_before_the_kernel, test_setup),
		cmocka_unit_test_setup(kernel_enospc_becomes_the_budget_message, test_setup),
		cmocka_unit_test_setup(kernel_enospc_without_a_reported_budget_fails, test_setup),
		cmocka_unit_test_setup(memlock_is_checked_before_the_kernel, test_setup),
		cmocka_unit_test_setup(kernel_enomem_becomes_the_memlock_message, test_setup),
		cmocka_unit_test_setup(cap_ipc_lock_skips_the_memlock_check, test_setup),
		cmocka_unit_test_setup(capability_dropped_after_setup_still_gets_the_message,
				       test_setup),
		cmocka_unit_test_setup(memlock_info_reads_limit_locked_and_capability, test_setup),
		cmocka_unit_test_setup(batch_merges_contiguous_chunks_into_one_entry, test_setup),
		cmocka_unit_test_setup(chunks_outside_a_batch_cost_one_entry_each, test_setup),
		cmocka_unit_test_setup(failed_batch_undoes_everything, test_setup),
		cmocka_unit_test_setup(batch_over_the_budget_is_refused_whole, test_setup),
		cmocka_unit_test_setup(unmap_inside_a_merged_entry_maps_the_rest_again, test_setup),
		cmocka_unit_test_setup(unmap_all_returns_to_the_start, test_setup),
		cmocka_unit_test_setup(random_sequences_keep_library_and_kernel_in_step, test_setup),
		cmocka_unit_test_setup(buffers_of_each_plain_kind, test_setup),
		cmocka_unit_test_setup(hugepage_shortage_is_explained, test_setup),
		cmocka_unit_test_setup(pool_lies_in_its_window_and_bounces, test_setup),
		cmocka_unit_test_setup(pool_window_must_have_room, test_setup),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
