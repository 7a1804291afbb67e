package market

import (
	"context"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/scheduler/calendar"
)

// CalendarInput is the body of PUT /api/v1/townships/{id}/market-calendar
// and one record of `xunhui import calendars`: a township's market cycle,
// hours, place and special days (特别日). TownshipID comes from the path in
// the API and is required in an import.
type CalendarInput struct {
	TownshipID  string            `json:"township_id,omitempty" doc:"the township (imports only; the API takes it from the path)"`
	Cycle       string            `json:"cycle" doc:"solar:1,4,7 (逢1·4·7), solar:days=5, lunar:1,15, every:5@2026-01-03 or weekdays:tue,sat"`
	Place       string            `json:"place,omitempty" doc:"where the market is held"`
	Start       string            `json:"start" doc:"usual start of the market, HH:MM"`
	End         string            `json:"end" doc:"usual end of the market, HH:MM"`
	SpecialDays []data.SpecialDay `json:"special_days,omitempty" doc:"festival fairs: on = solar:[YYYY-]MM-DD or lunar:[YYYY-][L]MM-DD (L: leap month), name"`
}

// CalendarView answers GET and PUT /api/v1/townships/{id}/market-calendar:
// the stored cycle and, for the coming year, the notes on days it asks for
// that do not exist (a lunar day 30 in a 29-day month).
type CalendarView struct {
	data.MarketCycle
	// Notes cover the year from today: market days not held because their
	// month lacks the day (never moved to another day).
	Notes []calendar.Note `json:"notes"`
}

// MarketCycleOf validates in and returns the record to store. Every error
// is Invalid naming the input field ("cycle", "start", "special_days[2].on"):
// a cycle that does not parse, a lunar special day that its month lacks, bad
// hours. The record is never SAMPLE.
func MarketCycleOf(in CalendarInput) (data.MarketCycle, error) {
	start, err := data.ParseClock(in.Start)
	if err != nil {
		return data.MarketCycle{}, data.FieldError("start", "%q is not a time HH:MM", in.Start)
	}
	end, err := data.ParseClock(in.End)
	if err != nil {
		return data.MarketCycle{}, data.FieldError("end", "%q is not a time HH:MM", in.End)
	}
	mc := data.MarketCycle{TownshipID: in.TownshipID, Cycle: in.Cycle, Place: in.Place, Start: start, End: end,
		SpecialDays: in.SpecialDays}
	if err := CheckMarketCycle(&mc); err != nil {
		return data.MarketCycle{}, err
	}
	return mc, nil
}

// CheckMarketCycle validates mc with the calendar (its cycle text, which it
// rewrites in canonical form, and every special day) and then its shape
// (data.MarketCycle.Validate). Errors are Invalid naming the field.
func CheckMarketCycle(mc *data.MarketCycle) error {
	c, err := calendar.ParseCycle(mc.Cycle)
	if err != nil {
		return calendarInvalid("cycle", err)
	}
	if _, err := calendar.SpecialDaysOf(mc.SpecialDays, data.SpecialDay.Text); err != nil {
		return calendarInvalid("", err)
	}
	mc.Cycle, mc.Calendar, mc.Digits = c.String(), "", nil
	return mc.Validate()
}

// calendarInvalid turns a calendar *FieldError into an Invalid data error,
// prefixing its field with prefix (the calendar names "kind", "days", ...
// inside the cycle).
func calendarInvalid(prefix string, err error) error {
	fe, ok := calendar.AsFieldError(err)
	if !ok {
		return data.FieldError(prefix, "%v", err)
	}
	field := fe.Field
	if prefix != "" && field != prefix {
		field = prefix + "." + field
	}
	return data.FieldError(field, "%s", fe.Msg)
}

// Calendar returns township tid's stored market calendar with the notes of
// the coming year. Errors: NotFound (township, or a township without a
// cycle), Internal for stored data that does not parse.
func (s *Service) Calendar(ctx context.Context, tid string) (CalendarView, error) {
	if _, err := s.store.GetTownship(ctx, tid); err != nil {
		return CalendarView{}, err
	}
	mc, _, err := s.store.MarketCalendar(ctx, tid)
	if err != nil {
		return CalendarView{}, err
	}
	return s.calendarView(mc)
}

// SetCalendar validates in (see MarketCycleOf) and replaces township tid's
// market cycle, hours, place and special days; exceptions (added, moved and
// cancelled days) are kept. Errors: NotFound (township), Forbidden (a
// coordinator of another township), Invalid naming the field.
func (s *Service) SetCalendar(ctx context.Context, a Actor, tid string, in CalendarInput) (CalendarView, error) {
	if _, err := s.store.GetTownship(ctx, tid); err != nil {
		return CalendarView{}, err
	}
	if !a.may(tid) {
		return CalendarView{}, forbidden("a township coordinator sets only their own township's market calendar")
	}
	in.TownshipID = tid
	mc, err := MarketCycleOf(in)
	if err != nil {
		return CalendarView{}, err
	}
	if err := s.store.PutMarketCycles(ctx, []data.MarketCycle{mc}); err != nil {
		return CalendarView{}, err
	}
	return s.calendarView(mc)
}

// calendarView adds the notes of the 365 days from today to mc.
func (s *Service) calendarView(mc data.MarketCycle) (CalendarView, error) {
	c, err := calendar.ParseCycle(mc.Cycle)
	if err != nil {
		return CalendarView{}, &data.Error{Kind: data.Internal, Message: "stored market cycle of " + mc.TownshipID + " is invalid", Err: err}
	}
	specials, err := calendar.SpecialDaysOf(mc.SpecialDays, data.SpecialDay.Text)
	if err != nil {
		return CalendarView{}, &data.Error{Kind: data.Internal, Message: "stored special days of " + mc.TownshipID + " are invalid", Err: err}
	}
	from := calendar.DateOf(s.cfg.Now(), calendar.Shanghai)
	to := from.AddDays(364)
	_, notes := calendar.SpecialExceptions(specials, from, to)
	notes = append(calendar.CycleNotes(c, from, to), notes...)
	if notes == nil {
		notes = []calendar.Note{}
	}
	return CalendarView{MarketCycle: mc, Notes: notes}, nil
}
