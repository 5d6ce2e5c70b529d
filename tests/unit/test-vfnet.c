// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VF network settings (libvfiox/vfnet.c, vfnet-msg.c) against a fake rtnetlink:
 * vfiox_sys_netlink_transact is wrapped by a model of one PF's driver (netdevsim-like:
 * VFs with MAC, VLAN, qos, trust, spoof check and link state) that takes each request
 * apart with libnl, applies it, and answers as the kernel does: an RTM_NEWLINK with
 * IFLA_VFINFO_LIST for RTM_GETLINK, then an ack, capped, with an ext-ack message when the
 * test makes it refuse. The replies are built by this file's own encoder, so the parser
 * is checked against bytes it did not make; the malformed ones are cut and bent from a
 * good one. One test talks to the real kernel.
 */
#include <limits.h>
#include <sys/stat.h>

#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <vfiox/sriov.h>

#include "internal.h"
#include "testutil.h"
#include "vfnet-msg.h"

#define PF "0000:03:00.0"
#define IFNAME "eni1np1"
#define IFINDEX 7

ssize_t __real_vfiox_sys_netlink_transact(int protocol, const void *req, size_t len,
					  void **reply);
ssize_t __wrap_vfiox_sys_netlink_transact(int protocol, const void *req, size_t len,
					  void **reply);

struct model_vf {
	uint8_t mac[6];
	uint32_t vlan, qos, spoofchk, trust, link;
};

#define MAX_REQ 32

static struct fake {
	/* the PF */
	char ifname[16];
	int ifindex;
	unsigned nvfs;
	bool no_parent;	 /* no IFLA_NUM_VF (lo, a bridge) */
	bool no_report;	 /* no ndo_get_vf_config: no IFLA_VFINFO_LIST */
	bool hide_trust; /* reports trust as (u32)-1 */
	struct model_vf vf[4];
	/* refusals: the @refuse_nth SETLINK (1-based) of attribute @refuse_type */
	unsigned refuse_type, refuse_nth, seen_of_type;
	int refuse_err;
	const char *refuse_msg;
	/* requests, as sent */
	unsigned calls;
	uint8_t req[MAX_REQ][256];
	size_t req_len[MAX_REQ];
	/* the @fail_call-th request (1-based) gets no answer: the socket's @fail_err */
	unsigned fail_call;
	int fail_err;
	/* pass on to the real kernel, after bending the GETLINK header */
	bool real, bend_get;
} fk;

/* ------------------------------------------------------------------ this test's encoder */

struct b {
	uint8_t buf[8192];
	size_t len;
};

static size_t b_put(struct b *b, const void *data, size_t n)
{
	size_t at = b->len;

	assert_true(b->len + NLMSG_ALIGN(n) <= sizeof(b->buf));
	memset(b->buf + at, 0, NLMSG_ALIGN(n));
	if (data)
		memcpy(b->buf + at, data, n);
	b->len += NLMSG_ALIGN(n);
	return at;
}

static size_t b_msg(struct b *b, uint16_t type, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = seq };

	return b_put(b, &h, sizeof(h));
}

static void b_end_msg(struct b *b, size_t at)
{
	((struct nlmsghdr *)(b->buf + at))->nlmsg_len = (uint32_t)(b->len - at);
}

static size_t b_attr(struct b *b, uint16_t type, const void *data, size_t n)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + n), .nla_type = type };
	size_t at = b_put(b, &a, sizeof(a));

	b->len = at + NLA_HDRLEN;
	b_put(b, data, n);
	return at;
}

static void b_end_nest(struct b *b, size_t at)
{
	((struct nlattr *)(b->buf + at))->nla_len = (uint16_t)(b->len - at);
}

static void b_u32(struct b *b, uint16_t type, uint32_t v)
{
	b_attr(b, type, &v, sizeof(v));
}

/* What the kernel's rtnl_fill_vfinfo() puts in for VF @i (stats left out, as asked). */
static void b_vf_info(struct b *b, unsigned i, const struct model_vf *v)
{
	struct ifla_vf_mac mac = { .vf = i };
	struct ifla_vf_broadcast bc;
	struct ifla_vf_vlan vlan = { .vf = i, .vlan = v->vlan, .qos = v->qos };
	struct ifla_vf_rate rate = { .vf = i, .min_tx_rate = 0, .max_tx_rate = 0 };
	struct ifla_vf_tx_rate txr = { .vf = i };
	struct ifla_vf_spoofchk sp = { .vf = i, .setting = v->spoofchk };
	struct ifla_vf_link_state ls = { .vf = i, .link_state = v->link };
	struct ifla_vf_rss_query_en rss = { .vf = i, .setting = (uint32_t)-1 };
	struct ifla_vf_trust tr = { .vf = i, .setting = fk.hide_trust ? (uint32_t)-1 : v->trust };
	struct ifla_vf_vlan_info vi = { .vf = i, .vlan = v->vlan, .qos = v->qos,
					.vlan_proto = htons(ETH_P_8021Q) };
	size_t info, list;

	memcpy(mac.mac, v->mac, 6);
	memset(&bc, 0xff, sizeof(bc));
	info = b_attr(b, IFLA_VF_INFO | NLA_F_NESTED, NULL, 0);
	b_attr(b, IFLA_VF_MAC, &mac, sizeof(mac));
	b_attr(b, IFLA_VF_BROADCAST, &bc, sizeof(bc));
	b_attr(b, IFLA_VF_VLAN, &vlan, sizeof(vlan));
	b_attr(b, IFLA_VF_RATE, &rate, sizeof(rate));
	b_attr(b, IFLA_VF_TX_RATE, &txr, sizeof(txr));
	b_attr(b, IFLA_VF_SPOOFCHK, &sp, sizeof(sp));
	b_attr(b, IFLA_VF_LINK_STATE, &ls, sizeof(ls));
	b_attr(b, IFLA_VF_RSS_QUERY_EN, &rss, sizeof(rss));
	b_attr(b, IFLA_VF_TRUST, &tr, sizeof(tr));
	list = b_attr(b, IFLA_VF_VLAN_LIST | NLA_F_NESTED, NULL, 0);
	b_attr(b, IFLA_VF_VLAN_INFO, &vi, sizeof(vi));
	b_end_nest(b, list);
	b_end_nest(b, info);
}

