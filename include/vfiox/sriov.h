/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef VFIOX_SRIOV_H
#define VFIOX_SRIOV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vfiox/ctx.h>
#include <vfiox/vfio.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: SR-IOV virtual functions
 *
 * A physical function (PF) with the SR-IOV capability creates virtual functions (VFs)
 * when a number is written to its sriov_numvfs attribute; the kernel changes that number
 * only from 0 (or to 0). vfiox_sriov_set_numvfs() first records the PF's sriov_numvfs and
 * sriov_drivers_autoprobe in the journal (vfiox_ctx_state_dir(), the same journal as the
 * bind of vfiox/bind.h, so vfiox_bind_restore() and vfiox_bind_restore_all() put them
 * back), then switches autoprobe off so that no host driver grabs the new VFs, then
 * creates them; they come up without a driver, ready to be bound to vfio-pci. Setting 0
 * removes the VFs and puts autoprobe back as recorded.
 *
 * A VF whose PF is bound to vfio-pci can be opened through VFIO only with the PF's VF
 * token, a UUID shared by the PF's user and the VFs' users. vfiox_sriov_new_vf_token()
 * creates one and keeps it in the journal; vfiox_device_set_vf_token() gives it to the
 * kernel through the PF's VFIO device (VFIO_DEVICE_FEATURE_PCI_VF_TOKEN).
 *
 * VF settings that live in the PF's network driver (MAC address, VLAN, trust, spoof
 * check, link state) are set with vfiox_sriov_vf_configure() over rtnetlink on the PF's
 * network interface and read back with vfiox_sriov_vf_get(); a PF without one (storage,
 * accelerators, a PF on vfio-pci) has no such settings. vfiox_netdev_vf_configure() and
 * vfiox_netdev_vf_get() name the PF by its interface instead (a PF that is not a PCI
 * device, such as netdevsim's).
 *
 * PFs and VFs are named by their sysfs address ("0000:03:00.0"); every attribute is read
 * fresh from sysfs under the context's sysfs root.
 */

/* Flags for vfiox_sriov_check() and vfiox_sriov_set_numvfs(). */
enum vfiox_sriov_flags {
	VFIOX_SRIOV_FORCE = 1 << 0, /* remove VFs even when the host uses them (network, disks) */
};

/**
 * vfiox_sriov_check() - would vfiox_sriov_set_numvfs() be allowed?
 * @ctx: the context
 * @pf: the physical function's address
 * @numvfs: the number of VFs wanted
 * @flags: &enum vfiox_sriov_flags
 *
 * Checks, changing nothing: @pf is a PCI device, not a VF, has SR-IOV and a driver;
 * @numvfs is at most sriov_totalvfs; VFs present already are 0 or @numvfs; for 0, no VF
 * is open through VFIO (never overridable: the kernel would wait for its user) and,
 * without VFIOX_SRIOV_FORCE, no VF is in use by the host (see vfiox/inuse.h).
 *
 * Return: 0; -EINVAL for a malformed address, a VF or a device without a driver;
 * -ENODEV when there is no such device; -EOPNOTSUPP when it has no SR-IOV; -ERANGE when
 * @numvfs is above sriov_totalvfs; -EEXIST when a different number of VFs exists
 * already; -EBUSY when a VF is in use. The last error names the device, the reason and
 * the way out.
 */
int vfiox_sriov_check(struct vfiox_ctx *ctx, const char *pf, unsigned int numvfs,
		      unsigned int flags);

/**
 * vfiox_sriov_set_numvfs() - create or remove the VFs of a PF
 * @ctx: the context
 * @pf: the physical function's address
 * @numvfs: the number of VFs wanted; 0 removes them
 * @flags: &enum vfiox_sriov_flags
 *
 * After vfiox_sriov_check(): for @numvfs > 0, journals the PF's sriov_numvfs and
 * sriov_drivers_autoprobe (an earlier record is kept), writes 0 to
 * sriov_drivers_autoprobe, then @numvfs to sriov_numvfs. When that fails, autoprobe is
 * put back and the PF's journal entry is as before the call (a VF token recorded earlier
 * stays). For 0, writes 0 to sriov_numvfs, puts autoprobe back as journaled and removes
 * the SR-IOV fields and the VF token from the PF's journal entry, and the journal entries
 * of its VFs with the udev rules a persistent bind of a VF wrote. Asking for the number
 * present is a no-op. The changes, and the checks of the VFs for 0, are made under the
 * journal's lock, as a bind's (one process at a time).
 *
 * Waits for the journal's lock as vfiox_ctx_set_lock_wait() says, and reports each
 * sysfs write to the context's step callback (vfiox_ctx_set_step_cb()).
 *
 * Return: 0; the errors of vfiox_sriov_check(); -EBUSY also when another process holds
 * the journal's lock (no wait set), -ETIMEDOUT when it held it for all of the wait; -ENOENT when the PF's driver cannot
 * create VFs (vfio-pci without enable_sriov=1); other -errno of the sysfs writes or the
 * journal.
 */
int vfiox_sriov_set_numvfs(struct vfiox_ctx *ctx, const char *pf, unsigned int numvfs,
			   unsigned int flags);

/**
 * vfiox_sriov_autoprobe() - the PF's sriov_drivers_autoprobe
 * @ctx: the context
 * @pf: the physical function's address
 *
 * Return: 1 (host drivers probe new VFs), 0 (they do not), or -errno.
 */
int vfiox_sriov_autoprobe(struct vfiox_ctx *ctx, const char *pf);

/**
 * vfiox_sriov_new_vf_token() - create a VF token for a PF and journal it
 * @ctx: the context
 * @pf: the physical function's address
 * @buf: receives the token, a UUID ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx")
 * @len: size of @buf, at least 37
 *
 * A random (version 4) UUID from the kernel's random pool, stored in the PF's journal
 * entry, replacing an earlier one. It still has to be given to the kernel with
 * vfiox_device_set_vf_token().
 *
 * Return: 0; -ENOSPC when @buf is too small; -errno from the random pool or the journal.
 */
int vfiox_sriov_new_vf_token(struct vfiox_ctx *ctx, const char *pf, char *buf, size_t len);

/**
 * vfiox_sriov_vf_token() - the VF token journaled for a PF
 * @ctx: the context
 * @pf: the physical function's address
 * @buf: receives the token
 * @len: size of @buf, at least 37
 *
 * Return: 0; -ENOENT when none is journaled; -ENOSPC when @buf is too small; other -errno.
 */
int vfiox_sriov_vf_token(struct vfiox_ctx *ctx, const char *pf, char *buf, size_t len);

/**
 * vfiox_device_set_vf_token() - give a PF's VF token to the kernel
 * @pf: the PF, opened through VFIO (bound to vfio-pci)
 * @uuid: the token
 *
 * VFIO_DEVICE_FEATURE with VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_PCI_VF_TOKEN.
 * From then on its VFs open through VFIO only with this token (vfiox_device_open()). The
 * kernel keeps the token while the PF stays bound to vfio-pci, after the fd is closed.
 *
 * Return: 0; -EINVAL when @uuid is not a UUID; -ENOTTY when the device has no VF token
 * (not an SR-IOV PF on vfio-pci, or a kernel before 5.7); other -errno.
 */
int vfiox_device_set_vf_token(struct vfiox_device *pf, const char *uuid);

/* Bits of &struct vfiox_vf_config.set. */
enum vfiox_vf_settings {
	VFIOX_VF_MAC = 1 << 0,
	VFIOX_VF_VLAN = 1 << 1,
	VFIOX_VF_TRUST = 1 << 2,
	VFIOX_VF_SPOOFCHK = 1 << 3,
	VFIOX_VF_LINK_STATE = 1 << 4, /* since LIBVFIOX_0.11 */
};

/* Values of &struct vfiox_vf_config.link_state, those of the kernel's IFLA_VF_LINK_STATE. */
enum vfiox_vf_link_state {
	VFIOX_VF_LINK_AUTO = 0,	   /* the VF's link follows the PF's */
	VFIOX_VF_LINK_ENABLE = 1,  /* always up */
	VFIOX_VF_LINK_DISABLE = 2, /* always down */
};

/**
 * struct vfiox_vf_config - settings of one VF kept by the PF's network driver
 * @set: which of the fields below to set, &enum vfiox_vf_settings
 * @mac: the VF's MAC address
 * @vlan: VLAN id 0..4095 (0 with @qos 0: no VLAN)
 * @qos: 802.1p priority 0..7
 * @trust: trusted VF (may change its MAC, enter promiscuous mode)
 * @spoofchk: drop frames whose source MAC is not the VF's
 * @link_state: &enum vfiox_vf_link_state (since LIBVFIOX_0.11; read only when
 *	VFIOX_VF_LINK_STATE is in @set, so a caller built with the smaller struct of
 *	earlier versions works unchanged)
 */
struct vfiox_vf_config {
	unsigned int set;
	uint8_t mac[6];
	uint16_t vlan;
	uint8_t qos;
	bool trust;
	bool spoofchk;
	unsigned int link_state;
};

/**
 * vfiox_sriov_netdev() - the network interface of a PF
 * @ctx: the context
 * @pf: the physical function's address
 * @buf: receives the interface name
 * @len: size of @buf
 *
 * Return: the interface index (> 0); -ENODEV when @pf has no network interface (the last
 * error says why VF network settings then do not apply); other -errno.
 */
int vfiox_sriov_netdev(struct vfiox_ctx *ctx, const char *pf, char *buf, size_t len);

/**
 * vfiox_sriov_vf_configure() - set a VF's MAC, VLAN, trust, spoof check or link state
 * @ctx: the context
 * @pf: the physical function's address
 * @vf: the VF's index (virtfnN), 0 .. sriov_numvfs - 1
 * @cfg: what to set
 *
 * vfiox_netdev_vf_configure() on the PF's network interface (the one with the smallest
 * name when it has several).
 *
 * Return: as vfiox_netdev_vf_configure(); -ENODEV also when @pf has no network interface.
 * The last error names the interface, the PF, the VF and the setting.
 */
int vfiox_sriov_vf_configure(struct vfiox_ctx *ctx, const char *pf, unsigned int vf,
			     const struct vfiox_vf_config *cfg);

/**
 * vfiox_netdev_vf_configure() - set a VF's settings on its PF's network interface
 * @ctx: the context
 * @ifname: the PF's network interface ("enp3s0f0", or a netdevsim PF "eni1np1")
 * @vf: the VF's index, 0 .. the PF's number of VFs - 1
 * @cfg: what to set (&struct vfiox_vf_config.set)
 *
 * For PFs that are not PCI devices (netdevsim) or known by their interface. First reads
 * the VF's settings (RTM_GETLINK, as vfiox_netdev_vf_get()), then sends one RTM_SETLINK
 * per setting (IFLA_VFINFO_LIST), in the order MAC, VLAN, trust, spoof check, link
 * state. When the kernel refuses one, the settings this call had already changed are
 * set back to the values read first, and the last error says which were put back (or
 * that putting one back failed too). VLAN and qos ranges are checked here; every other
 * value (a multicast MAC, a link state the driver does not have) is the driver's to
 * refuse. The requests ask for the kernel's extended ack (NETLINK_EXT_ACK): when it
 * gives a reason, the last error quotes it. A driver that sets but does not report VF
 * settings is still configured; what was set before a refusal then stays set (said).
 *
 * Return: 0; -EINVAL for a VLAN or qos out of range, an unknown bit in @cfg->set or a
 * bad @ifname, or the driver's refusal of a value or VF index; -ENODEV when there is no
 * interface @ifname; -ENOENT when it has no VF @vf; -EOPNOTSUPP when its driver does not
 * offer the setting; -EPERM without CAP_NET_ADMIN; -EBADMSG for a malformed kernel reply;
 * other -errno. The last error names the VF, the interface and the setting.
 */
int vfiox_netdev_vf_configure(struct vfiox_ctx *ctx, const char *ifname, unsigned int vf,
			      const struct vfiox_vf_config *cfg);

/**
 * vfiox_netdev_vf_get() - a VF's settings as its PF's driver reports them
 * @ctx: the context
 * @ifname: the PF's network interface
 * @vf: the VF's index
 * @cfg: receives the settings; @cfg->set says which the driver reported (a driver that
 *	does not report trust or spoof check leaves them out)
 *
 * One RTM_GETLINK of the interface with IFLA_EXT_MASK RTEXT_FILTER_VF; the VF's entry of
 * IFLA_VFINFO_LIST (IFLA_VF_MAC, IFLA_VF_VLAN, IFLA_VF_TRUST, IFLA_VF_SPOOFCHK,
 * IFLA_VF_LINK_STATE), every length and value checked.
 *
 * Return: 0; -ENODEV when there is no interface @ifname; -ENOENT when it has no VF @vf
 * (the VFs are numbered from 0, so a caller lists them until -ENOENT); -EOPNOTSUPP when
 * its driver reports no VF settings; -EBADMSG for a malformed reply; other -errno.
 */
int vfiox_netdev_vf_get(struct vfiox_ctx *ctx, const char *ifname, unsigned int vf,
			struct vfiox_vf_config *cfg);

/**
 * vfiox_sriov_vf_get() - a VF's settings, the PF named by its PCI address
 * @ctx: the context
 * @pf: the physical function's address
 * @vf: the VF's index
 * @cfg: receives the settings
 *
 * vfiox_netdev_vf_get() on the PF's network interface.
 *
 * Return: as vfiox_netdev_vf_get(); -ENODEV also when @pf has no network interface.
 */
int vfiox_sriov_vf_get(struct vfiox_ctx *ctx, const char *pf, unsigned int vf,
		       struct vfiox_vf_config *cfg);

#ifdef __cplusplus
}
#endif

#endif /* VFIOX_SRIOV_H */
