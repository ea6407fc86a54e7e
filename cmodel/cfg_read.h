/* cfg_read.h — read a libconfig file (or text) safely; every libconfig input of the
 * project goes through it: datapath configurations (config.c), sweep specs and energy
 * tables (analysis/). Part of libmpb but not of its public API (mpb.h).
 *
 * Two defences that libconfig 1.5 lacks (docs/cli.md "Configuration files"):
 *  - Size: its parser checks every new setting's name against its siblings one by one
 *    (quadratic: 2000 settings take 0.4 s, 6000 several seconds), so an input larger
 *    than MPB_CFG_MAX_BYTES, or with more than MPB_CFG_MAX_SETTINGS settings, is
 *    rejected before parsing (bench/bench_config.c measures the worst case left).
 *  - Integers: a literal without the L suffix outside the 32-bit range is read modulo
 *    2^32 (4294967316 becomes 20), so such a literal, or an L literal beyond 64 bits, is
 *    rejected with its file:line before parsing. Values are then read as 64-bit
 *    (config_setting_get_int64) and checked against each field's range. */
#ifndef MPB_CFG_READ_H
#define MPB_CFG_READ_H

#include <libconfig.h>
#include <stddef.h>

#include "mpb.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MPB_CFG_MAX_BYTES (64 * 1024)
#define MPB_CFG_MAX_SETTINGS 512 /* named settings (name = value); shipped files: < 30 */

/* Parse path into cf (config_init'ed by the caller). MPB_EIO: the file cannot be read
 * (message with the reason); MPB_EINVAL: too large, too many settings, an integer
 * libconfig would wrap, or a syntax error ("path:line: ..."). */
mpb_status mpb_cfg_read_file(config_t *cf, const char *path, char *err, size_t n);
/* The same for text already in memory (len bytes, NUL-terminated), named name. */
mpb_status mpb_cfg_read_text(config_t *cf, const char *text, size_t len, const char *name,
                             char *err, size_t n);

#ifdef __cplusplus
}
#endif
#endif