static void b_newlink(struct b *b, uint32_t seq)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = fk.ifindex, .ifi_type = 1 };
	size_t m = b_msg(b, RTM_NEWLINK, 0, seq), list;
	unsigned i;

	b_put(b, &ifi, sizeof(ifi));
	b_attr(b, IFLA_IFNAME, fk.ifname, strlen(fk.ifname) + 1);
	b_u32(b, IFLA_MTU, 1500);
	if (!fk.no_parent)
		b_u32(b, IFLA_NUM_VF, fk.nvfs);
	if (!fk.no_parent && !fk.no_report && fk.nvfs) {
		list = b_attr(b, IFLA_VFINFO_LIST | NLA_F_NESTED, NULL, 0);
		for (i = 0; i < fk.nvfs; i++)
			b_vf_info(b, i, &fk.vf[i]);
		b_end_nest(b, list);
	}
	b_end_msg(b, m);
}

/* The kernel's ack with NETLINK_CAP_ACK: the request's header only, then the TLVs. */
static void b_ack(struct b *b, const struct nlmsghdr *req, int err, const char *msg)
{
	struct nlmsgerr e = { .error = err, .msg = *req };
	size_t m = b_msg(b, NLMSG_ERROR, NLM_F_CAPPED | (msg ? NLM_F_ACK_TLVS : 0),
			 req->nlmsg_seq);

	b_put(b, &e, sizeof(e));
	if (msg)
		b_attr(b, NLMSGERR_ATTR_MSG, msg, strlen(msg) + 1);
	b_end_msg(b, m);
}

/* ------------------------------------------------------------------ the fake kernel */

static int apply(const struct nlmsghdr *h, unsigned *type)
{
	struct ifinfomsg *ifi = nlmsg_data(h);
	struct nlattr *list, *info, *a;
	int rem;

	*type = 0;
	if (ifi->ifi_index != fk.ifindex)
		return -ENODEV;
	list = nlmsg_find_attr((struct nlmsghdr *)h, sizeof(*ifi), IFLA_VFINFO_LIST);
	assert_non_null(list);
	info = nla_find(nla_data(list), nla_len(list), IFLA_VF_INFO);
	assert_non_null(info);
	nla_for_each_nested(a, info, rem) {
		uint32_t vf = *(uint32_t *)nla_data(a);
		struct model_vf *v = &fk.vf[vf < 4 ? vf : 0];

		*type = nla_type(a);
		if (*type == fk.refuse_type && ++fk.seen_of_type == fk.refuse_nth)
			return fk.refuse_err;
		if (vf >= fk.nvfs)
			return -EINVAL;
		switch (*type) {
		case IFLA_VF_MAC: {
			struct ifla_vf_mac *m = nla_data(a);

			if (m->mac[0] & 1)
				return -EINVAL; /* as netdevsim */
			memcpy(v->mac, m->mac, 6);
			break;
		}
		case IFLA_VF_VLAN: {
			struct ifla_vf_vlan *x = nla_data(a);

			v->vlan = x->vlan;
			v->qos = x->qos;
			break;
		}
		case IFLA_VF_TRUST:
			v->trust = ((struct ifla_vf_trust *)nla_data(a))->setting;
			break;
		case IFLA_VF_SPOOFCHK:
			v->spoofchk = ((struct ifla_vf_spoofchk *)nla_data(a))->setting;
			break;
		case IFLA_VF_LINK_STATE: {
			uint32_t s = ((struct ifla_vf_link_state *)nla_data(a))->link_state;

			if (s > 2)
				return -EINVAL;
			v->link = s;
			break;
		}
		default:
			fail_msg("unexpected VF attribute %u", *type);
		}
	}
	return 0;
}

ssize_t __wrap_vfiox_sys_netlink_transact(int protocol, const void *req, size_t len,
					  void **reply)
{
	const struct nlmsghdr *h = req;
	unsigned i = fk.calls++, type;
	static struct b b;
	int err = 0;

	assert_int_equal(protocol, NETLINK_ROUTE);
	assert_true(i < MAX_REQ && len <= sizeof(fk.req[0]));
	assert_int_equal(h->nlmsg_len, len);
	memcpy(fk.req[i], req, len);
	fk.req_len[i] = len;
	if (fk.fail_call == i + 1) {
		*reply = NULL;
		return fk.fail_err;
	}
	if (fk.real) {
		if (fk.bend_get && h->nlmsg_type == RTM_GETLINK)
			((struct ifinfomsg *)NLMSG_DATA((struct nlmsghdr *)fk.req[i]))->ifi_flags = 1;
		return __real_vfiox_sys_netlink_transact(protocol, fk.req[i], len, reply);
	}
	b.len = 0;
	if (h->nlmsg_type == RTM_GETLINK) {
		struct ifinfomsg *ifi = nlmsg_data(h);
		struct nlattr *name = nlmsg_find_attr((struct nlmsghdr *)h, sizeof(*ifi),
						      IFLA_IFNAME);

		if (ifi->ifi_index ? ifi->ifi_index != fk.ifindex :
		    !name || strcmp(nla_data(name), fk.ifname))
			err = -ENODEV;
		else
			b_newlink(&b, h->nlmsg_seq);
	} else {
		assert_int_equal(h->nlmsg_type, RTM_SETLINK);
		err = apply(h, &type);
	}
	b_ack(&b, h, err, err && err == fk.refuse_err && fk.refuse_msg ? fk.refuse_msg : NULL);
	*reply = malloc(b.len);
	assert_non_null(*reply);
	memcpy(*reply, b.buf, b.len);
	return (ssize_t)b.len;
}

static const struct model_vf VF1_BEFORE = {
	.mac = { 0x02, 0, 0, 0, 0, 0x11 }, .vlan = 0, .qos = 0, .spoofchk = 1, .trust = 0,
	.link = IFLA_VF_LINK_STATE_AUTO,
};

static struct env *vf_env(void)
{
	struct env *e = env_empty(0);

	env_ctx(e);
	memset(&fk, 0, sizeof(fk));
	snprintf(fk.ifname, sizeof(fk.ifname), IFNAME);
	fk.ifindex = IFINDEX;
	fk.nvfs = 2;
	fk.vf[1] = VF1_BEFORE;
	return e;
}

