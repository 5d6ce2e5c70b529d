// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Interrupts: VFIO_DEVICE_SET_IRQS on device fds, an epoll waiter for the eventfds, and
 * KVM irqfds that route the eventfds into a guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <linux/kvm.h>
#include <linux/vfio.h>

#include <vfiox/irq.h>

#include "internal.h"

/* No vfio driver has this many indexes; the tracking table stays small. */
#define MAX_TRACKED_INDEX 64
/* Vectors whose SET_IRQS fits on the stack (the unmask in every INTx handler). */
#define STACK_VECTORS 16
/* epoll events taken per wait. */
#define WAIT_BATCH 64

/*
 * What the library knows about one index of one device: the irq info (cached: it does
 * not change while the device is open) and the eventfds it enabled the index with.
 */
struct irq_index {
	bool info_loaded;
	uint32_t flags; /* VFIO_IRQ_INFO_* */
	uint32_t count; /* vectors the device has */
	uint32_t nvec;	/* vectors enabled through the library; 0: not enabled */
	int *efds;	/* nvec eventfds, -1 where none; the caller's fds */
};

struct irq_state {
	struct vfiox_device *dev;
	struct irq_state *next;
	struct irq_index idx[MAX_TRACKED_INDEX];
};

/*
 * struct vfiox_device has no room for this, so the states hang in one list keyed by the
 * device. A state lives while some index is enabled; vfiox__irq_release() (called when
 * the device is closed) drops what is left. The lock guards the list only: a device,
 * like its context, is used by one thread at a time.
 */
static struct irq_state *states;
static pthread_mutex_t states_lock = PTHREAD_MUTEX_INITIALIZER;

void vfiox__irq_release(struct vfiox_device *d);

static struct irq_state *state_find(struct vfiox_device *d, bool create)
{
	struct irq_state *s;

	pthread_mutex_lock(&states_lock);
	for (s = states; s; s = s->next)
		if (s->dev == d)
			break;
	if (!s && create) {
		s = calloc(1, sizeof(*s));
		if (s) {
			s->dev = d;
			s->next = states;
			states = s;
		}
	}
	pthread_mutex_unlock(&states_lock);
	return s;
}

static void state_unlink_free(struct irq_state *s)
{
	struct irq_state **pp;
	size_t i;

	pthread_mutex_lock(&states_lock);
	for (pp = &states; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	pthread_mutex_unlock(&states_lock);
	for (i = 0; i < ARRAY_SIZE(s->idx); i++)
		free(s->idx[i].efds);
	free(s);
}

/* Drops the state when no index is enabled any more. */
static void state_put(struct irq_state *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(s->idx); i++)
		if (s->idx[i].nvec)
			return;
	state_unlink_free(s);
}

void vfiox__irq_release(struct vfiox_device *d)
{
	struct irq_state *s = state_find(d, false);

	if (s)
		state_unlink_free(s);
}

static void forget(struct irq_state *s, uint32_t index)
{
	if (!s || index >= MAX_TRACKED_INDEX)
		return;
	free(s->idx[index].efds);
	s->idx[index].efds = NULL;
	s->idx[index].nvec = 0;
}

/* ------------------------------------------------------------------ info and messages */

static const char *idx_name(uint32_t index)
{
	return vfiox__irq_name(index);
}

/* The index's irq info, from the cache when there is a state. */
static int load_info(struct vfiox_device *d, struct irq_state *s, uint32_t index,
		     uint32_t *flags, uint32_t *count)
{
	struct irq_index *ix = s && index < MAX_TRACKED_INDEX ? &s->idx[index] : NULL;
	struct vfiox_irq irq;
	int ret;

	if (ix && ix->info_loaded) {
		*flags = ix->flags;
		*count = ix->count;
		return 0;
	}
	ret = vfiox_device_irq(d, index, &irq);
	if (ret < 0)
		return vfiox__err(d->ctx, ret, "%s: %s (irq index %u): cannot read its irq info "
				  "(VFIO_DEVICE_GET_IRQ_INFO): %s%s", d->name, idx_name(index),
				  index, strerror(-ret),
				  ret == -EINVAL ? "; the device has no such index" : "");
	*flags = irq.flags;
	*count = irq.count;
	if (ix) {
		ix->info_loaded = true;
		ix->flags = irq.flags;
		ix->count = irq.count;
	}
	return 0;
}

