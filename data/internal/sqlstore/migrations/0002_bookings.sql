-- 0002_bookings: market-day bookings (订单式服务) and a per-person cap on
-- planned days per week.

ALTER TABLE staff ADD COLUMN max_days_per_week {{int}} NOT NULL DEFAULT 0;

CREATE TABLE bookings (
    id           {{text}} PRIMARY KEY,
    township_id  {{text}} NOT NULL REFERENCES townships (id),
    day          {{text}} NOT NULL,
    item_id      {{text}} NOT NULL REFERENCES service_items (id),
    hh_name      {{text}} NOT NULL,
    hh_phone     {{text}} NOT NULL,
    village_id   {{text}} NOT NULL REFERENCES villages (id),
    hh_address   {{text}} NOT NULL DEFAULT '',
    has_location {{bool}} NOT NULL,
    hh_lon       {{float}} NOT NULL,
    hh_lat       {{float}} NOT NULL,
    note         {{text}} NOT NULL DEFAULT '',
    via          {{text}} NOT NULL,
    status       {{text}} NOT NULL,
    created_by   {{text}} NOT NULL DEFAULT '',
    updated_by   {{text}} NOT NULL DEFAULT '',
    created_at   {{ts}} NOT NULL,
    updated_at   {{ts}} NOT NULL,
    sample       {{bool}} NOT NULL
);
CREATE INDEX bookings_township_day ON bookings (township_id, day);
