/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xenaccel_netback: structures shared by the xenbus side (xenbus.c, prefix
 * xa_netbk_) and the network side (interface.c, tx.c, rx.c, ctrl.c, prefix
 * xa_vif_).
 *
 * Directions are the net_device's: the vif *receives* what the guest
 * transmits (guest TX, tx.c, in NAPI) and *transmits* to the guest what
 * dom0 sends it (guest RX, rx.c, in a thread per queue). Ring names are
 * the protocol's: the "tx" ring carries guest TX.
 */
#ifndef XA_NETBACK_COMMON_H
#define XA_NETBACK_COMMON_H

#include <linux/atomic.h>
#include <linux/interrupt.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/xenbus.h>

#include <xenaccel/copy.h>
#include <xenaccel/ring.h>

#include "proto.h"

/* Module parameters, in interface.c. */
extern unsigned int xa_vif_max_queues;
extern bool xa_vif_split_evtchn;
extern bool xa_vif_xdp_headroom;
extern unsigned int xa_vif_fatal_slots;
extern unsigned int xa_vif_bad_limit;
extern unsigned int xa_vif_stall_timeout_ms;
extern unsigned int xa_vif_drain_timeout_ms;
extern unsigned int xa_vif_tx_map;

/* Values of xa_vif_tx_map (tx_map). */
enum {
	XA_VIF_TX_MAP_NEVER,
	XA_VIF_TX_MAP_AUTO,		/* when measured cheaper */
	XA_VIF_TX_MAP_ALWAYS,		/* whenever possible */
};

/*
 * Counters of one queue. Each is written by one context only (the queue's
 * NAPI poll for rx_*, its thread or the stack's transmit path holding the
 * queue's lock for tx_*) and read racily for statistics, as in-tree.
 */
struct xa_vif_stats {
	/* Guest TX: what the vif receives. */
	unsigned long rx_packets;
	unsigned long rx_bytes;
	unsigned long rx_gso;			/* GSO packets from the guest */
	unsigned long rx_csum_partial;		/* ...and with a blank checksum */
	unsigned long rx_gso_checksum_fixup;	/* GSO without csum_blank */
	unsigned long rx_dropped;		/* all packets not delivered */
	unsigned long rx_malformed;		/* of which the frontend's fault */
	unsigned long rx_slot_overflow;		/* ...by using over 18 slots */
	unsigned long rx_copy_errors;		/* of which a grant copy failed */
	unsigned long rx_nomem;			/* of which dom0 lacked memory */
	unsigned long rx_csum_errors;		/* of which headers were bad */
	unsigned long rx_rate_limited;		/* times the credit ran out */
	unsigned long rx_mcast_updates;		/* multicast filter requests */
	unsigned long rx_notify;		/* events sent on the tx ring */
	unsigned long rx_copied;		/* packets delivered by grant copy */
	unsigned long rx_zerocopy_sent;		/* ...by grant map */
	unsigned long rx_zerocopy_success;	/* mapped, given back uncopied */
	unsigned long rx_zerocopy_fail;		/* mapped, copied by the stack */
	unsigned long rx_map_busy;		/* copied: no map slot free */
	unsigned long rx_map_hypercalls;	/* grant map hypercalls */
	unsigned long rx_map_pages;		/* grants they mapped */
	unsigned long rx_map_ns;		/* time spent in them */
	unsigned long rx_unmap_hypercalls;	/* grant unmap hypercalls */
	unsigned long rx_unmap_pages;		/* grants they unmapped */
	unsigned long rx_unmap_ns;		/* ...and their TLB flushes */
	unsigned long rx_map_errors;		/* grants not (un)mapped */
	/* Guest RX: what the vif transmits. */
	unsigned long tx_packets;
	unsigned long tx_bytes;
	unsigned long tx_gso;
	unsigned long tx_dropped;		/* all packets not delivered */
	unsigned long tx_expired;		/* of which waited too long */
	unsigned long tx_too_big;		/* of which needed too many slots */
	unsigned long tx_copy_errors;		/* grant copies that failed */
	unsigned long tx_stalls;		/* times the guest stopped taking */
	unsigned long tx_notify;		/* events sent on the rx ring */
	unsigned long tx_sibling_batched;	/* sent in another queue's batch */
};

/* Bits of xa_vif_queue.eoi_pending: which events await their EOI. */
#define XA_VIF_EOI_TX		BIT(0)	/* split: the tx channel */
#define XA_VIF_EOI_RX		BIT(1)	/* split: the rx channel */
#define XA_VIF_EOI_COMMON	BIT(2)	/* the one channel of both */

