// SPDX-License-Identifier: GPL-2.0
/*
 * xenaccel_blkback: the Xen block backend ("vbd"), xenbus side: probing,
 * the toolstack's keys, negotiation with the frontend, connecting and
 * disconnecting rings, statistics in sysfs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/kconfig.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <xen/events.h>
#include <xen/xenbus.h>
#include <xen/interface/io/protocols.h>

#include <xenaccel/backend.h>
#include "common.h"

struct xa_blkbk {
	struct xenbus_device *dev;
	struct xa_blkif *blkif;
	struct xenbus_watch backend_watch;	/* on physical-device */
	bool watching;
	unsigned int major, minor;
};

static void xa_blkbk_fatal_work(struct work_struct *work)
{
	struct xa_blkif *blkif = container_of(work, struct xa_blkif, fatal_work);

	xenbus_dev_fatal(blkif->dev, -EIO, "frontend broke the ring protocol");
}

static void xa_blkbk_disconnect(struct xa_blkif *blkif)
{
	unsigned int i;

	mutex_lock(&blkif->rings_lock);
	for (i = 0; i < blkif->nr_rings; i++)
		xa_blkif_ring_disconnect(&blkif->rings[i]);
	kfree(blkif->rings);
	blkif->rings = NULL;
	blkif->nr_rings = 0;
	mutex_unlock(&blkif->rings_lock);
}

static void xa_blkbk_vbd_close(struct xa_blkif *blkif)
{
	if (blkif->vbd_open) {
		xenaccel_bdev_close(&blkif->vbd.bdev);
		blkif->vbd_open = false;
	}
}

/* A key of the frontend's, or NULL if it wrote none; kfree() it. */
static char *xa_blkbk_read_fe(struct xenbus_device *dev, const char *dir,
			      const char *node)
{
	char *val = xenbus_read(XBT_NIL, dir ?: dev->otherend, node, NULL);

	return IS_ERR(val) ? NULL : val;
}

/* A number the frontend must have written under @dir. */
static int xa_blkbk_read_fe_u32(struct xenbus_device *dev, const char *dir,
				const char *node, u32 *val)
{
	int err = xenaccel_read_u32(dir ?: dev->otherend, node, val);

	if (err)
		xenbus_dev_fatal(dev, err, "reading %s/%s", dir, node);
	return err;
}

/* Map and start one queue's ring, from its keys under @dir. */
static int xa_blkbk_connect_queue(struct xa_blkif_ring *ring, const char *dir,
				  int ring_order)
{
	struct xenbus_device *dev = ring->blkif->dev;
	grant_ref_t grefs[XENBUS_MAX_RING_GRANTS];
	unsigned int i, nr_grefs = 1U << max(ring_order, 0);
	u32 evtchn;
	int err;

	err = xa_blkbk_read_fe_u32(dev, dir, "event-channel", &evtchn);
	if (err)
		return err;
	for (i = 0; i < nr_grefs; i++) {
		char node[20];

		/* Without ring-page-order, one page named ring-ref. */
		if (ring_order < 0)
			strscpy(node, "ring-ref", sizeof(node));
		else
			snprintf(node, sizeof(node), "ring-ref%u", i);
		err = xa_blkbk_read_fe_u32(dev, dir, node, &grefs[i]);
		if (err)
			return err;
	}
	err = xa_blkif_ring_connect(ring, grefs, nr_grefs, evtchn);
	if (err)
		xenbus_dev_fatal(dev, err, "mapping ring %u of %s", ring->index, dir);
	return err;
}

/* Caller holds rings_lock. */
static int xa_blkbk_connect_queues(struct xa_blkbk *be, unsigned int nr_queues,
				   int ring_order, enum xa_blkif_abi abi)
{
	struct xa_blkif *blkif = be->blkif;
	unsigned int i;
	int err;

	blkif->rings = kcalloc(nr_queues, sizeof(*blkif->rings), GFP_KERNEL);
	if (!blkif->rings)
		return -ENOMEM;
	blkif->nr_rings = nr_queues;
	for (i = 0; i < nr_queues; i++) {
		struct xa_blkif_ring *ring = &blkif->rings[i];
		char *dir;

		ring->blkif = blkif;
		ring->index = i;
		ring->abi = abi;
		if (nr_queues == 1)
			dir = kstrdup(be->dev->otherend, GFP_KERNEL);
		else
			dir = kasprintf(GFP_KERNEL, "%s/queue-%u", be->dev->otherend, i);
		if (!dir)
			return -ENOMEM;
		err = xa_blkbk_connect_queue(ring, dir, ring_order);
		kfree(dir);
		if (err)
			return err;
	}
	return 0;
}

