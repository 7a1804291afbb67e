package data

import (
	"context"
	"time"
)

// Store is the persistence contract of Xunhui. Two adapters implement it:
// data/postgres (production, pgx) and data/sqlite (embedded default); both
// pass the contract suite in data/storetest.
//
// Conventions shared by every method:
//   - errors are *Error with a Kind: Invalid (bad input, unknown reference;
//     Field names the input field), NotFound, Conflict (duplicate id, stale
//     version, forbidden status change), Unauthorized (token lookup only),
//     Internal (the database failed);
//   - under DryRun(ctx) writes check everything and then roll back;
//   - writes are atomic: one transaction, all or nothing;
//   - Put* methods upsert by id (insert or replace), and validate every record
//     first; a batch with any bad record writes nothing and returns an
//     ImportError (see RowErrors) listing every bad record by 1-based position;
//   - lists are ordered by id unless said otherwise and never return nil
//     slices for "no rows" (an empty slice instead);
//   - times written by the store are UTC.
type Store interface {
	// RunStore keeps the state of queued work (data/run.go).
	RunStore

	// Ping checks that the database answers (for /readyz).
	Ping(ctx context.Context) error
	// Seeded reports whether the county reference data (townships and
	// villages) is present.
	Seeded(ctx context.Context) (bool, error)
	// Close releases the database; the Store must not be used afterwards.
	Close() error

	// ListTownships returns the 12 townships.
	ListTownships(ctx context.Context) ([]Township, error)
	// GetTownship returns one township; NotFound if absent.
	GetTownship(ctx context.Context, id string) (Township, error)
	// PutTownships upserts townships.
	PutTownships(ctx context.Context, ts []Township) error
	// ListVillages returns the villages, of one township if townshipID != "".
	ListVillages(ctx context.Context, townshipID string) ([]Village, error)
	// GetVillage returns one village; NotFound if absent.
	GetVillage(ctx context.Context, id string) (Village, error)
	// PutVillages upserts villages; their townships must exist.
	PutVillages(ctx context.Context, vs []Village) error
	// SetVillageLocations updates the location and provenance of existing
	// villages (xunhui import villages); an unknown village is a bad row.
	// The village's service point (if any) moves with it.
	SetVillageLocations(ctx context.Context, ls []VillageLocation) error
	// ListServicePoints returns service points, of one circle if circle != "".
	ListServicePoints(ctx context.Context, circle Circle) ([]ServicePoint, error)
	// GetServicePoint returns one service point; NotFound if absent.
	GetServicePoint(ctx context.Context, id string) (ServicePoint, error)
	// PutServicePoints upserts service points.
	PutServicePoints(ctx context.Context, ps []ServicePoint) error

	// ListServiceItems returns the service catalogue.
	ListServiceItems(ctx context.Context) ([]ServiceItem, error)
	// GetServiceItem returns one item; NotFound if absent.
	GetServiceItem(ctx context.Context, id string) (ServiceItem, error)
	// PutServiceItems upserts catalogue items.
	PutServiceItems(ctx context.Context, items []ServiceItem) error

	// ListStaff returns staff, filtered by f.
	ListStaff(ctx context.Context, f StaffFilter) ([]Staff, error)
	// GetStaff returns one staff member; NotFound if absent.
	GetStaff(ctx context.Context, id string) (Staff, error)
	// PutStaff upserts staff.
	PutStaff(ctx context.Context, ss []Staff) error
	// ListTeams returns teams, of one level if level != "".
	ListTeams(ctx context.Context, level Level) ([]Team, error)
	// GetTeam returns one team; NotFound if absent.
	GetTeam(ctx context.Context, id string) (Team, error)
	// PutTeams upserts teams; members and home points must exist.
	PutTeams(ctx context.Context, ts []Team) error
	// ListMarketCycles returns the market-day cycles, one per township at most.
	ListMarketCycles(ctx context.Context) ([]MarketCycle, error)
	// PutMarketCycles upserts cycles by township (Normalize is applied).
	PutMarketCycles(ctx context.Context, cs []MarketCycle) error
	// ListMarketExceptions returns the exceptions of one township (all if
	// townshipID == ""), by township and date.
	ListMarketExceptions(ctx context.Context, townshipID string) ([]MarketException, error)
	// PutMarketExceptions upserts exceptions by (township, date).
	PutMarketExceptions(ctx context.Context, es []MarketException) error
	// DeleteMarketException removes the exception of a township on a date;
	// NotFound if absent.
	DeleteMarketException(ctx context.Context, townshipID string, date Date) error
	// CreateHandoff stores a new hand-off chain (id "H-…" when empty) for an
	// existing request and item; TownshipID is taken from the request.
	// Errors: Invalid (naming the field), Conflict (duplicate id).
	CreateHandoff(ctx context.Context, h *Handoff) error
	// GetHandoff returns one hand-off; NotFound if missing.
	GetHandoff(ctx context.Context, id string) (Handoff, error)
	// ListHandoffs returns the hand-offs matching f, oldest first.
	ListHandoffs(ctx context.Context, f HandoffFilter) ([]Handoff, error)
	// UpdateHandoff writes h's stages, status and delivery request if
	// h.Version is the stored one (Conflict otherwise), and, when delivery
	// is not nil, creates that request (the delivery visit) in the same
	// transaction and records its id in h.DeliveryRequestID.
	UpdateHandoff(ctx context.Context, h *Handoff, delivery *Request) error
	// ImportClosures stores new road closures and walk-only villages (ids
	// "CL-…" when empty), all or nothing: every bad record (invalid, unknown
	// village, duplicate or existing id) is reported by position in an
	// ImportError. The records get their ids, versions and timestamps.
	ImportClosures(ctx context.Context, cs []Closure, by string) error
	// GetClosure returns one closure; NotFound if missing.
	GetClosure(ctx context.Context, id string) (Closure, error)
	// ListClosures returns the closures matching f, ordered by id.
	ListClosures(ctx context.Context, f ClosureFilter) ([]Closure, error)
	// UpdateClosure replaces a closure if c.Version is the stored one
	// (Conflict otherwise; NotFound if missing) and bumps the version.
	UpdateClosure(ctx context.Context, c *Closure) error
	// DeleteClosure removes a closure if version is the stored one (or 0).
	DeleteClosure(ctx context.Context, id string, version int64) error
	// ListGuideRules returns the guide rules (GuideRule), ordered by id.
	ListGuideRules(ctx context.Context) ([]GuideRule, error)
	// ReplaceGuideRules replaces the whole rule set, all or nothing: every
	// bad rule (invalid, unknown item, repeated id) is reported by position
	// in an ImportError and nothing changes.
	ReplaceGuideRules(ctx context.Context, rules []GuideRule, by string) error
	// MarketCalendar returns a township's cycle and exceptions; NotFound if
	// the township has no cycle.
	MarketCalendar(ctx context.Context, townshipID string) (MarketCycle, []MarketException, error)

	// CreateBooking stores a market-day booking: validates it, checks that the
	// item and village exist (Invalid naming item_id / household.village_id),
	// assigns ID (if empty), Status booked (if empty) and timestamps, and
	// updates *b. A duplicate id is a Conflict.
	CreateBooking(ctx context.Context, b *Booking) error
	// GetBooking returns one booking; NotFound if absent.
	GetBooking(ctx context.Context, id string) (Booking, error)
	// ListBookings returns bookings matching f, by date, township, id.
	ListBookings(ctx context.Context, f BookingFilter) ([]Booking, error)
	// SetBookingStatus changes a booking's status (any change between the
	// four statuses is allowed), recording by as UpdatedBy; NotFound if absent.
	SetBookingStatus(ctx context.Context, id string, status BookingStatus, by string) (Booking, error)

	// CreateRequest stores a new request: it validates it (ValidateNew
	// against today's date in Local), checks that village and items exist,
	// assigns ID (if empty), TownshipID, Status pending (if empty),
	// Version 1, CreatedAt/UpdatedAt and a first history entry by r.Source,
	// and updates *r. A duplicate id is a Conflict.
	CreateRequest(ctx context.Context, r *Request) error
	// ImportRequests creates many requests in one transaction (same checks
	// as CreateRequest, deadline included, plus duplicate ids within the
	// batch); any bad row rejects the whole batch with an ImportError.
	ImportRequests(ctx context.Context, rs []Request, by string) error
	// SaveRequests writes a ledger workbook's rows in one transaction: a row
	// without id, or with an id not stored, is created (the checks of
	// ImportRequests); a row with a stored id must carry the version it was
	// exported at and updates the editable fields (UpdateRequest's checks,
	// closed requests refused) with a history entry by by; rows equal to
	// the stored request are left alone. Any bad row rejects the whole
	// batch with an ImportError by 1-based position.
	SaveRequests(ctx context.Context, rs []Request, by string) (SaveResult, error)
	// GetRequest returns one request with its history; NotFound if absent.
	GetRequest(ctx context.Context, id string) (Request, error)
	// ListRequests returns one page of requests matching f, with history,
	// and the total number of matches ignoring Limit/Offset.
	ListRequests(ctx context.Context, f RequestFilter) ([]Request, int, error)
	// UpdateRequest replaces the editable fields of a request (ledger,
	// household, groups, items, priority, windows, deadline, summary) if
	// r.Version equals the stored version; otherwise Conflict (also for a
	// withdrawn, cancelled or merged request, field status). Status and
	// history are not changed here (see TransitionRequest). On success *r
	// holds the stored record with the new version.
	UpdateRequest(ctx context.Context, r *Request) error
	// TransitionRequest changes the status of a request, appending to its
	// history. Conflict if t.Version is stale or CanTransition forbids the
	// change; Invalid (field note) when withdrawing or cancelling without a
	// reason (Status.NeedsReason); NotFound if the request does not exist.
	TransitionRequest(ctx context.Context, t RequestTransition) (Request, error)
	// MergeRequests folds duplicate request m.ID into m.IntoID in one
	// transaction: the kept request takes data.MergeInto's fields (version
	// +1), the duplicate gets status merged and DuplicateOf (version +1), and
	// both histories record it (by m.By, with m.Note). Invalid (field into)
	// for the same id twice, an unknown IntoID, different townships or too
	// many items; Conflict for a stale version (field version or
	// into_version), a withdrawn, cancelled or merged request, or a done
	// duplicate; NotFound if m.ID does not exist.
	MergeRequests(ctx context.Context, m RequestMerge) (dup, keep Request, err error)
	// SetRequestPriority changes a request's priority and appends a history
	// entry (status unchanged, note "priority a→b: " + c.Note), bumping the
	// version. Conflict if c.Version is stale; NotFound if absent; Invalid
	// (field priority) outside 1–5.
	SetRequestPriority(ctx context.Context, c PriorityChange) (Request, error)
	// RecordOutcome records a visit's outcome for all its requests in one
	// transaction (see OutcomeRecord): all change or none (the first failing
	// request is named by field request_ids[i]); idempotent by
	// o.IdempotencyKey per user, the key and the answer stored in the same
	// transaction. Invalid for bad input, NotFound for an unknown request,
	// Conflict for a forbidden change or a key reused for another call.
	RecordOutcome(ctx context.Context, o OutcomeRecord) (OutcomeReceipt, error)
	// RequestHistory returns the status history of a request, oldest first;
	// NotFound if the request does not exist.
	RequestHistory(ctx context.Context, id string) ([]StatusChange, error)
	// RequestIDsForTeam returns the distinct ids of the requests on the stops
	// of teamID's itineraries dated from–to (inclusive; "" = unbounded), in
	// currently published plans only (not drafts, not superseded versions):
	// the basis of team_member visibility.
	RequestIDsForTeam(ctx context.Context, teamID string, from, to Date) ([]string, error)

	// RecordPulls stores what a user was given of a team's days at a pull
	// (see Pull), replacing the previous pull of each day, in one statement,
	// and raises the pulls generation in the same transaction. It returns
	// the value it raised that generation to: the one before it was the
	// state of member_pulls just before this write. At most MaxPullDays;
	// Invalid for a bad pull (nothing written, 0 returned).
	RecordPulls(ctx context.Context, ps []Pull) (pullsGen int64, err error)
	// LastPulls returns userID's last pulls of teamID's days from–to
	// (inclusive), ordered by date; days never pulled are absent.
	LastPulls(ctx context.Context, userID, teamID string, from, to Date) ([]Pull, error)

	// CreatePlan stores a plan with its content in one transaction: assigns
	// ID (if empty), Status draft (if empty), Version 1 and timestamps, sets
	// PlanID on the content and updates d. Teams, villages, townships,
	// staff, items and requests referenced must exist (Invalid otherwise).
	CreatePlan(ctx context.Context, d *PlanDetail) error
	// GetPlan returns a plan with its itineraries (by team, date) and desks
	// (by township, date); NotFound if absent.
	GetPlan(ctx context.Context, id string) (PlanDetail, error)
	// ListPlans returns plan headers, newest first.
	ListPlans(ctx context.Context, f PlanFilter) ([]Plan, error)
	// ReplacePlan replaces the summary and content of draft plan d.Plan.ID
	// if d.Plan.Version is current (Conflict otherwise), bumping the version;
	// From and To may change too (Status stays: use PublishPlan). A
	// published or superseded plan is immutable: replacing it is a Conflict
	// (a re-plan is a new draft version). d is updated.
	ReplacePlan(ctx context.Context, d *PlanDetail) error
	// PublishPlan publishes draft p.ID if p.Version is current, in one
	// transaction: it checks p.Supersedes (Conflict, field supersedes, when a
	// published plan of the same kind overlaps the period and is not named,
	// or the named one is not such a plan), marks the superseded plan
	// superseded (its claims are released), and writes the plan's claims
	// (PlanClaims): a person-day already claimed by another published plan
	// is a Conflict (field staff) and nothing is written. Publishing a plan
	// that is not a draft is a Conflict. Returns the updated header.
	PublishPlan(ctx context.Context, p Publication) (Plan, error)
	// DeletePlan removes a draft plan and its content if version is current;
	// a published or superseded plan is a Conflict (they are history).
	DeletePlan(ctx context.Context, id string, version int64) error
	// ListItineraries returns itineraries across plans matching f, ordered
	// by date, team, plan.
	ListItineraries(ctx context.Context, f ItineraryFilter) ([]Itinerary, error)
	// TeamSchedule reads a team's days (see ScheduleQuery and Schedule) in
	// one transaction with a fixed number of set-based queries, whatever the
	// number of days, stops and households. Invalid for a bad query,
	// NotFound for an unknown team or plan (or a draft PlanID when
	// PublishedOnly, or a PlanID that is not a circuit plan).
	TeamSchedule(ctx context.Context, q ScheduleQuery) (Schedule, error)

	// CreateAbsence stores a new absence: validates it (Kind defaults to
	// leave), checks the staff member exists (Invalid, field staff_id),
	// assigns ID (if empty), Version 1 and CreatedAt, and updates *a. A
	// duplicate id is a Conflict.
	CreateAbsence(ctx context.Context, a *Absence) error
	// ImportAbsences creates many absences in one transaction (same checks
	// as CreateAbsence, CreatedBy = by when empty); any bad row rejects the
	// batch with an ImportError.
	ImportAbsences(ctx context.Context, as []Absence, by string) error
	// GetAbsence returns one absence; NotFound if absent.
	GetAbsence(ctx context.Context, id string) (Absence, error)
	// ListAbsences returns absences matching f, by from date, staff, id.
	ListAbsences(ctx context.Context, f AbsenceFilter) ([]Absence, error)
	// CancelAbsence cancels an active absence if version is current (0 skips
	// the check), recording by and the time; NotFound if unknown, Conflict
	// if already cancelled or stale.
	CancelAbsence(ctx context.Context, id string, version int64, by string) (Absence, error)
	// ListClaims returns the person-days claimed by published plans matching
	// f, by date, staff.
	ListClaims(ctx context.Context, f ClaimFilter) ([]Claim, error)

	// CreateUser stores a new user (CreatedAt set); duplicate id is Conflict.
	CreateUser(ctx context.Context, u *User) error
	// GetUser returns one user; NotFound if absent.
	GetUser(ctx context.Context, id string) (User, error)
	// ListUsers returns every user.
	ListUsers(ctx context.Context) ([]User, error)
	// UpdateUser replaces name, role, scope and disabled flag of a user if
	// u.Version is current (Conflict otherwise), and updates *u.
	UpdateUser(ctx context.Context, u *User) error
	// CreateToken stores a token (t.Hash from HashToken; ID assigned if
	// empty, CreatedAt set); the user must exist (Invalid otherwise); a hash
	// already stored is a Conflict (so "ensure this admin token" is
	// CreateToken ignoring Conflict).
	CreateToken(ctx context.Context, t *Token) error
	// UserByTokenHash returns the token with this hash and its user;
	// Unauthorized if no such token, if it has expired, or the user is
	// disabled.
	UserByTokenHash(ctx context.Context, hash string) (User, Token, error)
	// ListTokens returns the tokens of a user (hashes included, never secrets).
	ListTokens(ctx context.Context, userID string) ([]Token, error)
	// DeleteToken revokes a token; NotFound if absent.
	DeleteToken(ctx context.Context, id string) error
	// RotateToken replaces token oldID by t (same user; t.UserID is set
	// from the old token) in one transaction; NotFound if oldID is absent.
	RotateToken(ctx context.Context, oldID string, t *Token) error

	// CreateSignInCode stores a one-time code (CreatedAt set); Invalid for
	// an unknown user or a bad hash.
	CreateSignInCode(ctx context.Context, c *SignInCode) error
	// RedeemSignInCode uses the code with this hash once: in one
	// transaction it marks the code used and stores t for the code's user
	// (t.UserID set), returning the user. Unauthorized when the code is
	// unknown, used, expired or its user disabled.
	RedeemSignInCode(ctx context.Context, hash string, t *Token) (User, error)
	// SetPassword stores the password hash (bcrypt) of a user; NotFound for
	// an unknown user.
	SetPassword(ctx context.Context, userID, hash string) error
	// PasswordHash returns a user and its password hash; NotFound when the
	// user is unknown or has no password.
	PasswordHash(ctx context.Context, userID string) (User, string, error)

	// GetMatrix returns a cached entry; NotFound if absent.
	GetMatrix(ctx context.Context, key string) (MatrixEntry, error)
	// PutMatrix stores or replaces a cached entry (CreatedAt set).
	PutMatrix(ctx context.Context, e MatrixEntry) error
	// DeleteMatrices removes every entry whose key starts with prefix and
	// returns how many were removed.
	DeleteMatrices(ctx context.Context, prefix string) (int, error)

	// StartJobRun claims and records the start of a job run (ID assigned if
	// empty, Started set if zero, Outcome running) and updates *r. Conflict
	// if r.Slot != "" and a run of the same (Job, Slot) exists that is not
	// abandoned: the slot was claimed by another process.
	StartJobRun(ctx context.Context, r *JobRun) error
	// FinishJobRun records the end of a run: Ended (now if nil), Outcome,
	// Error, Output. NotFound if the run is unknown.
	FinishJobRun(ctx context.Context, r JobRun) error
	// AbandonJobRun marks a run that is still running as abandoned (with
	// reason as its Error), freeing its slot; NotFound if unknown, Conflict
	// if it is not running.
	AbandonJobRun(ctx context.Context, id, reason string) error
	// ListJobRuns returns job runs, newest first.
	ListJobRuns(ctx context.Context, f JobRunFilter) ([]JobRun, error)

	// RecordAccess appends entries to the access trail in one transaction,
	// assigning each its ID and At (if zero): all are durable when it
	// returns nil, none when it fails. Invalid when an entry's UserID,
	// Action or Kind is empty (field records[i].…).
	RecordAccess(ctx context.Context, rs ...*AccessRecord) error

	// Generations returns the store's change counters (see Generations).
	Generations(ctx context.Context) (Generations, error)
	// ListAccess returns trail entries matching f, newest first, and the
	// number of matches.
	ListAccess(ctx context.Context, f AccessFilter) ([]AccessRecord, int, error)
	// PurgeAccess deletes trail entries older than before and returns how
	// many it deleted (retention).
	PurgeAccess(ctx context.Context, before time.Time) (int64, error)
	// LastJobSlot returns the greatest Slot of a job's runs that are not
	// abandoned, or "" if there is none.
	LastJobSlot(ctx context.Context, job string) (string, error)
	// ListJobSchedules returns the schedule overrides, by job.
	ListJobSchedules(ctx context.Context) ([]JobSchedule, error)
	// PutJobSchedule upserts a schedule override (UpdatedAt set; UpdatedBy
	// as given).
	PutJobSchedule(ctx context.Context, s *JobSchedule) error
	// DeleteJobSchedule removes an override; NotFound if absent.
	DeleteJobSchedule(ctx context.Context, job string) error
}

// StaffFilter selects staff. Zero fields do not filter.
type StaffFilter struct {
	// Role restricts to one role.
	Role StaffRole
	// TownshipID restricts to staff based in this township or its villages.
	TownshipID string
	// Skill restricts to staff having this skill.
	Skill Skill
}

// Migrator is implemented by stores whose schema is versioned by embedded
// SQL migrations. Migrate applies the pending ones, each in its own
// transaction, and returns their names; it is safe to call on every start.
type Migrator interface {
	Migrate(ctx context.Context) (applied []string, err error)
}

// Generations are counters that the store raises in the same transaction
// as every committed write of the tables behind them, whichever process
// wrote: a value read before some data was read is never newer than that
// data. Caches key on them: an entry made at generation g is valid exactly
// while the counter still reads g.
type Generations struct {
	// Auth changes when users or tokens change (disabled, role or scope
	// changed, token revoked, renewed or deleted); new tokens do not count.
	Auth int64
	// Data changes when anything a team's schedule shows changes: plans,
	// itineraries, requests with their items and groups, staff, teams and
	// members, villages, townships, service points and items, staff claims,
	// closures.
	Data int64
	// Pulls changes with every write of member pulls (RecordPulls).
	Pulls int64
}