/* Guest-TX packets built in one batch before their copies are issued. */
struct xa_vif_tx_pending {
	struct sk_buff *skb;
	unsigned int first_slot;	/* index in queue->tx_slots */
	unsigned int first_op;		/* its copies in queue->tx_copy */
	unsigned int nr_ops;
	u16 map_head;			/* its first mapped slot, or NONE */
	bool failed;			/* a copy or map failed: drop it */
	struct xa_vif_tx_pkt pkt;
};

/*
 * Guest TX by grant map: a request whose data page is mapped and given to
 * the stack as an skb frag. The packet's first map carries the skb's
 * zero-copy completion; its others follow by @next. The request is
 * answered once the stack gave the page back and it was unmapped.
 */
struct xa_vif_tx_map {
	struct ubuf_info ubuf;		/* the first's: the skb's destructor_arg */
	struct xa_vif_queue *queue;
	struct page *page;		/* where the grant is mapped */
	grant_handle_t handle;		/* INVALID_GRANT_HANDLE: not mapped */
	u16 id;				/* the request's */
	s16 status;			/* its answer */
	u16 next;			/* the packet's next map, or NONE */
	unsigned int refs;		/* the page's count when it is ours alone */
	bool copied;			/* the stack copied the frags (first) */
	bool leaked;			/* could not be unmapped: never reused */
};

/*
 * Maps per queue: half a ring, so that a guest whose mapped packets the
 * stack holds (queued for a slow guest, say) keeps half its ring for
 * packets that are copied and answered at once.
 */
#define XA_VIF_TX_MAPS 128
#define XA_VIF_TX_MAP_NONE 0xffff
/* tx_status of a slot answered when its map is undone, not in order. */
#define XA_VIF_TX_DEFERRED 0x7fff

/*
 * A queue's guest TX by grant map, one allocation: the maps and the
 * pages they are for, a stack of the free ones, one batch's map
 * operations, the unmap operations. NAPI only, except done (under the
 * queue's tx_done_lock).
 */
struct xa_vif_tx_maps {
	struct xa_vif_tx_map map[XA_VIF_TX_MAPS];
	struct page *pages[XA_VIF_TX_MAPS];
	u16 free[XA_VIF_TX_MAPS];
	struct gnttab_map_grant_ref map_ops[XA_VIF_TX_MAPS];
	struct page *map_op_pages[XA_VIF_TX_MAPS];
	u16 map_op_slot[XA_VIF_TX_MAPS];	/* map op -> map index */
	u16 map_op_pending[XA_VIF_TX_MAPS];	/* map op -> tx_pending index */
	struct gnttab_unmap_grant_ref unmap_ops[XA_VIF_TX_MAPS];
	struct page *unmap_pages[XA_VIF_TX_MAPS];
	/*
	 * The first map of each packet the stack gave back: its zero-copy
	 * completion adds, from any context; NAPI takes them into
	 * done_taken to unmap them.
	 */
	u16 done[XA_VIF_TX_MAPS];
	u16 done_taken[XA_VIF_TX_MAPS];
};

struct xa_vif;

/*
 * What all vifs hold together, for debugfs (xenaccel/netback/totals):
 * each count goes up when a resource is taken and down when it is given
 * back, so all are zero once no vif is left.
 */
struct xa_vif_totals {
	atomic_t vifs;			/* net_devices registered */
	atomic_t queues;		/* queues with their buffers */
	atomic_t rings;			/* shared rings mapped (tx, rx, ctrl) */
	atomic_t irqs;			/* event channels bound */
	atomic_t threads;		/* guest-RX threads */
	atomic_t skbs;			/* packets queued for guest RX */
	atomic_t maps;			/* guest-TX grants mapped */
};

extern struct xa_vif_totals xa_vif_totals;

struct xa_vif_queue {
	struct xa_vif *vif;
	unsigned int id;
	char name[IFNAMSIZ + 8];	/* for the thread and interrupts */
	char tx_irq_name[IFNAMSIZ + 12];
	char rx_irq_name[IFNAMSIZ + 12];

	/* Guest TX: the tx ring, consumed by NAPI. */
	struct napi_struct napi;
	bool napi_added;
	bool counted;			/* in xa_vif_totals.queues */
	void *tx_sring;
	struct xenaccel_ring tx;
	unsigned int tx_irq;
	/* Slots copied off the ring and not answered yet (NAPI only). */
	union xa_vif_tx_slot *tx_slots;
	s16 *tx_status;			/* the answer for each, once known */
	unsigned int tx_nr_slots;
	struct xenaccel_copier tx_copy;
	struct page_pool *tx_pool;	/* the copies' pages; NULL: alloc_page() */
	u16 *tx_op_pending;		/* copy -> tx_pending index */
	struct xa_vif_tx_pending *tx_pending;
	unsigned int tx_nr_pending;
	/* Guest TX by grant map (disconnect once NAPI is gone). */
	struct xa_vif_tx_maps *tx_maps;
	unsigned int tx_nr_map_free;
	unsigned int tx_nr_map_ops;
	atomic_t tx_mapped;		/* maps in use */
	struct xa_vif_tx_cost tx_cost;
	spinlock_t tx_done_lock;	/* tx_maps->done, tx_nr_done */
	unsigned int tx_nr_done;
	struct work_struct tx_kick_work; /* NAPI for completions in a thread */
	struct xa_vif_credit credit;
	bool rate_limited;
	struct delayed_work credit_work;
	unsigned long bad_window;	/* jiffies: malformed-packet window */
	unsigned int bad_count;

