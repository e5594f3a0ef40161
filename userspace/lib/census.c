// SPDX-License-Identifier: MIT
/*
 * libvprime: a census of the system's dma-bufs, from /proc (every
 * exporter, every holder) and, when readable, debugfs dma_buf/bufinfo
 * (attachments, buffers only the kernel holds) and cenalloc/buffers
 * (placement and constraints).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vprime.h"

#define TEXT VPRIME_CENSUS_TEXT
#define MAX_ATTACH VPRIME_CENSUS_MAX_ATTACH

/* Growing arrays: a failed allocation ends the census with -ENOMEM. */
struct scan {
	struct vprime_dmabuf_census *c;
	const char *debugfs;
	bool nomem;
};

static struct vprime_dmabuf *find_buf(struct scan *s, unsigned long ino,
				      bool create)
{
	struct vprime_dmabuf_census *c = s->c;
	struct vprime_dmabuf *n;
	int i;

	for (i = 0; i < c->nbufs; i++)
		if (c->bufs[i].ino == ino)
			return &c->bufs[i];
	if (!create)
		return NULL;
	n = realloc(c->bufs, (c->nbufs + 1) * sizeof(*n));
	if (!n) {
		s->nomem = true;
		return NULL;
	}
	c->bufs = n;
	memset(&c->bufs[c->nbufs], 0, sizeof(*n));
	c->bufs[c->nbufs].ino = ino;
	return &c->bufs[c->nbufs++];
}

static struct vprime_dmabuf_holder *
find_holder(struct scan *s, struct vprime_dmabuf *b, int pid, const char *comm)
{
	struct vprime_dmabuf_holder *n;
	int i;

	for (i = 0; i < b->nholders; i++)
		if (b->holders[i].pid == pid)
			return &b->holders[i];
	n = realloc(b->holders, (b->nholders + 1) * sizeof(*n));
	if (!n) {
		s->nomem = true;
		return NULL;
	}
	b->holders = n;
	memset(&n[b->nholders], 0, sizeof(*n));
	n[b->nholders].pid = pid;
	snprintf(n[b->nholders].comm, sizeof(n->comm), "%s", comm);
	return &n[b->nholders++];
}

static void chomp(char *s)
{
	s[strcspn(s, "\n")] = '\0';
}

/* "key:\tvalue" from an fdinfo line into @out; true if it matched. */
static bool fdinfo_field(const char *line, const char *key, char *out,
			 size_t len)
{
	size_t k = strlen(key);

	if (strncmp(line, key, k) || line[k] != ':')
		return false;
	line += k + 1;
	line += strspn(line, " \t");
	snprintf(out, len, "%s", line);
	chomp(out);
	return true;
}

static void scan_fd(struct scan *s, int pid, const char *comm, const char *fdname)
{
	char path[128], link[256], line[256], val[128];
	struct vprime_dmabuf_holder *h;
	struct stat st;
	struct vprime_dmabuf *b;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fd/%.16s", pid, fdname);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return;
	link[n] = '\0';
	if (!strstr(link, "dmabuf"))
		return;
	if (stat(path, &st))
		return;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%.16s", pid, fdname);
	f = fopen(path, "r");
	if (!f)
		return;
	b = NULL;
	while (fgets(line, sizeof(line), f)) {
		if (fdinfo_field(line, "exp_name", val, sizeof(val))) {
			b = find_buf(s, st.st_ino, true);
			if (b)
				snprintf(b->exporter, sizeof(b->exporter), "%.63s", val);
		}
	}
	rewind(f);
	while (b && fgets(line, sizeof(line), f)) {
		if (fdinfo_field(line, "size", val, sizeof(val)))
			b->size = strtoull(val, NULL, 0);
		else if (fdinfo_field(line, "name", val, sizeof(val)))
			snprintf(b->name, sizeof(b->name), "%.63s", val);
	}
	fclose(f);
	h = b ? find_holder(s, b, pid, comm) : NULL;
	if (h)
		h->fds++;
}

static void scan_maps(struct scan *s, int pid, const char *comm)
{
	struct vprime_dmabuf_holder *h;
	char path[64], line[512];
	struct vprime_dmabuf *b;
	unsigned long ino;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (!strstr(line, "/dmabuf:"))
			continue;
		if (sscanf(line, "%lx-%lx %*s %*s %*s %lu", &lo, &hi, &ino) != 3)
			continue;
		b = find_buf(s, ino, true);
		/* no fd and no debugfs may tell the size: the mapping does */
		if (b && b->size < hi - lo)
			b->size = hi - lo;
		h = b ? find_holder(s, b, pid, comm) : NULL;
		if (h)
			h->maps++;
	}
	fclose(f);
}

