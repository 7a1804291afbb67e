package data

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"
)

// UserRole is what a user of the API may do.
type UserRole string

// User roles.
const (
	// UserAdmin manages users, tokens and reference data.
	UserAdmin UserRole = "admin"
	// UserCountyPlanner plans and publishes for the whole county.
	UserCountyPlanner UserRole = "county_planner"
	// UserTownshipCoordinator manages requests of one township (TownshipID).
	UserTownshipCoordinator UserRole = "township_coordinator"
	// UserTeamMember sees its team's (TeamID) itineraries and the requests on
	// them, and records outcomes.
	UserTeamMember UserRole = "team_member"
)

// Valid reports whether r is a known role.
func (r UserRole) Valid() bool {
	return r == UserAdmin || r == UserCountyPlanner || r == UserTownshipCoordinator || r == UserTeamMember
}

// User is an account of the API.
type User struct {
	// ID is a stable id, e.g. "admin" or "u-511822101000".
	ID string `json:"id"`
	// Name is a display name.
	Name string `json:"name"`
	// Role decides what the user may do.
	Role UserRole `json:"role"`
	// TownshipID scopes a township_coordinator (required for that role, empty otherwise).
	TownshipID string `json:"township_id,omitempty"`
	// TeamID scopes a team_member (required for that role, empty otherwise).
	TeamID string `json:"team_id,omitempty"`
	// Disabled users cannot authenticate.
	Disabled bool `json:"disabled"`
	// Version increases by one on every write; UpdateUser must present the
	// version it read (optimistic concurrency).
	Version int64 `json:"version"`
	// CreatedAt is set by the store (UTC).
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks u; errors are Invalid.
func (u User) Validate() error {
	if err := validateID("id", u.ID); err != nil {
		return err
	}
	if err := validateName("name", u.Name); err != nil {
		return err
	}
	if !u.Role.Valid() {
		return FieldError("role", "%q is not admin, county_planner, township_coordinator or team_member", u.Role)
	}
	if u.Role == UserTownshipCoordinator {
		if TownshipOf(u.TownshipID) != u.TownshipID || u.TownshipID == "" {
			return FieldError("township_id", "%q is not a township code (required for township_coordinator)", u.TownshipID)
		}
	} else if u.TownshipID != "" {
		return FieldError("township_id", "only a township_coordinator has a township")
	}
	if u.Role == UserTeamMember {
		if err := validateID("team_id", u.TeamID); err != nil {
			return err
		}
	} else if u.TeamID != "" {
		return FieldError("team_id", "only a team_member has a team")
	}
	return nil
}

// Token is an API token. Only the SHA-256 hash of the secret is stored; the
// secret is shown once, when created.
type Token struct {
	// ID is a stable id (not secret), e.g. "tok-" + hex.
	ID string `json:"id"`
	// UserID is the owner.
	UserID string `json:"user_id"`
	// Name describes the token ("cli", "team tablet").
	Name string `json:"name"`
	// Hash is the lower-case hex SHA-256 of the secret (64 characters).
	Hash string `json:"-"`
	// CreatedAt is set by the store (UTC).
	CreatedAt time.Time `json:"created_at"`
	// ExpiresAt, when not nil, ends the token's validity.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// TokenPrefix starts every secret, so that leaked tokens are easy to grep for.
const TokenPrefix = "xh_"

// NewToken returns a new random secret (TokenPrefix + base64url of 32 random
// bytes) and its hash. Show the secret to the user once; store the hash.
func NewToken() (secret, hash string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("new token: %w", err)
	}
	secret = TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, HashToken(secret), nil
}

// HashToken returns the lower-case hex SHA-256 of secret, the form in which
// tokens are stored and looked up.
func HashToken(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// NewID returns prefix + "-" + 16 random hex digits, for records whose
// creator did not choose an id.
func NewID(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return prefix + "-" + hex.EncodeToString(b[:])
}

// MatrixEntry is a cached blob of the geo helper (e.g. a travel-time matrix),
// addressed by a key the geo helper derives from its inputs.
type MatrixEntry struct {
	// Key identifies the entry (≤ 200 characters), e.g. "car:v1:sha256…".
	Key string `json:"key"`
	// Blob is the opaque payload (at most 64 MiB).
	Blob []byte `json:"-"`
	// Source says how the blob was computed ("haversine", "osm-2026-05"...).
	Source string `json:"source"`
	// CreatedAt is set by the store (UTC).
	CreatedAt time.Time `json:"created_at"`
}

// MaxBlob is the largest MatrixEntry.Blob accepted, in bytes.
const MaxBlob = 64 << 20

// JobOutcome is the result of a scheduler job run.
type JobOutcome string

// Job outcomes.
const (
	JobRunning JobOutcome = "running"
	JobOK      JobOutcome = "ok"
	JobFailed  JobOutcome = "failed"
	JobSkipped JobOutcome = "skipped"
	// JobAbandoned marks a run that was left "running" by a crashed process;
	// it no longer blocks its (job, slot).
	JobAbandoned JobOutcome = "abandoned"
)

// JobRun records one run of a scheduled job.
type JobRun struct {
	// ID is assigned by the store when empty ("J-" + random hex).
	ID string `json:"id"`
	// Job is the job name, e.g. "weekly-circuit".
	Job string `json:"job"`
	// Slot identifies the scheduled occurrence, e.g. "2026-11-30T08:00+08:00";
	// at most one run that is not abandoned may exist per non-empty (Job,
	// Slot), which lets several processes race for a slot safely. Empty for
	// manual runs.
	Slot string `json:"slot,omitempty"`
	// Started and Ended bound the run (UTC); Ended is nil while running.
	Started time.Time  `json:"started"`
	Ended   *time.Time `json:"ended,omitempty"`
	// Outcome is running, ok, failed or skipped.
	Outcome JobOutcome `json:"outcome"`
	// Error is the failure message (failed runs).
	Error string `json:"error,omitempty"`
	// Output is a short JSON-encodable summary (plan id, counts...).
	Output map[string]any `json:"output,omitempty"`
}

// JobSchedule overrides the built-in schedule of a job.
type JobSchedule struct {
	// Job is the job name.
	Job string `json:"job"`
	// Spec is a cron spec (robfig/cron syntax), validated by the scheduler.
	Spec string `json:"spec"`
	// TimeZone is an IANA zone name, e.g. "Asia/Shanghai".
	TimeZone string `json:"time_zone"`
	// Enabled switches the job on or off.
	Enabled bool `json:"enabled"`
	// UpdatedAt is set by the store (UTC).
	UpdatedAt time.Time `json:"updated_at"`
	// UpdatedBy is the user id that last changed the override.
	UpdatedBy string `json:"updated_by,omitempty"`
}

// Validate checks s's shape (not the cron syntax); errors are Invalid.
func (s JobSchedule) Validate() error {
	if err := validateID("job", s.Job); err != nil {
		return err
	}
	if s.Spec == "" || len(s.Spec) > 200 {
		return FieldError("spec", "is required (≤ 200 bytes)")
	}
	if len(s.TimeZone) > 64 {
		return FieldError("time_zone", "longer than 64 bytes")
	}
	if len(s.UpdatedBy) > 64 {
		return FieldError("updated_by", "longer than 64 bytes")
	}
	return nil
}

// JobRunFilter selects job runs, newest first.
type JobRunFilter struct {
	// Job restricts to one job name.
	Job string
	// Limit defaults to 100 (at most 1000).
	Limit int
}
