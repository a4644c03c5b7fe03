// SPDX-License-Identifier: GPL-2.0
/*
 * xenaccel_netback guest TX, what the vif receives: NAPI copies the tx
 * ring's slots out once, parses and checks the copies (parse.c), builds
 * whole batches of packets with one grant-copy hypercall, hands them to
 * GRO, and only then answers their slots, so the guest never reuses a
 * buffer we still read.
 *
 * A packet's data past its headers may instead be grant-mapped and given
 * to the stack as zero-copy frags (tx_map, chosen per packet from the
 * measured costs, xa_vif_tx_cost): its first XA_VIF_TX_HLEN bytes are
 * still copied, so the stack parses only our memory; the frags' slots are
 * answered only once the stack gave the pages back (its zero-copy
 * completion) and they were unmapped, in batches, from NAPI. At most
 * XA_VIF_TX_MAPS per queue are mapped at a time, and disconnect waits
 * for the stack to give them all back.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/timekeeping.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include XENACCEL_GRO_H

#include "common.h"

/*
 * Slots held between polls: a whole one-page ring (256 slots), which
 * also bounds the longest chain a frontend may build.
 */
#define XA_VIF_TX_STAGE 256
/* Bytes of each packet in the skb's linear part: the headers. */
#define XA_VIF_TX_HLEN 128
/*
 * Copies one packet can need: one per data slot, plus one per boundary
 * crossed in the skb (the linear part's end and Xen page, each frag).
 */
#define XA_VIF_TX_OPS_PER_PKT (XA_VIF_TX_DROP_SLOTS + 1 + 2 + MAX_SKB_FRAGS)
/* Copies per hypercall: a full poll of large packets takes a few. */
#define XA_VIF_TX_COPY_OPS 1024
/*
 * Pages the queue's pool keeps when skbs give them back: a few polls'
 * worth of large packets (1 MiB), not more, as every queue has its own.
 */
#define XA_VIF_TX_POOL_PAGES 256

void xa_vif_credit_work(struct work_struct *work)
{
	struct xa_vif_queue *queue = container_of(to_delayed_work(work),
						  struct xa_vif_queue,
						  credit_work);

	xa_vif_tx_kick(queue);
}

static XENACCEL_UBUF_CALLBACK(xa_vif_tx_zerocopy_done, ubuf, success);
XENACCEL_UBUF_OPS(xa_vif_tx_ubuf_ops, xa_vif_tx_zerocopy_done);

/* Run NAPI for completions that came in a thread. */
static void xa_vif_tx_kick_work(struct work_struct *work)
{
	xa_vif_tx_kick(container_of(work, struct xa_vif_queue, tx_kick_work));
}

/*
 * The stack gave a mapped packet's pages back (@success), or copied them
 * to keep the packet (!@success), and drops its references to them right
 * after. Any context: queue it for NAPI. From a softirq (most frees) or
 * an interrupt, NAPI runs once that is done; a thread (another vif's
 * guest-RX thread freeing what it sent, say) may not raise the softirq,
 * and would run NAPI at once if it did: a work item kicks NAPI instead.
 */
static XENACCEL_UBUF_CALLBACK(xa_vif_tx_zerocopy_done, ubuf, success)
{
	struct xa_vif_tx_map *map = container_of(ubuf, struct xa_vif_tx_map,
						 ubuf);
	struct xa_vif_queue *queue = map->queue;
	unsigned long flags;

	map->copied = !success;
	/*
	 * Under the lock, so that once disconnect took the last map back
	 * no completion still touches the queue.
	 */
	spin_lock_irqsave(&queue->tx_done_lock, flags);
	queue->tx_maps->done[queue->tx_nr_done++] = map - queue->tx_maps->map;
	if (in_task())
		schedule_work(&queue->tx_kick_work);
	else
		napi_schedule(&queue->napi);
	spin_unlock_irqrestore(&queue->tx_done_lock, flags);
}

static int xa_vif_tx_map_init(struct xa_vif_queue *queue)
{
	struct xa_vif_tx_maps *maps;
	unsigned int i;
	int err;

	spin_lock_init(&queue->tx_done_lock);
	INIT_WORK(&queue->tx_kick_work, xa_vif_tx_kick_work);
	atomic_set(&queue->tx_mapped, 0);
	maps = kvzalloc(sizeof(*maps), GFP_KERNEL);
	if (!maps)
		return -ENOMEM;
	/* Unpopulated pages to map into (in-tree has a ring's worth). */
	err = gnttab_alloc_pages(XA_VIF_TX_MAPS, maps->pages);
	if (err) {
		kvfree(maps);
		return err;
	}
	for (i = 0; i < XA_VIF_TX_MAPS; i++) {
		struct xa_vif_tx_map *map = &maps->map[i];

		map->queue = queue;
		map->page = maps->pages[i];
		map->refs = page_count(map->page);
		map->handle = INVALID_GRANT_HANDLE;
		xenaccel_ubuf_init(&map->ubuf, xa_vif_tx_ubuf_ops,
				   xa_vif_tx_zerocopy_done);
		refcount_set(&map->ubuf.refcnt, 1);
		maps->free[i] = XA_VIF_TX_MAPS - 1 - i;
	}
	queue->tx_nr_map_free = XA_VIF_TX_MAPS;
	queue->tx_maps = maps;
	return 0;
}

