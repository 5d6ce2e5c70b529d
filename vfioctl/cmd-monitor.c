// SPDX-License-Identifier: GPL-2.0-or-later
/* vfioctl monitor: a line per PCI add/remove/bind/unbind and /dev/vfio/N add/remove. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vfioctl.h"

/* A JSON string on one line (JSON Lines: no pretty-printing). */
static void put_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* ,"udev":{"KEY":"value",...} for an event from udevd, ,"udev":null for the kernel's */
static void print_json_udev(const struct vfiox_monitor *m)
{
	const char *kv;
	size_t i;

	if (strcmp(vfiox_monitor_source(m), "udev")) {
		printf(",\"udev\":null");
		return;
	}
	printf(",\"udev\":{");
	for (i = 0; (kv = vfiox_monitor_udev_property(m, i)); i++) {
		const char *eq = strchr(kv, '=');
		char key[256];

		snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - kv) : (int)strlen(kv), kv);
		if (i)
			putchar(',');
		put_str(key);
		putchar(':');
		put_str(eq ? eq + 1 : "");
	}
	putchar('}');
}

static void print_json(const struct vfiox_monitor *m, const struct vfiox_event *ev)
{
	bool group_ev = ev->type == VFIOX_EVENT_GROUP_ADD || ev->type == VFIOX_EVENT_GROUP_REMOVE;

	printf("{\"schema\":\"" VFIOCTL_SCHEMA("monitor-event") "\",\"event\":");
	put_str(vfiox_event_type_name(ev->type));
	printf(",\"subsystem\":\"%s\"", group_ev ? "vfio" : "pci");
	if (group_ev) {
		printf(",\"iommu_group\":%d,\"noiommu\":%s,\"node\":", ev->group,
		       ev->noiommu ? "true" : "false");
		put_str(ev->devnode);
	} else {
		printf(",\"address\":");
		put_str(ev->device);
		printf(",\"driver\":");
		if (ev->driver[0])
			put_str(ev->driver);
		else
			printf("null");
		printf(",\"vendor_id\":\"%04x\",\"device_id\":\"%04x\",\"class\":\"%06x\"",
		       ev->vendor_id, ev->device_id, ev->class_code);
		if (ev->group >= 0)
			printf(",\"iommu_group\":%d", ev->group);
		else
			printf(",\"iommu_group\":null");
	}
	printf(",\"seqnum\":%llu", (unsigned long long)ev->seqnum);
	print_json_udev(m);
	printf("}\n");
}

/* udevd's additions on a line of their own, indented: "    udev: KEY=value KEY=value" */
static void print_human_udev(const struct vfiox_monitor *m)
{
	const char *kv = vfiox_monitor_udev_property(m, 0);
	size_t i;

	if (!kv)
		return;
	printf("    udev:");
	for (i = 0; (kv = vfiox_monitor_udev_property(m, i)); i++)
		printf(" %s", kv);
	putchar('\n');
}

