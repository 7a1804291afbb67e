package geo_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/paulmach/orb"
	"github.com/yingjing/xunhui/geo"
)

// A planner asks any Source for a matrix; here the estimate, with a
// coordinator's override for Niubeishan → county seat.
func ExampleEstimator() {
	est, err := geo.NewEstimator(geo.EstimateConfig{Overrides: []geo.Override{
		{From: "牛背山镇", To: "严道街道", Minutes: 90, Symmetric: true},
	}})
	if err != nil {
		panic(err)
	}
	locs := []geo.Location{
		{ID: "seat", Point: orb.Point{102.843173, 29.795632}, Group: "严道街道"},
		{ID: "huatan", Point: orb.Point{102.774563, 29.782842}, Group: "花滩镇"},
		{ID: "niubeishan", Point: orb.Point{102.532718, 29.776670}, Group: "牛背山镇"},
	}
	m, err := est.Matrix(context.Background(), locs, geo.Car)
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Source, m.Durations[0][1], "s", m.Distances[0][1], "m")
	fmt.Println("niubeishan→seat", m.Durations[2][0]/60, "min")
	// Output:
	// estimate 975 s 9481 m
	// niubeishan→seat 90 min
}

// Amap and Tencent coordinates are GCJ-02; convert them before use.
func ExampleGCJ02ToWGS84() {
	w := geo.GCJ02ToWGS84(orb.Point{102.844728, 29.792800}) // 严道街道, as Amap gives it
	fmt.Printf("%.6f %.6f\n", w[0], w[1])
	// Output: 102.843173 29.795632
}

// A team's day as GPX for a navigation app.
func ExampleWriteGPX() {
	t0 := time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC)
	r := geo.Route{Name: "Team A (SAMPLE)", Stops: []geo.Stop{
		{Name: "county seat", Point: orb.Point{102.85, 29.78}, Order: 1, Departure: t0},
		{Name: "village", Point: orb.Point{102.8510363, 29.7844966}, Order: 2, Arrival: t0.Add(2 * time.Minute), Items: []string{"代办"}},
	}}
	if err := geo.WriteGPX(os.Stdout, r); err != nil {
		panic(err)
	}
}
