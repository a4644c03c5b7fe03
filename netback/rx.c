// SPDX-License-Identifier: GPL-2.0
/*
 * xenaccel_netback guest RX, what the vif transmits: the stack queues
 * packets, and one thread per queue copies as many as the guest has
 * posted buffers for into those buffers, with one grant-copy hypercall
 * for the whole batch, then answers and notifies once. A thread takes
 * the packets of the vif's other queues into its batch too when their
 * own threads are not at work on them, so a multi-queue vif under load
 * needs fewer hypercalls than it has queues.
 *
 * A guest that stops posting buffers loses its carrier after the stall
 * timeout, and packets that wait longer than the drain timeout are
 * dropped: a stuck guest cannot pin dom0 memory.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/netdevice.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <xen/events.h>
#include <xen/page.h>

#include "common.h"

/* Packets per round, so other queues and the stack get their turn. */
#define XA_VIF_RX_BATCH 64
/* Copies per hypercall. */
#define XA_VIF_RX_COPY_OPS 1024

struct xa_vif_rx_cb {
	unsigned long expires;		/* jiffies: drop it after this */
};

#define XA_VIF_RX_CB(skb) ((struct xa_vif_rx_cb *)(skb)->cb)

/* A batch names the sibling queues it holds in a u64. */
static_assert(XA_VIF_MAX_QUEUES <= 64);

int xa_vif_rx_init(struct xa_vif_queue *queue)
{
	unsigned int n = queue->rx.nr_slots;

	queue->rx_reqs = kvcalloc(n, sizeof(*queue->rx_reqs), GFP_KERNEL);
	queue->rx_rsps = kvcalloc(n, sizeof(*queue->rx_rsps), GFP_KERNEL);
	queue->rx_ops = kvcalloc(XA_VIF_RX_COPY_OPS, sizeof(*queue->rx_ops),
				 GFP_KERNEL);
	if (!queue->rx_reqs || !queue->rx_rsps || !queue->rx_ops)
		return -ENOMEM;
	mutex_init(&queue->rx_lock);
	queue->rx_req_head = 0;
	queue->rx_req_count = 0;
	return xenaccel_copier_init(&queue->rx_copy, XA_VIF_RX_COPY_OPS);
}

/* After xa_vif_rx_stop(). */
void xa_vif_rx_deinit(struct xa_vif_queue *queue)
{
	xenaccel_copier_destroy(&queue->rx_copy);
	kvfree(queue->rx_reqs);
	kvfree(queue->rx_rsps);
	kvfree(queue->rx_ops);
	queue->rx_reqs = NULL;
	queue->rx_rsps = NULL;
	queue->rx_ops = NULL;
}

static void xa_vif_rx_kick(struct xa_vif_queue *queue)
{
	WRITE_ONCE(queue->rx_kick, true);
	wake_up(&queue->rx_wq);
}

/* From the stack's transmit path, holding the queue's lock. */
void xa_vif_rx_queue_tail(struct xa_vif_queue *queue, struct sk_buff *skb)
{
	unsigned long flags;

	XA_VIF_RX_CB(skb)->expires = jiffies + queue->vif->drain_timeout;
	spin_lock_irqsave(&queue->rx_queue.lock, flags);
	__skb_queue_tail(&queue->rx_queue, skb);
	atomic_inc(&xa_vif_totals.skbs);
	queue->rx_queue_len += skb->len;
	if (queue->rx_queue_len > queue->rx_queue_max)
		netif_tx_stop_queue(netdev_get_tx_queue(queue->vif->dev,
							queue->id));
	spin_unlock_irqrestore(&queue->rx_queue.lock, flags);
	xa_vif_rx_kick(queue);
}

static struct sk_buff *xa_vif_rx_peek(struct xa_vif_queue *queue)
{
	struct sk_buff *skb;

	spin_lock_irq(&queue->rx_queue.lock);
	skb = skb_peek(&queue->rx_queue);
	spin_unlock_irq(&queue->rx_queue.lock);
	return skb;
}

static struct sk_buff *xa_vif_rx_dequeue(struct xa_vif_queue *queue)
{
	struct sk_buff *skb;

