/* cmd_trace.c — `mpbsim trace info|validate|cat|import`: inspect, check and dump traces,
 * and build traces from NumPy / safetensors tensors. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "import.h"
#include "trace.h"

static void help(FILE *f) {
  fprintf(f, "usage: mpbsim trace info FILE\n"
         "       mpbsim trace validate FILE\n"
         "       mpbsim trace cat FILE [--kind K] [--op OP] [--layer L] [--head H]\n"
         "                             [--limit N] [--values N]\n"
         "       mpbsim trace import --out FILE [--npy ROLE[:LAYER]=PATH]...\n"
         "                           [--npz PATH]... [--safetensors PATH]... [--base B] ...\n\n"
         "info      header and record counts per kind/op and per layer (reads everything)\n"
         "validate  full read with every checksum and field check; exit 3 on any defect\n"
         "cat       human-readable dump of the records passing the filters:\n"
         "  --kind rope|exp|gemm  --op NAME (q, k, softmax, ssm_dta, router, q_proj, ...)\n"
         "  --layer L  --head H  --limit N (records, default all)  --values N (per row, default 8)\n"
         "import    tensors -> trace (roles q, k, positions, softmax; docs/trace-format.md):\n"
         "  --npy ROLE[:LAYER]=PATH   one .npy array (repeatable)\n"
         "  --safetensors PATH        tensors named q, k, positions, softmax, or layerN.<role>\n"
         "  --npz PATH                NumPy archive with members named like the tensors above\n"
         "  --base B                  RoPE base (required with q/k)\n"
         "  --pairing interleaved|half  (default half, the Hugging Face convention)\n"
         "  --heads H --kv-heads H    head counts for 2-D [T, H*D] tensors\n"
         "  --head-major              3-D tensors are [H, T, D] (default [T, H, D])\n"
         "  --model NAME  --pos0 P (first position without a positions tensor)  --f32\n\n"
         "exit codes: 0 ok, 2 usage, 3 bad trace or tensor file, 4 I/O error\n");
}

static trace_reader *open_trace(const char *path, int *rc) {
  char err[512];
  if (access(path, R_OK) != 0) {
    fprintf(stderr, "mpbsim trace: cannot read %s\n", path);
    *rc = MPB_EXIT_IO;
    return NULL;
  }
  trace_reader *r = trace_reader_open(path, err, sizeof err);
  if (!r) {
    fprintf(stderr, "mpbsim trace: %s\n", err);
    *rc = errno ? MPB_EXIT_IO : MPB_EXIT_INPUT; /* a read error, or a bad file */
  }
  return r;
}

static void print_header(const trace_header *h) {
  static const char *const arch[] = {"transformer", "ssm", "hybrid"};
  printf("model      %s\nsource     %s\narch       %s\n", h->model, h->source,
         arch[h->arch]);
  printf("layers     %u\nheads      %u (kv %u), head_dim %u\n", h->n_layers, h->n_heads,
         h->n_kv_heads, h->head_dim);
  printf("rope       base %g, pairing %s\n", h->rope_base, h->pairing ? "half" : "interleaved");
  printf("quant      int8 per row, scale = max|x|/127\n");
  printf("d_model %u, d_state %u, d_conv %u, window %u, experts %u top-%u\n", h->d_model,
         h->d_state, h->d_conv, h->window, h->n_experts, h->top_k);
  printf("tokens     %u per window, max position %u, seed %llu\n", h->n_tokens, h->max_pos,
         (unsigned long long)h->seed);
}

static int do_info(const char *path, bool validate_only) {
  int rc = MPB_EXIT_OK;
  trace_reader *r = open_trace(path, &rc);
  if (!r) return rc;
  const trace_header *h = trace_reader_header(r);
  uint64_t nop[TRACE_NKIND][TRACE_NGEMM_OP] = {{0}}, nval[TRACE_NKIND] = {0};
  uint64_t *per_layer = calloc((size_t)h->n_layers * TRACE_NKIND, sizeof(uint64_t));
  if (!per_layer) {
    trace_reader_close(r);
    fprintf(stderr, "mpbsim trace: out of memory\n");
    return MPB_EXIT_IO;
  }
  trace_record rec;
  char err[512];
  int got;
  while ((got = trace_read(r, &rec, err, sizeof err)) == 1) {
    nop[rec.kind][rec.op]++;
    per_layer[(size_t)rec.layer * TRACE_NKIND + rec.kind]++;
    nval[rec.kind] += (uint64_t)rec.ntok * (rec.kind == TRACE_GEMM ? rec.cols : rec.width);
  }
  if (got < 0) {
    fprintf(stderr, "mpbsim trace: %s\n", err);
    rc = trace_reader_io_errno(r) ? MPB_EXIT_IO : MPB_EXIT_INPUT;
  } else if (validate_only) {
    uint64_t total = 0;
    for (int k = 1; k < TRACE_NKIND; k++)
      for (int o = 0; o < TRACE_NGEMM_OP; o++) total += nop[k][o];
    printf("%s: ok (%llu records in %llu chunks, every checksum and field valid)\n", path,
           (unsigned long long)total, (unsigned long long)trace_reader_chunk_index(r));
  }
  if (!validate_only) {
    print_header(h);
    printf("records by kind/op:\n");
    for (uint32_t k = 1; k < TRACE_NKIND; k++)
      for (uint32_t o = 0; o < TRACE_NGEMM_OP; o++)
        if (nop[k][o])
          printf("  %-5s %-11s %10llu\n", trace_kind_name(k), trace_op_name(k, o),
                 (unsigned long long)nop[k][o]);
    printf("values: %llu rope, %llu exp, %llu dot products\n", (unsigned long long)nval[1],
           (unsigned long long)nval[2], (unsigned long long)nval[3]);
    printf("records by layer:  layer   rope    exp   gemm\n");
    for (uint32_t l = 0; l < h->n_layers; l++) {
      uint64_t *p = per_layer + (size_t)l * TRACE_NKIND;
      if (p[1] + p[2] + p[3])
        printf("                   %5u %6llu %6llu %6llu\n", l, (unsigned long long)p[1],
               (unsigned long long)p[2], (unsigned long long)p[3]);
    }
    if (rc) printf("(incomplete: the trace has a defect, see the error above)\n");
  }
  free(per_layer);
  trace_reader_close(r);
  return rc;
}

