// SPDX-License-Identifier: GPL-2.0
/*
 * xenaccel_blkback in debugfs, under xenaccel/blkback/:
 *
 *   vbd-D-N/rings	each ring's shared indices, its requests in flight,
 *			whether completions wait for the worker and whether
 *			an event does: what a stuck disk is diagnosed from
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include <xenaccel/backend.h>
#include "common.h"

static struct dentry *xa_blkif_debugfs_dir;

static int xa_blkif_rings_show(struct seq_file *m, void *unused)
{
	struct xa_blkif *blkif = m->private;
	unsigned int i;

	mutex_lock(&blkif->rings_lock);
	seq_printf(m, "rings %u persistent %d\n", blkif->nr_rings,
		   blkif->persistent);
	for (i = 0; i < blkif->nr_rings; i++) {
		struct xa_blkif_ring *ring = &blkif->rings[i];

		/* A connect that failed half way leaves rings unmapped. */
		if (!ring->sring)
			continue;
		seq_printf(m, "ring %u: inflight %d completions %s event %s frontend lag %u\n",
			   i, atomic_read(&ring->inflight),
			   list_empty_careful(&ring->done) ? "none" : "waiting",
			   READ_ONCE(ring->waiting_reqs) ? "waiting" : "none",
			   READ_ONCE(ring->frontend_lag));
		xenaccel_ring_show(m, "shared", &ring->ring);
	}
	mutex_unlock(&blkif->rings_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xa_blkif_rings);

void xa_blkif_debugfs_add(struct xa_blkif *blkif)
{
	blkif->debugfs = debugfs_create_dir(dev_name(&blkif->dev->dev),
					    xa_blkif_debugfs_dir);
	debugfs_create_file("rings", 0400, blkif->debugfs, blkif,
			    &xa_blkif_rings_fops);
}

/* Waits for readers: the blkif may be freed afterwards. */
void xa_blkif_debugfs_remove(struct xa_blkif *blkif)
{
	debugfs_remove_recursive(blkif->debugfs);
	blkif->debugfs = NULL;
}

void xa_blkif_debugfs_init(void)
{
	xa_blkif_debugfs_dir = debugfs_create_dir("blkback",
						  xenaccel_debugfs_dir);
}

void xa_blkif_debugfs_exit(void)
{
	debugfs_remove_recursive(xa_blkif_debugfs_dir);
	xa_blkif_debugfs_dir = NULL;
}
