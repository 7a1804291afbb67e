package market

import (
	"fmt"
	"math"
	"math/rand"

	"github.com/yingjing/xunhui/data"
)

// GenSpec sizes a generated SAMPLE instance (see Generate).
type GenSpec struct {
	Townships, Staff, Days, Bookings int
	// From is the first day (default 2026-12-01).
	From data.Date
	Seed int64
}

// sampleItems is a SAMPLE catalogue slice: (skill, lowest level, minutes,
// relative frequency). Township-level items dominate, as at real desks.
var sampleItems = []struct {
	id    string
	skill data.Skill
	level data.Level
	min   int
	freq  int
}{
	{"GEN-01", data.SkillGeneral, data.LevelVillage, 10, 6},
	{"GEN-02", data.SkillGeneral, data.LevelTownship, 15, 4},
	{"CA-01", data.SkillCivilAffairs, data.LevelTownship, 20, 4},
	{"SS-01", data.SkillSocialSecurity, data.LevelTownship, 15, 4},
	{"AG-01", data.SkillAgriculture, data.LevelTownship, 15, 3},
	{"HE-01", data.SkillHealth, data.LevelTownship, 10, 2},
	{"DI-01", data.SkillDisability, data.LevelTownship, 20, 1},
	{"MS-01", data.SkillMedicalSecurity, data.LevelVillage, 15, 3},
	{"MS-02", data.SkillMedicalSecurity, data.LevelCounty, 25, 1},
	{"PS-01", data.SkillPublicSecurity, data.LevelCounty, 20, 1},
	{"FO-01", data.SkillForestry, data.LevelCounty, 20, 1},
}

// Generate returns a random SAMPLE instance: townships on a 60 × 40 km
// plane with solar 逢-digit cycles (three digits each, rotating), one desk
// officer per township (the township-level skills of a 综合窗口, based there,
// travel 0 to their own market), county experts with one or two specialist
// skills (medical security, public security, forestry) plus one
// township-level skill, based at the county seat, six working days a week with a rotating day off, one person in ten
// on a three-to-five-day leave, and bookings spread over market days with
// items drawn from a fixed SAMPLE list. The benchmark instance of the issue
// is Generate(GenSpec{12, 40, 30, 2000, "", seed}).
func Generate(g GenSpec) *Problem {
	if g.From == "" {
		g.From = "2026-12-01"
	}
	rng := rand.New(rand.NewSource(g.Seed))
	p := &Problem{}
	for d := 0; d < g.Days; d++ {
		p.Days = append(p.Days, g.From.AddDays(d))
	}
	type pt struct{ x, y float64 }
	pos := make([]pt, g.Townships)
	for t := range pos {
		pos[t] = pt{rng.Float64() * 60, rng.Float64() * 40}
		digits := [3]int{(t + 1) % 10, (t + 4) % 10, (t + 7) % 10}
		tw := Township{ID: fmt.Sprintf("5118221%02d000", t+1), Name: fmt.Sprintf("SAMPLE乡%02d", t+1), WalkInMinutes: 30 + rng.Intn(60)}
		for d, day := range p.Days {
			dom := day.Time().Day()
			for _, k := range digits {
				if dom%10 == k {
					tw.MarketDays = append(tw.MarketDays, d)
					break
				}
			}
		}
		p.Townships = append(p.Townships, tw)
	}
	seat := pt{30, 20}
	minutes := func(a, b pt) int {
		km := math.Hypot(a.x-b.x, a.y-b.y) * 1.4
		return int(math.Round(km / 35 * 60))
	}
	township := []data.Skill{data.SkillCivilAffairs, data.SkillSocialSecurity, data.SkillAgriculture, data.SkillHealth, data.SkillDisability}
	special := []data.Skill{data.SkillMedicalSecurity, data.SkillPublicSecurity, data.SkillForestry}
	for i := 0; i < g.Staff; i++ {
		st := Staff{ID: fmt.Sprintf("ST-%03d", i+1), Available: make([]bool, g.Days), TravelMin: make([]int, g.Townships)}
		base := seat
		if i < g.Townships {
			st.Level = data.LevelTownship
			st.Skills = []data.Skill{data.SkillGeneral}
			for _, k := range township {
				if rng.Intn(5) > 0 {
					st.Skills = append(st.Skills, k)
				}
			}
			base = pos[i]
		} else {
			st.Level = data.LevelCounty
			st.Skills = []data.Skill{special[i%len(special)], township[rng.Intn(len(township))]}
			if rng.Intn(2) == 0 {
				st.Skills = append(st.Skills, special[rng.Intn(len(special))])
			}
			if rng.Intn(2) == 0 {
				st.Skills = append(st.Skills, data.SkillGeneral)
			}
		}
		off := rng.Intn(7)
		leaveFrom, leaveLen := -1, 0
		if rng.Intn(10) == 0 {
			leaveFrom, leaveLen = rng.Intn(g.Days), 3+rng.Intn(3)
		}
		for d, day := range p.Days {
			st.Available[d] = int(day.Weekday()) != off && !(d >= leaveFrom && d < leaveFrom+leaveLen)
		}
		for t := range pos {
			st.TravelMin[t] = minutes(base, pos[t])
		}
		p.Staff = append(p.Staff, st)
	}
	var slots []Slot
	for t, tw := range p.Townships {
		for _, d := range tw.MarketDays {
			slots = append(slots, Slot{t, d})
		}
	}
	for b := 0; b < g.Bookings && len(slots) > 0; b++ {
		sl := slots[rng.Intn(len(slots))]
		it := sampleItems[0]
		for r := rng.Intn(totalFreq()); ; {
			r -= it.freq
			if r < 0 {
				break
			}
			it = sampleItems[slicesIndex(it.id)+1]
		}
		p.Bookings = append(p.Bookings, Booking{ID: fmt.Sprintf("B-%05d", b+1), Township: sl.Township, Day: sl.Day,
			ItemID: it.id, Skill: it.skill, Level: it.level, Minutes: it.min})
	}
	return p
}

func totalFreq() int {
	n := 0
	for _, it := range sampleItems {
		n += it.freq
	}
	return n
}

func slicesIndex(id string) int {
	for i, it := range sampleItems {
		if it.id == id {
			return i
		}
	}
	return -1
}