static int do_cat(int argc, char **argv) {
  static const struct option opts[] = {
      {"kind", required_argument, 0, 'k'},  {"op", required_argument, 0, 'o'},
      {"layer", required_argument, 0, 'l'}, {"head", required_argument, 0, 'H'},
      {"limit", required_argument, 0, 'n'}, {"values", required_argument, 0, 'v'},
      {0, 0, 0, 0}};
  int kind = -1;
  const char *op = NULL;
  long layer = -1, head = -1, limit = -1, nvals = 8, v;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'k':
      if ((kind = trace_kind_parse(optarg)) < 0) {
        fprintf(stderr, "mpbsim trace cat: option --kind: '%s' is not rope, exp or gemm\n", optarg);
        return MPB_EXIT_USAGE;
      }
      break;
    case 'o': op = optarg; break;
    case 'l':
      if (cli_parse_long("trace cat", "layer", optarg, 0, TRACE_MAX_LAYERS, &v)) return MPB_EXIT_USAGE;
      layer = v;
      break;
    case 'H':
      if (cli_parse_long("trace cat", "head", optarg, 0, TRACE_MAX_HEADS, &v)) return MPB_EXIT_USAGE;
      head = v;
      break;
    case 'n':
      if (cli_parse_long("trace cat", "limit", optarg, 0, 0x7fffffffL, &v)) return MPB_EXIT_USAGE;
      limit = v;
      break;
    case 'v':
      if (cli_parse_long("trace cat", "values", optarg, 0, 1 << 20, &v)) return MPB_EXIT_USAGE;
      nvals = v;
      break;
    default: return MPB_EXIT_USAGE;
    }
  }
  if (optind + 1 != argc) {
    fprintf(stderr, "mpbsim trace cat: expected one trace file\n");
    return MPB_EXIT_USAGE;
  }
  if (op) { /* an op name of the kind asked for (or of any kind) */
    bool known = false;
    for (uint32_t k = 1; k < TRACE_NKIND; k++)
      if ((kind < 0 || (int)k == kind) && trace_op_parse(k, op) >= 0) known = true;
    if (!known) {
      fprintf(stderr, "mpbsim trace cat: option --op: '%s' is not an op of %s (", op,
              kind < 0 ? "any kind" : trace_kind_name((uint32_t)kind));
      const char *sep = "";
      for (uint32_t k = 1; k < TRACE_NKIND; k++)
        for (uint32_t o = 0; (kind < 0 || (int)k == kind) && strcmp(trace_op_name(k, o), "?"); o++)
          fprintf(stderr, "%s%s", sep, trace_op_name(k, o)), sep = ", ";
      fprintf(stderr, ")\n");
      return MPB_EXIT_USAGE;
    }
  }
  int rc = MPB_EXIT_OK;
  trace_reader *r = open_trace(argv[optind], &rc);
  if (!r) return rc;
  trace_record rec;
  char err[512];
  int got = 0;
  long shown = 0;
  /* stop early once standard output has failed (main() reports it, exit 4) */
  while ((limit < 0 || shown < limit) && !ferror(stdout) &&
         (got = trace_read(r, &rec, err, sizeof err)) == 1) {
    if ((kind >= 0 && (int)rec.kind != kind) || (layer >= 0 && rec.layer != layer) ||
        (head >= 0 && rec.head != head) || (op && strcmp(op, trace_op_name(rec.kind, rec.op))))
      continue;
    shown++;
    printf("#%llu %s %s layer %u head %u tokens [%u, %u) width %u", 
           (unsigned long long)trace_reader_record_index(r), trace_kind_name(rec.kind),
           trace_op_name(rec.kind, rec.op), rec.layer, rec.head, rec.tok0,
           rec.tok0 + rec.ntok, rec.width);
    if (rec.kind == TRACE_GEMM) printf(" cols %u (K = %u)", rec.cols, rec.width);
    printf("\n");
    for (uint32_t t = 0; t < rec.ntok; t++) {
      printf("  t%u", rec.tok0 + t);
      if (rec.pos) printf(" pos %u", rec.pos[t]);
      if (rec.scale) printf(" scale %.6g", (double)rec.scale[t]);
      printf(":");
      for (long i = 0; i < nvals && i < (long)rec.width; i++) {
        if (rec.kind == TRACE_EXP) printf(" %.5g", (double)rec.f32[(size_t)t * rec.width + i]);
        else printf(" %d", rec.x[(size_t)t * rec.width + i]);
      }
      if ((long)rec.width > nvals) printf(" ...");
      printf("\n");
    }
    if (rec.kind == TRACE_GEMM)
      for (uint32_t j = 0; j < rec.cols && j < 4; j++) {
        printf("  B%u scale %.6g:", j, (double)rec.b_scale[j]);
        for (long i = 0; i < nvals && i < (long)rec.width; i++)
          printf(" %d", rec.b[(size_t)j * rec.width + i]);
        printf("%s\n", (long)rec.width > nvals ? " ..." : "");
      }
  }
  if (got < 0) {
    fprintf(stderr, "mpbsim trace: %s\n", err);
    rc = trace_reader_io_errno(r) ? MPB_EXIT_IO : MPB_EXIT_INPUT;
  }
  trace_reader_close(r);
  return rc;
}

#define MAX_INPUTS 64

