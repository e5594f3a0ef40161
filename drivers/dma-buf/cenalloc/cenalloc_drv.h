/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cenalloc: private declarations shared by the framework's files.
 */
#ifndef _CENALLOC_DRV_H_
#define _CENALLOC_DRV_H_

/* cenalloc_dev.c */
int cenalloc_dev_init(void);
void cenalloc_dev_exit(void);

#endif /* _CENALLOC_DRV_H_ */
