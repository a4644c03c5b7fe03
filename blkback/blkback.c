// SPDX-License-Identifier: GPL-2.0
/*
 * xenaccel_blkback data path: one worker thread per ring copies requests
 * off the shared ring, validates the copies, maps their grants (cached, in
 * one hypercall per request), submits bios, and answers completed requests
 * in batches (one unmap hypercall, one notification for many).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/freezer.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <xen/events.h>
#include <xen/page.h>
#include <xen/xenbus.h>

#include "common.h"

/*
 * The first three parameters are read-only once loaded: rings size their
 * request pools from them at connect, and a later change must not let a
 * ring accept what it has no room for.
 *
 * Rings per device, at most: one per dom0 vCPU spreads the frontend's
 * queues over dom0's CPUs; fewer saves memory and threads.
 */
unsigned int xa_blkif_max_queues;
module_param_named(max_queues, xa_blkif_max_queues, uint, 0444);
MODULE_PARM_DESC(max_queues,
		 "Most queues (rings) per device (default: number of dom0 CPUs)");

/* Larger rings let a frontend keep more I/O in flight, at memory cost. */
unsigned int xa_blkif_max_ring_order = XENBUS_MAX_RING_GRANT_ORDER;
module_param_named(max_ring_page_order, xa_blkif_max_ring_order, uint, 0444);
MODULE_PARM_DESC(max_ring_page_order,
		 "Most pages per ring, as a power of two (default and most: "
		 __stringify(XENBUS_MAX_RING_GRANT_ORDER) ")");

/*
 * Segments (pages) one indirect request may carry: larger requests mean
 * fewer requests and hypercalls per byte, and more memory per ring.
 */
unsigned int xa_blkif_max_indirect_segs = 256;
module_param_named(max_indirect_segments, xa_blkif_max_indirect_segs, uint, 0444);
MODULE_PARM_DESC(max_indirect_segments,
		 "Most segments per indirect request (default 256, at most 4096)");

/*
 * Polling under load: after a round that found requests, a ring's worker
 * watches the ring for this long before asking the frontend for an event.
 * A busy frontend then publishes requests without a notify hypercall and
 * dom0 takes no interrupt for them; an idle one costs at most one window
 * per burst. 0 turns it off.
 */
static unsigned int xa_blkif_poll_us;
module_param_named(poll_us, xa_blkif_poll_us, uint, 0644);
MODULE_PARM_DESC(poll_us,
		 "Microseconds to poll a busy ring before waiting for an event (default 0: off, at most 1000)");

/*
 * Coalescing events under load: when a round took requests while the
 * frontend was still working through at least XA_BLKIF_COALESCE_LAG
 * earlier responses, it will queue about as many new requests as it takes
 * responses. The worker asks for an event only once half that many wait,
 * and looks anyway after coalesce_us: one event per batch instead of one
 * per request, for dom0 and for the guest. A frontend that has caught up,
 * or keeps few requests in flight, still gets an event per request. 0
 * turns it off.
 */
static unsigned int xa_blkif_coalesce_us = 1000;
module_param_named(coalesce_us, xa_blkif_coalesce_us, uint, 0644);
MODULE_PARM_DESC(coalesce_us,
		 "Microseconds a busy frontend's next batch may wait before the worker looks anyway (default 1000, at most 10000; 0: off)");

/*
 * Below this lag, "behind" may be a frontend that took its responses and
 * has not yet said so (blkfront completes them before it asks for the
 * next event): with 1-7 requests in flight it must never wait for a batch.
 */
#define XA_BLKIF_COALESCE_LAG 8

/*
 * Persistent grants save a map and unmap per request, but make the
 * frontend copy every byte between its grant pages and the I/O's pages:
 * the copy can cost more than mapping where requests are large.
 */
bool xa_blkif_feature_persistent = true;
module_param_named(feature_persistent, xa_blkif_feature_persistent, bool, 0644);
MODULE_PARM_DESC(feature_persistent,
		 "Offer persistent grants to devices probed from now on (default Y)");

