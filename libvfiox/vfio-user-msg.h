/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vfio-user-msg.c: the client's side of the vfio-user protocol (QEMU's
 * docs/interop/vfio-user.rst) as pure functions over buffers: the requests encoded, the
 * server's replies decoded and checked against their header, the request they answer and
 * the limits negotiated by VERSION. No fd, no socket (vfio-user.c moves the bytes and fds),
 * so every function here is unit-tested and fuzzed.
 *
 * Data is in the host's byte order, as the protocol says for this revision.
 */
#ifndef VFIOX_VFIO_USER_MSG_H
#define VFIOX_VFIO_USER_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <vfiox/vfio.h>

#define VFIOX_VU_HDR_SIZE 16

enum vfiox_vu_cmd {
	VFIOX_VU_VERSION = 1,
	VFIOX_VU_DMA_MAP = 2,
	VFIOX_VU_DMA_UNMAP = 3,
	VFIOX_VU_DEVICE_GET_INFO = 4,
	VFIOX_VU_DEVICE_GET_REGION_INFO = 5,
	VFIOX_VU_DEVICE_GET_REGION_IO_FDS = 6,
	VFIOX_VU_DEVICE_GET_IRQ_INFO = 7,
	VFIOX_VU_DEVICE_SET_IRQS = 8,
	VFIOX_VU_REGION_READ = 9,
	VFIOX_VU_REGION_WRITE = 10,
	VFIOX_VU_DMA_READ = 11,
	VFIOX_VU_DMA_WRITE = 12,
	VFIOX_VU_DEVICE_RESET = 13,
};

/* Header flags: the type in bits 0-3, then no-reply and error. */
#define VFIOX_VU_F_TYPE_MASK 0xfu
#define VFIOX_VU_F_TYPE_COMMAND 0x0u
#define VFIOX_VU_F_TYPE_REPLY 0x1u
#define VFIOX_VU_F_NO_REPLY 0x10u
#define VFIOX_VU_F_ERROR 0x20u

/* The protocol version the client proposes. */
#define VFIOX_VU_MAJOR 0
#define VFIOX_VU_MINOR 1

/* Hard limits of the client, whatever is negotiated. */
#define VFIOX_VU_MAX_FDS 16		/* fds in one message */
#define VFIOX_VU_MAX_XFER (1u << 20)	/* REGION_READ/WRITE bytes in one message */
#define VFIOX_VU_MAX_JSON 4096		/* the VERSION capabilities, their NUL included */
#define VFIOX_VU_MAX_INFO 65536		/* a REGION_INFO reply with its capabilities */
#define VFIOX_VU_MAX_REGIONS 64		/* DEVICE_GET_INFO: num_regions believed */
#define VFIOX_VU_MAX_IRQS 16		/* DEVICE_GET_INFO: num_irqs believed */
#define VFIOX_VU_REGION_INFO_SIZE 32	/* struct vfio_region_info */
#define VFIOX_VU_ACCESS_SIZE 16		/* struct vfio_user_region_access without data */

struct vfiox_vu_hdr {
	uint16_t msg_id;
	uint16_t cmd;
	uint32_t size; /* the whole message, header included */
	uint32_t flags;
	uint32_t error_no;
};

/* Capabilities (VERSION's JSON) the client proposes or the server answered. */
#define VFIOX_VU_CAP_MAX_MSG_FDS (1u << 0)
#define VFIOX_VU_CAP_MAX_XFER (1u << 1)
#define VFIOX_VU_CAP_PGSIZES (1u << 2)
#define VFIOX_VU_CAP_MAX_DMA_MAPS (1u << 3)
#define VFIOX_VU_CAP_MIGRATION (1u << 4)
#define VFIOX_VU_CAP_TWIN_SOCKET (1u << 5)
#define VFIOX_VU_CAP_WRITE_MULTIPLE (1u << 6)

struct vfiox_vu_caps {
	uint16_t major, minor;
	unsigned int present;	 /* VFIOX_VU_CAP_* named in the message */
	uint32_t max_msg_fds;
	uint64_t max_data_xfer_size;
	uint64_t pgsizes;
	uint32_t max_dma_maps;
	/* The reply only: capabilities it named that were not proposed but that change
	 * nothing for a client that does not use them (VFIOX_VU_CAP_MIGRATION,
	 * VFIOX_VU_CAP_WRITE_MULTIPLE); the caller may log them. */
	unsigned int unasked;
	uint64_t migration_pgsize;
};

/* The name of a command ("REGION_READ"), or "command N" (a static per-thread buffer). */
const char *vfiox__vu_cmd_name(uint16_t cmd);

/* The 16 header bytes of @h into @buf. */
void vfiox__vu_hdr_put(uint8_t *buf, const struct vfiox_vu_hdr *h);
/*
 * The header at the start of @buf (@len bytes received so far, at least 16) into @h:
 * 0, or -EBADMSG when its size is below 16 or above @max_size (a message the client will
 * not take), with @why.
 */
int vfiox__vu_hdr_get(const uint8_t *buf, size_t len, size_t max_size, struct vfiox_vu_hdr *h,
		      char *why, size_t whylen);

/*
 * Encoders: the whole request (header and payload) with message id @id into @buf of @len
 * bytes. Each returns the message's length, -ENOSPC when @len is too small, or -EINVAL for
 * arguments the protocol cannot carry.
 */
