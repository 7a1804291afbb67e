package vroom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
)

// Input is a VROOM problem as decoded from JSON. Unknown keys are ignored,
// as VROOM does. Optional numbers are pointers so that "absent" and "zero"
// differ where VROOM distinguishes them.
type Input struct {
	Jobs      []Job                      `json:"jobs"`
	Shipments []json.RawMessage          `json:"shipments"`
	Vehicles  []Vehicle                  `json:"vehicles"`
	Matrices  map[string]ProfileMatrices `json:"matrices"`
	// Matrix is the deprecated single custom matrix: durations for every
	// profile.
	Matrix [][]int64 `json:"matrix"`
}

// Job is a task at one place. Times are in seconds, amounts in user units.
type Job struct {
	ID            *uint64   `json:"id"`
	Description   string    `json:"description,omitempty"`
	Location      []float64 `json:"location"`
	LocationIndex *int      `json:"location_index"`
	Setup         int64     `json:"setup"`
	Service       int64     `json:"service"`
	Delivery      []int64   `json:"delivery"`
	Pickup        []int64   `json:"pickup"`
	// Amount is the deprecated key; it is read as Delivery when Delivery is
	// absent.
	Amount      []int64   `json:"amount"`
	Skills      []int64   `json:"skills"`
	Priority    int64     `json:"priority"`
	TimeWindows [][]int64 `json:"time_windows"`
}

// Vehicle is one vehicle (one route).
type Vehicle struct {
	ID            *uint64   `json:"id"`
	Profile       string    `json:"profile"`
	Description   string    `json:"description,omitempty"`
	Start         []float64 `json:"start"`
	StartIndex    *int      `json:"start_index"`
	End           []float64 `json:"end"`
	EndIndex      *int      `json:"end_index"`
	Capacity      []int64   `json:"capacity"`
	Costs         *Costs    `json:"costs"`
	Skills        []int64   `json:"skills"`
	TimeWindow    []int64   `json:"time_window"`
	Breaks        []Break   `json:"breaks"`
	SpeedFactor   *float64  `json:"speed_factor"`
	MaxTasks      *int64    `json:"max_tasks"`
	MaxTravelTime *int64    `json:"max_travel_time"`
	MaxDistance   *int64    `json:"max_distance"`
	// Steps are read as a warm start: the job steps' ids, in order. Each
	// step is decoded when the model is built, so that an error names its
	// index.
	Steps []json.RawMessage `json:"steps"`
}

// Costs are a vehicle's cost parameters. Absent per_hour means 3600 (one
// cost unit per second of travel).
type Costs struct {
	Fixed       int64  `json:"fixed"`
	PerHour     *int64 `json:"per_hour"`
	PerKm       int64  `json:"per_km"`
	PerTaskHour int64  `json:"per_task_hour"`
}

// Break is a vehicle break; Service is its duration in seconds.
type Break struct {
	ID          *uint64   `json:"id"`
	Description string    `json:"description,omitempty"`
	TimeWindows [][]int64 `json:"time_windows"`
	Service     int64     `json:"service"`
	MaxLoad     []int64   `json:"max_load"`
}

// ProfileMatrices are the custom matrices of one routing profile: square,
// same size, non-negative. Durations are required when any is given.
type ProfileMatrices struct {
	Durations [][]int64 `json:"durations"`
	Distances [][]int64 `json:"distances"`
	Costs     [][]int64 `json:"costs"`
}

// rawInput delays the decoding of each job and vehicle so that a type error
// can be reported with its array index.
type rawInput struct {
	Jobs      []json.RawMessage          `json:"jobs"`
	Shipments []json.RawMessage          `json:"shipments"`
	Vehicles  []json.RawMessage          `json:"vehicles"`
	Matrices  map[string]json.RawMessage `json:"matrices"`
	Matrix    json.RawMessage            `json:"matrix"`
}

// MaxInputBytes bounds the input Decode reads (64 MiB: a 2000-location
// problem with three matrices fits).
const MaxInputBytes = 64 << 20

// Decode reads a VROOM input from r. Errors are *Error with CodeInput,
// naming the field whose JSON does not fit ("jobs[2].service: want int64,
// got string"). Decode checks syntax and types only; Validate checks the
// meaning.
func Decode(r io.Reader) (*Input, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxInputBytes+1))
	if err != nil {
		return nil, &Error{Code: CodeInput, Msg: "read input", Err: err}
	}
	if len(b) > MaxInputBytes {
		return nil, inputErr("", "input larger than %d bytes", MaxInputBytes)
	}
	return DecodeBytes(b)
}

// DecodeBytes is Decode on a byte slice.
func DecodeBytes(b []byte) (*Input, error) {
	var raw rawInput
	if err := strictUnmarshal(b, &raw); err != nil {
		return nil, jsonErr("", err)
	}
	in := &Input{Shipments: raw.Shipments}
	in.Jobs = make([]Job, len(raw.Jobs))
	for i, m := range raw.Jobs {
		if err := strictUnmarshal(m, &in.Jobs[i]); err != nil {
			return nil, jsonErr(fmt.Sprintf("jobs[%d]", i), err)
		}
	}
	in.Vehicles = make([]Vehicle, len(raw.Vehicles))
	for i, m := range raw.Vehicles {
		if err := strictUnmarshal(m, &in.Vehicles[i]); err != nil {
			return nil, jsonErr(fmt.Sprintf("vehicles[%d]", i), err)
		}
	}
	if len(raw.Matrices) > 0 {
		in.Matrices = make(map[string]ProfileMatrices, len(raw.Matrices))
		for name, m := range raw.Matrices {
			var pm ProfileMatrices
			if err := strictUnmarshal(m, &pm); err != nil {
				return nil, jsonErr("matrices."+name, err)
			}
			in.Matrices[name] = pm
		}
	}
	if len(raw.Matrix) > 0 && string(raw.Matrix) != "null" {
		if err := strictUnmarshal(raw.Matrix, &in.Matrix); err != nil {
			return nil, jsonErr("matrix", err)
		}
	}
	return in, nil
}