	spin_lock_irq(&queue->rx_queue.lock);
	skb = __skb_dequeue(&queue->rx_queue);
	if (skb) {
		atomic_dec(&xa_vif_totals.skbs);
		queue->rx_queue_len -= skb->len;
		if (queue->rx_queue_len < queue->rx_queue_max)
			netif_tx_wake_queue(netdev_get_tx_queue(queue->vif->dev,
								queue->id));
	}
	spin_unlock_irq(&queue->rx_queue.lock);
	return skb;
}

/* Work for the thread? Read-only, so safe against it running. */
bool xa_vif_rx_event(struct xa_vif_queue *queue)
{
	if (skb_queue_empty_lockless(&queue->rx_queue) && !READ_ONCE(queue->stalled))
		return false;
	xa_vif_rx_kick(queue);
	return true;
}

irqreturn_t xa_vif_rx_interrupt(int irq, void *data)
{
	struct xa_vif_queue *queue = data;

	atomic_or(XA_VIF_EOI_RX, &queue->eoi_pending);
	if (!xa_vif_rx_event(queue)) {
		atomic_andnot(XA_VIF_EOI_RX, &queue->eoi_pending);
		xen_irq_lateeoi(irq, XEN_EOI_FLAG_SPURIOUS);
	}
	return IRQ_HANDLED;
}

/* Copy the requests the guest posted after those held. */
static int xa_vif_rx_refill(struct xa_vif_queue *queue)
{
	int n;

	if (queue->rx_req_head) {
		memmove(queue->rx_reqs, &queue->rx_reqs[queue->rx_req_head],
			queue->rx_req_count * sizeof(*queue->rx_reqs));
		queue->rx_req_head = 0;
	}
	n = xenaccel_ring_copy_requests(&queue->rx,
					&queue->rx_reqs[queue->rx_req_count],
					sizeof(*queue->rx_reqs),
					queue->rx.nr_slots - queue->rx_req_count);
	if (n < 0) {
		xa_vif_fatal(queue->vif, "rx request producer overran the ring");
		return n;
	}
	queue->rx_req_count += n;
	return n;
}

/* Whether @needed requests are held, asking for an event if not. */
static bool xa_vif_rx_room(struct xa_vif_queue *queue, unsigned int needed)
{
	if (queue->rx_req_count >= needed)
		return true;
	if (xa_vif_rx_refill(queue) < 0)
		return false;
	if (queue->rx_req_count >= needed)
		return true;
	/* Ask for an event on the next request, then look once more. */
	if (xenaccel_ring_final_check(&queue->rx) && xa_vif_rx_refill(queue) < 0)
		return false;
	/* That look may be the one that found the producer overrun. */
	if (queue->rx.overrun) {
		xa_vif_fatal(queue->vif, "rx request producer overran the ring");
		return false;
	}
	return queue->rx_req_count >= needed;
}

static struct xen_netif_rx_request xa_vif_rx_next_req(struct xa_vif_queue *queue)
{
	queue->rx_req_count--;
	return queue->rx_reqs[queue->rx_req_head++];
}

/* The extra-info slots a packet takes, in type order; returns how many. */
static unsigned int xa_vif_rx_extras(struct xa_vif_queue *queue,
				     struct sk_buff *skb,
				     struct xen_netif_extra_info *extras,
				     unsigned int headroom)
{
	struct xa_vif *vif = queue->vif;
	unsigned int n = 0;

	if (skb_is_gso(skb)) {
		unsigned int type = skb_shinfo(skb)->gso_type & SKB_GSO_TCPV4 ?
				    XEN_NETIF_GSO_TYPE_TCPV4 :
				    XEN_NETIF_GSO_TYPE_TCPV6;

		if (vif->gso_mask & BIT(type)) {
			struct xen_netif_extra_info *e = &extras[n++];

			memset(e, 0, sizeof(*e));
			e->type = XEN_NETIF_EXTRA_TYPE_GSO;
			e->u.gso.type = type;
			e->u.gso.size = skb_shinfo(skb)->gso_size;
		}
	}
	if (skb->sw_hash) {
		struct xen_netif_extra_info *e = &extras[n++];
		__le32 value = cpu_to_le32(skb_get_hash_raw(skb));
		bool v4 = skb->protocol == htons(ETH_P_IP);

		memset(e, 0, sizeof(*e));
		e->type = XEN_NETIF_EXTRA_TYPE_HASH;
		e->u.hash.algorithm = XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ;
		if (skb->l4_hash)
			e->u.hash.type = v4 ? _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP :
					      _XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP;
		else
			e->u.hash.type = v4 ? _XEN_NETIF_CTRL_HASH_TYPE_IPV4 :
					      _XEN_NETIF_CTRL_HASH_TYPE_IPV6;
		memcpy(e->u.hash.value, &value, sizeof(value));
	}
	if (headroom) {
		struct xen_netif_extra_info *e = &extras[n++];

		memset(e, 0, sizeof(*e));
		e->type = XEN_NETIF_EXTRA_TYPE_XDP;
		e->u.xdp.headroom = headroom;
	}
	return n;
}

