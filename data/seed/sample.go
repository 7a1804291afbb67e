package seed

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/yingjing/xunhui/data"
)

// SampleSource is the Source of every sample request; sample staff, teams,
// items and market cycles carry Sample = true instead.
const SampleSource = "SAMPLE"

// RequestSeed is the fixed seed of the sample request generator.
const RequestSeed = 20261127

// LoadSampleItems returns the SAMPLE service catalogue (files/items_sample.csv):
// 46 realistic items across all categories, invented for testing until the
// county's real list of 26 approvals and 122 public services is imported.
func LoadSampleItems() ([]data.ServiceItem, error) {
	b, err := files.ReadFile("files/items_sample.csv")
	if err != nil {
		return nil, err
	}
	batch, err := ParseItemsCSV(bytesReader(b))
	if err != nil {
		return nil, err
	}
	return batch.Records, batch.Err()
}

// Invented surnames and given-name characters; every sample person is
// "<surname>某<char>", which reads as an obviously anonymised name.
var (
	surnames = []rune("张李王刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段")
	givens   = []rune("华平明军芳英兰强丽红秀敏静霞刚勇杰燕琴涛斌云波辉超鹏")
)

func personName(i int) string {
	return string(surnames[i%len(surnames)]) + "某" + string(givens[(i*7+i/len(surnames))%len(givens)])
}

// countyExperts are the county departments that send experts on the red
// circuit teams, with the skills they bring.
var countyExperts = []struct {
	dept   string
	skills []data.Skill
}{
	{"县医疗保障局", []data.Skill{data.SkillMedicalSecurity}},
	{"县人力资源和社会保障局", []data.Skill{data.SkillSocialSecurity}},
	{"县民政局", []data.Skill{data.SkillCivilAffairs}},
	{"县残疾人联合会", []data.Skill{data.SkillDisability}},
	{"县公安局", []data.Skill{data.SkillPublicSecurity}},
	{"县农业农村局", []data.Skill{data.SkillAgriculture}},
	{"县林业局", []data.Skill{data.SkillForestry}},
	{"县自然资源局", []data.Skill{data.SkillNaturalResources}},
	{"县市场监督管理局", []data.Skill{"market_regulation"}},
	{"县卫生健康局", []data.Skill{data.SkillHealth}},
	{"县教育局", []data.Skill{data.SkillEducation}},
	{"县住房和城乡建设局", []data.Skill{data.SkillHousingConstruction}},
	{"县退役军人事务局", []data.Skill{data.SkillVeteransAffairs}},
	{"县政务服务中心", []data.Skill{data.SkillGeneral, data.SkillSocialSecurity, data.SkillMedicalSecurity}},
}

const (
	officeStart = 8*60 + 30 // 08:30
	officeEnd   = 17*60 + 30
	lunchStart  = 12 * 60
	lunchEnd    = 13*60 + 30
)

