// SPDX-License-Identifier: GPL-2.0-or-later
/* vfioctl rom: the expansion ROM of a device on vfio-pci, to stdout or a file. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vfioctl.h"

static int write_all(int fd, const unsigned char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int run_rom(struct vfiox_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "vf-token", required_argument, NULL, 't' },
		{ "backend", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *out = NULL, *vf_token = NULL, *backend_arg = NULL;
	struct target t;
	void *rom = NULL;
	size_t len = 0;
	int c, fd = STDOUT_FILENO, ret = EXIT_FAIL, backend;

	while ((c = getopt_long(argc, argv, "o:t:B:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 't':
			vf_token = optarg;
			break;
		case 'B':
			backend_arg = optarg;
			break;
		default:
			return verb_option_end(&cmd_rom, c, argv);
		}
	}
	if (optind != argc - 1)
		return usage_error(&cmd_rom, "name one device");
	if (backend_option(&cmd_rom, backend_arg, &backend))
		return EXIT_USAGE;
	if (!out && isatty(STDOUT_FILENO))
		return usage_error(&cmd_rom, "the ROM is binary: redirect it (vfioctl rom %s > rom.bin) "
				   "or use --output FILE", argv[optind]);
	if (target_open_backend(ctx, argv[optind], vf_token, backend, "read the ROM of", &t))
		return EXIT_FAIL;
	if (vfiox_device_read_rom(t.h.device, &rom, &len)) {
		ret = lib_error(ctx, "reading the ROM", -EIO);
		goto out_close;
	}
	if (out) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			err_msg("cannot create %s: %s", out, strerror(errno));
			goto out_close;
		}
	}
	if (write_all(fd, rom, len)) {
		err_msg("cannot write the ROM to %s: %s", out ? out : "stdout", strerror(errno));
		if (out)
			unlink(out); /* no half ROM left behind */
	} else {
		ret = EXIT_OK;
		if (out)
			fprintf(stderr, "vfioctl: %s: %zu bytes of ROM written to %s\n",
				vfiox_pci_dev_name(t.dev), len, out);
	}
	if (out && close(fd) && ret == EXIT_OK) {
		err_msg("cannot write the ROM to %s: %s", out, strerror(errno));
		unlink(out);
		ret = EXIT_FAIL;
	}
out_close:
	free(rom);
	target_close(&t);
	return ret;
}

const struct cmd cmd_rom = {
	.name = "rom",
	.args = "[--output FILE] [--vf-token UUID] [--backend auto|type1|iommufd] DEVICE",
	.summary = "dump the expansion ROM of a device on vfio-pci",
	.help = "  DEVICE           PCI address of a device bound to vfio-pci\n"
		"  --output FILE    write to FILE (default: stdout, which must not be a terminal)\n"
		"  --vf-token UUID  the VF token, for a VF whose PF is bound to vfio-pci\n"
		"  --backend B      open it over B: auto (the default, or $VFIOX_BACKEND), type1\n"
		"                   or iommufd\n",
	.run = run_rom,
};
