/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private to libvfiox: the IOVA allocator behind the DMA mapping code.
 *
 * An IOVA space is built from the ranges VFIO_IOMMU_GET_INFO reports as usable; everything
 * outside them (the MSI window 0xfee00000-0xfeefffff on x86, whatever lies beyond the
 * aperture) is reserved and never handed out. Free space is kept as extents in a balanced
 * tree keyed by address and augmented with the largest extent of each subtree; live
 * allocations are kept in a hash table, so that a release must name exactly what was
 * handed out. Pure bookkeeping: no kernel access, no logging; 0 or -errno.
 */
#ifndef VFIOX_IOVA_H
#define VFIOX_IOVA_H

#include <stddef.h>
#include <stdint.h>

#include <vfiox/vfio.h>

struct vfiox_iova_space;

/**
 * vfiox__iova_new() - an IOVA space over the usable ranges
 * @usable: usable ranges, inclusive, in any order; they may overlap or touch (merged)
 * @n: entries in @usable; 0 gives a space with nothing to hand out
 * @min_page: the smallest IOMMU page size, a power of two; every range is shrunk to whole
 *	pages, and sizes and alignments are rounded up to it
 * @sp: the new space, freed with vfiox__iova_free_space()
 *
 * Return: 0, -EINVAL (a range with start > end, @min_page not a power of two, @usable NULL
 * with @n > 0) or -ENOMEM.
 */
int vfiox__iova_new(const struct vfiox_iova_range *usable, size_t n, uint64_t min_page,
		    struct vfiox_iova_space **sp);

/* Frees @sp and every allocation still live in it; NULL is fine. */
void vfiox__iova_free_space(struct vfiox_iova_space *sp);

/**
 * vfiox__iova_alloc() - hand out a free, aligned block of IOVA
 * @sp: the space
 * @size: bytes, rounded up to the space's page size; not 0
 * @align: a power of two, or 0; raised to the page size when smaller
 * @limit: the highest usable IOVA + 1 for this request (a device's DMA mask: 1 << 28 for
 *	QEMU's edu), or 0 for none
 * @iova: the first IOVA of the block
 *
 * Takes the lowest fitting block in the common case; logarithmic in the number of free
 * extents, constant in the number of allocations. With @align above the page size, and
 * only when no free extent below @limit has room for the block whatever its alignment,
 * the extents that are large enough but misaligned are searched one by one (each step
 * logarithmic) before giving up.
 *
 * Return: 0, -EINVAL (bad @size or @align), -ENOSPC (no block fits) or -ENOMEM.
 */
int vfiox__iova_alloc(struct vfiox_iova_space *sp, uint64_t size, uint64_t align,
		      uint64_t limit, uint64_t *iova);

/**
 * vfiox__iova_reserve() - claim a caller-chosen range
 * @sp: the space
 * @iova: first IOVA, page-aligned
 * @size: bytes, rounded up to the page size; not 0
 *
 * The range becomes a live allocation, released with vfiox__iova_release().
 *
 * Return: 0, -EINVAL (unaligned @iova, @size 0 or wrapping), -EEXIST (the range overlaps a
 * live allocation or is not inside usable space) or -ENOMEM.
 */
int vfiox__iova_reserve(struct vfiox_iova_space *sp, uint64_t iova, uint64_t size);

/**
 * vfiox__iova_release() - give back an allocation
 * @sp: the space
 * @iova: what vfiox__iova_alloc() returned or vfiox__iova_reserve() was given
 * @size: the size it was asked with (rounded up to the page size as then)
 *
 * The range is merged with the free extents on either side.
 *
 * Never needs memory: the allocation that made the space keeps a node for its release.
 *
 * Return: 0, -EINVAL (@size 0 or wrapping) or -ENOENT (no live allocation is exactly
 * this range).
 */
int vfiox__iova_release(struct vfiox_iova_space *sp, uint64_t iova, uint64_t size);

/* Bytes in live allocations (modulo 2^64: a space of all 2^64 bytes, all in use, reads 0). */
uint64_t vfiox__iova_used(const struct vfiox_iova_space *sp);

/* Free extents (maximal runs of free usable IOVA). */
size_t vfiox__iova_num_free_extents(const struct vfiox_iova_space *sp);

/* Live allocations. */
size_t vfiox__iova_num_allocs(const struct vfiox_iova_space *sp);

/* The page size the space was built with. */
uint64_t vfiox__iova_page_size(const struct vfiox_iova_space *sp);

/*
 * Calls @fn for each free extent in address order (inclusive, like the kernel's ranges);
 * a non-zero return from @fn stops the walk and is returned. @fn must not change @sp.
 */
typedef int (*vfiox_iova_range_fn)(void *arg, const struct vfiox_iova_range *r);
int vfiox__iova_for_each_free(const struct vfiox_iova_space *sp, vfiox_iova_range_fn fn,
			      void *arg);

/* The same over live allocations, in address order; may fail with -ENOMEM (it sorts). */
int vfiox__iova_for_each_alloc(const struct vfiox_iova_space *sp, vfiox_iova_range_fn fn,
			       void *arg);

/*
 * Checks the trees' invariants: order, no overlap, free extents coalesced and page-aligned,
 * AVL balance, the subtree maxima and the counters. For tests; linear time.
 * Return: 0 or -EUCLEAN.
 */
int vfiox__iova_check(const struct vfiox_iova_space *sp);

#endif /* VFIOX_IOVA_H */