// strictUnmarshal decodes one JSON value and rejects trailing data. Unknown
// object keys are ignored, like VROOM.
func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// jsonErr turns an encoding/json error into an input error naming the
// field under prefix.
func jsonErr(prefix string, err error) *Error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := prefix
		if te.Field != "" {
			if field != "" {
				field += "."
			}
			field += te.Field
		}
		if field == "" {
			field = "input"
		}
		return inputErr(field, "want %s, got %s", typeName(te.Type.String()), te.Value)
	case errors.As(err, &se):
		return inputErr(prefix, "invalid JSON at byte %d: %v", se.Offset, se)
	case errors.Is(err, io.EOF):
		return inputErr(prefix, "empty input")
	}
	return inputErr(prefix, "invalid JSON: %v", err)
}

func typeName(t string) string {
	switch {
	case strings.Contains(t, "uint64"):
		return "a non-negative integer"
	case strings.Contains(t, "[]"):
		return "an array"
	case strings.Contains(t, "int"):
		return "an integer"
	case strings.Contains(t, "float"):
		return "a number"
	case strings.Contains(t, "string"):
		return "a string"
	}
	return t
}

// maxTime bounds times, durations and amounts: the engine's horizon.
const maxTime = 1 << 40

// checkLocation validates a location array: two finite numbers. Whether
// they must be a geographic [lon, lat] position depends on whether the
// matrices come from coordinates (checkGeographic): with custom matrices
// VROOM accepts any pair (e.g. the Gehring-Homberger grid, [250, 250]) and
// only echoes it in the output.
func checkLocation(field string, p []float64) error {
	if len(p) != 2 {
		return inputErr(field, "want [lon, lat], got %d numbers", len(p))
	}
	if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
		return inputErr(field, "[%g, %g] is not a finite position", p[0], p[1])
	}
	return nil
}

// checkGeographic validates a location the routing engine must find on the
// map: longitude in [-180, 180], latitude in [-90, 90].
func checkGeographic(field string, p []float64) error {
	if p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
		return inputErr(field, "[%g, %g] is not a [lon, lat] position", p[0], p[1])
	}
	return nil
}

// checkWindows validates time windows and returns them sorted.
func checkWindows(field string, ws [][]int64) ([][2]int64, error) {
	out := make([][2]int64, 0, len(ws))
	for i, w := range ws {
		f := fmt.Sprintf("%s[%d]", field, i)
		if len(w) != 2 {
			return nil, inputErr(f, "want [start, end], got %d numbers", len(w))
		}
		if err := checkWindow(f, w[0], w[1]); err != nil {
			return nil, err
		}
		out = append(out, [2]int64{w[0], w[1]})
	}
	sort.Slice(out, func(a, b int) bool { return out[a][0] < out[b][0] })
	for i := 1; i < len(out); i++ {
		if out[i][0] <= out[i-1][1] {
			return nil, inputErr(field, "windows [%d, %d] and [%d, %d] overlap", out[i-1][0], out[i-1][1], out[i][0], out[i][1])
		}
	}
	return out, nil
}

func checkWindow(field string, start, end int64) error {
	switch {
	case start < 0 || end < 0:
		return inputErr(field, "negative time in [%d, %d]", start, end)
	case start > end:
		return inputErr(field, "start %d after end %d", start, end)
	case end > maxTime:
		return inputErr(field, "time %d beyond %d", end, int64(maxTime))
	}
	return nil
}

func checkNonNeg(field string, v int64) error {
	if v < 0 {
		return inputErr(field, "negative value %d", v)
	}
	if v > maxTime {
		return inputErr(field, "value %d beyond %d", v, int64(maxTime))
	}
	return nil
}

func checkAmounts(field string, a []int64) error {
	for i, v := range a {
		if err := checkNonNeg(fmt.Sprintf("%s[%d]", field, i), v); err != nil {
			return err
		}
	}
	return nil
}

// checkMatrix validates a square non-negative matrix and returns its size.
func checkMatrix(field string, m [][]int64) (int, error) {
	n := len(m)
	if n == 0 {
		return 0, inputErr(field, "empty matrix")
	}
	for i, row := range m {
		if len(row) != n {
			return 0, inputErr(fmt.Sprintf("%s[%d]", field, i), "row has %d values, matrix has %d rows (must be square)", len(row), n)
		}
		for j, v := range row {
			if v < 0 {
				return 0, inputErr(fmt.Sprintf("%s[%d][%d]", field, i, j), "negative value %d", v)
			}
			if v > maxTime {
				return 0, inputErr(fmt.Sprintf("%s[%d][%d]", field, i, j), "value %d beyond %d", v, int64(maxTime))
			}
		}
	}
	return n, nil
}
