// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfioctl irq-test: interrupt loopback. Enables vectors with one eventfd each, triggers
 * each in software (the kernel's DATA_NONE trigger) and reports which arrived, on which
 * eventfd, and how long each took.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "vfioctl.h"

#define MAX_VECTORS 2048

struct vector_result {
	bool arrived;
	double latency_us;
	uint32_t stray[4]; /* other vectors that fired instead or as well */
	size_t num_stray;
};

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int parse_type(const char *s)
{
	if (!strcmp(s, "intx"))
		return VFIOX_IRQ_INTX;
	if (!strcmp(s, "msi"))
		return VFIOX_IRQ_MSI;
	if (!strcmp(s, "msix") || !strcmp(s, "msi-x"))
		return VFIOX_IRQ_MSIX;
	return -1;
}

/* Triggers every vector in turn and waits for its eventfd. */
static int loopback(struct vfiox_ctx *ctx, struct vfiox_device *d, uint32_t index, uint32_t n,
		    int timeout_ms, struct vector_result *res)
{
	struct vfiox_irq_waiter *w = NULL;
	int *efds;
	uint32_t v;
	int ret;

	efds = malloc(n * sizeof(*efds));
	if (!efds)
		return -ENOMEM;
	for (v = 0; v < n; v++)
		efds[v] = -1;
	ret = vfiox_irq_waiter_new(ctx, &w);
	for (v = 0; !ret && v < n; v++) {
		ret = vfiox_irq_eventfd(ctx, &efds[v]);
		if (!ret)
			ret = vfiox_irq_waiter_add(w, efds[v], v);
	}
	if (!ret)
		ret = vfiox_irq_enable(d, index, 0, n, efds);
	for (v = 0; !ret && v < n; v++) {
		uint64_t tags[8];
		double t0 = now_us(), left_ms = timeout_ms;
		int k, got;

		ret = vfiox_irq_trigger(d, index, v, 1);
		while (!ret && !res[v].arrived && left_ms > 0) {
			got = vfiox_irq_waiter_wait(w, (int)left_ms, tags, 8);
			if (got < 0) {
				ret = got;
				break;
			}
			if (got == 0)
				break;
			for (k = 0; k < got; k++) {
				if (tags[k] == v) {
					res[v].arrived = true;
					res[v].latency_us = now_us() - t0;
				} else if (res[v].num_stray < 4) {
					res[v].stray[res[v].num_stray++] = (uint32_t)tags[k];
				}
			}
			left_ms = timeout_ms - (now_us() - t0) / 1000;
		}
		/* INTx is masked by the kernel when it fires; let the next one through. */
		if (!ret && index == VFIOX_IRQ_INTX)
			ret = vfiox_irq_unmask(d, index, 0, 1);
	}
	vfiox_irq_disable(d, index);
	vfiox_irq_waiter_free(w);
	for (v = 0; v < n; v++)
		if (efds[v] >= 0)
			close(efds[v]);
	free(efds);
	return ret;
}

static int run_irq_test(struct vfiox_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 'T' },
		{ "vectors", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "vf-token", required_argument, NULL, 't' },
		{ "backend", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char *const type_names[] = { "intx", "msi", "msix" };
	struct vector_result *res = NULL;
	struct vfiox_irq info;
	struct target t;
	const char *vf_token = NULL, *backend_arg = NULL;
	long vectors = 0, timeout_ms = 1000;
	int c, type = -1, ret = EXIT_FAIL, backend;
	bool json = false, all = true;
	char *end;
	uint32_t v, n, arrived = 0;

	while ((c = getopt_long(argc, argv, "T:n:w:jt:B:h", opts, NULL)) != -1) {
		switch (c) {
		case 'T':
			type = parse_type(optarg);
			if (type < 0)
				return usage_error(&cmd_irq_test, "--type '%s': intx, msi or msix", optarg);
			break;
		case 'n':
			vectors = strtol(optarg, &end, 10);
			if (*end || vectors < 1 || vectors > MAX_VECTORS)
				return usage_error(&cmd_irq_test, "--vectors '%s': 1 to %d", optarg,
						   MAX_VECTORS);
			break;
		case 'w':
			timeout_ms = strtol(optarg, &end, 10);
			if (*end || timeout_ms < 1 || timeout_ms > 60000)
				return usage_error(&cmd_irq_test,
						   "--timeout '%s': milliseconds, 1 to 60000", optarg);
			break;
		case 'j':
			json = true;
			break;
		case 't':
			vf_token = optarg;
			break;
		case 'B':
			backend_arg = optarg;
			break;
		default:
			return verb_option_end(&cmd_irq_test, c, argv);
		}
	}
	if (optind != argc - 1)
		return usage_error(&cmd_irq_test, "name one device");
	if (backend_option(&cmd_irq_test, backend_arg, &backend))
		return EXIT_USAGE;
	if (target_open_backend(ctx, argv[optind], vf_token, backend, "test the interrupts of", &t))
		return EXIT_FAIL;
	/* Default: the richest kind the device has. */
	for (c = type < 0 ? VFIOX_IRQ_MSIX : type; c >= 0; c--) {
		if (vfiox_device_irq(t.h.device, (uint32_t)c, &info) == 0 && info.count)
			break;
		if (type >= 0)
			break;
	}
	if (c < 0 || vfiox_device_irq(t.h.device, (uint32_t)c, &info) || !info.count) {
		err_msg("%s has no %s interrupts", vfiox_pci_dev_name(t.dev),
			type >= 0 ? type_names[type] : "INTx, MSI or MSI-X");
		goto out_close;
	}
	type = c;
	n = vectors ? (uint32_t)vectors : info.count;
	if (n > info.count) {
		err_msg("%s has %u %s vector%s, not %u", vfiox_pci_dev_name(t.dev), info.count,
			type_names[type], info.count == 1 ? "" : "s", n);
		goto out_close;
	}
	res = calloc(n, sizeof(*res));
	if (!res) {
		err_msg("out of memory");
		goto out_close;
	}
	if (loopback(ctx, t.h.device, (uint32_t)type, n, (int)timeout_ms, res)) {
		ret = lib_error(ctx, "interrupt loopback", -EIO);
		goto out_close;
	}
	for (v = 0; v < n; v++) {
		arrived += res[v].arrived;
		all &= res[v].arrived && !res[v].num_stray;
	}
	if (json) {
		struct json j;

		json_init(&j, stdout);
		json_obj_open(&j, NULL);
		json_schema(&j, "irq-test");
		json_str(&j, "address", vfiox_pci_dev_name(t.dev));
		json_str(&j, "type", type_names[type]);
		json_arr_open(&j, "vectors");
		for (v = 0; v < n; v++) {
			size_t k;

			json_obj_open(&j, NULL);
			json_int(&j, "vector", v);
			json_bool(&j, "arrived", res[v].arrived);
			if (res[v].arrived)
				json_fixed1(&j, "latency_us", res[v].latency_us);
			else
				json_null(&j, "latency_us");
			json_arr_open(&j, "stray");
			for (k = 0; k < res[v].num_stray; k++)
				json_int(&j, NULL, res[v].stray[k]);
			json_arr_close(&j);
			json_obj_close(&j);
		}
		json_arr_close(&j);
		json_bool(&j, "ok", all);
		json_obj_close(&j);
		json_end(&j);
	} else {
		struct table tab;

		printf("%s: %s loopback, %u vector%s: %u arrived\n", vfiox_pci_dev_name(t.dev),
		       type_names[type], n, n == 1 ? "" : "s", arrived);
		table_init(&tab, 3);
		for (v = 0; v < n; v++) {
			char vec[16], lat[32], note[64] = "";

			snprintf(vec, sizeof(vec), "%u", v);
			if (res[v].arrived)
				snprintf(lat, sizeof(lat), "%.1f us", res[v].latency_us);
			else
				snprintf(lat, sizeof(lat), "MISSING after %ld ms", timeout_ms);
			if (res[v].num_stray)
				snprintf(note, sizeof(note), "also fired: vector %u%s", res[v].stray[0],
					 res[v].num_stray > 1 ? " and more" : "");
			table_add(&tab, vec, lat, note);
		}
		table_print(&tab, stdout, "  ");
		table_free(&tab);
	}
	ret = all ? EXIT_OK : EXIT_FAIL;
out_close:
	free(res);
	target_close(&t);
	return ret;
}

const struct cmd cmd_irq_test = {
	.name = "irq-test",
	.args = "[--type intx|msi|msix] [--vectors N] [--timeout MS] [--json] [--vf-token UUID] "
		"[--backend auto|type1|iommufd] DEVICE",
	.summary = "trigger each interrupt vector in software and report which arrived",
	.help = "  DEVICE           PCI address of a device bound to vfio-pci\n"
		"  --type T         intx, msi or msix (default: MSI-X, else MSI, else INTx)\n"
		"  --vectors N      test vectors 0..N-1 (default: all the device has)\n"
		"  --timeout MS     wait at most MS milliseconds per vector (default 1000)\n"
		"  --json           machine-readable output (schema vfioctl/irq-test/1)\n"
		"  --vf-token UUID  the VF token, for a VF whose PF is bound to vfio-pci\n"
		"  --backend B      open it over B: auto (the default, or $VFIOX_BACKEND), type1\n"
		"                   or iommufd\n"
		"Exit status 1 when a vector did not arrive or another vector fired instead.\n",
	.run = run_irq_test,
};
