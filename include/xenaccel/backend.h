/* SPDX-License-Identifier: GPL-2.0 */
/* What every xenaccel backend module does the same way at load. */
#ifndef XENACCEL_BACKEND_H
#define XENACCEL_BACKEND_H

#include <linux/err.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <xen/xen.h>
#include <xen/xenbus.h>
#include <xenaccel/xsnum.h>

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

/**
 * xenaccel_read_u32 - read a number a frontend wrote in xenstore
 * @dir: the key's directory, the frontend's or one of its queue-N
 * @node: the key
 * @val: out, on success
 *
 * The value must be plain decimal below 2^32 (see xsnum.h); reporting a
 * bad or missing key is the caller's business.
 *
 * Return: 0, -ENOENT if there is no such key, -EINVAL if it is no such
 * number, or another xenstore error.
 */
static inline int xenaccel_read_u32(const char *dir, const char *node,
				    u32 *val)
{
	char *s = xenbus_read(XBT_NIL, dir, node, NULL);
	int err = 0;

	if (IS_ERR(s))
		return PTR_ERR(s);
	if (!xa_parse_u32(s, val))
		err = -EINVAL;
	kfree(s);
	return err;
}

#endif /* XENACCEL_BACKEND_H */
