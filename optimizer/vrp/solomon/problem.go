package solomon

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/yingjing/xunhui/optimizer/vrp"
)

// Scale is the factor from instance units to engine integer units: one
// time or distance unit of the file is Scale engine units.
const Scale = 1000

// ToProblem converts in to the engine's integer model. Location i is
// customer i (0 = depot); job j is customer j+1, with ID the customer number.
//
// Rounding keeps integer feasibility sufficient for real feasibility:
// travel durations are ceil(d·Scale) and service times ceil(s·Scale) (never
// shorter than the truth), ready times ceil(r·Scale) and due dates
// floor(e·Scale) (never wider), so a route the engine accepts is accepted
// by Check. Distances (the objective) are round(d·Scale): the engine
// minimises them with the file's fleet (use vrp.ObjectiveDistance), and the
// cost to report is the one Check recomputes in float64, never the engine's.
func ToProblem(in *Instance) (*vrp.Problem, error) {
	if in == nil || len(in.Customers) < 2 {
		return nil, errors.New("to problem: empty instance")
	}
	n := len(in.Customers)
	p := &vrp.Problem{Durations: vrp.NewMatrix(n), Distances: vrp.NewMatrix(n)}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i == j {
				continue
			}
			d := in.Dist(i, j) * Scale
			p.Durations.Set(i, j, int64(math.Ceil(d)))
			p.Distances.Set(i, j, int64(math.Round(d)))
		}
	}
	depot := in.Customers[0]
	shift := vrp.TimeWindow{Start: up(depot.Ready), End: down(depot.Due)}
	if shift.Start > shift.End {
		return nil, fmt.Errorf("to problem: depot window [%v,%v] empty at scale %d", depot.Ready, depot.Due, Scale)
	}
	p.Vehicles = make([]vrp.Vehicle, in.Vehicles)
	for v := range p.Vehicles {
		p.Vehicles[v] = vrp.Vehicle{
			ID:       strconv.Itoa(v + 1),
			Start:    0,
			End:      0,
			Shift:    shift,
			Capacity: []int64{int64(in.Capacity)},
		}
	}
	p.Jobs = make([]vrp.Job, n-1)
	for j := range p.Jobs {
		c := in.Customers[j+1]
		tw := vrp.TimeWindow{Start: up(c.Ready), End: down(c.Due)}
		if tw.Start > tw.End {
			return nil, fmt.Errorf("to problem: customer %d window [%v,%v] empty at scale %d", c.Number, c.Ready, c.Due, Scale)
		}
		p.Jobs[j] = vrp.Job{
			ID:          strconv.Itoa(c.Number),
			Location:    j + 1,
			Service:     up(c.Service),
			TimeWindows: []vrp.TimeWindow{tw},
			Amounts:     []int64{int64(c.Demand)},
		}
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("to problem: %w", err)
	}
	return p, nil
}

func up(x float64) int64   { return int64(math.Ceil(x * Scale)) }
func down(x float64) int64 { return int64(math.Floor(x * Scale)) }

// Routes returns the customer numbers of each route of s, a solution of the
// problem made by ToProblem (job j is customer j+1), in route order and
// without empty routes. Breaks (there are none in such problems) are
// skipped.
func Routes(s *vrp.Solution) [][]int {
	var out [][]int
	for _, r := range s.Routes {
		var route []int
		for _, v := range r.Visits {
			if v.Kind == vrp.VisitJob {
				route = append(route, v.Job+1)
			}
		}
		if len(route) > 0 {
			out = append(out, route)
		}
	}
	return out
}
