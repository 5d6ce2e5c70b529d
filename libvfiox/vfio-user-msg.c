// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vfio-user-msg.c: the vfio-user messages of the client, pure (see vfio-user-msg.h).
 * Nothing the server sends is believed before it is checked here.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "internal.h"
#include "vfio-user-msg.h"

#define JSON_MAX_DEPTH 3

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

const char *vfiox__vu_cmd_name(uint16_t cmd)
{
	static const char *const names[] = {
		[VFIOX_VU_VERSION] = "VERSION",
		[VFIOX_VU_DMA_MAP] = "DMA_MAP",
		[VFIOX_VU_DMA_UNMAP] = "DMA_UNMAP",
		[VFIOX_VU_DEVICE_GET_INFO] = "DEVICE_GET_INFO",
		[VFIOX_VU_DEVICE_GET_REGION_INFO] = "DEVICE_GET_REGION_INFO",
		[VFIOX_VU_DEVICE_GET_REGION_IO_FDS] = "DEVICE_GET_REGION_IO_FDS",
		[VFIOX_VU_DEVICE_GET_IRQ_INFO] = "DEVICE_GET_IRQ_INFO",
		[VFIOX_VU_DEVICE_SET_IRQS] = "DEVICE_SET_IRQS",
		[VFIOX_VU_REGION_READ] = "REGION_READ",
		[VFIOX_VU_REGION_WRITE] = "REGION_WRITE",
		[VFIOX_VU_DMA_READ] = "DMA_READ",
		[VFIOX_VU_DMA_WRITE] = "DMA_WRITE",
		[VFIOX_VU_DEVICE_RESET] = "DEVICE_RESET",
	};
	static __thread char other[24];

	if (cmd < ARRAY_SIZE(names) && names[cmd])
		return names[cmd];
	snprintf(other, sizeof(other), "command %u", cmd);
	return other;
}

void vfiox__vu_hdr_put(uint8_t *buf, const struct vfiox_vu_hdr *h)
{
	put16(buf, h->msg_id);
	put16(buf + 2, h->cmd);
	put32(buf + 4, h->size);
	put32(buf + 8, h->flags);
	put32(buf + 12, h->error_no);
}

int vfiox__vu_hdr_get(const uint8_t *buf, size_t len, size_t max_size, struct vfiox_vu_hdr *h,
		      char *why, size_t whylen)
{
	if (len < VFIOX_VU_HDR_SIZE) {
		snprintf(why, whylen, "a header of %zu bytes, 16 expected", len);
		return -EBADMSG;
	}
	h->msg_id = vfiox__get16(buf);
	h->cmd = vfiox__get16(buf + 2);
	h->size = vfiox__get32(buf + 4);
	h->flags = vfiox__get32(buf + 8);
	h->error_no = vfiox__get32(buf + 12);
	if (h->size < VFIOX_VU_HDR_SIZE) {
		snprintf(why, whylen, "message size %" PRIu32 " is smaller than its header",
			 h->size);
		return -EBADMSG;
	}
	if (h->size > max_size) {
		snprintf(why, whylen, "message size %" PRIu32 " is above the limit of %zu",
			 h->size, max_size);
		return -EBADMSG;
	}
	return 0;
}

/* The header of a request with @payload bytes after it; -ENOSPC when @len is too small. */
static ssize_t start(uint8_t *buf, size_t len, uint16_t id, uint16_t cmd, size_t payload)
{
	struct vfiox_vu_hdr h = { .msg_id = id, .cmd = cmd, .flags = VFIOX_VU_F_TYPE_COMMAND };

	if (payload > UINT32_MAX - VFIOX_VU_HDR_SIZE)
		return -EINVAL;
	if (len < VFIOX_VU_HDR_SIZE + payload)
		return -ENOSPC;
	h.size = (uint32_t)(VFIOX_VU_HDR_SIZE + payload);
	vfiox__vu_hdr_put(buf, &h);
	memset(buf + VFIOX_VU_HDR_SIZE, 0, payload);
	return (ssize_t)h.size;
}