/* A page's address for the map and unmap operations. */
static unsigned long xa_vif_tx_map_addr(const struct xa_vif_tx_map *map)
{
	return (unsigned long)pfn_to_kaddr(page_to_pfn(map->page));
}

/*
 * Unmap the maps of the packets the stack gave back, and answer their
 * requests if @respond. A page still referenced (the stack drops its
 * frag references right after the completion) waits for the next round.
 */
static void xa_vif_tx_unmap(struct xa_vif_queue *queue, bool respond)
{
	struct xa_vif_tx_maps *maps = queue->tx_maps;
	u16 *work = maps->done_taken;
	unsigned int i, n, ready = 0, nr_unmaps = 0, nr_rsp = 0;
	unsigned long flags;
	u16 slot;
	int err = 0;

	/* Racy: a completion after this schedules NAPI again. */
	if (!READ_ONCE(queue->tx_nr_done))
		return;
	spin_lock_irqsave(&queue->tx_done_lock, flags);
	n = queue->tx_nr_done;
	memcpy(work, maps->done, n * sizeof(*work));
	queue->tx_nr_done = 0;
	spin_unlock_irqrestore(&queue->tx_done_lock, flags);
	if (!n)
		return;

	/* The packets whose pages are all free first: [0, ready). */
	for (i = 0; i < n; i++) {
		bool busy = false;

		for (slot = work[i]; slot != XA_VIF_TX_MAP_NONE;
		     slot = maps->map[slot].next)
			busy |= page_count(maps->map[slot].page) !=
				maps->map[slot].refs;
		if (!busy) {
			swap(work[ready], work[i]);
			ready++;
		}
	}
	for (i = 0; i < ready; i++) {
		for (slot = work[i]; slot != XA_VIF_TX_MAP_NONE;
		     slot = maps->map[slot].next) {
			struct xa_vif_tx_map *map = &maps->map[slot];

			if (map->handle == INVALID_GRANT_HANDLE)
				continue;
			gnttab_set_unmap_op(&maps->unmap_ops[nr_unmaps],
					    xa_vif_tx_map_addr(map),
					    GNTMAP_host_map | GNTMAP_readonly,
					    map->handle);
			maps->unmap_pages[nr_unmaps++] = map->page;
		}
	}
	if (nr_unmaps) {
		u64 start = ktime_get_ns();

		err = gnttab_unmap_refs(maps->unmap_ops, NULL,
					maps->unmap_pages, nr_unmaps);
		start = ktime_get_ns() - start;
		xa_vif_tx_cost_unmap(&queue->tx_cost, start, nr_unmaps);
		queue->stats.rx_unmap_hypercalls++;
		queue->stats.rx_unmap_pages += nr_unmaps;
		queue->stats.rx_unmap_ns += start;
		if (err)
			net_err_ratelimited("%s: unmapping %u guest pages failed: %d\n",
					    queue->name, nr_unmaps, err);
	}

	/* In the same order: answer each request, free each map. */
	nr_unmaps = 0;
	for (i = 0; i < ready; i++) {
		struct xa_vif_tx_map *first = &maps->map[work[i]];

		if (first->copied)
			queue->stats.rx_zerocopy_fail++;
		else
			queue->stats.rx_zerocopy_success++;
		xa_vif_tx_cost_zerocopy(&queue->tx_cost, first->copied);
		for (slot = work[i]; slot != XA_VIF_TX_MAP_NONE;) {
			struct xa_vif_tx_map *map = &maps->map[slot];
			u16 next = map->next;

			if (map->handle != INVALID_GRANT_HANDLE) {
				if (unlikely(err ||
					     maps->unmap_ops[nr_unmaps].status !=
					     GNTST_okay)) {
					/* Still mapped: never reuse the page. */
					map->leaked = true;
					queue->stats.rx_map_errors++;
				}
				nr_unmaps++;
				map->handle = INVALID_GRANT_HANDLE;
			}
			if (respond) {
				struct xen_netif_tx_response rsp = {
					.id = map->id,
					.status = map->status,
				};

				xenaccel_ring_put_response(&queue->tx, &rsp,
							   sizeof(rsp));
				nr_rsp++;
			}
			if (!map->leaked)
				maps->free[queue->tx_nr_map_free++] = slot;
			atomic_dec(&queue->tx_mapped);
			atomic_dec(&xa_vif_totals.maps);
			slot = next;
		}
	}
	if (nr_rsp && xenaccel_ring_push_responses(&queue->tx)) {
		notify_remote_via_irq(queue->tx_irq);
		queue->stats.rx_notify++;
	}
	/*
	 * The others wait for the stack's last reference, dropped right
	 * after the completion: try again in a jiffy (from NAPI, via the
	 * credit work, which kicks it), not in a loop.
	 */
	if (ready < n) {
		spin_lock_irqsave(&queue->tx_done_lock, flags);
		memcpy(&maps->done[queue->tx_nr_done], &work[ready],
		       (n - ready) * sizeof(*work));
		queue->tx_nr_done += n - ready;
		spin_unlock_irqrestore(&queue->tx_done_lock, flags);
		if (respond)
			schedule_delayed_work(&queue->credit_work, 1);
	}
}

