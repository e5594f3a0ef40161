/* SPDX-License-Identifier: MIT */
/*
 * The subset of IGT's igt_kmod.h (1.27.1) that vprime's tests use,
 * implemented by running modprobe.
 */
#ifndef VPRIME_IGT_KMOD_H
#define VPRIME_IGT_KMOD_H

#include <stdbool.h>

int igt_kmod_load(const char *mod_name, const char *opts);
int igt_kmod_unload(const char *mod_name, unsigned int flags);
bool igt_kmod_is_loaded(const char *mod_name);

#endif /* VPRIME_IGT_KMOD_H */
