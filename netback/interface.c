// SPDX-License-Identifier: GPL-2.0
/*
 * xenaccel_netback: the net_device of a vif (vifDOMID.HANDLE), its
 * statistics, and the connecting and disconnecting of its queues.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <xen/events.h>
#include <xen/xenbus.h>

#include "common.h"

/*
 * Queues a frontend may ask for (multi-queue-max-queues): one per dom0
 * vCPU spreads the load; more than 8 rarely helps and costs memory.
 */
unsigned int xa_vif_max_queues;
module_param_named(max_queues, xa_vif_max_queues, uint, 0644);
MODULE_PARM_DESC(max_queues,
		 "Most queues per vif (default: dom0 CPUs, at most 8)");

/* Separate tx and rx events let each direction run without the other. */
bool xa_vif_split_evtchn = true;
module_param_named(separate_tx_rx_irq, xa_vif_split_evtchn, bool, 0644);
MODULE_PARM_DESC(separate_tx_rx_irq,
		 "Offer split event channels (feature-split-event-channels)");

bool xa_vif_xdp_headroom = true;
module_param_named(provides_xdp_headroom, xa_vif_xdp_headroom, bool, 0644);
MODULE_PARM_DESC(provides_xdp_headroom,
		 "Leave the headroom a frontend's XDP program asks for");

/*
 * Data slots beyond the first of one guest-TX packet at which a frontend
 * is disconnected as hostile; from 18 the packet is only dropped.
 */
unsigned int xa_vif_fatal_slots = XA_VIF_TX_FATAL_SLOTS;
module_param_named(fatal_skb_slots, xa_vif_fatal_slots, uint, 0444);
MODULE_PARM_DESC(fatal_skb_slots,
		 "Slots per packet that disconnect the frontend (default 20)");

/*
 * Malformed packets a second a frontend may send before it is
 * disconnected: a working frontend sends none; 0 never disconnects.
 */
unsigned int xa_vif_bad_limit = 100;
module_param_named(max_bad_packets, xa_vif_bad_limit, uint, 0644);
MODULE_PARM_DESC(max_bad_packets,
		 "Malformed packets a second before disconnecting (default 100, 0: never)");

/*
 * A guest that posts no receive buffers for this long loses its carrier,
 * so dom0 stops queueing for it; packets queued for longer than the drain
 * timeout are dropped, so a stuck guest cannot pin dom0 memory.
 */
unsigned int xa_vif_stall_timeout_ms = 60000;
module_param_named(rx_stall_timeout_msecs, xa_vif_stall_timeout_ms, uint, 0444);
MODULE_PARM_DESC(rx_stall_timeout_msecs,
		 "Milliseconds without guest receive buffers before carrier off");
unsigned int xa_vif_drain_timeout_ms = 10000;
module_param_named(rx_drain_timeout_msecs, xa_vif_drain_timeout_ms, uint, 0444);
MODULE_PARM_DESC(rx_drain_timeout_msecs,
		 "Milliseconds a packet may wait for the guest before it is dropped");

/*
 * Guest TX by grant map: a packet's data past its headers mapped and
 * handed to the stack rather than copied. Saves the copy where the stack
 * forwards the packet (to another guest, a NIC); costs a map, an unmap
 * and its TLB flush per page, and holds the guest's buffers until the
 * stack frees the packet. 1 chooses per packet by the costs measured on
 * each queue (xa_vif_tx_cost); 0 copies all; 2 maps whenever it can.
 */
unsigned int xa_vif_tx_map = XA_VIF_TX_MAP_AUTO;

static int xa_vif_tx_map_set(const char *val, const struct kernel_param *kp)
{
	unsigned int mode;
	int err;

	err = kstrtouint(val, 0, &mode);
	if (err)
		return err;
	if (mode > XA_VIF_TX_MAP_ALWAYS)
		return -EINVAL;
	WRITE_ONCE(xa_vif_tx_map, mode);
	return 0;
}

static const struct kernel_param_ops xa_vif_tx_map_ops = {
	.set = xa_vif_tx_map_set,
	.get = param_get_uint,
};

