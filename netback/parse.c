// SPDX-License-Identifier: GPL-2.0
/*
 * The netif protocol's rules as pure logic (see proto.h): also built into
 * the user-space unit tests, so it uses only what tests/unit/shim offers.
 */
#include <linux/errno.h>
#include <linux/if_ether.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/string.h>
#include <xen/page.h>

#include <xenaccel/xsnum.h>

#include "proto.h"

static enum xa_vif_tx_verdict
xa_vif_tx_verdict(struct xa_vif_tx_pkt *pkt, enum xa_vif_tx_verdict v,
		  const char *why)
{
	pkt->why = why;
	return v;
}

/*
 * The extra-info slots after the first slot. Each type is kept once (a
 * repeated type overrides, as in-tree netback does).
 */
static enum xa_vif_tx_verdict
xa_vif_tx_parse_extras(const union xa_vif_tx_slot *slots, unsigned int avail,
		       struct xa_vif_tx_pkt *pkt)
{
	const struct xen_netif_extra_info *extra;

	do {
		if (pkt->nr_slots >= avail)
			return XA_VIF_TX_INCOMPLETE;
		extra = &slots[pkt->nr_slots].extra;
		pkt->nr_slots++;
		pkt->nr_extras++;
		if (extra->type == XEN_NETIF_EXTRA_TYPE_NONE ||
		    extra->type >= XEN_NETIF_EXTRA_TYPE_MAX)
			return xa_vif_tx_verdict(pkt, XA_VIF_TX_FATAL,
						 "invalid extra-info type");
		pkt->extras[extra->type - 1] = *extra;
	} while (extra->flags & XEN_NETIF_EXTRA_FLAG_MORE);
	return XA_VIF_TX_OK;
}

static enum xa_vif_tx_verdict
xa_vif_tx_check_gso(struct xa_vif_tx_pkt *pkt)
{
	const struct xen_netif_extra_info *gso =
		&pkt->extras[XEN_NETIF_EXTRA_TYPE_GSO - 1];

	if (!gso->type)
		return XA_VIF_TX_OK;
	if (!gso->u.gso.size)
		return xa_vif_tx_verdict(pkt, XA_VIF_TX_FATAL, "GSO size 0");
	if (gso->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
	    gso->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6)
		return xa_vif_tx_verdict(pkt, XA_VIF_TX_FATAL, "unknown GSO type");
	return XA_VIF_TX_OK;
}

/**
 * xa_vif_tx_parse - parse and check one guest-TX packet's slot chain
 * @slots: private copies of the ring slots, the packet's first slot first
 * @avail: how many of them there are
 * @fatal_slots: data slots beyond the first at which the frontend is hostile
 * @pkt: filled in; for DROP and FATAL, nr_slots covers what was read
 *
 * The rules are netif.h's, applied as in-tree netback applies them, so a
 * frontend that works with one works with the other: a chain longer than
 * the ring has published, a slot crossing its page or an unknown
 * extra-info type is hostile; too many slots, a packet shorter than an
 * Ethernet header, or slot sizes that do not add up drop the packet.
 */
enum xa_vif_tx_verdict xa_vif_tx_parse(const union xa_vif_tx_slot *slots,
				       unsigned int avail,
				       unsigned int fatal_slots,
				       struct xa_vif_tx_pkt *pkt)
{
	const struct xen_netif_tx_request *first = &slots[0].req;
	const struct xen_netif_tx_request *txp = first;
	const char *drop = NULL;
	enum xa_vif_tx_verdict v;
	unsigned int remaining;

	memset(pkt, 0, sizeof(*pkt));
	if (!avail)
		return XA_VIF_TX_INCOMPLETE;
	pkt->flags = first->flags;
	pkt->len = first->size;
	pkt->nr_slots = 1;
	pkt->nr_data = 1;

	if (first->flags & XEN_NETTXF_extra_info) {
		v = xa_vif_tx_parse_extras(slots, avail, pkt);
		if (v != XA_VIF_TX_OK)
			return v;
	}
	/* A multicast update is the first slot and its extras, no data. */
	if (pkt->extras[XEN_NETIF_EXTRA_TYPE_MCAST_ADD - 1].type ||
	    pkt->extras[XEN_NETIF_EXTRA_TYPE_MCAST_DEL - 1].type)
		return XA_VIF_TX_MCAST;

