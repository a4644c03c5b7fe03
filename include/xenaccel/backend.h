/* SPDX-License-Identifier: GPL-2.0 */
/* What every xenaccel backend module does the same way at load. */
#ifndef XENACCEL_BACKEND_H
#define XENACCEL_BACKEND_H

#include <linux/printk.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

struct dentry;
struct seq_file;
struct xenaccel_ring;

/* xenaccel_core's debugfs directory "xenaccel", for the backends' files. */
extern struct dentry *xenaccel_debugfs_dir;

void xenaccel_ring_show(struct seq_file *m, const char *name,
			const struct xenaccel_ring *ring);

/*
 * xenaccel_backend_available - may this backend serve devices here?
 * @what: "vbd" or "vif", for the log line
 * @intree_builtin: IS_BUILTIN() of the in-tree backend's config symbol
 *
 * A built-in in-tree backend registers first and binds every device, and
 * cannot be unloaded: say so and refuse to load rather than pretend.
 */
static inline int xenaccel_backend_available(const char *what,
					     bool intree_builtin)
{
	if (!xen_domain())
		return -ENODEV;
	if (intree_builtin) {
		pr_err("the in-tree %s backend is built into this kernel and binds every %s first; use it, or a kernel with it as a module\n",
		       what, what);
		return -EBUSY;
	}
	return 0;
}

#endif /* XENACCEL_BACKEND_H */
