// mpb_rotate.v — ROTATE (docs/architecture.md §5.1): X = x*cos - y*sin,
// Y = x*sin + y*cos, each product exact from byte-sliced MAC8 products recombined by
// PACK16 (mpb_sliced_mul); xr = sat_OW(R(X, CW-1-OF)), yr likewise, OW = XW+1+OF.
// Parameters (defaults): XW = 8 input width; CW = 16 cos/sin width; OF = 7 output
//   fraction bits (OF <= CW-1); ROUNDING = 1.
module mpb_rotate #(
  parameter integer XW       = 8,
  parameter integer CW       = 16,
  parameter integer OF       = 7,
  parameter integer ROUNDING = 1
) (
  input  wire signed [XW-1:0]      x_i,
  input  wire signed [XW-1:0]      y_i,
  input  wire signed [CW-1:0]      cos_i,
  input  wire signed [CW-1:0]      sin_i,
  output wire signed [XW+OF:0]     xr_o,
  output wire signed [XW+OF:0]     yr_o
);
  localparam integer PW = XW + CW;       // exact product width
`ifdef MUTANT_3
  localparam integer SH = CW - OF;          // MUTANT_3: output shift off by one
`else
  localparam integer SH = CW - 1 - OF;
`endif
  localparam integer OW = XW + 1 + OF;
  wire [PW-1:0] xc, ys, xs, yc;
  mpb_sliced_mul #(.AW(XW), .BW(CW), .OW(PW)) u_xc (.a_i(x_i), .b_i(cos_i), .p_o(xc));
  mpb_sliced_mul #(.AW(XW), .BW(CW), .OW(PW)) u_ys (.a_i(y_i), .b_i(sin_i), .p_o(ys));
  mpb_sliced_mul #(.AW(XW), .BW(CW), .OW(PW)) u_xs (.a_i(x_i), .b_i(sin_i), .p_o(xs));
  mpb_sliced_mul #(.AW(XW), .BW(CW), .OW(PW)) u_yc (.a_i(y_i), .b_i(cos_i), .p_o(yc));
  wire signed [PW:0] x_sum = {xc[PW-1], xc} - {ys[PW-1], ys};
  wire signed [PW:0] y_sum = {xs[PW-1], xs} + {yc[PW-1], yc};
  wire signed [PW-SH+1:0] x_r, y_r;
  mpb_round #(.IW(PW+1), .SH(SH), .ROUNDING(ROUNDING)) u_round_x (.v_i(x_sum), .r_o(x_r));
  mpb_round #(.IW(PW+1), .SH(SH), .ROUNDING(ROUNDING)) u_round_y (.v_i(y_sum), .r_o(y_r));
  mpb_sat #(.IW(PW-SH+2), .OW(OW)) u_sat_x (.v_i(x_r), .s_o(xr_o));
  mpb_sat #(.IW(PW-SH+2), .OW(OW)) u_sat_y (.v_i(y_r), .s_o(yr_o));
endmodule