/* Checks [start, start + count) against the vectors the device has. */
static int check_range(struct vfiox_device *d, uint32_t index, uint32_t start, uint32_t count,
		       uint32_t have)
{
	if (!count)
		return vfiox__err(d->ctx, -EINVAL, "%s: %s (irq index %u): count is 0; give at "
				  "least one vector", d->name, idx_name(index), index);
	if (!have)
		return vfiox__err(d->ctx, -EINVAL, "%s: the device has no %s (irq index %u reports "
				  "0 vectors)", d->name, idx_name(index), index);
	if (start >= have || count > have - start)
		return vfiox__err(d->ctx, -EINVAL, "%s: %s (irq index %u) has %u vector%s (0-%u); "
				  "vectors %u-%llu are out of range", d->name, idx_name(index),
				  index, have, have == 1 ? "" : "s", have - 1, start,
				  (unsigned long long)start + count - 1);
	return 0;
}

/* True when @fd is an open eventfd; *what says what it is otherwise. */
static bool is_eventfd(int fd, char *what, size_t len)
{
	char path[64], link[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = vfiox_sys_readlinkat(AT_FDCWD, path, link, sizeof(link) - 1);
	if (n < 0) {
		/* Without /proc we cannot tell; do not claim it is not one. */
		snprintf(what, len, n == -ENOENT ? "not open" : "unknown");
		return n != -ENOENT;
	}
	link[n] = '\0';
	snprintf(what, len, "%s", link);
	return !strcmp(link, "anon_inode:[eventfd]");
}

/* Finds the first fd among @efds that is not an eventfd; appends the reason to @buf. */
static bool explain_bad_eventfd(const int *efds, uint32_t count, uint32_t start, char *buf,
				size_t len)
{
	char what[128];
	uint32_t i;

	for (i = 0; efds && i < count; i++) {
		if (efds[i] < 0 || is_eventfd(efds[i], what, sizeof(what)))
			continue;
		snprintf(buf, len, "fd %d (vector %u) is not an eventfd (it is %s): make one with "
			 "vfiox_irq_eventfd()", efds[i], start + i, what);
		return true;
	}
	return false;
}

/* The one of INTx/MSI/MSI-X other than @index that the library enabled, or -1. */
static int other_enabled(struct irq_state *s, uint32_t index)
{
	uint32_t i;

	if (!s || index > VFIOX_IRQ_MSIX)
		return -1;
	for (i = VFIOX_IRQ_INTX; i <= VFIOX_IRQ_MSIX; i++)
		if (i != index && s->idx[i].nvec)
			return (int)i;
	return -1;
}

enum op { OP_ENABLE, OP_MASK, OP_UNMASK, OP_UNMASK_EFD, OP_TRIGGER, OP_DISABLE };

static const char *const op_names[] = {
	[OP_ENABLE] = "enabling",
	[OP_MASK] = "masking",
	[OP_UNMASK] = "unmasking",
	[OP_UNMASK_EFD] = "setting the unmask eventfd of",
	[OP_TRIGGER] = "triggering",
	[OP_DISABLE] = "disabling",
};

/*
 * Turns a failed VFIO_DEVICE_SET_IRQS into the last error: what was asked, the kernel's
 * answer, and what the caller can do about it. @ret may be positive: vfio-pci returns how
 * many vectors it could allocate when that is fewer than asked.
 */
static int set_irqs_error(struct vfiox_device *d, struct irq_state *s, enum op op,
			  uint32_t index, uint32_t start, uint32_t count, const int *efds, int ret)
{
	const char *name = idx_name(index);
	char why[300] = "";
	int other;

	if (ret > 0)
		return vfiox__err(d->ctx, -ENOSPC, "%s: %s %s (irq index %u) vectors %u-%u: the "
				  "kernel could allocate only %d host vector%s of the %u asked; ask "
				  "for fewer vectors", d->name, op_names[op], name, index, start,
				  start + count - 1, ret, ret == 1 ? "" : "s", start + count);
	if (ret == -EINVAL) {
		other = op == OP_ENABLE ? other_enabled(s, index) : -1;
		if (explain_bad_eventfd(efds, count, start, why, sizeof(why)))
			;
		else if (other >= 0)
			snprintf(why, sizeof(why), "%s (irq index %d) is enabled and vfio-pci enables "
				 "one of INTx, MSI and MSI-X at a time: disable %s first "
				 "(vfiox_irq_disable)", idx_name((uint32_t)other), other,
				 idx_name((uint32_t)other));
		else if (op != OP_ENABLE && (!s || index >= MAX_TRACKED_INDEX ||
					     !s->idx[index].nvec))
			snprintf(why, sizeof(why), "%s is not enabled (enable it first with "
				 "vfiox_irq_enable)", name);
		else if (op == OP_ENABLE && index <= VFIOX_IRQ_MSIX)
			snprintf(why, sizeof(why), "the kernel refused (Invalid argument): is another "
				 "of INTx, MSI and MSI-X enabled by another user of the device fd? "
				 "disable it first");
		else
			snprintf(why, sizeof(why), "the kernel refused (Invalid argument)");
	} else if (ret == -EBUSY && index == VFIOX_IRQ_INTX && op == OP_ENABLE) {
		snprintf(why, sizeof(why), "the INTx line is in use by another driver and cannot "
			 "be shared, because the device cannot mask INTx itself (no PCI 2.3 INTx "
			 "disable): use MSI or MSI-X, or unbind the device that shares the line");
	} else if (ret == -ENOTTY) {
		snprintf(why, sizeof(why), "the driver does not support this on %s", name);
	} else {
		snprintf(why, sizeof(why), "%s", strerror(-ret));
	}
	if (op == OP_DISABLE)
		return vfiox__err(d->ctx, ret, "%s: %s %s (irq index %u): %s", d->name, op_names[op],
				  name, index, why);
	if (count > 1)
		return vfiox__err(d->ctx, ret, "%s: %s %s (irq index %u) vectors %u-%u: %s", d->name,
				  op_names[op], name, index, start, start + count - 1, why);
	return vfiox__err(d->ctx, ret, "%s: %s %s (irq index %u) vector %u: %s", d->name,
			  op_names[op], name, index, start, why);
}

/* ------------------------------------------------------------------ SET_IRQS */

/* One VFIO_DEVICE_SET_IRQS; with DATA_EVENTFD, @efds holds @count fds. Raw result. */
static int set_irqs(struct vfiox_device *d, uint32_t flags, uint32_t index, uint32_t start,
		    uint32_t count, const int *efds)
{
	union {
		struct vfio_irq_set set;
		uint8_t bytes[sizeof(struct vfio_irq_set) + STACK_VECTORS * sizeof(int32_t)];
	} stack;
	size_t dlen = flags & VFIO_IRQ_SET_DATA_EVENTFD ? (size_t)count * sizeof(int32_t) : 0;
	struct vfio_irq_set *set = &stack.set;
	uint32_t i;
	int ret;

	if (dlen > STACK_VECTORS * sizeof(int32_t)) {
		set = malloc(sizeof(*set) + dlen);
		if (!set)
			return -ENOMEM;
	}
	*set = (struct vfio_irq_set){
		.argsz = (uint32_t)(sizeof(*set) + dlen),
		.flags = flags,
		.index = index,
		.start = start,
		.count = count,
	};
	for (i = 0; dlen && i < count; i++) {
		int32_t fd = efds[i];

		memcpy(set->data + i * sizeof(fd), &fd, sizeof(fd));
	}
	ret = vfiox_sys_ioctl(d->fd, VFIO_DEVICE_SET_IRQS, set);
	if (set != &stack.set)
		free(set);
	return ret;
}

#define TRIGGER_EVENTFD (VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER)
#define TRIGGER_NONE (VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER)

/*
 * MSI and MSI-X without dynamic allocation cannot take vectors beyond those they were
 * enabled with: disable, then enable the whole set, the eventfds of before kept.
 */
static int grow(struct vfiox_device *d, struct irq_state *s, uint32_t index, uint32_t start,
		uint32_t count, const int *efds)
{
	struct irq_index *ix = &s->idx[index];
	uint32_t end = start + count, old = ix->nvec, i;
	char first[sizeof(d->ctx->last_error)];
	int *all, ret, ret2;

	all = malloc(end * sizeof(*all));
	if (!all)
		return vfiox__err(d->ctx, -ENOMEM, "out of memory");
	for (i = 0; i < end; i++)
		all[i] = i < old ? ix->efds[i] : -1;
	memcpy(all + start, efds, count * sizeof(*all));

	vfiox__dbg(d->ctx, "%s: %s (irq index %u) grows from %u to %u vectors: the kernel "
		   "cannot resize it, so it is disabled and enabled again", d->name,
		   idx_name(index), index, old, end);
	ret = set_irqs(d, TRIGGER_NONE, index, 0, 0, NULL);
	/* EINVAL: someone disabled it behind our back; enabling the whole set is still right. */
	if (ret < 0 && ret != -EINVAL) {
		free(all);
		return vfiox__err(d->ctx, ret, "%s: growing %s (irq index %u) from %u to %u "
				  "vectors: disabling it first failed: %s", d->name,
				  idx_name(index), index, old, end, strerror(-ret));
	}
	ret = set_irqs(d, TRIGGER_EVENTFD, index, 0, end, all);
	if (ret == 0) {
		free(ix->efds);
		ix->efds = all;
		ix->nvec = end;
		return 0;
	}
	ret = set_irqs_error(d, s, OP_ENABLE, index, 0, end, all, ret);
	free(all);
	/* The reason for the larger set, as said by set_irqs_error(), goes first. */
	snprintf(first, sizeof(first), "%s", d->ctx->last_error);
	ret2 = set_irqs(d, TRIGGER_EVENTFD, index, 0, old, ix->efds);
	if (ret2 == 0)
		return vfiox__err(d->ctx, ret, "%s; the %u vectors before are enabled again with "
				  "their eventfds", first, old);
	forget(s, index);
	return vfiox__err(d->ctx, ret, "%s; enabling the %u vectors before again failed too "
			  "(%s): %s (irq index %u) is disabled", first, old,
			  ret2 > 0 ? "too few host vectors" : strerror(-ret2), idx_name(index),
			  index);
}

VFIOX_EXPORT int vfiox_irq_enable(struct vfiox_device *d, uint32_t index, uint32_t start,
				  uint32_t count, const int *efds)
{
	struct irq_state *s;
	struct irq_index *ix;
	uint32_t flags, have, i, end, n;
	int ret, *rec;

	if (!count)
		return vfiox__err(d->ctx, -EINVAL, "%s: enabling %s (irq index %u): count is 0; "
				  "vfiox_irq_disable() disables an index", d->name, idx_name(index),
				  index);
	if (!efds)
		return vfiox__err(d->ctx, -EINVAL, "%s: enabling %s (irq index %u): no eventfds "
				  "given", d->name, idx_name(index), index);
	for (i = 0; i < count; i++)
		if (efds[i] < -1)
			return vfiox__err(d->ctx, -EINVAL, "%s: enabling %s (irq index %u): vector "
					  "%u: %d is neither an eventfd nor -1", d->name,
					  idx_name(index), index, start + i, efds[i]);
	if (index >= MAX_TRACKED_INDEX)
		return vfiox__err(d->ctx, -EINVAL, "%s: irq index %u: the library handles indexes "
				  "below %d", d->name, index, MAX_TRACKED_INDEX);
	s = state_find(d, true);
	if (!s)
		return vfiox__err(d->ctx, -ENOMEM, "out of memory");
	ix = &s->idx[index];
	ret = load_info(d, s, index, &flags, &have);
	if (ret)
		goto out_put;
	if (!(flags & VFIO_IRQ_INFO_EVENTFD)) {
		ret = vfiox__err(d->ctx, -EINVAL, "%s: %s (irq index %u) does not signal through "
				 "eventfds (no VFIO_IRQ_INFO_EVENTFD)", d->name, idx_name(index),
				 index);
		goto out_put;
	}
	ret = check_range(d, index, start, count, have);
	if (ret)
		goto out_put;
	end = start + count;
	if (ix->nvec && end > ix->nvec &&
	    (index == VFIOX_IRQ_MSI || (index == VFIOX_IRQ_MSIX && (flags & VFIO_IRQ_INFO_NORESIZE)))) {
		ret = grow(d, s, index, start, count, efds);
		goto out_put;
	}

	n = end > ix->nvec ? end : ix->nvec;
	rec = malloc(n * sizeof(*rec));
	if (!rec) {
		ret = vfiox__err(d->ctx, -ENOMEM, "out of memory");
		goto out_put;
	}
	for (i = 0; i < n; i++)
		rec[i] = i < ix->nvec ? ix->efds[i] : -1;
	memcpy(rec + start, efds, count * sizeof(*rec));
	ret = set_irqs(d, TRIGGER_EVENTFD, index, start, count, efds);
	if (ret) {
		free(rec);
		ret = set_irqs_error(d, s, OP_ENABLE, index, start, count, efds, ret);
		goto out_put;
	}
	free(ix->efds);
	ix->efds = rec;
	ix->nvec = n;
out_put:
	state_put(s);
	return ret;
}

VFIOX_EXPORT int vfiox_irq_disable(struct vfiox_device *d, uint32_t index)
{
	struct irq_state *s = state_find(d, false);
	uint32_t flags, have;
	int ret;

	ret = set_irqs(d, TRIGGER_NONE, index, 0, 0, NULL);
	if (ret == -EINVAL) {
		/* vfio-pci says EINVAL for an index that is not enabled, and one it lacks. */
		ret = load_info(d, s, index, &flags, &have);
		if (ret)
			return ret;
		vfiox__dbg(d->ctx, "%s: %s (irq index %u) was not enabled", d->name,
			   idx_name(index), index);
	} else if (ret) {
		return set_irqs_error(d, s, OP_DISABLE, index, 0, 0, NULL, ret);
	}
	if (s) {
		forget(s, index);
		state_put(s);
	}
	return 0;
}

/* MASK, UNMASK and TRIGGER with DATA_NONE on [start, start + count). */
static int action_none(struct vfiox_device *d, enum op op, uint32_t index, uint32_t start,
		       uint32_t count)
{
	struct irq_state *s = state_find(d, false);
	uint32_t flags, have, action;
	int ret;

	ret = load_info(d, s, index, &flags, &have);
	if (ret)
		return ret;
	if ((op == OP_MASK || op == OP_UNMASK) && !(flags & VFIO_IRQ_INFO_MASKABLE))
		return vfiox__err(d->ctx, -EINVAL, "%s: %s (irq index %u) cannot be %s: the kernel "
				  "does not report it maskable (vfio-pci masks INTx only); to stop "
				  "a vector's interrupts, give it -1 as its eventfd with "
				  "vfiox_irq_enable()", d->name, idx_name(index), index,
				  op == OP_MASK ? "masked" : "unmasked");
	ret = check_range(d, index, start, count, have);
	if (ret)
		return ret;
	action = op == OP_MASK	   ? VFIO_IRQ_SET_ACTION_MASK
		 : op == OP_UNMASK ? VFIO_IRQ_SET_ACTION_UNMASK
				   : VFIO_IRQ_SET_ACTION_TRIGGER;
	ret = set_irqs(d, VFIO_IRQ_SET_DATA_NONE | action, index, start, count, NULL);
	if (ret)
		return set_irqs_error(d, s, op, index, start, count, NULL, ret);
	return 0;
}

VFIOX_EXPORT int vfiox_irq_mask(struct vfiox_device *d, uint32_t index, uint32_t start,
				uint32_t count)
{
	return action_none(d, OP_MASK, index, start, count);
}

VFIOX_EXPORT int vfiox_irq_unmask(struct vfiox_device *d, uint32_t index, uint32_t start,
				  uint32_t count)
{
	return action_none(d, OP_UNMASK, index, start, count);
}

VFIOX_EXPORT int vfiox_irq_trigger(struct vfiox_device *d, uint32_t index, uint32_t start,
				   uint32_t count)
{
	return action_none(d, OP_TRIGGER, index, start, count);
}

VFIOX_EXPORT int vfiox_irq_unmask_eventfd(struct vfiox_device *d, uint32_t index, int efd)
{
	struct irq_state *s = state_find(d, false);
	uint32_t flags, have;
	int ret;

	if (efd < -1)
		return vfiox__err(d->ctx, -EINVAL, "%s: unmask eventfd of %s (irq index %u): %d is "
				  "neither an eventfd nor -1", d->name, idx_name(index), index, efd);
	ret = load_info(d, s, index, &flags, &have);
	if (ret)
		return ret;
	if (!(flags & VFIO_IRQ_INFO_MASKABLE))
		return vfiox__err(d->ctx, -EINVAL, "%s: %s (irq index %u) is not maskable, so it "
				  "takes no unmask eventfd (vfio-pci: INTx only)", d->name,
				  idx_name(index), index);
	ret = check_range(d, index, 0, 1, have);
	if (ret)
		return ret;
	ret = set_irqs(d, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_UNMASK, index, 0, 1,
		       &efd);
	if (ret)
		return set_irqs_error(d, s, OP_UNMASK_EFD, index, 0, 1, &efd, ret);
	return 0;
}

/* ------------------------------------------------------------------ eventfds */

VFIOX_EXPORT int vfiox_irq_eventfd(struct vfiox_ctx *ctx, int *efdp)
{
	int fd = vfiox_sys_eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	if (fd < 0)
		return vfiox__err(ctx, fd, "cannot create an eventfd: %s", strerror(-fd));
	*efdp = fd;
	return 0;
}

/*
 * Reads the counter of @efd if it is above 0, without blocking even when @efd is a
 * blocking eventfd: 1 when read, 0 when it was 0, -errno.
 */
static int read_if_ready(int efd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	uint64_t val;
	ssize_t n;
	int ep, ret;

	ep = vfiox_sys_epoll_create();
	if (ep < 0)
		return ep;
	ret = vfiox_sys_epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
	if (ret < 0)
		goto out_close;
	ret = vfiox_sys_epoll_wait(ep, &ev, 1, 0);
	if (ret <= 0)
		goto out_close;
	n = vfiox_sys_read(efd, &val, sizeof(val));
	ret = n == -EAGAIN ? 0 : n < 0 ? (int)n : n != sizeof(val) ? -EIO : 1;
out_close:
	vfiox_sys_close(ep);
	return ret;
}

VFIOX_EXPORT int vfiox_irq_req_pending(struct vfiox_device *d)
{
	struct irq_state *s = state_find(d, false);
	int ret, efd;

	if (!s || !s->idx[VFIOX_IRQ_REQ].nvec || s->idx[VFIOX_IRQ_REQ].efds[0] < 0)
		return vfiox__err(d->ctx, -ENOENT, "%s: REQ (irq index %d) has no eventfd from "
				  "this library: enable it first with vfiox_irq_enable(d, "
				  "VFIOX_IRQ_REQ, 0, 1, &efd)", d->name, VFIOX_IRQ_REQ);
	efd = s->idx[VFIOX_IRQ_REQ].efds[0];
	ret = read_if_ready(efd);
	if (ret < 0)
		return vfiox__err(d->ctx, ret, "%s: reading the REQ eventfd %d: %s", d->name, efd,
				  strerror(-ret));
	return ret;
}

/* ------------------------------------------------------------------ waiter */

struct waiter_entry {
	int efd; /* -1: free slot */
	uint64_t tag;
};

struct vfiox_irq_waiter {
	struct vfiox_ctx *ctx;
	int epfd;
	struct waiter_entry *ents;
	size_t n, cap;
};

VFIOX_EXPORT int vfiox_irq_waiter_new(struct vfiox_ctx *ctx, struct vfiox_irq_waiter **wp)
{
	struct vfiox_irq_waiter *w;
	int ret;

	w = calloc(1, sizeof(*w));
	if (!w)
		return vfiox__err(ctx, -ENOMEM, "out of memory");
	w->ctx = ctx;
	w->epfd = vfiox_sys_epoll_create();
	if (w->epfd < 0) {
		ret = vfiox__err(ctx, w->epfd, "cannot create an epoll set for interrupts: %s",
				 strerror(-w->epfd));
		goto err_free;
	}
	*wp = w;
	return 0;
err_free:
	free(w);
	return ret;
}

static struct waiter_entry *waiter_find(struct vfiox_irq_waiter *w, int efd)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->ents[i].efd == efd)
			return &w->ents[i];
	return NULL;
}