/* Request @i: its type and ifindex, and the one attribute inside IFLA_VF_INFO. */
static const void *vf_attr(unsigned i, int *ifindex, int *type, int *len)
{
	struct nlmsghdr *h = (struct nlmsghdr *)fk.req[i];
	struct ifinfomsg *ifi = nlmsg_data(h);
	struct nlattr *list, *info, *a, *only = NULL;
	int rem, n = 0;

	assert_int_equal(h->nlmsg_type, RTM_SETLINK);
	assert_int_equal(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	*ifindex = ifi->ifi_index;
	list = nlmsg_find_attr(h, sizeof(*ifi), IFLA_VFINFO_LIST);
	assert_non_null(list);
	info = nla_find(nla_data(list), nla_len(list), IFLA_VF_INFO);
	assert_non_null(info);
	nla_for_each_nested(a, info, rem) {
		only = a;
		n++;
	}
	assert_int_equal(n, 1);
	*type = nla_type(only);
	*len = nla_len(only);
	return nla_data(only);
}

static int req_type(unsigned i)
{
	int ifindex, type, len;

	vf_attr(i, &ifindex, &type, &len);
	return type;
}

static void assert_vf1_is(const struct model_vf *want)
{
	assert_memory_equal(fk.vf[1].mac, want->mac, 6);
	assert_int_equal(fk.vf[1].vlan, want->vlan);
	assert_int_equal(fk.vf[1].qos, want->qos);
	assert_int_equal(fk.vf[1].trust, want->trust);
	assert_int_equal(fk.vf[1].spoofchk, want->spoofchk);
	assert_int_equal(fk.vf[1].link, want->link);
}

static const struct vfiox_vf_config ALL = {
	.set = VFIOX_VF_MAC | VFIOX_VF_VLAN | VFIOX_VF_TRUST | VFIOX_VF_SPOOFCHK |
	       VFIOX_VF_LINK_STATE,
	.mac = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x07 }, .vlan = 100, .qos = 3,
	.trust = true, .spoofchk = false, .link_state = VFIOX_VF_LINK_DISABLE,
};

/* ------------------------------------------------------------------ requests */

