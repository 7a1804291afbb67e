package data

// ScheduleQuery selects what TeamSchedule reads: one team's days From–To
// (inclusive, at most MaxScheduleDays) from plan PlanID when given, else per
// day from the newest circuit plan covering that day (published first;
// drafts too unless PublishedOnly).
type ScheduleQuery struct {
	TeamID        string
	From          Date
	To            Date
	PlanID        string
	PublishedOnly bool
}

// MaxScheduleDays bounds the days of one TeamSchedule read.
const MaxScheduleDays = 31

// Schedule is everything a team needs on the road for some days, read in
// one transaction by a few set-based queries: the team, its base and
// members, the chosen plan and itinerary of each day, and the requests,
// villages and service items on the stops.
type Schedule struct {
	Team Team
	// Base is the team's home service point; nil when it is unknown.
	Base *ServicePoint
	// Members are the team's staff, in member order.
	Members []Staff
	// Days has one entry per date From–To, in order.
	Days []ScheduleDay
	// Requests are the requests on the stops, by id, without history.
	Requests map[string]Request
	// Villages are the villages of the stops, by id.
	Villages map[string]Village
	// Items are the service items of Requests, by id.
	Items map[string]ServiceItem
}

// ScheduleDay is one day of a Schedule.
type ScheduleDay struct {
	Date Date
	// Plan is the header of the day's plan, without Summary; nil when no
	// circuit plan covers the day. With ScheduleQuery.PlanID it is that
	// plan on every day.
	Plan *Plan
	// Itinerary is the team's route that day in Plan; nil when it has none.
	Itinerary *Itinerary
}

// Validate checks q; errors are Invalid naming the field.
func (q ScheduleQuery) Validate() error {
	if err := validateID("team_id", q.TeamID); err != nil {
		return err
	}
	if !q.From.Valid() {
		return FieldError("from", "%q is not a date YYYY-MM-DD", q.From)
	}
	if !q.To.Valid() || q.To < q.From {
		return FieldError("to", "%q is not a date YYYY-MM-DD on or after from (%s)", q.To, q.From)
	}
	if q.From.AddDays(MaxScheduleDays-1) < q.To {
		return FieldError("to", "at most %d days", MaxScheduleDays)
	}
	if q.PlanID != "" {
		if err := validateID("plan", q.PlanID); err != nil {
			return err
		}
	}
	return nil
}
