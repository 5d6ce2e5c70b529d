// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vfio-user.c: the client's socket. It only moves bytes and fds; every message is built
 * and checked by vfio-user-msg.c. One request is outstanding at a time, so a reply that
 * is not the answer to it (another id, another command) means the stream cannot be
 * trusted any more: the connection is marked broken and every later call fails.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include <vfiox/vfio-user.h>

#include "internal.h"
#include "vfio-user-msg.h"

/* The largest message the client takes: a REGION_READ reply of the largest transfer. */
#define MAX_MSG (VFIOX_VU_HDR_SIZE + VFIOX_VU_ACCESS_SIZE + VFIOX_VU_MAX_XFER)

struct vfiox_vu {
	struct vfiox_ctx *ctx;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uint16_t next_id;
	int timeout_ms;
	bool broken;
	struct vfiox_vu_caps proposed, agreed;
	uint8_t *buf; /* MAX_MSG bytes: requests and replies */
	/* The last reply's fds, until the caller takes or closes them. */
	int fds[VFIOX_VU_MAX_FDS];
	size_t nfds;
};

/* A region and the storage for its name, as vfio.c allocates them for vfiox_region_free(). */
struct vu_region {
	struct vfiox_region r; /* first */
	char name[32];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fds(struct vfiox_vu *vu)
{
	size_t i;

	for (i = 0; i < vu->nfds; i++)
		vfiox_sys_close(vu->fds[i]);
	vu->nfds = 0;
}

/* Marks the connection broken and reports @err with the server and the command named. */
static int broken(struct vfiox_vu *vu, int err, uint16_t cmd, const char *fmt, const char *why)
{
	vu->broken = true;
	close_fds(vu);
	return vfiox__err(vu->ctx, err, "vfio-user %s: %s: %s%s", vu->path,
			  vfiox__vu_cmd_name(cmd), fmt, why ? why : "");
}

static int wait_fd(struct vfiox_vu *vu, short events, long long deadline, uint16_t cmd,
		   uint16_t id)
{
	long long left = deadline - now_ms();
	int ret;

	if (left <= 0)
		goto timeout;
	ret = vfiox_sys_poll(vu->fd, events, (int)left);
	if (ret < 0)
		return broken(vu, ret, cmd, "poll on the socket failed", NULL);
	if (ret == 0)
		goto timeout;
	return 0;
timeout:
	vu->broken = true;
	close_fds(vu);
	return vfiox__err(vu->ctx, -ETIMEDOUT,
			  "vfio-user %s: no reply to %s (message %u) within %d ms; the server "
			  "may be stuck (the connection is given up)", vu->path,
			  vfiox__vu_cmd_name(cmd), id, vu->timeout_ms);
}

static int send_all(struct vfiox_vu *vu, const uint8_t *buf, size_t len, uint16_t cmd,
		    uint16_t id, long long deadline)
{
	size_t done = 0;

	while (done < len) {
		struct iovec iov = { .iov_base = (void *)(buf + done), .iov_len = len - done };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = vfiox_sys_sendmsg(vu->fd, &mh, MSG_DONTWAIT);
		int ret;

		if (n == -EAGAIN) {
			ret = wait_fd(vu, POLLOUT, deadline, cmd, id);
			if (ret)
				return ret;
			continue;
		}
		if (n < 0)
			return broken(vu, (int)n, cmd, n == -EPIPE ? "the server closed the "
				      "connection" : "sending the request failed", NULL);
		done += (size_t)n;
	}
	return 0;
}

/* Receives exactly @len bytes into @buf, collecting any fds that come with them. */
static int recv_exact(struct vfiox_vu *vu, uint8_t *buf, size_t len, uint16_t cmd, uint16_t id,
		      long long deadline)
{
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(int) * VFIOX_VU_MAX_FDS)];
	} cbuf;
	size_t done = 0;

	while (done < len) {
		struct iovec iov = { .iov_base = buf + done, .iov_len = len - done };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.b,
				     .msg_controllen = sizeof(cbuf.b) };
		struct cmsghdr *c;
		ssize_t n = vfiox_sys_recvmsg(vu->fd, &mh, MSG_DONTWAIT);
		bool flood = false;
		int ret;

		if (n == -EAGAIN) {
			ret = wait_fd(vu, POLLIN, deadline, cmd, id);
			if (ret)
				return ret;
			continue;
		}
		if (n < 0)
			return broken(vu, (int)n, cmd, "receiving the reply failed", NULL);
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			size_t i, k;

			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (i = 0; i < k; i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				if (vu->nfds < VFIOX_VU_MAX_FDS)
					vu->fds[vu->nfds++] = fd;
				else {
					vfiox_sys_close(fd);
					flood = true;
				}
			}
		}
		if (flood || (mh.msg_flags & MSG_CTRUNC))
			return broken(vu, -EPROTO, cmd, "the server sent more fds than the 16 "
				      "allowed in one message", NULL);
		if (n == 0)
			return broken(vu, -ECONNRESET, cmd, done || len != VFIOX_VU_HDR_SIZE ?
				      "the server closed the connection in the middle of a reply" :
				      "the server closed the connection instead of replying", NULL);
		done += (size_t)n;
	}
	return 0;
}

