// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The IOVA allocator: free extents and live allocations in two AVL trees keyed by start
 * address. Nodes of the free tree carry the largest extent (as last - start, so that a
 * range reaching 2^64 - 1 needs no 65th bit) in their subtree, which turns "the lowest
 * extent from address X on that holds N bytes" into one walk down the tree.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "iova.h"

struct iova_node {
	uint64_t start, last; /* inclusive */
	uint64_t max_span;    /* largest last - start in this subtree */
	struct iova_node *left, *right;
	int height;
};

/* Nodes come from chunks kept until the space is freed: no malloc per allocation. */
#define IOVA_CHUNK_NODES 1024

struct iova_chunk {
	struct iova_chunk *next;
	struct iova_node nodes[IOVA_CHUNK_NODES];
};

struct vfiox_iova_space {
	struct iova_node *free_root;
	struct iova_node *used_root;
	uint64_t page;
	uint64_t used;
	size_t num_free;
	size_t num_allocs;
	struct iova_node *spare; /* linked through ->right */
	size_t num_spare;
	struct iova_chunk *chunks;
};

/*
 * How many extents that are large enough but misaligned the allocator looks at, lowest
 * first, before it asks for an extent with room for any alignment.
 */
#define IOVA_SCAN_FIRST 8

/* ---------------------------------------------------------------- node pool */

