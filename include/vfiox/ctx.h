/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef VFIOX_CTX_H
#define VFIOX_CTX_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: library context
 *
 * A &struct vfiox_ctx holds everything the library needs to reach the kernel: the sysfs
 * root (default "/sys", or $VFIOX_SYSFS_ROOT), the device root (default "/dev", or
 * $VFIOX_DEV_ROOT), the caller's log callback and the reason for the last error.
 * A context is not thread-safe; use one per thread or lock around it.
 */
struct vfiox_ctx;

/* Log levels, the syslog numbers. */
enum vfiox_log_level {
	VFIOX_LOG_ERR = 3,
	VFIOX_LOG_WARNING = 4,
	VFIOX_LOG_INFO = 6,
	VFIOX_LOG_DEBUG = 7,
};

/**
 * typedef vfiox_log_fn - receives the library's log messages
 * @userdata: the pointer given to vfiox_ctx_set_log()
 * @level: one of &enum vfiox_log_level
 * @msg: the message, without a trailing newline; valid only during the call
 */
typedef void (*vfiox_log_fn)(void *userdata, int level, const char *msg);

/**
 * vfiox_ctx_new() - create a library context
 * @ctxp: receives the new context
 *
 * Reads $VFIOX_SYSFS_ROOT and $VFIOX_DEV_ROOT when they are set. Logging is off until
 * vfiox_ctx_set_log() installs a callback.
 *
 * Return: 0, or -ENOMEM. The caller frees the context with vfiox_ctx_free().
 */
int vfiox_ctx_new(struct vfiox_ctx **ctxp);

/**
 * vfiox_ctx_free() - release a context
 * @ctx: the context, or NULL
 *
 * Every object created from the context must have been freed before.
 */
void vfiox_ctx_free(struct vfiox_ctx *ctx);

/**
 * vfiox_ctx_set_sysfs_root() - point the context at another sysfs tree
 * @ctx: the context
 * @path: directory that stands for /sys (holds bus/pci and kernel/iommu_groups)
 *
 * Return: 0, -EINVAL for an empty path, -ENOMEM.
 */
int vfiox_ctx_set_sysfs_root(struct vfiox_ctx *ctx, const char *path);

/**
 * vfiox_ctx_sysfs_root() - the sysfs root in use
 * @ctx: the context
 *
 * Return: the path; owned by the context.
 */
const char *vfiox_ctx_sysfs_root(const struct vfiox_ctx *ctx);

/**
 * vfiox_ctx_set_dev_root() - point the context at another /dev
 * @ctx: the context
 * @path: directory that stands for /dev (holds vfio/)
 *
 * Return: 0, -EINVAL for an empty path, -ENOMEM.
 */
int vfiox_ctx_set_dev_root(struct vfiox_ctx *ctx, const char *path);

/**
 * vfiox_ctx_dev_root() - the device root in use
 * @ctx: the context
 *
 * Return: the path; owned by the context.
 */
const char *vfiox_ctx_dev_root(const struct vfiox_ctx *ctx);

/**
 * vfiox_ctx_set_proc_root() - point the context at another /proc
 * @ctx: the context
 * @path: directory that stands for /proc (mounts, swaps, holders of device nodes)
 *
 * The default is $VFIOX_PROC_ROOT when set, else /proc.
 *
 * Return: 0, -EINVAL for an empty path, -ENOMEM.
 */
int vfiox_ctx_set_proc_root(struct vfiox_ctx *ctx, const char *path);

/**
 * vfiox_ctx_proc_root() - the /proc root in use
 * @ctx: the context
 *
 * Return: the path; owned by the context.
 */
const char *vfiox_ctx_proc_root(const struct vfiox_ctx *ctx);

/**
 * vfiox_ctx_set_state_dir() - where the binding journal is kept
 * @ctx: the context
 * @path: a directory (created when first needed)
 *
 * The default is $VFIOX_STATE_DIR when set, else /run/vfioctl: the journal lives as long
 * as the boot whose bindings it records.
 *
 * Return: 0, -EINVAL for an empty path, -ENOMEM.
 */
int vfiox_ctx_set_state_dir(struct vfiox_ctx *ctx, const char *path);

/**
 * vfiox_ctx_state_dir() - the journal directory in use
 * @ctx: the context
 *
 * Return: the path; owned by the context.
 */
const char *vfiox_ctx_state_dir(const struct vfiox_ctx *ctx);

