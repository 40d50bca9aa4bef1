#!/usr/bin/env bash
# Creates (or refreshes) the project's virtual environment in .venv; sourced by start.sh and test.sh.
# Works on a fresh machine: finds Python >= 3.11, installs the package with its test extras, and on
# Debian/Ubuntu as root installs the few system libraries Qt needs if they are missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

find_python() {
  for cand in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$cand" ] || continue
    if command -v "$cand" >/dev/null 2>&1 &&
       "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$cand"; return 0
    fi
  done
  echo "RSA Desktop behöver Python 3.11 eller senare (hittade ingen)." >&2
  return 1
}

ensure_qt_system_libs() {
  # The PySide6 wheels bundle Qt itself but rely on these system libraries.
  local missing=()
  local lib pkg
  local pairs="libEGL.so.1:libegl1 libGL.so.1:libgl1 libxkbcommon.so.0:libxkbcommon0
               libfontconfig.so.1:libfontconfig1 libdbus-1.so.3:libdbus-1-3 libglib-2.0.so.0:libglib2.0-0"
  if [ -n "${RSA_NEED_DISPLAY_LIBS:-}" ]; then
    # A real window (Qt's xcb plugin) needs these as well; the tests run offscreen without them.
    pairs="$pairs libxcb-cursor.so.0:libxcb-cursor0 libxkbcommon-x11.so.0:libxkbcommon-x11-0
           libxcb-icccm.so.4:libxcb-icccm4 libxcb-keysyms.so.1:libxcb-keysyms1 libxcb-shape.so.0:libxcb-shape0
           libxcb-render-util.so.0:libxcb-render-util0 libxcb-image.so.0:libxcb-image0"
  fi
  for pair in $pairs; do
    lib="${pair%%:*}"; pkg="${pair##*:}"
    ldconfig -p 2>/dev/null | grep -q "$lib" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "Installerar systembibliotek för Qt: ${missing[*]}"
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
        echo "Varning: kunde inte installera ${missing[*]}; Qt kan sakna bibliotek." >&2
    else
      echo "Varning: systembibliotek för Qt saknas: ${missing[*]} (installera dem med pakethanteraren)." >&2
    fi
  fi
}

PY="$(find_python)"
if [ ! -x "$VENV/bin/python" ]; then
  echo "Skapar programmiljön i $VENV …"
  "$PY" -m venv "$VENV"
fi
STAMP="$VENV/.installed-$(cat "$ROOT/pyproject.toml" "$ROOT/installer/requirements-lock.txt" | sha256sum | cut -c1-16)"
if [ ! -f "$STAMP" ]; then
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  # The lock as constraints: development and the tests run on exactly the versions that are shipped.
  "$VENV/bin/python" -m pip install --quiet -c "$ROOT/installer/requirements-lock.txt" -e "$ROOT[test]"
  rm -f "$VENV"/.installed-*
  touch "$STAMP"
fi
# The program's own bytecode, compiled once (the editable install leaves it to the first start, and with
# PYTHONDONTWRITEBYTECODE set every start compiled all of it again, ~0.2 s). Only changed files are redone.
"$VENV/bin/python" -m compileall -q -j 0 "$ROOT/rsa_desktop" >/dev/null 2>&1 || true
if [ "$(uname -s)" = Linux ]; then ensure_qt_system_libs; fi
