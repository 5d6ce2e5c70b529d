// SPDX-License-Identifier: GPL-2.0-or-later
/* vfioctl igd: an Intel IGD's stolen memory and OpRegion, QEMU's needs, and clearing it. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vfioctl.h"

#define MiB (1024.0 * 1024.0)

static const char *kind_name(int kind)
{
	switch (kind) {
	case VFIOX_IGD_INTEGRATED:
		return "integrated";
	case VFIOX_IGD_DISCRETE:
		return "discrete";
	case VFIOX_IGD_UNKNOWN:
		return "unknown";
	case VFIOX_IGD_OLD:
		return "old";
	}
	return "none";
}

static const char *dsm_at_name(int at)
{
	switch (at) {
	case VFIOX_IGD_DSM_BDSM32:
		return "bdsm32";
	case VFIOX_IGD_DSM_BDSM64:
		return "bdsm64";
	case VFIOX_IGD_DSM_BAR2:
		return "bar2";
	}
	return "none";
}

static const char *vbt_at_name(int at)
{
	switch (at) {
	case VFIOX_IGD_VBT_MAILBOX:
		return "mailbox";
	case VFIOX_IGD_VBT_RVDA_REL:
		return "rvda";
	case VFIOX_IGD_VBT_RVDA_ABS:
		return "rvda-physical";
	}
	return "none";
}

static const char *method_name(int m)
{
	switch (m) {
	case VFIOX_IGD_ZERO_GGTT:
		return "ggtt-aperture";
	case VFIOX_IGD_ZERO_BAR2:
		return "bar2";
	}
	return "none";
}

static void range_line(const char *what, uint64_t start, uint64_t size)
{
	printf("  %-26s 0x%08" PRIx64 "-0x%08" PRIx64 "  %.0f MiB\n", what, start,
	       start + size - 1, size / MiB);
}

static void print_human(const struct vfiox_igd *igd)
{
	const struct vfiox_igd_layout *l = vfiox_igd_layout(igd);
	const struct vfiox_igd_opregion *op = vfiox_igd_opregion(igd);

	printf("vfioctl igd: %s", vfiox_igd_device(igd));
	if (l->family)
		printf(" Intel %s (gen%d)", l->family, l->gen);
	printf(" %04x:%04x, %s\n", l->vendor_id, l->device_id,
	       vfiox_igd_driver(igd) ? vfiox_igd_driver(igd) : "no driver");
	if (l->kind == VFIOX_IGD_INTEGRATED && (l->dsm_size || l->have_host || l->have_asls)) {
		printf("Layout (host physical):\n");
		if (l->bgsm && l->gsm_size)
			range_line("GTT stolen memory (GSM)", l->bgsm, l->gsm_size);
		if (l->dsm_base && l->dsm_size)
			range_line("data stolen memory (DSM)", l->dsm_base, l->dsm_size);
		if (l->have_host)
			printf("  %-26s 0x%08" PRIx64 "\n", "TOLUD", l->tolud);
		if (l->have_asls)
			printf("  %-26s 0x%08x\n", "OpRegion (ASLS)", l->asls);
	}
	if (op) {
		printf("OpRegion: version %u.%u.%u, %u bytes, mailboxes 0x%x", op->ver_major,
		       op->ver_minor, op->ver_rev, op->size, op->mboxes);
		if (!op->problem[0])
			printf(", VBT %u bytes (%s, offset 0x%" PRIx64 ")", op->vbt_size,
			       vbt_at_name(op->vbt_at), op->vbt_offset);
		printf("\n");
	}
	printf("Findings:\n");
	findings_print(vfiox_igd_findings(igd));
	if (vfiox_igd_qemu_args(igd)[0])
		printf("QEMU: %s\n", vfiox_igd_qemu_args(igd));
}

static void json_addr(struct json *j, const char *key, uint64_t v, bool present)
{
	if (present)
		json_strf(j, key, "0x%" PRIx64, v);
	else
		json_null(j, key);
}

static bool print_json(const struct vfiox_igd *igd)
{
	const struct vfiox_igd_layout *l = vfiox_igd_layout(igd);
	const struct vfiox_igd_host *h = vfiox_igd_host(igd);
	const struct vfiox_igd_vfio *v = vfiox_igd_vfio(igd);
	const struct vfiox_igd_opregion *op = vfiox_igd_opregion(igd);
	bool stolen = l->kind == VFIOX_IGD_INTEGRATED;
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_obj_open(&j, NULL);
	json_schema(&j, "igd");
	json_str(&j, "device", vfiox_igd_device(igd));
	json_str(&j, "driver", vfiox_igd_driver(igd));
	json_hex(&j, "vendor_id", l->vendor_id, 4);
	json_hex(&j, "device_id", l->device_id, 4);
	json_str(&j, "kind", kind_name(l->kind));
	json_str(&j, "family", l->family);
	json_int_or_null(&j, "gen", l->gen, l->gen > 0);
	json_str(&j, "dsm_at", dsm_at_name(l->dsm_at));
	json_bool(&j, "need_root", l->need_root || l->host_need_root || h->iomem_hidden);
	json_obj_open(&j, "registers");
	json_int_or_null(&j, "gmch", l->gmch, l->have_gmch);
	json_int_or_null(&j, "gms", l->gms, l->have_gmch);
	json_int_or_null(&j, "ggms", l->ggms, l->have_gmch);
	json_addr(&j, "bdsm", l->bdsm, l->have_bdsm);
	if (l->have_bdsm)
		json_bool(&j, "bdsm_locked", l->bdsm_lock);
	else
		json_null(&j, "bdsm_locked");
	json_addr(&j, "asls", l->asls, l->have_asls);
	json_obj_close(&j);
	json_obj_open(&j, "layout");
	json_addr(&j, "dsm_base", l->dsm_base, stolen && l->have_bdsm && l->dsm_base);
	json_int_or_null(&j, "dsm_size", (long long)l->dsm_size, stolen && l->have_gmch);
	json_addr(&j, "gsm_base", l->bgsm, l->have_host && l->bgsm);
	json_int_or_null(&j, "gsm_size", (long long)l->gsm_size, stolen && l->have_gmch);
	json_addr(&j, "tolud", l->tolud, l->have_host);
	json_obj_close(&j);
	if (l->have_host) {
		json_obj_open(&j, "host_bridge");
		json_hex(&j, "device_id", l->host_device_id, 4);
		json_addr(&j, "tolud", l->tolud, true);
		json_addr(&j, "bgsm", l->bgsm, true);
		json_addr(&j, "bdsm", l->host_bdsm, true);
		json_addr(&j, "tsegmb", l->tsegmb, true);
		json_int(&j, "locks", l->host_locks);
		json_obj_close(&j);
	} else {
		json_null(&j, "host_bridge");
	}
	json_obj_open(&j, "host");
	json_bool(&j, "iomem_read", h->iomem_read);
	json_bool(&j, "dsm_in_system_ram", h->dsm_in_ram);
	json_str(&j, "dsm_iomem_entry", h->dsm_top[0] ? h->dsm_top : NULL);
	json_bool(&j, "stolen_reserved", h->stolen_reserved);
	json_bool(&j, "stolen_claimed", h->stolen_claimed);
	json_arr_open(&j, "reserved_regions");
	for (i = 0; i < h->num_resv; i++) {
		json_obj_open(&j, NULL);
		json_addr(&j, "start", h->resv[i].start, true);
		json_addr(&j, "end", h->resv[i].end, true);
		json_str(&j, "type", h->resv[i].type);
		json_bool(&j, "holds_dsm", (int)i == h->dsm_resv);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_obj_close(&j);
	json_obj_open(&j, "vfio");
	json_bool(&j, "opened", v->opened);
	json_str(&j, "error", v->error[0] ? v->error : NULL);
	json_int(&j, "opregion_size", (long long)v->opregion_size);
	json_int(&j, "host_cfg_size", (long long)v->host_cfg_size);
	json_int(&j, "lpc_cfg_size", (long long)v->lpc_cfg_size);
	json_int(&j, "rom_size", (long long)v->rom_size);
	json_obj_close(&j);
	if (op) {
		json_obj_open(&j, "opregion");
		json_strf(&j, "version", "%u.%u.%u", op->ver_major, op->ver_minor, op->ver_rev);
		json_int(&j, "size", op->size);
		json_int(&j, "mailboxes", op->mboxes);
		json_str(&j, "vbt_at", vbt_at_name(op->vbt_at));
		json_int(&j, "vbt_offset", (long long)op->vbt_offset);
		json_int(&j, "vbt_size", op->vbt_size);
		json_int(&j, "vbt_version", op->vbt_version);
		json_str(&j, "vbt_problem", op->problem[0] ? op->problem : NULL);
		json_obj_close(&j);
	} else {
		json_null(&j, "opregion");
	}
	json_findings(&j, vfiox_igd_findings(igd));
	json_str(&j, "qemu_args", vfiox_igd_qemu_args(igd)[0] ? vfiox_igd_qemu_args(igd) : NULL);
	json_obj_close(&j);
	return json_end(&j);
}

/* Writes the VBT to @path (created 0644, replaced only when complete). */
static int save_vbt(const struct vfiox_igd *igd, const char *path)
{
	const void *data;
	char tmp[4096];
	size_t len;
	ssize_t n;
	int fd;

	if (vfiox_igd_vbt(igd, &data, &len)) {
		err_msg("igd: %s: no valid VBT was read (the igd.vbt and igd.regions findings say "
			"why; the OpRegion is read through vfio-pci)", vfiox_igd_device(igd));
		return EXIT_FAIL;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		err_msg("igd: %s: path too long", path);
		return EXIT_FAIL;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err_msg("igd: cannot create %s: %s", tmp, strerror(errno));
		return EXIT_FAIL;
	}
	n = write(fd, data, len);
	if (n != (ssize_t)len || fsync(fd) || close(fd) || rename(tmp, path)) {
		err_msg("igd: cannot write %s: %s", path, n < 0 ? strerror(errno) : "short write");
		unlink(tmp);
		return EXIT_FAIL;
	}
	fprintf(stderr, "vfioctl igd: wrote the VBT (%zu bytes) of %s to %s\n", len,
		vfiox_igd_device(igd), path);
	return EXIT_OK;
}