module_param_cb(tx_map, &xa_vif_tx_map_ops, &xa_vif_tx_map, 0644);
MODULE_PARM_DESC(tx_map,
		 "Guest TX by grant map: 0 never, 1 when measured cheaper (default), 2 whenever possible");

/* Bytes queued for the guest before the stack is told to wait. */
#define XA_VIF_RX_QUEUE_BYTES (XEN_PAGE_SIZE * 128)
#define XA_VIF_QUEUE_LENGTH 1000

void xa_vif_stats_add(struct xa_vif_stats *sum, const struct xa_vif_stats *s)
{
	unsigned long *d = (unsigned long *)sum;
	const unsigned long *v = (const unsigned long *)s;
	unsigned int i;

	BUILD_BUG_ON(sizeof(*s) % sizeof(unsigned long));
	for (i = 0; i < sizeof(*s) / sizeof(unsigned long); i++)
		d[i] += READ_ONCE(v[i]);
}

/*
 * Sum the counters of the live queues and of those gone. Caller holds
 * rcu_read_lock(): disconnect frees queues only after a grace period.
 */
static void xa_vif_sum_stats(struct xa_vif *vif, struct xa_vif_stats *sum)
{
	unsigned int i, n = xa_vif_nr_queues(vif);
	struct xa_vif_queue *queues = READ_ONCE(vif->queues);

	memcpy(sum, &vif->closed_stats, sizeof(*sum));
	for (i = 0; i < n; i++)
		xa_vif_stats_add(sum, &queues[i].stats);
}

static void xa_vif_get_stats64(struct net_device *dev,
			       struct rtnl_link_stats64 *stats)
{
	struct xa_vif *vif = netdev_priv(dev);
	struct xa_vif_stats sum;

	rcu_read_lock();
	xa_vif_sum_stats(vif, &sum);
	rcu_read_unlock();
	stats->rx_packets = sum.rx_packets;
	stats->rx_bytes = sum.rx_bytes;
	stats->rx_dropped = sum.rx_dropped;
	stats->rx_errors = sum.rx_malformed + sum.rx_copy_errors +
			   sum.rx_csum_errors;
	stats->rx_crc_errors = sum.rx_csum_errors;
	stats->tx_packets = sum.tx_packets;
	stats->tx_bytes = sum.tx_bytes;
	stats->tx_dropped = sum.tx_dropped + atomic_long_read(&vif->tx_dropped);
	stats->tx_errors = sum.tx_copy_errors;
}

/* NAPI runs only while the vif is both connected and up. */
static void xa_vif_up(struct xa_vif *vif)
{
	unsigned int i;

	ASSERT_RTNL();
	if (test_and_set_bit(XA_VIF_UP, &vif->flags))
		return;
	for (i = 0; i < vif->num_queues; i++) {
		napi_enable(&vif->queues[i].napi);
		/* Events that came while down were left for this poll. */
		xa_vif_tx_kick(&vif->queues[i]);
	}
}

static void xa_vif_down(struct xa_vif *vif)
{
	unsigned int i;

	ASSERT_RTNL();
	if (!test_and_clear_bit(XA_VIF_UP, &vif->flags))
		return;
	for (i = 0; i < vif->num_queues; i++)
		napi_disable(&vif->queues[i].napi);
}

static int xa_vif_open(struct net_device *dev)
{
	struct xa_vif *vif = netdev_priv(dev);

	if (test_bit(XA_VIF_CONNECTED, &vif->flags))
		xa_vif_up(vif);
	netif_tx_start_all_queues(dev);
	return 0;
}

static int xa_vif_close(struct net_device *dev)
{
	struct xa_vif *vif = netdev_priv(dev);

	xa_vif_down(vif);
	netif_tx_stop_all_queues(dev);
	return 0;
}

/**
 * xa_vif_carrier_on - the queues are connected: start passing packets
 * @vif: the vif
 * @num_queues: how many queues the frontend connected
 */
