// mpb_round_var.v — R(v, s) of docs/architecture.md §2 with a run-time shift s
// (used by the LOG-ADD PHASE stage, §5.2, whose shift depends on the exponent).
// Same rule as mpb_round.v: floor(v / 2^s) plus the rounding increment.
// Parameters (defaults):
//   IW       = 33  input width (signed)
//   SW       = 7   width of the shift amount (unsigned)
//   ROUNDING = 1   0 trunc, 1 nearest, 2 even
// The result keeps IW bits (s = 0 returns v; rounding cannot overflow for s >= 1).
module mpb_round_var #(
  parameter integer IW       = 33,
  parameter integer SW       = 7,
  parameter integer ROUNDING = 1
) (
  input  wire signed [IW-1:0] v_i,
  input  wire        [SW-1:0] s_i,
  output wire signed [IW-1:0] r_o
);
  wire signed [IW-1:0] q_floor = v_i >>> s_i;
  // bit s-1 of v (the half bit) and the OR of bits below it (sticky)
  wire        [IW-1:0] below   = ~({IW{1'b1}} << s_i);          // bits [s-1:0]
  wire        [IW-1:0] half_m  = below & ~(below >> 1);          // bit s-1 only
  wire                 inc;
  generate
    if (ROUNDING == 0) begin : g_trunc
      assign inc = 1'b0;
    end else if (ROUNDING == 1) begin : g_nearest
      assign inc = |(v_i & half_m);
    end else begin : g_even
      wire sticky = |(v_i & (below >> 1));
      assign inc = |(v_i & half_m) & (sticky | q_floor[0]);
    end
  endgenerate
  assign r_o = q_floor + {{(IW-1){1'b0}}, inc};
endmodule
