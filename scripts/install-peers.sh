#!/usr/bin/env bash
# Installs the Debian packages that the interop tests talk to (real peers nobody here wrote).
# As root it installs what is missing with apt-get; otherwise it only lists what is missing,
# and the tests that need a missing peer fail with a message naming its package.
set -euo pipefail
peers=(openssl curl iproute2 python3 python3-twisted chromium postgresql ngircd wrk irssi tmux)
missing=()
for p in "${peers[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-peers: all present (${peers[*]})"
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "install-peers: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-peers: not root; missing Debian packages: ${missing[*]} (tests that need them will fail naming them)" >&2
fi
