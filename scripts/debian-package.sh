# Sourced by test.sh: installs a Debian package (once) when a command it brings is missing; the browser tests need
# chromium, the observability tests prometheus and promtool. Usage: debian_package <package> <command>...
debian_package() {
  local package=$1; shift
  local command
  for command in "$@"; do
    command -v "$command" >/dev/null && continue
    echo "Installing Debian's $package (once) ..."
    local as_root=""
    [ "$(id -u)" -ne 0 ] && as_root="sudo"
    $as_root apt-get update -qq \
      && $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null \
      || { echo "Could not install $package with apt-get (the tests need it)." >&2; return 1; }
    return 0
  done
}