static int pool_fill(struct vfiox_iova_space *sp, size_t need)
{
	struct iova_chunk *c;
	size_t i;

	if (sp->num_spare >= need)
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

/* Only after pool_fill() said there are enough. */
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

static struct iova_node *rotate_right(struct iova_node *n)
{
	struct iova_node *l = n->left;

	n->left = l->right;
	l->right = n;
	update(n);
	update(l);
	return l;
}

static struct iova_node *rotate_left(struct iova_node *n)
{
	struct iova_node *r = n->right;

	n->right = r->left;
	r->left = n;
	update(n);
	update(r);
	return r;
}

static struct iova_node *rebalance(struct iova_node *n)
{
	int bf;

	update(n);
	bf = height(n->left) - height(n->right);
	if (bf > 1) {
		if (height(n->left->left) < height(n->left->right))
			n->left = rotate_left(n->left);
		return rotate_right(n);
	}
	if (bf < -1) {
		if (height(n->right->right) < height(n->right->left))
			n->right = rotate_right(n->right);
		return rotate_left(n);
	}
	return n;
}

static struct iova_node *tree_insert(struct iova_node *t, struct iova_node *n)
{
	if (!t) {
		n->left = n->right = NULL;
		update(n);
		return n;
	}
	if (n->start < t->start)
		t->left = tree_insert(t->left, n);
	else
		t->right = tree_insert(t->right, n);
	return rebalance(t);
}

static struct iova_node *tree_remove_min(struct iova_node *t, struct iova_node **minp)
{
	if (!t->left) {
		*minp = t;
		return t->right;
	}
	t->left = tree_remove_min(t->left, minp);
	return rebalance(t);
}

/*
 * Unlinks the node with start @key (it must be there). Nodes are relinked, never copied,
 * so pointers to other nodes stay valid.
 */
static struct iova_node *tree_remove(struct iova_node *t, uint64_t key)
{
	struct iova_node *m;

	if (key < t->start) {
		t->left = tree_remove(t->left, key);
	} else if (key > t->start) {
		t->right = tree_remove(t->right, key);
	} else {
		if (!t->left)
			return t->right;
		if (!t->right)
			return t->left;
		t->right = tree_remove_min(t->right, &m);
		m->left = t->left;
		m->right = t->right;
		return rebalance(m);
	}
	return rebalance(t);
}

/* After the node with start @key changed in place (order kept): refresh its ancestors. */
static void tree_touch(struct iova_node *t, uint64_t key)
{
	if (!t)
		return;
	if (key < t->start)
		tree_touch(t->left, key);
	else if (key > t->start)
		tree_touch(t->right, key);
	update(t);
}

static struct iova_node *tree_find(struct iova_node *t, uint64_t key)
{
	while (t && t->start != key)
		t = key < t->start ? t->left : t->right;
	return t;
}

/* The node with the greatest start <= @x. */
static struct iova_node *tree_floor(struct iova_node *t, uint64_t x)
{
	struct iova_node *best = NULL;

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
	if (pool_fill(sp, 1))
		return -ENOMEM;
	sp->free_root = tree_insert(sp->free_root, node_get(sp, start, last));
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

/* Takes [b, e] out of free extent @n; pool_fill(sp, 1) must have succeeded. */
static void carve(struct vfiox_iova_space *sp, struct iova_node *n, uint64_t b, uint64_t e)
{
	uint64_t last = n->last;

	if (b == n->start && e == last) {
		sp->free_root = tree_remove(sp->free_root, n->start);
		node_put(sp, n);
		sp->num_free--;
	} else if (b == n->start) {
		n->start = e + 1;
		tree_touch(sp->free_root, n->start);
	} else {
		n->last = b - 1;
		tree_touch(sp->free_root, n->start);
		if (e != last) {
			sp->free_root = tree_insert(sp->free_root, node_get(sp, e + 1, last));
			sp->num_free++;
		}
	}
}

static void add_used(struct vfiox_iova_space *sp, uint64_t b, uint64_t e)
{
	sp->used_root = tree_insert(sp->used_root, node_get(sp, b, e));
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
	if (pool_fill(sp, 2))
		return -ENOMEM;
	n = find_block(sp, size, align, limit ? limit - 1 : UINT64_MAX, &b);
	if (!n)
		return -ENOSPC;
	carve(sp, n, b, b + size - 1);
	add_used(sp, b, b + size - 1);
	*iova = b;
	return 0;
}

int vfiox__iova_reserve(struct vfiox_iova_space *sp, uint64_t iova, uint64_t size)
{
	struct iova_node *n;
	uint64_t e;

	if (!sp || !round_size(sp, &size) || (iova & (sp->page - 1)) ||
	    iova > UINT64_MAX - (size - 1))
		return -EINVAL;
	e = iova + size - 1;
	n = tree_floor(sp->free_root, iova);
	if (!n || n->last < e)
		return -EEXIST;
	if (pool_fill(sp, 2))
		return -ENOMEM;
	carve(sp, n, iova, e);
	add_used(sp, iova, e);
	return 0;
}

int vfiox__iova_release(struct vfiox_iova_space *sp, uint64_t iova, uint64_t size)
{
	struct iova_node *u, *prev, *next;
	uint64_t e;

	if (!sp || !round_size(sp, &size) || iova > UINT64_MAX - (size - 1))
		return -EINVAL;
	e = iova + size - 1;
	u = tree_find(sp->used_root, iova);
	if (!u || u->last != e)
		return -ENOENT;
	sp->used_root = tree_remove(sp->used_root, iova);
	sp->num_allocs--;
	sp->used -= size;

	/* @iova is not free, so the floor is the extent before it, if any. */
	prev = tree_floor(sp->free_root, iova);
	if (prev && prev->last + 1 != iova)
		prev = NULL;
	next = e == UINT64_MAX ? NULL : tree_find(sp->free_root, e + 1);
	if (prev && next) {
		e = next->last;
		sp->free_root = tree_remove(sp->free_root, next->start);
		node_put(sp, next);
		sp->num_free--;
		prev->last = e;
		tree_touch(sp->free_root, prev->start);
		node_put(sp, u);
	} else if (prev) {
		prev->last = e;
		tree_touch(sp->free_root, prev->start);
		node_put(sp, u);
	} else if (next) {
		next->start = iova;
		tree_touch(sp->free_root, iova);
		node_put(sp, u);
	} else {
		/* The allocation's node becomes the free extent: release never needs memory. */
		sp->free_root = tree_insert(sp->free_root, u);
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
	bool coalesced; /* neighbours may not touch (the free tree) */
	size_t count;
	uint64_t bytes;
};

/* The subtree's height, or -1 when an invariant does not hold. */
static int check_tree(const struct iova_node *t, struct check *c)
{
	uint64_t m;
	int hl, hr;

	if (!t)
		return 0;
	hl = check_tree(t->left, c);
	if (hl < 0 || t->last < t->start || (t->start & (c->page - 1)) ||
	    ((t->last + 1) & (c->page - 1)))
		return -1;
	if (c->prev && (c->prev->last >= t->start || (c->coalesced && c->prev->last + 1 == t->start)))
		return -1;
	c->prev = t;
	c->count++;
	c->bytes += t->last - t->start + 1;
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

int vfiox__iova_check(const struct vfiox_iova_space *sp)
{
	struct check c = { .page = sp->page, .coalesced = true };

	if (check_tree(sp->free_root, &c) < 0 || c.count != sp->num_free)
		return -EUCLEAN;
	c = (struct check){ .page = sp->page };
	if (check_tree(sp->used_root, &c) < 0 || c.count != sp->num_allocs || c.bytes != sp->used)
		return -EUCLEAN;
	return 0;
}

int vfiox__iova_for_each_free(const struct vfiox_iova_space *sp, vfiox_iova_range_fn fn,
			      void *arg)
{
	return sp && fn ? tree_walk(sp->free_root, fn, arg) : -EINVAL;
}

int vfiox__iova_for_each_alloc(const struct vfiox_iova_space *sp, vfiox_iova_range_fn fn,
			       void *arg)
{
	return sp && fn ? tree_walk(sp->used_root, fn, arg) : -EINVAL;
}
