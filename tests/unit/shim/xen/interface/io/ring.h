/* Xen's public ring.h, as libxen-dev ships it for user space. */
#ifndef XENACCEL_SHIM_RING_H
#define XENACCEL_SHIM_RING_H
#include "../../../shim.h"
#define xen_mb() __sync_synchronize()
#define xen_rmb() barrier()
#define xen_wmb() barrier()
#include <xen/io/ring.h>
#endif
