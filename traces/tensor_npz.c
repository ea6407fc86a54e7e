/* tensor_npz.c — NumPy .npz archives: a strict reader of the zip container (end of
 * central directory, central directory, local headers; stored or deflated members
 * inflated with zlib, CRC-32 checked), each member parsed by npy_parse. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "tensor_file.h"
#include "errbuf.h"

#define EOCD_SIG 0x06054b50u
#define CDIR_SIG 0x02014b50u
#define LOCAL_SIG 0x04034b50u
#define NPZ_MAX_MEMBERS 4096u
#define DEFLATE_MAX_RATIO 1032u /* deflate cannot expand by more than ~1032:1 */

static uint32_t rd16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | rd16(p + 2) << 16; }

void tf_archive_free(tf_archive *a) {
  for (size_t i = 0; a->bufs && i < a->n; i++) free(a->bufs[i]);
  free(a->bufs);
  free(a->t);
  memset(a, 0, sizeof *a);
}

static int inflate_member(const uint8_t *src, size_t csize, uint8_t *dst, size_t usize) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (inflateInit2(&z, -15) != Z_OK) return -1;
  int rc = -1;
  size_t in_done = 0, out_done = 0;
  for (;;) { /* zlib counts in uInt: feed at most 1 GiB at a time */
    if (z.avail_in == 0 && in_done < csize) {
      size_t k = csize - in_done < (1u << 30) ? csize - in_done : (1u << 30);
      z.next_in = (Bytef *)(uintptr_t)(src + in_done);
      z.avail_in = (uInt)k;
      in_done += k;
    }
    if (z.avail_out == 0 && out_done < usize) {
      size_t k = usize - out_done < (1u << 30) ? usize - out_done : (1u << 30);
      z.next_out = dst + out_done;
      z.avail_out = (uInt)k;
      out_done += k;
    }
    int r = inflate(&z, Z_NO_FLUSH);
    if (r == Z_STREAM_END) {
      rc = (z.total_out == usize && z.avail_in == 0 && in_done == csize) ? 0 : -1;
      break;
    }
    if (r != Z_OK) break;
    if (z.avail_out == 0 && out_done == usize) { /* more output than declared */
      uint8_t extra;
      z.next_out = &extra;
      z.avail_out = 1;
      r = inflate(&z, Z_NO_FLUSH);
      rc = (r == Z_STREAM_END && z.avail_out == 1 && z.avail_in == 0) ? 0 : -1;
      break;
    }
    if (z.avail_in == 0 && in_done == csize && z.avail_out > 0) break; /* truncated */
  }
  inflateEnd(&z);
  return rc;
}