ssize_t vfiox__vu_enc_version(uint8_t *buf, size_t len, uint16_t id,
			      const struct vfiox_vu_caps *propose);
ssize_t vfiox__vu_enc_device_info(uint8_t *buf, size_t len, uint16_t id);
/* @argsz: the reply the client can take, at least 32 (struct vfio_region_info). */
ssize_t vfiox__vu_enc_region_info(uint8_t *buf, size_t len, uint16_t id, uint32_t index,
				  uint32_t argsz);
ssize_t vfiox__vu_enc_region_read(uint8_t *buf, size_t len, uint16_t id, uint32_t region,
				  uint64_t offset, uint32_t count);
ssize_t vfiox__vu_enc_region_write(uint8_t *buf, size_t len, uint16_t id, uint32_t region,
				   uint64_t offset, const void *data, uint32_t count);
ssize_t vfiox__vu_enc_reset(uint8_t *buf, size_t len, uint16_t id);
ssize_t vfiox__vu_enc_irq_info(uint8_t *buf, size_t len, uint16_t id, uint32_t index);
/* struct vfio_irq_set with @datalen bytes of data (the eventfds go as SCM_RIGHTS). */
ssize_t vfiox__vu_enc_set_irqs(uint8_t *buf, size_t len, uint16_t id, uint32_t flags,
			       uint32_t index, uint32_t start, uint32_t count, const void *data,
			       size_t datalen);

/*
 * Decoders: @buf[0..len) is one whole message as received, with @nfds fds. Each checks the
 * header first (a reply, to message @id and command @cmd, its size equal to @len; an error
 * reply has no fds, and any payload it has is ignored) and then the payload against the request it answers.
 *
 * Each returns 0 for a good reply; VFIOX_VU_ERROR_REPLY for the server's error reply (its
 * errno in h->error_no, which may be 0); -EBADMSG for a malformed message, -EPROTO for a
 * well-formed message that is not the answer (another id or command, not a reply, more
 * fds than allowed, values outside the request or the limits), each with @why.
 */
#define VFIOX_VU_ERROR_REPLY 1
int vfiox__vu_dec_reply(const uint8_t *buf, size_t len, size_t nfds, uint16_t id, uint16_t cmd,
			struct vfiox_vu_hdr *h, char *why, size_t whylen);
/*
 * VERSION: @got receives the server's version and capabilities, checked against
 * @proposed: the same major, a minor not above the proposed one, only capabilities that
 * were proposed (but see vfiox_vu_caps.unasked), each value within the proposed one
 * (numbers not above it, pgsizes a non-empty subset); absent ones get the protocol's
 * defaults bounded by the proposal. No fds (twin_socket was not proposed).
 */
int vfiox__vu_dec_version(const uint8_t *buf, size_t len, size_t nfds, uint16_t id,
			  const struct vfiox_vu_caps *proposed, struct vfiox_vu_caps *got,
			  char *why, size_t whylen);
int vfiox__vu_dec_device_info(const uint8_t *buf, size_t len, size_t nfds, uint16_t id,
			      struct vfiox_device_info *info, char *why, size_t whylen);
/*
 * REGION_INFO for region @index asked with @argsz: fills @r (r->sparse malloc'd; r->name
 * static or per-thread: copy it). When the server needs more than @argsz, returns -ENOSPC
 * with the size it asks for in *@need (at most VFIOX_VU_MAX_INFO, else -EPROTO). At most
 * one fd, and only for a region with VFIO_REGION_INFO_FLAG_MMAP.
 */
int vfiox__vu_dec_region_info(const uint8_t *buf, size_t len, size_t nfds, uint16_t id,
			      uint32_t index, uint32_t argsz, struct vfiox_region *r,
			      uint32_t *need, char *why, size_t whylen);
/* REGION_READ: the reply echoes @region, @offset and @count; *@data points into @buf. */
int vfiox__vu_dec_region_read(const uint8_t *buf, size_t len, size_t nfds, uint16_t id,
			      uint32_t region, uint64_t offset, uint32_t count,
			      const uint8_t **data, char *why, size_t whylen);
int vfiox__vu_dec_region_write(const uint8_t *buf, size_t len, size_t nfds, uint16_t id,
			       uint32_t region, uint64_t offset, uint32_t count, char *why,
			       size_t whylen);
int vfiox__vu_dec_reset(const uint8_t *buf, size_t len, size_t nfds, uint16_t id, char *why,
			size_t whylen);
int vfiox__vu_dec_irq_info(const uint8_t *buf, size_t len, size_t nfds, uint16_t id,
			   uint32_t index, struct vfiox_irq *irq, char *why, size_t whylen);
int vfiox__vu_dec_set_irqs(const uint8_t *buf, size_t len, size_t nfds, uint16_t id, char *why,
			   size_t whylen);

/*
 * The VERSION capabilities JSON (@len bytes, its NUL not included) into @c: a bounded
 * reader of {"capabilities":{...}} (objects nested at most 3 deep, strings without
 * escapes, non-negative integers and booleans; no member twice). 0 or -EBADMSG with @why.
 * Capabilities not known to the client give -EPROTO.
 */
int vfiox__vu_parse_caps(const char *json, size_t len, struct vfiox_vu_caps *c, char *why,
			 size_t whylen);

#endif /* VFIOX_VFIO_USER_MSG_H */
