// SPDX-License-Identifier: GPL-2.0
/*
 * cenalloc constraint logic.  Pure C: no allocation, no locking, no kernel
 * services beyond snprintf(), so that tests/host builds and tests it on the
 * host exhaustively.  Everything here is deterministic.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/string.h>
/* Drivers that declare constraints use these: part of cenalloc's API. */
#define EXPORT_SYMBOL_CENALLOC(sym) EXPORT_SYMBOL_NS_GPL(sym, CENALLOC)
#else
#include <errno.h>
#include <stdio.h>
#include <string.h>
#define EXPORT_SYMBOL_CENALLOC(sym)
#endif

#include <linux/cenalloc_constraints.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

static __u64 max_u64(__u64 a, __u64 b)
{
	return a > b ? a : b;
}

static __u64 min_u64(__u64 a, __u64 b)
{
	return a < b ? a : b;
}

static bool is_pow2(__u64 v)
{
	return v && !(v & (v - 1));
}

/* The alignment actually required: at least a page. */
static __u64 eff_align(const struct cenalloc_constraints *c)
{
	return max_u64(c->alignment, CENALLOC_PAGE_SIZE);
}

/**
 * cenalloc_constraints_init() - set constraints that accept any storage
 * @c: the constraints to initialise
 */
void cenalloc_constraints_init(struct cenalloc_constraints *c)
{
	memset(c, 0, sizeof(*c));
	c->dma_limit = CENALLOC_NO_LIMIT;
	c->seg_boundary = CENALLOC_NO_LIMIT;
}
EXPORT_SYMBOL_CENALLOC(cenalloc_constraints_init);

/**
 * cenalloc_constraints_validate() - check that one set can be met at all
 * @c: the constraints
 *
 * Return: %CENALLOC_OK, or the first reason they cannot be met.
 */
enum cenalloc_conflict
cenalloc_constraints_validate(const struct cenalloc_constraints *c)
{
	if ((c->flags & ~CENALLOC_C_ALL) || c->pad)
		return CENALLOC_CONFLICT_FLAGS;
	if ((c->flags & CENALLOC_C_CACHED) &&
	    (c->flags & CENALLOC_C_WRITECOMBINE))
		return CENALLOC_CONFLICT_CACHING;
	if (c->dma_limit < CENALLOC_MIN_LIMIT)
		return CENALLOC_CONFLICT_LIMIT;
	if (c->alignment && !is_pow2(c->alignment))
		return CENALLOC_CONFLICT_ALIGNMENT;
	/* Only address 0 would be aligned, and page 0 is never free. */
	if (c->dma_limit != CENALLOC_NO_LIMIT &&
	    eff_align(c) > c->dma_limit)
		return CENALLOC_CONFLICT_ALIGNMENT;
	/* Segments are cut on page boundaries: a part page cannot map. */
	if (c->max_segment && (c->max_segment < CENALLOC_PAGE_SIZE ||
			       c->max_segment % CENALLOC_PAGE_SIZE))
		return CENALLOC_CONFLICT_SEGMENT;
	if (c->seg_boundary & (c->seg_boundary + 1))
		return CENALLOC_CONFLICT_BOUNDARY;
	if (c->seg_boundary < CENALLOC_PAGE_SIZE - 1)
		return CENALLOC_CONFLICT_BOUNDARY;
	return CENALLOC_OK;
}
EXPORT_SYMBOL_CENALLOC(cenalloc_constraints_validate);

/**
 * cenalloc_constraints_combine() - the constraints two sets both accept
 * @out: where the combination goes (may alias @a or @b); on conflict it
 *	holds the combination that failed
 * @a: one set
 * @b: the other set
 *
 * The combination takes the lower DMA limit, the larger alignment, the
 * smaller segment size and boundary, and the union of the flags.
 *
 * Return: %CENALLOC_OK, or why no storage can satisfy both.
 */
