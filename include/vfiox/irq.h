/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef VFIOX_IRQ_H
#define VFIOX_IRQ_H

#include <stddef.h>
#include <stdint.h>

#include <vfiox/ctx.h>
#include <vfiox/vfio.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * DOC: interrupts
 *
 * A VFIO device signals its interrupts on eventfds: VFIO_DEVICE_SET_IRQS ties each
 * vector of an interrupt index (vfio-pci: 0 INTx, 1 MSI, 2 MSI-X, 3 ERR, 4 REQ) to an
 * eventfd, which the caller reads, polls (&struct vfiox_irq_waiter) or hands to KVM
 * (vfiox_kvm_irqfd_assign()) so the interrupt goes into a guest without a trip through
 * user space.
 *
 * vfio-pci enables one of INTx, MSI and MSI-X at a time: disable one before enabling
 * another. ERR (AER errors, PCI Express devices only) and REQ are independent of them.
 *
 * The library remembers, per device and index, the eventfds it was given, so that
 * MSI-X can grow: see vfiox_irq_enable(). It does not own them: the caller keeps each
 * eventfd open as long as it is assigned (the kernel holds its own reference, but the
 * library re-issues the fd numbers when it re-enables an index). Eventfds made by
 * vfiox_irq_eventfd() are non-blocking and close-on-exec, which is what the reading
 * helpers here expect.
 *
 * INTx is level-triggered: vfio-pci masks the line when it fires (AUTOMASKED) and the
 * caller unmasks it once the device is serviced, with vfiox_irq_unmask(), or, when the
 * interrupt goes to a KVM guest, by an unmask eventfd (vfiox_irq_unmask_eventfd()) that
 * is KVM's resample fd for the same GSI.
 *
 * REQ: the kernel signals the REQ eventfd when it wants the device back (the device is
 * being unbound from vfio-pci or hot-unplugged), again every 10 s until the last fd of
 * the device is closed; the unbind waits for that. Enable it with
 * vfiox_irq_enable(d, VFIOX_IRQ_REQ, 0, 1, &efd), then either put @efd in a
 * waiter or poll vfiox_irq_req_pending(), and answer by closing the device.
 */
struct vfiox_irq_waiter;

/* The interrupt indexes of vfio-pci, the kernel's numbers (VFIO_PCI_*_IRQ_INDEX). */
enum vfiox_irq_index {
	VFIOX_IRQ_INTX = 0,
	VFIOX_IRQ_MSI = 1,
	VFIOX_IRQ_MSIX = 2,
	VFIOX_IRQ_ERR = 3,
	VFIOX_IRQ_REQ = 4,
};

/**
 * vfiox_irq_eventfd() - make an eventfd for interrupts
 * @ctx: the context (for the last error)
 * @efdp: receives the eventfd: non-blocking, close-on-exec, counter 0; the caller owns it
 *
 * Return: 0 or -errno (-EMFILE, -ENFILE, -ENOMEM).
 */
int vfiox_irq_eventfd(struct vfiox_ctx *ctx, int *efdp);

/**
 * vfiox_irq_enable() - signal vectors of an interrupt index on eventfds
 * @d: the device
 * @index: the interrupt index (&enum vfiox_irq_index with vfio-pci)
 * @start: the first vector
 * @count: how many vectors, at least 1; INTx, ERR and REQ have exactly one (start 0,
 *	count 1)
 * @efds: @count eventfds, one per vector from @start; -1 leaves that vector without
 *	one (and takes away the eventfd it had). The caller keeps them open while assigned.
 *
 * VFIO_DEVICE_SET_IRQS with DATA_EVENTFD | ACTION_TRIGGER. The first call on an index
 * enables it with @start + @count vectors (MSI/MSI-X: the kernel allocates that many
 * host vectors). Later calls within the enabled vectors swap eventfds without
 * disturbing the others.
 *
 * Growing MSI or MSI-X (@start + @count past the vectors enabled so far): when the
 * kernel reports MSI-X without VFIO_IRQ_INFO_NORESIZE (Linux 6.5+ on an interrupt
 * domain with dynamic MSI-X allocation), the new vectors are added and nothing else
 * changes. Otherwise (MSI always, MSI-X with NORESIZE) the kernel cannot add vectors to
 * an enabled index, so the library disables the index and enables it again with all
 * vectors: the eventfds given earlier for the vectors below are re-issued as they were
 * (the eventfds stay the same, so KVM irqfds on them keep working), the new ones added.
 * An interrupt that the device raises during those two calls may be lost, and the
 * kernel rewrites the device's MSI/MSI-X tables: enable as many vectors as will be
 * needed in the first call where that matters. If enabling the larger set fails, the
 * library enables the previous set again and reports both.
 *
 * Return: 0; -EINVAL for arguments the device cannot take (the message says which: an
 * index or vector it lacks, an fd that is not an eventfd, another of INTx/MSI/MSI-X
 * enabled); -ENOSPC when the kernel could allocate fewer host vectors than asked; -EBUSY
 * (INTx: the line is shared with another driver and the device cannot mask INTx); other
 * -errno. The last error names the device and the index.
 */