	/* Guest RX: the rx ring, filled by the thread. */
	void *rx_sring;
	struct xenaccel_ring rx;
	unsigned int rx_irq;
	struct task_struct *rx_task;
	wait_queue_head_t rx_wq;
	bool rx_kick;			/* work may be waiting: set, wake */
	/*
	 * Packets to send to the guest: the stack's transmit path adds, the
	 * thread takes. rx_queue.lock also protects rx_queue_len.
	 */
	struct sk_buff_head rx_queue;
	unsigned int rx_queue_len;	/* bytes queued */
	unsigned int rx_queue_max;
	/*
	 * Held by whichever thread fills the rx ring: the queue's own, or
	 * another queue's of the vif sending this one's packets in its
	 * batch. It protects everything below up to eoi_pending.
	 */
	struct mutex rx_lock;
	/* Requests copied off the ring, a FIFO. */
	struct xen_netif_rx_request *rx_reqs;
	unsigned int rx_req_head, rx_req_count;
	union xa_vif_rx_rsp *rx_rsps;	/* one batch of responses */
	unsigned int rx_nr_rsp;		/* ...filled so far */
	struct xenaccel_copier rx_copy;	/* for the batches of this thread */
	struct xa_vif_rx_op *rx_ops;	/* ...and whose answer each copy is */
	unsigned long last_rx_time;	/* guest last gave us room */
	bool stalled;

	atomic_t eoi_pending;
	struct xa_vif_stats stats;
};

/* A guest-RX copy's answer: rx_rsps[rsp] of the vif's queue @queue. */
struct xa_vif_rx_op {
	u16 queue;
	u16 rsp;
};

/* A guest-RX ring slot's answer: data, or an extra-info. */
union xa_vif_rx_rsp {
	struct xen_netif_rx_response rsp;
	struct xen_netif_extra_info extra;
};

/* The hash configuration, replaced whole under RCU. */
struct xa_vif_hash_rcu {
	struct rcu_head rcu;
	struct xa_vif_hash hash;
};

#define XA_VIF_MCAST_MAX 64		/* as in-tree */
#define XA_VIF_MAX_QUEUES 64		/* whatever max_queues says */

/* Bits of xa_vif.flags. */
enum {
	XA_VIF_CONNECTED,		/* queues are up: carrier may be on */
	XA_VIF_UP,			/* ...and NAPI is enabled */
	XA_VIF_DISABLED,		/* the frontend broke the protocol */
};

struct xa_vif {
	domid_t domid;
	unsigned int handle;
	struct net_device *dev;
	struct xenbus_device *xbdev;
	unsigned long flags;
	u8 fe_mac[ETH_ALEN];

	/* Negotiated with the frontend at connect. */
	bool can_sg;
	bool ip_csum;
	bool ipv6_csum;
	bool rx_notify;			/* feature-rx-notify: stall detection */
	unsigned int gso_mask;		/* BIT(XEN_NETIF_GSO_TYPE_*) */
	unsigned int xdp_headroom;
	bool multicast_control;		/* filter guest RX by the list below */
	unsigned long stall_timeout;	/* jiffies, 0: never */
	unsigned long drain_timeout;	/* jiffies */

	/*
	 * The queues: set by connect and cleared by disconnect, both from
	 * the xenbus thread. The data paths and statistics read them under
	 * RCU (the stack holds it when transmitting); disconnect clears
	 * num_queues and waits for readers before freeing.
	 */
	struct xa_vif_queue *queues;
	unsigned int num_queues;
	unsigned int stalled_queues;	/* under lock */
	spinlock_t lock;		/* stalled_queues, carrier changes */
	struct xa_vif_stats closed_stats; /* from queues disconnected */
	atomic_long_t tx_dropped;	/* before reaching a queue */

	/* Multicast addresses the guest asked for (guest TX adds). */
	spinlock_t mcast_lock;
	u8 mcast[XA_VIF_MCAST_MAX][ETH_ALEN];
	unsigned int mcast_count;

