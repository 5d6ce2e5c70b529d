/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef VFIOX_BAR_H
#define VFIOX_BAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vfiox/vfio.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: BAR and config access
 *
 * A &struct vfiox_bar is one BAR of an open device, split into segments: the parts the
 * library mmapped and the parts it reaches through pread/pwrite on the device fd
 * ("trapped"). Pages holding the MSI-X table or PBA stay trapped even where the kernel
 * would let them be mapped (VFIO_REGION_INFO_CAP_MSIX_MAPPABLE), unless the caller asks
 * for the whole BAR: the vector table is the VMM's to emulate. The accessors pick the
 * mapping where it covers the offset and the device fd elsewhere, so callers never need to
 * know which.
 */
struct vfiox_bar;

/* Why a segment is or is not mapped. */
enum vfiox_seg_kind {
	VFIOX_SEG_MAPPED = 0,       /* mmapped: accessors use the pointer */
	VFIOX_SEG_MSIX_TABLE = 1,   /* pages of the MSI-X vector table */
	VFIOX_SEG_MSIX_PBA = 2,     /* pages of the MSI-X pending-bit array */
	VFIOX_SEG_SPARSE_GAP = 3,   /* the kernel's sparse-mmap areas leave it out */
	VFIOX_SEG_NOT_MMAPPABLE = 4 /* the region cannot be mmapped (I/O port BAR, ...) */
};

/**
 * struct vfiox_bar_segment - a piece of a BAR with one way of access
 * @offset: from the start of the BAR
 * @size: length in bytes
 * @kind: an &enum vfiox_seg_kind
 */
struct vfiox_bar_segment {
	uint64_t offset;
	uint64_t size;
	int kind;
};

/* vfiox_bar_open() flags */
#define VFIOX_BAR_WHOLE 0x1u   /* map the MSI-X table and PBA pages too */
#define VFIOX_BAR_NO_MMAP 0x2u /* map nothing: every access through the device fd */

/**
 * vfiox_bar_open() - map a BAR, keeping the MSI-X table and PBA out of the mapping
 * @d: the device
 * @index: BAR number, 0..5 (region index)
 * @flags: VFIOX_BAR_WHOLE, VFIOX_BAR_NO_MMAP, or 0
 * @bp: receives the BAR; release it with vfiox_bar_close()
 *
 * Honours the kernel's sparse-mmap areas; computes the MSI-X holes from the MSI-X
 * capability in the device's config space, rounded out to the host page size.
 *
 * Return: 0; -ENOENT when the device has no such BAR (size 0); -EINVAL for an index above
 * 5; -EPROTO when config space or region info is malformed; other -errno from mmap.
 */
int vfiox_bar_open(struct vfiox_device *d, uint32_t index, unsigned int flags,
		   struct vfiox_bar **bp);

/**
 * vfiox_bar_close() - unmap and release a BAR
 * @b: the BAR, or NULL
 */
void vfiox_bar_close(struct vfiox_bar *b);

/**
 * vfiox_bar_size() - the BAR's size in bytes
 * @b: the BAR
 *
 * Return: the size.
 */
uint64_t vfiox_bar_size(const struct vfiox_bar *b);

/**
 * vfiox_bar_num_segments() - number of segments in the BAR's layout
 * @b: the BAR
 *
 * Return: the count (at least 1).
 */
size_t vfiox_bar_num_segments(const struct vfiox_bar *b);

/**
 * vfiox_bar_segment() - a segment, in ascending offset; together they cover the BAR
 * @b: the BAR
 * @idx: 0 .. vfiox_bar_num_segments() - 1
 *
 * Return: the segment (owned by the BAR), or NULL when @idx is out of range.
 */
const struct vfiox_bar_segment *vfiox_bar_segment(const struct vfiox_bar *b, size_t idx);

/**
 * vfiox_bar_ptr() - a pointer into the mapping
 * @b: the BAR
 * @offset: from the start of the BAR
 * @len: bytes the caller will touch
 *
 * Return: the address of @offset when [@offset, @offset + @len) lies in one mapped
 * segment, NULL otherwise (use the accessors there).
 */
volatile void *vfiox_bar_ptr(const struct vfiox_bar *b, uint64_t offset, uint64_t len);

/**
 * vfiox_bar_read32() - read a register
 * @b: the BAR
 * @offset: naturally aligned offset in the BAR
 * @val: receives the value
 *
 * vfiox_bar_read8/16/64() and the vfiox_bar_write*() functions work the same way with
 * their widths. Each uses the mapping where it covers the offset and pread/pwrite on the
 * device fd where it does not.
 *
 * Return: 0; -EINVAL for an offset beyond the BAR or not aligned to the width; -EIO when
 * the device fd transfers fewer bytes; other -errno.
 */
int vfiox_bar_read32(struct vfiox_bar *b, uint64_t offset, uint32_t *val);
int vfiox_bar_read8(struct vfiox_bar *b, uint64_t offset, uint8_t *val);
int vfiox_bar_read16(struct vfiox_bar *b, uint64_t offset, uint16_t *val);
int vfiox_bar_read64(struct vfiox_bar *b, uint64_t offset, uint64_t *val);
int vfiox_bar_write8(struct vfiox_bar *b, uint64_t offset, uint8_t val);
int vfiox_bar_write16(struct vfiox_bar *b, uint64_t offset, uint16_t val);
int vfiox_bar_write32(struct vfiox_bar *b, uint64_t offset, uint32_t val);
int vfiox_bar_write64(struct vfiox_bar *b, uint64_t offset, uint64_t val);

