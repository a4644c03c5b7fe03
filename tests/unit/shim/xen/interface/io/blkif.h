/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The blkif protocol as Linux declares it (one packed request with a union
 * per operation), spelled out from the ABI for the unit tests: Xen's own
 * user-space blkif.h declares the same bytes with other C types.
 */
#ifndef XENACCEL_SHIM_BLKIF_H
#define XENACCEL_SHIM_BLKIF_H

#include "../../../shim.h"
#include <xen/interface/io/ring.h>

typedef u16 blkif_vdev_t;
typedef u64 blkif_sector_t;

#define BLKIF_OP_READ			0
#define BLKIF_OP_WRITE			1
#define BLKIF_OP_WRITE_BARRIER		2
#define BLKIF_OP_FLUSH_DISKCACHE	3
#define BLKIF_OP_DISCARD		5
#define BLKIF_OP_INDIRECT		6
#define BLKIF_MAX_SEGMENTS_PER_REQUEST	11
#define BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST 8
#define BLKIF_DISCARD_SECURE		(1 << 0)
#define BLKIF_RSP_EOPNOTSUPP		-2
#define BLKIF_RSP_ERROR			-1
#define BLKIF_RSP_OKAY			0

struct blkif_request_segment {
	grant_ref_t gref;
	u8 first_sect, last_sect;
};

struct blkif_request {
	u8 operation;
	union {
		struct {
			u8 nr_segments;
			blkif_vdev_t handle;
			u32 _pad1;
			u64 id;
			blkif_sector_t sector_number;
			struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
		} __packed rw;
		struct {
			u8 flag;
			blkif_vdev_t _pad1;
			u32 _pad2;
			u64 id;
			blkif_sector_t sector_number;
			u64 nr_sectors;
			u8 _pad3;
		} __packed discard;
		struct {
			u8 _pad1;
			blkif_vdev_t _pad2;
			u32 _pad3;
			u64 id;
		} __packed other;
		struct {
			u8 indirect_op;
			u16 nr_segments;
			u32 _pad1;
			u64 id;
			blkif_sector_t sector_number;
			blkif_vdev_t handle;
			u16 _pad2;
			grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
			u32 _pad3;
		} __packed indirect;
	} u;
} __packed;

struct blkif_response {
	u64 id;
	u8 operation;
	s16 status;
};

DEFINE_RING_TYPES(blkif, struct blkif_request, struct blkif_response);

#endif /* XENACCEL_SHIM_BLKIF_H */
