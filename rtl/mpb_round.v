// mpb_round.v — R(v, SH) of docs/architecture.md §2, the datapath's one narrowing
// operation: round the signed IW-bit value v right by a constant SH bits.
//   trunc   : floor(v / 2^SH)
//   nearest : floor(v / 2^SH) + v[SH-1]                      (= floor((v + 2^(SH-1)) / 2^SH))
//   even    : floor(v / 2^SH) + (v[SH-1] & (|v[SH-2:0] | q[0]))   (ties to even)
// Parameters (defaults):
//   IW       = 48  input width (signed)
//   SH       = 22  right shift, 0 <= SH < IW
//   ROUNDING = 1   0 trunc, 1 nearest, 2 even (docs/architecture.md §3 `rounding`)
// The result has IW-SH+1 bits: one spare bit for the carry of rounding up.
module mpb_round #(
  parameter integer IW       = 48,
  parameter integer SH       = 22,
  parameter integer ROUNDING = 1
) (
  input  wire signed [IW-1:0] v_i,
  output wire signed [IW-SH:0] r_o
);
  generate
    if (SH == 0) begin : g_none
      assign r_o = {v_i[IW-1], v_i};
    end else begin : g_shift
      wire signed [IW-SH:0] q_floor;
      wire                  inc;
      assign q_floor = {v_i[IW-1], v_i[IW-1:SH]};
      if (ROUNDING == 0) begin : g_trunc
        assign inc = 1'b0;
      end else if (ROUNDING == 1) begin : g_nearest
`ifdef MUTANT_2
        assign inc = 1'b0;                  // MUTANT_2: nearest rounds like trunc
`else
        assign inc = v_i[SH-1];
`endif
      end else begin : g_even
        wire sticky;
        if (SH >= 2) begin : g_sticky
          assign sticky = |v_i[SH-2:0];
        end else begin : g_nosticky
          assign sticky = 1'b0;
        end
        assign inc = v_i[SH-1] & (sticky | q_floor[0]);
      end
      assign r_o = q_floor + {{(IW-SH){1'b0}}, inc};
    end
  endgenerate
endmodule
