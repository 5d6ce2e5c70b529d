/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef VFIOX_VFIOX_H
#define VFIOX_VFIOX_H

/* The umbrella header: include this one. */
#include <vfiox/ctx.h>
#include <vfiox/pci.h>
#include <vfiox/group.h>
#include <vfiox/vfio.h>
#include <vfiox/bar.h>
#include <vfiox/reset.h>
#include <vfiox/irq.h>
#include <vfiox/dma.h>
#include <vfiox/bind.h>
#include <vfiox/inuse.h>
#include <vfiox/host.h>
#include <vfiox/sriov.h>
#include <vfiox/monitor.h>
#include <vfiox/physmap.h>
#include <vfiox/igd.h>
#include <vfiox/handover.h>
#include <vfiox/iommufd.h>
#include <vfiox/grant.h>
#include <vfiox/vfio-user.h>

#endif /* VFIOX_VFIOX_H */
