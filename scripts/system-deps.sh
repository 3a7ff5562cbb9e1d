#!/usr/bin/env bash
# Installs the system packages Atrium needs, only when they are missing: Noto CJK fonts
# (Chinese in PDFs and screenshots) and, unless called with "fonts" (the demo),
# Debian's Chromium (driven by Playwright in the browser tests) and gettext.
set -euo pipefail
missing=()
# The whole list is read first: `fc-list | grep -q` under pipefail failed whenever grep
# stopped early and fc-list died of SIGPIPE, and the font was "missing" (then apt ran).
fonts="$(fc-list : family 2>/dev/null || true)"
case "${fonts,,}" in
  *"noto sans cjk"*) ;;
  *) missing+=(fonts-noto-cjk) ;;
esac
if [ "${1:-all}" != "fonts" ]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing system packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
