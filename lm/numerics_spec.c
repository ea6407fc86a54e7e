/* numerics_spec.c — the names of backends, sites and KV formats (defined once here), and
 * the numerics spec: defaults, parsing of the spec text, canonical formatting and the
 * attribution specs ("ref with only GROUP on backend B"). See numerics.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "numerics.h"

static const char *const kBackend[LM_NBK] = {"ref", "fp32", "bf16", "fp16", "bridge", "int8"};
static const char *const kExpSite[LM_NEXP] = {"softmax",  "silu",   "gelu",
                                              "softplus", "ssm_da", "router"};
static const char *const kLinSite[LM_NLIN] = {
    "q",      "k",     "v",      "o",        "gate",   "up",   "down", "ssm_in",
    "ssm_x", "ssm_dt", "ssm_out", "ssm_scan", "router", "head", "qk",   "pv"};
static const char *const kKv[LM_NKV] = {"fp32", "fp16", "bf16", "int8", "log8"};
static const char *const kState[LM_NSTATE] = {"fp64", "fp32", "bf16", "fp16", "int16"};

const char *lm_backend_name(lm_backend b) { return (unsigned)b < LM_NBK ? kBackend[b] : "?"; }
const char *lm_exp_site_name(lm_exp_site s) { return (unsigned)s < LM_NEXP ? kExpSite[s] : "?"; }
const char *lm_lin_site_name(lm_lin_site s) { return (unsigned)s < LM_NLIN ? kLinSite[s] : "?"; }
const char *lm_kv_format_name(lm_kv_format f) { return (unsigned)f < LM_NKV ? kKv[f] : "?"; }
const char *lm_state_format_name(lm_state_format f) {
  return (unsigned)f < LM_NSTATE ? kState[f] : "?";
}

static int find_name(const char *const *names, int n, const char *s) {
  for (int i = 0; i < n; i++)
    if (!strcmp(names[i], s)) return i;
  return -1;
}

static void list_names(const char *const *names, int n, char *buf, size_t len) {
  size_t o = 0;
  buf[0] = '\0';
  for (int i = 0; i < n && o < len; i++)
    o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", names[i]);
}

int lm_backend_parse(const char *s, lm_backend *out, char *err, size_t errlen) {
  int i = find_name(kBackend, LM_NBK, s);
  if (i < 0) {
    char names[128];
    list_names(kBackend, LM_NBK, names, sizeof names);
    return fail(err, errlen, "unknown backend '%s' (one of %s)", s, names);
  }
  *out = (lm_backend)i;
  return 0;
}

int lm_kv_format_parse(const char *s, lm_kv_format *out, char *err, size_t errlen) {
  int i = find_name(kKv, LM_NKV, s);
  if (i < 0) {
    char names[128];
    list_names(kKv, LM_NKV, names, sizeof names);
    return fail(err, errlen, "unknown KV format '%s' (one of %s)", s, names);
  }
  *out = (lm_kv_format)i;
  return 0;
}

int lm_state_format_parse(const char *s, lm_state_format *out, char *err, size_t errlen) {
  int i = find_name(kState, LM_NSTATE, s);
  if (i < 0) {
    char names[128];
    list_names(kState, LM_NSTATE, names, sizeof names);
    return fail(err, errlen, "unknown state format '%s' (one of %s)", s, names);
  }
  *out = (lm_state_format)i;
  return 0;
}

lm_state_format lm_state_format_of(lm_backend b) {
  switch (b) {
  case LM_BK_REF: return LM_STATE_FP64;
  case LM_BK_BF16: return LM_STATE_BF16;
  case LM_BK_FP16: return LM_STATE_FP16;
  case LM_BK_INT8: return LM_STATE_INT16;
  default: return LM_STATE_FP32; /* fp32, bridge */
  }
}

lm_kv_format lm_kv_format_of(lm_backend b) {
  switch (b) {
  case LM_BK_BF16: return LM_KV_BF16;
  case LM_BK_FP16: return LM_KV_FP16;
  case LM_BK_INT8: return LM_KV_INT8;
  case LM_BK_BRIDGE: return LM_KV_LOG8;
  default: return LM_KV_FP32;
  }
}

/* Sites that only have floating-point implementations (attention matmuls, activation
 * storage): the backend they take when a group assigns b. */
static lm_backend fp_only(lm_backend b) {
  return b == LM_BK_BRIDGE || b == LM_BK_INT8 ? LM_BK_FP32 : b;
}
static int is_fp_only_lin(int s) { return s == LM_LIN_QK || s == LM_LIN_PV; }