int vfiox_irq_enable(struct vfiox_device *d, uint32_t index, uint32_t start, uint32_t count,
		     const int *efds);

/**
 * vfiox_irq_disable() - stop signalling an interrupt index and release its vectors
 * @d: the device
 * @index: the interrupt index
 *
 * VFIO_DEVICE_SET_IRQS with DATA_NONE | ACTION_TRIGGER and count 0. The library forgets
 * the eventfds of the index; they stay open (the caller owns them).
 *
 * Return: 0, also when the index was not enabled; -EINVAL for an index the device lacks;
 * other -errno.
 */
int vfiox_irq_disable(struct vfiox_device *d, uint32_t index);

/**
 * vfiox_irq_mask() - mask vectors of an interrupt index
 * @d: the device
 * @index: the interrupt index
 * @start: the first vector
 * @count: how many, at least 1
 *
 * VFIO_DEVICE_SET_IRQS with DATA_NONE | ACTION_MASK. Only indexes whose info says
 * VFIO_IRQ_INFO_MASKABLE can be masked; vfio-pci reports that for INTx only (for MSI
 * and MSI-X, assign -1 as the eventfd of a vector to stop its delivery).
 *
 * Return: 0; -EINVAL when the index is not maskable or not enabled (the message says
 * which); other -errno.
 */
int vfiox_irq_mask(struct vfiox_device *d, uint32_t index, uint32_t start, uint32_t count);

/**
 * vfiox_irq_unmask() - unmask vectors of an interrupt index
 * @d: the device
 * @index: the interrupt index
 * @start: the first vector
 * @count: how many, at least 1
 *
 * VFIO_DEVICE_SET_IRQS with DATA_NONE | ACTION_UNMASK: for INTx, what ends the handling
 * of each interrupt (the kernel masked the line when it fired).
 *
 * Return: as vfiox_irq_mask().
 */
int vfiox_irq_unmask(struct vfiox_device *d, uint32_t index, uint32_t start, uint32_t count);

/**
 * vfiox_irq_unmask_eventfd() - unmask an index whenever an eventfd is signalled
 * @d: the device
 * @index: the interrupt index, VFIOX_IRQ_INTX with vfio-pci
 * @efd: the eventfd (KVM's resample fd of the GSI the INTx goes to); -1 removes it
 *
 * VFIO_DEVICE_SET_IRQS with DATA_EVENTFD | ACTION_UNMASK on vector 0: the kernel
 * unmasks INTx itself each time @efd is signalled, which is how a guest's EOI reaches
 * the device without user space. The index must be enabled.
 *
 * Return: 0; -EINVAL when the index is not maskable, not enabled, or @efd is not an
 * eventfd; other -errno.
 */
int vfiox_irq_unmask_eventfd(struct vfiox_device *d, uint32_t index, int efd);

/**
 * vfiox_irq_trigger() - raise vectors in software (loopback diagnostics)
 * @d: the device
 * @index: the interrupt index, enabled
 * @start: the first vector
 * @count: how many, at least 1
 *
 * VFIO_DEVICE_SET_IRQS with DATA_NONE | ACTION_TRIGGER: the kernel signals the eventfds
 * of the vectors as if the device had raised them; the device itself is not involved.
 * Vectors without an eventfd are skipped.
 *
 * Return: 0; -EINVAL when the index is not enabled; other -errno.
 */
int vfiox_irq_trigger(struct vfiox_device *d, uint32_t index, uint32_t start, uint32_t count);

/**
 * vfiox_irq_req_pending() - has the kernel asked for the device back?
 * @d: the device, with REQ enabled through vfiox_irq_enable()
 *
 * Reads (and so clears) the counter of the REQ eventfd without blocking. When it says
 * yes, finish with the device and close it: the kernel's unbind waits for that.
 *
 * Return: 1 when the kernel requested the device since the last call, 0 when not;
 * -ENOENT when REQ was not enabled through the library (the message says how); other
 * -errno.
 */
