#!/usr/bin/env bash
# Prints the benchmark figures (see docs/benchmarks.md). Options: --citizens N --messages-per-citizen N --concurrency N
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/node-tools.sh
exec dotnet run -c Release --project bench/GoldbachActors.Benchmarks -- "$@"
