package vroom

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/yingjing/xunhui/optimizer/vrp"
)

// MatrixFunc returns travel durations (seconds) and distances (metres,
// optional: nil when unknown) between locations given as [lon, lat], for a
// VROOM profile ("car", ...). Row i is the origin, column j the destination,
// in the order of locs. A negative value marks an unreachable pair.
type MatrixFunc func(ctx context.Context, profile string, locs [][2]float64) (durations, distances [][]int64, err error)

// defaultPerHour is VROOM's default cost per hour: one unit per second.
const defaultPerHour = 3600

// durationFactor is VROOM's DURATION_FACTOR: it computes times in
// centiseconds so that travel times divided by a speed factor stay integers.
const durationFactor = 100

// maxFactor bounds a vehicle's discrete duration factor (speed_factor
// above 0.0001) so that scaled travel times stay within int64.
const maxFactor = 1_000_000

// travel holds the custom or fetched matrices of one VROOM profile, in the
// user's units (seconds, metres, cost units); distances and costs are nil
// when absent.
type travel struct {
	durations, distances, costs [][]int64
	// field names the source in errors: "matrices.car", "matrix", or ""
	// for the matrix source.
	field string
}

// where names matrix kind ("distances") of the profile in errors.
func (tr *travel) where(kind string) string {
	if tr.field == "" {
		return "the matrix source's " + kind
	}
	return tr.field + "." + kind
}

// model is a validated input with every reference resolved to matrix
// indices. It is the common ground of the engine problem and the output.
type model struct {
	in *Input
	// vehProfile is each vehicle's profile name ("car" when absent) and
	// vehFactor its discrete duration factor round(100 / speed_factor):
	// the centiseconds that one second of the profile's durations takes,
	// as VROOM's CostWrapper computes it.
	vehProfile []string
	vehFactor  []int64
	// names lists the profile names in order of first use; profiles holds
	// their matrices.
	names            []string
	profiles         map[string]*travel
	jobLoc           []int
	vehStart, vehEnd []int // vrp.NoLocation when absent
	jobTW            [][][2]int64
	breakTW          [][][][2]int64
	dims             int
	delivery, pickup [][]int64 // per job, len dims
	capacity         [][]int64 // per vehicle, len dims
	perHour          []int64
	// initial is the warm start read from the vehicles' steps (job indices
	// per vehicle), nil when no vehicle has steps.
	initial [][]int
	// indexed reports whether the input used location indices (echoed in
	// the output as location_index).
	indexed bool
}

