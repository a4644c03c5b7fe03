/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The netif protocol as Linux names it (xen_netif_*, XEN_NETTXF_*), spelled
 * out from the ABI for the unit tests: Xen's own user-space netif.h has
 * the same bytes under older names. Only what netback's pure logic uses.
 */
#ifndef XENACCEL_SHIM_NETIF_H
#define XENACCEL_SHIM_NETIF_H

#include "../../../shim.h"
#include <xen/interface/io/ring.h>

#define XEN_NETIF_NR_SLOTS_MIN 18
#define XEN_NETIF_MAX_TX_SIZE 0xFFFF
#define XEN_NETIF_MAX_XDP_HEADROOM 0x7FFF

#define _XEN_NETIF_CTRL_HASH_TYPE_IPV4		0
#define XEN_NETIF_CTRL_HASH_TYPE_IPV4		(1 << 0)
#define _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP	1
#define XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP	(1 << 1)
#define _XEN_NETIF_CTRL_HASH_TYPE_IPV6		2
#define XEN_NETIF_CTRL_HASH_TYPE_IPV6		(1 << 2)
#define _XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP	3
#define XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP	(1 << 3)
#define XEN_NETIF_CTRL_HASH_ALGORITHM_NONE	0
#define XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ	1

struct xen_netif_ctrl_request {
	u16 id;
	u16 type;
	u32 data[3];
};

#define XEN_NETIF_CTRL_TYPE_INVALID			0
#define XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS		1
#define XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS		2
#define XEN_NETIF_CTRL_TYPE_SET_HASH_KEY		3
#define XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE	4
#define XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE	5
#define XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING		6
#define XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM		7

struct xen_netif_ctrl_response {
	u16 id;
	u16 type;
	u32 status;
	u32 data;
};

#define XEN_NETIF_CTRL_STATUS_SUCCESS			0
#define XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED		1
#define XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER		2
#define XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW		3

#define _XEN_NETTXF_csum_blank		0
#define XEN_NETTXF_csum_blank		(1U << 0)
#define _XEN_NETTXF_data_validated	1
#define XEN_NETTXF_data_validated	(1U << 1)
#define _XEN_NETTXF_more_data		2
#define XEN_NETTXF_more_data		(1U << 2)
#define _XEN_NETTXF_extra_info		3
#define XEN_NETTXF_extra_info		(1U << 3)

struct xen_netif_tx_request {
	grant_ref_t gref;
	u16 offset;
	u16 flags;
	u16 id;
	u16 size;
};

#define XEN_NETIF_EXTRA_TYPE_NONE	0
#define XEN_NETIF_EXTRA_TYPE_GSO	1
#define XEN_NETIF_EXTRA_TYPE_MCAST_ADD	2
#define XEN_NETIF_EXTRA_TYPE_MCAST_DEL	3
#define XEN_NETIF_EXTRA_TYPE_HASH	4
#define XEN_NETIF_EXTRA_TYPE_XDP	5
#define XEN_NETIF_EXTRA_TYPE_MAX	6

#define XEN_NETIF_EXTRA_FLAG_MORE	(1U << 0)

#define XEN_NETIF_GSO_TYPE_NONE		0
#define XEN_NETIF_GSO_TYPE_TCPV4	1
#define XEN_NETIF_GSO_TYPE_TCPV6	2

struct xen_netif_extra_info {
	u8 type;
	u8 flags;
	union {
		struct {
			u16 size;
			u8 type;
			u8 pad;
			u16 features;
		} gso;
		struct {
			u8 addr[6];
		} mcast;
		struct {
			u8 type;
			u8 algorithm;
			u8 value[4];
		} hash;
		struct {
			u16 headroom;
			u16 pad[2];
		} xdp;
		u16 pad[3];
	} u;
};

struct xen_netif_tx_response {
	u16 id;
	s16 status;
};

struct xen_netif_rx_request {
	u16 id;
	u16 pad;
	grant_ref_t gref;
};

#define XEN_NETIF_RSP_DROPPED	-2
#define XEN_NETIF_RSP_ERROR	-1
#define XEN_NETIF_RSP_OKAY	0
#define XEN_NETIF_RSP_NULL	1

#endif