/*
 * Persistent grants each ring keeps mapped: enough to cover the frontend's
 * buffers avoids map and unmap hypercalls; all rings together stay within
 * xenaccel_core's gcache_budget_mb.
 */
unsigned int xa_blkif_max_persistent = 8192;
module_param_named(max_persistent_grants, xa_blkif_max_persistent, uint, 0644);
MODULE_PARM_DESC(max_persistent_grants,
		 "Most persistent grants per ring (default 8192)");

/* Requests copied off the ring at a time, and at most per wakeup. */
#define XA_BLKIF_BATCH 32
#define XA_BLKIF_QUOTA 256

static irqreturn_t xa_blkif_event(int irq, void *data)
{
	struct xa_blkif_ring *ring = data;

	ring->stats.events++;
	WRITE_ONCE(ring->waiting_reqs, 1);
	wake_up(&ring->wq);
	return IRQ_HANDLED;
}

/* Shut the device down: the frontend broke the protocol. */
static void xa_blkif_ring_fatal(struct xa_blkif_ring *ring, const char *why)
{
	pr_warn_ratelimited("domain %u vbd %u ring %u: %s: closing the device\n",
			    ring->blkif->domid, ring->blkif->vbd.handle,
			    ring->index, why);
	schedule_work(&ring->blkif->fatal_work);
}

static s16 xa_blkif_rsp_status(blk_status_t status)
{
	if (status == BLK_STS_NOTSUPP)
		return BLKIF_RSP_EOPNOTSUPP;
	return status == BLK_STS_OK ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR;
}

static void xa_blkif_put_response(struct xa_blkif_ring *ring, u64 id,
				  u8 operation, s16 status)
{
	lockdep_assert_held(&ring->done_lock);
	if (ring->abi == XA_BLKIF_ABI_X86_32) {
		struct xa_blkif_x86_32_response rsp;

		memset(&rsp, 0, sizeof(rsp));
		rsp.id = id;
		rsp.operation = operation;
		rsp.status = status;
		xenaccel_ring_put_response(&ring->ring, &rsp, sizeof(rsp));
	} else {
		struct blkif_response rsp;

		/* Padding too: nothing of dom0's reaches the guest. */
		memset(&rsp, 0, sizeof(rsp));
		rsp.id = id;
		rsp.operation = operation;
		rsp.status = status;
		xenaccel_ring_put_response(&ring->ring, &rsp, sizeof(rsp));
	}
	if (status != BLKIF_RSP_OKAY)
		ring->stats.errors++;
}

static void xa_blkif_push_responses(struct xa_blkif_ring *ring)
{
	/* Behind on earlier responses, or (0) waiting for these. */
	unsigned int lag = xenaccel_ring_frontend_lag(&ring->ring);

	lockdep_assert_held(&ring->done_lock);
	if (xenaccel_ring_push_responses(&ring->ring)) {
		notify_remote_via_irq(ring->irq);
		ring->stats.notify++;
		lag = 0;
	}
	WRITE_ONCE(ring->frontend_lag, lag);
}

/*
 * Publish the responses the worker put while it handled a batch: requests
 * it refused, and those a device completed during submission (brd, a
 * cache hit), go out with one push and at most one notification a batch,
 * not one each.
 */
static void xa_blkif_push_owed(struct xa_blkif_ring *ring)
{
	spin_lock_irq(&ring->done_lock);
	if (ring->rsp_owed) {
		ring->stats.batch_pushes++;
		ring->stats.batch_rsp += ring->rsp_owed;
		ring->rsp_owed = 0;
		xa_blkif_push_responses(ring);
	}
	spin_unlock_irq(&ring->done_lock);
}

/*
 * Answer a request that did no I/O (refused, or a discard): the worker
 * publishes it at the end of its batch.
 */
static void xa_blkif_answer(struct xa_blkif_ring *ring, u64 id, u8 operation,
			    s16 status)
{
	/* Whatever it had mapped is unmapped before the guest hears. */
	xenaccel_grant_flush(&ring->mapper);
	spin_lock_irq(&ring->done_lock);
	xa_blkif_put_response(ring, id, operation, status);
	ring->rsp_owed++;
	spin_unlock_irq(&ring->done_lock);
}

