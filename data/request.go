package data

import (
	"fmt"
	"regexp"
	"slices"
	"time"
	"unicode/utf8"
)

// Ledger is one of the three registers a request comes from.
type Ledger string

// Ledgers.
const (
	LedgerProxy    Ledger = "proxy"    // 代办事项: items to be handled on behalf of the household
	LedgerAppeal   Ledger = "appeal"   // 民生诉求: livelihood appeals
	LedgerHardship Ledger = "hardship" // 困难问题: hardship cases
)

// Valid reports whether l is a known ledger.
func (l Ledger) Valid() bool { return l == LedgerProxy || l == LedgerAppeal || l == LedgerHardship }

// Group is a special-group flag of a household; such households are
// visited at home rather than asked to come to a desk.
type Group string

// Special groups.
const (
	GroupElderlyAlone    Group = "elderly_alone"     // 独居老人
	GroupDisabled        Group = "disabled"          // 残疾人
	GroupSeriouslyIll    Group = "seriously_ill"     // 重病患者
	GroupLeftBehindChild Group = "left_behind_child" // 留守儿童
	GroupLowIncome       Group = "low_income"        // 低保/低收入
	GroupExtremePoverty  Group = "extreme_poverty"   // 特困供养
	GroupVeteran         Group = "veteran"           // 退役军人/优抚对象
)

// Groups lists every known special group.
var Groups = []Group{GroupElderlyAlone, GroupDisabled, GroupSeriouslyIll, GroupLeftBehindChild,
	GroupLowIncome, GroupExtremePoverty, GroupVeteran}

// Valid reports whether g is a known group.
func (g Group) Valid() bool {
	for _, k := range Groups {
		if g == k {
			return true
		}
	}
	return false
}

// Status is the life-cycle state of a request.
type Status string

// Statuses.
const (
	StatusPending  Status = "pending"   // registered, not yet on a plan
	StatusPlanned  Status = "planned"   // on a draft or published plan
	StatusDone     Status = "done"      // served
	StatusFailed   Status = "failed"    // visit took place but could not be served, or was missed
	StatusFollowUp Status = "follow_up" // served in part; another visit or a result delivery is due
	// StatusWithdrawn: the household no longer needs it (with a reason); may be reopened.
	StatusWithdrawn Status = "withdrawn"
	// StatusCancelled: the office closed it unserved (with a reason), e.g. out of remit; may be reopened.
	StatusCancelled Status = "cancelled"
	// StatusMerged: a duplicate folded into another request (DuplicateOf); final.
	StatusMerged Status = "merged"
)

// Statuses lists every status.
var Statuses = []Status{StatusPending, StatusPlanned, StatusDone, StatusFailed, StatusFollowUp,
	StatusWithdrawn, StatusCancelled, StatusMerged}

// Closed reports whether s ends a request unserved (withdrawn, cancelled or
// merged): such requests are never planned and cannot be edited.
func (s Status) Closed() bool {
	return s == StatusWithdrawn || s == StatusCancelled || s == StatusMerged
}

// NeedsReason reports whether a change to s must carry a reason (the
// history note): withdrawing and cancelling do.
func (s Status) NeedsReason() bool { return s == StatusWithdrawn || s == StatusCancelled }

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, k := range Statuses {
		if s == k {
			return true
		}
	}
	return false
}

// transitions lists the allowed status changes. done is final except for a
// correction back to follow_up; withdrawn and cancelled may only be reopened
// (back to pending); merged is reached only through a merge and is final.
var transitions = map[Status][]Status{
	StatusPending:   {StatusPlanned, StatusDone, StatusFailed, StatusWithdrawn, StatusCancelled},
	StatusPlanned:   {StatusPending, StatusDone, StatusFailed, StatusFollowUp, StatusWithdrawn, StatusCancelled},
	StatusFailed:    {StatusPending, StatusPlanned, StatusFollowUp, StatusWithdrawn, StatusCancelled},
	StatusFollowUp:  {StatusPending, StatusPlanned, StatusDone, StatusFailed, StatusWithdrawn, StatusCancelled},
	StatusDone:      {StatusFollowUp},
	StatusWithdrawn: {StatusPending},
	StatusCancelled: {StatusPending},
}

