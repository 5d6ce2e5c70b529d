// SPDX-License-Identifier: LGPL-2.1-or-later
/* The library context: roots, logging, the last error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#ifndef VFIOX_VERSION
#define VFIOX_VERSION "0.0.0"
#endif

static int set_path(char **dst, const char *path)
{
	char *copy;
	size_t n;

	if (!path || !*path)
		return -EINVAL;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	/* "/sys/" and "/sys" name the same root; keep joins free of "//". */
	n = strlen(copy);
	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	free(*dst);
	*dst = copy;
	return 0;
}

VFIOX_EXPORT int vfiox_ctx_new(struct vfiox_ctx **ctxp)
{
	const char *sys = getenv("VFIOX_SYSFS_ROOT");
	const char *dev = getenv("VFIOX_DEV_ROOT");
	const char *proc = getenv("VFIOX_PROC_ROOT");
	const char *state = getenv("VFIOX_STATE_DIR");
	const char *etc = getenv("VFIOX_ETC_ROOT");
	struct vfiox_ctx *ctx;

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->log_max = VFIOX_LOG_ERR;
	if (set_path(&ctx->sysfs_root, sys && *sys ? sys : "/sys") ||
	    set_path(&ctx->dev_root, dev && *dev ? dev : "/dev") ||
	    set_path(&ctx->proc_root, proc && *proc ? proc : "/proc") ||
	    set_path(&ctx->state_dir, state && *state ? state : "/run/vfioctl") ||
	    set_path(&ctx->etc_root, etc && *etc ? etc : "/etc")) {
		vfiox_ctx_free(ctx);
		return -ENOMEM;
	}
	*ctxp = ctx;
	return 0;
}

VFIOX_EXPORT void vfiox_ctx_free(struct vfiox_ctx *ctx)
{
	if (!ctx)
		return;
	vfiox__pci_release(ctx);
	free(ctx->sysfs_root);
	free(ctx->dev_root);
	free(ctx->proc_root);
	free(ctx->state_dir);
	free(ctx->etc_root);
	free(ctx);
}

VFIOX_EXPORT int vfiox_ctx_set_sysfs_root(struct vfiox_ctx *ctx, const char *path)
{
	return set_path(&ctx->sysfs_root, path);
}

VFIOX_EXPORT const char *vfiox_ctx_sysfs_root(const struct vfiox_ctx *ctx)
{
	return ctx->sysfs_root;
}

VFIOX_EXPORT int vfiox_ctx_set_dev_root(struct vfiox_ctx *ctx, const char *path)
{
	return set_path(&ctx->dev_root, path);
}

VFIOX_EXPORT const char *vfiox_ctx_dev_root(const struct vfiox_ctx *ctx)
{
	return ctx->dev_root;
}

VFIOX_EXPORT int vfiox_ctx_set_proc_root(struct vfiox_ctx *ctx, const char *path)
{
	return set_path(&ctx->proc_root, path);
}

VFIOX_EXPORT const char *vfiox_ctx_proc_root(const struct vfiox_ctx *ctx)
{
	return ctx->proc_root;
}

VFIOX_EXPORT int vfiox_ctx_set_state_dir(struct vfiox_ctx *ctx, const char *path)
{
	return set_path(&ctx->state_dir, path);
}

VFIOX_EXPORT const char *vfiox_ctx_state_dir(const struct vfiox_ctx *ctx)
{
	return ctx->state_dir;
}

VFIOX_EXPORT int vfiox_ctx_set_etc_root(struct vfiox_ctx *ctx, const char *path)
{
	return set_path(&ctx->etc_root, path);
}

VFIOX_EXPORT const char *vfiox_ctx_etc_root(const struct vfiox_ctx *ctx)
{
	return ctx->etc_root;
}

VFIOX_EXPORT void vfiox_ctx_set_log(struct vfiox_ctx *ctx, vfiox_log_fn fn, void *userdata,
				    int max_level)
{
	ctx->log_fn = fn;
	ctx->log_data = userdata;
	ctx->log_max = max_level;
}

VFIOX_EXPORT int vfiox_ctx_set_lock_wait(struct vfiox_ctx *ctx, int timeout_ms)
{
	if (timeout_ms < -1)
		return -EINVAL;
	ctx->lock_wait_ms = timeout_ms;
	return 0;
}

VFIOX_EXPORT int vfiox_ctx_lock_wait(const struct vfiox_ctx *ctx)
{
	return ctx->lock_wait_ms;
}

VFIOX_EXPORT void vfiox_ctx_set_step_cb(struct vfiox_ctx *ctx, vfiox_step_fn fn, void *userdata)
{
	ctx->step_fn = fn;
	ctx->step_data = userdata;
}

void vfiox__steps_begin(struct vfiox_ctx *ctx)
{
	ctx->steps = 0;
	ctx->stopped = false;
}

int vfiox__step(struct vfiox_ctx *ctx, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ctx->steps++;
	vfiox__dbg(ctx, "step %zu: %s", ctx->steps, text);
	if (!ctx->step_fn)
		return 0;
	ret = ctx->step_fn(ctx->step_data, ctx->steps, text);
	ctx->stopped = ret != 0;
	if (ret)
		return vfiox__err(ctx, ret < 0 ? ret : -EINTR, "stopped before step %zu (%s)",
				  ctx->steps, text);
	return 0;
}

VFIOX_EXPORT const char *vfiox_ctx_last_error(const struct vfiox_ctx *ctx)
{
	return ctx->last_error;
}

VFIOX_EXPORT const char *vfiox_version(void)
{
	return VFIOX_VERSION;
}

static void vlog(struct vfiox_ctx *ctx, int level, const char *fmt, va_list ap)
{
	char msg[512];

	if (!ctx->log_fn || level > ctx->log_max)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	ctx->log_fn(ctx->log_data, level, msg);
}

void vfiox__log(struct vfiox_ctx *ctx, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(ctx, level, fmt, ap);
	va_end(ap);
}

int vfiox__err(struct vfiox_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->last_error, sizeof(ctx->last_error), fmt, ap);
	va_end(ap);
	vfiox__log(ctx, VFIOX_LOG_DEBUG, "%s", ctx->last_error);
	return err;
}
