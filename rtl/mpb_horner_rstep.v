// mpb_horner_rstep.v — one step of the real Horner chain (docs/architecture.md §5.2
// EXP_HORNER): acc' = ONE + R(t * acc, FW). acc is carried with one spare bit (W+1) so
// that a value at 2.0 cannot wrap.
// Parameters (defaults): W = 24 word width (FW = W-2); ROUNDING = 1.
module mpb_horner_rstep #(
  parameter integer W        = 24,
  parameter integer ROUNDING = 1
) (
  input  wire signed [W-1:0] t_i,
  input  wire signed [W:0]   acc_i,
  output wire signed [W:0]   acc_o
);
  localparam integer FW = W - 2;
  wire signed [2*W:0]  prod;
  wire signed [W+3:0] prod_r;
  mpb_mul #(.AW(W), .BW(W+1)) u_mul (.a_i(t_i), .b_i(acc_i), .p_o(prod));
  mpb_round #(.IW(2*W+1), .SH(FW), .ROUNDING(ROUNDING)) u_round (.v_i(prod), .r_o(prod_r));
  wire signed [W:0] one = {3'b001, {FW{1'b0}}};
  assign acc_o = one + prod_r[W:0];
endmodule
