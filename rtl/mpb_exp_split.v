// mpb_exp_split.v — EXP_SPLIT (docs/architecture.md §5.2 R2, §6 R1): split a log2-domain
// word lambda (FL fraction bits) into ie = floor(lambda) (IEW-bit signed), the table
// index u_hi (top H fraction bits), the residual u_lo (the other FL-H bits) aligned to FW
// fraction bits by truncation, and read E0 = exp[u_hi].
// Parameters (defaults): FL = 34 fraction bits; IEW = 6 integer bits; H = 4 (table 2^H
//   entries, H <= FL); W = 24 (FW = W-2); TABLE_DIR = ".".
module mpb_exp_split #(
  parameter integer FL        = 34,
  parameter integer IEW       = 6,
  parameter integer H         = 4,
  parameter integer W         = 24,
  parameter         TABLE_DIR = "."
) (
  input  wire        [IEW+FL-1:0] lambda_i,
  output wire signed [IEW-1:0]    ie_o,
  output wire signed [W-1:0]      e0_o,
  output wire signed [W-1:0]      ulo_o
);
  localparam integer FW = W - 2;
  localparam integer UL = FL - H;          // residual bits
  localparam integer HA = (H > 0) ? H : 1; // ROM address width (one entry when H = 0)
  wire [HA-1:0] u_hi;
  wire [FW-1:0] u_lo;
  generate
    if (H > 0) begin : g_hi
      assign u_hi = lambda_i[FL-1:FL-H];
    end else begin : g_nohi
      assign u_hi = 1'b0;
    end
    if (UL == 0) begin : g_nolo
      assign u_lo = {FW{1'b0}};
    end else if (UL >= FW) begin : g_trunc
      assign u_lo = lambda_i[UL-1:UL-FW];
    end else begin : g_pad
      assign u_lo = {lambda_i[UL-1:0], {(FW-UL){1'b0}}};
    end
  endgenerate
  assign ie_o  = lambda_i[IEW+FL-1:FL];
  assign ulo_o = {2'b00, u_lo};
  mpb_rom #(.AW(HA), .DEPTH(1 << H), .DW(W), .FILE({TABLE_DIR, "/exp.memh"})) u_exp (
    .addr_i (u_hi),
    .data_o (e0_o)
  );
endmodule
