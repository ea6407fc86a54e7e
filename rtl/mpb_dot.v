// mpb_dot.v — the dot unit (docs/architecture.md §7): L MAC8 lanes per beat, an exact
// adder tree, an A-bit accumulator that wraps or saturates (counting the events),
// promotion of the accumulator into a 64-bit register every P products, and a result
// {wide + acc, sat_events, wrap_events} for each beat marked last.
// Registers: R0 IN (beat), R1 PROD (lane sum s, last), R2 OUT (result, valid only for
// last beats); the accumulator state updates on an advancing edge when R1 is valid.
// Handshake: global stall of §8, en = !out_valid || out_ready.
// Parameters (defaults = docs/architecture.md §3): L = 8 mac_lanes; A = 32 acc_bits;
//   ACC_OVERFLOW = 0 (0 wrap, 1 sat); P = 0 promote_interval (0 = never).
module mpb_dot #(
  parameter integer L            = 8,
  parameter integer A            = 32,
  parameter integer ACC_OVERFLOW = 0,
  parameter integer P            = 0
) (
  input  wire          clk_i,
  input  wire          rst_ni,
  input  wire          in_valid_i,
  output wire          in_ready_o,
  input  wire [8*L-1:0] a_i,
  input  wire [8*L-1:0] b_i,
  input  wire          last_i,
  output wire          out_valid_o,
  input  wire          out_ready_i,
  output wire [63:0]   sum_o,
  output wire [31:0]   sat_events_o,
  output wire [31:0]   wrap_events_o
);
  localparam integer SW = 22;   // lane sum: |s| <= 64 * 2^14 = 2^20
  reg  v0_q, v1_q, v2_q;
  wire en = ~v2_q | out_ready_i;
  // ---- R0 IN: {last, b, a}
  wire [16*L:0] beat_q;
  mpb_pipe_reg #(.WIDTH(16*L+1)) u_beat_q (
    .clk_i (clk_i), .rst_ni (rst_ni), .ld_i (en & in_valid_i),
    .d_i   ({last_i, b_i, a_i}),
    .q_o   (beat_q)
  );
  // ---- R1 PROD: lane products and the adder tree
  wire [SW-1:0] lane_sum [0:L] /* verilator split_var */;
  assign lane_sum[0] = {SW{1'b0}};
  genvar i;
  generate
    for (i = 0; i < L; i = i + 1) begin : g_lane
      wire signed [16:0] prod;
      mpb_mac8_mul #(.A_SIGNED(1), .B_SIGNED(1)) u_mul (
        .a_i (beat_q[8*i +: 8]),
        .b_i (beat_q[8*L + 8*i +: 8]),
        .p_o (prod)
      );
      assign lane_sum[i+1] = lane_sum[i] + {{(SW-17){prod[16]}}, prod};
    end
  endgenerate
  wire [SW:0] prod_q;   // {last, s}
  mpb_pipe_reg #(.WIDTH(SW+1)) u_prod_q (
    .clk_i (clk_i), .rst_ni (rst_ni), .ld_i (en & v0_q),
    .d_i   ({beat_q[16*L], lane_sum[L]}),
    .q_o   (prod_q)
  );
  wire          last1 = prod_q[SW];
  wire [SW-1:0] s1    = prod_q[SW-1:0];
  // ---- accumulator state
  reg  [A-1:0]  acc_q;
  reg  [63:0]   wide_q;
  reg  [31:0]   cnt_q, sat_q, wrap_q;
  wire [63:0]   acc_x   = {{(64-A){acc_q[A-1]}}, acc_q};
  wire [63:0]   s_x     = {{(64-SW){s1[SW-1]}}, s1};
  wire [63:0]   sum_ex  = acc_x + s_x;                      // exact
  wire [63:0]   wrapped = {{(64-A){sum_ex[A-1]}}, sum_ex[A-1:0]};
  wire [63:0]   acc_max = {{(64-A+1){1'b0}}, {(A-1){1'b1}}};
  wire [63:0]   acc_min = ~acc_max;
  wire          over    = ~sum_ex[63] & (sum_ex > acc_max);
  wire          under   = sum_ex[63] & (sum_ex < acc_min);
  wire [63:0]   clamped = over ? acc_max : under ? acc_min : sum_ex;
`ifdef MUTANT_5
  wire [63:0]   acc1    = wrapped;          // MUTANT_5: saturating mode wraps
`else
  wire [63:0]   acc1    = (ACC_OVERFLOW != 0) ? clamped : wrapped;
`endif
  wire          event1  = (acc1 != sum_ex);
  wire [31:0]   sat1    = sat_q + {31'd0, event1 & (ACC_OVERFLOW != 0)};
  wire [31:0]   wrap1   = wrap_q + {31'd0, event1 & (ACC_OVERFLOW == 0)};
  wire [31:0]   cnt1    = cnt_q + L;
`ifdef MUTANT_9
  wire          promote = (P > 0) && (cnt1 == P + L);  // MUTANT_9: promotion one beat late
`else
  wire          promote = (P > 0) && (cnt1 == P);
`endif
  wire [63:0]   wide2   = promote ? wide_q + acc1 : wide_q;
  wire [63:0]   acc2    = promote ? 64'd0 : acc1;
  wire [31:0]   cnt2    = promote ? 32'd0 : cnt1;
  wire          adv1    = en & v1_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      acc_q  <= {A{1'b0}};
      wide_q <= 64'd0;
      cnt_q  <= 32'd0;
      sat_q  <= 32'd0;
      wrap_q <= 32'd0;
    end else if (adv1) begin
      if (last1) begin
        acc_q  <= {A{1'b0}};
`ifdef MUTANT_12
        wide_q <= wide2;                    // MUTANT_12: wide register not cleared
`else
        wide_q <= 64'd0;
`endif
        cnt_q  <= 32'd0;
        sat_q  <= 32'd0;
        wrap_q <= 32'd0;
      end else begin
        acc_q  <= acc2[A-1:0];
        wide_q <= wide2;
        cnt_q  <= cnt2;
        sat_q  <= sat1;
        wrap_q <= wrap1;
      end
    end
  end
  // ---- R2 OUT: {sum, sat_events, wrap_events}, loaded by last beats only
  wire [127:0] res_q;
  mpb_pipe_reg #(.WIDTH(128)) u_res_q (
    .clk_i (clk_i), .rst_ni (rst_ni), .ld_i (adv1 & last1),
    .d_i   ({wide2 + acc2, sat1, wrap1}),
    .q_o   (res_q)
  );
  // ---- valid bits
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      v0_q <= 1'b0;
      v1_q <= 1'b0;
      v2_q <= 1'b0;
    end else if (en) begin
      v0_q <= in_valid_i;
      v1_q <= v0_q;
      v2_q <= v1_q & last1;
    end
  end
  assign in_ready_o    = en;
  assign out_valid_o   = v2_q;
  assign sum_o         = res_q[127:64];
  assign sat_events_o  = res_q[63:32];
  assign wrap_events_o = res_q[31:0];
endmodule