ssize_t vfiox__vu_enc_version(uint8_t *buf, size_t len, uint16_t id,
			      const struct vfiox_vu_caps *p)
{
	char json[256];
	size_t used = 0;
	ssize_t n;
	int k;

	if (p->present & ~(VFIOX_VU_CAP_MAX_MSG_FDS | VFIOX_VU_CAP_MAX_XFER |
			   VFIOX_VU_CAP_PGSIZES | VFIOX_VU_CAP_MAX_DMA_MAPS))
		return -EINVAL; /* the client proposes no migration, twin socket, ... */
	used = (size_t)snprintf(json, sizeof(json), "{\"capabilities\":{");
#define MEMBER(bit, fmt, val)                                                               \
	do {                                                                                \
		if (p->present & (bit)) {                                                   \
			k = snprintf(json + used, sizeof(json) - used, "%s" fmt,            \
				     json[used - 1] == '{' ? "" : ",", val);                \
			used += (size_t)k;                                                  \
		}                                                                           \
	} while (0)
	MEMBER(VFIOX_VU_CAP_MAX_MSG_FDS, "\"max_msg_fds\":%" PRIu32, p->max_msg_fds);
	MEMBER(VFIOX_VU_CAP_MAX_XFER, "\"max_data_xfer_size\":%" PRIu64, p->max_data_xfer_size);
	MEMBER(VFIOX_VU_CAP_PGSIZES, "\"pgsizes\":%" PRIu64, p->pgsizes);
	MEMBER(VFIOX_VU_CAP_MAX_DMA_MAPS, "\"max_dma_maps\":%" PRIu32, p->max_dma_maps);
#undef MEMBER
	used += (size_t)snprintf(json + used, sizeof(json) - used, "}}");
	n = start(buf, len, id, VFIOX_VU_VERSION, 4 + used + 1);
	if (n < 0)
		return n;
	put16(buf + 16, p->major);
	put16(buf + 18, p->minor);
	memcpy(buf + 20, json, used + 1);
	return n;
}

ssize_t vfiox__vu_enc_device_info(uint8_t *buf, size_t len, uint16_t id)
{
	ssize_t n = start(buf, len, id, VFIOX_VU_DEVICE_GET_INFO, 16);

	if (n > 0)
		put32(buf + 16, 16); /* argsz */
	return n;
}

ssize_t vfiox__vu_enc_region_info(uint8_t *buf, size_t len, uint16_t id, uint32_t index,
				  uint32_t argsz)
{
	ssize_t n;

	if (argsz < VFIOX_VU_REGION_INFO_SIZE)
		return -EINVAL;
	n = start(buf, len, id, VFIOX_VU_DEVICE_GET_REGION_INFO, VFIOX_VU_REGION_INFO_SIZE);
	if (n > 0) {
		put32(buf + 16, argsz);
		put32(buf + 16 + 8, index);
	}
	return n;
}

ssize_t vfiox__vu_enc_region_read(uint8_t *buf, size_t len, uint16_t id, uint32_t region,
				  uint64_t offset, uint32_t count)
{
	ssize_t n;

	if (!count || count > VFIOX_VU_MAX_XFER)
		return -EINVAL;
	n = start(buf, len, id, VFIOX_VU_REGION_READ, VFIOX_VU_ACCESS_SIZE);
	if (n > 0) {
		put64(buf + 16, offset);
		put32(buf + 24, region);
		put32(buf + 28, count);
	}
	return n;
}

ssize_t vfiox__vu_enc_region_write(uint8_t *buf, size_t len, uint16_t id, uint32_t region,
				   uint64_t offset, const void *data, uint32_t count)
{
	ssize_t n;

	if (!count || count > VFIOX_VU_MAX_XFER)
		return -EINVAL;
	n = start(buf, len, id, VFIOX_VU_REGION_WRITE, VFIOX_VU_ACCESS_SIZE + (size_t)count);
	if (n > 0) {
		put64(buf + 16, offset);
		put32(buf + 24, region);
		put32(buf + 28, count);
		memcpy(buf + 32, data, count);
	}
	return n;
}

ssize_t vfiox__vu_enc_reset(uint8_t *buf, size_t len, uint16_t id)
{
	return start(buf, len, id, VFIOX_VU_DEVICE_RESET, 0);
}

ssize_t vfiox__vu_enc_irq_info(uint8_t *buf, size_t len, uint16_t id, uint32_t index)
{
	ssize_t n = start(buf, len, id, VFIOX_VU_DEVICE_GET_IRQ_INFO, 16);

	if (n > 0) {
		put32(buf + 16, 16); /* argsz */
		put32(buf + 24, index);
	}
	return n;
}

