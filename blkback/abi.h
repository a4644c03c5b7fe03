/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The blkif request layouts xenaccel_blkback accepts, and the validated
 * form every request is turned into before the data path sees it.
 *
 * A 64-bit dom0 builds Xen's blkif.h with the x86_64 layout, which is what
 * the "x86_64-abi" protocol and frontends that write no protocol use. A
 * 32-bit frontend ("x86_32-abi") packs the same fields without the 32-bit
 * padding before each id: that layout is spelled out here.
 */
#ifndef XA_BLKIF_ABI_H
#define XA_BLKIF_ABI_H

#include <linux/types.h>
#include <xen/interface/io/blkif.h>
#include <xen/page.h>

enum xa_blkif_abi {
	XA_BLKIF_ABI_NATIVE,
	XA_BLKIF_ABI_X86_32,
};

struct xa_blkif_x86_32_request_rw {
	u8 nr_segments;
	blkif_vdev_t handle;
	u64 id;
	blkif_sector_t sector_number;
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
} __packed;

struct xa_blkif_x86_32_request_discard {
	u8 flag;
	blkif_vdev_t _pad1;
	u64 id;
	blkif_sector_t sector_number;
	u64 nr_sectors;
} __packed;

struct xa_blkif_x86_32_request_other {
	u8 _pad1;
	blkif_vdev_t _pad2;
	u64 id;
} __packed;

struct xa_blkif_x86_32_request_indirect {
	u8 indirect_op;
	u16 nr_segments;
	u64 id;
	blkif_sector_t sector_number;
	blkif_vdev_t handle;
	u16 _pad2;
	grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	u64 _pad3;
} __packed;

struct xa_blkif_x86_32_request {
	u8 operation;
	union {
		struct xa_blkif_x86_32_request_rw rw;
		struct xa_blkif_x86_32_request_discard discard;
		struct xa_blkif_x86_32_request_other other;
		struct xa_blkif_x86_32_request_indirect indirect;
	} u;
} __packed;

/* i386 aligns u64 to 4 bytes: 12 bytes, where x86_64 needs 16. */
struct xa_blkif_x86_32_response {
	u64 id;
	u8 operation;
	s16 status;
} __packed __aligned(4);

DEFINE_RING_TYPES(xa_blkif_x86_32, struct xa_blkif_x86_32_request,
		  struct xa_blkif_x86_32_response);

/* Segments one indirect page holds. */
#define XA_BLKIF_SEGS_PER_INDIRECT_PAGE \
	(XEN_PAGE_SIZE / sizeof(struct blkif_request_segment))
/* The most segments any request can name. */
#define XA_BLKIF_MAX_INDIRECT_SEGS \
	(BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST * XA_BLKIF_SEGS_PER_INDIRECT_PAGE)

/* 512-byte sectors in one Xen page: a segment's last_sect is below this. */
#define XA_BLKIF_SECTORS_PER_PAGE (XEN_PAGE_SIZE >> 9)

/* A request after parsing: every field checked, nothing shared. */
struct xa_blkif_req {
	u64 id;
	u8 operation;		/* for the response: as sent, inner if indirect */
	u8 op;			/* what to do: indirect unwrapped */
	bool indirect;
	bool secure;		/* secure discard */
	u16 handle;
	unsigned int nr_segs;
	unsigned int nr_indirect_pages;
	blkif_sector_t sector;
	u64 nr_sectors;		/* discard only */
	grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	struct blkif_request_segment segs[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};

/*
 * What a frontend wrote in xenstore about its rings, as the strings it
 * wrote (NULL: key absent), and what the backend makes of them.
 */
struct xa_blkif_fe_keys {
	const char *protocol;
	const char *nr_queues;		/* multi-queue-num-queues */
	const char *ring_order;		/* ring-page-order */
};

struct xa_blkif_geometry {
	enum xa_blkif_abi abi;
	unsigned int nr_queues;
	int ring_order;		/* -1: one page, named ring-ref */
};

int xa_blkif_parse_fe_keys(const struct xa_blkif_fe_keys *keys,
			   unsigned int max_queues, unsigned int max_order,
			   struct xa_blkif_geometry *geo, const char **why);

size_t xa_blkif_request_size(enum xa_blkif_abi abi);
int xa_blkif_parse(const void *raw, enum xa_blkif_abi abi,
		   unsigned int max_indirect_segs, struct xa_blkif_req *req);
bool xa_blkif_segment_ok(const struct blkif_request_segment *seg);
int xa_blkif_copy_indirect(struct blkif_request_segment *dst,
			   void *const *pages, unsigned int nr_segs);
int xa_blkif_check_range(blkif_sector_t sector, u64 nr_sectors,
			 sector_t dev_sectors, unsigned int block_sectors);

#endif /* XA_BLKIF_ABI_H */
