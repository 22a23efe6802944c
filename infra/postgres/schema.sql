-- userstream's PostgreSQL staging schema, applied by infra/stack.py (and docker-compose).
-- Idempotent: every statement can run again. Raw API JSON lands here before Kafka; a row is
-- published when published_at is set.
CREATE SCHEMA IF NOT EXISTS staging;

CREATE TABLE IF NOT EXISTS staging.raw_users (
  user_uuid    uuid PRIMARY KEY,
  payload      jsonb NOT NULL,
  seed         text,
  page         integer,
  fetched_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);

-- The publish step reads the unpublished rows; keep that scan small.
CREATE INDEX IF NOT EXISTS raw_users_unpublished
  ON staging.raw_users (fetched_at) WHERE published_at IS NULL;
