/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xenaccel_blkback: structures shared by the xenbus side (xenbus.c, prefix
 * xa_blkbk_) and the data path (blkback.c, prefix xa_blkif_).
 */
#ifndef XA_BLKBACK_COMMON_H
#define XA_BLKBACK_COMMON_H

#include <linux/blk_types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <xen/xenbus.h>

#include <xenaccel/gcache.h>
#include <xenaccel/grant.h>
#include <xenaccel/ring.h>

#include "abi.h"

/* Module parameters, in blkback.c. */
extern unsigned int xa_blkif_max_queues;
extern unsigned int xa_blkif_max_ring_order;
extern unsigned int xa_blkif_max_indirect_segs;
extern unsigned int xa_blkif_max_persistent;
extern bool xa_blkif_feature_persistent;

/* The backing device, as the toolstack named it. */
struct xa_blkif_vbd {
	struct xenaccel_bdev bdev;
	dev_t pdevice;
	unsigned int handle;		/* the frontend's virtual device */
	bool readonly;
	bool cdrom;
	bool discard_enable;		/* the toolstack's discard-enable */
	sector_t sectors;		/* size the frontend was told */
	struct xenaccel_bdev_info info;
};

/* Counters kept by a ring's worker; sysfs sums them over the rings. */
struct xa_blkif_stats {
	u64 oo_req;			/* requests that waited for a free slot */
	u64 rd_req, wr_req, f_req, ds_req;
	u64 rd_sect, wr_sect;
	u64 indirect_req;
	u64 errors;			/* requests answered BLKIF_RSP_ERROR */
	u64 bad_req;			/* of which malformed by the frontend */
	u64 notify;			/* events sent to the frontend */
	u64 events;			/* events taken from the frontend */
	u64 polls, poll_hits;		/* poll windows, and those that found work */
	u64 passes;			/* the worker's passes over ring and completions */
	u64 coalesced;			/* waits for a busy frontend's batch */
	u64 batch_pushes, batch_rsp;	/* pushes at a batch's end, their responses */
};

struct dentry;
struct xa_blkif_ring;

/* One request between its copy off the ring and its response. */
struct xa_blkif_pending {
	struct xa_blkif_ring *ring;
	struct list_head node;		/* free list, then done list */
	u64 id;
	u8 operation;
	atomic_t bios_left;
	blk_status_t status;		/* a bio error, if any */
	/*
	 * Only persistent mappings: nothing to unmap before the guest may
	 * reuse its pages, so the last bio answers at once.
	 */
	bool answer_on_completion;
	bool answered;			/* under the ring's done_lock */
	unsigned int nr_grants;
	struct xenaccel_grant *grants;	/* one per data segment */
};

struct xa_blkif_ring {
	struct xa_blkif *blkif;
	unsigned int index;
	enum xa_blkif_abi abi;

	struct xenaccel_ring ring;
	void *sring;			/* mapped shared pages */
	unsigned int irq;
	struct task_struct *worker;
	wait_queue_head_t wq;
	/* Set by the event handler, taken by the worker with xchg(). */
	int waiting_reqs;

	struct xenaccel_gcache cache;
	struct xenaccel_grant_mapper mapper;

	struct xa_blkif_pending *pending;
	unsigned int nr_pending;
	struct xenaccel_grant *grants;	/* the pendings' grant arrays */
	struct list_head free;		/* worker only */
	/*
	 * Completed requests, added by bio completion in any context; the
	 * lock also serialises everyone who writes responses to the ring.
	 */
	spinlock_t done_lock;
	struct list_head done;
	atomic_t inflight;
	/* Responses put by the worker's own batch, published at its end. */
	unsigned int rsp_owed;
	/*
	 * Responses the frontend was behind on at the last push, or 0 if it
	 * had caught up (written under done_lock; a hint for the worker).
	 */
	unsigned int frontend_lag;

	/* Scratch for the worker: copied requests, segments, indirect pages. */
	void *raw;
	struct blkif_request_segment *segs;
	struct xenaccel_grant indirect[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	void *indirect_addr[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];

	struct xa_blkif_stats stats;
};

struct xa_blkif {
	domid_t domid;
	struct xenbus_device *dev;
	struct xa_blkif_vbd vbd;
	bool vbd_open;
	/*
	 * Protects rings and nr_rings against sysfs readers: xenbus
	 * callbacks (serialised by xenwatch) connect and disconnect them.
	 */
	struct mutex rings_lock;
	struct xa_blkif_ring *rings;
	unsigned int nr_rings;
	bool offer_persistent;		/* what the probe offered */
	bool persistent;		/* both sides agreed */
	/* A ring the frontend broke: the xenbus side closes the device. */
	struct work_struct fatal_work;
	struct dentry *debugfs;		/* xenaccel/blkback/vbd-D-N */
};

int xa_blkif_ring_connect(struct xa_blkif_ring *ring, grant_ref_t *grefs,
			  unsigned int nr_grefs, evtchn_port_t evtchn);
void xa_blkif_ring_disconnect(struct xa_blkif_ring *ring);
void xa_blkbk_resize(struct xa_blkif *blkif);

void xa_blkif_debugfs_add(struct xa_blkif *blkif);
void xa_blkif_debugfs_remove(struct xa_blkif *blkif);
void xa_blkif_debugfs_init(void);
void xa_blkif_debugfs_exit(void);

#ifdef XENACCEL_DEBUG
int xa_blkif_selftest(void);
#else
static inline int xa_blkif_selftest(void)
{
	return 0;
}
#endif

#endif /* XA_BLKBACK_COMMON_H */