	remaining = first->size;
	while (txp->flags & XEN_NETTXF_more_data) {
		unsigned int frags = pkt->nr_data - 1;

		if (pkt->nr_slots >= avail)
			return XA_VIF_TX_INCOMPLETE;
		if (frags >= fatal_slots)
			return xa_vif_tx_verdict(pkt, XA_VIF_TX_FATAL,
						 "too many slots");
		if (!drop && frags >= XA_VIF_TX_DROP_SLOTS)
			drop = "too many slots";
		txp = &slots[pkt->nr_slots].req;
		pkt->nr_slots++;
		pkt->nr_data++;
		/*
		 * A frame of 64 KiB or more overflows the first slot's size:
		 * buggy frontends do that, so it is a drop, not an attack.
		 */
		if (!drop && txp->size > remaining)
			drop = "slot sizes exceed the packet size";
		if (!drop)
			remaining -= txp->size;
		if ((unsigned int)txp->offset + txp->size > XEN_PAGE_SIZE)
			return xa_vif_tx_verdict(pkt, XA_VIF_TX_FATAL,
						 "slot crosses its page");
	}
	if (drop)
		return xa_vif_tx_verdict(pkt, XA_VIF_TX_DROP, drop);
	pkt->first_len = remaining;
	if (pkt->len < ETH_HLEN)
		return xa_vif_tx_verdict(pkt, XA_VIF_TX_DROP,
					 "packet shorter than an Ethernet header");
	if ((unsigned int)first->offset + pkt->first_len > XEN_PAGE_SIZE)
		return xa_vif_tx_verdict(pkt, XA_VIF_TX_FATAL,
					 "slot crosses its page");
	return xa_vif_tx_check_gso(pkt);
}

/**
 * xa_vif_toeplitz - the Toeplitz hash of @data under @key
 * @key: the key; octets past @keylen count as zero
 * @keylen: its length
 * @data: the input (addresses, then ports, in network order)
 * @len: its length
 */
u32 xa_vif_toeplitz(const u8 *key, unsigned int keylen, const u8 *data,
		    unsigned int len)
{
	unsigned int i, bit, next = 0;
	u64 window = 0;
	u32 hash = 0;

	/* The top 32 bits of the window are the key bits for the next bit. */
	for (; next < 8; next++)
		window = (window << 8) | (next < keylen ? key[next] : 0);
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			if (data[i] & (0x80 >> bit))
				hash ^= (u32)(window >> 32);
			window <<= 1;
		}
		window |= next < keylen ? key[next] : 0;
		next++;
	}
	return hash;
}

/* The queue a packet with hash @value goes to. */
unsigned int xa_vif_hash_queue(const struct xa_vif_hash *hash, u32 value,
			       unsigned int nr_queues)
{
	unsigned int q;

	if (hash->size)
		q = hash->mapping[value % hash->size];
	else
		q = value % nr_queues;
	/* Mappings were checked against the queues when set. */
	return q < nr_queues ? q : 0;
}

/*
 * Bytes to copy from the grant in data[0] before handling @req: a key or
 * (part of) a mapping table. 0 if the request names none, or names too
 * much; the handler then answers without looking.
 */
unsigned int xa_vif_ctrl_copy_len(const struct xen_netif_ctrl_request *req,
				  const struct xa_vif_hash *hash)
{
	switch (req->type) {
	case XEN_NETIF_CTRL_TYPE_SET_HASH_KEY:
		return req->data[1] <= XA_VIF_HASH_KEY_MAX ? req->data[1] : 0;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING:
		if (req->data[1] > XA_VIF_HASH_MAPPING_MAX ||
		    req->data[2] > hash->size ||
		    req->data[1] > hash->size - req->data[2])
			return 0;
		return req->data[1] * sizeof(u32);
	default:
		return 0;
	}
}

static u32 xa_vif_ctrl_set_mapping(struct xa_vif_hash *hash,
				   const struct xen_netif_ctrl_request *req,
				   const u32 *table, bool copied,
				   unsigned int nr_queues)
{
	u32 len = req->data[1], off = req->data[2], i;

	if (!xa_vif_ctrl_copy_len(req, hash) && len)
		return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	if (len && !copied)
		return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	for (i = 0; i < len; i++)
		if (table[i] >= nr_queues)
			return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	if (len)
		memcpy(&hash->mapping[off], table, len * sizeof(u32));
	return XEN_NETIF_CTRL_STATUS_SUCCESS;
}

/**
 * xa_vif_ctrl_handle - answer one control-ring request
 * @hash: the configuration, changed in place on success
 * @req: the request, a private copy
 * @data: what xa_vif_ctrl_copy_len() asked to be copied from data[0]
 * @copied: whether that copy succeeded
 * @nr_queues: the frontend's queues (mappings must name one)
 * @rsp: the response, filled in completely
 *
 * Statuses are netif.h's. The staging-grant messages, and any unknown
 * type, are answered NOT_SUPPORTED.
 *
 * Return: true if @hash changed.
 */
