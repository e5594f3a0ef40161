// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of cenalloc's constraint logic
 * (drivers/dma-buf/cenalloc/cenalloc_constraints.c): every field of
 * validation and combination, placement checks, segment cutting,
 * allocator choice and the policy syntax, plus randomized property sweeps.
 */
#include <linux/cenalloc_constraints.h>

#include "igt.h"

#define SZ_4K 0x1000ULL
#define SZ_1M 0x100000ULL
#define SZ_4M 0x400000ULL
#define SZ_4G 0x100000000ULL
#define LIM32 0xffffffffULL

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic, so failures reproduce. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* A random valid constraint set, biased towards interesting values. */
static struct cenalloc_constraints rnd_valid(void)
{
	static const uint64_t limits[] = {
		CENALLOC_NO_LIMIT, LIM32, 0x3fffffffULL, 0xffffffffffULL,
		CENALLOC_MIN_LIMIT,
	};
	static const uint64_t bounds[] = {
		CENALLOC_NO_LIMIT, LIM32, 0xffffULL, 0xfffULL, 0x1fffffULL,
	};
	struct cenalloc_constraints c;

	cenalloc_constraints_init(&c);
	c.dma_limit = limits[rnd() % ARRAY_SIZE(limits)];
	c.alignment = rnd() % 3 ? 0 : 1ULL << (rnd() % 24);
	c.max_segment = rnd() % 3 ? 0 : SZ_4K << (rnd() % 12);
	c.seg_boundary = bounds[rnd() % ARRAY_SIZE(bounds)];
	c.flags = rnd() % CENALLOC_C_WRITECOMBINE;	/* never both caching */
	if (rnd() % 4 == 0)
		c.flags = (c.flags & CENALLOC_C_CONTIGUOUS) |
			  CENALLOC_C_WRITECOMBINE;
	return c;
}