static void set_gemm(lm_numerics_spec *s, lm_backend b, int head, int linear, int attn) {
  for (int i = 0; i < LM_NLIN; i++) {
    if (is_fp_only_lin(i)) {
      if (attn) s->lin[i] = fp_only(b);
    } else if (i == LM_LIN_HEAD) {
      if (head) s->lin[i] = b;
    } else if (linear) {
      s->lin[i] = b;
    }
  }
}

static void set_all(lm_numerics_spec *s, lm_backend b) {
  s->rope = b;
  for (int i = 0; i < LM_NEXP; i++) s->exp[i] = b;
  set_gemm(s, b, 1, 1, 1);
  s->act = fp_only(b);
  s->kv = lm_kv_format_of(b);
  s->state = lm_state_format_of(b);
}

void lm_numerics_spec_init(lm_numerics_spec *s, lm_backend all) {
  memset(s, 0, sizeof *s);
  set_all(s, all);
  s->kv_group = 64;
  s->gemm_group = 0;
  mpb_config_default(&s->bridge);
  snprintf(s->bridge_label, sizeof s->bridge_label, "default");
}

static int parse_backend_item(const char *key, const char *val, lm_backend *b, char *err,
                              size_t errlen) {
  char e2[192];
  if (lm_backend_parse(val, b, e2, sizeof e2)) return fail(err, errlen, "numerics '%s=%s': %s", key, val, e2);
  return 0;
}

static int apply_item(lm_numerics_spec *s, const char *key, const char *val, char *err,
                      size_t errlen) {
  lm_backend b;
  int i = -1; /* (set by the find_name branches before use) */
  if (!strcmp(key, "kv")) {
    lm_kv_format f;
    if (!lm_kv_format_parse(val, &f, NULL, 0)) {
      s->kv = f;
      return 0;
    }
    if (lm_backend_parse(val, &b, NULL, 0))
      return fail(err, errlen, "numerics 'kv=%s': not a KV format (fp32, fp16, bf16, int8, "
                  "log8) or a backend (ref, fp32, bf16, fp16, bridge, int8)", val);
    s->kv = lm_kv_format_of(b);
    return 0;
  }
  if (!strcmp(key, "state")) {
    lm_state_format f;
    if (!lm_state_format_parse(val, &f, NULL, 0)) {
      s->state = f;
      return 0;
    }
    if (lm_backend_parse(val, &b, NULL, 0))
      return fail(err, errlen, "numerics 'state=%s': not a state format (fp64, fp32, bf16, "
                  "fp16, int16) or a backend (ref, fp32, bf16, fp16, bridge, int8)", val);
    s->state = lm_state_format_of(b);
    return 0;
  }
  if (!strcmp(key, "kv_group") || !strcmp(key, "group")) {
    char *end;
    errno = 0;
    long v = strtol(val, &end, 10);
    int is_kv = key[0] == 'k';
    if (!is_kv && !strcmp(val, "row")) {
      s->gemm_group = 0;
      return 0;
    }
    if (end == val || *end || errno || (is_kv ? (v < 1 || v > 1024) : (v != 32 && v != 64)))
      return fail(err, errlen, "numerics '%s=%s': expected %s", key, val,
                  is_kv ? "an integer in [1, 1024]" : "row, 32 or 64");
    if (is_kv) s->kv_group = (int)v;
    else s->gemm_group = (int)v;
    return 0;
  }
  if (parse_backend_item(key, val, &b, err, errlen)) return -1;
  if (!strcmp(key, "all")) {
    set_all(s, b);
  } else if (!strcmp(key, "rope")) {
    s->rope = b;
  } else if (!strcmp(key, "exp")) {
    for (i = 0; i < LM_NEXP; i++) s->exp[i] = b;
  } else if (!strncmp(key, "exp.", 4) && (i = find_name(kExpSite, LM_NEXP, key + 4)) >= 0) {
    s->exp[i] = b;
  } else if (!strcmp(key, "gemm")) {
    set_gemm(s, b, 1, 1, 1);
  } else if (!strcmp(key, "linear")) {
    set_gemm(s, b, 0, 1, 0);
  } else if (!strcmp(key, "attn") || !strcmp(key, "act") ||
             ((i = find_name(kLinSite, LM_NLIN, key)) >= 0 && is_fp_only_lin(i))) {
    if (fp_only(b) != b)
      return fail(err, errlen, "numerics '%s=%s': %s is computed only by ref, fp32, bf16 "
                  "or fp16", key, val, key);
    if (!strcmp(key, "act")) s->act = b;
    else if (!strcmp(key, "attn")) set_gemm(s, b, 0, 0, 1);
    else s->lin[i] = b;
  } else if ((i = find_name(kLinSite, LM_NLIN, key)) >= 0) {
    s->lin[i] = b;
  } else {
    char sites[256];
    list_names(kLinSite, LM_NLIN, sites, sizeof sites);
    return fail(err, errlen, "numerics: unknown site '%s' (all, rope, exp, exp.SITE, gemm, "
                "linear, attn, act, kv, state, kv_group, group, or one of %s)", key, sites);
  }
  return 0;
}

