// SPDX-License-Identifier: GPL-2.0
/*
 * Turning a frontend's request into something the backend can trust.
 *
 * Everything here works on private copies: xenaccel_ring_copy_requests()
 * copied the request out of the ring, and xa_blkif_copy_indirect() copies
 * indirect segments out of their (guest-writable) pages before checking
 * them. Pure logic with no kernel state, also built into the user-space
 * unit tests and fuzzers.
 */
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <xen/interface/io/protocols.h>

#include <xenaccel/xsnum.h>

#include "abi.h"

/**
 * xa_blkif_parse_fe_keys - decide a connection's rings from the frontend's keys
 * @keys: what the frontend wrote (absent keys NULL)
 * @max_queues: the most rings this backend offered
 * @max_order: the largest ring-page-order it offered
 * @geo: the result, written only on success
 * @why: on failure, what was wrong (for the frontend's error node)
 *
 * Absent keys mean a frontend from before the feature: native protocol,
 * one queue, one page named ring-ref.
 */
int xa_blkif_parse_fe_keys(const struct xa_blkif_fe_keys *keys,
			   unsigned int max_queues, unsigned int max_order,
			   struct xa_blkif_geometry *geo, const char **why)
{
	struct xa_blkif_geometry g = {
		.abi = XA_BLKIF_ABI_NATIVE, .nr_queues = 1, .ring_order = -1,
	};
	u32 v;

	if (keys->protocol) {
		if (!strcmp(keys->protocol, XEN_IO_PROTO_ABI_X86_32)) {
			g.abi = XA_BLKIF_ABI_X86_32;
		} else if (strcmp(keys->protocol, XEN_IO_PROTO_ABI_X86_64)) {
			*why = "unknown protocol";
			return -EINVAL;
		}
	}
	if (keys->nr_queues) {
		if (!xa_parse_u32(keys->nr_queues, &v) || !v || v > max_queues) {
			*why = "bad multi-queue-num-queues";
			return -EINVAL;
		}
		g.nr_queues = v;
	}
	if (keys->ring_order) {
		if (!xa_parse_u32(keys->ring_order, &v) || v > max_order) {
			*why = "bad ring-page-order";
			return -EINVAL;
		}
		g.ring_order = v;
	}
	*geo = g;
	return 0;
}

size_t xa_blkif_request_size(enum xa_blkif_abi abi)
{
	return abi == XA_BLKIF_ABI_X86_32 ? sizeof(struct xa_blkif_x86_32_request) :
					     sizeof(struct blkif_request);
}

bool xa_blkif_segment_ok(const struct blkif_request_segment *seg)
{
	return seg->first_sect <= seg->last_sect &&
	       seg->last_sect < XA_BLKIF_SECTORS_PER_PAGE;
}

/*
 * The x86_32 layout is the x86_64 one without the four bytes of padding at
 * offset 4 that align each variant's id: widen it, and parse one layout.
 */
static void xa_blkif_widen_x86_32(struct blkif_request *dst, const void *src)
{
	BUILD_BUG_ON(offsetof(struct xa_blkif_x86_32_request, u.rw.id) != 4);
	BUILD_BUG_ON(offsetof(struct xa_blkif_x86_32_request, u.discard.id) != 4);
	BUILD_BUG_ON(offsetof(struct xa_blkif_x86_32_request, u.other.id) != 4);
	BUILD_BUG_ON(offsetof(struct xa_blkif_x86_32_request, u.indirect.id) != 4);
	BUILD_BUG_ON(offsetof(struct blkif_request, u.rw.id) != 8);
	BUILD_BUG_ON(offsetof(struct blkif_request, u.discard.id) != 8);
	BUILD_BUG_ON(offsetof(struct blkif_request, u.other.id) != 8);
	BUILD_BUG_ON(offsetof(struct blkif_request, u.indirect.id) != 8);
	BUILD_BUG_ON(sizeof(struct xa_blkif_x86_32_request) + 4 !=
		     sizeof(struct blkif_request));

	memcpy(dst, src, 4);
	memset((u8 *)dst + 4, 0, 4);
	memcpy((u8 *)dst + 8, (const u8 *)src + 4,
	       sizeof(struct xa_blkif_x86_32_request) - 4);
}

/* Fill the fields of @req that the operation defines. */
static void xa_blkif_unpack(const struct blkif_request *r,
			    struct xa_blkif_req *req, u8 *nr_direct_segs,
			    u16 *nr_indirect_segs)
{
	req->operation = r->operation;
	switch (r->operation) {
	case BLKIF_OP_DISCARD:
		req->id = r->u.discard.id;
		req->secure = r->u.discard.flag & BLKIF_DISCARD_SECURE;
		req->sector = r->u.discard.sector_number;
		req->nr_sectors = r->u.discard.nr_sectors;
		break;
	case BLKIF_OP_INDIRECT:
		req->id = r->u.indirect.id;
		req->op = r->u.indirect.indirect_op;
		/* Frontends expect the operation inside back, as in-tree sends. */
		req->operation = req->op;
		req->sector = r->u.indirect.sector_number;
		req->handle = r->u.indirect.handle;
		*nr_indirect_segs = r->u.indirect.nr_segments;
		memcpy(req->indirect_grefs, r->u.indirect.indirect_grefs,
		       sizeof(req->indirect_grefs));
		break;
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
	case BLKIF_OP_WRITE_BARRIER:
	case BLKIF_OP_FLUSH_DISKCACHE:
		req->id = r->u.rw.id;
		req->sector = r->u.rw.sector_number;
		req->handle = r->u.rw.handle;
		*nr_direct_segs = r->u.rw.nr_segments;
		memcpy(req->segs, r->u.rw.seg, sizeof(req->segs));
		break;
	default:
		req->id = r->u.other.id;
		break;
	}
}

