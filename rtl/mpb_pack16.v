// mpb_pack16.v — PACK16 (docs/architecture.md §1): add one byte-sliced MAC8 product,
// shifted left by its byte position, into a running sum: sum = acc + p * 2^SHIFT,
// modulo 2^OW (OW wide enough for the exact result where the result must be exact).
// Parameters (defaults): OW = 64 sum width; SHIFT = 0 bit position of the product.
module mpb_pack16 #(
  parameter integer OW    = 64,
  parameter integer SHIFT = 0
) (
  input  wire        [OW-1:0] acc_i,
  input  wire signed [16:0]   p_i,
  output wire        [OW-1:0] sum_o
);
  wire [OW+SHIFT+16:0] p_ext = {{(OW+SHIFT){p_i[16]}}, p_i};
  wire [OW+SHIFT+16:0] p_sh  = p_ext << SHIFT;
  assign sum_o = acc_i + p_sh[OW-1:0];
endmodule