static bool same(const struct cenalloc_constraints *a,
		 const struct cenalloc_constraints *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static enum cenalloc_conflict validate_with(uint64_t limit, uint64_t align,
					    uint64_t maxseg, uint64_t boundary,
					    uint32_t flags)
{
	struct cenalloc_constraints c = {
		.dma_limit = limit, .alignment = align, .max_segment = maxseg,
		.seg_boundary = boundary, .flags = flags,
	};

	return cenalloc_constraints_validate(&c);
}

/* The pool the kernel module builds, in its order. */
static const struct cenalloc_alloc_caps pool[] = {
	{ CENALLOC_NO_LIMIT, 0, SZ_4K, false },	/* system */
	{ LIM32, 0, SZ_4K, false },			/* dma32 */
	{ LIM32, SZ_4M, SZ_4M, true },			/* contig */
	{ LIM32, 64 * SZ_1M, SZ_4M, true },		/* reserve */
};

static int pick(uint64_t limit, uint32_t flags, uint64_t align, uint64_t size)
{
	struct cenalloc_constraints c;

	cenalloc_constraints_init(&c);
	c.dma_limit = limit;
	c.flags = flags;
	c.alignment = align;
	return cenalloc_pick_allocator(pool, ARRAY_SIZE(pool), &c, size);
}

igt_main
{
	igt_subtest("init-accepts-anything") {
		struct cenalloc_constraints c;
		char buf[128];

		cenalloc_constraints_init(&c);
		igt_assert_eq(cenalloc_constraints_validate(&c), CENALLOC_OK);
		cenalloc_constraints_format(buf, sizeof(buf), &c);
		igt_assert_eq(strcmp(buf, "any"), 0);
	}

	igt_subtest("validate-each-field") {
		const uint64_t N = CENALLOC_NO_LIMIT;

		igt_assert_eq(validate_with(N, 0, 0, N, 0), CENALLOC_OK);
		igt_assert_eq(validate_with(N, 0, 0, N, 1U << 7),
			      CENALLOC_CONFLICT_FLAGS);
		igt_assert_eq(validate_with(N, 0, 0, N, CENALLOC_C_CACHED |
					    CENALLOC_C_WRITECOMBINE),
			      CENALLOC_CONFLICT_CACHING);
		igt_assert_eq(validate_with(0xfffffe, 0, 0, N, 0),
			      CENALLOC_CONFLICT_LIMIT);
		igt_assert_eq(validate_with(CENALLOC_MIN_LIMIT, 0, 0, N, 0),
			      CENALLOC_OK);
		igt_assert_eq(validate_with(N, 3, 0, N, 0),
			      CENALLOC_CONFLICT_ALIGNMENT);
		igt_assert_eq(validate_with(LIM32, SZ_4G, 0, N, 0),
			      CENALLOC_CONFLICT_ALIGNMENT);
		igt_assert_eq(validate_with(LIM32, SZ_4G / 2, 0, N, 0),
			      CENALLOC_OK);
		igt_assert_eq(validate_with(N, 1, 0, N, 0), CENALLOC_OK);
		igt_assert_eq(validate_with(N, 0, SZ_4K - 1, N, 0),
			      CENALLOC_CONFLICT_SEGMENT);
		igt_assert_eq(validate_with(N, 0, SZ_4K, N, 0), CENALLOC_OK);
		igt_assert_eq(validate_with(N, 0, 0, 0x1000, 0),
			      CENALLOC_CONFLICT_BOUNDARY);
		igt_assert_eq(validate_with(N, 0, 0, 0x7ff, 0),
			      CENALLOC_CONFLICT_BOUNDARY);
		igt_assert_eq(validate_with(N, 0, 0, 0xfff, 0), CENALLOC_OK);
	}

	igt_subtest("validate-pad") {
		struct cenalloc_constraints c;

		cenalloc_constraints_init(&c);
		c.pad = 1;
		igt_assert_eq(cenalloc_constraints_validate(&c),
			      CENALLOC_CONFLICT_FLAGS);
	}

	igt_subtest("combine-each-field") {
		struct cenalloc_constraints a, b, r;

		cenalloc_constraints_init(&a);
		cenalloc_constraints_init(&b);
		a.dma_limit = LIM32;
		b.dma_limit = 0xffffffffffULL;
		a.alignment = SZ_1M;
		b.alignment = SZ_4K;
		a.max_segment = 0;
		b.max_segment = 0x10000;
		a.seg_boundary = 0xffffffULL;
		b.seg_boundary = 0xffffULL;
		a.flags = CENALLOC_C_CONTIGUOUS;
		b.flags = CENALLOC_C_WRITECOMBINE;
		igt_assert_eq(cenalloc_constraints_combine(&r, &a, &b),
			      CENALLOC_OK);
		igt_assert_eq_u64(r.dma_limit, LIM32);
		igt_assert_eq_u64(r.alignment, SZ_1M);
		igt_assert_eq_u64(r.max_segment, 0x10000);
		igt_assert_eq_u64(r.seg_boundary, 0xffff);
		igt_assert_eq_u32(r.flags, CENALLOC_C_CONTIGUOUS |
				  CENALLOC_C_WRITECOMBINE);

		a.max_segment = 0x20000;
		igt_assert_eq(cenalloc_constraints_combine(&r, &a, &b),
			      CENALLOC_OK);
		igt_assert_eq_u64(r.max_segment, 0x10000);
	}

	igt_subtest("combine-conflicts") {
		struct cenalloc_constraints a, b, r;

		cenalloc_constraints_init(&a);
		cenalloc_constraints_init(&b);
		a.flags = CENALLOC_C_CACHED;
		b.flags = CENALLOC_C_WRITECOMBINE;
		igt_assert_eq(cenalloc_constraints_combine(&r, &a, &b),
			      CENALLOC_CONFLICT_CACHING);

		cenalloc_constraints_init(&a);
		cenalloc_constraints_init(&b);
		a.alignment = SZ_4G;
		b.dma_limit = LIM32;
		igt_assert_eq(cenalloc_constraints_combine(&r, &a, &b),
			      CENALLOC_CONFLICT_ALIGNMENT);

		/* An invalid input is reported as such. */
		cenalloc_constraints_init(&a);
		a.max_segment = 512;
		igt_assert_eq(cenalloc_constraints_combine(&r, &b, &a),
			      CENALLOC_CONFLICT_SEGMENT);
	}

	igt_subtest("combine-properties") {
		int i;

		for (i = 0; i < 200000; i++) {
			struct cenalloc_constraints a = rnd_valid();
			struct cenalloc_constraints b = rnd_valid();
			struct cenalloc_constraints c = rnd_valid();
			struct cenalloc_constraints id, ab, ba, abc1, abc2, t;
			enum cenalloc_conflict e1, e2;

			cenalloc_constraints_init(&id);
			igt_assert_eq(cenalloc_constraints_validate(&a),
				      CENALLOC_OK);
			/* identity and idempotence */
			igt_assert_eq(cenalloc_constraints_combine(&t, &a, &id),
				      CENALLOC_OK);
			igt_assert(same(&t, &a));
			igt_assert_eq(cenalloc_constraints_combine(&t, &a, &a),
				      CENALLOC_OK);
			igt_assert(same(&t, &a));
			/* commutativity, including the verdict */
			e1 = cenalloc_constraints_combine(&ab, &a, &b);
			e2 = cenalloc_constraints_combine(&ba, &b, &a);
			igt_assert_eq(e1, e2);
			igt_assert(same(&ab, &ba));
			/* associativity, of the verdict and the values */
			e2 = cenalloc_constraints_combine(&t, &b, &c);
			if (e1 == CENALLOC_OK && e2 == CENALLOC_OK) {
				e1 = cenalloc_constraints_combine(&abc1, &a, &t);
				e2 = cenalloc_constraints_combine(&abc2, &ab, &c);
				igt_assert_eq(e1, e2);
				igt_assert(e1 != CENALLOC_OK ||
					   same(&abc1, &abc2));
			}
			if (cenalloc_constraints_combine(&ab, &a, &b) ==
			    CENALLOC_OK) {
				/* at least as strict as each side */
				igt_assert(ab.dma_limit <= a.dma_limit);
				igt_assert(ab.alignment >= a.alignment);
				igt_assert((ab.flags & a.flags) == a.flags);
				igt_assert((ab.seg_boundary | a.seg_boundary) ==
					   a.seg_boundary);
				igt_assert(!a.max_segment ||
					   (ab.max_segment &&
					    ab.max_segment <= a.max_segment));
			}
		}
	}

	igt_subtest("segments-satisfy") {
		struct cenalloc_segment s[3] = {
			{ 0x10000000, SZ_1M },
			{ 0x10000000 + SZ_1M, SZ_1M },
			{ 0x200000000ULL, SZ_4K },
		};
		struct cenalloc_constraints c;

		cenalloc_constraints_init(&c);
		igt_assert_eq(cenalloc_segments_satisfy(s, 3, CENALLOC_C_CACHED,
							&c), CENALLOC_OK);
		igt_assert_eq(cenalloc_segments_satisfy(s, 0, CENALLOC_C_CACHED,
							&c),
			      CENALLOC_CONFLICT_PLACEMENT);
		c.dma_limit = LIM32;
		igt_assert_eq(cenalloc_segments_satisfy(s, 3, CENALLOC_C_CACHED,
							&c),
			      CENALLOC_CONFLICT_PLACEMENT);
		igt_assert_eq(cenalloc_segments_satisfy(s, 2, CENALLOC_C_CACHED,
							&c), CENALLOC_OK);
		/* the last byte counts, not the first */
		c.dma_limit = 0x10000000 + 2 * SZ_1M - 2;
		igt_assert_eq(cenalloc_segments_satisfy(s, 2, CENALLOC_C_CACHED,
							&c),
			      CENALLOC_CONFLICT_PLACEMENT);

		cenalloc_constraints_init(&c);
		c.flags = CENALLOC_C_CONTIGUOUS;
		igt_assert_eq(cenalloc_segments_satisfy(s, 2, CENALLOC_C_CACHED,
							&c), CENALLOC_OK);
		igt_assert_eq(cenalloc_segments_satisfy(s, 3, CENALLOC_C_CACHED,
							&c),
			      CENALLOC_CONFLICT_CONTIGUOUS);

		cenalloc_constraints_init(&c);
		c.alignment = 0x20000000;
		igt_assert_eq(cenalloc_segments_satisfy(s, 1, CENALLOC_C_CACHED,
							&c),
			      CENALLOC_CONFLICT_ALIGNMENT);
		c.alignment = 0x10000000;
		igt_assert_eq(cenalloc_segments_satisfy(s, 1, CENALLOC_C_CACHED,
							&c), CENALLOC_OK);

		cenalloc_constraints_init(&c);
		c.flags = CENALLOC_C_WRITECOMBINE;
		igt_assert_eq(cenalloc_segments_satisfy(s, 1, CENALLOC_C_CACHED,
							&c),
			      CENALLOC_CONFLICT_CACHING);
		igt_assert_eq(cenalloc_segments_satisfy(s, 1,
							CENALLOC_C_WRITECOMBINE,
							&c), CENALLOC_OK);
		c.flags = CENALLOC_C_CACHED;
		igt_assert_eq(cenalloc_segments_satisfy(s, 1,
							CENALLOC_C_WRITECOMBINE,
							&c),
			      CENALLOC_CONFLICT_CACHING);

		/* a segment that wraps the address space is never valid */
		s[0].addr = ~0ULL - SZ_4K + 1;
		s[0].len = 2 * SZ_4K;
		cenalloc_constraints_init(&c);
		igt_assert_eq(cenalloc_segments_satisfy(s, 1, CENALLOC_C_CACHED,
							&c),
			      CENALLOC_CONFLICT_PLACEMENT);
	}

	igt_subtest("seg-chunk") {
		struct cenalloc_constraints c;
		int i;

		cenalloc_constraints_init(&c);
		igt_assert_eq_u64(cenalloc_seg_chunk(0x1000, SZ_4M, &c), SZ_4M);
		c.max_segment = 0x10000;
		igt_assert_eq_u64(cenalloc_seg_chunk(0x1000, SZ_4M, &c),
				  0x10000);
		c.seg_boundary = 0xffff;
		igt_assert_eq_u64(cenalloc_seg_chunk(0x1000, SZ_4M, &c),
				  0xf000);
		igt_assert_eq_u64(cenalloc_seg_chunk(0x1000, 0x2000, &c),
				  0x2000);

		for (i = 0; i < 200000; i++) {
			struct cenalloc_constraints r = rnd_valid();
			uint64_t addr = (rnd() % (1ULL << 40)) & ~0xfffULL;
			uint64_t len = 1 + rnd() % (64 * SZ_1M);
			uint64_t chunk = cenalloc_seg_chunk(addr, len, &r);

			igt_assert(chunk > 0 && chunk <= len);
			igt_assert(!r.max_segment || chunk <= r.max_segment);
			igt_assert(r.seg_boundary == CENALLOC_NO_LIMIT ||
				   (addr & ~r.seg_boundary) ==
				   ((addr + chunk - 1) & ~r.seg_boundary));
		}
	}

	igt_subtest("pick-allocator") {
		const uint64_t N = CENALLOC_NO_LIMIT;

		igt_assert_eq(pick(N, 0, 0, SZ_4K), 0);
		igt_assert_eq(pick(N, 0, 0, 1ULL << 40), 0);
		igt_assert_eq(pick(LIM32, 0, 0, SZ_4K), 1);
		igt_assert_eq(pick(0xffffffffffULL, 0, 0, SZ_4K), 1);
		igt_assert_eq(pick(N, CENALLOC_C_CONTIGUOUS, 0, SZ_1M), 2);
		igt_assert_eq(pick(LIM32, CENALLOC_C_CONTIGUOUS, 0, SZ_4M), 2);
		igt_assert_eq(pick(LIM32, CENALLOC_C_CONTIGUOUS, 0,
				   SZ_4M + SZ_4K), 3);
		igt_assert_eq(pick(LIM32, CENALLOC_C_CONTIGUOUS, 0,
				   65 * SZ_1M), -ENOSPC);
		igt_assert_eq(pick(0x3fffffffULL, 0, 0, SZ_4K), -ENOSPC);
		igt_assert_eq(pick(N, 0, SZ_1M, SZ_4K), 2);
		igt_assert_eq(pick(N, 0, 2 * SZ_4M, SZ_4K), -ENOSPC);
		igt_assert_eq(pick(N, CENALLOC_C_WRITECOMBINE, 0, SZ_4K), 0);
	}

	igt_subtest("format-parse-roundtrip") {
		char line[256], text[200], match[CENALLOC_MATCH_LEN];
		int i;

		for (i = 0; i < 100000; i++) {
			struct cenalloc_constraints c = rnd_valid(), back;

			if (c.alignment <= SZ_4K)
				c.alignment = 0;
			cenalloc_constraints_format(text, sizeof(text), &c);
			snprintf(line, sizeof(line), "vivid.0 %s",
				 strcmp(text, "any") ? text : "");
			igt_assert_eq(cenalloc_policy_parse(line, match,
							    sizeof(match),
							    &back), 0);
			igt_assert_eq(strcmp(match, "vivid.0"), 0);
			igt_assert_f(same(&c, &back), "%s\n", line);
		}
	}

	igt_subtest("format-truncates-safely") {
		struct cenalloc_constraints c = {
			.dma_limit = LIM32, .alignment = SZ_1M,
			.max_segment = 0x10000, .seg_boundary = 0xffff,
			.flags = CENALLOC_C_CONTIGUOUS | CENALLOC_C_CACHED,
		};
		char full[256], small[16];
		int n;

		n = cenalloc_constraints_format(full, sizeof(full), &c);
		igt_assert_eq(n, (int)strlen(full));
		cenalloc_constraints_format(small, sizeof(small), &c);
		igt_assert_eq((int)strlen(small), (int)sizeof(small) - 2);
		igt_assert_eq(strncmp(small, full, strlen(small)), 0);
	}

	igt_subtest("policy-parse-examples") {
		struct cenalloc_constraints c;
		char m[CENALLOC_MATCH_LEN];

		igt_assert_eq(cenalloc_policy_parse("vivid contiguous limit=0xffffffff\n",
						    m, sizeof(m), &c), 0);
		igt_assert_eq(strcmp(m, "vivid"), 0);
		igt_assert_eq_u32(c.flags, CENALLOC_C_CONTIGUOUS);
		igt_assert_eq_u64(c.dma_limit, LIM32);
		igt_assert_eq(cenalloc_policy_parse("  vgem  ", m, sizeof(m),
						    &c), 0);
		igt_assert_eq(strcmp(m, "vgem"), 0);
		igt_assert_eq(cenalloc_policy_parse("x max-segment=65536 wc", m,
						    sizeof(m), &c), 0);
		igt_assert_eq_u64(c.max_segment, 65536);
		igt_assert_eq_u32(c.flags, CENALLOC_C_WRITECOMBINE);
	}

	igt_subtest("policy-parse-compact") {
		struct cenalloc_constraints c;
		char m[CENALLOC_MATCH_LEN];

		igt_assert_eq(cenalloc_policy_parse("vivid:contiguous,limit=0xffffffff",
						    m, sizeof(m), &c), 0);
		igt_assert(!strcmp(m, "vivid"));
		igt_assert_eq(c.flags, CENALLOC_C_CONTIGUOUS);
		igt_assert_eq_u64(c.dma_limit, 0xffffffffULL);
		/* A trailing newline, as echo writes one. */
		igt_assert_eq(cenalloc_policy_parse("x:wc,max-segment=65536\n", m,
						    sizeof(m), &c), 0);
		igt_assert(!strcmp(m, "x"));
		igt_assert_eq(c.flags, CENALLOC_C_WRITECOMBINE);
		igt_assert_eq_u64(c.max_segment, 65536);
		/* A PCI name keeps its colons; the last one starts the keys. */
		igt_assert_eq(cenalloc_policy_parse("0000:00:02.0:contiguous", m,
						    sizeof(m), &c), 0);
		igt_assert(!strcmp(m, "0000:00:02.0"));
		igt_assert_eq(c.flags, CENALLOC_C_CONTIGUOUS);
		/* "MATCH:" clears, as "MATCH" does. */
		igt_assert_eq(cenalloc_policy_parse("vivid:", m, sizeof(m), &c), 0);
		igt_assert(!strcmp(m, "vivid"));
		igt_assert_eq(c.flags, 0);
		igt_assert_eq_u64(c.dma_limit, ~0ULL);
	}

	igt_subtest("policy-parse-compact-errors") {
		static const char *const bad[] = {
			":contiguous", "vivid:contiguous,", "vivid:,contiguous",
			"vivid:contiguous,,wc", "vivid:bogus", "vivid:limit=",
			"vivid:cached,wc", "vivid:max-segment=0x1001", "v!d:wc",
			"vivid:contiguous limit=0x10000",
		};
		struct cenalloc_constraints c;
		char m[CENALLOC_MATCH_LEN];
		size_t i;

		for (i = 0; i < ARRAY_SIZE(bad); i++)
			igt_assert_f(cenalloc_policy_parse(bad[i], m, sizeof(m),
							   &c) < 0,
				     "accepted \"%s\"\n", bad[i]);
	}

	igt_subtest("policy-parse-errors") {
		static const char *const bad[] = {
			"", "   ", "vivid bogus", "vivid limit=", "vivid limit",
			"vivid limit=0x", "vivid limit=0xzz", "vivid limit=12a",
			"vivid limit=99999999999999999999999", "viv!d",
			"vivid cached wc", "vivid limit=0x10", "vivid align=3",
			"vivid boundary=0x1000", "vivid max-segment=1",
			/* segments that would split a page */
			"vivid max-segment=0x1001", "vivid max-segment=0x1ffff",
			"vivid =1", "0123456789012345678901234567890123456789",
		};
		struct cenalloc_constraints c;
		char m[CENALLOC_MATCH_LEN];
		size_t i;

		for (i = 0; i < ARRAY_SIZE(bad); i++)
			igt_assert_f(cenalloc_policy_parse(bad[i], m, sizeof(m),
							   &c) < 0,
				     "accepted \"%s\"\n", bad[i]);
		igt_assert_eq(cenalloc_policy_parse("vivid", m, 3, &c),
			      -EINVAL);
	}

	igt_subtest("policy-parse-random-input") {
		static const char alphabet[] = "vivd.0 =xfX19-_:\t\nlmtcongusaewb";
		struct cenalloc_constraints c;
		char m[CENALLOC_MATCH_LEN], line[64];
		int i, j, n;

		for (i = 0; i < 300000; i++) {
			n = rnd() % (sizeof(line) - 1);
			for (j = 0; j < n; j++)
				line[j] = rnd() % 8 ? alphabet[rnd() % (sizeof(alphabet) - 1)]
						    : (char)(rnd() % 255 + 1);
			line[n] = '\0';
			if (cenalloc_policy_parse(line, m, sizeof(m), &c) == 0) {
				igt_assert(strlen(m) > 0);
				igt_assert_eq(cenalloc_constraints_validate(&c),
					      CENALLOC_OK);
			}
		}
	}
}
