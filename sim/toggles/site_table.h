// site_table.h — the table of RTL toggle sites (sim/toggles/sites.tsv): which RTL signals
// form each block's operand buses, per unit. Parsing and instance-path matching only.
#ifndef MPB_SITE_TABLE_H
#define MPB_SITE_TABLE_H

#include <string>
#include <vector>

struct SiteRow {
  std::string unit;      // rope | exp | dot
  std::string mode;      // exact | logadd | any (phi_mode whose RTL holds the signals)
  std::string block;     // mpb_block name
  std::string module;    // RTL module declaring the signals
  std::string instance;  // instance path below mpb_top, '*' = any run of characters
  std::vector<std::string> vars;
  int line = 0;          // line in the table file, for messages
};

// Read the table; on failure returns false with "FILE:LINE: ..." in err.
bool load_site_table(const std::string &path, std::vector<SiteRow> *rows, std::string *err);
// Whether a glob with '*' wildcards (everything else literal, '[' and ']' included)
// matches the whole text.
bool match_glob(const char *glob, const char *text);

#endif
