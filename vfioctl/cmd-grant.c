// SPDX-License-Identifier: GPL-2.0-or-later
/* vfioctl grant: give IOMMU groups to an unprivileged user (a VMM running as them), or take them back. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "vfioctl.h"

struct steps {
	bool dry;
	size_t n;	/* changes so far, for the test hooks */
	size_t fail_at;	/* VFIOCTL_TEST_FAIL_AT_STEP: fail this change (tests of the undo) */
};

static int on_step(void *userdata, const char *what, const char *text)
{
	struct steps *s = userdata;
	bool change = strcmp(what, "note") && strcmp(what, "rollback");

	printf("%s%-8s %s\n", s->dry && change ? "would: " : "", what, text);
	fflush(stdout);
	if (!change || s->dry)
		return 0;
	s->n++;
	test_stop_hook(NULL, s->n, text);
	if (s->fail_at && s->n == s->fail_at) {
		err_msg("grant: test hook: change %zu fails: %s", s->n, text);
		return -EIO;
	}
	return 0;
}

/* The final check: what a VMM running as @user finds for the first device. */
static int final_check(struct vfiox_ctx *ctx, const char *user, const char *dev)
{
	struct vfiox_findings *f = NULL;
	unsigned fails = 0;
	size_t i;
	int ret;

	printf("vfioctl check --user %s %s:\n", user, dev);
	ret = vfiox_host_check(ctx, dev, user, &f);
	if (ret)
		return lib_error(ctx, "grant: check", ret);
	findings_print(f);
	/* the parts a grant gives; the rest of the host (the IOMMU, ...) is not its doing */
	for (i = 0; i < vfiox_findings_count(f); i++) {
		const char *id = vfiox_findings_id(f, i);

		if (vfiox_findings_status(f, i) == VFIOX_CHECK_FAIL &&
		    (!strcmp(id, "memlock") || !strcmp(id, "dev_vfio") || !strcmp(id, "vfio_cdev")))
			fails++;
	}
	vfiox_findings_free(f);
	if (fails) {
		err_msg("grant: granted, but %s still cannot use %s (%u failure%s above)", user, dev,
			fails, fails == 1 ? "" : "s");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int parse_group_id(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 0x7fffffff)
		return -1;
	*out = (int)v;
	return 0;
}

static int run_grant(struct vfiox_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "group", required_argument, NULL, 'g' },
		{ "group-id", required_argument, NULL, 'G' },
		{ "memlock", required_argument, NULL, 'm' },
		{ "no-memlock", no_argument, NULL, 'M' },
		{ "service", required_argument, NULL, 's' },
		{ "revoke", no_argument, NULL, 'r' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "no-check", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *user = NULL, *group = NULL, *service = NULL, *memlock_arg = NULL, *k;
	int ids[64], nids = 0, c, ret, rc = EXIT_OK;
	bool revoke = false, no_memlock = false, no_check = false;
	struct steps st = { 0 };
	struct vfiox_scan *scan = NULL;
	struct vfiox_grant *g = NULL;
	char owner[80];
	uint64_t kib = VFIOX_GRANT_MEMLOCK_UNLIMITED;

	while ((c = getopt_long(argc, argv, "u:g:G:m:Ms:rnCh", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			user = optarg;
			break;
		case 'g':
			group = optarg;
			break;
		case 'G':
			if (nids == 64)
				return usage_error(&cmd_grant, "at most 64 --group-id");
			if (parse_group_id(optarg, &ids[nids++]))
				return usage_error(&cmd_grant, "--group-id needs an IOMMU group number, "
						   "not '%s'", optarg);
			break;
		case 'm': {
			rlim_t v;

			if (parse_size(optarg, &v))
				return usage_error(&cmd_grant, "--memlock needs a size (64M, 2G, "
						   "unlimited), not '%s'", optarg);
			if (v != RLIM_INFINITY && v < 1024)
				return usage_error(&cmd_grant, "--memlock %s: less than 1 KiB locks "
						   "nothing (limits.d counts KiB)", optarg);
			kib = v == RLIM_INFINITY ? VFIOX_GRANT_MEMLOCK_UNLIMITED : (uint64_t)v / 1024;
			memlock_arg = optarg;
			break;
		}
		case 'M':
			no_memlock = true;
			break;
		case 's':
			service = optarg;
			break;
		case 'r':
			revoke = true;
			break;
		case 'n':
			st.dry = true;
			break;
		case 'C':
			no_check = true;
			break;
		default:
			return verb_option_end(&cmd_grant, c, argv);
		}
	}
	if (revoke && (user || group || memlock_arg || no_memlock || service))
		return usage_error(&cmd_grant, "--revoke takes only DEVICE... or --group-id N (the "
				   "rule file says whose grant it is and what it wrote)");
	if (!revoke && !user == !group)
		return usage_error(&cmd_grant, "name the owner: --user USER or --group GROUP "
				   "(one of them), or --revoke");
	if ((user && !*user) || (group && !*group))
		return usage_error(&cmd_grant, "--%s needs a name", user ? "user" : "group");
	if (memlock_arg && no_memlock)
		return usage_error(&cmd_grant, "--memlock and --no-memlock contradict each other");
	if (optind == argc && !nids)
		return usage_error(&cmd_grant, "name a device or --group-id N");
	for (int i = optind; i < argc; i++) {
		struct vfiox_pci_addr a;

		if (vfiox_pci_addr_parse(argv[i], &a))
			return usage_error(&cmd_grant, "'%s' is not a PCI address", argv[i]);
	}
	k = getenv("VFIOCTL_TEST_FAIL_AT_STEP");
	st.fail_at = k ? strtoul(k, NULL, 10) : 0;

	ret = vfiox_scan_new(ctx, &scan);
	if (ret)
		return lib_error(ctx, "grant", ret);
	snprintf(owner, sizeof(owner), "%s%s", group ? "@" : "", user ? user : group ? group : "");
	ret = vfiox_grant_new(scan, revoke ? NULL : owner, &g);
	if (ret) {
		rc = lib_error(ctx, "grant", ret);
		goto out;
	}
	vfiox_grant_set_memlock(g, no_memlock ? 0 : kib);
	ret = vfiox_grant_set_service(g, service);
	for (int i = optind; i < argc && !ret; i++)
		ret = vfiox_grant_add_dev(g, argv[i]);
	for (int i = 0; i < nids && !ret; i++)
		ret = vfiox_grant_add_group(g, ids[i]);
	if (ret) {
		rc = lib_error(ctx, "grant", ret);
		goto out;
	}
	vfiox_grant_set_step_cb(g, on_step, &st);
	ret = vfiox_grant_run(g, (st.dry ? VFIOX_GRANT_DRY_RUN : 0) |
				 (revoke ? VFIOX_GRANT_REVOKE : 0));
	if (ret) {
		rc = lib_error(ctx, revoke ? "grant --revoke" : "grant", ret);
		goto out;
	}
	if (revoke || st.dry || no_check)
		goto out;
	if (group) {
		printf("no check: a group has no login of its own; 'vfioctl check --user NAME %s' "
		       "for a member\n", vfiox_grant_group_dev(g, 0));
		goto out;
	}
	for (size_t i = 0; i < vfiox_grant_num_groups(g); i++) {
		int r = final_check(ctx, user, vfiox_grant_group_dev(g, i));

		if (r)
			rc = r;
	}
out:
	vfiox_grant_free(g);
	vfiox_scan_free(scan);
	return rc;
}

const struct cmd cmd_grant = {
	.name = "grant",
	.args = "(--user USER | --group GROUP) [--memlock SIZE | --no-memlock] [--service UNIT] "
		"[--dry-run] [--no-check] (DEVICE... | --group-id N...)\n"
		"       vfioctl grant --revoke [--dry-run] (DEVICE... | --group-id N...)",
	.summary = "give IOMMU groups to an unprivileged user (nodes, udev rule, memlock); "
		   "--revoke takes them back",
	.help = "  DEVICE           a device: its whole IOMMU group is granted\n"
		"  --group-id N     IOMMU group N\n"
		"  --user USER      the owner: /dev/vfio/N and the devices' cdevs become USER's,\n"
		"                   mode 0600\n"
		"  --group GROUP    the owner is a group: GROUP's, mode 0660\n"
		"  --memlock SIZE   RLIMIT_MEMLOCK for the owner's logins (64M, 16G, unlimited;\n"
		"                   default unlimited), in\n"
		"                   /etc/security/limits.d/90-vfioctl-USER.conf\n"
		"  --no-memlock     leave the owner's memlock limits alone\n"
		"  --service UNIT   also a drop-in with LimitMEMLOCK= for systemd service UNIT\n"
		"                   (services do not read limits.d)\n"
		"  --dry-run        say what would be done, change nothing\n"
		"  --no-check       skip the final 'vfioctl check --user USER DEVICE'\n"
		"  --revoke         take the grant of the devices or groups back: the rule, the\n"
		"                   nodes' old owner and mode, the drop-ins no other grant needs\n"
		"The udev rule, /etc/udev/rules.d/72-vfioctl-grant-DEVICE.rules, gives the nodes\n"
		"to the owner whenever they are created and records the grant for --revoke. Each\n"
		"run is journaled in $VFIOX_STATE_DIR/grants: a failure puts everything back.\n",
	.run = run_grant,
};