void xa_vif_carrier_on(struct xa_vif *vif, unsigned int num_queues)
{
	struct net_device *dev = vif->dev;

	rtnl_lock();
	netif_set_real_num_tx_queues(dev, num_queues);
	netif_set_real_num_rx_queues(dev, num_queues);
	/* Without scatter-gather the frontend takes one page a packet. */
	if (!vif->can_sg && dev->mtu > ETH_DATA_LEN)
		dev_set_mtu(dev, ETH_DATA_LEN);
	netdev_update_features(dev);
	set_bit(XA_VIF_CONNECTED, &vif->flags);
	if (netif_running(dev))
		xa_vif_up(vif);
	vif->stalled_queues = 0;
	netif_carrier_on(dev);
	netif_tx_wake_all_queues(dev);
	rtnl_unlock();
}

/* Stop passing packets: the queues are about to go (or the guest broke). */
void xa_vif_carrier_off(struct xa_vif *vif)
{
	rtnl_lock();
	if (test_and_clear_bit(XA_VIF_CONNECTED, &vif->flags)) {
		netif_carrier_off(vif->dev);
		netif_tx_disable(vif->dev);
		xa_vif_down(vif);
	}
	rtnl_unlock();
}

static void xa_vif_fatal_work(struct work_struct *work)
{
	struct xa_vif *vif = container_of(work, struct xa_vif, fatal_work);

	xa_vif_carrier_off(vif);
	xa_netbk_refuse(vif->xbdev, -EPROTO, "frontend broke the netif protocol");
}

/**
 * xa_vif_fatal - disconnect a frontend that broke the protocol
 * @vif: the vif
 * @why: for the (rate-limited) log line
 *
 * Callable from any context; the data paths stop at once, and the device
 * is closed from a work item.
 */
void xa_vif_fatal(struct xa_vif *vif, const char *why)
{
	if (test_and_set_bit(XA_VIF_DISABLED, &vif->flags))
		return;
	pr_warn_ratelimited("domain %u vif %u: %s: disconnecting\n",
			    vif->domid, vif->handle, why);
	schedule_work(&vif->fatal_work);
}

/*
 * With multicast control, a multicast frame to an address the guest did
 * not add is dropped, whoever sent it. The destination decides, not
 * skb->pkt_type: only frames dom0 received carry PACKET_MULTICAST, and
 * dom0's own multicast reaches us through the bridge as PACKET_HOST.
 */
static bool xa_vif_mcast_unwanted(struct xa_vif *vif, struct sk_buff *skb)
{
	const u8 *dest = skb->data;	/* the Ethernet header */

	if (!READ_ONCE(vif->multicast_control) || skb_headlen(skb) < ETH_HLEN)
		return false;
	return is_multicast_ether_addr(dest) && !is_broadcast_ether_addr(dest) &&
	       !xa_vif_mcast_match(vif, dest);
}

static netdev_tx_t xa_vif_start_xmit(struct sk_buff *skb,
				     struct net_device *dev)
{
	struct xa_vif *vif = netdev_priv(dev);
	unsigned int index = skb_get_queue_mapping(skb);
	unsigned int n = xa_vif_nr_queues(vif);
	struct xa_vif_hash_rcu *hash;
	struct xa_vif_queue *queue;