/* Read what the frontend wrote and start its rings. */
static int xa_blkbk_connect_rings(struct xa_blkbk *be)
{
	struct xenbus_device *dev = be->dev;
	struct xa_blkif *blkif = be->blkif;
	struct xa_blkif_fe_keys keys = {
		.protocol = xa_blkbk_read_fe(dev, NULL, "protocol"),
		.nr_queues = xa_blkbk_read_fe(dev, NULL, "multi-queue-num-queues"),
		.ring_order = xa_blkbk_read_fe(dev, NULL, "ring-page-order"),
	};
	struct xa_blkif_geometry geo;
	const char *why;
	int err;

	err = xa_blkif_parse_fe_keys(&keys, xa_blkif_max_queues,
				     xa_blkif_max_ring_order, &geo, &why);
	kfree(keys.protocol);
	kfree(keys.nr_queues);
	kfree(keys.ring_order);
	if (err) {
		xenbus_dev_fatal(dev, err, "%s", why);
		return err;
	}
	blkif->persistent = blkif->offer_persistent &&
			    xenbus_read_unsigned(dev->otherend,
						 "feature-persistent", 0);

	/* Statistics readers wait until the rings are up. */
	mutex_lock(&blkif->rings_lock);
	err = xa_blkbk_connect_queues(be, geo.nr_queues, geo.ring_order, geo.abi);
	mutex_unlock(&blkif->rings_lock);
	if (err)
		return err;
	pr_info("domain %u vbd %u: %u queue(s), ring order %d, %s, persistent grants %s\n",
		blkif->domid, blkif->vbd.handle, geo.nr_queues, max(geo.ring_order, 0),
		geo.abi == XA_BLKIF_ABI_X86_32 ? "x86_32 abi" : "native abi",
		blkif->persistent ? "on" : "off");
	return 0;
}

