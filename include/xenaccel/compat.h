/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels xenaccel builds on, in one place.
 *
 * Force-included into every file by Kbuild, so the drivers read like
 * upstream code. It comes before every other header, so it includes only
 * <linux/types.h> (which defines no pr_fmt): macros and declarations, with
 * the code in common/compat.c.
 *
 * The XENACCEL_HAVE_* macros come from header probes in the top-level
 * Kbuild, never from version numbers: Debian's stable kernels carry
 * backports.
 */
#ifndef XENACCEL_COMPAT_H
#define XENACCEL_COMPAT_H

#ifndef __ASSEMBLY__

#include <linux/types.h>

/*
 * xenbus_driver.remove returns void since 6.4 (and in Debian's 6.1 by
 * backport). Drivers write a void remove, declare the int wrapper older
 * kernels want with XENACCEL_DEFINE_XENBUS_REMOVE(fn), and set
 * .remove = XENACCEL_XENBUS_REMOVE(fn).
 */
#ifdef XENACCEL_HAVE_XENBUS_REMOVE_VOID
#define XENACCEL_DEFINE_XENBUS_REMOVE(fn)
#define XENACCEL_XENBUS_REMOVE(fn) fn
#else
#define XENACCEL_DEFINE_XENBUS_REMOVE(fn)				\
static int fn##_int(struct xenbus_device *dev)				\
{									\
	fn(dev);							\
	return 0;							\
}

#define XENACCEL_XENBUS_REMOVE(fn) fn##_int
#endif

struct shrinker;
struct shrink_control;

/*
 * Shrinkers: allocated with shrinker_alloc() since 6.7, embedded and named
 * since 6.0, embedded and anonymous before. Implemented in common/compat.c:
 * this header is force-included before anything else, so it declares only.
 */
struct shrinker *
xenaccel_shrinker_create(unsigned long (*count)(struct shrinker *,
						struct shrink_control *),
			 unsigned long (*scan)(struct shrinker *,
					       struct shrink_control *),
			 const char *name);
void xenaccel_shrinker_destroy(struct shrinker *shrinker);

/*
 * Event channels bound with the lateeoi API name the remote domain by its
 * xenbus device since 5.12 (by domid before).
 */
#ifdef XENACCEL_HAVE_BIND_EVTCHN_DEV
#define xenaccel_bind_evtchn_lateeoi(dev, port, handler, flags, name, data) \
	bind_interdomain_evtchn_to_irqhandler_lateeoi(dev, port, handler, \
						      flags, name, data)
#else
#define xenaccel_bind_evtchn_lateeoi(dev, port, handler, flags, name, data) \
	bind_interdomain_evtchn_to_irqhandler_lateeoi((dev)->otherend_id, \
						      port, handler, flags, \
						      name, data)
#endif

/*
 * xenbus_driver.uevent takes a const device since 6.3 (and in some
 * stable kernels by backport): declare the callback's device with it.
 */
#ifdef XENACCEL_HAVE_XENBUS_UEVENT_CONST
#define XENACCEL_XENBUS_UEVENT_CONST const
#else
#define XENACCEL_XENBUS_UEVENT_CONST
#endif

/* netif_napi_add() lost its weight argument in 6.1. */
#ifdef XENACCEL_HAVE_NAPI_ADD_WEIGHT
#define xenaccel_netif_napi_add(dev, napi, poll) netif_napi_add(dev, napi, poll)
#else
#define xenaccel_netif_napi_add(dev, napi, poll)			\
	netif_napi_add(dev, napi, poll, NAPI_POLL_WEIGHT)
#endif

struct page;
struct page_pool;

/*
 * Page pools whose pages an skb gives back when freed: since 5.15 (with
 * skb_mark_for_recycle(skb)); before, plain pages. xenaccel_page_pool_create()
 * returns NULL there, and allocation falls back to alloc_page().
 * In common/compat.c.
 */
struct page_pool *xenaccel_page_pool_create(unsigned int size);
void xenaccel_page_pool_destroy(struct page_pool *pool);
struct page *xenaccel_page_pool_alloc(struct page_pool *pool);
#ifdef XENACCEL_HAVE_SKB_RECYCLE
#define xenaccel_skb_mark_for_recycle(skb) skb_mark_for_recycle(skb)
#else
#define xenaccel_skb_mark_for_recycle(skb) do { } while (0)
#endif

/*
 * A device's zero-copy skb completion, struct ubuf_info: a callback of
 * (ubuf, success) up to 5.x, of (skb, ubuf, success) from 5.19, and
 * ops->complete from 6.10. Drivers define the callback with
 * XENACCEL_UBUF_CALLBACK(fn, ubuf, success), declare its ops with
 * XENACCEL_UBUF_OPS(name, fn) and set a ubuf up with
 * xenaccel_ubuf_init(ubuf, name, fn).
 */