	/* The stack holds RCU here: the queues stay while we look. */
	if (unlikely(index >= n || !test_bit(XA_VIF_CONNECTED, &vif->flags) ||
		     test_bit(XA_VIF_DISABLED, &vif->flags)))
		goto drop;
	queue = &READ_ONCE(vif->queues)[index];
	if (xa_vif_mcast_unwanted(vif, skb)) {
		queue->stats.tx_dropped++;
		goto free;
	}
	/*
	 * Only a hash we computed goes to the guest as extra-info. The stack
	 * asks ndo_select_queue(), which computes it, only when there are
	 * several queues: with one, the skb may carry any hash (a socket's,
	 * say), so compute it here.
	 */
	hash = rcu_dereference_bh(vif->hash);
	if (!hash || hash->hash.alg == XEN_NETIF_CTRL_HASH_ALGORITHM_NONE)
		skb_clear_hash(skb);
	else if (dev->real_num_tx_queues == 1)
		xa_vif_hash_skb(&hash->hash, skb);
	xa_vif_rx_queue_tail(queue, skb);
	return NETDEV_TX_OK;
drop:
	atomic_long_inc(&vif->tx_dropped);
free:
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

static int xa_vif_change_mtu(struct net_device *dev, int mtu)
{
	struct xa_vif *vif = netdev_priv(dev);
	int max = vif->can_sg ? ETH_MAX_MTU - VLAN_ETH_HLEN : ETH_DATA_LEN;

	if (mtu > max)
		return -EINVAL;
	dev->mtu = mtu;
	return 0;
}

/* Offload only what the frontend negotiated. */
static netdev_features_t xa_vif_fix_features(struct net_device *dev,
					     netdev_features_t features)
{
	struct xa_vif *vif = netdev_priv(dev);

	if (!vif->can_sg)
		features &= ~(NETIF_F_SG | NETIF_F_FRAGLIST);
	if (!(vif->gso_mask & BIT(XEN_NETIF_GSO_TYPE_TCPV4)))
		features &= ~NETIF_F_TSO;
	if (!(vif->gso_mask & BIT(XEN_NETIF_GSO_TYPE_TCPV6)))
		features &= ~NETIF_F_TSO6;
	if (!vif->ip_csum)
		features &= ~NETIF_F_IP_CSUM;
	if (!vif->ipv6_csum)
		features &= ~NETIF_F_IPV6_CSUM;
	return features;
}

static const struct net_device_ops xa_vif_netdev_ops = {
	.ndo_select_queue = xa_vif_select_queue,
	.ndo_start_xmit = xa_vif_start_xmit,
	.ndo_get_stats64 = xa_vif_get_stats64,
	.ndo_open = xa_vif_open,
	.ndo_stop = xa_vif_close,
	.ndo_change_mtu = xa_vif_change_mtu,
	.ndo_fix_features = xa_vif_fix_features,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
};

/* ethtool -S: the sums, the batching of grant copies, and each queue. */
struct xa_vif_stat_desc {
	const char *name;
	size_t offset;
};

#define XA_VIF_STAT(f) { #f, offsetof(struct xa_vif_stats, f) }

static const struct xa_vif_stat_desc xa_vif_stat_descs[] = {
	XA_VIF_STAT(rx_gso_checksum_fixup),	/* in-tree's name */
	XA_VIF_STAT(rx_packets),
	XA_VIF_STAT(rx_bytes),
	XA_VIF_STAT(rx_gso),
	XA_VIF_STAT(rx_csum_partial),
	XA_VIF_STAT(rx_dropped),
	XA_VIF_STAT(rx_malformed),
	XA_VIF_STAT(rx_slot_overflow),
	XA_VIF_STAT(rx_copy_errors),
	XA_VIF_STAT(rx_nomem),
	XA_VIF_STAT(rx_csum_errors),
	XA_VIF_STAT(rx_rate_limited),
	XA_VIF_STAT(rx_mcast_updates),
	XA_VIF_STAT(rx_notify),
	XA_VIF_STAT(rx_copied),
	XA_VIF_STAT(rx_zerocopy_sent),
	XA_VIF_STAT(rx_zerocopy_success),
	XA_VIF_STAT(rx_zerocopy_fail),
	XA_VIF_STAT(rx_map_busy),
	XA_VIF_STAT(rx_map_hypercalls),
	XA_VIF_STAT(rx_map_pages),
	XA_VIF_STAT(rx_map_ns),
	XA_VIF_STAT(rx_unmap_hypercalls),
	XA_VIF_STAT(rx_unmap_pages),
	XA_VIF_STAT(rx_unmap_ns),
	XA_VIF_STAT(rx_map_errors),
	XA_VIF_STAT(tx_packets),
	XA_VIF_STAT(tx_bytes),
	XA_VIF_STAT(tx_gso),
	XA_VIF_STAT(tx_dropped),
	XA_VIF_STAT(tx_expired),
	XA_VIF_STAT(tx_too_big),
	XA_VIF_STAT(tx_copy_errors),
	XA_VIF_STAT(tx_stalls),
	XA_VIF_STAT(tx_notify),
	XA_VIF_STAT(tx_sibling_batched),
};

/*
 * Grant copy batching, per direction: summed, the largest batch, and the
 * nanoseconds spent in the copy hypercalls (their cost per op and byte).
 */
#define XA_VIF_COPY_STATS 5
static const char * const xa_vif_copy_stat_names[] = {
	"rx_copy_hypercalls", "rx_copy_ops", "rx_copy_bytes", "rx_copy_max_batch",
	"rx_copy_ns",
	"tx_copy_hypercalls", "tx_copy_ops", "tx_copy_bytes", "tx_copy_max_batch",
	"tx_copy_ns",
};

static const char * const xa_vif_queue_stat_names[] = {
	"rx_packets", "rx_bytes", "tx_packets", "tx_bytes", "tx_queued_bytes",
};

#define XA_VIF_NR_STATS (ARRAY_SIZE(xa_vif_stat_descs) +		\
			 ARRAY_SIZE(xa_vif_copy_stat_names))
