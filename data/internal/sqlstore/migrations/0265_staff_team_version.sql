-- 0265: staff and teams carry a version for optimistic concurrency (a PUT
-- that sends a stale version is refused instead of overwriting).
ALTER TABLE staff ADD COLUMN version {{int}} NOT NULL DEFAULT 1;
ALTER TABLE teams ADD COLUMN version {{int}} NOT NULL DEFAULT 1;
