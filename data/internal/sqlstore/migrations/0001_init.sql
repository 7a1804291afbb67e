-- 0001_init: the whole Xunhui schema, shared by PostgreSQL and SQLite.
-- Type placeholders are replaced per dialect before execution:
--   {{text}}  TEXT COLLATE "C" (PostgreSQL: byte order like SQLite) / TEXT
--   {{int}}   BIGINT / INTEGER        {{float}} DOUBLE PRECISION / REAL
--   {{bool}}  BOOLEAN / INTEGER       {{ts}}    TIMESTAMPTZ / TEXT (RFC 3339, UTC)
--   {{blob}}  BYTEA / BLOB
-- Dates (civil, Asia/Shanghai) are {{text}} 'YYYY-MM-DD'; '' means none.
-- Lists and nested values (skills, windows, stops) are JSON in {{text}} columns.

CREATE TABLE townships (
    id               {{text}} PRIMARY KEY,
    name             {{text}} NOT NULL,
    type             {{text}} NOT NULL,
    predecessor_2016 {{text}} NOT NULL DEFAULT ''
);

CREATE TABLE villages (
    id          {{text}} PRIMARY KEY,
    township_id {{text}} NOT NULL REFERENCES townships (id),
    name        {{text}} NOT NULL,
    short_name  {{text}} NOT NULL,
    kind        {{text}} NOT NULL,
    lon         {{float}} NOT NULL,
    lat         {{float}} NOT NULL,
    provenance  {{text}} NOT NULL
);
CREATE INDEX villages_township ON villages (township_id);

CREATE TABLE service_points (
    id         {{text}} PRIMARY KEY,
    circle     {{text}} NOT NULL,
    code       {{text}} NOT NULL,
    name       {{text}} NOT NULL,
    lon        {{float}} NOT NULL,
    lat        {{float}} NOT NULL,
    provenance {{text}} NOT NULL
);
CREATE INDEX service_points_code ON service_points (code);

CREATE TABLE service_items (
    id           {{text}} PRIMARY KEY,
    name         {{text}} NOT NULL,
    category     {{text}} NOT NULL,
    kind         {{text}} NOT NULL,
    lowest_level {{text}} NOT NULL,
    mode         {{text}} NOT NULL,
    duration_min {{int}} NOT NULL,
    skill        {{text}} NOT NULL,
    sample       {{bool}} NOT NULL
);

CREATE TABLE staff (
    id            {{text}} PRIMARY KEY,
    name          {{text}} NOT NULL,
    role          {{text}} NOT NULL,
    skills        {{text}} NOT NULL,
    department    {{text}} NOT NULL DEFAULT '',
    home_code     {{text}} NOT NULL,
    township_id   {{text}} NOT NULL DEFAULT '',
    home_point_id {{text}} NOT NULL DEFAULT '',
    phone         {{text}} NOT NULL DEFAULT '',
    party_member  {{bool}} NOT NULL,
    service_star  {{bool}} NOT NULL,
    availability  {{text}} NOT NULL,
    leave_ranges  {{text}} NOT NULL,
    sample        {{bool}} NOT NULL
);
CREATE INDEX staff_township ON staff (township_id);

CREATE TABLE teams (
    id            {{text}} PRIMARY KEY,
    name          {{text}} NOT NULL,
    level         {{text}} NOT NULL,
    home_code     {{text}} NOT NULL,
    home_point_id {{text}} NOT NULL REFERENCES service_points (id),
    travel_mode   {{text}} NOT NULL,
    day_start     {{int}} NOT NULL,
    day_end       {{int}} NOT NULL,
    lunch_start   {{int}} NOT NULL,
    lunch_end     {{int}} NOT NULL,
    red           {{bool}} NOT NULL,
    sample        {{bool}} NOT NULL
);

CREATE TABLE team_members (
    team_id  {{text}} NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    staff_id {{text}} NOT NULL REFERENCES staff (id),
    seq      {{int}} NOT NULL,
    PRIMARY KEY (team_id, staff_id)
);

CREATE TABLE market_cycles (
    township_id {{text}} PRIMARY KEY REFERENCES townships (id),
    cycle       {{text}} NOT NULL,
    calendar    {{text}} NOT NULL DEFAULT '',
    digits      {{text}} NOT NULL,
    place       {{text}} NOT NULL DEFAULT '',
    start_min   {{int}} NOT NULL,
    end_min     {{int}} NOT NULL,
    sample      {{bool}} NOT NULL
);

CREATE TABLE market_exceptions (
    township_id {{text}} NOT NULL REFERENCES townships (id),
    day         {{text}} NOT NULL,
    kind        {{text}} NOT NULL,
    to_day      {{text}} NOT NULL DEFAULT '',
    reason      {{text}} NOT NULL DEFAULT '',
    PRIMARY KEY (township_id, day)
);

