#!/usr/bin/env bash
# Builds the frozen RSA Desktop bundle for Linux, tests it away from any Python environment, and packs it.
#
#   installer/build_linux.sh            # from a clean clone; needs Python 3.11+ and the package index once
#
# Steps (installer/build_windows.ps1 does the same on Windows, in the same order):
#   1. build environment  build/venv: the pinned runtime (installer/requirements-lock.txt) + PyInstaller
#   2. generated inputs   installer/prepare_build.py: icon, version resource, resources/licenses/
#   3. freeze             PyInstaller with installer/rsa-desktop.spec → dist/rsa-desktop/
#   4. self-test          the bundle, copied to a temporary folder outside the checkout and run with an
#                         empty environment: `rsa-desktop --selftest`
#   5. GUI smoke start    `rsa-desktop --smoke-gui` off-screen: demo file, main window shown, quit
#   6. pack               dist/rsa-desktop-VERSION-linux-x86_64.tar.gz + dist/SHA256SUMS
#                         (and rsa-desktop/SHA256SUMS inside the bundle, for checking an installation)
# Exit code 0 only when every step passed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
VENV="$ROOT/build/venv"
DIST="$ROOT/dist"
T0=$SECONDS
step() { printf '\n== [%s s] %s\n' "$((SECONDS - T0))" "$*"; }

find_python() {
  for cand in "${PYTHON:-}" python3.11 python3.12 python3.13 python3; do
    [ -n "$cand" ] || continue
    if command -v "$cand" >/dev/null 2>&1 &&
       "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$cand"; return 0
    fi
  done
  echo "Python 3.11 eller senare behövs för att bygga." >&2
  return 1
}

step "1/6 Byggmiljö ($VENV)"
STAMP="$VENV/.installed-$(cat installer/requirements-lock.txt installer/requirements-build.txt | sha256sum | cut -c1-16)"
if [ ! -f "$STAMP" ]; then
  rm -rf "$VENV"
  "$(find_python)" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -r installer/requirements-lock.txt -r installer/requirements-build.txt
  touch "$STAMP"
fi
PY="$VENV/bin/python"
VERSION="$("$PY" -c 'import rsa_desktop; print(rsa_desktop.__version__)')"
echo "RSA Desktop $VERSION, $("$PY" --version), PyInstaller $("$PY" -m PyInstaller --version)"

step "2/6 Genererade filer (ikon, versionsresurs, licenser)"
"$PY" installer/prepare_build.py

step "3/6 PyInstaller (onedir)"
T_FREEZE=$SECONDS
rm -rf "$DIST/rsa-desktop"
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$DIST" --workpath "$ROOT/build/pyinstaller" installer/rsa-desktop.spec
T_FREEZE=$((SECONDS - T_FREEZE))
BUNDLE="$DIST/rsa-desktop"
[ -x "$BUNDLE/rsa-desktop" ] || { echo "PyInstaller skapade inget program i $BUNDLE" >&2; exit 1; }
SIZE_MB=$(du -sm "$BUNDLE" | cut -f1)
echo "Paketet: $BUNDLE, $SIZE_MB MB, $(find "$BUNDLE" -type f | wc -l) filer (frysning $T_FREEZE s)"

# Test a copy in a folder with a space in its name, outside the checkout, with an empty environment:
# no PATH to a Python, no PYTHONPATH, no VIRTUAL_ENV, a fresh HOME, the working directory elsewhere.
TESTDIR="$(mktemp -d /tmp/rsa-frozen-XXXXXX)"
trap 'rm -rf "$TESTDIR"' EXIT
cp -a "$BUNDLE" "$TESTDIR/RSA Desktop"
mkdir -p "$TESTDIR/home"
# Where allowed (root, Linux mount namespaces), the checkout (with build/venv and any .venv) and the
# Python installation itself are also hidden behind empty folders while the frozen program runs.
PYBASE="$("$PY" -c 'import sys; print(sys.base_prefix)')"
case "$PYBASE" in /|/usr|/usr/local) PYBASE="$ROOT" ;; esac  # a system Python: hide only the checkout
HIDE=""
if unshare --mount --propagation private true 2>/dev/null; then HIDE=1; fi
run_frozen() {
  local prefix=()
  [ -n "${WRAP:-}" ] && prefix=($WRAP)
  if [ -n "$HIDE" ]; then
    unshare --mount --propagation private bash -c '
      { mount -t tmpfs none "$1" && mount -t tmpfs none "$2"; } || exit 90
      shift 2; cd "$TESTHOME" && exec "$@"' _ "$ROOT" "$PYBASE" \
      env -i HOME="$TESTDIR/home" PATH=/usr/bin:/bin LANG=C.UTF-8 RSA_DESKTOP_DATA="$TESTDIR/home/data" \
      ${QPA:+QT_QPA_PLATFORM=$QPA} "${prefix[@]}" "$TESTDIR/RSA Desktop/rsa-desktop" "$@"
  else
    (cd "$TESTDIR/home" && env -i HOME="$TESTDIR/home" PATH=/usr/bin:/bin LANG=C.UTF-8 \
       RSA_DESKTOP_DATA="$TESTDIR/home/data" ${QPA:+QT_QPA_PLATFORM=$QPA} "${prefix[@]}" \
       "$TESTDIR/RSA Desktop/rsa-desktop" "$@")
  fi
}
export TESTHOME="$TESTDIR/home"
if [ -n "$HIDE" ]; then echo "Under testerna är $ROOT och $PYBASE dolda (tomma tmpfs)."; fi

step "4/6 Självtest av det frysta programmet (i $TESTDIR/RSA Desktop)"
T_SELF=$SECONDS
QPA="" run_frozen --selftest
T_SELF=$((SECONDS - T_SELF))
QPA="" run_frozen --version

step "5/6 GUI-röktest (offscreen)"
QPA=offscreen run_frozen --smoke-gui
if command -v xvfb-run >/dev/null 2>&1; then
  # With the real xcb platform plugin in an X server; only a warning, as it also depends on the X
  # libraries of the machine it runs on (build_windows.ps1 does the same with the windows plugin).
  echo "-- samma röktest i ett riktigt X-fönster (xvfb, plattformsinsticksmodulen xcb):"
  QPA=xcb WRAP="xvfb-run -a" run_frozen --smoke-gui || echo "VARNING: GUI-röktestet med xcb misslyckades (kod $?)" >&2
else
  echo "(xvfb-run saknas: xcb-röktestet hoppas över; installera paketet xvfb för att köra det)"
fi

step "6/6 Paketering"
(cd "$BUNDLE" && find . -type f ! -name SHA256SUMS -print0 | LC_ALL=C sort -z | xargs -0 sha256sum > SHA256SUMS)
TARBALL="rsa-desktop-$VERSION-linux-x86_64.tar.gz"
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$DIST" -czf "$DIST/$TARBALL" rsa-desktop
(cd "$DIST" && sha256sum "$TARBALL" > SHA256SUMS)
cat "$DIST/SHA256SUMS"
TAR_MB=$(du -m "$DIST/$TARBALL" | cut -f1)

printf '\nKlart på %s s: paketet %s MB (%s), arkivet %s MB (%s); frysning %s s, självtest %s s.\n' \
  "$((SECONDS - T0))" "$SIZE_MB" "$BUNDLE" "$TAR_MB" "$DIST/$TARBALL" "$T_FREEZE" "$T_SELF"