enum cenalloc_conflict
cenalloc_constraints_combine(struct cenalloc_constraints *out,
			     const struct cenalloc_constraints *a,
			     const struct cenalloc_constraints *b)
{
	struct cenalloc_constraints r;
	enum cenalloc_conflict ret;

	ret = cenalloc_constraints_validate(a);
	if (ret == CENALLOC_OK)
		ret = cenalloc_constraints_validate(b);
	if (ret != CENALLOC_OK) {
		*out = *a;
		return ret;
	}

	r.dma_limit = min_u64(a->dma_limit, b->dma_limit);
	r.alignment = max_u64(a->alignment, b->alignment);
	if (!a->max_segment || !b->max_segment)
		r.max_segment = a->max_segment | b->max_segment;
	else
		r.max_segment = min_u64(a->max_segment, b->max_segment);
	/* Both are 2^n - 1, so the AND is the smaller. */
	r.seg_boundary = a->seg_boundary & b->seg_boundary;
	r.flags = a->flags | b->flags;
	r.pad = 0;
	*out = r;
	return cenalloc_constraints_validate(&r);
}
EXPORT_SYMBOL_CENALLOC(cenalloc_constraints_combine);

static const char *const conflict_names[CENALLOC_CONFLICT_COUNT] = {
	[CENALLOC_OK] = "ok",
	[CENALLOC_CONFLICT_CACHING] = "caching (cached vs write-combined)",
	[CENALLOC_CONFLICT_ALIGNMENT] = "alignment",
	[CENALLOC_CONFLICT_SEGMENT] = "maximum segment size",
	[CENALLOC_CONFLICT_BOUNDARY] = "segment boundary",
	[CENALLOC_CONFLICT_LIMIT] = "DMA address limit",
	[CENALLOC_CONFLICT_FLAGS] = "unknown flags",
	[CENALLOC_CONFLICT_CONTIGUOUS] = "physical contiguity",
	[CENALLOC_CONFLICT_PLACEMENT] = "DMA address limit (storage lies above it)",
};

/**
 * cenalloc_conflict_str() - a conflict's name for messages
 * @conflict: the conflict
 *
 * Return: a static string.
 */
const char *cenalloc_conflict_str(enum cenalloc_conflict conflict)
{
	if ((unsigned int)conflict >= CENALLOC_CONFLICT_COUNT)
		return "unknown";
	return conflict_names[conflict];
}
EXPORT_SYMBOL_CENALLOC(cenalloc_conflict_str);

/**
 * cenalloc_segments_satisfy() - whether existing storage meets constraints
 * @segs: the storage's physical extents, in buffer order
 * @nsegs: how many
 * @caching: %CENALLOC_C_CACHED or %CENALLOC_C_WRITECOMBINE: how the
 *	storage is mapped for the CPU
 * @c: the constraints
 *
 * Segment size and boundary are met by how scatterlists are cut
 * (cenalloc_seg_chunk()), so only placement, contiguity, alignment and
 * caching are checked.
 *
 * Return: %CENALLOC_OK, or the first requirement the storage misses.
 */
enum cenalloc_conflict
cenalloc_segments_satisfy(const struct cenalloc_segment *segs,
			  unsigned int nsegs, __u32 caching,
			  const struct cenalloc_constraints *c)
{
	unsigned int i;

	if (!nsegs)
		return CENALLOC_CONFLICT_PLACEMENT;
	if ((c->flags & CENALLOC_C_CACHED) && caching != CENALLOC_C_CACHED)
		return CENALLOC_CONFLICT_CACHING;
	if ((c->flags & CENALLOC_C_WRITECOMBINE) &&
	    caching != CENALLOC_C_WRITECOMBINE)
		return CENALLOC_CONFLICT_CACHING;
	for (i = 0; i < nsegs; i++) {
		if (!segs[i].len ||
		    segs[i].addr + segs[i].len - 1 < segs[i].addr ||
		    segs[i].addr + segs[i].len - 1 > c->dma_limit)
			return CENALLOC_CONFLICT_PLACEMENT;
		if ((c->flags & CENALLOC_C_CONTIGUOUS) && i &&
		    segs[i].addr != segs[i - 1].addr + segs[i - 1].len)
			return CENALLOC_CONFLICT_CONTIGUOUS;
	}
	if (segs[0].addr & (eff_align(c) - 1))
		return CENALLOC_CONFLICT_ALIGNMENT;
	return CENALLOC_OK;
}

/**
 * cenalloc_seg_chunk() - how much of an extent one DMA segment may take
 * @addr: physical address where the segment starts
 * @len: bytes left in the extent (non-zero)
 * @c: the constraints (maximum segment size and boundary)
 *
 * Return: the length of the segment starting at @addr, at most @len.
 */
