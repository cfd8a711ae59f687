-- The one rounding rule for money (lib/domain/money.ts): n / d rounded to an
-- integer, ties to even, exact for any numeric. SQL cost queries use it to
-- finalize sub-micro-dollars (d = 3,600,000) into micro-dollars exactly as the
-- TypeScript engine does.
CREATE OR REPLACE FUNCTION burnrate_round_half_even(n numeric, d numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT sign(n) * CASE
    WHEN 2 * mod(abs(n), d) > d THEN div(abs(n), d) + 1
    WHEN 2 * mod(abs(n), d) < d THEN div(abs(n), d)
    ELSE div(abs(n), d) + mod(div(abs(n), d), 2)
  END
$$;