static void test_getlink_asks_for_the_vf_info_by_name(void **state)
{
	struct env *e = vf_env();
	struct vfiox_vf_config cfg;
	struct nlmsghdr *h = (struct nlmsghdr *)fk.req[0];
	struct ifinfomsg *ifi = nlmsg_data(h);
	struct nlattr *name, *mask;

	(void)state;
	assert_int_equal(vfiox_netdev_vf_get(e->ctx, IFNAME, 1, &cfg), 0);
	assert_int_equal(fk.calls, 1);
	assert_int_equal(h->nlmsg_type, RTM_GETLINK);
	assert_int_equal(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(ifi->ifi_index, 0);
	assert_int_equal(ifi->ifi_flags | ifi->ifi_change | ifi->ifi_type, 0);
	name = nlmsg_find_attr(h, sizeof(*ifi), IFLA_IFNAME);
	mask = nlmsg_find_attr(h, sizeof(*ifi), IFLA_EXT_MASK);
	assert_non_null(name);
	assert_non_null(mask);
	assert_string_equal(nla_data(name), IFNAME);
	assert_int_equal(nla_get_u32(mask), RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS);
	env_free(e);
}

static void test_each_setting_is_one_setlink_in_order(void **state)
{
	struct env *e = vf_env();
	const struct ifla_vf_mac *mac;
	const struct ifla_vf_vlan *vlan;
	const struct ifla_vf_trust *trust;
	const struct ifla_vf_spoofchk *spoof;
	const struct ifla_vf_link_state *ls;
	int ifindex, type, len;

	(void)state;
	assert_int_equal(vfiox_netdev_vf_configure(e->ctx, IFNAME, 1, &ALL), 0);
	/* the read first, then five writes to the ifindex it gave */
	assert_int_equal(fk.calls, 6);
	assert_int_equal(((struct nlmsghdr *)fk.req[0])->nlmsg_type, RTM_GETLINK);
	mac = vf_attr(1, &ifindex, &type, &len);
	assert_int_equal(ifindex, IFINDEX);
	assert_int_equal(type, IFLA_VF_MAC);
	assert_int_equal(len, sizeof(*mac));
	assert_int_equal(mac->vf, 1);
	assert_memory_equal(mac->mac, ALL.mac, 6);
	vlan = vf_attr(2, &ifindex, &type, &len);
	assert_int_equal(type, IFLA_VF_VLAN);
	assert_int_equal(len, sizeof(*vlan));
	assert_int_equal(vlan->vf, 1);
	assert_int_equal(vlan->vlan, 100);
	assert_int_equal(vlan->qos, 3);
	trust = vf_attr(3, &ifindex, &type, &len);
	assert_int_equal(type, IFLA_VF_TRUST);
	assert_int_equal(trust->setting, 1);
	spoof = vf_attr(4, &ifindex, &type, &len);
	assert_int_equal(type, IFLA_VF_SPOOFCHK);
	assert_int_equal(spoof->setting, 0);
	ls = vf_attr(5, &ifindex, &type, &len);
	assert_int_equal(type, IFLA_VF_LINK_STATE);
	assert_int_equal(len, sizeof(*ls));
	assert_int_equal(ls->vf, 1);
	assert_int_equal(ls->link_state, IFLA_VF_LINK_STATE_DISABLE);
	assert_int_not_equal(((struct nlmsghdr *)fk.req[1])->nlmsg_seq,
			     ((struct nlmsghdr *)fk.req[2])->nlmsg_seq);
	/* the driver has them */
	assert_memory_equal(fk.vf[1].mac, ALL.mac, 6);
	assert_int_equal(fk.vf[1].vlan * 10 + fk.vf[1].qos, 1003);
	assert_int_equal(fk.vf[1].trust * 100 + fk.vf[1].spoofchk * 10 + fk.vf[1].link, 102);
	env_free(e);
}

static void test_bad_values_never_reach_the_kernel(void **state)
{
	struct env *e = vf_env();
	struct vfiox_vf_config vlan = { .set = VFIOX_VF_VLAN, .vlan = 4096 };
	struct vfiox_vf_config qos = { .set = VFIOX_VF_VLAN, .vlan = 1, .qos = 8 };
	struct vfiox_vf_config unknown = { .set = 1 << 7 };

	(void)state;
	assert_int_equal(vfiox_netdev_vf_configure(e->ctx, IFNAME, 0, &vlan), -EINVAL);
	env_assert_error(e, "VF 0 of " IFNAME ": VLAN 4096 qos 0 is out of range", NULL, NULL);
	assert_int_equal(vfiox_netdev_vf_configure(e->ctx, IFNAME, 0, &qos), -EINVAL);
	assert_int_equal(vfiox_netdev_vf_configure(e->ctx, IFNAME, 0, &unknown), -EINVAL);
	env_assert_error(e, "unknown settings 0x80", NULL, NULL);
	assert_int_equal(vfiox_sriov_vf_configure(e->ctx, PF, 0, &qos), -EINVAL);
	assert_int_equal(vfiox_sriov_vf_configure(e->ctx, "x", 0, &vlan), -EINVAL);
	assert_int_equal(vfiox_netdev_vf_configure(e->ctx, "", 0, &ALL), -EINVAL);
	assert_int_equal(vfiox_netdev_vf_configure(e->ctx, "a/b", 0, &ALL), -EINVAL);
	assert_int_equal(vfiox_netdev_vf_configure(e->ctx, "0123456789abcdef", 0, &ALL), -EINVAL);
	env_assert_error(e, "is not a network interface name", "1 to 15 characters", NULL);
	assert_int_equal(vfiox_netdev_vf_get(e->ctx, "..", 0, &qos), -EINVAL);
	assert_int_equal(fk.calls, 0);
	env_free(e);
}

/* ------------------------------------------------------------------ read back */

static void test_get_reads_every_setting(void **state)
{
	struct env *e = vf_env();
	struct vfiox_vf_config cfg;

	(void)state;
	fk.vf[1] = (struct model_vf){ .mac = { 0x02, 1, 2, 3, 4, 5 }, .vlan = 4095, .qos = 7,
				      .spoofchk = 0, .trust = 1, .link = 2 };
	memset(&cfg, 0xa5, sizeof(cfg));
	assert_int_equal(vfiox_netdev_vf_get(e->ctx, IFNAME, 1, &cfg), 0);
	assert_int_equal(cfg.set, ALL.set);
	assert_memory_equal(cfg.mac, fk.vf[1].mac, 6);
	assert_int_equal(cfg.vlan, 4095);
	assert_int_equal(cfg.qos, 7);
	assert_true(cfg.trust);
	assert_false(cfg.spoofchk);
	assert_int_equal(cfg.link_state, VFIOX_VF_LINK_DISABLE);

	/* A driver that does not report trust: (u32)-1, left out of .set */
	fk.hide_trust = true;
	assert_int_equal(vfiox_netdev_vf_get(e->ctx, IFNAME, 0, &cfg), 0);
	assert_int_equal(cfg.set, ALL.set & ~(unsigned)VFIOX_VF_TRUST);
	env_free(e);
}

static void test_get_says_what_is_missing(void **state)
{
	struct env *e = vf_env();
	struct vfiox_vf_config cfg;

	(void)state;
	assert_int_equal(vfiox_netdev_vf_get(e->ctx, IFNAME, 2, &cfg), -ENOENT);
	env_assert_error(e, IFNAME " has no VF 2: it has 2 VFs", NULL, NULL);
	assert_int_equal(vfiox_netdev_vf_get(e->ctx, "eth9", 0, &cfg), -ENODEV);
	env_assert_error(e, "eth9: no such network interface", NULL, NULL);
	fk.no_report = true;
	assert_int_equal(vfiox_netdev_vf_get(e->ctx, IFNAME, 0, &cfg), -EOPNOTSUPP);
	env_assert_error(e, IFNAME ": its driver does not report the settings of its VFs", NULL,
			 NULL);
	fk.no_parent = true;
	assert_int_equal(vfiox_netdev_vf_get(e->ctx, IFNAME, 0, &cfg), -ENOENT);
	env_assert_error(e, IFNAME " has no SR-IOV VFs", NULL, NULL);
	fk.no_parent = false;
	fk.no_report = false;
	fk.nvfs = 0;
	assert_int_equal(vfiox_netdev_vf_get(e->ctx, IFNAME, 0, &cfg), -ENOENT);
	env_assert_error(e, IFNAME " has no VF 0: it has 0 VFs", NULL, NULL);
	env_free(e);
}

/* ------------------------------------------------------------------ refusals */

static void test_refusal_quotes_the_kernels_reason(void **state)
{
	struct env *e = vf_env();
	struct vfiox_vf_config cfg = { .set = VFIOX_VF_VLAN, .vlan = 5, .qos = 1 };

	(void)state;
	fk.refuse_type = IFLA_VF_VLAN;
	fk.refuse_nth = 1;
	fk.refuse_err = -EINVAL;
	fk.refuse_msg = "VF VLAN 5 not allowed\n in switchdev mode";
	assert_int_equal(vfiox_netdev_vf_configure(e->ctx, IFNAME, 1, &cfg), -EINVAL);
	env_assert_error(e, "VF 1 of " IFNAME ": the kernel refused the VLAN 5 qos 1: "
			 "VF VLAN 5 not allowed? in switchdev mode (Invalid argument)",
			 "nothing else was changed", NULL);
	assert_int_equal(fk.calls, 2);
	env_free(e);
}

static void test_refusal_without_reason_says_so(void **state)
{
	struct env *e = vf_env();
	struct vfiox_vf_config cfg = { .set = VFIOX_VF_MAC | VFIOX_VF_TRUST,
				       .mac = { 0x01, 0x00, 0x5e, 0, 0, 1 }, .trust = true };

	(void)state;
	/* the driver's own refusal (netdevsim refuses a multicast MAC with -EINVAL) */
	assert_int_equal(vfiox_netdev_vf_configure(e->ctx, IFNAME, 1, &cfg), -EINVAL);
	env_assert_error(e, "the kernel refused the MAC address 01:00:5e:00:00:01: Invalid "
			 "argument, the kernel gave no reason",
			 "it is a multicast address, and a VF needs a unicast MAC",
			 "nothing else was changed");
	assert_int_equal(fk.calls, 2); /* trust was not tried */
	assert_vf1_is(&VF1_BEFORE);

	fk.calls = 0;
	fk.refuse_type = IFLA_VF_TRUST;
	fk.refuse_nth = 1;
	fk.refuse_err = -EOPNOTSUPP;
	cfg.set = VFIOX_VF_TRUST;
	assert_int_equal(vfiox_netdev_vf_configure(e->ctx, IFNAME, 1, &cfg), -EOPNOTSUPP);
	env_assert_error(e, "the kernel refused the trust on", "cannot set this on a VF", NULL);

	fk.seen_of_type = 0;
	fk.refuse_err = -EPERM;
	assert_int_equal(vfiox_netdev_vf_configure(e->ctx, IFNAME, 1, &cfg), -EPERM);
	env_assert_error(e, "needs CAP_NET_ADMIN", NULL, NULL);
	env_free(e);
}

static void test_rollback_puts_back_what_this_call_set(void **state)
{
	struct env *e = vf_env();
	struct vfiox_vf_config cfg = ALL;
	int ifindex, type, len;
	const struct ifla_vf_mac *mac;
	const struct ifla_vf_spoofchk *sp;

	(void)state;
	cfg.link_state = 7; /* the driver's to refuse */
	assert_int_equal(vfiox_netdev_vf_configure(e->ctx, IFNAME, 1, &cfg), -EINVAL);
	env_assert_error(e, "VF 1 of " IFNAME ": the kernel refused the link state 7: Invalid "
			 "argument, the kernel gave no reason; link states are auto, enable and "
			 "disable", "; put back as they were before: MAC address, VLAN, trust and "
			 "spoof check", NULL);
	/* read, 4 writes, the refused one, 4 writes back, the last first */
	assert_int_equal(fk.calls, 10);
	assert_int_equal(req_type(5), IFLA_VF_LINK_STATE);
	assert_int_equal(req_type(6), IFLA_VF_SPOOFCHK);
	assert_int_equal(req_type(7), IFLA_VF_TRUST);
	assert_int_equal(req_type(8), IFLA_VF_VLAN);
	assert_int_equal(req_type(9), IFLA_VF_MAC);
	sp = vf_attr(6, &ifindex, &type, &len);
	assert_int_equal(sp->setting, 1);
	mac = vf_attr(9, &ifindex, &type, &len);
	assert_int_equal(mac->vf, 1);
	assert_memory_equal(mac->mac, VF1_BEFORE.mac, 6);
	assert_vf1_is(&VF1_BEFORE);
	env_free(e);
}

static void test_rollback_that_fails_says_what_stays_set(void **state)
{
	struct env *e = vf_env();
	struct vfiox_vf_config cfg = ALL;
	struct model_vf want = VF1_BEFORE;

	(void)state;
	/* spoof check refused; then the trust's way back refused too */
	fk.refuse_type = IFLA_VF_SPOOFCHK;
	fk.refuse_nth = 1;
	fk.refuse_err = -EBUSY;
	fk.refuse_msg = "port busy";
	assert_int_equal(vfiox_netdev_vf_configure(e->ctx, IFNAME, 1, &cfg), -EBUSY);
	env_assert_error(e, "the kernel refused the spoof check off: port busy (Device or "
			 "resource busy)", "put back as they were before: MAC address, VLAN and "
			 "trust", NULL);
	assert_vf1_is(&VF1_BEFORE);

	fk.calls = 0;
	fk.seen_of_type = 0;
	fk.refuse_type = IFLA_VF_TRUST;
	fk.refuse_nth = 2; /* the write back */
	fk.refuse_err = -EIO;
	fk.refuse_msg = "firmware timeout";
	cfg.link_state = 9;
	assert_int_equal(vfiox_netdev_vf_configure(e->ctx, IFNAME, 1, &cfg), -EINVAL);
	env_assert_error(e, "put back as they were before: MAC address, VLAN and spoof check; "
			 "still set as this call set them: trust (putting back the trust failed: "
			 "firmware timeout (Input/output error))", NULL, NULL);
	want.trust = 1;
	assert_vf1_is(&want);
	env_free(e);
}

static void test_no_answer_halfway_is_rolled_back_too(void **state)
{
	struct env *e = vf_env();
	struct vfiox_vf_config cfg = ALL;

	(void)state;
	fk.fail_call = 4; /* read, MAC, VLAN, then trust: no answer */
	fk.fail_err = -ETIMEDOUT;
	assert_int_equal(vfiox_netdev_vf_configure(e->ctx, IFNAME, 1, &cfg), -ETIMEDOUT);
	env_assert_error(e, "VF 1 of " IFNAME ": no answer to setting the trust on: " IFNAME
			 ": rtnetlink failed: Connection timed out", "; put back as they were "
			 "before: MAC address and VLAN", NULL);
	assert_int_equal(fk.calls, 6);
	assert_vf1_is(&VF1_BEFORE);
	env_free(e);
}

static void test_driver_that_does_not_report_cannot_be_rolled_back(void **state)
{
	struct env *e = vf_env();
	struct vfiox_vf_config cfg = { .set = VFIOX_VF_MAC | VFIOX_VF_TRUST,
				       .mac = { 0x02, 0, 0, 0, 0, 0x99 }, .trust = true };

	(void)state;
	fk.no_report = true;
	fk.refuse_type = IFLA_VF_TRUST;
	fk.refuse_nth = 1;
	fk.refuse_err = -EINVAL;
	assert_int_equal(vfiox_netdev_vf_configure(e->ctx, IFNAME, 1, &cfg), -EINVAL);
	env_assert_error(e, "still set as this call set them: MAC address (the driver does not "
			 "report VF settings, so they could not be read first)", NULL, NULL);
	assert_int_equal(fk.calls, 3);
	env_free(e);
}

/* ------------------------------------------------------------------ the PCI path */

static void add_netdev(struct env *e, const char *dev, const char *name, int ifindex)
{
	char path[PATH_MAX], attr[128], val[16];

	FX(e, fx_dev_path(e->fx, dev, "net", path, sizeof(path)));
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s", name);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(attr, sizeof(attr), "net/%s/ifindex", name);
	snprintf(val, sizeof(val), "%d\n", ifindex);
	FX(e, fx_write_attr(e->fx, dev, attr, val));
}

static void test_pci_pf_goes_by_its_interface(void **state)
{
	const struct fx_dev pf = { .addr = PF, .vendor = 0x8086, .device = 0x10fb,
				   .class_code = 0x020000, .driver = "ixgbe", .group = 21,
				   .numa = -1 };
	struct env *e = vf_env();
	struct vfiox_vf_config cfg = { .set = VFIOX_VF_TRUST, .trust = true };
	struct vfiox_vf_config got;
	struct nlmsghdr *h = (struct nlmsghdr *)fk.req[0];

	(void)state;
	FX(e, fx_add_dev(e->fx, &pf));
	assert_int_equal(vfiox_sriov_vf_configure(e->ctx, PF, 1, &cfg), -ENODEV);
	env_assert_error(e, PF " has no network interface (driver ixgbe)", "--mac", NULL);
	assert_int_equal(vfiox_sriov_vf_get(e->ctx, PF, 1, &got), -ENODEV);
	assert_int_equal(fk.calls, 0);

	add_netdev(e, PF, IFNAME, IFINDEX);
	assert_int_equal(vfiox_sriov_vf_configure(e->ctx, PF, 1, &cfg), 0);
	/* by the index sysfs gave, not by name */
	assert_int_equal(((struct ifinfomsg *)nlmsg_data(h))->ifi_index, IFINDEX);
	assert_null(nlmsg_find_attr(h, sizeof(struct ifinfomsg), IFLA_IFNAME));
	assert_int_equal(vfiox_sriov_vf_get(e->ctx, PF, 1, &got), 0);
	assert_true(got.trust);
	fk.refuse_type = IFLA_VF_TRUST;
	fk.refuse_nth = 1;
	fk.refuse_err = -EINVAL;
	assert_int_equal(vfiox_sriov_vf_configure(e->ctx, PF, 1, &cfg), -EINVAL);
	env_assert_error(e, "VF 1 of " IFNAME " (PF " PF "): the kernel refused the trust on",
			 NULL, NULL);
	assert_int_equal(vfiox_sriov_vf_get(e->ctx, PF, 5, &got), -ENOENT);
	env_assert_error(e, IFNAME " (PF " PF ") has no VF 5", NULL, NULL);
	env_free(e);
}

/* ------------------------------------------------------------------ the parser */

/* A good answer to RTM_GETLINK of sequence 42: other traffic, the link, the ack. */
static void good_reply(struct b *b)
{
	struct nlmsghdr req = { .nlmsg_len = 40, .nlmsg_type = RTM_GETLINK, .nlmsg_seq = 42 };
	size_t m;

	memset(&fk, 0, sizeof(fk));
	snprintf(fk.ifname, sizeof(fk.ifname), IFNAME);
	fk.ifindex = IFINDEX;
	fk.nvfs = 3;
	fk.vf[1] = VF1_BEFORE;
	fk.vf[2] = (struct model_vf){ .mac = { 2, 0, 0, 0, 0, 2 }, .vlan = 9, .qos = 2,
				      .trust = 1, .link = 1 };
	b->len = 0;
	m = b_msg(b, RTM_NEWLINK, 0, 41); /* another request's: skipped */
	b_put(b, &(struct ifinfomsg){ .ifi_index = 99 }, sizeof(struct ifinfomsg));
	b_end_msg(b, m);
	b_newlink(b, 42);
	b_ack(b, &req, 0, NULL);
}

static void test_parse_good_reply(void **state)
{
	struct vfiox_vf_reply r;
	struct b b;

	(void)state;
	good_reply(&b);
	assert_int_equal(vfiox__vf_parse(b.buf, b.len, 42, 2, &r), 0);
	assert_int_equal(r.error, 0);
	assert_true(r.have_link);
	assert_int_equal(r.ifindex, IFINDEX);
	assert_string_equal(r.ifname, IFNAME);
	assert_int_equal(r.num_vfs, 3);
	assert_true(r.have_vfinfo);
	assert_int_equal(r.nvfs, 3);
	assert_true(r.vf_found);
	assert_int_equal(r.cfg.set, ALL.set);
	assert_int_equal(r.cfg.vlan * 10 + r.cfg.qos, 92);
	assert_int_equal(r.cfg.trust * 100 + r.cfg.spoofchk * 10 + r.cfg.link_state, 101);
	assert_int_equal(r.cfg.mac[5], 2);
	assert_int_equal(vfiox__vf_parse(b.buf, b.len, 42, 3, &r), 0);
	assert_false(r.vf_found);
	assert_int_equal(vfiox__vf_parse(b.buf, b.len, 42, 1, &r), 0);
	assert_true(r.vf_found);
	assert_int_equal(r.cfg.mac[5], 0x11);
}

static void test_parse_ack_reasons(void **state)
{
	struct nlmsghdr req = { .nlmsg_len = 60, .nlmsg_type = RTM_SETLINK, .nlmsg_seq = 5 };
	struct vfiox_vf_reply r;
	uint8_t echoed[44] = { 0 };
	struct nlmsgerr e = { .error = -EINVAL, .msg = req };
	char nonul[4] = { 'a', 'b', 'c', 'd' };
	struct b b = { .len = 0 };
	size_t m;

	(void)state;
	/* capped, with a message: control characters made '?' */
	b_ack(&b, &req, -ERANGE, "bad\tvalue\x7f!");
	assert_int_equal(vfiox__vf_parse(b.buf, b.len, 5, 0, &r), 0);
	assert_int_equal(r.error, -ERANGE);
	assert_string_equal(r.why, "bad?value?!");
	assert_false(r.have_link);
	/* not capped: the request echoed whole before the TLVs */
	b.len = 0;
	m = b_msg(&b, NLMSG_ERROR, NLM_F_ACK_TLVS, 5);
	b_put(&b, &e, sizeof(e));
	b_put(&b, echoed, sizeof(echoed));
	b_u32(&b, NLMSGERR_ATTR_OFFS, 20);
	b_attr(&b, NLMSGERR_ATTR_MSG, "echoed", 7);
	b_end_msg(&b, m);
	assert_int_equal(vfiox__vf_parse(b.buf, b.len, 5, 0, &r), 0);
	assert_int_equal(r.error, -EINVAL);
	assert_string_equal(r.why, "echoed");
	/* a message without its NUL */
	b.len = 0;
	m = b_msg(&b, NLMSG_ERROR, NLM_F_ACK_TLVS | NLM_F_CAPPED, 5);
	b_put(&b, &e, sizeof(e));
	b_attr(&b, NLMSGERR_ATTR_MSG, nonul, sizeof(nonul));
	b_end_msg(&b, m);
	assert_int_equal(vfiox__vf_parse(b.buf, b.len, 5, 0, &r), -EBADMSG);
	/* an echoed length beyond the message */
	b.len = 0;
	e.msg.nlmsg_len = 4000;
	m = b_msg(&b, NLMSG_ERROR, NLM_F_ACK_TLVS, 5);
	b_put(&b, &e, sizeof(e));
	b_end_msg(&b, m);
	assert_int_equal(vfiox__vf_parse(b.buf, b.len, 5, 0, &r), -EBADMSG);
	/* an error that is not -errno */
	b.len = 0;
	b_ack(&b, &req, 5, NULL);
	assert_int_equal(vfiox__vf_parse(b.buf, b.len, 5, 0, &r), -EBADMSG);
	b.len = 0;
	b_ack(&b, &req, -100000, NULL);
	assert_int_equal(vfiox__vf_parse(b.buf, b.len, 5, 0, &r), -EBADMSG);
	/* an ack of another sequence is not ours: no ack at all */
	b.len = 0;
	b_ack(&b, &req, 0, NULL);
	assert_int_equal(vfiox__vf_parse(b.buf, b.len, 6, 0, &r), -EBADMSG);
	/* NLMSG_DONE ends it too */
	b.len = 0;
	m = b_msg(&b, NLMSG_DONE, 0, 5);
	b_end_msg(&b, m);
	assert_int_equal(vfiox__vf_parse(b.buf, b.len, 5, 0, &r), 0);
	assert_int_equal(r.error, 0);
}

/* Every cut of the good reply is refused (the ack, last, is then missing or torn). */
static void test_parse_refuses_every_truncation(void **state)
{
	struct vfiox_vf_reply r;
	struct b b;
	size_t n;

	(void)state;
	good_reply(&b);
	for (n = 0; n < b.len; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, b.buf, n);
		if (vfiox__vf_parse(copy, n, 42, 1, &r) != -EBADMSG)
			fail_msg("a reply cut at %zu of %zu bytes was taken", n, b.len);
		free(copy);
	}
}

