// mpb_exp_chain.v — the real Horner chain shared by the LOG-ADD rope front end
// (docs/architecture.md §5.2 R2..R(4+N)) and the exp unit (§6 R1..R(3+N)): N+3
// registers EXP_SPLIT, EXP_TERMS, EXP_HORNER n = N..1, EXP_MUL, computing
// mant = R(E0 * 2^(u_lo ln2 / 2^H) by Horner, FW) with ie and a side band carried along.
// Parameters (defaults): FL = 34, IEW = 6 (format of lambda); H = 4; N = 3; W = 24;
//   ROUNDING = 1; SIDEW = 17 bits carried unchanged (z, x, y); TABLE_DIR = ".".
// ld_i[k] loads register k of the chain (0 = EXP_SPLIT .. N+2 = EXP_MUL).
module mpb_exp_chain #(
  parameter integer FL        = 34,
  parameter integer IEW       = 6,
  parameter integer H         = 4,
  parameter integer N         = 3,
  parameter integer W         = 24,
  parameter integer ROUNDING  = 1,
  parameter integer SIDEW     = 17,
  parameter         TABLE_DIR = "."
) (
  input  wire                    clk_i,
  input  wire                    rst_ni,
  input  wire [N+2:0]            ld_i,
  input  wire [IEW+FL-1:0]       lambda_i,
  input  wire [SIDEW-1:0]        side_i,
  output wire signed [IEW-1:0]   ie_o,
  output wire signed [W:0]       mant_o,
  output wire [SIDEW-1:0]        side_o
);
  localparam integer FW = W - 2;
  // ---- EXP_SPLIT: {side, ie, e0, ulo}
  localparam integer SPW = SIDEW + IEW + 2 * W;
  wire signed [IEW-1:0] sp_ie;
  wire signed [W-1:0]   sp_e0, sp_ulo;
  mpb_exp_split #(.FL(FL), .IEW(IEW), .H(H), .W(W), .TABLE_DIR(TABLE_DIR)) u_split (
    .lambda_i (lambda_i),
    .ie_o     (sp_ie),
    .e0_o     (sp_e0),
    .ulo_o    (sp_ulo)
  );
  wire [SPW-1:0] split_q;
  mpb_pipe_reg #(.WIDTH(SPW)) u_split_q (
    .clk_i (clk_i), .rst_ni (rst_ni), .ld_i (ld_i[0]),
    .d_i   ({side_i, sp_ie, sp_e0, sp_ulo}),
    .q_o   (split_q)
  );
  wire [SIDEW-1:0] split_side = split_q[SPW-1 -: SIDEW];
  wire [IEW-1:0]   split_ie   = split_q[2*W +: IEW];
  wire [W-1:0]     split_e0   = split_q[W +: W];
  wire [W-1:0]     split_ulo  = split_q[0 +: W];
  // ---- EXP_TERMS: {side, ie, e0, tn}
  localparam integer TW = SIDEW + IEW + W + N * W;
  wire [N*W-1:0] terms_tn_d;
  mpb_horner_terms #(.N(N), .W(W), .ROUNDING(ROUNDING), .FILE({TABLE_DIR, "/k_exp.memh"}))
  u_terms (
    .r_i  (split_ulo),
    .tn_o (terms_tn_d)
  );
  wire [TW-1:0] terms_q;
  mpb_pipe_reg #(.WIDTH(TW)) u_terms_q (
    .clk_i (clk_i), .rst_ni (rst_ni), .ld_i (ld_i[1]),
    .d_i   ({split_side, split_ie, split_e0, terms_tn_d}),
    .q_o   (terms_q)
  );
  // ---- EXP_HORNER n = N..1: {side, ie, e0, tn, acc}; stage i holds step n = N-i
  localparam integer HW = TW + W + 1;
  wire [HW-1:0] hstage [0:N];
  assign hstage[0] = {terms_q, 2'b00, 1'b1, {FW{1'b0}}};  // acc = ONE entering step N
  genvar i;
  generate
    for (i = 0; i < N; i = i + 1) begin : g_horner
      wire [N*W-1:0] tn_v  = hstage[i][W+1 +: N*W];
      wire [W:0]     acc_v = hstage[i][0 +: W+1];
      wire [W:0]     acc_d;
      mpb_horner_rstep #(.W(W), .ROUNDING(ROUNDING)) u_step (
        .t_i   (tn_v[(N-1-i)*W +: W]),
        .acc_i (acc_v),
        .acc_o (acc_d)
      );
      mpb_pipe_reg #(.WIDTH(HW)) u_q (
        .clk_i (clk_i), .rst_ni (rst_ni), .ld_i (ld_i[2+i]),
        .d_i   ({hstage[i][HW-1:W+1], acc_d}),
        .q_o   (hstage[i+1])
      );
    end
  endgenerate
  // ---- EXP_MUL: {side, ie, mant}
  localparam integer MW = SIDEW + IEW + W + 1;
  wire [W-1:0] mul_e0  = hstage[N][W+1+N*W +: W];
  wire [W:0]   mul_acc = hstage[N][0 +: W+1];
  wire signed [2*W:0]    prod;
  wire signed [W+3:0]    prod_r;
  mpb_mul #(.AW(W), .BW(W+1)) u_mul (.a_i(mul_e0), .b_i(mul_acc), .p_o(prod));
  mpb_round #(.IW(2*W+1), .SH(FW), .ROUNDING(ROUNDING)) u_round (.v_i(prod), .r_o(prod_r));
  wire [MW-1:0] mul_q;
  mpb_pipe_reg #(.WIDTH(MW)) u_mul_q (
    .clk_i (clk_i), .rst_ni (rst_ni), .ld_i (ld_i[N+2]),
    .d_i   ({hstage[N][HW-1 -: SIDEW + IEW], prod_r[W:0]}),
    .q_o   (mul_q)
  );
  assign side_o = mul_q[MW-1 -: SIDEW];
  assign ie_o   = mul_q[W+1 +: IEW];
  assign mant_o = mul_q[0 +: W+1];
endmodule