__u64 cenalloc_seg_chunk(__u64 addr, __u64 len,
			 const struct cenalloc_constraints *c)
{
	__u64 chunk = len;

	if (c->max_segment)
		chunk = min_u64(chunk, c->max_segment);
	if (c->seg_boundary != CENALLOC_NO_LIMIT)
		chunk = min_u64(chunk, c->seg_boundary + 1 -
				       (addr & c->seg_boundary));
	return chunk;
}

/**
 * cenalloc_pick_allocator() - the first allocator that meets constraints
 * @caps: the allocators' capabilities, in order of preference
 * @ncaps: how many
 * @c: the combined constraints (valid)
 * @size: the buffer size in bytes
 *
 * Return: the index into @caps, or -ENOSPC when none can.
 */
int cenalloc_pick_allocator(const struct cenalloc_alloc_caps *caps,
			    unsigned int ncaps,
			    const struct cenalloc_constraints *c, __u64 size)
{
	unsigned int i;

	for (i = 0; i < ncaps; i++) {
		if (caps[i].addr_limit > c->dma_limit)
			continue;
		if ((c->flags & CENALLOC_C_CONTIGUOUS) && !caps[i].contiguous)
			continue;
		if (caps[i].max_size && size > caps[i].max_size)
			continue;
		if (eff_align(c) > caps[i].max_align)
			continue;
		return i;
	}
	return -ENOSPC;
}

/**
 * cenalloc_constraints_format() - describe constraints in one line
 * @buf: the output buffer
 * @len: its size
 * @c: the constraints
 *
 * Only fields that constrain anything are printed, as the policy syntax
 * (cenalloc_policy_parse()) spells them; "any" when nothing does.
 *
 * Return: what snprintf() returns for the whole line.
 */
int cenalloc_constraints_format(char *buf, size_t len,
				const struct cenalloc_constraints *c)
{
	size_t n = 0;
	int w;

#define CENALLOC_PUT(...) do { \
		w = snprintf(buf + (n < len ? n : len), \
			     n < len ? len - n : 0, __VA_ARGS__); \
		n += w > 0 ? (size_t)w : 0; \
	} while (0)

	if (len)
		buf[0] = '\0';
	if (c->dma_limit != CENALLOC_NO_LIMIT)
		CENALLOC_PUT(" limit=%#llx", (unsigned long long)c->dma_limit);
	if (c->flags & CENALLOC_C_CONTIGUOUS)
		CENALLOC_PUT(" contiguous");
	if (c->alignment > CENALLOC_PAGE_SIZE)
		CENALLOC_PUT(" align=%#llx", (unsigned long long)c->alignment);
	if (c->max_segment)
		CENALLOC_PUT(" max-segment=%#llx",
			     (unsigned long long)c->max_segment);
	if (c->seg_boundary != CENALLOC_NO_LIMIT)
		CENALLOC_PUT(" boundary=%#llx",
			     (unsigned long long)c->seg_boundary);
	if (c->flags & CENALLOC_C_CACHED)
		CENALLOC_PUT(" cached");
	if (c->flags & CENALLOC_C_WRITECOMBINE)
		CENALLOC_PUT(" wc");
	if (!n)
		CENALLOC_PUT(" any");
#undef CENALLOC_PUT
	/* Drop the leading space. */
	if (len > 1)
		memmove(buf, buf + 1, strlen(buf + 1) + 1);
	return (int)n - 1;
}
EXPORT_SYMBOL_CENALLOC(cenalloc_constraints_format);