/* The link of good_reply() (its second message), and attributes in it, found with libnl. */
static struct nlmsghdr *link_of(struct b *b)
{
	return (struct nlmsghdr *)(b->buf + NLMSG_ALIGN(((struct nlmsghdr *)b->buf)->nlmsg_len));
}

static struct nlattr *top(struct b *b, int type)
{
	struct nlattr *a = nlmsg_find_attr(link_of(b), sizeof(struct ifinfomsg), type);

	assert_non_null(a);
	return a;
}

static struct nlattr *vf_info(struct b *b, int k)
{
	struct nlattr *list = top(b, IFLA_VFINFO_LIST), *a;
	int rem;

	nla_for_each_nested(a, list, rem)
		if (!k--)
			return a;
	fail_msg("no VF info %d", k);
	return NULL;
}

static struct nlattr *vf_sub(struct b *b, int k, int type)
{
	struct nlattr *info = vf_info(b, k);
	struct nlattr *a = nla_find(nla_data(info), nla_len(info), type);

	assert_non_null(a);
	return a;
}

static void expect_bad(struct b *b, const char *what)
{
	struct vfiox_vf_reply r;

	if (vfiox__vf_parse(b->buf, b->len, 42, 1, &r) != -EBADMSG)
		fail_msg("%s: taken", what);
}

