// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The IOVA allocator: free extents in an AVL tree keyed by start address whose nodes carry
 * the largest extent of their subtree (as last - start, so that a range reaching 2^64 - 1
 * needs no 65th bit), which turns "the lowest extent from address X on that holds N bytes"
 * into one walk down the tree; live allocations in a hash table keyed by start, since a
 * release only has to find its allocation and everything about overlap is answered by the
 * free extents.
 *
 * Nodes know their parent, so a change to a node found by a search is fixed up from there
 * without a second walk from the root, and the fix-up stops at the first ancestor whose
 * height and maximum did not change: most changes touch a few nodes near the bottom.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "iova.h"

struct iova_node {
	uint64_t start, last; /* inclusive */
	uint64_t max_span;    /* largest last - start in this subtree */
	struct iova_node *left, *right, *parent;
	int height;
};

/* Nodes come from chunks kept until the space is freed: no malloc per allocation. */
#define IOVA_CHUNK_NODES 1024

struct iova_chunk {
	struct iova_chunk *next;
	struct iova_node nodes[IOVA_CHUNK_NODES];
};

/* A live allocation; empty slots have start > last. */
struct iova_slot {
	uint64_t start, last;
};

struct vfiox_iova_space {
	struct iova_node *free_root;
	uint64_t page;
	unsigned int page_shift;
	uint64_t used;
	size_t num_free;
	size_t num_ranges; /* usable ranges after merging: the free extents of an empty space */
	struct iova_node *spare; /* linked through ->right */
	size_t num_spare;
	struct iova_chunk *chunks;
	struct iova_slot *slots; /* open addressing, linear probing */
	size_t num_slots;        /* 1 << slot_bits, or 0 */
	unsigned int slot_bits;
	size_t num_allocs;
};


/*
 * How many extents that are large enough but misaligned the allocator looks at, lowest
 * first, before it asks for an extent with room for any alignment.
 */
#define IOVA_SCAN_FIRST 8

/* ---------------------------------------------------------------- node pool */

/*
 * Every allocation splits at most one extent, so there are never more free extents than
 * allocations plus usable ranges. Keeping that many nodes (and one more) at hand before an
 * allocation means a release never needs memory.
 */
static int pool_fill(struct vfiox_iova_space *sp)
{
	struct iova_chunk *c;
	size_t i;

	if (sp->num_spare + sp->num_free >= sp->num_allocs + sp->num_ranges + 2)
		return 0;
	c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->next = sp->chunks;
	sp->chunks = c;
	for (i = 0; i < IOVA_CHUNK_NODES; i++) {
		c->nodes[i].right = sp->spare;
		sp->spare = &c->nodes[i];
	}
	sp->num_spare += IOVA_CHUNK_NODES;
	return 0;
}

/* Only with pool_fill()'s guarantee. */
static struct iova_node *node_get(struct vfiox_iova_space *sp, uint64_t start, uint64_t last)
{
	struct iova_node *n = sp->spare;

	sp->spare = n->right;
	sp->num_spare--;
	n->start = start;
	n->last = last;
	return n;
}

static void node_put(struct vfiox_iova_space *sp, struct iova_node *n)
{
	n->right = sp->spare;
	sp->spare = n;
	sp->num_spare++;
}

/* ---------------------------------------------------------------- AVL tree */

static inline int height(const struct iova_node *n)
{
	return n ? n->height : 0;
}

static void update(struct iova_node *n)
{
	int hl = height(n->left), hr = height(n->right);
	uint64_t m = n->last - n->start;

	n->height = 1 + (hl > hr ? hl : hr);
	if (n->left && n->left->max_span > m)
		m = n->left->max_span;
	if (n->right && n->right->max_span > m)
		m = n->right->max_span;
	n->max_span = m;
}

/* Points the link that held @old (in @parent, or the root) at @new. */
static void relink(struct iova_node **root, struct iova_node *parent, const struct iova_node *old,
		   struct iova_node *new)
{
	if (!parent)
		*root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
	if (new)
		new->parent = parent;
}

/* Both rotations leave the caller to relink the new subtree root into n's old parent. */
static struct iova_node *rotate_right(struct iova_node *n)
{
	struct iova_node *l = n->left;

	n->left = l->right;
	if (l->right)
		l->right->parent = n;
	l->right = n;
	l->parent = n->parent;
	n->parent = l;
	update(n);
	update(l);
	return l;
}

