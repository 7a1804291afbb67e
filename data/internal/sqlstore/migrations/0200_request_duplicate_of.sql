-- 0200: a request merged into another (status merged) names the one it was merged into.
ALTER TABLE requests ADD COLUMN duplicate_of {{text}} NOT NULL DEFAULT '';