static void test_parse_refuses_bent_replies(void **state)
{
	struct vfiox_vf_reply r;
	struct nlattr *a;
	struct nlmsghdr *h;
	struct b b;

	(void)state;
	good_reply(&b);
	h = link_of(&b);

	h->nlmsg_len += 4000;
	expect_bad(&b, "a message longer than the buffer");
	h->nlmsg_len = 8;
	expect_bad(&b, "a message shorter than its header");
	h->nlmsg_len = NLMSG_HDRLEN + 4;
	expect_bad(&b, "a link shorter than ifinfomsg");

	good_reply(&b);
	((struct ifinfomsg *)NLMSG_DATA(link_of(&b)))->ifi_index = 0;
	expect_bad(&b, "ifindex 0");

	good_reply(&b);
	vf_sub(&b, 1, IFLA_VF_MAC)->nla_len = 8;
	expect_bad(&b, "a short IFLA_VF_MAC");
	good_reply(&b);
	vf_sub(&b, 0, IFLA_VF_VLAN)->nla_len = 10;
	expect_bad(&b, "a short IFLA_VF_VLAN");
	good_reply(&b);
	vf_sub(&b, 2, IFLA_VF_LINK_STATE)->nla_len = 7;
	expect_bad(&b, "a short IFLA_VF_LINK_STATE");
	good_reply(&b);
	vf_info(&b, 0)->nla_len = 2;
	expect_bad(&b, "an attribute shorter than its header");
	good_reply(&b);
	vf_info(&b, 2)->nla_len += 64;
	expect_bad(&b, "a VF beyond its list");
	good_reply(&b);
	top(&b, IFLA_VFINFO_LIST)->nla_len += 200;
	expect_bad(&b, "a list beyond its message");

	/* VF 1's VLAN says VF 0 */
	good_reply(&b);
	a = vf_sub(&b, 1, IFLA_VF_VLAN);
	*(uint32_t *)nla_data(a) = 0;
	expect_bad(&b, "attributes of two VFs in one IFLA_VF_INFO");
	/* VF 2 says it is VF 1 throughout: listed twice */
	good_reply(&b);
	{
		int k;
		static const uint16_t t[] = { IFLA_VF_MAC, IFLA_VF_VLAN, IFLA_VF_SPOOFCHK,
					      IFLA_VF_LINK_STATE, IFLA_VF_TRUST };

		for (k = 0; k < 5; k++)
			*(uint32_t *)nla_data(vf_sub(&b, 2, t[k])) = 1;
	}
	expect_bad(&b, "a VF listed twice");
	good_reply(&b);
	vf_info(&b, 1)->nla_type = IFLA_VF_INFO + 1;
	expect_bad(&b, "something else than IFLA_VF_INFO in the list");
	good_reply(&b);
	a = top(&b, IFLA_IFNAME);
	memset(nla_data(a), 'x', (size_t)nla_len(a));
	expect_bad(&b, "a name without NUL");
	good_reply(&b);
	a = top(&b, IFLA_NUM_VF);
	a->nla_type = IFLA_IFNAME;
	expect_bad(&b, "two names");

	/* a second RTM_NEWLINK of ours */
	good_reply(&b);
	((struct nlmsghdr *)b.buf)->nlmsg_seq = 42;
	expect_bad(&b, "two links");

	/* values out of range are left out, not trusted, and the rest stays */
	good_reply(&b);
	a = vf_sub(&b, 1, IFLA_VF_VLAN);
	((struct ifla_vf_vlan *)nla_data(a))->vlan = 5000;
	a = vf_sub(&b, 1, IFLA_VF_TRUST);
	((struct ifla_vf_trust *)nla_data(a))->setting = 7;
	a = vf_sub(&b, 1, IFLA_VF_LINK_STATE);
	((struct ifla_vf_link_state *)nla_data(a))->link_state = 3;
	assert_int_equal(vfiox__vf_parse(b.buf, b.len, 42, 1, &r), 0);
	assert_int_equal(r.cfg.set, VFIOX_VF_MAC | VFIOX_VF_SPOOFCHK);
	/* an IFLA_VF_INFO without any VF-numbered attribute is skipped */
	good_reply(&b);
	vf_sub(&b, 0, IFLA_VF_MAC)->nla_type = 100;
	vf_sub(&b, 0, IFLA_VF_VLAN)->nla_type = 100;
	vf_sub(&b, 0, IFLA_VF_SPOOFCHK)->nla_type = 100;
	vf_sub(&b, 0, IFLA_VF_LINK_STATE)->nla_type = 100;
	vf_sub(&b, 0, IFLA_VF_TRUST)->nla_type = 100;
	assert_int_equal(vfiox__vf_parse(b.buf, b.len, 42, 1, &r), 0);
	assert_int_equal(r.nvfs, 2);
	assert_true(r.vf_found);
}