VFIOX_EXPORT int vfiox_irq_waiter_add(struct vfiox_irq_waiter *w, int efd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct waiter_entry *e;
	int ret;

	if (efd < 0)
		return vfiox__err(w->ctx, -EBADF, "waiter: %d is not an eventfd", efd);
	if (waiter_find(w, efd))
		return vfiox__err(w->ctx, -EEXIST, "waiter: eventfd %d is in it already", efd);
	e = waiter_find(w, -1);
	if (!e) {
		if (w->n == w->cap) {
			size_t cap = w->cap ? w->cap * 2 : 8;
			struct waiter_entry *ents = realloc(w->ents, cap * sizeof(*ents));

			if (!ents)
				return vfiox__err(w->ctx, -ENOMEM, "out of memory");
			w->ents = ents;
			w->cap = cap;
		}
		e = &w->ents[w->n++];
		e->efd = -1;
	}
	ev.data.u64 = (uint64_t)(e - w->ents);
	ret = vfiox_sys_epoll_ctl(w->epfd, EPOLL_CTL_ADD, efd, &ev);
	if (ret < 0)
		return vfiox__err(w->ctx, ret, "waiter: cannot watch fd %d: %s%s", efd,
				  strerror(-ret), ret == -EPERM ? " (not a pollable fd)" : "");
	e->efd = efd;
	e->tag = tag;
	return 0;
}

