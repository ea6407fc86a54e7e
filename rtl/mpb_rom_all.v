// mpb_rom_all.v — a small LOGLUT table whose entries are all read at once (the Horner
// constants k_cs / k_exp, docs/architecture.md §4), filled by $readmemh.
// Parameters (defaults): DEPTH = 3 entries; DW = 24 word width; FILE = "k_cs.memh".
// data_o[i*DW +: DW] = entry i.
module mpb_rom_all #(
  parameter integer DEPTH = 3,
  parameter integer DW    = 24,
  parameter         FILE  = "k_cs.memh"
) (
  output wire [DEPTH*DW-1:0] data_o
);
  reg [DW-1:0] mem [0:DEPTH-1];
  initial $readmemh(FILE, mem);
  genvar i;
  generate
    for (i = 0; i < DEPTH; i = i + 1) begin : g_word
      assign data_o[i*DW +: DW] = mem[i];
    end
  endgenerate
endmodule
