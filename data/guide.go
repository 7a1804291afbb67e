package data

import (
	"fmt"
	"unicode/utf8"
)

// GuideRule says when a county or township home visit brings the village's
// agent along (村代办员/网格员 带路: the agent knows the way and the
// household; 县乡村三级共同参与). A rule names one catalogue item or one
// special group: a home visit by a team of one of Levels that serves a
// request with that item, or a household in that group, asks for a guide.
// The rules are data: GET/PUT /guide-rules, `xunhui import guide-rules`,
// and a seeded default (DefaultGuideRules).
type GuideRule struct {
	// ID is a stable id, e.g. "GR-ELDERLY".
	ID string `json:"id"`
	// ItemID names a service item; exactly one of ItemID and Group is set.
	ItemID string `json:"item_id,omitempty"`
	// Group names a special group of the household.
	Group Group `json:"group,omitempty"`
	// Levels are the team levels whose home visits the rule covers: county
	// and/or township (at least one).
	Levels []Level `json:"levels"`
	// Note says why (optional, ≤ 200 characters).
	Note string `json:"note,omitempty"`
}

// Validate checks r (not that the item exists); errors are Invalid and name
// the field.
func (r GuideRule) Validate() error {
	if err := validateID("id", r.ID); err != nil {
		return err
	}
	switch {
	case r.ItemID == "" && r.Group == "":
		return FieldError("item_id", "a rule names one item_id or one group")
	case r.ItemID != "" && r.Group != "":
		return FieldError("group", "a rule names one item_id or one group, not both")
	case r.ItemID != "":
		if err := validateID("item_id", r.ItemID); err != nil {
			return err
		}
	case !r.Group.Valid():
		return FieldError("group", "%q is not one of %v", r.Group, Groups)
	}
	if len(r.Levels) == 0 {
		return FieldError("levels", "at least one of county, township")
	}
	seen := map[Level]bool{}
	for i, l := range r.Levels {
		if l != LevelCounty && l != LevelTownship {
			return FieldError(fmt.Sprintf("levels[%d]", i), "%q is not county or township (a village agent is the guide)", l)
		}
		if seen[l] {
			return FieldError(fmt.Sprintf("levels[%d]", i), "%s listed twice", l)
		}
		seen[l] = true
	}
	if n := utf8.RuneCountInString(r.Note); n > 200 || !utf8.ValidString(r.Note) {
		return FieldError("note", "at most 200 characters")
	}
	return nil
}

// Applies reports whether r asks for a guide on a home visit by a team of
// level lvl serving a request with items and groups.
func (r GuideRule) Applies(lvl Level, items []string, groups []Group) bool {
	covered := false
	for _, l := range r.Levels {
		covered = covered || l == lvl
	}
	if !covered {
		return false
	}
	if r.ItemID != "" {
		for _, id := range items {
			if id == r.ItemID {
				return true
			}
		}
		return false
	}
	for _, g := range groups {
		if g == r.Group {
			return true
		}
	}
	return false
}

// DefaultGuideRules are the seeded rules: county and township home visits
// of elderly people living alone and of disabled people bring the village
// agent (the households the agent looks after).
func DefaultGuideRules() []GuideRule {
	both := []Level{LevelCounty, LevelTownship}
	return []GuideRule{
		{ID: "GR-ELDERLY-ALONE", Group: GroupElderlyAlone, Levels: both, Note: "独居老人: 村代办员带路并陪同"},
		{ID: "GR-DISABLED", Group: GroupDisabled, Levels: both, Note: "残疾人: 村代办员带路并陪同"},
	}
}

// GuideReason says why a visit the rules give a guide goes without one.
type GuideReason string

// Guide reasons.
const (
	GuideNoAgent    GuideReason = "no_agent"       // the village has no agent or grid worker
	GuideAbsent     GuideReason = "absent"         // an absence covers the day
	GuideMarketDesk GuideReason = "market_desk"    // a published market plan holds the agent that day
	GuideOffDuty    GuideReason = "off_duty"       // rest day, weekday off, or the visit is outside the agent's hours
	GuideOwnRoute   GuideReason = "busy_own_route" // on the agent's own village circuit at that time
	GuideBusy       GuideReason = "busy_guiding"   // already guiding another visit at that time
)

// StopGuide is the guide of a home visit that the rules give one: the
// agent who comes (StaffID) or why none does (Missing, Detail). The agent
// is at the household from the team's arrival to its departure.
type StopGuide struct {
	// Rules are the ids of the rules that ask for a guide.
	Rules []string `json:"rules"`
	// StaffID is the agent who guides (empty when Missing is set).
	StaffID string `json:"staff_id,omitempty"`
	// Missing is why the visit goes without a guide.
	Missing GuideReason `json:"missing,omitempty"`
	// Detail explains Missing (which agent, which absence or visit).
	Detail string `json:"detail,omitempty"`
}

// GuideSpan is time a published circuit plan claims of a guide: the visit
// of TeamID (stop Seq) from Start to End (minutes after midnight) on Date.
type GuideSpan struct {
	PlanID string `json:"plan_id"`
	TeamID string `json:"team_id"`
	Seq    int    `json:"seq"`
	Start  int    `json:"start"`
	End    int    `json:"end"`
}

// GuideSpans returns the guide time of staff id on date in the itineraries.
func GuideSpans(its []Itinerary, id string, date Date) []GuideSpan {
	var out []GuideSpan
	for _, it := range its {
		if it.Date != date {
			continue
		}
		for _, st := range it.Stops {
			if st.Guide != nil && st.Guide.StaffID == id {
				out = append(out, GuideSpan{PlanID: it.PlanID, TeamID: it.TeamID, Seq: st.Seq, Start: st.Arrival, End: st.Depart})
			}
		}
	}
	return out
}