static bool print_zero_json(const char *device, int ret, const struct vfiox_igd_zero_report *r,
			    bool dry, const char *error)
{
	struct json j;

	json_init(&j, stdout);
	json_obj_open(&j, NULL);
	json_schema(&j, "igd-zero");
	json_str(&j, "device", device);
	json_bool(&j, "dry_run", dry);
	json_bool(&j, "ok", ret == 0);
	json_str(&j, "error", ret ? error : NULL);
	json_str(&j, "method", method_name(r->method));
	json_addr(&j, "dsm_base", r->dsm_base, r->dsm_size);
	json_int(&j, "dsm_size", (long long)r->dsm_size);
	json_addr(&j, "iova", r->iova, r->dsm_size);
	json_int(&j, "window", (long long)r->window);
	json_int(&j, "steps", (long long)r->steps);
	json_int(&j, "bytes_written", (long long)r->bytes_written);
	json_int(&j, "bytes_verified", (long long)r->bytes_verified);
	json_int(&j, "write_ns", (long long)r->write_ns);
	json_int(&j, "verify_ns", (long long)r->verify_ns);
	json_int(&j, "total_ns", (long long)r->total_ns);
	json_str(&j, "plan", r->plan);
	json_obj_close(&j);
	return json_end(&j);
}

static int run_zero(struct vfiox_ctx *ctx, const char *device, unsigned flags, bool json)
{
	struct vfiox_igd_zero_report r;
	bool dry = flags & VFIOX_IGD_ZERO_DRY_RUN;
	const char *name = device ? device : "0000:00:02.0";
	int ret = vfiox_igd_zero(ctx, device, flags, &r);

	if (ret == -EINVAL && !r.plan[0])
		return usage_error(&cmd_igd, "%s", vfiox_ctx_last_error(ctx));
	if (json) {
		if (!print_zero_json(name, ret, &r, dry, vfiox_ctx_last_error(ctx)))
			return EXIT_FAIL;
		if (ret)
			err_msg("igd: %s", vfiox_ctx_last_error(ctx));
		return ret ? EXIT_FAIL : EXIT_OK;
	}
	if (ret && !r.plan[0])
		return lib_error(ctx, "igd --zero", ret);
	printf("vfioctl igd --zero%s: %s, method %s: data stolen memory 0x%" PRIx64 "-0x%" PRIx64
	       " (%.0f MiB), mapped for the GPU at IOVA 0x%" PRIx64 "\n", dry ? " --dry-run" : "",
	       name, method_name(r.method), r.dsm_base, r.dsm_base + r.dsm_size - 1,
	       r.dsm_size / MiB, r.iova);
	if (dry || ret)
		printf("%s:\n%s", dry ? "would do" : "planned", r.plan);
	if (ret)
		return lib_error(ctx, "igd --zero", ret);
	if (dry) {
		printf("nothing was written (dry run)\n");
		return EXIT_OK;
	}
	printf("cleared %" PRIu64 " bytes in %" PRIu64 " steps: writing %.1f ms (%.0f MiB/s)",
	       r.bytes_written, r.steps, r.write_ns / 1e6,
	       r.write_ns ? r.bytes_written / MiB / (r.write_ns / 1e9) : 0.0);
	if (r.bytes_verified)
		printf(", read back %.1f ms (%.0f MiB/s): every byte zero", r.verify_ns / 1e6,
		       r.verify_ns ? r.bytes_verified / MiB / (r.verify_ns / 1e9) : 0.0);
	printf("; %.1f ms in all\n", r.total_ns / 1e6);
	return EXIT_OK;
}

