// mpb_top.v — the three units of the mixed-precision bridge side by side
// (docs/architecture.md §1): rope, exp and dot, one clock and reset, each with its own
// valid/ready handshake. This is the top the co-simulation (sim/cosim), the Icarus smoke
// test and the SystemC top instantiate.
// Parameters (defaults = docs/architecture.md §3; names = the configuration names in
// upper case, enums as their index):
//   PHI_MODE = 0 (exact; 1 logadd)   POS_BITS = 20        PAIR_BITS = 7
//   FREQ_FRAC_BITS = 40              CS_TABLE_BITS = 6    EXP_TABLE_BITS = 4
//   HORNER_ORDER = 3                 HORNER_WIDTH = 24    CS_BITS = 16
//   X_BITS = 8                       ROT_FRAC_BITS = 7    ROUNDING = 1 (0 trunc, 2 even)
//   LOG_WORD_BITS = 40               LOG_MANT_BITS = 10   ACC_BITS = 32
//   ACC_OVERFLOW = 0 (wrap; 1 sat)   PROMOTE_INTERVAL = 0 MAC_LANES = 8
//   TABLE_DIR = "." directory of the $readmemh tables written by `mpbsim tables`.
module mpb_top #(
  parameter integer PHI_MODE         = 0,
  parameter integer POS_BITS         = 20,
  parameter integer PAIR_BITS        = 7,
  parameter integer FREQ_FRAC_BITS   = 40,
  parameter integer CS_TABLE_BITS    = 6,
  parameter integer EXP_TABLE_BITS   = 4,
  parameter integer HORNER_ORDER     = 3,
  parameter integer HORNER_WIDTH     = 24,
  parameter integer CS_BITS          = 16,
  parameter integer X_BITS           = 8,
  parameter integer ROT_FRAC_BITS    = 7,
  parameter integer ROUNDING         = 1,
  parameter integer LOG_WORD_BITS    = 40,
  parameter integer LOG_MANT_BITS    = 10,
  parameter integer ACC_BITS         = 32,
  parameter integer ACC_OVERFLOW     = 0,
  parameter integer PROMOTE_INTERVAL = 0,
  parameter integer MAC_LANES        = 8,
  parameter         TABLE_DIR        = "."
) (
  input  wire                              clk_i,
  input  wire                              rst_ni,
  // rope
  input  wire                              rope_in_valid_i,
  output wire                              rope_in_ready_o,
  input  wire [POS_BITS-1:0]               rope_m_i,
  input  wire [PAIR_BITS-1:0]              rope_j_i,
  input  wire [X_BITS-1:0]                 rope_x_i,
  input  wire [X_BITS-1:0]                 rope_y_i,
  output wire                              rope_out_valid_o,
  input  wire                              rope_out_ready_i,
  output wire [CS_BITS-1:0]                rope_cos_o,
  output wire [CS_BITS-1:0]                rope_sin_o,
  output wire [X_BITS+ROT_FRAC_BITS:0]     rope_xr_o,
  output wire [X_BITS+ROT_FRAC_BITS:0]     rope_yr_o,
  // exp
  input  wire                              exp_in_valid_i,
  output wire                              exp_in_ready_o,
  input  wire [23:0]                       exp_u_i,
  output wire                              exp_out_valid_o,
  input  wire                              exp_out_ready_i,
  output wire [9:0]                        exp_e_o,
  output wire [15:0]                       exp_mant_o,
  // dot
  input  wire                              dot_in_valid_i,
  output wire                              dot_in_ready_o,
  input  wire [8*MAC_LANES-1:0]            dot_a_i,
  input  wire [8*MAC_LANES-1:0]            dot_b_i,
  input  wire                              dot_last_i,
  output wire                              dot_out_valid_o,
  input  wire                              dot_out_ready_i,
  output wire [63:0]                       dot_sum_o,
  output wire [31:0]                       dot_sat_events_o,
  output wire [31:0]                       dot_wrap_events_o
);
  mpb_rope #(
    .PHI_MODE (PHI_MODE),       .M  (POS_BITS),      .JB (PAIR_BITS),
    .FT       (FREQ_FRAC_BITS), .S  (CS_TABLE_BITS), .H  (EXP_TABLE_BITS),
    .N        (HORNER_ORDER),   .W  (HORNER_WIDTH),  .CW (CS_BITS),
    .XW       (X_BITS),         .OF (ROT_FRAC_BITS), .ROUNDING (ROUNDING),
    .LW       (LOG_WORD_BITS),  .T  (LOG_MANT_BITS), .TABLE_DIR (TABLE_DIR)
  ) u_rope (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .in_valid_i  (rope_in_valid_i),
    .in_ready_o  (rope_in_ready_o),
    .m_i         (rope_m_i),
    .j_i         (rope_j_i),
    .x_i         (rope_x_i),
    .y_i         (rope_y_i),
    .out_valid_o (rope_out_valid_o),
    .out_ready_i (rope_out_ready_i),
    .cos_o       (rope_cos_o),
    .sin_o       (rope_sin_o),
    .xr_o        (rope_xr_o),
    .yr_o        (rope_yr_o)
  );
  mpb_exp #(
    .H (EXP_TABLE_BITS), .N (HORNER_ORDER), .W (HORNER_WIDTH), .ROUNDING (ROUNDING),
    .TABLE_DIR (TABLE_DIR)
  ) u_exp (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .in_valid_i  (exp_in_valid_i),
    .in_ready_o  (exp_in_ready_o),
    .u_i         (exp_u_i),
    .out_valid_o (exp_out_valid_o),
    .out_ready_i (exp_out_ready_i),
    .e_o         (exp_e_o),
    .mant_o      (exp_mant_o)
  );
  mpb_dot #(
    .L (MAC_LANES), .A (ACC_BITS), .ACC_OVERFLOW (ACC_OVERFLOW), .P (PROMOTE_INTERVAL)
  ) u_dot (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .in_valid_i    (dot_in_valid_i),
    .in_ready_o    (dot_in_ready_o),
    .a_i           (dot_a_i),
    .b_i           (dot_b_i),
    .last_i        (dot_last_i),
    .out_valid_o   (dot_out_valid_o),
    .out_ready_i   (dot_out_ready_i),
    .sum_o         (dot_sum_o),
    .sat_events_o  (dot_sat_events_o),
    .wrap_events_o (dot_wrap_events_o)
  );
endmodule
