// mpb_log.v — LOG (docs/architecture.md §5.2 R1): lambda = log2(m) + log2(t_j) as a
// signed Q6.FL word (FL = LW-6): e = floor(log2 m) by leading-one detection, the
// fraction f = m - 2^e left-aligned to T bits indexes log_mant, and
// lambda = (e << FL) + log_mant[idx] + log_freq[j], both adds byte-chained 8-bit adds
// with carry, modulo 2^LW. z = (m == 0); lambda = 0 when z.
// Parameters (defaults): M = 20 position bits; JB = 7 pair bits; LW = 40; T = 10;
//   TABLE_DIR = ".".
module mpb_log #(
  parameter integer M         = 20,
  parameter integer JB        = 7,
  parameter integer LW        = 40,
  parameter integer T         = 10,
  parameter         TABLE_DIR = "."
) (
  input  wire [M-1:0]  m_i,
  input  wire [JB-1:0] j_i,
  output wire          z_o,
  output wire [LW-1:0] lambda_o
);
  localparam integer FL = LW - 6;
  // leading one: e = index of the highest set bit of m (0 when m = 0)
  reg [4:0] e;
  integer   b;
  always @(*) begin
    e = 5'd0;
    for (b = 0; b < M; b = b + 1) begin
`ifdef MUTANT_13
      if (m_i[b]) e = b[4:0] + 5'd1;        // MUTANT_13: leading-one position off by one
`else
      if (m_i[b]) e = b[4:0];
`endif
    end
  end
  // f = m without its leading one; idx = (f * 2^T) >> e keeps the T bits below it
  wire [M-1:0]   lead = {{(M-1){1'b0}}, 1'b1} << e;
  wire [M-1:0]   f    = m_i & ~lead;
  wire [M+T-1:0] f_al = {f, {T{1'b0}}} >> e;
  wire [T-1:0]   idx  = f_al[T-1:0];
  wire [LW-1:0]  mant_v, freq_v;
  mpb_rom #(.AW(T), .DEPTH(1 << T), .DW(LW), .FILE({TABLE_DIR, "/log_mant.memh"})) u_mant (
    .addr_i (idx),
    .data_o (mant_v)
  );
  mpb_rom #(.AW(JB), .DEPTH(1 << JB), .DW(LW), .FILE({TABLE_DIR, "/log_freq.memh"})) u_freq (
    .addr_i (j_i),
    .data_o (freq_v)
  );
  // e << FL: e < 32 fits in the 6 integer bits (sign bit stays 0)
  wire [LW-1:0] e_word = {1'b0, e, {FL{1'b0}}};
  wire [LW-1:0] sum1, sum2;
  mpb_add_bytes #(.W(LW)) u_add1 (.a_i(e_word), .b_i(mant_v), .s_o(sum1));
  mpb_add_bytes #(.W(LW)) u_add2 (.a_i(sum1), .b_i(freq_v), .s_o(sum2));
  assign z_o      = (m_i == {M{1'b0}});
  assign lambda_o = z_o ? {LW{1'b0}} : sum2;
endmodule
