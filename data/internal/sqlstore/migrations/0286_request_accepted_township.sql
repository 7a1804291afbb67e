-- 0286: the township whose desk registered a request for a household of another township
-- (无差别受理, issue 21); that desk keeps seeing the request.
ALTER TABLE requests ADD COLUMN accepted_township {{text}} NOT NULL DEFAULT '';
CREATE INDEX requests_accepted_township ON requests (accepted_township);
