#!/usr/bin/env bash
# Starts RSA Desktop (creates the environment in .venv the first time). Usage: ./start.sh [FIL.rsa]
set -euo pipefail
cd "$(dirname "$0")"
export RSA_NEED_DISPLAY_LIBS=1  # a real window needs the xcb libraries too
source scripts/bootstrap.sh
if [ "$(uname -s)" = Linux ] && [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "Ingen skärm hittades. Starta i en grafisk session, eller prova: xvfb-run ./start.sh" >&2
  exit 1
fi
exec .venv/bin/rsa-desktop "$@"