/*
 * Sends the request of @len bytes in vu->buf (command @cmd, id @id) and receives one
 * whole message back into vu->buf: its length in *@rlen, its fds in vu->fds. Server
 * commands (DMA_READ/WRITE) are not served yet: they are answered with an error.
 */
static int transact(struct vfiox_vu *vu, size_t len, uint16_t cmd, uint16_t id, size_t *rlen)
{
	long long deadline = now_ms() + vu->timeout_ms;
	struct vfiox_vu_hdr h;
	char why[200];
	int ret;

	if (vu->broken)
		return vfiox__err(vu->ctx, -ENOTCONN, "vfio-user %s: %s: the connection was given "
				  "up after an earlier failure; connect again", vu->path,
				  vfiox__vu_cmd_name(cmd));
	close_fds(vu);
	ret = send_all(vu, vu->buf, len, cmd, id, deadline);
	if (ret)
		return ret;
	for (;;) {
		ret = recv_exact(vu, vu->buf, VFIOX_VU_HDR_SIZE, cmd, id, deadline);
		if (ret)
			return ret;
		ret = vfiox__vu_hdr_get(vu->buf, VFIOX_VU_HDR_SIZE, MAX_MSG, &h, why, sizeof(why));
		if (ret)
			return broken(vu, ret, cmd, "malformed reply: ", why);
		ret = recv_exact(vu, vu->buf + VFIOX_VU_HDR_SIZE, h.size - VFIOX_VU_HDR_SIZE, cmd,
				 id, deadline);
		if (ret)
			return ret;
		if ((h.flags & VFIOX_VU_F_TYPE_MASK) == VFIOX_VU_F_TYPE_COMMAND &&
		    (h.cmd == VFIOX_VU_DMA_READ || h.cmd == VFIOX_VU_DMA_WRITE)) {
			struct vfiox_vu_hdr e = { .msg_id = h.msg_id, .cmd = h.cmd,
						  .size = VFIOX_VU_HDR_SIZE,
						  .flags = VFIOX_VU_F_TYPE_REPLY | VFIOX_VU_F_ERROR,
						  .error_no = EFAULT };
			uint8_t eb[VFIOX_VU_HDR_SIZE];

			vfiox__warn(vu->ctx, "vfio-user %s: the server asked for %s with nothing "
				    "mapped for it; refused", vu->path, vfiox__vu_cmd_name(h.cmd));
			close_fds(vu);
			if (!(h.flags & VFIOX_VU_F_NO_REPLY)) {
				vfiox__vu_hdr_put(eb, &e);
				ret = send_all(vu, eb, sizeof(eb), cmd, id, deadline);
				if (ret)
					return ret;
			}
			continue;
		}
		*rlen = h.size;
		return 0;
	}
}

/*
 * The decoder's verdict on the reply: 0, the server's error as -errno (the connection
 * stays usable), or a broken connection for anything malformed.
 */
static int verdict(struct vfiox_vu *vu, int ret, uint16_t cmd, const char *what,
		   const char *why)
{
	struct vfiox_vu_hdr h;
	char dummy[8];
	int err;

	if (ret == 0)
		return 0;
	if (ret == VFIOX_VU_ERROR_REPLY) {
		vfiox__vu_hdr_get(vu->buf, VFIOX_VU_HDR_SIZE, MAX_MSG, &h, dummy, sizeof(dummy));
		close_fds(vu);
		err = h.error_no ? (int)h.error_no : EIO;
		return vfiox__err(vu->ctx, -err, "vfio-user %s: %s%s refused by the server: %s "
				  "(errno %" PRIu32 ")", vu->path, vfiox__vu_cmd_name(cmd), what,
				  h.error_no ? strerror(err) : "no errno given", h.error_no);
	}
	return broken(vu, ret, cmd, "bad reply: ", why);
}

static uint16_t next_id(struct vfiox_vu *vu)
{
	return vu->next_id++;
}

