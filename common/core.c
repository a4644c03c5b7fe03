// SPDX-License-Identifier: GPL-2.0
/*
 * xenaccel_core: the grant cache, ring helpers and other pieces shared by
 * xenaccel_blkback and xenaccel_netback.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <xen/xen.h>

#include <xenaccel/backend.h>
#include <xenaccel/ring.h>
#include "core.h"

struct dentry *xenaccel_debugfs_dir;
EXPORT_SYMBOL_GPL(xenaccel_debugfs_dir);

/**
 * xenaccel_ring_show - one line of a ring's indices, for debugfs
 * @m: the seq_file being read
 * @name: the ring's name on the line
 * @ring: the ring
 *
 * What a stuck ring is diagnosed from: who produced how far, who waits
 * for an event where. The frontend writes its indices at any time, so
 * this is a snapshot, nothing more.
 */
void xenaccel_ring_show(struct seq_file *m, const char *name,
			const struct xenaccel_ring *ring)
{
	seq_printf(m, "  %s ring: req_prod %u req_cons %u rsp_prod %u (pvt %u) req_event %u rsp_event %u overrun %d\n",
		   name, READ_ONCE(ring->hdr->req_prod), READ_ONCE(ring->req_cons),
		   READ_ONCE(ring->hdr->rsp_prod), READ_ONCE(ring->rsp_prod_pvt),
		   READ_ONCE(ring->hdr->req_event), READ_ONCE(ring->hdr->rsp_event),
		   READ_ONCE(ring->overrun));
}
EXPORT_SYMBOL_GPL(xenaccel_ring_show);

static int __init xenaccel_core_init(void)
{
	int ret;

	if (!xen_domain())
		return -ENODEV;

	ret = xenaccel_selftest();
	if (ret) {
		pr_err("self-tests failed, refusing to load\n");
		return ret;
	}

	xenaccel_debugfs_dir = debugfs_create_dir("xenaccel", NULL);
	ret = xenaccel_gcache_reclaim_init();
	if (ret)
		debugfs_remove_recursive(xenaccel_debugfs_dir);
	return ret;
}

static void __exit xenaccel_core_exit(void)
{
	debugfs_remove_recursive(xenaccel_debugfs_dir);
	xenaccel_gcache_reclaim_exit();
}

module_init(xenaccel_core_init);
module_exit(xenaccel_core_exit);

MODULE_DESCRIPTION("xenaccel: shared grant cache and ring helpers for Xen PV backends");
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The xenaccel developers");
