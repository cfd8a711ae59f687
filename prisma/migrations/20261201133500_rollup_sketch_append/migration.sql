-- Usage rollup rows take pure additions (new windows) without being read back:
-- scalars are added in SQL and sketches appended, (key, count) pairs
-- concatenated; a row's pairs may then repeat keys and be out of order, and
-- every reader sums counts per key (lib/db/queries/usage-ledger.ts,
-- lib/db/mutations/usage-rollups.ts). Past max_pairs the sum is normalized
-- (keys ascending, one pair per key), so rows stay small.
CREATE FUNCTION burnrate_sketch_add(
  ak smallint[], ac bigint[], bk smallint[], bc bigint[], max_pairs int,
  OUT keys smallint[], OUT counts bigint[]
) LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF cardinality(ak) + cardinality(bk) <= max_pairs THEN
    keys := ak || bk;
    counts := ac || bc;
  ELSE
    SELECT coalesce(array_agg(k ORDER BY k), '{}'), coalesce(array_agg(c ORDER BY k), '{}') INTO keys, counts
    FROM (SELECT u.k, sum(u.c)::bigint AS c FROM unnest(ak || bk, ac || bc) AS u(k, c) GROUP BY u.k HAVING sum(u.c) <> 0) s;
  END IF;
END
$$;

-- Rollup rows are updated in place by every write to their span: leave room on
-- each page for HOT updates (no index entries), and keep appended rows (up to
-- max_pairs pairs, ~3 kB) inline and uncompressed rather than TOAST-compressing
-- them on every update.
ALTER TABLE usage_rollup_quarter SET (fillfactor = 80, toast_tuple_target = 8160);
ALTER TABLE usage_rollup_team_hour SET (fillfactor = 60, toast_tuple_target = 8160);
ALTER TABLE usage_rollup_day SET (fillfactor = 60, toast_tuple_target = 8160);
ALTER TABLE usage_rollup_team_day SET (fillfactor = 60, toast_tuple_target = 8160);