static int version(struct vfiox_vu *vu)
{
	uint16_t id = next_id(vu);
	char why[200];
	size_t rlen;
	ssize_t n;
	int ret;

	n = vfiox__vu_enc_version(vu->buf, MAX_MSG, id, &vu->proposed);
	if (n < 0)
		return vfiox__err(vu->ctx, (int)n, "vfio-user: cannot encode VERSION");
	ret = transact(vu, (size_t)n, VFIOX_VU_VERSION, id, &rlen);
	if (ret)
		return ret;
	ret = vfiox__vu_dec_version(vu->buf, rlen, vu->nfds, id, &vu->proposed, &vu->agreed, why,
				    sizeof(why));
	ret = verdict(vu, ret, VFIOX_VU_VERSION, "", why);
	if (ret)
		return ret;
	if (vu->agreed.unasked & VFIOX_VU_CAP_MIGRATION)
		vfiox__dbg(vu->ctx, "vfio-user %s: the server offers migration (page size %" PRIu64
			   ") though it was not proposed; left unused", vu->path,
			   vu->agreed.migration_pgsize);
	vfiox__dbg(vu->ctx, "vfio-user %s: version %u.%u, max_msg_fds %" PRIu32
		   ", max_data_xfer_size %" PRIu64, vu->path, vu->agreed.major, vu->agreed.minor,
		   vu->agreed.max_msg_fds, vu->agreed.max_data_xfer_size);
	return 0;
}

VFIOX_EXPORT int vfiox_vu_connect(struct vfiox_ctx *ctx, const char *path, int timeout_ms,
				  struct vfiox_vu **vup)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vfiox_vu *vu;
	int ret;

	*vup = NULL;
	if (!path || !*path)
		return vfiox__err(ctx, -EINVAL, "vfio-user: no socket path");
	if (strlen(path) >= sizeof(sa.sun_path))
		return vfiox__err(ctx, -ENAMETOOLONG, "vfio-user %s: the path is longer than the "
				  "%zu bytes a socket address holds", path, sizeof(sa.sun_path) - 1);
	vu = calloc(1, sizeof(*vu));
	if (!vu)
		return vfiox__err(ctx, -ENOMEM, "out of memory");
	vu->buf = malloc(MAX_MSG);
	if (!vu->buf) {
		ret = vfiox__err(ctx, -ENOMEM, "out of memory");
		goto free_vu;
	}
	vu->ctx = ctx;
	vu->timeout_ms = timeout_ms > 0 ? timeout_ms : VFIOX_VU_DEFAULT_TIMEOUT_MS;
	vu->next_id = 1;
	snprintf(vu->path, sizeof(vu->path), "%s", path);
	memcpy(sa.sun_path, path, strlen(path));
	vu->proposed = (struct vfiox_vu_caps){
		.major = VFIOX_VU_MAJOR,
		.minor = VFIOX_VU_MINOR,
		.present = VFIOX_VU_CAP_MAX_MSG_FDS | VFIOX_VU_CAP_MAX_XFER |
			   VFIOX_VU_CAP_PGSIZES | VFIOX_VU_CAP_MAX_DMA_MAPS,
		.max_msg_fds = VFIOX_VU_MAX_FDS,
		.max_data_xfer_size = VFIOX_VU_MAX_XFER,
		.pgsizes = 4096,
		.max_dma_maps = 65535,
	};
	ret = vfiox_sys_socket(AF_UNIX, SOCK_STREAM, 0);
	if (ret < 0) {
		ret = vfiox__err(ctx, ret, "vfio-user %s: socket: %s", path, strerror(-ret));
		goto free_buf;
	}
	vu->fd = ret;
	ret = vfiox_sys_connect(vu->fd, &sa, sizeof(sa));
	if (ret) {
		ret = vfiox__err(ctx, ret, "vfio-user %s: cannot connect: %s%s", path,
				 strerror(-ret), ret == -ENOENT || ret == -ECONNREFUSED ?
				 " (is the server running and listening there?)" : "");
		goto close_fd;
	}
	ret = version(vu);
	if (ret)
		goto close_fd;
	*vup = vu;
	return 0;

close_fd:
	close_fds(vu);
	vfiox_sys_close(vu->fd);
free_buf:
	free(vu->buf);
free_vu:
	free(vu);
	return ret;
}

VFIOX_EXPORT void vfiox_vu_close(struct vfiox_vu *vu)
{
	if (!vu)
		return;
	close_fds(vu);
	vfiox_sys_close(vu->fd);
	free(vu->buf);
	free(vu);
}

