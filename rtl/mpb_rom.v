// mpb_rom.v — one LOGLUT table (docs/architecture.md §4) as an asynchronous-read ROM,
// filled by $readmemh from the file the C model exports (`mpbsim tables`). The RTL never
// computes or types a table value.
// Parameters (defaults):
//   AW    = 7            address width
//   DEPTH = 128          entries (<= 2^AW)
//   DW    = 40           word width
//   FILE  = "freq.memh"  $readmemh file
module mpb_rom #(
  parameter integer AW    = 7,
  parameter integer DEPTH = 128,
  parameter integer DW    = 40,
  parameter         FILE  = "freq.memh"
) (
  input  wire [AW-1:0] addr_i,
  output wire [DW-1:0] data_o
);
  reg [DW-1:0] mem [0:DEPTH-1];
  initial $readmemh(FILE, mem);
  assign data_o = mem[addr_i];
endmodule
