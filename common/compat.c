// SPDX-License-Identifier: GPL-2.0
/* The code behind include/xenaccel/compat.h. */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/export.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/numa.h>
#include <linux/slab.h>
#include <linux/shrinker.h>
#ifdef XENACCEL_HAVE_SKB_RECYCLE
#ifdef XENACCEL_HAVE_PAGE_POOL_HELPERS
#include <net/page_pool/helpers.h>
#else
#include <net/page_pool.h>
#endif
#endif

struct shrinker *
xenaccel_shrinker_create(unsigned long (*count)(struct shrinker *,
						struct shrink_control *),
			 unsigned long (*scan)(struct shrinker *,
					       struct shrink_control *),
			 const char *name)
{
	struct shrinker *shrinker;

#ifdef XENACCEL_HAVE_SHRINKER_ALLOC
	shrinker = shrinker_alloc(0, "%s", name);
	if (!shrinker)
		return NULL;
	shrinker->count_objects = count;
	shrinker->scan_objects = scan;
	shrinker_register(shrinker);
#else
	shrinker = kzalloc(sizeof(*shrinker), GFP_KERNEL);
	if (!shrinker)
		return NULL;
	shrinker->count_objects = count;
	shrinker->scan_objects = scan;
	shrinker->seeks = DEFAULT_SEEKS;
#ifdef XENACCEL_HAVE_SHRINKER_NAME
	if (register_shrinker(shrinker, "%s", name)) {
#else
	if (register_shrinker(shrinker)) {
#endif
		kfree(shrinker);
		return NULL;
	}
#endif
	return shrinker;
}
EXPORT_SYMBOL_GPL(xenaccel_shrinker_create);

void xenaccel_shrinker_destroy(struct shrinker *shrinker)
{
#ifdef XENACCEL_HAVE_SHRINKER_ALLOC
	shrinker_free(shrinker);
#else
	unregister_shrinker(shrinker);
	kfree(shrinker);
#endif
}
EXPORT_SYMBOL_GPL(xenaccel_shrinker_destroy);

/* Opened shared, as in-tree blkback does: no holder, not exclusive. */
int xenaccel_bdev_open(struct xenaccel_bdev *b, dev_t dev, bool write)
{
	b->write = write;
	b->file = NULL;
#ifdef XENACCEL_HAVE_BDEV_FILE_OPEN
	{
		struct file *file;

		file = bdev_file_open_by_dev(dev, write ? BLK_OPEN_READ | BLK_OPEN_WRITE :
						      BLK_OPEN_READ, NULL, NULL);
		if (IS_ERR(file))
			return PTR_ERR(file);
		b->file = file;
		b->bdev = file_bdev(file);
	}
#else
	b->bdev = blkdev_get_by_dev(dev, write ? FMODE_READ | FMODE_WRITE :
					FMODE_READ, NULL);
	if (IS_ERR(b->bdev))
		return PTR_ERR(b->bdev);
#endif
	return 0;
}
EXPORT_SYMBOL_GPL(xenaccel_bdev_open);

void xenaccel_bdev_close(struct xenaccel_bdev *b)
{
#ifdef XENACCEL_HAVE_BDEV_FILE_OPEN
	bdev_fput(b->file);
#else
	blkdev_put(b->bdev, b->write ? FMODE_READ | FMODE_WRITE : FMODE_READ);
#endif
	b->bdev = NULL;
	b->file = NULL;
}
EXPORT_SYMBOL_GPL(xenaccel_bdev_close);

sector_t xenaccel_bdev_sectors(struct block_device *bdev)
{
#ifdef XENACCEL_HAVE_BDEV_NR_SECTORS
	return bdev_nr_sectors(bdev);
#else
	return i_size_read(bdev->bd_inode) >> SECTOR_SHIFT;
#endif
}
EXPORT_SYMBOL_GPL(xenaccel_bdev_sectors);

void xenaccel_bdev_get_info(struct block_device *bdev,
			    struct xenaccel_bdev_info *info)
{
	struct request_queue *q = bdev_get_queue(bdev);

	info->logical_block_size = bdev_logical_block_size(bdev);
	info->physical_block_size = bdev_physical_block_size(bdev);
	info->discard_granularity = q->limits.discard_granularity;
	info->discard_alignment = q->limits.discard_alignment;
#ifdef XENACCEL_HAVE_BDEV_WRITE_CACHE
	info->write_cache = bdev_write_cache(bdev);
#else
	info->write_cache = test_bit(QUEUE_FLAG_WC, &q->queue_flags);
#endif
#ifdef XENACCEL_HAVE_BDEV_MAX_DISCARD
	info->discard = bdev_max_discard_sectors(bdev) != 0;
	info->secure_erase = bdev_max_secure_erase_sectors(bdev) != 0;
#else
	info->discard = blk_queue_discard(q);
	info->secure_erase = blk_queue_secure_erase(q);
#endif
}
EXPORT_SYMBOL_GPL(xenaccel_bdev_get_info);

#ifndef XENACCEL_HAVE_BIO_ALLOC_BDEV
struct bio *xenaccel_bio_alloc(struct block_device *bdev,
			       unsigned short nr_vecs, blk_opf_t opf,
			       gfp_t gfp)
{
	struct bio *bio = bio_alloc(gfp, nr_vecs);

	if (bio) {
		bio_set_dev(bio, bdev);
		bio->bi_opf = opf;
	}
	return bio;
}
EXPORT_SYMBOL_GPL(xenaccel_bio_alloc);
#endif

/* A synchronous (secure) discard. */
int xenaccel_bdev_discard(struct block_device *bdev, sector_t sector,
			  sector_t nr_sectors, bool secure)
{
#ifdef XENACCEL_HAVE_SECURE_ERASE
	if (secure)
		return blkdev_issue_secure_erase(bdev, sector, nr_sectors,
						 GFP_KERNEL);
	return blkdev_issue_discard(bdev, sector, nr_sectors, GFP_KERNEL);
#else
	return blkdev_issue_discard(bdev, sector, nr_sectors, GFP_KERNEL,
				    secure ? BLKDEV_DISCARD_SECURE : 0);
#endif
}
EXPORT_SYMBOL_GPL(xenaccel_bdev_discard);

/*
 * A pool of order-0 pages for skbs that are marked for recycling (which
 * gives the pages back to it when freed), holding at most @size pages
 * that came back. NULL where skbs cannot recycle: then pages come from
 * alloc_page().
 */
struct page_pool *xenaccel_page_pool_create(unsigned int size)
{
#ifdef XENACCEL_HAVE_SKB_RECYCLE
	struct page_pool_params params = {
		.order = 0,
		.pool_size = size,
		.nid = NUMA_NO_NODE,
	};
	struct page_pool *pool = page_pool_create(&params);

	return IS_ERR(pool) ? NULL : pool;
#else
	return NULL;
#endif
}
EXPORT_SYMBOL_GPL(xenaccel_page_pool_create);

void xenaccel_page_pool_destroy(struct page_pool *pool)
{
#ifdef XENACCEL_HAVE_SKB_RECYCLE
	/* Pages still in skbs come back to it, and it goes, later. */
	if (pool)
		page_pool_destroy(pool);
#endif
}
EXPORT_SYMBOL_GPL(xenaccel_page_pool_destroy);

/* From softirq or NAPI context: never sleeps. */
struct page *xenaccel_page_pool_alloc(struct page_pool *pool)
{
#ifdef XENACCEL_HAVE_SKB_RECYCLE
	if (pool)
		return page_pool_dev_alloc_pages(pool);
#endif
	return alloc_page(GFP_ATOMIC | __GFP_NOWARN);
}
EXPORT_SYMBOL_GPL(xenaccel_page_pool_alloc);
