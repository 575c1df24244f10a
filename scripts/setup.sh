#!/usr/bin/env bash
# Creates .venv with Python 3.10 and installs requirements.lock in one resolver run, then the project
# itself editable (pyproject.toml; .venv/bin/telebot), then the web widget's npm packages
# (web/package-lock.json). With --test it also makes sure Debian's chromium and chromium-driver are
# there for the browser tests; with --test or --production, Debian's nginx (the production profile's
# load balancer). With --test or --lint it installs the lint tools
# (requirements-dev.txt, constrained by requirements.lock); --lint stops there (no npm, no apt).
# Re-running when nothing changed takes about a second (stamps of the lock files are kept).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP="$VENV/.requirements.sha256"
DEV_STAMP="$VENV/.requirements-dev.sha256"
MODE="${1:-}"

is_python310() {
  "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1
}

find_python310() {
  local candidate
  for candidate in "${PYTHON310:-}" python3.10 "$HOME"/.pyenv/versions/3.10.*/bin/python3.10 \
      /usr/local/bin/python3.10 /usr/bin/python3.10; do
    [ -n "$candidate" ] || continue
    if is_python310 "$candidate"; then
      command -v "$candidate" || echo "$candidate"
      return 0
    fi
  done
  return 1
}

if [ ! -x "$VENV/bin/python" ] || ! is_python310 "$VENV/bin/python"; then
  if ! PYTHON=$(find_python310); then
    cat >&2 <<'MSG'
setup: Python 3.10 was not found.
Rasa Open Source 3.6 runs on Python 3.8-3.10 only. Install Python 3.10, for example
  pyenv install 3.10.13        (or: apt-get install python3.10 python3.10-venv)
or point PYTHON310 at a python3.10 executable, then run this command again.
MSG
    exit 1
  fi
  echo "setup: creating $VENV with $PYTHON"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
fi

want=$(cat requirements.lock scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing requirements.lock into $VENV (about two minutes the first time)"
  if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
      -r requirements.lock > "$VENV/pip.log" 2>&1; then
    grep -v "^WARNING: Location .* is ignored" "$VENV/pip.log" >&2
    echo "setup: installing the requirements failed (pip's messages above)" >&2
    exit 1
  fi
  echo "$want" > "$STAMP"
fi

# The project itself, editable (pyproject.toml): the code runs from this checkout and the console script
# is $VENV/bin/telebot. Offline and without build isolation, with the venv's own setuptools and wheel: PEP 660
# editable installs need setuptools 64 or newer, and rasa 3.6.21 pins setuptools 70.3 and wheel.
PROJECT_STAMP="$VENV/.project.sha256"
want_project=$( { cat pyproject.toml; pwd; } | sha256sum | cut -d' ' -f1)
if [ "$(cat "$PROJECT_STAMP" 2>/dev/null)" != "$want_project" ]; then
  if ! "$VENV/bin/python" -c 'import sys, setuptools, wheel; sys.exit(int(setuptools.__version__.split(".")[0]) < 64)' \
      >/dev/null 2>&1; then
    echo "setup: $VENV lacks setuptools 64 or newer, or wheel (requirements.lock brings both); delete $VENV and" \
      "run this again" >&2
    exit 1
  fi
  if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
      --no-index --no-deps --no-build-isolation -e . > "$VENV/pip-project.log" 2>&1; then
    cat "$VENV/pip-project.log" >&2
    echo "setup: installing the project (pip install -e .) failed (pip's messages above)" >&2
    exit 1
  fi
  echo "$want_project" > "$PROJECT_STAMP"
fi

# The lint tools (ruff, mypy) for `make lint` and `make test`; -c keeps every runtime pin where it is.
if [ "$MODE" = "--test" ] || [ "$MODE" = "--lint" ]; then
  want_dev=$(cat requirements-dev.txt requirements.lock scripts/setup.sh | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$DEV_STAMP" 2>/dev/null)" != "$want_dev" ]; then
    echo "setup: installing the lint tools (requirements-dev.txt) into $VENV"
    if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
        -r requirements-dev.txt -c requirements.lock > "$VENV/pip-dev.log" 2>&1; then
      grep -v "^WARNING: Location .* is ignored" "$VENV/pip-dev.log" >&2
      echo "setup: installing the lint tools failed (pip's messages above)" >&2
      exit 1
    fi
    echo "$want_dev" > "$DEV_STAMP"
  fi
fi
[ "$MODE" != "--lint" ] || exit 0

# The web widget's front-end packages, served locally by bot/services/site (never from a CDN).
if ! command -v npm >/dev/null 2>&1; then
  echo "setup: npm was not found; the web widget needs Node.js and npm (apt-get install nodejs npm)" >&2
  exit 1
fi
WEB_STAMP=web/node_modules/.package-lock.sha256
want_web=$(sha256sum web/package-lock.json | cut -d' ' -f1)
if [ "$(cat "$WEB_STAMP" 2>/dev/null)" != "$want_web" ]; then
  echo "setup: installing the web widget's npm packages (web/package-lock.json)"
  if ! npm ci --prefix web --no-audit --no-fund > "$VENV/npm.log" 2>&1; then
    cat "$VENV/npm.log" >&2
    echo "setup: npm ci failed (npm's messages above)" >&2
    exit 1
  fi
  echo "$want_web" > "$WEB_STAMP"
fi

apt_install() {  # apt_install LOG PACKAGE...: Debian packages, without starting any service they bring
  local log="$1"; shift
  local SUDO="" added_policy=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod +x /usr/sbin/policy-rc.d
    added_policy=1
  fi
  local status=0
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@"; } > "$log" 2>&1 || status=$?
  [ -z "$added_policy" ] || $SUDO rm -f /usr/sbin/policy-rc.d
  return $status
}

# The production profile's load balancer (and its tests).
if { [ "$MODE" = "--test" ] || [ "$MODE" = "--production" ]; } && [ ! -x /usr/sbin/nginx ]; then
  echo "setup: installing nginx for the production profile (Debian package)"
  if ! apt_install "$VENV/apt-nginx.log" nginx; then
    cat "$VENV/apt-nginx.log" >&2
    echo "setup: could not install nginx (apt-get's messages above)" >&2
    exit 1
  fi
fi

# Browser tests drive Debian's chromium through chromium-driver.
if [ "$MODE" = "--test" ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || [ ! -d /usr/share/fonts/truetype/wqy ]; }; then
  echo "setup: installing chromium and chromium-driver for the browser tests (Debian packages)"
  if ! apt_install "$VENV/apt.log" chromium chromium-driver fonts-wqy-zenhei; then
    cat "$VENV/apt.log" >&2
    echo "setup: could not install chromium and chromium-driver (apt-get's messages above)" >&2
    exit 1
  fi
fi
