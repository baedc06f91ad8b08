#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing and we may (root + apt): Chromium,
# poppler, DejaVu fonts, PostgreSQL (its server is started by the tests' own fixture, never as a service) and
# HAProxy (make serve's load balancer, started by the script or the test, never as a service).
# Elsewhere it says loudly what is missing; the browser and database tests then skip, except under CI=true.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)     # the journal tests' real database
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need+=(haproxy)   # make serve's load balancer
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages: ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  exit $?
fi
echo "WARNING: missing Debian packages ${need[*]} and not root: browser and PDF tests will skip" >&2
[ "${CI:-}" = "true" ] && exit 1
exit 0
