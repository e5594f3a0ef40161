/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cenalloc and vprime: the kernel-version and architecture differences,
 * as small helpers named after the newer API.  The only place where
 * LINUX_VERSION_CODE or an architecture is tested.
 */
#ifndef _LINUX_CENALLOC_COMPAT_H
#define _LINUX_CENALLOC_COMPAT_H

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/version.h>
#ifdef CONFIG_X86
#include <asm/set_memory.h>
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
/* vm_flags became read-only behind these helpers in 6.3. */
static inline void vm_flags_set(struct vm_area_struct *vma,
				vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

/*
 * MAX_PAGE_ORDER: the largest order the buddy allocator hands out.  Until
 * 6.4 MAX_ORDER was one past it; 6.4 made MAX_ORDER that order and 6.8
 * renamed it MAX_PAGE_ORDER.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
#define MAX_PAGE_ORDER (MAX_ORDER - 1)
#elif LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
#define MAX_PAGE_ORDER MAX_ORDER
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)
/**
 * get_file_active() - take a reference to a file unless it is being freed
 * @f: where the file pointer is, kept stable by the caller (a lock)
 *
 * 6.7 made files SLAB_TYPESAFE_BY_RCU and get_file_rcu() a function on an
 * __rcu pointer; a caller whose pointer is stable uses this one.
 *
 * Return: the file with a new reference, or NULL if its count was zero.
 */
static inline struct file *get_file_active(struct file **f)
{
	struct file *file = *f;

	return file && atomic_long_inc_not_zero(&file->f_count) ? file : NULL;
}
#endif

/*
 * PLATFORM_DRIVER_REMOVE() - fill a platform driver's void remove callback:
 * .remove_new until 6.11 made .remove itself return void.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
#define PLATFORM_DRIVER_REMOVE(fn) .remove_new = (fn)
#else
#define PLATFORM_DRIVER_REMOVE(fn) .remove = (fn)
#endif

/*
 * DRM_FOPS_FLAGS - the file flags a DRM device's file_operations carry:
 * since 6.12 the DRM core insists on FOP_UNSIGNED_OFFSET (it set the mode
 * itself before), as DRM_GEM_FOPS does.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
#define DRM_FOPS_FLAGS
#else
#define DRM_FOPS_FLAGS .fop_flags = FOP_UNSIGNED_OFFSET,
#endif

/*
 * CENALLOC_PMD_PFNMAP - the kernel maps PMD-sized runs of pfns in a
 * VM_PFNMAP vma from its huge_fault(vmf, order) handler (6.12, where the
 * architecture has a special bit for PMDs).  Before, 6.1's
 * hugepage_vma_check() never calls huge_fault for such a vma.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0) && \
	defined(CONFIG_TRANSPARENT_HUGEPAGE) && \
	defined(CONFIG_ARCH_SUPPORTS_PMD_PFNMAP)
#define CENALLOC_PMD_PFNMAP 1
#endif

/**
 * cenalloc_release_fault_lock() - drop the lock a fault handler runs under
 * @vmf: the fault, about to return %VM_FAULT_RETRY
 *
 * mmap_lock before 6.4; since then the vma's own lock when the fault took
 * that instead (release_fault_lock()).
 */
static inline void cenalloc_release_fault_lock(struct vm_fault *vmf)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
	mmap_read_unlock(vmf->vma->vm_mm);
#else
	release_fault_lock(vmf);
#endif
}

/**
 * cenalloc_set_pages_wc() - make pages write-combined in every mapping
 * @pages: the pages
 * @n: how many
 *
 * On x86 the memory type of RAM is tracked per page (PAT): a user or kernel
 * mapping asking for write-combining gets it only once the pages (and the
 * kernel's linear map of them) are write-combined.  Elsewhere the mapping's
 * pgprot is enough.
 *
 * Return: 0 or -errno.
 */
static inline int cenalloc_set_pages_wc(struct page **pages, unsigned long n)
{
#ifdef CONFIG_X86
	return set_pages_array_wc(pages, n);
#else
	return 0;
#endif
}

/**
 * cenalloc_set_pages_wb() - give write-combined pages back their caching
 * @pages: the pages cenalloc_set_pages_wc() changed
 * @n: how many
 */
static inline void cenalloc_set_pages_wb(struct page **pages, unsigned long n)
{
#ifdef CONFIG_X86
	set_pages_array_wb(pages, n);
#endif
}

#endif /* _LINUX_CENALLOC_COMPAT_H */