VFIOX_EXPORT int vfiox_irq_waiter_remove(struct vfiox_irq_waiter *w, int efd)
{
	struct waiter_entry *e = efd >= 0 ? waiter_find(w, efd) : NULL;
	int ret;

	if (!e)
		return vfiox__err(w->ctx, -ENOENT, "waiter: eventfd %d is not in it", efd);
	e->efd = -1;
	/* A closed fd has left the epoll set by itself already (EBADF): fine. */
	ret = vfiox_sys_epoll_ctl(w->epfd, EPOLL_CTL_DEL, efd, NULL);
	if (ret < 0 && ret != -EBADF && ret != -ENOENT)
		return vfiox__err(w->ctx, ret, "waiter: removing eventfd %d: %s", efd,
				  strerror(-ret));
	return 0;
}

VFIOX_EXPORT int vfiox_irq_waiter_wait(struct vfiox_irq_waiter *w, int timeout_ms,
				       uint64_t *tags, size_t max)
{
	struct epoll_event evs[WAIT_BATCH];
	int n, i, want;
	size_t got;

	if (!max || !tags)
		return vfiox__err(w->ctx, -EINVAL, "waiter: no room for tags (max 0)");
	want = max < WAIT_BATCH ? (int)max : WAIT_BATCH;
	for (;;) {
		n = vfiox_sys_epoll_wait(w->epfd, evs, want, timeout_ms);
		if (n < 0)
			return n == -EINTR ? n : vfiox__err(w->ctx, n, "waiter: epoll_wait: %s",
							    strerror(-n));
		if (n == 0)
			return 0;
		for (got = 0, i = 0; i < n; i++) {
			uint64_t slot = evs[i].data.u64, val;
			struct waiter_entry *e = slot < w->n ? &w->ents[slot] : NULL;
			ssize_t r;

			if (!e || e->efd < 0)
				continue;
			r = vfiox_sys_read(e->efd, &val, sizeof(val));
			if (r == -EAGAIN)
				continue; /* another reader took it */
			if (r != sizeof(val)) {
				vfiox__err(w->ctx, r < 0 ? (int)r : -EIO, "waiter: reading eventfd "
					   "%d: %s", e->efd, r < 0 ? strerror((int)-r) : "short read");
				if (!got)
					return r < 0 ? (int)r : -EIO;
				continue;
			}
			tags[got++] = e->tag;
		}
		/* Everything that fired was read by someone else: wait again. */
		if (got || !timeout_ms)
			return (int)got;
	}
}

