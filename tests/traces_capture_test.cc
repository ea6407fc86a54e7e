// traces_capture_test.cc — trace capture from the Llama forward pass (llama_trace.c):
// a tiny synthetic model's trace read back record by record through the trace reader.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "gtest_c.h"
#include "llama.h"
#include "llama_presets.h"
#include "llama_trace.h"

namespace {

llama_config tiny() { return llama_preset_find("tiny")->c; }

struct Model {
  llama_model *m = nullptr;
  explicit Model(const llama_config &c, uint64_t seed = 7) {
    char err[256];
    EXPECT_EQ(llama_init_synthetic(&m, &c, seed, err, sizeof err), 0) << err;
  }
  ~Model() { llama_free(m); }
};

// Capture a tiny model into a trace file and read every record back.
TEST(TracesCapture, CaptureRoundTripsThroughTheTraceReader) {
  Model M(tiny());
  std::string path = mpb_test_path("llama_tiny.trace");
  char err[512];
  trace_gen_opts o;
  trace_gen_opts_init(&o);
  o.tokens = 6;
  o.windows = 3;
  o.max_pos = 131071;
  o.f32 = true;
  trace_writer *w = trace_writer_open(path.c_str(), nullptr, err, sizeof err);
  ASSERT_NE(w, nullptr) << err;
  ASSERT_EQ(llama_capture(M.m, "tiny", "test", nullptr, 0, &o, w, err, sizeof err), 0) << err;
  ASSERT_EQ(trace_writer_close(w, err, sizeof err), 0) << err;
  trace_reader *r = trace_reader_open(path.c_str(), err, sizeof err);
  ASSERT_NE(r, nullptr) << err;
  const trace_header *h = trace_reader_header(r);
  const llama_config c = M.m->c;
  EXPECT_EQ(h->head_dim, (uint32_t)c.head_dim);
  EXPECT_EQ(h->rope_base, c.rope_base);
  EXPECT_EQ(h->max_pos, 131071u);
  trace_record rec;
  int n_rope = 0, n_exp = 0, n_gemm = 0, rc;
  uint32_t max_pos = 0;
  while ((rc = trace_read(r, &rec, err, sizeof err)) == 1) {
    if (rec.kind == TRACE_ROPE) {
      n_rope++;
      EXPECT_EQ(rec.ntok, 6u);
      for (uint32_t t = 0; t < rec.ntok; t++) {
        max_pos = std::max(max_pos, rec.pos[t]);
        for (uint32_t i = 0; i < rec.width; i++)  // int8 * scale reproduces the FP32 input
          EXPECT_NEAR(rec.x[t * rec.width + i] * rec.scale[t], rec.f32[t * rec.width + i], rec.scale[t] * 0.5001);
      }
    } else if (rec.kind == TRACE_EXP) {
      n_exp++;
      float mx = -1;
      for (uint32_t i = 0; i < rec.width; i++) {
        EXPECT_LE(rec.f32[i], 0.0f);
        mx = std::max(mx, rec.f32[i]);
      }
      EXPECT_EQ(mx, 0.0f);  // softmax inputs minus the row max
      EXPECT_EQ(rec.width, rec.tok0 % 6 + 1);  // causal: query t sees t+1 keys
    } else if (rec.kind == TRACE_GEMM) {
      n_gemm++;
      EXPECT_EQ(rec.ntok, 4u);
      EXPECT_EQ(rec.width, (uint32_t)(rec.op == TRACE_GEMM_FFN_DOWN ? c.n_ff : rec.op == TRACE_GEMM_O ? c.n_head * c.head_dim : c.n_embd));
    }
  }
  EXPECT_EQ(rc, 0) << err;
  trace_reader_close(r);
  EXPECT_EQ(n_rope, 3 * c.n_layer * (c.n_head + c.n_head_kv));
  EXPECT_EQ(n_exp, 3 * 6 * c.n_layer * c.n_head);
  EXPECT_EQ(n_gemm, 3 * c.n_layer * 7);
  EXPECT_EQ(max_pos, 131071u);
}

}  // namespace
