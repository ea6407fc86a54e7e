// mpb_mac8_mul.v — MAC8 multiplier (docs/architecture.md §1): one 8x8 product, each
// operand signed or unsigned, exact in 17 signed bits (255*255 .. -128*255).
// Parameters (defaults): A_SIGNED = 1, B_SIGNED = 1 (1 = operand is two's complement).
module mpb_mac8_mul #(
  parameter integer A_SIGNED = 1,
  parameter integer B_SIGNED = 1
) (
  input  wire        [7:0]  a_i,
  input  wire        [7:0]  b_i,
  output wire signed [16:0] p_o
);
  wire               a_sx = (A_SIGNED != 0) & a_i[7];
  wire               b_sx = (B_SIGNED != 0) & b_i[7];
  wire signed [16:0] a_ext = {{9{a_sx}}, a_i};
  wire signed [16:0] b_ext = {{9{b_sx}}, b_i};
  assign p_o = a_ext * b_ext;
endmodule
