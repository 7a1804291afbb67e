package solomon

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// BKS is one entry of BKS.json: a best known solution from the literature.
type BKS struct {
	// Class is the benchmark set: "solomon", "homberger_200", ...
	Class string `json:"class"`
	// Cost is the best known total distance.
	Cost float64 `json:"best_known_cost"`
	// Vehicles is the number of routes of the best known solution.
	Vehicles int `json:"solved_with_vehicles"`
	// Fleet is the number of vehicles available in the instance.
	Fleet int `json:"vehicles"`
	// Capacity is the vehicle capacity.
	Capacity int `json:"capacity"`
	// Jobs is the number of customers.
	Jobs int `json:"jobs"`
}

// BKSTable maps instance names (as in BKS.json, e.g. "C101", "c1_2_1",
// "C101_distance") to best known solutions.
type BKSTable map[string]BKS

// LoadBKS reads BKS.json. Keys ending in "_distance" hold the best known
// distance when distance alone is minimised (Solomon only); other keys hold
// the vehicles-first best known solutions.
func LoadBKS(path string) (BKSTable, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load bks: %w", err)
	}
	var t BKSTable
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("load bks %s: %w", path, err)
	}
	return t, nil
}

// Lookup returns the best known solution to compare a distance-minimising
// solver with: the "_distance" entry when there is one (Solomon), otherwise
// the vehicles-first entry (Gehring & Homberger), with distance reporting
// which one was found. Names are matched as given, then case-insensitively.
func (t BKSTable) Lookup(name string) (b BKS, distance bool, ok bool) {
	if b, ok := t.get(name + "_distance"); ok {
		return b, true, true
	}
	b, ok = t.get(name)
	return b, false, ok
}

// LookupFleet returns the vehicles-first best known solution (fewest
// vehicles, then distance), to compare a solver in fleet mode with.
func (t BKSTable) LookupFleet(name string) (BKS, bool) {
	return t.get(name)
}

func (t BKSTable) get(name string) (BKS, bool) {
	if b, ok := t[name]; ok {
		return b, true
	}
	for k, b := range t {
		if strings.EqualFold(k, name) {
			return b, true
		}
	}
	return BKS{}, false
}