// SampleStaff returns the SAMPLE staff: 14 county experts (one per
// department), one desk officer and one grid worker per township, and one
// agent per village. week is the Monday of the sample week; a few people are
// on leave during it.
//
// Skills follow the county's delegation (大事不出镇, 小事不出村): a village
// agent (代办员) takes in every item of the catalogue delegated down to the
// village, whatever its department, and a township desk officer (坐班员)
// every item delegated to the township or below; county experts bring their
// department's skill. So the planner can serve work at the lowest level, and
// only county-level items or missing people push a request up.
func SampleStaff(g *Geography, items []data.ServiceItem, week data.Date) []data.Staff {
	villageSkills := DelegatedSkills(items, data.LevelVillage)
	townshipSkills := DelegatedSkills(items, data.LevelTownship)
	var out []data.Staff
	n := 0
	next := func() int { n++; return n }
	for i, e := range countyExperts {
		id := next()
		st := data.Staff{ID: fmt.Sprintf("ST-C%02d", i+1), Name: personName(id), Role: data.RoleCountyExpert,
			Skills: e.skills, Department: e.dept, HomeCode: data.CountyCode, HomePointID: "sp-" + data.CountyCode,
			PartyMember: i%3 != 2, ServiceStar: i%5 == 0, Availability: data.WorkingWeek(officeStart, officeEnd), Sample: true}
		if i == 3 { // one expert on leave mid-week
			st.Leave = []data.DateRange{{From: week.AddDays(2), To: week.AddDays(3)}}
		}
		out = append(out, st)
	}
	for i, t := range g.Townships {
		id := next()
		st := data.Staff{ID: "ST-D" + t.ID[6:9], Name: personName(id), Role: data.RoleDeskOfficer,
			Skills: townshipSkills, Department: t.Name + "便民服务中心",
			HomeCode: t.ID, HomePointID: "sp-" + t.ID, PartyMember: i%2 == 0, ServiceStar: i%4 == 1,
			Availability: data.WorkingWeek(officeStart, officeEnd), Sample: true}
		out = append(out, st)
	}
	firstVillage := map[string]string{}
	for _, v := range g.Villages {
		if _, ok := firstVillage[v.TownshipID]; !ok {
			firstVillage[v.TownshipID] = v.ID
		}
	}
	for i, t := range g.Townships {
		id := next()
		home := firstVillage[t.ID]
		out = append(out, data.Staff{ID: "ST-G" + t.ID[6:9], Name: personName(id), Role: data.RoleGridWorker,
			Skills: []data.Skill{data.SkillGeneral}, Department: t.Name + "网格", HomeCode: home, HomePointID: "sp-" + home,
			PartyMember: i%3 == 0, Availability: append(data.WorkingWeek(8*60, 18*60), data.WeeklyWindow{Weekday: time.Saturday, From: 9 * 60, To: 12 * 60}),
			Sample: true})
	}
	for i, v := range g.Villages {
		id := next()
		st := data.Staff{ID: "ST-A" + v.ID[6:], Name: personName(id), Role: data.RoleVillageAgent,
			Skills: villageSkills, Department: v.ShortName + "便民服务室", HomeCode: v.ID, HomePointID: "sp-" + v.ID,
			PartyMember: i%2 == 1, ServiceStar: i%9 == 0, Availability: data.WorkingWeek(8*60, 18*60), Sample: true}
		if i%17 == 5 {
			st.Leave = []data.DateRange{{From: week, To: week.AddDays(1)}}
		}
		out = append(out, st)
	}
	return out
}

// DelegatedSkills returns, sorted, the general skill plus the department
// skills of every item whose lowest handling level is level or below (a
// township handles village items too).
func DelegatedSkills(items []data.ServiceItem, level data.Level) []data.Skill {
	set := map[data.Skill]bool{data.SkillGeneral: true}
	for _, it := range items {
		if it.LowestLevel == data.LevelVillage || it.LowestLevel == level {
			set[it.Skill] = true
		}
	}
	out := make([]data.Skill, 0, len(set))
	for sk := range set {
		out = append(out, sk)
	}
	slices.Sort(out)
	return out
}

// remote reports townships far from the county seat by road (the mountain
// townships to the west and south); they get more requests, motorbikes and
// earlier starts.
var remote = map[string]bool{
	"511822102000": true, // 龙苍沟镇
	"511822103000": true, // 牛背山镇
	"511822106000": true, // 荥河镇
	"511822202000": true, // 安靖乡
	"511822203000": true, // 民建彝族乡
	"511822207000": true, // 泗坪乡
	"511822212000": true, // 宝峰彝族乡
}