/* Tell the frontend about the device, and that we are connected. */
static void xa_blkbk_connect(struct xa_blkbk *be)
{
	struct xenbus_device *dev = be->dev;
	struct xa_blkif_vbd *vbd = &be->blkif->vbd;
	bool discard = vbd->info.discard && vbd->discard_enable;
	struct xenbus_transaction xbt;
	int err;

again:
	err = xenbus_transaction_start(&xbt);
	if (err) {
		xenbus_dev_fatal(dev, err, "starting transaction");
		return;
	}
	/* Flushes and barriers matter only over a volatile write cache. */
	err = xenbus_printf(xbt, dev->nodename, "feature-flush-cache", "%d",
			    vbd->info.write_cache);
	err = err ?: xenbus_printf(xbt, dev->nodename, "feature-barrier", "%d",
				   vbd->info.write_cache);
	if (discard) {
		err = err ?: xenbus_printf(xbt, dev->nodename, "discard-granularity",
					   "%u", vbd->info.discard_granularity);
		err = err ?: xenbus_printf(xbt, dev->nodename, "discard-alignment",
					   "%u", vbd->info.discard_alignment);
		err = err ?: xenbus_printf(xbt, dev->nodename, "discard-secure",
					   "%d", vbd->info.secure_erase);
	}
	err = err ?: xenbus_printf(xbt, dev->nodename, "feature-discard", "%d",
				   discard);
	err = err ?: xenbus_printf(xbt, dev->nodename, "sectors", "%llu",
				   (unsigned long long)vbd->sectors);
	err = err ?: xenbus_printf(xbt, dev->nodename, "info", "%u",
				   (vbd->cdrom ? VDISK_CDROM : 0) |
				   (vbd->readonly ? VDISK_READONLY : 0));
	err = err ?: xenbus_printf(xbt, dev->nodename, "sector-size", "%u",
				   vbd->info.logical_block_size);
	err = err ?: xenbus_printf(xbt, dev->nodename, "physical-sector-size",
				   "%u", vbd->info.physical_block_size);
	if (err) {
		xenbus_transaction_end(xbt, 1);
		xenbus_dev_fatal(dev, err, "writing device features");
		return;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	if (err) {
		xenbus_dev_fatal(dev, err, "ending transaction");
		return;
	}
	err = xenbus_switch_state(dev, XenbusStateConnected);
	if (err)
		xenbus_dev_fatal(dev, err, "switching to Connected");
}

/*
 * Start the rings and connect, once the device is open and the frontend
 * has written its ring keys, whichever comes last. Until the device is
 * open no ring is mapped and no worker runs: a frontend that writes
 * requests early finds nobody reading them.
 */
static void xa_blkbk_try_connect(struct xa_blkbk *be)
{
	struct xenbus_device *dev = be->dev;
	/* (xenbus_read_driver_state() takes other arguments on newer kernels.) */
	unsigned int fe = xenbus_read_unsigned(dev->otherend, "state",
					       XenbusStateUnknown);

	if (dev->state == XenbusStateConnected || !be->blkif->vbd_open ||
	    (fe != XenbusStateInitialised && fe != XenbusStateConnected))
		return;
	/* Rings of an earlier connection go first (idempotent). */
	xa_blkbk_disconnect(be->blkif);
	if (xa_blkbk_connect_rings(be)) {
		/* connect_rings reported why; free what it set up. */
		xa_blkbk_disconnect(be->blkif);
		return;
	}
	xa_blkbk_connect(be);
}

/**
 * xa_blkbk_resize - follow the backing device's size (online resize)
 * @blkif: the device
 *
 * Called by ring 0's worker after each round of work.
 */
void xa_blkbk_resize(struct xa_blkif *blkif)
{
	struct xenbus_device *dev = blkif->dev;
	struct xenbus_transaction xbt;
	sector_t now;
	int err;

	/* Rings run only while the device is open (xa_blkbk_try_connect). */
	if (WARN_ON_ONCE(!blkif->vbd_open))
		return;
	now = xenaccel_bdev_sectors(blkif->vbd.bdev.bdev);
	if (now == blkif->vbd.sectors)
		return;
	pr_info("domain %u vbd %u: resized from %llu to %llu sectors\n",
		blkif->domid, blkif->vbd.handle,
		(unsigned long long)blkif->vbd.sectors, (unsigned long long)now);
	blkif->vbd.sectors = now;
again:
	err = xenbus_transaction_start(&xbt);
	if (err)
		return;
	err = xenbus_printf(xbt, dev->nodename, "sectors", "%llu",
			    (unsigned long long)now);
	/* Rewriting the state makes the frontend read the size again. */
	err = err ?: xenbus_printf(xbt, dev->nodename, "state", "%d", dev->state);
	if (err) {
		xenbus_transaction_end(xbt, 1);
		return;
	}
	if (xenbus_transaction_end(xbt, 0) == -EAGAIN)
		goto again;
}

/* The toolstack wrote physical-device (and mode, device-type, ...). */
static void xa_blkbk_backend_changed(struct xenbus_watch *watch,
				     const char *path, const char *token)
{
	struct xa_blkbk *be = container_of(watch, struct xa_blkbk, backend_watch);
	struct xenbus_device *dev = be->dev;
	struct xa_blkif_vbd *vbd = &be->blkif->vbd;
	unsigned int major, minor;
	char *mode, *type;
	int err;

	err = xenbus_scanf(XBT_NIL, dev->nodename, "physical-device", "%x:%x",
			   &major, &minor);
	if (XENBUS_EXIST_ERR(err))
		return;		/* not written yet */
	if (err != 2) {
		xenbus_dev_fatal(dev, err, "reading physical-device");
		return;
	}
	if (be->blkif->vbd_open) {
		if (be->major != major || be->minor != minor)
			pr_warn("domain %u: changing physical-device (%x:%x to %x:%x) is not supported\n",
				be->blkif->domid, be->major, be->minor, major, minor);
		return;
	}

	mode = xenbus_read(XBT_NIL, dev->nodename, "mode", NULL);
	if (IS_ERR(mode)) {
		xenbus_dev_fatal(dev, PTR_ERR(mode), "reading mode");
		return;
	}
	vbd->readonly = mode[0] != 'w';
	kfree(mode);
	type = xenbus_read(XBT_NIL, dev->otherend, "device-type", NULL);
	vbd->cdrom = !IS_ERR(type) && !strcmp(type, "cdrom");
	if (!IS_ERR(type))
		kfree(type);
	vbd->discard_enable = xenbus_read_unsigned(dev->nodename,
						   "discard-enable", 1);
	if (kstrtouint(strrchr(dev->otherend, '/') + 1, 0, &vbd->handle))
		vbd->handle = 0;

	vbd->pdevice = MKDEV(major, minor);
	err = xenaccel_bdev_open(&vbd->bdev, vbd->pdevice, !vbd->readonly);
	if (err) {
		xenbus_dev_fatal(dev, err, "opening device %x:%x", major, minor);
		return;
	}
	be->major = major;
	be->minor = minor;
	/* Pairs with the sysfs readers' smp_load_acquire(). */
	smp_store_release(&be->blkif->vbd_open, true);
	vbd->sectors = xenaccel_bdev_sectors(vbd->bdev.bdev);
	xenaccel_bdev_get_info(vbd->bdev.bdev, &vbd->info);
	pr_info("domain %u vbd %u: serving %x:%x (%s, %llu sectors of %u bytes)\n",
		be->blkif->domid, vbd->handle, major, minor,
		vbd->readonly ? "read-only" : "read-write",
		(unsigned long long)vbd->sectors, vbd->info.logical_block_size);
	xa_blkbk_try_connect(be);
}

static void xa_blkbk_frontend_changed(struct xenbus_device *dev,
				      enum xenbus_state frontend_state)
{
	struct xa_blkbk *be = dev_get_drvdata(&dev->dev);

	switch (frontend_state) {
	case XenbusStateInitialising:
		/*
		 * A frontend coming back after closing: start over. If we
		 * are still connected, it restarted and we missed its
		 * Closing and Closed (xenbus drops a backend's watch events
		 * while one is pending): its old rings go first.
		 */
		if (dev->state == XenbusStateConnected)
			xa_blkbk_disconnect(be->blkif);
		if (dev->state == XenbusStateClosed ||
		    dev->state == XenbusStateConnected)
			xenbus_switch_state(dev, XenbusStateInitWait);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		/*
		 * Connects unless the device is not open yet (then opening
		 * it connects) or we already are (two quick changes can show
		 * us Connected twice).
		 */
		xa_blkbk_try_connect(be);
		break;
	case XenbusStateClosing:
		xenbus_switch_state(dev, XenbusStateClosing);
		break;
	case XenbusStateClosed:
		xa_blkbk_disconnect(be->blkif);
		xenbus_switch_state(dev, XenbusStateClosed);
		if (xenbus_dev_is_online(dev))
			break;
		fallthrough;
	case XenbusStateUnknown:
		/* The frontend is gone (xl destroy): remove() cleans up. */
		device_unregister(&dev->dev);
		break;
	default:
		xenbus_dev_fatal(dev, -EINVAL, "frontend in unknown state %d",
				 frontend_state);
		break;
	}
}

/* Statistics: the in-tree names, plus the grant cache and batching. */
enum xa_blkbk_stat {
	XA_STAT_OO_REQ, XA_STAT_RD_REQ, XA_STAT_WR_REQ, XA_STAT_F_REQ, XA_STAT_DS_REQ,
	XA_STAT_RD_SECT, XA_STAT_WR_SECT, XA_STAT_INDIRECT_REQ,
	XA_STAT_ERRORS, XA_STAT_BAD_REQ, XA_STAT_NOTIFY, XA_STAT_EVENTS,
	XA_STAT_POLLS, XA_STAT_POLL_HITS, XA_STAT_PASSES, XA_STAT_COALESCED,
	XA_STAT_BATCH_PUSHES, XA_STAT_BATCH_RSP,
	XA_STAT_PGNT_HITS, XA_STAT_PGNT_MISSES, XA_STAT_PGNT_MAPPED,
	XA_STAT_PGNT_EVICTIONS, XA_STAT_PGNT_FULL, XA_STAT_PGNT_ENTRIES,
	XA_STAT_MAP_CALLS, XA_STAT_MAPS, XA_STAT_UNMAP_CALLS, XA_STAT_UNMAPS,
	XA_STAT_MAP_ERRORS, XA_STAT_MAX_MAP_BATCH, XA_STAT_MAX_UNMAP_BATCH,
	XA_STAT_INFLIGHT,
};

static u64 xa_blkbk_ring_stat(struct xa_blkif_ring *ring, enum xa_blkbk_stat which)
{
	struct xenaccel_grant_stats *g = &ring->mapper.stats;
	struct xa_blkif_stats *s = &ring->stats;
	struct xenaccel_gcache_stats c;
	unsigned int entries, idle;

	xenaccel_gcache_get_stats(&ring->cache, &c, &entries, &idle);
	switch (which) {
	case XA_STAT_OO_REQ: return s->oo_req;
	case XA_STAT_RD_REQ: return s->rd_req;
	case XA_STAT_WR_REQ: return s->wr_req;
	case XA_STAT_F_REQ: return s->f_req;
	case XA_STAT_DS_REQ: return s->ds_req;
	case XA_STAT_RD_SECT: return s->rd_sect;
	case XA_STAT_WR_SECT: return s->wr_sect;
	case XA_STAT_INDIRECT_REQ: return s->indirect_req;
	case XA_STAT_ERRORS: return s->errors;
	case XA_STAT_BAD_REQ: return s->bad_req;
	case XA_STAT_NOTIFY: return s->notify;
	case XA_STAT_EVENTS: return s->events;
	case XA_STAT_POLLS: return s->polls;
	case XA_STAT_POLL_HITS: return s->poll_hits;
	case XA_STAT_PASSES: return s->passes;
	case XA_STAT_COALESCED: return s->coalesced;
	case XA_STAT_BATCH_PUSHES: return s->batch_pushes;
	case XA_STAT_BATCH_RSP: return s->batch_rsp;
	case XA_STAT_PGNT_HITS: return c.hits;
	case XA_STAT_PGNT_MISSES: return c.misses;
	case XA_STAT_PGNT_MAPPED: return c.inserts;
	case XA_STAT_PGNT_EVICTIONS: return c.evictions;
	case XA_STAT_PGNT_FULL: return c.full;
	case XA_STAT_PGNT_ENTRIES: return entries;
	case XA_STAT_MAP_CALLS: return g->map_calls;
	case XA_STAT_MAPS: return g->maps;
	case XA_STAT_UNMAP_CALLS: return g->unmap_calls;
	case XA_STAT_UNMAPS: return g->unmaps;
	case XA_STAT_MAP_ERRORS: return g->map_errors;
	case XA_STAT_MAX_MAP_BATCH: return g->max_map_batch;
	case XA_STAT_MAX_UNMAP_BATCH: return g->max_unmap_batch;
	case XA_STAT_INFLIGHT: return atomic_read(&ring->inflight);
	}
	return 0;
}

struct xa_blkbk_stat_attr {
	struct device_attribute attr;
	enum xa_blkbk_stat which;
	bool max;			/* the largest over the rings, not the sum */
};

static ssize_t xa_blkbk_stat_show(struct device *_dev,
				  struct device_attribute *attr, char *buf)
{
	struct xa_blkbk_stat_attr *sa = container_of(attr, struct xa_blkbk_stat_attr,
						     attr);
	struct xa_blkbk *be = dev_get_drvdata(_dev);
	struct xa_blkif *blkif = be->blkif;
	unsigned int i;
	u64 val = 0;

	mutex_lock(&blkif->rings_lock);
	for (i = 0; i < blkif->nr_rings; i++) {
		u64 v = xa_blkbk_ring_stat(&blkif->rings[i], sa->which);

		val = sa->max ? max(val, v) : val + v;
	}
	mutex_unlock(&blkif->rings_lock);
	return sysfs_emit(buf, "%llu\n", (unsigned long long)val);
}

#define XA_BLKBK_STAT(_name, _which, _max)				\
	static struct xa_blkbk_stat_attr xa_blkbk_stat_##_name = {	\
		.attr = __ATTR(_name, 0444, xa_blkbk_stat_show, NULL),	\
		.which = _which,					\
		.max = _max,						\
	}

