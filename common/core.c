// SPDX-License-Identifier: GPL-2.0
/*
 * xenaccel_core: the grant cache, ring helpers and other pieces shared by
 * xenaccel_blkback and xenaccel_netback.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/module.h>
#include <xen/xen.h>

#include "core.h"

struct dentry *xenaccel_debugfs_dir;
EXPORT_SYMBOL_GPL(xenaccel_debugfs_dir);

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