// CanTransition reports whether a request may go from status from to to.
func CanTransition(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Household is the person or family a request is about.
type Household struct {
	// Name is the contact person's name.
	Name string `json:"name"`
	// Phone is a contact number: 11-digit mobile or landline digits (6–20
	// characters of digits, '-', '+', space); optional (many elderly
	// households have none).
	Phone string `json:"phone,omitempty"`
	// VillageID is the NBS code of the household's village.
	VillageID string `json:"village_id"`
	// Address is a free-text address, e.g. "3组12号" (optional).
	Address string `json:"address,omitempty"`
	// Location is the exact home location (WGS84) when known; nil means "use
	// the village point".
	Location *Point `json:"location,omitempty"`
}

// StatusChange is one entry of a request's history.
type StatusChange struct {
	// At is when the change was recorded (UTC).
	At time.Time `json:"at"`
	// By is the user id (or "system", "seed", "import") that made the change.
	By string `json:"by"`
	// From is the previous status ("" for creation).
	From Status `json:"from"`
	// To is the new status.
	To Status `json:"to"`
	// Note is an optional remark, e.g. the reason for a failure.
	Note string `json:"note,omitempty"`
}

// Request is one household need from the ledgers: one or more service items
// to be handled for a household, with the times the household can be visited.
type Request struct {
	// ID is a stable id; stores assign "R-" + random hex when empty.
	ID string `json:"id"`
	// Ledger is proxy, appeal or hardship.
	Ledger Ledger `json:"ledger"`
	// Household is who and where.
	Household Household `json:"household"`
	// TownshipID is derived from Household.VillageID by the store (read-only).
	TownshipID string `json:"township_id"`
	// AcceptedTownship is the township whose desk registered the request
	// when it is not the household's own (无差别受理: items are accepted
	// anywhere); that desk's coordinator keeps seeing the request, while
	// planning follows the household's township. Set on create only.
	AcceptedTownship string `json:"accepted_township,omitempty"`
	// Groups are the household's special-group flags.
	Groups []Group `json:"groups"`
	// ItemIDs are the requested service items (≥ 1, no duplicates).
	ItemIDs []string `json:"item_ids"`
	// Priority is 1 (routine) … 5 (most urgent).
	Priority int `json:"priority"`
	// VisitWindows are the weekly windows in which the household can receive
	// a visit; empty means any time within working hours.
	VisitWindows []WeeklyWindow `json:"visit_windows"`
	// Deadline is the last day the request should be served (optional).
	Deadline Date `json:"deadline,omitempty"`
	// Summary describes the need in free text (≤ 500 characters).
	Summary string `json:"summary,omitempty"`
	// Status is the current life-cycle state.
	Status Status `json:"status"`
	// History lists status changes, oldest first (read-only; written by the store).
	History []StatusChange `json:"history"`
	// DuplicateOf is the request this one was merged into (status merged;
	// read-only, set by MergeRequests).
	DuplicateOf string `json:"duplicate_of,omitempty"`
	// Source says where the request came from: "api", "import" or "SAMPLE".
	Source string `json:"source"`
	// CreatedBy is the user id that registered the request (optional; the
	// first history entry is by CreatedBy, or by Source when empty).
	CreatedBy string `json:"created_by,omitempty"`
	// Version increases by one on every write; updates must present the
	// version they read (optimistic concurrency).
	Version int64 `json:"version"`
	// CreatedAt and UpdatedAt are set by the store (UTC).
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

var phoneRE = regexp.MustCompile(`^[0-9+\- ]{6,20}$`)

// Validate checks r's own fields (not that villages and items exist, nor the
// deadline against today: see ValidateNew). Errors are Invalid and name the
// field in JSON spelling.
func (r Request) Validate() error {
	if r.ID != "" {
		if err := validateID("id", r.ID); err != nil {
			return err
		}
	}
	if !r.Ledger.Valid() {
		return FieldError("ledger", "%q is not proxy, appeal or hardship", r.Ledger)
	}
	if err := validateName("household.name", r.Household.Name); err != nil {
		return err
	}
	if r.Household.Phone != "" && !phoneRE.MatchString(r.Household.Phone) {
		return FieldError("household.phone", "%q is not a phone number (6–20 digits, +, -)", r.Household.Phone)
	}
	if !ValidCode(r.Household.VillageID) || r.Household.VillageID[9:] == "000" {
		return FieldError("household.village_id", "%q is not a village code 511822xxxyyy", r.Household.VillageID)
	}
	if utf8.RuneCountInString(r.Household.Address) > 200 {
		return FieldError("household.address", "longer than 200 characters")
	}
	if r.Household.Location != nil {
		if err := r.Household.Location.validate("household.location"); err != nil {
			return err
		}
	}
	seenG := map[Group]bool{}
	for i, g := range r.Groups {
		if !g.Valid() {
			return FieldError(fmt.Sprintf("groups[%d]", i), "%q is not a known group %v", g, Groups)
		}
		if seenG[g] {
			return FieldError(fmt.Sprintf("groups[%d]", i), "%q listed twice", g)
		}
		seenG[g] = true
	}
	if len(r.ItemIDs) == 0 {
		return FieldError("item_ids", "at least one service item is required")
	}
	if len(r.ItemIDs) > 20 {
		return FieldError("item_ids", "at most 20 items per request")
	}
	seen := map[string]bool{}
	for i, id := range r.ItemIDs {
		if err := validateID(fmt.Sprintf("item_ids[%d]", i), id); err != nil {
			return err
		}
		if seen[id] {
			return FieldError(fmt.Sprintf("item_ids[%d]", i), "%q listed twice", id)
		}
		seen[id] = true
	}
	if r.Priority < 1 || r.Priority > 5 {
		return FieldError("priority", "%d is not within 1 (routine) – 5 (most urgent)", r.Priority)
	}
	if len(r.VisitWindows) > 50 {
		return FieldError("visit_windows", "at most 50 windows")
	}
	if err := validateWindows("visit_windows", r.VisitWindows); err != nil {
		return err
	}
	if r.Deadline != "" && !r.Deadline.Valid() {
		return FieldError("deadline", "%q is not a date YYYY-MM-DD", r.Deadline)
	}
	if utf8.RuneCountInString(r.Summary) > 500 {
		return FieldError("summary", "longer than 500 characters")
	}
	if r.Status != "" && !r.Status.Valid() {
		return FieldError("status", "%q is not one of %v", r.Status, Statuses)
	}
	if utf8.RuneCountInString(r.Source) > 40 {
		return FieldError("source", "longer than 40 characters")
	}
	if r.AcceptedTownship != "" && (!ValidCode(r.AcceptedTownship) || r.AcceptedTownship[9:] != "000" || r.AcceptedTownship == CountyCode) {
		return FieldError("accepted_township", "%q is not a township code", r.AcceptedTownship)
	}
	return nil
}

// ValidateNew checks a request about to be created on day today: Validate,
// plus a deadline that is not before today.
func (r Request) ValidateNew(today Date) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if r.Deadline != "" && r.Deadline < today {
		return FieldError("deadline", "%s is before today (%s)", r.Deadline, today)
	}
	return nil
}

// SaveResult counts what Store.SaveRequests did.
type SaveResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// RequestTransition asks the store to move a request to another status.
type RequestTransition struct {
	// ID is the request.
	ID string `json:"id"`
	// Version is the version the caller read; a mismatch is a Conflict.
	Version int64 `json:"version"`
	// To is the new status; it must be allowed by CanTransition.
	To Status `json:"to"`
	// By is the acting user id.
	By string `json:"by"`
	// Note is an optional remark stored in the history.
	Note string `json:"note,omitempty"`
}

// RequestMerge asks the store to fold a duplicate request into another one
// (see Store.MergeRequests).
type RequestMerge struct {
	// ID is the duplicate; it ends with status merged and DuplicateOf = IntoID.
	ID string `json:"id"`
	// Version is the duplicate's version the caller read.
	Version int64 `json:"version"`
	// IntoID is the request that is kept.
	IntoID string `json:"into"`
	// IntoVersion is the kept request's version the caller read.
	IntoVersion int64 `json:"into_version"`
	// By is the acting user id.
	By string `json:"by"`
	// Note is the reason, stored in both histories.
	Note string `json:"note,omitempty"`
}

// MergeInto returns keep after absorbing dup: the union of items (keep's
// first) and groups, the higher priority, the earlier deadline, keep's
// visit windows (dup's when keep has none) and dup's phone, address and
// location where keep has none. Invalid (field into) when the union has
// more than 20 items or the two are in different townships.
func MergeInto(keep, dup Request) (Request, error) {
	if TownshipOf(keep.Household.VillageID) != TownshipOf(dup.Household.VillageID) {
		return keep, FieldError("into", "%s and %s are in different townships", dup.ID, keep.ID)
	}
	out := keep
	out.ItemIDs = append([]string{}, keep.ItemIDs...)
	for _, id := range dup.ItemIDs {
		if !slices.Contains(out.ItemIDs, id) {
			out.ItemIDs = append(out.ItemIDs, id)
		}
	}
	if len(out.ItemIDs) > 20 {
		return keep, FieldError("into", "merging would give %d service items; at most 20 per request", len(out.ItemIDs))
	}
	out.Groups = append([]Group{}, keep.Groups...)
	for _, g := range dup.Groups {
		if !slices.Contains(out.Groups, g) {
			out.Groups = append(out.Groups, g)
		}
	}
	out.Priority = max(keep.Priority, dup.Priority)
	if dup.Deadline != "" && (out.Deadline == "" || dup.Deadline < out.Deadline) {
		out.Deadline = dup.Deadline
	}
	if len(out.VisitWindows) == 0 {
		out.VisitWindows = dup.VisitWindows
	}
	if out.Household.Phone == "" {
		out.Household.Phone = dup.Household.Phone
	}
	if out.Household.Address == "" {
		out.Household.Address = dup.Household.Address
	}
	if out.Household.Location == nil {
		out.Household.Location = dup.Household.Location
	}
	return out, nil
}

// PriorityChange asks the store to change a request's priority, e.g. when a
// deadline approaches; the change is recorded in the history as an entry
// whose From and To are the unchanged status.
type PriorityChange struct {
	// ID is the request.
	ID string `json:"id"`
	// Version is the version the caller read; a mismatch is a Conflict.
	Version int64 `json:"version"`
	// Priority is the new priority, 1–5.
	Priority int `json:"priority"`
	// By is the acting user id (e.g. "scheduler").
	By string `json:"by"`
	// Note explains the change; the store prefixes "priority a→b".
	Note string `json:"note,omitempty"`
}

// RequestFilter selects requests for ListRequests. Zero fields do not filter.
type RequestFilter struct {
	// IDs restricts to these ids (e.g. a team member's visible requests);
	// a non-nil empty slice matches nothing.
	IDs []string
	// TeamID restricts to requests on the stops of this team's itineraries
	// in currently published plans (as RequestIDsForTeam): team_member scope.
	TeamID string
	// TownshipID restricts to villages of this township (coordinator scope).
	TownshipID string
	// DeskTownship keeps the requests of this township's households and
	// those its desk accepted for other townships (a coordinator's scope).
	DeskTownship string
	// VillageID restricts to one village.
	VillageID string
	// Statuses restricts to any of these statuses.
	Statuses []Status
	// Ledger restricts to one ledger.
	Ledger Ledger
	// Group restricts to households with this special-group flag.
	Group Group
	// DeadlineBefore keeps requests with a deadline on or before this date.
	DeadlineBefore Date
	// Order sorts the page: "" or "id" (by id), "priority" (most urgent
	// first, then earliest deadline, then id), "deadline" (earliest first,
	// none last, then id) or "created" (newest first, then id). Other
	// values are Invalid (field order).
	Order string
	// Limit is the page size (default 100, at most 1000); Offset skips that
	// many requests.
	Limit  int
	Offset int
}

// Page limits.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Normalize fills in the default limit and clamps limit and offset.
func (f *RequestFilter) Normalize() {
	if f.Limit <= 0 {
		f.Limit = DefaultLimit
	}
	if f.Limit > MaxLimit {
		f.Limit = MaxLimit
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
}
