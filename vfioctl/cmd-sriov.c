// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfioctl sriov: create the VFs of a PF with host autoprobe off, set their network
 * settings on the PF's netdev, bind them to vfio-pci (and give a PF on vfio-pci its VF
 * token); --vfs 0 removes them and puts the PF back. Without --vfs: the PF's SR-IOV state.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "vfioctl.h"

#define MAX_LIST 256

struct sriov_args {
	const char *pf;
	long numvfs; /* -1: show only */
	unsigned int flags;
	bool json;
	uint8_t macs[MAX_LIST][6];
	size_t nmacs;
	unsigned vlans[MAX_LIST], qos[MAX_LIST];
	size_t nvlans;
	int trust, spoofchk, link_state; /* -1 unset */
	const char *netdev; /* --netdev: the PF by its interface */
	long vf;	    /* --vf N, -1 unset */
};

static bool parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &tail) != 6 || strlen(s) != 17)
		return false;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return true;
}

static int parse_onoff(const char *opt, const char *s)
{
	if (!strcmp(s, "on"))
		return 1;
	if (!strcmp(s, "off"))
		return 0;
	usage_error(&cmd_sriov, "%s takes on or off, not '%s'", opt, s);
	return -1;
}

/* Splits "a,b,c"; calls @fn on each; false on the first it rejects. */
static bool each_item(char *list, bool (*fn)(struct sriov_args *a, const char *item),
		      struct sriov_args *a)
{
	char *save = NULL, *item;

	for (item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save))
		if (!fn(a, item))
			return false;
	return true;
}

static bool add_mac(struct sriov_args *a, const char *item)
{
	if (a->nmacs >= MAX_LIST || !parse_mac(item, a->macs[a->nmacs]))
		return false;
	a->nmacs++;
	return true;
}

static bool add_vlan(struct sriov_args *a, const char *item)
{
	unsigned long v, q = 0;
	char *end;

	if (a->nvlans >= MAX_LIST)
		return false;
	errno = 0;
	v = strtoul(item, &end, 10);
	if (errno || end == item || v > 4095)
		return false;
	if (*end == ':') {
		const char *qs = end + 1;

		q = strtoul(qs, &end, 10);
		if (end == qs || q > 7)
			return false;
	}
	if (*end)
		return false;
	a->vlans[a->nvlans] = (unsigned)v;
	a->qos[a->nvlans++] = (unsigned)q;
	return true;
}

static int parse_link_state(const char *s)
{
	if (!strcmp(s, "auto"))
		return VFIOX_VF_LINK_AUTO;
	if (!strcmp(s, "enable"))
		return VFIOX_VF_LINK_ENABLE;
	if (!strcmp(s, "disable"))
		return VFIOX_VF_LINK_DISABLE;
	usage_error(&cmd_sriov, "--link-state takes auto, enable or disable, not '%s'", s);
	return -1;
}

static bool any_setting(const struct sriov_args *a)
{
	return a->nmacs || a->nvlans || a->trust >= 0 || a->spoofchk >= 0 || a->link_state >= 0;
}

/* The settings of the command line for VF @i (the MAC and VLAN lists are per VF). */
static void vf_cfg(const struct sriov_args *a, size_t i, struct vfiox_vf_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	if (a->nmacs) {
		cfg->set |= VFIOX_VF_MAC;
		memcpy(cfg->mac, a->macs[a->nmacs == 1 ? 0 : i], sizeof(cfg->mac));
	}
	if (a->nvlans) {
		size_t k = a->nvlans == 1 ? 0 : i;

		cfg->set |= VFIOX_VF_VLAN;
		cfg->vlan = (uint16_t)a->vlans[k];
		cfg->qos = (uint8_t)a->qos[k];
	}
	if (a->trust >= 0) {
		cfg->set |= VFIOX_VF_TRUST;
		cfg->trust = a->trust;
	}
	if (a->spoofchk >= 0) {
		cfg->set |= VFIOX_VF_SPOOFCHK;
		cfg->spoofchk = a->spoofchk;
	}
	if (a->link_state >= 0) {
		cfg->set |= VFIOX_VF_LINK_STATE;
		cfg->link_state = (unsigned)a->link_state;
	}
}

