/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef VFIOX_DMA_H
#define VFIOX_DMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vfiox/vfio.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: DMA mapping
 *
 * A device behind an IOMMU reaches only what is mapped into its container: process memory
 * at an IO virtual address (IOVA). The library maps through the type1 IOMMU model
 * (VFIO_IOMMU_MAP_DMA) and keeps every mapping it made, so it can:
 *
 * - hand out IOVAs that the kernel allows: inside the usable ranges VFIO_IOMMU_GET_INFO
 *   reports (never the MSI window, never beyond the aperture), below a per-request limit
 *   (a device's DMA mask), aligned to the IOMMU page size;
 * - check the two limits that make the kernel refuse a mapping before asking it: the
 *   type1 driver's DMA entry budget (module parameter dma_entry_limit, 65535 by default,
 *   one entry per VFIO_IOMMU_MAP_DMA call) and RLIMIT_MEMLOCK, which every pinned page is
 *   charged against unless the process has CAP_IPC_LOCK; the message then has the numbers
 *   and the fix;
 * - merge: between vfiox_dma_batch_begin() and vfiox_dma_batch_end() mappings only take
 *   their IOVA; the batch then maps each run of memory that is contiguous in both the
 *   process and the IOVA space with one kernel call and one entry.
 *
 * The state lives in the container, is built on first use (a group must be attached) and
 * goes with vfiox_container_close(), which also drops every mapping in the kernel.
 */

/* Flags of vfiox_dma_map() and vfiox_dma_pool_new(). */
#define VFIOX_DMA_READ (1u << 0)  /* the device may read the memory */
#define VFIOX_DMA_WRITE (1u << 1) /* the device may write the memory */
#define VFIOX_DMA_FIXED (1u << 2) /* map at *iova exactly instead of allocating one */

/* For @limit: no limit beyond the IOMMU's own. */
#define VFIOX_DMA_NO_LIMIT 0

/**
 * vfiox_dma_map() - map process memory for the devices of a container
 * @c: the container, with a group attached and its IOMMU model set
 * @vaddr: start of the memory; aligned to the IOMMU page size
 * @size: bytes; a non-zero multiple of the IOMMU page size
 * @flags: VFIOX_DMA_READ and/or VFIOX_DMA_WRITE, optionally VFIOX_DMA_FIXED
 * @limit: the highest IOVA + 1 the device can reach (1 << 28 for a 28-bit DMA mask), or
 *	VFIOX_DMA_NO_LIMIT; with VFIOX_DMA_FIXED the given range must lie below it
 * @iova: with VFIOX_DMA_FIXED the IOVA to map at (in); otherwise receives the IOVA chosen
 *
 * Inside a batch the memory is only given its IOVA; vfiox_dma_batch_end() maps it.
 *
 * Return: 0; -EINVAL for unaligned or zero sizes and addresses, no permission flag, or a
 * container without an IOMMU model; -EEXIST when a fixed range overlaps a mapping or
 * lies outside the usable IOVA ranges; -ENOSPC when no IOVA below @limit has room, or
 * when the DMA entry budget is used up; -ENOMEM when the memory lock limit would be
 * exceeded (or no memory); another -errno from the kernel. The last error says which,
 * with the numbers and what to do.
 */
int vfiox_dma_map(struct vfiox_container *c, void *vaddr, uint64_t size, unsigned int flags,
		  uint64_t limit, uint64_t *iova);

/**
 * vfiox_dma_unmap() - remove mappings
 * @c: the container
 * @iova: start of the range
 * @size: its length
 *
 * The range must hold whole mappings as vfiox_dma_map() made them (one or several); it
 * must not cut one. When the mappings removed were merged with others into one kernel
 * entry, the others are mapped again, which leaves them unmapped for an instant.
 *
 * Return: 0; -ENOENT when nothing is mapped in the range; -EINVAL when it cuts a
 * mapping; another -errno from the kernel.
 */
int vfiox_dma_unmap(struct vfiox_container *c, uint64_t iova, uint64_t size);

/**
 * vfiox_dma_unmap_all() - remove every mapping the library made in the container
 * @c: the container
 *
 * Return: 0, or the first -errno (the remaining mappings are still tried).
 */
int vfiox_dma_unmap_all(struct vfiox_container *c);

/**
 * vfiox_dma_batch_begin() - start collecting mappings to merge
 * @c: the container
 *
 * Return: 0, or -EBUSY when a batch is already open.
 */
int vfiox_dma_batch_begin(struct vfiox_container *c);

