package market

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/geo"
	"github.com/yingjing/xunhui/scheduler/calendar"
)

// MarketDay is one market date of a township and why it is one.
type MarketDay struct {
	Date   data.Date `json:"date"`
	Reason string    `json:"reason"`
}

// MarketDays lists township tid's market days from–to (inclusive) from its
// stored cycle and exceptions, via scheduler/calendar. A township without a
// cycle has only its "add" exceptions. Errors: Invalid for a bad range,
// Internal for a stored cycle that does not parse.
func (s *Service) MarketDays(ctx context.Context, tid string, from, to data.Date) ([]MarketDay, error) {
	cyc, exc, err := s.store.MarketCalendar(ctx, tid)
	if err != nil && data.ErrorKind(err) != data.NotFound {
		return nil, err
	}
	out := []MarketDay{}
	if err != nil { // no cycle: only added days
		exc, err = s.store.ListMarketExceptions(ctx, tid)
		if err != nil {
			return nil, err
		}
		for _, e := range exc {
			if e.Kind == "add" && e.Date >= from && e.Date <= to {
				out = append(out, MarketDay{e.Date, "special: " + e.Reason})
			}
		}
		return out, nil
	}
	c, err := calendar.ParseCycle(cyc.Cycle)
	if err != nil {
		return nil, &data.Error{Kind: data.Internal, Message: "stored market cycle of " + tid + " is invalid", Err: err}
	}
	specials, err := calendar.SpecialDaysOf(cyc.SpecialDays, data.SpecialDay.Text)
	if err != nil {
		return nil, &data.Error{Kind: data.Internal, Message: "stored special days of " + tid + " are invalid", Err: err}
	}
	f, err1 := calendar.ParseDate(string(from))
	t, err2 := calendar.ParseDate(string(to))
	if err1 != nil || err2 != nil {
		return nil, data.FieldError("from", "bad range %s–%s", from, to)
	}
	var ces []calendar.Exception
	if err := calendar.CheckRange(f, t); err == nil { // a bad range is reported by Dates below
		ces, _ = calendar.SpecialExceptions(specials, f, t)
	}
	days, err := calendar.Dates(c, append(toCalendar(exc), ces...), f, t)
	if err != nil {
		if fe, ok := calendar.AsFieldError(err); ok && (fe.Field == "from" || fe.Field == "to") {
			return nil, data.FieldError(fe.Field, "%s", fe.Msg)
		}
		return nil, &data.Error{Kind: data.Internal, Message: "stored market calendar of " + tid + " is invalid", Err: err}
	}
	for _, d := range days {
		out = append(out, MarketDay{data.Date(d.Date.String()), d.Reason})
	}
	return out, nil
}

// ErrBadQuery marks a bad from/to of MarketDaysResult; the *data.Error
// wrapping it names the field.
var ErrBadQuery = errors.New("bad market-days query")

// MarketDaysResult answers GET /api/v1/townships/{id}/market-days: the
// township's cycle and its market days with reasons between the raw query
// values fromParam and toParam (defaults: today in Asia/Shanghai and 28
// days on, as calendar.MarketDays). A township without a stored cycle has
// cycle "" and only its added days. Errors: NotFound (township), Invalid
// naming "from" or "to" (wrapping ErrBadQuery), Internal for a stored
// cycle that does not parse.
func (s *Service) MarketDaysResult(ctx context.Context, tid, fromParam, toParam string) (calendar.MarketDaysResult, error) {
	if _, err := s.store.GetTownship(ctx, tid); err != nil {
		return calendar.MarketDaysResult{}, err
	}
	cyc, exc, err := s.store.MarketCalendar(ctx, tid)
	if err != nil && data.ErrorKind(err) != data.NotFound {
		return calendar.MarketDaysResult{}, err
	}
	bad := func(err error) error {
		if fe, ok := calendar.AsFieldError(err); ok && (fe.Field == "from" || fe.Field == "to") {
			return &data.Error{Kind: data.Invalid, Field: fe.Field, Message: fe.Msg, Err: ErrBadQuery}
		}
		return &data.Error{Kind: data.Internal, Message: "stored market calendar of " + tid + " is invalid", Err: err}
	}
	if err != nil { // no cycle: validate the range the same way, list added days only
		res, qerr := calendar.MarketDays("solar:1", false, nil, nil, fromParam, toParam, s.cfg.Now())
		if qerr != nil {
			return calendar.MarketDaysResult{}, bad(qerr)
		}
		days, err := s.MarketDays(ctx, tid, data.Date(res.From.String()), data.Date(res.To.String()))
		if err != nil {
			return calendar.MarketDaysResult{}, err
		}
		res.Cycle, res.Days = "", []calendar.MarketDay{}
		for _, d := range days {
			cd, _ := calendar.ParseDate(string(d.Date))
			res.Days = append(res.Days, calendar.MarketDay{Date: cd, Reason: d.Reason})
		}
		return res, nil
	}
	specials, err := calendar.SpecialDaysOf(cyc.SpecialDays, data.SpecialDay.Text)
	if err != nil {
		return calendar.MarketDaysResult{}, bad(err)
	}
	res, err := calendar.MarketDays(cyc.Cycle, cyc.Sample, toCalendar(exc), specials, fromParam, toParam, s.cfg.Now())
	if err != nil {
		return calendar.MarketDaysResult{}, bad(err)
	}
	if res.Days == nil {
		res.Days = []calendar.MarketDay{}
	}
	return res, nil
}

