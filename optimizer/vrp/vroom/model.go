package vroom

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/yingjing/xunhui/optimizer/vrp"
)

// MatrixFunc returns travel durations (seconds) and distances (metres,
// optional: nil when unknown) between locations given as [lon, lat], for a
// VROOM profile ("car", ...). Row i is the origin, column j the destination,
// in the order of locs. A negative value marks an unreachable pair.
type MatrixFunc func(ctx context.Context, profile string, locs [][2]float64) (durations, distances [][]int64, err error)

// defaultPerHour is VROOM's default cost per hour: one unit per second.
const defaultPerHour = 3600

// model is a validated input with every reference resolved to matrix
// indices. It is the common ground of the engine problem and the output.
type model struct {
	in      *Input
	profile string
	speed   float64
	// durations are scaled by the speed factor; distances and costs may be
	// nil.
	durations, distances, costs [][]int64
	jobLoc                      []int
	vehStart, vehEnd            []int // vrp.NoLocation when absent
	jobTW                       [][][2]int64
	breakTW                     [][][][2]int64
	dims                        int
	delivery, pickup            [][]int64 // per job, len dims
	capacity                    [][]int64 // per vehicle, len dims
	perHour                     []int64
	// indexed reports whether the input used location indices (echoed in
	// the output as location_index).
	indexed bool
}

