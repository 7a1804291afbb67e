package api

import (
	"context"
	"encoding/json"

	"github.com/yingjing/xunhui/optimizer/circuit"
)

// pullWindow is how many days around a pull the previous pulls are read, so
// that a visit moved in from a day outside the pull is reported as moved.
const pullWindow = 7

// pullChanges compares what the caller is given of team's days now (the
// sheets) with their previous pull of those days, records this pull (one
// upsert) and answers the changes.
func (s *Server) pullChanges(ctx context.Context, p *principal, team string, sheets ...circuit.Sheet) (circuit.PullChanges, error) {
	cur := circuit.SheetPulls(p.user.ID, team, sheets...)
	if len(cur) == 0 {
		return circuit.ChangesSince(nil, nil), nil
	}
	from, to := cur[0].Date, cur[len(cur)-1].Date
	prev, err := s.store.LastPulls(ctx, p.user.ID, team, from.AddDays(-pullWindow), to.AddDays(pullWindow))
	if err != nil {
		return circuit.PullChanges{}, err
	}
	ch := circuit.ChangesSince(prev, cur)
	if err := s.store.RecordPulls(ctx, cur); err != nil {
		return circuit.PullChanges{}, err
	}
	return ch, nil
}

// withField returns the JSON object obj with "name": v added as its last
// field (obj is not changed).
func withField(obj []byte, name string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(obj)+len(name)+len(b)+4)
	out = append(out, obj[:len(obj)-1]...)
	if len(obj) > 2 {
		out = append(out, ',')
	}
	out = append(append(append(out, '"'), name...), `":`...)
	return append(append(out, b...), '}'), nil
}

// itineraryBody is the JSON answer of GET /teams/{id}/itinerary: the sheet
// and what changed on the day since the caller's previous pull of it.
type itineraryBody struct {
	circuit.Sheet
	Changes circuit.PullChanges `json:"changes"`
}