static void print_human(const struct vfiox_monitor *m, const struct vfiox_event *ev)
{
	char group[16];

	if (ev->type == VFIOX_EVENT_GROUP_ADD || ev->type == VFIOX_EVENT_GROUP_REMOVE) {
		printf("%-12s group %d%s  %s\n", vfiox_event_type_name(ev->type), ev->group,
		       ev->noiommu ? " (no-IOMMU)" : "", ev->devnode);
		print_human_udev(m);
		return;
	}
	if (ev->group >= 0)
		snprintf(group, sizeof(group), "%d", ev->group);
	else
		snprintf(group, sizeof(group), "-");
	printf("%-12s %s  %04x:%04x  driver %-12s group %s\n", vfiox_event_type_name(ev->type),
	       ev->device, ev->vendor_id, ev->device_id, or_dash(ev->driver), group);
	print_human_udev(m);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int run_monitor(struct vfiox_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "kernel", no_argument, NULL, 'k' },
		{ "udev", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct vfiox_monitor *m;
	unsigned int flags = 0;
	long count = -1, seen = 0;
	double timeout = -1;
	long long deadline = 0;
	bool json = false;
	char *end;
	int c, ret;

	while ((c = getopt_long(argc, argv, "jc:t:kuh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'c':
			errno = 0;
			count = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || count <= 0)
				return usage_error(&cmd_monitor, "--count needs a number of events "
						   "above 0, not '%s'", optarg);
			break;
		case 't':
			errno = 0;
			timeout = strtod(optarg, &end);
			if (errno || end == optarg || *end || !isfinite(timeout) || timeout <= 0 ||
			    timeout > 86400 * 365)
				return usage_error(&cmd_monitor, "--timeout needs seconds above 0, "
						   "not '%s'", optarg);
			break;
		case 'k':
			flags |= VFIOX_MONITOR_KERNEL;
			break;
		case 'u':
			flags |= VFIOX_MONITOR_UDEV;
			break;
		default:
			return verb_option_end(&cmd_monitor, c, argv);
		}
	}
	if (optind != argc)
		return usage_error(&cmd_monitor, "takes no device: it shows the events of all "
				   "of them");
	if ((flags & VFIOX_MONITOR_KERNEL) && (flags & VFIOX_MONITOR_UDEV))
		return usage_error(&cmd_monitor, "--kernel or --udev, not both");
	ret = vfiox_monitor_new(ctx, flags, &m);
	if (ret)
		return lib_error(ctx, "monitor", ret);
	if (timeout > 0)
		deadline = now_ms() + (long long)(timeout * 1000);
	/* On stderr, so that a script can wait for it before it changes anything. */
	fprintf(stderr, "vfioctl monitor: listening to %s events%s\n", vfiox_monitor_source(m),
		!strcmp(vfiox_monitor_source(m), "kernel") ? " (no udevd, or --kernel)" : "");
	fflush(stderr);
	ret = EXIT_OK;
	while (count < 0 || seen < count) {
		struct vfiox_event ev;
		int wait = -1, r;

		if (deadline) {
			long long left = deadline - now_ms();

			if (left <= 0)
				break;
			wait = left > 1000000000 ? 1000000000 : (int)left;
		}
		r = vfiox_monitor_next(m, wait, &ev);
		if (r < 0) {
			ret = lib_error(ctx, "monitor", r);
			break;
		}
		if (r == 0)
			continue;
		if (json)
			print_json(m, &ev);
		else
			print_human(m, &ev);
		if (fflush(stdout)) {
			err_msg("monitor: cannot write the output: %s", strerror(errno));
			ret = EXIT_FAIL;
			break;
		}
		seen++;
	}
	if (ret == EXIT_OK && count > 0 && seen < count) {
		err_msg("monitor: %g s passed with %ld of the %ld events asked for", timeout, seen,
			count);
		ret = EXIT_FAIL;
	}
	vfiox_monitor_free(m);
	return ret;
}

const struct cmd cmd_monitor = {
	.name = "monitor",
	.args = "[--json] [--count N] [--timeout S] [--kernel|--udev]",
	.summary = "print PCI and VFIO group events as they happen",
	.help = "  --json       JSON Lines, one object per event (vfioctl/monitor-event/1)\n"
		"  --count N    stop after N events (exit 1 when --timeout passes first)\n"
		"  --timeout S  stop after S seconds (fractions allowed)\n"
		"  --kernel     read the kernel's events even when udevd runs\n"
		"  --udev       read udevd's events even when it does not seem to run\n"
		"Events: add, remove, bind, unbind, change of PCI devices; group-add and\n"
		"group-remove of /dev/vfio/N. From udevd, each event is followed by what udevd\n"
		"added to it (hwdb names, ID_PATH, a rule's ENV): \"udev\" in JSON, an indented\n"
		"'udev:' line otherwise. 'listening ...' goes to stderr once events are\n"
		"received, so a script may start its changes after it.\n",
	.run = run_monitor,
};
