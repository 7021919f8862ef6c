/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed hash short inputs
 * can be authenticated with, as pf's syncookies are (pf_syncookie_mac()).
 */
#ifndef FWD_SIPHASH_H
#define FWD_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* The 64-bit tag of LEN bytes at IN under the 128-bit KEY (k0, k1 are
 * its two halves read little-endian, as the reference reads them). */
uint64_t siphash24(const uint64_t key[2], const void *in, size_t len);

#endif /* FWD_SIPHASH_H */
