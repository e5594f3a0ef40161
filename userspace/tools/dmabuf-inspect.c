// SPDX-License-Identifier: MIT
/*
 * dmabuf-inspect: every dma-buf in the system, who exported it, who holds
 * it (fds and mappings, from /proc), which devices are attached and, for
 * cenalloc-backed buffers, where the storage is and what constrains it.
 * In the spirit of Android's dmabuf_dump.
 *
 *   dmabuf-inspect [--json] [--pid PID] [--exporter NAME]
 *
 * Sources: /proc/PID/fd + fdinfo (every exporter), /proc/PID/maps
 * (mappings whose fd is closed), debugfs dma_buf/bufinfo (attachments and
 * buffers no process holds) and debugfs cenalloc/buffers (placement).
 * Without debugfs it reports what /proc shows and says so.
 * DMABUF_INSPECT_DEBUGFS overrides the debugfs mount point.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vprime.h"

static struct vprime_dmabuf_census census;

static bool wanted(const struct vprime_dmabuf *b, int pid, const char *exporter)
{
	int i;

	if (exporter && strcmp(b->exporter, exporter))
		return false;
	if (pid <= 0)
		return true;
	for (i = 0; i < b->nholders; i++)
		if (b->holders[i].pid == pid)
			return true;
	return false;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

struct proc_total {
	int pid;
	char comm[32];
	int buffers, fds, maps;
	uint64_t bytes;
};

static struct proc_total *totals;
static int ntotals;

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		perror("dmabuf-inspect");
		exit(1);
	}
	return p;
}

static void add_total(const struct vprime_dmabuf_holder *h, uint64_t size)
{
	int i;

	for (i = 0; i < ntotals; i++)
		if (totals[i].pid == h->pid)
			break;
	if (i == ntotals) {
		totals = xrealloc(totals, (ntotals + 1) * sizeof(*totals));
		memset(&totals[i], 0, sizeof(*totals));
		totals[i].pid = h->pid;
		snprintf(totals[i].comm, sizeof(totals[i].comm), "%s", h->comm);
		ntotals++;
	}
	totals[i].buffers++;
	totals[i].fds += h->fds;
	totals[i].maps += h->maps;
	totals[i].bytes += size;
}

/* The buffers shown: those --pid and --exporter select. */
static uint64_t shown_bytes;
static int shown;

/*
 * Keep only the selected buffers in the census and add up the totals,
 * per process and overall, once for both printers.
 */
static void select_buffers(int pid, const char *exporter)
{
	struct vprime_dmabuf *b;
	int i, j, kept = 0;

	for (i = 0; i < census.nbufs; i++) {
		b = &census.bufs[i];
		if (!wanted(b, pid, exporter)) {
			free(b->holders);
			continue;
		}
		for (j = 0; j < b->nholders; j++)
			if (pid <= 0 || b->holders[j].pid == pid)
				add_total(&b->holders[j], b->size);
		shown++;
		shown_bytes += b->size;
		census.bufs[kept++] = *b;
	}
	census.nbufs = kept;
}

static void print_json(bool have_debugfs)
{
	bool first = true;
	int i, j;

	printf("{\n  \"debugfs\": %s,\n  \"buffers\": [\n",
	       have_debugfs ? "true" : "false");
	for (i = 0; i < census.nbufs; i++) {
		const struct vprime_dmabuf *b = &census.bufs[i];

		printf("%s    {\"ino\": %lu, \"size\": %llu, \"exporter\": ",
		       first ? "" : ",\n", b->ino, (unsigned long long)b->size);
		first = false;
		json_str(b->exporter[0] ? b->exporter : "?");
		printf(", \"name\": ");
		json_str(b->name);
		printf(", \"holders\": [");
		for (j = 0; j < b->nholders; j++) {
			printf("%s{\"pid\": %d, \"comm\": ", j ? ", " : "",
			       b->holders[j].pid);
			json_str(b->holders[j].comm);
			printf(", \"fds\": %d, \"maps\": %d}",
			       b->holders[j].fds, b->holders[j].maps);
		}
		printf("], \"attached\": [");
		for (j = 0; j < b->nattached; j++) {
			printf("%s", j ? ", " : "");
			json_str(b->attached[j]);
		}
		printf("]");
		if (b->cenalloc) {
			printf(", \"cenalloc\": {\"storage\": ");
			json_str(b->storage);
			printf(", \"constraints\": ");
			json_str(b->constraints);
			printf(", \"attachments\": [");
			for (j = 0; j < b->ncattach; j++) {
				printf("%s", j ? ", " : "");
				json_str(b->cattach[j]);
			}
			printf("]}");
		}
		printf("}");
	}
	printf("\n  ],\n  \"processes\": [\n");
	for (i = 0; i < ntotals; i++) {
		printf("%s    {\"pid\": %d, \"comm\": ", i ? ",\n" : "",
		       totals[i].pid);
		json_str(totals[i].comm);
		printf(", \"buffers\": %d, \"fds\": %d, \"maps\": %d, \"bytes\": %llu}",
		       totals[i].buffers, totals[i].fds, totals[i].maps,
		       (unsigned long long)totals[i].bytes);
	}
	printf("\n  ],\n  \"total\": {\"buffers\": %d, \"bytes\": %llu}\n}\n",
	       shown, (unsigned long long)shown_bytes);
}

