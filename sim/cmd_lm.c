/* cmd_lm.c — `mpbsim lm info|tokenize|ppl|generate`: run the FP32 Llama forward pass on
 * a GGUF model (by default the SmolLM2-135M file fetched by `make models`); `lm eval` is
 * in cmd_lm_eval.c. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "llama.h"

#define DEFAULT_MODEL "models/SmolLM2-135M-Instruct.Q4_1.gguf"
#define DEFAULT_TOKENS "data/passage.tokens"
#define MAX_IDS 65536

static void help(void) {
  printf("usage: mpbsim lm ACTION [options]\n\n"
         "Run the FP32 Llama-style forward pass on a GGUF model.\n\n"
         "actions:\n"
         "  info       print the geometry read from the GGUF metadata and the tensor types\n"
         "  tokenize   encode --text FILE into token ids (-o FILE, or stdout)\n"
         "  ppl        perplexity of a token-id file (--tokens, default " DEFAULT_TOKENS ")\n"
         "  generate   greedy continuation of --prompt TEXT or --prompt-ids ID,ID,...\n"
         "  eval       closed-loop precision of the numerics backends (mpbsim lm eval --help)\n\n"
         "options:\n"
         "  --model FILE       GGUF file (default " DEFAULT_MODEL ", `make models`)\n"
         "  --tokens FILE      token ids for ppl (decimal, white space, '#' comments)\n"
         "  --text FILE        text for tokenize\n"
         "  --prompt TEXT      prompt for generate (encoded with the model's BPE merges)\n"
         "  --prompt-ids LIST  prompt for generate as comma-separated token ids\n"
         "  -n, --n N          ppl: use the first N ids; generate: N new tokens (default 40)\n"
         "  --pairing P        RoPE pairing: adjacent (right for GGUF files) or half\n"
         "  -o, --output FILE  tokenize: write the ids here (atomically)\n"
         "  -h, --help         this help\n\n"
         "exit codes: 0 ok, 2 usage, 3 bad model or token file, 4 I/O error\n");
}

typedef struct lm_opts {
  const char *action, *model, *tokens, *text, *prompt, *prompt_ids, *output;
  long n;
  int pairing;
} lm_opts;

static int load_model(const lm_opts *o, llama_model **m) {
  char err[512];
  if (access(o->model, R_OK) != 0) {
    fprintf(stderr, "mpbsim lm: cannot read %s: %s%s\n", o->model, strerror(errno),
            strcmp(o->model, DEFAULT_MODEL) ? "" : " (run `make models` first)");
    return MPB_EXIT_IO;
  }
  if (llama_load_gguf(m, o->model, err, sizeof err)) {
    fprintf(stderr, "mpbsim lm: %s\n", err);
    return MPB_EXIT_INPUT;
  }
  if (o->pairing >= 0) (*m)->c.pairing = (llama_rope_pairing)o->pairing;
  return 0;
}

static int do_info(const llama_model *m) {
  const llama_config *c = &m->c;
  printf("model        %s\n", m->gguf->path);
  printf("vocab        %d\nembedding    %d\nlayers       %d\nheads        %d (kv %d, head_dim "
         "%d)\nffn          %d\ncontext      %d\nrope base    %g\nrms eps      %g\n"
         "output head  %s\n", c->n_vocab, c->n_embd, c->n_layer, c->n_head, c->n_head_kv,
         c->head_dim, c->n_ff, c->n_ctx, c->rope_base, c->rms_eps,
         m->output == m->tok_embd ? "tied to token_embd" : "output.weight");
  unsigned cnt[64] = {0};
  for (uint64_t i = 0; i < m->gguf->n_tensors; i++)
    if (m->gguf->tensors[i].type < 64) cnt[m->gguf->tensors[i].type]++;
  printf("tensors      %llu:", (unsigned long long)m->gguf->n_tensors);
  for (unsigned t = 0; t < 64; t++)
    if (cnt[t]) printf(" %u %s", cnt[t], gguf_type_name(t));
  printf("\n");
  return MPB_EXIT_OK;
}

static int read_text(const char *path, char **buf, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "mpbsim lm: cannot read %s: %s\n", path, strerror(errno));
    return MPB_EXIT_IO;
  }
  *buf = malloc(1 << 20);
  *len = *buf ? fread(*buf, 1, (1 << 20) - 1, f) : 0;
  int big = *buf && !feof(f);
  fclose(f);
  if (!*buf || big) {
    fprintf(stderr, "mpbsim lm: %s: %s\n", path, big ? "text longer than 1 MiB" : "out of memory");
    free(*buf);
    return big ? MPB_EXIT_INPUT : MPB_EXIT_IO;
  }
  return 0;
}

static int do_tokenize(const lm_opts *o, const llama_model *m) {
  char err[512], *text;
  size_t len, n;
  int rc;
  if (!o->text) {
    fprintf(stderr, "mpbsim lm tokenize: --text FILE is required\n");
    return MPB_EXIT_USAGE;
  }
  if ((rc = read_text(o->text, &text, &len))) return rc;
  int32_t *ids = malloc(MAX_IDS * sizeof *ids);
  if (!ids || tok_encode(m->vocab, text, len, ids, MAX_IDS, &n, err, sizeof err)) {
    fprintf(stderr, "mpbsim lm tokenize: %s: %s\n", o->text, ids ? err : "out of memory");
    free(text), free(ids);
    return MPB_EXIT_INPUT;
  }
  cli_out out = {0};
  FILE *f = stdout;
  if (o->output) {
    if (cli_out_open(&out, "lm", o->output)) {
      free(text), free(ids);
      return MPB_EXIT_IO;
    }
    f = out.f;
  }
  const char *base = strrchr(o->text, '/');
  fprintf(f, "# %zu token ids of %s, made by `mpbsim lm tokenize --text %s` (BPE merges of %s)\n",
          n, base ? base + 1 : o->text, o->text, strrchr(o->model, '/') ? strrchr(o->model, '/') + 1 : o->model);
  for (size_t i = 0; i < n; i++) fprintf(f, "%d%c", ids[i], i % 16 == 15 || i + 1 == n ? '\n' : ' ');
  free(text), free(ids);
  if (o->output && cli_out_commit(&out, "lm")) return MPB_EXIT_IO;
  return MPB_EXIT_OK;
}

static int do_ppl(const lm_opts *o, const llama_model *m) {
  char err[512];
  size_t n;
  int32_t *ids = malloc(MAX_IDS * sizeof *ids);
  if (!ids) return MPB_EXIT_IO;
  if (tok_read_ids(o->tokens, m->c.n_vocab, ids, MAX_IDS, &n, err, sizeof err)) {
    fprintf(stderr, "mpbsim lm ppl: %s\n", err);
    free(ids);
    return MPB_EXIT_INPUT;
  }
  if (o->n > 0 && (size_t)o->n < n) n = (size_t)o->n;
  if (n > (size_t)m->c.n_ctx) n = (size_t)m->c.n_ctx;
  double nll;
  if (llama_nll(m, ids, (int)n, &nll, err, sizeof err)) {
    fprintf(stderr, "mpbsim lm ppl: %s: %s\n", o->tokens, err);
    free(ids);
    return MPB_EXIT_INPUT;
  }
  printf("tokens %zu  pairing %s  nll %.4f nats/token  perplexity %.3f\n", n,
         m->c.pairing == LLAMA_ROPE_ADJACENT ? "adjacent" : "half", nll, exp(nll));
  free(ids);
  return MPB_EXIT_OK;
}

static int parse_ids(const char *s, int32_t n_vocab, int32_t *ids, size_t max, size_t *n) {
  *n = 0;
  while (*s) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || errno || v < 0 || v >= n_vocab || *n >= max) {
      fprintf(stderr, "mpbsim lm: --prompt-ids: '%s' is not a list of ids in [0, %d]\n", s,
              n_vocab - 1);
      return MPB_EXIT_USAGE;
    }
    ids[(*n)++] = (int32_t)v;
    s = *end == ',' ? end + 1 : end;
    if (*end && *end != ',') {
      fprintf(stderr, "mpbsim lm: --prompt-ids: unexpected '%c'\n", *end);
      return MPB_EXIT_USAGE;
    }
  }
  return 0;
}

static int do_generate(const lm_opts *o, const llama_model *m) {
  char err[512], piece[1100];
  size_t n = 0;
  int rc = 0;
  int32_t ids[4096];
  if (!!o->prompt == !!o->prompt_ids) {
    fprintf(stderr, "mpbsim lm generate: give exactly one of --prompt, --prompt-ids\n");
    return MPB_EXIT_USAGE;
  }
  if (o->prompt && tok_encode(m->vocab, o->prompt, strlen(o->prompt), ids, 4096, &n, err,
                              sizeof err)) {
    fprintf(stderr, "mpbsim lm generate: --prompt: %s\n", err);
    return MPB_EXIT_USAGE;
  }
  if (o->prompt_ids && (rc = parse_ids(o->prompt_ids, m->c.n_vocab, ids, 4096, &n))) return rc;
  if (n == 0) {
    fprintf(stderr, "mpbsim lm generate: the prompt is empty\n");
    return MPB_EXIT_USAGE;
  }
  long steps = o->n > 0 ? o->n : 40;
  llama_state *s;
  if (llama_state_new(&s, m, (int)(n + steps), err, sizeof err)) {
    fprintf(stderr, "mpbsim lm generate: %s\n", err);
    return MPB_EXIT_INPUT;
  }
  for (size_t i = 0; i < n; i++) {
    tok_decode(m->vocab, ids[i], piece, sizeof piece);
    fputs(piece, stdout);
    if (llama_forward(s, ids[i], (int64_t)i, i + 1 == n, err, sizeof err)) goto bad;
  }
  for (long t = 0; t < steps; t++) {
    int32_t next = llama_argmax(s->logits, m->c.n_vocab);
    if (next == m->vocab->eos) break;
    tok_decode(m->vocab, next, piece, sizeof piece);
    fputs(piece, stdout);
    fflush(stdout);
    if (llama_forward(s, next, (int64_t)(n + t), 1, err, sizeof err)) goto bad;
  }
  printf("\n");
  llama_state_free(s);
  return MPB_EXIT_OK;
bad:
  fprintf(stderr, "mpbsim lm generate: %s\n", err);
  llama_state_free(s);
  return MPB_EXIT_INPUT;
}

int cmd_lm(int argc, char **argv) {
  static const struct option opts[] = {
      {"model", required_argument, 0, 'm'},  {"tokens", required_argument, 0, 't'},
      {"text", required_argument, 0, 'x'},   {"prompt", required_argument, 0, 'p'},
      {"prompt-ids", required_argument, 0, 'i'}, {"n", required_argument, 0, 'n'},
      {"pairing", required_argument, 0, 'r'}, {"output", required_argument, 0, 'o'},
      {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
  if (argc >= 2 && !strcmp(argv[1], "eval")) return cmd_lm_eval(argc - 1, argv + 1);
  lm_opts o = {0};
  o.model = DEFAULT_MODEL;
  o.tokens = DEFAULT_TOKENS;
  o.pairing = -1;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "hn:o:", opts, NULL)) != -1) {
    switch (c) {
    case 'm': o.model = optarg; break;
    case 't': o.tokens = optarg; break;
    case 'x': o.text = optarg; break;
    case 'p': o.prompt = optarg; break;
    case 'i': o.prompt_ids = optarg; break;
    case 'o': o.output = optarg; break;
    case 'n':
      if (cli_parse_long("lm", "n", optarg, 1, 1 << 20, &o.n)) return MPB_EXIT_USAGE;
      break;
    case 'r':
      if (!strcmp(optarg, "adjacent")) o.pairing = LLAMA_ROPE_ADJACENT;
      else if (!strcmp(optarg, "half")) o.pairing = LLAMA_ROPE_HALF;
      else {
        fprintf(stderr, "mpbsim lm: --pairing '%s' is not adjacent or half\n", optarg);
        return MPB_EXIT_USAGE;
      }
      break;
    case 'h': help(); return MPB_EXIT_OK;
    default: return MPB_EXIT_USAGE;
    }
  }
  if (optind + 1 != argc) {
    fprintf(stderr, "mpbsim lm: expected one action (info, tokenize, ppl, generate, eval)\n");
    return MPB_EXIT_USAGE;
  }
  o.action = argv[optind];
  int (*fn)(const llama_model *) = NULL;
  if (!strcmp(o.action, "info")) fn = do_info;
  else if (strcmp(o.action, "tokenize") && strcmp(o.action, "ppl") && strcmp(o.action, "generate")) {
    fprintf(stderr, "mpbsim lm: unknown action '%s' (info, tokenize, ppl, generate)\n", o.action);
    return MPB_EXIT_USAGE;
  }
  llama_model *m;
  int rc = load_model(&o, &m);
  if (rc) return rc;
  if (fn) rc = fn(m);
  else if (!strcmp(o.action, "tokenize")) rc = do_tokenize(&o, m);
  else if (!strcmp(o.action, "ppl")) rc = do_ppl(&o, m);
  else rc = do_generate(&o, m);
  llama_free(m);
  return rc;
}
