-- The Dash server contract (schema `dash`), as the workbench expects to find it.
-- Applied by the workbench to its embedded demo server and by the tests; the
-- server team keeps their cluster compatible with it (docs/data-contract.md).
-- Runs on TimescaleDB and on plain PostgreSQL (13+): the only difference is the
-- conditional hypertable at the end.

CREATE SCHEMA IF NOT EXISTS dash;

-- One row per pipeline: its current definition. `version` goes up by one on
-- every change, so a writer can detect that someone changed it since it read it.
CREATE TABLE IF NOT EXISTS dash.pipelines (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  version     integer NOT NULL CHECK (version >= 1),
  -- {"source": "bronze/<id>/", "filter": "<formula>" | null,
  --  "metrics": [{"name": ..., "formula": ..., "unit": ...}, ...]}
  definition  jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text
);

-- Every version a pipeline ever had, the current one included.
CREATE TABLE IF NOT EXISTS dash.pipeline_versions (
  pipeline_id text NOT NULL REFERENCES dash.pipelines (id),
  version     integer NOT NULL,
  definition  jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text,
  comment     text,
  PRIMARY KEY (pipeline_id, version)
);

-- The metrics. No foreign key to dash.pipelines: bulk loads (COPY, the replay
-- worker) stay fast and TimescaleDB compression has nothing to check.
CREATE TABLE IF NOT EXISTS dash.pipeline_metrics (
  time        timestamptz NOT NULL,
  pipeline_id text NOT NULL,
  series_id   text NOT NULL,
  metric_name text NOT NULL,
  value       double precision,
  -- Includes `time`, as TimescaleDB requires of unique indexes on a hypertable.
  CONSTRAINT pipeline_metrics_key UNIQUE (pipeline_id, metric_name, series_id, time)
);

-- No second index on (pipeline_id, time): a push's range delete is served by
-- chunk exclusion and the hypertable's time index on TimescaleDB, and by a skip
-- scan of the unique index on PostgreSQL 18; each extra index roughly halves
-- bulk-load speed.

-- One row per push from the workbench: enough to audit it and to undo it.
CREATE TABLE IF NOT EXISTS dash.metric_pushes (
  push_id          uuid PRIMARY KEY,
  pushed_at        timestamptz NOT NULL DEFAULT now(),
  pushed_by        text NOT NULL,
  pipeline_id      text NOT NULL REFERENCES dash.pipelines (id),
  -- The version the push was previewed against, and the version it created
  -- (equal when only metrics were pushed, not a new definition).
  base_version     integer NOT NULL,
  pipeline_version integer NOT NULL,
  -- The replaced range, [range_start, range_end).
  range_start      timestamptz NOT NULL,
  range_end        timestamptz NOT NULL,
  rows_replaced    bigint NOT NULL DEFAULT 0 CHECK (rows_replaced >= 0),
  rows_inserted    bigint NOT NULL DEFAULT 0 CHECK (rows_inserted >= 0),
  -- Algorithm-prefixed digest of the inserted rows, e.g. 'sha256:<hex>'
  -- (canonical form in docs/data-contract.md).
  checksum         text NOT NULL,
  -- Set on the push that undid another one; a push can be undone once.
  undo_of          uuid UNIQUE REFERENCES dash.metric_pushes (push_id),
  comment          text,
  CHECK (range_end > range_start),
  CHECK (undo_of IS NULL OR undo_of <> push_id)
);

CREATE INDEX IF NOT EXISTS metric_pushes_pipeline ON dash.metric_pushes (pipeline_id, pushed_at DESC);

-- The rows a push deleted, kept so that the push can be undone exactly.
CREATE TABLE IF NOT EXISTS dash.metric_push_replaced_rows (
  push_id     uuid NOT NULL REFERENCES dash.metric_pushes (push_id) ON DELETE CASCADE,
  time        timestamptz NOT NULL,
  series_id   text NOT NULL,
  metric_name text NOT NULL,
  value       double precision
);

CREATE INDEX IF NOT EXISTS metric_push_replaced_rows_push ON dash.metric_push_replaced_rows (push_id);

-- A hypertable where TimescaleDB is installed; a plain table elsewhere. The
-- function is looked up in the extension's own schema, and called dynamically
-- so plain PostgreSQL never has to resolve it.
DO $$
DECLARE
  ts_schema text;
BEGIN
  SELECT n.nspname INTO ts_schema
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
  WHERE e.extname = 'timescaledb';
  IF ts_schema IS NOT NULL THEN
    EXECUTE format(
      'SELECT %I.create_hypertable(%L::regclass, %L, chunk_time_interval => INTERVAL %L, if_not_exists => true, migrate_data => true)',
      ts_schema, 'dash.pipeline_metrics', 'time', '7 days');
  END IF;
END
$$;