static_assert(ARRAY_SIZE(xa_vif_copy_stat_names) == 2 * XA_VIF_COPY_STATS);

static int xa_vif_get_sset_count(struct net_device *dev, int sset)
{
	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return XA_VIF_NR_STATS +
	       dev->real_num_tx_queues * ARRAY_SIZE(xa_vif_queue_stat_names);
}

static void xa_vif_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	unsigned int i, q;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < ARRAY_SIZE(xa_vif_stat_descs); i++, data += ETH_GSTRING_LEN)
		strscpy(data, xa_vif_stat_descs[i].name, ETH_GSTRING_LEN);
	for (i = 0; i < ARRAY_SIZE(xa_vif_copy_stat_names); i++, data += ETH_GSTRING_LEN)
		strscpy(data, xa_vif_copy_stat_names[i], ETH_GSTRING_LEN);
	for (q = 0; q < dev->real_num_tx_queues; q++)
		for (i = 0; i < ARRAY_SIZE(xa_vif_queue_stat_names);
		     i++, data += ETH_GSTRING_LEN)
			snprintf(data, ETH_GSTRING_LEN, "queue_%u_%s", q,
				 xa_vif_queue_stat_names[i]);
}

static void xa_vif_copy_stats(u64 *data, const struct xenaccel_copy_stats *s)
{
	data[0] += READ_ONCE(s->calls);
	data[1] += READ_ONCE(s->ops);
	data[2] += READ_ONCE(s->bytes);
	data[3] = max_t(u64, data[3], READ_ONCE(s->max_batch));
	data[4] += READ_ONCE(s->ns);
}

static void xa_vif_get_ethtool_stats(struct net_device *dev,
				     struct ethtool_stats *estats, u64 *data)
{
	struct xa_vif *vif = netdev_priv(dev);
	unsigned int i, q, n, nr_desc = ARRAY_SIZE(xa_vif_stat_descs);
	u64 *copy = data + nr_desc, *per_queue = data + XA_VIF_NR_STATS;
	struct xa_vif_queue *queues;
	struct xa_vif_stats sum;

	memset(data, 0, xa_vif_get_sset_count(dev, ETH_SS_STATS) * sizeof(*data));
	rcu_read_lock();
	xa_vif_sum_stats(vif, &sum);
	for (i = 0; i < nr_desc; i++)
		data[i] = *(unsigned long *)((u8 *)&sum + xa_vif_stat_descs[i].offset);
	n = xa_vif_nr_queues(vif);
	queues = READ_ONCE(vif->queues);
	for (q = 0; q < n; q++) {
		struct xa_vif_queue *queue = &queues[q];
		u64 *qd = per_queue + q * ARRAY_SIZE(xa_vif_queue_stat_names);

		xa_vif_copy_stats(copy, &queue->tx_copy.stats);
		xa_vif_copy_stats(copy + XA_VIF_COPY_STATS, &queue->rx_copy.stats);
		if (q >= dev->real_num_tx_queues)
			continue;
		qd[0] = READ_ONCE(queue->stats.rx_packets);
		qd[1] = READ_ONCE(queue->stats.rx_bytes);
		qd[2] = READ_ONCE(queue->stats.tx_packets);
		qd[3] = READ_ONCE(queue->stats.tx_bytes);
		qd[4] = READ_ONCE(queue->rx_queue_len);
	}
	rcu_read_unlock();
}