// toCalendar converts stored exceptions to the calendar's, skipping
// malformed ones and giving a placeholder reason where none was stored.
func toCalendar(exc []data.MarketException) []calendar.Exception {
	out := make([]calendar.Exception, 0, len(exc))
	for _, e := range exc {
		ce := calendar.Exception{Kind: calendar.ExceptionKind(e.Kind), Reason: e.Reason}
		if ce.Reason == "" {
			ce.Reason = "(no reason given)"
		}
		var err error
		if ce.Date, err = calendar.ParseDate(string(e.Date)); err != nil {
			continue
		}
		if e.To != "" {
			if ce.To, err = calendar.ParseDate(string(e.To)); err != nil {
				continue
			}
		}
		out = append(out, ce)
	}
	return out
}

// instance is a Problem with the records its indices stand for.
type instance struct {
	p        *Problem
	towns    []data.Township
	staff    []data.Staff
	items    []data.ServiceItem
	bookings []data.Booking
	reasons  map[[2]int]string // (township, day) -> market-day reason
	opt      Options
}

// awayDays returns the person-days from–to that no desk may take: active
// absences, and days claimed by published circuit plans (the two planners
// never claim a person-day twice).
func (s *Service) awayDays(ctx context.Context, from, to data.Date) (map[data.StaffDay]bool, error) {
	out := map[data.StaffDay]bool{}
	as, err := s.store.ListAbsences(ctx, data.AbsenceFilter{From: from, To: to})
	if err != nil {
		return nil, fmt.Errorf("absences: %w", err)
	}
	for _, a := range as {
		for d := max(a.From, from); d <= a.To && d <= to; d = d.AddDays(1) {
			out[data.StaffDay{StaffID: a.StaffID, Date: d}] = true
		}
	}
	cs, err := s.store.ListClaims(ctx, data.ClaimFilter{Kind: data.DayCircuit, From: from, To: to})
	if err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	for _, c := range cs {
		out[data.StaffDay{StaffID: c.StaffID, Date: c.Date}] = true
	}
	return out, nil
}

// statutoryRest reports mainland China's statutory days off (lunar-go's
// official table); adjusted working days (调休) are not rest days.
func statutoryRest(d data.Date) bool {
	_, ok := holidayOn(d)
	return ok
}

// adjustedWorkday reports mainland China's adjusted working days (调休):
// weekend days worked with weekday shifts (data.Staff.ShiftWeekday).
func adjustedWorkday(d data.Date) bool { return calendar.AdjustedWorkday(string(d)) }

// deskStaff reports whether a staff member sits at market desks by role:
// county experts and township desk officers (village agents book on the
// residents' behalf instead).
func deskStaff(st data.Staff) bool {
	return st.Role == data.RoleCountyExpert || st.Role == data.RoleDeskOfficer
}