/* With NAPI gone: wait for the stack to give back every mapped page. */
static void xa_vif_tx_map_deinit(struct xa_vif_queue *queue)
{
	struct xa_vif_tx_maps *maps = queue->tx_maps;
	unsigned long warn_at = jiffies + 10 * HZ;
	unsigned int i, n = 0;

	if (!maps)
		return;
	for (;;) {
		xa_vif_tx_unmap(queue, false);
		if (!atomic_read(&queue->tx_mapped))
			break;
		if (time_after(jiffies, warn_at)) {
			pr_warn("%s: the stack still holds %d mapped guest pages\n",
				queue->name, atomic_read(&queue->tx_mapped));
			warn_at = jiffies + 10 * HZ;
		}
		msleep(20);
	}
	/* The last completions may have queued the work. */
	cancel_work_sync(&queue->tx_kick_work);
	/* A page that could not be unmapped is left to Xen. */
	for (i = 0; i < XA_VIF_TX_MAPS; i++)
		if (!maps->map[i].leaked)
			maps->pages[n++] = maps->pages[i];
	gnttab_free_pages(n, maps->pages);
	kvfree(maps);
	queue->tx_maps = NULL;
}

int xa_vif_tx_init(struct xa_vif_queue *queue)
{
	int err;

	queue->tx_slots = kvcalloc(XA_VIF_TX_STAGE, sizeof(*queue->tx_slots),
				   GFP_KERNEL);
	queue->tx_status = kvcalloc(XA_VIF_TX_STAGE, sizeof(*queue->tx_status),
				    GFP_KERNEL);
	queue->tx_pending = kvcalloc(NAPI_POLL_WEIGHT, sizeof(*queue->tx_pending),
				     GFP_KERNEL);
	queue->tx_op_pending = kvcalloc(XA_VIF_TX_COPY_OPS,
					sizeof(*queue->tx_op_pending), GFP_KERNEL);
	if (!queue->tx_slots || !queue->tx_status || !queue->tx_pending ||
	    !queue->tx_op_pending)
		return -ENOMEM;
	err = xenaccel_copier_init(&queue->tx_copy, XA_VIF_TX_COPY_OPS);
	if (err)
		return err;
	/* Without one (old kernels, no memory), alloc_page() serves. */
	queue->tx_pool = xenaccel_page_pool_create(XA_VIF_TX_POOL_PAGES);
	err = xa_vif_tx_map_init(queue);
	if (err)
		return err;
	queue->tx_nr_slots = 0;
	queue->tx_nr_pending = 0;
	return 0;
}

void xa_vif_tx_deinit(struct xa_vif_queue *queue)
{
	xa_vif_tx_map_deinit(queue);
	/* NAPI is gone: nothing allocates from the pool any more. */
	xenaccel_page_pool_destroy(queue->tx_pool);
	queue->tx_pool = NULL;
	xenaccel_copier_destroy(&queue->tx_copy);
	kvfree(queue->tx_slots);
	kvfree(queue->tx_status);
	kvfree(queue->tx_pending);
	kvfree(queue->tx_op_pending);
	queue->tx_slots = NULL;
	queue->tx_status = NULL;
	queue->tx_pending = NULL;
	queue->tx_op_pending = NULL;
}

/* Run NAPI from process context (the softirq runs at local_bh_enable). */
void xa_vif_tx_kick(struct xa_vif_queue *queue)
{
	local_bh_disable();
	napi_schedule(&queue->napi);
	local_bh_enable();
}

/* Work for NAPI? Read-only, so safe against a running poll. */
static bool xa_vif_tx_pending_work(struct xa_vif_queue *queue)
{
	return READ_ONCE(queue->tx_nr_slots) || READ_ONCE(queue->tx_nr_done) ||
	       READ_ONCE(queue->tx.hdr->req_prod) != READ_ONCE(queue->tx.req_cons);
}

/* An event on the tx ring: schedule NAPI if there is work. */
bool xa_vif_tx_event(struct xa_vif_queue *queue)
{
	if (!xa_vif_tx_pending_work(queue))
		return false;
	napi_schedule(&queue->napi);
	return true;
}

irqreturn_t xa_vif_tx_interrupt(int irq, void *data)
{
	struct xa_vif_queue *queue = data;

	atomic_or(XA_VIF_EOI_TX, &queue->eoi_pending);
	if (!xa_vif_tx_event(queue)) {
		atomic_andnot(XA_VIF_EOI_TX, &queue->eoi_pending);
		xen_irq_lateeoi(irq, XEN_EOI_FLAG_SPURIOUS);
	}
	return IRQ_HANDLED;
}

/* Copy more slots off the ring, after those held. */
static int xa_vif_tx_refill(struct xa_vif_queue *queue)
{
	unsigned int room = XA_VIF_TX_STAGE - queue->tx_nr_slots;
	int n;

	if (!room)
		return 0;
	n = xenaccel_ring_copy_requests(&queue->tx,
					&queue->tx_slots[queue->tx_nr_slots],
					sizeof(union xa_vif_tx_slot), room);
	if (n < 0) {
		xa_vif_fatal(queue->vif, "tx request producer overran the ring");
		return n;
	}
	WRITE_ONCE(queue->tx_nr_slots, queue->tx_nr_slots + n);
	return n;
}