int npz_parse(const uint8_t *data, size_t size, const char *name, tf_archive *a, char *err,
              size_t errlen) {
  memset(a, 0, sizeof *a);
  if (size < 22) return fail(err, errlen, "%s: not a zip/.npz file (%zu bytes)", name, size);
  /* end of central directory: the last EOCD signature whose comment ends the file */
  size_t e = size - 22, lo = size > 22 + 65535 ? size - 22 - 65535 : 0;
  for (;; e--) {
    if (rd32(data + e) == EOCD_SIG && e + 22 + rd16(data + e + 20) == size) break;
    if (e == lo) return fail(err, errlen, "%s: not a zip/.npz file (no end of central directory)", name);
  }
  const uint8_t *q = data + e;
  uint32_t disk = rd16(q + 4), cd_disk = rd16(q + 6), n_disk = rd16(q + 8), n = rd16(q + 10);
  uint32_t cd_size = rd32(q + 12), cd_off = rd32(q + 16);
  if (n == 0xffff || cd_size == 0xffffffffu || cd_off == 0xffffffffu)
    return fail(err, errlen, "%s: zip64 archive (over 4 GiB or 65535 members): not supported; "
                "save the arrays as .npy files", name);
  if (disk != 0 || cd_disk != 0 || n_disk != n)
    return fail(err, errlen, "%s: multi-disk zip archives are not supported", name);
  if (n < 1 || n > NPZ_MAX_MEMBERS)
    return fail(err, errlen, "%s: field entries = %u, expected [1, %u]", name, n, NPZ_MAX_MEMBERS);
  if ((uint64_t)cd_off + cd_size > e)
    return fail(err, errlen, "%s: central directory [%u, +%u) runs past its end record at %zu",
                name, cd_off, cd_size, e);
  a->t = calloc(n, sizeof *a->t);
  a->bufs = calloc(n, sizeof *a->bufs);
  if (!a->t || !a->bufs) {
    tf_archive_free(a);
    return fail(err, errlen, "%s: out of memory", name);
  }
  size_t p = cd_off, end = (size_t)cd_off + cd_size;
  for (uint32_t i = 0; i < n; i++) {
    const uint8_t *c = data + p;
    if (p + 46 > end || rd32(c) != CDIR_SIG) {
      fail(err, errlen, "%s: central directory entry %u: bad signature or truncated", name, i);
      goto bad;
    }
    uint32_t flags = rd16(c + 8), method = rd16(c + 10), crc = rd32(c + 16);
    uint32_t csize = rd32(c + 20), usize = rd32(c + 24), nlen = rd16(c + 28);
    uint32_t xlen = rd16(c + 30), clen = rd16(c + 32), loff = rd32(c + 42);
    if (p + 46 + (size_t)nlen + xlen + clen > end) {
      fail(err, errlen, "%s: central directory entry %u: name/extra/comment run past the "
           "directory", name, i);
      goto bad;
    }
    char mname[TF_NAME_MAX];
    if (nlen < 5 || nlen >= TF_NAME_MAX || memcmp(c + 46 + nlen - 4, ".npy", 4)) {
      fail(err, errlen, "%s: member %u: name of %u bytes, expected NAME.npy shorter than %d",
           name, i, nlen, TF_NAME_MAX);
      goto bad;
    }
    memcpy(mname, c + 46, nlen);
    mname[nlen] = 0;
    if (memchr(mname, 0, nlen)) {
      fail(err, errlen, "%s: member %u: NUL byte in its name", name, i);
      goto bad;
    }
    if (flags & 1) {
      fail(err, errlen, "%s: member '%s' is encrypted", name, mname);
      goto bad;
    }
    if (method != 0 && method != 8) {
      fail(err, errlen, "%s: member '%s': field method = %u, expected 0 (stored) or 8 (deflate)",
           name, mname, method);
      goto bad;
    }
    if (csize == 0xffffffffu || usize == 0xffffffffu || loff == 0xffffffffu) {
      fail(err, errlen, "%s: member '%s': zip64 sizes are not supported", name, mname);
      goto bad;
    }
    if ((method == 0 && usize != csize) ||
        (method == 8 && (uint64_t)usize > (uint64_t)csize * DEFLATE_MAX_RATIO + 64)) {
      fail(err, errlen, "%s: member '%s': field uncompressed size = %u is impossible for %u "
           "compressed bytes (method %u)", name, mname, usize, csize, method);
      goto bad;
    }
    /* local header */
    if ((uint64_t)loff + 30 > cd_off || rd32(data + loff) != LOCAL_SIG) {
      fail(err, errlen, "%s: member '%s': field local header offset = %u, no local header "
           "there", name, mname, loff);
      goto bad;
    }
    uint64_t doff = (uint64_t)loff + 30 + rd16(data + loff + 26) + rd16(data + loff + 28);
    if (doff + csize > cd_off) {
      fail(err, errlen, "%s: member '%s': data [%llu, +%u) runs past the central directory at "
           "%u", name, mname, (unsigned long long)doff, csize, cd_off);
      goto bad;
    }
    a->bufs[i] = malloc(usize ? usize : 1);
    if (!a->bufs[i]) {
      fail(err, errlen, "%s: member '%s': out of memory for %u bytes", name, mname, usize);
      goto bad;
    }
    a->n = i + 1;
    if (method == 0) memcpy(a->bufs[i], data + doff, usize);
    else if (inflate_member(data + doff, csize, a->bufs[i], usize)) {
      fail(err, errlen, "%s: member '%s': deflate data corrupt or not %u bytes", name, mname, usize);
      goto bad;
    }
    uint32_t got = (uint32_t)crc32(0L, a->bufs[i], usize);
    if (got != crc) {
      fail(err, errlen, "%s: member '%s': CRC-32 mismatch (stored 0x%08x, computed 0x%08x)",
           name, mname, crc, got);
      goto bad;
    }
    char full[512];
    snprintf(full, sizeof full, "%s:%s", name, mname);
    if (npy_parse(a->bufs[i], usize, full, &a->t[i], err, errlen)) goto bad;
    mname[nlen - 4] = 0; /* tensor name: member without .npy */
    memcpy(a->t[i].name, mname, nlen - 3); /* includes the NUL */
    p += 46 + (size_t)nlen + xlen + clen;
  }
  return 0;
bad:
  tf_archive_free(a);
  return -1;
}
