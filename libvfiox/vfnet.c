// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VF settings kept by the PF's network driver (MAC, VLAN, trust, spoof check, link
 * state): read with RTM_GETLINK and set with RTM_SETLINK (IFLA_VFINFO_LIST), the messages
 * built and parsed by vfnet-msg.c and sent through vfiox_sys_netlink_transact(), the one
 * place where they reach the kernel (and where the unit tests answer them). Setting
 * several reads them first, so that a refusal halfway can put back what was changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <vfiox/sriov.h>

#include "internal.h"
#include "vfnet-msg.h"

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

#define ALL_SETTINGS (VFIOX_VF_MAC | VFIOX_VF_VLAN | VFIOX_VF_TRUST | VFIOX_VF_SPOOFCHK | \
		      VFIOX_VF_LINK_STATE)

static const unsigned int order[] = { VFIOX_VF_MAC, VFIOX_VF_VLAN, VFIOX_VF_TRUST,
				      VFIOX_VF_SPOOFCHK, VFIOX_VF_LINK_STATE };

/* The PF as messages name it: "eni1np1", or "enp3s0f0 (PF 0000:03:00.0)". */
struct pf {
	char ifname[VFIOX_VF_IFNAMSIZ];
	int ifindex; /* 0: not known yet, asked by name */
	char label[VFIOX_VF_IFNAMSIZ + VFIOX_PCI_ADDR_STRLEN + 8];
};

static const char *setting_name(unsigned int bit)
{
	switch (bit) {
	case VFIOX_VF_MAC:
		return "MAC address";
	case VFIOX_VF_VLAN:
		return "VLAN";
	case VFIOX_VF_TRUST:
		return "trust";
	case VFIOX_VF_SPOOFCHK:
		return "spoof check";
	default:
		return "link state";
	}
}

static const char *link_state_name(unsigned int s)
{
	switch (s) {
	case VFIOX_VF_LINK_AUTO:
		return "auto";
	case VFIOX_VF_LINK_ENABLE:
		return "enable";
	case VFIOX_VF_LINK_DISABLE:
		return "disable";
	default:
		return NULL;
	}
}

/* "MAC address 02:00:00:00:00:01", "VLAN 5 qos 1", "trust on", "link state 7"... */
static void describe(unsigned int bit, const struct vfiox_vf_config *c, char *buf, size_t len)
{
	const char *ls;

	switch (bit) {
	case VFIOX_VF_MAC:
		snprintf(buf, len, "MAC address %02x:%02x:%02x:%02x:%02x:%02x", c->mac[0],
			 c->mac[1], c->mac[2], c->mac[3], c->mac[4], c->mac[5]);
		break;
	case VFIOX_VF_VLAN:
		snprintf(buf, len, "VLAN %u qos %u", c->vlan, c->qos);
		break;
	case VFIOX_VF_TRUST:
		snprintf(buf, len, "trust %s", c->trust ? "on" : "off");
		break;
	case VFIOX_VF_SPOOFCHK:
		snprintf(buf, len, "spoof check %s", c->spoofchk ? "on" : "off");
		break;
	default:
		ls = link_state_name(c->link_state);
		if (ls)
			snprintf(buf, len, "link state %s", ls);
		else
			snprintf(buf, len, "link state %u", c->link_state);
		break;
	}
}

static uint32_t next_seq(void)
{
	static uint32_t seq;

	return __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
}

/* Sends @req and parses its answer into @r; -errno of the socket or -EBADMSG (said). */
static int transact(struct vfiox_ctx *ctx, const struct pf *pf, const void *req, size_t len,
		    unsigned int vf, struct vfiox_vf_reply *r)
{
	const struct nlmsghdr *h = req;
	void *reply = NULL;
	ssize_t n;
	int ret;

	n = vfiox_sys_netlink_transact(NETLINK_ROUTE, req, len, &reply);
	if (n == -ENOMEM)
		return vfiox__err(ctx, -ENOMEM, "out of memory");
	if (n < 0)
		return vfiox__err(ctx, (int)n, "%s: rtnetlink failed: %s", pf->label,
				  strerror((int)-n));
	ret = vfiox__vf_parse(reply, (size_t)n, h->nlmsg_seq, vf, r);
	free(reply);
	if (ret)
		return vfiox__err(ctx, ret, "%s: the kernel's answer to %s is malformed "
				  "(%zd bytes)", pf->label, h->nlmsg_type == RTM_GETLINK ?
				  "RTM_GETLINK" : "RTM_SETLINK", n);
	return 0;
}

