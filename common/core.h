/* SPDX-License-Identifier: GPL-2.0 */
/* Internal to xenaccel_core: init and exit of its parts. */
#ifndef XENACCEL_CORE_INTERNAL_H
#define XENACCEL_CORE_INTERNAL_H

struct dentry;

/* debugfs "xenaccel" directory, an error pointer if debugfs is off. */
extern struct dentry *xenaccel_debugfs_dir;

int xenaccel_gcache_reclaim_init(void);
void xenaccel_gcache_reclaim_exit(void);

#ifdef XENACCEL_DEBUG
int xenaccel_selftest(void);
#else
static inline int xenaccel_selftest(void)
{
	return 0;
}
#endif

#endif /* XENACCEL_CORE_INTERNAL_H */
