#!/usr/bin/env bash
# Installs the Debian packages dhti needs beyond Python: Pango for WeasyPrint (PDF reports), and
# for the tests Chromium (HTML reports in a real browser), npm (axe-core, which audits them) and
# poppler-utils (PDF pages as images).
# Idempotent: installs only what is missing. Usage: scripts/install-system-deps.sh [runtime|test]
set -euo pipefail
want=${1:-test}
need=()
have_lib() { ldconfig -p 2>/dev/null | grep -F "$1" >/dev/null; }  # not grep -q: an early exit breaks the pipe under pipefail
have_lib libpango-1.0.so.0 || need+=(libpango-1.0-0)
have_lib libpangoft2-1.0.so.0 || need+=(libpangoft2-1.0-0)
have_lib libharfbuzz-subset.so.0 || need+=(libharfbuzz-subset0)
if [ "$want" = test ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
  # PostgreSQL server binaries: the store tests start a throwaway cluster (scripts/postgres-test-server.sh).
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
fi
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing system packages: ${need[*]}" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-get not found: install ${need[*]} with your system's package manager" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