VFIOX_EXPORT int vfiox_vu_set_timeout(struct vfiox_vu *vu, int timeout_ms)
{
	if (timeout_ms < 1)
		return vfiox__err(vu->ctx, -EINVAL, "vfio-user %s: a timeout of %d ms", vu->path,
				  timeout_ms);
	vu->timeout_ms = timeout_ms;
	return 0;
}

VFIOX_EXPORT void vfiox_vu_negotiated(const struct vfiox_vu *vu, struct vfiox_vu_limits *l)
{
	*l = (struct vfiox_vu_limits){
		.major = vu->agreed.major,
		.minor = vu->agreed.minor,
		.max_msg_fds = vu->agreed.max_msg_fds,
		.max_data_xfer_size = vu->agreed.max_data_xfer_size,
		.pgsizes = vu->agreed.pgsizes,
		.max_dma_maps = vu->agreed.max_dma_maps,
	};
}

VFIOX_EXPORT int vfiox_vu_device_info(struct vfiox_vu *vu, struct vfiox_device_info *info)
{
	uint16_t id = next_id(vu);
	char why[200];
	size_t rlen;
	ssize_t n = vfiox__vu_enc_device_info(vu->buf, MAX_MSG, id);
	int ret;

	if (n < 0)
		return vfiox__err(vu->ctx, (int)n, "vfio-user: cannot encode DEVICE_GET_INFO");
	ret = transact(vu, (size_t)n, VFIOX_VU_DEVICE_GET_INFO, id, &rlen);
	if (ret)
		return ret;
	ret = vfiox__vu_dec_device_info(vu->buf, rlen, vu->nfds, id, info, why, sizeof(why));
	return verdict(vu, ret, VFIOX_VU_DEVICE_GET_INFO, "", why);
}

VFIOX_EXPORT int vfiox_vu_region(struct vfiox_vu *vu, uint32_t index, struct vfiox_region **rp)
{
	uint32_t argsz = VFIOX_VU_REGION_INFO_SIZE, need = 0;
	struct vu_region *ra;
	char why[200], what[32];
	int tries, ret = 0;

	*rp = NULL;
	snprintf(what, sizeof(what), " of region %" PRIu32, index);
	ra = calloc(1, sizeof(*ra));
	if (!ra)
		return vfiox__err(vu->ctx, -ENOMEM, "out of memory");
	/* The first answer says how much the capabilities need; the second carries them. */
	for (tries = 0; tries < 2; tries++) {
		uint16_t id = next_id(vu);
		size_t rlen;
		ssize_t n = vfiox__vu_enc_region_info(vu->buf, MAX_MSG, id, index, argsz);

		if (n < 0) {
			ret = vfiox__err(vu->ctx, (int)n, "vfio-user: cannot encode REGION_INFO");
			goto free_ra;
		}
		ret = transact(vu, (size_t)n, VFIOX_VU_DEVICE_GET_REGION_INFO, id, &rlen);
		if (ret)
			goto free_ra;
		ret = vfiox__vu_dec_region_info(vu->buf, rlen, vu->nfds, id, index, argsz, &ra->r,
						&need, why, sizeof(why));
		close_fds(vu); /* a mappable region's fd: mapping is not done yet */
		if (ret != -ENOSPC)
			break;
		argsz = need;
	}
	if (ret == -ENOSPC)
		ret = broken(vu, -EPROTO, VFIOX_VU_DEVICE_GET_REGION_INFO, "the server asked for "
			     "a larger buffer twice", NULL);
	else
		ret = verdict(vu, ret, VFIOX_VU_DEVICE_GET_REGION_INFO, what, why);
	if (ret)
		goto free_ra;
	snprintf(ra->name, sizeof(ra->name), "%s", ra->r.name);
	ra->r.name = ra->name;
	*rp = &ra->r;
	return 0;

free_ra:
	free(ra->r.sparse);
	free(ra);
	return ret;
}

VFIOX_EXPORT int vfiox_vu_irq(struct vfiox_vu *vu, uint32_t index, struct vfiox_irq *irq)
{
	uint16_t id = next_id(vu);
	char why[200], what[40];
	size_t rlen;
	ssize_t n = vfiox__vu_enc_irq_info(vu->buf, MAX_MSG, id, index);
	int ret;

	if (n < 0)
		return vfiox__err(vu->ctx, (int)n, "vfio-user: cannot encode IRQ_INFO");
	ret = transact(vu, (size_t)n, VFIOX_VU_DEVICE_GET_IRQ_INFO, id, &rlen);
	if (ret)
		return ret;
	ret = vfiox__vu_dec_irq_info(vu->buf, rlen, vu->nfds, id, index, irq, why, sizeof(why));
	snprintf(what, sizeof(what), " of interrupt index %" PRIu32, index);
	return verdict(vu, ret, VFIOX_VU_DEVICE_GET_IRQ_INFO, what, why);
}