// SampleTeams returns the SAMPLE teams: two county red circuit teams of
// county experts, one circuit team per township (desk officer + grid
// worker), and every village agent as a one-person team.
func SampleTeams(g *Geography, staff []data.Staff) []data.Team {
	var experts []string
	for _, s := range staff {
		if s.Role == data.RoleCountyExpert {
			experts = append(experts, s.ID)
		}
	}
	half := (len(experts) + 1) / 2
	out := []data.Team{
		{ID: "T-CTY-1", Name: "县红色代办服务队（一队）", Level: data.LevelCounty, HomeCode: data.CountyCode, HomePointID: "sp-" + data.CountyCode,
			MemberIDs: experts[:half], TravelMode: data.TravelCar, DayStart: officeStart, DayEnd: officeEnd, LunchStart: lunchStart, LunchEnd: lunchEnd, Red: true, Sample: true},
		{ID: "T-CTY-2", Name: "县红色代办服务队（二队）", Level: data.LevelCounty, HomeCode: data.CountyCode, HomePointID: "sp-" + data.CountyCode,
			MemberIDs: experts[half:], TravelMode: data.TravelCar, DayStart: officeStart, DayEnd: officeEnd, LunchStart: lunchStart, LunchEnd: lunchEnd, Red: true, Sample: true},
	}
	for _, t := range g.Townships {
		mode := data.TravelCar
		start := officeStart
		if remote[t.ID] {
			mode, start = data.TravelMotorbike, 8*60
		}
		out = append(out, data.Team{ID: "T-" + t.ID, Name: t.Name + "巡回服务队", Level: data.LevelTownship, HomeCode: t.ID,
			HomePointID: "sp-" + t.ID, MemberIDs: []string{"ST-D" + t.ID[6:9], "ST-G" + t.ID[6:9]}, TravelMode: mode,
			DayStart: start, DayEnd: officeEnd, LunchStart: lunchStart, LunchEnd: lunchEnd, Red: false, Sample: true})
	}
	for _, v := range g.Villages {
		mode := data.TravelMotorbike
		if v.Kind == data.KindCommunity {
			mode = data.TravelFoot
		}
		out = append(out, data.Team{ID: "T-AG-" + v.ID, Name: v.ShortName + "代办员", Level: data.LevelVillage, HomeCode: v.ID,
			HomePointID: "sp-" + v.ID, MemberIDs: []string{"ST-A" + v.ID[6:]}, TravelMode: mode,
			DayStart: 8 * 60, DayEnd: 18 * 60, LunchStart: lunchStart, LunchEnd: lunchEnd, Sample: true})
	}
	return out
}

// SampleMarketCycles returns SAMPLE market-day cycles: no public source lists
// Yingjing's market days, so townships are given the three common Sichuan
// rhythms 逢1·4·7, 逢2·5·8, 逢3·6·9 (solar calendar) in turn, 07:00–12:00.
func SampleMarketCycles(g *Geography) []data.MarketCycle {
	rhythms := [][]int{{1, 4, 7}, {2, 5, 8}, {3, 6, 9}}
	var out []data.MarketCycle
	for i, t := range g.Townships {
		c := data.MarketCycle{TownshipID: t.ID, Calendar: "solar", Digits: rhythms[i%3], Place: t.Name + "场镇",
			Start: 7 * 60, End: 12 * 60, Sample: true}
		c.Normalize()
		out = append(out, c)
	}
	return out
}

// appealTexts and hardshipTexts are invented summaries for SAMPLE requests.
var (
	appealTexts = []string{"反映组道路面破损，雨天出行困难", "反映饮水管道漏水，请求维修", "咨询养老保险缴费档次与待遇",
		"反映村内路灯损坏", "咨询宅基地建房审批流程", "反映农网电压不稳", "咨询医保报销比例", "反映河道垃圾堆积",
		"咨询耕地地力补贴发放", "反映邻里土地边界纠纷，请求调解"}
	hardshipTexts = []string{"因病致贫，申请临时救助", "独居老人行动不便，需上门办理", "家中主要劳动力残疾，申请补贴",
		"房屋年久失修，申请危房改造评估", "留守儿童学习生活困难，申请关爱帮扶", "重病住院，医疗费用负担重",
		"低保家庭，申请年度复核上门"}
)

