/* SPDX-License-Identifier: MIT */
/*
 * libvprime: what the library's files share and do not export.
 */
#ifndef LIBVPRIME_INTERNAL_H
#define LIBVPRIME_INTERNAL_H

/* Record a failure of @err (a positive errno) for vprime_error(): -@err. */
__attribute__((visibility("hidden"), format(printf, 2, 3)))
int vprime_fail(int err, const char *fmt, ...);

#endif /* LIBVPRIME_INTERNAL_H */
