package circuit

import (
	"encoding/json"
	"fmt"

	"github.com/yingjing/xunhui/data"
)

// Summary is what a circuit plan stores in data.Plan.Summary: the figures,
// the unassigned requests with their reason codes, the level-routing
// decisions, the team loads and (re-plans) the moved requests.
type Summary struct {
	Stats      Stats        `json:"stats"`
	Unassigned []Unassigned `json:"unassigned"`
	Decisions  []Decision   `json:"decisions"`
	Loads      []Load       `json:"loads"`
	Moves      []Move       `json:"moves,omitempty"`
	Warnings   []string     `json:"warnings,omitempty"`
	Progress   []Point      `json:"progress,omitempty"`
	Edits      []EditRecord `json:"edits,omitempty"`
}

// Point is one progress sample of a run: best cost and served count over time.
type Point = data.RunPoint

// Summary returns r's summary as the JSON object stored with the plan.
func (r *Result) Summary() map[string]any {
	s := Summary{Stats: r.Stats, Unassigned: r.Unassigned, Decisions: r.Decisions, Loads: r.Loads, Moves: r.Moves}
	if r.Travel != nil {
		s.Warnings = r.Travel.Warnings
	}
	if s.Unassigned == nil {
		s.Unassigned = []Unassigned{}
	}
	return s.Map()
}

// Map encodes s as a JSON object.
func (s Summary) Map() map[string]any {
	b, _ := json.Marshal(s)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// ParseSummary decodes a plan's stored summary.
func ParseSummary(m map[string]any) (Summary, error) {
	var s Summary
	b, err := json.Marshal(m)
	if err != nil {
		return s, fmt.Errorf("plan summary: %w", err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("plan summary: %w", err)
	}
	return s, nil
}
