/* passkey.c — the passkey retrieval task (passkey.h): the prompt built from fixed
 * sentences and the filler file, and one cell run teacher-forced through the forward pass
 * under a numerics, with the key's digits scored against the argmax, their log-probability
 * margins and the KL divergence of the answer distributions against a reference run. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "passkey.h"

/* The fixed sentences (written for mpbsim, in the style of llama.cpp's examples/passkey). */
static const char kIntro[] =
    "There is an important piece of information hidden inside a lot of irrelevant text. "
    "Find it and memorize it. I will ask you about it at the end.";
static const char kKeyFmt[] = " The pass key is %05u. Remember it. %05u is the pass key.";
static const char kQuestion[] = "\nWhat is the pass key? The pass key is ";

struct lm_passkey_task {
  const tok_vocab *v;
  int32_t bos, digit[10];
  int32_t *intro, *question, *fill; /* fill: one cycle of the filler sentences */
  int n_intro, n_question, n_key;
  size_t n_fill, n_sent, *sent_end; /* cumulative end of each sentence in fill */
};

void lm_passkey_task_free(lm_passkey_task *t) {
  if (!t) return;
  free(t->intro), free(t->question), free(t->fill), free(t->sent_end), free(t);
}

/* Encode text into a new array; *n tokens. */
static int encode(const tok_vocab *v, const char *text, size_t len, int32_t **ids, int *n,
                  char *err, size_t errlen) {
  size_t cap = TOK_MAX_IDS_PER_BYTE * len + 8, got;
  *ids = malloc(cap * sizeof **ids);
  if (!*ids) return fail(err, errlen, "out of memory");
  if (tok_encode(v, text, len, *ids, cap, &got, err, errlen)) return -1;
  *n = (int)got;
  return 0;
}

static int read_filler(lm_passkey_task *t, const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) return fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
  char line[4096];
  size_t cap = 0, scap = 0;
  int lineno = 0, rc = 0;
  while (!rc && fgets(line, sizeof line, f)) {
    lineno++;
    size_t len = strcspn(line, "\r\n");
    if (len == sizeof line - 1) rc = fail(err, errlen, "%s:%d: line longer than %zu bytes", path, lineno, sizeof line - 2);
    line[len] = 0;
    if (rc || !len || line[0] == '#') continue;
    for (size_t i = 0; i < len && !rc; i++)
      if (line[i] >= '0' && line[i] <= '9')
        rc = fail(err, errlen, "%s:%d: the filler must not contain digits (the key is digits)",
                  path, lineno);
    char text[4100];
    snprintf(text, sizeof text, " %s", line); /* each sentence starts with a space */
    int32_t *ids;
    int n;
    if (rc || (rc = encode(t->v, text, len + 1, &ids, &n, err, errlen))) {
      if (!rc) free(ids);
      break;
    }
    if (t->n_fill + (size_t)n > cap || t->n_sent + 1 > scap) {
      cap = 2 * (t->n_fill + (size_t)n) + 256, scap = 2 * scap + 16;
      int32_t *nf = realloc(t->fill, cap * sizeof *nf);
      size_t *ns = realloc(t->sent_end, scap * sizeof *ns);
      if (nf) t->fill = nf;
      if (ns) t->sent_end = ns;
      if (!nf || !ns) rc = fail(err, errlen, "out of memory");
    }
    if (!rc) {
      memcpy(t->fill + t->n_fill, ids, (size_t)n * sizeof *ids);
      t->n_fill += (size_t)n;
      t->sent_end[t->n_sent++] = t->n_fill;
    }
    free(ids);
  }
  fclose(f);
  if (!rc && t->n_sent == 0) rc = fail(err, errlen, "%s: no filler sentences", path);
  return rc;
}