#if defined(XENACCEL_HAVE_UBUF_INFO_OPS) || \
	defined(XENACCEL_HAVE_UBUF_CALLBACK_SKB)
#define XENACCEL_UBUF_CALLBACK(fn, ubuf, success)			\
	void fn(struct sk_buff *xenaccel_skb, struct ubuf_info *ubuf, bool success)
#else
#define XENACCEL_UBUF_CALLBACK(fn, ubuf, success)			\
	void fn(struct ubuf_info *ubuf, bool success)
#endif
#ifdef XENACCEL_HAVE_UBUF_INFO_OPS
#define XENACCEL_UBUF_OPS(name, fn)					\
	static const struct ubuf_info_ops name = { .complete = fn }
#define xenaccel_ubuf_init(ubuf, name, fn) ((ubuf)->ops = &(name))
#else
#define XENACCEL_UBUF_OPS(name, fn) struct xenaccel_unused_##name
#define xenaccel_ubuf_init(ubuf, name, fn) ((ubuf)->callback = (fn))
#endif

/*
 * Give an skb's frags to the stack as a device's zero-copy pages: @ubuf
 * completes when the stack releases them (or copies them, to keep them).
 * The flag moved from tx_flags to flags in 5.13.
 */
#ifdef XENACCEL_HAVE_SKBFL_ZEROCOPY
#define xenaccel_zerocopy_flags(shinfo) ((shinfo)->flags)
#define XENACCEL_ZEROCOPY_ENABLE SKBFL_ZEROCOPY_ENABLE
#else
#define xenaccel_zerocopy_flags(shinfo) ((shinfo)->tx_flags)
#define XENACCEL_ZEROCOPY_ENABLE SKBTX_DEV_ZEROCOPY
#endif
#define xenaccel_skb_zerocopy(skb, ubuf)				\
	do {								\
		struct skb_shared_info *xenaccel_shinfo = skb_shinfo(skb); \
									\
		xenaccel_shinfo->destructor_arg = (ubuf);		\
		xenaccel_zerocopy_flags(xenaccel_shinfo) |=		\
			XENACCEL_ZEROCOPY_ENABLE;			\
	} while (0)

/* napi_gro_flush() is in <net/gro.h> from 6.15: #include XENACCEL_GRO_H. */
#ifdef XENACCEL_HAVE_GRO_FLUSH_GRO_H
#define XENACCEL_GRO_H "net/gro.h"
#else
#define XENACCEL_GRO_H "linux/netdevice.h"
#endif

/* Request operations and flags have their own type since 6.0. */
#ifndef XENACCEL_HAVE_BLK_OPF_T
typedef unsigned int blk_opf_t;
#endif

/* bio_max_segs() and BIO_MAX_VECS since 5.12. */
#ifndef XENACCEL_HAVE_BIO_MAX_SEGS
#define bio_max_segs(nr) min_t(unsigned int, nr, BIO_MAX_PAGES)
#endif

struct bio;
struct block_device;

/*
 * An opened block device: a struct file since 6.9, the block_device itself
 * (with the mode to close it with) before.
 */
struct xenaccel_bdev {
	struct block_device *bdev;
	void *file;
	bool write;
};

int xenaccel_bdev_open(struct xenaccel_bdev *b, dev_t dev, bool write);
void xenaccel_bdev_close(struct xenaccel_bdev *b);

/* What a block backend advertises about its device. */
struct xenaccel_bdev_info {
	unsigned int logical_block_size;
	unsigned int physical_block_size;
	bool write_cache;		/* flushes mean something */
	bool discard;
	bool secure_erase;
	unsigned int discard_granularity;
	unsigned int discard_alignment;
};

sector_t xenaccel_bdev_sectors(struct block_device *bdev);
void xenaccel_bdev_get_info(struct block_device *bdev,
			    struct xenaccel_bdev_info *info);
/* bio_alloc() takes the device and operation since 5.18. */
#ifdef XENACCEL_HAVE_BIO_ALLOC_BDEV
#define xenaccel_bio_alloc(bdev, nr_vecs, opf, gfp) \
	bio_alloc(bdev, nr_vecs, opf, gfp)
#else
struct bio *xenaccel_bio_alloc(struct block_device *bdev,
			       unsigned short nr_vecs, blk_opf_t opf,
			       gfp_t gfp);
#endif
int xenaccel_bdev_discard(struct block_device *bdev, sector_t sector,
			  sector_t nr_sectors, bool secure);

#endif /* __ASSEMBLY__ */
#endif /* XENACCEL_COMPAT_H */
