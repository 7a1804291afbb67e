// Package handoff runs the hand-off chains of cross-level items (代办转办):
// an item accepted at a village, a market desk or a township but handled
// higher is held by one level after another, each with a deadline, and its
// result goes back to the resident on a planned visit (a delivery request
// that the circuit planner plans like any other). The ledger view says who
// holds each file and which stages are late.
//
// It imports only package data; the api package serves it.
package handoff

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/yingjing/xunhui/data"
)

// Store is the part of data.Store the hand-offs need.
type Store interface {
	GetRequest(ctx context.Context, id string) (data.Request, error)
	GetServiceItem(ctx context.Context, id string) (data.ServiceItem, error)
	CreateHandoff(ctx context.Context, h *data.Handoff) error
	GetHandoff(ctx context.Context, id string) (data.Handoff, error)
	ListHandoffs(ctx context.Context, f data.HandoffFilter) ([]data.Handoff, error)
	UpdateHandoff(ctx context.Context, h *data.Handoff, delivery *data.Request) error
}

// Service accepts, forwards and decides hand-offs.
type Service struct {
	store Store
	now   func() time.Time
}

// New returns a Service over store; now is the clock (time.Now when nil).
func New(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

func (s *Service) today() data.Date { return data.DateOf(s.now()) }

// Actor is who acts: township coordinators act on the hand-offs of their
// township's households and on those their desk accepted (others answer
// NotFound, like every out-of-scope record); they accept items for any
// household of the county (无差别受理).
type Actor struct {
	UserID     string
	Role       data.UserRole
	TownshipID string
}

func (a Actor) sees(h data.Handoff) bool {
	return a.Role != data.UserTownshipCoordinator || a.TownshipID == h.TownshipID || a.TownshipID == h.AcceptedTownship
}

// AcceptInput is the body of POST /api/v1/handoffs.
type AcceptInput struct {
	RequestID   string         `json:"request_id" doc:"the household's ledger request"`
	ItemID      string         `json:"item_id" doc:"a cross-level item of that request"`
	AcceptedVia data.AcceptVia `json:"accepted_via" doc:"village, market_desk or township (无差别受理: any in the county)"`
	Holder      string         `json:"holder" doc:"who holds the file first, e.g. 花滩镇便民服务中心 market desk"`
	Note        string         `json:"note,omitempty"`
}

// StepInput is the body of POST /handoffs/{id}/forward and /result.
type StepInput struct {
	Version int64  `json:"version" doc:"the version read (409 if stale)"`
	Holder  string `json:"holder,omitempty" doc:"forward: who receives the file at the next level"`
	Note    string `json:"note,omitempty"`
}

// View is a hand-off as the ledger shows it: the chain plus who holds the
// file now, which stages are late and how the delivery stands.
type View struct {
	data.Handoff
	// Stage is the index of the stage holding the file (-1 when none: delivered).
	Stage int `json:"stage"`
	// Level and Holder are the current stage's ("" when delivered).
	Level  data.Level `json:"level,omitempty"`
	Holder string     `json:"holder,omitempty"`
	// Late is true when any stage is late (acted after, or still open after, its due day).
	Late bool `json:"late"`
	// LateStages lists the indices of the late stages.
	LateStages []int `json:"late_stages"`
	// DeliveryStatus is the status of the delivery request, once there is one.
	DeliveryStatus data.Status `json:"delivery_status,omitempty"`
}

func invalid(field, format string, args ...any) error { return data.FieldError(field, format, args...) }

// Accept opens a hand-off chain for item in.ItemID of request in.RequestID,
// accepted today at in.AcceptedVia: the first stage is held at that level
// with data.StageDays to act. A township coordinator may accept for any
// household of the county (无差别受理); their township is recorded as the
// accepting desk. Errors: Invalid naming the field (an unknown request,
// an item not on the request, or one decided where it was accepted: no
// hand-off).
func (s *Service) Accept(ctx context.Context, a Actor, in AcceptInput) (View, error) {
	r, err := s.store.GetRequest(ctx, in.RequestID)
	if data.ErrorKind(err) == data.NotFound {
		return View{}, invalid("request_id", "unknown request %s", in.RequestID)
	}
	if err != nil {
		return View{}, err
	}
	if !slices.Contains(r.ItemIDs, in.ItemID) {
		return View{}, invalid("item_id", "%s is not an item of request %s (its items: %v)", in.ItemID, r.ID, r.ItemIDs)
	}
	it, err := s.store.GetServiceItem(ctx, in.ItemID)
	if err != nil {
		return View{}, err
	}
	lvl := in.AcceptedVia.Level()
	if lvl == "" {
		return View{}, invalid("accepted_via", "%q is not village, market_desk or township", in.AcceptedVia)
	}
	if it.HandledAt == "" || it.HandledAt.Rank() >= lvl.Rank() {
		return View{}, invalid("item_id", "%s (%s, list %s) is decided where it is accepted (%s): no hand-off", it.ID, it.Name, listName(it.List), lvl)
	}
	today := s.today()
	h := data.Handoff{RequestID: r.ID, ItemID: it.ID, AcceptedVia: in.AcceptedVia, AcceptedOn: today,
		Status: data.HandoffOpen, CreatedBy: a.UserID,
		Stages: []data.HandoffStage{{Level: lvl, Holder: in.Holder, From: today, Due: today.AddDays(data.StageDays[lvl]), Note: in.Note}}}
	if a.Role == data.UserTownshipCoordinator {
		h.AcceptedTownship = a.TownshipID
	}
	if err := s.store.CreateHandoff(ctx, &h); err != nil {
		return View{}, err
	}
	return s.view(ctx, h)
}

func listName(l data.ServiceList) string {
	if l == "" {
		return string(data.ListGeneral)
	}
	return string(l)
}

// load returns the hand-off, its item and the current stage index, or
// NotFound when it is out of a's scope.
func (s *Service) load(ctx context.Context, a Actor, id string) (data.Handoff, data.ServiceItem, int, error) {
	h, err := s.store.GetHandoff(ctx, id)
	if err == nil && !a.sees(h) {
		err = data.Errorf(data.NotFound, "hand-off %q not found", id)
	}
	if err != nil {
		return h, data.ServiceItem{}, -1, err
	}
	it, err := s.store.GetServiceItem(ctx, h.ItemID)
	return h, it, h.Current(), err
}

// up is the level above l (township above village, county above township).
func up(l data.Level) data.Level {
	switch l {
	case data.LevelVillage:
		return data.LevelTownship
	case data.LevelTownship:
		return data.LevelCounty
	}
	return ""
}

// Forward closes the current stage today and hands the file one level up
// to in.Holder, with that level's days to act. Errors: NotFound, Conflict
// (stale version), Invalid: the file is already at the level that decides
// the item (record the result instead), or not held at all.
func (s *Service) Forward(ctx context.Context, a Actor, id string, in StepInput) (View, error) {
	h, it, cur, err := s.load(ctx, a, id)
	if err != nil {
		return View{}, err
	}
	if cur < 0 || h.Stages[cur].Delivery {
		return View{}, invalid("status", "hand-off %s is %s: nothing to forward", h.ID, h.Status)
	}
	st := h.Stages[cur]
	if st.Level.Rank() <= it.HandledAt.Rank() {
		return View{}, invalid("level", "the file is at the %s level, which decides %s: record the result", st.Level, it.ID)
	}
	if in.Holder == "" {
		return View{}, invalid("holder", "who receives the file at the %s level", up(st.Level))
	}
	today := s.today()
	h.Version = in.Version
	h.Stages[cur].Done, h.Stages[cur].Note = today, joinNote(st.Note, in.Note)
	next := up(st.Level)
	h.Stages = append(h.Stages, data.HandoffStage{Level: next, Holder: in.Holder, From: today, Due: today.AddDays(data.StageDays[next])})
	if err := s.store.UpdateHandoff(ctx, &h, nil); err != nil {
		return View{}, err
	}
	return s.view(ctx, h)
}

// Result records the deciding level's result today and plans its way back:
// a delivery request for the household (the item, priority at least 4,
// deadline in data.DeliveryDays) that the circuit planner plans as a visit,
// and a delivery stage held by the level that accepted the item. Errors:
// NotFound, Conflict, Invalid when the file is not at the deciding level.
func (s *Service) Result(ctx context.Context, a Actor, id string, in StepInput) (View, error) {
	h, it, cur, err := s.load(ctx, a, id)
	if err != nil {
		return View{}, err
	}
	if cur < 0 || h.Stages[cur].Delivery {
		return View{}, invalid("status", "hand-off %s is %s: the result is already recorded", h.ID, h.Status)
	}
	if st := h.Stages[cur]; st.Level != it.HandledAt {
		return View{}, invalid("level", "the file is at the %s level; %s is decided at the %s level: forward it first", st.Level, it.ID, it.HandledAt)
	}
	r, err := s.store.GetRequest(ctx, h.RequestID)
	if err != nil {
		return View{}, err
	}
	today := s.today()
	due := today.AddDays(data.DeliveryDays)
	delivery := &data.Request{Ledger: r.Ledger, Household: r.Household, Groups: r.Groups, ItemIDs: []string{it.ID},
		Priority: max(r.Priority, 4), VisitWindows: r.VisitWindows, Deadline: due, Source: "handoff", CreatedBy: a.UserID,
		Summary: fmt.Sprintf("送达办理结果 (deliver the result): %s, hand-off %s", it.Name, h.ID)}
	h.Version = in.Version
	h.Stages[cur].Done, h.Stages[cur].Note = today, joinNote(h.Stages[cur].Note, in.Note)
	h.Stages = append(h.Stages, data.HandoffStage{Level: h.AcceptedVia.Level(), Holder: "planned visit (delivery)",
		From: today, Due: due, Delivery: true})
	h.Status = data.HandoffDelivering
	if err := s.store.UpdateHandoff(ctx, &h, delivery); err != nil {
		return View{}, err
	}
	return s.view(ctx, h)
}

func joinNote(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// Get returns one hand-off's view; NotFound when missing or out of scope.
func (s *Service) Get(ctx context.Context, a Actor, id string) (View, error) {
	h, _, _, err := s.load(ctx, a, id)
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, h)
}

// ListFilter selects the ledger's hand-offs.
type ListFilter struct {
	TownshipID string
	Status     data.HandoffStatus
	// LateOnly keeps hand-offs with a late stage.
	LateOnly bool
}

// List returns the ledger: hand-offs in a's scope matching f, oldest first.
func (s *Service) List(ctx context.Context, a Actor, f ListFilter) ([]View, error) {
	q := data.HandoffFilter{TownshipID: f.TownshipID}
	if a.Role == data.UserTownshipCoordinator {
		q.Involving = a.TownshipID
	}
	hs, err := s.store.ListHandoffs(ctx, q)
	if err != nil {
		return nil, err
	}
	out := []View{}
	for _, h := range hs {
		v, err := s.view(ctx, h)
		if err != nil {
			return nil, err
		}
		if (f.Status != "" && v.Status != f.Status) || (f.LateOnly && !v.Late) {
			continue
		}
		out = append(out, v)
	}
	return out, nil
}

// view completes h for the ledger: the delivery stage is done when its
// request is (on the day it was recorded done), and lateness is judged today.
func (s *Service) view(ctx context.Context, h data.Handoff) (View, error) {
	v := View{Handoff: h, LateStages: []int{}}
	if h.DeliveryRequestID != "" {
		r, err := s.store.GetRequest(ctx, h.DeliveryRequestID)
		if err != nil {
			return View{}, fmt.Errorf("delivery request of %s: %w", h.ID, err)
		}
		v.DeliveryStatus = r.Status
		if last := len(v.Stages) - 1; r.Status == data.StatusDone && v.Stages[last].Done == "" {
			v.Stages = slices.Clone(v.Stages)
			v.Stages[last].Done = doneOn(r)
			v.Status = data.HandoffDelivered
		}
	}
	today := s.today()
	for i, st := range v.Stages {
		if st.Late(today) {
			v.LateStages = append(v.LateStages, i)
		}
	}
	v.Late = len(v.LateStages) > 0
	v.Stage = v.Current()
	if v.Stage >= 0 {
		v.Level, v.Holder = v.Stages[v.Stage].Level, v.Stages[v.Stage].Holder
	}
	return v, nil
}

// doneOn is the day request r was last recorded done (Asia/Shanghai).
func doneOn(r data.Request) data.Date {
	for i := len(r.History) - 1; i >= 0; i-- {
		if r.History[i].To == data.StatusDone {
			return data.DateOf(r.History[i].At)
		}
	}
	return data.DateOf(r.UpdatedAt)
}
