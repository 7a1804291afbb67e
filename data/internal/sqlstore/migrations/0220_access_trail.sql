-- 0220: the access trail (issue 22): who read or changed which household
-- record, when, through which endpoint. Ids only: never names or phones.
CREATE TABLE access_trail (
    id         {{text}} PRIMARY KEY,
    at         {{ts}} NOT NULL,
    user_id    {{text}} NOT NULL,
    role       {{text}} NOT NULL,
    action     {{text}} NOT NULL,
    method     {{text}} NOT NULL,
    route      {{text}} NOT NULL,
    kind       {{text}} NOT NULL,
    n          {{int}} NOT NULL,
    status     {{int}} NOT NULL,
    request_id {{text}} NOT NULL
);
CREATE INDEX access_trail_at ON access_trail (at);
CREATE INDEX access_trail_user_at ON access_trail (user_id, at);

-- The records one trail entry names (one row per id).
CREATE TABLE access_trail_ids (
    trail_id  {{text}} NOT NULL REFERENCES access_trail (id) ON DELETE CASCADE,
    record_id {{text}} NOT NULL,
    PRIMARY KEY (trail_id, record_id)
);
CREATE INDEX access_trail_ids_record ON access_trail_ids (record_id);
