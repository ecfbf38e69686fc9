#!/usr/bin/env bash
# Runs walstow's whole test suite: unit tests, storage contract tests, real gpg/zstd interop, and end-to-end
# tests against real PostgreSQL 15 servers. Installs what a fresh Debian 12 machine lacks (needs root for that).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
source scripts/prerequisites.sh
ensure_prerequisites
exec mvn -B -ntp verify "$@"