/**
 * struct vfiox_bar_window - the accessors' fast-path window (part of the ABI)
 * @ptr: the mapped segment the previous access used; NULL before the first one
 * @start: the segment's offset in the BAR
 * @len: its length; 0 before the first access
 *
 * Every &struct vfiox_bar begins with this window; the library alone writes it. The
 * inline accessors below read it to reach a mapped register without a function call,
 * which is the whole cost of an MMIO read on a fast path. It is the one piece of a
 * handle's layout the library promises, so that the promise stays small.
 */
struct vfiox_bar_window {
	volatile uint8_t *ptr;
	uint64_t start;
	uint64_t len;
};

/* The body of the inline accessors: the window, else the exported accessor. */
#define VFIOX__BAR_FAST(b, offset, bits, access, fallback)                                   \
	do {                                                                                 \
		const struct vfiox_bar_window *w_ =                                         \
			(const struct vfiox_bar_window *)(const void *)(b);                 \
		uint64_t rel_ = (offset) - w_->start;                                       \
		if (rel_ < w_->len && !((offset) & ((bits) / 8 - 1)) &&                     \
		    w_->len - rel_ >= (bits) / 8) {                                         \
			volatile uint##bits##_t *p_ = (volatile uint##bits##_t *)(w_->ptr + rel_); \
			access;                                                             \
			return 0;                                                           \
		}                                                                           \
		return fallback;                                                            \
	} while (0)

/**
 * vfiox_bar_fast_read32() - read a register, inline where the BAR is mapped
 * @b: the BAR
 * @offset: naturally aligned offset in the BAR
 * @val: receives the value
 *
 * The same as vfiox_bar_read32(), compiled into the caller: when @offset lies in the
 * mapped segment the previous access used, the register is read right here; anything
 * else calls vfiox_bar_read32(). vfiox_bar_fast_read8/16/64() and
 * vfiox_bar_fast_write8/16/32/64() work the same way.
 *
 * Return: as vfiox_bar_read32().
 */
static inline int vfiox_bar_fast_read32(struct vfiox_bar *b, uint64_t offset, uint32_t *val)
{
	VFIOX__BAR_FAST(b, offset, 32, *val = *p_, vfiox_bar_read32(b, offset, val));
}

static inline int vfiox_bar_fast_read8(struct vfiox_bar *b, uint64_t offset, uint8_t *val)
{
	VFIOX__BAR_FAST(b, offset, 8, *val = *p_, vfiox_bar_read8(b, offset, val));
}

static inline int vfiox_bar_fast_read16(struct vfiox_bar *b, uint64_t offset, uint16_t *val)
{
	VFIOX__BAR_FAST(b, offset, 16, *val = *p_, vfiox_bar_read16(b, offset, val));
}

static inline int vfiox_bar_fast_read64(struct vfiox_bar *b, uint64_t offset, uint64_t *val)
{
	VFIOX__BAR_FAST(b, offset, 64, *val = *p_, vfiox_bar_read64(b, offset, val));
}

static inline int vfiox_bar_fast_write8(struct vfiox_bar *b, uint64_t offset, uint8_t val)
{
	VFIOX__BAR_FAST(b, offset, 8, *p_ = val, vfiox_bar_write8(b, offset, val));
}

static inline int vfiox_bar_fast_write16(struct vfiox_bar *b, uint64_t offset, uint16_t val)
{
	VFIOX__BAR_FAST(b, offset, 16, *p_ = val, vfiox_bar_write16(b, offset, val));
}

static inline int vfiox_bar_fast_write32(struct vfiox_bar *b, uint64_t offset, uint32_t val)
{
	VFIOX__BAR_FAST(b, offset, 32, *p_ = val, vfiox_bar_write32(b, offset, val));
}

static inline int vfiox_bar_fast_write64(struct vfiox_bar *b, uint64_t offset, uint64_t val)
{
	VFIOX__BAR_FAST(b, offset, 64, *p_ = val, vfiox_bar_write64(b, offset, val));
}

/**
 * vfiox_device_config_read() - read config space through VFIO
 * @d: the device
 * @offset: byte offset in config space
 * @buf: receives the bytes
 * @len: how many
 *
 * Reads through the config region, which vfio-pci virtualises (what a guest sees).
 *
 * Return: 0; -EINVAL when the range leaves config space; -EIO on a short read.
 */
int vfiox_device_config_read(struct vfiox_device *d, uint32_t offset, void *buf, size_t len);

/**
 * vfiox_device_config_write() - write config space through VFIO
 * @d: the device
 * @offset: byte offset in config space
 * @buf: the bytes
 * @len: how many
 *
 * Return: 0; -EINVAL when the range leaves config space; -EIO on a short write.
 */
int vfiox_device_config_write(struct vfiox_device *d, uint32_t offset, const void *buf,
			      size_t len);

/**
 * vfiox_device_find_cap() - find a capability in config space read through VFIO
 * @d: the device
 * @id: PCI_CAP_ID_* (standard) or PCI_EXT_CAP_ID_* (extended)
 * @extended: which list
 * @offset: receives the capability's offset
 *
 * Return: 0; -ENOENT when the device has none; -EIO when config space cannot be read.
 */
int vfiox_device_find_cap(struct vfiox_device *d, uint16_t id, bool extended, uint16_t *offset);

/**
 * vfiox_device_read_rom() - read the expansion ROM
 * @d: the device
 * @bufp: receives a malloc()ed copy of the ROM; the caller frees it
 * @lenp: receives its length
 *
 * Return: 0; -ENOENT when the device has no ROM; -EIO when the ROM cannot be read (a
 * device whose ROM is shadowed or disabled); other -errno.
 */
int vfiox_device_read_rom(struct vfiox_device *d, void **bufp, size_t *lenp);

#ifdef __cplusplus
}
#endif

#endif /* VFIOX_BAR_H */