// resolve validates in and builds its model. Errors are *Error: CodeInput
// naming the field, or CodeRouting when matrix fails.
func resolve(ctx context.Context, in *Input, matrix MatrixFunc) (*model, error) {
	m := &model{in: in, speed: 1}
	if len(in.Shipments) > 0 {
		return nil, inputErr("shipments", "pickup-and-delivery shipments are not supported; send each stop as a job")
	}
	if len(in.Vehicles) == 0 {
		return nil, inputErr("vehicles", "no vehicle")
	}
	if len(in.Jobs) == 0 {
		return nil, inputErr("jobs", "no job")
	}
	if err := m.checkVehicles(); err != nil {
		return nil, err
	}
	if err := m.checkJobs(); err != nil {
		return nil, err
	}
	if err := m.checkDims(); err != nil {
		return nil, err
	}
	if err := m.resolveLocations(ctx, matrix); err != nil {
		return nil, err
	}
	if err := m.checkCostsAndSkills(); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *model) checkVehicles() error {
	in := m.in
	ids := map[uint64]int{}
	for i := range in.Vehicles {
		v := &in.Vehicles[i]
		f := fmt.Sprintf("vehicles[%d]", i)
		if v.ID == nil {
			return inputErr(f+".id", "missing")
		}
		if k, dup := ids[*v.ID]; dup {
			return inputErr(f+".id", "duplicate id %d (also vehicles[%d])", *v.ID, k)
		}
		ids[*v.ID] = i
		profile := v.Profile
		if profile == "" {
			profile = "car"
		}
		if i == 0 {
			m.profile = profile
		} else if profile != m.profile {
			return inputErr(f+".profile", "%q differs from %q: one profile per problem is supported", profile, m.profile)
		}
		sf := 1.0
		if v.SpeedFactor != nil {
			sf = *v.SpeedFactor
			if !(sf > 0 && sf <= 5) {
				return inputErr(f+".speed_factor", "%g not in (0, 5]", sf)
			}
		}
		if i == 0 {
			m.speed = sf
		} else if sf != m.speed {
			return inputErr(f+".speed_factor", "%g differs from %g: one speed factor per problem is supported", sf, m.speed)
		}
		if len(v.Steps) > 0 {
			return inputErr(f+".steps", "custom routes (plan mode, warm start) are not supported")
		}
		if v.MaxDistance != nil {
			return inputErr(f+".max_distance", "not supported yet")
		}
		if v.Start == nil && v.StartIndex == nil && v.End == nil && v.EndIndex == nil {
			return inputErr(f, "needs start, end, start_index or end_index")
		}
		for _, loc := range []struct {
			name string
			p    []float64
		}{{"start", v.Start}, {"end", v.End}} {
			if loc.p != nil {
				if err := checkLocation(f+"."+loc.name, loc.p); err != nil {
					return err
				}
			}
		}
		if err := checkAmounts(f+".capacity", v.Capacity); err != nil {
			return err
		}
		for k, s := range v.Skills {
			if s < 0 || s > math.MaxUint32 {
				return inputErr(fmt.Sprintf("%s.skills[%d]", f, k), "%d not a skill (0..%d)", s, uint32(math.MaxUint32))
			}
		}
		if v.TimeWindow != nil {
			if len(v.TimeWindow) != 2 {
				return inputErr(f+".time_window", "want [start, end], got %d numbers", len(v.TimeWindow))
			}
			if err := checkWindow(f+".time_window", v.TimeWindow[0], v.TimeWindow[1]); err != nil {
				return err
			}
			if v.TimeWindow[0] == 0 && v.TimeWindow[1] == 0 {
				return inputErr(f+".time_window", "empty working hours [0, 0]")
			}
		}
		if v.MaxTasks != nil && *v.MaxTasks < 0 {
			return inputErr(f+".max_tasks", "negative value %d", *v.MaxTasks)
		}
		if v.MaxTravelTime != nil {
			if err := checkNonNeg(f+".max_travel_time", *v.MaxTravelTime); err != nil {
				return err
			}
		}
		if c := v.Costs; c != nil {
			if err := checkNonNeg(f+".costs.fixed", c.Fixed); err != nil {
				return err
			}
			if c.PerHour != nil {
				if err := checkNonNeg(f+".costs.per_hour", *c.PerHour); err != nil {
					return err
				}
			}
			if err := checkNonNeg(f+".costs.per_km", c.PerKm); err != nil {
				return err
			}
			if err := checkNonNeg(f+".costs.per_task_hour", c.PerTaskHour); err != nil {
				return err
			}
		}
		breakIDs := map[uint64]bool{}
		var tws [][][2]int64
		for b := range v.Breaks {
			br := &v.Breaks[b]
			bf := fmt.Sprintf("%s.breaks[%d]", f, b)
			if br.ID == nil {
				return inputErr(bf+".id", "missing")
			}
			if breakIDs[*br.ID] {
				return inputErr(bf+".id", "duplicate break id %d in this vehicle", *br.ID)
			}
			breakIDs[*br.ID] = true
			if err := checkNonNeg(bf+".service", br.Service); err != nil {
				return err
			}
			tw, err := checkWindows(bf+".time_windows", br.TimeWindows)
			if err != nil {
				return err
			}
			if err := checkAmounts(bf+".max_load", br.MaxLoad); err != nil {
				return err
			}
			tws = append(tws, tw)
		}
		m.breakTW = append(m.breakTW, tws)
	}
	return nil
}

func (m *model) checkJobs() error {
	ids := map[uint64]int{}
	for i := range m.in.Jobs {
		j := &m.in.Jobs[i]
		f := fmt.Sprintf("jobs[%d]", i)
		if j.ID == nil {
			return inputErr(f+".id", "missing")
		}
		if k, dup := ids[*j.ID]; dup {
			return inputErr(f+".id", "duplicate id %d (also jobs[%d])", *j.ID, k)
		}
		ids[*j.ID] = i
		if j.Location != nil {
			if err := checkLocation(f+".location", j.Location); err != nil {
				return err
			}
		}
		if err := checkNonNeg(f+".setup", j.Setup); err != nil {
			return err
		}
		if err := checkNonNeg(f+".service", j.Service); err != nil {
			return err
		}
		for _, a := range []struct {
			name string
			v    []int64
		}{{"delivery", j.Delivery}, {"pickup", j.Pickup}, {"amount", j.Amount}} {
			if err := checkAmounts(f+"."+a.name, a.v); err != nil {
				return err
			}
		}
		for k, s := range j.Skills {
			if s < 0 || s > math.MaxUint32 {
				return inputErr(fmt.Sprintf("%s.skills[%d]", f, k), "%d not a skill (0..%d)", s, uint32(math.MaxUint32))
			}
		}
		if j.Priority < 0 || j.Priority > 100 {
			return inputErr(f+".priority", "%d not in [0, 100]", j.Priority)
		}
		tw, err := checkWindows(f+".time_windows", j.TimeWindows)
		if err != nil {
			return err
		}
		m.jobTW = append(m.jobTW, tw)
	}
	return nil
}