/* Set the answers of a packet's slots: extras get none. */
static void xa_vif_tx_set_status(struct xa_vif_queue *queue, unsigned int first,
				 const struct xa_vif_tx_pkt *pkt, s16 status)
{
	unsigned int i;

	for (i = 0; i < pkt->nr_slots; i++)
		queue->tx_status[first + i] =
			i && i <= pkt->nr_extras ? XEN_NETIF_RSP_NULL : status;
}

/*
 * Drop a built packet: its copied slots are answered with errors now, its
 * mapped ones when the map is undone (freeing the skb completes it).
 */
static void xa_vif_tx_fail(struct xa_vif_queue *queue,
			   struct xa_vif_tx_pending *p)
{
	struct xa_vif_tx_map *map = queue->tx_maps->map;
	unsigned int i;
	u16 slot;

	for (i = 0; i < p->pkt.nr_slots; i++) {
		s16 *status = &queue->tx_status[p->first_slot + i];

		if (*status == XEN_NETIF_RSP_OKAY)
			*status = XEN_NETIF_RSP_ERROR;
	}
	for (slot = p->map_head; slot != XA_VIF_TX_MAP_NONE;
	     slot = map[slot].next)
		map[slot].status = XEN_NETIF_RSP_ERROR;
}

/* Count a malformed packet; a frontend sending many is disconnected. */
static void xa_vif_tx_malformed(struct xa_vif_queue *queue, const char *why)
{
	struct xa_vif *vif = queue->vif;

	queue->stats.rx_malformed++;
	queue->stats.rx_dropped++;
	if (time_after(jiffies, queue->bad_window + HZ)) {
		queue->bad_window = jiffies;
		queue->bad_count = 0;
	}
	if (xa_vif_bad_limit && ++queue->bad_count > xa_vif_bad_limit) {
		xa_vif_fatal(vif, "too many malformed packets");
		return;
	}
	net_dbg_ratelimited("%s: dropping packet: %s\n", queue->name, why);
}

static void xa_vif_tx_mcast(struct xa_vif_queue *queue, unsigned int first,
			    const struct xa_vif_tx_pkt *pkt)
{
	const struct xen_netif_extra_info *add, *del;
	s16 status = XEN_NETIF_RSP_OKAY;

	add = &pkt->extras[XEN_NETIF_EXTRA_TYPE_MCAST_ADD - 1];
	del = &pkt->extras[XEN_NETIF_EXTRA_TYPE_MCAST_DEL - 1];
	queue->stats.rx_mcast_updates++;
	if (add->type) {
		if (xa_vif_mcast_add(queue->vif, add->u.mcast.addr)) {
			net_dbg_ratelimited("%s: too many multicast addresses\n",
					    queue->name);
			status = XEN_NETIF_RSP_ERROR;
		}
	} else {
		xa_vif_mcast_del(queue->vif, del->u.mcast.addr);
	}
	xa_vif_tx_set_status(queue, first, pkt, status);
}

/*
 * Set an skb up from what the frontend told us: checksum state, GSO,
 * the hash it computed. Non-zero if the headers do not bear it out.
 */
static int xa_vif_tx_skb_setup(struct xa_vif_queue *queue, struct sk_buff *skb,
			       const struct xa_vif_tx_pkt *pkt)
{
	const struct xen_netif_extra_info *gso, *hash;
	bool recalculate = false;
	unsigned int hdrlen;

	gso = &pkt->extras[XEN_NETIF_EXTRA_TYPE_GSO - 1];
	hash = &pkt->extras[XEN_NETIF_EXTRA_TYPE_HASH - 1];

	skb->protocol = eth_type_trans(skb, queue->vif->dev);
	skb_reset_network_header(skb);
	if (pkt->flags & XEN_NETTXF_csum_blank)
		skb->ip_summed = CHECKSUM_PARTIAL;
	else if (pkt->flags & XEN_NETTXF_data_validated)
		skb->ip_summed = CHECKSUM_UNNECESSARY;

	if (gso->type) {
		skb_shinfo(skb)->gso_size = gso->u.gso.size;
		skb_shinfo(skb)->gso_type =
			(gso->u.gso.type == XEN_NETIF_GSO_TYPE_TCPV4 ?
			 SKB_GSO_TCPV4 : SKB_GSO_TCPV6) | SKB_GSO_DODGY;
		skb_shinfo(skb)->gso_segs = 0;
		/* A GSO packet must be partial; some frontends forget. */
		if (skb->ip_summed != CHECKSUM_PARTIAL) {
			queue->stats.rx_gso_checksum_fixup++;
			skb->ip_summed = CHECKSUM_PARTIAL;
			recalculate = true;
		}
		queue->stats.rx_gso++;
	}
	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		queue->stats.rx_csum_partial++;
		if (skb_checksum_setup(skb, recalculate))
			return -EPROTO;
	}
	if (gso->type) {
		if (!skb_transport_header_was_set(skb) ||
		    !pskb_may_pull(skb, skb_transport_offset(skb) +
				   sizeof(struct tcphdr)))
			return -EPROTO;
		hdrlen = skb_transport_offset(skb) + tcp_hdrlen(skb);
		if (skb->len <= hdrlen)
			return -EPROTO;
		skb_shinfo(skb)->gso_segs = DIV_ROUND_UP(skb->len - hdrlen,
							 gso->u.gso.size);
	}
	if (hash->type) {
		__le32 value;

		/* The frontend's hash, least significant octet first. */
		memcpy(&value, hash->u.hash.value, sizeof(value));
		switch (hash->u.hash.type) {
		case _XEN_NETIF_CTRL_HASH_TYPE_IPV4:
		case _XEN_NETIF_CTRL_HASH_TYPE_IPV6:
			skb_set_hash(skb, le32_to_cpu(value),
				     PKT_HASH_TYPE_L3);
			break;
		case _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP:
		case _XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP:
			skb_set_hash(skb, le32_to_cpu(value),
				     PKT_HASH_TYPE_L4);
			break;
		}
	}
	skb_record_rx_queue(skb, queue->id);
	return 0;
}

