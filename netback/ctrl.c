// SPDX-License-Identifier: GPL-2.0
/*
 * xenaccel_netback control ring: the frontend configures Toeplitz hashing
 * and the mapping of hashes to queues, which then steer guest RX. The
 * messages' rules are in parse.c; here the ring, the grant copies of keys
 * and tables, and the hashing of packets.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netdevice.h>
#include <linux/slab.h>
#include <net/flow_dissector.h>
#include <xen/events.h>
#include <xen/xenbus.h>

#include "common.h"

/* Requests handled per round before looking for other work. */
#define XA_VIF_CTRL_BATCH 8
/* ...and per run of the work item; the EOI waits for the last run. */
#define XA_VIF_CTRL_QUOTA 256
/* The largest grant contents a message names: a full mapping table. */
#define XA_VIF_CTRL_BUF (XA_VIF_HASH_MAPPING_MAX * sizeof(u32))

/* Copy what @req names from its grant into ctrl_buf. */
static bool xa_vif_ctrl_copy(struct xa_vif *vif,
			     const struct xen_netif_ctrl_request *req,
			     unsigned int len)
{
	struct xenaccel_copier *c = &vif->ctrl_copy;
	bool ok;

	if (xenaccel_copy_from_guest(c, vif->domid, req->data[0], 0,
				     vif->ctrl_buf, len) < 0)
		return false;
	ok = !xenaccel_copy_flush(c);
	xenaccel_copy_reset(c);
	return ok;
}

static void xa_vif_ctrl_handle_one(struct xa_vif *vif,
				   const struct xen_netif_ctrl_request *req)
{
	struct xa_vif_hash_rcu *old, *new;
	struct xen_netif_ctrl_response rsp;
	unsigned int len;
	bool copied = false;

	/* Only this work item changes the hash: no lock needed to read it. */
	old = rcu_dereference_protected(vif->hash, true);
	new = kmalloc(sizeof(*new), GFP_KERNEL);
	if (!new) {
		memset(&rsp, 0, sizeof(rsp));
		rsp.id = req->id;
		rsp.type = req->type;
		rsp.status = XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED;
		xenaccel_ring_put_response(&vif->ctrl, &rsp, sizeof(rsp));
		return;
	}
	if (old)
		new->hash = old->hash;
	else
		memset(&new->hash, 0, sizeof(new->hash));
	len = xa_vif_ctrl_copy_len(req, &new->hash);
	if (len)
		copied = xa_vif_ctrl_copy(vif, req, len);
	if (xa_vif_ctrl_handle(&new->hash, req, vif->ctrl_buf, copied,
			       vif->ctrl_queues, &rsp)) {
		rcu_assign_pointer(vif->hash, new);
		if (old)
			kfree_rcu(old, rcu);
	} else {
		kfree(new);
	}
	xenaccel_ring_put_response(&vif->ctrl, &rsp, sizeof(rsp));
}

static void xa_vif_ctrl_work(struct work_struct *work)
{
	struct xa_vif *vif = container_of(work, struct xa_vif, ctrl_work);
	struct xen_netif_ctrl_request reqs[XA_VIF_CTRL_BATCH];
	unsigned int eoi_flags = XEN_EOI_FLAG_SPURIOUS, handled = 0;
	int i, n;

	for (;;) {
		/* A flood of requests shares the worker: go round again. */
		if (handled >= XA_VIF_CTRL_QUOTA) {
			schedule_work(&vif->ctrl_work);
			return;
		}
		n = xenaccel_ring_copy_requests(&vif->ctrl, reqs, sizeof(reqs[0]),
						ARRAY_SIZE(reqs));
		if (n < 0) {
			xa_vif_fatal(vif, "control request producer overran the ring");
			return;
		}
		if (n) {
			eoi_flags = 0;
			handled += n;
			for (i = 0; i < n; i++)
				xa_vif_ctrl_handle_one(vif, &reqs[i]);
			if (xenaccel_ring_push_responses(&vif->ctrl))
				notify_remote_via_irq(vif->ctrl_irq);
			cond_resched();
			continue;
		}
		if (!xenaccel_ring_final_check(&vif->ctrl))
			break;
	}
	/* The last look may be the one that found the producer overrun. */
	if (vif->ctrl.overrun) {
		xa_vif_fatal(vif, "control request producer overran the ring");
		return;
	}
	xen_irq_lateeoi(vif->ctrl_irq, eoi_flags);
}

static irqreturn_t xa_vif_ctrl_interrupt(int irq, void *data)
{
	struct xa_vif *vif = data;

	/*
	 * Binding raises an event at once, and its work can run before
	 * xa_vif_connect_ctrl() has stored the irq: an EOI sent to irq 0
	 * then leaves the ring without events for good. The work takes
	 * the irq from here (queueing it orders this store before it).
	 */
	WRITE_ONCE(vif->ctrl_irq, irq);
	schedule_work(&vif->ctrl_work);
	return IRQ_HANDLED;
}

/**
 * xa_vif_connect_ctrl - map the control ring and start serving it
 * @vif: the vif
 * @ring_ref: the ring's grant
 * @evtchn: its event channel
 * @nr_queues: the queues the frontend asked for (mappings name them)
 *
 * Cleans up after itself on failure.
 */
