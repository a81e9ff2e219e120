#!/usr/bin/env bash
# Builds the pinned tool families under tools/<family>/ into a cache outside the clone and
# links every binary into .tools/bin. A family is rebuilt only when its go.mod, go.sum or
# tool.env changes (the cache key is their hash), so a fresh clone reuses earlier builds.
# Usage: tools/build-tools.sh [family ...]   (default: every family; ACME_REAL_NODE=0 leaves out the real node's)
#
# tools/<family>/tool.env sets VERSION, BINARIES, PACKAGES, LDFLAGS, VERSION_CHECK and optionally:
#   CGO=1            build with cgo (default off: static binaries that need no C toolchain)
#   TAGS="a b"       Go build tags
#   APT_PACKAGES="…" Debian packages the build or the binaries need, installed when missing
#   LINK_DIR=name    link into .tools/<name>/ instead of .tools/bin/ (plugin directories)
#   RENAMES, PLUGIN, PLUGIN_FILES, HELM_WRAPPER (see below)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${ACME_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/acme-tools}
bindir=${ACME_TOOLS_BIN:-$root/.tools/bin}  # tests point this elsewhere
export GOFLAGS=-buildvcs=false
# Bump when a change to this script changes what a build produces (it is part of the cache key;
# the wrappers below are rewritten on every run, so they need no bump).
build_recipe=1

fail() { # one clear line naming the tool and how to retry, then a non-zero exit
  echo "tools: $*" >&2
  exit 1
}

command -v go >/dev/null || fail "no Go toolchain on PATH; install Go >= 1.26 (see README prerequisites), then run: make tools"
mkdir -p "$bindir" "$cache"

family_key() { # content hash of everything that decides the build output
  # A family with its own sources (cmd/) hashes them too; the others' keys stay as they were.
  { cat "$1/go.mod" "$1/go.sum" "$1/tool.env"
    [ -d "$1/cmd" ] && find "$1/cmd" -type f | LC_ALL=C sort | xargs cat
    echo "$build_recipe $(go env GOVERSION)"; } | sha256sum | cut -c1-16
}

with_progress() { # runs "$@" printing elapsed time every 30 s so long builds show life
  local label=$1; shift
  local start=$SECONDS last=$SECONDS
  "$@" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 2
    if (( SECONDS - last >= 30 )) && kill -0 "$pid" 2>/dev/null; then
      last=$SECONDS
      echo "tools: $label still building, $((SECONDS - start))s elapsed"
    fi
  done
  wait "$pid"
}

