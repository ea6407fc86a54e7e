/* import.c — turn Q/K/positions/softmax tensors (from tensor_file.c) into trace records
 * (see import.h for the accepted roles and shapes). */
#include "import.h"
#include "errbuf.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[IMPORT_NROLE] = {"q", "k", "positions", "softmax"};

static int role_parse(const char *s, size_t n, import_role *r) {
  for (int i = 0; i < IMPORT_NROLE; i++)
    if (strlen(role_names[i]) == n && !strncmp(s, role_names[i], n)) {
      *r = (import_role)i;
      return 0;
    }
  return -1;
}

int import_parse_spec(const char *spec, import_role *role, uint32_t *layer, const char **path,
                      char *err, size_t errlen) {
  const char *eq = strchr(spec, '=');
  if (!eq || !eq[1])
    return fail(err, errlen, "'%s': expected ROLE[:LAYER]=PATH (ROLE q, k, positions, softmax)",
                spec);
  const char *colon = memchr(spec, ':', (size_t)(eq - spec));
  size_t rn = (size_t)((colon ? colon : eq) - spec);
  if (role_parse(spec, rn, role))
    return fail(err, errlen, "'%s': role '%.*s' is not q, k, positions or softmax", spec,
                (int)rn, spec);
  *layer = 0;
  if (colon) {
    char *end;
    unsigned long v = strtoul(colon + 1, &end, 10);
    if (end != eq || colon + 1 == eq || v >= TRACE_MAX_LAYERS)
      return fail(err, errlen, "'%s': layer is not an integer in [0, %u]", spec,
                  TRACE_MAX_LAYERS - 1);
    *layer = (uint32_t)v;
  }
  *path = eq + 1;
  return 0;
}

int import_role_of_name(const char *name, import_role *role, uint32_t *layer) {
  *layer = 0;
  const char *r = name;
  if (!strncmp(name, "layer", 5)) {
    char *end;
    unsigned long v = strtoul(name + 5, &end, 10);
    if (end == name + 5 || *end != '.' || v >= TRACE_MAX_LAYERS) return -1;
    *layer = (uint32_t)v;
    r = end + 1;
  }
  return role_parse(r, strlen(r), role);
}

/* Shape of a Q/K tensor as (T, H, D); leading 1s are dropped. */
static int qk_shape(const tf_tensor *t, uint32_t heads, bool head_major, uint64_t *T,
                    uint64_t *H, uint64_t *D, char *err, size_t errlen) {
  uint32_t nd = t->ndim, s = 0;
  while (nd - s > 2 && t->shape[s] == 1) s++;
  uint32_t k = nd - s;
  if (k == 3) {
    *T = head_major ? t->shape[s + 1] : t->shape[s];
    *H = head_major ? t->shape[s] : t->shape[s + 1];
    *D = t->shape[s + 2];
  } else if (k == 2 && heads) {
    *T = t->shape[s];
    *H = heads;
    if (t->shape[s + 1] % heads)
      return fail(err, errlen, "tensor '%s': shape[%u] = %llu is not a multiple of %u heads",
                  t->name, s + 1, (unsigned long long)t->shape[s + 1], heads);
    *D = t->shape[s + 1] / heads;
  } else {
    return fail(err, errlen, "tensor '%s': %u dimensions; expected [T, H, D], [H, T, D] or "
                "[T, H*D] with --heads", t->name, nd);
  }
  if (*T < 1 || *T > TRACE_MAX_POS || *H < 1 || *H > TRACE_MAX_HEADS || *D < 2 ||
      *D > TRACE_MAX_HEAD_DIM || *D % 2)
    return fail(err, errlen, "tensor '%s': T = %llu, heads = %llu, head_dim = %llu; expected "
                "T in [1, %u], heads in [1, %u], head_dim even in [2, %u]", t->name,
                (unsigned long long)*T, (unsigned long long)*H, (unsigned long long)*D,
                TRACE_MAX_POS, TRACE_MAX_HEADS, TRACE_MAX_HEAD_DIM);
  return 0;
}