static bool xa_blkif_has_done(struct xa_blkif_ring *ring)
{
	return !list_empty_careful(&ring->done);
}

/*
 * Reap every completed request: release their grants, unmap the private
 * ones in one hypercall, then answer those the completion could not and
 * notify once.
 */
static void xa_blkif_complete(struct xa_blkif_ring *ring)
{
	struct xa_blkif_pending *p, *next;
	bool late = false;
	LIST_HEAD(done);

	spin_lock_irq(&ring->done_lock);
	list_splice_init(&ring->done, &done);
	spin_unlock_irq(&ring->done_lock);
	if (list_empty(&done))
		return;

	list_for_each_entry(p, &done, node)
		xenaccel_grant_release(&ring->mapper, p->grants, p->nr_grants);
	/* The guest may reuse its pages once answered: unmap first. */
	xenaccel_grant_flush(&ring->mapper);

	spin_lock_irq(&ring->done_lock);
	list_for_each_entry(p, &done, node) {
		if (p->answered)
			continue;
		xa_blkif_put_response(ring, p->id, p->operation,
				      xa_blkif_rsp_status(p->status));
		late = true;
	}
	/* Answered on completion, all of them: nothing new to publish. */
	if (late)
		xa_blkif_push_responses(ring);
	spin_unlock_irq(&ring->done_lock);

	list_for_each_entry_safe(p, next, &done, node) {
		list_move(&p->node, &ring->free);
		atomic_dec(&ring->inflight);
	}
}

static void xa_blkif_bio_done(struct bio *bio)
{
	struct xa_blkif_pending *p = bio->bi_private;
	struct xa_blkif_ring *ring = p->ring;
	unsigned long flags;

	if (bio->bi_status)
		WRITE_ONCE(p->status, bio->bi_status);
	if (atomic_dec_and_test(&p->bios_left)) {
		/*
		 * All under the lock: once the worker has reaped the request
		 * (taking the lock), nothing here touches the ring again.
		 */
		spin_lock_irqsave(&ring->done_lock, flags);
		if (p->answer_on_completion) {
			/*
			 * The guest hears now, not after the worker reaps it;
			 * within the worker's own submission, at the end of
			 * its batch.
			 */
			xa_blkif_put_response(ring, p->id, p->operation,
					      xa_blkif_rsp_status(p->status));
			if (in_task() && current == ring->worker)
				ring->rsp_owed++;
			else
				xa_blkif_push_responses(ring);
			p->answered = true;
		}
		list_add_tail(&p->node, &ring->done);
		wake_up(&ring->wq);
		spin_unlock_irqrestore(&ring->done_lock, flags);
	}
	bio_put(bio);
}

/* A barrier orders against everything before it: let that finish. */
static void xa_blkif_drain(struct xa_blkif_ring *ring)
{
	while (atomic_read(&ring->inflight)) {
		wait_event(ring->wq, xa_blkif_has_done(ring));
		xa_blkif_complete(ring);
	}
}

/*
 * Copy the segments of an indirect request out of its indirect pages into
 * @segs. The pages are released (unmapped at the next flush) at once.
 */
static int xa_blkif_read_indirect(struct xa_blkif_ring *ring,
				  const struct xa_blkif_req *req,
				  struct blkif_request_segment *segs)
{
	unsigned int i, n = req->nr_indirect_pages;
	int err;

	for (i = 0; i < n; i++) {
		ring->indirect[i].gref = req->indirect_grefs[i];
		ring->indirect[i].readonly = true;
	}
	err = xenaccel_grant_map(&ring->mapper, ring->indirect, n);
	if (!err) {
		for (i = 0; i < n; i++)
			ring->indirect_addr[i] = page_address(ring->indirect[i].page);
		err = xa_blkif_copy_indirect(segs, ring->indirect_addr,
					     req->nr_segs);
	}
	xenaccel_grant_release(&ring->mapper, ring->indirect, n);
	return err;
}

