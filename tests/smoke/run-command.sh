#!/usr/bin/env bash
# Smoke test of the README's run command, as a newcomer uses it: start ./run.sh, see the web inbox served, play a
# citizen with the CLI, see the acknowledgement arrive at the WhatsApp stand-in, list the conversation as staff, reply,
# see the reply arrive; then stop everything with SIGTERM (what Ctrl+C does) and check that nothing is left listening.
# Uses the fixed local ports, so the local system must not be running already; its data goes to a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/../.."

ports=(7025 7026 7060 7065 7070 7080 7081 7090 10000 10001 10002 11111 18888 30000)
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
http_get() { # port path: prints the response body
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
  sed '1,/^\r$/d' <&3
  exec 3>&-
}
for port in "${ports[@]}"; do
  if listening "$port"; then
    echo "Port $port is in use: stop the running local system (or whatever listens there) and run the tests again." >&2
    exit 1
  fi
done

data=$(mktemp -d)
log=$(mktemp)
cli() { dotnet src/Cli/bin/Debug/net10.0/goldbach.dll "$@"; }
GOLDBACH_DATA_DIR="$data" setsid ./run.sh >"$log" 2>&1 &
pid=$!
stop() {
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  fi
}
trap 'stop; rm -rf "$data"' EXIT
fail() { echo "run command smoke test: $*" >&2; echo "--- ./run.sh output:" >&2; tail -40 "$log" >&2; exit 1; }

for _ in $(seq 240); do
  [ "$(http_get 7080 /health/ready 2>/dev/null)" = "Healthy" ] && break
  kill -0 "$pid" 2>/dev/null || fail "./run.sh exited early"
  sleep 1
done
[ "$(http_get 7080 /health/ready 2>/dev/null)" = "Healthy" ] || fail "the gateway was not ready within 4 minutes"
grep -q "Login to the dashboard at http://127.0.0.1:18888" "$log" || fail "the dashboard's login link was not printed"
http_get 7080 / | grep -q "<title>Bürgerservice WhatsApp" || fail "the gateway does not serve the web inbox at /"
# The local OpenID provider staff sign in at, as the README says, and the inbox's callback from it.
http_get 7065 /health | grep -q '"subscriptions"' || fail "the local push service does not answer on 7065"
http_get 7026 /health | grep -q '"smtpPort":7025' || fail "the local mail server does not answer on 7026"
http_get 7060 /.well-known/openid-configuration | grep -q '"issuer":"http://localhost:7060"' || fail "the local OpenID provider does not answer on 7060"
http_get 7080 /auth/callback | grep -q "<title>Bürgerservice WhatsApp" || fail "the gateway does not serve the sign-in callback"

# Every CLI command that README.md, the web inbox's sign-in page and run.sh's banner show, run exactly as written, in
# the order the README gives them (from the repository root, as a newcomer would).
mapfile -t documented < <(
  grep -h '^dotnet run --project src/Cli -- ' README.md
  grep -ho 'dotnet run --project src/Cli -- token[^")]*' src/WebInbox/src/texts.ts run.sh
)
[ "${#documented[@]}" -ge 12 ] || fail "found only ${#documented[@]} documented CLI commands"
for command in "${documented[@]}"; do
  out=$(eval "$command" 2>&1) || fail "documented command failed: $command
$out"
  case "$command" in
    *" token"*) [[ "$(tail -n 1 <<<"$out")" =~ ^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$ ]] || fail "no token from: $command" ;;
    *" show "*) grep -q "Schaukel" <<<"$out" || fail "the conversation's text is missing from: $command" ;;
    *" export "*) archive=$(grep -o 'auskunft-[0-9-]*\.zip' <<<"$out" | head -1)
      [ -n "$archive" ] && [ -s "$archive" ] || fail "no archive from: $command
$out"
      rm -f "$archive" ;;
  esac
  echo "ok: $command"
done