// checkDims fixes the number of capacity dimensions from the first amount
// array found and requires every other one to match, like VROOM. Absent
// arrays mean zeros (a vehicle without capacity carries nothing).
func (m *model) checkDims() error {
	in := m.in
	m.dims = -1
	check := func(field string, a []int64) error {
		if a == nil {
			return nil
		}
		if m.dims < 0 {
			m.dims = len(a)
			return nil
		}
		if len(a) != m.dims {
			return inputErr(field, "has %d components, other amounts have %d", len(a), m.dims)
		}
		return nil
	}
	for i, v := range in.Vehicles {
		if err := check(fmt.Sprintf("vehicles[%d].capacity", i), v.Capacity); err != nil {
			return err
		}
		for b, br := range v.Breaks {
			if err := check(fmt.Sprintf("vehicles[%d].breaks[%d].max_load", i, b), br.MaxLoad); err != nil {
				return err
			}
		}
	}
	for i, j := range in.Jobs {
		for _, a := range []struct {
			name string
			v    []int64
		}{{"delivery", j.Delivery}, {"pickup", j.Pickup}, {"amount", j.Amount}} {
			if err := check(fmt.Sprintf("jobs[%d].%s", i, a.name), a.v); err != nil {
				return err
			}
		}
	}
	if m.dims < 0 {
		m.dims = 0
	}
	pad := func(a []int64) []int64 {
		out := make([]int64, m.dims)
		copy(out, a)
		return out
	}
	for i, v := range in.Vehicles {
		m.capacity = append(m.capacity, pad(v.Capacity))
		for b, br := range v.Breaks {
			for d, ml := range br.MaxLoad {
				if ml < m.capacity[i][d] {
					return inputErr(fmt.Sprintf("vehicles[%d].breaks[%d].max_load", i, b),
						"a max_load below the capacity is not supported yet")
				}
			}
		}
	}
	for _, j := range in.Jobs {
		del := j.Delivery
		if del == nil {
			del = j.Amount
		}
		m.delivery = append(m.delivery, pad(del))
		m.pickup = append(m.pickup, pad(j.Pickup))
	}
	return nil
}

// resolveLocations maps every job and vehicle end to a matrix index, taking
// custom matrices when given and asking matrix for coordinates otherwise.
func (m *model) resolveLocations(ctx context.Context, matrix MatrixFunc) error {
	in := m.in
	pm, ok := in.Matrices[m.profile]
	pf := "matrices." + m.profile
	if !ok && in.Matrix != nil {
		pm, ok, pf = ProfileMatrices{Durations: in.Matrix}, true, "matrix"
	}
	m.jobLoc = make([]int, len(in.Jobs))
	m.vehStart = make([]int, len(in.Vehicles))
	m.vehEnd = make([]int, len(in.Vehicles))
	if ok {
		return m.useMatrices(pm, pf)
	}
	if len(in.Matrices) > 0 {
		// Matrices were given but not for this profile: say so rather than
		// silently falling back to coordinates.
		names := make([]string, 0, len(in.Matrices))
		for k := range in.Matrices {
			names = append(names, strconv.Quote(k))
		}
		sort.Strings(names)
		if !m.allCoordinates() {
			return inputErr("matrices", "no matrices for profile %q (got %v)", m.profile, names)
		}
	}
	return m.useCoordinates(ctx, matrix)
}

func (m *model) allCoordinates() bool {
	for _, j := range m.in.Jobs {
		if j.Location == nil {
			return false
		}
	}
	return true
}