static bool is_float(tf_dtype d) { return d == TF_F32 || d == TF_F64 || d == TF_F16 || d == TF_BF16; }

static int write_rope(const trace_import_opts *o, const import_item *it, uint32_t op,
                      const uint32_t *pos, uint64_t T, uint64_t H, uint64_t D, trace_writer *w,
                      char *err, size_t errlen) {
  uint32_t blk = (uint32_t)(TRACE_CHUNK_MAX / 2 / (D * 5 + 8));
  if (blk < 1) blk = 1;
  float *f = malloc((size_t)blk * D * sizeof(float)), *s = malloc(blk * sizeof(float));
  int8_t *q = malloc((size_t)blk * D);
  int rc = -1;
  if (!f || !s || !q) {
    fail(err, errlen, "out of memory");
    goto done;
  }
  for (uint64_t h = 0; h < H; h++)
    for (uint64_t t0 = 0; t0 < T; t0 += blk) {
      uint32_t n = (uint32_t)(T - t0 < blk ? T - t0 : blk);
      for (uint32_t i = 0; i < n; i++) {
        uint64_t t = t0 + i;
        uint64_t base = o->head_major ? (h * T + t) * D : (t * H + h) * D;
        for (uint64_t d = 0; d < D; d++) {
          double v = tf_get(&it->t, base + d);
          if (!isfinite(v) || fabs(v) > 3.0e38) {
            fail(err, errlen, "tensor '%s': element [t=%llu, h=%llu, d=%llu] = %g, expected "
                 "a finite float32 value", it->t.name, (unsigned long long)t,
                 (unsigned long long)h, (unsigned long long)d, v);
            goto done;
          }
          f[(size_t)i * D + d] = (float)v;
        }
        trace_quantize_row(f + (size_t)i * D, D, q + (size_t)i * D, &s[i]);
      }
      trace_record rec = {.kind = TRACE_ROPE, .op = op, .flags = o->keep_f32 ? TRACE_F_F32 : 0,
                          .layer = it->layer, .head = (uint32_t)h, .tok0 = (uint32_t)t0,
                          .ntok = n, .width = (uint32_t)D, .pos = pos + t0, .x = q, .scale = s,
                          .f32 = o->keep_f32 ? f : NULL};
      if (trace_write(w, &rec, err, errlen)) goto done;
    }
  rc = 0;
done:
  free(f), free(s), free(q);
  return rc;
}

static int write_softmax(const import_item *it, const uint32_t *pos, uint64_t npos,
                         uint32_t nheads, trace_writer *w, uint64_t *masked, char *err,
                         size_t errlen) {
  const tf_tensor *t = &it->t;
  uint32_t s = 0;
  while (t->ndim - s > 3 && t->shape[s] == 1) s++;
  if (t->ndim - s != 3)
    return fail(err, errlen, "tensor '%s': %u dimensions, expected [H, Tq, Tk]", t->name, t->ndim);
  uint64_t H = t->shape[s], Tq = t->shape[s + 1], Tk = t->shape[s + 2];
  if (H < 1 || H > TRACE_MAX_HEADS || (nheads && H != nheads) || Tq < 1 ||
      Tq > TRACE_MAX_POS || Tk < 1 || Tk > (1u << 20))
    return fail(err, errlen, "tensor '%s': shape [%llu, %llu, %llu]; expected H in [1, %u]%s, "
                "Tq in [1, %u], Tk in [1, %u]", t->name, (unsigned long long)H,
                (unsigned long long)Tq, (unsigned long long)Tk, nheads ? nheads : TRACE_MAX_HEADS,
                nheads ? " (= q heads)" : "", TRACE_MAX_POS, 1u << 20);
  if (!is_float(t->dtype))
    return fail(err, errlen, "tensor '%s': dtype %s, expected a float type", t->name,
                tf_dtype_name(t->dtype));
  float *row = malloc(Tk * sizeof(float));
  if (!row) return fail(err, errlen, "out of memory");
  int rc = -1;
  for (uint64_t h = 0; h < H; h++)
    for (uint64_t i = 0; i < Tq; i++) {
      uint32_t n = 0;
      float mx = -INFINITY;
      for (uint64_t j = 0; j < Tk; j++) {
        double v = tf_get(t, (h * Tq + i) * Tk + j);
        if (isnan(v) || v > 1e30) { /* only -inf and values below -1e30 are masks */
          fail(err, errlen, "tensor '%s': element [%llu, %llu, %llu] is %s, not a logit "
               "(masks are -inf or below -1e30)", t->name, (unsigned long long)h,
               (unsigned long long)i, (unsigned long long)j,
               isnan(v) ? "NaN" : isinf(v) ? "+inf" : "above 1e30");
          goto done;
        }
        if (v < -1e30) { /* masked */
          (*masked)++;
          continue;
        }
        row[n++] = (float)v;
        if (row[n - 1] > mx) mx = row[n - 1];
      }
      if (!n) continue;
      for (uint32_t j = 0; j < n; j++) row[j] -= mx;
      const uint32_t *p = pos && i < npos ? pos + i : NULL;
      trace_record rec = {.kind = TRACE_EXP, .op = TRACE_EXP_SOFTMAX,
                          .flags = p ? TRACE_F_POS : 0, .layer = it->layer,
                          .head = (uint32_t)h, .tok0 = (uint32_t)i, .ntok = 1, .width = n,
                          .f32 = row, .pos = p};
      if (trace_write(w, &rec, err, errlen)) goto done;
    }
  rc = 0;
done:
  free(row);
  return rc;
}