int lm_numerics_spec_parse(lm_numerics_spec *s, const char *text, char *err, size_t errlen) {
  lm_numerics_spec t = *s;
  const char *p = text;
  if (!text || !*text) return fail(err, errlen, "numerics: empty spec");
  while (*p) {
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    char item[128];
    if (n == 0 || n >= sizeof item)
      return fail(err, errlen, "numerics '%s': %s item", text, n ? "overlong" : "empty");
    memcpy(item, p, n);
    item[n] = '\0';
    char *eq = strchr(item, '=');
    int rc;
    if (!eq) {
      rc = apply_item(&t, "all", item, err, errlen);
    } else {
      *eq = '\0';
      rc = apply_item(&t, item, eq + 1, err, errlen);
    }
    if (rc) return -1;
    p += n;
    if (*p == ',') p++;
  }
  *s = t;
  return 0;
}

int lm_numerics_spec_format(const lm_numerics_spec *s, char *buf, size_t len) {
  /* Start from the backend most sites use, then list the exceptions. */
  int cnt[LM_NBK] = {0};
  cnt[s->rope]++;
  for (int i = 0; i < LM_NEXP; i++) cnt[s->exp[i]]++;
  for (int i = 0; i < LM_NLIN; i++) cnt[s->lin[i]]++;
  int best = 0;
  for (int b = 1; b < LM_NBK; b++)
    if (cnt[b] > cnt[best]) best = b;
  lm_numerics_spec base;
  lm_numerics_spec_init(&base, (lm_backend)best);
  size_t o = 0;
#define OUT(...) o += (size_t)snprintf(buf + (o < len ? o : len), o < len ? len - o : 0, __VA_ARGS__)
  OUT("%s", kBackend[best]);
  if (s->rope != base.rope) OUT(",rope=%s", kBackend[s->rope]);
  for (int i = 0; i < LM_NEXP; i++)
    if (s->exp[i] != base.exp[i]) OUT(",exp.%s=%s", kExpSite[i], kBackend[s->exp[i]]);
  for (int i = 0; i < LM_NLIN; i++)
    if (s->lin[i] != base.lin[i]) OUT(",%s=%s", kLinSite[i], kBackend[s->lin[i]]);
  if (s->act != base.act) OUT(",act=%s", kBackend[s->act]);
  if (s->kv != base.kv) OUT(",kv=%s", kKv[s->kv]);
  if (s->state != base.state) OUT(",state=%s", kState[s->state]);
  if (s->kv_group != base.kv_group) OUT(",kv_group=%d", s->kv_group);
  if (s->gemm_group != base.gemm_group) OUT(",group=%d", s->gemm_group);
#undef OUT
  return (int)o;
}

/* Whether backend b computes site kind k exactly as ref does. */
int lm_numerics_spec_is_ref(const lm_numerics_spec *s) {
  if (s->rope != LM_BK_REF) return 0;
  for (int i = 0; i < LM_NEXP; i++)
    if (s->exp[i] != LM_BK_REF) return 0;
  for (int i = 0; i < LM_NLIN; i++)
    if (s->lin[i] != LM_BK_REF && s->lin[i] != LM_BK_FP32) return 0; /* fp32 GEMM = ref */
  if (s->act != LM_BK_REF && s->act != LM_BK_FP32) return 0;
  return s->kv == LM_KV_FP32 && s->state == LM_STATE_FP64;
}

int lm_numerics_spec_attr(lm_numerics_spec *s, const lm_numerics_spec *base, lm_backend b,
                          const char *group, char *err, size_t errlen) {
  lm_numerics_spec t;
  lm_numerics_spec_init(&t, LM_BK_REF);
  if (base) {
    t.bridge = base->bridge;
    memcpy(t.bridge_label, base->bridge_label, sizeof t.bridge_label);
    t.kv_group = base->kv_group;
    t.gemm_group = base->gemm_group;
  }
  if (!strcmp(group, "all")) set_all(&t, b);
  else if (!strcmp(group, "rope")) t.rope = b;
  else if (!strcmp(group, "exp"))
    for (int i = 0; i < LM_NEXP; i++) t.exp[i] = b;
  else if (!strcmp(group, "gemm")) set_gemm(&t, b, 1, 1, 1);
  else if (!strcmp(group, "kv")) t.kv = lm_kv_format_of(b);
  else
    return fail(err, errlen, "attribution group '%s' is not one of rope, exp, gemm, kv, all",
                group);
  *s = t;
  return 0;
}
