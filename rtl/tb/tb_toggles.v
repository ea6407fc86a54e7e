// tb_toggles.v — counts operand-bus toggles per block in the RTL rope unit (EXACT mode)
// on a stimulus file: the second simulator's check of the Verilator counts of
// sim/toggles/ (which cover every block; docs/report-schema.md "RTL toggles").
// The buses are the ones the C model counts (docs/architecture.md §11, cmodel/stages.c):
//   mac8:   the phase product's operands m and t (u_phase a_i, b_i)
//   horner: TERMS r, each Horner step's t, a, b, and CMUL's ck, sk, a, b
//   rotate: ROTATE's x, y, cos, sin
// A toggle is a bit that differs between consecutive operations at a bus; the stimulus
// is streamed without bubbles (in_valid = out_ready = 1), so consecutive cycles carry
// consecutive operations, and every bus starts from the reset value 0, as in the model.
// Plusargs: +stim=FILE (hex "m j x y" per line, from `mpbsim energy --stimulus`),
// +n=N operations, +seed=S (echoed), +out=FILE (JSON written at the end).
// Parameters: those of mpb_top (rtl/cfg2vparams.sh -Ptb_toggles.).
`timescale 1ns / 1ps
module tb_toggles;
  `include "mpb_top_params.vh"

  reg clk = 1'b0, rst_n = 1'b0;
  reg                 iv = 1'b0;
  reg [POS_BITS-1:0]  m = 0;
  reg [PAIR_BITS-1:0] j = 0;
  reg [X_BITS-1:0]    x = 0, y = 0;
  wire                ir, ov;
  wire [CS_BITS-1:0]  cos_o, sin_o;
  wire [X_BITS+ROT_FRAC_BITS:0] xr_o, yr_o;
  wire e_ir, e_ov, d_ir, d_ov;
  wire [9:0] e_e;
  wire [15:0] e_m;
  wire [63:0] d_sum;
  wire [31:0] d_sat, d_wrap;

  mpb_top #(
    .PHI_MODE(PHI_MODE), .POS_BITS(POS_BITS), .PAIR_BITS(PAIR_BITS),
    .FREQ_FRAC_BITS(FREQ_FRAC_BITS), .CS_TABLE_BITS(CS_TABLE_BITS),
    .EXP_TABLE_BITS(EXP_TABLE_BITS), .HORNER_ORDER(HORNER_ORDER),
    .HORNER_WIDTH(HORNER_WIDTH), .CS_BITS(CS_BITS), .X_BITS(X_BITS),
    .ROT_FRAC_BITS(ROT_FRAC_BITS), .ROUNDING(ROUNDING), .LOG_WORD_BITS(LOG_WORD_BITS),
    .LOG_MANT_BITS(LOG_MANT_BITS), .ACC_BITS(ACC_BITS), .ACC_OVERFLOW(ACC_OVERFLOW),
    .PROMOTE_INTERVAL(PROMOTE_INTERVAL), .MAC_LANES(MAC_LANES), .TABLE_DIR(TABLE_DIR)
  ) dut (
    .clk_i(clk), .rst_ni(rst_n),
    .rope_in_valid_i(iv), .rope_in_ready_o(ir), .rope_m_i(m), .rope_j_i(j),
    .rope_x_i(x), .rope_y_i(y), .rope_out_valid_o(ov), .rope_out_ready_i(1'b1),
    .rope_cos_o(cos_o), .rope_sin_o(sin_o), .rope_xr_o(xr_o), .rope_yr_o(yr_o),
    .exp_in_valid_i(1'b0), .exp_in_ready_o(e_ir), .exp_u_i(24'd0), .exp_out_valid_o(e_ov),
    .exp_out_ready_i(1'b1), .exp_e_o(e_e), .exp_mant_o(e_m),
    .dot_in_valid_i(1'b0), .dot_in_ready_o(d_ir), .dot_a_i({8*MAC_LANES{1'b0}}),
    .dot_b_i({8*MAC_LANES{1'b0}}), .dot_last_i(1'b0), .dot_out_valid_o(d_ov),
    .dot_out_ready_i(1'b1), .dot_sum_o(d_sum), .dot_sat_events_o(d_sat),
    .dot_wrap_events_o(d_wrap)
  );

  // One monitor per bus (tog_mon below), sampling once per cycle while enabled.
  reg sample = 1'b0;
  wire [31:0] ph_m, ph_t, tr_r, cm_ck, cm_sk, cm_a, cm_b, ro_x, ro_y, ro_c, ro_s;
  tog_mon u_ph_m (.clk(clk), .en(sample), .v({dut.u_rope.g_exact.u_phase.a_i}), .cnt(ph_m));
  tog_mon u_ph_t (.clk(clk), .en(sample), .v({dut.u_rope.g_exact.u_phase.b_i}), .cnt(ph_t));
  tog_mon u_tr_r (.clk(clk), .en(sample), .v({dut.u_rope.u_back.u_terms.r_i}), .cnt(tr_r));
  tog_mon u_cm_ck (.clk(clk), .en(sample), .v({dut.u_rope.u_back.u_cmul.ck_i}), .cnt(cm_ck));
  tog_mon u_cm_sk (.clk(clk), .en(sample), .v({dut.u_rope.u_back.u_cmul.sk_i}), .cnt(cm_sk));
  tog_mon u_cm_a (.clk(clk), .en(sample), .v({dut.u_rope.u_back.u_cmul.a_i}), .cnt(cm_a));
  tog_mon u_cm_b (.clk(clk), .en(sample), .v({dut.u_rope.u_back.u_cmul.b_i}), .cnt(cm_b));
  tog_mon u_ro_x (.clk(clk), .en(sample), .v({dut.u_rope.u_back.u_rotate.x_i}), .cnt(ro_x));
  tog_mon u_ro_y (.clk(clk), .en(sample), .v({dut.u_rope.u_back.u_rotate.y_i}), .cnt(ro_y));
  tog_mon u_ro_c (.clk(clk), .en(sample), .v({dut.u_rope.u_back.u_rotate.cos_i}), .cnt(ro_c));
  tog_mon u_ro_s (.clk(clk), .en(sample), .v({dut.u_rope.u_back.u_rotate.sin_i}), .cnt(ro_s));

  // Horner steps: one monitor per generated step, summed along a chain.
  wire [31:0] hsum [0:HORNER_ORDER];
  assign hsum[0] = 0;
  genvar gi;
  generate
    for (gi = 0; gi < HORNER_ORDER; gi = gi + 1) begin : g_mon
      wire [31:0] ct, ca, cb;
      tog_mon u_t (.clk(clk), .en(sample), .v({dut.u_rope.u_back.g_horner[gi].u_step.t_i}), .cnt(ct));
      tog_mon u_a (.clk(clk), .en(sample), .v({dut.u_rope.u_back.g_horner[gi].u_step.a_i}), .cnt(ca));
      tog_mon u_b (.clk(clk), .en(sample), .v({dut.u_rope.u_back.g_horner[gi].u_step.b_i}), .cnt(cb));
      assign hsum[gi+1] = hsum[gi] + ct + ca + cb;
    end
  endgenerate

  integer fd, fo, n, i, cyc, seed, rc;
  reg [63:0] fm, fj, fx, fy;
  reg [8*512-1:0] stim, out;
  always #5 clk = ~clk;

  initial begin
    if (!$value$plusargs("stim=%s", stim) || !$value$plusargs("out=%s", out) ||
        !$value$plusargs("n=%d", n)) begin
      $display("TOGGLES FAIL: need +stim=FILE +out=FILE +n=N");
      $finish;
    end
    if (!$value$plusargs("seed=%d", seed)) seed = 0;
    fd = $fopen(stim, "r");
    if (fd == 0) begin
      $display("TOGGLES FAIL: cannot read %0s", stim);
      $finish;
    end
    repeat (2) @(negedge clk);
    rst_n = 1'b1;
    sample = 1'b1;
    // feed one operation per cycle; inputs change after the edge that accepted the last
    for (i = 0; i < n; i = i + 1) begin
      rc = $fscanf(fd, "%h %h %h %h\n", fm, fj, fx, fy);
      if (rc != 4) begin
        $display("TOGGLES FAIL: %0s: line %0d is not 'm j x y' in hex", stim, i + 1);
        $finish;
      end
      @(negedge clk);
      iv = 1'b1;
      m = fm[POS_BITS-1:0];
      j = fj[PAIR_BITS-1:0];
      x = fx[X_BITS-1:0];
      y = fy[X_BITS-1:0];
    end
    @(negedge clk);
    iv = 1'b0;
    for (cyc = 0; cyc < 64; cyc = cyc + 1) @(negedge clk);  // drain the pipeline
    $fclose(fd);
    fo = $fopen(out, "w");
    $fwrite(fo, "{\"source\": \"icarus rtl/mpb_top.v (rtl/tb/tb_toggles.v)\", ");
    $fwrite(fo, "\"unit\": \"rope\", \"stimulus\": {\"seed\": %0d, \"n\": %0d}, ", seed, n);
    $fwrite(fo, "\"blocks\": {\"mac8\": %0d, \"horner\": %0d, \"rotate\": %0d}}\n",
            ph_m + ph_t, tr_r + hsum[HORNER_ORDER] + cm_ck + cm_sk + cm_a + cm_b,
            ro_x + ro_y + ro_c + ro_s);
    $fclose(fo);
    $display("TOGGLES DONE %0d operations -> %0s", n, out);
    $finish;
  end
endmodule

// Toggle counter of one bus (zero-extended to 64 bits): at each rising edge while en,
// adds the bits that differ from the value sampled at the previous edge (initially 0).
module tog_mon (
  input  wire        clk,
  input  wire        en,
  input  wire [63:0] v,
  output reg  [31:0] cnt
);
  reg [63:0] prev;
  integer k;
  initial begin
    prev = 64'd0;
    cnt = 32'd0;
  end
  always @(posedge clk)
    if (en) begin
      for (k = 0; k < 64; k = k + 1) cnt = cnt + {31'd0, v[k] ^ prev[k]};
      prev = v;
    end
endmodule
