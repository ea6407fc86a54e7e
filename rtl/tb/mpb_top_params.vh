// mpb_top_params.vh — the parameters of mpb_top, with its defaults, for the testbenches
// (rtl/tb/*.v include it inside their module). Builds set them from a configuration file
// with rtl/cfg2vparams.sh (-P<tb>.NAME=...).
  parameter integer PHI_MODE         = 0;
  parameter integer POS_BITS         = 20;
  parameter integer PAIR_BITS        = 7;
  parameter integer FREQ_FRAC_BITS   = 40;
  parameter integer CS_TABLE_BITS    = 6;
  parameter integer EXP_TABLE_BITS   = 4;
  parameter integer HORNER_ORDER     = 3;
  parameter integer HORNER_WIDTH     = 24;
  parameter integer CS_BITS          = 16;
  parameter integer X_BITS           = 8;
  parameter integer ROT_FRAC_BITS    = 7;
  parameter integer ROUNDING         = 1;
  parameter integer LOG_WORD_BITS    = 40;
  parameter integer LOG_MANT_BITS    = 10;
  parameter integer ACC_BITS         = 32;
  parameter integer ACC_OVERFLOW     = 0;
  parameter integer PROMOTE_INTERVAL = 0;
  parameter integer MAC_LANES        = 8;
  parameter         TABLE_DIR        = ".";