func (m *model) useMatrices(pm ProfileMatrices, pf string) error {
	in := m.in
	m.indexed = true
	if pm.Durations == nil {
		return inputErr(pf+".durations", "required with custom distances or costs")
	}
	n, err := checkMatrix(pf+".durations", pm.Durations)
	if err != nil {
		return err
	}
	for _, x := range []struct {
		name string
		mat  [][]int64
		dst  *[][]int64
	}{{"distances", pm.Distances, &m.distances}, {"costs", pm.Costs, &m.costs}} {
		if x.mat == nil {
			continue
		}
		k, err := checkMatrix(pf+"."+x.name, x.mat)
		if err != nil {
			return err
		}
		if k != n {
			return inputErr(pf+"."+x.name, "%d×%d, durations are %d×%d", k, k, n, n)
		}
		*x.dst = x.mat
	}
	m.durations = scale(pm.Durations, m.speed)
	index := func(field string, idx *int, coords []float64, mandatory bool) (int, error) {
		if idx == nil {
			if !mandatory && coords == nil {
				return vrp.NoLocation, nil
			}
			return 0, inputErr(field, "required with custom matrices")
		}
		if *idx < 0 || *idx >= n {
			return 0, inputErr(field, "%d out of the %d×%d matrix", *idx, n, n)
		}
		return *idx, nil
	}
	for i, j := range in.Jobs {
		if m.jobLoc[i], err = index(fmt.Sprintf("jobs[%d].location_index", i), j.LocationIndex, j.Location, true); err != nil {
			return err
		}
	}
	for i, v := range in.Vehicles {
		f := fmt.Sprintf("vehicles[%d]", i)
		if m.vehStart[i], err = index(f+".start_index", v.StartIndex, v.Start, false); err != nil {
			return err
		}
		if m.vehEnd[i], err = index(f+".end_index", v.EndIndex, v.End, false); err != nil {
			return err
		}
	}
	return nil
}

func (m *model) useCoordinates(ctx context.Context, matrix MatrixFunc) error {
	in := m.in
	var locs [][2]float64
	seen := map[[2]float64]int{}
	add := func(p []float64) int {
		k := [2]float64{p[0], p[1]}
		if i, ok := seen[k]; ok {
			return i
		}
		seen[k] = len(locs)
		locs = append(locs, k)
		return len(locs) - 1
	}
	for i, j := range in.Jobs {
		if j.Location == nil {
			return inputErr(fmt.Sprintf("jobs[%d].location", i), "required without custom matrices")
		}
		m.jobLoc[i] = add(j.Location)
	}
	for i, v := range in.Vehicles {
		m.vehStart[i], m.vehEnd[i] = vrp.NoLocation, vrp.NoLocation
		if v.Start != nil {
			m.vehStart[i] = add(v.Start)
		} else if v.StartIndex != nil {
			return inputErr(fmt.Sprintf("vehicles[%d].start", i), "required without custom matrices")
		}
		if v.End != nil {
			m.vehEnd[i] = add(v.End)
		} else if v.EndIndex != nil {
			return inputErr(fmt.Sprintf("vehicles[%d].end", i), "required without custom matrices")
		}
	}
	if matrix == nil {
		return &Error{Code: CodeRouting, Msg: fmt.Sprintf("no routing engine configured: give matrices.%s.durations, or start the server with a matrix source", m.profile)}
	}
	dur, dist, err := matrix(ctx, m.profile, locs)
	if err != nil {
		return &Error{Code: CodeRouting, Msg: "matrix", Err: err}
	}
	check := func(name string, mat [][]int64) error {
		if len(mat) != len(locs) {
			return &Error{Code: CodeRouting, Msg: fmt.Sprintf("matrix source returned %d %s rows for %d locations", len(mat), name, len(locs))}
		}
		for i, row := range mat {
			if len(row) != len(locs) {
				return &Error{Code: CodeRouting, Msg: fmt.Sprintf("matrix source returned a ragged %s row %d", name, i)}
			}
			for j, v := range row {
				if v < 0 {
					return &Error{Code: CodeRouting, Msg: fmt.Sprintf("no route from [%g, %g] to [%g, %g]", locs[i][0], locs[i][1], locs[j][0], locs[j][1])}
				}
			}
		}
		return nil
	}
	if err := check("duration", dur); err != nil {
		return err
	}
	if dist != nil {
		if err := check("distance", dist); err != nil {
			return err
		}
		m.distances = dist
	}
	m.durations = scale(dur, m.speed)
	return nil
}

