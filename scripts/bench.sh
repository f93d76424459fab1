#!/usr/bin/env bash
# Runs the benchmarks (benches/rules.rs, decode.rs, storage.rs) and prints
# every goal of docs/performance.md with its measured ratio in one table.
#
#   scripts/bench.sh                                   # everything, criterion's defaults
#   scripts/bench.sh -- --warm-up-time 1 --measurement-time 3   # shorter
#   scripts/bench.sh -- --quick                        # shorter still, rougher
#   scripts/bench.sh -- check_capture                  # only the ids matching a filter
#   scripts/bench.sh --table                           # the table of the last run, nothing run
#
# Every argument is passed to `cargo bench` after the benchmark names. Each
# figure is criterion's median point estimate (target/criterion/<group>/<id>/
# new/estimates.json); each ratio divides a figure by its baseline, measured
# in the same run. A row whose figures are older than this run (filtered out,
# or failed) says "not run". The command-line goal is scripts/startup.sh's.
# Needs cargo and python3; builds what it needs. Exits non-zero only when the
# benchmarks fail to build or run: a goal not met is a figure, not an error.
set -euo pipefail
cd "$(dirname "$0")/.."

table_only=false
if [[ ${1:-} == --table ]]; then
    table_only=true
    shift
fi

machine() {
    local cpu cores
    cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
    cores=$(grep -c '^processor' /proc/cpuinfo)
    echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "machine: ${cpu:-unknown CPU}, $cores logical cores ($(nproc) available)"
    echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
    echo "rustc:   $(rustc --version)"
    echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
}

machine
started=$(date +%s)
if ! $table_only; then
    cargo bench --bench rules --bench decode --bench storage "$@"
    echo
    echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
else
    started=0
fi

criterion_dir=${CRITERION_HOME:-${CARGO_TARGET_DIR:-target}/criterion}
python3 - "$criterion_dir" "$started" <<'PY'
import json
import os
import sys

root, started = sys.argv[1], int(sys.argv[2])


def median(group, bench_id):
    """The median in ns, or None when absent or older than this run."""
    path = os.path.join(root, group, *bench_id.split("/"), "new", "estimates.json")
    try:
        if os.path.getmtime(path) < started:
            return None
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"]
    except (OSError, KeyError, ValueError):
        return None


def human(ns):
    if ns is None:
        return "-"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


rows = []


def goal(name, group, measured_id, baseline_id, target):
    measured, baseline = median(group, measured_id), median(group, baseline_id)
    if measured is None or baseline is None:
        rows.append((name, human(measured), human(baseline), "-", f"≤ {target}×", "not run"))
        return
    ratio = measured / baseline
    verdict = "met" if ratio <= target else "NOT MET"
    rows.append((name, human(measured), human(baseline), f"{ratio:.2f}×", f"≤ {target}×", verdict))


for op in ("capture", "refund"):
    for n in (3, 1000):
        goal(f"1 check {op}, {n} captures", "rules", f"check_{op}/{n}", f"baseline_check/{op}", 5)
for op in ("capture", "refund"):
    goal(f"1 check {op}: 1000 vs 3 captures", "rules", f"check_{op}/1000", f"check_{op}/3", 1.5)
goal("2 check+apply capture, first", "rules", "apply_capture/0", "baseline_apply/capture", 8)
goal("2 check+apply capture, 3 before", "rules", "apply_capture/3", "baseline_apply/capture", 8)
goal("2 check+apply refund, 3 captures", "rules", "apply_refund/3", "baseline_apply/refund", 8)

decode_dir = os.path.join(root, "decode", "from_json")
inputs = sorted(os.listdir(decode_dir)) if os.path.isdir(decode_dir) else []
for name in inputs:
    goal(f"3 decode+rehydrate {name}", "decode", f"from_json/{name}", f"baseline/{name}", 1.10)
if not inputs:
    rows.append(("3 decode+rehydrate", "-", "-", "-", "≤ 1.1×", "not run"))

goal("6 storage encode, typical", "storage", "encode/typical", "baseline_encode/typical", 1.5)
goal("6 storage decode, typical", "storage", "decode/typical", "baseline_decode/typical", 1.5)

header = ("goal", "measured", "baseline", "ratio", "target", "verdict")
widths = [max(len(str(row[i])) for row in rows + [header]) for i in range(len(header))]
print()
print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
print("  ".join("-" * w for w in widths))
for row in rows:
    print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))

counted = [r for r in rows if r[5] != "not run"]
met = sum(r[5] == "met" for r in counted)
print()
print(f"{met} of {len(counted)} measured goals met; {len(rows) - len(counted)} not run.")

floor = median("rules", "baseline_apply/floor")
if floor is not None:
    print(f"The apply figures and their baselines include the batching itself, {human(floor)} "
          "(rules/baseline_apply/floor); net of it:")
    for op, measured_id in (("capture, first", "apply_capture/0"), ("capture, 3 before", "apply_capture/3"),
                            ("refund, 3 captures", "apply_refund/3")):
        baseline_id = "baseline_apply/" + op.split(",")[0]
        m, b = median("rules", measured_id), median("rules", baseline_id)
        if m is not None and b is not None:
            net_b = b - floor
            net = f"{(m - floor) / net_b:.1f}×" if net_b > 0.05 else "baseline within noise of the floor"
            print(f"  {op}: {human(m - floor)} against {human(net_b)}: {net}")
for n in (3, 1000):
    m, b = median("rules", f"check_capture_result/{n}"), median("rules", "baseline_check/capture")
    if m is not None and b is not None:
        print(f"check capture, {n} captures, the whole Result kept (rules/check_capture_result/{n}): "
              f"{human(m)}, {m / b:.2f}x the baseline (not a goal: the goal's figure is the decision)")
print("Goal 4 (the command line) is scripts/startup.sh's; goal 5 (audit) is scripts/audit_throughput.sh's "
      "and benches/audit.rs's.")
PY