XA_BLKBK_STAT(oo_req, XA_STAT_OO_REQ, false);
XA_BLKBK_STAT(rd_req, XA_STAT_RD_REQ, false);
XA_BLKBK_STAT(wr_req, XA_STAT_WR_REQ, false);
XA_BLKBK_STAT(f_req, XA_STAT_F_REQ, false);
XA_BLKBK_STAT(ds_req, XA_STAT_DS_REQ, false);
XA_BLKBK_STAT(rd_sect, XA_STAT_RD_SECT, false);
XA_BLKBK_STAT(wr_sect, XA_STAT_WR_SECT, false);
XA_BLKBK_STAT(indirect_req, XA_STAT_INDIRECT_REQ, false);
XA_BLKBK_STAT(errors, XA_STAT_ERRORS, false);
XA_BLKBK_STAT(bad_req, XA_STAT_BAD_REQ, false);
XA_BLKBK_STAT(notify, XA_STAT_NOTIFY, false);
XA_BLKBK_STAT(events, XA_STAT_EVENTS, false);
XA_BLKBK_STAT(polls, XA_STAT_POLLS, false);
XA_BLKBK_STAT(poll_hits, XA_STAT_POLL_HITS, false);
XA_BLKBK_STAT(passes, XA_STAT_PASSES, false);
XA_BLKBK_STAT(coalesced, XA_STAT_COALESCED, false);
XA_BLKBK_STAT(batch_pushes, XA_STAT_BATCH_PUSHES, false);
XA_BLKBK_STAT(batch_rsp, XA_STAT_BATCH_RSP, false);
XA_BLKBK_STAT(pgnt_hits, XA_STAT_PGNT_HITS, false);
XA_BLKBK_STAT(pgnt_misses, XA_STAT_PGNT_MISSES, false);
XA_BLKBK_STAT(pgnt_mapped, XA_STAT_PGNT_MAPPED, false);
XA_BLKBK_STAT(pgnt_evictions, XA_STAT_PGNT_EVICTIONS, false);
XA_BLKBK_STAT(pgnt_full, XA_STAT_PGNT_FULL, false);
XA_BLKBK_STAT(pgnt_entries, XA_STAT_PGNT_ENTRIES, false);
XA_BLKBK_STAT(map_calls, XA_STAT_MAP_CALLS, false);
XA_BLKBK_STAT(maps, XA_STAT_MAPS, false);
XA_BLKBK_STAT(unmap_calls, XA_STAT_UNMAP_CALLS, false);
XA_BLKBK_STAT(unmaps, XA_STAT_UNMAPS, false);
XA_BLKBK_STAT(map_errors, XA_STAT_MAP_ERRORS, false);
XA_BLKBK_STAT(max_map_batch, XA_STAT_MAX_MAP_BATCH, true);
XA_BLKBK_STAT(max_unmap_batch, XA_STAT_MAX_UNMAP_BATCH, true);
XA_BLKBK_STAT(inflight, XA_STAT_INFLIGHT, false);

