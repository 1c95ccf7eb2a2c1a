#!/bin/sh
# One-shot namespace job (temporalio/admin-tools): waits for the Temporal frontend, creates the namespace if it is
# missing, and registers the workflow's search attributes (see src/workflows/search-attributes.ts). Idempotent.
# TEMPORAL_ADDRESS is read by the `temporal` CLI itself.
set -eu

: "${TEMPORAL_ADDRESS:?}"
NAMESPACE="${NAMESPACE:-default}"
RETENTION="${NAMESPACE_RETENTION:-72h}"
SEARCH_ATTRIBUTES="${SEARCH_ATTRIBUTES:-VobizStage VobizKycStatus VobizAuthId VobizStalled}"

echo "waiting for Temporal at $TEMPORAL_ADDRESS"
tries=0
until temporal operator cluster health >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -ge 120 ] && { echo "Temporal did not become healthy within 120 s" >&2; exit 1; }
  sleep 1
done

if temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $NAMESPACE exists"
else
  temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION"
fi

# A new namespace reaches every frontend's cache after a few seconds: retry until it can be read.
tries=0
until existing="$(temporal operator search-attribute list --namespace "$NAMESPACE" 2>/dev/null)"; do
  tries=$((tries + 1))
  [ "$tries" -ge 60 ] && { echo "namespace $NAMESPACE did not become readable within 60 s" >&2; exit 1; }
  sleep 1
done
for name in $SEARCH_ATTRIBUTES; do
  if printf '%s\n' "$existing" | grep -Eq "^[[:space:]]*$name[[:space:]]"; then
    echo "search attribute $name exists"
  else
    temporal operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type Keyword
  fi
done
echo "namespace $NAMESPACE is ready"
