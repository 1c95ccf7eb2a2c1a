#!/usr/bin/env sh
# Installs Debian's chromium for the sandbox KYC widget browser test (playwright-core drives /usr/bin/chromium).
# Idempotent: does nothing when /usr/bin/chromium already exists.
set -eu
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium
