// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The rtnetlink messages of the VF settings (see vfnet-msg.h): built into a caller's
 * buffer and taken apart without trusting a single length of the kernel's reply.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "vfnet-msg.h"

/* ------------------------------------------------------------------ requests */

struct out {
	uint8_t *buf;
	size_t len, used;
};

static void *out_put(struct out *o, size_t n)
{
	size_t aligned = NLMSG_ALIGN(n);
	void *p;

	if (aligned > o->len - o->used)
		return NULL;
	p = o->buf + o->used;
	memset(p, 0, aligned);
	o->used += aligned;
	return p;
}

/* One attribute; its offset in the buffer (for a nest to be closed), or -ENOSPC. */
static long attr_put(struct out *o, unsigned int type, const void *data, size_t n)
{
	size_t at = o->used;
	struct nlattr *a = out_put(o, NLA_HDRLEN + n);

	if (!a)
		return -ENOSPC;
	a->nla_type = (uint16_t)type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + n);
	if (n)
		memcpy((uint8_t *)a + NLA_HDRLEN, data, n);
	return (long)at;
}

static void nest_end(struct out *o, long at)
{
	struct nlattr *a = (struct nlattr *)(o->buf + at);

	a->nla_type |= NLA_F_NESTED;
	a->nla_len = (uint16_t)(o->used - (size_t)at);
}

static struct nlmsghdr *msg_start(struct out *o, uint16_t type, uint32_t seq, int ifindex)
{
	struct nlmsghdr *h = out_put(o, NLMSG_HDRLEN);
	struct ifinfomsg *ifi = h ? out_put(o, sizeof(*ifi)) : NULL;

	if (!ifi)
		return NULL;
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = seq;
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return h;
}

int vfiox__vf_encode_get(void *buf, size_t len, uint32_t seq, int ifindex, const char *ifname)
{
	struct out o = { buf, len, 0 };
	uint32_t mask = RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS;
	struct nlmsghdr *h;
	size_t n = ifname ? strnlen(ifname, VFIOX_VF_IFNAMSIZ) : 0;

	if (ifindex < 0 || (ifindex == 0 && (n == 0 || n >= VFIOX_VF_IFNAMSIZ)))
		return -EINVAL;
	h = msg_start(&o, RTM_GETLINK, seq, ifindex);
	if (!h)
		return -ENOSPC;
	if (ifindex == 0 && attr_put(&o, IFLA_IFNAME, ifname, n + 1) < 0)
		return -ENOSPC;
	if (attr_put(&o, IFLA_EXT_MASK, &mask, sizeof(mask)) < 0)
		return -ENOSPC;
	h->nlmsg_len = (uint32_t)o.used;
	return (int)o.used;
}