static struct attribute *xa_blkbk_stat_attrs[] = {
	&xa_blkbk_stat_oo_req.attr.attr,
	&xa_blkbk_stat_rd_req.attr.attr,
	&xa_blkbk_stat_wr_req.attr.attr,
	&xa_blkbk_stat_f_req.attr.attr,
	&xa_blkbk_stat_ds_req.attr.attr,
	&xa_blkbk_stat_rd_sect.attr.attr,
	&xa_blkbk_stat_wr_sect.attr.attr,
	&xa_blkbk_stat_indirect_req.attr.attr,
	&xa_blkbk_stat_errors.attr.attr,
	&xa_blkbk_stat_bad_req.attr.attr,
	&xa_blkbk_stat_notify.attr.attr,
	&xa_blkbk_stat_events.attr.attr,
	&xa_blkbk_stat_polls.attr.attr,
	&xa_blkbk_stat_poll_hits.attr.attr,
	&xa_blkbk_stat_passes.attr.attr,
	&xa_blkbk_stat_coalesced.attr.attr,
	&xa_blkbk_stat_batch_pushes.attr.attr,
	&xa_blkbk_stat_batch_rsp.attr.attr,
	&xa_blkbk_stat_pgnt_hits.attr.attr,
	&xa_blkbk_stat_pgnt_misses.attr.attr,
	&xa_blkbk_stat_pgnt_mapped.attr.attr,
	&xa_blkbk_stat_pgnt_evictions.attr.attr,
	&xa_blkbk_stat_pgnt_full.attr.attr,
	&xa_blkbk_stat_pgnt_entries.attr.attr,
	&xa_blkbk_stat_map_calls.attr.attr,
	&xa_blkbk_stat_maps.attr.attr,
	&xa_blkbk_stat_unmap_calls.attr.attr,
	&xa_blkbk_stat_unmaps.attr.attr,
	&xa_blkbk_stat_map_errors.attr.attr,
	&xa_blkbk_stat_max_map_batch.attr.attr,
	&xa_blkbk_stat_max_unmap_batch.attr.attr,
	&xa_blkbk_stat_inflight.attr.attr,
	NULL,
};

