// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a frontend-written blkif request, in either layout,
 * through blkback's parser, then (for indirect requests) segments from
 * frontend-written indirect pages, then the range check. The checks
 * assert what the data path relies on: a parsed request never claims more
 * segments or pages than the arrays hold, and every segment stays within
 * its page.
 */
#include "fuzz.h"

#include "../../blkback/abi.h"

static struct blkif_request_segment pages[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST]
					 [XA_BLKIF_SEGS_PER_INDIRECT_PAGE];
static struct blkif_request_segment segs[XA_BLKIF_MAX_INDIRECT_SEGS];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct blkif_request raw;
	struct xa_blkif_req req;
	enum xa_blkif_abi abi;
	unsigned int max_segs, i;
	void *page_ptrs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	int err;

	/* byte 0: layout; bytes 1-2: advertised maximum; then the slot */
	if (size < 3 + sizeof(struct xa_blkif_x86_32_request))
		return 0;
	abi = data[0] & 1 ? XA_BLKIF_ABI_X86_32 : XA_BLKIF_ABI_NATIVE;
	max_segs = 1 + ((data[1] | data[2] << 8) % XA_BLKIF_MAX_INDIRECT_SEGS);
	data += 3;
	size -= 3;
	memset(&raw, 0, sizeof(raw));
	memcpy(&raw, data, min(size, sizeof(raw)));
	data += min(size, sizeof(raw));
	size -= min(size, sizeof(raw));

	err = xa_blkif_parse(&raw, abi, max_segs, &req);
	CHECK(err == 0 || err == -EINVAL || err == -EOPNOTSUPP);
	if (err)
		return 0;
	if (!req.indirect) {
		CHECK(req.nr_segs <= BLKIF_MAX_SEGMENTS_PER_REQUEST);
		for (i = 0; i < req.nr_segs; i++)
			CHECK(req.segs[i].first_sect <= req.segs[i].last_sect &&
			      req.segs[i].last_sect < XA_BLKIF_SECTORS_PER_PAGE);
		return 0;
	}
	CHECK(req.op == BLKIF_OP_READ || req.op == BLKIF_OP_WRITE);
	CHECK(req.nr_segs >= 1 && req.nr_segs <= max_segs);
	CHECK(req.nr_indirect_pages >= 1 &&
	      req.nr_indirect_pages <= BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST);
	CHECK(req.nr_segs <= req.nr_indirect_pages * XA_BLKIF_SEGS_PER_INDIRECT_PAGE);

	/* The rest of the input is what the indirect pages hold. */
	memset(pages, 0, sizeof(pages));
	memcpy(pages, data, min(size, sizeof(pages)));
	for (i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
		page_ptrs[i] = pages[i];
	if (xa_blkif_copy_indirect(segs, page_ptrs, req.nr_segs))
		return 0;
	for (i = 0; i < req.nr_segs; i++)
		CHECK(segs[i].first_sect <= segs[i].last_sect &&
		      segs[i].last_sect < XA_BLKIF_SECTORS_PER_PAGE);
	err = xa_blkif_check_range(req.sector, req.nr_segs * 8ULL, 1 << 20, 8);
	CHECK(err == 0 || err == -EINVAL);
	if (!err)
		CHECK(req.sector + req.nr_segs * 8ULL <= 1 << 20);
	return 0;
}