int vfiox__vf_encode_set(void *buf, size_t len, uint32_t seq, int ifindex, unsigned int vf,
			 unsigned int bit, const struct vfiox_vf_config *cfg)
{
	struct out o = { buf, len, 0 };
	struct nlmsghdr *h;
	long list, info, ret;

	if (ifindex <= 0)
		return -EINVAL;
	if (bit != VFIOX_VF_MAC && bit != VFIOX_VF_VLAN && bit != VFIOX_VF_TRUST &&
	    bit != VFIOX_VF_SPOOFCHK && bit != VFIOX_VF_LINK_STATE)
		return -EINVAL;
	h = msg_start(&o, RTM_SETLINK, seq, ifindex);
	if (!h)
		return -ENOSPC;
	list = attr_put(&o, IFLA_VFINFO_LIST, NULL, 0);
	info = list < 0 ? list : attr_put(&o, IFLA_VF_INFO, NULL, 0);
	if (info < 0)
		return -ENOSPC;
	switch (bit) {
	case VFIOX_VF_MAC: {
		struct ifla_vf_mac m = { .vf = vf };

		memcpy(m.mac, cfg->mac, sizeof(cfg->mac));
		ret = attr_put(&o, IFLA_VF_MAC, &m, sizeof(m));
		break;
	}
	case VFIOX_VF_VLAN: {
		struct ifla_vf_vlan v = { .vf = vf, .vlan = cfg->vlan, .qos = cfg->qos };

		ret = attr_put(&o, IFLA_VF_VLAN, &v, sizeof(v));
		break;
	}
	case VFIOX_VF_TRUST: {
		struct ifla_vf_trust t = { .vf = vf, .setting = cfg->trust };

		ret = attr_put(&o, IFLA_VF_TRUST, &t, sizeof(t));
		break;
	}
	case VFIOX_VF_SPOOFCHK: {
		struct ifla_vf_spoofchk s = { .vf = vf, .setting = cfg->spoofchk };

		ret = attr_put(&o, IFLA_VF_SPOOFCHK, &s, sizeof(s));
		break;
	}
	default: {
		struct ifla_vf_link_state l = { .vf = vf, .link_state = cfg->link_state };

		ret = attr_put(&o, IFLA_VF_LINK_STATE, &l, sizeof(l));
		break;
	}
	}
	if (ret < 0)
		return -ENOSPC;
	nest_end(&o, info);
	nest_end(&o, list);
	h->nlmsg_len = (uint32_t)o.used;
	return (int)o.used;
}

/* ------------------------------------------------------------------ replies */

/*
 * Attributes of a region: the next one in *a, its payload in *data and *n; 1, 0 at the
 * end, -EBADMSG when a header or length does not fit what is left.
 */
struct attrs {
	const uint8_t *p;
	size_t left;
};

static int attr_next(struct attrs *it, unsigned int *type, const uint8_t **data, size_t *n)
{
	struct nlattr a;
	size_t step;

	if (it->left == 0)
		return 0;
	if (it->left < NLA_HDRLEN)
		return -EBADMSG;
	memcpy(&a, it->p, sizeof(a));
	if (a.nla_len < NLA_HDRLEN || a.nla_len > it->left)
		return -EBADMSG;
	*type = a.nla_type & NLA_TYPE_MASK;
	*data = it->p + NLA_HDRLEN;
	*n = a.nla_len - NLA_HDRLEN;
	step = NLA_ALIGN(a.nla_len);
	if (step > it->left)
		step = it->left; /* the last attribute may go without its padding */
	it->p += step;
	it->left -= step;
	return 1;
}

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The ack's NLMSGERR_ATTR_MSG, a NUL-terminated string, made printable. */
static int take_reason(const uint8_t *data, size_t n, char *why, size_t len)
{
	size_t i, k = 0;

	if (!n || !memchr(data, '\0', n))
		return -EBADMSG;
	for (i = 0; data[i] && k + 1 < len; i++)
		why[k++] = data[i] < 0x20 || data[i] >= 0x7f ? '?' : (char)data[i];
	why[k] = '\0';
	return 0;
}

static int parse_ack(const uint8_t *m, size_t mlen, uint16_t flags, struct vfiox_vf_reply *r)
{
	struct nlmsgerr e;
	struct attrs it;
	size_t off, echoed = 0;
	unsigned int type;
	const uint8_t *data;
	size_t n;
	int ret;

	if (mlen < NLMSG_HDRLEN + sizeof(e))
		return -EBADMSG;
	memcpy(&e, m + NLMSG_HDRLEN, sizeof(e));
	if (e.error > 0 || e.error < -4095)
		return -EBADMSG;
	r->error = e.error;
	if (!(flags & NLM_F_ACK_TLVS))
		return 0;
	/* Without NLM_F_CAPPED the whole request is echoed before the TLVs. */
	if (!(flags & NLM_F_CAPPED)) {
		if (e.msg.nlmsg_len < NLMSG_HDRLEN || e.msg.nlmsg_len > mlen)
			return -EBADMSG;
		echoed = e.msg.nlmsg_len - NLMSG_HDRLEN;
	}
	off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(e) + echoed);
	if (off > mlen)
		return -EBADMSG;
	it.p = m + off;
	it.left = mlen - off;
	while ((ret = attr_next(&it, &type, &data, &n)) > 0)
		if (type == NLMSGERR_ATTR_MSG && !r->why[0] &&
		    take_reason(data, n, r->why, sizeof(r->why)))
			return -EBADMSG;
	return ret;
}