CREATE TABLE requests (
    id            {{text}} PRIMARY KEY,
    ledger        {{text}} NOT NULL,
    hh_name       {{text}} NOT NULL,
    hh_phone      {{text}} NOT NULL,
    village_id    {{text}} NOT NULL REFERENCES villages (id),
    township_id   {{text}} NOT NULL,
    hh_address    {{text}} NOT NULL DEFAULT '',
    has_location  {{bool}} NOT NULL,
    hh_lon        {{float}} NOT NULL,
    hh_lat        {{float}} NOT NULL,
    priority      {{int}} NOT NULL,
    visit_windows {{text}} NOT NULL,
    deadline      {{text}} NOT NULL DEFAULT '',
    summary       {{text}} NOT NULL DEFAULT '',
    status        {{text}} NOT NULL,
    source        {{text}} NOT NULL DEFAULT '',
    created_by    {{text}} NOT NULL DEFAULT '',
    version       {{int}} NOT NULL,
    created_at    {{ts}} NOT NULL,
    updated_at    {{ts}} NOT NULL
);
CREATE INDEX requests_township_status ON requests (township_id, status);
CREATE INDEX requests_village ON requests (village_id);

CREATE TABLE request_items (
    request_id {{text}} NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    seq        {{int}} NOT NULL,
    item_id    {{text}} NOT NULL REFERENCES service_items (id),
    PRIMARY KEY (request_id, item_id)
);

CREATE TABLE request_groups (
    request_id {{text}} NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    seq        {{int}} NOT NULL,
    grp        {{text}} NOT NULL,
    PRIMARY KEY (request_id, grp)
);
CREATE INDEX request_groups_grp ON request_groups (grp);

CREATE TABLE request_history (
    request_id  {{text}} NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    seq         {{int}} NOT NULL,
    changed_at  {{ts}} NOT NULL,
    by_user     {{text}} NOT NULL,
    from_status {{text}} NOT NULL,
    to_status   {{text}} NOT NULL,
    note        {{text}} NOT NULL DEFAULT '',
    PRIMARY KEY (request_id, seq)
);

CREATE TABLE plans (
    id         {{text}} PRIMARY KEY,
    kind       {{text}} NOT NULL,
    from_day   {{text}} NOT NULL,
    to_day     {{text}} NOT NULL,
    status     {{text}} NOT NULL,
    version    {{int}} NOT NULL,
    created_by {{text}} NOT NULL,
    created_at {{ts}} NOT NULL,
    updated_at {{ts}} NOT NULL,
    summary    {{text}} NOT NULL
);

CREATE TABLE itineraries (
    plan_id        {{text}} NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    team_id        {{text}} NOT NULL REFERENCES teams (id),
    day            {{text}} NOT NULL,
    stops          {{text}} NOT NULL,
    return_seconds {{int}} NOT NULL,
    PRIMARY KEY (plan_id, team_id, day)
);
CREATE INDEX itineraries_team_day ON itineraries (team_id, day);

CREATE TABLE desks (
    plan_id     {{text}} NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    township_id {{text}} NOT NULL REFERENCES townships (id),
    day         {{text}} NOT NULL,
    start_min   {{int}} NOT NULL,
    end_min     {{int}} NOT NULL,
    staff_ids   {{text}} NOT NULL,
    item_ids    {{text}} NOT NULL,
    request_ids {{text}} NOT NULL,
    locked      {{bool}} NOT NULL,
    PRIMARY KEY (plan_id, township_id, day)
);

CREATE TABLE users (
    id          {{text}} PRIMARY KEY,
    name        {{text}} NOT NULL,
    role        {{text}} NOT NULL,
    township_id {{text}} NOT NULL DEFAULT '',
    team_id     {{text}} NOT NULL DEFAULT '',
    disabled    {{bool}} NOT NULL,
    version     {{int}} NOT NULL,
    created_at  {{ts}} NOT NULL
);

CREATE TABLE tokens (
    id         {{text}} PRIMARY KEY,
    user_id    {{text}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       {{text}} NOT NULL DEFAULT '',
    hash       {{text}} NOT NULL UNIQUE,
    created_at {{ts}} NOT NULL,
    expires_at {{ts}}
);

CREATE TABLE matrix_cache (
    cache_key  {{text}} PRIMARY KEY,
    payload    {{blob}} NOT NULL,
    source     {{text}} NOT NULL DEFAULT '',
    created_at {{ts}} NOT NULL
);

CREATE TABLE job_runs (
    id      {{text}} PRIMARY KEY,
    job     {{text}} NOT NULL,
    slot    {{text}} NOT NULL DEFAULT '',
    started {{ts}} NOT NULL,
    ended   {{ts}},
    outcome {{text}} NOT NULL,
    error   {{text}} NOT NULL DEFAULT '',
    output  {{text}} NOT NULL DEFAULT 'null'
);
CREATE INDEX job_runs_job_started ON job_runs (job, started);
-- At most one live claim per scheduled slot: abandoned runs free the slot.
CREATE UNIQUE INDEX job_runs_slot ON job_runs (job, slot) WHERE slot <> '' AND outcome <> 'abandoned';

CREATE TABLE job_schedules (
    job        {{text}} PRIMARY KEY,
    spec       {{text}} NOT NULL,
    time_zone  {{text}} NOT NULL DEFAULT '',
    enabled    {{bool}} NOT NULL,
    updated_at {{ts}} NOT NULL
);
