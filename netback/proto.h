/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The netif protocol's rules, as pure logic with no kernel state: guest-TX
 * slot chains and their extra-info slots, the control ring's hash
 * messages, Toeplitz hashing, credit-based rate limiting and guest-RX slot
 * accounting. parse.c implements them; it is built into the module and
 * into the user-space unit tests and fuzzers.
 *
 * Everything here works on private copies of what the frontend wrote:
 * xenaccel_ring_copy_requests() copied the slots out of the shared ring,
 * and control messages' grant contents were copied before they are seen.
 */
#ifndef XA_NETBACK_PROTO_H
#define XA_NETBACK_PROTO_H

#include <linux/types.h>
#include <xen/interface/io/netif.h>

/*
 * Data slots a guest-TX packet may use, beyond the first, before it is
 * dropped: netif.h promises frontends XEN_NETIF_NR_SLOTS_MIN, and in-tree
 * netback drops from that many onwards, so do we.
 */
#define XA_VIF_TX_DROP_SLOTS XEN_NETIF_NR_SLOTS_MIN
/* ...and beyond which the frontend is taken as hostile (fatal_skb_slots). */
#define XA_VIF_TX_FATAL_SLOTS 20
#define XA_VIF_TX_FATAL_SLOTS_MAX 64
#define XA_VIF_NR_EXTRAS (XEN_NETIF_EXTRA_TYPE_MAX - 1)

/* One TX ring slot, copied out of the ring: a request or an extra-info. */
union xa_vif_tx_slot {
	struct xen_netif_tx_request req;
	struct xen_netif_extra_info extra;
};

enum xa_vif_tx_verdict {
	XA_VIF_TX_OK,
	XA_VIF_TX_INCOMPLETE,	/* the chain goes on past the slots given */
	XA_VIF_TX_MCAST,	/* a multicast filter update, carrying no data */
	XA_VIF_TX_DROP,		/* malformed: answer with errors and count it */
	XA_VIF_TX_FATAL,	/* hostile: disconnect the frontend */
};

/* A guest-TX packet as parsed; data slot 0 is the first slot. */
struct xa_vif_tx_pkt {
	unsigned int nr_slots;	/* ring slots the packet takes, all kinds */
	unsigned int nr_extras;	/* extra-info slots, right after the first */
	unsigned int nr_data;	/* data slots: the first, then the rest */
	unsigned int len;	/* packet bytes (the first slot's size) */
	unsigned int first_len;	/* bytes in the first slot */
	u16 flags;		/* XEN_NETTXF_* of the first slot */
	const char *why;	/* for DROP and FATAL: what was wrong */
	/* Extra-info by type (index type - 1); .type is 0 where absent. */
	struct xen_netif_extra_info extras[XA_VIF_NR_EXTRAS];
};

enum xa_vif_tx_verdict xa_vif_tx_parse(const union xa_vif_tx_slot *slots,
				       unsigned int avail,
				       unsigned int fatal_slots,
				       struct xa_vif_tx_pkt *pkt);

/* The request of data slot @i (0 is the first slot) of a parsed packet. */
static inline const struct xen_netif_tx_request *
xa_vif_tx_data_slot(const union xa_vif_tx_slot *slots,
		    const struct xa_vif_tx_pkt *pkt, unsigned int i)
{
	return &slots[i ? pkt->nr_extras + i : 0].req;
}

/* Bytes carried by data slot @i of a parsed packet. */
static inline unsigned int
xa_vif_tx_data_len(const union xa_vif_tx_slot *slots,
		   const struct xa_vif_tx_pkt *pkt, unsigned int i)
{
	return i ? xa_vif_tx_data_slot(slots, pkt, i)->size : pkt->first_len;
}

/* Toeplitz hashing, configured over the control ring. */
#define XA_VIF_HASH_KEY_MAX 40		/* octets, as in-tree */
#define XA_VIF_HASH_MAPPING_MAX 128	/* entries, as in-tree */
#define XA_VIF_HASH_FLAGS_SUPPORTED (XEN_NETIF_CTRL_HASH_TYPE_IPV4 |	\
				     XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP | \
				     XEN_NETIF_CTRL_HASH_TYPE_IPV6 |	\
				     XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP)

