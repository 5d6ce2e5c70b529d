// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The libpci side: config space and the PCI ID database, with libpci pointed at the
 * context's sysfs root (its sysfs.path parameter).
 *
 * libpci reports through callbacks without a user pointer, and its error callback must
 * not return. The callbacks therefore find the context through a thread-local pointer
 * that is set only while we are inside libpci, and the error callback jumps back to the
 * call that entered libpci.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include "internal.h"

static __thread struct vfiox_ctx *cb_ctx;
static __thread jmp_buf *cb_jump;

static void cb_vlog(int level, const char *fmt, va_list ap)
{
	char msg[400];

	if (!cb_ctx)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	vfiox__log(cb_ctx, level, "libpci: %s", msg);
}

static void __attribute__((noreturn)) cb_error(char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (cb_ctx) {
		vsnprintf(cb_ctx->last_error, sizeof(cb_ctx->last_error), fmt, ap);
		vfiox__log(cb_ctx, VFIOX_LOG_ERR, "libpci: %s", cb_ctx->last_error);
	}
	va_end(ap);
	/* Only reachable from inside an ENTER/LEAVE pair, which always sets cb_jump. */
	longjmp(*cb_jump, 1);
}

static void cb_warning(char *fmt, ...)
{
	va_list ap;

	/* libpci warns about every config read that falls short; that is expected. */
	va_start(ap, fmt);
	cb_vlog(VFIOX_LOG_DEBUG, fmt, ap);
	va_end(ap);
}

static void cb_debug(char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cb_vlog(VFIOX_LOG_DEBUG, fmt, ap);
	va_end(ap);
}

#define PCILIB_ENTER(ctx, jb)                 \
	do {                                  \
		cb_ctx = (ctx);               \
		cb_jump = &(jb);              \
	} while (0)
#define PCILIB_LEAVE()               \
	do {                         \
		cb_ctx = NULL;       \
		cb_jump = NULL;      \
	} while (0)

int vfiox__pci_access(struct vfiox_ctx *ctx, struct pci_access **accp)
{
	char path[4096];
	struct pci_access *volatile acc = NULL;
	jmp_buf jb;

	snprintf(path, sizeof(path), "%s/bus/pci", ctx->sysfs_root);
	if (ctx->pacc && !strcmp(ctx->pacc_sysfs_path, path)) {
		*accp = ctx->pacc;
		return 0;
	}
	vfiox__pci_release(ctx);
	ctx->pacc_sysfs_path = strdup(path);
	if (!ctx->pacc_sysfs_path)
		return vfiox__err(ctx, -ENOMEM, "out of memory");

	PCILIB_ENTER(ctx, jb);
	if (setjmp(jb)) {
		PCILIB_LEAVE();
		if (acc)
			pci_cleanup(acc);
		return -EIO;
	}
	acc = pci_alloc();
	acc->error = cb_error;
	acc->warning = cb_warning;
	acc->debug = cb_debug;
	acc->method = PCI_ACCESS_SYS_BUS_PCI;
	pci_set_param(acc, "sysfs.path", path);
	/*
	 * udev's hwdb is built from the same pci.ids; asking it for every miss costs a
	 * failed open and a leaked udev handle per lookup where hwdb.bin is absent.
	 */
	pci_set_param(acc, "hwdb.disable", "1");
	pci_init(acc);
	PCILIB_LEAVE();
	ctx->pacc = acc;
	*accp = acc;
	return 0;
}

void vfiox__pci_release(struct vfiox_ctx *ctx)
{
	jmp_buf jb;

	if (ctx->pacc) {
		PCILIB_ENTER(ctx, jb);
		if (!setjmp(jb))
			pci_cleanup(ctx->pacc);
		PCILIB_LEAVE();
	}
	ctx->pacc = NULL;
	free(ctx->pacc_sysfs_path);
	ctx->pacc_sysfs_path = NULL;
}

/*
 * Reads as much config space as the kernel shows: 4096 bytes (PCIe, root), 256
 * (conventional PCI, root) or the 64-byte header (everybody else). libpci fails a read
 * that falls short, hence the steps. Returns the bytes read or -errno.
 */
int vfiox__pci_read_config(struct vfiox_pci_dev *dev, uint8_t *buf, size_t len)
{
	static const int steps[] = { 4096, 256, 64 };
	struct vfiox_ctx *ctx = dev->scan->ctx;
	struct pci_dev *volatile pdev = NULL;
	struct pci_access *acc;
	volatile int ret = -EIO;
	volatile size_t i;
	jmp_buf jb;

	ret = vfiox__pci_access(ctx, &acc);
	if (ret)
		return ret;
	ret = -EIO;
	PCILIB_ENTER(ctx, jb);
	if (setjmp(jb))
		goto out;
	pdev = pci_get_dev(acc, (int)dev->addr.domain, dev->addr.bus, dev->addr.dev,
			   dev->addr.func);
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		if ((size_t)steps[i] > len)
			continue;
		if (pci_read_block(pdev, 0, buf, steps[i])) {
			ret = steps[i];
			break;
		}
	}
out:
	if (pdev && !setjmp(jb))
		pci_free_dev(pdev);
	PCILIB_LEAVE();
	return ret;
}

char *vfiox__pci_lookup(struct vfiox_ctx *ctx, int what, unsigned a1, unsigned a2, unsigned a3,
			unsigned a4)
{
	struct pci_access *acc;
	char buf[256];
	char *volatile name = NULL;
	jmp_buf jb;

	if (vfiox__pci_access(ctx, &acc))
		return NULL;
	PCILIB_ENTER(ctx, jb);
	if (!setjmp(jb))
		name = pci_lookup_name(acc, buf, sizeof(buf), what | PCI_LOOKUP_NO_NUMBERS, a1, a2,
				       a3, a4);
	PCILIB_LEAVE();
	return name ? strdup(name) : NULL;
}