static void test_encoders_refuse_what_they_cannot_build(void **state)
{
	uint8_t buf[VFIOX_VF_REQ_MAX];

	(void)state;
	assert_int_equal(vfiox__vf_encode_get(buf, sizeof(buf), 1, 0, ""), -EINVAL);
	assert_int_equal(vfiox__vf_encode_get(buf, sizeof(buf), 1, 0, NULL), -EINVAL);
	assert_int_equal(vfiox__vf_encode_get(buf, sizeof(buf), 1, 0, "0123456789abcdef"),
			 -EINVAL);
	assert_int_equal(vfiox__vf_encode_get(buf, 20, 1, 0, "eth0"), -ENOSPC);
	assert_true(vfiox__vf_encode_get(buf, sizeof(buf), 1, 3, NULL) > 0);
	assert_int_equal(vfiox__vf_encode_set(buf, sizeof(buf), 1, 3, 0, 3, &ALL), -EINVAL);
	assert_int_equal(vfiox__vf_encode_set(buf, sizeof(buf), 1, 0, 0, VFIOX_VF_MAC, &ALL),
			 -EINVAL);
	assert_int_equal(vfiox__vf_encode_set(buf, 40, 1, 3, 0, VFIOX_VF_MAC, &ALL), -ENOSPC);
}

