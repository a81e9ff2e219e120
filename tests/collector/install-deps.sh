#!/usr/bin/env bash
# Puts the real Pushgateway that tests/collector runs under .cache/collector/: Debian's
# prometheus-pushgateway at a pinned version (the Go module proxy does not serve the module).
# The package is unpacked, not installed: installing it starts a system service on :9091 on every
# interface, and the tests start their own processes on loopback only.
# Idempotent: does nothing when the pinned binary is already there, so make can call it every time.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
version=1.5.1-2+b5
dest=$root/.cache/collector/pushgateway-$version
binary=$dest/usr/bin/prometheus-pushgateway

if [ ! -x "$binary" ]; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # apt downloads as its unprivileged _apt user, which must be able to write here.
  chmod 0777 "$work"
  echo "collector deps: unpacking prometheus-pushgateway $version from Debian's packages"
  if ! (cd "$work" && apt-get download -qq "prometheus-pushgateway=$version" 2>/dev/null); then
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    (cd "$work" && apt-get download -qq "prometheus-pushgateway=$version") \
      || { echo "collector deps: Debian has no prometheus-pushgateway $version (apt-cache policy prometheus-pushgateway)" >&2; exit 2; }
  fi
  rm -rf "$dest.tmp"
  mkdir -p "$(dirname "$dest")"
  dpkg-deb -x "$work"/prometheus-pushgateway_*.deb "$dest.tmp"
  mv "$dest.tmp" "$dest"
fi
upstream=${version%%-*}
"$binary" --version 2>&1 | grep -q "version $upstream " \
  || { echo "collector deps: $binary does not report version $upstream" >&2; exit 2; }
echo "collector deps: $binary ($upstream)"