/* Issue this batch's map operations; a packet with a failed one is dropped. */
static void xa_vif_tx_map_flush(struct xa_vif_queue *queue)
{
	struct xa_vif_tx_maps *maps = queue->tx_maps;
	unsigned int i, n = queue->tx_nr_map_ops;
	u64 start = ktime_get_ns();
	int err;

	err = gnttab_map_refs(maps->map_ops, NULL, maps->map_op_pages, n);
	start = ktime_get_ns() - start;
	xa_vif_tx_cost_map(&queue->tx_cost, start, n);
	queue->stats.rx_map_hypercalls++;
	queue->stats.rx_map_ns += start;
	for (i = 0; i < n; i++) {
		struct gnttab_map_grant_ref *op = &maps->map_ops[i];
		struct xa_vif_tx_map *map = &maps->map[maps->map_op_slot[i]];

		if (op->status == GNTST_okay) {
			/* Unmapped when the stack gives it back, even on error. */
			map->handle = op->handle;
			queue->stats.rx_map_pages++;
			if (!err)
				continue;
		} else {
			queue->stats.rx_map_errors++;
		}
		queue->tx_pending[maps->map_op_pending[i]].failed = true;
	}
	if (err)
		net_err_ratelimited("%s: mapping %u guest pages failed: %d\n",
				    queue->name, n, err);
	queue->tx_nr_map_ops = 0;
}

/*
 * Issue the batch's copies, then deliver or drop each packet of it. The
 * slots' answers are set, not yet written.
 */
static void xa_vif_tx_complete(struct xa_vif_queue *queue)
{
	struct xenaccel_copier *c = &queue->tx_copy;
	unsigned int i, nr_maps = queue->tx_nr_map_ops;
	u64 ns = c->stats.ns, bytes = c->stats.bytes, ops = c->stats.ops;

	if (nr_maps)
		xa_vif_tx_map_flush(queue);
	if (xenaccel_copy_flush(c)) {
		for (i = 0; i < c->nr; i++)
			if (c->ops[i].status != GNTST_okay)
				queue->tx_pending[queue->tx_op_pending[i]].failed = true;
	}
	xenaccel_copy_reset(c);
	/* Batches of whole packets tell what copying a KiB costs. */
	if (!nr_maps)
		xa_vif_tx_cost_copy(&queue->tx_cost, c->stats.ns - ns,
				    c->stats.bytes - bytes, c->stats.ops - ops);

	for (i = 0; i < queue->tx_nr_pending; i++) {
		struct xa_vif_tx_pending *p = &queue->tx_pending[i];
		struct sk_buff *skb = p->skb;
		unsigned int len = skb->len;

		p->skb = NULL;
		if (p->failed) {
			queue->stats.rx_copy_errors++;
			goto drop;
		}
		if (xa_vif_tx_skb_setup(queue, skb, &p->pkt)) {
			queue->stats.rx_csum_errors++;
			net_dbg_ratelimited("%s: dropping packet with bad headers\n",
					    queue->name);
			goto drop;
		}
		queue->stats.rx_packets++;
		queue->stats.rx_bytes += len;
		if (p->map_head == XA_VIF_TX_MAP_NONE) {
			queue->stats.rx_copied++;
		} else {
			/*
			 * Into GRO with nothing held, so that it cannot merge
			 * the frags into a packet without our completion (a
			 * socket could keep that one) nor into another mapped
			 * one (whose completion would not tell if the stack
			 * copied these); GRO keeps the order.
			 */
			napi_gro_flush(&queue->napi, false);
			queue->stats.rx_zerocopy_sent++;
		}
		napi_gro_receive(&queue->napi, skb);
		continue;
drop:
		queue->stats.rx_dropped++;
		xa_vif_tx_fail(queue, p);
		kfree_skb(skb);
	}
	if (queue->tx_nr_pending)
		xa_vif_tx_cost_batch(&queue->tx_cost);
	queue->tx_nr_pending = 0;
}

/*
 * The frags a packet takes if its data past the first @hlen bytes (the
 * headers, which are copied) is mapped: one per request with data there.
 */
static unsigned int xa_vif_tx_map_nr_frags(const union xa_vif_tx_slot *slots,
					   const struct xa_vif_tx_pkt *pkt,
					   unsigned int hlen)
{
	unsigned int i, len, frags = 0;

	for (i = 0; i < pkt->nr_data; i++) {
		len = xa_vif_tx_data_len(slots, pkt, i);
		frags += len > hlen;
		hlen -= min(len, hlen);
	}
	return frags;
}

