// mpb_rope.v — the rope unit (docs/architecture.md §5): position m, pair j and the pair
// (x, y) in; cos, sin (Q1.(CW-1)) and the rotated pair (xr, yr) out, L registers with the
// global-stall valid/ready handshake of §8.
//   PHI_MODE = 0 (EXACT, L = 8+N):    IN, FREQ, PHASE, then the back half.
//   PHI_MODE = 1 (LOG-ADD, L = 11+2N): IN, LOG, EXP chain (N+3), PHASE, then the back half.
// Back half (mpb_rope_back): RANGE, TERMS, HORNER x N, CMUL, OUT, ROTATE.
// Parameters (defaults = docs/architecture.md §3):
//   PHI_MODE = 0 (0 exact, 1 logadd)   M = 20 pos_bits        JB = 7 pair_bits
//   FT = 40 freq_frac_bits             S = 6 cs_table_bits    H = 4 exp_table_bits
//   N = 3 horner_order                 W = 24 horner_width    CW = 16 cs_bits
//   XW = 8 x_bits                      OF = 7 rot_frac_bits   ROUNDING = 1 (nearest)
//   LW = 40 log_word_bits              T = 10 log_mant_bits   TABLE_DIR = "." tables
module mpb_rope #(
  parameter integer PHI_MODE  = 0,
  parameter integer M         = 20,
  parameter integer JB        = 7,
  parameter integer FT        = 40,
  parameter integer S         = 6,
  parameter integer H         = 4,
  parameter integer N         = 3,
  parameter integer W         = 24,
  parameter integer CW        = 16,
  parameter integer XW        = 8,
  parameter integer OF        = 7,
  parameter integer ROUNDING  = 1,
  parameter integer LW        = 40,
  parameter integer T         = 10,
  parameter         TABLE_DIR = "."
) (
  input  wire                  clk_i,
  input  wire                  rst_ni,
  input  wire                  in_valid_i,
  output wire                  in_ready_o,
  input  wire [M-1:0]          m_i,
  input  wire [JB-1:0]         j_i,
  input  wire signed [XW-1:0]  x_i,
  input  wire signed [XW-1:0]  y_i,
  output wire                  out_valid_o,
  input  wire                  out_ready_i,
  output wire signed [CW-1:0]  cos_o,
  output wire signed [CW-1:0]  sin_o,
  output wire signed [XW+OF:0] xr_o,
  output wire signed [XW+OF:0] yr_o
);
  localparam integer XY    = 2 * XW;
  localparam integer NBACK = N + 5;
  localparam integer NFRONT = (PHI_MODE == 0) ? 3 : N + 6;
  localparam integer L     = NFRONT + NBACK;

  wire [L-1:0] ld;
  mpb_pipe_ctrl #(.L(L)) u_ctrl (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .in_valid_i  (in_valid_i),
    .in_ready_o  (in_ready_o),
    .out_valid_o (out_valid_o),
    .out_ready_i (out_ready_i),
    .ld_o        (ld)
  );

  // ---- R0 IN: {xy, j, m}
  localparam integer IW = XY + JB + M;
  wire [IW-1:0] in_q;
  mpb_pipe_reg #(.WIDTH(IW)) u_in_q (
    .clk_i (clk_i), .rst_ni (rst_ni), .ld_i (ld[0]),
    .d_i   ({x_i, y_i, j_i, m_i}),
    .q_o   (in_q)
  );
  wire [M-1:0]  in_m  = in_q[0 +: M];
  wire [JB-1:0] in_j  = in_q[M +: JB];
  wire [XY-1:0] in_xy = in_q[M+JB +: XY];

  wire [FT-1:0] phase_p;   // the phase register's p, input of RANGE
  wire [XY-1:0] phase_xy;
  generate
    if (PHI_MODE == 0) begin : g_exact
      // ---- R1 FREQ: {xy, m, t}
      wire [FT-1:0] freq_t;
      mpb_rom #(.AW(JB), .DEPTH(1 << JB), .DW(FT), .FILE({TABLE_DIR, "/freq.memh"})) u_freq (
        .addr_i (in_j),
        .data_o (freq_t)
      );
      wire [XY+M+FT-1:0] freq_q;
      mpb_pipe_reg #(.WIDTH(XY+M+FT)) u_freq_q (
        .clk_i (clk_i), .rst_ni (rst_ni), .ld_i (ld[1]),
        .d_i   ({in_xy, in_m, freq_t}),
        .q_o   (freq_q)
      );
      // ---- R2 PHASE: {xy, p}, p = m * t mod 2^FT on MAC8 lanes
      wire [FT-1:0] ph_p;
      mpb_sliced_mul #(
        .AW(M), .BW(FT), .A_SIGNED(0), .B_SIGNED(0), .OW(FT), .LIMIT(FT)
      ) u_phase (
        .a_i (freq_q[FT +: M]),
        .b_i (freq_q[0 +: FT]),
        .p_o (ph_p)
      );
      wire [XY+FT-1:0] phase_q;
      mpb_pipe_reg #(.WIDTH(XY+FT)) u_phase_q (
        .clk_i (clk_i), .rst_ni (rst_ni), .ld_i (ld[2]),
        .d_i   ({freq_q[XY+M+FT-1 -: XY], ph_p}),
        .q_o   (phase_q)
      );
      assign phase_p  = phase_q[0 +: FT];
      assign phase_xy = phase_q[FT +: XY];
    end else begin : g_logadd
      localparam integer FL = LW - 6;
      // ---- R1 LOG: {xy, z, lambda}
      wire          lg_z;
      wire [LW-1:0] lg_lambda;
      mpb_log #(.M(M), .JB(JB), .LW(LW), .T(T), .TABLE_DIR(TABLE_DIR)) u_log (
        .m_i      (in_m),
        .j_i      (in_j),
        .z_o      (lg_z),
        .lambda_o (lg_lambda)
      );
      wire [XY+1+LW-1:0] log_q;
      mpb_pipe_reg #(.WIDTH(XY+1+LW)) u_log_q (
        .clk_i (clk_i), .rst_ni (rst_ni), .ld_i (ld[1]),
        .d_i   ({in_xy, lg_z, lg_lambda}),
        .q_o   (log_q)
      );
      // ---- R2..R(4+N) EXP chain, side band {xy, z}
      wire signed [5:0] ch_ie;
      wire signed [W:0] ch_mant;
      wire [XY:0]       ch_side;
      mpb_exp_chain #(
        .FL(FL), .IEW(6), .H(H), .N(N), .W(W), .ROUNDING(ROUNDING), .SIDEW(XY+1),
        .TABLE_DIR(TABLE_DIR)
      ) u_chain (
        .clk_i    (clk_i),
        .rst_ni   (rst_ni),
        .ld_i     (ld[N+4:2]),
        .lambda_i (log_q[0 +: LW]),
        .side_i   (log_q[LW +: XY+1]),
        .ie_o     (ch_ie),
        .mant_o   (ch_mant),
        .side_o   (ch_side)
      );
      // ---- R(5+N) PHASE: {xy, p}
      wire [FT-1:0] ph_p;
      mpb_log_phase #(.FT(FT), .W(W), .IEW(6), .ROUNDING(ROUNDING)) u_phase (
        .z_i    (ch_side[0]),
        .ie_i   (ch_ie),
        .mant_i (ch_mant),
        .p_o    (ph_p)
      );
      wire [XY+FT-1:0] phase_q;
      mpb_pipe_reg #(.WIDTH(XY+FT)) u_phase_q (
        .clk_i (clk_i), .rst_ni (rst_ni), .ld_i (ld[N+5]),
        .d_i   ({ch_side[XY:1], ph_p}),
        .q_o   (phase_q)
      );
      assign phase_p  = phase_q[0 +: FT];
      assign phase_xy = phase_q[FT +: XY];
    end
  endgenerate

  mpb_rope_back #(
    .FT(FT), .S(S), .N(N), .W(W), .CW(CW), .XW(XW), .OF(OF), .ROUNDING(ROUNDING),
    .TABLE_DIR(TABLE_DIR)
  ) u_back (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .ld_i   (ld[L-1:NFRONT]),
    .p_i    (phase_p),
    .xy_i   (phase_xy),
    .cos_o  (cos_o),
    .sin_o  (sin_o),
    .xr_o   (xr_o),
    .yr_o   (yr_o)
  );
endmodule