/* The kernel's reason, or strerror; with an empty @why, "Invalid argument". */
static void reason(const struct vfiox_vf_reply *r, char *buf, size_t len)
{
	if (r->why[0])
		snprintf(buf, len, "%s (%s)", r->why, strerror(-r->error));
	else
		snprintf(buf, len, "%s, the kernel gave no reason", strerror(-r->error));
}

/*
 * The VF's settings now (and the interface's index, when it was asked by name).
 * -EOPNOTSUPP when the driver reports none (not said: the caller decides).
 */
static int read_vf(struct vfiox_ctx *ctx, struct pf *pf, unsigned int vf,
		   struct vfiox_vf_config *cfg)
{
	uint8_t req[VFIOX_VF_REQ_MAX];
	struct vfiox_vf_reply r;
	char why[320];
	int len, ret;

	len = vfiox__vf_encode_get(req, sizeof(req), next_seq(), pf->ifindex, pf->ifname);
	if (len < 0)
		return vfiox__err(ctx, len, "'%s' is not a network interface name", pf->ifname);
	ret = transact(ctx, pf, req, (size_t)len, vf, &r);
	if (ret)
		return ret;
	if (r.error == -ENODEV)
		return vfiox__err(ctx, -ENODEV, "%s: no such network interface", pf->label);
	if (r.error) {
		reason(&r, why, sizeof(why));
		return vfiox__err(ctx, r.error, "%s: reading its VF settings failed: %s",
				  pf->label, why);
	}
	if (!r.have_link)
		return vfiox__err(ctx, -EBADMSG, "%s: the kernel's answer to RTM_GETLINK has no "
				  "interface", pf->label);
	pf->ifindex = r.ifindex;
	if (r.num_vfs < 0)
		return vfiox__err(ctx, -ENOENT, "%s has no SR-IOV VFs: it is not the interface of "
				  "a PF (the kernel reports no VF count)", pf->label);
	if (!r.vf_found && r.have_vfinfo)
		return vfiox__err(ctx, -ENOENT, "%s has no VF %u: it has %ld VF%s%s", pf->label,
				  vf, r.num_vfs, r.num_vfs == 1 ? "" : "s",
				  r.num_vfs > 0 ? " (numbered from 0)" : "");
	if (!r.vf_found && (long)vf >= r.num_vfs)
		return vfiox__err(ctx, -ENOENT, "%s has no VF %u: it has %ld VF%s", pf->label, vf,
				  r.num_vfs, r.num_vfs == 1 ? "" : "s");
	if (!r.vf_found)
		return vfiox__err(ctx, -EOPNOTSUPP, "%s: its driver does not report the "
				  "settings of its VFs", pf->label);
	*cfg = r.cfg;
	return 0;
}

/*
 * One setting: 0, or the kernel's -errno with its reason in @why; other -errno of the
 * socket or the reply, with the last error in @why. *@refused: the kernel answered no.
 */
static int write_setting(struct vfiox_ctx *ctx, const struct pf *pf, unsigned int vf,
			 unsigned int bit, const struct vfiox_vf_config *cfg, char *why,
			 size_t whylen, bool *refused)
{
	uint8_t req[VFIOX_VF_REQ_MAX];
	struct vfiox_vf_reply r;
	int len, ret;

	*refused = false;
	why[0] = '\0';

	len = vfiox__vf_encode_set(req, sizeof(req), next_seq(), pf->ifindex, vf, bit, cfg);
	if (len < 0) {
		vfiox__err(ctx, len, "%s: cannot encode the %s", pf->label, setting_name(bit));
		snprintf(why, whylen, "%s", vfiox_ctx_last_error(ctx));
		return len;
	}
	ret = transact(ctx, pf, req, (size_t)len, vf, &r);
	if (ret) {
		snprintf(why, whylen, "%s", vfiox_ctx_last_error(ctx));
		return ret;
	}
	*refused = r.error != 0;
	if (r.error)
		reason(&r, why, whylen);
	return r.error;
}

