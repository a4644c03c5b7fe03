// SPDX-License-Identifier: GPL-2.0
/*
 * xenaccel_netback guest TX, what the vif receives: NAPI copies the tx
 * ring's slots out once, parses and checks the copies (parse.c), builds
 * whole batches of packets with one grant-copy hypercall, hands them to
 * GRO, and only then answers their slots, so the guest never reuses a
 * buffer we still read.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <xen/events.h>

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
	queue->tx_nr_slots = 0;
	queue->tx_nr_pending = 0;
	return 0;
}

void xa_vif_tx_deinit(struct xa_vif_queue *queue)
{
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
	return READ_ONCE(queue->tx_nr_slots) ||
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

/*
 * Issue the batch's copies, then deliver or drop each packet of it. The
 * slots' answers are set, not yet written.
 */
static void xa_vif_tx_complete(struct xa_vif_queue *queue)
{
	struct xenaccel_copier *c = &queue->tx_copy;
	unsigned int i;

	if (xenaccel_copy_flush(c)) {
		for (i = 0; i < c->nr; i++)
			if (c->ops[i].status != GNTST_okay)
				queue->tx_pending[queue->tx_op_pending[i]].failed = true;
	}
	xenaccel_copy_reset(c);

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
		napi_gro_receive(&queue->napi, skb);
		continue;
drop:
		queue->stats.rx_dropped++;
		xa_vif_tx_set_status(queue, p->first_slot, &p->pkt,
				     XEN_NETIF_RSP_ERROR);
		kfree_skb(skb);
	}
	queue->tx_nr_pending = 0;
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
 * Build one packet: an skb with its headers in the linear part and the
 * rest in pages of the queue's pool, and the copies that fill them.
 * Returns false if dom0 is out of memory (the packet is dropped).
 */
static bool xa_vif_tx_build(struct xa_vif_queue *queue, unsigned int first,
			    const struct xa_vif_tx_pkt *pkt)
{
	const union xa_vif_tx_slot *slots = &queue->tx_slots[first];
	struct xa_vif_tx_pending *p;
	unsigned int hlen = min_t(unsigned int, pkt->len, XA_VIF_TX_HLEN);
	unsigned int room, i, nr_frags;
	struct sk_buff *skb;
	u8 *dst;

	if (xenaccel_copy_room(&queue->tx_copy) < XA_VIF_TX_OPS_PER_PKT ||
	    queue->tx_nr_pending == NAPI_POLL_WEIGHT)
		xa_vif_tx_complete(queue);

	skb = napi_alloc_skb(&queue->napi, XA_VIF_TX_HLEN);
	if (unlikely(!skb))
		return false;
	/* Before the first frag: freeing the skb gives the pages back. */
	if (queue->tx_pool)
		xenaccel_skb_mark_for_recycle(skb);
	/* The linear part first: __skb_put() wants an skb with no frags. */
	__skb_put(skb, hlen);
	if (unlikely(xa_vif_tx_add_frags(queue, skb, slots, pkt, hlen))) {
		kfree_skb(skb);
		return false;
	}

	p = &queue->tx_pending[queue->tx_nr_pending];
	p->skb = skb;
	p->first_slot = first;
	p->first_op = queue->tx_copy.nr;
	p->failed = false;
	p->pkt = *pkt;

	/* The packet's bytes, slot after slot, fill the skb in order. */
	dst = skb->data;
	room = hlen;
	nr_frags = 0;
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
			/* Room for a whole packet was made above. */
			if (WARN_ON_ONCE(n < 0)) {
				p->failed = true;
				break;
			}
			dst += chunk;
			room -= chunk;
			off += chunk;
			len -= chunk;
		}
	}
	p->nr_ops = queue->tx_copy.nr - p->first_op;
	for (i = p->first_op; i < queue->tx_copy.nr; i++)
		queue->tx_op_pending[i] = queue->tx_nr_pending;
	queue->tx_nr_pending++;
	xa_vif_tx_set_status(queue, first, pkt, XEN_NETIF_RSP_OKAY);
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

	if (likely(!test_bit(XA_VIF_DISABLED, &queue->vif->flags)))
		done = xa_vif_tx_action(queue, budget);
	if (done >= budget || !napi_complete_done(napi, done))
		return done;
	/* A broken frontend gets no EOI: the device is going away. */
	if (test_bit(XA_VIF_DISABLED, &queue->vif->flags))
		return done;
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