static struct iova_node *rotate_left(struct iova_node *n)
{
	struct iova_node *r = n->right;

	n->right = r->left;
	if (r->left)
		r->left->parent = n;
	r->left = n;
	r->parent = n->parent;
	n->parent = r;
	update(n);
	update(r);
	return r;
}

/* Updates @n and restores its balance; returns the node now in its place. */
static struct iova_node *rebalance(struct iova_node **root, struct iova_node *n)
{
	struct iova_node *parent = n->parent, *r;
	int bf;

	update(n);
	bf = height(n->left) - height(n->right);
	if (bf > 1) {
		if (height(n->left->left) < height(n->left->right))
			n->left = rotate_left(n->left);
		r = rotate_right(n);
	} else if (bf < -1) {
		if (height(n->right->right) < height(n->right->left))
			n->right = rotate_right(n->right);
		r = rotate_left(n);
	} else {
		return n;
	}
	relink(root, parent, n, r);
	return r;
}

/*
 * Rebalances from @n up to the root. Stops at the first node that came out with the height
 * and maximum it had, but not before passing @must, which took another node's place.
 */
static void fix_up(struct iova_node **root, struct iova_node *n, const struct iova_node *must)
{
	bool past = !must;

	while (n) {
		int h = n->height;
		uint64_t m = n->max_span;
		struct iova_node *r;

		if (n == must)
			past = true;
		r = rebalance(root, n);
		if (past && r == n && r->height == h && r->max_span == m)
			return;
		n = r->parent;
	}
}

/* Hangs @n, not yet in the tree, below @parent (or at the root) on the side it belongs. */
static void tree_attach(struct iova_node **root, struct iova_node *parent, struct iova_node *n)
{
	n->left = n->right = NULL;
	n->parent = parent;
	n->height = 1;
	n->max_span = n->last - n->start;
	if (!parent)
		*root = n;
	else if (n->start < parent->start)
		parent->left = n;
	else
		parent->right = n;
	fix_up(root, parent, NULL);
}

static void tree_insert(struct iova_node **root, struct iova_node *n)
{
	struct iova_node *t = *root, *parent = NULL;

	while (t) {
		parent = t;
		t = n->start < t->start ? t->left : t->right;
	}
	tree_attach(root, parent, n);
}

/* Inserts @n right after @prev in address order, without a walk from the root. */
static void tree_insert_after(struct iova_node **root, struct iova_node *prev, struct iova_node *n)
{
	struct iova_node *t = prev->right;

	if (!t) {
		tree_attach(root, prev, n);
		return;
	}
	while (t->left)
		t = t->left;
	tree_attach(root, t, n);
}

/*
 * Unlinks @n. Nodes are relinked, never copied, so pointers to other nodes stay valid.
 */
static void tree_remove(struct iova_node **root, struct iova_node *n)
{
	struct iova_node *s, *from;

	if (!n->left || !n->right) {
		relink(root, n->parent, n, n->left ? n->left : n->right);
		fix_up(root, n->parent, NULL);
		return;
	}
	/* Two children: the successor takes @n's place, height and maximum included. */
	s = n->right;
	while (s->left)
		s = s->left;
	if (s == n->right) {
		from = s;
	} else {
		from = s->parent;
		from->left = s->right;
		if (s->right)
			s->right->parent = from;
		s->right = n->right;
		n->right->parent = s;
	}
	s->left = n->left;
	n->left->parent = s;
	relink(root, n->parent, n, s);
	s->height = n->height;
	s->max_span = n->max_span;
	fix_up(root, from, s);
}

/* After @n changed in place (order kept): refresh the maxima above it. */
static void tree_touch(struct iova_node *n)
{
	uint64_t m;

	update(n);
	for (n = n->parent; n; n = n->parent) {
		m = n->max_span;
		update(n);
		if (n->max_span == m)
			return;
	}
}

/*
 * The lowest node with start >= @from and last - start >= @minspan. Below the first node
 * on the path with start >= @from, subtrees are entirely >= @from, and there max_span
 * says where to go without backtracking, so this stays within two root-to-leaf paths.
 */
static struct iova_node *tree_first_fit(struct iova_node *t, uint64_t from, uint64_t minspan)
{
	struct iova_node *r;