/**
 * vfiox_dma_batch_end() - map what the batch collected, merged
 * @c: the container
 *
 * Runs of mappings contiguous in memory and in IOVA, with equal flags, become one kernel
 * mapping each. All or nothing: on failure every mapping of the batch is undone and its
 * IOVA given back.
 *
 * Return: 0; -EINVAL when no batch is open; the errors of vfiox_dma_map().
 */
int vfiox_dma_batch_end(struct vfiox_container *c);

/**
 * vfiox_dma_entries_avail() - DMA entries the container can still create
 * @c: the container
 *
 * What the kernel reported when the library first used the container, less the entries
 * it created since (more when it removed some).
 *
 * Return: the count; -1 when the kernel does not report it (before Linux 5.10); -errno
 * when the DMA state cannot be set up.
 */
int64_t vfiox_dma_entries_avail(struct vfiox_container *c);

/**
 * vfiox_dma_entries_used() - kernel mappings the library holds in the container
 * @c: the container
 *
 * Return: the count (merged mappings count once).
 */
size_t vfiox_dma_entries_used(const struct vfiox_container *c);

/**
 * vfiox_dma_num_mappings() - mappings as the caller made them
 * @c: the container
 *
 * Return: the count, including those of an open batch.
 */
size_t vfiox_dma_num_mappings(const struct vfiox_container *c);

/**
 * vfiox_dma_mapped_bytes() - bytes the library has mapped (and the kernel pinned)
 * @c: the container
 *
 * Return: the sum of the kernel mappings' sizes.
 */
uint64_t vfiox_dma_mapped_bytes(const struct vfiox_container *c);

/**
 * vfiox_memlock_info() - the memory lock budget of the calling process
 * @ctx: the context (its /proc root is read)
 * @limit: receives RLIMIT_MEMLOCK's soft limit in bytes, UINT64_MAX for unlimited
 * @locked: receives the bytes locked now (VmLck: mlock() and pinned DMA memory)
 * @cap_ipc_lock: receives whether the process has CAP_IPC_LOCK (then no limit applies)
 *
 * Return: 0, or -errno when the process status cannot be read.
 */
int vfiox_memlock_info(struct vfiox_ctx *ctx, uint64_t *limit, uint64_t *locked,
		       bool *cap_ipc_lock);

/**
 * DOC: DMA buffers
 *
 * Memory meant for DMA: page-aligned, populated, and excluded from fork() (MADV_DONTFORK)
 * so that a child's copy-on-write cannot move a page away from the one the IOMMU pins.
 */
enum vfiox_buf_kind {
	VFIOX_BUF_ANON = 0,    /* anonymous memory */
	VFIOX_BUF_MEMFD = 1,   /* a memfd: shareable with another process by its fd */
	VFIOX_BUF_HUGE_2M = 2, /* a hugetlb memfd of 2 MiB pages */
	VFIOX_BUF_HUGE_1G = 3, /* a hugetlb memfd of 1 GiB pages */
};

struct vfiox_dma_buf;

/**
 * vfiox_dma_buf_new() - allocate memory for DMA
 * @ctx: the context
 * @size: bytes; rounded up to the kind's page size
 * @kind: a &enum vfiox_buf_kind
 * @bufp: receives the buffer; free it with vfiox_dma_buf_free()
 *
 * Hugetlb buffers are populated at once, so a shortage shows here and not as SIGBUS later.
 *
 * Return: 0; -EINVAL for size 0 or an unknown kind; -ENOMEM when memory or hugepages
 * are short (the last error says how many hugepages are free and how to reserve more);
 * another -errno.
 */
int vfiox_dma_buf_new(struct vfiox_ctx *ctx, uint64_t size, int kind, struct vfiox_dma_buf **bufp);

/**
 * vfiox_dma_buf_free() - release a buffer
 * @buf: the buffer, or NULL; it must no longer be mapped for DMA
 */
void vfiox_dma_buf_free(struct vfiox_dma_buf *buf);

/**
 * vfiox_dma_buf_addr() - where the buffer lies in the process
 * @buf: the buffer
 *
 * Return: the address.
 */
void *vfiox_dma_buf_addr(const struct vfiox_dma_buf *buf);

/**
 * vfiox_dma_buf_size() - the buffer's size after rounding
 * @buf: the buffer
 *
 * Return: bytes.
 */
uint64_t vfiox_dma_buf_size(const struct vfiox_dma_buf *buf);

/**
 * vfiox_dma_buf_fd() - the memfd behind the buffer
 * @buf: the buffer
 *
 * Return: the fd (owned by the buffer), or -1 for anonymous memory.
 */
int vfiox_dma_buf_fd(const struct vfiox_dma_buf *buf);

