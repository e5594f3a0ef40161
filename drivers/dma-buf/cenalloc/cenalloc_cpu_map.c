// SPDX-License-Identifier: GPL-2.0
/*
 * cenalloc: CPU mappings of a buffer: the one fault handler behind every
 * user mapping (the dma-buf's mmap and an owner's, such as vprime's GEM
 * mmap), and kernel mappings (vmap).
 */

#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/pfn_t.h>
#include <linux/vmalloc.h>

#include <linux/cenalloc_compat.h>
#include "cenalloc_drv.h"

/**
 * cenalloc_buffer_mmap_prepare() - set up a vma to map a buffer by faults
 * @buf: the buffer
 * @vma: a shared mapping
 * @pgoff: the page of the buffer at which @vma starts
 *
 * The caller installs vm_ops whose fault handler calls
 * cenalloc_buffer_fault() with buffer-relative page offsets.  Private
 * (copy-on-write) mappings are refused.
 *
 * Return: 0, or -EINVAL for a private mapping or one past the end.
 */
int cenalloc_buffer_mmap_prepare(struct cenalloc_buffer *buf,
				 struct vm_area_struct *vma, pgoff_t pgoff)
{
	u64 pages = buf->size >> PAGE_SHIFT;

	if (is_cow_mapping(vma->vm_flags))
		return -EINVAL;
	if (pgoff > pages || vma_pages(vma) > pages - pgoff)
		return -EINVAL;
	vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(cenalloc_buffer_mmap_prepare, CENALLOC);

/*
 * Pages mapped per CPU fault: the faulting one and those after it, as TTM
 * prefaults.  Streaming access then takes one fault per 256 KiB, not per
 * page; the storage exists already, so this only fills page tables, all
 * under one page-table lock (see cenalloc_fault_around()).
 */
#define CENALLOC_FAULT_AROUND 64

/* The pages after the faulting one, for cenalloc_set_pte(). */
struct cenalloc_fault_run {
	struct mm_struct *mm;
	struct page **pages;
	pgprot_t prot;
};

static int cenalloc_set_pte(pte_t *pte, unsigned long addr, void *data)
{
	struct cenalloc_fault_run *run = data;

	/* What vmf_insert_pfn_prot() writes; a present entry stays. */
	if (pte_none(ptep_get(pte)))
		set_pte_at(run->mm, addr, pte,
			   pte_mkspecial(pfn_pte(page_to_pfn(*run->pages),
						 run->prot)));
	run->pages++;
	return 0;
}

/*
 * Map the pages after the faulting one, up to CENALLOC_FAULT_AROUND in
 * all, within the vma, the buffer and the faulting page's page table:
 * that table exists (the faulting page was just mapped into it), so the
 * walk allocates nothing and never meets a huge (PMD) entry.  One walk
 * and one lock for the run: vmf_insert_pfn_prot() per page walked the
 * tables and took the lock for each, ~3/4 of a 16-page fault under TCG.
 * @prot is final: cached storage is mapped with the vma's protection and
 * write-combined storage (set WC in the linear map) with
 * pgprot_writecombine(), which is what PAT's lookup would give.
 */
static void cenalloc_fault_around(struct vm_fault *vmf,
				  struct cenalloc_storage *st, pgoff_t pgoff,
				  pgprot_t prot)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long start = (vmf->address & PAGE_MASK) + PAGE_SIZE;
	unsigned long end = start + (CENALLOC_FAULT_AROUND - 1) * PAGE_SIZE;
	struct cenalloc_fault_run run = {
		.mm = vma->vm_mm, .pages = &st->pages[pgoff + 1], .prot = prot,
	};

	end = min(end, ALIGN(start, PMD_SIZE));
	end = min(end, vma->vm_end);
	end = min(end, start + (st->nr_pages - pgoff - 1) * PAGE_SIZE);
	if (start < end)
		apply_to_page_range(vma->vm_mm, start, end - start,
				    cenalloc_set_pte, &run);
}

/*
 * The first fault of a buffer without storage allocates it with mmap_lock
 * dropped (the fault is then retried), so that allocating a large buffer
 * does not hold up every other user of the address space.
 */
