package market

import (
	"context"
	"fmt"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/scheduler/calendar"
)

// Reasons a market day is flagged to its coordinator.
const (
	// FlagHoliday: the day is a statutory holiday (nobody on duty unless a
	// published plan puts a desk there).
	FlagHoliday = "holiday"
	// FlagNoDesk: the published market plan covering the day has no
	// staffed desk at the township's market.
	FlagNoDesk = "no_desk"
	// FlagNoPlan: bookings were taken for a day no published plan covers
	// yet.
	FlagNoPlan = "no_plan"
)

// MaxFlagDays is the longest range DayFlags answers.
const MaxFlagDays = 92

// DayFlag is a market day the township's coordinator must look at: why,
// and the bookings taken for it.
type DayFlag struct {
	Date data.Date `json:"date"`
	// Reasons are holiday, no_desk and no_plan.
	Reasons []string `json:"reasons"`
	// Holiday names the statutory holiday (reason holiday).
	Holiday string `json:"holiday,omitempty"`
	// PlanID is the published market plan covering the day ("" if none).
	PlanID string `json:"plan_id,omitempty"`
	// Bookings are the day's bookings still booked.
	Bookings []data.Booking `json:"bookings"`
}

// DayFlags lists township tid's market days from–to that fall on a
// statutory holiday or have no staffed desk in the published plan covering
// them (days no published plan covers are flagged when they have bookings),
// each with its booked bookings. A coordinator sees only their township.
// Errors: Forbidden, Invalid (field from or to) for a bad range.
func (s *Service) DayFlags(ctx context.Context, a Actor, tid string, from, to data.Date) ([]DayFlag, error) {
	if a.Role == data.UserTownshipCoordinator && tid != a.TownshipID {
		return nil, forbidden("a coordinator of %s may not see the market days of %s", a.TownshipID, tid)
	}
	if to < from || from.AddDays(MaxFlagDays-1) < to {
		return nil, data.FieldError("to", "%s is not within %d days on or after from (%s)", to, MaxFlagDays, from)
	}
	days, err := s.MarketDays(ctx, tid, from, to)
	if err != nil {
		return nil, err
	}
	plans, err := s.publishedMarketPlans(ctx, from, to)
	if err != nil {
		return nil, err
	}
	bs, err := s.cfg.Bookings.ListBookings(ctx, data.BookingFilter{TownshipID: tid, From: from, To: to,
		Statuses: []data.BookingStatus{data.BookingBooked}, Limit: 1000})
	if err != nil {
		return nil, err
	}
	booked := map[data.Date][]data.Booking{}
	for _, b := range bs {
		booked[b.Date] = append(booked[b.Date], b)
	}
	out := []DayFlag{}
	for _, md := range days {
		f := DayFlag{Date: md.Date, Reasons: []string{}, Bookings: booked[md.Date]}
		if f.Bookings == nil {
			f.Bookings = []data.Booking{}
		}
		if h, ok := holidayOn(md.Date); ok {
			f.Reasons, f.Holiday = append(f.Reasons, FlagHoliday), h
		}
		switch p := planOn(plans, md.Date); {
		case p == nil:
			if len(f.Bookings) > 0 {
				f.Reasons = append(f.Reasons, FlagNoPlan)
			}
		case !staffedDesk(*p, tid, md.Date):
			f.PlanID = p.Plan.ID
			f.Reasons = append(f.Reasons, FlagNoDesk)
		default:
			f.PlanID = p.Plan.ID
		}
		if len(f.Reasons) > 0 {
			out = append(out, f)
		}
	}
	return out, nil
}

// publishedMarketPlans returns the published market plans overlapping
// from–to with their desks, newest first.
func (s *Service) publishedMarketPlans(ctx context.Context, from, to data.Date) ([]data.PlanDetail, error) {
	hs, err := s.store.ListPlans(ctx, data.PlanFilter{Kind: data.PlanMarket, Status: data.PlanPublished, Limit: 1000})
	if err != nil {
		return nil, err
	}
	var out []data.PlanDetail
	for _, h := range hs {
		if h.To < from || h.From > to {
			continue
		}
		d, err := s.store.GetPlan(ctx, h.ID)
		if err != nil {
			return nil, fmt.Errorf("market plan %s: %w", h.ID, err)
		}
		out = append(out, d)
	}
	return out, nil
}

// planOn returns the newest plan of ps covering d, or nil.
func planOn(ps []data.PlanDetail, d data.Date) *data.PlanDetail {
	for i := range ps {
		if ps[i].Plan.From <= d && d <= ps[i].Plan.To {
			return &ps[i]
		}
	}
	return nil
}

// staffedDesk reports whether p has a desk with people at tid's market on d.
func staffedDesk(p data.PlanDetail, tid string, d data.Date) bool {
	for _, dk := range p.Desks {
		if dk.TownshipID == tid && dk.Date == d && len(dk.StaffIDs) > 0 {
			return true
		}
	}
	return false
}

// holidayOn names the statutory holiday (a day off) on d.
func holidayOn(d data.Date) (string, bool) {
	return calendar.StatutoryDayOff(string(d))
}
