// mpb_pipe_ctrl.v — global-stall valid/ready control of docs/architecture.md §8 for a
// pipeline of L registers: en = !out_valid || out_ready, in_ready = en, the valid bits
// shift one register on at every enabled edge, and ld_o[k] is the load enable of data
// register Rk (enabled edge and Rk's incoming valid is 1).
// Parameters (defaults): L = 11 registers (>= 2).
module mpb_pipe_ctrl #(
  parameter integer L = 11
) (
  input  wire         clk_i,
  input  wire         rst_ni,
  input  wire         in_valid_i,
  output wire         in_ready_o,
  output wire         out_valid_o,
  input  wire         out_ready_i,
  output wire [L-1:0] ld_o
);
  reg  [L-1:0] valid_q;
  wire         en = ~valid_q[L-1] | out_ready_i;
  wire [L-1:0] valid_d = {valid_q[L-2:0], in_valid_i};
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q <= {L{1'b0}};
    end else if (en) begin
      valid_q <= valid_d;
    end
  end
`ifdef MUTANT_6
  assign ld_o        = valid_d;             // MUTANT_6: data registers ignore the stall
`else
  assign ld_o        = {L{en}} & valid_d;
`endif
  assign in_ready_o  = en;
  assign out_valid_o = valid_q[L-1];
endmodule