/*
 * Whether to map a packet's data past its first @hlen bytes: the frags
 * that takes (within what an skb holds, and the queue's free maps), or 0
 * to copy it all.
 */
static unsigned int xa_vif_tx_map_frags(struct xa_vif_queue *queue,
					const union xa_vif_tx_slot *slots,
					const struct xa_vif_tx_pkt *pkt,
					unsigned int hlen)
{
	unsigned int mode = READ_ONCE(xa_vif_tx_map), frags;

	if (mode == XA_VIF_TX_MAP_NEVER || pkt->len <= hlen)
		return 0;
	frags = xa_vif_tx_map_nr_frags(slots, pkt, hlen);
	if (!frags || frags > MAX_SKB_FRAGS)
		return 0;
	if (mode == XA_VIF_TX_MAP_AUTO &&
	    !xa_vif_tx_cost_map_better(&queue->tx_cost, pkt->len - hlen, frags))
		return 0;
	if (frags > queue->tx_nr_map_free) {
		queue->stats.rx_map_busy++;
		return 0;
	}
	return frags;
}

/*
 * Fill a packet whose data past its first @hlen bytes is mapped: those
 * bytes (the headers, from as many requests as they span, as in-tree since
 * XSA-423) are copied into the linear part, so the stack parses only our
 * memory; the rest of each request becomes a frag of the page its grant
 * will be mapped at once this batch's maps are issued, and the request is
 * answered only when that page is unmapped.
 */
static void xa_vif_tx_build_mapped(struct xa_vif_queue *queue,
				   struct xa_vif_tx_pending *p,
				   const union xa_vif_tx_slot *slots,
				   unsigned int hlen)
{
	struct xa_vif_tx_maps *maps = queue->tx_maps;
	const struct xa_vif_tx_pkt *pkt = &p->pkt;
	struct sk_buff *skb = p->skb;
	unsigned int i, nr_frags = 0, copied = 0;
	u16 *link = &p->map_head;

	for (i = 0; i < pkt->nr_data; i++) {
		const struct xen_netif_tx_request *req;
		unsigned int len, off, head, slot_index;
		struct gnttab_map_grant_ref *op;
		struct xa_vif_tx_map *map;
		u16 slot;

		req = xa_vif_tx_data_slot(slots, pkt, i);
		len = xa_vif_tx_data_len(slots, pkt, i);
		off = req->offset;
		head = min(len, hlen - copied);
		if (head) {
			int n = xenaccel_copy_from_guest(&queue->tx_copy,
							 queue->vif->domid,
							 req->gref, off,
							 skb->data + copied,
							 head);

			/* Room for a whole packet was made by the caller. */
			if (WARN_ON_ONCE(n < 0))
				p->failed = true;
			copied += head;
			off += head;
			len -= head;
		}
		if (!len)
			continue;
		slot = maps->free[--queue->tx_nr_map_free];
		map = &maps->map[slot];
		map->id = req->id;
		map->status = XEN_NETIF_RSP_OKAY;
		map->handle = INVALID_GRANT_HANDLE;
		map->next = XA_VIF_TX_MAP_NONE;
		map->copied = false;
		*link = slot;
		link = &map->next;
		atomic_inc(&queue->tx_mapped);
		atomic_inc(&xa_vif_totals.maps);
		slot_index = i ? pkt->nr_extras + i : 0;
		queue->tx_status[p->first_slot + slot_index] = XA_VIF_TX_DEFERRED;

		op = &maps->map_ops[queue->tx_nr_map_ops];
		gnttab_set_map_op(op, xa_vif_tx_map_addr(map),
				  GNTMAP_host_map | GNTMAP_readonly, req->gref,
				  queue->vif->domid);
		maps->map_op_pages[queue->tx_nr_map_ops] = map->page;
		maps->map_op_slot[queue->tx_nr_map_ops] = slot;
		maps->map_op_pending[queue->tx_nr_map_ops] = queue->tx_nr_pending;
		queue->tx_nr_map_ops++;
		/* The stack puts the frag's reference; the page stays ours. */
		get_page(map->page);
		skb_add_rx_frag(skb, nr_frags++, map->page, off, len, PAGE_SIZE);
	}
	xenaccel_skb_zerocopy(skb, &maps->map[p->map_head].ubuf);
}

/*
 * Fill a packet by copy: its bytes, request after request, fill the
 * linear part's @hlen bytes, then the frags xa_vif_tx_add_frags() gave
 * it, in order.
 */
static void xa_vif_tx_build_copied(struct xa_vif_queue *queue,
				   struct xa_vif_tx_pending *p,
				   const union xa_vif_tx_slot *slots,
				   unsigned int hlen)
{
	const struct xa_vif_tx_pkt *pkt = &p->pkt;
	struct sk_buff *skb = p->skb;
	unsigned int i, room = hlen, nr_frags = 0;
	u8 *dst = skb->data;

	for (i = 0; i < pkt->nr_data; i++) {
		const struct xen_netif_tx_request *req;
		unsigned int len, off;

		req = xa_vif_tx_data_slot(slots, pkt, i);
		len = xa_vif_tx_data_len(slots, pkt, i);
		off = req->offset;
		while (len) {
			unsigned int chunk;
			int n;

			if (!room) {
				skb_frag_t *frag = &skb_shinfo(skb)->frags[nr_frags++];

				dst = skb_frag_address(frag);
				room = skb_frag_size(frag);
			}
			chunk = min(len, room);
			n = xenaccel_copy_from_guest(&queue->tx_copy,
						     queue->vif->domid, req->gref,
						     off, dst, chunk);
			/* Room for a whole packet was made by the caller. */
			if (WARN_ON_ONCE(n < 0)) {
				p->failed = true;
				return;
			}
			dst += chunk;
			room -= chunk;
			off += chunk;
			len -= chunk;
		}
	}
}