/**
 * xa_blkif_parse - validate one request copied from the ring
 * @raw: the private copy, in @abi's layout
 * @abi: the layout the frontend negotiated
 * @max_indirect_segs: feature-max-indirect-segments as advertised
 * @req: filled in; id and operation are set even on error, for the reply
 *
 * Checks the operation, the segment count and, for direct requests, every
 * segment. Indirect segments are checked when copied from their pages, and
 * sector ranges against the device by xa_blkif_check_range().
 *
 * Return: 0, -EOPNOTSUPP for an unknown operation, -EINVAL otherwise.
 */
int xa_blkif_parse(const void *raw, enum xa_blkif_abi abi,
		   unsigned int max_indirect_segs, struct xa_blkif_req *req)
{
	struct blkif_request wide;
	u8 nr_direct = 0;
	u16 nr_indirect = 0;
	unsigned int i;

	memset(req, 0, sizeof(*req));
	if (abi == XA_BLKIF_ABI_X86_32) {
		xa_blkif_widen_x86_32(&wide, raw);
		raw = &wide;
	}
	xa_blkif_unpack(raw, req, &nr_direct, &nr_indirect);

	switch (((const struct blkif_request *)raw)->operation) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
		if (nr_direct == 0)
			return -EINVAL;
		fallthrough;
	case BLKIF_OP_WRITE_BARRIER:
	case BLKIF_OP_FLUSH_DISKCACHE:
		/* A flush or barrier may carry no data. */
		if (nr_direct > BLKIF_MAX_SEGMENTS_PER_REQUEST)
			return -EINVAL;
		req->op = req->operation;
		req->nr_segs = nr_direct;
		for (i = 0; i < nr_direct; i++)
			if (!xa_blkif_segment_ok(&req->segs[i]))
				return -EINVAL;
		return 0;
	case BLKIF_OP_INDIRECT:
		if (req->op != BLKIF_OP_READ && req->op != BLKIF_OP_WRITE)
			return -EINVAL;
		if (nr_indirect == 0 || nr_indirect > max_indirect_segs ||
		    nr_indirect > XA_BLKIF_MAX_INDIRECT_SEGS)
			return -EINVAL;
		req->indirect = true;
		req->nr_segs = nr_indirect;
		req->nr_indirect_pages = DIV_ROUND_UP(nr_indirect,
						      XA_BLKIF_SEGS_PER_INDIRECT_PAGE);
		return 0;
	case BLKIF_OP_DISCARD:
		req->op = BLKIF_OP_DISCARD;
		return req->nr_sectors ? 0 : -EINVAL;
	default:
		return -EOPNOTSUPP;
	}
}

/**
 * xa_blkif_copy_indirect - copy and check the segments of indirect pages
 * @dst: room for @nr_segs segments
 * @pages: the mapped indirect pages, in order
 * @nr_segs: the request's (already bounded) segment count
 *
 * The frontend can rewrite the pages at any time: each segment is read
 * once, and only the copy is checked and used.
 *
 * Return: 0, or -EINVAL if a segment is malformed.
 */
int xa_blkif_copy_indirect(struct blkif_request_segment *dst,
			   void *const *pages, unsigned int nr_segs)
{
	unsigned int i;

	for (i = 0; i < nr_segs; i++) {
		const struct blkif_request_segment *src;

		src = pages[i / XA_BLKIF_SEGS_PER_INDIRECT_PAGE];
		src += i % XA_BLKIF_SEGS_PER_INDIRECT_PAGE;
		dst[i].gref = READ_ONCE(src->gref);
		dst[i].first_sect = READ_ONCE(src->first_sect);
		dst[i].last_sect = READ_ONCE(src->last_sect);
		if (!xa_blkif_segment_ok(&dst[i]))
			return -EINVAL;
	}
	return 0;
}

/**
 * xa_blkif_check_range - may a request touch these sectors?
 * @sector: first 512-byte sector
 * @nr_sectors: how many
 * @dev_sectors: the device's size in 512-byte sectors
 * @block_sectors: its logical block size in 512-byte sectors (a power of 2)
 *
 * Return: 0, or -EINVAL if the range leaves the device (including by
 * wrapping around) or is not aligned to the logical block size.
 */
int xa_blkif_check_range(blkif_sector_t sector, u64 nr_sectors,
			 sector_t dev_sectors, unsigned int block_sectors)
{
	if (sector > dev_sectors || nr_sectors > dev_sectors - sector)
		return -EINVAL;
	if ((sector | nr_sectors) & (block_sectors - 1))
		return -EINVAL;
	return 0;
}
