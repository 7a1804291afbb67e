-- 0171_idempotency: answers of idempotent calls (POST /visits/{id}/outcome
-- with an Idempotency-Key), stored in the same transaction as their writes
-- so that a repeat on any replica replays the answer and writes nothing.
CREATE TABLE idempotency_keys (
    scope       {{text}} NOT NULL,
    idem_key    {{text}} NOT NULL,
    fingerprint {{text}} NOT NULL,
    response    {{text}} NOT NULL,
    created_at  {{ts}} NOT NULL,
    PRIMARY KEY (scope, idem_key)
);