static blk_opf_t xa_blkif_bio_op(u8 op)
{
	switch (op) {
	case BLKIF_OP_READ:
		return REQ_OP_READ;
	case BLKIF_OP_WRITE:
		/*
		 * A guest's write waits for its answer, as O_DIRECT does: not
		 * background writeback for the scheduler or writeback
		 * throttling to hold back (in-tree marks it the same).
		 */
		return REQ_OP_WRITE | REQ_SYNC | REQ_IDLE;
	default:	/* flush, and barrier after draining */
		return REQ_OP_WRITE | REQ_PREFLUSH;
	}
}

/* Build and submit the bios of a mapped request. */
static void xa_blkif_submit(struct xa_blkif_ring *ring,
			    struct xa_blkif_pending *p,
			    const struct blkif_request_segment *segs,
			    sector_t sector, blk_opf_t opf)
{
	struct block_device *bdev = ring->blkif->vbd.bdev.bdev;
	struct bio_list bios;
	struct bio *bio = NULL;
	unsigned int i, nr_bios = 0;

	bio_list_init(&bios);
	for (i = 0; i < p->nr_grants; i++) {
		unsigned int offset = segs[i].first_sect << 9;
		unsigned int len = (segs[i].last_sect - segs[i].first_sect + 1) << 9;

		if (!bio || !bio_add_page(bio, p->grants[i].page, len, offset)) {
			bio = xenaccel_bio_alloc(bdev, bio_max_segs(p->nr_grants - i),
						 opf, GFP_NOIO);
			bio->bi_iter.bi_sector = sector;
			bio->bi_private = p;
			bio->bi_end_io = xa_blkif_bio_done;
			bio_list_add(&bios, bio);
			nr_bios++;
			/* A fresh bio takes at least one page. */
			__bio_add_page(bio, p->grants[i].page, len, offset);
		}
		sector += len >> 9;
	}
	if (!bio) {
		/* A flush with no data. */
		bio = xenaccel_bio_alloc(bdev, 0, opf, GFP_NOIO);
		bio->bi_private = p;
		bio->bi_end_io = xa_blkif_bio_done;
		bio_list_add(&bios, bio);
		nr_bios++;
	}
	/* Count them all before the first can complete. */
	atomic_set(&p->bios_left, nr_bios);
	while ((bio = bio_list_pop(&bios)))
		submit_bio(bio);
}

