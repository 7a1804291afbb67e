package circuit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/yingjing/xunhui/data"
)

// GenOptions shape a generated county (SAMPLE data for benchmarks and
// tests; nothing here describes real people).
type GenOptions struct {
	Seed      uint64
	Townships int // default 12
	Villages  int // default 71, spread over the townships
	Requests  int // default 600
	// Monday is the first day of the generated week (default 2026-11-30).
	Monday data.Date
}

// GenerateCounty returns a SAMPLE county shaped like Yingjing: townships
// on a ring around the county seat, villages around their township centre,
// 3 county red circuit teams, one team per township, one agent per village
// and Requests pending requests with mixed levels, skills, special groups,
// visiting hours and deadlines. The same options give the same county.
func GenerateCounty(o GenOptions) *Snapshot {
	if o.Townships <= 0 {
		o.Townships = 12
	}
	if o.Villages <= 0 {
		o.Villages = 71
	}
	if o.Requests <= 0 {
		o.Requests = 600
	}
	if !o.Monday.Valid() {
		o.Monday = "2026-11-30"
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	s := &Snapshot{Villages: map[string]data.Village{}, ServicePoints: map[string]data.ServicePoint{},
		Items: map[string]data.ServiceItem{}, Staff: map[string]data.Staff{}}
	items := []data.ServiceItem{
		{ID: "G-VIL-1", Name: "政策咨询 (SAMPLE)", LowestLevel: data.LevelVillage, DurationMin: 10, Skill: data.SkillGeneral},
		{ID: "G-VIL-2", Name: "高龄补贴代办 (SAMPLE)", LowestLevel: data.LevelVillage, DurationMin: 20, Skill: data.SkillCivilAffairs},
		{ID: "G-VIL-3", Name: "医保缴费代办 (SAMPLE)", LowestLevel: data.LevelVillage, DurationMin: 15, Skill: data.SkillGeneral},
		{ID: "G-TWN-1", Name: "养老保险认证 (SAMPLE)", LowestLevel: data.LevelTownship, DurationMin: 20, Skill: data.SkillSocialSecurity},
		{ID: "G-TWN-2", Name: "医疗救助申请 (SAMPLE)", LowestLevel: data.LevelTownship, DurationMin: 25, Skill: data.SkillMedicalSecurity},
		{ID: "G-TWN-3", Name: "耕地地力补贴 (SAMPLE)", LowestLevel: data.LevelTownship, DurationMin: 20, Skill: data.SkillAgriculture},
		{ID: "G-CTY-1", Name: "残疾人证办理 (SAMPLE)", LowestLevel: data.LevelCounty, DurationMin: 30, Skill: data.SkillDisability},
		{ID: "G-CTY-2", Name: "农村宅基地审批 (SAMPLE)", LowestLevel: data.LevelCounty, DurationMin: 30, Skill: data.SkillNaturalResources},
		{ID: "G-CTY-3", Name: "危房改造核查 (SAMPLE)", LowestLevel: data.LevelCounty, DurationMin: 40, Skill: data.SkillHousingConstruction},
	}
	for _, it := range items {
		it.Category, it.Kind, it.Mode, it.Sample = data.CatOther, "public_service", data.ModeIntakeProxy, true
		s.Items[it.ID] = it
	}
	seat := data.Point{Lon: 102.85, Lat: 29.80}
	week := data.WorkingWeek(8*60+30, 17*60+30)
	addStaff := func(id string, role data.StaffRole, home string, skills ...data.Skill) {
		s.Staff[id] = data.Staff{ID: id, Name: "工作人员 " + id + " (SAMPLE)", Role: role, Skills: skills, HomeCode: home,
			Phone: fmt.Sprintf("138%08d", len(s.Staff)+1), Availability: week, Sample: true}
	}
	countySP := "sp-" + data.CountyCode
	s.ServicePoints[countySP] = data.ServicePoint{ID: countySP, Circle: data.CircleCounty, Code: data.CountyCode, Name: "县政务服务中心 (SAMPLE)", Location: seat, Provenance: data.Estimated}
	countySkills := [][]data.Skill{
		{data.SkillDisability, data.SkillNaturalResources, data.SkillGeneral},
		{data.SkillHousingConstruction, data.SkillDisability, data.SkillGeneral},
		{data.SkillNaturalResources, data.SkillHousingConstruction, data.SkillGeneral},
	}
	for i, sk := range countySkills {
		a, b := fmt.Sprintf("S-CTY-%d-A", i+1), fmt.Sprintf("S-CTY-%d-B", i+1)
		addStaff(a, data.RoleCountyExpert, data.CountyCode, sk[0], sk[2], data.SkillSocialSecurity, data.SkillMedicalSecurity, data.SkillAgriculture, data.SkillCivilAffairs)
		addStaff(b, data.RoleCountyExpert, data.CountyCode, sk[1], sk[2])
		s.Teams = append(s.Teams, data.Team{ID: fmt.Sprintf("T-CTY-%d", i+1), Name: fmt.Sprintf("县红色巡回服务队%d (SAMPLE)", i+1),
			Level: data.LevelCounty, HomeCode: data.CountyCode, HomePointID: countySP, MemberIDs: []string{a, b},
			TravelMode: data.TravelCar, DayStart: 510, DayEnd: 1050, LunchStart: 720, LunchEnd: 780, Red: true, Sample: true})
	}
	perTown := o.Villages / o.Townships
	extra := o.Villages % o.Townships
	var villages []data.Village
	for t := 0; t < o.Townships; t++ {
		tid := fmt.Sprintf("511822%03d000", 101+t)
		ang := 2 * math.Pi * float64(t) / float64(o.Townships)
		r := 0.06 + 0.12*rng.Float64()
		centre := data.Point{Lon: seat.Lon + r*math.Cos(ang), Lat: seat.Lat + 0.8*r*math.Sin(ang)}
		spID := "sp-" + tid
		s.ServicePoints[spID] = data.ServicePoint{ID: spID, Circle: data.CircleTownship, Code: tid, Name: fmt.Sprintf("乡镇%d便民服务中心 (SAMPLE)", t+1), Location: centre, Provenance: data.Estimated}
		a, b := fmt.Sprintf("S-TWN-%d-A", t+1), fmt.Sprintf("S-TWN-%d-B", t+1)
		addStaff(a, data.RoleDeskOfficer, tid, data.SkillGeneral, data.SkillSocialSecurity, data.SkillMedicalSecurity, data.SkillCivilAffairs)
		addStaff(b, data.RoleDeskOfficer, tid, data.SkillGeneral, data.SkillAgriculture, data.SkillSocialSecurity)
		s.Teams = append(s.Teams, data.Team{ID: "T-" + tid, Name: fmt.Sprintf("乡镇%d巡回服务队 (SAMPLE)", t+1), Level: data.LevelTownship,
			HomeCode: tid, HomePointID: spID, MemberIDs: []string{a, b}, TravelMode: data.TravelCar,
			DayStart: 510, DayEnd: 1050, LunchStart: 720, LunchEnd: 780, Sample: true})
		n := perTown
		if t < extra {
			n++
		}
		for k := 0; k < n; k++ {
			vid := fmt.Sprintf("511822%03d%03d", 101+t, 201+k)
			va := rng.Float64() * 2 * math.Pi
			vr := 0.01 + 0.04*rng.Float64()
			loc := data.Point{Lon: centre.Lon + vr*math.Cos(va), Lat: centre.Lat + 0.8*vr*math.Sin(va)}
			v := data.Village{ID: vid, TownshipID: tid, Name: fmt.Sprintf("村%d-%d村委会 (SAMPLE)", t+1, k+1), ShortName: fmt.Sprintf("村%d-%d", t+1, k+1),
				Kind: data.KindVillage, Location: loc, Provenance: data.Estimated}
			s.Villages[vid] = v
			villages = append(villages, v)
			sp := "sp-" + vid
			s.ServicePoints[sp] = data.ServicePoint{ID: sp, Circle: data.CircleVillage, Code: vid, Name: v.ShortName + "便民服务室 (SAMPLE)", Location: loc, Provenance: data.Estimated}
			ag := "S-AG-" + vid
			addStaff(ag, data.RoleVillageAgent, vid, data.SkillGeneral, data.SkillCivilAffairs)
			s.Teams = append(s.Teams, data.Team{ID: "T-AG-" + vid, Name: v.ShortName + "代办员 (SAMPLE)", Level: data.LevelVillage,
				HomeCode: vid, HomePointID: sp, MemberIDs: []string{ag}, TravelMode: data.TravelMotorbike,
				DayStart: 510, DayEnd: 1050, LunchStart: 720, LunchEnd: 780, Sample: true})
		}
	}
	s.GuideRules = data.DefaultGuideRules()
	created := o.Monday.Time().Add(-30 * 24 * time.Hour)
	for i := 0; i < o.Requests; i++ {
		v := villages[rng.IntN(len(villages))]
		r := data.Request{ID: fmt.Sprintf("R-%04d", i+1), Ledger: []data.Ledger{data.LedgerProxy, data.LedgerAppeal, data.LedgerHardship}[rng.IntN(3)],
			Household:  data.Household{Name: fmt.Sprintf("住户%04d (SAMPLE)", i+1), Phone: fmt.Sprintf("139%08d", i+1), VillageID: v.ID},
			TownshipID: v.TownshipID, Priority: 1 + rng.IntN(5), Status: data.StatusPending, Source: "SAMPLE",
			CreatedAt: created.Add(time.Duration(rng.IntN(30*24)) * time.Hour)}
		x := rng.Float64()
		switch {
		case x < 0.5:
			r.ItemIDs = []string{items[rng.IntN(3)].ID}
		case x < 0.85:
			r.ItemIDs = []string{items[3+rng.IntN(3)].ID}
		default:
			r.ItemIDs = []string{items[6+rng.IntN(3)].ID}
		}
		if rng.Float64() < 0.2 {
			extra := items[rng.IntN(3)].ID
			if extra != r.ItemIDs[0] {
				r.ItemIDs = append(r.ItemIDs, extra)
			}
		}
		if rng.Float64() < 0.25 {
			r.Groups = []data.Group{homeGroups[rng.IntN(len(homeGroups))]}
			h := data.Point{Lon: v.Location.Lon + (rng.Float64()-0.5)*0.01, Lat: v.Location.Lat + (rng.Float64()-0.5)*0.01}
			r.Household.Location = &h
		} else if rng.Float64() < 0.15 {
			r.Groups = []data.Group{data.GroupLowIncome}
		}
		switch y := rng.Float64(); {
		case y < 0.2: // mornings only
			for d := time.Monday; d <= time.Friday; d++ {
				r.VisitWindows = append(r.VisitWindows, data.WeeklyWindow{Weekday: d, From: 8 * 60, To: 12 * 60})
			}
		case y < 0.35: // two afternoons
			d1 := time.Weekday(1 + rng.IntN(5))
			d2 := time.Weekday(1 + (int(d1)+1)%5)
			r.VisitWindows = []data.WeeklyWindow{{Weekday: d1, From: 14 * 60, To: 18 * 60}, {Weekday: d2, From: 14 * 60, To: 18 * 60}}
		}
		if rng.Float64() < 0.2 {
			r.Deadline = o.Monday.AddDays(1 + rng.IntN(6))
		}
		s.Requests = append(s.Requests, r)
	}
	return s
}
