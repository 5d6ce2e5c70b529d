/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef VFIOX_VFIO_USER_H
#define VFIOX_VFIO_USER_H

#include <stddef.h>
#include <stdint.h>

#include <vfiox/ctx.h>
#include <vfiox/vfio.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: vfio-user devices
 *
 * vfio-user (QEMU's docs/interop/vfio-user.rst) carries VFIO's device interface over a
 * UNIX socket, so that a device can be emulated by another process (libvfio-user's
 * servers, SPDK's NVMe target). A &struct vfiox_vu is the client's end of one such
 * connection ("vu" for vfio-user): vfiox_vu_connect() connects to the server's socket and
 * negotiates the protocol version and its limits (VERSION); the device is then asked
 * what a kernel VFIO device is asked, with the same structures: vfiox_vu_device_info(),
 * vfiox_vu_region() (with the sparse-mmap areas), vfiox_vu_irq(), and its regions read
 * and written through the server (vfiox_vu_region_read(), vfiox_vu_region_write()).
 *
 * Nothing the server sends is believed: every reply is checked against its header, the
 * request it answers and the negotiated limits before it is used, and any reply that
 * fails the checks, or none at all within the timeout (vfiox_vu_set_timeout()), breaks
 * the connection: that call fails with a message naming the server's socket, the command
 * and what was wrong, and every later call fails with -ENOTCONN. A server's error reply
 * becomes that call's -errno, with the command and the server's errno in the last error.
 *
 * Not yet: DMA (DMA_MAP with fds, or DMA_READ/DMA_WRITE), interrupts on eventfds
 * (SET_IRQS), mmap of the regions the server offers fds for.
 */
struct vfiox_vu;

/* The reply timeout of a new connection, in milliseconds. */
#define VFIOX_VU_DEFAULT_TIMEOUT_MS 5000

/**
 * struct vfiox_vu_limits - what VERSION negotiated
 * @major: the protocol's major version (0)
 * @minor: its minor version, the server's answer (at most the 1 the client proposes)
 * @max_msg_fds: fds the server takes in one message
 * @max_data_xfer_size: bytes in one REGION_READ/WRITE (longer accesses are split)
 * @pgsizes: page sizes for DMA, or'ed together
 * @max_dma_maps: DMA mappings the server takes at the same time
 */
struct vfiox_vu_limits {
	unsigned int major;
	unsigned int minor;
	uint32_t max_msg_fds;
	uint64_t max_data_xfer_size;
	uint64_t pgsizes;
	uint32_t max_dma_maps;
};

/**
 * vfiox_vu_connect() - connect to a vfio-user server and negotiate the protocol
 * @ctx: the library context (log, last error)
 * @path: the server's UNIX socket
 * @timeout_ms: how long to wait for each reply, VERSION's included; 0 or less for
 *	VFIOX_VU_DEFAULT_TIMEOUT_MS
 * @vup: receives the connection; release it with vfiox_vu_close()
 *
 * Proposes version 0.1 with max_msg_fds 16, max_data_xfer_size 1 MiB, pgsizes 4 KiB and
 * max_dma_maps 65535, and takes the server's answer only when it keeps within that.
 *
 * Return: 0; -ENOENT or -ECONNREFUSED when nobody listens at @path; -ENAMETOOLONG for a
 * path longer than a socket address holds; -ETIMEDOUT when the server does not answer;
 * -EPROTO or -EBADMSG for an answer outside the protocol; other -errno.
 */
int vfiox_vu_connect(struct vfiox_ctx *ctx, const char *path, int timeout_ms,
		     struct vfiox_vu **vup);

/**
 * vfiox_vu_close() - close the connection
 * @vu: the connection, or NULL
 */
void vfiox_vu_close(struct vfiox_vu *vu);

/**
 * vfiox_vu_set_timeout() - how long later calls wait for each reply
 * @vu: the connection
 * @timeout_ms: milliseconds, at least 1
 *
 * Return: 0, or -EINVAL for a timeout below 1.
 */
int vfiox_vu_set_timeout(struct vfiox_vu *vu, int timeout_ms);

/**
 * vfiox_vu_negotiated() - what VERSION negotiated
 * @vu: the connection
 * @limits: receives the version and limits
 */
void vfiox_vu_negotiated(const struct vfiox_vu *vu, struct vfiox_vu_limits *limits);

/**
 * vfiox_vu_device_info() - DEVICE_GET_INFO
 * @vu: the connection
 * @info: receives the flags and the numbers of regions and interrupt indexes (no
 *	capabilities in vfio-user: num_caps is 0)
 *
 * Return: 0; the server's -errno for its error reply; -ETIMEDOUT, -EPROTO, -EBADMSG,
 * -ENOTCONN as described for &struct vfiox_vu; other -errno.
 */
int vfiox_vu_device_info(struct vfiox_vu *vu, struct vfiox_device_info *info);

/**
 * vfiox_vu_region() - DEVICE_GET_REGION_INFO with its capabilities decoded
 * @vu: the connection
 * @index: region index
 * @rp: receives the region; free it with vfiox_region_free(). Its @offset is where the
 *	server's fd would be mapped; the fd a server sends with a mappable region is closed
 *	(mapping is not supported yet).
 *
 * Asks again with a larger buffer when the server says its capabilities need one.
 *
 * Return: 0; the server's -errno (libvfio-user: -EINVAL for an index it does not have);
 * -ETIMEDOUT, -EPROTO, -EBADMSG, -ENOTCONN; other -errno.
 */
int vfiox_vu_region(struct vfiox_vu *vu, uint32_t index, struct vfiox_region **rp);

/**
 * vfiox_vu_irq() - DEVICE_GET_IRQ_INFO
 * @vu: the connection
 * @index: interrupt index
 * @irq: receives the information
 *
 * Return: 0; the server's -errno; -ETIMEDOUT, -EPROTO, -EBADMSG, -ENOTCONN; other -errno.
 */
int vfiox_vu_irq(struct vfiox_vu *vu, uint32_t index, struct vfiox_irq *irq);

/**
 * vfiox_vu_region_read() - read a region through the server (REGION_READ)
 * @vu: the connection
 * @index: region index
 * @offset: from the start of the region
 * @buf: receives @len bytes
 * @len: bytes, at least 1; split into accesses of max_data_xfer_size
 *
 * Return: 0 when all @len bytes were read; the server's -errno (libvfio-user: -EINVAL
 * outside the region or for an access its device refuses); -ETIMEDOUT, -EPROTO,
 * -EBADMSG, -ENOTCONN; -EINVAL for @len 0 or a range that wraps; other -errno.
 */
int vfiox_vu_region_read(struct vfiox_vu *vu, uint32_t index, uint64_t offset, void *buf,
			 size_t len);

/**
 * vfiox_vu_region_write() - write a region through the server (REGION_WRITE)
 * @vu: the connection
 * @index: region index
 * @offset: from the start of the region
 * @buf: @len bytes to write
 * @len: bytes, at least 1; split into accesses of max_data_xfer_size
 *
 * Return: 0 when the server wrote all @len bytes; otherwise as vfiox_vu_region_read().
 */
int vfiox_vu_region_write(struct vfiox_vu *vu, uint32_t index, uint64_t offset,
			  const void *buf, size_t len);

/**
 * vfiox_vu_reset() - DEVICE_RESET
 * @vu: the connection
 *
 * Return: 0; the server's -errno; -ETIMEDOUT, -EPROTO, -EBADMSG, -ENOTCONN; other -errno.
 */
int vfiox_vu_reset(struct vfiox_vu *vu);

#ifdef __cplusplus
}
#endif

#endif /* VFIOX_VFIO_USER_H */
