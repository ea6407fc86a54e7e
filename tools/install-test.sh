#!/bin/sh
# install-test.sh — `make install` into a scratch prefix, then build a tiny program against
# the installed tree the way another project would (pkg-config --cflags --libs mpb), run it
# against the shared library (checking the soname it loaded) and again linked statically
# (pkg-config --static). Run by `make test` (cmodel/module.mk) after the libraries are built.
# usage: tools/install-test.sh DIR   (DIR is emptied and used as the scratch area)
set -eu
dir=$1
rm -rf "$dir" && mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
prefix="$dir/prefix"
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
make --no-print-directory install SAN=0 PREFIX="$prefix" > "$dir/install.log" 2>&1 \
  || { cat "$dir/install.log"; exit 1; }
version=$(sed -n 's/^#define MPB_VERSION "\(.*\)"/\1/p' cmodel/mpb.h)
for f in lib/libmpb.a "lib/libmpb.so.$version" lib/libmpb.so include/mpb.h lib/pkgconfig/mpb.pc; do
  [ -e "$prefix/$f" ] || { echo "install-test: $prefix/$f is missing"; exit 1; }
done
soname=$(objdump -p "$prefix/lib/libmpb.so.$version" | awk '/SONAME/ { print $2 }')
[ "$soname" = "libmpb.so.${version%%.*}" ] || { echo "install-test: soname '$soname'"; exit 1; }
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
[ "$(pkg-config --modversion mpb)" = "$version" ] || { echo "install-test: pkg-config version"; exit 1; }
cat > "$dir/hello.c" <<'C'
#include <mpb.h>
#include <stdio.h>
#include <string.h>
/* exp unit at u = 0 and u = -1 (Q8.16): 2^0 = 1, 2^-1 = 0.5, through the public API only */
int main(void) {
  mpb_config cfg;
  mpb_config_default(&cfg);
  mpb_geometry geo = {128, 500000.0, MPB_PAIR_HALF};
  char err[256];
  mpb_model *m = mpb_model_new(&cfg, &geo, err, sizeof err);
  if (!m) { fprintf(stderr, "%s\n", err); return 1; }
  mpb_exp_req q0 = {0}, q1 = {-65536};
  mpb_exp_resp r0, r1;
  mpb_exp_eval(m, &q0, &r0, NULL);
  mpb_exp_eval(m, &q1, &r1, NULL);
  printf("libmpb %s: 2^0 = %g, 2^-1 = %g\n", MPB_VERSION, mpb_exp_value(&r0), mpb_exp_value(&r1));
  mpb_model_free(m);
  return !(mpb_exp_value(&r0) == 1.0 && mpb_exp_value(&r1) == 0.5);
}
C
cc -std=c11 -Wall -Werror $(pkg-config --cflags mpb) -o "$dir/hello" "$dir/hello.c" $(pkg-config --libs mpb)
LD_LIBRARY_PATH="$prefix/lib" "$dir/hello"
LD_LIBRARY_PATH="$prefix/lib" ldd "$dir/hello" | grep -q "libmpb.so.${version%%.*} => $prefix/lib/" \
  || { echo "install-test: hello did not load the installed shared library"; exit 1; }
cc -std=c11 -Wall -Werror $(pkg-config --cflags mpb) -o "$dir/hello-static" "$dir/hello.c" \
  $(pkg-config --static --libs mpb | sed "s|-lmpb|$prefix/lib/libmpb.a|")
ldd "$dir/hello-static" | grep -q libmpb && { echo "install-test: static link used the .so"; exit 1; }
"$dir/hello-static"
echo "install-test: ok ($prefix)"
