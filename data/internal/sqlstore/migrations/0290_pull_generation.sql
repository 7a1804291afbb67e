-- 0290 (issue 19): a third change generation, raised by every write of
-- member_pulls (RecordPulls, in the same transaction, which returns the
-- value it raised it to). The API keeps users' last pulls in memory keyed
-- on it, so that a repeated itinerary read does not read member_pulls.
ALTER TABLE generations ADD COLUMN pulls {{int}} NOT NULL DEFAULT 0;
