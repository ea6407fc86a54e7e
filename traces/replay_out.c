/* replay_out.c — the replay result as JSON (jansson), CSV and a summary table. */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "replay.h"

static const char *const err_unit[TRACE_NKIND] = {
    "", "abs error, int8 input units", "relative error", "abs error, integer units"};

static json_t *stat_json(const replay_stat *s) {
  return json_pack("{s:I, s:f, s:f, s:f}", "count", (json_int_t)s->count, "max_abs",
                   s->max_abs, "rms", replay_stat_rms(s), "mean", replay_stat_mean(s));
}

static json_t *counts_json(const mpb_counts *c) {
  json_t *b = json_object();
  for (int i = 0; i < MPB_NBLK; i++) {
    const mpb_block_counts *k = &c->blk[i];
    json_object_set_new(
        b, mpb_block_name((mpb_block)i),
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "mul_ops",
                  (json_int_t)k->mul_ops, "mul_bitprod", (json_int_t)k->mul_bitprod,
                  "add_ops", (json_int_t)k->add_ops, "add_bits", (json_int_t)k->add_bits,
                  "rom_reads", (json_int_t)k->rom_reads, "rom_bits", (json_int_t)k->rom_bits,
                  "reg_bits", (json_int_t)k->reg_bits, "toggles", (json_int_t)k->toggles));
  }
  return json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}", "ops", (json_int_t)c->ops, "cycles",
                   (json_int_t)c->cycles, "active_cycles", (json_int_t)c->active_cycles,
                   "stall_cycles", (json_int_t)c->stall_cycles, "idle_cycles",
                   (json_int_t)c->idle_cycles, "blocks", b);
}

int replay_write_json(const replay_result *res, const char *trace_path,
                      const mpb_config *cfg, FILE *f, char *err, size_t errlen) {
  const trace_header *h = &res->header;
  json_t *root = json_object();
  json_object_set_new(root, "schema", json_string("mpbsim-replay-1"));
  json_object_set_new(root, "trace", json_string(trace_path));
  json_object_set_new(
      root, "workload",
      json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:f, s:s, s:i}", "model", h->model,
                "source", h->source, "layers", (int)h->n_layers, "heads", (int)h->n_heads,
                "kv_heads", (int)h->n_kv_heads, "head_dim", (int)h->head_dim, "rope_base",
                h->rope_base, "pairing", h->pairing ? "half" : "interleaved", "max_pos",
                (int)h->max_pos));
  json_t *cj = json_object();
  for (size_t i = 0; i < mpb_param_count(); i++) {
    char buf[64];
    mpb_param_format(cfg, i, buf, sizeof buf);
    json_object_set_new(cj, mpb_param_get(i)->name, json_string(buf));
  }
  json_object_set_new(root, "config", cj);
  json_object_set_new(root, "mode", json_string(res->cycle ? "cycle" : "functional"));
  json_object_set_new(root, "records", json_integer((json_int_t)res->records));
  json_object_set_new(root, "seconds", json_real(res->seconds));
  json_t *kinds = json_object();
  json_t *ops = json_array(), *layers = json_array(), *pos = json_array();
  for (uint32_t k = 1; k < TRACE_NKIND; k++) {
    if (!res->ops[k]) continue;
    json_t *kj = stat_json(&res->kind[k]);
    json_object_set_new(kj, "ops", json_integer((json_int_t)res->ops[k]));
    json_object_set_new(kj, "error", json_string(err_unit[k]));
    json_object_set_new(kinds, trace_kind_name(k), kj);
    for (uint32_t o = 0; o < TRACE_NGEMM_OP; o++) {
      if (!res->op[k][o].count) continue;
      json_t *s = stat_json(&res->op[k][o]);
      json_object_set_new(s, "kind", json_string(trace_kind_name(k)));
      json_object_set_new(s, "op", json_string(trace_op_name(k, o)));
      json_array_append_new(ops, s);
    }
    for (uint32_t l = 0; l < res->n_layers; l++) {
      if (!res->layer[k][l].count) continue;
      json_t *s = stat_json(&res->layer[k][l]);
      json_object_set_new(s, "kind", json_string(trace_kind_name(k)));
      json_object_set_new(s, "layer", json_integer(l));
      json_array_append_new(layers, s);
    }
    for (int b = 0; b < REPLAY_POS_BUCKETS; b++) {
      if (!res->pos[k][b].count) continue;
      uint32_t lo, hi;
      replay_bucket_range(b, &lo, &hi);
      json_t *s = stat_json(&res->pos[k][b]);
      json_object_set_new(s, "kind", json_string(trace_kind_name(k)));
      json_object_set_new(s, "pos_lo", json_integer(lo));
      json_object_set_new(s, "pos_hi", json_integer(hi));
      json_array_append_new(pos, s);
    }
  }
  json_object_set_new(root, "by_kind", kinds);
  json_object_set_new(root, "by_op", ops);
  json_object_set_new(root, "by_layer", layers);
  json_object_set_new(root, "by_position", pos);
  json_object_set_new(root, "events",
                      json_pack("{s:I, s:I, s:I}", "exp_saturated",
                                (json_int_t)res->exp_saturated, "dot_wrap",
                                (json_int_t)res->dot_wrap_events, "dot_sat",
                                (json_int_t)res->dot_sat_events));
  json_object_set_new(root, "counts", counts_json(&res->counts));
  int rc = json_dumpf(root, f, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
  json_decref(root);
  if (rc || fputc('\n', f) == EOF) {
    snprintf(err, errlen, "cannot write the JSON output");
    return -1;
  }
  return 0;
}