/* Walks a packet's bytes: the head, the frags, then the frag list. */
struct xa_vif_rx_iter {
	struct sk_buff *skb;		/* the packet */
	struct sk_buff *cur;		/* it, or one on its frag list */
	int frag;			/* -1: cur's head */
	unsigned int off;		/* into the current piece */
};

/* The next bytes of the packet, at most @max; false at the end. */
static bool xa_vif_rx_next_chunk(struct xa_vif_rx_iter *it, unsigned int max,
				 const void **data, unsigned int *len)
{
	while (it->cur) {
		const u8 *base;
		unsigned int size;

		if (it->frag < 0) {
			base = it->cur->data;
			size = skb_headlen(it->cur);
		} else if (it->frag < skb_shinfo(it->cur)->nr_frags) {
			skb_frag_t *frag = &skb_shinfo(it->cur)->frags[it->frag];

			base = skb_frag_address(frag);
			size = skb_frag_size(frag);
		} else {
			it->cur = it->cur == it->skb ?
				  skb_shinfo(it->skb)->frag_list : it->cur->next;
			it->frag = -1;
			it->off = 0;
			continue;
		}
		if (it->off < size) {
			*data = base + it->off;
			*len = min(size - it->off, max);
			it->off += *len;
			return true;
		}
		it->frag++;
		it->off = 0;
	}
	return false;
}

/*
 * One round of guest RX: the packets of the thread's own queue and of the
 * sibling queues it holds, in the copier of its own queue.
 */
struct xa_vif_rx_batch {
	struct xa_vif_queue *owner;
	struct sk_buff_head done;	/* sent: freed after the copies */
	u64 siblings;			/* BIT(id) of the other queues held */
};

/* Issue the queued copies; a failed one fails its slot's answer. */
static void xa_vif_rx_flush_copies(struct xa_vif_rx_batch *b)
{
	struct xenaccel_copier *c = &b->owner->rx_copy;
	struct xa_vif_rx_op *ops = b->owner->rx_ops;
	unsigned int i;

	if (xenaccel_copy_flush(c)) {
		for (i = 0; i < c->nr; i++) {
			struct xa_vif_queue *queue;

			if (c->ops[i].status == GNTST_okay)
				continue;
			queue = &b->owner->vif->queues[ops[i].queue];
			queue->rx_rsps[ops[i].rsp].rsp.status = XEN_NETIF_RSP_ERROR;
			queue->stats.tx_copy_errors++;
		}
	}
	xenaccel_copy_reset(c);
}