int lm_passkey_task_new(lm_passkey_task **out, const llama_model *m, const char *filler_path,
                        char *err, size_t errlen) {
  *out = NULL;
  if (!m->vocab) return fail(err, errlen, "passkey: the model has no vocabulary");
  lm_passkey_task *t = calloc(1, sizeof *t);
  if (!t) return fail(err, errlen, "out of memory");
  t->v = m->vocab;
  t->bos = m->vocab->bos;
  int rc = 0;
  if (t->bos < 0) rc = fail(err, errlen, "passkey: the vocabulary has no <bos> token");
  for (int d = 0; d < 10 && !rc; d++) {
    char c = (char)('0' + d);
    int32_t ids[4];
    size_t n;
    if (tok_encode(m->vocab, &c, 1, ids, 4, &n, err, errlen)) rc = -1;
    else if (n != 1)
      rc = fail(err, errlen, "passkey: the vocabulary spells the digit '%c' with %zu tokens, "
                "expected one (each digit is scored as one token)", c, n);
    else
      t->digit[d] = ids[0];
  }
  if (!rc) rc = encode(m->vocab, kIntro, strlen(kIntro), &t->intro, &t->n_intro, err, errlen);
  if (!rc)
    rc = encode(m->vocab, kQuestion, strlen(kQuestion), &t->question, &t->n_question, err, errlen);
  if (!rc) rc = read_filler(t, filler_path, err, errlen);
  if (!rc) { /* the key sentence has the same length for every key: digits are tokens */
    char ks[128];
    int n = snprintf(ks, sizeof ks, kKeyFmt, 0u, 0u);
    int32_t *ids;
    rc = encode(m->vocab, ks, (size_t)n, &ids, &t->n_key, err, errlen);
    free(ids);
  }
  if (rc) {
    lm_passkey_task_free(t);
    return -1;
  }
  *out = t;
  return 0;
}

int lm_passkey_fixed_tokens(const lm_passkey_task *t) {
  return 1 + t->n_intro + t->n_key + t->n_question + LM_PASSKEY_DIGITS;
}

uint32_t lm_passkey_key(uint64_t seed, int length, double depth, int i) {
  uint64_t z = seed ^ ((uint64_t)length << 32) ^ (uint64_t)llround(depth * 1e6) << 8 ^ (uint64_t)i;
  z += 0x9e3779b97f4a7c15ULL; /* splitmix64 of the cell's coordinates */
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return 10000u + (uint32_t)(z % 90000u);
}

/* Sentence boundary (in filler tokens, cycling through the sentences) nearest to target,
 * at most F. */
static size_t boundary_near(const lm_passkey_task *t, size_t target, size_t F) {
  size_t best = 0;
  for (size_t cyc = 0; cyc * t->n_fill <= F; cyc++)
    for (size_t j = 0; j < t->n_sent; j++) {
      size_t b = cyc * t->n_fill + t->sent_end[j];
      if (b > F) break;
      if ((b > target ? b - target : target - b) < (best > target ? best - target : target - best))
        best = b;
    }
  return best;
}

int lm_passkey_build(const lm_passkey_task *t, int length, double depth, uint32_t key,
                     int32_t *ids, int *key_at, char *err, size_t errlen) {
  int fixed = lm_passkey_fixed_tokens(t);
  if (length <= fixed)
    return fail(err, errlen, "passkey: length %d leaves no room for filler (the fixed text "
                "takes %d tokens)", length, fixed);
  if (!(depth >= 0 && depth <= 1)) return fail(err, errlen, "passkey: depth %g is not in [0, 1]", depth);
  if (key < 10000 || key > 99999) return fail(err, errlen, "passkey: key %u is not 5 digits", key);
  size_t F = (size_t)(length - fixed), b = boundary_near(t, (size_t)llround(depth * (double)F), F);
  int o = 0;
  ids[o++] = t->bos;
  memcpy(ids + o, t->intro, (size_t)t->n_intro * sizeof *ids), o += t->n_intro;
  for (size_t i = 0; i < b; i++) ids[o++] = t->fill[i % t->n_fill];
  *key_at = o;
  char ks[128];
  int n = snprintf(ks, sizeof ks, kKeyFmt, key, key);
  size_t got;
  if (tok_encode(t->v, ks, (size_t)n, ids + o, (size_t)t->n_key, &got, err, errlen)) return -1;
  if ((int)got != t->n_key)
    return fail(err, errlen, "passkey: key sentence of %zu tokens, expected %d", got, t->n_key);
  o += t->n_key;
  for (size_t i = b; i < F; i++) ids[o++] = t->fill[i % t->n_fill];
  memcpy(ids + o, t->question, (size_t)t->n_question * sizeof *ids), o += t->n_question;
  for (int d = LM_PASSKEY_DIGITS - 1; d >= 0; d--, key /= 10) ids[o + d] = t->digit[key % 10];
  return 0;
}

/* Log-softmax of one row of logits in double into lp (may be NULL); returns log p(c),
 * the argmax in *am and the margin log p(c) - max over i != c of log p(i). */
static double score_row(const float *lg, int V, int32_t c, double *lp, int32_t *am,
                        double *margin) {
  int32_t best = 0, other = c == 0 ? 1 : 0;
  for (int i = 1; i < V; i++) {
    if (lg[i] > lg[best]) best = i;
    if (i != c && lg[i] > lg[other]) other = i;
  }
  double mx = lg[best], z = 0;
  for (int i = 0; i < V; i++) z += exp((double)lg[i] - mx);
  double lz = mx + log(z);
  if (lp)
    for (int i = 0; i < V; i++) lp[i] = (double)lg[i] - lz;
  *am = best;
  *margin = (double)lg[c] - (double)lg[other];
  return (double)lg[c] - lz;
}

