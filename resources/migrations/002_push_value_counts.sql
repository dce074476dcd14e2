-- How many values a push actually changes, next to how many rows it rewrote.
-- `rows_replaced` / `rows_inserted` count every row of the range (a push
-- rewrites them all); these count the (metric_name, series_id, time) keys of
-- the range: added (only in the new rows), removed (only in the old ones),
-- changed (in both, value differs: IS DISTINCT FROM) and unchanged (in both,
-- same value). An existing server gets the columns empty: null means "pushed
-- before the counts were kept", never zero.
ALTER TABLE dash.metric_pushes
  ADD COLUMN IF NOT EXISTS values_added     bigint CHECK (values_added >= 0),
  ADD COLUMN IF NOT EXISTS values_removed   bigint CHECK (values_removed >= 0),
  ADD COLUMN IF NOT EXISTS values_changed   bigint CHECK (values_changed >= 0),
  ADD COLUMN IF NOT EXISTS values_unchanged bigint CHECK (values_unchanged >= 0);
