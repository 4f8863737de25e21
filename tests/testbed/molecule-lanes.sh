#!/usr/bin/env bash
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# Run molecule scenarios, one lane after another or in parallel lanes. Scenarios never share a
# host name, a network or a published port (docs/CONVENTIONS.md), so lanes cannot meet.
# The scenarios are CPU-bound (ansible, podman exec, apt): on a 2-core machine two lanes took
# longer than one (default and fleet together: 1,501 s, one after the other: 1,337 s, both
# through podman exec, before the nsenter connection), so `make molecule` uses one lane; a CI
# runner with more cores can pass MOLECULE_LANES=N.
# Usage: [MIRRORKIT_NEWEST_CORE_SCENARIO=S] molecule-lanes.sh LANES LOG_DIR SCENARIO...
# Each scenario's whole output goes to LOG_DIR/<scenario>.log (with one lane, to the terminal
# too); with more, a failed one's log is printed when every lane has ended. Every scenario
# runs even after one failed; the exit status is 1 if any failed.
set -uo pipefail
lanes=$1 log_dir=$2; shift 2
step=$(dirname "$0")/step.sh
# This scenario runs with the newest supported ansible-core (tests/testbed/molecule-core.sh);
# the others with .venv's, the oldest. Empty: every scenario with .venv's.
newest_core_scenario=${MIRRORKIT_NEWEST_CORE_SCENARIO:-}
newest_core=$(sed -n 's/^ansible-core==//p' "$(find "$(dirname "$0")/.." -maxdepth 1 -name 'requirements-core-*.txt' | sort -V | tail -1)")

# Seconds each scenario took in a full `make test` (nsenter connection): only used to balance
# the lanes (longest first, each to the lane with the least work so far). A scenario missing
# here counts as 300 s.
declare -A seconds=([fleet]=277 [default]=271 [faults]=232 [serving]=149 [sync]=147 [tls]=118 [modules]=107)

if ! [[ $lanes =~ ^[1-9][0-9]*$ ]]; then
  echo "molecule-lanes.sh: MOLECULE_LANES is '$lanes'; it must be a whole number of 1 or more" >&2
  exit 2
fi
mkdir -p "$log_dir"

declare -a lane_work lane_list
for ((i = 0; i < lanes; i++)); do lane_work[i]=0; lane_list[i]=""; done
while read -r _ scenario; do
  least=0
  for ((i = 1; i < lanes; i++)); do
    (( lane_work[i] < lane_work[least] )) && least=$i
  done
  lane_work[least]=$(( lane_work[least] + ${seconds[$scenario]:-300} ))
  lane_list[least]+=" $scenario"
done < <(for s in "$@"; do echo "${seconds[$s]:-300} $s"; done | sort -rn)

run_lane() {
  local scenario run core name
  for scenario in "$@"; do
    rm -f "$log_dir/$scenario.failed"
    run="molecule test -s" core="" name="molecule/$scenario"
    if [ "$scenario" = "$newest_core_scenario" ]; then
      run="$(dirname "$0")/molecule-core.sh" core=", with ansible-core $newest_core"
      name="molecule/$scenario (ansible-core $newest_core)"
    fi
    # step.sh's start and end lines reach the terminal; molecule's output goes to the log.
    # shellcheck disable=SC2016  # $1 to $4 are the inner shell's arguments
    if ! "$step" --name "$name" "molecule scenario '$scenario' (its molecule.yml test sequence$core; log: $log_dir/$scenario.log)" \
        bash -o pipefail -c 'if [ "$3" = 1 ]; then $4 "$1" < /dev/null 2>&1 | tee "$2";
                             else $4 "$1" > "$2" 2>&1 < /dev/null; fi' \
          _ "$scenario" "$log_dir/$scenario.log" "$lanes" "$run"; then
      touch "$log_dir/$scenario.failed"
    fi
  done
}

pids=()
for ((i = 0; i < lanes; i++)); do
  [ -n "${lane_list[i]}" ] || continue
  echo "molecule lane $((i + 1)) of $lanes:${lane_list[i]}"
  read -ra scenarios <<< "${lane_list[i]}"
  run_lane "${scenarios[@]}" &
  pids+=($!)
done
# Ctrl-C or a CI timeout stops every lane, not only the shell.
trap 'kill "${pids[@]}" 2>/dev/null; exit 130' INT TERM
wait "${pids[@]}"

failed=0
for scenario in "$@"; do
  if [ -e "$log_dir/$scenario.failed" ]; then
    failed=1
    if (( lanes > 1 )); then
      printf '\n\033[1;31m==> molecule scenario %s failed; its output:\033[0m\n' "$scenario" >&2
      cat "$log_dir/$scenario.log" >&2
    else
      printf '\033[1;31m==> molecule scenario %s failed (its output is above)\033[0m\n' "$scenario" >&2
    fi
  fi
done
exit $failed
