#!/usr/bin/env bash
# Every check Liaison must pass, in order: formatting, lint, types, import cycles, the code's shape, the
# table types against the migrated schema, unit tests, database
# tests on the embedded PGlite and on a real PostgreSQL server, browser journeys in Chromium, and a
# short fault drill of the production topology.
# Runs every stage even when an earlier one fails, prints a summary table and ends with the line
# `N passed, N failed` (tests passed; tests failed plus any failed check). Exits non-zero on any failure.
#
#   npm run test:all
set -euo pipefail
cd "$(dirname "$0")/.."
export CI="${CI:-true}"
export FORCE_COLOR=0
# The database tests choose their target from TEST_DATABASE_URL: start from PGlite.
unset TEST_DATABASE_URL

mkdir -p tmp
results="tmp/test-results"
rm -rf "$results"
mkdir -p "$results"
started=$(date +%s)

stages=()
declare -A status passed failed seconds
total_passed=0
total_failed=0

banner() { printf '\n==== %s ====\n' "$1"; }

record() { # name exit-code passed failed seconds
  stages+=("$1")
  if [ "$2" -eq 0 ]; then status[$1]=pass; else status[$1]=FAIL; fi
  passed[$1]=$3
  failed[$1]=$4
  seconds[$1]=$5
  total_passed=$((total_passed + $3))
  total_failed=$((total_failed + $4))
}

# A check without test counts: counts as one failure when it fails.
run_check() { # name command...
  local name=$1
  shift
  banner "$name"
  local t0 rc=0
  t0=$(date +%s)
  timeout --kill-after=10 "${CHECK_SECONDS:-600}" "$@" </dev/null || rc=$?
  record "$name" "$rc" 0 "$([ "$rc" -eq 0 ] && echo 0 || echo 1)" $(($(date +%s) - t0))
}

# A vitest project: counts come from its JSON report. A run that fails without a failing test
# (a crash, an error outside tests, a timeout) counts as one failure.
run_vitest() { # name project [env assignments...] [-- test files...]
  local name=$1 project=$2
  shift 2
  banner "$name"
  local t0 rc=0 report="$results/$name.json"
  t0=$(date +%s)
  # Environment assignments, then (after --) the test files, when not the whole project.
  local assignments=() files=()
  while [ "$#" -gt 0 ]; do
    if [ "$1" = -- ]; then
      shift
      files=("$@")
      break
    fi
    assignments+=("$1")
    shift
  done
  env "${assignments[@]}" timeout --kill-after=10 2400 npx vitest run --project "$project" --passWithNoTests \
    --reporter=default --reporter=json --outputFile="$report" "${files[@]}" </dev/null || rc=$?
  local counts p=0 f=0
  if [ -s "$report" ]; then
    counts=$(node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      console.log(`${r.numPassedTests ?? 0} ${r.numFailedTests ?? 0}`);
    ' "$report" 2>/dev/null || echo "0 0")
    read -r p f <<<"$counts"
  fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  record "$name" "$rc" "$p" "$f" $(($(date +%s) - t0))
}

# Debian's packages the browser journeys need (never a downloaded browser): Chromium, and nginx for
# the journeys through it. The drill's script installs the rest of the topology itself.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ "${#missing[@]}" -gt 0 ]; then
  banner "installing ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" </dev/null || true
    # The package's own nginx service is not wanted: the tests start their own.
    if [ -f /run/nginx.pid ]; then /usr/sbin/nginx -s stop 2>/dev/null || true; fi
  else
    echo "Missing ${missing[*]}; installing needs root: apt-get install -y ${missing[*]}" >&2
  fi
fi

run_check build npm run build --silent
run_check format npm run format:check --silent
run_check lint npm run lint --silent
run_check typecheck npm run typecheck --silent
run_check cycles npm run check:cycles --silent
run_check shape npm run check:shape --silent
run_check schema npm run check:schema --silent
run_vitest unit unit
run_vitest db-pglite 'db*'

# The same database tests on a throwaway PostgreSQL server, stopped again on exit.
export PG_TEST_DIR="/tmp/liaison-pg-test-all-$$"
trap 'bash scripts/pg-test-server.sh stop >/dev/null 2>&1 || true' EXIT
pg_url=""
if pg_env=$(bash scripts/pg-test-server.sh start </dev/null); then
  pg_url=${pg_env#export TEST_DATABASE_URL=}
fi
if [ -n "$pg_url" ]; then
  run_vitest db-postgres 'db*' "TEST_DATABASE_URL=$pg_url"
else
  banner db-postgres
  echo "The PostgreSQL test server did not start." >&2
  record db-postgres 1 0 1 0
fi

run_vitest e2e e2e
# Three of the same journeys again, unchanged, through a real nginx in front of two instances of the
# application (round-robin, no stickiness): sessions, CSRF and flash messages must hold across them.
run_vitest e2e-nginx e2e E2E_VIA_NGINX=1 -- test/e2e/complaints.test.ts test/e2e/accounts.test.ts test/e2e/case-correspondence.test.ts

# The fault drill at its small size: the production topology (nginx, two web processes, workers,
# mail-in, PgBouncer, a primary and a replica) losing each part under load (docs/operations.md).
# It starts a dozen processes: on a busy machine it may take several minutes.
CHECK_SECONDS=1500 run_check drill env DRILL_SIZE=small npm run drill --silent

printf '\n==== summary ====\n'
printf '%-12s %-6s %8s %8s %8s\n' stage result passed failed seconds
for name in "${stages[@]}"; do
  printf '%-12s %-6s %8s %8s %8s\n' "$name" "${status[$name]}" "${passed[$name]}" "${failed[$name]}" "${seconds[$name]}"
done
# The failing tests by name, with the start of their message: the end of a long log is often all
# that is read of it.
node -e '
  const fs = require("fs");
  const lines = [];
  for (const file of fs.readdirSync(process.argv[1]).filter((f) => f.endsWith(".json")).sort()) {
    let report;
    try { report = JSON.parse(fs.readFileSync(`${process.argv[1]}/${file}`, "utf8")); } catch { continue; }
    for (const suite of report.testResults ?? []) {
      const where = suite.name.replace(`${process.cwd()}/`, "");
      const failedTests = (suite.assertionResults ?? []).filter((t) => t.status === "failed");
      for (const t of failedTests) {
        const why = (t.failureMessages ?? []).join(" ").replace(/\s+/g, " ").slice(0, 300);
        lines.push(`${file.replace(/\.json$/, "")}: ${where} > ${t.fullName}\n    ${why}`);
      }
      if (failedTests.length === 0 && suite.status === "failed") {
        lines.push(`${file.replace(/\.json$/, "")}: ${where} failed outside its tests: ${(suite.message ?? "").replace(/\s+/g, " ").slice(0, 300)}`);
      }
    }
  }
  if (lines.length > 0) console.log(`failing tests:\n${lines.slice(0, 20).join("\n")}`);
' "$results" 2>/dev/null || true
printf 'total time: %ss\n' $(($(date +%s) - started))
printf '%s passed, %s failed\n' "$total_passed" "$total_failed"
[ "$total_failed" -eq 0 ]