static int do_import(int argc, char **argv) {
  static const struct option opts[] = {
      {"out", required_argument, 0, 'o'},     {"npy", required_argument, 0, 'n'},
      {"npz", required_argument, 0, 'z'},
      {"safetensors", required_argument, 0, 's'}, {"base", required_argument, 0, 'b'},
      {"pairing", required_argument, 0, 'p'}, {"heads", required_argument, 0, 'H'},
      {"kv-heads", required_argument, 0, 'K'}, {"head-major", no_argument, 0, 'M'},
      {"model", required_argument, 0, 'm'},  {"pos0", required_argument, 0, 'P'},
      {"f32", no_argument, 0, 'f'},          {0, 0, 0, 0}};
  trace_import_opts io;
  memset(&io, 0, sizeof io);
  io.pairing = 1;
  const char *out = NULL, *npy[MAX_INPUTS], *st[MAX_INPUTS], *npz[MAX_INPUTS];
  size_t nnpy = 0, nst = 0, nnpz = 0;
  long v;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'o': out = optarg; break;
    case 'n':
    case 's':
    case 'z':
      if ((c == 'n' ? nnpy : c == 's' ? nst : nnpz) >= MAX_INPUTS) {
        fprintf(stderr, "mpbsim trace import: more than %d --npy/--npz/--safetensors\n",
                MAX_INPUTS);
        return MPB_EXIT_USAGE;
      }
      if (c == 'n') npy[nnpy++] = optarg;
      else if (c == 's') st[nst++] = optarg;
      else npz[nnpz++] = optarg;
      break;
    case 'b':
      if (cli_parse_double("trace import", "base", optarg, 1.0000001, 1e12, &io.base))
        return MPB_EXIT_USAGE;
      break;
    case 'p':
      if (!strcmp(optarg, "interleaved")) io.pairing = 0;
      else if (!strcmp(optarg, "half")) io.pairing = 1;
      else {
        fprintf(stderr, "mpbsim trace import: option --pairing: '%s' is not interleaved or half\n", optarg);
        return MPB_EXIT_USAGE;
      }
      break;
    case 'H':
    case 'K':
      if (cli_parse_long("trace import", c == 'H' ? "heads" : "kv-heads", optarg, 1,
                         TRACE_MAX_HEADS, &v))
        return MPB_EXIT_USAGE;
      *(c == 'H' ? &io.heads : &io.kv_heads) = (uint32_t)v;
      break;
    case 'M': io.head_major = true; break;
    case 'm': io.model = optarg; break;
    case 'P':
      if (cli_parse_long("trace import", "pos0", optarg, 0, TRACE_MAX_POS - 1, &v)) return MPB_EXIT_USAGE;
      io.pos0 = (uint32_t)v;
      break;
    case 'f': io.keep_f32 = true; break;
    default: return MPB_EXIT_USAGE;
    }
  }
  if (optind < argc || !out || nnpy + nst + nnpz == 0) {
    fprintf(stderr, "mpbsim trace import: --out FILE and at least one --npy, --npz or "
            "--safetensors are required\n");
    return MPB_EXIT_USAGE;
  }
  int rc = MPB_EXIT_INPUT;
  char err[1024];
  uint8_t *bufs[3 * MAX_INPUTS];
  size_t nbufs = 0, narch = 0;
  tf_archive arch[MAX_INPUTS];
  import_item *items = calloc(MAX_INPUTS, sizeof *items);
  size_t nitems = 0, cap = MAX_INPUTS;
  tf_tensor *tt = NULL;
  cli_out o = {0};
  trace_writer *w = NULL;
  if (!items) goto oom;
  for (size_t i = 0; i < nnpy; i++) {
    const char *path;
    size_t sz;
    if (import_parse_spec(npy[i], &items[nitems].role, &items[nitems].layer, &path, err,
                          sizeof err)) {
      fprintf(stderr, "mpbsim trace import: option --npy %s\n", err);
      rc = MPB_EXIT_USAGE;
      goto done;
    }
    if (tf_read_file(path, &bufs[nbufs], &sz, err, sizeof err)) {
      rc = MPB_EXIT_IO;
      goto fail;
    }
    if (npy_parse(bufs[nbufs++], sz, path, &items[nitems].t, err, sizeof err)) goto fail;
    nitems++;
  }
  for (size_t i = 0; i < nst + nnpz; i++) {
    size_t sz, n;
    const char *path = i < nst ? st[i] : npz[i - nst];
    if (tf_read_file(path, &bufs[nbufs], &sz, err, sizeof err)) {
      rc = MPB_EXIT_IO;
      goto fail;
    }
    const tf_tensor *src; /* tt (owned here) or the archive's tensors (owned by arch) */
    if (i < nst) {
      if (safetensors_parse(bufs[nbufs++], sz, path, &tt, &n, err, sizeof err)) goto fail;
      src = tt;
    } else {
      if (npz_parse(bufs[nbufs++], sz, path, &arch[narch], err, sizeof err)) goto fail;
      src = arch[narch].t, n = arch[narch].n;
      narch++;
    }
    for (size_t j = 0; j < n; j++) {
      import_role role;
      uint32_t layer;
      if (import_role_of_name(src[j].name, &role, &layer)) continue; /* other tensors */
      if (nitems == cap) {
        import_item *p = realloc(items, 2 * cap * sizeof *items);
        if (!p) goto oom;
        items = p, cap *= 2;
      }
      items[nitems].role = role, items[nitems].layer = layer, items[nitems].t = src[j];
      nitems++;
    }
    free(tt);
    tt = NULL;
  }
  if (!nitems) {
    snprintf(err, sizeof err, "no tensor named q, k, positions or softmax (or layerN.<role>) "
             "in the inputs");
    goto fail;
  }
  if (cli_out_open(&o, "trace import", out)) {
    rc = MPB_EXIT_IO;
    goto done;
  }
  if (!(w = trace_writer_open_file(o.f, out, NULL, err, sizeof err))) goto fail;
  uint64_t masked = 0;
  io.n_masked = &masked;
  if (trace_import_items(&io, items, nitems, w, err, sizeof err)) goto fail;
  uint64_t nrec = trace_writer_records(w);
  int e = trace_writer_close(w, err, sizeof err);
  w = NULL;
  if (e) {
    rc = MPB_EXIT_IO;
    goto fail;
  }
  if (cli_out_commit(&o, "trace import")) {
    rc = MPB_EXIT_IO;
    goto done;
  }
  printf("mpbsim trace import: wrote %s (%llu records from %zu tensors, %llu masked softmax "
         "logits dropped)\n", out, (unsigned long long)nrec, nitems, (unsigned long long)masked);
  rc = MPB_EXIT_OK;
  goto done;