/* Returns a BLKIF_RSP_* status if the request failed before any I/O. */
static int xa_blkif_dispatch_rw(struct xa_blkif_ring *ring,
				const struct xa_blkif_req *req)
{
	struct xa_blkif_vbd *vbd = &ring->blkif->vbd;
	struct blkif_request_segment *segs = ring->segs;
	struct xa_blkif_pending *p;
	unsigned int i, block_sectors;
	u64 nr_sectors = 0;

	if (req->op != BLKIF_OP_READ && vbd->readonly)
		return BLKIF_RSP_ERROR;
	if (req->indirect) {
		if (xa_blkif_read_indirect(ring, req, segs)) {
			ring->stats.bad_req++;
			return BLKIF_RSP_ERROR;
		}
		ring->stats.indirect_req++;
	} else {
		memcpy(segs, req->segs, req->nr_segs * sizeof(*segs));
	}
	/* With 4 KiB logical blocks, every segment holds whole blocks. */
	block_sectors = vbd->info.logical_block_size >> 9;
	for (i = 0; i < req->nr_segs; i++) {
		if ((segs[i].first_sect | (segs[i].last_sect + 1)) &
		    (block_sectors - 1)) {
			ring->stats.bad_req++;
			return BLKIF_RSP_ERROR;
		}
		nr_sectors += segs[i].last_sect - segs[i].first_sect + 1;
	}
	if (xa_blkif_check_range(req->sector, nr_sectors, vbd->sectors,
				 block_sectors)) {
		ring->stats.bad_req++;
		return BLKIF_RSP_ERROR;
	}

	/*
	 * Requests taken and not answered never outnumber the ring's slots,
	 * so with none free, one is answered and waits to be reaped.
	 */
	if (list_empty(&ring->free)) {
		ring->stats.oo_req++;
		xa_blkif_complete(ring);
	}
	if (WARN_ON_ONCE(list_empty(&ring->free)))
		return BLKIF_RSP_ERROR;
	p = list_first_entry(&ring->free, struct xa_blkif_pending, node);
	list_del(&p->node);
	p->id = req->id;
	p->operation = req->operation;
	p->status = BLK_STS_OK;
	p->answered = false;
	p->nr_grants = req->nr_segs;
	for (i = 0; i < req->nr_segs; i++) {
		p->grants[i].gref = segs[i].gref;
		/* A disk write only reads guest memory. */
		p->grants[i].readonly = req->op != BLKIF_OP_READ;
	}
	if (xenaccel_grant_map(&ring->mapper, p->grants, p->nr_grants)) {
		xenaccel_grant_release(&ring->mapper, p->grants, p->nr_grants);
		list_add(&p->node, &ring->free);
		return BLKIF_RSP_ERROR;
	}
	/* No private mapping of it, or of its indirect pages, to unmap. */
	p->answer_on_completion = !xenaccel_grant_unmaps_queued(&ring->mapper);
	for (i = 0; i < p->nr_grants; i++)
		if (!p->grants[i].persistent)
			p->answer_on_completion = false;

	switch (req->op) {
	case BLKIF_OP_READ:
		ring->stats.rd_req++;
		ring->stats.rd_sect += nr_sectors;
		break;
	case BLKIF_OP_WRITE:
		ring->stats.wr_req++;
		ring->stats.wr_sect += nr_sectors;
		break;
	default:
		ring->stats.f_req++;
		ring->stats.wr_sect += nr_sectors;
		break;
	}
	atomic_inc(&ring->inflight);
	xa_blkif_submit(ring, p, segs, req->sector, xa_blkif_bio_op(req->op));
	return BLKIF_RSP_OKAY;
}

static int xa_blkif_discard(struct xa_blkif_ring *ring,
			    const struct xa_blkif_req *req)
{
	struct xa_blkif_vbd *vbd = &ring->blkif->vbd;
	int err;

	if (!vbd->info.discard || !vbd->discard_enable ||
	    (req->secure && !vbd->info.secure_erase))
		return BLKIF_RSP_EOPNOTSUPP;
	if (vbd->readonly)
		return BLKIF_RSP_ERROR;
	if (xa_blkif_check_range(req->sector, req->nr_sectors, vbd->sectors,
				 vbd->info.logical_block_size >> 9)) {
		ring->stats.bad_req++;
		return BLKIF_RSP_ERROR;
	}
	ring->stats.ds_req++;
	err = xenaccel_bdev_discard(vbd->bdev.bdev, req->sector,
				    req->nr_sectors, req->secure);
	if (err == -EOPNOTSUPP)
		return BLKIF_RSP_EOPNOTSUPP;
	return err ? BLKIF_RSP_ERROR : BLKIF_RSP_OKAY;
}

static void xa_blkif_handle_one(struct xa_blkif_ring *ring, const void *raw)
{
	struct xa_blkif_req req;
	int status, err;

	err = xa_blkif_parse(raw, ring->abi, xa_blkif_max_indirect_segs, &req);
	if (err) {
		ring->stats.bad_req++;
		pr_debug_ratelimited("domain %u: bad request, operation %u\n",
				     ring->blkif->domid, req.operation);
		status = err == -EOPNOTSUPP ? BLKIF_RSP_EOPNOTSUPP :
					      BLKIF_RSP_ERROR;
	} else if (req.op == BLKIF_OP_DISCARD) {
		status = xa_blkif_discard(ring, &req);
	} else {
		if (req.op == BLKIF_OP_WRITE_BARRIER)
			xa_blkif_drain(ring);
		status = xa_blkif_dispatch_rw(ring, &req);
		if (status == BLKIF_RSP_OKAY)
			return;		/* answered on completion */
	}
	xa_blkif_answer(ring, req.id, req.operation, status);
}

