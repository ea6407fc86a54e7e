/* passkey.h — long-context retrieval: a random 5-digit key stated at a chosen depth of a
 * filler text, a question at the end, and how well the model (under given numerics)
 * gives the key back.
 *
 * The prompt of a cell (length L tokens, depth d in [0, 1], key k):
 *   <bos> INTRO FILLER[0, b) KEY(k) FILLER[b, F) QUESTION DIGITS(k)
 * INTRO, KEY and QUESTION are fixed English sentences (lm/passkey.c), FILLER is the
 * sentences of the filler file repeated in order and cut to the F tokens that make the
 * whole prompt exactly L tokens; b is the sentence boundary nearest to d * F. The five
 * digits of k are the last five tokens (the vocabulary must spell digits as single
 * tokens, as Gemma's does: the loader checks) and are scored teacher-forced: the logits
 * of the five rows before them. Every key of a cell shares the prefix up to KEY, computed
 * once. Positions are offset + 0 .. offset + L - 1.
 *
 * Per cell (several keys): retrieval accuracy (all five digits are the argmax), digit
 * accuracy, the log-probability margin of each digit (log p(correct) - max over the other
 * tokens of log p; > 0 iff the digit is the argmax) as the mean over keys of the key's
 * smallest margin and the smallest over all keys, the mean log-probability of the key,
 * and the KL divergence KL(ref || run) of the five answer distributions against a
 * reference run (mean and max, in double from log-probabilities kept in double: a run
 * identical to the reference gives exactly 0, and no storage rounding sets a floor).
 * Functions return 0, or -1 with a message in err[errlen]. */
#ifndef MPB_LM_PASSKEY_H
#define MPB_LM_PASSKEY_H

#include <stddef.h>
#include <stdint.h>

#include "llama.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LM_PASSKEY_DIGITS 5
#define LM_PASSKEY_MAX_KEYS 64

typedef struct lm_passkey_task lm_passkey_task;

/* Tokenize the fixed sentences and the filler file (one sentence per line, '#' comment
 * lines) with the model's vocabulary. */
int lm_passkey_task_new(lm_passkey_task **out, const llama_model *m, const char *filler_path,
                        char *err, size_t errlen);
void lm_passkey_task_free(lm_passkey_task *t);
/* Tokens of the prompt besides the filler: <bos>, intro, key sentence, question, digits. */
int lm_passkey_fixed_tokens(const lm_passkey_task *t);

/* The key of cell (length, depth) number i for a seed: 10000..99999, the same for every
 * backend and offset. */
uint32_t lm_passkey_key(uint64_t seed, int length, double depth, int i);

/* Build the prompt: ids[0, length), *key_at = index of the key sentence's first token
 * (the shared prefix length). length must leave room for at least one filler token. */
int lm_passkey_build(const lm_passkey_task *t, int length, double depth, uint32_t key,
                     int32_t *ids, int *key_at, char *err, size_t errlen);

typedef struct lm_passkey_result {
  int keys, length, key_at;   /* key_at of the keys' prompts (the same for each key) */
  double accuracy;            /* fraction of keys with all digits the argmax          */
  double digit_accuracy;      /* fraction of digits that are the argmax               */
  double margin_mean;         /* mean over keys of the key's smallest digit margin    */
  double margin_min;          /* smallest digit margin of all keys                    */
  double logprob_mean;        /* mean over keys of sum log p(digit)                   */
  double kld_mean, kld_max;   /* KL(ref || run) over the keys x 5 answer rows (NaN
                                 without a reference)                                 */
  int32_t answer[LM_PASSKEY_MAX_KEYS][LM_PASSKEY_DIGITS]; /* argmax tokens             */
} lm_passkey_result;

/* Run the keys of one cell with numerics nm at positions offset + 0.. . logp (may be NULL)
 * receives this run's log-probabilities of the answer rows, [key][digit][n_vocab] doubles;
 * ref (may be NULL) holds a reference run's, same layout, for the KLD. */
int lm_passkey_run(const llama_model *m, lm_numerics *nm, const lm_passkey_task *t,
                   int length, double depth, int64_t offset, const uint32_t *keys, int nkeys,
                   double *logp, const double *ref, lm_passkey_result *r, char *err,
                   size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