/* Queue the copies that fill one guest buffer, and its answer. */
static void xa_vif_rx_data_slot(struct xa_vif_queue *queue,
				struct xa_vif_rx_batch *b,
				struct xa_vif_rx_iter *it, unsigned int *left,
				unsigned int headroom, unsigned int rsp_idx,
				u16 flags)
{
	struct xenaccel_copier *c = &b->owner->rx_copy;
	struct xen_netif_rx_request req = xa_vif_rx_next_req(queue);
	unsigned int off = headroom, len;
	struct xen_netif_rx_response *rsp = &queue->rx_rsps[rsp_idx].rsp;
	const void *data;

	/* Filled in first: a failed copy marks it, even mid-slot. */
	memset(&queue->rx_rsps[rsp_idx], 0, sizeof(queue->rx_rsps[rsp_idx]));
	rsp->id = req.id;
	rsp->offset = 0;
	while (off < XEN_PAGE_SIZE &&
	       xa_vif_rx_next_chunk(it, min(*left, (unsigned int)XEN_PAGE_SIZE - off),
				    &data, &len)) {
		int n = xenaccel_copy_to_guest(c, queue->vif->domid, req.gref,
					       off, data, len);

		if (n == -ENOSPC) {
			xa_vif_rx_flush_copies(b);
			n = xenaccel_copy_to_guest(c, queue->vif->domid, req.gref,
						   off, data, len);
		}
		if (WARN_ON_ONCE(n < 0))
			break;
		while (n--) {
			struct xa_vif_rx_op *op = &b->owner->rx_ops[c->nr - 1 - n];

			op->queue = queue->id;
			op->rsp = rsp_idx;
		}
		off += len;
		*left -= len;
		if (!*left)
			break;
	}
	rsp->flags = flags | (*left ? XEN_NETRXF_more_data : 0);
	/* The end of the data in the buffer, headroom included, as in-tree. */
	if (rsp->status != XEN_NETIF_RSP_ERROR)
		rsp->status = off;
}

/*
 * Send one packet if the guest posted enough buffers. Returns false if
 * not (the packet stays queued).
 */
static bool xa_vif_rx_one(struct xa_vif_queue *queue, struct xa_vif_rx_batch *b)
{
	unsigned int *nr_rsp = &queue->rx_nr_rsp;
	struct xen_netif_extra_info extras[XA_VIF_NR_EXTRAS];
	unsigned int nr_extras, nr_data, i, left, headroom;
	struct xa_vif_rx_iter it = {};
	struct sk_buff *skb;
	u16 flags = 0;

	skb = xa_vif_rx_peek(queue);
	if (!skb)
		return false;
	/* The frontend may change it (Reconfiguring): one value a packet. */
	headroom = READ_ONCE(queue->vif->xdp_headroom);
	nr_extras = xa_vif_rx_extras(queue, skb, extras, headroom);
	nr_data = xa_vif_rx_slots(skb->len, headroom);
	if (unlikely(nr_data > XEN_NETIF_NR_SLOTS_MIN)) {
		/* More than netif.h lets a frontend expect. */
		skb = xa_vif_rx_dequeue(queue);
		queue->stats.tx_too_big++;
		queue->stats.tx_dropped++;
		kfree_skb(skb);
		return true;
	}
	if (!xa_vif_rx_room(queue, nr_data + nr_extras))
		return false;
	skb = xa_vif_rx_dequeue(queue);

	if (skb->ip_summed == CHECKSUM_PARTIAL)
		flags |= XEN_NETRXF_csum_blank | XEN_NETRXF_data_validated;
	else if (skb->ip_summed == CHECKSUM_UNNECESSARY)
		flags |= XEN_NETRXF_data_validated;
	if (nr_extras)
		flags |= XEN_NETRXF_extra_info;

	it.skb = skb;
	it.cur = skb;
	it.frag = -1;
	left = skb->len;
	/* The first data slot, then the extras, then the rest. */
	xa_vif_rx_data_slot(queue, b, &it, &left, headroom, (*nr_rsp)++, flags);
	for (i = 0; i < nr_extras; i++) {
		union xa_vif_rx_rsp *rsp = &queue->rx_rsps[(*nr_rsp)++];

		xa_vif_rx_next_req(queue);
		rsp->extra = extras[i];
		if (i + 1 < nr_extras)
			rsp->extra.flags |= XEN_NETIF_EXTRA_FLAG_MORE;
	}
	for (i = 1; i < nr_data && left; i++)
		xa_vif_rx_data_slot(queue, b, &it, &left, headroom, (*nr_rsp)++, 0);

	queue->stats.tx_packets++;
	queue->stats.tx_bytes += skb->len;
	if (skb_is_gso(skb))
		queue->stats.tx_gso++;
	queue->last_rx_time = jiffies;
	if (queue != b->owner)
		queue->stats.tx_sibling_batched++;
	/* Its pages are read by the copies: free it after the flush. */
	__skb_queue_tail(&b->done, skb);
	return true;
}