/*
 * Take requests until the ring is empty or the quota is used up. Returns
 * how many were taken; *more says whether the quota left some waiting.
 * The ring is not re-armed: the worker asks for an event before it sleeps.
 */
static unsigned int xa_blkif_handle_requests(struct xa_blkif_ring *ring,
					     unsigned int *eoi_flags, bool *more)
{
	size_t size = xa_blkif_request_size(ring->abi);
	unsigned int taken = 0;
	struct blk_plug plug;
	int i, n;

	*more = false;

	blk_start_plug(&plug);
	for (;;) {
		n = xenaccel_ring_copy_requests(&ring->ring, ring->raw, size,
						XA_BLKIF_BATCH);
		if (n <= 0)
			break;		/* on overrun, the worker closes the device */
		*eoi_flags &= ~XEN_EOI_FLAG_SPURIOUS;
		for (i = 0; i < n; i++)
			xa_blkif_handle_one(ring, (u8 *)ring->raw + i * size);
		xa_blkif_push_owed(ring);
		taken += n;
		if (taken >= XA_BLKIF_QUOTA) {
			*more = true;
			break;
		}
	}
	blk_finish_plug(&plug);
	/* What the plug held may have completed as it was let go. */
	xa_blkif_push_owed(ring);
	/* Indirect pages mapped privately go back now, not at the next reap. */
	xenaccel_grant_flush(&ring->mapper);
	return taken;
}

/*
 * Watch a busy ring for new requests (or completions) for up to poll_us
 * before the worker re-arms the event channel. Returns true on work.
 */
static bool xa_blkif_poll(struct xa_blkif_ring *ring)
{
	unsigned int us = min(READ_ONCE(xa_blkif_poll_us), 1000U);
	u64 end;

	if (!us)
		return false;
	ring->stats.polls++;
	end = local_clock() + us * NSEC_PER_USEC;
	do {
		if (xenaccel_ring_has_requests(&ring->ring) ||
		    xa_blkif_has_done(ring) || READ_ONCE(ring->waiting_reqs)) {
			ring->stats.poll_hits++;
			return true;
		}
		if (need_resched() || kthread_should_stop())
			break;
		cpu_relax();
	} while (local_clock() < end);
	return false;
}

/* Unmask the event channel, if an event is owed its lateeoi. */
static void xa_blkif_eoi(struct xa_blkif_ring *ring, bool *owed,
			 unsigned int *flags)
{
	if (!*owed)
		return;
	xen_irq_lateeoi(ring->irq, *flags);
	*owed = false;
	*flags = XEN_EOI_FLAG_SPURIOUS;
}

/*
 * After a round that took requests: if the frontend is far behind, ask
 * for an event once half its lag in new requests wait, then sleep until
 * it comes, a completion does, or coalesce_us pass. Returns true: look
 * at the ring again.
 */
static bool xa_blkif_coalesce(struct xa_blkif_ring *ring, bool *eoi_owed,
			      unsigned int *eoi_flags)
{
	unsigned int us = min(READ_ONCE(xa_blkif_coalesce_us), 10000U);
	unsigned int lag = READ_ONCE(ring->frontend_lag);

	if (!us || lag < XA_BLKIF_COALESCE_LAG)
		return false;
	/* The event asked for must be able to arrive. */
	xa_blkif_eoi(ring, eoi_owed, eoi_flags);
	if (xenaccel_ring_event_after(&ring->ring, lag / 2))
		return true;
	ring->stats.coalesced++;
	wait_event_interruptible_hrtimeout(ring->wq,
					   READ_ONCE(ring->waiting_reqs) ||
					   xa_blkif_has_done(ring) ||
					   kthread_should_stop(),
					   ns_to_ktime((u64)us * NSEC_PER_USEC));
	return true;
}