int xa_vif_connect_ctrl(struct xa_vif *vif, grant_ref_t ring_ref,
			evtchn_port_t evtchn, unsigned int nr_queues)
{
	int err;

	INIT_WORK(&vif->ctrl_work, xa_vif_ctrl_work);
	vif->ctrl_queues = nr_queues;
	vif->ctrl_buf = kzalloc(XA_VIF_CTRL_BUF, GFP_KERNEL);
	if (!vif->ctrl_buf)
		return -ENOMEM;
	/* A buffer can straddle two pages: two copies at most. */
	err = xenaccel_copier_init(&vif->ctrl_copy, 2);
	if (err)
		goto fail;
	err = xenbus_map_ring_valloc(vif->xbdev, &ring_ref, 1, &vif->ctrl_sring);
	if (err)
		goto fail;
	atomic_inc(&xa_vif_totals.rings);
	xenaccel_ring_init(&vif->ctrl,
			   (struct xen_netif_ctrl_sring *)vif->ctrl_sring,
			   XEN_PAGE_SIZE);
	err = xenaccel_bind_evtchn_lateeoi(vif->xbdev, evtchn,
					   xa_vif_ctrl_interrupt, 0,
					   "xenaccel-netback-ctrl", vif);
	if (err < 0)
		goto fail;
	atomic_inc(&xa_vif_totals.irqs);
	vif->ctrl_irq = err;
	return 0;
fail:
	xa_vif_disconnect_ctrl(vif);
	return err;
}

/* Safe on a partly connected control ring, or none. */
void xa_vif_disconnect_ctrl(struct xa_vif *vif)
{
	struct xa_vif_hash_rcu *hash;

	if (vif->ctrl_irq) {
		/* No new work from the event, none running, then unbind. */
		disable_irq(vif->ctrl_irq);
		cancel_work_sync(&vif->ctrl_work);
		unbind_from_irqhandler(vif->ctrl_irq, vif);
		vif->ctrl_irq = 0;
		atomic_dec(&xa_vif_totals.irqs);
	}
	if (vif->ctrl_sring) {
		xenbus_unmap_ring_vfree(vif->xbdev, vif->ctrl_sring);
		vif->ctrl_sring = NULL;
		atomic_dec(&xa_vif_totals.rings);
	}
	xenaccel_copier_destroy(&vif->ctrl_copy);
	kfree(vif->ctrl_buf);
	vif->ctrl_buf = NULL;
	hash = rcu_replace_pointer(vif->hash, NULL, true);
	if (hash)
		kfree_rcu(hash, rcu);
}

/**
 * xa_vif_hash_skb - hash a packet as the frontend configured
 * @hash: the configuration, with an algorithm set
 * @skb: the packet, its Ethernet header at skb->data
 *
 * Addresses, and ports for TCP where asked, go into the skb as a software
 * hash (which guest RX then passes on as extra-info); a packet the flags
 * do not cover has its hash cleared.
 */
void xa_vif_hash_skb(const struct xa_vif_hash *hash, struct sk_buff *skb)
{
	struct flow_keys flow;
	u8 data[36];
	unsigned int len = 0;
	bool l4 = false;
	bool tcp;

	memset(&flow, 0, sizeof(flow));
	if (!skb_flow_dissect_flow_keys(skb, &flow, 0)) {
		skb_clear_hash(skb);
		return;
	}
	tcp = flow.basic.ip_proto == IPPROTO_TCP &&
	      !(flow.control.flags & FLOW_DIS_IS_FRAGMENT);

	switch (skb->protocol) {
	case htons(ETH_P_IP):
		if (!(hash->flags & (XEN_NETIF_CTRL_HASH_TYPE_IPV4 |
				     XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP)))
			break;
		memcpy(&data[0], &flow.addrs.v4addrs.src, 4);
		memcpy(&data[4], &flow.addrs.v4addrs.dst, 4);
		len = 8;
		l4 = tcp && (hash->flags & XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP);
		if (!l4 && !(hash->flags & XEN_NETIF_CTRL_HASH_TYPE_IPV4))
			len = 0;
		break;
	case htons(ETH_P_IPV6):
		if (!(hash->flags & (XEN_NETIF_CTRL_HASH_TYPE_IPV6 |
				     XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP)))
			break;
		memcpy(&data[0], &flow.addrs.v6addrs.src, 16);
		memcpy(&data[16], &flow.addrs.v6addrs.dst, 16);
		len = 32;
		l4 = tcp && (hash->flags & XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP);
		if (!l4 && !(hash->flags & XEN_NETIF_CTRL_HASH_TYPE_IPV6))
			len = 0;
		break;
	}
	if (!len) {
		skb_clear_hash(skb);
		return;
	}
	if (l4) {
		memcpy(&data[len], &flow.ports.src, 2);
		memcpy(&data[len + 2], &flow.ports.dst, 2);
		len += 4;
	}
	__skb_set_sw_hash(skb, xa_vif_toeplitz(hash->key, sizeof(hash->key),
					       data, len), l4);
}

/* The stack's choice of queue: by the frontend's hash, if it set one. */
u16 xa_vif_select_queue(struct net_device *dev, struct sk_buff *skb,
			struct net_device *sb_dev)
{
	struct xa_vif *vif = netdev_priv(dev);
	unsigned int n = dev->real_num_tx_queues;
	struct xa_vif_hash_rcu *hash;

	/* The stack holds rcu_read_lock_bh() here. */
	hash = rcu_dereference_bh(vif->hash);
	if (!hash || hash->hash.alg == XEN_NETIF_CTRL_HASH_ALGORITHM_NONE)
		return netdev_pick_tx(dev, skb, NULL) % n;
	xa_vif_hash_skb(&hash->hash, skb);
	return xa_vif_hash_queue(&hash->hash, skb_get_hash_raw(skb), n);
}