static bool cenalloc_fault_alloc_unlocked(struct cenalloc_buffer *buf,
					  struct vm_fault *vmf)
{
	if (!fault_flag_allow_retry_first(vmf->flags) ||
	    (vmf->flags & FAULT_FLAG_RETRY_NOWAIT))
		return false;
	/* The vma, which holds the buffer, may go once the lock is dropped. */
	cenalloc_buffer_get(buf);
	cenalloc_release_fault_lock(vmf);
	mutex_lock(&buf->lock);
	/* A failure is reported by the retried fault, which tries again. */
	cenalloc_buffer_ensure_storage(buf);
	mutex_unlock(&buf->lock);
	cenalloc_buffer_put(buf);
	return true;
}

/**
 * cenalloc_buffer_fault() - map a page of a buffer for a CPU fault
 * @buf: the buffer
 * @vmf: the fault
 * @pgoff: page index within the buffer (relative to the buffer, not to
 *	the vma or a fake offset)
 *
 * Allocates the storage on first use, with the constraints of the devices
 * attached at that moment, and maps with the storage's caching
 * (write-combined storage gets write-combined user mappings).
 *
 * Context: fault handler (mmap_lock or the vma lock held); takes the
 * buffer's lock.
 * Return: a VM_FAULT_* code; VM_FAULT_RETRY after allocating storage with
 * mmap_lock dropped; VM_FAULT_SIGBUS when no storage can be had.
 */
vm_fault_t cenalloc_buffer_fault(struct cenalloc_buffer *buf,
				 struct vm_fault *vmf, pgoff_t pgoff)
{
	struct cenalloc_storage *st;
	pgprot_t prot;
	vm_fault_t ret;

