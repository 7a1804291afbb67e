package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/scheduler/calendar"
)

// CalendarStore is the part of data.Store that market-day lookups need.
type CalendarStore interface {
	MarketCalendar(ctx context.Context, townshipID string) (data.MarketCycle, []data.MarketException, error)
}

// TownshipCalendar loads a township's market cycle and exceptions from the
// store and converts them for package calendar: the cycle's text form
// (MarketCycle.Cycle) when set, else its Calendar and Digits. The store's NotFound (no
// cycle) passes through unchanged; stored data that does not convert is an
// error wrapping calendar.ErrStoredCycle.
func TownshipCalendar(ctx context.Context, st CalendarStore, townshipID string) (calendar.Cycle, []calendar.Exception, data.MarketCycle, error) {
	mc, exc, err := st.MarketCalendar(ctx, townshipID)
	if err != nil {
		return calendar.Cycle{}, nil, mc, err
	}
	var c calendar.Cycle
	if mc.Cycle != "" {
		c, err = calendar.ParseCycle(mc.Cycle)
	} else {
		c, err = calendar.FromDigits(mc.Calendar, mc.Digits)
	}
	if err != nil {
		return calendar.Cycle{}, nil, mc, fmt.Errorf("%w: township %s: %v", calendar.ErrStoredCycle, townshipID, err)
	}
	out := make([]calendar.Exception, 0, len(exc))
	for _, e := range exc {
		x := calendar.Exception{Kind: calendar.ExceptionKind(e.Kind), Reason: e.Reason}
		if x.Date, err = calendar.ParseDate(string(e.Date)); err != nil {
			return calendar.Cycle{}, nil, mc, fmt.Errorf("%w: township %s exception: %v", calendar.ErrStoredCycle, townshipID, err)
		}
		if e.To != "" {
			if x.To, err = calendar.ParseDate(string(e.To)); err != nil {
				return calendar.Cycle{}, nil, mc, fmt.Errorf("%w: township %s exception: %v", calendar.ErrStoredCycle, townshipID, err)
			}
		}
		if x.Reason == "" { // the store allows an empty reason; users still need one
			x.Reason = map[string]string{"add": "extra market day", "move": "market moved", "remove": "no market"}[e.Kind]
		}
		out = append(out, x)
	}
	return c, out, mc, nil
}

// TownshipMarketDays is the whole logic of
// GET /api/v1/townships/{id}/market-days?from=&to= over the store: a
// *calendar.FieldError on "from"/"to" is a 400, data.NotFound a 404, anything
// else a 500 (calendar.ErrStoredCycle: bad stored data).
func TownshipMarketDays(ctx context.Context, st CalendarStore, townshipID, fromParam, toParam string, now time.Time) (calendar.MarketDaysResult, error) {
	c, exc, mc, err := TownshipCalendar(ctx, st, townshipID)
	if err != nil {
		return calendar.MarketDaysResult{}, err
	}
	specials, err := calendar.SpecialDaysOf(mc.SpecialDays, data.SpecialDay.Text)
	if err != nil {
		return calendar.MarketDaysResult{}, fmt.Errorf("%w: township %s: %v", calendar.ErrStoredCycle, townshipID, err)
	}
	return calendar.MarketDaysOf(c, mc.Sample, exc, specials, fromParam, toParam, now)
}
