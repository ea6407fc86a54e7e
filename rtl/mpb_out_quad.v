// mpb_out_quad.v — OUT (docs/architecture.md §5.1): apply the quadrant
// (q=0: (c, s); 1: (-s, c); 2: (-c, -s); 3: (s, -c)), then round to the output format and
// saturate: cos = sat_CW(R(c', FW-CW+1)), sin likewise.
// Parameters (defaults): W = 24 (FW = W-2); CW = 16 output width (W >= CW+1); ROUNDING = 1.
module mpb_out_quad #(
  parameter integer W        = 24,
  parameter integer CW       = 16,
  parameter integer ROUNDING = 1
) (
  input  wire        [1:0]    q_i,
  input  wire signed [W-1:0]  c_i,
  input  wire signed [W-1:0]  s_i,
  output wire signed [CW-1:0] cos_o,
  output wire signed [CW-1:0] sin_o
);
  localparam integer FW = W - 2;
  localparam integer SH = FW - CW + 1;
  // one spare bit so that negating -2^(W-1) cannot wrap
  wire signed [W:0] c_x = {c_i[W-1], c_i};
  wire signed [W:0] s_x = {s_i[W-1], s_i};
  reg  signed [W:0] cq, sq;
  always @(*) begin
    case (q_i)
      2'd0:    begin cq = c_x;  sq = s_x;  end
`ifdef MUTANT_4
      2'd1:    begin cq = s_x;  sq = c_x;  end  // MUTANT_4: sine sign swapped
`else
      2'd1:    begin cq = -s_x; sq = c_x;  end
`endif
      2'd2:    begin cq = -c_x; sq = -s_x; end
      default: begin cq = s_x;  sq = -c_x; end
    endcase
  end
  wire signed [W-SH+1:0] cr, sr;
  mpb_round #(.IW(W+1), .SH(SH), .ROUNDING(ROUNDING)) u_round_c (.v_i(cq), .r_o(cr));
  mpb_round #(.IW(W+1), .SH(SH), .ROUNDING(ROUNDING)) u_round_s (.v_i(sq), .r_o(sr));
  mpb_sat #(.IW(W-SH+2), .OW(CW)) u_sat_c (.v_i(cr), .s_o(cos_o));
  mpb_sat #(.IW(W-SH+2), .OW(CW)) u_sat_s (.v_i(sr), .s_o(sin_o));
endmodule