// itemsFor picks 1–3 item ids for a request of ledger l.
func itemsFor(rng *rand.Rand, l data.Ledger, items []data.ServiceItem) []string {
	var pool []string
	for _, it := range items {
		switch l {
		case data.LedgerHardship:
			if it.Category == data.CatCivilAffairs || it.Category == data.CatMedicalAssistance || it.Category == data.CatDisability ||
				it.ID == "OT-02" || it.ID == "EE-03" || it.ID == "EE-06" {
				pool = append(pool, it.ID)
			}
		case data.LedgerAppeal:
			if it.Mode == data.ModeAdvice || it.Category == data.CatAgricultureForestry || it.Category == data.CatOther {
				pool = append(pool, it.ID)
			}
		default:
			if it.Mode != data.ModeAdvice {
				pool = append(pool, it.ID)
			}
		}
	}
	if len(pool) == 0 {
		pool = []string{items[0].ID}
	}
	n := 1 + rng.IntN(3)
	if l == data.LedgerAppeal {
		n = 1
	}
	var out []string
	for len(out) < n && len(out) < len(pool) {
		id := pool[rng.IntN(len(pool))]
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// SampleRequests generates n SAMPLE requests for the week starting at week
// (a Monday), deterministically from RequestSeed: about 70% in the seven
// remote townships, a mix of the three ledgers (60% proxy, 25% appeal, 15%
// hardship), special groups on about 60% of households, visit windows,
// priorities and deadlines 1–4 weeks after the week starts.
func SampleRequests(g *Geography, items []data.ServiceItem, week data.Date, n int) []data.Request {
	rng := rand.New(rand.NewPCG(RequestSeed, RequestSeed>>3))
	var remoteV, nearV []data.Village
	for _, v := range g.Villages {
		if remote[v.TownshipID] {
			remoteV = append(remoteV, v)
		} else {
			nearV = append(nearV, v)
		}
	}
	windows := []string{
		"mon-fri 09:00-12:00",
		"mon-fri 08:30-17:30",
		"tue,thu 14:00-17:30",
		"mon,wed,fri 08:30-11:30; sat 09:00-12:00",
		"mon-fri 14:00-17:30",
		"mon-sat 08:30-17:30",
		"wed,fri 09:00-16:00",
		"sat-sun 09:00-17:00", // weekend only: never matches a Mon–Fri team (reason hours_never_match)
		"",                    // any time
	}
	groupOdds := []struct {
		g data.Group
		p float64
	}{
		{data.GroupElderlyAlone, 0.30}, {data.GroupDisabled, 0.15}, {data.GroupSeriouslyIll, 0.10},
		{data.GroupLeftBehindChild, 0.10}, {data.GroupLowIncome, 0.20}, {data.GroupExtremePoverty, 0.05}, {data.GroupVeteran, 0.03},
	}
	out := make([]data.Request, 0, n)
	for i := range n {
		var v data.Village
		if rng.Float64() < 0.7 {
			v = remoteV[rng.IntN(len(remoteV))]
		} else {
			v = nearV[rng.IntN(len(nearV))]
		}
		ledger := data.LedgerProxy
		switch x := rng.Float64(); {
		case x < 0.15:
			ledger = data.LedgerHardship
		case x < 0.40:
			ledger = data.LedgerAppeal
		}
		r := data.Request{
			ID:     fmt.Sprintf("R-S-%04d", i+1),
			Ledger: ledger,
			Household: data.Household{
				Name:      personName(1000 + i*13 + rng.IntN(13)),
				Phone:     "1380000" + fmt.Sprintf("%04d", i+1),
				VillageID: v.ID,
				Address:   strconv.Itoa(1+rng.IntN(9)) + "组" + strconv.Itoa(1+rng.IntN(60)) + "号",
			},
			Groups:   []data.Group{},
			Source:   SampleSource,
			Priority: 2,
		}
		for _, o := range groupOdds {
			if rng.Float64() < o.p {
				r.Groups = append(r.Groups, o.g)
			}
		}
		if rng.Float64() < 0.2 { // exact home location known: within ~1 km of the village point
			ang, dist := rng.Float64()*2*math.Pi, 0.2+rng.Float64()*0.8
			p := data.Point{
				Lon: round6(v.Location.Lon + dist*math.Sin(ang)/(kmPerDegLat*math.Cos(v.Location.Lat*math.Pi/180))),
				Lat: round6(v.Location.Lat + dist*math.Cos(ang)/kmPerDegLat),
			}
			r.Household.Location = &p
		}
		r.ItemIDs = itemsFor(rng, ledger, items)
		r.Priority += len(r.Groups)
		if ledger == data.LedgerHardship {
			r.Priority++
		}
		r.Priority = min(r.Priority, 5)
		ws, _ := data.ParseWeeklyWindows(windows[rng.IntN(len(windows))])
		r.VisitWindows = ws
		if r.VisitWindows == nil {
			r.VisitWindows = []data.WeeklyWindow{}
		}
		r.Deadline = week.AddDays(4 + rng.IntN(24))
		switch ledger {
		case data.LedgerAppeal:
			r.Summary = appealTexts[rng.IntN(len(appealTexts))]
		case data.LedgerHardship:
			r.Summary = hardshipTexts[rng.IntN(len(hardshipTexts))]
		default:
			r.Summary = "代办事项（SAMPLE）"
		}
		out = append(out, r)
	}
	return out
}

// NextMonday returns the first Monday strictly after d.
func NextMonday(d data.Date) data.Date {
	days := (int(time.Monday) - int(d.Weekday()) + 7) % 7
	if days == 0 {
		days = 7
	}
	return d.AddDays(days)
}