static const struct attribute_group xa_blkbk_stat_group = {
	.name = "statistics",
	.attrs = xa_blkbk_stat_attrs,
};

/* As in-tree: which device is served, and how (the toolstack's mode). */
static ssize_t physical_device_show(struct device *_dev,
				    struct device_attribute *attr, char *buf)
{
	struct xa_blkbk *be = dev_get_drvdata(_dev);

	/* Pairs with the smp_store_release() once the device is open. */
	if (!smp_load_acquire(&be->blkif->vbd_open))
		return -ENODEV;
	return sysfs_emit(buf, "%x:%x\n", be->major, be->minor);
}
static DEVICE_ATTR_RO(physical_device);

static ssize_t mode_show(struct device *_dev, struct device_attribute *attr,
			 char *buf)
{
	struct xa_blkbk *be = dev_get_drvdata(_dev);

	/* Pairs with the smp_store_release() once the device is open. */
	if (!smp_load_acquire(&be->blkif->vbd_open))
		return -ENODEV;
	return sysfs_emit(buf, "%s\n", be->blkif->vbd.readonly ? "r" : "w");
}
static DEVICE_ATTR_RO(mode);

static struct attribute *xa_blkbk_dev_attrs[] = {
	&dev_attr_physical_device.attr,
	&dev_attr_mode.attr,
	NULL,
};