ssize_t vfiox__vu_enc_set_irqs(uint8_t *buf, size_t len, uint16_t id, uint32_t flags,
			       uint32_t index, uint32_t start_, uint32_t count, const void *data,
			       size_t datalen)
{
	ssize_t n;

	if (datalen > VFIOX_VU_MAX_XFER || (datalen && !data))
		return -EINVAL;
	n = start(buf, len, id, VFIOX_VU_DEVICE_SET_IRQS, 20 + datalen);
	if (n > 0) {
		put32(buf + 16, (uint32_t)(20 + datalen)); /* argsz */
		put32(buf + 20, flags);
		put32(buf + 24, index);
		put32(buf + 28, start_);
		put32(buf + 32, count);
		if (datalen)
			memcpy(buf + 36, data, datalen);
	}
	return n;
}

/* ------------------------------------------------------------------ replies */

int vfiox__vu_dec_reply(const uint8_t *buf, size_t len, size_t nfds, uint16_t id, uint16_t cmd,
			struct vfiox_vu_hdr *h, char *why, size_t whylen)
{
	int ret = vfiox__vu_hdr_get(buf, len, SIZE_MAX, h, why, whylen);

	if (ret)
		return ret;
	if (h->size != len) {
		snprintf(why, whylen, "the header says %" PRIu32 " bytes, the message has %zu",
			 h->size, len);
		return -EBADMSG;
	}
	if ((h->flags & VFIOX_VU_F_TYPE_MASK) != VFIOX_VU_F_TYPE_REPLY) {
		snprintf(why, whylen, "%s message %u (type %u) where a reply was expected",
			 vfiox__vu_cmd_name(h->cmd), h->msg_id, h->flags & VFIOX_VU_F_TYPE_MASK);
		return -EPROTO;
	}
	if (h->msg_id != id) {
		snprintf(why, whylen, "a reply to message %u, message %u was asked", h->msg_id, id);
		return -EPROTO;
	}
	if (h->cmd != cmd) {
		snprintf(why, whylen, "a %s reply to a %s request", vfiox__vu_cmd_name(h->cmd),
			 vfiox__vu_cmd_name(cmd));
		return -EPROTO;
	}
	if (h->flags & ~(uint32_t)(VFIOX_VU_F_TYPE_MASK | VFIOX_VU_F_NO_REPLY | VFIOX_VU_F_ERROR)) {
		snprintf(why, whylen, "unknown header flags 0x%" PRIx32, h->flags);
		return -EBADMSG;
	}
	if (h->flags & VFIOX_VU_F_ERROR) {
		/* The protocol allows only the header; libvfio-user sends a failed
		 * REGION_READ's payload along. It was read whole within the size limit, so
		 * the stream is intact: the payload is ignored. Fds are not. */
		if (nfds) {
			snprintf(why, whylen, "an error reply with %zu fds", nfds);
			return -EBADMSG;
		}
		if (h->error_no > 4095) {
			snprintf(why, whylen, "an error reply with errno %" PRIu32, h->error_no);
			return -EBADMSG;
		}
		return VFIOX_VU_ERROR_REPLY;
	}
	return 0;
}

/* The reply's header, its payload length in *plen, and at most @maxfds fds. */
static int reply(const uint8_t *buf, size_t len, size_t nfds, size_t maxfds, uint16_t id,
		 uint16_t cmd, size_t *plen, char *why, size_t whylen)
{
	struct vfiox_vu_hdr h;
	int ret = vfiox__vu_dec_reply(buf, len, nfds, id, cmd, &h, why, whylen);

	if (ret)
		return ret;
	if (nfds > maxfds) {
		snprintf(why, whylen, "a %s reply with %zu fds, at most %zu expected",
			 vfiox__vu_cmd_name(cmd), nfds, maxfds);
		return -EPROTO;
	}
	*plen = len - VFIOX_VU_HDR_SIZE;
	return 0;
}

static int want_len(size_t plen, size_t want, uint16_t cmd, char *why, size_t whylen)
{
	if (plen == want)
		return 0;
	snprintf(why, whylen, "a %s reply of %zu payload bytes, %zu expected",
		 vfiox__vu_cmd_name(cmd), plen, want);
	return -EBADMSG;
}

/* ---------------------------------------------------------------- JSON reader */

struct jr {
	const char *start, *p, *end;
	char *why;
	size_t whylen;
};

