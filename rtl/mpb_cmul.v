// mpb_cmul.v — CMUL (docs/architecture.md §5.1): rotate the Horner result (a, b) by the
// table point (ck, sk): c = R(ck*a - sk*b, FW), s = R(sk*a + ck*b, FW), each sum exact
// and rounded once.
// Parameters (defaults): W = 24 word width (FW = W-2); ROUNDING = 1.
module mpb_cmul #(
  parameter integer W        = 24,
  parameter integer ROUNDING = 1
) (
  input  wire signed [W-1:0] ck_i,
  input  wire signed [W-1:0] sk_i,
  input  wire signed [W-1:0] a_i,
  input  wire signed [W-1:0] b_i,
  output wire signed [W-1:0] c_o,
  output wire signed [W-1:0] s_o
);
  localparam integer FW = W - 2;
  wire signed [2*W-1:0] ck_a, sk_b, sk_a, ck_b;
  mpb_mul #(.AW(W), .BW(W)) u_ck_a (.a_i(ck_i), .b_i(a_i), .p_o(ck_a));
  mpb_mul #(.AW(W), .BW(W)) u_sk_b (.a_i(sk_i), .b_i(b_i), .p_o(sk_b));
  mpb_mul #(.AW(W), .BW(W)) u_sk_a (.a_i(sk_i), .b_i(a_i), .p_o(sk_a));
  mpb_mul #(.AW(W), .BW(W)) u_ck_b (.a_i(ck_i), .b_i(b_i), .p_o(ck_b));
  wire signed [2*W:0] c_sum = {ck_a[2*W-1], ck_a} - {sk_b[2*W-1], sk_b};
  wire signed [2*W:0] s_sum = {sk_a[2*W-1], sk_a} + {ck_b[2*W-1], ck_b};
  wire signed [W+3:0] c_r, s_r;
  mpb_round #(.IW(2*W+1), .SH(FW), .ROUNDING(ROUNDING)) u_round_c (.v_i(c_sum), .r_o(c_r));
  mpb_round #(.IW(2*W+1), .SH(FW), .ROUNDING(ROUNDING)) u_round_s (.v_i(s_sum), .r_o(s_r));
  assign c_o = c_r[W-1:0];
  assign s_o = s_r[W-1:0];
endmodule
