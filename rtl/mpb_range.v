// mpb_range.v — RANGE (docs/architecture.md §5.1, R3): split the phase p (FT fraction
// bits of a turn) into quadrant q, table index k and residual r' aligned to FW fraction
// bits by truncation, and read ck = cs_cos[k], sk = cs_sin[k].
// Parameters (defaults): FT = 40; S = 6 (table 2^S entries); W = 24 (FW = W-2);
//   TABLE_DIR = "." directory of the $readmemh files.
module mpb_range #(
  parameter integer FT        = 40,
  parameter integer S         = 6,
  parameter integer W         = 24,
  parameter         TABLE_DIR = "."
) (
  input  wire        [FT-1:0] p_i,
  output wire        [1:0]    q_o,
  output wire signed [W-1:0]  r_o,
  output wire signed [W-1:0]  ck_o,
  output wire signed [W-1:0]  sk_o
);
  localparam integer FW = W - 2;
  localparam integer RB = FT - 2 - S;   // residual bits, >= 4 for every legal FT, S
  wire [S-1:0]  k  = p_i[FT-3:FT-2-S];
  wire [RB-1:0] rr = p_i[RB-1:0];
  wire [FW-1:0] r_al;
  generate
    if (RB >= FW) begin : g_trunc
      assign r_al = rr[RB-1:RB-FW];
    end else begin : g_pad
      assign r_al = {rr, {(FW-RB){1'b0}}};
    end
  endgenerate
`ifdef MUTANT_8
  assign q_o = {p_i[FT-2], p_i[FT-1]};      // MUTANT_8: quadrant bits swapped
`else
  assign q_o = p_i[FT-1:FT-2];
`endif
  assign r_o = {2'b00, r_al};
  wire [W-1:0] ck_rom;
  mpb_rom #(.AW(S), .DEPTH(1 << S), .DW(W), .FILE({TABLE_DIR, "/cs_cos.memh"})) u_cos (
    .addr_i (k),
    .data_o (ck_rom)
  );
`ifdef MUTANT_7
  assign ck_o = ck_rom ^ {{(W-1){1'b0}}, k == 5};  // MUTANT_7: cs_cos[5] corrupted
`else
  assign ck_o = ck_rom;
`endif
  mpb_rom #(.AW(S), .DEPTH(1 << S), .DW(W), .FILE({TABLE_DIR, "/cs_sin.memh"})) u_sin (
    .addr_i (k),
    .data_o (sk_o)
  );
endmodule