static const struct attribute_group xa_blkbk_dev_group = {
	.attrs = xa_blkbk_dev_attrs,
};

static const struct attribute_group *xa_blkbk_groups[] = {
	&xa_blkbk_stat_group,
	&xa_blkbk_dev_group,
	NULL,
};

static void xa_blkbk_remove(struct xenbus_device *dev)
{
	struct xa_blkbk *be = dev_get_drvdata(&dev->dev);

	sysfs_remove_groups(&dev->dev.kobj, xa_blkbk_groups);
	xa_blkif_debugfs_remove(be->blkif);
	if (be->watching) {
		unregister_xenbus_watch(&be->backend_watch);
		kfree(be->backend_watch.node);
	}
	cancel_work_sync(&be->blkif->fatal_work);
	xa_blkbk_disconnect(be->blkif);
	xa_blkbk_vbd_close(be->blkif);
	kfree(be->blkif);
	dev_set_drvdata(&dev->dev, NULL);
	kfree(be);
}

XENACCEL_DEFINE_XENBUS_REMOVE(xa_blkbk_remove)

static int xa_blkbk_probe(struct xenbus_device *dev,
			  const struct xenbus_device_id *id)
{
	struct xa_blkbk *be;
	int err;

	be = kzalloc(sizeof(*be), GFP_KERNEL);
	if (!be)
		return -ENOMEM;
	be->blkif = kzalloc(sizeof(*be->blkif), GFP_KERNEL);
	if (!be->blkif) {
		kfree(be);
		return -ENOMEM;
	}
	be->dev = dev;
	be->blkif->dev = dev;
	be->blkif->domid = dev->otherend_id;
	mutex_init(&be->blkif->rings_lock);
	INIT_WORK(&be->blkif->fatal_work, xa_blkbk_fatal_work);
	dev_set_drvdata(&dev->dev, be);

	err = sysfs_create_groups(&dev->dev.kobj, xa_blkbk_groups);
	if (err)
		goto fail;
	xa_blkif_debugfs_add(be->blkif);
	err = xenbus_printf(XBT_NIL, dev->nodename, "feature-max-indirect-segments",
			    "%u", xa_blkif_max_indirect_segs);
	be->blkif->offer_persistent = READ_ONCE(xa_blkif_feature_persistent);
	err = err ?: xenbus_printf(XBT_NIL, dev->nodename, "feature-persistent",
				   "%u", be->blkif->offer_persistent);
	err = err ?: xenbus_printf(XBT_NIL, dev->nodename, "multi-queue-max-queues",
				   "%u", xa_blkif_max_queues);
	err = err ?: xenbus_printf(XBT_NIL, dev->nodename, "max-ring-page-order",
				   "%u", xa_blkif_max_ring_order);
	if (err) {
		xenbus_dev_fatal(dev, err, "writing backend features");
		goto fail;
	}
	err = xenbus_switch_state(dev, XenbusStateInitWait);
	if (err)
		goto fail;
	err = xenbus_watch_pathfmt(dev, &be->backend_watch, NULL,
				   xa_blkbk_backend_changed, "%s/%s",
				   dev->nodename, "physical-device");
	if (err)
		goto fail;
	be->watching = true;
	return 0;
fail:
	xa_blkbk_remove(dev);
	return err;
}

