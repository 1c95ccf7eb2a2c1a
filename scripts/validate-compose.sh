#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine: `docker-compose config -q` parses it, checks it against the
# Compose schema and resolves every `${...}` placeholder. Runs twice: with dummy production values for the required
# secrets, and with deploy/demo.env (the sandbox demo). Also checks that the files the services mount exist.
#
#   scripts/validate-compose.sh           validate (exit 0 = valid)
#   scripts/validate-compose.sh --print        also print the resolved production config (test/unit/compose.test.ts)
#   scripts/validate-compose.sh --print-demo   also print the resolved demo config
#
# Installs Debian's docker-compose package when it is missing (needs root, as in CI).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker-compose >/dev/null 2>&1; then
  echo "validate-compose: docker-compose not found; installing Debian's docker-compose package" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "validate-compose: not root; install it with: sudo apt-get install -y docker-compose" >&2
    exit 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
  command -v docker-compose >/dev/null 2>&1 || { echo "validate-compose: docker-compose still missing after apt-get install" >&2; exit 1; }
fi

for file in Dockerfile deploy/dynamicconfig/development.yaml deploy/temporal/setup-schema.sh deploy/temporal/create-namespace.sh deploy/demo.env \
  deploy/prometheus/prometheus.yml deploy/grafana/provisioning/datasources/prometheus.yml deploy/grafana/provisioning/dashboards/vobiz.yml \
  deploy/grafana/dashboards/vobiz-lifecycle.json; do
  [ -f "$file" ] || { echo "validate-compose: $file is missing (docker-compose.yml uses it)" >&2; exit 1; }
done

# Dummy values only: they prove every required variable is named and every placeholder resolves.
# Tokens are 32 bytes or more, as production requires; the codec key is a random-looking (not the development) key.
production_env=(
  CODEC_KEYS=validate:q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=
  VOBIZ_PARTNER_AUTH_ID=PA_VALIDATE
  VOBIZ_PARTNER_AUTH_TOKEN=validate-partner-token
  SECRETS_KEYS=validate:AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=
  ACCOUNT_CLAIM_KEY=validate:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=
  BRIDGE_API_TOKENS=validate-api-token-0123456789abcdef0123456789
  BRIDGE_WEBHOOK_SECRETS=validate-partner-token
  BRIDGE_PUBLIC_URL=https://hooks.validate.example
  CODEC_SERVER_TOKEN=validate-codec-token-0123456789abcdef01234567
  POSTGRES_PASSWORD=validate-password
  GRAFANA_ADMIN_PASSWORD=validate-grafana
)
demo_env=(
  CODEC_KEYS=validate:q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=
  CODEC_SERVER_TOKEN=validate-codec-token-0123456789abcdef01234567
)
# A throwaway empty env file, so a developer's .env does not decide the result.
empty_env="$(mktemp)"
trap 'rm -f "$empty_env"' EXIT

env "${production_env[@]}" docker-compose --env-file "$empty_env" -f docker-compose.yml config -q
env "${demo_env[@]}" docker-compose --env-file deploy/demo.env -f docker-compose.yml --profile demo config -q
echo "validate-compose: docker-compose.yml is valid (production and demo settings)" >&2

case "${1:-}" in
  --print) env "${production_env[@]}" docker-compose --env-file "$empty_env" -f docker-compose.yml config ;;
  --print-demo)
    env "${demo_env[@]}" docker-compose --env-file deploy/demo.env -f docker-compose.yml --profile demo config ;;
esac