// resolve validates in and builds its model. Errors are *Error: CodeInput
// naming the field, or CodeRouting when matrix fails.
func resolve(ctx context.Context, in *Input, matrix MatrixFunc) (*model, error) {
	m := &model{in: in, profiles: map[string]*travel{}}
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
	if err := m.checkSteps(); err != nil {
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

// hasDistances reports whether vehicle vi's profile has a distances matrix.
func (m *model) hasDistances(vi int) bool {
	return m.profiles[m.vehProfile[vi]].distances != nil
}

// allDistances reports whether every profile has a distances matrix.
func (m *model) allDistances() bool {
	for _, name := range m.names {
		if m.profiles[name].distances == nil {
			return false
		}
	}
	return true
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
		if _, ok := m.profiles[profile]; !ok {
			m.profiles[profile] = &travel{}
			m.names = append(m.names, profile)
		}
		sf := 1.0
		if v.SpeedFactor != nil {
			sf = *v.SpeedFactor
			if !(sf > 0 && sf <= 5) {
				return inputErr(f+".speed_factor", "%g not in (0, 5]", sf)
			}
		}
		factor := math.Round(durationFactor / sf)
		if factor > maxFactor {
			return inputErr(f+".speed_factor", "%g too small: travel times would be %g times longer", sf, 1/sf)
		}
		m.vehProfile = append(m.vehProfile, profile)
		m.vehFactor = append(m.vehFactor, int64(factor))
		if v.MaxDistance != nil {
			if err := checkNonNeg(f+".max_distance", *v.MaxDistance); err != nil {
				return err
			}
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

// stepInput is one entry of a vehicle's steps. Only the type and the id
// are read: the steps are a warm start, not a fixed plan.
type stepInput struct {
	Type string  `json:"type"`
	ID   *uint64 `json:"id"`
}

// checkSteps reads the vehicles' steps as a warm start: the job ids of
// each vehicle in order, start, end and break steps ignored (the search
// places breaks itself). Unknown job ids, jobs listed twice and shipment
// steps are input errors.
func (m *model) checkSteps() error {
	jobIdx := make(map[uint64]int, len(m.in.Jobs))
	for k, j := range m.in.Jobs {
		jobIdx[*j.ID] = k
	}
	listed := map[uint64]string{}
	for i, v := range m.in.Vehicles {
		var route []int
		for k, raw := range v.Steps {
			f := fmt.Sprintf("vehicles[%d].steps[%d]", i, k)
			var s stepInput
			if err := strictUnmarshal(raw, &s); err != nil {
				return jsonErr(f, err)
			}
			switch s.Type {
			case "start", "end", "break":
				continue
			case "job":
			case "pickup", "delivery":
				return inputErr(f+".type", "%q is a shipment step; shipments are not supported", s.Type)
			case "":
				return inputErr(f+".type", "missing")
			default:
				return inputErr(f+".type", "%q is not a step type (start, job, break, end)", s.Type)
			}
			if s.ID == nil {
				return inputErr(f+".id", "missing")
			}
			j, ok := jobIdx[*s.ID]
			if !ok {
				return inputErr(f+".id", "no job with id %d", *s.ID)
			}
			if at, dup := listed[*s.ID]; dup {
				return inputErr(f+".id", "job %d already listed at %s", *s.ID, at)
			}
			listed[*s.ID] = f
			route = append(route, j)
		}
		if len(route) > 0 {
			for len(m.initial) <= i {
				m.initial = append(m.initial, nil)
			}
			m.initial[i] = route
		}
	}
	return nil
}

// resolveLocations maps every job and vehicle end to a matrix index and
// fills the matrices of every profile: custom matrices when every profile
// has them (or the legacy matrix key gives them), otherwise the matrix
// source asked once per profile with the coordinates.
func (m *model) resolveLocations(ctx context.Context, matrix MatrixFunc) error {
	in := m.in
	m.jobLoc = make([]int, len(in.Jobs))
	m.vehStart = make([]int, len(in.Vehicles))
	m.vehEnd = make([]int, len(in.Vehicles))
	var with, without []string
	for _, name := range m.names {
		if _, ok := in.Matrices[name]; ok || in.Matrix != nil {
			with = append(with, strconv.Quote(name))
		} else {
			without = append(without, strconv.Quote(name))
		}
	}
	if len(without) == 0 {
		return m.useMatrices()
	}
	if len(in.Matrices) > 0 && (len(with) > 0 || !m.allCoordinates()) {
		// Matrices were given but not for every profile used: say so rather
		// than silently falling back to coordinates.
		names := make([]string, 0, len(in.Matrices))
		for k := range in.Matrices {
			names = append(names, strconv.Quote(k))
		}
		sort.Strings(names)
		return inputErr("matrices", "no matrices for profile %s (got %s): give matrices for every profile used, or none", strings.Join(without, ", "), strings.Join(names, ", "))
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

// useMatrices takes every profile's custom matrices; all must have the
// same size, which bounds the location indices.
func (m *model) useMatrices() error {
	in := m.in
	m.indexed = true
	n, first := 0, ""
	for _, name := range m.names {
		pm, ok := in.Matrices[name]
		pf := "matrices." + name
		if !ok {
			pm, pf = ProfileMatrices{Durations: in.Matrix}, "matrix"
		}
		if pm.Durations == nil {
			return inputErr(pf+".durations", "required with custom distances or costs")
		}
		k, err := checkMatrix(pf+".durations", pm.Durations)
		if err != nil {
			return err
		}
		if n == 0 {
			n, first = k, pf
		} else if k != n {
			return inputErr(pf+".durations", "%d×%d, %s.durations is %d×%d: every profile needs the same locations", k, k, first, n, n)
		}
		tr := m.profiles[name]
		tr.durations, tr.field = pm.Durations, pf
		for _, x := range []struct {
			name string
			mat  [][]int64
			dst  *[][]int64
		}{{"distances", pm.Distances, &tr.distances}, {"costs", pm.Costs, &tr.costs}} {
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
	}
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
	var err error
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

// useCoordinates numbers the distinct coordinates and asks matrix for the
// matrices of every profile over them.
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
		f := fmt.Sprintf("jobs[%d].location", i)
		if j.Location == nil {
			return inputErr(f, "required without custom matrices")
		}
		if err := checkGeographic(f, j.Location); err != nil {
			return err
		}
		m.jobLoc[i] = add(j.Location)
	}
	for i, v := range in.Vehicles {
		m.vehStart[i], m.vehEnd[i] = vrp.NoLocation, vrp.NoLocation
		for _, end := range []struct {
			name  string
			p     []float64
			index *int
			dst   *int
		}{{"start", v.Start, v.StartIndex, &m.vehStart[i]}, {"end", v.End, v.EndIndex, &m.vehEnd[i]}} {
			f := fmt.Sprintf("vehicles[%d].%s", i, end.name)
			if end.p == nil {
				if end.index != nil {
					return inputErr(f, "required without custom matrices")
				}
				continue
			}
			if err := checkGeographic(f, end.p); err != nil {
				return err
			}
			*end.dst = add(end.p)
		}
	}
	if matrix == nil {
		return &Error{Code: CodeRouting, Msg: fmt.Sprintf("no routing engine configured: give matrices.%s.durations, or start the server with a matrix source", m.names[0])}
	}
	for _, name := range m.names {
		dur, dist, err := matrix(ctx, name, locs)
		if err != nil {
			return &Error{Code: CodeRouting, Msg: fmt.Sprintf("matrix of profile %q", name), Err: err}
		}
		check := func(kind string, mat [][]int64) error {
			if len(mat) != len(locs) {
				return &Error{Code: CodeRouting, Msg: fmt.Sprintf("matrix source returned %d %s rows for %d locations (profile %q)", len(mat), kind, len(locs), name)}
			}
			for i, row := range mat {
				if len(row) != len(locs) {
					return &Error{Code: CodeRouting, Msg: fmt.Sprintf("matrix source returned a ragged %s row %d (profile %q)", kind, i, name)}
				}
				for j, v := range row {
					if v < 0 {
						return &Error{Code: CodeRouting, Msg: fmt.Sprintf("no route from [%g, %g] to [%g, %g] (profile %q)", locs[i][0], locs[i][1], locs[j][0], locs[j][1], name)}
					}
					if v > maxTime {
						return &Error{Code: CodeRouting, Msg: fmt.Sprintf("matrix source returned %s %d beyond %d (profile %q)", kind, v, int64(maxTime), name)}
					}
				}
			}
			return nil
		}
		if err := check("duration", dur); err != nil {
			return err
		}
		tr := m.profiles[name]
		tr.durations, tr.field = dur, ""
		if dist != nil {
			if err := check("distance", dist); err != nil {
				return err
			}
			tr.distances = dist
		}
	}
	return nil
}

func (m *model) checkCostsAndSkills() error {
	in := m.in
	// The engine takes a costs matrix for every profile or for none.
	withCosts := ""
	for _, name := range m.names {
		if m.profiles[name].costs != nil {
			withCosts = name
		}
	}
	if withCosts != "" {
		for _, name := range m.names {
			if m.profiles[name].costs == nil {
				return inputErr(m.profiles[name].where("costs"), "missing while %s is given: give costs for every profile or none", m.profiles[withCosts].where("costs"))
			}
		}
	}
	m.perHour = make([]int64, len(in.Vehicles))
	for i, v := range in.Vehicles {
		f := fmt.Sprintf("vehicles[%d]", i)
		tr := m.profiles[m.vehProfile[i]]
		if v.MaxDistance != nil && tr.distances == nil {
			return inputErr(f+".max_distance", "needs distances for profile %q (%s)", m.vehProfile[i], tr.where("distances"))
		}
		m.perHour[i] = defaultPerHour
		if v.Costs == nil {
			continue
		}
		if v.Costs.PerHour != nil {
			m.perHour[i] = *v.Costs.PerHour
		}
		if tr.costs != nil && (m.perHour[i] != defaultPerHour || v.Costs.PerKm != 0) {
			return inputErr(f+".costs", "per_hour and per_km cannot be combined with a custom costs matrix")
		}
		if v.Costs.PerKm != 0 && tr.distances == nil {
			return inputErr(f+".costs.per_km", "needs distances for profile %q (%s)", m.vehProfile[i], tr.where("distances"))
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

// tick returns the engine's time unit in centiseconds: the largest divisor
// of 100 that divides every vehicle's duration factor, so that every scaled
// travel time is a whole number of ticks. It is 100 (the engine counts
// seconds) unless a speed factor needs a finer unit. A vehicle with
// max_travel_time 0 needs every non-zero travel time to be at least 2
// ticks, so that the engine's limit of 1 tick (its 0 means no limit) is
// exact.
func (m *model) tick() int64 {
	for g := int64(durationFactor); g > 1; g-- {
		if durationFactor%g != 0 {
			continue
		}
		ok := true
		for vi, f := range m.vehFactor {
			mt := m.in.Vehicles[vi].MaxTravelTime
			if f%g != 0 || (mt != nil && *mt == 0 && f/g < 2) {
				ok = false
				break
			}
		}
		if ok {
			return g
		}
	}
	// Every factor is at least 20 (speed_factor <= 5): 1 always works.
	return 1
}

// distanceScale is 2 when some vehicle has max_distance 0, else 1: with
// distances doubled the engine's limit of 1 (its 0 means no limit) admits
// exactly the routes of distance 0.
func (m *model) distanceScale() int64 {
	for _, v := range m.in.Vehicles {
		if v.MaxDistance != nil && *v.MaxDistance == 0 {
			return 2
		}
	}
	return 1
}

// problem builds the engine problem. Job k and vehicle k of the problem are
// job k and vehicle k of the input. Times are in ticks (see tick): seconds
// times 100/tick; one engine profile per distinct (profile, duration
// factor) pair, the first vehicle's being the problem's own matrices.
func (m *model) problem() (*vrp.Problem, error) {
	in := m.in
	g := m.tick()
	perSec := durationFactor / g // ticks per second
	// scaled converts a time in seconds to ticks, refusing values beyond the
	// engine's horizon (only possible when perSec > 1).
	scaled := func(field string, v int64) (int64, error) {
		if v > vrp.Horizon/perSec {
			return 0, inputErr(field, "%d s beyond %d s, the horizon at the time resolution these speed factors need", v, vrp.Horizon/perSec)
		}
		return v * perSec, nil
	}
	// scaledWindows converts time windows (field names their list).
	scaledWindows := func(field string, tws [][2]int64) ([]vrp.TimeWindow, error) {
		var out []vrp.TimeWindow
		for w, tw := range tws {
			wf := fmt.Sprintf("%s[%d]", field, w)
			s, err := scaled(wf, tw[0])
			if err != nil {
				return nil, err
			}
			e, err := scaled(wf, tw[1])
			if err != nil {
				return nil, err
			}
			out = append(out, vrp.TimeWindow{Start: s, End: e})
		}
		return out, nil
	}
	toMatrix := func(rows [][]int64) (vrp.Matrix, error) {
		if rows == nil {
			return vrp.Matrix{}, nil
		}
		return vrp.MatrixFromRows(rows)
	}
	ds := m.distanceScale()
	anyDist := false
	for _, name := range m.names {
		anyDist = anyDist || m.profiles[name].distances != nil
	}
	type key struct {
		name   string
		factor int64
	}
	index := map[key]int{}
	var profiles []vrp.Profile
	vehProfile := make([]int, len(in.Vehicles))
	for vi := range in.Vehicles {
		k := key{m.vehProfile[vi], m.vehFactor[vi]}
		if pi, ok := index[k]; ok {
			vehProfile[vi] = pi
			continue
		}
		tr := m.profiles[k.name]
		var pr vrp.Profile
		dur := make([][]int64, len(tr.durations))
		for i, row := range tr.durations {
			dur[i] = make([]int64, len(row))
			for j, d := range row {
				// d <= 2^40 and factor <= 10^6: no overflow before the check.
				if dur[i][j] = d * k.factor / g; dur[i][j] > vrp.Horizon {
					return nil, inputErr(fmt.Sprintf("vehicles[%d].speed_factor", vi), "travel time %d s of %s[%d][%d] beyond the horizon at this speed", d, tr.where("durations"), i, j)
				}
			}
		}
		var err error
		if pr.Durations, err = toMatrix(dur); err != nil {
			return nil, err
		}
		if tr.distances != nil {
			if pr.Distances, err = toMatrix(tr.distances); err != nil {
				return nil, err
			}
			if ds > 1 {
				for x, d := range pr.Distances.Data {
					if d > vrp.Horizon/ds {
						return nil, inputErr(tr.where("distances"), "value %d beyond %d", d, vrp.Horizon/ds)
					}
					pr.Distances.Data[x] = d * ds
				}
			}
		} else if anyDist {
			// The engine wants distances for every profile or none. No
			// vehicle of this profile has max_distance or per_km (checked),
			// so zeros change nothing.
			pr.Distances = vrp.NewMatrix(len(dur))
		}
		if pr.Costs, err = toMatrix(tr.costs); err != nil {
			return nil, err
		}
		index[k] = len(profiles)
		vehProfile[vi] = len(profiles)
		profiles = append(profiles, pr)
	}
	p := &vrp.Problem{
		Durations: profiles[0].Durations,
		Distances: profiles[0].Distances,
		Costs:     profiles[0].Costs,
		Profiles:  profiles[1:],
	}
	if len(p.Profiles) == 0 {
		p.Profiles = nil
	}
	p.Jobs = make([]vrp.Job, len(in.Jobs))
	for k, j := range in.Jobs {
		f := fmt.Sprintf("jobs[%d]", k)
		// The engine has no setup time: counting it on every visit is safe
		// (it only overestimates when two jobs share a place).
		service, err := scaled(f+".service", j.Setup+j.Service)
		if err != nil {
			return nil, err
		}
		job := vrp.Job{
			ID:       strconv.FormatUint(*j.ID, 10),
			Location: m.jobLoc[k],
			Service:  service,
			Priority: int(j.Priority),
		}
		if job.TimeWindows, err = scaledWindows(f+".time_windows", m.jobTW[k]); err != nil {
			return nil, err
		}
		for _, s := range j.Skills {
			job.Skills = append(job.Skills, int(s))
		}
		if m.dims > 0 {
			// Deliveries are loaded at the start, pickups carried to the
			// end; the engine checks the load after every stop, like VROOM.
			job.Amounts = m.delivery[k]
			job.Pickup = m.pickup[k]
		}
		p.Jobs[k] = job
	}
	travelOnly := m.travelOnly()
	p.Vehicles = make([]vrp.Vehicle, len(in.Vehicles))
	for k, v := range in.Vehicles {
		f := fmt.Sprintf("vehicles[%d]", k)
		veh := vrp.Vehicle{
			ID:       strconv.FormatUint(*v.ID, 10),
			Start:    m.vehStart[k],
			End:      m.vehEnd[k],
			Capacity: m.capacity[k],
			Profile:  vehProfile[k],
		}
		if v.Costs != nil {
			veh.FixedCost = v.Costs.Fixed
		}
		switch {
		case p.Costs.N > 0:
			// Costs matrix: fixed plus the arcs, no rates.
		case travelOnly:
			// The engine's default cost is the travel time (in ticks: scale
			// the fixed cost alike), on a faster path than explicit rates;
			// the answer's cost is recomputed anyway.
			veh.FixedCost *= perSec
		default:
			// Rates: the engine counts travel in ticks and distances times
			// ds; scale every term so that each keeps its weight.
			veh.FixedCost *= perSec * ds
			veh.CostPerHour = m.perHour[k] * ds
			if v.Costs != nil {
				veh.CostPerKm = v.Costs.PerKm * perSec
			}
		}
		if v.TimeWindow != nil {
			s, err := scaled(f+".time_window", v.TimeWindow[0])
			if err != nil {
				return nil, err
			}
			e, err := scaled(f+".time_window", v.TimeWindow[1])
			if err != nil {
				return nil, err
			}
			veh.Shift = vrp.TimeWindow{Start: s, End: e}
		}
		for _, s := range v.Skills {
			veh.Skills = append(veh.Skills, int(s))
		}
		if v.MaxTasks != nil {
			veh.MaxTasks = int(min(*v.MaxTasks, math.MaxInt32))
		}
		if v.MaxTravelTime != nil {
			mt, err := scaled(f+".max_travel_time", *v.MaxTravelTime)
			if err != nil {
				return nil, err
			}
			veh.MaxTravelTime = mt
			if veh.MaxTravelTime == 0 {
				// The engine reads 0 as "no limit"; every non-zero travel
				// time is at least 2 ticks (see tick), so 1 is exact.
				veh.MaxTravelTime = 1
			}
		}
		if v.MaxDistance != nil {
			veh.MaxDistance = *v.MaxDistance * ds
			if veh.MaxDistance == 0 {
				// The engine reads 0 as "no limit"; distances are doubled
				// (see distanceScale), so 1 is exact.
				veh.MaxDistance = 1
			}
		}
		for b, br := range v.Breaks {
			d, err := scaled(fmt.Sprintf("%s.breaks[%d].service", f, b), br.Service)
			if err != nil {
				return nil, err
			}
			eb := vrp.Break{ID: strconv.FormatUint(*br.ID, 10), Duration: d}
			if eb.TimeWindows, err = scaledWindows(fmt.Sprintf("%s.breaks[%d].time_windows", f, b), m.breakTW[k][b]); err != nil {
				return nil, err
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
	for _, name := range m.names {
		if m.profiles[name].costs != nil {
			return false
		}
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
