// mpb_log_phase.v — PHASE of the LOG-ADD front end (docs/architecture.md §5.2 R(5+N)):
// sh = FT - FW + ie; p = (mant << sh) mod 2^FT if sh >= 0, else R(mant, -sh) mod 2^FT;
// p = 0 when z (m == 0).
// Parameters (defaults): FT = 40; W = 24 (FW = W-2); IEW = 6 width of ie; ROUNDING = 1.
module mpb_log_phase #(
  parameter integer FT       = 40,
  parameter integer W        = 24,
  parameter integer IEW      = 6,
  parameter integer ROUNDING = 1
) (
  input  wire                  z_i,
  input  wire signed [IEW-1:0] ie_i,
  input  wire signed [W:0]     mant_i,
  output wire        [FT-1:0]  p_o
);
  localparam integer FW = W - 2;
  localparam integer PW = FT + W + 1;   // wide enough for mant << sh mod 2^FT
  // sh = FT - FW + ie in 9 signed bits (|sh| <= 128 for every legal FT, W, ie)
  wire signed [8:0] ie_x = {{(9-IEW){ie_i[IEW-1]}}, ie_i};
  localparam integer SH0I = FT - FW;
  localparam [8:0]   SH0  = SH0I[8:0];
  wire signed [8:0] sh   = ie_x + $signed(SH0);
  wire signed [8:0] nsh  = -sh;
  wire [PW-1:0] mant_x   = {{(FT){1'b0}}, mant_i};
  wire [PW-1:0] left     = mant_x << sh[7:0];
  wire signed [W:0] right;
  mpb_round_var #(.IW(W+1), .SW(8), .ROUNDING(ROUNDING)) u_round (
    .v_i (mant_i),
    .s_i (nsh[7:0]),
    .r_o (right)
  );
  wire [PW-1:0] right_x  = {{(FT){right[W]}}, right};
  wire [PW-1:0] p_wide   = sh[8] ? right_x : left;
  assign p_o = z_i ? {FT{1'b0}} : p_wide[FT-1:0];
endmodule
