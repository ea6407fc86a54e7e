// mpb_horner_cstep.v — one step of the complex Horner chain (docs/architecture.md §5.1
// HORNER): a' = ONE - R(t * b, FW), b' = R(t * a, FW), Q2.FW values, ONE = 2^FW.
// Parameters (defaults): W = 24 word width (FW = W-2); ROUNDING = 1.
module mpb_horner_cstep #(
  parameter integer W        = 24,
  parameter integer ROUNDING = 1
) (
  input  wire signed [W-1:0] t_i,
  input  wire signed [W-1:0] a_i,
  input  wire signed [W-1:0] b_i,
  output wire signed [W-1:0] a_o,
  output wire signed [W-1:0] b_o
);
  localparam integer FW = W - 2;
  wire signed [2*W-1:0] tb, ta;
  wire signed [W+2:0]   tb_r, ta_r;
  mpb_mul #(.AW(W), .BW(W)) u_mul_tb (.a_i(t_i), .b_i(b_i), .p_o(tb));
  mpb_mul #(.AW(W), .BW(W)) u_mul_ta (.a_i(t_i), .b_i(a_i), .p_o(ta));
  mpb_round #(.IW(2*W), .SH(FW), .ROUNDING(ROUNDING)) u_round_tb (.v_i(tb), .r_o(tb_r));
  mpb_round #(.IW(2*W), .SH(FW), .ROUNDING(ROUNDING)) u_round_ta (.v_i(ta), .r_o(ta_r));
  wire signed [W-1:0] one = {2'b01, {FW{1'b0}}};
`ifdef MUTANT_11
  assign a_o = one + tb_r[W-1:0];           // MUTANT_11: Horner real part sign
`else
  assign a_o = one - tb_r[W-1:0];
`endif
  assign b_o = ta_r[W-1:0];
endmodule