// scale divides durations by the speed factor, rounding to whole seconds.
func scale(d [][]int64, sf float64) [][]int64 {
	if sf == 1 {
		return d
	}
	out := make([][]int64, len(d))
	for i, row := range d {
		out[i] = make([]int64, len(row))
		for j, v := range row {
			out[i][j] = int64(math.Round(float64(v) / sf))
		}
	}
	return out
}

func (m *model) checkCostsAndSkills() error {
	in := m.in
	m.perHour = make([]int64, len(in.Vehicles))
	for i, v := range in.Vehicles {
		m.perHour[i] = defaultPerHour
		if v.Costs == nil {
			continue
		}
		f := fmt.Sprintf("vehicles[%d].costs", i)
		if v.Costs.PerHour != nil {
			m.perHour[i] = *v.Costs.PerHour
		}
		if m.costs != nil && (m.perHour[i] != defaultPerHour || v.Costs.PerKm != 0) {
			return inputErr(f, "per_hour and per_km cannot be combined with a custom costs matrix")
		}
		if v.Costs.PerKm != 0 && m.distances == nil {
			return inputErr(f+".per_km", "needs distances (matrices.%s.distances)", m.profile)
		}
	}
	has := func(v *Vehicle, s int64) bool {
		for _, t := range v.Skills {
			if t == s {
				return true
			}
		}
		return false
	}
	for i, j := range in.Jobs {
		if len(j.Skills) == 0 {
			continue
		}
		ok := false
		for k := range in.Vehicles {
			all := true
			for _, s := range j.Skills {
				if !has(&in.Vehicles[k], s) {
					all = false
					break
				}
			}
			if all {
				ok = true
				break
			}
		}
		if !ok {
			return inputErr(fmt.Sprintf("jobs[%d].skills", i), "no vehicle has all of %v", j.Skills)
		}
	}
	return nil
}

