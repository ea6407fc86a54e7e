// mpb_add_bytes.v — a W-bit add done as a chain of 8-bit adds with carry (the LOG-ADD
// adds of docs/architecture.md §5.2), result modulo 2^W.
// Parameters (defaults): W = 40 operand width.
module mpb_add_bytes #(
  parameter integer W = 40
) (
  input  wire [W-1:0] a_i,
  input  wire [W-1:0] b_i,
  output wire [W-1:0] s_o
);
  localparam integer NB = (W + 7) / 8;
  // zero-extend to whole bytes (8 spare bits, then keep 8*NB of them)
  wire [W+7:0]    a_w = {8'd0, a_i};
  wire [W+7:0]    b_w = {8'd0, b_i};
  wire [8*NB-1:0] a_p = a_w[8*NB-1:0];
  wire [8*NB-1:0] b_p = b_w[8*NB-1:0];
  wire [8*NB-1:0] s_x;
  wire [NB:0]     carry /* verilator split_var */;
  assign carry[0] = 1'b0;
  genvar i;
  generate
    for (i = 0; i < NB; i = i + 1) begin : g_byte
      wire [8:0] sum9 = {1'b0, a_p[8*i +: 8]} + {1'b0, b_p[8*i +: 8]} + {8'd0, carry[i]};
      assign s_x[8*i +: 8] = sum9[7:0];
`ifdef MUTANT_1
      assign carry[i+1]    = 1'b0;          // MUTANT_1: dropped carry between bytes
`else
      assign carry[i+1]    = sum9[8];
`endif
    end
  endgenerate
  assign s_o = s_x[W-1:0];
endmodule
