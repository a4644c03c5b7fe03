// SPDX-License-Identifier: GPL-2.0
/*
 * xenaccel_netback in debugfs, under xenaccel/netback/:
 *
 *   totals		what all vifs hold together: net_devices, queues,
 *			mapped rings, bound event channels, guest-RX threads,
 *			packets queued for guests and guest-TX pages mapped;
 *			all zero once no vif is left, which the rig's
 *			lifecycle scenario checks
 *   vifD.H/queues	the vif's flags and its side of the control ring,
 *			then each queue's ring indices, what it holds, its
 *			rate-limiting credit, its grant-copy batching and its
 *			guest-TX grant maps (counts, hypercall times and the
 *			cost estimates it chooses between copy and map by)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include <xenaccel/backend.h>
#include "common.h"

struct xa_vif_totals xa_vif_totals;

static struct dentry *xa_vif_debugfs_dir;

static int xa_vif_totals_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "vifs %d\n", atomic_read(&xa_vif_totals.vifs));
	seq_printf(m, "queues %d\n", atomic_read(&xa_vif_totals.queues));
	seq_printf(m, "rings %d\n", atomic_read(&xa_vif_totals.rings));
	seq_printf(m, "irqs %d\n", atomic_read(&xa_vif_totals.irqs));
	seq_printf(m, "threads %d\n", atomic_read(&xa_vif_totals.threads));
	seq_printf(m, "queued_skbs %d\n", atomic_read(&xa_vif_totals.skbs));
	seq_printf(m, "tx_maps %d\n", atomic_read(&xa_vif_totals.maps));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xa_vif_totals);

static void xa_vif_show_copies(struct seq_file *m, const char *name,
			       const struct xenaccel_copy_stats *s)
{
	u64 calls = READ_ONCE(s->calls), ops = READ_ONCE(s->ops);
	u64 bytes = READ_ONCE(s->bytes), ns = READ_ONCE(s->ns);

	seq_printf(m, "  %s copies: hypercalls %llu ops %llu bytes %llu errors %llu max_batch %u avg_batch %llu ns %llu ns_per_call %llu ns_per_op %llu ns_per_kib %llu\n",
		   name, calls, ops, bytes, READ_ONCE(s->errors),
		   READ_ONCE(s->max_batch), calls ? div64_u64(ops, calls) : 0,
		   ns, calls ? div64_u64(ns, calls) : 0,
		   ops ? div64_u64(ns, ops) : 0,
		   bytes >> 10 ? div64_u64(ns, bytes >> 10) : 0);
}

/* Guest TX by grant map: what it holds, did and measured (racy reads). */
static void xa_vif_show_maps(struct seq_file *m, struct xa_vif_queue *q)
{
	const struct xa_vif_stats *s = &q->stats;
	unsigned long maps = READ_ONCE(s->rx_map_pages);
	unsigned long unmaps = READ_ONCE(s->rx_unmap_pages);

	seq_printf(m, "  tx maps %d free %u packets copied %lu mapped %lu copied_by_stack %lu busy %lu\n",
		   atomic_read(&q->tx_mapped), READ_ONCE(q->tx_nr_map_free),
		   READ_ONCE(s->rx_copied), READ_ONCE(s->rx_zerocopy_sent),
		   READ_ONCE(s->rx_zerocopy_fail), READ_ONCE(s->rx_map_busy));
	seq_printf(m, "  tx map hypercalls %lu pages %lu ns_per_page %lu unmap hypercalls %lu pages %lu ns_per_page %lu\n",
		   READ_ONCE(s->rx_map_hypercalls), maps,
		   maps ? READ_ONCE(s->rx_map_ns) / maps : 0,
		   READ_ONCE(s->rx_unmap_hypercalls), unmaps,
		   unmaps ? READ_ONCE(s->rx_unmap_ns) / unmaps : 0);
	/* The estimates NAPI chooses by, in ns (they are kept x16). */
	seq_printf(m, "  tx cost copy_per_kib %u map_per_page %u unmap_per_page %u copied_by_stack %u/1024\n",
		   READ_ONCE(q->tx_cost.copy_kib) / 16,
		   READ_ONCE(q->tx_cost.map_page) / 16,
		   READ_ONCE(q->tx_cost.unmap_page) / 16,
		   READ_ONCE(q->tx_cost.copied));
}

