// mpb_rope_back.v — the back half of the rope unit shared by both phi modes
// (docs/architecture.md §5.1 R3..R(7+N), §5.2 R(6+N)..R(10+2N)): N+5 registers
// RANGE, TERMS, HORNER n = N..1, CMUL, OUT, ROTATE, from the phase p (turns) and the pair
// (x, y) to cos, sin and the rotated pair (xr, yr).
// Parameters (defaults): FT = 40; S = 6; N = 3; W = 24; CW = 16; XW = 8; OF = 7;
//   ROUNDING = 1; TABLE_DIR = ".".
// ld_i[k] loads register k of this half (0 = RANGE .. N+4 = ROTATE).
module mpb_rope_back #(
  parameter integer FT        = 40,
  parameter integer S         = 6,
  parameter integer N         = 3,
  parameter integer W         = 24,
  parameter integer CW        = 16,
  parameter integer XW        = 8,
  parameter integer OF        = 7,
  parameter integer ROUNDING  = 1,
  parameter         TABLE_DIR = "."
) (
  input  wire                 clk_i,
  input  wire                 rst_ni,
  input  wire [N+4:0]         ld_i,
  input  wire [FT-1:0]        p_i,
  input  wire [2*XW-1:0]      xy_i,     // {x, y}
  output wire signed [CW-1:0] cos_o,
  output wire signed [CW-1:0] sin_o,
  output wire signed [XW+OF:0] xr_o,
  output wire signed [XW+OF:0] yr_o
);
  localparam integer FW = W - 2;
  localparam integer OW = XW + 1 + OF;
  localparam integer XY = 2 * XW;
  // ---- RANGE: {xy, q, ck, sk, r}
  localparam integer RW = XY + 2 + 3 * W;
  wire [1:0]   rg_q;
  wire [W-1:0] rg_r, rg_ck, rg_sk;
  mpb_range #(.FT(FT), .S(S), .W(W), .TABLE_DIR(TABLE_DIR)) u_range (
    .p_i  (p_i),
    .q_o  (rg_q),
    .r_o  (rg_r),
    .ck_o (rg_ck),
    .sk_o (rg_sk)
  );
  wire [RW-1:0] range_q;
  mpb_pipe_reg #(.WIDTH(RW)) u_range_q (
    .clk_i (clk_i), .rst_ni (rst_ni), .ld_i (ld_i[0]),
    .d_i   ({xy_i, rg_q, rg_ck, rg_sk, rg_r}),
    .q_o   (range_q)
  );
  // ---- TERMS: {xy, q, ck, sk, tn}
  localparam integer TW = XY + 2 + 2 * W + N * W;
  wire [N*W-1:0] terms_tn_d;
  mpb_horner_terms #(.N(N), .W(W), .ROUNDING(ROUNDING), .FILE({TABLE_DIR, "/k_cs.memh"}))
  u_terms (
    .r_i  (range_q[0 +: W]),
    .tn_o (terms_tn_d)
  );
  wire [TW-1:0] terms_q;
  mpb_pipe_reg #(.WIDTH(TW)) u_terms_q (
    .clk_i (clk_i), .rst_ni (rst_ni), .ld_i (ld_i[1]),
    .d_i   ({range_q[RW-1:W], terms_tn_d}),
    .q_o   (terms_q)
  );
  // ---- HORNER n = N..1: {xy, q, ck, sk, tn, a, b}; stage i holds step n = N-i
  localparam integer HW = TW + 2 * W;
  wire [HW-1:0] hstage [0:N];
  assign hstage[0] = {terms_q, 2'b01, {FW{1'b0}}, {W{1'b0}}};  // (a, b) = (ONE, 0)
  genvar i;
  generate
    for (i = 0; i < N; i = i + 1) begin : g_horner
      wire [N*W-1:0] tn_v = hstage[i][2*W +: N*W];
      wire [W-1:0]   a_d, b_d;
      mpb_horner_cstep #(.W(W), .ROUNDING(ROUNDING)) u_step (
        .t_i (tn_v[(N-1-i)*W +: W]),
        .a_i (hstage[i][W +: W]),
        .b_i (hstage[i][0 +: W]),
        .a_o (a_d),
        .b_o (b_d)
      );
      mpb_pipe_reg #(.WIDTH(HW)) u_q (
        .clk_i (clk_i), .rst_ni (rst_ni), .ld_i (ld_i[2+i]),
        .d_i   ({hstage[i][HW-1:2*W], a_d, b_d}),
        .q_o   (hstage[i+1])
      );
    end
  endgenerate
  // ---- CMUL: {xy, q, c, s}
  localparam integer CMW = XY + 2 + 2 * W;
  wire [HW-1:0] hl = hstage[N];
  wire [W-1:0]  cm_c, cm_s;
  mpb_cmul #(.W(W), .ROUNDING(ROUNDING)) u_cmul (
    .ck_i (hl[2*W+N*W+W +: W]),
    .sk_i (hl[2*W+N*W +: W]),
    .a_i  (hl[W +: W]),
    .b_i  (hl[0 +: W]),
    .c_o  (cm_c),
    .s_o  (cm_s)
  );
  wire [CMW-1:0] cmul_q;
  mpb_pipe_reg #(.WIDTH(CMW)) u_cmul_q (
    .clk_i (clk_i), .rst_ni (rst_ni), .ld_i (ld_i[N+2]),
    .d_i   ({hl[HW-1 -: XY+2], cm_c, cm_s}),
    .q_o   (cmul_q)
  );
  // ---- OUT: {xy, cos, sin}
  localparam integer OUW = XY + 2 * CW;
  wire [CW-1:0] ou_cos, ou_sin;
  mpb_out_quad #(.W(W), .CW(CW), .ROUNDING(ROUNDING)) u_out (
    .q_i   (cmul_q[2*W +: 2]),
    .c_i   (cmul_q[W +: W]),
    .s_i   (cmul_q[0 +: W]),
    .cos_o (ou_cos),
    .sin_o (ou_sin)
  );
  wire [OUW-1:0] out_q;
  mpb_pipe_reg #(.WIDTH(OUW)) u_out_q (
    .clk_i (clk_i), .rst_ni (rst_ni), .ld_i (ld_i[N+3]),
    .d_i   ({cmul_q[CMW-1 -: XY], ou_cos, ou_sin}),
    .q_o   (out_q)
  );
  // ---- ROTATE: {cos, sin, xr, yr}
  localparam integer ROW = 2 * CW + 2 * OW;
  wire [OW-1:0] ro_xr, ro_yr;
  mpb_rotate #(.XW(XW), .CW(CW), .OF(OF), .ROUNDING(ROUNDING)) u_rotate (
    .x_i   (out_q[OUW-1 -: XW]),
    .y_i   (out_q[2*CW +: XW]),
    .cos_i (out_q[CW +: CW]),
    .sin_i (out_q[0 +: CW]),
    .xr_o  (ro_xr),
    .yr_o  (ro_yr)
  );
  wire [ROW-1:0] rot_q;
  mpb_pipe_reg #(.WIDTH(ROW)) u_rot_q (
    .clk_i (clk_i), .rst_ni (rst_ni), .ld_i (ld_i[N+4]),
    .d_i   ({out_q[2*CW-1:0], ro_xr, ro_yr}),
    .q_o   (rot_q)
  );
  assign cos_o = rot_q[ROW-1 -: CW];
  assign sin_o = rot_q[2*OW +: CW];
  assign xr_o  = rot_q[OW +: OW];
  assign yr_o  = rot_q[0 +: OW];
endmodule