static int run_igd(struct vfiox_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "save-vbt", required_argument, NULL, 's' },
		{ "zero", no_argument, NULL, 'z' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "no-verify", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *device = NULL, *vbt = NULL;
	bool json = false, zero = false;
	unsigned flags = 0;
	struct vfiox_igd *igd;
	int c, ret;

	while ((c = getopt_long(argc, argv, "js:znh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 's':
			vbt = optarg;
			break;
		case 'z':
			zero = true;
			break;
		case 'n':
			flags |= VFIOX_IGD_ZERO_DRY_RUN;
			break;
		case 'N':
			flags |= VFIOX_IGD_ZERO_NO_VERIFY;
			break;
		default:
			return verb_option_end(&cmd_igd, c, argv);
		}
	}
	if (argc - optind > 1)
		return usage_error(&cmd_igd, "name at most one device");
	if (optind < argc)
		device = argv[optind];
	if (flags && !zero)
		return usage_error(&cmd_igd, "--dry-run and --no-verify go with --zero");
	if (zero && vbt)
		return usage_error(&cmd_igd, "--zero and --save-vbt are separate runs");
	if (vbt && !*vbt)
		return usage_error(&cmd_igd, "--save-vbt needs a file name");
	if (zero && !device)
		return usage_error(&cmd_igd, "--zero needs the device named (vfioctl igd --zero "
				   "0000:00:02.0): it clears memory");
	if (zero)
		return run_zero(ctx, device, flags, json);

	ret = vfiox_igd_inspect(ctx, device, 0, &igd);
	if (ret == -EINVAL && device)
		return usage_error(&cmd_igd, "%s", vfiox_ctx_last_error(ctx));
	if (ret)
		return lib_error(ctx, "igd", ret);
	if (vbt) {
		ret = save_vbt(igd, vbt);
		vfiox_igd_free(igd);
		return ret;
	}
	if (json) {
		if (!print_json(igd)) {
			vfiox_igd_free(igd);
			err_msg("igd: cannot write the output");
			return EXIT_FAIL;
		}
	} else {
		print_human(igd);
	}
	ret = vfiox_findings_worst(vfiox_igd_findings(igd)) == VFIOX_CHECK_FAIL ? EXIT_FAIL
										 : EXIT_OK;
	vfiox_igd_free(igd);
	return ret;
}

const struct cmd cmd_igd = {
	.name = "igd",
	.args = "[DEVICE] [--json] [--save-vbt FILE] | --zero DEVICE [--dry-run] [--no-verify]",
	.summary = "Intel IGD: stolen memory, OpRegion/VBT, QEMU readiness; clear stolen memory",
	.help = "Decodes an Intel integrated GPU's registers (GMCH, BDSM, ASLS, the host\n"
		"bridge's TOLUD and BGSM) for its generation, checks them against the host\n"
		"(/proc/iomem, the IOMMU group's reserved regions, the driver), reads the\n"
		"OpRegion and VBT through vfio-pci, and says what a QEMU assignment needs.\n"
		"Without DEVICE: the Intel display device at 0000:00:02.0.\n"
		"\n"
		"  --json           everything as JSON (vfioctl/igd/1, see vfioctl-json(7))\n"
		"  --save-vbt FILE  write the VBT out (for the guest's firmware)\n"
		"  --zero           clear the data stolen memory of DEVICE (on vfio-pci) so the\n"
		"                   next user cannot read what the last one left, and read it\n"
		"                   back; the GTT stolen memory is never written\n"
		"  --dry-run        with --zero: the checks, the method, the exact ranges and\n"
		"                   what would be written; nothing is\n"
		"  --no-verify      with --zero: skip the read-back\n"
		"\n"
		"Root is needed for most of it: config space past 64 bytes and /proc/iomem's\n"
		"addresses are shown to root only.\n"
		"Exit status: 0 ok, 1 a finding fails or --zero was refused or failed, 2 usage.\n",
	.run = run_igd,
};
