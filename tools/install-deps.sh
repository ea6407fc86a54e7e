#!/bin/sh
# Install the Debian packages named on the command line that are not installed yet.
# As root: apt-get update (once) + apt-get install. Otherwise: print the command, exit 1.
missing=""
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "mpbsim: installing missing Debian packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || exit 1
  apt-get install -y -qq --no-install-recommends $missing || exit 1
else
  echo "mpbsim: missing Debian packages:$missing" >&2
  echo "run this once, then repeat the make command:" >&2
  echo "  sudo apt-get install -y$missing" >&2
  exit 1
fi
