/* counts.c — action counters of the energy model: clearing, adding, block names. */
#include <string.h>

#include "internal.h"

static const char *const block_names[MPB_NBLK] = {"mac8",  "pack16", "loglut", "range",
                                                  "horner", "rotate", "pipe"};

const char *mpb_block_name(mpb_block b) {
  return (unsigned)b < MPB_NBLK ? block_names[b] : "?";
}

void mpb_counts_clear(mpb_counts *c) { memset(c, 0, sizeof *c); }

void mpb_counts_add(mpb_counts *d, const mpb_counts *s) {
  for (int b = 0; b < MPB_NBLK; b++) {
    d->blk[b].mul_ops += s->blk[b].mul_ops;
    d->blk[b].mul_bitprod += s->blk[b].mul_bitprod;
    d->blk[b].add_ops += s->blk[b].add_ops;
    d->blk[b].add_bits += s->blk[b].add_bits;
    d->blk[b].rom_reads += s->blk[b].rom_reads;
    d->blk[b].rom_bits += s->blk[b].rom_bits;
    d->blk[b].reg_bits += s->blk[b].reg_bits;
    d->blk[b].toggles += s->blk[b].toggles;
  }
  d->ops += s->ops;
  d->cycles += s->cycles;
  d->active_cycles += s->active_cycles;
  d->stall_cycles += s->stall_cycles;
  d->idle_cycles += s->idle_cycles;
}
