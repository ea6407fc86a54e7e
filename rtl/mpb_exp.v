// mpb_exp.v — the exp unit (docs/architecture.md §6): u (signed Q8.16, log2 domain) in;
// 2^u = mant * 2^(e-15) out, e 10-bit signed, mant UQ1.15 in [1, 2). L = 5+N registers:
// IN, EXP chain (SPLIT, TERMS, HORNER x N, MUL; mpb_exp_chain with FL = 16), NORM.
// Parameters (defaults = docs/architecture.md §3): H = 4 exp_table_bits; N = 3
//   horner_order; W = 24 horner_width; ROUNDING = 1 (nearest); TABLE_DIR = "." tables.
module mpb_exp #(
  parameter integer H         = 4,
  parameter integer N         = 3,
  parameter integer W         = 24,
  parameter integer ROUNDING  = 1,
  parameter         TABLE_DIR = "."
) (
  input  wire        clk_i,
  input  wire        rst_ni,
  input  wire        in_valid_i,
  output wire        in_ready_o,
  input  wire [23:0] u_i,
  output wire        out_valid_o,
  input  wire        out_ready_i,
  output wire [9:0]  e_o,
  output wire [15:0] mant_o
);
  localparam integer FW = W - 2;
  localparam integer L  = N + 5;
  wire [L-1:0] ld;
  mpb_pipe_ctrl #(.L(L)) u_ctrl (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .in_valid_i  (in_valid_i),
    .in_ready_o  (in_ready_o),
    .out_valid_o (out_valid_o),
    .out_ready_i (out_ready_i),
    .ld_o        (ld)
  );
  // ---- R0 IN
  wire [23:0] in_q;
  mpb_pipe_reg #(.WIDTH(24)) u_in_q (
    .clk_i (clk_i), .rst_ni (rst_ni), .ld_i (ld[0]), .d_i (u_i), .q_o (in_q)
  );
  // ---- R1..R(3+N) EXP chain (no side band: one constant bit)
  wire signed [7:0] ch_ie;
  wire signed [W:0] ch_mant;
  wire              ch_side;
  mpb_exp_chain #(
    .FL(16), .IEW(8), .H(H), .N(N), .W(W), .ROUNDING(ROUNDING), .SIDEW(1),
    .TABLE_DIR(TABLE_DIR)
  ) u_chain (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .ld_i     (ld[N+3:1]),
    .lambda_i (in_q),
    .side_i   (1'b0),
    .ie_o     (ch_ie),
    .mant_o   (ch_mant),
    .side_o   (ch_side)
  );
  // ---- R(4+N) NORM: mant16 = R(mant, FW-15); 2^16 renormalises to 2^15, e + 1
  wire signed [W-FW+15+1:0] m16;
  mpb_round #(.IW(W+1), .SH(FW-15), .ROUNDING(ROUNDING)) u_round (.v_i(ch_mant), .r_o(m16));
`ifdef MUTANT_10
  wire        carry  = 1'b0;                // MUTANT_10: mantissa 2.0 not renormalised
`else
  wire        carry  = m16[16];
`endif
  wire [9:0]  ie_x   = {{2{ch_ie[7]}}, ch_ie};
  wire [9:0]  e_d    = ie_x + {9'd0, carry};
  wire [15:0] mant_d = carry ? 16'h8000 : m16[15:0];
  wire [25:0] norm_q;
  mpb_pipe_reg #(.WIDTH(26)) u_norm_q (
    .clk_i (clk_i), .rst_ni (rst_ni), .ld_i (ld[N+4]), .d_i ({e_d, mant_d}), .q_o (norm_q)
  );
  assign e_o    = norm_q[25:16];
  assign mant_o = norm_q[15:0];
endmodule