/* The VF number of one IFLA_VF_INFO's attribute (all of them begin with __u32 vf). */
static int vf_setting(unsigned int type, const uint8_t *data, size_t n, uint32_t *vf,
		      struct vfiox_vf_config *c)
{
	static const size_t need[] = {
		[IFLA_VF_MAC] = sizeof(struct ifla_vf_mac),
		[IFLA_VF_VLAN] = sizeof(struct ifla_vf_vlan),
		[IFLA_VF_SPOOFCHK] = sizeof(struct ifla_vf_spoofchk),
		[IFLA_VF_LINK_STATE] = sizeof(struct ifla_vf_link_state),
		[IFLA_VF_TRUST] = sizeof(struct ifla_vf_trust),
	};
	uint32_t v;

	if (type >= sizeof(need) / sizeof(need[0]) || !need[type])
		return 0; /* not one of ours: rate, RSS, stats, VLAN list... */
	if (n < need[type])
		return -EBADMSG;
	*vf = get_u32(data);
	switch (type) {
	case IFLA_VF_MAC:
		memcpy(c->mac, data + 4, sizeof(c->mac));
		c->set |= VFIOX_VF_MAC;
		break;
	case IFLA_VF_VLAN: {
		uint32_t vlan = get_u32(data + 4), qos = get_u32(data + 8);

		if (vlan <= 4095 && qos <= 7) {
			c->vlan = (uint16_t)vlan;
			c->qos = (uint8_t)qos;
			c->set |= VFIOX_VF_VLAN;
		}
		break;
	}
	case IFLA_VF_SPOOFCHK:
		/* The kernel sends (u32)-1 for what the driver does not report. */
		v = get_u32(data + 4);
		if (v <= 1) {
			c->spoofchk = v;
			c->set |= VFIOX_VF_SPOOFCHK;
		}
		break;
	case IFLA_VF_TRUST:
		v = get_u32(data + 4);
		if (v <= 1) {
			c->trust = v;
			c->set |= VFIOX_VF_TRUST;
		}
		break;
	default:
		v = get_u32(data + 4);
		if (v <= IFLA_VF_LINK_STATE_DISABLE) {
			c->link_state = v;
			c->set |= VFIOX_VF_LINK_STATE;
		}
		break;
	}
	return 1;
}

/* One IFLA_VF_INFO: its VF number (every attribute must agree) and settings. */
static int parse_vf_info(const uint8_t *p, size_t n, bool *indexed, uint32_t *vf,
			 struct vfiox_vf_config *c)
{
	struct attrs it = { p, n };
	unsigned int type;
	const uint8_t *data;
	size_t dn;
	int ret;

	*indexed = false;
	memset(c, 0, sizeof(*c));
	while ((ret = attr_next(&it, &type, &data, &dn)) > 0) {
		uint32_t this;
		int got = vf_setting(type, data, dn, &this, c);

		if (got < 0)
			return got;
		if (!got)
			continue;
		if (*indexed && this != *vf)
			return -EBADMSG;
		*indexed = true;
		*vf = this;
	}
	return ret;
}

/* The VF numbers met in the list, to refuse one listed twice (bounded: 1024 VFs). */
#define VF_SEEN_MAX 1024

static int parse_vfinfo_list(const uint8_t *p, size_t n, unsigned int want,
			     struct vfiox_vf_reply *r)
{
	uint8_t seen[VF_SEEN_MAX / 8] = { 0 };
	struct attrs it = { p, n };
	unsigned int type;
	const uint8_t *data;
	size_t dn;
	int ret;

