// mpb_sliced_mul.v — a wide product formed on MAC8 lanes (docs/architecture.md §5.1
// PHASE and ROTATE): both operands are cut into bytes (low bytes unsigned, the top byte
// signed for a signed operand), every byte pair (a, b) with 8(a+b) < LIMIT is multiplied
// by one mpb_mac8_mul and added at bit 8(a+b) by one mpb_pack16; the sum is taken
// modulo 2^OW (exact when OW >= AW+BW and LIMIT covers every pair).
// Parameters (defaults):
//   AW = 8, BW = 16            operand widths
//   A_SIGNED = 1, B_SIGNED = 1 operand signedness
//   OW = 24                    result width
//   LIMIT = 1024               only byte pairs with 8(a+b) < LIMIT are formed
module mpb_sliced_mul #(
  parameter integer AW       = 8,
  parameter integer BW       = 16,
  parameter integer A_SIGNED = 1,
  parameter integer B_SIGNED = 1,
  parameter integer OW       = 24,
  parameter integer LIMIT    = 1024
) (
  input  wire [AW-1:0] a_i,
  input  wire [BW-1:0] b_i,
  output wire [OW-1:0] p_o
);
  localparam integer NA = (AW + 7) / 8;
  localparam integer NB = (BW + 7) / 8;
  // extend to whole bytes (8 spare bits, then keep 8*N of them)
  wire          a_sx = (A_SIGNED != 0) & a_i[AW-1];
  wire          b_sx = (B_SIGNED != 0) & b_i[BW-1];
  wire [AW+7:0] a_w  = {{8{a_sx}}, a_i};
  wire [BW+7:0] b_w  = {{8{b_sx}}, b_i};
  wire [8*NA-1:0] a_x = a_w[8*NA-1:0];
  wire [8*NB-1:0] b_x = b_w[8*NB-1:0];
  // running sum over the byte pairs, in the order (a, b) = (0,0), (0,1), ...
  wire [OW-1:0] chain [0:NA*NB] /* verilator split_var */;
  assign chain[0] = {OW{1'b0}};
  genvar ga, gb;
  generate
    for (ga = 0; ga < NA; ga = ga + 1) begin : g_a
      for (gb = 0; gb < NB; gb = gb + 1) begin : g_b
        if (8 * (ga + gb) < LIMIT) begin : g_on
          wire signed [16:0] prod;
          mpb_mac8_mul #(
            .A_SIGNED(((A_SIGNED != 0) && (ga == NA - 1)) ? 1 : 0),
            .B_SIGNED(((B_SIGNED != 0) && (gb == NB - 1)) ? 1 : 0)
          ) u_mul (
            .a_i (a_x[8*ga +: 8]),
            .b_i (b_x[8*gb +: 8]),
            .p_o (prod)
          );
          mpb_pack16 #(
            .OW    (OW),
            .SHIFT (8 * (ga + gb))
          ) u_pack (
            .acc_i (chain[ga*NB+gb]),
            .p_i   (prod),
            .sum_o (chain[ga*NB+gb+1])
          );
        end else begin : g_off
          assign chain[ga*NB+gb+1] = chain[ga*NB+gb];
        end
      end
    end
  endgenerate
  assign p_o = chain[NA*NB];
endmodule