static const struct xenbus_device_id xa_blkbk_ids[] = {
	{ "vbd" },
	{ "" }
};

static struct xenbus_driver xa_blkbk_driver = {
	/* Not "vbd": in-tree xen-blkback may be registered at the same time. */
	.name = "xenaccel_vbd",
	.ids = xa_blkbk_ids,
	.probe = xa_blkbk_probe,
	.remove = XENACCEL_XENBUS_REMOVE(xa_blkbk_remove),
	.otherend_changed = xa_blkbk_frontend_changed,
	.allow_rebind = true,
};

static int __init xenaccel_blkback_init(void)
{
	int err;

	err = xenaccel_backend_available("vbd",
					 IS_BUILTIN(CONFIG_XEN_BLKDEV_BACKEND));
	if (err)
		return err;
	err = xa_blkif_selftest();
	if (err)
		return err;
	if (!xa_blkif_max_queues)
		xa_blkif_max_queues = num_online_cpus();
	xa_blkif_max_ring_order = min_t(unsigned int, xa_blkif_max_ring_order,
					XENBUS_MAX_RING_GRANT_ORDER);
	xa_blkif_max_indirect_segs = clamp_t(unsigned int, xa_blkif_max_indirect_segs,
					     BLKIF_MAX_SEGMENTS_PER_REQUEST,
					     XA_BLKIF_MAX_INDIRECT_SEGS);
	xa_blkif_debugfs_init();
	err = xenbus_register_backend(&xa_blkbk_driver);
	if (err)
		xa_blkif_debugfs_exit();
	return err;
}

static void __exit xenaccel_blkback_exit(void)
{
	xenbus_unregister_driver(&xa_blkbk_driver);
	xa_blkif_debugfs_exit();
}

module_init(xenaccel_blkback_init);
module_exit(xenaccel_blkback_exit);

MODULE_DESCRIPTION("xenaccel: Xen PV block backend");
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The xenaccel developers");
MODULE_SOFTDEP("pre: xenaccel_core");