	while ((ret = attr_next(&it, &type, &data, &dn)) > 0) {
		struct vfiox_vf_config c;
		bool indexed;
		uint32_t vf = 0;

		if (type != IFLA_VF_INFO)
			return -EBADMSG;
		ret = parse_vf_info(data, dn, &indexed, &vf, &c);
		if (ret < 0)
			return ret;
		if (!indexed)
			continue;
		if (vf >= VF_SEEN_MAX || (seen[vf / 8] & (1u << (vf % 8))))
			return -EBADMSG;
		seen[vf / 8] |= (uint8_t)(1u << (vf % 8));
		r->nvfs++;
		if (vf == want) {
			r->vf_found = true;
			r->cfg = c;
		}
	}
	return ret;
}

static int parse_link(const uint8_t *m, size_t mlen, unsigned int vf, struct vfiox_vf_reply *r)
{
	struct ifinfomsg ifi;
	struct attrs it;
	unsigned int type;
	const uint8_t *data;
	size_t n, off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifi));
	bool had_name = false, had_num = false;
	int ret;

	if (r->have_link || mlen < NLMSG_HDRLEN + sizeof(ifi))
		return -EBADMSG;
	memcpy(&ifi, m + NLMSG_HDRLEN, sizeof(ifi));
	if (ifi.ifi_index <= 0)
		return -EBADMSG;
	r->have_link = true;
	r->ifindex = ifi.ifi_index;
	it.p = m + (off < mlen ? off : mlen);
	it.left = off < mlen ? mlen - off : 0;
	while ((ret = attr_next(&it, &type, &data, &n)) > 0) {
		switch (type) {
		case IFLA_IFNAME:
			if (had_name || n < 2 || !memchr(data, '\0', n) ||
			    strlen((const char *)data) + 1 > VFIOX_VF_IFNAMSIZ || !data[0])
				return -EBADMSG;
			memcpy(r->ifname, data, strlen((const char *)data) + 1);
			had_name = true;
			break;
		case IFLA_NUM_VF:
			if (had_num || n < 4)
				return -EBADMSG;
			r->num_vfs = get_u32(data);
			had_num = true;
			break;
		case IFLA_VFINFO_LIST:
			if (r->have_vfinfo)
				return -EBADMSG;
			r->have_vfinfo = true;
			ret = parse_vfinfo_list(data, n, vf, r);
			if (ret < 0)
				return ret;
			break;
		default:
			break;
		}
	}
	return ret;
}

int vfiox__vf_parse(const void *buf, size_t len, uint32_t seq, unsigned int vf,
		    struct vfiox_vf_reply *r)
{
	const uint8_t *p = buf;
	bool ended = false;

	memset(r, 0, sizeof(*r));
	r->num_vfs = -1;
	while (len && !ended) {
		struct nlmsghdr h;
		size_t step;
		int ret = 0;

		if (len < NLMSG_HDRLEN)
			return -EBADMSG;
		memcpy(&h, p, sizeof(h));
		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len)
			return -EBADMSG;
		if (h.nlmsg_seq == seq) {
			switch (h.nlmsg_type) {
			case NLMSG_ERROR:
				ret = parse_ack(p, h.nlmsg_len, h.nlmsg_flags, r);
				ended = true;
				break;
			case NLMSG_DONE:
				ended = true;
				break;
			case RTM_NEWLINK:
				ret = parse_link(p, h.nlmsg_len, vf, r);
				break;
			default:
				break;
			}
			if (ret < 0)
				return ret;
		}
		step = NLMSG_ALIGN(h.nlmsg_len);
		if (step > len)
			step = len;
		p += step;
		len -= step;
	}
	if (!ended || (r->vf_found && !r->have_link))
		return -EBADMSG;
	return 0;
}
