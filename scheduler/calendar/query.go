package calendar

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// DefaultQueryDays is the length of the range GET …/market-days returns when
// the query gives no "to": four weeks, the planning horizon of a circuit.
const DefaultQueryDays = 28

// ErrStoredCycle marks a township whose stored cycle or exceptions do not
// validate: a data problem (HTTP 500), not a bad request.
var ErrStoredCycle = errors.New("stored market calendar is invalid")

// MarketDaysResult is the body of GET /api/v1/townships/{id}/market-days.
type MarketDaysResult struct {
	// Cycle is the township's cycle in compact text form, e.g. "solar:1,4,7".
	Cycle string `json:"cycle"`
	// Sample is true when the cycle is invented seed data, not a surveyed one.
	Sample bool `json:"sample"`
	// From and To are the inclusive range actually used.
	From Date `json:"from"`
	To   Date `json:"to"`
	// Days lists the market days in date order with their reasons, special
	// days (特别日) included.
	Days []MarketDay `json:"days"`
	// Notes explain market days the calendar asks for that do not exist in
	// the range (a lunar day 30 in a 29-day month): not held, not moved.
	Notes []Note `json:"notes,omitempty"`
}

// FromDigits returns the 逢-digit cycle of data.MarketCycle's shape:
// calendar "solar" or "lunar", digits 0–9. Errors are *FieldError values
// naming "calendar" or "digits".
func FromDigits(cal string, digits []int) (Cycle, error) {
	c := Cycle{Digits: digits}
	switch cal {
	case "solar":
		c.Kind = SolarDays
	case "lunar":
		c.Kind = LunarDays
	default:
		return Cycle{}, fieldErr("calendar", "%q is not solar or lunar", cal)
	}
	c = c.Normalize()
	if err := c.Validate(); err != nil {
		fe, _ := AsFieldError(err)
		return Cycle{}, fieldErr("digits", "%s", fe.Msg)
	}
	return c, nil
}

// MarketDays is the handler logic of GET /api/v1/townships/{id}/market-days?from=&to=
// for a cycle stored in compact text form; see MarketDaysOf. A cycleText
// that does not parse is an error wrapping ErrStoredCycle.
func MarketDays(cycleText string, sample bool, exceptions []Exception, specials []SpecialDay, fromParam, toParam string, now time.Time) (MarketDaysResult, error) {
	c, err := ParseCycle(cycleText)
	if err != nil {
		return MarketDaysResult{}, fmt.Errorf("%w: cycle %q: %v", ErrStoredCycle, cycleText, err)
	}
	return MarketDaysOf(c, sample, exceptions, specials, fromParam, toParam, now)
}

// MarketDaysOf is the handler logic of GET /api/v1/townships/{id}/market-days?from=&to=.
// c, exceptions and specials are the township's stored calendar (special
// days become added days, see SpecialExceptions); fromParam and
// toParam are the raw query values ("YYYY-MM-DD" or ""); now gives the
// default range: from defaults to today in Shanghai, to to
// from + DefaultQueryDays - 1.
//
// A *FieldError naming "from" or "to" means a bad request (HTTP 400); an error
// wrapping ErrStoredCycle means the stored data is bad (HTTP 500).
func MarketDaysOf(c Cycle, sample bool, exceptions []Exception, specials []SpecialDay, fromParam, toParam string, now time.Time) (MarketDaysResult, error) {
	from := DateOf(now, Shanghai)
	if fromParam != "" {
		d, err := ParseDate(fromParam)
		if err != nil {
			return MarketDaysResult{}, fieldErr("from", "%v", err)
		}
		from = d
	}
	to := from.AddDays(DefaultQueryDays - 1)
	if toParam != "" {
		d, err := ParseDate(toParam)
		if err != nil {
			return MarketDaysResult{}, fieldErr("to", "%v", err)
		}
		to = d
	}
	if err := CheckRange(from, to); err != nil {
		return MarketDaysResult{}, err
	}
	adds, notes := SpecialExceptions(specials, from, to)
	days, err := Dates(c, append(slices.Clip(exceptions), adds...), from, to)
	if err != nil {
		return MarketDaysResult{}, fmt.Errorf("%w: %v", ErrStoredCycle, err)
	}
	notes = append(CycleNotes(c, from, to), notes...)
	return MarketDaysResult{Cycle: c.String(), Sample: sample, From: from, To: to, Days: days, Notes: notes}, nil
}