static void xa_vif_get_drvinfo(struct net_device *dev,
			       struct ethtool_drvinfo *info)
{
	struct xa_vif *vif = netdev_priv(dev);

	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->bus_info, dev_name(&vif->xbdev->dev), sizeof(info->bus_info));
}

static const struct ethtool_ops xa_vif_ethtool_ops = {
	.get_drvinfo = xa_vif_get_drvinfo,
	.get_link = ethtool_op_get_link,
	.get_sset_count = xa_vif_get_sset_count,
	.get_ethtool_stats = xa_vif_get_ethtool_stats,
	.get_strings = xa_vif_get_strings,
};

/**
 * xa_vif_alloc - create and register the vif's net_device
 * @xbdev: the xenbus device
 * @handle: the toolstack's handle (devid)
 * @max_queues: the most queues offered to the frontend
 *
 * Named vifDOMID.HANDLE as in-tree, which the hotplug scripts expect.
 */
struct xa_vif *xa_vif_alloc(struct xenbus_device *xbdev, unsigned int handle,
			    unsigned int max_queues)
{
	/* The numerically largest unicast address: no bridge picks it. */
	static const u8 dummy_addr[ETH_ALEN] = {
		0xfe, 0xff, 0xff, 0xff, 0xff, 0xff
	};
	char name[IFNAMSIZ] = {};
	struct net_device *dev;
	struct xa_vif *vif;
	int err;

	snprintf(name, IFNAMSIZ, "vif%u.%u", xbdev->otherend_id, handle);
	dev = alloc_netdev_mq(sizeof(*vif), name, NET_NAME_UNKNOWN, ether_setup,
			      max_queues);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	SET_NETDEV_DEV(dev, &xbdev->dev);
	vif = netdev_priv(dev);
	vif->xbdev = xbdev;
	vif->domid = xbdev->otherend_id;
	vif->handle = handle;
	vif->dev = dev;
	vif->max_queues = max_queues;
	vif->can_sg = true;
	vif->ip_csum = true;
	spin_lock_init(&vif->lock);
	spin_lock_init(&vif->mcast_lock);
	INIT_WORK(&vif->fatal_work, xa_vif_fatal_work);

	dev->netdev_ops = &xa_vif_netdev_ops;
	dev->ethtool_ops = &xa_vif_ethtool_ops;
	dev->hw_features = NETIF_F_SG | NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM |
			   NETIF_F_TSO | NETIF_F_TSO6 | NETIF_F_FRAGLIST;
	dev->features = dev->hw_features | NETIF_F_RXCSUM;
	dev->tx_queue_len = XA_VIF_QUEUE_LENGTH;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_MAX_MTU - VLAN_ETH_HLEN;
	eth_hw_addr_set(dev, dummy_addr);
	netif_carrier_off(dev);

	err = register_netdev(dev);
	if (err) {
		free_netdev(dev);
		return ERR_PTR(err);
	}
	atomic_inc(&xa_vif_totals.vifs);
	xa_vif_debugfs_add(vif);
	return vif;
}

/* With nothing connected. */
void xa_vif_free(struct xa_vif *vif)
{
	xa_vif_debugfs_remove(vif);
	cancel_work_sync(&vif->fatal_work);
	unregister_netdev(vif->dev);
	free_netdev(vif->dev);
	atomic_dec(&xa_vif_totals.vifs);
}