// build turns the stored county data into a Problem for from–to.
func (s *Service) build(ctx context.Context, from, to data.Date, locks []LockRecord, prev []data.Desk, opt Options) (*instance, error) {
	opt = opt.withDefaults()
	in := &instance{p: &Problem{Options: opt}, reasons: map[[2]int]string{}, opt: opt}
	p := in.p
	for d := from; d <= to; d = d.AddDays(1) {
		p.Days = append(p.Days, d)
	}
	dayIdx := func(d data.Date) int {
		i := int(math.Round(d.Time().Sub(from.Time()).Hours() / 24))
		if i < 0 || i >= len(p.Days) {
			return -1
		}
		return i
	}
	towns, err := s.store.ListTownships(ctx)
	if err != nil {
		return nil, fmt.Errorf("townships: %w", err)
	}
	in.towns = towns
	tIdx := map[string]int{}
	demand, err := s.walkInMinutes(ctx, from)
	if err != nil {
		return nil, err
	}
	for t, tw := range towns {
		tIdx[tw.ID] = t
		days, err := s.MarketDays(ctx, tw.ID, from, to)
		if err != nil {
			return nil, fmt.Errorf("market days of %s: %w", tw.ID, err)
		}
		mt := Township{ID: tw.ID, Name: tw.Name, WalkInMinutes: demand[tw.ID]}
		for _, md := range days {
			if i := dayIdx(md.Date); i >= 0 {
				mt.MarketDays = append(mt.MarketDays, i)
				in.reasons[[2]int{t, i}] = md.Reason
			}
		}
		p.Townships = append(p.Townships, mt)
	}
	items, err := s.store.ListServiceItems(ctx)
	if err != nil {
		return nil, fmt.Errorf("items: %w", err)
	}
	in.items = items
	itemOf := map[string]data.ServiceItem{}
	for _, it := range items {
		itemOf[it.ID] = it
	}
	all, err := s.store.ListStaff(ctx, data.StaffFilter{})
	if err != nil {
		return nil, fmt.Errorf("staff: %w", err)
	}
	locked := map[string]bool{}
	for _, l := range locks {
		for _, id := range l.StaffIDs {
			locked[id] = true
		}
	}
	for _, st := range all {
		if deskStaff(st) || locked[st.ID] {
			in.staff = append(in.staff, st)
		}
	}
	away, err := s.awayDays(ctx, from, to)
	if err != nil {
		return nil, err
	}
	sIdx := map[string]int{}
	for i, st := range in.staff {
		sIdx[st.ID] = i
		ms := Staff{ID: st.ID, Skills: st.Skills, Level: st.Role.Level(), MaxDaysPerWeek: st.MaxDaysPerWeek, Available: make([]bool, len(p.Days))}
		for d, day := range p.Days {
			ms.Available[d] = !away[data.StaffDay{StaffID: st.ID, Date: day}] &&
				!statutoryRest(day) && works(st, st.ShiftWeekday(day, adjustedWorkday(day)), opt.DeskStart, opt.DeskEnd)
		}
		p.Staff = append(p.Staff, ms)
	}
	if err := s.travel(ctx, in); err != nil {
		return nil, err
	}
	bs, err := allBookings(ctx, s.cfg.Bookings, data.BookingFilter{From: from, To: to, Statuses: []data.BookingStatus{data.BookingBooked}})
	if err != nil {
		return nil, fmt.Errorf("bookings: %w", err)
	}
	for _, b := range bs {
		t, ok := tIdx[b.TownshipID]
		it, ok2 := itemOf[b.ItemID]
		d := dayIdx(b.Date)
		if !ok || !ok2 || d < 0 {
			continue // deleted township or item: nothing to plan
		}
		in.bookings = append(in.bookings, b)
		p.Bookings = append(p.Bookings, Booking{ID: b.ID, Township: t, Day: d, ItemID: b.ItemID,
			Skill: it.Skill, Level: it.LowestLevel, Minutes: it.DurationMin})
	}
	for _, l := range locks {
		t, ok := tIdx[l.TownshipID]
		d := dayIdx(l.Date)
		if !ok || d < 0 || !slices.Contains(p.Townships[t].MarketDays, d) {
			continue // the market day was cancelled: the lock lapses (logged with the cancel)
		}
		lk := Lock{Township: t, Day: d, Staff: []int{}}
		for _, id := range l.StaffIDs {
			if x, ok := sIdx[id]; ok {
				lk.Staff = append(lk.Staff, x)
			}
		}
		p.Locks = append(p.Locks, lk)
	}
	for _, dk := range prev {
		t, ok := tIdx[dk.TownshipID]
		d := dayIdx(dk.Date)
		if !ok || d < 0 {
			continue
		}
		for _, id := range dk.StaffIDs {
			if x, ok := sIdx[id]; ok {
				p.Previous = append(p.Previous, Assignment{Staff: x, Township: t, Day: d})
			}
		}
	}
	if err := p.Prepare(); err != nil {
		return nil, err
	}
	return in, nil
}

// works reports whether st has a weekly window on wd covering the desk
// hours from–to (minutes after midnight).
func works(st data.Staff, wd time.Weekday, from, to int) bool {
	for _, w := range st.Availability {
		if w.Weekday == wd && w.From <= from && w.To >= to {
			return true
		}
	}
	return false
}