static void skip_ws(struct jr *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int jfail(struct jr *j, const char *what)
{
	snprintf(j->why, j->whylen, "capabilities JSON: %s at byte %td", what, j->p - j->start);
	return -EBADMSG;
}

static bool jeat(struct jr *j, char c)
{
	skip_ws(j);
	if (j->p < j->end && *j->p == c) {
		j->p++;
		return true;
	}
	return false;
}

/* A string without escapes into @out (at most @outlen - 1 characters). */
static int jstring(struct jr *j, char *out, size_t outlen)
{
	size_t n = 0;

	if (!jeat(j, '"'))
		return jfail(j, "a string expected");
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p;

		if (c == '\\' || c < 0x20)
			return jfail(j, "an escape or control character in a string");
		if (n + 1 >= outlen)
			return jfail(j, "a string too long");
		out[n++] = (char)c;
		j->p++;
	}
	if (j->p == j->end)
		return jfail(j, "an unterminated string");
	j->p++;
	out[n] = 0;
	return 0;
}

enum jtype { J_NUM, J_BOOL, J_OBJ };

struct jval {
	enum jtype type;
	uint64_t num;
	bool b;
	bool consumed; /* J_OBJ: the member's callback read it */
};

static int jskip_object(struct jr *j, int depth);

/* A scalar into @v, or for an object J_OBJ with j->p left at its '{'. */
static int jvalue(struct jr *j, struct jval *v)
{
	skip_ws(j);
	if (j->p == j->end)
		return jfail(j, "a value expected");
	if (*j->p == '{') {
		v->type = J_OBJ;
		return 0;
	}
	if (*j->p >= '0' && *j->p <= '9') {
		uint64_t n = 0;

		if (*j->p == '0' && j->p + 1 < j->end && j->p[1] >= '0' && j->p[1] <= '9')
			return jfail(j, "a number with a leading zero");
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
			unsigned d = (unsigned)(*j->p - '0');

			if (n > (UINT64_MAX - d) / 10)
				return jfail(j, "a number above 2^64");
			n = n * 10 + d;
			j->p++;
		}
		if (j->p < j->end && (*j->p == '.' || *j->p == 'e' || *j->p == 'E'))
			return jfail(j, "a number that is not an integer");
		v->type = J_NUM;
		v->num = n;
		return 0;
	}
	if ((size_t)(j->end - j->p) >= 4 && !memcmp(j->p, "true", 4)) {
		j->p += 4;
		v->type = J_BOOL;
		v->b = true;
		return 0;
	}
	if ((size_t)(j->end - j->p) >= 5 && !memcmp(j->p, "false", 5)) {
		j->p += 5;
		v->type = J_BOOL;
		v->b = false;
		return 0;
	}
	return jfail(j, "a value the capabilities cannot hold (only integers, booleans and "
		     "objects)");
}

/*
 * Walks the members of the object at j->p: for each, @fn(key, value) with the value a
 * scalar or, for an object, j->p at its '{' (@fn must consume it). Duplicate keys fail.
 */
typedef int (*jmember_fn)(struct jr *j, const char *key, struct jval *v, int depth, void *arg);

static int jobject(struct jr *j, int depth, jmember_fn fn, void *arg)
{
	char seen[16][32];
	size_t nseen = 0, i;
	int ret;

	if (depth > JSON_MAX_DEPTH)
		return jfail(j, "objects nested too deep");
	if (!jeat(j, '{'))
		return jfail(j, "an object expected");
	if (jeat(j, '}'))
		return 0;
	for (;;) {
		char key[32];
		struct jval v = { .consumed = false };

		ret = jstring(j, key, sizeof(key));
		if (ret)
			return ret;
		for (i = 0; i < nseen; i++)
			if (!strcmp(seen[i], key))
				return jfail(j, "a member named twice");
		if (nseen == ARRAY_SIZE(seen))
			return jfail(j, "too many members");
		memcpy(seen[nseen++], key, sizeof(key));
		if (!jeat(j, ':'))
			return jfail(j, "':' expected");
		ret = jvalue(j, &v);
		if (ret)
			return ret;
		ret = fn ? fn(j, key, &v, depth, arg) : 0;
		if (ret)
			return ret;
		if (v.type == J_OBJ && !v.consumed) {
			ret = jskip_object(j, depth + 1);
			if (ret)
				return ret;
		}
		if (jeat(j, ','))
			continue;
		if (jeat(j, '}'))
			return 0;
		return jfail(j, "',' or '}' expected");
	}
}

static int jskip_object(struct jr *j, int depth)
{
	return jobject(j, depth, NULL, NULL);
}