/**
 * xa_vif_connect_queue - map a queue's rings and start serving them
 * @queue: with vif, id and credit set
 * @tx_ref: the tx ring's grant
 * @rx_ref: the rx ring's grant
 * @tx_evtchn: the tx ring's event channel
 * @rx_evtchn: the rx ring's, or @tx_evtchn if they share one
 *
 * Cleans up after itself on failure.
 */
int xa_vif_connect_queue(struct xa_vif_queue *queue, grant_ref_t tx_ref,
			 grant_ref_t rx_ref, evtchn_port_t tx_evtchn,
			 evtchn_port_t rx_evtchn)
{
	struct xa_vif *vif = queue->vif;
	struct xenbus_device *dev = vif->xbdev;
	int err;

	snprintf(queue->name, sizeof(queue->name), "%s-q%u", vif->dev->name,
		 queue->id);
	INIT_DELAYED_WORK(&queue->credit_work, xa_vif_credit_work);
	init_waitqueue_head(&queue->rx_wq);
	skb_queue_head_init(&queue->rx_queue);
	queue->rx_queue_max = XA_VIF_RX_QUEUE_BYTES;
	queue->last_rx_time = jiffies;
	queue->bad_window = jiffies;
	atomic_set(&queue->eoi_pending, 0);

	err = xenbus_map_ring_valloc(dev, &tx_ref, 1, &queue->tx_sring);
	if (err)
		goto fail;
	atomic_inc(&xa_vif_totals.rings);
	xenaccel_ring_init(&queue->tx, (struct xen_netif_tx_sring *)queue->tx_sring,
			   XEN_PAGE_SIZE);
	err = xenbus_map_ring_valloc(dev, &rx_ref, 1, &queue->rx_sring);
	if (err)
		goto fail;
	atomic_inc(&xa_vif_totals.rings);
	xenaccel_ring_init(&queue->rx, (struct xen_netif_rx_sring *)queue->rx_sring,
			   XEN_PAGE_SIZE);

	/* Counted at once: disconnect frees what the inits left. */
	queue->counted = true;
	atomic_inc(&xa_vif_totals.queues);
	err = xa_vif_tx_init(queue);
	if (err)
		goto fail;
	err = xa_vif_rx_init(queue);
	if (err)
		goto fail;
	xenaccel_netif_napi_add(vif->dev, &queue->napi, xa_vif_poll);
	queue->napi_added = true;

	if (tx_evtchn == rx_evtchn) {
		err = xenaccel_bind_evtchn_lateeoi(dev, tx_evtchn, xa_vif_interrupt,
						   0, queue->name, queue);
		if (err < 0)
			goto fail;
		atomic_inc(&xa_vif_totals.irqs);
		queue->tx_irq = err;
		queue->rx_irq = err;
	} else {
		snprintf(queue->tx_irq_name, sizeof(queue->tx_irq_name), "%s-tx",
			 queue->name);
		err = xenaccel_bind_evtchn_lateeoi(dev, tx_evtchn, xa_vif_tx_interrupt,
						   0, queue->tx_irq_name, queue);
		if (err < 0)
			goto fail;
		atomic_inc(&xa_vif_totals.irqs);
		queue->tx_irq = err;
		snprintf(queue->rx_irq_name, sizeof(queue->rx_irq_name), "%s-rx",
			 queue->name);
		err = xenaccel_bind_evtchn_lateeoi(dev, rx_evtchn, xa_vif_rx_interrupt,
						   0, queue->rx_irq_name, queue);
		if (err < 0)
			goto fail;
		atomic_inc(&xa_vif_totals.irqs);
		queue->rx_irq = err;
	}

	queue->rx_task = kthread_run(xa_vif_rx_thread, queue, "%s-guest-rx",
				     queue->name);
	if (IS_ERR(queue->rx_task)) {
		err = PTR_ERR(queue->rx_task);
		queue->rx_task = NULL;
		goto fail;
	}
	atomic_inc(&xa_vif_totals.threads);
	return 0;
fail:
	xa_vif_disconnect_queue(queue);
	return err;
}