/* What a refusal of @bit means here, after the kernel's words. */
static const char *hint(int err, unsigned int bit, const struct vfiox_vf_config *cfg)
{
	switch (err) {
	case -EOPNOTSUPP:
		return "; the PF's driver cannot set this on a VF";
	case -EPERM:
	case -EACCES:
		return "; setting VF settings needs CAP_NET_ADMIN (run as root)";
	case -ENODEV:
		return "; the interface is gone (was the PF unbound?)";
	case -EINVAL:
	case -ERANGE:
		if (bit == VFIOX_VF_MAC && (cfg->mac[0] & 1))
			return "; it is a multicast address, and a VF needs a unicast MAC";
		if (bit == VFIOX_VF_LINK_STATE && !link_state_name(cfg->link_state))
			return "; link states are auto, enable and disable";
		return "; the value or the VF index is out of range for this driver";
	default:
		return "";
	}
}

/* "MAC address, VLAN and trust": the settings of @bits, in the order they are set. */
static void list_settings(unsigned int bits, char *buf, size_t len)
{
	size_t i, k = 0, n = 0, total = 0;

	for (i = 0; i < ARRAY_SIZE(order); i++)
		total += !!(bits & order[i]);
	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		if (!(bits & order[i]))
			continue;
		n++;
		k += (size_t)snprintf(buf + k, k < len ? len - k : 0, "%s%s", n == 1 ? "" :
				      n == total ? " and " : ", ", setting_name(order[i]));
	}
}

static int configure(struct vfiox_ctx *ctx, struct pf *pf, unsigned int vf,
		     const struct vfiox_vf_config *cfg)
{
	struct vfiox_vf_config before;
	unsigned int applied = 0, restored = 0, stuck = 0;
	char what[80], why[320], again[400] = "", done[96], left[96], tail[768];
	bool have_before, refused = false;
	size_t i, k;
	int ret;

	if (cfg->set & ~(unsigned int)ALL_SETTINGS)
		return vfiox__err(ctx, -EINVAL, "VF %u of %s: unknown settings 0x%x", vf,
				  pf->label, cfg->set);
	if ((cfg->set & VFIOX_VF_VLAN) && (cfg->vlan > 4095 || cfg->qos > 7))
		return vfiox__err(ctx, -EINVAL, "VF %u of %s: VLAN %u qos %u is out of range "
				  "(VLAN 0..4095, qos 0..7)", vf, pf->label, cfg->vlan, cfg->qos);
	if (!cfg->set)
		return 0;
	ret = read_vf(ctx, pf, vf, &before);
	have_before = !ret;
	if (ret && ret != -EOPNOTSUPP)
		return ret;
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		unsigned int bit = order[i];

		if (!(cfg->set & bit))
			continue;
		ret = write_setting(ctx, pf, vf, bit, cfg, why, sizeof(why), &refused);
		if (!ret) {
			vfiox__dbg(ctx, "%s: VF %u: %s set", pf->label, vf, setting_name(bit));
			applied |= bit;
			continue;
		}
		/* Refused, or no answer (socket, malformed reply): put back all the same. */
		describe(bit, cfg, what, sizeof(what));
		break;
	}
	if (i == ARRAY_SIZE(order))
		return 0;
	/* Put back what this call changed, the last first. */
	for (k = i; k-- > 0;) {
		unsigned int bit = order[k];
		char w2[320];
		bool no;
		int err;

		if (!(applied & bit))
			continue;
		if (!have_before || !(before.set & bit)) {
			stuck |= bit;
			continue;
		}
		err = write_setting(ctx, pf, vf, bit, &before, w2, sizeof(w2), &no);
		if (err) {
			stuck |= bit;
			if (!again[0])
				snprintf(again, sizeof(again), "putting back the %s failed: %s",
					 setting_name(bit), err < 0 && w2[0] ? w2 : strerror(-err));
			continue;
		}
		restored |= bit;
	}
	list_settings(restored, done, sizeof(done));
	list_settings(stuck, left, sizeof(left));
	if (!applied)
		snprintf(tail, sizeof(tail), "nothing else was changed");
	else if (!stuck)
		snprintf(tail, sizeof(tail), "put back as they were before: %s", done);
	else
		snprintf(tail, sizeof(tail), "%s%s%sstill set as this call set them: %s (%s)",
			 restored ? "put back as they were before: " : "", restored ? done : "",
			 restored ? "; " : "", left, !have_before ? "the driver does not report "
			 "VF settings, so they could not be read first" : again[0] ? again :
			 "the driver did not report them");
	return vfiox__err(ctx, ret, "VF %u of %s: %s the %s: %s%s; %.500s", vf, pf->label,
			  refused ? "the kernel refused" : "no answer to setting", what, why,
			  refused ? hint(ret, order[i], cfg) : "", tail);
}