	/* The control ring, served by ctrl_work. */
	void *ctrl_sring;
	struct xenaccel_ring ctrl;
	unsigned int ctrl_irq;
	struct work_struct ctrl_work;
	struct xenaccel_copier ctrl_copy;
	void *ctrl_buf;			/* a key or mapping table, copied */
	unsigned int ctrl_queues;	/* queues the frontend asked for */
	struct xa_vif_hash_rcu __rcu *hash;

	struct work_struct fatal_work;
	unsigned int max_queues;	/* offered at probe */
	struct dentry *debugfs;		/* xenaccel/netback/vifD.H */
};

/* interface.c */
struct xa_vif *xa_vif_alloc(struct xenbus_device *xbdev, unsigned int handle,
			    unsigned int max_queues);
void xa_vif_free(struct xa_vif *vif);
int xa_vif_connect_queue(struct xa_vif_queue *queue, grant_ref_t tx_ref,
			 grant_ref_t rx_ref, evtchn_port_t tx_evtchn,
			 evtchn_port_t rx_evtchn);
void xa_vif_disconnect_queue(struct xa_vif_queue *queue);
void xa_vif_carrier_on(struct xa_vif *vif, unsigned int num_queues);
void xa_vif_carrier_off(struct xa_vif *vif);
void xa_vif_fatal(struct xa_vif *vif, const char *why);
__printf(3, 4)
void xa_netbk_refuse(struct xenbus_device *dev, int err, const char *fmt, ...);
void xa_vif_stats_add(struct xa_vif_stats *sum, const struct xa_vif_stats *s);
bool xa_vif_mcast_match(struct xa_vif *vif, const u8 *addr);
int xa_vif_mcast_add(struct xa_vif *vif, const u8 *addr);
void xa_vif_mcast_del(struct xa_vif *vif, const u8 *addr);
void xa_vif_mcast_flush(struct xa_vif *vif);

/*
 * The connected queues' count, for readers under RCU: connect publishes
 * the queues before the count (smp_store_release), so a reader that sees
 * the count sees them.
 */
static inline unsigned int xa_vif_nr_queues(struct xa_vif *vif)
{
	/* Pairs with the smp_store_release() in xa_netbk_connect_queues(). */
	return smp_load_acquire(&vif->num_queues);
}

/* debugfs.c */
void xa_vif_debugfs_init(void);
void xa_vif_debugfs_exit(void);
void xa_vif_debugfs_add(struct xa_vif *vif);
void xa_vif_debugfs_remove(struct xa_vif *vif);

/* tx.c */
int xa_vif_tx_init(struct xa_vif_queue *queue);
void xa_vif_tx_deinit(struct xa_vif_queue *queue);
int xa_vif_poll(struct napi_struct *napi, int budget);
irqreturn_t xa_vif_tx_interrupt(int irq, void *data);
bool xa_vif_tx_event(struct xa_vif_queue *queue);
void xa_vif_tx_kick(struct xa_vif_queue *queue);
void xa_vif_credit_work(struct work_struct *work);

/* rx.c */
int xa_vif_rx_init(struct xa_vif_queue *queue);
void xa_vif_rx_deinit(struct xa_vif_queue *queue);
void xa_vif_rx_stop(struct xa_vif_queue *queue);
int xa_vif_rx_thread(void *data);
irqreturn_t xa_vif_rx_interrupt(int irq, void *data);
bool xa_vif_rx_event(struct xa_vif_queue *queue);
void xa_vif_rx_queue_tail(struct xa_vif_queue *queue, struct sk_buff *skb);

/* ctrl.c */
int xa_vif_connect_ctrl(struct xa_vif *vif, grant_ref_t ring_ref,
			evtchn_port_t evtchn, unsigned int nr_queues);
void xa_vif_disconnect_ctrl(struct xa_vif *vif);
u16 xa_vif_select_queue(struct net_device *dev, struct sk_buff *skb,
			struct net_device *sb_dev);
void xa_vif_hash_skb(const struct xa_vif_hash *hash, struct sk_buff *skb);

#ifdef XENACCEL_DEBUG
int xa_vif_selftest(void);
#else
static inline int xa_vif_selftest(void)
{
	return 0;
}
#endif

/* The common interrupt of a queue without split event channels. */
irqreturn_t xa_vif_interrupt(int irq, void *data);

/* Send the EOI of the events in @bits, if one of them is still owed. */
static inline void xa_vif_eoi(struct xa_vif_queue *queue, unsigned int irq,
			      int bits)
{
	if (atomic_fetch_andnot(bits, &queue->eoi_pending) & bits)
		xen_irq_lateeoi(irq, 0);
}

#endif /* XA_NETBACK_COMMON_H */
