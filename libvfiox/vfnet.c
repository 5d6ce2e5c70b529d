// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VF settings kept by the PF's network driver (MAC, VLAN, trust, spoof check): rtnetlink
 * RTM_SETLINK requests with IFLA_VFINFO_LIST, built with libnl and sent through
 * vfiox_sys_netlink_request(), the one place where they reach the kernel (and where the
 * unit tests read them).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <vfiox/sriov.h>

#include "internal.h"

struct first_name {
	char name[64];
	bool too_long;
};

/* The smallest name, so that a PF with several interfaces always gives the same one. */
static int take_first(void *arg, const char *name)
{
	struct first_name *f = arg;

	if (strlen(name) >= sizeof(f->name)) {
		f->too_long = true;
		return 0;
	}
	if (!f->name[0] || strcmp(name, f->name) < 0)
		snprintf(f->name, sizeof(f->name), "%s", name);
	return 0;
}

int vfiox__pci_netdev(struct vfiox_ctx *ctx, const char *dev, char *name, size_t len,
		      int *ifindex)
{
	char path[PATH_MAX], drv[64] = "";
	struct first_name f = { "", false };
	long idx;
	int ret;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/net", ctx->sysfs_root, dev);
	ret = vfiox__for_each_dirent(AT_FDCWD, path, take_first, &f);
	if ((ret && ret != -ENOENT) || (!ret && !f.name[0] && f.too_long))
		return vfiox__err(ctx, ret ? ret : -ENAMETOOLONG, "%s: cannot read %s: %s", dev,
				  path, strerror(ret ? -ret : ENAMETOOLONG));
	if (ret == -ENOENT || !f.name[0]) {
		/* Read for the message only. */
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver", ctx->sysfs_root, dev);
		vfiox__read_link_name(AT_FDCWD, path, drv, sizeof(drv));
		return vfiox__err(ctx, -ENODEV, "%s has no network interface (driver %s): VF "
				  "MAC, VLAN, trust and spoof-check are settings of the PF's "
				  "network driver and do not apply; leave out --mac, --vlan, "
				  "--trust and --spoofchk", dev, drv[0] ? drv : "none");
	}
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/net/%s/ifindex", ctx->sysfs_root, dev,
		 f.name);
	ret = vfiox__read_attr_long(AT_FDCWD, path, 10, &idx);
	if (ret || idx <= 0 || idx > INT_MAX)
		return vfiox__err(ctx, ret ? ret : -EINVAL, "%s: interface %s has no valid "
				  "ifindex in %s", dev, f.name, path);
	if (strlen(f.name) >= len)
		return vfiox__err(ctx, -ENOSPC, "%s: interface name %s is too long", dev, f.name);
	snprintf(name, len, "%s", f.name);
	*ifindex = (int)idx;
	return 0;
}

VFIOX_EXPORT int vfiox_sriov_netdev(struct vfiox_ctx *ctx, const char *pf, char *buf, size_t len)
{
	struct vfiox_pci_addr a;
	char canon[VFIOX_PCI_ADDR_STRLEN];
	int ifindex, ret;

	if (vfiox_pci_addr_parse(pf, &a))
		return vfiox__err(ctx, -EINVAL, "'%s' is not a PCI address", pf);
	vfiox_pci_addr_format(&a, canon, sizeof(canon));
	ret = vfiox__pci_netdev(ctx, canon, buf, len, &ifindex);
	return ret ? ret : ifindex;
}

static const char *setting_name(unsigned int bit)
{
	switch (bit) {
	case VFIOX_VF_MAC:
		return "MAC address";
	case VFIOX_VF_VLAN:
		return "VLAN";
	case VFIOX_VF_TRUST:
		return "trust";
	default:
		return "spoof check";
	}
}

