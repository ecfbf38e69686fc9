#!/usr/bin/env bash
# Runs walstow's whole test suite: unit tests, storage contract tests, real gpg/zstd interop, and end-to-end
# tests against real PostgreSQL servers (Debian's 15; 13, 14, 16, 17 and 18 from Maven Central). As root on Debian
# it also installs the built .deb with dpkg and purges it again (-Dwalstow.it.deb=false skips that).
# Installs what a fresh Debian 12 machine lacks (needs root for that).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
source scripts/prerequisites.sh
ensure_prerequisites
exec mvn -B -ntp verify "$@"