/* Stop serving a queue; NAPI is disabled. Safe on a partly connected one. */
void xa_vif_disconnect_queue(struct xa_vif_queue *queue)
{
	struct xenbus_device *dev = queue->vif->xbdev;

	xa_vif_rx_stop(queue);
	if (queue->rx_irq && queue->rx_irq != queue->tx_irq) {
		unbind_from_irqhandler(queue->rx_irq, queue);
		atomic_dec(&xa_vif_totals.irqs);
	}
	if (queue->tx_irq) {
		unbind_from_irqhandler(queue->tx_irq, queue);
		atomic_dec(&xa_vif_totals.irqs);
	}
	queue->tx_irq = 0;
	queue->rx_irq = 0;
	/* Nothing can schedule NAPI now but the credit work. */
	cancel_delayed_work_sync(&queue->credit_work);
	if (queue->napi_added) {
		netif_napi_del(&queue->napi);
		queue->napi_added = false;
	}
	xa_vif_rx_deinit(queue);
	xa_vif_tx_deinit(queue);
	if (queue->counted) {
		queue->counted = false;
		atomic_dec(&xa_vif_totals.queues);
	}
	if (queue->rx_sring) {
		xenbus_unmap_ring_vfree(dev, queue->rx_sring);
		queue->rx_sring = NULL;
		atomic_dec(&xa_vif_totals.rings);
	}
	if (queue->tx_sring) {
		xenbus_unmap_ring_vfree(dev, queue->tx_sring);
		queue->tx_sring = NULL;
		atomic_dec(&xa_vif_totals.rings);
	}
}

/* The shared event channel of a queue: work for either direction. */
irqreturn_t xa_vif_interrupt(int irq, void *data)
{
	struct xa_vif_queue *queue = data;
	bool tx, rx;

	atomic_or(XA_VIF_EOI_COMMON, &queue->eoi_pending);
	tx = xa_vif_tx_event(queue);
	rx = xa_vif_rx_event(queue);
	if (!tx && !rx) {
		atomic_andnot(XA_VIF_EOI_COMMON, &queue->eoi_pending);
		xen_irq_lateeoi(irq, XEN_EOI_FLAG_SPURIOUS);
	}
	return IRQ_HANDLED;
}

/* The multicast addresses the guest subscribed to (multicast control). */
bool xa_vif_mcast_match(struct xa_vif *vif, const u8 *addr)
{
	unsigned int i;
	bool found = false;

	spin_lock_bh(&vif->mcast_lock);
	for (i = 0; i < vif->mcast_count && !found; i++)
		found = ether_addr_equal(vif->mcast[i], addr);
	spin_unlock_bh(&vif->mcast_lock);
	return found;
}

int xa_vif_mcast_add(struct xa_vif *vif, const u8 *addr)
{
	int err = 0;
	unsigned int i;

	spin_lock_bh(&vif->mcast_lock);
	for (i = 0; i < vif->mcast_count; i++)
		if (ether_addr_equal(vif->mcast[i], addr))
			goto out;
	if (vif->mcast_count == XA_VIF_MCAST_MAX) {
		err = -ENOSPC;
		goto out;
	}
	ether_addr_copy(vif->mcast[vif->mcast_count++], addr);
out:
	spin_unlock_bh(&vif->mcast_lock);
	return err;
}

void xa_vif_mcast_del(struct xa_vif *vif, const u8 *addr)
{
	unsigned int i;

	spin_lock_bh(&vif->mcast_lock);
	for (i = 0; i < vif->mcast_count; i++) {
		if (ether_addr_equal(vif->mcast[i], addr)) {
			vif->mcast_count--;
			ether_addr_copy(vif->mcast[i], vif->mcast[vif->mcast_count]);
			break;
		}
	}
	spin_unlock_bh(&vif->mcast_lock);
}

void xa_vif_mcast_flush(struct xa_vif *vif)
{
	spin_lock_bh(&vif->mcast_lock);
	vif->mcast_count = 0;
	spin_unlock_bh(&vif->mcast_lock);
}
