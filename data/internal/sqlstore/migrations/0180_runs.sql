-- 0180 (issue 18): the state of queued work (circuit plans, re-plans, market
-- plans) that every replica reads; River (river_job) runs the work itself.
-- active_key is kind|from|to while the run is queued or running and NULL
-- afterwards: its unique index allows one run in flight per (kind, period)
-- across processes (both engines treat NULLs as distinct).
CREATE TABLE runs (
    id               {{text}} PRIMARY KEY,
    kind             {{text}} NOT NULL,
    from_day         {{text}} NOT NULL,
    to_day           {{text}} NOT NULL,
    status           {{text}} NOT NULL,
    error            {{text}} NOT NULL,
    stopped          {{bool}} NOT NULL,
    cancel_requested {{bool}} NOT NULL,
    job_id           {{int}} NOT NULL,
    attempt          {{int}} NOT NULL,
    worker           {{text}} NOT NULL,
    created_by       {{text}} NOT NULL,
    baseline         {{text}} NOT NULL,
    as_of            {{ts}},
    progress         {{text}} NOT NULL,
    created_at       {{ts}} NOT NULL,
    updated_at       {{ts}} NOT NULL,
    started_at       {{ts}},
    finished_at      {{ts}},
    active_key       {{text}}
);
CREATE UNIQUE INDEX runs_active_key ON runs (active_key);
CREATE INDEX runs_kind_status ON runs (kind, status);