static int pci_pf(struct vfiox_ctx *ctx, const char *addr, struct pf *pf)
{
	char canon[VFIOX_PCI_ADDR_STRLEN];
	struct vfiox_pci_addr a;
	int ret;

	if (vfiox_pci_addr_parse(addr, &a))
		return vfiox__err(ctx, -EINVAL, "'%s' is not a PCI address", addr);
	vfiox_pci_addr_format(&a, canon, sizeof(canon));
	ret = vfiox__pci_netdev(ctx, canon, pf->ifname, sizeof(pf->ifname), &pf->ifindex);
	if (ret)
		return ret;
	snprintf(pf->label, sizeof(pf->label), "%s (PF %s)", pf->ifname, canon);
	return 0;
}

static int netdev_pf(struct vfiox_ctx *ctx, const char *ifname, struct pf *pf)
{
	size_t n = ifname ? strlen(ifname) : 0;

	if (!n || n >= sizeof(pf->ifname) || strchr(ifname, '/') || strpbrk(ifname, " \t\n") ||
	    !strcmp(ifname, ".") || !strcmp(ifname, ".."))
		return vfiox__err(ctx, -EINVAL, "'%s' is not a network interface name (1 to %zu "
				  "characters, no '/' or space)", ifname ? ifname : "",
				  sizeof(pf->ifname) - 1);
	memcpy(pf->ifname, ifname, n + 1);
	pf->ifindex = 0;
	snprintf(pf->label, sizeof(pf->label), "%s", ifname);
	return 0;
}

VFIOX_EXPORT int vfiox_sriov_vf_configure(struct vfiox_ctx *ctx, const char *pf, unsigned int vf,
					  const struct vfiox_vf_config *cfg)
{
	struct pf p;
	int ret;

	if (vfiox_pci_addr_parse(pf, &(struct vfiox_pci_addr){ 0 }))
		return vfiox__err(ctx, -EINVAL, "'%s' is not a PCI address", pf);
	/* The values first, so that a PF without a network interface is not asked. */
	if (cfg->set & ~(unsigned int)ALL_SETTINGS)
		return vfiox__err(ctx, -EINVAL, "VF %u of %s: unknown settings 0x%x", vf, pf,
				  cfg->set);
	if ((cfg->set & VFIOX_VF_VLAN) && (cfg->vlan > 4095 || cfg->qos > 7))
		return vfiox__err(ctx, -EINVAL, "VF %u of %s: VLAN %u qos %u is out of range "
				  "(VLAN 0..4095, qos 0..7)", vf, pf, cfg->vlan, cfg->qos);
	ret = pci_pf(ctx, pf, &p);
	return ret ? ret : configure(ctx, &p, vf, cfg);
}

VFIOX_EXPORT int vfiox_netdev_vf_configure(struct vfiox_ctx *ctx, const char *ifname,
					   unsigned int vf, const struct vfiox_vf_config *cfg)
{
	struct pf p;
	int ret = netdev_pf(ctx, ifname, &p);

	return ret ? ret : configure(ctx, &p, vf, cfg);
}

VFIOX_EXPORT int vfiox_netdev_vf_get(struct vfiox_ctx *ctx, const char *ifname, unsigned int vf,
				     struct vfiox_vf_config *cfg)
{
	struct pf p;
	int ret = netdev_pf(ctx, ifname, &p);

	return ret ? ret : read_vf(ctx, &p, vf, cfg);
}

VFIOX_EXPORT int vfiox_sriov_vf_get(struct vfiox_ctx *ctx, const char *pf, unsigned int vf,
				    struct vfiox_vf_config *cfg)
{
	struct pf p;
	int ret = pci_pf(ctx, pf, &p);

	return ret ? ret : read_vf(ctx, &p, vf, cfg);
}