static int xa_vif_queues_show(struct seq_file *m, void *unused)
{
	struct xa_vif *vif = m->private;
	struct xa_vif_queue *queues;
	unsigned int i, n;

	seq_printf(m, "flags connected %d up %d disabled %d stalled_queues %u mcast %u\n",
		   test_bit(XA_VIF_CONNECTED, &vif->flags),
		   test_bit(XA_VIF_UP, &vif->flags),
		   test_bit(XA_VIF_DISABLED, &vif->flags),
		   READ_ONCE(vif->stalled_queues), READ_ONCE(vif->mcast_count));
	/* Our side of the control ring only: its page goes at disconnect. */
	seq_printf(m, "ctrl irq %u req_cons %u rsp_prod_pvt %u overrun %d\n",
		   READ_ONCE(vif->ctrl_irq), READ_ONCE(vif->ctrl.req_cons),
		   READ_ONCE(vif->ctrl.rsp_prod_pvt), READ_ONCE(vif->ctrl.overrun));
	/* Disconnect frees queues and unmaps rings after a grace period. */
	rcu_read_lock();
	n = xa_vif_nr_queues(vif);
	queues = READ_ONCE(vif->queues);
	for (i = 0; i < n; i++) {
		struct xa_vif_queue *q = &queues[i];

		seq_printf(m, "queue %u: napi %s, eoi_pending %#x\n", i,
			   test_bit(NAPI_STATE_SCHED, &q->napi.state) ?
			   "scheduled" : "idle", atomic_read(&q->eoi_pending));
		xenaccel_ring_show(m, "tx", &q->tx);
		seq_printf(m, "  tx held_slots %u rate_limited %d credit %lu of %lu per %u ms\n",
			   READ_ONCE(q->tx_nr_slots), READ_ONCE(q->rate_limited),
			   READ_ONCE(q->credit.remaining), READ_ONCE(q->credit.bytes),
			   jiffies_to_msecs(READ_ONCE(q->credit.window)));
		xa_vif_show_copies(m, "tx", &q->tx_copy.stats);
		xa_vif_show_maps(m, q);
		xenaccel_ring_show(m, "rx", &q->rx);
		seq_printf(m, "  rx held_reqs %u queued_skbs %u queued_bytes %u of %u stalled %d last_rx %u ms ago\n",
			   READ_ONCE(q->rx_req_count), skb_queue_len_lockless(&q->rx_queue),
			   READ_ONCE(q->rx_queue_len), q->rx_queue_max,
			   READ_ONCE(q->stalled),
			   jiffies_to_msecs(jiffies - READ_ONCE(q->last_rx_time)));
		xa_vif_show_copies(m, "rx", &q->rx_copy.stats);
	}
	rcu_read_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xa_vif_queues);

void xa_vif_debugfs_add(struct xa_vif *vif)
{
	vif->debugfs = debugfs_create_dir(netdev_name(vif->dev),
					  xa_vif_debugfs_dir);
	debugfs_create_file("queues", 0400, vif->debugfs, vif,
			    &xa_vif_queues_fops);
}

void xa_vif_debugfs_remove(struct xa_vif *vif)
{
	/* Waits for readers of its files. */
	debugfs_remove_recursive(vif->debugfs);
	vif->debugfs = NULL;
}

void xa_vif_debugfs_init(void)
{
	xa_vif_debugfs_dir = debugfs_create_dir("netback", xenaccel_debugfs_dir);
	debugfs_create_file("totals", 0444, xa_vif_debugfs_dir, NULL,
			    &xa_vif_totals_fops);
}

void xa_vif_debugfs_exit(void)
{
	debugfs_remove_recursive(xa_vif_debugfs_dir);
	xa_vif_debugfs_dir = NULL;
}