/* (role, layer, index) of an item, sorted to find a role given twice for one layer. */
typedef struct role_key {
  uint32_t role, layer;
  size_t i;
} role_key;
static int cmp_role_key(const void *a, const void *b) {
  const role_key *x = a, *y = b;
  if (x->role != y->role) return x->role < y->role ? -1 : 1;
  if (x->layer != y->layer) return x->layer < y->layer ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

/* A role may be given once per layer (q and layer0.q, the same --npy twice, or two .npz
 * members of one name would otherwise write the records twice). O(n log n). */
static int check_unique(const import_item *items, size_t n, char *err, size_t errlen) {
  if (n < 2) return 0;
  role_key *k = malloc(n * sizeof *k);
  if (!k) return fail(err, errlen, "out of memory");
  for (size_t i = 0; i < n; i++) k[i] = (role_key){items[i].role, items[i].layer, i};
  qsort(k, n, sizeof *k, cmp_role_key);
  int rc = 0;
  for (size_t i = 1; i < n && !rc; i++)
    if (k[i].role == k[i - 1].role && k[i].layer == k[i - 1].layer)
      rc = fail(err, errlen, "role %s of layer %u is given twice (tensors '%s' and '%s')",
                role_names[k[i].role], k[i].layer, items[k[i - 1].i].t.name,
                items[k[i].i].t.name);
  free(k);
  return rc;
}

int trace_import_items(const trace_import_opts *o, const import_item *items, size_t n,
                       trace_writer *w, char *err, size_t errlen) {
  trace_header h;
  trace_header_init(&h);
  snprintf(h.model, sizeof h.model, "%s", o->model ? o->model : "imported");
  snprintf(h.source, sizeof h.source, "mpbsim trace import");
  h.pairing = o->pairing;
  uint64_t T = 0, Hq = 0, Hk = 0, D = 0;
  uint32_t nl = 0;
  const import_item *pos_it = NULL;
  bool any_qk = false;
  if (check_unique(items, n, err, errlen)) return -1;
  for (size_t i = 0; i < n; i++) {
    const import_item *it = &items[i];
    if (it->layer + 1 > nl) nl = it->layer + 1;
    if (it->role == IMPORT_POS) {
      if (pos_it) return fail(err, errlen, "more than one positions tensor ('%s', '%s')",
                              pos_it->t.name, it->t.name);
      pos_it = it;
      continue;
    }
    if (it->role != IMPORT_Q && it->role != IMPORT_K) continue;
    uint64_t t = 0, hh = 0, d = 0;
    if (qk_shape(&it->t, it->role == IMPORT_Q ? o->heads : o->kv_heads, o->head_major, &t, &hh,
                 &d, err, errlen))
      return -1;
    if (!is_float(it->t.dtype) && it->t.dtype != TF_I8)
      return fail(err, errlen, "tensor '%s': dtype %s, expected a float type or I8",
                  it->t.name, tf_dtype_name(it->t.dtype));
    if ((T && t != T) || (D && d != D))
      return fail(err, errlen, "tensor '%s': T = %llu, head_dim = %llu disagree with the other "
                  "Q/K tensors (T = %llu, head_dim = %llu)", it->t.name, (unsigned long long)t,
                  (unsigned long long)d, (unsigned long long)T, (unsigned long long)D);
    uint64_t *hp = it->role == IMPORT_Q ? &Hq : &Hk;
    if (*hp && *hp != hh)
      return fail(err, errlen, "tensor '%s': %llu heads, other layers have %llu", it->t.name,
                  (unsigned long long)hh, (unsigned long long)*hp);
    T = t, D = d, *hp = hh;
    any_qk = true;
  }
  if (any_qk) {
    if (!Hq) Hq = Hk;
    if (!Hk) Hk = Hq;
    if (Hq % Hk)
      return fail(err, errlen, "K has %llu heads, which does not divide Q's %llu heads",
                  (unsigned long long)Hk, (unsigned long long)Hq);
    if (!(o->base > 1.0 && o->base <= 1e12))
      return fail(err, errlen, "--base %g: the RoPE base is required for Q/K, in (1, 1e12]",
                  o->base);
    h.n_heads = (uint32_t)Hq, h.n_kv_heads = (uint32_t)Hk, h.head_dim = (uint32_t)D;
    h.rope_base = o->base;
  }
  /* positions */
  uint64_t npos = T;
  uint32_t *pos = NULL;
  if (pos_it) {
    const tf_tensor *pt = &pos_it->t;
    npos = pt->nelem;
    if ((pt->ndim < 1) || (T && npos != T) || npos > TRACE_MAX_POS || npos < 1)
      return fail(err, errlen, "tensor '%s': %llu positions, expected %llu (one per token)",
                  pt->name, (unsigned long long)npos, (unsigned long long)(T ? T : 1));
    if (is_float(pt->dtype))
      return fail(err, errlen, "tensor '%s': dtype %s, expected an integer type", pt->name,
                  tf_dtype_name(pt->dtype));
  } else if (!T) {
    npos = 0;
  }
  if (npos) {
    pos = malloc(npos * sizeof(uint32_t));
    if (!pos) return fail(err, errlen, "out of memory");
  }
  for (uint64_t i = 0; i < npos; i++) {
    double v = pos_it ? tf_get(&pos_it->t, i) : (double)o->pos0 + (double)i;
    if (v < 0 || v >= TRACE_MAX_POS) {
      free(pos);
      return fail(err, errlen, "%s[%llu] = %.0f, expected a position in [0, %u]",
                  pos_it ? pos_it->t.name : "position", (unsigned long long)i, v,
                  TRACE_MAX_POS - 1);
    }
    pos[i] = (uint32_t)v;
    if (pos[i] > h.max_pos) h.max_pos = pos[i];
  }
  h.n_layers = nl ? nl : 1;
  h.n_tokens = (uint32_t)T;
  int rc = trace_writer_set_header(w, &h, err, errlen);
  uint64_t masked = 0;
  for (size_t i = 0; !rc && i < n; i++) {
    const import_item *it = &items[i];
    if (it->role == IMPORT_Q || it->role == IMPORT_K)
      rc = write_rope(o, it, it->role == IMPORT_Q ? TRACE_ROPE_Q : TRACE_ROPE_K, pos, T,
                      it->role == IMPORT_Q ? Hq : Hk, D, w, err, errlen);
    else if (it->role == IMPORT_SOFTMAX)
      rc = write_softmax(it, pos, npos, (uint32_t)Hq, w, &masked, err, errlen);
  }
  free(pos);
  if (o->n_masked) *o->n_masked = masked;
  return rc;
}