bool xa_vif_ctrl_handle(struct xa_vif_hash *hash,
			const struct xen_netif_ctrl_request *req,
			const void *data, bool copied, unsigned int nr_queues,
			struct xen_netif_ctrl_response *rsp)
{
	u32 status = XEN_NETIF_CTRL_STATUS_SUCCESS, out = 0, len;
	bool changed = false;

	switch (req->type) {
	case XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM:
		if (req->data[0] != XEN_NETIF_CTRL_HASH_ALGORITHM_NONE &&
		    req->data[0] != XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ) {
			status = XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
			break;
		}
		hash->alg = req->data[0];
		if (hash->alg == XEN_NETIF_CTRL_HASH_ALGORITHM_NONE)
			hash->flags = 0;
		changed = true;
		break;
	case XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS:
		out = XA_VIF_HASH_FLAGS_SUPPORTED;
		break;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS:
		if (req->data[0] & ~XA_VIF_HASH_FLAGS_SUPPORTED ||
		    hash->alg == XEN_NETIF_CTRL_HASH_ALGORITHM_NONE) {
			status = XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
			break;
		}
		hash->flags = req->data[0];
		changed = true;
		break;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_KEY:
		len = req->data[1];
		if (len > XA_VIF_HASH_KEY_MAX) {
			status = XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW;
			break;
		}
		if (len && !copied) {
			status = XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
			break;
		}
		/* Octets not given are zero; no key at all hashes to 0. */
		memset(hash->key, 0, sizeof(hash->key));
		if (len)
			memcpy(hash->key, data, len);
		changed = true;
		break;
	case XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE:
		out = XA_VIF_HASH_MAPPING_MAX;
		break;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE:
		if (req->data[0] > XA_VIF_HASH_MAPPING_MAX) {
			status = XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
			break;
		}
		hash->size = req->data[0];
		memset(hash->mapping, 0, sizeof(hash->mapping));
		changed = true;
		break;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING:
		status = xa_vif_ctrl_set_mapping(hash, req, data, copied,
						 nr_queues);
		changed = status == XEN_NETIF_CTRL_STATUS_SUCCESS;
		break;
	default:
		status = XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED;
		break;
	}
	memset(rsp, 0, sizeof(*rsp));
	rsp->id = req->id;
	rsp->type = req->type;
	rsp->status = status;
	rsp->data = out;
	return changed;
}

/**
 * xa_vif_parse_rate - parse the toolstack's "rate" key
 * @s: "BYTES,USEC": at most BYTES every USEC microseconds
 * @bytes: out
 * @usec: out
 *
 * Return: false if @s is malformed (the caller then leaves traffic
 * unlimited, as in-tree netback does).
 */
bool xa_vif_parse_rate(const char *s, unsigned long *bytes,
		       unsigned long *usec)
{
	unsigned long b, u;

	if (!xa_parse_decimal(&s, &b) || *s++ != ',' ||
	    !xa_parse_decimal(&s, &u) || *s)
		return false;
	*bytes = b;
	*usec = u;
	return true;
}

/**
 * xa_vif_parse_mtu - parse the toolstack's "mtu" key
 * @s: a decimal number of octets, nothing before or after it
 * @min: the smallest MTU the vif takes
 * @max: the largest MTU the vif can carry now
 * @mtu: out, unless the key is refused
 *
 * libxl writes the key; anyone who can write the backend's directory may
 * have written anything, so a value that is no number, or too small to
 * carry an IPv4 header, is refused, and one too large for the vif (or
 * past what an unsigned long holds) is clamped to @max.
 */
enum xa_vif_mtu_verdict xa_vif_parse_mtu(const char *s, unsigned int min,
					 unsigned int max, unsigned int *mtu)
{
	unsigned long v;
	const char *p = s;
	bool overflow = false;

	if (!xa_parse_decimal(&p, &v)) {
		/* All digits, yet too many of them: absurdly large. */
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == s)
			return XA_VIF_MTU_BAD;
		overflow = true;
	}
	if (*p)
		return XA_VIF_MTU_BAD;
	if (!overflow && v < min)
		return XA_VIF_MTU_BAD;
	if (overflow || v > max) {
		*mtu = max;
		return XA_VIF_MTU_CLAMPED;
	}
	*mtu = v;
	return XA_VIF_MTU_OK;
}

/* Credit for a new window, saturating, and bounded by the burst. */
static void xa_vif_credit_refill(struct xa_vif_credit *c, unsigned int size)
{
	/* A packet larger than a window's credit may still go, in time. */
	unsigned long burst = max_t(unsigned long, c->bytes,
				    min_t(unsigned long, size, 131072));
	unsigned long credit = c->remaining + c->bytes;

	if (credit < c->remaining)
		credit = ULONG_MAX;
	c->remaining = min(credit, burst);
}