struct caps_walk {
	struct vfiox_vu_caps *c;
};

static int want_num(struct jr *j, const char *key, const struct jval *v)
{
	if (v->type == J_NUM)
		return 0;
	snprintf(j->why, j->whylen, "capabilities JSON: %s is not a number", key);
	return -EBADMSG;
}

static int migration_member(struct jr *j, const char *key, struct jval *v, int depth, void *arg)
{
	struct vfiox_vu_caps *c = arg;

	if (!strcmp(key, "pgsize")) {
		if (want_num(j, "migration.pgsize", v))
			return -EBADMSG;
		c->migration_pgsize = v->num;
	}
	return 0; /* max_bitmap_size and others: nothing the client uses */
}

static int twin_member(struct jr *j, const char *key, struct jval *v, int depth, void *arg)
{
	return 0;
}

static int cap_member(struct jr *j, const char *key, struct jval *v, int depth, void *arg)
{
	struct vfiox_vu_caps *c = arg;

	if (!strcmp(key, "max_msg_fds")) {
		if (want_num(j, key, v))
			return -EBADMSG;
		if (v->num > UINT32_MAX)
			return jfail(j, "max_msg_fds above 2^32");
		c->max_msg_fds = (uint32_t)v->num;
		c->present |= VFIOX_VU_CAP_MAX_MSG_FDS;
	} else if (!strcmp(key, "max_data_xfer_size")) {
		if (want_num(j, key, v))
			return -EBADMSG;
		c->max_data_xfer_size = v->num;
		c->present |= VFIOX_VU_CAP_MAX_XFER;
	} else if (!strcmp(key, "pgsizes")) {
		if (want_num(j, key, v))
			return -EBADMSG;
		c->pgsizes = v->num;
		c->present |= VFIOX_VU_CAP_PGSIZES;
	} else if (!strcmp(key, "max_dma_maps")) {
		if (want_num(j, key, v))
			return -EBADMSG;
		if (v->num > UINT32_MAX)
			return jfail(j, "max_dma_maps above 2^32");
		c->max_dma_maps = (uint32_t)v->num;
		c->present |= VFIOX_VU_CAP_MAX_DMA_MAPS;
	} else if (!strcmp(key, "migration") || !strcmp(key, "twin_socket")) {
		bool mig = key[0] == 'm';

		if (v->type != J_OBJ) {
			snprintf(j->why, j->whylen, "capabilities JSON: %s is not an object", key);
			return -EBADMSG;
		}
		c->present |= mig ? VFIOX_VU_CAP_MIGRATION : VFIOX_VU_CAP_TWIN_SOCKET;
		v->consumed = true;
		return jobject(j, depth + 1, mig ? migration_member : twin_member, c);
	} else if (!strcmp(key, "write_multiple")) {
		if (v->type != J_BOOL) {
			snprintf(j->why, j->whylen, "capabilities JSON: write_multiple is not a "
				 "boolean");
			return -EBADMSG;
		}
		if (v->b)
			c->present |= VFIOX_VU_CAP_WRITE_MULTIPLE;
	} else {
		snprintf(j->why, j->whylen, "capabilities JSON: unknown capability \"%s\"", key);
		return -EPROTO;
	}
	return 0;
}

static int top_member(struct jr *j, const char *key, struct jval *v, int depth, void *arg)
{
	struct caps_walk *w = arg;

	if (strcmp(key, "capabilities"))
		return 0; /* skipped; nothing else is defined at the top */
	if (v->type != J_OBJ) {
		snprintf(j->why, j->whylen, "capabilities JSON: \"capabilities\" is not an object");
		return -EBADMSG;
	}
	v->consumed = true;
	return jobject(j, depth + 1, cap_member, w->c);
}

int vfiox__vu_parse_caps(const char *json, size_t len, struct vfiox_vu_caps *c, char *why,
			 size_t whylen)
{
	struct jr j = { .start = json, .p = json, .end = json + len, .why = why, .whylen = whylen };
	struct caps_walk w = { .c = c };
	int ret;

	c->present = 0;
	c->migration_pgsize = 0;
	ret = jobject(&j, 1, top_member, &w);
	if (ret)
		return ret;
	skip_ws(&j);
	if (j.p != j.end)
		return jfail(&j, "bytes after the object");
	return 0;
}

/* ---------------------------------------------------------------- decoders */