int vfiox_irq_req_pending(struct vfiox_device *d);

/**
 * vfiox_irq_waiter_new() - an epoll set to wait for several interrupt eventfds at once
 * @ctx: the context (for the last error)
 * @wp: receives the waiter; free it with vfiox_irq_waiter_free()
 *
 * Return: 0 or -errno.
 */
int vfiox_irq_waiter_new(struct vfiox_ctx *ctx, struct vfiox_irq_waiter **wp);

/**
 * vfiox_irq_waiter_add() - wait for an eventfd too
 * @w: the waiter
 * @efd: the eventfd; the caller keeps it open while it is in the waiter. The waiter
 *	reads it when it fires, so it should be the eventfd's only reader and the eventfd
 *	non-blocking (vfiox_irq_eventfd()).
 * @tag: what vfiox_irq_waiter_wait() reports when @efd fires
 *
 * Return: 0; -EEXIST when @efd is already in the waiter; -EBADF, -EINVAL for an fd that
 * cannot be polled; -ENOMEM.
 */
int vfiox_irq_waiter_add(struct vfiox_irq_waiter *w, int efd, uint64_t tag);

/**
 * vfiox_irq_waiter_remove() - stop waiting for an eventfd
 * @w: the waiter
 * @efd: an eventfd added before
 *
 * Return: 0; -ENOENT when @efd is not in the waiter.
 */
int vfiox_irq_waiter_remove(struct vfiox_irq_waiter *w, int efd);

/**
 * vfiox_irq_waiter_wait() - wait until eventfds fire
 * @w: the waiter
 * @timeout_ms: how long to wait at most; -1 forever, 0 not at all
 * @tags: receives the tags of the eventfds that fired
 * @max: room in @tags, at least 1; eventfds beyond it stay pending for the next call
 *
 * Each eventfd that fired is read, which clears its counter (several interrupts since
 * the last read count once).
 *
 * Return: how many tags were stored (at least 1), 0 when @timeout_ms passed first;
 * -EINTR when a signal interrupted the wait; other -errno.
 */
int vfiox_irq_waiter_wait(struct vfiox_irq_waiter *w, int timeout_ms, uint64_t *tags,
			  size_t max);

/**
 * vfiox_irq_waiter_free() - close a waiter's epoll set
 * @w: the waiter, or NULL; its eventfds stay open (the caller owns them)
 */
void vfiox_irq_waiter_free(struct vfiox_irq_waiter *w);

/**
 * vfiox_kvm_irqfd_assign() - let an eventfd inject an interrupt into a KVM guest
 * @ctx: the context (for the last error)
 * @vm_fd: the VM (from KVM_CREATE_VM), with an in-kernel irqchip
 * @efd: the eventfd (typically one given to vfiox_irq_enable())
 * @gsi: the guest interrupt (GSI) it raises
 * @resample_fd: -1 for an edge interrupt (MSI/MSI-X); for a level one (INTx), an
 *	eventfd that KVM signals when the guest acknowledges it, to be given to
 *	vfiox_irq_unmask_eventfd() so the host unmasks INTx
 *
 * KVM_IRQFD. One eventfd drives one GSI per VM.
 *
 * Return: 0; -EBUSY when @efd is already assigned in this VM; -EINVAL when @efd or
 * @resample_fd is not an eventfd or the VM has no in-kernel irqchip; other -errno.
 */
int vfiox_kvm_irqfd_assign(struct vfiox_ctx *ctx, int vm_fd, int efd, uint32_t gsi,
			   int resample_fd);

/**
 * vfiox_kvm_irqfd_deassign() - undo vfiox_kvm_irqfd_assign()
 * @ctx: the context (for the last error)
 * @vm_fd: the VM
 * @efd: the eventfd
 * @gsi: the GSI it was assigned to
 *
 * KVM_IRQFD with KVM_IRQFD_FLAG_DEASSIGN. KVM answers 0 also when the pair was not
 * assigned.
 *
 * Return: 0; -EINVAL when @efd is not an eventfd; other -errno.
 */
int vfiox_kvm_irqfd_deassign(struct vfiox_ctx *ctx, int vm_fd, int efd, uint32_t gsi);

#ifdef __cplusplus
}
#endif

#endif /* VFIOX_IRQ_H */