/*
 * Give @skb its frags for the packet's bytes past the first @hlen (which
 * its linear part holds). Each slot's bytes get a page of their own, at
 * the slot's own offset in its page, so that each slot is one grant copy
 * (packed into whole pages, most slots would straddle two pages of ours
 * and take two copies); with more such slots than an skb has frags, they
 * are packed.
 */
static int xa_vif_tx_add_frags(struct xa_vif_queue *queue, struct sk_buff *skb,
			       const union xa_vif_tx_slot *slots,
			       const struct xa_vif_tx_pkt *pkt, unsigned int hlen)
{
	unsigned int i, skip, len, nr = 0, rest = pkt->len - hlen;
	struct page *page;

	for (i = 0, skip = hlen; i < pkt->nr_data; i++) {
		len = xa_vif_tx_data_len(slots, pkt, i);
		if (len > skip)
			nr++;
		skip -= min(skip, len);
	}
	if (nr <= MAX_SKB_FRAGS) {
		for (i = 0, skip = hlen; i < pkt->nr_data; i++) {
			const struct xen_netif_tx_request *req;
			unsigned int taken;

			req = xa_vif_tx_data_slot(slots, pkt, i);
			len = xa_vif_tx_data_len(slots, pkt, i);
			taken = min(skip, len);
			skip -= taken;
			if (len == taken)
				continue;
			page = xenaccel_page_pool_alloc(queue->tx_pool);
			if (unlikely(!page))
				return -ENOMEM;
			/* parse.c keeps offset + size within the page. */
			skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, page,
					req->offset + taken, len - taken, PAGE_SIZE);
		}
		return 0;
	}
	/* 64 KiB fits MAX_SKB_FRAGS pages: parse.c bounds the size. */
	BUILD_BUG_ON(DIV_ROUND_UP(XEN_NETIF_MAX_TX_SIZE, PAGE_SIZE) > MAX_SKB_FRAGS);
	while (rest) {
		len = min_t(unsigned int, rest, PAGE_SIZE);
		page = xenaccel_page_pool_alloc(queue->tx_pool);
		if (unlikely(!page))
			return -ENOMEM;
		skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, page, 0, len,
				PAGE_SIZE);
		rest -= len;
	}
	return 0;
}

/*
 * Build one packet: an skb with its first XA_VIF_TX_HLEN bytes (the
 * headers) in the linear part and the rest mapped or in pages of the
 * queue's pool (xa_vif_tx_map_frags() chooses), and the copies and maps
 * that fill it. Returns false if dom0 is out of memory (the packet is
 * dropped).
 */
static bool xa_vif_tx_build(struct xa_vif_queue *queue, unsigned int first,
			    const struct xa_vif_tx_pkt *pkt)
{
	const union xa_vif_tx_slot *slots = &queue->tx_slots[first];
	unsigned int hlen = min_t(unsigned int, pkt->len, XA_VIF_TX_HLEN);
	struct xa_vif_tx_pending *p;
	unsigned int i, map_frags;
	struct sk_buff *skb;

	if (xenaccel_copy_room(&queue->tx_copy) < XA_VIF_TX_OPS_PER_PKT ||
	    queue->tx_nr_pending == NAPI_POLL_WEIGHT)
		xa_vif_tx_complete(queue);

	skb = napi_alloc_skb(&queue->napi, XA_VIF_TX_HLEN);
	if (unlikely(!skb))
		return false;
	map_frags = xa_vif_tx_map_frags(queue, slots, pkt, hlen);
	/*
	 * Only a copied packet is marked for recycling, before its first
	 * frag: freeing it gives its pages back to the pool. A mapped one
	 * holds no page of the pool, and stays unmarked, so that its pages
	 * go back by put_page() (and its completion) as they always did;
	 * GRO does not merge marked and unmarked skbs into one.
	 */
	if (!map_frags && queue->tx_pool)
		xenaccel_skb_mark_for_recycle(skb);
	/* The linear part first: __skb_put() wants an skb with no frags. */
	__skb_put(skb, hlen);
	if (!map_frags &&
	    unlikely(xa_vif_tx_add_frags(queue, skb, slots, pkt, hlen))) {
		kfree_skb(skb);
		return false;
	}

	p = &queue->tx_pending[queue->tx_nr_pending];
	p->skb = skb;
	p->first_slot = first;
	p->first_op = queue->tx_copy.nr;
	p->map_head = XA_VIF_TX_MAP_NONE;
	p->failed = false;
	p->pkt = *pkt;
	xa_vif_tx_set_status(queue, first, pkt, XEN_NETIF_RSP_OKAY);
	if (map_frags)
		xa_vif_tx_build_mapped(queue, p, slots, hlen);
	else
		xa_vif_tx_build_copied(queue, p, slots, hlen);
	p->nr_ops = queue->tx_copy.nr - p->first_op;
	for (i = p->first_op; i < queue->tx_copy.nr; i++)
		queue->tx_op_pending[i] = queue->tx_nr_pending;
	queue->tx_nr_pending++;
	return true;
}

