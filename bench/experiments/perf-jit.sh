#!/usr/bin/env bash
# Instruction-level profile of generated code: Linux perf with V8's jitdump, so samples land on the
# region functions (JS:*r8 ...) and `perf annotate` shows their machine code with the hot spots.
# Skips the first DELAY ms (compile and warm-up) so the profile is of warm code.
# Usage: bench/experiments/perf-jit.sh [DELAY_MS] -- node-args...
#   bench/experiments/perf-jit.sh 6000 -- --no-use-osr --import tsx bench/experiments/pinky.ts compiled 12
# (paths relative to the repository are made absolute: the run's working directory is the output's)
# Redirect its output to a file rather than into `head`: a closed pipe ends the recording early.
# Then: perf annotate -i $OUT/perf.jit.data --stdio -s 'JS:*r8 ...'  (symbol names as the report prints)
set -euo pipefail
delay=${1:-6000}
shift
[ "${1:-}" = "--" ] && shift
command -v perf >/dev/null || { echo "perf-jit: needs linux perf (apt install linux-perf)" >&2; exit 2; }
out=$(mktemp -d /tmp/pvm2js-perf.XXXXXX)
# V8 writes jit-<pid>.dump into the working directory and perf inject writes one .so per function
# next to it: both go to $out, not into the repository.
root=$(cd "$(dirname "$0")/../.." && pwd)
ln -s "$root/node_modules" "$out/node_modules"
args=()
for a in "$@"; do if [ -e "$root/$a" ]; then args+=("$root/$a"); else args+=("$a"); fi; done
(cd "$out" && perf record -e cpu-clock -F 4000 -D "$delay" -k mono -o "$out/perf.data" node --perf-prof "${args[@]}")
perf inject --jit -i "$out/perf.data" -o "$out/perf.jit.data"
perf report -i "$out/perf.jit.data" --no-children --sort sym --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | cut -c1-120 | head -40
echo "perf-jit: data in $out (perf.jit.data)"