path_tool() { # prints a binary on PATH (outside .tools/bin) whose version is the pin, if any
  local bin=${VERSION_CHECK%% *} found
  [ "$(wc -w <<<"$BINARIES")" -eq 1 ] && [ "$bin" = "$BINARIES" ] || return 0
  found=$(PATH=${PATH//$bindir:/} command -v "$bin") || return 0
  local pin=${VERSION#v}
  # shellcheck disable=SC2086 # VERSION_CHECK is a command line
  "$found" ${VERSION_CHECK#* } 2>/dev/null | grep -qE "(^|[^0-9.])v?${pin//./\\.}([^0-9.]|\$)" && echo "$found"
  return 0
}

build_family() {
  local family=$1 dir=$root/tools/$1
  [ -f "$dir/tool.env" ] || fail "unknown tool family '$family' (no tools/$family/tool.env)"
  local VERSION BINARIES PACKAGES LDFLAGS VERSION_CHECK PLUGIN="" PLUGIN_FILES="" RENAMES="" HELM_WRAPPER=""
  local CGO=0 TAGS="" APT_PACKAGES="" LINK_DIR=""
  # shellcheck source=/dev/null
  . "$dir/tool.env"
  local out=$dir b on_path linkdir=$bindir
  [ -n "$APT_PACKAGES" ] && install_apt_packages "$family"
  [ -n "$LINK_DIR" ] && linkdir=$(dirname "$bindir")/$LINK_DIR && mkdir -p "$linkdir"
  if [ -n "$PACKAGES" ]; then
    on_path=$(path_tool)
    if [ -n "$on_path" ]; then
      echo "tools: using $on_path ($family $VERSION found on PATH)"
      out=$cache/path-$family
      mkdir -p "$out/bin" && ln -sfn "$on_path" "$out/bin/$BINARIES"
    else
      out=$cache/$family-$VERSION-$(family_key "$dir")
      compile_family "$family" "$dir" "$out"
    fi
  fi
  if [ -n "$HELM_WRAPPER" ]; then
    write_helm_wrapper "$out/bin/$BINARIES" "$bindir/$BINARIES"
  else
    for b in $BINARIES; do ln -sfn "$out/bin/$b" "$linkdir/$b"; done
  fi
  [ -n "$PLUGIN" ] && install_plugin "$family" "$PLUGIN" "$out"
  return 0
}

compile_family() { # go build into a temp dir, then move into the cache in one step
  local family=$1 dir=$2 out=$3 lock
  family_built "$out" && return 0
  # Clones on one machine share the cache: one builds, the others wait and reuse its output.
  exec {lock}>"$out.lock"
  flock "$lock"
  family_built "$out" || build_into "$family" "$dir" "$out"
  exec {lock}>&-
}

family_built() {
  local b
  for b in $BINARIES; do [ -x "$1/bin/$b" ] || return 1; done
}

build_into() {
  local family=$1 dir=$2 out=$3
  echo "tools: building $family $VERSION ($BINARIES); cold builds can take minutes"
  local start=$SECONDS tmp target r
  tmp=$(mktemp -d "$cache/.build-$family.XXXXXX")
  # one package: name the binary ourselves (helm3); several: go names them by directory
  target=$tmp/bin/
  [ "$(wc -w <<<"$PACKAGES")" -eq 1 ] && target=$tmp/bin/$BINARIES
  # shellcheck disable=SC2086 # PACKAGES is a list
  if ! (cd "$dir" && export CGO_ENABLED=$CGO && with_progress "$family $VERSION" go build -trimpath -tags "$TAGS" -ldflags "$LDFLAGS" -o "$target" $PACKAGES); then
    rm -rf "$tmp"
    fail "building $family $VERSION failed (module proxy unreachable or a compile error above); retry with: make tools"
  fi
  for r in $RENAMES; do mv "$tmp/bin/${r%%:*}" "$tmp/bin/${r##*:}"; done
  rm -rf "$out" && mv "$tmp" "$out"
  echo "tools: built $family $VERSION in $((SECONDS - start))s"
}

install_apt_packages() { # Debian packages a family needs; installed once, like make backup-deps does
  local family=$1 p missing=() sudo=()
  for p in $APT_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || fail "$family needs the Debian packages ${missing[*]} and there is no apt-get: install them, then run: make tools"
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || fail "$family needs the Debian packages ${missing[*]}: install them as root, then run: make tools"
    sudo=(sudo)
  fi
  echo "tools: installing ${missing[*]} from Debian's packages for $family"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || fail "installing ${missing[*]} for $family failed (apt repositories unreachable?); retry with: make tools"
}

write_helm_wrapper() { # .tools/bin/helm(file): the real binary with project-local plugins and state
  local real=$1 link=$2 tmp
  # Written beside the link and renamed over it: writing to the link itself would follow an
  # older symlink into the cached binary.
  tmp=$(mktemp "$link.XXXXXX")
  cat >"$tmp" <<WRAPPER
#!/bin/sh
# Generated by tools/build-tools.sh. Helm state and plugins live under the tool cache, never
# in the user's own Helm home; exported variables still win.
: "\${HELM_PLUGINS:=$cache/helm/plugins}" "\${HELM_DATA_HOME:=$cache/helm/data}"
: "\${HELM_CONFIG_HOME:=$cache/helm/config}" "\${HELM_CACHE_HOME:=$cache/helm/cache}"
export HELM_PLUGINS HELM_DATA_HOME HELM_CONFIG_HOME HELM_CACHE_HOME
# helmfile runs \`helm\` from PATH: the project's own, even when called by its full path.
PATH="$bindir:\$PATH"; export PATH
exec "$real" "\$@"
WRAPPER
  chmod +x "$tmp" && mv -f "$tmp" "$link"
}

install_plugin() { # a Helm plugin dir with our own plugin.yaml (upstream's hooks download)
  local family=$1 name=$2 out=$3 plugins=$cache/helm/plugins f b
  mkdir -p "$plugins/$name/bin"
  for f in plugin.yaml $PLUGIN_FILES; do cp "$root/tools/$family/$f" "$plugins/$name/$f"; done
  for b in $BINARIES; do ln -sfn "$out/bin/$b" "$plugins/$name/bin/$b"; done
}

families=("$@")
if [ ${#families[@]} -eq 0 ]; then
  # ACME_REAL_NODE=0: a machine that runs no real node needs none of its families.
  node_only=$(grep -v '^#' "$root/tools/real-node.families")
  for f in "$root"/tools/*/tool.env; do
    f=$(basename "$(dirname "$f")")
    if [ "${ACME_REAL_NODE:-1}" != 0 ] || ! grep -qx "$f" <<<"$node_only"; then families+=("$f"); fi
  done
fi
for family in "${families[@]}"; do build_family "$family"; done
# The local cluster's images come from the images family's builder; it reuses every image whose
# inputs are unchanged (docs/local-images.md). ACME_BUILD_IMAGES=0 builds only the builder.
for family in "${families[@]}"; do
  if [ "$family" = images ] && [ "${ACME_BUILD_IMAGES:-1}" = 1 ]; then
    "$bindir/acme-image" build -root "$root" -cache "$cache" -index "$root/.tools/images/index.json" \
      || fail "building the local images failed (see above); retry with: make images"
  fi
done
