# Sourced by run.sh and test.sh: installs the Node tools from the committed lockfile (npm ci), again only when
# the lockfile changed since the last install.
command -v npm >/dev/null || { echo "Node.js and npm are needed (for the Azurite storage emulator)." >&2; exit 1; }
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json .data/package-lock.installed 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  mkdir -p .data && cp package-lock.json .data/package-lock.installed
fi
