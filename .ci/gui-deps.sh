#!/usr/bin/env bash
# What `make run` needs to open a window on Linux: the X11 (xcb) libraries Qt's platform plugin
# links against, which desktop installs usually have but minimal ones often lack. Installed when
# we can (root with apt-get); otherwise we print the command.
set -euo pipefail
[ "$(uname -s)" = "Linux" ] || exit 0
qpa=$(ls .venv/lib/python3*/site-packages/PySide6/Qt/lib/libQt6XcbQpa.so.6 2>/dev/null | head -n 1)
missing=""
if [ -n "$qpa" ]; then
  missing=$(ldd "$qpa" 2>/dev/null | grep 'not found' || true)
fi
ldconfig -p 2>/dev/null | grep -q 'libxcb-cursor\.so\.0' || missing="$missing libxcb-cursor"
[ -z "$missing" ] && exit 0
packages="libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 \
libxcb-xkb1 libxkbcommon-x11-0 libxcb-randr0 libxcb-shape0 libxcb-xinerama0 libegl1"
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null
else
  echo "casedesk needs Qt's X11 libraries to open its window. On Debian/Ubuntu:" >&2
  echo "  sudo apt-get install $packages" >&2
  exit 1
fi
