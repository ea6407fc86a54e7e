/* cmd_lm_passkey.c — `mpbsim lm passkey`: one cell of the long-context retrieval task
 * (lm/passkey.h) on a GGUF model under a numerics spec: the keys, what the model answers,
 * the digits' log-probability margins and, with --ref, the KL divergence of the answer
 * distributions against the reference. The full grid is a sweep (docs/models.md). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_model.h"
#include "passkey.h"

#define CMD "lm passkey"
#define DEFAULT_FILLER "data/passkey-filler.txt"

static void help(void) {
  printf("usage: mpbsim lm passkey --model FILE [options]\n\n"
         "One cell of the passkey task: a random 5-digit key stated at --depth of a filler\n"
         "text of --length tokens, asked for at the end; each key's digits are scored\n"
         "teacher-forced (argmax, log-probability margin), under the numerics --numerics.\n\n"
         "options:\n"
         "  --model FILE       GGUF model (llama or gemma3)\n"
         "  --filler FILE      filler sentences (default " DEFAULT_FILLER ")\n"
         "  --length N         prompt length in tokens, answer included (default 2048)\n"
         "  --depth D          where the key sentence goes, 0..1 of the filler (default 0.5)\n"
         "  --keys K           keys (prompts) in the cell, 1..%d (default 3)\n"
         "  --seed S           seed of the keys (default 2026)\n"
         "  --offset P         positions P .. P+N-1 (default 0)\n"
         "  --numerics SPEC    backend per site (docs/model-eval.md): ref, fp32, bf16, fp16,\n"
         "                     bridge, int8, or items like 'ref,rope=bridge' (default ref)\n"
         "  --ref              also run the reference (ref numerics, offset 0) and report\n"
         "                     the KL divergence of the answer distributions\n"
         "  --json FILE        write the result as JSON (atomically)\n"
         "  -h, --help         this help\n"
         "bridge datapath (for sites on the bridge backend):\n"
         "  --preset NAME      default | patent     --config FILE     --set NAME=VALUE\n\n"
         "exit codes: 0 ok (also when the model misses the key: that is a result),\n"
         "2 usage, 3 bad model, filler or numerics, 4 I/O error\n",
         LM_PASSKEY_MAX_KEYS);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int write_json(const char *path, const char *model, const char *spec, int length,
                      double depth, long offset, const uint32_t *keys,
                      const lm_passkey_result *r, const llama_model *m) {
  cli_out o;
  if (cli_out_open(&o, CMD, path)) return MPB_EXIT_IO;
  FILE *f = o.f;
  fprintf(f, "{\n  \"model\": \"%s\",\n  \"numerics\": \"%s\",\n  \"length\": %d,\n"
             "  \"depth\": %.17g,\n  \"offset\": %ld,\n  \"key_at\": %d,\n  \"keys\": [",
          model, spec, length, depth, offset, r->key_at);
  for (int k = 0; k < r->keys; k++) {
    char ans[64] = "";
    for (int d = 0; d < LM_PASSKEY_DIGITS; d++) {
      char p[64];
      tok_decode(m->vocab, r->answer[k][d], p, sizeof p);
      strncat(ans, p, sizeof ans - strlen(ans) - 1);
    }
    fprintf(f, "%s{\"key\": %u, \"answer\": \"", k ? ", " : "", keys[k]);
    for (const char *c = ans; *c; c++)
      if (*c == '"' || *c == '\\') fprintf(f, "\\%c", *c);
      else if ((unsigned char)*c < 0x20) fprintf(f, "\\u%04x", *c);
      else fputc(*c, f);
    fprintf(f, "\"}");
  }
  fprintf(f, "],\n  \"accuracy\": %.17g,\n  \"digit_accuracy\": %.17g,\n"
             "  \"margin_mean\": %.17g,\n  \"margin_min\": %.17g,\n  \"logprob_mean\": %.17g,\n",
          r->accuracy, r->digit_accuracy, r->margin_mean, r->margin_min, r->logprob_mean);
  if (isnan(r->kld_mean)) fprintf(f, "  \"kld_mean\": null,\n  \"kld_max\": null\n}\n");
  else fprintf(f, "  \"kld_mean\": %.17g,\n  \"kld_max\": %.17g\n}\n", r->kld_mean, r->kld_max);
  return cli_out_commit(&o, CMD) ? MPB_EXIT_IO : MPB_EXIT_OK;
}

int cmd_lm_passkey(int argc, char **argv) {
  static const struct option opts[] = {
      {"model", required_argument, 0, 'm'},   {"filler", required_argument, 0, 'f'},
      {"length", required_argument, 0, 'l'},  {"depth", required_argument, 0, 'd'},
      {"keys", required_argument, 0, 'k'},    {"seed", required_argument, 0, 's'},
      {"offset", required_argument, 0, 'p'},  {"numerics", required_argument, 0, 'n'},
      {"ref", no_argument, 0, 'r'},           {"json", required_argument, 0, 'j'},
      {"help", no_argument, 0, 'h'},          {"preset", required_argument, 0, 1000},
      {"config", required_argument, 0, 1001}, {"set", required_argument, 0, 1002},
      {0, 0, 0, 0}};
  const char *model = NULL, *filler = DEFAULT_FILLER, *spec_text = "ref", *json = NULL;
  long length = 2048, keys = 3, seed = 2026, offset = 0;
  double depth = 0.5;
  int with_ref = 0, c, rc;
  cli_model_opts mo;
  cli_model_init(&mo);
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'm': model = optarg; break;
    case 'f': filler = optarg; break;
    case 'l': if (cli_parse_long(CMD, "length", optarg, 16, 1 << 20, &length)) return MPB_EXIT_USAGE; break;
    case 'd': if (cli_parse_double(CMD, "depth", optarg, 0, 1, &depth)) return MPB_EXIT_USAGE; break;
    case 'k': if (cli_parse_long(CMD, "keys", optarg, 1, LM_PASSKEY_MAX_KEYS, &keys)) return MPB_EXIT_USAGE; break;
    case 's': if (cli_parse_long(CMD, "seed", optarg, 0, 0x7fffffffL, &seed)) return MPB_EXIT_USAGE; break;
    case 'p': if (cli_parse_long(CMD, "offset", optarg, 0, 1L << 31, &offset)) return MPB_EXIT_USAGE; break;
    case 'n': spec_text = optarg; break;
    case 'r': with_ref = 1; break;
    case 'j': json = optarg; break;
    case 'h': help(); return MPB_EXIT_OK;
    case 1000: case 1001: case 1002:
      if ((rc = cli_model_option(&mo, CMD, c, optarg))) return rc;
      break;
    default: return MPB_EXIT_USAGE;
    }
  }
  if ((rc = cli_no_operands(CMD, optind, argc, argv))) return rc;
  if (!model) {
    fprintf(stderr, "mpbsim %s: --model FILE is required (e.g. models/gemma-3-270m-q4_k_m.gguf, "
                    "`make models`)\n", CMD);
    return MPB_EXIT_USAGE;
  }
  if ((rc = cli_model_finish(&mo, CMD, false))) return rc;
  char err[1024];
  lm_numerics_spec sp;
  lm_numerics_spec_init(&sp, LM_BK_REF);
  sp.bridge = mo.design[0].cfg;
  snprintf(sp.bridge_label, sizeof sp.bridge_label, "%s", mo.design[0].label);
  if (lm_numerics_spec_parse(&sp, spec_text, err, sizeof err)) {
    fprintf(stderr, "mpbsim %s: --numerics: %s\n", CMD, err);
    return MPB_EXIT_USAGE;
  }
  if (access(model, R_OK) != 0) {
    fprintf(stderr, "mpbsim %s: cannot read %s: %s\n", CMD, model, strerror(errno));
    return MPB_EXIT_IO;
  }
  llama_model *m;
  if (llama_load_gguf(&m, model, err, sizeof err)) {
    fprintf(stderr, "mpbsim %s: %s\n", CMD, err);
    return MPB_EXIT_INPUT;
  }
  lm_passkey_task *t = NULL;
  lm_numerics *nm = NULL, *nref = NULL;
  double *ref = NULL;
  rc = MPB_EXIT_INPUT;
  if (access(filler, R_OK) != 0) {
    fprintf(stderr, "mpbsim %s: cannot read %s: %s\n", CMD, filler, strerror(errno));
    rc = MPB_EXIT_IO;
    goto done;
  }
  if (lm_passkey_task_new(&t, m, filler, err, sizeof err) || lm_numerics_new(&nm, &sp, err, sizeof err))
    goto bad;
  uint32_t key[LM_PASSKEY_MAX_KEYS];
  for (int k = 0; k < keys; k++) key[k] = lm_passkey_key((uint64_t)seed, (int)length, depth, k);
  int ref_too = with_ref && !(lm_numerics_spec_is_ref(&sp) && offset == 0);
  lm_passkey_result rr, r;
  double t0 = now_s(), t1 = t0;
  if (ref_too) {
    lm_numerics_spec rs;
    lm_numerics_spec_init(&rs, LM_BK_REF);
    ref = malloc((size_t)keys * LM_PASSKEY_DIGITS * m->c.n_vocab * sizeof *ref);
    if (!ref) {
      fprintf(stderr, "mpbsim %s: out of memory\n", CMD);
      rc = MPB_EXIT_FAIL;
      goto done;
    }
    if (lm_numerics_new(&nref, &rs, err, sizeof err) ||
        lm_passkey_run(m, nref, t, (int)length, depth, 0, key, (int)keys, ref, NULL, &rr, err, sizeof err))
      goto bad;
    t1 = now_s();
  }
  if (lm_passkey_run(m, nm, t, (int)length, depth, offset, key, (int)keys, NULL, ref, &r, err, sizeof err))
    goto bad;
  if (with_ref && !ref_too) r.kld_mean = r.kld_max = 0; /* the run is the reference */
  double t2 = now_s();
  char canon[256];
  lm_numerics_spec_format(&sp, canon, sizeof canon);
  printf("passkey: %s, %ld tokens (key sentence at token %d), depth %.2f, offset %ld, "
         "numerics %s\n", model, length, r.key_at, depth, offset, canon);
  for (int k = 0; k < keys; k++) {
    char ans[64] = "";
    for (int d = 0; d < LM_PASSKEY_DIGITS; d++) {
      char p[64];
      tok_decode(m->vocab, r.answer[k][d], p, sizeof p);
      strncat(ans, p, sizeof ans - strlen(ans) - 1);
    }
    printf("  key %05u -> '%s'%s\n", key[k], ans, strtoul(ans, NULL, 10) == key[k] ? "" : "  (missed)");
  }
  printf("cell: accuracy %.3f (%ld keys), digit accuracy %.3f, margin mean %.3f min %.3f, "
         "log p(key) mean %.3f", r.accuracy, keys, r.digit_accuracy, r.margin_mean,
         r.margin_min, r.logprob_mean);
  if (!isnan(r.kld_mean)) printf(", KLD vs ref mean %.3g max %.3g", r.kld_mean, r.kld_max);
  printf("\ntime: %.1f s%s", t2 - t1, ref_too ? "" : "\n");
  if (ref_too) printf(" (reference run %.1f s)\n", t1 - t0);
  rc = json ? write_json(json, model, canon, (int)length, depth, offset, key, &r, m) : MPB_EXIT_OK;
  goto done;
bad:
  fprintf(stderr, "mpbsim %s: %s\n", CMD, err);
done:
  free(ref);
  lm_numerics_free(nm);
  lm_numerics_free(nref);
  lm_passkey_task_free(t);
  llama_free(m);
  return rc;
}
