#!/usr/bin/env bash
# Runs every test: installs what is needed (npm ci for Azurite and the web inbox's build, Debian's chromium for the
# browser tests and prometheus for the observability tests, NuGet restore), builds the web inbox and the .NET
# solution with warnings as errors, checks the code style, runs the xunit suite (unit, grain, Azurite, end-to-end
# tests on real sockets, the web inbox in headless Chromium, a real Prometheus) and a smoke test of ./run.sh.
# Ends with one line "N passed, N failed"; exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")"
command -v dotnet >/dev/null || { echo "test.sh: the .NET 10 SDK is needed (dotnet on PATH)." >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

. scripts/node-tools.sh || exit 1
. scripts/debian-package.sh
debian_package chromium chromium || exit 1
debian_package prometheus prometheus promtool || exit 1

passed=0
failed=0
step() { # name, command...: a check outside xunit counts as one test
  local name=$1; shift
  echo "== $name"
  if "$@"; then passed=$((passed + 1)); else echo "FAILED: $name"; failed=$((failed + 1)); fi
}

# The web inbox (TypeScript, type-checked, client generated from the .proto) first: the gateway's tests serve it.
if ! npm run --silent web:build || ! dotnet build GoldbachActors.sln -nologo -clp:ErrorsOnly; then
  echo "0 passed, 1 failed"
  exit 1
fi
step "code style (dotnet format --verify-no-changes)" dotnet format GoldbachActors.sln --verify-no-changes --no-restore
step "web inbox modules import no cycle (dpdm)" npm run --silent web:cycles
step "Kubernetes manifests render (kustomize) and validate against the schemas" deploy/k8s/check.sh

log=$(mktemp)
rm -f artifacts/cluster-test.txt
# A test that hangs is stopped after 10 minutes and named (no dump: the name is what matters).
dotnet test GoldbachActors.sln --no-build -nologo --blame-hang-timeout 10m --blame-hang-dump-type none 2>&1 | tee "$log"
test_rc=${PIPESTATUS[0]}
read -r xpassed xfailed xskipped xtotal < <(grep -E '^(Passed|Failed)!' "$log" \
  | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+), Total: *([0-9]+).*/\2 \1 \3 \4/' \
  | awk '{p += $1; f += $2; s += $3; t += $4} END {print p + 0, f + 0, s + 0, t + 0}')
if [ "$test_rc" -ne 0 ] && [ "$xfailed" -eq 0 ]; then
  echo "dotnet test failed without a failing test (a crashed or aborted test run)."
  xfailed=1
fi
# Fewer tests than the suite had when the count was last raised, or a skipped one, is a failure too: a test that
# silently stops running proves nothing. Raise tests/minimum-test-count when adding tests.
minimum=$(cat tests/minimum-test-count)
if [ "$xtotal" -lt "$minimum" ]; then
  echo "FAILED: $xtotal tests ran, fewer than the $minimum of tests/minimum-test-count."
  xfailed=$((xfailed + 1))
fi
if [ "$xskipped" -gt 0 ]; then
  echo "FAILED: $xskipped tests were skipped."
  xfailed=$((xfailed + 1))
fi
[ -f artifacts/cluster-test.txt ] && cat artifacts/cluster-test.txt
passed=$((passed + xpassed))
failed=$((failed + xfailed))
rm -f "$log"

step "run command smoke test (./run.sh, a simulated citizen, the acknowledgement at the stand-in)" tests/smoke/run-command.sh

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