struct xa_vif_hash {
	u32 alg;			/* XEN_NETIF_CTRL_HASH_ALGORITHM_* */
	u32 flags;			/* XEN_NETIF_CTRL_HASH_TYPE_* */
	u8 key[XA_VIF_HASH_KEY_MAX];
	u32 size;			/* mapping entries; 0: hash % queues */
	u32 mapping[XA_VIF_HASH_MAPPING_MAX];
};

u32 xa_vif_toeplitz(const u8 *key, unsigned int keylen, const u8 *data,
		    unsigned int len);
unsigned int xa_vif_hash_queue(const struct xa_vif_hash *hash, u32 value,
			       unsigned int nr_queues);
unsigned int xa_vif_ctrl_copy_len(const struct xen_netif_ctrl_request *req,
				  const struct xa_vif_hash *hash);
bool xa_vif_ctrl_handle(struct xa_vif_hash *hash,
			const struct xen_netif_ctrl_request *req,
			const void *data, bool copied, unsigned int nr_queues,
			struct xen_netif_ctrl_response *rsp);

/* Credit-based limiting of guest TX (the toolstack's "rate" key). */
struct xa_vif_credit {
	unsigned long bytes;		/* per window; ~0UL: unlimited */
	unsigned long window;		/* window length, in jiffies */
	unsigned long remaining;	/* bytes left in this window */
	unsigned long window_start;	/* jiffies */
};

bool xa_vif_parse_rate(const char *s, unsigned long *bytes,
		       unsigned long *usec);
bool xa_vif_credit_take(struct xa_vif_credit *c, unsigned int size,
			unsigned long now, unsigned long *retry_at);

/* The toolstack's "mtu" key, checked against what the vif can carry. */
enum xa_vif_mtu_verdict {
	XA_VIF_MTU_OK,
	XA_VIF_MTU_CLAMPED,	/* over @max: *mtu is @max */
	XA_VIF_MTU_BAD,		/* not a number, or under @min: *mtu untouched */
};

enum xa_vif_mtu_verdict xa_vif_parse_mtu(const char *s, unsigned int min,
					 unsigned int max, unsigned int *mtu);

unsigned int xa_vif_rx_slots(unsigned int len, unsigned int headroom);

/*
 * Guest TX by grant copy or by grant map, chosen per packet from what each
 * costs here, measured as the data path runs: moving averages (1/8 weight
 * to each new sample) of the copy hypercall's time per KiB, the map and
 * the unmap hypercalls' (with its TLB flush) per page, and the share of
 * mapped packets the stack copied anyway (delivered to a local socket,
 * say), for which the mapping bought nothing. Times are in 1/16 ns.
 *
 * Only batches that copied whole packets, in copies of 256 bytes or more
 * on average, tell the copy's cost per KiB (a batch holding mapped
 * packets copies only their headers; one of small packets measures the
 * cost per copy, not per KiB). So that both ways stay measured, one batch
 * in XA_VIF_TX_COST_PROBE goes the way that looks dearer.
 */
struct xa_vif_tx_cost {
	u32 copy_kib;		/* grant copy, per KiB */
	u32 map_page;		/* map hypercall, per page */
	u32 unmap_page;		/* unmap hypercall, per page */
	u32 copied;		/* mapped packets copied by the stack, of 1024 */
	u32 batches;		/* batches since the last probe */
	bool probe;		/* this batch goes the other way */
};

#define XA_VIF_TX_COST_PROBE 32
/* Bytes per copy below which a batch does not tell the cost per KiB. */
#define XA_VIF_TX_COST_MIN_COPY 256

void xa_vif_tx_cost_copy(struct xa_vif_tx_cost *c, u64 ns, u64 bytes,
			 u64 ops);
void xa_vif_tx_cost_map(struct xa_vif_tx_cost *c, u64 ns, unsigned int pages);
void xa_vif_tx_cost_unmap(struct xa_vif_tx_cost *c, u64 ns,
			  unsigned int pages);
void xa_vif_tx_cost_zerocopy(struct xa_vif_tx_cost *c, bool copied);
void xa_vif_tx_cost_batch(struct xa_vif_tx_cost *c);
bool xa_vif_tx_cost_map_better(const struct xa_vif_tx_cost *c,
			       unsigned int bytes, unsigned int pages);

#endif /* XA_NETBACK_PROTO_H */