/* Add what @queue's guest has room for; true if a full batch was added. */
static bool xa_vif_rx_fill(struct xa_vif_queue *queue, struct xa_vif_rx_batch *b)
{
	unsigned int sent = 0;

	while (sent < XA_VIF_RX_BATCH && xa_vif_rx_one(queue, b))
		sent++;
	return sent == XA_VIF_RX_BATCH;
}

/* After the copies: post @queue's answers and notify the guest once. */
static void xa_vif_rx_answer(struct xa_vif_queue *queue)
{
	unsigned int i;

	for (i = 0; i < queue->rx_nr_rsp; i++)
		xenaccel_ring_put_response(&queue->rx, &queue->rx_rsps[i],
					   sizeof(queue->rx_rsps[i]));
	if (queue->rx_nr_rsp && xenaccel_ring_push_responses(&queue->rx)) {
		notify_remote_via_irq(queue->rx_irq);
		queue->stats.tx_notify++;
	}
	queue->rx_nr_rsp = 0;
}

/*
 * The vif's other queues with packets waiting whose threads are not at
 * work on them join the batch: trylock only, so two threads never wait
 * for each other. Every queue's thread is stopped before any queue is
 * torn down (xa_netbk_disconnect()), and num_queues is 0 until all are
 * connected, so the queues seen here stay whole.
 */
static void xa_vif_rx_fill_siblings(struct xa_vif_rx_batch *b)
{
	struct xa_vif *vif = b->owner->vif;
	unsigned int i, nr = xa_vif_nr_queues(vif);

	/* Our own packets may have shown the frontend broken. */
	if (test_bit(XA_VIF_DISABLED, &vif->flags))
		return;
	for (i = 0; i < nr; i++) {
		struct xa_vif_queue *queue = &vif->queues[i];

		if (queue == b->owner || READ_ONCE(queue->stalled) ||
		    skb_queue_empty_lockless(&queue->rx_queue) ||
		    !mutex_trylock(&queue->rx_lock))
			continue;
		b->siblings |= BIT_ULL(i);
		xa_vif_rx_fill(queue, b);
	}
}

/*
 * Send what the guest has room for, with what other queues have, in one
 * batch of copies; true if a full batch of this queue's was sent.
 */
static bool xa_vif_rx_action(struct xa_vif_queue *queue)
{
	struct xa_vif_rx_batch b = { .owner = queue };
	unsigned int i;
	bool more;

	__skb_queue_head_init(&b.done);
	more = xa_vif_rx_fill(queue, &b);
	xa_vif_rx_fill_siblings(&b);
	xa_vif_rx_flush_copies(&b);
	xa_vif_rx_answer(queue);
	for (i = 0; b.siblings; i++) {
		struct xa_vif_queue *sibling = &queue->vif->queues[i];

		if (!(b.siblings & BIT_ULL(i)))
			continue;
		b.siblings &= ~BIT_ULL(i);
		xa_vif_rx_answer(sibling);
		mutex_unlock(&sibling->rx_lock);
	}
	__skb_queue_purge(&b.done);
	return more;
}

/* Drop everything queued for the guest. */
static void xa_vif_rx_drop_all(struct xa_vif_queue *queue)
{
	struct sk_buff *skb;

	while ((skb = xa_vif_rx_dequeue(queue))) {
		queue->stats.tx_dropped++;
		kfree_skb(skb);
	}
}

/**
 * xa_vif_rx_stop - stop a queue's guest-RX thread, drop what it queued
 * @queue: a queue the stack sends no more to
 *
 * The packets may hold mapped guest-TX pages of any vif (this one's
 * included, looped back), whose disconnect waits for them, and the
 * threads of a vif send each other's packets: disconnect stops every
 * queue's guest RX before it tears any queue down.
 */
void xa_vif_rx_stop(struct xa_vif_queue *queue)
{
	if (queue->rx_task) {
		kthread_stop(queue->rx_task);
		queue->rx_task = NULL;
		atomic_dec(&xa_vif_totals.threads);
	}
	xa_vif_rx_drop_all(queue);
}