// problem builds the engine problem. Job k and vehicle k of the problem are
// job k and vehicle k of the input.
func (m *model) problem() (*vrp.Problem, error) {
	in := m.in
	toMatrix := func(rows [][]int64) (vrp.Matrix, error) {
		if rows == nil {
			return vrp.Matrix{}, nil
		}
		return vrp.MatrixFromRows(rows)
	}
	p := &vrp.Problem{}
	var err error
	if p.Durations, err = toMatrix(m.durations); err != nil {
		return nil, err
	}
	if p.Distances, err = toMatrix(m.distances); err != nil {
		return nil, err
	}
	if p.Costs, err = toMatrix(m.costs); err != nil {
		return nil, err
	}
	anyDel, anyPick := false, false
	for k := range in.Jobs {
		for d := 0; d < m.dims; d++ {
			anyDel = anyDel || m.delivery[k][d] > 0
			anyPick = anyPick || m.pickup[k][d] > 0
		}
	}
	p.Jobs = make([]vrp.Job, len(in.Jobs))
	for k, j := range in.Jobs {
		job := vrp.Job{
			ID:       strconv.FormatUint(*j.ID, 10),
			Location: m.jobLoc[k],
			// The engine has no setup time: counting it on every visit is
			// safe (it only overestimates when two jobs share a place).
			Service:  j.Setup + j.Service,
			Priority: int(j.Priority),
		}
		for _, w := range m.jobTW[k] {
			job.TimeWindows = append(job.TimeWindows, vrp.TimeWindow{Start: w[0], End: w[1]})
		}
		for _, s := range j.Skills {
			job.Skills = append(job.Skills, int(s))
		}
		if m.dims > 0 {
			// The engine loads everything at the start. Deliveries alone, or
			// pickups alone, are modelled exactly; a mix is modelled as
			// delivery+pickup, which never overloads but may refuse a
			// feasible route.
			job.Amounts = make([]int64, m.dims)
			for d := range job.Amounts {
				switch {
				case anyDel && anyPick:
					job.Amounts[d] = m.delivery[k][d] + m.pickup[k][d]
				case anyPick:
					job.Amounts[d] = m.pickup[k][d]
				default:
					job.Amounts[d] = m.delivery[k][d]
				}
			}
		}
		p.Jobs[k] = job
	}
	travelOnly := m.travelOnly()
	p.Vehicles = make([]vrp.Vehicle, len(in.Vehicles))
	for k, v := range in.Vehicles {
		veh := vrp.Vehicle{
			ID:          strconv.FormatUint(*v.ID, 10),
			Start:       m.vehStart[k],
			End:         m.vehEnd[k],
			Capacity:    m.capacity[k],
			CostPerHour: m.perHour[k],
		}
		if travelOnly {
			// The engine's default cost is the travel time, on a faster path
			// than explicit rates; the answer's cost is recomputed anyway.
			veh.CostPerHour = 0
		}
		if v.TimeWindow != nil {
			veh.Shift = vrp.TimeWindow{Start: v.TimeWindow[0], End: v.TimeWindow[1]}
		}
		for _, s := range v.Skills {
			veh.Skills = append(veh.Skills, int(s))
		}
		if v.MaxTasks != nil {
			veh.MaxTasks = int(min(*v.MaxTasks, math.MaxInt32))
		}
		if v.MaxTravelTime != nil {
			veh.MaxTravelTime = *v.MaxTravelTime
			if veh.MaxTravelTime == 0 {
				// The engine reads 0 as "no limit"; 1 second is the closest
				// limit it can express (Verify still enforces 0).
				veh.MaxTravelTime = 1
			}
		}
		if v.Costs != nil {
			veh.FixedCost = v.Costs.Fixed
			veh.CostPerKm = v.Costs.PerKm
		}
		for b, br := range v.Breaks {
			eb := vrp.Break{ID: strconv.FormatUint(*br.ID, 10), Duration: br.Service}
			for _, w := range m.breakTW[k][b] {
				eb.TimeWindows = append(eb.TimeWindows, vrp.TimeWindow{Start: w[0], End: w[1]})
			}
			veh.Breaks = append(veh.Breaks, eb)
		}
		p.Vehicles[k] = veh
	}
	// VROOM's max_tasks 0 forbids any task while the engine reads 0 as "no
	// limit": restrict every job to the other vehicles instead.
	var usable []int
	blocked := false
	for k, v := range in.Vehicles {
		if v.MaxTasks != nil && *v.MaxTasks == 0 {
			blocked = true
		} else {
			usable = append(usable, k)
		}
	}
	if blocked {
		for k := range p.Jobs {
			p.Jobs[k].AllowedVehicles = append([]int{}, usable...)
		}
	}
	if err := p.Validate(); err != nil {
		return nil, &Error{Code: CodeInternal, Msg: "engine rejected the converted problem", Err: err}
	}
	return p, nil
}

// travelOnly reports whether minimising travel time ranks solutions like
// VROOM's cost: no costs matrix, no per_km, and either every per_hour is
// the default or they are all equal with no fixed cost.
func (m *model) travelOnly() bool {
	if m.costs != nil {
		return false
	}
	same, defaults, noFixed := true, true, true
	for k, v := range m.in.Vehicles {
		if v.Costs != nil && (v.Costs.PerKm != 0 || v.Costs.PerTaskHour != 0) {
			return false
		}
		if v.Costs != nil && v.Costs.Fixed != 0 {
			noFixed = false
		}
		same = same && m.perHour[k] == m.perHour[0]
		defaults = defaults && m.perHour[k] == defaultPerHour
	}
	return defaults || (same && noFixed && m.perHour[0] > 0)
}
