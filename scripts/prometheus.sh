# Sourced by test.sh: Debian's prometheus (and promtool) for the test that scrapes silo and gateway with
# deploy/observability/prometheus.yml and checks the alert rules.
if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
  echo "Installing Debian's prometheus (once) ..."
  as_root=""
  [ "$(id -u)" -ne 0 ] && as_root="sudo"
  $as_root apt-get update -qq \
    && $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null \
    || { echo "Could not install prometheus with apt-get (needed by the observability tests)." >&2; return 1; }
fi