int vfiox__vu_dec_version(const uint8_t *buf, size_t len, size_t nfds, uint16_t id,
			  const struct vfiox_vu_caps *p, struct vfiox_vu_caps *got, char *why,
			  size_t whylen)
{
	size_t plen, jlen;
	const char *json;
	unsigned int extra;
	int ret;

	memset(got, 0, sizeof(*got));
	ret = reply(buf, len, nfds, 0, id, VFIOX_VU_VERSION, &plen, why, whylen);
	if (ret)
		return ret;
	if (plen < 4) {
		snprintf(why, whylen, "a VERSION reply of %zu payload bytes, at least 4 expected",
			 plen);
		return -EBADMSG;
	}
	got->major = vfiox__get16(buf + 16);
	got->minor = vfiox__get16(buf + 18);
	if (got->major != p->major) {
		snprintf(why, whylen, "the server speaks version %u.%u, %u.%u was proposed",
			 got->major, got->minor, p->major, p->minor);
		return -EPROTO;
	}
	if (got->minor > p->minor) {
		snprintf(why, whylen, "the server answered minor version %u, above the proposed "
			 "%u", got->minor, p->minor);
		return -EPROTO;
	}
	if (plen > 4) {
		json = (const char *)buf + 20;
		jlen = plen - 4;
		if (jlen > VFIOX_VU_MAX_JSON) {
			snprintf(why, whylen, "capabilities of %zu bytes, at most %d taken", jlen,
				 VFIOX_VU_MAX_JSON);
			return -EBADMSG;
		}
		if (json[jlen - 1] != 0 || memchr(json, 0, jlen - 1)) {
			snprintf(why, whylen, "the capabilities JSON does not end with its only NUL");
			return -EBADMSG;
		}
		ret = vfiox__vu_parse_caps(json, jlen - 1, got, why, whylen);
		if (ret)
			return ret;
	}
	extra = got->present & ~p->present;
	if (extra & VFIOX_VU_CAP_TWIN_SOCKET) {
		snprintf(why, whylen, "the server answered twin_socket, which was not proposed");
		return -EPROTO;
	}
	/* Migration's page size and WRITE_MULTI are offers a client that does not use them
	 * can leave: libvfio-user names migration whenever its device has it. */
	got->unasked = extra & (VFIOX_VU_CAP_MIGRATION | VFIOX_VU_CAP_WRITE_MULTIPLE);
	extra &= ~got->unasked;
	if (extra) {
		snprintf(why, whylen, "the server answered capabilities that were not proposed "
			 "(0x%x)", extra);
		return -EPROTO;
	}
	got->present &= p->present;
	if (got->present & VFIOX_VU_CAP_MAX_MSG_FDS) {
		if (got->max_msg_fds > p->max_msg_fds) {
			snprintf(why, whylen, "max_msg_fds %" PRIu32 " above the proposed %" PRIu32,
				 got->max_msg_fds, p->max_msg_fds);
			return -EPROTO;
		}
	} else {
		got->max_msg_fds = p->max_msg_fds < 1 ? p->max_msg_fds : 1;
	}
	if (got->present & VFIOX_VU_CAP_MAX_XFER) {
		if (!got->max_data_xfer_size || got->max_data_xfer_size > p->max_data_xfer_size) {
			snprintf(why, whylen, "max_data_xfer_size %" PRIu64 " outside 1..%" PRIu64,
				 got->max_data_xfer_size, p->max_data_xfer_size);
			return -EPROTO;
		}
	} else {
		got->max_data_xfer_size = p->max_data_xfer_size < (1u << 20) ?
						  p->max_data_xfer_size : (1u << 20);
	}
	if (got->present & VFIOX_VU_CAP_PGSIZES) {
		if (!got->pgsizes || (got->pgsizes & ~p->pgsizes)) {
			snprintf(why, whylen, "pgsizes 0x%" PRIx64 " not a non-empty subset of the "
				 "proposed 0x%" PRIx64, got->pgsizes, p->pgsizes);
			return -EPROTO;
		}
	} else {
		got->pgsizes = p->pgsizes & 4096;
	}
	if (got->present & VFIOX_VU_CAP_MAX_DMA_MAPS) {
		if (!got->max_dma_maps || got->max_dma_maps > p->max_dma_maps) {
			snprintf(why, whylen, "max_dma_maps %" PRIu32 " outside 1..%" PRIu32,
				 got->max_dma_maps, p->max_dma_maps);
			return -EPROTO;
		}
	} else {
		got->max_dma_maps = p->max_dma_maps < 65535 ? p->max_dma_maps : 65535;
	}
	return 0;
}

