// SPDX-License-Identifier: GPL-2.0
/*
 * xenaccel_blkback: the Xen block backend ("vbd"), xenbus side.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kconfig.h>
#include <linux/module.h>

#include <xenaccel/backend.h>

static int __init xenaccel_blkback_init(void)
{
	return xenaccel_backend_available("vbd",
					  IS_BUILTIN(CONFIG_XEN_BLKDEV_BACKEND));
}

static void __exit xenaccel_blkback_exit(void)
{
}

module_init(xenaccel_blkback_init);
module_exit(xenaccel_blkback_exit);

MODULE_DESCRIPTION("xenaccel: Xen PV block backend");
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The xenaccel developers");
MODULE_SOFTDEP("pre: xenaccel_core");
