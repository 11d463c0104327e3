#!/usr/bin/env bash
# Debian/Ubuntu packages the tests and the sandbox need, installed only when missing (root, or sudo):
#   chromium               drives the webview tests and VS Code (code-server) in the browser tests; never downloaded by npm
#   libkrb5-dev            code-server builds its kerberos module from source
#   fonts-noto-color-emoji screenshots render emoji instead of boxes
set -euo pipefail

SUDO=()
if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || missing+=(fonts-noto-color-emoji)
if [ ${#missing[@]} -eq 0 ]; then
  echo "[system] chromium, libkrb5-dev and fonts-noto-color-emoji are present"
  exit 0
fi
echo "[system] installing: ${missing[*]}"
"${SUDO[@]}" apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