static void xa_vif_rx_drop_expired(struct xa_vif_queue *queue)
{
	struct sk_buff *skb;

	while ((skb = xa_vif_rx_peek(queue)) &&
	       time_after_eq(jiffies, XA_VIF_RX_CB(skb)->expires)) {
		skb = xa_vif_rx_dequeue(queue);
		queue->stats.tx_expired++;
		queue->stats.tx_dropped++;
		kfree_skb(skb);
	}
}

/*
 * Carrier off while a queue gets no buffers from the guest, so the stack
 * stops queueing for it; on again once every queue is served.
 */
static void xa_vif_rx_check_stall(struct xa_vif_queue *queue)
{
	struct xa_vif *vif = queue->vif;

	if (!vif->stall_timeout)
		return;
	if (!queue->stalled && !queue->rx_req_count &&
	    !skb_queue_empty_lockless(&queue->rx_queue) &&
	    time_after(jiffies, queue->last_rx_time + vif->stall_timeout)) {
		WRITE_ONCE(queue->stalled, true);
		queue->stats.tx_stalls++;
		spin_lock(&vif->lock);
		if (vif->stalled_queues++ == 0) {
			netdev_info(vif->dev, "guest rx stalled\n");
			netif_carrier_off(vif->dev);
		}
		spin_unlock(&vif->lock);
	} else if (queue->stalled && queue->rx_req_count) {
		WRITE_ONCE(queue->stalled, false);
		queue->last_rx_time = jiffies;
		spin_lock(&vif->lock);
		if (--vif->stalled_queues == 0 &&
		    test_bit(XA_VIF_CONNECTED, &vif->flags)) {
			netdev_info(vif->dev, "guest rx ready\n");
			netif_carrier_on(vif->dev);
		}
		spin_unlock(&vif->lock);
	}
}

/* How long to sleep: until the head packet expires or may stall us. */
static long xa_vif_rx_timeout(struct xa_vif_queue *queue)
{
	struct sk_buff *skb = xa_vif_rx_peek(queue);
	unsigned long deadline;

	if (!skb)
		return MAX_SCHEDULE_TIMEOUT;
	deadline = XA_VIF_RX_CB(skb)->expires;
	if (queue->vif->stall_timeout && !queue->stalled &&
	    time_before(queue->last_rx_time + queue->vif->stall_timeout, deadline))
		deadline = queue->last_rx_time + queue->vif->stall_timeout + 1;
	if (time_after_eq(jiffies, deadline))
		return 1;
	return deadline - jiffies;
}

int xa_vif_rx_thread(void *data)
{
	struct xa_vif_queue *queue = data;
	struct xa_vif *vif = queue->vif;

	while (!kthread_should_stop()) {
		bool more = false;

		wait_event_interruptible_timeout(queue->rx_wq,
						 READ_ONCE(queue->rx_kick) ||
						 kthread_should_stop(),
						 xa_vif_rx_timeout(queue));
		if (kthread_should_stop())
			break;
		WRITE_ONCE(queue->rx_kick, false);
		/* Clear the kick before looking, so no wakeup is missed. */
		smp_mb();
		/*
		 * A broken frontend gets nothing more, nor an EOI; what was
		 * queued for it (maybe other guests' mapped pages) goes.
		 */
		if (test_bit(XA_VIF_DISABLED, &vif->flags)) {
			xa_vif_rx_drop_all(queue);
			continue;
		}
		if (!skb_queue_empty_lockless(&queue->rx_queue) || queue->stalled) {
			/* Another queue's thread may be sending ours. */
			mutex_lock(&queue->rx_lock);
			more = xa_vif_rx_action(queue);
			xa_vif_rx_drop_expired(queue);
			if (queue->stalled && !queue->rx_req_count)
				xa_vif_rx_room(queue, 1);
			xa_vif_rx_check_stall(queue);
			mutex_unlock(&queue->rx_lock);
		}
		if (more) {
			WRITE_ONCE(queue->rx_kick, true);
			cond_resched();
			continue;
		}
		xa_vif_eoi(queue, queue->rx_irq, XA_VIF_EOI_RX | XA_VIF_EOI_COMMON);
	}
	return 0;
}
