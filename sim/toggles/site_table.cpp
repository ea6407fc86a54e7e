// site_table.cpp — reads sim/toggles/sites.tsv (format in its header comment) and
// matches instance paths against its '*' globs.
#include "site_table.h"

#include <fstream>
#include <sstream>

#include "mpb.h"

static bool known_block(const std::string &b) {
  for (int k = 0; k < MPB_NBLK; k++)
    if (b == mpb_block_name((mpb_block)k)) return true;
  return false;
}

bool load_site_table(const std::string &path, std::vector<SiteRow> *rows, std::string *err) {
  std::ifstream in(path);
  if (!in) {
    *err = path + ": cannot read the site table";
    return false;
  }
  std::string text;
  int line = 0;
  while (std::getline(in, text)) {
    line++;
    size_t c = text.find('#');
    if (c != std::string::npos) text.erase(c);
    std::istringstream ss(text);
    SiteRow r;
    std::string vars, extra;
    if (!(ss >> r.unit)) continue;  // blank or comment line
    const std::string where = path + ":" + std::to_string(line) + ": ";
    if (!(ss >> r.mode >> r.block >> r.module >> r.instance >> vars) || (ss >> extra)) {
      *err = where + "expected 6 fields 'unit mode block module instance vars'";
      return false;
    }
    if (r.unit != "rope" && r.unit != "exp" && r.unit != "dot") {
      *err = where + "field unit = '" + r.unit + "' (expected rope, exp or dot)";
      return false;
    }
    if (r.mode != "exact" && r.mode != "logadd" && r.mode != "any") {
      *err = where + "field mode = '" + r.mode + "' (expected exact, logadd or any)";
      return false;
    }
    if (!known_block(r.block)) {
      *err = where + "field block = '" + r.block +
             "' (expected mac8, pack16, loglut, range, horner, rotate or pipe)";
      return false;
    }
    std::istringstream vs(vars);
    std::string v;
    while (std::getline(vs, v, ','))
      if (!v.empty()) r.vars.push_back(v);
    if (r.vars.empty()) {
      *err = where + "field vars is empty (expected comma-separated signal names)";
      return false;
    }
    r.line = line;
    rows->push_back(r);
  }
  if (rows->empty()) {
    *err = path + ": no sites";
    return false;
  }
  return true;
}

bool match_glob(const char *g, const char *t) {
  if (!*g) return !*t;
  if (*g == '*') {
    for (const char *s = t;; s++) {
      if (match_glob(g + 1, s)) return true;
      if (!*s) return false;
    }
  }
  return *g == *t && match_glob(g + 1, t + 1);
}
