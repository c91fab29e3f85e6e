# Sourced by test.sh: Debian's Chromium for the web inbox's browser tests (Playwright drives /usr/bin/chromium; a test
# tool's own browser download does not work on a machine without internet).
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium (once) ..."
  as_root=""
  [ "$(id -u)" -ne 0 ] && as_root="sudo"
  $as_root apt-get update -qq \
    && $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
    || { echo "Could not install chromium with apt-get (needed by the browser tests)." >&2; return 1; }
fi
