-- 0211: the three service lists on catalogue items and hand-off chains (代办转办) (issue 21).
ALTER TABLE service_items ADD COLUMN service_list {{text}} NOT NULL DEFAULT '';
ALTER TABLE service_items ADD COLUMN handled_at {{text}} NOT NULL DEFAULT '';

CREATE TABLE handoffs (
    id                  {{text}} PRIMARY KEY,
    request_id          {{text}} NOT NULL REFERENCES requests (id),
    item_id             {{text}} NOT NULL REFERENCES service_items (id),
    township_id         {{text}} NOT NULL,
    accepted_via        {{text}} NOT NULL,
    accepted_on         {{text}} NOT NULL,
    stages              {{text}} NOT NULL,
    delivery_request_id {{text}} NOT NULL DEFAULT '',
    status              {{text}} NOT NULL,
    created_by          {{text}} NOT NULL DEFAULT '',
    version             {{int}} NOT NULL,
    created_at          {{ts}} NOT NULL,
    updated_at          {{ts}} NOT NULL
);
CREATE INDEX handoffs_township ON handoffs (township_id, status);
CREATE INDEX handoffs_request ON handoffs (request_id);
