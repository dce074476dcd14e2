-- A push writes only the keys whose value changed (docs/data-contract.md, "A
-- push"), and keeps for undo only the rows it touched. Upgrades a server with
-- 001 and 002 in place; safe to run again.

-- The per-row foreign key to the audit row goes: checking it cost a lookup per
-- kept row, and the push transaction writes the audit row and its replaced rows
-- together anyway. Whoever deletes an audit row deletes its replaced rows too.
-- Looked up by what it references, not by name: a server may have named it.
DO $$
DECLARE
  fk text;
BEGIN
  FOR fk IN
    SELECT conname FROM pg_constraint
    WHERE conrelid = 'dash.metric_push_replaced_rows'::regclass AND contype = 'f'
      AND confrelid = 'dash.metric_pushes'::regclass
  LOOP
    EXECUTE format('ALTER TABLE dash.metric_push_replaced_rows DROP CONSTRAINT %I', fk);
  END LOOP;
END
$$;

-- What a push's replaced rows are: 'range', every row of its range (every push
-- before this migration), or 'keys', only the keys it added, removed or changed.
ALTER TABLE dash.metric_pushes
  ADD COLUMN IF NOT EXISTS replaced_scope text NOT NULL DEFAULT 'range'
    CHECK (replaced_scope IN ('range', 'keys'));

-- For a 'keys' push: false on a key the push added (it had no row before, so
-- undo deletes it). A column of its own, since a stored value may be null.
ALTER TABLE dash.metric_push_replaced_rows
  ADD COLUMN IF NOT EXISTS existed boolean NOT NULL DEFAULT true;
