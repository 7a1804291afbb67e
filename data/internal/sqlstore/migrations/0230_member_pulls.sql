-- 0230_member_pulls (issue 17): what each user was given of a team's day at
-- their last pull (itinerary or week sync), so that the next pull lists
-- what changed since. One row per user, team and day; a pull replaces it.
CREATE TABLE member_pulls (
    user_id   {{text}} NOT NULL,
    team_id   {{text}} NOT NULL,
    day       {{text}} NOT NULL,
    plan_id   {{text}} NOT NULL,
    visits    {{text}} NOT NULL,
    pulled_at {{ts}} NOT NULL,
    PRIMARY KEY (user_id, team_id, day)
);