static void csv_row(FILE *f, const char *group, uint32_t k, const char *op, long layer,
                    long lo, long hi, const replay_stat *s) {
  fprintf(f, "%s,%s,%s,%ld,%ld,%ld,%llu,%.10g,%.10g,%.10g\n", group, trace_kind_name(k), op,
          layer, lo, hi, (unsigned long long)s->count, s->max_abs, replay_stat_rms(s),
          replay_stat_mean(s));
}

int replay_write_csv(const replay_result *res, FILE *f) {
  fprintf(f, "group,kind,op,layer,pos_lo,pos_hi,count,max_abs,rms,mean\n");
  for (uint32_t k = 1; k < TRACE_NKIND; k++) {
    if (!res->ops[k]) continue;
    csv_row(f, "kind", k, "", -1, -1, -1, &res->kind[k]);
    for (uint32_t o = 0; o < TRACE_NGEMM_OP; o++)
      if (res->op[k][o].count) csv_row(f, "op", k, trace_op_name(k, o), -1, -1, -1, &res->op[k][o]);
    for (uint32_t l = 0; l < res->n_layers; l++)
      if (res->layer[k][l].count) csv_row(f, "layer", k, "", l, -1, -1, &res->layer[k][l]);
    for (int b = 0; b < REPLAY_POS_BUCKETS; b++)
      if (res->pos[k][b].count) {
        uint32_t lo, hi;
        replay_bucket_range(b, &lo, &hi);
        csv_row(f, "position", k, "", -1, lo, hi, &res->pos[k][b]);
      }
  }
  return ferror(f) ? -1 : 0;
}

void replay_print_summary(const replay_result *res, FILE *f) {
  fprintf(f, "replay of %s (%s): %llu records, %.2f s\n", res->header.model,
          res->cycle ? "cycle-accurate" : "functional", (unsigned long long)res->records,
          res->seconds);
  fprintf(f, "%-6s %-11s %12s %12s %12s %12s  %s\n", "kind", "op", "count", "max_abs", "rms",
          "mean", "error");
  for (uint32_t k = 1; k < TRACE_NKIND; k++) {
    if (!res->ops[k]) continue;
    for (uint32_t o = 0; o < TRACE_NGEMM_OP; o++) {
      const replay_stat *s = &res->op[k][o];
      if (!s->count) continue;
      fprintf(f, "%-6s %-11s %12llu %12.4g %12.4g %12.4g  %s\n", trace_kind_name(k),
              trace_op_name(k, o), (unsigned long long)s->count, s->max_abs,
              replay_stat_rms(s), replay_stat_mean(s), err_unit[k]);
    }
  }
  if (res->ops[TRACE_ROPE]) {
    fprintf(f, "rope error by position octave:\n");
    for (int b = 0; b < REPLAY_POS_BUCKETS; b++) {
      const replay_stat *s = &res->pos[TRACE_ROPE][b];
      if (!s->count) continue;
      uint32_t lo, hi;
      replay_bucket_range(b, &lo, &hi);
      fprintf(f, "  [%7u, %7u] %12llu %12.4g %12.4g\n", lo, hi, (unsigned long long)s->count,
              s->max_abs, replay_stat_rms(s));
    }
  }
  fprintf(f, "ops: %llu rotations, %llu exps, %llu dot products; events: %llu exp inputs "
          "saturated, %llu dot wraps, %llu dot saturations\n",
          (unsigned long long)res->ops[TRACE_ROPE], (unsigned long long)res->ops[TRACE_EXP],
          (unsigned long long)res->ops[TRACE_GEMM], (unsigned long long)res->exp_saturated,
          (unsigned long long)res->dot_wrap_events, (unsigned long long)res->dot_sat_events);
}
