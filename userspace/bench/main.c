// SPDX-License-Identifier: MIT
/*
 * vprime-bench: run every figure, print a table, write CSV and JSON.
 *
 *   vprime-bench [--smoke] [--out DIR]
 *
 * Needs vprime and vgem (and vivid, allocators=0, for the video figures)
 * loaded; runs as root in the guest.  Timings under TCG mean something only
 * as ratios taken in the same run: every figure has vprime and its
 * reference side by side.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench.h"
#include "vprime.h"

#define MAX_ROWS 64
#define MAX_REPEATS 16
#define MAX_SLICES 32
#define USAGE "vprime-bench [--smoke] [--out DIR] [--only FIGURE]"

struct row {
	char figure[48], variant[32], unit[16], ref[16];
	double v[3], r[3];	/* median, min, max */
	double ratio[3];	/* of the pairs' ratios: median, min, max */
};

static struct row rows[MAX_ROWS];
static int nrows;

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int min_int(int a, int b)
{
	return a < b ? a : b;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void stats(double *v, int n, double out[3])
{
	qsort(v, n, sizeof(*v), cmp_double);
	out[0] = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	out[1] = v[0];
	out[2] = v[n - 1];
}

/* The ratio of one pair of runs: >= 1.0 when vprime did at least as well. */
static double pair_ratio(double v, double r, enum better better)
{
	/* a ratio needs two non-zero figures; NAN says "not measurable" */
	if (v <= 0 || r <= 0)
		return NAN;
	return better == HIGHER ? v / r : r / v;
}

/*
 * Run i of vprime (@v) and run i of the reference (@r) ran back to back,
 * and @q is that pair's ratio: each pair's ratio cancels what changed on
 * the host between pairs, and the row's ratio is the median of the pairs'.
 */
static void record(const char *figure, const char *variant, const char *unit,
		   const char *ref_name, double *v, double *r, double *q,
		   int n)
{
	bool measurable = true;
	struct row *row;
	int i;

	if (nrows == MAX_ROWS)
		return;
	row = &rows[nrows++];
	snprintf(row->figure, sizeof(row->figure), "%s", figure);
	snprintf(row->variant, sizeof(row->variant), "%s", variant);
	snprintf(row->unit, sizeof(row->unit), "%s", unit);
	snprintf(row->ref, sizeof(row->ref), "%s", ref_name);
	/* one unmeasurable pair makes the row's ratio unmeasurable */
	for (i = 0; i < n; i++)
		measurable = measurable && !isnan(q[i]);
	stats(v, n, row->v);
	stats(r, n, row->r);
	if (measurable)
		stats(q, n, row->ratio);
	else
		for (i = 0; i < 3; i++)
			row->ratio[i] = NAN;
	printf("%-22s %-14s %12.4g %12.4g %-8s %6.2f  %s\n", row->figure,
	       row->variant, row->v[0], row->r[0], row->ref, row->ratio[0],
	       row->unit);
	fflush(stdout);
}

bool bench_wanted(const struct bench_cfg *cfg, const char *figure)
{
	return !cfg->only || strstr(figure, cfg->only) ||
	       strstr(cfg->only, figure);
}

/* The mean of @n runs of equal work: harmonic for rates, plain for costs. */
static double combine(const double *x, int n, enum better better)
{
	double sum = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += better == HIGHER ? 1 / x[i] : x[i];
	return better == HIGHER ? n / sum : sum / n;
}

/*
 * Run @fn and @ref_fn alternately, each with its own pair of fds, in
 * pairs whose order alternates (vprime first, then the reference first):
 * whatever a run leaves behind for the next one (freed memory, RCU
 * callbacks, a warm cache) falls on both sides alike.
 *
 * With @slices > 1 a pair is @slices short runs of each side, interleaved
 * (the order alternating slice by slice), and the pair's ratio is the
 * median of its slices' ratios: a burst of host load that lands on one
 * slice moves one slice ratio, not the pair's; a side's figure for the
 * pair is the mean of its slices (see combine()).
 */
static void measure(const struct bench_cfg *cfg, const char *figure,
		    const char *variant, const char *unit, enum better better,
		    const char *ref_name, bench_fn fn, int fd, int other,
		    bench_fn ref_fn, int ref_fd, int ref_other, const void *arg,
		    int slices)
{
	double v[MAX_REPEATS], r[MAX_REPEATS], q[MAX_REPEATS];
	double sv[MAX_SLICES], sr[MAX_SLICES], sq[MAX_SLICES], m[3];
	int i, s, n = min_int(cfg->repeats, MAX_REPEATS);
	bool unmeasurable = false;

	if (!bench_wanted(cfg, figure))
		return;
	slices = min_int(slices, MAX_SLICES);
	/*
	 * One untimed run of each side first: the first run of a code path
	 * pays for cold caches (and, under TCG, for translating the code),
	 * and whichever side ran first would pay it alone.
	 */
	fn(fd, other, arg);
	ref_fn(ref_fd, ref_other, arg);
	for (i = 0; i < n; i++) {
		for (s = 0; s < slices; s++) {
			if ((i + s) % 2) {
				sr[s] = ref_fn(ref_fd, ref_other, arg);
				sv[s] = fn(fd, other, arg);
			} else {
				sv[s] = fn(fd, other, arg);
				sr[s] = ref_fn(ref_fd, ref_other, arg);
			}
			sq[s] = pair_ratio(sv[s], sr[s], better);
			unmeasurable = unmeasurable || isnan(sq[s]);
		}
		v[i] = combine(sv, slices, better);
		r[i] = combine(sr, slices, better);
		stats(sq, slices, m);
		q[i] = unmeasurable ? NAN : m[0];
	}
	record(figure, variant, unit, ref_name, v, r, q, n);
}

void bench_figure2(const struct bench_cfg *cfg, const char *figure,
		   const char *variant, const char *unit, enum better better,
		   const char *ref_name, bench_fn fn, bench_fn ref_fn, int fd,
		   int other_fd, const void *arg)
{
	measure(cfg, figure, variant, unit, better, ref_name, fn, fd, other_fd,
		ref_fn, fd, other_fd, arg, 1);
}

void bench_figure(const struct bench_cfg *cfg, const char *figure,
		  const char *variant, const char *unit, enum better better,
		  const char *ref_name, bench_fn fn, int vprime_fd, int ref_fd,
		  const void *arg)
{
	measure(cfg, figure, variant, unit, better, ref_name, fn, vprime_fd,
		ref_fd, fn, ref_fd, vprime_fd, arg, 1);
}

void bench_figure_ops(const struct bench_cfg *cfg, const char *figure,
		      const char *variant, const char *ref_name, bench_fn fn,
		      bench_fn ref_fn, int vprime_fd, int ref_fd,
		      const void *arg)
{
	measure(cfg, figure, variant, "ops/s", HIGHER, ref_name, fn, vprime_fd,
		ref_fd, ref_fn, ref_fd, vprime_fd, arg, cfg->slices);
}

/* The last line: the lowest ratio against @ref, the figure that has it. */
static void print_worst(const char *ref)
{
	const struct row *worst = NULL;
	int i;

	for (i = 0; i < nrows; i++)
		if (!strcmp(rows[i].ref, ref) && !isnan(rows[i].ratio[0]) &&
		    (!worst || rows[i].ratio[0] < worst->ratio[0]))
			worst = &rows[i];
	if (worst)
		printf("worst ratio against %s: %.2f (%s %s; pairs %.2f..%.2f)\n",
		       ref, worst->ratio[0], worst->figure, worst->variant,
		       worst->ratio[1], worst->ratio[2]);
	else
		printf("worst ratio against %s: none measured\n", ref);
}

/*
 * The range of the ratios against @ref: for vprime against itself, how
 * far from 1.00 the bench reads when both sides cost the same.
 */
static void print_band(const char *ref)
{
	double lo = INFINITY, hi = -INFINITY;
	int i, n = 0;

	for (i = 0; i < nrows; i++) {
		if (strcmp(rows[i].ref, ref) || isnan(rows[i].ratio[0]))
			continue;
		lo = fmin(lo, rows[i].ratio[0]);
		hi = fmax(hi, rows[i].ratio[0]);
		n++;
	}
	if (n)
		printf("%s against itself (the same code on both sides): %.2f..%.2f over %d rows\n",
		       ref, lo, hi, n);
}

static int write_outputs(const char *dir)
{
	char path[512];
	FILE *c, *j;
	int i;

	snprintf(path, sizeof(path), "%s/bench.csv", dir);
	c = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/bench.json", dir);
	j = fopen(path, "w");
	if (!c || !j) {
		perror(path);
		return 1;
	}
	fprintf(c, "figure,variant,unit,reference,%s,%s,%s\n",
		"vprime_median,vprime_min,vprime_max",
		"ref_median,ref_min,ref_max", "ratio,ratio_min,ratio_max");
	fprintf(j, "[\n");
	for (i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];

		fprintf(c, "%s,%s,%s,%s,%g,%g,%g,%g,%g,%g,%.3f,%.3f,%.3f\n",
			r->figure, r->variant, r->unit, r->ref, r->v[0],
			r->v[1], r->v[2], r->r[0], r->r[1], r->r[2],
			r->ratio[0], r->ratio[1], r->ratio[2]);
		fprintf(j, "  {\"figure\": \"%s\", \"variant\": \"%s\", ",
			r->figure, r->variant);
		fprintf(j, "\"unit\": \"%s\", \"reference\": \"%s\", ", r->unit,
			r->ref);
		fprintf(j, "\"vprime\": {\"median\": %g, \"min\": %g, \"max\": %g}, ",
			r->v[0], r->v[1], r->v[2]);
		fprintf(j, "\"ref\": {\"median\": %g, \"min\": %g, \"max\": %g}, ",
			r->r[0], r->r[1], r->r[2]);
		if (isnan(r->ratio[0]))
			fprintf(j, "\"ratio\": null}");
		else
			fprintf(j, "\"ratio\": {\"median\": %.3f, \"min\": %.3f, \"max\": %.3f}}",
				r->ratio[0], r->ratio[1], r->ratio[2]);
		fprintf(j, "%s\n", i + 1 < nrows ? "," : "");
	}
	fprintf(j, "]\n");
	fclose(c);
	fclose(j);
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_cfg cfg = {
		.repeats = 5, .quick_repeats = 11, .slices = 10, .ops = 20000,
		.live = { 1, 1000, 100000 },
		.slab_objects = 10000, .map_bytes = 64ull << 20, .frames = 60,
		.bulk_bytes = 1ull << 30, .bulk_small_bytes = 32 << 20,
	};
	struct rlimit rl = { 1 << 20, 1 << 20 };
	const char *out = ".", *only = NULL;
	struct bench_cfg quick;
	int i, vprime, vgem;

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		printf("usage: %s\n", USAGE);
		return 0;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--smoke")) {
			cfg = (struct bench_cfg) {
				.smoke = true, .repeats = 1,
				.quick_repeats = 1, .slices = 2, .ops = 20,
				.live = { 1, 10, 100 }, .slab_objects = 100,
				.map_bytes = 1 << 20, .frames = 4,
				.bulk_bytes = 1 << 20,
				.bulk_small_bytes = 64 << 10,
			};
		} else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			only = argv[++i];
		} else {
			fprintf(stderr, "usage: %s\n", USAGE);
			return 2;
		}
	}
	cfg.only = only;
	quick = cfg;
	quick.repeats = cfg.quick_repeats;
	/* 100k exported objects need 100k fds */
	if (setrlimit(RLIMIT_NOFILE, &rl))
		perror("setrlimit");
	vprime = vprime_open_driver("vprime", VPRIME_PRIMARY, 0);
	vgem = vprime_open_driver("vgem", VPRIME_PRIMARY, 0);
	if (vprime < 0 || vgem < 0) {
		fprintf(stderr, "vprime-bench: %s\n", vprime_error());
		return 1;
	}
	printf("%-22s %-14s %12s %12s %-8s %6s  %s\n", "FIGURE", "VARIANT",
	       "VPRIME", "REFERENCE", "REF", "RATIO", "UNIT");
	bench_drm(&quick, vprime, vgem);
	bench_heap(&quick);
	bench_vivid(&cfg, vprime);
	bench_display(&cfg, vprime);
	printf("(pairs of runs: %d, %d for vivid and the display; %s %d; %s)\n",
	       quick.repeats, cfg.repeats, "slices per ops/s pair:", cfg.slices,
	       "ratio: the pairs' median, >= 1.00: vprime at least as good");
	print_band("vprime");
	print_worst("vgem");
	return write_outputs(out);
}
