// mpb_sat.v — sat_n of docs/architecture.md §2: clamp a signed IW-bit value to the signed
// OW-bit range [-2^(OW-1), 2^(OW-1)-1].
// Parameters (defaults): IW = 24 input width; OW = 16 output width (OW < IW).
module mpb_sat #(
  parameter integer IW = 24,
  parameter integer OW = 16
) (
  input  wire signed [IW-1:0] v_i,
  output wire signed [OW-1:0] s_o
);
  // v fits iff its bits [IW-1:OW-1] are all equal to the sign
  wire fits = (v_i[IW-1:OW-1] == {(IW-OW+1){v_i[IW-1]}});
`ifdef MUTANT_14
  // MUTANT_14: positive saturation limit one below 2^(OW-1)-1
  assign s_o = fits ? v_i[OW-1:0] : v_i[IW-1] ? {1'b1, {(OW-1){1'b0}}} : {1'b0, {(OW-2){1'b1}}, 1'b0};
`else
  assign s_o = fits ? v_i[OW-1:0] : {v_i[IW-1], {(OW-1){~v_i[IW-1]}}};
`endif
endmodule
