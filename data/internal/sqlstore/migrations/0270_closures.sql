-- 0270: road closures and walk-only villages with their validity (issue 21).
CREATE TABLE closures (
    id           {{text}} PRIMARY KEY,
    kind         {{text}} NOT NULL,
    name         {{text}} NOT NULL,
    reason       {{text}} NOT NULL DEFAULT '',
    line         {{text}} NOT NULL DEFAULT '[]',
    village_id   {{text}} NOT NULL DEFAULT '',
    trailhead    {{text}} NOT NULL DEFAULT '',
    walk_minutes {{int}} NOT NULL DEFAULT 0,
    from_day     {{text}} NOT NULL,
    to_day       {{text}} NOT NULL,
    yearly       {{bool}} NOT NULL,
    created_by   {{text}} NOT NULL DEFAULT '',
    version      {{int}} NOT NULL,
    created_at   {{ts}} NOT NULL,
    updated_at   {{ts}} NOT NULL
);
CREATE INDEX closures_kind ON closures (kind);
