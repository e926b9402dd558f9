#!/usr/bin/env bash
# Installs the Debian packages that the interop tests talk to (real peers nobody here wrote).
# As root it installs what is missing with apt-get; otherwise it only lists what is missing,
# and the tests that need a missing peer fail with a message naming its package.
# apt's own output is kept in a log and printed whole when a step fails, so an unrelated broken
# package shows its real error instead of only `dpkg returned an error code (1)`.
set -euo pipefail
peers=(openssl openssh-client curl iproute2 python3 python3-twisted chromium postgresql ngircd wrk irssi tmux
  openssh-server openssh-sftp-server sshpass dovecot-imapd dovecot-pop3d python3-aiosmtpd swaks vsftpd python3-pyftpdlib lftp
  inn2 prosody python3-slixmpp bind9 dnsutils dnsmasq dante-server redis-server)
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
# Tests run each daemon on its own loopback port; the packages' own system daemons must not start (two of
# them want port 53, and a failed start fails the install), so invoke-rc.d is told no while we install.
cleanup=()
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
  cleanup+=(/usr/sbin/policy-rc.d)
fi
trap 'rm -f "${cleanup[@]}"' EXIT
apt_install=(apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
# A half-configured package left by an earlier interrupted install makes every later install fail.
step dpkg --configure -a
step apt-get update
echo "install-peers: ${apt_install[*]} ${missing[*]}"
if ! "${apt_install[@]}" "${missing[@]}" >>"$log" 2>&1; then
  # inn2's post-install fails unless inn.conf names a domain (the machine's hostname rarely resolves):
  # name one in the file it just unpacked and finish configuring; any other failure is shown as it is.
  if [ -f /etc/news/inn.conf ] && ! grep -q '^domain:' /etc/news/inn.conf; then
    sed -i 's/^#\?domain:.*/domain: example.org/' /etc/news/inn.conf
    grep -q '^domain:' /etc/news/inn.conf || echo 'domain: example.org' >> /etc/news/inn.conf
    step dpkg --configure -a
    step "${apt_install[@]}" "${missing[@]}"
  else
    echo "install-peers: the install failed; apt's output follows" >&2
    cat "$log" >&2
    exit 1
  fi
fi
rm -f "$log"