/* Answer slots [0, @n), then forget them. */
static void xa_vif_tx_respond(struct xa_vif_queue *queue, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct xen_netif_tx_response rsp = {
			.status = queue->tx_status[i],
		};

		/* Answered when its map is undone. */
		if (rsp.status == XA_VIF_TX_DEFERRED)
			continue;
		if (rsp.status != XEN_NETIF_RSP_NULL)
			rsp.id = queue->tx_slots[i].req.id;
		xenaccel_ring_put_response(&queue->tx, &rsp, sizeof(rsp));
	}
	if (n && xenaccel_ring_push_responses(&queue->tx)) {
		notify_remote_via_irq(queue->tx_irq);
		queue->stats.rx_notify++;
	}
	memmove(queue->tx_slots, &queue->tx_slots[n],
		(queue->tx_nr_slots - n) * sizeof(*queue->tx_slots));
	WRITE_ONCE(queue->tx_nr_slots, queue->tx_nr_slots - n);
}

/* Handle up to @budget packets; returns how many. */
static int xa_vif_tx_action(struct xa_vif_queue *queue, int budget)
{
	struct xa_vif *vif = queue->vif;
	struct xa_vif_tx_pkt pkt;
	unsigned int pos = 0;
	int done = 0;

	queue->rate_limited = false;
	if (xa_vif_tx_refill(queue) < 0)
		return 0;
	while (done < budget && pos < queue->tx_nr_slots) {
		enum xa_vif_tx_verdict v;
		unsigned long retry;

		v = xa_vif_tx_parse(&queue->tx_slots[pos],
				    queue->tx_nr_slots - pos,
				    xa_vif_fatal_slots, &pkt);
		if (v == XA_VIF_TX_INCOMPLETE) {
			int n = xa_vif_tx_refill(queue);

			if (n > 0)
				continue;
			if (n < 0)
				break;
			/* Held slots full: finish these, then go on. */
			if (pos)
				break;
			/* Frontends publish whole packets: this one never ends. */
			xa_vif_fatal(vif, queue->tx_nr_slots == XA_VIF_TX_STAGE ?
				     "packet longer than the ring" :
				     "packet continues past the published requests");
			break;
		}
		if (v == XA_VIF_TX_FATAL) {
			xa_vif_fatal(vif, pkt.why);
			break;
		}
		if (v == XA_VIF_TX_OK &&
		    !xa_vif_credit_take(&queue->credit, pkt.len, jiffies, &retry)) {
			queue->rate_limited = true;
			queue->stats.rx_rate_limited++;
			schedule_delayed_work(&queue->credit_work,
					      max_t(long, retry - jiffies, 1));
			break;
		}
		switch (v) {
		case XA_VIF_TX_MCAST:
			xa_vif_tx_mcast(queue, pos, &pkt);
			break;
		case XA_VIF_TX_DROP:
			/* More slots than netif.h promises: in-tree drops too. */
			if (pkt.nr_data - 1 > XA_VIF_TX_DROP_SLOTS)
				queue->stats.rx_slot_overflow++;
			xa_vif_tx_set_status(queue, pos, &pkt, XEN_NETIF_RSP_ERROR);
			xa_vif_tx_malformed(queue, pkt.why);
			break;
		default:
			if (!xa_vif_tx_build(queue, pos, &pkt)) {
				queue->stats.rx_nomem++;
				queue->stats.rx_dropped++;
				xa_vif_tx_set_status(queue, pos, &pkt,
						     XEN_NETIF_RSP_ERROR);
			}
			break;
		}
		pos += pkt.nr_slots;
		done++;
	}
	xa_vif_tx_complete(queue);
	/* A broken frontend gets no more answers: it is being closed. */
	if (test_bit(XA_VIF_DISABLED, &vif->flags))
		return 0;
	xa_vif_tx_respond(queue, pos);
	return done;
}

int xa_vif_poll(struct napi_struct *napi, int budget)
{
	struct xa_vif_queue *queue = container_of(napi, struct xa_vif_queue,
						  napi);
	int done = 0;

	if (likely(!test_bit(XA_VIF_DISABLED, &queue->vif->flags))) {
		xa_vif_tx_unmap(queue, true);
		done = xa_vif_tx_action(queue, budget);
	}
	if (done >= budget || !napi_complete_done(napi, done))
		return done;
	/* A broken frontend gets no EOI: the device is going away. */
	if (test_bit(XA_VIF_DISABLED, &queue->vif->flags))
		return done;
	/* (Zero-copy completions schedule NAPI themselves.) */
	if (!queue->rate_limited &&
	    (queue->tx_nr_slots || xenaccel_ring_final_check(&queue->tx)))
		napi_schedule(napi);
	else if (queue->tx.overrun)
		/* The last look found the producer overrun: no EOI either. */
		xa_vif_fatal(queue->vif, "tx request producer overran the ring");
	else
		xa_vif_eoi(queue, queue->tx_irq, XA_VIF_EOI_TX | XA_VIF_EOI_COMMON);
	return done;
}