/**
 * DOC: DMA pools
 *
 * A pool restricts a device to the memory put forth for DMA: one dedicated memfd region,
 * mapped into the IOMMU as a whole (optionally inside a window of IOVA the caller
 * chooses), from which the caller allocates device buffers. The rest of the process stays
 * invisible to the device; data goes in and out through the bounce helpers. The pool's fd
 * can be handed to another process, which then sees the same memory.
 */
struct vfiox_dma_pool;

/**
 * vfiox_dma_pool_new() - create a pool and map it
 * @c: the container
 * @size: bytes; rounded up to the page size of @kind
 * @kind: VFIOX_BUF_MEMFD, VFIOX_BUF_HUGE_2M or VFIOX_BUF_HUGE_1G
 * @flags: VFIOX_DMA_READ and/or VFIOX_DMA_WRITE
 * @win_start: first IOVA of the window the pool must lie in
 * @win_size: size of that window; 0 for no window (then @win_start must be 0)
 * @poolp: receives the pool; free it with vfiox_dma_pool_free()
 *
 * Return: 0; -EINVAL for bad sizes, kinds or flags; -ENOSPC when the window has no
 * usable IOVA range of that size; the errors of vfiox_dma_buf_new() and vfiox_dma_map().
 */
int vfiox_dma_pool_new(struct vfiox_container *c, uint64_t size, int kind, unsigned int flags,
		       uint64_t win_start, uint64_t win_size, struct vfiox_dma_pool **poolp);

/**
 * vfiox_dma_pool_free() - unmap a pool and release its memory
 * @pool: the pool, or NULL
 */
void vfiox_dma_pool_free(struct vfiox_dma_pool *pool);

/**
 * vfiox_dma_pool_alloc() - take a block from the pool
 * @pool: the pool
 * @size: bytes; rounded up to 64
 * @align: a power of two, or 0 (64 then)
 * @iova: receives the block's IOVA, to program into the device
 * @vaddr: receives its address in this process, or NULL
 *
 * Return: 0; -EINVAL for size 0 or a bad alignment; -ENOSPC when the pool is full.
 */
int vfiox_dma_pool_alloc(struct vfiox_dma_pool *pool, uint64_t size, uint64_t align,
			 uint64_t *iova, void **vaddr);

/**
 * vfiox_dma_pool_release() - give a block back
 * @pool: the pool
 * @iova: what vfiox_dma_pool_alloc() returned
 * @size: the size asked for then
 *
 * Return: 0, or -ENOENT when no such block is allocated.
 */
int vfiox_dma_pool_release(struct vfiox_dma_pool *pool, uint64_t iova, uint64_t size);

/**
 * vfiox_dma_pool_write() - bounce data into the pool
 * @pool: the pool
 * @iova: where, as the device sees it
 * @src: the data
 * @len: bytes
 *
 * Return: 0, or -ERANGE when [@iova, @iova + @len) is not inside the pool.
 */
int vfiox_dma_pool_write(struct vfiox_dma_pool *pool, uint64_t iova, const void *src, size_t len);

/**
 * vfiox_dma_pool_read() - bounce data out of the pool
 * @pool: the pool
 * @iova: where, as the device sees it
 * @dst: receives the data
 * @len: bytes
 *
 * Return: 0, or -ERANGE when [@iova, @iova + @len) is not inside the pool.
 */
int vfiox_dma_pool_read(struct vfiox_dma_pool *pool, uint64_t iova, void *dst, size_t len);

/**
 * vfiox_dma_pool_iova() - the pool's first IOVA
 * @pool: the pool
 *
 * Return: the IOVA; the pool covers [iova, iova + vfiox_dma_pool_size()).
 */
uint64_t vfiox_dma_pool_iova(const struct vfiox_dma_pool *pool);

/**
 * vfiox_dma_pool_size() - the pool's size
 * @pool: the pool
 *
 * Return: bytes.
 */
uint64_t vfiox_dma_pool_size(const struct vfiox_dma_pool *pool);

/**
 * vfiox_dma_pool_addr() - where the pool lies in this process
 * @pool: the pool
 *
 * Return: the address of the pool's first byte.
 */
void *vfiox_dma_pool_addr(const struct vfiox_dma_pool *pool);

/**
 * vfiox_dma_pool_fd() - the pool's memfd, to share the pool with another process
 * @pool: the pool
 *
 * Return: the fd, owned by the pool (dup() it to keep it beyond the pool).
 */
int vfiox_dma_pool_fd(const struct vfiox_dma_pool *pool);

#ifdef __cplusplus
}
#endif

#endif /* VFIOX_DMA_H */