/**
 * xa_vif_credit_take - charge a guest-TX packet against the credit
 * @c: the queue's credit
 * @size: the packet's bytes
 * @now: jiffies
 * @retry_at: when the packet could go, if it cannot now
 *
 * Return: true if the packet may go now (its size is charged).
 */
bool xa_vif_credit_take(struct xa_vif_credit *c, unsigned int size,
			unsigned long now, unsigned long *retry_at)
{
	unsigned long next = c->window_start + c->window;

	if (c->bytes == ULONG_MAX)
		return true;
	if (size > c->remaining && time_after_eq(now, next)) {
		c->window_start = now;
		next = now + c->window;
		xa_vif_credit_refill(c, size);
	}
	if (size > c->remaining) {
		*retry_at = next;
		return false;
	}
	c->remaining -= size;
	return true;
}

/* Ring slots a guest-RX packet's data takes, each slot after @headroom. */
unsigned int xa_vif_rx_slots(unsigned int len, unsigned int headroom)
{
	unsigned int per_slot = XEN_PAGE_SIZE - headroom;

	return len ? DIV_ROUND_UP(len, per_slot) : 1;
}

/* Move a moving average 1/8 of the way to @sample; the first sets it. */
static u32 xa_vif_ewma(u32 avg, u64 sample)
{
	u32 s = min_t(u64, sample, 0xffffffffULL);

	if (!avg)
		return s ?: 1;
	if (s >= avg)
		return avg + (s - avg) / 8;
	return avg - (avg - s) / 8;
}

/*
 * A batch of whole packets' grant copies took @ns for @bytes in @ops
 * copies: a sample of the cost per KiB if the copies were large enough.
 */
void xa_vif_tx_cost_copy(struct xa_vif_tx_cost *c, u64 ns, u64 bytes,
			 u64 ops)
{
	if (bytes && bytes >= ops * XA_VIF_TX_COST_MIN_COPY)
		c->copy_kib = xa_vif_ewma(c->copy_kib,
					  div64_u64(ns * 16 * 1024, bytes));
}

/* A map hypercall took @ns for @pages. */
void xa_vif_tx_cost_map(struct xa_vif_tx_cost *c, u64 ns, unsigned int pages)
{
	if (pages)
		c->map_page = xa_vif_ewma(c->map_page, div_u64(ns * 16, pages));
}

/* An unmap hypercall took @ns for @pages. */
void xa_vif_tx_cost_unmap(struct xa_vif_tx_cost *c, u64 ns,
			  unsigned int pages)
{
	if (pages)
		c->unmap_page = xa_vif_ewma(c->unmap_page,
					    div_u64(ns * 16, pages));
}

/* A mapped packet came back from the stack, @copied by it or not. */
void xa_vif_tx_cost_zerocopy(struct xa_vif_tx_cost *c, bool copied)
{
	u32 s = copied ? 1024 : 0;

	/* Not xa_vif_ewma(): 0 is a value here, not "unmeasured". */
	if (s >= c->copied)
		c->copied += (s - c->copied + 7) / 8;
	else
		c->copied -= (c->copied - s + 7) / 8;
}

/* A batch of packets was delivered: the next one may be a probe. */
void xa_vif_tx_cost_batch(struct xa_vif_tx_cost *c)
{
	if (++c->batches >= XA_VIF_TX_COST_PROBE)
		c->batches = 0;
	c->probe = !c->batches;
}

/**
 * xa_vif_tx_cost_map_better - map a packet's data rather than copy it?
 * @c: the queue's measurements
 * @bytes: the packet's bytes past its copied headers
 * @pages: the pages (grants) they lie in
 *
 * Mapping costs a map and an unmap per page, plus, for the share of
 * packets the stack copies anyway, a copy (costed as a grant copy);
 * copying costs its bytes. The copy is measured first, then the map
 * (the first mapped packets measure it); in a probe batch the answer is
 * the dearer way.
 */
bool xa_vif_tx_cost_map_better(const struct xa_vif_tx_cost *c,
			       unsigned int bytes, unsigned int pages)
{
	u64 copy, map;

	if (!c->copy_kib)
		return false;
	if (!c->map_page || !c->unmap_page)
		return true;
	copy = (u64)c->copy_kib * bytes;
	map = ((u64)c->map_page + c->unmap_page) * pages * 1024 +
	      div_u64(copy * c->copied, 1024);
	return (map < copy) != c->probe;
}
