#!/usr/bin/env bash
# Renders both overlays with kubectl's kustomize and validates every object offline against the Kubernetes schemas
# and what production needs (deploy/k8s/validate.mjs). A broken manifest fails; run by test.sh.
set -euo pipefail
cd "$(dirname "$0")"
command -v kubectl >/dev/null || { echo "kubectl is needed (kubectl kustomize)." >&2; exit 1; }
echo -n "dev:  "; kubectl kustomize overlays/dev | node validate.mjs --allow-secrets
echo -n "prod: "; kubectl kustomize overlays/prod | node validate.mjs
