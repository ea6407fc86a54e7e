// mpb_pipe_reg.v — one pipeline data register (docs/architecture.md §8): asynchronous
// active-low reset to 0, loads d only when ld_i (= advancing edge and incoming valid).
// Parameters (defaults): WIDTH = 8.
module mpb_pipe_reg #(
  parameter integer WIDTH = 8
) (
  input  wire             clk_i,
  input  wire             rst_ni,
  input  wire             ld_i,
  input  wire [WIDTH-1:0] d_i,
  output wire [WIDTH-1:0] q_o
);
  reg [WIDTH-1:0] data_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      data_q <= {WIDTH{1'b0}};
    end else if (ld_i) begin
      data_q <= d_i;
    end
  end
  assign q_o = data_q;
endmodule