int vfiox__vu_dec_device_info(const uint8_t *buf, size_t len, size_t nfds, uint16_t id,
			      struct vfiox_device_info *info, char *why, size_t whylen)
{
	size_t plen;
	uint32_t argsz;
	int ret = reply(buf, len, nfds, 0, id, VFIOX_VU_DEVICE_GET_INFO, &plen, why, whylen);

	if (ret)
		return ret;
	ret = want_len(plen, 16, VFIOX_VU_DEVICE_GET_INFO, why, whylen);
	if (ret)
		return ret;
	argsz = vfiox__get32(buf + 16);
	if (argsz < 16) {
		snprintf(why, whylen, "DEVICE_GET_INFO argsz %" PRIu32 ", at least 16", argsz);
		return -EBADMSG;
	}
	memset(info, 0, sizeof(*info));
	info->flags = vfiox__get32(buf + 20);
	info->num_regions = vfiox__get32(buf + 24);
	info->num_irqs = vfiox__get32(buf + 28);
	if (info->num_regions > VFIOX_VU_MAX_REGIONS || info->num_irqs > VFIOX_VU_MAX_IRQS) {
		snprintf(why, whylen, "%" PRIu32 " regions and %" PRIu32 " interrupt indexes, at "
			 "most %d and %d believed", info->num_regions, info->num_irqs,
			 VFIOX_VU_MAX_REGIONS, VFIOX_VU_MAX_IRQS);
		return -EPROTO;
	}
	return 0;
}

