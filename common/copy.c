// SPDX-License-Identifier: GPL-2.0
/* Batched grant copies; see include/xenaccel/copy.h. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <xen/grant_table.h>
#include <xen/page.h>

#include <xenaccel/copy.h>

/**
 * xenaccel_copier_init - allocate room for a batch of copies
 * @c: the copier
 * @max: the most copies one batch (hypercall) carries
 */
int xenaccel_copier_init(struct xenaccel_copier *c, unsigned int max)
{
	memset(c, 0, sizeof(*c));
	c->ops = kvcalloc(max, sizeof(*c->ops), GFP_KERNEL);
	if (!c->ops)
		return -ENOMEM;
	c->max = max;
	return 0;
}
EXPORT_SYMBOL_GPL(xenaccel_copier_init);

void xenaccel_copier_destroy(struct xenaccel_copier *c)
{
	kvfree(c->ops);
	c->ops = NULL;
	c->max = 0;
	c->nr = 0;
}
EXPORT_SYMBOL_GPL(xenaccel_copier_destroy);

/* Bytes from @p to the end of its Xen page, at most @len. */
static unsigned int xenaccel_copy_chunk(const void *p, unsigned int len)
{
	return min_t(unsigned int, len, XEN_PAGE_SIZE - xen_offset_in_page(p));
}

/* Copies needed for @len bytes at @p: one per Xen page touched. */
static unsigned int xenaccel_copy_nr_ops(const void *p, unsigned int len)
{
	unsigned int first = xen_offset_in_page(p);

	return DIV_ROUND_UP(first + len, XEN_PAGE_SIZE);
}

/**
 * xenaccel_copy_from_guest - queue a copy out of a granted page
 * @c: the copier
 * @domid: the granting domain
 * @gref: its grant
 * @offset: where in the granted page the data starts
 * @dst: backend buffer (in the linear map)
 * @len: bytes; @offset + @len must not pass the end of the granted page
 *
 * Return: the number of copies queued, or -ENOSPC (nothing queued) if the
 * batch has no room for them.
 */
int xenaccel_copy_from_guest(struct xenaccel_copier *c, domid_t domid,
			     grant_ref_t gref, unsigned int offset,
			     void *dst, unsigned int len)
{
	unsigned int n = xenaccel_copy_nr_ops(dst, len), i;

	if (WARN_ON_ONCE(offset + len > XEN_PAGE_SIZE))
		return -EINVAL;
	if (n > xenaccel_copy_room(c))
		return -ENOSPC;
	for (i = 0; i < n; i++) {
		struct gnttab_copy *op = &c->ops[c->nr++];
		unsigned int chunk = xenaccel_copy_chunk(dst, len);

		op->flags = GNTCOPY_source_gref;
		op->source.u.ref = gref;
		op->source.domid = domid;
		op->source.offset = offset;
		op->dest.u.gmfn = virt_to_gfn(dst);
		op->dest.domid = DOMID_SELF;
		op->dest.offset = xen_offset_in_page(dst);
		op->len = chunk;
		op->status = GNTST_general_error;
		dst = (u8 *)dst + chunk;
		offset += chunk;
		len -= chunk;
	}
	return n;
}
EXPORT_SYMBOL_GPL(xenaccel_copy_from_guest);

/**
 * xenaccel_copy_to_guest - queue a copy into a granted page
 * @c: the copier
 * @domid: the granting domain
 * @gref: its grant
 * @offset: where in the granted page to write
 * @src: backend data (in the linear map); a page this domain maps from
 *	another guest is copied from that guest's grant, as Xen requires
 * @len: bytes; @offset + @len must not pass the end of the granted page
 *
 * Return: the number of copies queued, or -ENOSPC (nothing queued).
 */
int xenaccel_copy_to_guest(struct xenaccel_copier *c, domid_t domid,
			   grant_ref_t gref, unsigned int offset,
			   const void *src, unsigned int len)
{
	unsigned int n = xenaccel_copy_nr_ops(src, len), i;

	if (WARN_ON_ONCE(offset + len > XEN_PAGE_SIZE))
		return -EINVAL;
	if (n > xenaccel_copy_room(c))
		return -ENOSPC;
	for (i = 0; i < n; i++) {
		struct gnttab_copy *op = &c->ops[c->nr++];
		unsigned int chunk = xenaccel_copy_chunk(src, len);
		struct xen_page_foreign *foreign;

		foreign = xen_page_foreign(virt_to_page(src));
		op->flags = GNTCOPY_dest_gref;
		if (foreign) {
			op->flags |= GNTCOPY_source_gref;
			op->source.u.ref = foreign->gref;
			op->source.domid = foreign->domid;
		} else {
			op->source.u.gmfn = virt_to_gfn(src);
			op->source.domid = DOMID_SELF;
		}
		op->source.offset = xen_offset_in_page(src);
		op->dest.u.ref = gref;
		op->dest.domid = domid;
		op->dest.offset = offset;
		op->len = chunk;
		op->status = GNTST_general_error;
		src = (const u8 *)src + chunk;
		offset += chunk;
		len -= chunk;
	}
	return n;
}
EXPORT_SYMBOL_GPL(xenaccel_copy_to_guest);

/**
 * xenaccel_copy_flush - issue every queued copy in one hypercall
 * @c: the copier
 *
 * Each op's status is then in c->ops[i].status; call xenaccel_copy_reset()
 * once they have been read.
 *
 * Return: how many copies failed.
 */
unsigned int xenaccel_copy_flush(struct xenaccel_copier *c)
{
	unsigned int i, failed = 0;
	u64 start;

	if (!c->nr)
		return 0;
	/*
	 * What a copy costs, measured where it is paid: a map-or-copy
	 * policy, or a user weighing batching, reads ns per op and per byte.
	 */
	start = ktime_get_ns();
	gnttab_batch_copy(c->ops, c->nr);
	c->stats.ns += ktime_get_ns() - start;
	for (i = 0; i < c->nr; i++) {
		if (unlikely(c->ops[i].status != GNTST_okay))
			failed++;
		else
			c->stats.bytes += c->ops[i].len;
	}
	c->stats.calls++;
	c->stats.ops += c->nr;
	c->stats.errors += failed;
	c->stats.max_batch = max(c->stats.max_batch, c->nr);
	return failed;
}
EXPORT_SYMBOL_GPL(xenaccel_copy_flush);