/* ------------------------------------------------------------------ the real kernel */

/*
 * "lo" is no PF: the kernel answers RTM_GETLINK without IFLA_NUM_VF. Then the request with
 * a header a strict kernel refuses (ifi_flags set): its ext-ack reason comes through the
 * real socket into the message.
 */
static void test_real_kernel_answers_and_gives_its_reason(void **state)
{
	struct env *e = vf_env();
	struct vfiox_vf_config cfg;
	int ret;

	(void)state;
	fk.real = true;
	assert_int_equal(vfiox_netdev_vf_get(e->ctx, "lo", 0, &cfg), -ENOENT);
	env_assert_error(e, "lo has no SR-IOV VFs", NULL, NULL);
	assert_int_equal(vfiox_netdev_vf_get(e->ctx, "vfioxnone0", 0, &cfg), -ENODEV);
	fk.bend_get = true;
	ret = vfiox_netdev_vf_get(e->ctx, "lo", 0, &cfg);
	assert_int_equal(ret, -EINVAL);
	/* Linux 5.0 and later, rtnl_valid_getlink_req() */
	env_assert_error(e, "lo: reading its VF settings failed: Invalid values in header for "
			 "get link request (Invalid argument)", NULL, NULL);
	env_free(e);
}

#define T(f) env_test(f)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_getlink_asks_for_the_vf_info_by_name),
		T(test_each_setting_is_one_setlink_in_order),
		T(test_bad_values_never_reach_the_kernel),
		T(test_get_reads_every_setting),
		T(test_get_says_what_is_missing),
		T(test_refusal_quotes_the_kernels_reason),
		T(test_refusal_without_reason_says_so),
		T(test_rollback_puts_back_what_this_call_set),
		T(test_rollback_that_fails_says_what_stays_set),
		T(test_no_answer_halfway_is_rolled_back_too),
		T(test_driver_that_does_not_report_cannot_be_rolled_back),
		T(test_pci_pf_goes_by_its_interface),
		T(test_parse_good_reply),
		T(test_parse_ack_reasons),
		T(test_parse_refuses_every_truncation),
		T(test_parse_refuses_bent_replies),
		T(test_encoders_refuse_what_they_cannot_build),
		T(test_real_kernel_answers_and_gives_its_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
