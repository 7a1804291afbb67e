-- 0210: a township's festival fairs (特别日), a JSON list of {on, name} (issue 21).
ALTER TABLE market_cycles ADD COLUMN special_days {{text}} NOT NULL DEFAULT '[]';