static void scan_proc(struct scan *s)
{
	struct dirent *de, *fe;
	char path[64], comm[32];
	DIR *proc, *fds;
	FILE *f;
	int pid;

	proc = opendir("/proc");
	if (!proc)
		return;
	while ((de = readdir(proc))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		comm[0] = '\0';
		f = fopen(path, "r");
		if (f) {
			if (!fgets(comm, sizeof(comm), f))
				comm[0] = '\0';
			fclose(f);
		}
		chomp(comm);
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((fe = readdir(fds)))
			if (isdigit((unsigned char)fe->d_name[0]))
				scan_fd(s, pid, comm, fe->d_name);
		closedir(fds);
		scan_maps(s, pid, comm);
	}
	closedir(proc);
}

/* debugfs dma_buf/bufinfo: every dma-buf, with its attached devices. */
static bool scan_bufinfo(struct scan *s)
{
	char path[256], line[512], exp[64], name[64];
	unsigned long ino, size;
	struct vprime_dmabuf *b = NULL;
	bool in_attach = false;
	unsigned int flags, mode;
	long count;
	FILE *f;

	snprintf(path, sizeof(path), "%s/dma_buf/bufinfo", s->debugfs);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lu %x %x %ld %63s %lu %63s", &size, &flags,
			   &mode, &count, exp, &ino, name) == 7) {
			b = find_buf(s, ino, true);
			if (!b)
				break;
			b->size = size;
			b->refs = count;
			b->in_bufinfo = true;
			snprintf(b->exporter, sizeof(b->exporter), "%s", exp);
			if (strcmp(name, "<none>"))
				snprintf(b->name, sizeof(b->name), "%s", name);
			in_attach = false;
		} else if (b && strstr(line, "Attached Devices:")) {
			in_attach = true;
		} else if (b && !strncmp(line, "Total", 5)) {
			in_attach = false;
			b = NULL;
		} else if (b && in_attach && line[0] == '\t' &&
			   b->nattached < MAX_ATTACH) {
			chomp(line);
			snprintf(b->attached[b->nattached++], sizeof(b->attached[0]),
				 "%s", line + strspn(line, "\t "));
		}
	}
	fclose(f);
	return true;
}

/* One indented line of a cenalloc/buffers record. */
static void cenalloc_line(struct vprime_dmabuf *b, const char *line)
{
	const char *p;

	p = strstr(line, "storage: ");
	if (p) {
		snprintf(b->storage, TEXT, "%s", p + 9);
		return;
	}
	p = strstr(line, "combined: ");
	if (p) {
		snprintf(b->constraints, TEXT, "%s", p + 10);
		return;
	}
	p = strstr(line, "attached ");
	if (p && b->ncattach < MAX_ATTACH)
		snprintf(b->cattach[b->ncattach++], TEXT, "%s", p + 9);
}

/* debugfs cenalloc/buffers: storage and constraints of exported buffers. */
static void scan_cenalloc(struct scan *s)
{
	char path[256], line[512];
	struct vprime_dmabuf *b = NULL;
	unsigned long ino;
	char *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cenalloc/buffers", s->debugfs);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		chomp(line);
		if (!strncmp(line, "buffer ", 7)) {
			p = strstr(line, " exported ino ");
			b = p && sscanf(p, " exported ino %lu", &ino) == 1 ?
			    find_buf(s, ino, false) : NULL;
			if (b)
				b->cenalloc = true;
		} else if (b) {
			cenalloc_line(b, line);
		}
	}
	fclose(f);
}

int vprime_dmabuf_census(struct vprime_dmabuf_census *c, const char *debugfs)
{
	struct scan s = {
		.c = c, .debugfs = debugfs ? debugfs : "/sys/kernel/debug",
	};

	memset(c, 0, sizeof(*c));
	scan_proc(&s);
	if (!s.nomem)
		c->debugfs = scan_bufinfo(&s);
	if (!s.nomem && c->debugfs)
		scan_cenalloc(&s);
	if (s.nomem) {
		vprime_dmabuf_census_free(c);
		return -ENOMEM;
	}
	return 0;
}

const struct vprime_dmabuf *
vprime_dmabuf_census_find(const struct vprime_dmabuf_census *c,
			  unsigned long ino)
{
	int i;

	for (i = 0; i < c->nbufs; i++)
		if (c->bufs[i].ino == ino)
			return &c->bufs[i];
	return NULL;
}

void vprime_dmabuf_census_free(struct vprime_dmabuf_census *c)
{
	int i;

	for (i = 0; i < c->nbufs; i++)
		free(c->bufs[i].holders);
	free(c->bufs);
	memset(c, 0, sizeof(*c));
}