	while (t && t->max_span >= minspan) {
		if (t->start < from) {
			t = t->right;
			continue;
		}
		r = tree_first_fit(t->left, from, minspan);
		if (r)
			return r;
		if (t->last - t->start >= minspan)
			return t;
		t = t->right;
	}
	return NULL;
}

static int tree_walk(const struct iova_node *t, vfiox_iova_range_fn fn, void *arg)
{
	struct vfiox_iova_range r;
	int ret;

	if (!t)
		return 0;
	ret = tree_walk(t->left, fn, arg);
	if (ret)
		return ret;
	r.start = t->start;
	r.end = t->last;
	ret = fn(arg, &r);
	if (ret)
		return ret;
	return tree_walk(t->right, fn, arg);
}

/* ---------------------------------------------------------------- live allocations */

static inline size_t slot_of(const struct vfiox_iova_space *sp, uint64_t start)
{
	return (size_t)(((start >> sp->page_shift) * 0x9e3779b97f4a7c15ull) >> (64 - sp->slot_bits));
}

static struct iova_slot *slot_find(const struct vfiox_iova_space *sp, uint64_t start)
{
	size_t i;

	if (!sp->num_slots)
		return NULL;
	for (i = slot_of(sp, start);; i = (i + 1) & (sp->num_slots - 1)) {
		struct iova_slot *x = &sp->slots[i];

		if (x->start > x->last)
			return NULL;
		if (x->start == start)
			return x;
	}
}

static void slot_put(struct iova_slot *slots, size_t i, size_t mask, uint64_t start,
		     uint64_t last)
{
	while (slots[i].start <= slots[i].last)
		i = (i + 1) & mask;
	slots[i].start = start;
	slots[i].last = last;
}