VFIOX_EXPORT void vfiox_irq_waiter_free(struct vfiox_irq_waiter *w)
{
	if (!w)
		return;
	vfiox_sys_close(w->epfd);
	free(w->ents);
	free(w);
}

/* ------------------------------------------------------------------ KVM irqfd */

static int irqfd_error(struct vfiox_ctx *ctx, int ret, const char *what, int vm_fd, int efd,
		       uint32_t gsi, int resample_fd)
{
	char why[300], kind[128];

	if (ret == -EBUSY)
		snprintf(why, sizeof(why), "eventfd %d is already assigned to an irqfd of this VM "
			 "(KVM lets one eventfd drive one GSI): deassign it first with "
			 "vfiox_kvm_irqfd_deassign()", efd);
	else if (ret == -EINVAL && !is_eventfd(efd, kind, sizeof(kind)))
		snprintf(why, sizeof(why), "fd %d is not an eventfd (it is %s)", efd, kind);
	else if (ret == -EINVAL && resample_fd >= 0 && !is_eventfd(resample_fd, kind, sizeof(kind)))
		snprintf(why, sizeof(why), "resample fd %d is not an eventfd (it is %s)",
			 resample_fd, kind);
	else if (ret == -EINVAL)
		snprintf(why, sizeof(why), "Invalid argument: does the VM have an in-kernel irqchip "
			 "(KVM_CREATE_IRQCHIP)?%s", resample_fd >= 0 ? " A resample fd needs the "
			 "full in-kernel irqchip, not a split one" : "");
	else if (ret == -ENOTTY)
		snprintf(why, sizeof(why), "fd %d is not a KVM VM (or KVM lacks irqfd)", vm_fd);
	else
		snprintf(why, sizeof(why), "%s", strerror(-ret));
	return vfiox__err(ctx, ret, "KVM irqfd %s (VM fd %d, eventfd %d, GSI %u%s): %s", what,
			  vm_fd, efd, gsi, resample_fd >= 0 ? ", with a resample fd" : "", why);
}

