// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The vfio-user messages of the client (libvfiox/vfio-user-msg.c): every request encoded
 * byte for byte against the layout of QEMU's docs/interop/vfio-user.rst, written out here
 * by hand; every reply decoder fed a good reply (built by this file, not by the encoder
 * under test) and then the same reply truncated at every length, grown, with another id,
 * another command, not a reply, with fds it may not carry, and with its lengths bent.
 */
#include <linux/vfio.h>

#include "internal.h"
#include "testutil.h"
#include "vfio-user-msg.h"

static char why[256];

/* ---------------------------------------------------------------- building */

struct msg {
	uint8_t b[4096];
	size_t n;
};

static void m_put(struct msg *m, const void *p, size_t n)
{
	assert_true(m->n + n <= sizeof(m->b));
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void m16(struct msg *m, uint16_t v)
{
	m_put(m, &v, 2);
}

static void m32(struct msg *m, uint32_t v)
{
	m_put(m, &v, 4);
}

static void m64(struct msg *m, uint64_t v)
{
	m_put(m, &v, 8);
}

/* A header whose size is fixed up by m_done(). */
static void m_hdr(struct msg *m, uint16_t id, uint16_t cmd, uint32_t flags, uint32_t err)
{
	m->n = 0;
	m16(m, id);
	m16(m, cmd);
	m32(m, 0);
	m32(m, flags);
	m32(m, err);
}

static void m_done(struct msg *m)
{
	uint32_t size = (uint32_t)m->n;

	memcpy(m->b + 4, &size, 4);
}

static void m_reply(struct msg *m, uint16_t id, uint16_t cmd)
{
	m_hdr(m, id, cmd, VFIOX_VU_F_TYPE_REPLY, 0);
}

static const struct vfiox_vu_caps proposal = {
	.major = 0,
	.minor = 1,
	.present = VFIOX_VU_CAP_MAX_MSG_FDS | VFIOX_VU_CAP_MAX_XFER | VFIOX_VU_CAP_PGSIZES |
		   VFIOX_VU_CAP_MAX_DMA_MAPS,
	.max_msg_fds = 16,
	.max_data_xfer_size = 1048576,
	.pgsizes = 4096,
	.max_dma_maps = 65535,
};

/* ---------------------------------------------------------------- encoders */

static void expect_hdr(const uint8_t *b, uint16_t id, uint16_t cmd, uint32_t size)
{
	uint8_t want[16] = { 0 };

	memcpy(want, &id, 2);
	memcpy(want + 2, &cmd, 2);
	memcpy(want + 4, &size, 4);
	assert_memory_equal(b, want, 16);
}

static void test_enc_version(void **state)
{
	static const char json[] = "{\"capabilities\":{\"max_msg_fds\":16,"
				   "\"max_data_xfer_size\":1048576,\"pgsizes\":4096,"
				   "\"max_dma_maps\":65535}}";
	uint8_t b[512];
	struct vfiox_vu_caps bad = proposal;
	ssize_t n = vfiox__vu_enc_version(b, sizeof(b), 7, &proposal);

	assert_int_equal(n, 16 + 4 + sizeof(json));
	expect_hdr(b, 7, 1, (uint32_t)n);
	assert_int_equal(b[16], 0);
	assert_int_equal(b[17], 0);
	assert_int_equal(b[18], 1);
	assert_int_equal(b[19], 0);
	assert_memory_equal(b + 20, json, sizeof(json)); /* its NUL included */
	/* Too small a buffer by one byte; a capability the client does not propose. */
	assert_int_equal(vfiox__vu_enc_version(b, (size_t)n - 1, 7, &proposal), -ENOSPC);
	bad.present |= VFIOX_VU_CAP_MIGRATION;
	assert_int_equal(vfiox__vu_enc_version(b, sizeof(b), 7, &bad), -EINVAL);
	/* Nothing present: an empty capabilities object. */
	bad.present = 0;
	n = vfiox__vu_enc_version(b, sizeof(b), 1, &bad);
	assert_int_equal(n, 16 + 4 + sizeof("{\"capabilities\":{}}"));
	assert_string_equal((char *)b + 20, "{\"capabilities\":{}}");
}

static void test_enc_requests(void **state)
{
	static const uint8_t data[4] = { 0xde, 0xad, 0xbe, 0xef };
	static const uint8_t fds_data[8] = { 1, 0, 0, 0, 2, 0, 0, 0 };
	uint8_t b[256], want[64];
	ssize_t n;

	n = vfiox__vu_enc_device_info(b, sizeof(b), 2);
	assert_int_equal(n, 32);
	expect_hdr(b, 2, 4, 32);
	memset(want, 0, sizeof(want));
	want[0] = 16; /* argsz */
	assert_memory_equal(b + 16, want, 16);

	n = vfiox__vu_enc_region_info(b, sizeof(b), 3, 7, 4096);
	assert_int_equal(n, 48);
	expect_hdr(b, 3, 5, 48);
	memset(want, 0, sizeof(want));
	want[0] = 0x00, want[1] = 0x10; /* argsz 4096 */
	want[8] = 7;			 /* index */
	assert_memory_equal(b + 16, want, 32);
	assert_int_equal(vfiox__vu_enc_region_info(b, sizeof(b), 3, 7, 31), -EINVAL);

	n = vfiox__vu_enc_region_read(b, sizeof(b), 0xfffe, 1, 0x1122334455667788ull, 8);
	assert_int_equal(n, 32);
	expect_hdr(b, 0xfffe, 9, 32);
	{
		static const uint8_t w[16] = { 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
					       1,    0,    0,    0,    8,    0,    0,    0 };
		assert_memory_equal(b + 16, w, 16);
	}
	assert_int_equal(vfiox__vu_enc_region_read(b, sizeof(b), 1, 0, 0, 0), -EINVAL);
	assert_int_equal(vfiox__vu_enc_region_read(b, sizeof(b), 1, 0, 0, VFIOX_VU_MAX_XFER + 1),
			 -EINVAL);

	n = vfiox__vu_enc_region_write(b, sizeof(b), 5, 2, 0x40, data, 4);
	assert_int_equal(n, 36);
	expect_hdr(b, 5, 10, 36);
	{
		static const uint8_t w[20] = { 0x40, 0,    0,	 0,    0, 0, 0, 0, 2, 0,
					       0,    0,    4,	 0,    0, 0, 0xde, 0xad, 0xbe, 0xef };
		assert_memory_equal(b + 16, w, 20);
	}
	assert_int_equal(vfiox__vu_enc_region_write(b, 35, 5, 2, 0x40, data, 4), -ENOSPC);

	n = vfiox__vu_enc_reset(b, sizeof(b), 9);
	assert_int_equal(n, 16);
	expect_hdr(b, 9, 13, 16);
	assert_int_equal(vfiox__vu_enc_reset(b, 15, 9), -ENOSPC);

	n = vfiox__vu_enc_irq_info(b, sizeof(b), 10, 2);
	assert_int_equal(n, 32);
	expect_hdr(b, 10, 7, 32);
	memset(want, 0, sizeof(want));
	want[0] = 16, want[8] = 2;
	assert_memory_equal(b + 16, want, 16);

	n = vfiox__vu_enc_set_irqs(b, sizeof(b), 11,
				   VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER, 2, 1, 2,
				   fds_data, sizeof(fds_data));
	assert_int_equal(n, 16 + 20 + 8);
	expect_hdr(b, 11, 8, 44);
	{
		uint32_t w[5] = { 28, VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER, 2, 1,
				  2 };
		assert_memory_equal(b + 16, w, 20);
		assert_memory_equal(b + 36, fds_data, 8);
	}
	n = vfiox__vu_enc_set_irqs(b, sizeof(b), 12,
				   VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0, 0,
				   NULL, 0);
	assert_int_equal(n, 36);
	assert_int_equal(vfiox__vu_enc_set_irqs(b, sizeof(b), 12, 0, 0, 0, 1, NULL, 4), -EINVAL);
}

static void test_cmd_name(void **state)
{
	assert_string_equal(vfiox__vu_cmd_name(9), "REGION_READ");
	assert_string_equal(vfiox__vu_cmd_name(13), "DEVICE_RESET");
	assert_string_equal(vfiox__vu_cmd_name(14), "command 14");
	assert_string_equal(vfiox__vu_cmd_name(0), "command 0");
	assert_string_equal(vfiox__vu_cmd_name(60000), "command 60000");
}

/* ---------------------------------------------------------------- header, any reply */

static void test_hdr_get(void **state)
{
	struct vfiox_vu_hdr h;
	struct msg m;

	m_reply(&m, 1, 4);
	m_done(&m);
	assert_int_equal(vfiox__vu_hdr_get(m.b, 16, 100, &h, why, sizeof(why)), 0);
	assert_int_equal(h.msg_id, 1);
	assert_int_equal(h.cmd, 4);
	assert_int_equal(h.size, 16);
	assert_int_equal(h.flags, 1);
	assert_int_equal(vfiox__vu_hdr_get(m.b, 15, 100, &h, why, sizeof(why)), -EBADMSG);
	/* A size below the header, and one above the caller's limit. */
	m.b[4] = 15;
	assert_int_equal(vfiox__vu_hdr_get(m.b, 16, 100, &h, why, sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "smaller than its header"));
	m.b[4] = 101;
	assert_int_equal(vfiox__vu_hdr_get(m.b, 16, 100, &h, why, sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "above the limit"));
}

static void test_dec_reply_header(void **state)
{
	struct vfiox_vu_hdr h;
	struct msg m;

	m_reply(&m, 3, 13);
	m_done(&m);
	assert_int_equal(vfiox__vu_dec_reset(m.b, m.n, 0, 3, why, sizeof(why)), 0);
	/* Wrong id, wrong command, a command instead of a reply. */
	assert_int_equal(vfiox__vu_dec_reset(m.b, m.n, 0, 4, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "message 3, message 4"));
	m_reply(&m, 3, 9);
	m_done(&m);
	assert_int_equal(vfiox__vu_dec_reset(m.b, m.n, 0, 3, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "REGION_READ reply to a DEVICE_RESET"));
	m_hdr(&m, 3, 13, VFIOX_VU_F_TYPE_COMMAND, 0);
	m_done(&m);
	assert_int_equal(vfiox__vu_dec_reset(m.b, m.n, 0, 3, why, sizeof(why)), -EPROTO);
	/* Unknown flags. */
	m_hdr(&m, 3, 13, VFIOX_VU_F_TYPE_REPLY | 0x100, 0);
	m_done(&m);
	assert_int_equal(vfiox__vu_dec_reset(m.b, m.n, 0, 3, why, sizeof(why)), -EBADMSG);
	/* The header's size against the bytes received: fewer, more. */
	m_reply(&m, 3, 13);
	m_done(&m);
	m.b[4] = 20;
	assert_int_equal(vfiox__vu_dec_reset(m.b, 16, 0, 3, why, sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "says 20 bytes, the message has 16"));
	memset(m.b + 16, 0, 8);
	m.b[4] = 16;
	assert_int_equal(vfiox__vu_dec_reset(m.b, 24, 0, 3, why, sizeof(why)), -EBADMSG);
	/* A reply to reset with a payload, with fds. */
	m_reply(&m, 3, 13);
	m32(&m, 0);
	m_done(&m);
	assert_int_equal(vfiox__vu_dec_reset(m.b, m.n, 0, 3, why, sizeof(why)), -EBADMSG);
	m_reply(&m, 3, 13);
	m_done(&m);
	assert_int_equal(vfiox__vu_dec_reset(m.b, m.n, 1, 3, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "1 fds"));
	/* SET_IRQS the same way. */
	m_reply(&m, 8, 8);
	m_done(&m);
	assert_int_equal(vfiox__vu_dec_set_irqs(m.b, m.n, 0, 8, why, sizeof(why)), 0);
	assert_int_equal(vfiox__vu_dec_set_irqs(m.b, m.n, 0, 9, why, sizeof(why)), -EPROTO);
	(void)h;
}

static void test_dec_error_reply(void **state)
{
	struct vfiox_vu_hdr h;
	struct msg m;

	m_hdr(&m, 5, 9, VFIOX_VU_F_TYPE_REPLY | VFIOX_VU_F_ERROR, EINVAL);
	m_done(&m);
	assert_int_equal(vfiox__vu_dec_reply(m.b, m.n, 0, 5, 9, &h, why, sizeof(why)),
			 VFIOX_VU_ERROR_REPLY);
	assert_int_equal(h.error_no, EINVAL);
	/* Every decoder passes it on. */
	assert_int_equal(vfiox__vu_dec_region_read(m.b, m.n, 0, 5, 0, 0, 8, &(const uint8_t *){ 0 },
						   why, sizeof(why)),
			 VFIOX_VU_ERROR_REPLY);
	/* A payload with an error reply (libvfio-user sends a failed REGION_READ's) is
	 * ignored; fds are not, and the errno must be plausible. */
	m_hdr(&m, 5, 9, VFIOX_VU_F_TYPE_REPLY | VFIOX_VU_F_ERROR, EINVAL);
	m64(&m, 0);
	m32(&m, 0);
	m32(&m, 4);
	m32(&m, 0);
	m_done(&m);
	assert_int_equal(vfiox__vu_dec_reply(m.b, m.n, 0, 5, 9, &h, why, sizeof(why)),
			 VFIOX_VU_ERROR_REPLY);
	assert_int_equal(h.error_no, EINVAL);
	/* ... but its size must still be the bytes received. */
	assert_int_equal(vfiox__vu_dec_reply(m.b, m.n - 1, 0, 5, 9, &h, why, sizeof(why)),
			 -EBADMSG);
	m_hdr(&m, 5, 9, VFIOX_VU_F_TYPE_REPLY | VFIOX_VU_F_ERROR, EINVAL);
	m_done(&m);
	assert_int_equal(vfiox__vu_dec_reply(m.b, m.n, 2, 5, 9, &h, why, sizeof(why)), -EBADMSG);
	m_hdr(&m, 5, 9, VFIOX_VU_F_TYPE_REPLY | VFIOX_VU_F_ERROR, 100000);
	m_done(&m);
	assert_int_equal(vfiox__vu_dec_reply(m.b, m.n, 0, 5, 9, &h, why, sizeof(why)), -EBADMSG);
}

/* ---------------------------------------------------------------- VERSION */

static void version_reply(struct msg *m, uint16_t id, uint16_t major, uint16_t minor,
			  const char *json)
{
	m_reply(m, id, 1);
	m16(m, major);
	m16(m, minor);
	if (json)
		m_put(m, json, strlen(json) + 1);
	m_done(m);
}

static int dec_version(const char *json, struct vfiox_vu_caps *got)
{
	struct msg m;

	version_reply(&m, 1, 0, 1, json);
	return vfiox__vu_dec_version(m.b, m.n, 0, 1, &proposal, got, why, sizeof(why));
}

static void test_dec_version_good(void **state)
{
	struct vfiox_vu_caps got;
	struct msg m;

	/* As libvfio-user's json-c writes it: spaces, and migration it names unasked. */
	assert_int_equal(dec_version("{ \"capabilities\": { \"max_msg_fds\": 8, "
				     "\"max_data_xfer_size\": 1048576, \"migration\": "
				     "{ \"pgsize\": 4096 } } }", &got), 0);
	assert_int_equal(got.major, 0);
	assert_int_equal(got.minor, 1);
	assert_int_equal(got.max_msg_fds, 8);
	assert_int_equal(got.max_data_xfer_size, 1048576);
	assert_int_equal(got.pgsizes, 4096);	   /* the default */
	assert_int_equal(got.max_dma_maps, 65535); /* the default */
	assert_int_equal(got.unasked, VFIOX_VU_CAP_MIGRATION);
	assert_int_equal(got.migration_pgsize, 4096);
	assert_int_equal(got.present, VFIOX_VU_CAP_MAX_MSG_FDS | VFIOX_VU_CAP_MAX_XFER);
	/* Everything named, smaller than proposed; a minor of 0. */
	version_reply(&m, 1, 0, 0, "{\"capabilities\":{\"max_msg_fds\":1,\"pgsizes\":4096,"
		      "\"max_dma_maps\":10,\"max_data_xfer_size\":4096},\"other\":[1]}");
	/* An array at the top is not for this reader: refused, said. */
	assert_int_equal(vfiox__vu_dec_version(m.b, m.n, 0, 1, &proposal, &got, why, sizeof(why)),
			 -EBADMSG);
	version_reply(&m, 1, 0, 0, "{\"capabilities\":{\"max_msg_fds\":1,\"pgsizes\":4096,"
		      "\"max_dma_maps\":10,\"max_data_xfer_size\":4096},\"other\":{\"x\":true}}");
	assert_int_equal(vfiox__vu_dec_version(m.b, m.n, 0, 1, &proposal, &got, why, sizeof(why)),
			 0);
	assert_int_equal(got.minor, 0);
	assert_int_equal(got.max_msg_fds, 1);
	assert_int_equal(got.max_dma_maps, 10);
	assert_int_equal(got.max_data_xfer_size, 4096);
	/* No JSON at all: the protocol's defaults. */
	version_reply(&m, 1, 0, 1, NULL);
	assert_int_equal(vfiox__vu_dec_version(m.b, m.n, 0, 1, &proposal, &got, why, sizeof(why)),
			 0);
	assert_int_equal(got.max_msg_fds, 1);
	assert_int_equal(got.max_data_xfer_size, 1048576);
	assert_int_equal(got.unasked, 0);
	/* An empty capabilities object and none at all. */
	assert_int_equal(dec_version("{\"capabilities\":{}}", &got), 0);
	assert_int_equal(dec_version("{}", &got), 0);
	/* write_multiple offered: unasked, harmless. */
	assert_int_equal(dec_version("{\"capabilities\":{\"write_multiple\":true}}", &got), 0);
	assert_int_equal(got.unasked, VFIOX_VU_CAP_WRITE_MULTIPLE);
}

static void test_dec_version_refused(void **state)
{
	static const struct {
		const char *json;
		int err;
		const char *why;
	} bad[] = {
		{ "{\"capabilities\":{\"max_msg_fds\":17}}", -EPROTO, "above the proposed 16" },
		{ "{\"capabilities\":{\"max_data_xfer_size\":2097152}}", -EPROTO, "outside" },
		{ "{\"capabilities\":{\"max_data_xfer_size\":0}}", -EPROTO, "outside" },
		{ "{\"capabilities\":{\"pgsizes\":8192}}", -EPROTO, "subset" },
		{ "{\"capabilities\":{\"pgsizes\":0}}", -EPROTO, "subset" },
		{ "{\"capabilities\":{\"max_dma_maps\":65536}}", -EPROTO, "outside" },
		{ "{\"capabilities\":{\"twin_socket\":{\"supported\":true,\"fd_index\":0}}}", -EPROTO,
		  "twin_socket" },
		{ "{\"capabilities\":{\"frobnicate\":1}}", -EPROTO, "unknown capability" },
		{ "{\"capabilities\":{\"max_msg_fds\":1,\"max_msg_fds\":2}}", -EBADMSG, "twice" },
		{ "{\"capabilities\":{\"max_msg_fds\":\"8\"}}", -EBADMSG, "cannot hold" },
		{ "{\"capabilities\":{\"max_msg_fds\":true}}", -EBADMSG, "not a number" },
		{ "{\"capabilities\":{\"max_msg_fds\":-1}}", -EBADMSG, "cannot hold" },
		{ "{\"capabilities\":{\"max_msg_fds\":1.5}}", -EBADMSG, "not an integer" },
		{ "{\"capabilities\":{\"max_msg_fds\":08}}", -EBADMSG, "leading zero" },
		{ "{\"capabilities\":{\"pgsizes\":184467440737095516160}}", -EBADMSG, "2^64" },
		{ "{\"capabilities\":{\"max_msg_fds\":4294967296}}", -EBADMSG, "2^32" },
		{ "{\"capabilities\":{\"migration\":4096}}", -EBADMSG, "not an object" },
		{ "{\"capabilities\":{\"migration\":{\"pgsize\":{\"a\":{}}}}}", -EBADMSG, "" },
		{ "{\"capabilities\":{\"migration\":{\"x\":{\"a\":{}}}}}", -EBADMSG, "too deep" },
		{ "{\"capabilities\":1}", -EBADMSG, "not an object" },
		{ "{\"capabilities\":{\"max_msg_fds\":1}", -EBADMSG, "" },
		{ "{\"capabilities\":{\"max_msg_fds\":1}} x", -EBADMSG, "after the object" },
		{ "{\"capa\\u0062ilities\":{}}", -EBADMSG, "escape" },
		{ "{\"capabilities\":{\"max_msg_fds\" 1}}", -EBADMSG, "':' expected" },
		{ "{\"capabilities\":{\"max_msg_fds\":1 \"pgsizes\":4096}}", -EBADMSG, "',' or" },
		{ "[]", -EBADMSG, "an object expected" },
		{ "", -EBADMSG, "" },
	};
	struct vfiox_vu_caps got;
	struct msg m;
	size_t i, failed = 0;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret = dec_version(bad[i].json, &got);

		if (ret != bad[i].err || !strstr(why, bad[i].why)) {
			print_error("%s: %d (%s), %d (%s) expected\n", bad[i].json, ret, why,
				    bad[i].err, bad[i].why);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
	/* Another major; a minor above the proposed one. */
	version_reply(&m, 1, 1, 0, "{}");
	assert_int_equal(vfiox__vu_dec_version(m.b, m.n, 0, 1, &proposal, &got, why, sizeof(why)),
			 -EPROTO);
	assert_non_null(strstr(why, "speaks version 1.0"));
	version_reply(&m, 1, 0, 2, "{}");
	assert_int_equal(vfiox__vu_dec_version(m.b, m.n, 0, 1, &proposal, &got, why, sizeof(why)),
			 -EPROTO);
	/* An fd with the reply; another id; too short for the version. */
	version_reply(&m, 1, 0, 1, "{}");
	assert_int_equal(vfiox__vu_dec_version(m.b, m.n, 1, 1, &proposal, &got, why, sizeof(why)),
			 -EPROTO);
	assert_int_equal(vfiox__vu_dec_version(m.b, m.n, 0, 2, &proposal, &got, why, sizeof(why)),
			 -EPROTO);
	m_reply(&m, 1, 1);
	m16(&m, 0);
	m_done(&m);
	assert_int_equal(vfiox__vu_dec_version(m.b, m.n, 0, 1, &proposal, &got, why, sizeof(why)),
			 -EBADMSG);
	/* JSON without its NUL, and with a NUL inside. */
	m_reply(&m, 1, 1);
	m16(&m, 0);
	m16(&m, 1);
	m_put(&m, "{}", 2);
	m_done(&m);
	assert_int_equal(vfiox__vu_dec_version(m.b, m.n, 0, 1, &proposal, &got, why, sizeof(why)),
			 -EBADMSG);
	assert_non_null(strstr(why, "NUL"));
	m_reply(&m, 1, 1);
	m16(&m, 0);
	m16(&m, 1);
	m_put(&m, "{}\0{}", 6);
	m_done(&m);
	assert_int_equal(vfiox__vu_dec_version(m.b, m.n, 0, 1, &proposal, &got, why, sizeof(why)),
			 -EBADMSG);
}

/* A good reply cut at every length (the header's size fixed up, and not) never passes. */
static void test_dec_version_truncated(void **state)
{
	static const char json[] = "{ \"capabilities\": { \"max_msg_fds\": 8, "
				   "\"migration\": { \"pgsize\": 4096 } } }";
	struct vfiox_vu_caps got;
	struct msg m, t;
	size_t n;

	version_reply(&m, 1, 0, 1, json);
	for (n = 0; n < m.n; n++) {
		t = m;
		assert_int_not_equal(vfiox__vu_dec_version(t.b, n, 0, 1, &proposal, &got, why,
							   sizeof(why)), 0);
		if (n >= 16 + 4) { /* the JSON cut and NUL-terminated there */
			t.n = n;
			t.b[n - 1] = 0;
			m_done(&t);
			if (n - 1 > 20)
				assert_int_not_equal(vfiox__vu_dec_version(t.b, t.n, 0, 1, &proposal,
									   &got, why, sizeof(why)),
						     0);
		}
	}
	/* JSON beyond the limit (a valid object padded with spaces). */
	{
		size_t jl = VFIOX_VU_MAX_JSON + 1;
		uint32_t size = (uint32_t)(20 + jl);
		uint8_t *raw = malloc(size);

		assert_non_null(raw);
		memcpy(raw, m.b, 20);
		memcpy(raw + 4, &size, 4);
		memset(raw + 20, ' ', jl);
		raw[20] = '{';
		raw[20 + jl - 2] = '}';
		raw[20 + jl - 1] = 0;
		assert_int_equal(vfiox__vu_dec_version(raw, size, 0, 1, &proposal, &got, why,
						       sizeof(why)), -EBADMSG);
		assert_non_null(strstr(why, "at most"));
		/* One byte less is taken. */
		size--;
		memcpy(raw + 4, &size, 4);
		raw[20 + jl - 3] = '}';
		raw[20 + jl - 2] = 0;
		assert_int_equal(vfiox__vu_dec_version(raw, size, 0, 1, &proposal, &got, why,
						       sizeof(why)), 0);
		free(raw);
	}
}

/* ---------------------------------------------------------------- DEVICE_GET_INFO */

static void device_info_reply(struct msg *m, uint16_t id, uint32_t argsz, uint32_t regions,
			      uint32_t irqs)
{
	m_reply(m, id, 4);
	m32(m, argsz);
	m32(m, VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET);
	m32(m, regions);
	m32(m, irqs);
	m_done(m);
}

static void test_dec_device_info(void **state)
{
	struct vfiox_device_info info;
	struct msg m, t;
	size_t n;

	device_info_reply(&m, 2, 16, 9, 5);
	assert_int_equal(vfiox__vu_dec_device_info(m.b, m.n, 0, 2, &info, why, sizeof(why)), 0);
	assert_int_equal(info.flags, VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET);
	assert_int_equal(info.num_regions, 9);
	assert_int_equal(info.num_irqs, 5);
	assert_int_equal(vfiox__vu_dec_device_info(m.b, m.n, 0, 3, &info, why, sizeof(why)),
			 -EPROTO);
	assert_int_equal(vfiox__vu_dec_device_info(m.b, m.n, 1, 2, &info, why, sizeof(why)),
			 -EPROTO);
	for (n = 0; n < m.n; n++) {
		t = m;
		assert_int_not_equal(vfiox__vu_dec_device_info(t.b, n, 0, 2, &info, why,
							       sizeof(why)), 0);
		t.n = n < 16 ? 16 : n; /* header fixed up: a short payload */
		m_done(&t);
		assert_int_equal(vfiox__vu_dec_device_info(t.b, t.n, 0, 2, &info, why, sizeof(why)),
				 -EBADMSG);
	}
	/* A payload longer than asked; argsz below the structure; counts beyond belief. */
	t = m;
	m32(&t, 0);
	m_done(&t);
	assert_int_equal(vfiox__vu_dec_device_info(t.b, t.n, 0, 2, &info, why, sizeof(why)),
			 -EBADMSG);
	device_info_reply(&m, 2, 12, 9, 5);
	assert_int_equal(vfiox__vu_dec_device_info(m.b, m.n, 0, 2, &info, why, sizeof(why)),
			 -EBADMSG);
	device_info_reply(&m, 2, 16, 65, 5);
	assert_int_equal(vfiox__vu_dec_device_info(m.b, m.n, 0, 2, &info, why, sizeof(why)),
			 -EPROTO);
	device_info_reply(&m, 2, 16, 9, 17);
	assert_int_equal(vfiox__vu_dec_device_info(m.b, m.n, 0, 2, &info, why, sizeof(why)),
			 -EPROTO);
}

/* ---------------------------------------------------------------- REGION_INFO */

/* BAR1 of libvfio-user's sample server: 0x3000 bytes, mappable, two sparse areas. */
static void region_info_reply(struct msg *m, uint16_t id, uint32_t index, uint32_t flags,
			      uint64_t size, uint32_t nareas, bool caps)
{
	uint32_t argsz = 32 + (nareas ? 16 + 16 * nareas : 0);
	uint32_t i;

	m_reply(m, id, 5);
	m32(m, argsz);
	m32(m, flags | (caps && nareas ? VFIO_REGION_INFO_FLAG_CAPS : 0));
	m32(m, index);
	m32(m, caps && nareas ? 32 : 0);
	m64(m, size);
	m64(m, 0x10000000000ull * index);
	if (caps && nareas) {
		m16(m, VFIO_REGION_INFO_CAP_SPARSE_MMAP);
		m16(m, 1);
		m32(m, 0); /* next */
		m32(m, nareas);
		m32(m, 0);
		for (i = 0; i < nareas; i++) {
			m64(m, 0x2000ull * i);
			m64(m, 0x1000);
		}
	}
	m_done(m);
}

#define RW (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE)
#define RWM (RW | VFIO_REGION_INFO_FLAG_MMAP)

static void test_dec_region_info_good(void **state)
{
	struct vfiox_region r;
	uint32_t need = 0;
	struct msg m;

	region_info_reply(&m, 4, 1, RWM, 0x3000, 2, true);
	assert_int_equal(vfiox__vu_dec_region_info(m.b, m.n, 1, 4, 1, 4096, &r, &need, why,
						   sizeof(why)), 0);
	assert_int_equal(r.index, 1);
	assert_int_equal(r.size, 0x3000);
	assert_int_equal(r.offset, 0x10000000000ull);
	assert_true(r.has_sparse);
	assert_int_equal(r.num_sparse, 2);
	assert_int_equal(r.sparse[0].offset, 0);
	assert_int_equal(r.sparse[0].size, 0x1000);
	assert_int_equal(r.sparse[1].offset, 0x2000);
	assert_int_equal(r.sparse[1].size, 0x1000);
	assert_string_equal(r.name, "BAR1");
	free(r.sparse);
	/* Not mappable, no capabilities, no fd. */
	region_info_reply(&m, 4, 0, RW, 8, 0, false);
	assert_int_equal(vfiox__vu_dec_region_info(m.b, m.n, 0, 4, 0, 32, &r, &need, why,
						   sizeof(why)), 0);
	assert_int_equal(r.size, 8);
	assert_false(r.has_sparse);
	assert_string_equal(r.name, "BAR0");
	/* Asked with 32 bytes: the server wants 80 and says so, without its capabilities. */
	region_info_reply(&m, 4, 1, RWM, 0x3000, 2, false);
	m.n = 16 + 32;
	m_done(&m);
	memcpy(m.b + 16, &(uint32_t){ 80 }, 4);
	assert_int_equal(vfiox__vu_dec_region_info(m.b, m.n, 0, 4, 1, 32, &r, &need, why,
						   sizeof(why)), -ENOSPC);
	assert_int_equal(need, 80);
}

static void test_dec_region_info_bad(void **state)
{
	struct vfiox_region r;
	uint32_t need = 0;
	struct msg m, t;
	size_t n;

	region_info_reply(&m, 4, 1, RWM, 0x3000, 2, true);
	/* Another region; an fd with a region that cannot be mapped; two fds. */
	assert_int_equal(vfiox__vu_dec_region_info(m.b, m.n, 0, 4, 2, 4096, &r, &need, why,
						   sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "region 1 answered, 2 asked"));
	assert_int_equal(vfiox__vu_dec_region_info(m.b, m.n, 2, 4, 1, 4096, &r, &need, why,
						   sizeof(why)), -EPROTO);
	region_info_reply(&t, 4, 0, RW, 8, 0, false);
	assert_int_equal(vfiox__vu_dec_region_info(t.b, t.n, 1, 4, 0, 4096, &r, &need, why,
						   sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "not mappable"));
	/* Longer than the argsz the client sent. */
	assert_int_equal(vfiox__vu_dec_region_info(m.b, m.n, 0, 4, 1, 64, &r, &need, why,
						   sizeof(why)), -EBADMSG);
	/* Every truncation, with the header's size left and fixed up. */
	for (n = 0; n < m.n; n++) {
		t = m;
		assert_int_not_equal(vfiox__vu_dec_region_info(t.b, n, 0, 4, 1, 4096, &r, &need,
							       why, sizeof(why)), 0);
		if (n >= 16) {
			t.n = n;
			m_done(&t);
			assert_int_not_equal(vfiox__vu_dec_region_info(t.b, t.n, 0, 4, 1, 4096, &r,
								       &need, why, sizeof(why)),
					     0);
		}
	}
	/* Bent lengths: argsz below the structure, argsz not the payload, too many areas,
	 * an area outside the region, a region that wraps, a need beyond the limit. */
	t = m;
	memcpy(t.b + 16, &(uint32_t){ 31 }, 4);
	assert_int_equal(vfiox__vu_dec_region_info(t.b, t.n, 0, 4, 1, 4096, &r, &need, why,
						   sizeof(why)), -EBADMSG);
	t = m;
	memcpy(t.b + 16, &(uint32_t){ 72 }, 4);
	assert_int_equal(vfiox__vu_dec_region_info(t.b, t.n, 0, 4, 1, 4096, &r, &need, why,
						   sizeof(why)), -EBADMSG);
	t = m;
	memcpy(t.b + 16 + 32 + 8, &(uint32_t){ 3 }, 4);
	assert_int_equal(vfiox__vu_dec_region_info(t.b, t.n, 0, 4, 1, 4096, &r, &need, why,
						   sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "claims 3 areas"));
	t = m;
	memcpy(t.b + 16 + 32 + 16 + 16, &(uint64_t){ 0x2800 }, 8);
	assert_int_equal(vfiox__vu_dec_region_info(t.b, t.n, 0, 4, 1, 4096, &r, &need, why,
						   sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "outside"));
	t = m;
	memcpy(t.b + 16 + 24, &(uint64_t){ UINT64_MAX - 0x1000 }, 8);
	assert_int_equal(vfiox__vu_dec_region_info(t.b, t.n, 0, 4, 1, 4096, &r, &need, why,
						   sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "wraps"));
	t = m;
	memcpy(t.b + 16 + 12, &(uint32_t){ 24 }, 4); /* cap_offset inside the fixed part */
	assert_int_equal(vfiox__vu_dec_region_info(t.b, t.n, 0, 4, 1, 4096, &r, &need, why,
						   sizeof(why)), -EBADMSG);
	region_info_reply(&t, 4, 1, RWM, 0x3000, 2, false);
	t.n = 16 + 32;
	m_done(&t);
	memcpy(t.b + 16, &(uint32_t){ VFIOX_VU_MAX_INFO + 1 }, 4);
	assert_int_equal(vfiox__vu_dec_region_info(t.b, t.n, 0, 4, 1, 32, &r, &need, why,
						   sizeof(why)), -EPROTO);
	/* A cut reply that still flags its capabilities. */
	memcpy(t.b + 16, &(uint32_t){ 80 }, 4);
	memcpy(t.b + 20, &(uint32_t){ RWM | VFIO_REGION_INFO_FLAG_CAPS }, 4);
	assert_int_equal(vfiox__vu_dec_region_info(t.b, t.n, 0, 4, 1, 32, &r, &need, why,
						   sizeof(why)), -EBADMSG);
}

/* ---------------------------------------------------------------- REGION_READ/WRITE */

static void access_reply(struct msg *m, uint16_t id, uint16_t cmd, uint64_t off, uint32_t region,
			 uint32_t count, const void *data)
{
	m_reply(m, id, cmd);
	m64(m, off);
	m32(m, region);
	m32(m, count);
	if (data)
		m_put(m, data, count);
	m_done(m);
}

static void test_dec_region_read(void **state)
{
	static const uint8_t v[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	const uint8_t *data = NULL;
	struct msg m, t;
	size_t n;

	access_reply(&m, 6, 9, 0, 0, 8, v);
	assert_int_equal(vfiox__vu_dec_region_read(m.b, m.n, 0, 6, 0, 0, 8, &data, why,
						   sizeof(why)), 0);
	assert_memory_equal(data, v, 8);
	assert_ptr_equal(data, m.b + 32);
	/* Another region, offset or count than asked. */
	assert_int_equal(vfiox__vu_dec_region_read(m.b, m.n, 0, 6, 1, 0, 8, &data, why,
						   sizeof(why)), -EPROTO);
	assert_int_equal(vfiox__vu_dec_region_read(m.b, m.n, 0, 6, 0, 4, 8, &data, why,
						   sizeof(why)), -EPROTO);
	access_reply(&t, 6, 9, 0, 0, 4, v);
	assert_int_equal(vfiox__vu_dec_region_read(t.b, t.n, 0, 6, 0, 0, 4, &data, why,
						   sizeof(why)), 0);
	assert_int_equal(vfiox__vu_dec_region_read(t.b, t.n, 0, 6, 0, 0, 8, &data, why,
						   sizeof(why)), -EBADMSG);
	/* More data than the count says; a count bent to match a longer payload. */
	t = m;
	m_put(&t, "xxxx", 4);
	m_done(&t);
	assert_int_equal(vfiox__vu_dec_region_read(t.b, t.n, 0, 6, 0, 0, 8, &data, why,
						   sizeof(why)), -EBADMSG);
	memcpy(t.b + 28, &(uint32_t){ 12 }, 4);
	assert_int_equal(vfiox__vu_dec_region_read(t.b, t.n, 0, 6, 0, 0, 8, &data, why,
						   sizeof(why)), -EBADMSG);
	assert_int_equal(vfiox__vu_dec_region_read(t.b, t.n, 0, 6, 0, 0, 12, &data, why,
						   sizeof(why)), 0);
	/* Wrong id, wrong command, fds, every truncation. */
	assert_int_equal(vfiox__vu_dec_region_read(m.b, m.n, 0, 7, 0, 0, 8, &data, why,
						   sizeof(why)), -EPROTO);
	access_reply(&t, 6, 10, 0, 0, 8, v);
	assert_int_equal(vfiox__vu_dec_region_read(t.b, t.n, 0, 6, 0, 0, 8, &data, why,
						   sizeof(why)), -EPROTO);
	assert_int_equal(vfiox__vu_dec_region_read(m.b, m.n, 1, 6, 0, 0, 8, &data, why,
						   sizeof(why)), -EPROTO);
	for (n = 0; n < m.n; n++) {
		t = m;
		assert_int_not_equal(vfiox__vu_dec_region_read(t.b, n, 0, 6, 0, 0, 8, &data, why,
							       sizeof(why)), 0);
		if (n >= 16) {
			t.n = n;
			m_done(&t);
			assert_int_not_equal(vfiox__vu_dec_region_read(t.b, t.n, 0, 6, 0, 0, 8,
								       &data, why, sizeof(why)),
					     0);
		}
	}
}

static void test_dec_region_write(void **state)
{
	struct msg m, t;
	size_t n;

	access_reply(&m, 7, 10, 0x40, 2, 4, NULL);
	assert_int_equal(vfiox__vu_dec_region_write(m.b, m.n, 0, 7, 2, 0x40, 4, why, sizeof(why)),
			 0);
	/* Fewer bytes written than asked is not success. */
	assert_int_equal(vfiox__vu_dec_region_write(m.b, m.n, 0, 7, 2, 0x40, 8, why, sizeof(why)),
			 -EPROTO);
	assert_non_null(strstr(why, "count 4"));
	assert_int_equal(vfiox__vu_dec_region_write(m.b, m.n, 0, 7, 2, 0x44, 4, why, sizeof(why)),
			 -EPROTO);
	assert_int_equal(vfiox__vu_dec_region_write(m.b, m.n, 0, 8, 2, 0x40, 4, why, sizeof(why)),
			 -EPROTO);
	assert_int_equal(vfiox__vu_dec_region_write(m.b, m.n, 3, 7, 2, 0x40, 4, why, sizeof(why)),
			 -EPROTO);
	/* The data echoed back is not expected. */
	access_reply(&t, 7, 10, 0x40, 2, 4, "abcd");
	assert_int_equal(vfiox__vu_dec_region_write(t.b, t.n, 0, 7, 2, 0x40, 4, why, sizeof(why)),
			 -EBADMSG);
	for (n = 0; n < m.n; n++) {
		t = m;
		assert_int_not_equal(vfiox__vu_dec_region_write(t.b, n, 0, 7, 2, 0x40, 4, why,
								sizeof(why)), 0);
	}
}

/* ---------------------------------------------------------------- IRQ_INFO */

static void test_dec_irq_info(void **state)
{
	struct vfiox_irq irq;
	struct msg m, t;
	size_t n;

	m_reply(&m, 9, 7);
	m32(&m, 16);
	m32(&m, VFIO_IRQ_INFO_EVENTFD);
	m32(&m, 0);
	m32(&m, 1);
	m_done(&m);
	assert_int_equal(vfiox__vu_dec_irq_info(m.b, m.n, 0, 9, 0, &irq, why, sizeof(why)), 0);
	assert_int_equal(irq.index, 0);
	assert_int_equal(irq.count, 1);
	assert_int_equal(irq.flags, VFIO_IRQ_INFO_EVENTFD);
	assert_string_equal(irq.name, "INTx");
	assert_int_equal(vfiox__vu_dec_irq_info(m.b, m.n, 0, 9, 1, &irq, why, sizeof(why)),
			 -EPROTO);
	assert_int_equal(vfiox__vu_dec_irq_info(m.b, m.n, 0, 8, 0, &irq, why, sizeof(why)),
			 -EPROTO);
	assert_int_equal(vfiox__vu_dec_irq_info(m.b, m.n, 1, 9, 0, &irq, why, sizeof(why)),
			 -EPROTO);
	t = m;
	memcpy(t.b + 16, &(uint32_t){ 8 }, 4);
	assert_int_equal(vfiox__vu_dec_irq_info(t.b, t.n, 0, 9, 0, &irq, why, sizeof(why)),
			 -EBADMSG);
	for (n = 0; n < m.n; n++) {
		t = m;
		assert_int_not_equal(vfiox__vu_dec_irq_info(t.b, n, 0, 9, 0, &irq, why,
							    sizeof(why)), 0);
		if (n >= 16) {
			t.n = n;
			m_done(&t);
			assert_int_equal(vfiox__vu_dec_irq_info(t.b, t.n, 0, 9, 0, &irq, why,
								sizeof(why)), -EBADMSG);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enc_version),
		cmocka_unit_test(test_enc_requests),
		cmocka_unit_test(test_cmd_name),
		cmocka_unit_test(test_hdr_get),
		cmocka_unit_test(test_dec_reply_header),
		cmocka_unit_test(test_dec_error_reply),
		cmocka_unit_test(test_dec_version_good),
		cmocka_unit_test(test_dec_version_refused),
		cmocka_unit_test(test_dec_version_truncated),
		cmocka_unit_test(test_dec_device_info),
		cmocka_unit_test(test_dec_region_info_good),
		cmocka_unit_test(test_dec_region_info_bad),
		cmocka_unit_test(test_dec_region_read),
		cmocka_unit_test(test_dec_region_write),
		cmocka_unit_test(test_dec_irq_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
