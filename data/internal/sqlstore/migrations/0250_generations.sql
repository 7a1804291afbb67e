-- 0250: change generations (issue 19). One row of two counters that every
-- committed write of the tables behind them raises (triggers: 0251, one file
-- per engine). The API keeps answers (itineraries, weeks) and authenticated
-- tokens in memory keyed on these numbers, so a change committed by any
-- replica or command is seen by the next read everywhere.
--   auth: users and tokens changed (disabled, role, revoked, renewed)
--   data: anything a team's schedule shows changed (plans, itineraries,
--         requests, staff, teams, villages, service points and items)
CREATE TABLE generations (
    id   {{int}} PRIMARY KEY,
    auth {{int}} NOT NULL,
    data {{int}} NOT NULL
);
INSERT INTO generations (id, auth, data) VALUES (1, 0, 0);
