-- 0280: a team's vehicle seats besides the driver (issue 21, crews from the
-- county experts' pool); 0 = as many as the team has members.
ALTER TABLE teams ADD COLUMN seats {{int}} NOT NULL DEFAULT 0;