/**
 * vfiox_ctx_set_etc_root() - point the context at another /etc
 * @ctx: the context
 * @path: directory that stands for /etc (persistent bindings, limits)
 *
 * The default is $VFIOX_ETC_ROOT when set, else /etc.
 *
 * Return: 0, -EINVAL for an empty path, -ENOMEM.
 */
int vfiox_ctx_set_etc_root(struct vfiox_ctx *ctx, const char *path);

/**
 * vfiox_ctx_etc_root() - the /etc root in use
 * @ctx: the context
 *
 * Return: the path; owned by the context.
 */
const char *vfiox_ctx_etc_root(const struct vfiox_ctx *ctx);

/**
 * vfiox_ctx_set_log() - install a log callback
 * @ctx: the context
 * @fn: the callback, or NULL to silence the library
 * @userdata: passed to @fn unchanged
 * @max_level: messages above this &enum vfiox_log_level are dropped
 */
void vfiox_ctx_set_log(struct vfiox_ctx *ctx, vfiox_log_fn fn, void *userdata, int max_level);

/**
 * vfiox_ctx_last_error() - why the last failing call failed
 * @ctx: the context
 *
 * Every function that fails with a negative errno also records a sentence naming the
 * object and, where there is one, the way out.
 *
 * Return: the sentence, or "" when nothing failed yet; owned by the context and valid
 * until the next call on it.
 */
const char *vfiox_ctx_last_error(const struct vfiox_ctx *ctx);

/**
 * vfiox_ctx_set_lock_wait() - how long a change of bindings waits for the journal's lock
 * @ctx: the context
 * @timeout_ms: milliseconds to wait; 0 fails at once (the default), -1 waits for ever
 *
 * One process at a time changes device bindings (bind, restore, SR-IOV, VF tokens): they
 * take an exclusive lock on <state_dir>/lock. While another process holds it, a call
 * waits for it up to @timeout_ms, logging once at %VFIOX_LOG_WARNING which process holds
 * it (pid and command line); it sleeps between tries, it is not woken by a signal and
 * installs none. When the time runs out the call fails with -ETIMEDOUT, with 0 at once
 * with -EBUSY; either way the last error names the holder.
 *
 * Return: 0, or -EINVAL for a @timeout_ms below -1.
 */
int vfiox_ctx_set_lock_wait(struct vfiox_ctx *ctx, int timeout_ms);

/**
 * vfiox_ctx_lock_wait() - the wait for the journal's lock in use
 * @ctx: the context
 *
 * Return: milliseconds, 0 (no wait) or -1 (for ever); see vfiox_ctx_set_lock_wait().
 */
int vfiox_ctx_lock_wait(const struct vfiox_ctx *ctx);

/**
 * typedef vfiox_step_fn - told of each change the library is about to make
 * @userdata: the pointer given to vfiox_ctx_set_step_cb()
 * @step: 1 for the first change of the call, then 2, 3...
 * @text: what is about to be written, e.g. "write \"0\" to .../sriov_numvfs"; valid
 *        only during the call
 *
 * Return: 0 to go on; a negative errno stops the call before this change: it fails with
 * that errno as a failure of this change would (a bind or an SR-IOV change is rolled
 * back, a restore keeps the journal entry it has not finished).
 */
typedef int (*vfiox_step_fn)(void *userdata, size_t step, const char *text);

/**
 * vfiox_ctx_set_step_cb() - install a callback run before each change to a device
 * @ctx: the context
 * @fn: the callback, or NULL for none
 * @userdata: passed to @fn unchanged
 *
 * Called before every sysfs write of vfiox_bind_restore(), vfiox_bind_restore_all() and
 * vfiox_sriov_set_numvfs(), and of vfiox_bind_plan_run() for a plan without a callback
 * of its own (vfiox_bind_plan_set_step_cb()), after the journal holds what undoes the
 * write. For progress reports, and for tests that stop a process there (kill -9 at
 * every step, then vfiox_bind_restore_all()).
 */
void vfiox_ctx_set_step_cb(struct vfiox_ctx *ctx, vfiox_step_fn fn, void *userdata);

/**
 * vfiox_version() - the library's version
 *
 * Return: a static string such as "0.1.0".
 */
const char *vfiox_version(void);

#ifdef __cplusplus
}
#endif

#endif /* VFIOX_CTX_H */