static int xa_blkif_worker(void *arg)
{
	struct xa_blkif_ring *ring = arg;
	unsigned int eoi_flags = XEN_EOI_FLAG_SPURIOUS, taken;
	bool eoi_owed = false, more = false;

	set_freezable();
	while (!kthread_should_stop()) {
		if (try_to_freeze())
			continue;
		if (!more)
			wait_event_interruptible(ring->wq,
						 READ_ONCE(ring->waiting_reqs) ||
						 xa_blkif_has_done(ring) ||
						 kthread_should_stop());
		ring->stats.passes++;
		xa_blkif_complete(ring);

		/*
		 * The event channel stays masked from an event until our
		 * lateeoi. Take the flag atomically: an event that arrives
		 * while we were woken for completions must not be lost, or
		 * its EOI would never come. (A full barrier, too: the flag is
		 * clear before we look at the ring.)
		 */
		if (xchg(&ring->waiting_reqs, 0))
			eoi_owed = true;
		if (ring->ring.overrun) {
			more = false;
			continue;	/* no EOI: the device is going away */
		}
		taken = xa_blkif_handle_requests(ring, &eoi_flags, &more);
		/*
		 * Reap what already finished (a synchronous device completes
		 * during submission) in this pass: left on the done list, it
		 * would cost a second pass before the worker could sleep.
		 */
		if (taken)
			xa_blkif_complete(ring);
		/*
		 * Nothing left: poll a busy ring for a while, or wait for a
		 * busy frontend's next batch; then ask for an event and look
		 * once more, so that no request slips between.
		 */
		if (!more && taken && !ring->ring.overrun)
			more = xa_blkif_poll(ring) ||
			       xa_blkif_coalesce(ring, &eoi_owed, &eoi_flags);
		if (!more && !ring->ring.overrun)
			more = xenaccel_ring_final_check(&ring->ring);
		/*
		 * Found by a copy, or by a later look (the poll's, the last
		 * one), which then reports no requests: either way the
		 * device closes now, not at some later event.
		 */
		if (ring->ring.overrun) {
			xa_blkif_ring_fatal(ring, "request producer overran the ring");
			more = false;
			continue;
		}
		if (!more) {
			xa_blkif_eoi(ring, &eoi_owed, &eoi_flags);
			xenaccel_grant_trim(&ring->mapper);
		}
		if (ring->index == 0)
			xa_blkbk_resize(ring->blkif);
	}
	/* Nothing may complete into a ring that is being torn down. */
	xa_blkif_drain(ring);
	return 0;
}

static void xa_blkif_release_entries(struct xenaccel_gcache *cache,
				     struct list_head *entries)
{
	struct xa_blkif_ring *ring = container_of(cache, struct xa_blkif_ring,
						  cache);

	xenaccel_grant_release_entries(&ring->mapper, entries);
}

static const struct xenaccel_gcache_ops xa_blkif_gcache_ops = {
	.release = xa_blkif_release_entries,
};

static int xa_blkif_alloc_pending(struct xa_blkif_ring *ring,
				  unsigned int max_segs)
{
	unsigned int i;

	ring->nr_pending = ring->ring.nr_slots;
	ring->pending = kvcalloc(ring->nr_pending, sizeof(*ring->pending),
				 GFP_KERNEL);
	ring->grants = kvcalloc((size_t)ring->nr_pending * max_segs,
				sizeof(*ring->grants), GFP_KERNEL);
	ring->segs = kvcalloc(max_segs, sizeof(*ring->segs), GFP_KERNEL);
	ring->raw = kcalloc(XA_BLKIF_BATCH, xa_blkif_request_size(ring->abi),
			    GFP_KERNEL);
	if (!ring->pending || !ring->grants || !ring->segs || !ring->raw)
		return -ENOMEM;
	for (i = 0; i < ring->nr_pending; i++) {
		struct xa_blkif_pending *p = &ring->pending[i];

		p->ring = ring;
		p->grants = &ring->grants[(size_t)i * max_segs];
		list_add_tail(&p->node, &ring->free);
	}
	return 0;
}

