// mpb_mul.v — exact signed product of an AW-bit and a BW-bit value (the Horner
// multipliers of docs/architecture.md §5: products are exact before R()).
// Parameters (defaults): AW = 24, BW = 24 operand widths; the product has AW+BW bits.
module mpb_mul #(
  parameter integer AW = 24,
  parameter integer BW = 24
) (
  input  wire signed [AW-1:0]    a_i,
  input  wire signed [BW-1:0]    b_i,
  output wire signed [AW+BW-1:0] p_o
);
  wire signed [AW+BW-1:0] a_ext = {{BW{a_i[AW-1]}}, a_i};
  wire signed [AW+BW-1:0] b_ext = {{AW{b_i[BW-1]}}, b_i};
  assign p_o = a_ext * b_ext;
endmodule