/* "mac 02:00:00:00:00:01  vlan 5 qos 1  trust on  spoofchk off  link-state auto", as read. */
static void format_vf(const struct vfiox_vf_config *c, char *buf, size_t len)
{
	static const char *const ls[] = { "auto", "enable", "disable" };
	char mac[24] = "-", vlan[24] = "-";

	if (c->set & VFIOX_VF_MAC)
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", c->mac[0], c->mac[1],
			 c->mac[2], c->mac[3], c->mac[4], c->mac[5]);
	if (c->set & VFIOX_VF_VLAN)
		snprintf(vlan, sizeof(vlan), "%u qos %u", c->vlan, c->qos);
	snprintf(buf, len, "mac %s  vlan %s  trust %s  spoofchk %s  link-state %s", mac, vlan,
		 !(c->set & VFIOX_VF_TRUST) ? "-" : c->trust ? "on" : "off",
		 !(c->set & VFIOX_VF_SPOOFCHK) ? "-" : c->spoofchk ? "on" : "off",
		 !(c->set & VFIOX_VF_LINK_STATE) || c->link_state > 2 ? "-" : ls[c->link_state]);
}

/* --netdev IF [--vf N]: each VF's settings as the PF's driver reports them. */
static int show_netdev_vfs(struct vfiox_ctx *ctx, const char *ifname, long only)
{
	struct vfiox_vf_config c;
	char line[200];
	unsigned int i;
	int ret;

	for (i = only >= 0 ? (unsigned)only : 0; i < 4096; i++) {
		ret = vfiox_netdev_vf_get(ctx, ifname, i, &c);
		if (ret == -ENOENT && only < 0 && i > 0)
			break;
		if (ret == -ENOENT && only < 0 && strstr(vfiox_ctx_last_error(ctx), "it has 0 VFs")) {
			printf("%s: no VFs\n", ifname);
			return EXIT_OK;
		}
		if (ret)
			return lib_error(ctx, "VF settings", ret);
		format_vf(&c, line, sizeof(line));
		printf("%s VF %u: %s\n", ifname, i, line);
		if (only >= 0)
			break;
	}
	return EXIT_OK;
}

/* ------------------------------------------------------------------ the state */

static void print_state(struct vfiox_ctx *ctx, const char *pf, const char *note)
{
	struct vfiox_scan *scan = NULL;
	struct vfiox_pci_dev *dev;
	char token[64] = "", netdev[64] = "";
	int autoprobe, ifindex;
	size_t i;
	bool have_token, have_net;

	if (vfiox_scan_new(ctx, &scan) || vfiox_scan_find_dev(scan, pf, &dev)) {
		lib_error(ctx, "scan", -EIO);
		vfiox_scan_free(scan);
		return;
	}
	have_token = !vfiox_sriov_vf_token(ctx, pf, token, sizeof(token));
	ifindex = vfiox_sriov_netdev(ctx, pf, netdev, sizeof(netdev));
	have_net = ifindex > 0;
	autoprobe = vfiox_sriov_autoprobe(ctx, pf);
	if (note)
		printf("%s\n", note);
	printf("%s: driver %s, %d of %d VFs, sriov_drivers_autoprobe %s%s%s\n",
	       vfiox_pci_dev_name(dev), or_dash(vfiox_pci_dev_driver(dev)),
	       vfiox_pci_dev_sriov_numvfs(dev), vfiox_pci_dev_sriov_totalvfs(dev),
	       autoprobe < 0 ? "?" : autoprobe ? "on" : "off", have_net ? ", netdev " : "",
	       have_net ? netdev : "");
	for (i = 0; i < vfiox_pci_dev_num_vfs(dev); i++) {
		struct vfiox_pci_dev *vf = vfiox_pci_dev_vf(dev, i);
		int g = vfiox_pci_dev_iommu_group(vf);
		char node[4200] = "-";

		if (g >= 0 && vfiox_pci_dev_driver(vf) && !strcmp(vfiox_pci_dev_driver(vf), "vfio-pci"))
			snprintf(node, sizeof(node), "%s/vfio/%d", vfiox_ctx_dev_root(ctx), g);
		printf("  VF %-3zu %s  %-10s group %-4d %s\n", i, vfiox_pci_dev_name(vf),
		       or_dash(vfiox_pci_dev_driver(vf)), g, node);
		if (have_net) {
			struct vfiox_vf_config c;
			char line[200];

			if (!vfiox_sriov_vf_get(ctx, pf, (unsigned)i, &c)) {
				format_vf(&c, line, sizeof(line));
				printf("         %s\n", line);
			}
		}
	}
	if (have_token)
		printf("vf_token: %s\n  (open a VF with it: vfioctl show --vf-token %s VF; QEMU: "
		       "-device vfio-pci,host=VF,vf-token=%s)\n", token, token, token);
	vfiox_scan_free(scan);
}

