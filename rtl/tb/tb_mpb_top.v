// tb_mpb_top.v — Icarus smoke test of mpb_top: each cycle read the pins from the stimulus
// file, let the design settle, compare in_ready/out_valid of every unit (and the data
// while out_valid) with the C model's expected file, then clock. Both files come from
// build/cosim/vectors (sim/cosim/vectors_main.cpp). Prints "ICARUS PASS cycles=N
// results=R" or "ICARUS FAIL cycle N: ..." and finishes.
// Plusargs: +stim=FILE +expect=FILE. Parameters: those of mpb_top (same defaults).
`timescale 1ns / 1ps
module tb_mpb_top;
  `include "mpb_top_params.vh"
  localparam integer OW = X_BITS + 1 + ROT_FRAC_BITS;

  reg clk = 1'b0, rst_n = 1'b0;
  // stimulus
  reg                     r_iv, r_or, e_iv, e_or, d_iv, d_last, d_or;
  reg [POS_BITS-1:0]      r_m;
  reg [PAIR_BITS-1:0]     r_j;
  reg [X_BITS-1:0]        r_x, r_y;
  reg [23:0]              e_u;
  reg [8*MAC_LANES-1:0]   d_a, d_b;
  // expected
  reg                     x_rir, x_rov, x_eir, x_eov, x_dir, x_dov;
  reg [CS_BITS-1:0]       x_cos, x_sin;
  reg [OW-1:0]            x_xr, x_yr;
  reg [9:0]               x_e;
  reg [15:0]              x_mant;
  reg [63:0]              x_sum;
  reg [31:0]              x_sat, x_wrap;
  // design outputs
  wire                    rir, rov, eir, eov, dir_, dov;
  wire [CS_BITS-1:0]      cos_w, sin_w;
  wire [OW-1:0]           xr_w, yr_w;
  wire [9:0]              e_w;
  wire [15:0]             mant_w;
  wire [63:0]             sum_w;
  wire [31:0]             sat_w, wrap_w;

  mpb_top #(
    .PHI_MODE (PHI_MODE), .POS_BITS (POS_BITS), .PAIR_BITS (PAIR_BITS),
    .FREQ_FRAC_BITS (FREQ_FRAC_BITS), .CS_TABLE_BITS (CS_TABLE_BITS),
    .EXP_TABLE_BITS (EXP_TABLE_BITS), .HORNER_ORDER (HORNER_ORDER),
    .HORNER_WIDTH (HORNER_WIDTH), .CS_BITS (CS_BITS), .X_BITS (X_BITS),
    .ROT_FRAC_BITS (ROT_FRAC_BITS), .ROUNDING (ROUNDING), .LOG_WORD_BITS (LOG_WORD_BITS),
    .LOG_MANT_BITS (LOG_MANT_BITS), .ACC_BITS (ACC_BITS), .ACC_OVERFLOW (ACC_OVERFLOW),
    .PROMOTE_INTERVAL (PROMOTE_INTERVAL), .MAC_LANES (MAC_LANES), .TABLE_DIR (TABLE_DIR)
  ) dut (
    .clk_i (clk), .rst_ni (rst_n),
    .rope_in_valid_i (r_iv), .rope_in_ready_o (rir), .rope_m_i (r_m), .rope_j_i (r_j),
    .rope_x_i (r_x), .rope_y_i (r_y), .rope_out_valid_o (rov), .rope_out_ready_i (r_or),
    .rope_cos_o (cos_w), .rope_sin_o (sin_w), .rope_xr_o (xr_w), .rope_yr_o (yr_w),
    .exp_in_valid_i (e_iv), .exp_in_ready_o (eir), .exp_u_i (e_u),
    .exp_out_valid_o (eov), .exp_out_ready_i (e_or), .exp_e_o (e_w), .exp_mant_o (mant_w),
    .dot_in_valid_i (d_iv), .dot_in_ready_o (dir_), .dot_a_i (d_a), .dot_b_i (d_b),
    .dot_last_i (d_last), .dot_out_valid_o (dov), .dot_out_ready_i (d_or),
    .dot_sum_o (sum_w), .dot_sat_events_o (sat_w), .dot_wrap_events_o (wrap_w)
  );

  integer fs, fe, n, cycle, results;
  reg [1023:0] stim_name, exp_name;
  reg ok;
  initial begin
    if (!$value$plusargs("stim=%s", stim_name) || !$value$plusargs("expect=%s", exp_name)) begin
      $display("ICARUS FAIL usage: +stim=FILE +expect=FILE");
      $finish;
    end
    fs = $fopen(stim_name, "r");
    fe = $fopen(exp_name, "r");
    if (fs == 0 || fe == 0) begin
      $display("ICARUS FAIL cannot open the stimulus or expected file");
      $finish;
    end
    {r_iv, r_or, e_iv, e_or, d_iv, d_last, d_or} = 7'd0;
    r_m = 0; r_j = 0; r_x = 0; r_y = 0; e_u = 0; d_a = 0; d_b = 0;
    // reset: three clocks with rst_n low
    repeat (3) begin #5 clk = 1'b1; #5 clk = 1'b0; end
    rst_n = 1'b1;
    cycle = 0; results = 0; ok = 1'b1;
    while (ok && !$feof(fs)) begin
      n = $fscanf(fs, "%h %h %h %h %h %h %h %h %h %h %h %h %h %h\n",
                  r_iv, r_m, r_j, r_x, r_y, r_or, e_iv, e_u, e_or, d_iv, d_a, d_b, d_last, d_or);
      if (n == 14) begin
        n = $fscanf(fe, "%h %h %h %h %h %h %h %h %h %h %h %h %h %h %h\n",
                    x_rir, x_rov, x_cos, x_sin, x_xr, x_yr, x_eir, x_eov, x_e, x_mant,
                    x_dir, x_dov, x_sum, x_sat, x_wrap);
        #4;
        if (n != 15) begin
          $display("ICARUS FAIL cycle %0d: expected file too short", cycle); ok = 1'b0;
        end else if ({rir, rov, eir, eov, dir_, dov} !== {x_rir, x_rov, x_eir, x_eov, x_dir, x_dov}) begin
          $display("ICARUS FAIL cycle %0d: handshake got %b expected %b", cycle,
                   {rir, rov, eir, eov, dir_, dov}, {x_rir, x_rov, x_eir, x_eov, x_dir, x_dov});
          ok = 1'b0;
        end else if (rov && {cos_w, sin_w, xr_w, yr_w} !== {x_cos, x_sin, x_xr, x_yr}) begin
          $display("ICARUS FAIL cycle %0d: rope got %h %h %h %h expected %h %h %h %h", cycle,
                   cos_w, sin_w, xr_w, yr_w, x_cos, x_sin, x_xr, x_yr);
          ok = 1'b0;
        end else if (eov && {e_w, mant_w} !== {x_e, x_mant}) begin
          $display("ICARUS FAIL cycle %0d: exp got %h %h expected %h %h", cycle, e_w, mant_w,
                   x_e, x_mant);
          ok = 1'b0;
        end else if (dov && {sum_w, sat_w, wrap_w} !== {x_sum, x_sat, x_wrap}) begin
          $display("ICARUS FAIL cycle %0d: dot got %h %h %h expected %h %h %h", cycle, sum_w,
                   sat_w, wrap_w, x_sum, x_sat, x_wrap);
          ok = 1'b0;
        end
        results = results + (rov & r_or) + (eov & e_or) + (dov & d_or);
        #1 clk = 1'b1;
        #5 clk = 1'b0;
        cycle = cycle + 1;
      end
    end
    if (ok) $display("ICARUS PASS cycles=%0d results=%0d", cycle, results);
    $finish;
  end
endmodule