VFIOX_EXPORT int vfiox_kvm_irqfd_assign(struct vfiox_ctx *ctx, int vm_fd, int efd, uint32_t gsi,
					int resample_fd)
{
	struct kvm_irqfd irqfd = {
		.fd = (uint32_t)efd,
		.gsi = gsi,
		.flags = resample_fd >= 0 ? KVM_IRQFD_FLAG_RESAMPLE : 0,
		.resamplefd = resample_fd >= 0 ? (uint32_t)resample_fd : 0,
	};
	int ret;

	if (efd < 0 || resample_fd < -1)
		return vfiox__err(ctx, -EBADF, "KVM irqfd assign (VM fd %d, GSI %u): %s %d is not "
				  "an open fd", vm_fd, gsi, efd < 0 ? "eventfd" : "resample fd",
				  efd < 0 ? efd : resample_fd);
	ret = vfiox_sys_ioctl(vm_fd, KVM_IRQFD, &irqfd);
	if (ret < 0)
		return irqfd_error(ctx, ret, "assign", vm_fd, efd, gsi, resample_fd);
	return 0;
}

VFIOX_EXPORT int vfiox_kvm_irqfd_deassign(struct vfiox_ctx *ctx, int vm_fd, int efd, uint32_t gsi)
{
	struct kvm_irqfd irqfd = {
		.fd = (uint32_t)efd,
		.gsi = gsi,
		.flags = KVM_IRQFD_FLAG_DEASSIGN,
	};
	int ret;

	if (efd < 0)
		return vfiox__err(ctx, -EBADF, "KVM irqfd deassign (VM fd %d, GSI %u): eventfd %d is "
				  "not an open fd", vm_fd, gsi, efd);
	ret = vfiox_sys_ioctl(vm_fd, KVM_IRQFD, &irqfd);
	if (ret < 0)
		return irqfd_error(ctx, ret, "deassign", vm_fd, efd, gsi, -1);
	return 0;
}
