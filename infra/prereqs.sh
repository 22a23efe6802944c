#!/usr/bin/env bash
# The machine's prerequisites, checked before anything builds or starts, for the README's two
# commands: `infra/prereqs.sh stack` (make up, make demo, make bench) and `infra/prereqs.sh test`
# (make test: also docker-compose to validate docker-compose.yml, and chromium with
# chromium-driver for the console's browser test). Missing Debian packages are installed with
# apt-get when this runs as root (or with password-less sudo); otherwise it says what to install.
set -euo pipefail
need=${1:-stack}
case "$need" in stack | test) ;; *) echo "usage: $0 stack|test" >&2; exit 2 ;; esac

problems=()
packages=()

# Java 17 or newer and Maven come with the machine: they are not installed here.
if ! command -v java > /dev/null; then
  problems+=("java is not on PATH: install a JDK 17 or newer")
# The version line, not the first: JDK_JAVA_OPTIONS (stack.py env sets it) adds a "Picked up" line first.
elif ! java -version 2>&1 | grep -m1 ' version "' | grep -Eq '"(1[7-9]|[2-9][0-9])[."]'; then
  problems+=("Java 17 or newer is needed; java -version says: $(java -version 2>&1 | grep -m1 ' version ')")
fi
command -v mvn > /dev/null || problems+=("mvn is not on PATH: install Maven 3.8 or newer")
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2> /dev/null; then
  problems+=("Python 3.11 or newer is needed as python3")
fi

# Debian packages: the stack's PostgreSQL, venv for the project's virtualenvs ...
if ! ls /usr/lib/postgresql/*/bin/postgres > /dev/null 2>&1 && [ -z "${USERSTREAM_PG_BIN:-}" ]; then
  packages+=(postgresql-15)
fi
command -v psql > /dev/null || packages+=(postgresql-client-15)
python3 -c 'import ensurepip, venv' > /dev/null 2>&1 || packages+=(python3-venv)
# ... and for make test, Compose (validates docker-compose.yml; no Docker engine is used) and a
# headless browser for the console's test.
if [ "$need" = test ]; then
  command -v docker-compose > /dev/null || packages+=(docker-compose)
  [ -x /usr/bin/chromium ] || packages+=(chromium)
  [ -x /usr/bin/chromedriver ] || packages+=(chromium-driver)
fi

if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    sudo=()
  elif command -v sudo > /dev/null && sudo -n true 2> /dev/null; then
    sudo=(sudo -n)
  else
    sudo=(none)
  fi
  if [ "${sudo[0]:-}" = none ] || ! command -v apt-get > /dev/null; then
    problems+=("missing Debian packages: ${packages[*]} (install them: sudo apt-get install ${packages[*]})")
  else
    echo "[prereqs] installing ${packages[*]} with apt-get (once)"
    if ! { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${packages[@]}" > /dev/null; }; then
      problems+=("apt-get could not install ${packages[*]}; install them by hand")
    fi
  fi
fi

if [ ${#problems[@]} -gt 0 ]; then
  echo "[prereqs] this machine cannot run userstream yet (Linux with Debian packages is what it supports):" >&2
  printf '  - %s\n' "${problems[@]}" >&2
  exit 1
fi