static void xa_blkif_free_pending(struct xa_blkif_ring *ring)
{
	kvfree(ring->pending);
	kvfree(ring->grants);
	kvfree(ring->segs);
	kfree(ring->raw);
	ring->pending = NULL;
	ring->grants = NULL;
	ring->segs = NULL;
	ring->raw = NULL;
	INIT_LIST_HEAD(&ring->free);
}

/**
 * xa_blkif_ring_connect - start serving one ring
 * @ring: with blkif, index and abi set
 * @grefs: the ring's pages, as the frontend granted them
 * @nr_grefs: how many (a power of two, already checked)
 * @evtchn: the frontend's event channel
 */
int xa_blkif_ring_connect(struct xa_blkif_ring *ring, grant_ref_t *grefs,
			  unsigned int nr_grefs, evtchn_port_t evtchn)
{
	struct xa_blkif *blkif = ring->blkif;
	size_t bytes = (size_t)XEN_PAGE_SIZE * nr_grefs;
	unsigned int max_segs = max_t(unsigned int, xa_blkif_max_indirect_segs,
				      BLKIF_MAX_SEGMENTS_PER_REQUEST);
	int err;

	init_waitqueue_head(&ring->wq);
	xenaccel_gcache_init(&ring->cache, xa_blkif_max_persistent,
			     &xa_blkif_gcache_ops);
	spin_lock_init(&ring->done_lock);
	INIT_LIST_HEAD(&ring->done);
	INIT_LIST_HEAD(&ring->free);
	atomic_set(&ring->inflight, 0);

	err = xenbus_map_ring_valloc(blkif->dev, grefs, nr_grefs, &ring->sring);
	if (err)
		return err;
	if (ring->abi == XA_BLKIF_ABI_X86_32)
		xenaccel_ring_init(&ring->ring,
				   (struct xa_blkif_x86_32_sring *)ring->sring,
				   bytes);
	else
		xenaccel_ring_init(&ring->ring, (struct blkif_sring *)ring->sring,
				   bytes);

	err = xa_blkif_alloc_pending(ring, max_segs);
	if (err)
		goto fail;

	err = xenaccel_grant_mapper_init(&ring->mapper, blkif->domid,
					 blkif->persistent ? &ring->cache : NULL,
					 max_segs);
	if (err)
		goto fail;
	if (blkif->persistent)
		xenaccel_gcache_register(&ring->cache);

	err = xenaccel_bind_evtchn_lateeoi(blkif->dev, evtchn, xa_blkif_event,
					   0, "xenaccel-blkif", ring);
	if (err < 0)
		goto fail;
	ring->irq = err;

	ring->worker = kthread_run(xa_blkif_worker, ring, "xablk.%u.%u.%u",
				   blkif->domid, blkif->vbd.handle, ring->index);
	if (IS_ERR(ring->worker)) {
		err = PTR_ERR(ring->worker);
		ring->worker = NULL;
		goto fail;
	}
	return 0;
fail:
	xa_blkif_ring_disconnect(ring);
	return err;
}

/* Stop serving a ring; safe on a partly connected one. */
void xa_blkif_ring_disconnect(struct xa_blkif_ring *ring)
{
	LIST_HEAD(entries);

	if (ring->worker) {
		kthread_stop(ring->worker);
		ring->worker = NULL;
	}
	if (ring->irq) {
		unbind_from_irqhandler(ring->irq, ring);
		ring->irq = 0;
	}
	if (ring->mapper.map_ops) {
		xenaccel_gcache_unregister(&ring->cache);
		xenaccel_gcache_drain(&ring->cache, &entries);
		xenaccel_grant_release_entries(&ring->mapper, &entries);
		xenaccel_grant_mapper_destroy(&ring->mapper);
	}
	xa_blkif_free_pending(ring);
	if (ring->sring) {
		xenbus_unmap_ring_vfree(ring->blkif->dev, ring->sring);
		ring->sring = NULL;
	}
}
