package api

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/optimizer/circuit"
)

// pullWindow is how many days around a pull the previous pulls are read, so
// that a visit moved in from a day outside the pull is reported as moved.
const pullWindow = 7

// pullChanges compares what the caller is given of team's days now (the
// sheets) with their previous pull of those days (pullCache: no store read
// when this process knows them), records this pull (one upsert, durable
// before the answer) and answers the changes.
func (s *Server) pullChanges(ctx context.Context, p *principal, team string, sheets ...circuit.Sheet) (circuit.PullChanges, error) {
	cur := circuit.SheetPulls(p.user.ID, team, sheets...)
	if len(cur) == 0 {
		return circuit.ChangesSince(nil, nil), nil
	}
	from, to := cur[0].Date, cur[len(cur)-1].Date
	prev, err := s.lastPulls(ctx, p, team, from.AddDays(-pullWindow), to.AddDays(pullWindow))
	if err != nil {
		return circuit.PullChanges{}, err
	}
	ch := circuit.ChangesSince(prev, cur)
	if repeatsRecentPull(prev, cur, s.cfg.Now()) {
		return ch, nil
	}
	n, err := s.store.RecordPulls(ctx, cur)
	if err != nil {
		return circuit.PullChanges{}, err
	}
	s.pulls.recorded(n, cur)
	return ch, nil
}

// pullRefresh is how long an identical pull is not written again. A phone
// that syncs again and is given exactly what its last recorded pull holds
// changes nothing but that pull's time, so within this window the write
// (a transaction per read: half the cost of a pull) is skipped. The changes
// answered are the same either way; only changes.since may then name a
// pull up to pullRefresh older than the caller's latest identical one.
const pullRefresh = 5 * time.Minute

// repeatsRecentPull reports whether every day of cur was pulled with the
// same plan and visits less than pullRefresh before now.
func repeatsRecentPull(prev, cur []data.Pull, now time.Time) bool {
	last := make(map[data.Date]data.Pull, len(prev))
	for _, p := range prev {
		last[p.Date] = p
	}
	for _, c := range cur {
		p, ok := last[c.Date]
		if !ok || p.PlanID != c.PlanID || !slices.Equal(p.Visits, c.Visits) || now.Sub(p.At) >= pullRefresh || now.Before(p.At) {
			return false
		}
	}
	return len(cur) > 0
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
