/* llama_runner.c — the Llama forward pass behind the closed-loop evaluation's model
 * interface (eval.h): a runner is a llama_state with the variant's numerics. */
#include "llama.h"

static int open_runner(void *model, lm_numerics *nm, int n_ctx, void **runner, char *err,
                       size_t errlen) {
  llama_state *s;
  if (llama_state_new_numerics(&s, model, n_ctx, n_ctx < 512 ? n_ctx : 512, nm, err, errlen))
    return -1;
  *runner = s;
  return 0;
}

static int run_window(void *runner, const int32_t *tokens, const int64_t *pos, int n,
                      float *logits, int from, char *err, size_t errlen) {
  llama_state *s = runner;
  llama_state_reset(s);
  return llama_forward_batch(s, tokens, pos, n, logits, from, err, errlen);
}

static double kv_bytes(void *runner) { return lm_kv_bytes_per_token(((llama_state *)runner)->kv); }
static void close_runner(void *runner) { llama_state_free(runner); }

lm_model_ops llama_model_ops(const llama_model *m) {
  lm_model_ops o = {(void *)m, m->c.n_vocab, m->c.n_ctx, open_runner, run_window, kv_bytes,
                    close_runner};
  return o;
}