static const char *human(uint64_t n, char *buf, size_t len)
{
	if (n >= (1ULL << 20))
		snprintf(buf, len, "%.1f MiB", n / 1048576.0);
	else if (n >= 1024)
		snprintf(buf, len, "%.1f KiB", n / 1024.0);
	else
		snprintf(buf, len, "%llu B", (unsigned long long)n);
	return buf;
}

static void print_table(bool have_debugfs)
{
	char hs[32], holders[512];
	size_t off;
	int i, j;

	if (!have_debugfs)
		printf("%s\n",
		       "note: debugfs dma_buf/bufinfo is not readable: no attachments, no cenalloc placement, only buffers a process holds");
	printf("%-8s %-10s %-12s %-12s %s\n", "INODE", "SIZE", "EXPORTER",
	       "NAME", "HOLDERS (pid comm fds/maps)");
	for (i = 0; i < census.nbufs; i++) {
		const struct vprime_dmabuf *b = &census.bufs[i];

		off = 0;
		holders[0] = '\0';
		for (j = 0; j < b->nholders && off < sizeof(holders) - 1; j++)
			off += snprintf(holders + off, sizeof(holders) - off,
					"%s%d %s %d/%d", j ? ", " : "",
					b->holders[j].pid, b->holders[j].comm,
					b->holders[j].fds, b->holders[j].maps);
		printf("%-8lu %-10s %-12s %-12s %s\n", b->ino,
		       human(b->size, hs, sizeof(hs)),
		       b->exporter[0] ? b->exporter : "?",
		       b->name[0] ? b->name : "-",
		       b->nholders ? holders : "(kernel only)");
		for (j = 0; j < b->nattached; j++)
			printf("%8s attached: %s\n", "", b->attached[j]);
		if (b->cenalloc) {
			printf("%8s cenalloc storage: %s\n", "", b->storage);
			printf("%8s cenalloc constraints: %s\n", "", b->constraints);
		}
	}
	printf("\n%-8s %-16s %8s %6s %6s %10s\n", "PID", "COMM", "BUFFERS",
	       "FDS", "MAPS", "SIZE");
	for (i = 0; i < ntotals; i++)
		printf("%-8d %-16s %8d %6d %6d %10s\n", totals[i].pid,
		       totals[i].comm, totals[i].buffers, totals[i].fds,
		       totals[i].maps, human(totals[i].bytes, hs, sizeof(hs)));
	printf("\n%d dma-buf%s, %s\n", shown, shown == 1 ? "" : "s",
	       human(shown_bytes, hs, sizeof(hs)));
}

static void print_usage(FILE *f)
{
	fprintf(f, "usage: dmabuf-inspect [--json] [--pid PID] [--exporter NAME]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pid", required_argument, NULL, 'p' },
		{ "exporter", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *exporter = NULL;
	bool json = false;
	int c, pid = 0, ret;
	char *end;

	while ((c = getopt_long(argc, argv, "jp:e:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'p':
			pid = strtol(optarg, &end, 10);
			if (*end || pid <= 0) {
				fprintf(stderr, "dmabuf-inspect: bad pid %s\n", optarg);
				return 2;
			}
			break;
		case 'e':
			exporter = optarg;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		print_usage(stderr);
		return 2;
	}
	ret = vprime_dmabuf_census(&census, getenv("DMABUF_INSPECT_DEBUGFS"));
	if (ret) {
		fprintf(stderr, "dmabuf-inspect: %s\n", strerror(-ret));
		return 1;
	}
	select_buffers(pid, exporter);
	if (json)
		print_json(census.debugfs);
	else
		print_table(census.debugfs);
	vprime_dmabuf_census_free(&census);
	free(totals);
	return 0;
}