// travel fills Staff.TravelMin from the travel source: one matrix over the
// people's bases and the township markets (service points), by car. An
// unreachable pair counts as 10 hours so that it is avoided, not forbidden.
func (s *Service) travel(ctx context.Context, in *instance) error {
	pts, err := s.store.ListServicePoints(ctx, "")
	if err != nil {
		return fmt.Errorf("service points: %w", err)
	}
	byID, byCode := map[string]data.Point{}, map[string]data.Point{}
	for _, sp := range pts {
		byID[sp.ID] = sp.Location
		byCode[sp.Code] = sp.Location
	}
	where := func(code, pointID string) (data.Point, bool) {
		if pt, ok := byID[pointID]; ok && pointID != "" {
			return pt, true
		}
		if pt, ok := byCode[code]; ok {
			return pt, true
		}
		if pt, ok := byCode[data.TownshipOf(code)]; ok {
			return pt, true
		}
		pt, ok := byCode[data.CountyCode]
		return pt, ok
	}
	var locs []geo.Location
	base := make([]int, len(in.staff))
	for i, st := range in.staff {
		pt, ok := where(st.HomeCode, st.HomePointID)
		base[i] = -1
		if ok {
			base[i] = len(locs)
			locs = append(locs, geo.Location{ID: "staff:" + st.ID, Point: orb.Point{pt.Lon, pt.Lat}, Group: data.TownshipOf(st.HomeCode)})
		}
	}
	market := make([]int, len(in.towns))
	for t, tw := range in.towns {
		pt, ok := where(tw.ID, "")
		market[t] = -1
		if ok {
			market[t] = len(locs)
			locs = append(locs, geo.Location{ID: "market:" + tw.ID, Point: orb.Point{pt.Lon, pt.Lat}, Group: tw.ID})
		}
	}
	var m *geo.Matrix
	if len(locs) > 0 {
		m, err = s.cfg.Travel.Matrix(ctx, locs, geo.Car)
		if err != nil && m == nil {
			return fmt.Errorf("travel matrix: %w", err)
		}
	}
	const unknown = 600
	for i := range in.p.Staff {
		tm := make([]int, len(in.towns))
		for t := range in.towns {
			tm[t] = unknown
			if base[i] >= 0 && market[t] >= 0 && m != nil {
				if v := m.Durations[base[i]][market[t]]; v >= 0 {
					tm[t] = int((v + 59) / 60)
				}
			}
		}
		in.p.Staff[i].TravelMin = tm
	}
	return nil
}

// desks turns a solution into desk records: staff by id, and the items
// offered, i.e. every catalogue item some person at the desk may handle.
func (in *instance) desks(sol *Solution) []data.Desk {
	out := []data.Desk{}
	slots := in.p.Slots()
	lockedSlot := map[[2]int]bool{}
	for _, l := range in.p.Locks {
		lockedSlot[[2]int{l.Township, l.Day}] = true
	}
	for i, staff := range sol.Desks {
		sl := slots[i]
		locked := lockedSlot[[2]int{sl.Township, sl.Day}]
		if len(staff) == 0 && !locked {
			continue
		}
		dk := data.Desk{TownshipID: in.towns[sl.Township].ID, Date: in.p.Days[sl.Day], Start: in.opt.DeskStart, End: in.opt.DeskEnd,
			StaffIDs: []string{}, ItemIDs: []string{}, Locked: locked}
		for _, x := range staff {
			dk.StaffIDs = append(dk.StaffIDs, in.staff[x].ID)
		}
		for _, it := range in.items {
			for _, x := range staff {
				if covers(in.p.Staff[x], group{it.Skill, it.LowestLevel}) {
					dk.ItemIDs = append(dk.ItemIDs, it.ID)
					break
				}
			}
		}
		out = append(out, dk)
	}
	return out
}

var reasonText = map[string]string{
	ReasonNotMarketDay:   "%s is not a market day of %s (cancelled or never one)",
	ReasonNoOneAvailable: "nobody with skill %s (level %s) works on %s",
	ReasonDeskLocked:     "the desk of %s on %s is locked without skill %s",
	ReasonNeededElse:     "the people with skill %s are needed at other desks or have used their days that week",
	ReasonDeskFull:       "the desk is full (MaxStaff people) and none of them has skill %s",
}

// uncovered lists the uncovered bookings with ids and messages.
func (in *instance) uncovered(sol *Solution) []UncoveredBooking {
	out := []UncoveredBooking{}
	for _, u := range sol.Uncovered {
		b := in.bookings[u.Booking]
		pb := in.p.Bookings[u.Booking]
		var msg string
		switch u.Reason {
		case ReasonNotMarketDay:
			msg = fmt.Sprintf(reasonText[u.Reason], b.Date, b.TownshipID)
		case ReasonNoOneAvailable:
			msg = fmt.Sprintf(reasonText[u.Reason], pb.Skill, pb.Level, b.Date)
		case ReasonDeskLocked:
			msg = fmt.Sprintf(reasonText[u.Reason], b.TownshipID, b.Date, pb.Skill)
		default:
			msg = fmt.Sprintf(reasonText[u.Reason], pb.Skill)
		}
		out = append(out, UncoveredBooking{BookingID: b.ID, TownshipID: b.TownshipID, Date: b.Date, ItemID: b.ItemID, Reason: u.Reason, Message: msg})
	}
	return out
}
