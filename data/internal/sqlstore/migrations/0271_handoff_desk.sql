-- 0271: the township whose desk accepted a hand-off (无差别受理: any household of the county) (issue 21).
ALTER TABLE handoffs ADD COLUMN accepted_township {{text}} NOT NULL DEFAULT '';
CREATE INDEX handoffs_accepted_township ON handoffs (accepted_township);