	if (pgoff >= buf->size >> PAGE_SHIFT)
		return VM_FAULT_SIGBUS;
	mutex_lock(&buf->lock);
	if (!buf->storage) {
		mutex_unlock(&buf->lock);
		if (cenalloc_fault_alloc_unlocked(buf, vmf))
			return VM_FAULT_RETRY;
		mutex_lock(&buf->lock);
	}
	/*
	 * -ENOMEM here means no memory for allocators that could meet the
	 * constraints; VM_FAULT_OOM would send that to the OOM killer.
	 */
	if (cenalloc_buffer_ensure_storage(buf)) {
		ret = VM_FAULT_SIGBUS;
		goto out_unlock;
	}
	st = buf->storage;
	prot = vmf->vma->vm_page_prot;
	if (st->caching == CENALLOC_C_WRITECOMBINE)
		prot = pgprot_writecombine(prot);
	ret = vmf_insert_pfn_prot(vmf->vma, vmf->address,
				  page_to_pfn(st->pages[pgoff]), prot);
	if (ret == VM_FAULT_NOPAGE)
		cenalloc_fault_around(vmf, st, pgoff, prot);
out_unlock:
	mutex_unlock(&buf->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(cenalloc_buffer_fault, CENALLOC);

#ifdef CENALLOC_PMD_PFNMAP
/*
 * Whether the PTRS_PER_PMD pages of @st from page @first are one naturally
 * aligned, physically contiguous run that a PMD can map.
 */
static bool cenalloc_storage_pmd_run(const struct cenalloc_storage *st,
				     pgoff_t first)
{
	unsigned long pfn;
	unsigned int i;

	if (first + PTRS_PER_PMD > st->nr_pages)
		return false;
	pfn = page_to_pfn(st->pages[first]);
	if (!IS_ALIGNED(pfn, PTRS_PER_PMD))
		return false;
	for (i = 1; i < PTRS_PER_PMD; i++)
		if (page_to_pfn(st->pages[first + i]) != pfn + i)
			return false;
	return true;
}
#endif

/**
 * cenalloc_buffer_huge_fault() - map a PMD of a buffer for a CPU fault
 * @buf: the buffer
 * @vmf: the fault
 * @pgoff: page index within the buffer of @vmf's address (as for
 *	cenalloc_buffer_fault())
 * @order: the order of the mapping the core asks for
 *
 * Maps the PMD-sized, PMD-aligned range of the vma around the fault with
 * one entry when the vma covers all of it and the buffer's pages there
 * are one naturally aligned physical run of cached storage (a contiguous
 * buffer, or a PMD-sized block of page storage).  Otherwise, and when the
 * storage does not exist yet, the core falls back to
 * cenalloc_buffer_fault(), which allocates it and maps pages.  Does
 * nothing before Linux 6.12, whose core calls no huge_fault handler for a
 * VM_PFNMAP vma.
 *
 * Context: huge_fault handler (mmap_lock or the vma lock held); takes the
 * buffer's lock.
 * Return: %VM_FAULT_NOPAGE, or %VM_FAULT_FALLBACK when no PMD is mapped.
 */
vm_fault_t cenalloc_buffer_huge_fault(struct cenalloc_buffer *buf,
				      struct vm_fault *vmf, pgoff_t pgoff,
				      unsigned int order)
{
#ifdef CENALLOC_PMD_PFNMAP
	struct vm_area_struct *vma = vmf->vma;
	unsigned long addr = vmf->address & PMD_MASK;
	pgoff_t before = (vmf->address - addr) >> PAGE_SHIFT;
	vm_fault_t ret = VM_FAULT_FALLBACK;
	struct cenalloc_storage *st;
	unsigned long pfn;

	if (order != PMD_SHIFT - PAGE_SHIFT || addr < vma->vm_start ||
	    addr + PMD_SIZE > vma->vm_end || pgoff < before)
		return VM_FAULT_FALLBACK;
	mutex_lock(&buf->lock);
	st = buf->storage;
	if (st && st->caching != CENALLOC_C_WRITECOMBINE &&
	    cenalloc_storage_pmd_run(st, pgoff - before)) {
		pfn = page_to_pfn(st->pages[pgoff - before]);
		ret = vmf_insert_pfn_pmd(vmf, __pfn_to_pfn_t(pfn, PFN_DEV),
					 vmf->flags & FAULT_FLAG_WRITE);
	}
	mutex_unlock(&buf->lock);
	return ret;
#else
	return VM_FAULT_FALLBACK;
#endif
}
EXPORT_SYMBOL_NS_GPL(cenalloc_buffer_huge_fault, CENALLOC);

/**
 * cenalloc_buffer_vmap() - map a whole buffer into the kernel
 * @buf: the buffer
 * @map: returns the mapping
 *
 * Mappings are counted; each needs a cenalloc_buffer_vunmap().  While one
 * exists the storage cannot migrate.  Requests no allocator could serve
 * were refused at create and attach, so this fails only when memory is
 * short.
 *
 * Context: process context; takes the buffer's lock.
 * Return: 0, -ENOMEM or -EINTR.
 */
int cenalloc_buffer_vmap(struct cenalloc_buffer *buf, struct iosys_map *map)
{
	struct cenalloc_storage *st;
	pgprot_t prot = PAGE_KERNEL;
	void *vaddr;
	int ret;

	mutex_lock(&buf->lock);
	/* Drops the lock while allocating: look at the count after it. */
	ret = cenalloc_buffer_ensure_storage(buf);
	if (ret)
		goto out_unlock;
	if (buf->vmap_count) {
		buf->vmap_count++;
		iosys_map_set_vaddr(map, buf->vaddr);
		goto out_unlock;
	}
	st = buf->storage;
	if (st->caching == CENALLOC_C_WRITECOMBINE)
		prot = pgprot_writecombine(prot);
	vaddr = vmap(st->pages, st->nr_pages, VM_MAP, prot);
	if (!vaddr) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	buf->vaddr = vaddr;
	buf->vmap_count = 1;
	iosys_map_set_vaddr(map, vaddr);
out_unlock:
	mutex_unlock(&buf->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(cenalloc_buffer_vmap, CENALLOC);

/**
 * cenalloc_buffer_vunmap() - drop a kernel mapping
 * @buf: the buffer
 * @map: the mapping cenalloc_buffer_vmap() returned
 *
 * Context: process context; takes the buffer's lock.
 */
void cenalloc_buffer_vunmap(struct cenalloc_buffer *buf,
			    struct iosys_map *map)
{
	mutex_lock(&buf->lock);
	if (buf->vmap_count && map->vaddr == buf->vaddr &&
	    !--buf->vmap_count) {
		vunmap(buf->vaddr);
		buf->vaddr = NULL;
	}
	mutex_unlock(&buf->lock);
}
EXPORT_SYMBOL_NS_GPL(cenalloc_buffer_vunmap, CENALLOC);