int lm_passkey_run(const llama_model *m, lm_numerics *nm, const lm_passkey_task *t,
                   int length, double depth, int64_t offset, const uint32_t *keys, int nkeys,
                   double *logp, const double *ref, lm_passkey_result *r, char *err,
                   size_t errlen) {
  memset(r, 0, sizeof *r);
  if (nkeys < 1 || nkeys > LM_PASSKEY_MAX_KEYS)
    return fail(err, errlen, "passkey: %d keys is not in [1, %d]", nkeys, LM_PASSKEY_MAX_KEYS);
  if (offset < 0 || offset + length > ((int64_t)1 << 31))
    return fail(err, errlen, "passkey: positions %lld..%lld are not in [0, 2^31]",
                (long long)offset, (long long)(offset + length - 1));
  int V = m->c.n_vocab, D = LM_PASSKEY_DIGITS;
  int32_t *ids = malloc((size_t)length * sizeof *ids), *first = malloc((size_t)length * sizeof *first);
  int64_t *pos = malloc((size_t)length * sizeof *pos);
  float *lg = malloc((size_t)D * V * sizeof *lg);
  double *lp = malloc((size_t)V * sizeof *lp);
  llama_state *s = NULL;
  int rc = -1;
  if (!ids || !first || !pos || !lg || !lp) {
    fail(err, errlen, "out of memory for a passkey prompt of %d tokens", length);
    goto done;
  }
  if (llama_state_new_numerics(&s, m, length, 512, nm, err, errlen)) goto done;
  for (int i = 0; i < length; i++) pos[i] = offset + i;
  r->keys = nkeys, r->length = length;
  r->margin_min = INFINITY, r->kld_max = ref ? 0 : NAN, r->kld_mean = ref ? 0 : NAN;
  int ok_keys = 0, ok_digits = 0;
  for (int k = 0; k < nkeys; k++) {
    int key_at;
    if (lm_passkey_build(t, length, depth, keys[k], ids, &key_at, err, errlen)) goto done;
    if (k == 0) { /* the shared prefix: computed once */
      memcpy(first, ids, (size_t)key_at * sizeof *ids);
      r->key_at = key_at;
      if (llama_forward_batch(s, ids, pos, key_at, NULL, key_at, err, errlen)) goto done;
    } else if (key_at != r->key_at || memcmp(first, ids, (size_t)key_at * sizeof *ids)) {
      fail(err, errlen, "passkey: the prompts of one cell differ before the key");
      goto done;
    }
    s->n_past = key_at; /* rewind: slots past the prefix are overwritten */
    int n = length - 1 - key_at; /* the last digit is never fed */
    if (llama_forward_batch(s, ids + key_at, pos + key_at, n, lg, n - D, err, errlen)) goto done;
    double key_margin = INFINITY, key_lp = 0;
    int all = 1;
    for (int d = 0; d < D; d++) {
      int32_t c = ids[length - D + d], am;
      double margin;
      key_lp += score_row(lg + (size_t)d * V, V, c, lp, &am, &margin);
      r->answer[k][d] = am;
      all &= am == c;
      ok_digits += am == c;
      if (!(margin >= key_margin)) key_margin = margin; /* a NaN margin wins: it is reported */
      size_t at = ((size_t)k * D + (size_t)d) * (size_t)V;
      if (logp)
        memcpy(logp + at, lp, (size_t)V * sizeof *lp);
      if (ref) { /* KL(ref || run) = sum p_ref (log p_ref - log p_run) */
        double kl = 0;
        for (int i = 0; i < V; i++) kl += exp(ref[at + i]) * (ref[at + i] - lp[i]);
        r->kld_mean += kl;
        if (!(kl <= r->kld_max)) r->kld_max = kl;
      }
    }
    ok_keys += all;
    r->margin_mean += key_margin;
    if (!(key_margin >= r->margin_min)) r->margin_min = key_margin;
    r->logprob_mean += key_lp;
  }
  r->accuracy = (double)ok_keys / nkeys;
  r->digit_accuracy = (double)ok_digits / (nkeys * D);
  r->margin_mean /= nkeys;
  r->logprob_mean /= nkeys;
  if (ref) r->kld_mean /= nkeys * D;
  rc = 0;
done:
  llama_state_free(s);
  free(ids), free(first), free(pos), free(lg), free(lp);
  return rc;
}