/* One RTM_SETLINK: ifinfomsg for @ifindex, IFLA_VFINFO_LIST { IFLA_VF_INFO { one attr } }. */
static int send_setting(struct vfiox_ctx *ctx, int ifindex, unsigned int vf, unsigned int bit,
			const struct vfiox_vf_config *cfg)
{
	static uint32_t seq;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nlattr *list, *info;
	struct nl_msg *msg;
	struct nlmsghdr *h;
	int ret = -ENOMEM;

	msg = nlmsg_alloc_simple(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK);
	if (!msg)
		return vfiox__err(ctx, -ENOMEM, "out of memory");
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
		goto out_free;
	list = nla_nest_start(msg, IFLA_VFINFO_LIST);
	info = list ? nla_nest_start(msg, IFLA_VF_INFO) : NULL;
	if (!info)
		goto out_free;
	switch (bit) {
	case VFIOX_VF_MAC: {
		struct ifla_vf_mac m = { .vf = vf };

		memcpy(m.mac, cfg->mac, sizeof(cfg->mac));
		ret = nla_put(msg, IFLA_VF_MAC, sizeof(m), &m);
		break;
	}
	case VFIOX_VF_VLAN: {
		struct ifla_vf_vlan v = { .vf = vf, .vlan = cfg->vlan, .qos = cfg->qos };

		ret = nla_put(msg, IFLA_VF_VLAN, sizeof(v), &v);
		break;
	}
	case VFIOX_VF_TRUST: {
		struct ifla_vf_trust t = { .vf = vf, .setting = cfg->trust };

		ret = nla_put(msg, IFLA_VF_TRUST, sizeof(t), &t);
		break;
	}
	default: {
		struct ifla_vf_spoofchk s = { .vf = vf, .setting = cfg->spoofchk };

		ret = nla_put(msg, IFLA_VF_SPOOFCHK, sizeof(s), &s);
		break;
	}
	}
	if (ret < 0) {
		ret = -ENOMEM;
		goto out_free;
	}
	nla_nest_end(msg, info);
	nla_nest_end(msg, list);
	h = nlmsg_hdr(msg);
	h->nlmsg_seq = ++seq;
	ret = vfiox_sys_netlink_request(NETLINK_ROUTE, h, h->nlmsg_len);
out_free:
	nlmsg_free(msg);
	if (ret == -ENOMEM)
		return vfiox__err(ctx, ret, "out of memory");
	return ret;
}

VFIOX_EXPORT int vfiox_sriov_vf_configure(struct vfiox_ctx *ctx, const char *pf, unsigned int vf,
					  const struct vfiox_vf_config *cfg)
{
	static const unsigned int order[] = { VFIOX_VF_MAC, VFIOX_VF_VLAN, VFIOX_VF_TRUST,
					      VFIOX_VF_SPOOFCHK };
	char canon[VFIOX_PCI_ADDR_STRLEN], netdev[64];
	struct vfiox_pci_addr a;
	int ifindex, ret;
	size_t i;

	if (vfiox_pci_addr_parse(pf, &a))
		return vfiox__err(ctx, -EINVAL, "'%s' is not a PCI address", pf);
	vfiox_pci_addr_format(&a, canon, sizeof(canon));
	if (cfg->set & ~(unsigned int)(VFIOX_VF_MAC | VFIOX_VF_VLAN | VFIOX_VF_TRUST |
				       VFIOX_VF_SPOOFCHK))
		return vfiox__err(ctx, -EINVAL, "VF %u of %s: unknown settings 0x%x", vf, canon,
				  cfg->set);
	if ((cfg->set & VFIOX_VF_VLAN) && (cfg->vlan > 4095 || cfg->qos > 7))
		return vfiox__err(ctx, -EINVAL, "VF %u of %s: VLAN %u qos %u is out of range "
				  "(VLAN 0..4095, qos 0..7)", vf, canon, cfg->vlan, cfg->qos);
	if ((cfg->set & VFIOX_VF_MAC) && (cfg->mac[0] & 1))
		return vfiox__err(ctx, -EINVAL, "VF %u of %s: %02x:%02x:%02x:%02x:%02x:%02x is a "
				  "multicast address; a VF needs a unicast MAC", vf, canon,
				  cfg->mac[0], cfg->mac[1], cfg->mac[2], cfg->mac[3], cfg->mac[4],
				  cfg->mac[5]);
	ret = vfiox__pci_netdev(ctx, canon, netdev, sizeof(netdev), &ifindex);
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		unsigned int bit = order[i];

		if (!(cfg->set & bit))
			continue;
		ret = send_setting(ctx, ifindex, vf, bit, cfg);
		switch (ret) {
		case 0:
			vfiox__dbg(ctx, "%s: VF %u: %s set", netdev, vf, setting_name(bit));
			continue;
		case -ENOMEM:
			return ret;
		case -EOPNOTSUPP:
			return vfiox__err(ctx, ret, "%s (PF %s): its driver cannot set the %s of a "
					  "VF", netdev, canon, setting_name(bit));
		case -EINVAL:
		case -ERANGE:
			return vfiox__err(ctx, ret, "%s (PF %s) refused the %s of VF %u (%s): the "
					  "VF index or the value is out of range for this driver",
					  netdev, canon, setting_name(bit), vf, strerror(-ret));
		case -EPERM:
		case -EACCES:
			return vfiox__err(ctx, ret, "%s (PF %s): setting the %s of VF %u needs "
					  "CAP_NET_ADMIN (run as root)", netdev, canon,
					  setting_name(bit), vf);
		case -ENODEV:
			return vfiox__err(ctx, ret, "%s (PF %s) is gone (ifindex %d): was the PF "
					  "unbound?", netdev, canon, ifindex);
		default:
			return vfiox__err(ctx, ret, "%s (PF %s): setting the %s of VF %u failed: %s",
					  netdev, canon, setting_name(bit), vf, strerror(-ret));
		}
	}
	return 0;
}
