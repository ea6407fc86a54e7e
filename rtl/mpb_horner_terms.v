// mpb_horner_terms.v — TERMS / EXP_TERMS (docs/architecture.md §5.1 R4, §5.2 R3): the N
// Horner coefficients t_n = R(K[n-1] * r, FW), n = 1..N, from the constant table K
// (k_cs or k_exp, $readmemh) and the residual r (Q0.FW, non-negative).
// Parameters (defaults): N = 3; W = 24 (FW = W-2); ROUNDING = 1; FILE = "k_cs.memh".
// tn_o[(n-1)*W +: W] = t_n.
module mpb_horner_terms #(
  parameter integer N        = 3,
  parameter integer W        = 24,
  parameter integer ROUNDING = 1,
  parameter         FILE     = "k_cs.memh"
) (
  input  wire signed [W-1:0]   r_i,
  output wire        [N*W-1:0] tn_o
);
  localparam integer FW = W - 2;
  wire [N*W-1:0] kv;
  mpb_rom_all #(.DEPTH(N), .DW(W), .FILE(FILE)) u_k (
    .data_o (kv)
  );
  genvar n;
  generate
    for (n = 0; n < N; n = n + 1) begin : g_term
      wire signed [2*W-1:0]  prod;
      wire signed [W+2:0]    rounded;
      mpb_mul #(.AW(W), .BW(W)) u_mul (
        .a_i (kv[n*W +: W]),
        .b_i (r_i),
        .p_o (prod)
      );
      mpb_round #(.IW(2*W), .SH(FW), .ROUNDING(ROUNDING)) u_round (
        .v_i (prod),
        .r_o (rounded)
      );
      assign tn_o[n*W +: W] = rounded[W-1:0];
    end
  endgenerate
endmodule
