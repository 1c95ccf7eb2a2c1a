#!/bin/sh
# One-shot schema job (temporalio/admin-tools): creates the Temporal and visibility databases in PostgreSQL and
# brings both schemas to the version this admin-tools image ships. Idempotent: `create` of an existing database
# and `setup-schema -v 0.0` on a set-up one are tolerated, and `update-schema` only applies what is missing, so the
# job is safe to run on every `docker-compose up` and after upgrading the image tags.
set -eu

: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${POSTGRES_PWD:?}"
DB_PORT="${DB_PORT:-5432}"
DBNAME="${DBNAME:-temporal}"
VISIBILITY_DBNAME="${VISIBILITY_DBNAME:-temporal_visibility}"
SCHEMA_ROOT="${SCHEMA_ROOT:-/etc/temporal/schema/postgresql/v12}"

sql() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" --pw "$POSTGRES_PWD" "$@"
}

# PostgreSQL is healthy before this job starts (compose: depends_on postgresql service_healthy).
for pair in "$DBNAME:temporal" "$VISIBILITY_DBNAME:visibility"; do
  db="${pair%%:*}"
  dir="$SCHEMA_ROOT/${pair##*:}/versioned"
  echo "schema for database $db from $dir"
  sql --db "$db" create || echo "database $db already exists"
  sql --db "$db" setup-schema -v 0.0 || echo "database $db already has a schema version"
  sql --db "$db" update-schema -d "$dir"
done
echo "schemas are up to date"