# Signing in at the local provider as the banner says (goldbach login, the device code confirmed as in a browser):
# the gateway maps the provider's supervisor to a supervisor of the demo town.
config=$(mktemp -d)
coproc LOGIN { GOLDBACH_CONFIG_DIR="$config" cli login 2>&1; }
login_pid=$LOGIN_PID
address=""; code=""
while read -r -t 60 line <&"${LOGIN[0]}"; do
  [[ "$line" =~ Öffnen\ Sie\ ([^ ]+)\ im\ Browser ]] && address="${BASH_REMATCH[1]}"
  [[ "$line" =~ den\ Code\ ([A-Z-]+)\. ]] && { code="${BASH_REMATCH[1]}"; break; }
done
[ -n "$address" ] && [ -n "$code" ] || fail "goldbach login printed no address and code"
node tests/smoke/confirm-device.mjs "$address" vorzimmer vorzimmer-demo || fail "the device sign-in at the local provider failed"
wait "$login_pid" || fail "goldbach login failed"
GOLDBACH_CONFIG_DIR="$config" cli whoami | grep -q "Angemeldet als Vorzimmer (staff-vorzimmer), Rolle supervisor" \
  || fail "the provider's sign-in did not make a supervisor of Markt Goldbach"
rm -rf "$config"

phone="+49151$(printf '%08d' $((RANDOM * RANDOM % 100000000)))"
cli simulate --from "$phone" "Die Schaukel am Spielplatz in der Ringstraße ist kaputt" || fail "simulate failed"
for _ in $(seq 30); do cli sent --to "$phone" | grep -q "Vielen Dank für Ihre Nachricht" && break; sleep 1; done
cli sent --to "$phone" | grep -q "Vielen Dank für Ihre Nachricht" || fail "no acknowledgement at the stand-in"

conversation=$(cli inbox | grep -F -- "$phone" | grep -o "tenants/[0-9]*/conversations/[A-Z][A-Z]\.[A-Za-z0-9]*" | head -1)
[ -n "$conversation" ] || fail "the conversation is not in the inbox"
cli --staff smoke-test reply "$conversation" "Danke, wir kümmern uns darum." || fail "reply failed"
for _ in $(seq 30); do cli sent --to "$phone" | grep -q "Danke, wir kümmern uns darum." && break; sleep 1; done
cli sent --to "$phone" | grep -q "Danke, wir kümmern uns darum." || fail "the reply did not reach the stand-in"
cli --staff smoke-test note "$conversation" "Bauhof informiert" || fail "note failed"
cli --staff smoke-test assign "$conversation" smoke-test | grep -q "assigned to smoke-test" || fail "assign failed"
cli --staff smoke-test category "$conversation" "Spielplatz" | grep -q "Spielplatz" || fail "category failed"
# A request from the conversation goes to the Bauhof by mail, as the banner's mail server shows it.
cli --staff smoke-test request create "$conversation" "Schaukel kaputt" --service spielplatz | grep -q "Spielplatz" || fail "request create failed"
for _ in $(seq 30); do http_get 7026 /messages | grep -q '"bauhof@goldbach.example"' && break; sleep 1; done
http_get 7026 /messages | grep -q '"bauhof@goldbach.example"' || fail "the Bauhof's mail did not reach the local mail server"
http_get 7026 / | grep -q "Neues Anliegen" || fail "the mail server's page does not show the Bauhof's mail"
cli --staff smoke-test status "$conversation" resolved | grep -q "Resolved" || fail "status failed"
cli show "$conversation" | grep -q "smoke-test: Note" || fail "the note is not in the conversation"
cli --gateway http://127.0.0.1:7081 show "$conversation" | grep -q "Bauhof informiert" || fail "--gateway did not reach the gateway"
code=0; cli --gateway http://127.0.0.1:9 inbox >/dev/null 2>&1 || code=$?
[ "$code" -eq 3 ] || fail "an unreachable gateway exited with $code, not 3"
code=0; cli status "$conversation" finished >/dev/null 2>&1 || code=$?
[ "$code" -eq 1 ] || fail "a wrong status exited with $code, not 1"

stop
kill -0 "$pid" 2>/dev/null && fail "./run.sh did not stop within 60 s of SIGTERM"
# The orchestrator stops the resources after the AppHost has gone (the silo leaves the cluster gracefully).
for port in "${ports[@]}"; do
  for _ in $(seq 60); do listening "$port" || break; sleep 1; done
  listening "$port" && fail "port $port is still in use 60 s after the stop"
done
echo "run command smoke test passed"