/* Room for one more allocation at a load of at most one half. */
static int slots_fill(struct vfiox_iova_space *sp)
{
	struct iova_slot *old = sp->slots, *slots;
	size_t old_n = sp->num_slots, i;
	unsigned int bits = sp->slot_bits ? sp->slot_bits + 1 : 6;

	if (2 * (sp->num_allocs + 1) <= sp->num_slots)
		return 0;
	slots = malloc(((size_t)1 << bits) * sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (i = 0; i < (size_t)1 << bits; i++) {
		slots[i].start = UINT64_MAX;
		slots[i].last = 0;
	}
	sp->slots = slots;
	sp->slot_bits = bits;
	sp->num_slots = (size_t)1 << bits;
	for (i = 0; i < old_n; i++)
		if (old[i].start <= old[i].last)
			slot_put(slots, slot_of(sp, old[i].start), sp->num_slots - 1, old[i].start,
				 old[i].last);
	free(old);
	return 0;
}

/* Empties slot @x, moving back the entries after it that would no longer be found. */
static void slot_remove(struct vfiox_iova_space *sp, struct iova_slot *x)
{
	size_t mask = sp->num_slots - 1, hole = (size_t)(x - sp->slots), i = hole;

	for (;;) {
		size_t home;

		i = (i + 1) & mask;
		if (sp->slots[i].start > sp->slots[i].last)
			break;
		home = slot_of(sp, sp->slots[i].start);
		/* Movable when its home is not in (hole, i], cyclically. */
		if (((i - home) & mask) >= ((i - hole) & mask)) {
			sp->slots[hole] = sp->slots[i];
			hole = i;
		}
	}
	sp->slots[hole].start = UINT64_MAX;
	sp->slots[hole].last = 0;
}

/* ---------------------------------------------------------------- the space */

static int cmp_range(const void *a, const void *b)
{
	const struct vfiox_iova_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Shrinks [*start, *last] to whole pages; false when no page is left. */
static bool round_to_pages(uint64_t *start, uint64_t *last, uint64_t page)
{
	uint64_t s = *start;

	if (s & (page - 1)) {
		if (s > UINT64_MAX - (page - 1))
			return false;
		s = (s + page - 1) & ~(page - 1);
	}
	if (*last < s || *last - s < page - 1)
		return false;
	/* (last - s + 1) may wrap to 0 for the whole 64-bit space: still right mod page. */
	*last -= (*last - s + 1) & (page - 1);
	*start = s;
	return true;
}

static int add_free(struct vfiox_iova_space *sp, uint64_t start, uint64_t last)
{
	if (!round_to_pages(&start, &last, sp->page))
		return 0;
	sp->num_ranges++;
	if (pool_fill(sp))
		return -ENOMEM;
	tree_insert(&sp->free_root, node_get(sp, start, last));
	sp->num_free++;
	return 0;
}

int vfiox__iova_new(const struct vfiox_iova_range *usable, size_t n, uint64_t min_page,
		    struct vfiox_iova_space **sp)
{
	struct vfiox_iova_range *r = NULL;
	struct vfiox_iova_space *s;
	uint64_t start, last;
	size_t i;
	int ret;

	if (!sp || !min_page || (min_page & (min_page - 1)) || (n && !usable))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (usable[i].start > usable[i].end)
			return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->page = min_page;
	while (((uint64_t)1 << s->page_shift) != min_page)
		s->page_shift++;
	if (n) {
		r = malloc(n * sizeof(*r));
		if (!r) {
			ret = -ENOMEM;
			goto err_free_space;
		}
		memcpy(r, usable, n * sizeof(*r));
		qsort(r, n, sizeof(*r), cmp_range);
		/* Merge before rounding: two touching ranges may make up a page together. */
		start = r[0].start;
		last = r[0].end;
		for (i = 1; i < n; i++) {
			if (last == UINT64_MAX || r[i].start <= last + 1) {
				if (r[i].end > last)
					last = r[i].end;
				continue;
			}
			ret = add_free(s, start, last);
			if (ret)
				goto err_free_ranges;
			start = r[i].start;
			last = r[i].end;
		}
		ret = add_free(s, start, last);
		if (ret)
			goto err_free_ranges;
		free(r);
	}
	*sp = s;
	return 0;

err_free_ranges:
	free(r);
err_free_space:
	vfiox__iova_free_space(s);
	return ret;
}

void vfiox__iova_free_space(struct vfiox_iova_space *sp)
{
	struct iova_chunk *c, *next;

	if (!sp)
		return;
	for (c = sp->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(sp->slots);
	free(sp);
}

enum fit { FIT, MISS, STOP };

/*
 * Whether [b, b + size) fits in extent @n for b = @n->start aligned up. STOP when it ends
 * above @hi (or wraps): every later extent would place it higher still.
 */
static enum fit fits(const struct iova_node *n, uint64_t size, uint64_t align, uint64_t hi,
		     uint64_t *bp)
{
	uint64_t b, e;

	if (n->start > UINT64_MAX - (align - 1))
		return STOP;
	b = (n->start + align - 1) & ~(align - 1);
	if (b > UINT64_MAX - (size - 1))
		return STOP;
	e = b + size - 1;
	if (e > hi)
		return STOP;
	if (e > n->last)
		return MISS;
	*bp = b;
	return FIT;
}

static struct iova_node *find_block(struct vfiox_iova_space *sp, uint64_t size, uint64_t align,
				    uint64_t hi, uint64_t *bp)
{
	struct iova_node *n;
	uint64_t from = 0, slack = align - sp->page;
	unsigned int tries;

	for (tries = 0;; tries++) {
		/*
		 * An extent of size + align - page bytes holds the block wherever it starts:
		 * the lowest such one answers in one walk when the first few candidates were
		 * all misaligned. Only if there is none (or it is above the limit) do the
		 * remaining tight extents get looked at one by one.
		 */
		if (tries == IOVA_SCAN_FIRST && slack && size - 1 <= UINT64_MAX - slack) {
			n = tree_first_fit(sp->free_root, 0, size - 1 + slack);
			if (n && fits(n, size, align, hi, bp) == FIT)
				return n;
		}
		n = tree_first_fit(sp->free_root, from, size - 1);
		if (!n)
			return NULL;
		switch (fits(n, size, align, hi, bp)) {
		case FIT:
			return n;
		case STOP:
			return NULL;
		case MISS:
			break;
		}
		if (n->start == UINT64_MAX)
			return NULL;
		from = n->start + 1;
	}
}

/* Takes [b, e] out of free extent @n; needs pool_fill()'s guarantee. */
static void carve(struct vfiox_iova_space *sp, struct iova_node *n, uint64_t b, uint64_t e)
{
	uint64_t last = n->last;

	if (b == n->start && e == last) {
		tree_remove(&sp->free_root, n);
		node_put(sp, n);
		sp->num_free--;
	} else if (b == n->start) {
		n->start = e + 1;
		tree_touch(n);
	} else {
		n->last = b - 1;
		tree_touch(n);
		if (e != last) {
			tree_insert_after(&sp->free_root, n, node_get(sp, e + 1, last));
			sp->num_free++;
		}
	}
}

/* Needs slots_fill()'s guarantee. */
static void add_used(struct vfiox_iova_space *sp, uint64_t b, uint64_t e)
{
	slot_put(sp->slots, slot_of(sp, b), sp->num_slots - 1, b, e);
	sp->num_allocs++;
	sp->used += e - b + 1;
}

/* Rounds @size up to the page; false for 0 or when that wraps. */
static bool round_size(const struct vfiox_iova_space *sp, uint64_t *size)
{
	if (!*size || *size > UINT64_MAX - (sp->page - 1))
		return false;
	*size = (*size + sp->page - 1) & ~(sp->page - 1);
	return true;
}

int vfiox__iova_alloc(struct vfiox_iova_space *sp, uint64_t size, uint64_t align,
		      uint64_t limit, uint64_t *iova)
{
	struct iova_node *n;
	uint64_t b;

	if (!sp || !iova || !round_size(sp, &size) || (align & (align - 1)))
		return -EINVAL;
	if (align < sp->page)
		align = sp->page;
	if (pool_fill(sp) || slots_fill(sp))
		return -ENOMEM;
	n = find_block(sp, size, align, limit ? limit - 1 : UINT64_MAX, &b);
	if (!n)
		return -ENOSPC;
	carve(sp, n, b, b + size - 1);
	add_used(sp, b, b + size - 1);
	*iova = b;
	return 0;
}

/* The free extent with the greatest start <= @x. */
static struct iova_node *free_floor(const struct vfiox_iova_space *sp, uint64_t x)
{
	struct iova_node *t = sp->free_root, *best = NULL;

	while (t) {
		if (t->start <= x) {
			best = t;
			t = t->right;
		} else {
			t = t->left;
		}
	}
	return best;
}

int vfiox__iova_reserve(struct vfiox_iova_space *sp, uint64_t iova, uint64_t size)
{
	struct iova_node *n;
	uint64_t e;

	if (!sp || !round_size(sp, &size) || (iova & (sp->page - 1)) ||
	    iova > UINT64_MAX - (size - 1))
		return -EINVAL;
	e = iova + size - 1;
	n = free_floor(sp, iova);
	if (!n || n->last < e)
		return -EEXIST;
	if (pool_fill(sp) || slots_fill(sp))
		return -ENOMEM;
	carve(sp, n, iova, e);
	add_used(sp, iova, e);
	return 0;
}

int vfiox__iova_release(struct vfiox_iova_space *sp, uint64_t iova, uint64_t size)
{
	struct iova_node *t, *parent = NULL, *prev = NULL, *next = NULL;
	struct iova_slot *u;
	uint64_t e;

	if (!sp || !round_size(sp, &size) || iova > UINT64_MAX - (size - 1))
		return -EINVAL;
	e = iova + size - 1;
	u = slot_find(sp, iova);
	if (!u || u->last != e)
		return -ENOENT;
	slot_remove(sp, u);
	sp->num_allocs--;
	sp->used -= size;

	/*
	 * The free extents on either side, in one walk: none starts at @iova, and the walk
	 * ends at the node a new extent would hang from.
	 */
	for (t = sp->free_root; t;) {
		parent = t;
		if (t->start < iova) {
			prev = t;
			t = t->right;
		} else {
			next = t;
			t = t->left;
		}
	}
	if (prev && prev->last + 1 != iova)
		prev = NULL;
	if (next && (e == UINT64_MAX || next->start != e + 1))
		next = NULL;
	if (prev && next) {
		e = next->last;
		tree_remove(&sp->free_root, next);
		node_put(sp, next);
		sp->num_free--;
		prev->last = e;
		tree_touch(prev);
	} else if (prev) {
		prev->last = e;
		tree_touch(prev);
	} else if (next) {
		next->start = iova;
		tree_touch(next);
	} else {
		/* pool_fill() kept a node for this. */
		tree_attach(&sp->free_root, parent, node_get(sp, iova, e));
		sp->num_free++;
	}
	return 0;
}

uint64_t vfiox__iova_used(const struct vfiox_iova_space *sp)
{
	return sp ? sp->used : 0;
}

size_t vfiox__iova_num_free_extents(const struct vfiox_iova_space *sp)
{
	return sp ? sp->num_free : 0;
}

size_t vfiox__iova_num_allocs(const struct vfiox_iova_space *sp)
{
	return sp ? sp->num_allocs : 0;
}

uint64_t vfiox__iova_page_size(const struct vfiox_iova_space *sp)
{
	return sp ? sp->page : 0;
}

struct check {
	const struct iova_node *prev;
	uint64_t page;
	size_t count;
};

/* The subtree's height, or -1 when an invariant does not hold. */
static int check_tree(const struct iova_node *t, struct check *c)
{
	uint64_t m;
	int hl, hr;

	if (!t)
		return 0;
	if ((t->left && t->left->parent != t) || (t->right && t->right->parent != t))
		return -1;
	hl = check_tree(t->left, c);
	if (hl < 0 || t->last < t->start || (t->start & (c->page - 1)) ||
	    ((t->last + 1) & (c->page - 1)))
		return -1;
	/* Ordered, apart, and not touching: touching extents would have been merged. */
	if (c->prev && c->prev->last + 1 >= t->start)
		return -1;
	c->prev = t;
	c->count++;
	hr = check_tree(t->right, c);
	if (hr < 0 || hl - hr > 1 || hr - hl > 1 || t->height != 1 + (hl > hr ? hl : hr))
		return -1;
	m = t->last - t->start;
	if (t->left && t->left->max_span > m)
		m = t->left->max_span;
	if (t->right && t->right->max_span > m)
		m = t->right->max_span;
	return t->max_span == m ? t->height : -1;
}

static int cmp_slot(const void *a, const void *b)
{
	const struct iova_slot *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The live allocations in address order, in a new array. */
static int sorted_allocs(const struct vfiox_iova_space *sp, struct iova_slot **out)
{
	struct iova_slot *a = malloc((sp->num_allocs ? sp->num_allocs : 1) * sizeof(*a));
	size_t i, n = 0;

	if (!a)
		return -ENOMEM;
	for (i = 0; i < sp->num_slots; i++)
		if (sp->slots[i].start <= sp->slots[i].last) {
			if (n == sp->num_allocs) {
				free(a);
				return -EUCLEAN;
			}
			a[n++] = sp->slots[i];
		}
	if (n != sp->num_allocs) {
		free(a);
		return -EUCLEAN;
	}
	qsort(a, n, sizeof(*a), cmp_slot);
	*out = a;
	return 0;
}

int vfiox__iova_check(const struct vfiox_iova_space *sp)
{
	struct check c = { .page = sp->page };
	struct iova_slot *a;
	uint64_t bytes = 0;
	size_t i;
	int ret;

	if ((sp->free_root && sp->free_root->parent) || check_tree(sp->free_root, &c) < 0 ||
	    c.count != sp->num_free)
		return -EUCLEAN;
	ret = sorted_allocs(sp, &a);
	if (ret)
		return ret;
	for (i = 0; i < sp->num_allocs && !ret; i++) {
		const struct iova_slot *x = slot_find(sp, a[i].start);

		if (a[i].start & (sp->page - 1) || (a[i].last + 1) & (sp->page - 1) ||
		    (i && a[i - 1].last >= a[i].start) || !x || x->last != a[i].last)
			ret = -EUCLEAN;
		bytes += a[i].last - a[i].start + 1;
	}
	free(a);
	return ret ? ret : bytes == sp->used ? 0 : -EUCLEAN;
}

int vfiox__iova_for_each_free(const struct vfiox_iova_space *sp, vfiox_iova_range_fn fn,
			      void *arg)
{
	return sp && fn ? tree_walk(sp->free_root, fn, arg) : -EINVAL;
}

int vfiox__iova_for_each_alloc(const struct vfiox_iova_space *sp, vfiox_iova_range_fn fn,
			       void *arg)
{
	struct vfiox_iova_range r;
	struct iova_slot *a;
	size_t i;
	int ret;

	if (!sp || !fn)
		return -EINVAL;
	ret = sorted_allocs(sp, &a);
	if (ret)
		return ret;
	for (i = 0; !ret && i < sp->num_allocs; i++) {
		r.start = a[i].start;
		r.end = a[i].last;
		ret = fn(arg, &r);
	}
	free(a);
	return ret;
}
