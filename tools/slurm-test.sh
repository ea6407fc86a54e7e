#!/bin/sh
# slurm-test.sh MPBSIM SPEC — end-to-end test of `mpbsim sweep --slurm` on a private
# single-node Slurm cluster on localhost (docs/sweeps.md):
#   1. writes slurm.conf for this host with its real CPUs and memory (`slurmd -C`), a
#      fresh MUNGE key, and starts munged, slurmctld and slurmd (as root) in a scratch
#      directory, on their own ports and socket (no system service is touched);
#   2. runs the sweep as a Slurm job array (--slurm --slurm-tasks 3 --slurm-wait) and,
#      for comparison, locally with -j 2;
#   3. compares every output file byte for byte, then stops the daemons it started.
# Exit 0 = passed or skipped (the reason is printed: not root, Slurm/MUNGE not installed,
# daemons cannot start here); 1 = failed.
set -u
MPBSIM=$(readlink -f "$1")
SPEC=$2
fail() { echo "slurm-test: FAIL: $*"; exit 1; }
skip() { echo "slurm-test: SKIP: $*"; exit 0; }

[ "$(id -u)" = 0 ] || skip "needs root to start munged, slurmctld and slurmd (CI runs as root)"
for b in munged slurmctld slurmd sbatch sinfo scontrol; do
  command -v "$b" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin"
  command -v "$b" >/dev/null 2>&1 || skip "$b not installed (make deps installs slurm-wlm and munge)"
done

# One private cluster at a time on this machine (make test runs the plain and the
# sanitizer trees' suites at once; two single-node clusters of one host would clash).
exec 9> /tmp/mpb-slurm-test.lock
flock 9
D=$(mktemp -d /tmp/mpb-slurm.XXXXXX)
chmod 755 "$D"
PIDS=""
cleanup() {
  for f in "$D/slurmd.pid" "$D/slurmctld.pid" "$D/munged.pid"; do
    [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
  done
  sleep 1
  for f in "$D/slurmd.pid" "$D/slurmctld.pid" "$D/munged.pid"; do
    [ -s "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
  done
  [ -n "${KEEP_SLURM_DIR:-}" ] || rm -rf "$D"
}
trap cleanup EXIT INT TERM

# --- MUNGE: private key, socket, pid and log files ---------------------------------
mkdir -p "$D/munge" && chmod 700 "$D/munge"
dd if=/dev/urandom of="$D/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$D/munge/munge.key"
SOCK="$D/munge/munge.sock"
munged --force --key-file="$D/munge/munge.key" --socket="$SOCK" --pid-file="$D/munged.pid" \
  --log-file="$D/munged.log" --seed-file="$D/munge/seed" >"$D/munged.out" 2>&1 ||
  skip "munged does not start here: $(tail -3 "$D/munged.out" "$D/munged.log" 2>/dev/null | tr '\n' ' ')"

# --- slurm.conf for this node -------------------------------------------------------
NODE=$(slurmd -C 2>/dev/null | head -1)
case "$NODE" in NodeName=*) ;; *) skip "slurmd -C cannot describe this node";; esac
HOST=$(echo "$NODE" | sed 's/^NodeName=\([^ ]*\).*/\1/')
PORT=$((17000 + $$ % 1000))
mkdir -p "$D/ctld" "$D/spool"
cat > "$D/slurm.conf" <<EOF
ClusterName=mpbtest
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SOCK
CredType=cred/munge
StateSaveLocation=$D/ctld
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/slurmctld.log
SlurmdLogFile=$D/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
$NODE NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
# slurmd -C prints an UpTime= line too; only the first line is the node.
sed -i 's/ UpTime=[^ ]*//' "$D/slurm.conf"
export SLURM_CONF="$D/slurm.conf"

slurmctld -i >"$D/slurmctld.out" 2>&1 ||
  skip "slurmctld does not start here: $(tail -3 "$D/slurmctld.out" "$D/slurmctld.log" 2>/dev/null | tr '\n' ' ')"
slurmd >"$D/slurmd.out" 2>&1 ||
  skip "slurmd does not start here: $(tail -3 "$D/slurmd.out" "$D/slurmd.log" 2>/dev/null | tr '\n' ' ')"

# Wait for the node to come up (idle), at most 60 s.
i=0
while :; do
  st=$(sinfo -h -n "$HOST" -o %T 2>/dev/null | head -1)
  case "$st" in idle*|mix*|alloc*) break;; esac
  i=$((i + 1))
  if [ $i -ge 60 ]; then
    skip "the Slurm node did not become idle in 60 s (state '$st'): $(tail -3 "$D/slurmd.log" 2>/dev/null | tr '\n' ' ')"
  fi
  [ $((i % 10)) = 5 ] && scontrol update nodename="$HOST" state=resume >/dev/null 2>&1
  sleep 1
done
echo "slurm-test: single-node Slurm up ($NODE)"

# --- the sweep through Slurm and locally --------------------------------------------
OUT_S="$D/out-slurm"
OUT_L="$D/out-local"
timeout 600 "$MPBSIM" sweep "$SPEC" --slurm --slurm-tasks 3 --slurm-wait -o "$OUT_S" \
  || { cat "$OUT_S"/slurm/*.log 2>/dev/null | tail -20; fail "the Slurm sweep failed"; }
for t in 0 1 2; do
  grep -q "shard $t/3:" "$OUT_S/slurm/task-$t.log" || fail "array task $t did not run its shard"
done
"$MPBSIM" sweep "$SPEC" -j 2 -o "$OUT_L" --no-progress >"$D/local.log" 2>&1 ||
  { cat "$D/local.log"; fail "the local sweep failed"; }
for f in results.csv results.json sensitivity.csv pareto-energy.svg pareto-area.svg \
         report.html best.cfg; do
  [ -s "$OUT_L/$f" ] || fail "local run wrote no $f"
  cmp "$OUT_S/$f" "$OUT_L/$f" || fail "$f differs between the Slurm and the local run"
done
# Resubmitting resumes: every point is already stored, the shards evaluate nothing.
timeout 600 "$MPBSIM" sweep "$SPEC" --slurm --slurm-tasks 3 --slurm-wait -o "$OUT_S" \
  >/dev/null || fail "the resubmitted Slurm sweep failed"
grep -q " 0 evaluated" "$OUT_S/slurm/task-0.log" || fail "the resubmitted shards recomputed points"
cmp "$OUT_S/results.csv" "$OUT_L/results.csv" || fail "results changed on resubmission"
echo "slurm-test: PASS: $(($(wc -l < "$OUT_L/results.csv") - 1)) points through a 3-task job array, merged results identical to the local run"