static void json_state(struct vfiox_ctx *ctx, const char *pf)
{
	struct vfiox_scan *scan = NULL;
	struct vfiox_pci_dev *dev;
	char token[64] = "", netdev[64] = "";
	struct json j;
	int autoprobe;
	size_t i;

	if (vfiox_scan_new(ctx, &scan) || vfiox_scan_find_dev(scan, pf, &dev)) {
		lib_error(ctx, "scan", -EIO);
		vfiox_scan_free(scan);
		return;
	}
	autoprobe = vfiox_sriov_autoprobe(ctx, pf);
	json_init(&j, stdout);
	json_obj_open(&j, NULL);
	json_schema(&j, "sriov");
	json_str(&j, "pf", vfiox_pci_dev_name(dev));
	json_str(&j, "driver", vfiox_pci_dev_driver(dev));
	json_int(&j, "totalvfs", vfiox_pci_dev_sriov_totalvfs(dev));
	json_int(&j, "numvfs", vfiox_pci_dev_sriov_numvfs(dev));
	if (autoprobe < 0)
		json_null(&j, "drivers_autoprobe");
	else
		json_bool(&j, "drivers_autoprobe", autoprobe);
	json_str(&j, "netdev", vfiox_sriov_netdev(ctx, pf, netdev, sizeof(netdev)) > 0 ? netdev
										      : NULL);
	json_str(&j, "vf_token", vfiox_sriov_vf_token(ctx, pf, token, sizeof(token)) ? NULL : token);
	json_arr_open(&j, "vfs");
	for (i = 0; i < vfiox_pci_dev_num_vfs(dev); i++) {
		struct vfiox_pci_dev *vf = vfiox_pci_dev_vf(dev, i);
		int g = vfiox_pci_dev_iommu_group(vf);

		json_obj_open(&j, NULL);
		json_int(&j, "index", (long long)i);
		json_str(&j, "address", vfiox_pci_dev_name(vf));
		json_str(&j, "driver", vfiox_pci_dev_driver(vf));
		json_int_or_null(&j, "iommu_group", g, g >= 0);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_obj_close(&j);
	json_end(&j);
	vfiox_scan_free(scan);
}

/* ------------------------------------------------------------------ the changes */

/* A PF on vfio-pci: a new token, journaled, given to the kernel through the PF's fd. */
static int give_token(struct vfiox_ctx *ctx, const char *pf)
{
	char token[64];
	struct target t;

	if (vfiox_sriov_new_vf_token(ctx, pf, token, sizeof(token)))
		return lib_error(ctx, "vf_token", -EIO);
	if (target_open(ctx, pf, NULL, "set the VF token of", &t))
		return EXIT_FAIL;
	if (vfiox_device_set_vf_token(t.h.device, token)) {
		target_close(&t);
		return lib_error(ctx, "vf_token", -EIO);
	}
	target_close(&t);
	return EXIT_OK;
}

static int bind_vfs(struct vfiox_ctx *ctx, const char *pf, unsigned int flags)
{
	struct vfiox_bind_plan *plan = NULL;
	struct vfiox_scan *scan;
	struct vfiox_pci_dev *dev;
	size_t i;
	int ret = EXIT_FAIL;

	if (vfiox_scan_new(ctx, &scan))
		return lib_error(ctx, "scan", -EIO);
	if (vfiox_scan_find_dev(scan, pf, &dev) || vfiox_bind_plan_new(scan, NULL, &plan)) {
		lib_error(ctx, "bind", -EIO);
		goto out;
	}
	for (i = 0; i < vfiox_pci_dev_num_vfs(dev); i++)
		if (vfiox_bind_plan_add_dev(plan, vfiox_pci_dev_vf(dev, i))) {
			lib_error(ctx, "bind", -EIO);
			goto out;
		}
	vfiox_bind_plan_set_step_cb(plan, test_stop_hook, NULL);
	if (vfiox_bind_plan_run(plan, flags & VFIOX_SRIOV_FORCE ? VFIOX_BIND_FORCE : 0, -1)) {
		lib_error(ctx, "bind", -EIO);
		goto out;
	}
	ret = EXIT_OK;
out:
	vfiox_bind_plan_free(plan);
	vfiox_scan_free(scan);
	return ret;
}

static int configure_vfs(struct vfiox_ctx *ctx, const struct sriov_args *a)
{
	long i;

	for (i = 0; i < a->numvfs; i++) {
		struct vfiox_vf_config cfg;

		vf_cfg(a, (size_t)i, &cfg);
		if (cfg.set && vfiox_sriov_vf_configure(ctx, a->pf, (unsigned)i, &cfg))
			return lib_error(ctx, "VF settings", -EIO);
	}
	return EXIT_OK;
}

/* Takes the VFs away again after a later step failed. */
static void roll_back(struct vfiox_ctx *ctx, const char *pf)
{
	char why[512];

	if (vfiox_sriov_set_numvfs(ctx, pf, 0, VFIOX_SRIOV_FORCE)) {
		snprintf(why, sizeof(why), "%s", vfiox_ctx_last_error(ctx));
		err_msg("%s: rolling back failed too: %s; 'vfioctl restore %s' retries", pf, why,
			pf);
		return;
	}
	err_msg("%s: rolled back: its VFs are removed and sriov_drivers_autoprobe is as before",
		pf);
}

static int create(struct vfiox_ctx *ctx, struct sriov_args *a)
{
	struct vfiox_scan *scan;
	struct vfiox_pci_dev *dev;
	char netdev[64];
	bool on_vfio, created;
	int ret;

	if (vfiox_sriov_check(ctx, a->pf, (unsigned)a->numvfs, a->flags))
		return lib_error(ctx, "sriov", -EINVAL);
	if (any_setting(a) &&
	    vfiox_sriov_netdev(ctx, a->pf, netdev, sizeof(netdev)) < 0)
		return lib_error(ctx, "sriov", -ENODEV);
	if (vfiox_scan_new(ctx, &scan))
		return lib_error(ctx, "scan", -EIO);
	if (vfiox_scan_find_dev(scan, a->pf, &dev)) {
		vfiox_scan_free(scan);
		return lib_error(ctx, "sriov", -ENODEV);
	}
	on_vfio = vfiox_pci_dev_driver(dev) && !strcmp(vfiox_pci_dev_driver(dev), "vfio-pci");
	created = vfiox_pci_dev_sriov_numvfs(dev) != a->numvfs;
	vfiox_scan_free(scan);

	/* Before the VFs exist, so that none can be opened with an old token. */
	if (on_vfio && created && give_token(ctx, a->pf))
		return EXIT_FAIL;
	if (vfiox_sriov_set_numvfs(ctx, a->pf, (unsigned)a->numvfs, a->flags))
		return lib_error(ctx, "sriov", -EIO);
	ret = configure_vfs(ctx, a);
	if (ret == EXIT_OK)
		ret = bind_vfs(ctx, a->pf, a->flags);
	if (ret != EXIT_OK) {
		if (created)
			roll_back(ctx, a->pf);
		return ret;
	}
	if (a->json) {
		json_state(ctx, a->pf);
	} else {
		char note[200];

		snprintf(note, sizeof(note), created ? "%s: %ld VFs created with host autoprobe "
			 "off and bound to vfio-pci; 'vfioctl sriov %s --vfs 0' removes them" :
			 "%s: it has %ld VFs already; bound to vfio-pci ('vfioctl sriov %s --vfs 0' "
			 "removes them)", a->pf, a->numvfs, a->pf);
		print_state(ctx, a->pf, note);
	}
	return EXIT_OK;
}

static int run_sriov(struct vfiox_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vfs", required_argument, NULL, 'n' },
		{ "mac", required_argument, NULL, 'm' },
		{ "vlan", required_argument, NULL, 'l' },
		{ "trust", required_argument, NULL, 't' },
		{ "spoofchk", required_argument, NULL, 's' },
		{ "link-state", required_argument, NULL, 'L' },
		{ "netdev", required_argument, NULL, 'N' },
		{ "vf", required_argument, NULL, 'V' },
		{ "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct sriov_args a;
	char canon[VFIOX_PCI_ADDR_STRLEN];
	struct vfiox_pci_addr addr;
	char *end;
	int c;

	memset(&a, 0, sizeof(a));
	a.numvfs = -1;
	a.trust = a.spoofchk = a.link_state = -1;
	a.vf = -1;
	while ((c = getopt_long(argc, argv, "n:m:l:t:s:L:N:V:fjh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			errno = 0;
			a.numvfs = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || a.numvfs < 0 || a.numvfs > 65535)
				return usage_error(&cmd_sriov, "--vfs needs a number of VFs, not "
						   "'%s'", optarg);
			break;
		case 'm':
			if (!each_item(optarg, add_mac, &a))
				return usage_error(&cmd_sriov, "--mac takes MAC addresses "
						   "(02:00:00:00:00:01), one per VF, comma-separated");
			break;
		case 'l':
			if (!each_item(optarg, add_vlan, &a))
				return usage_error(&cmd_sriov, "--vlan takes VLAN[:QOS] (VLAN "
						   "0..4095, QOS 0..7), one for all VFs or one per VF");
			break;
		case 't':
			if ((a.trust = parse_onoff("--trust", optarg)) < 0)
				return EXIT_USAGE;
			break;
		case 's':
			if ((a.spoofchk = parse_onoff("--spoofchk", optarg)) < 0)
				return EXIT_USAGE;
			break;
		case 'L':
			if ((a.link_state = parse_link_state(optarg)) < 0)
				return EXIT_USAGE;
			break;
		case 'N':
			a.netdev = optarg;
			break;
		case 'V':
			errno = 0;
			a.vf = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || a.vf < 0 || a.vf > 65535)
				return usage_error(&cmd_sriov, "--vf needs a VF index (0, 1, ...), not "
						   "'%s'", optarg);
			break;
		case 'f':
			a.flags |= VFIOX_SRIOV_FORCE;
			break;
		case 'j':
			a.json = true;
			break;
		default:
			return verb_option_end(&cmd_sriov, c, argv);
		}
	}
	if (a.vf >= 0 && (a.nmacs > 1 || a.nvlans > 1))
		return usage_error(&cmd_sriov, "--vf N takes one --mac and one --vlan");
	if (a.netdev) {
		struct vfiox_vf_config cfg;

		if (optind != argc || a.numvfs >= 0 || a.flags)
			return usage_error(&cmd_sriov, "--netdev IFNAME names the PF: no PCI "
					   "address, --vfs or --force with it");
		if (a.json)
			return usage_error(&cmd_sriov, "--json is not there for --netdev yet; "
					   "leave it out");
		if (!any_setting(&a))
			return show_netdev_vfs(ctx, a.netdev, a.vf);
		if (a.vf < 0)
			return usage_error(&cmd_sriov, "--mac, --vlan, --trust, --spoofchk and "
					   "--link-state with --netdev need --vf N");
		vf_cfg(&a, 0, &cfg);
		if (vfiox_netdev_vf_configure(ctx, a.netdev, (unsigned)a.vf, &cfg))
			return lib_error(ctx, "VF settings", -EIO);
		return show_netdev_vfs(ctx, a.netdev, a.vf);
	}
	if (optind != argc - 1)
		return usage_error(&cmd_sriov, "name one physical function");
	if (vfiox_pci_addr_parse(argv[optind], &addr))
		return usage_error(&cmd_sriov, "'%s' is not a PCI address (DDDD:BB:DD.F)",
				   argv[optind]);
	vfiox_pci_addr_format(&addr, canon, sizeof(canon));
	a.pf = canon;
	if (a.vf >= 0) {
		struct vfiox_vf_config cfg;

		if (a.numvfs >= 0 || !any_setting(&a))
			return usage_error(&cmd_sriov, "--vf N sets --mac, --vlan, --trust, "
					   "--spoofchk or --link-state of an existing VF; without "
					   "--vfs");
		vf_cfg(&a, 0, &cfg);
		if (vfiox_sriov_vf_configure(ctx, a.pf, (unsigned)a.vf, &cfg))
			return lib_error(ctx, "VF settings", -EIO);
		print_state(ctx, a.pf, NULL);
		return EXIT_OK;
	}
	if (a.numvfs <= 0 && any_setting(&a))
		return usage_error(&cmd_sriov, "--mac, --vlan, --trust, --spoofchk and "
				   "--link-state go with --vfs N (N > 0) or --vf N");
	if (a.nmacs && (long)a.nmacs != a.numvfs)
		return usage_error(&cmd_sriov, "--mac: %zu MAC addresses for %ld VFs; give one "
				   "per VF", a.nmacs, a.numvfs);
	if (a.nvlans > 1 && (long)a.nvlans != a.numvfs)
		return usage_error(&cmd_sriov, "--vlan: %zu VLANs for %ld VFs; give one for all "
				   "or one per VF", a.nvlans, a.numvfs);

	if (a.numvfs < 0) {
		if (vfiox_sriov_autoprobe(ctx, a.pf) < 0) {
			/* The check's message says what the device is instead. */
			vfiox_sriov_check(ctx, a.pf, 0, VFIOX_SRIOV_FORCE);
			return lib_error(ctx, "sriov", -EINVAL);
		}
		if (a.json)
			json_state(ctx, a.pf);
		else
			print_state(ctx, a.pf, NULL);
		return EXIT_OK;
	}
	if (a.numvfs > 0)
		return create(ctx, &a);
	if (vfiox_sriov_set_numvfs(ctx, a.pf, 0, a.flags))
		return lib_error(ctx, "sriov", -EIO);
	if (a.json) {
		json_state(ctx, a.pf);
	} else {
		char note[160];

		snprintf(note, sizeof(note), "%s: no VFs; sriov_drivers_autoprobe as before "
			 "vfioctl changed it", a.pf);
		print_state(ctx, a.pf, note);
	}
	return EXIT_OK;
}

const struct cmd cmd_sriov = {
	.name = "sriov",
	.args = "PF [--vfs N [--mac MAC[,MAC...]] [--vlan VLAN[:QOS][,...]] [--trust on|off] "
		"[--spoofchk on|off] [--link-state auto|enable|disable] [--force]] [--json] | "
		"PF --vf N SETTINGS... | --netdev IFNAME [--vf N [SETTINGS...]]",
	.summary = "create SR-IOV VFs bound to vfio-pci, or remove them",
	.help = "  PF               PCI address of an SR-IOV physical function\n"
		"  (no --vfs)       show the PF's VFs, autoprobe, netdev and VF token\n"
		"  --vfs N          create N VFs: the PF's sriov_numvfs and\n"
		"                   sriov_drivers_autoprobe are journaled, autoprobe is switched\n"
		"                   off (no host driver takes the VFs), the VFs are bound to\n"
		"                   vfio-pci. A PF on vfio-pci gets a new VF token, printed.\n"
		"                   N = 0 removes the VFs and puts autoprobe back\n"
		"  --mac LIST       one MAC address per VF     (set on the PF's netdev over\n"
		"  --vlan LIST      VLAN[:QOS], one or per VF   rtnetlink; a PF without a\n"
		"  --trust on|off   trusted VFs                 network interface has none\n"
		"  --spoofchk on|off  source MAC checking       of these settings)\n"
		"  --link-state auto|enable|disable  the VFs' link: the PF's, up, down\n"
		"  --vf N           set those of VF N only (it exists; one MAC, one VLAN)\n"
		"  --netdev IFNAME  the PF by its network interface (netdevsim's, or any):\n"
		"                   without settings, each VF's as its driver reports them;\n"
		"                   with --vf N and settings, sets them and shows them read back.\n"
		"                   Settings are read first: when the kernel refuses one, those\n"
		"                   set before it are put back, and the message says so\n"
		"  --force          remove VFs that the host uses (network, disks); VFs open\n"
		"                   through VFIO are never removed\n"
		"  --json           the state after the change as JSON (vfioctl/sriov/1)\n",
	.run = run_sriov,
};