int vfiox__vu_dec_region_info(const uint8_t *buf, size_t len, size_t nfds, uint16_t id,
			      uint32_t index, uint32_t argsz, struct vfiox_region *r,
			      uint32_t *need, char *why, size_t whylen)
{
	const uint8_t *p = buf + VFIOX_VU_HDR_SIZE;
	uint32_t rargsz, flags, rindex;
	uint64_t size, offset;
	size_t plen;
	int ret = reply(buf, len, nfds, 1, id, VFIOX_VU_DEVICE_GET_REGION_INFO, &plen, why,
			whylen);

	memset(r, 0, sizeof(*r));
	if (ret)
		return ret;
	if (plen < VFIOX_VU_REGION_INFO_SIZE || plen > argsz) {
		snprintf(why, whylen, "a REGION_INFO reply of %zu payload bytes, 32..%" PRIu32
			 " expected", plen, argsz);
		return -EBADMSG;
	}
	rargsz = vfiox__get32(p);
	flags = vfiox__get32(p + 4);
	rindex = vfiox__get32(p + 8);
	size = vfiox__get64(p + 16);
	offset = vfiox__get64(p + 24);
	if (rindex != index) {
		snprintf(why, whylen, "region %" PRIu32 " answered, %" PRIu32 " asked", rindex,
			 index);
		return -EPROTO;
	}
	if (rargsz < VFIOX_VU_REGION_INFO_SIZE) {
		snprintf(why, whylen, "REGION_INFO argsz %" PRIu32 ", at least 32", rargsz);
		return -EBADMSG;
	}
	if (offset > UINT64_MAX - size) {
		snprintf(why, whylen, "region %" PRIu32 " at offset 0x%" PRIx64 " with size 0x%"
			 PRIx64 " wraps around", index, offset, size);
		return -EPROTO;
	}
	if (nfds && !(flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		snprintf(why, whylen, "an fd with region %" PRIu32 ", which is not mappable", index);
		return -EPROTO;
	}
	if (rargsz > argsz) {
		if (rargsz > VFIOX_VU_MAX_INFO) {
			snprintf(why, whylen, "REGION_INFO needs %" PRIu32 " bytes, at most %d taken",
				 rargsz, VFIOX_VU_MAX_INFO);
			return -EPROTO;
		}
		if (flags & VFIO_REGION_INFO_FLAG_CAPS) {
			snprintf(why, whylen, "capabilities flagged in a reply cut to argsz");
			return -EBADMSG;
		}
		*need = rargsz;
		return -ENOSPC;
	}
	if (plen != rargsz) {
		snprintf(why, whylen, "a REGION_INFO reply of %zu payload bytes, argsz says %"
			 PRIu32, plen, rargsz);
		return -EBADMSG;
	}
	ret = vfiox__parse_region_info(p, plen, r, why, whylen);
	if (ret)
		return ret == -ENOMEM ? ret : -EBADMSG;
	return 0;
}

static int access_echo(const uint8_t *p, uint32_t region, uint64_t offset, uint32_t count,
		       uint16_t cmd, char *why, size_t whylen)
{
	uint64_t o = vfiox__get64(p);
	uint32_t r = vfiox__get32(p + 8), c = vfiox__get32(p + 12);

	if (o == offset && r == region && c == count)
		return 0;
	snprintf(why, whylen, "a %s reply for region %" PRIu32 " offset 0x%" PRIx64 " count %"
		 PRIu32 ", asked region %" PRIu32 " offset 0x%" PRIx64 " count %" PRIu32,
		 vfiox__vu_cmd_name(cmd), r, o, c, region, offset, count);
	return -EPROTO;
}

int vfiox__vu_dec_region_read(const uint8_t *buf, size_t len, size_t nfds, uint16_t id,
			      uint32_t region, uint64_t offset, uint32_t count,
			      const uint8_t **data, char *why, size_t whylen)
{
	size_t plen;
	int ret = reply(buf, len, nfds, 0, id, VFIOX_VU_REGION_READ, &plen, why, whylen);

	if (ret)
		return ret;
	ret = want_len(plen, VFIOX_VU_ACCESS_SIZE + (size_t)count, VFIOX_VU_REGION_READ, why,
		       whylen);
	if (ret)
		return ret;
	ret = access_echo(buf + 16, region, offset, count, VFIOX_VU_REGION_READ, why, whylen);
	if (ret)
		return ret;
	*data = buf + 32;
	return 0;
}

int vfiox__vu_dec_region_write(const uint8_t *buf, size_t len, size_t nfds, uint16_t id,
			       uint32_t region, uint64_t offset, uint32_t count, char *why,
			       size_t whylen)
{
	size_t plen;
	int ret = reply(buf, len, nfds, 0, id, VFIOX_VU_REGION_WRITE, &plen, why, whylen);

	if (ret)
		return ret;
	ret = want_len(plen, VFIOX_VU_ACCESS_SIZE, VFIOX_VU_REGION_WRITE, why, whylen);
	if (ret)
		return ret;
	return access_echo(buf + 16, region, offset, count, VFIOX_VU_REGION_WRITE, why, whylen);
}

int vfiox__vu_dec_reset(const uint8_t *buf, size_t len, size_t nfds, uint16_t id, char *why,
			size_t whylen)
{
	size_t plen;
	int ret = reply(buf, len, nfds, 0, id, VFIOX_VU_DEVICE_RESET, &plen, why, whylen);

	return ret ? ret : want_len(plen, 0, VFIOX_VU_DEVICE_RESET, why, whylen);
}

int vfiox__vu_dec_irq_info(const uint8_t *buf, size_t len, size_t nfds, uint16_t id,
			   uint32_t index, struct vfiox_irq *irq, char *why, size_t whylen)
{
	size_t plen;
	uint32_t argsz, rindex;
	int ret = reply(buf, len, nfds, 0, id, VFIOX_VU_DEVICE_GET_IRQ_INFO, &plen, why, whylen);

	if (ret)
		return ret;
	ret = want_len(plen, 16, VFIOX_VU_DEVICE_GET_IRQ_INFO, why, whylen);
	if (ret)
		return ret;
	argsz = vfiox__get32(buf + 16);
	rindex = vfiox__get32(buf + 24);
	if (argsz < 16) {
		snprintf(why, whylen, "IRQ_INFO argsz %" PRIu32 ", at least 16", argsz);
		return -EBADMSG;
	}
	if (rindex != index) {
		snprintf(why, whylen, "interrupt index %" PRIu32 " answered, %" PRIu32 " asked",
			 rindex, index);
		return -EPROTO;
	}
	irq->index = index;
	irq->flags = vfiox__get32(buf + 20);
	irq->count = vfiox__get32(buf + 28);
	irq->name = vfiox__irq_name(index);
	return 0;
}

int vfiox__vu_dec_set_irqs(const uint8_t *buf, size_t len, size_t nfds, uint16_t id, char *why,
			   size_t whylen)
{
	size_t plen;
	int ret = reply(buf, len, nfds, 0, id, VFIOX_VU_DEVICE_SET_IRQS, &plen, why, whylen);

	return ret ? ret : want_len(plen, 0, VFIOX_VU_DEVICE_SET_IRQS, why, whylen);
}