oom:
  snprintf(err, sizeof err, "out of memory");
fail:
  fprintf(stderr, "mpbsim trace import: %s\n", err);
done:
  if (w) trace_writer_abort(w);
  if (o.f) cli_out_abort(&o);
  free(tt);
  free(items);
  for (size_t i = 0; i < narch; i++) tf_archive_free(&arch[i]);
  for (size_t i = 0; i < nbufs; i++) free(bufs[i]);
  return rc;
}

int cmd_trace(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    help(argc < 2 ? stderr : stdout); /* a bare `mpbsim trace` is a usage error */
    return argc < 2 ? MPB_EXIT_USAGE : MPB_EXIT_OK;
  }
  const char *sub = argv[1];
  if (!strcmp(sub, "info") || !strcmp(sub, "validate")) {
    if (argc == 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
      help(stdout);
      return MPB_EXIT_OK;
    }
    if (argc != 3) {
      fprintf(stderr, "mpbsim trace %s: expected one trace file\n", sub);
      return MPB_EXIT_USAGE;
    }
    return do_info(argv[2], !strcmp(sub, "validate"));
  }
  for (int i = 2; i < argc; i++)
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      help(stdout);
      return MPB_EXIT_OK;
    }
  if (!strcmp(sub, "cat")) return do_cat(argc - 1, argv + 1);
  if (!strcmp(sub, "import")) return do_import(argc - 1, argv + 1);
  fprintf(stderr, "mpbsim trace: unknown subcommand '%s' (info, validate, cat, import)\n", sub);
  return MPB_EXIT_USAGE;
}
