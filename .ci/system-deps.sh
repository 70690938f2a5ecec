#!/usr/bin/env bash
# Installs the Debian packages the test-suite needs, only when they are missing, and makes sure the
# local PostgreSQL (used by the hub tests) is running and accepts passwordless loopback TCP for the
# user postgres. Safe to run repeatedly.
set -euo pipefail
need=()
command -v pdfsig >/dev/null 2>&1 || need+=(poppler-utils)
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
command -v certutil >/dev/null 2>&1 || need+=(libnss3-tools)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
fresh_postgres=0
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    case " ${need[*]} " in *" postgresql "*) fresh_postgres=1 ;; esac
  else
    echo "missing Debian packages: ${need[*]} (install them with apt-get)" >&2
    exit 1
  fi
fi

# PostgreSQL on 127.0.0.1:5432 for the hub tests.
pg_version() { { ls /etc/postgresql 2>/dev/null || true; } | sort -V | tail -n 1; }
pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if command -v pg_ctlcluster >/dev/null 2>&1; then
  ver=$(pg_version)
  if [ -z "$ver" ] && [ "$(id -u)" = "0" ] && command -v pg_createcluster >/dev/null 2>&1 \
      && [ -d /usr/lib/postgresql ]; then
    # Some minimal images install the server without creating the default cluster.
    ver=$({ ls /usr/lib/postgresql 2>/dev/null || true; } | sort -V | tail -n 1)
    pg_createcluster "$ver" main >/dev/null
    fresh_postgres=1
  fi
  if [ -n "$ver" ]; then
    hba="/etc/postgresql/$ver/main/pg_hba.conf"
    # Debian's default pg_hba asks for a password on TCP. The tests (and CI) connect as postgres
    # over loopback without one, so a fresh install trusts 127.0.0.1 only (first match wins).
    if [ "$fresh_postgres" = "1" ] && [ -w "$hba" ] \
        && ! grep -Eq '^host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
      sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
      if pg_up; then
        pg_ctlcluster --skip-systemctl-redirect "$ver" main reload || true
      fi
    fi
    if ! pg_up; then
      pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
    fi
  fi
fi
if ! pg_up; then
  echo "warning: PostgreSQL is not reachable on 127.0.0.1:5432; the PostgreSQL hub tests will fail" >&2
fi
