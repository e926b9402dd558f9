#!/usr/bin/env bash
# Installs the Debian packages that the interop tests talk to (real peers nobody here wrote).
# As root it installs what is missing with apt-get; otherwise it only lists what is missing,
# and the tests that need a missing peer fail with a message naming its package.
# apt's own output is kept in a log and printed whole when a step fails, so an unrelated broken
# package shows its real error instead of only `dpkg returned an error code (1)`.
set -euo pipefail
peers=(openssl openssh-client curl iproute2 python3 python3-twisted chromium postgresql ngircd wrk irssi tmux)
missing=()
for p in "${peers[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-peers: all present (${peers[*]})"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "install-peers: not root; missing Debian packages: ${missing[*]} (tests that need them will fail naming them)" >&2
  exit 0
fi

log=$(mktemp -t install-peers.XXXXXX.log)
step() {
  echo "install-peers: $*"
  if ! "$@" >>"$log" 2>&1; then
    echo "install-peers: '$*' failed; apt's output follows" >&2
    cat "$log" >&2
    exit 1
  fi
}
export DEBIAN_FRONTEND=noninteractive
# A half-configured package left by an earlier interrupted install makes every later install fail.
step dpkg --configure -a
step apt-get update
step apt-get install -y --no-install-recommends "${missing[@]}"
rm -f "$log"
