-- 0190_signin: one-time sign-in codes (stored hashed, single use, expiring)
-- and password hashes (bcrypt) for office staff.

CREATE TABLE signin_codes (
    hash       {{text}} PRIMARY KEY,
    user_id    {{text}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by {{text}} NOT NULL,
    created_at {{ts}} NOT NULL,
    expires_at {{ts}} NOT NULL,
    used_at    {{ts}}
);
CREATE INDEX signin_codes_user ON signin_codes (user_id);

CREATE TABLE user_passwords (
    user_id    {{text}} PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    hash       {{text}} NOT NULL,
    updated_at {{ts}} NOT NULL
);