/* Parse a decimal or 0x-hex number of exactly @n characters. */
static int parse_u64(const char *s, size_t n, __u64 *out)
{
	unsigned int base = 10, d;
	__u64 v = 0;
	size_t i = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n)
		return -EINVAL;
	for (; i < n; i++) {
		char ch = s[i];

		if (ch >= '0' && ch <= '9')
			d = ch - '0';
		else if (base == 16 && ch >= 'a' && ch <= 'f')
			d = ch - 'a' + 10;
		else if (base == 16 && ch >= 'A' && ch <= 'F')
			d = ch - 'A' + 10;
		else
			return -EINVAL;
		if (v > (~0ULL - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static bool is_match_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
	       ch == '-' || ch == ':';
}

static bool word_is(const char *w, size_t n, const char *name)
{
	return strlen(name) == n && !memcmp(w, name, n);
}

static int parse_key(const char *w, size_t n, struct cenalloc_constraints *c)
{
	static const struct {
		const char *name;
		size_t off;
	} num_keys[] = {
		{ "limit", offsetof(struct cenalloc_constraints, dma_limit) },
		{ "align", offsetof(struct cenalloc_constraints, alignment) },
		{ "max-segment",
		  offsetof(struct cenalloc_constraints, max_segment) },
		{ "boundary",
		  offsetof(struct cenalloc_constraints, seg_boundary) },
	};
	const char *eq = memchr(w, '=', n);
	unsigned int i;

	if (!eq) {
		if (word_is(w, n, "contiguous"))
			c->flags |= CENALLOC_C_CONTIGUOUS;
		else if (word_is(w, n, "cached"))
			c->flags |= CENALLOC_C_CACHED;
		else if (word_is(w, n, "wc"))
			c->flags |= CENALLOC_C_WRITECOMBINE;
		else
			return -EINVAL;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(num_keys); i++)
		if (word_is(w, eq - w, num_keys[i].name))
			return parse_u64(eq + 1, n - (eq + 1 - w),
					 (__u64 *)((char *)c + num_keys[i].off));
	return -EINVAL;
}

/* MATCH, the @n bytes at @w: the name of a device or a driver. */
static int parse_match(const char *w, size_t n, char *match, size_t match_len)
{
	size_t i;

	if (!n || n >= match_len || n >= CENALLOC_MATCH_LEN)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!is_match_char(w[i]))
			return -EINVAL;
	memcpy(match, w, n);
	match[n] = '\0';
	return 0;
}

/* Keys of the compact form: "KEY[,KEY=VALUE]...", @n bytes, maybe none. */
static int parse_compact_keys(const char *p, size_t n,
			      struct cenalloc_constraints *c)
{
	const char *end = p + n, *comma;
	int ret;

	while (p < end) {
		comma = memchr(p, ',', end - p);
		if (!comma)
			comma = end;
		ret = parse_key(p, comma - p, c);
		if (ret)
			return ret;
		p = comma + 1;
		/* "a,b," has an empty last key. */
		if (comma + 1 == end)
			return -EINVAL;
	}
	return 0;
}

/**
 * cenalloc_policy_parse() - parse one platform policy rule
 * @line: one rule, in either form:
 *
 *	- "MATCH:KEY[,KEY[=VALUE]]...", e.g. "vivid:contiguous,limit=0xffffffff",
 *	  with no spaces, so that it survives a shell and modprobe.d without
 *	  quotes.  MATCH is what comes before the last ':' (PCI device names
 *	  have colons of their own); "MATCH:" alone clears MATCH's rule.
 *	- "MATCH [KEY[=VALUE]]...", e.g. "vivid contiguous limit=0xffffffff";
 *	  "MATCH" alone clears MATCH's rule.
 *
 *	Keys are those cenalloc_constraints_format() prints.  MATCH names a
 *	device (dev_name()) or a driver.  Leading and trailing white space is
 *	ignored.
 * @match: where MATCH goes
 * @match_len: size of @match (at most %CENALLOC_MATCH_LEN is used)
 * @c: the rule's constraints
 *
 * Return: 0, or -EINVAL (-ERANGE for a number too large) with @match and
 * @c unspecified.
 */
int cenalloc_policy_parse(const char *line, char *match, size_t match_len,
			  struct cenalloc_constraints *c)
{
	const char *p = line, *w, *end, *colon = NULL, *q;
	size_t n;
	int ret;

	cenalloc_constraints_init(c);
	while (is_space(*p))
		p++;
	for (end = p + strlen(p); end > p && is_space(end[-1]); end--)
		;
	for (q = p; q < end && !is_space(*q); q++)
		if (*q == ':')
			colon = q;

	if (q == end && colon) {
		/* The compact form: no space inside. */
		ret = parse_match(p, colon - p, match, match_len);
		if (!ret)
			ret = parse_compact_keys(colon + 1, end - colon - 1, c);
		if (ret)
			return ret;
		return cenalloc_constraints_validate(c) == CENALLOC_OK ?
		       0 : -EINVAL;
	}

	ret = parse_match(p, q - p, match, match_len);
	if (ret)
		return ret;
	p = q;
	for (;;) {
		while (p < end && is_space(*p))
			p++;
		if (p == end)
			break;
		for (w = p; p < end && !is_space(*p); p++)
			;
		n = p - w;
		ret = parse_key(w, n, c);
		if (ret)
			return ret;
	}
	return cenalloc_constraints_validate(c) == CENALLOC_OK ? 0 : -EINVAL;
}
