-- 0285: when county and township home visits bring the village agent along (guides, issue 21).
CREATE TABLE guide_rules (
    id         {{text}} PRIMARY KEY,
    item_id    {{text}} NOT NULL DEFAULT '',
    grp        {{text}} NOT NULL DEFAULT '',
    levels     {{text}} NOT NULL,
    note       {{text}} NOT NULL DEFAULT '',
    updated_by {{text}} NOT NULL DEFAULT '',
    updated_at {{ts}} NOT NULL
);
