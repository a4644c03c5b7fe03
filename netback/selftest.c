// SPDX-License-Identifier: GPL-2.0
/*
 * Debug builds only (XENACCEL_DEBUG=1): the netif protocol cases, run at
 * load against the kernel's own headers; a failure refuses the load.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <xen/page.h>

#include <xenaccel/selftest.h>
#include <xenaccel/xsnum.h>
#include "proto.h"
#include "common.h"

#include "selftest/parse.c"

int xa_vif_selftest(void)
{
	return xenaccel_selftest_run("netif", xa_netif_tests,
				     ARRAY_SIZE(xa_netif_tests));
}
