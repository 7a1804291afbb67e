package vrp

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strings"
)

// readSolomon is a tiny Solomon-format reader for self-checks (the real
// reader lives in optimizer/vrp/solomon). Times are scaled by 1000 and
// rounded up, distances scaled by 1000 and rounded, as the benchmark does.
func readSolomon(path string) (*Problem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var nums [][]float64
	var nVeh, capa int
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 2 && nVeh == 0 {
			if _, err := fmt.Sscan(fs[0], &nVeh); err == nil {
				fmt.Sscan(fs[1], &capa)
				continue
			}
		}
		if len(fs) == 7 {
			row := make([]float64, 7)
			ok := true
			for i := range fs {
				if _, err := fmt.Sscan(fs[i], &row[i]); err != nil {
					ok = false
				}
			}
			if ok {
				nums = append(nums, row)
			}
		}
	}
	n := len(nums)
	dur, dist := NewMatrix(n), NewMatrix(n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			d := math.Hypot(nums[i][1]-nums[j][1], nums[i][2]-nums[j][2])
			dur.Set(i, j, int64(math.Ceil(d*1000-1e-9)))
			dist.Set(i, j, int64(math.Round(d*1000)))
		}
	}
	p := &Problem{Durations: dur, Distances: dist}
	for i := 1; i < n; i++ {
		r := nums[i]
		p.Jobs = append(p.Jobs, Job{ID: fmt.Sprint(int(r[0])), Location: i, Service: int64(r[6] * 1000),
			TimeWindows: []TimeWindow{{int64(r[4] * 1000), int64(r[5] * 1000)}}, Amounts: []int64{int64(r[3])}})
	}
	for v := 0; v < nVeh; v++ {
		p.Vehicles = append(p.Vehicles, Vehicle{ID: fmt.Sprint(v), Start: 0, End: 0,
			Shift: TimeWindow{int64(nums[0][4] * 1000), int64(nums[0][5] * 1000)}, Capacity: []int64{int64(capa)}})
	}
	return p, nil
}
