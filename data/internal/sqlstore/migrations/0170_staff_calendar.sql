-- 0170_staff_calendar: first-class absences, the person-days claimed by
-- published plans (at most one plan per person-day), the members on duty of
-- each itinerary, and plan versions (supersedes / superseded_by).

CREATE TABLE absences (
    id           {{text}} PRIMARY KEY,
    staff_id     {{text}} NOT NULL REFERENCES staff (id),
    from_day     {{text}} NOT NULL,
    to_day       {{text}} NOT NULL,
    kind         {{text}} NOT NULL,
    reason       {{text}} NOT NULL,
    created_by   {{text}} NOT NULL,
    created_at   {{ts}} NOT NULL,
    cancelled_at {{ts}},
    cancelled_by {{text}} NOT NULL DEFAULT '',
    version      {{int}} NOT NULL
);
CREATE INDEX absences_staff_days ON absences (staff_id, from_day, to_day);

CREATE TABLE staff_claims (
    staff_id {{text}} NOT NULL REFERENCES staff (id),
    day      {{text}} NOT NULL,
    kind     {{text}} NOT NULL,
    plan_id  {{text}} NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    ref      {{text}} NOT NULL DEFAULT '',
    PRIMARY KEY (staff_id, day)
);
CREATE INDEX staff_claims_plan ON staff_claims (plan_id);

ALTER TABLE itineraries ADD COLUMN staff_ids {{text}} NOT NULL DEFAULT '[]';
ALTER TABLE plans ADD COLUMN supersedes {{text}} NOT NULL DEFAULT '';
ALTER TABLE plans ADD COLUMN superseded_by {{text}} NOT NULL DEFAULT '';