static int access_check(struct vfiox_vu *vu, uint64_t offset, size_t len, const void *buf,
			const char *op)
{
	if (!len || !buf || offset > UINT64_MAX - len)
		return vfiox__err(vu->ctx, -EINVAL, "vfio-user %s: %s of %zu bytes at 0x%" PRIx64
				  ": nothing to do, or a range that wraps", vu->path, op, len,
				  offset);
	return 0;
}

static size_t chunk(const struct vfiox_vu *vu, size_t left)
{
	uint64_t max = vu->agreed.max_data_xfer_size;

	if (max > VFIOX_VU_MAX_XFER)
		max = VFIOX_VU_MAX_XFER;
	return left < max ? left : (size_t)max;
}

VFIOX_EXPORT int vfiox_vu_region_read(struct vfiox_vu *vu, uint32_t index, uint64_t offset,
				      void *buf, size_t len)
{
	uint8_t *out = buf;
	size_t done = 0;
	int ret = access_check(vu, offset, len, buf, "REGION_READ");

	while (!ret && done < len) {
		uint32_t count = (uint32_t)chunk(vu, len - done);
		uint16_t id = next_id(vu);
		const uint8_t *data;
		char why[200], what[64];
		size_t rlen;
		ssize_t n = vfiox__vu_enc_region_read(vu->buf, MAX_MSG, id, index, offset + done,
						      count);

		if (n < 0)
			return vfiox__err(vu->ctx, (int)n, "vfio-user: cannot encode REGION_READ");
		ret = transact(vu, (size_t)n, VFIOX_VU_REGION_READ, id, &rlen);
		if (ret)
			return ret;
		ret = vfiox__vu_dec_region_read(vu->buf, rlen, vu->nfds, id, index, offset + done,
						count, &data, why, sizeof(why));
		snprintf(what, sizeof(what), " of %" PRIu32 " bytes at 0x%" PRIx64 " of region %"
			 PRIu32, count, offset + done, index);
		ret = verdict(vu, ret, VFIOX_VU_REGION_READ, what, why);
		if (!ret) {
			memcpy(out + done, data, count);
			done += count;
		}
	}
	return ret;
}

VFIOX_EXPORT int vfiox_vu_region_write(struct vfiox_vu *vu, uint32_t index, uint64_t offset,
				       const void *buf, size_t len)
{
	const uint8_t *in = buf;
	size_t done = 0;
	int ret = access_check(vu, offset, len, buf, "REGION_WRITE");

	while (!ret && done < len) {
		uint32_t count = (uint32_t)chunk(vu, len - done);
		uint16_t id = next_id(vu);
		char why[200], what[64];
		size_t rlen;
		ssize_t n = vfiox__vu_enc_region_write(vu->buf, MAX_MSG, id, index, offset + done,
						       in + done, count);

		if (n < 0)
			return vfiox__err(vu->ctx, (int)n, "vfio-user: cannot encode REGION_WRITE");
		ret = transact(vu, (size_t)n, VFIOX_VU_REGION_WRITE, id, &rlen);
		if (ret)
			return ret;
		ret = vfiox__vu_dec_region_write(vu->buf, rlen, vu->nfds, id, index, offset + done,
						 count, why, sizeof(why));
		snprintf(what, sizeof(what), " of %" PRIu32 " bytes at 0x%" PRIx64 " of region %"
			 PRIu32, count, offset + done, index);
		ret = verdict(vu, ret, VFIOX_VU_REGION_WRITE, what, why);
		if (!ret)
			done += count;
	}
	return ret;
}

VFIOX_EXPORT int vfiox_vu_reset(struct vfiox_vu *vu)
{
	uint16_t id = next_id(vu);
	char why[200];
	size_t rlen;
	ssize_t n = vfiox__vu_enc_reset(vu->buf, MAX_MSG, id);
	int ret;

	if (n < 0)
		return vfiox__err(vu->ctx, (int)n, "vfio-user: cannot encode DEVICE_RESET");
	ret = transact(vu, (size_t)n, VFIOX_VU_DEVICE_RESET, id, &rlen);
	if (ret)
		return ret;
	ret = vfiox__vu_dec_reset(vu->buf, rlen, vu->nfds, id, why, sizeof(why));
	return verdict(vu, ret, VFIOX_VU_DEVICE_RESET, "", why);
}
