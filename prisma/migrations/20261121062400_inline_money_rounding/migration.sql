-- Same rule as 20261121045500_money_rounding, without STRICT: PostgreSQL only
-- inlines a STRICT SQL function whose body it can prove strict, and a CASE
-- body is not, so every call went through the function executor (measured:
-- most of the ledger's time at 100,000 runs). NULL in still gives NULL out.
CREATE OR REPLACE FUNCTION burnrate_round_half_even(n numeric, d numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT sign(n) * CASE
    WHEN 2 * mod(abs(n), d) > d THEN div(abs(n), d) + 1
    WHEN 2 * mod(abs(n), d) < d THEN div(abs(n), d)
    ELSE div(abs(n), d) + mod(div(abs(n), d), 2)
  END
$$;
