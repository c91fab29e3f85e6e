#!/usr/bin/env bash
# Runs the whole system on this machine: the web inbox (built first), Azurite, the silo, the gateway, the local
# WhatsApp stand-in, the local OpenID provider staff sign in at, the local Web Push service, the local mail server, and the Aspire dashboard (traces, metrics, logs),
# all on this machine's loopback. Installs what it needs
# first. Ctrl+C stops everything.
set -euo pipefail
cd "$(dirname "$0")"

command -v dotnet >/dev/null || { echo "run.sh: the .NET 10 SDK is needed (dotnet on PATH)." >&2; exit 1; }
. scripts/node-tools.sh
npm run --silent web:build

dotnet build src/AppHost -nologo -v quiet -clp:ErrorsOnly
dotnet build src/Cli -nologo -v quiet -clp:ErrorsOnly

cat <<'MSG'

Starting the local system (first start takes a few seconds):
  Web inbox (staff)    http://127.0.0.1:7080/     "Anmelden", then at the local sign-in page one of:
                         vorzimmer / vorzimmer-demo   (Leitung: also Rundschreiben, Datenschutz)
                         bauhof    / bauhof-demo      (Sachbearbeitung)
                         bauhof-team / bauhof-team-demo (Abteilung Bauhof: nur ihre Anliegen)
                         it-admin  / it-admin-demo    (Administration)
  Sign-in (OpenID)     http://localhost:7060      (CLI: dotnet run --project src/Cli -- login)
  Push service         http://127.0.0.1:7065/messages  (what the duty phone was sent, decrypted)
  Mail server          http://127.0.0.1:7026/     (what the departments were mailed; SMTP on 127.0.0.1:7025)
  WhatsApp stand-in    http://127.0.0.1:7070      (sent messages: open it in a browser)
  Gateway webhooks     http://127.0.0.1:7080/webhooks/whatsapp
  Staff gRPC API       http://127.0.0.1:7081
  Silo health          http://127.0.0.1:7090/health/ready
  Azurite              127.0.0.1:10000-10002      (data in .data/azurite)
  Dashboard            the login link printed below (traces, metrics, logs)
Then, in another terminal:
  dotnet run --project src/Cli -- simulate --from +4915112345678 "Die Schaukel am Spielplatz in der Ringstraße ist kaputt"
Ctrl+C stops everything.

MSG
# The same settings as src/AppHost/Properties/launchSettings.json (profile "http"), so that the AppHost runs as this
# process: Ctrl+C (SIGINT) or SIGTERM to it stops every resource it started.
export ASPNETCORE_ENVIRONMENT=Development DOTNET_ENVIRONMENT=Development \
  ASPNETCORE_URLS=http://127.0.0.1:18888 \
  ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:18887 \
  ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://127.0.0.1:18889 \
  ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://127.0.0.1:18890 \
  ASPIRE_ALLOW_UNSECURED_TRANSPORT=true ASPIRE_VERSION_CHECK_DISABLED=true DOTNET_CLI_TELEMETRY_OPTOUT=1
exec dotnet src/AppHost/bin/Debug/net10.0/GoldbachActors.AppHost.dll
