-- The engine rewrites every contact's state document (~2 kB of JSON, compressed when stored) and
-- its score's explanation on each change, and a replay rewrites them all: lz4 compresses them in
-- about half the time pglz takes (a replay's 5,000 states: 370 -> 210 ms) and reads them back
-- faster. A server built without lz4 (PGlite is) keeps pglz; nothing else depends on the method.
-- Rows already stored keep theirs until they are next written.
DO $$
BEGIN
  ALTER TABLE "contact_states" ALTER COLUMN "state" SET COMPRESSION lz4;
  ALTER TABLE "scores" ALTER COLUMN "explanation" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  NULL;
END;
$$;
