// char.v — characterisation circuits of the gate-level flow (docs/energy.md §9): each
// one operation of the action model, synthesised like the datapath (rtl/gate/synth.sh)
// and driven with uniformly random inputs every cycle (analysis/gate_table.c) to derive
// the library's energy table. clk_i is unused by the combinational ones (the simulator
// and OpenSTA's clock need it). The multiplier is the datapath's own mpb_mul, the
// register its mpb_pipe_reg (instantiated directly), the table its mpb_rom.

// An unsigned W-bit adder.
// Parameters: W = 8 operand width.
module gate_char_add #(
  parameter integer W = 8
) (
  input  wire         clk_i,
  input  wire [W-1:0] a_i,
  input  wire [W-1:0] b_i,
  output wire [W:0]   s_o
);
  assign s_o = {1'b0, a_i} + {1'b0, b_i};
endmodule

// The datapath's signed W x W multiplier (mpb_mul).
// Parameters: W = 8 operand width.
module gate_char_mul #(
  parameter integer W = 8
) (
  input  wire           clk_i,
  input  wire [W-1:0]   a_i,
  input  wire [W-1:0]   b_i,
  output wire [2*W-1:0] p_o
);
  mpb_mul #(.AW(W), .BW(W)) u_mul (.a_i(a_i), .b_i(b_i), .p_o(p_o));
endmodule

// A LOGLUT table of the datapath (mpb_rom), read at a random address every cycle.
// Parameters: AW = 6 address bits, DW = 24 word bits, FILE = "cs_cos.memh".
module gate_char_rom #(
  parameter integer AW   = 6,
  parameter integer DW   = 24,
  parameter         FILE = "cs_cos.memh"
) (
  input  wire          clk_i,
  input  wire [AW-1:0] a_i,
  output wire [DW-1:0] d_o
);
  mpb_rom #(.AW(AW), .DEPTH(1 << AW), .DW(DW), .FILE(FILE)) u_rom (.addr_i(a_i), .data_o(d_o));
endmodule
