/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small user-space stand-in for the kernel APIs xenaccel's core logic
 * uses, so the files in common/ compile unchanged into the unit tests (as OpenZFS's
 * libspl does). Written for these tests: only what the core uses, with the
 * same semantics, single-threaded.
 */
#ifndef XENACCEL_SHIM_H
#define XENACCEL_SHIM_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int16_t s16;
typedef u64 sector_t;

#define __packed __attribute__((__packed__))
#define __aligned(n) __attribute__((__aligned__(n)))
#define fallthrough __attribute__((__fallthrough__))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define XEN_PAGE_SIZE 4096UL

#define KBUILD_MODNAME "xenaccel_unit"
#define EXPORT_SYMBOL_GPL(sym)
#define __init
#define __exit

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define max_t(t, a, b) ((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define BUILD_BUG_ON(cond) _Static_assert(!(cond), #cond)

/* One thread: ordering needs only the compiler barrier. */
#define barrier() __asm__ __volatile__("" ::: "memory")
#define virt_rmb() barrier()
#define virt_wmb() barrier()
#define virt_mb() __sync_synchronize()
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

/* Every unexpected WARN is counted and fails the run. */
extern unsigned int shim_warnings;
#define WARN_ON_ONCE(cond) ({						\
	bool __c = !!(cond);						\
	if (__c) {							\
		shim_warnings++;					\
		fprintf(stderr, "WARN at %s:%d: %s\n", __FILE__,	\
			__LINE__, #cond);				\
	}								\
	__c;								\
})
#define WARN_ON(cond) WARN_ON_ONCE(cond)

static inline unsigned long rounddown_pow_of_two(unsigned long n)
{
	return 1UL << (63 - __builtin_clzl(n));
}

/* Time: the tests move jiffies themselves. */
extern unsigned long jiffies;
#define time_after(a, b) ((long)((b) - (a)) < 0)
#define time_after_eq(a, b) ((long)((a) - (b)) >= 0)

/* Locks: single-threaded tests, so only the pairing is checked. */
typedef struct { int held; } spinlock_t;
#define spin_lock_init(l) ((l)->held = 0)
#define spin_lock_bh(l) ((l)->held++)
#define spin_unlock_bh(l) ((l)->held--)

typedef struct { long counter; } atomic_long_t;
#define ATOMIC_LONG_INIT(v) { (v) }
#define atomic_long_read(a) ((a)->counter)
#define atomic_long_inc_return(a) (++(a)->counter)
#define atomic_long_dec(a) ((a)->counter--)

/*
 * kstrtouint() as the kernel defines it: an optional '+', digits in @base
 * (10 or 16 here), at most one trailing newline, nothing else; -ERANGE
 * past UINT_MAX, -EINVAL for anything malformed.
 */
static inline int kstrtouint(const char *s, unsigned int base, unsigned int *res)
{
	unsigned long long v = 0;
	const char *p = s;

	if (*p == '+')
		p++;
	if (!*p || *p == '\n')
		return -EINVAL;
	for (; *p && *p != '\n'; p++) {
		unsigned int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return -EINVAL;
		v = v * base + d;
		if (v > UINT_MAX)
			return -ERANGE;
	}
	if (*p == '\n' && p[1])
		return -EINVAL;
	*res = v;
	return 0;
}

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void INIT_LIST_HEAD(struct list_head *h)
{
	h->next = h;
	h->prev = h;
}

static inline bool list_empty(const struct list_head *h)
{
	return h->next == h;
}

static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}

static inline void list_del_init(struct list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	INIT_LIST_HEAD(n);
}

static inline void list_move_tail(struct list_head *n, struct list_head *h)
{
	list_del_init(n);
	list_add_tail(n, h);
}

#define list_entry(p, t, m) container_of(p, t, m)
#define list_first_entry(h, t, m) list_entry((h)->next, t, m)
#define list_last_entry(h, t, m) list_entry((h)->prev, t, m)
#define list_for_each_entry_safe(pos, n, head, m)				\
	for (pos = list_first_entry(head, __typeof__(*pos), m),		\
	     n = list_entry(pos->m.next, __typeof__(*pos), m);		\
	     &pos->m != (head);						\
	     pos = n, n = list_entry(n->m.next, __typeof__(*n), m))

/*
 * A plain, unbalanced binary search tree behind the rbtree API: balance is
 * not what the tests check, the search and erase logic is.
 */
struct rb_node {
	struct rb_node *parent, *rb_left, *rb_right;
};

struct rb_root {
	struct rb_node *rb_node;
};

#define RB_ROOT ((struct rb_root){ NULL })
#define rb_entry(p, t, m) container_of(p, t, m)

static inline void rb_link_node(struct rb_node *node, struct rb_node *parent,
				struct rb_node **link)
{
	node->parent = parent;
	node->rb_left = NULL;
	node->rb_right = NULL;
	*link = node;
}

static inline void rb_insert_color(struct rb_node *node, struct rb_root *root)
{
}

static inline void shim_rb_replace(struct rb_node *old, struct rb_node *new,
				   struct rb_root *root)
{
	if (!old->parent)
		root->rb_node = new;
	else if (old->parent->rb_left == old)
		old->parent->rb_left = new;
	else
		old->parent->rb_right = new;
	if (new)
		new->parent = old->parent;
}

static inline void rb_erase(struct rb_node *node, struct rb_root *root)
{
	struct rb_node *next;

	if (!node->rb_left) {
		shim_rb_replace(node, node->rb_right, root);
	} else if (!node->rb_right) {
		shim_rb_replace(node, node->rb_left, root);
	} else {
		next = node->rb_right;
		while (next->rb_left)
			next = next->rb_left;
		if (next->parent != node) {
			shim_rb_replace(next, next->rb_right, root);
			next->rb_right = node->rb_right;
			next->rb_right->parent = next;
		}
		shim_rb_replace(node, next, root);
		next->rb_left = node->rb_left;
		next->rb_left->parent = next;
	}
}

/* Xen types the core names. */
typedef uint32_t grant_ref_t;
typedef uint32_t grant_handle_t;
struct page;

#endif /* XENACCEL_SHIM_H */
