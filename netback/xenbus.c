// SPDX-License-Identifier: GPL-2.0
/*
 * xenaccel_netback: the Xen network backend ("vif"), xenbus side.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kconfig.h>
#include <linux/module.h>

#include <xenaccel/backend.h>

static int __init xenaccel_netback_init(void)
{
	return xenaccel_backend_available("vif",
					  IS_BUILTIN(CONFIG_XEN_NETDEV_BACKEND));
}

static void __exit xenaccel_netback_exit(void)
{
}

module_init(xenaccel_netback_init);
module_exit(xenaccel_netback_exit);

MODULE_DESCRIPTION("xenaccel: Xen PV network backend");
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The xenaccel developers");
MODULE_SOFTDEP("pre: xenaccel_core");
