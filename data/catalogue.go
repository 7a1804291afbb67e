package data

import (
	"fmt"
	"unicode/utf8"
)

// Category groups service items the way the county's catalogue does.
type Category string

// Categories. The first four are the ones named in the county's delegation
// list; the others are what township desks handle day to day.
const (
	CatMedicalAssistance     Category = "medical_assistance"     // 医疗救助
	CatSocialInsurance       Category = "social_insurance"       // 社会保险
	CatEducationElderly      Category = "education_elderly"      // 教育与养老
	CatLicences              Category = "licences"               // 证照办理
	CatCivilAffairs          Category = "civil_affairs"          // 民政/社会救助
	CatAgricultureForestry   Category = "agriculture_forestry"   // 农业与林业
	CatDisability            Category = "disability"             // 残疾人服务
	CatHouseholdRegistration Category = "household_registration" // 户籍
	CatOther                 Category = "other"                  // 其他
)

// Categories lists every known category in display order.
var Categories = []Category{CatMedicalAssistance, CatSocialInsurance, CatEducationElderly, CatLicences,
	CatCivilAffairs, CatAgricultureForestry, CatDisability, CatHouseholdRegistration, CatOther}

// Valid reports whether c is a known category.
func (c Category) Valid() bool {
	for _, k := range Categories {
		if c == k {
			return true
		}
	}
	return false
}

// Mode is how an item is handled where it is requested.
type Mode string

// Handling modes.
const (
	// ModeOnTheSpot (即办): completed during the visit.
	ModeOnTheSpot Mode = "on_the_spot"
	// ModeIntakeProxy (接件代办): papers taken in and carried to the competent
	// office by an agent; the result is brought back later.
	ModeIntakeProxy Mode = "intake_proxy"
	// ModeAdvice (咨询): explanation and guidance only.
	ModeAdvice Mode = "advice"
)

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return m == ModeOnTheSpot || m == ModeIntakeProxy || m == ModeAdvice }

// ServiceItem is one entry of the service catalogue: an administrative
// approval (行政许可) or public service (公共服务) that may be delegated down
// to township or village level.
type ServiceItem struct {
	// ID is a stable id, e.g. "MA-01".
	ID string `json:"id"`
	// Name is the official item name in Chinese.
	Name string `json:"name"`
	// Category groups the item.
	Category Category `json:"category"`
	// Kind is "approval" (行政许可) or "public_service" (公共服务).
	Kind string `json:"kind"`
	// LowestLevel is the lowest level allowed to handle the item: a village
	// agent may handle only items whose LowestLevel is village.
	LowestLevel Level `json:"lowest_level"`
	// Mode is how the item is handled.
	Mode Mode `json:"mode"`
	// DurationMin is the typical service time at the household, in minutes (1–480).
	DurationMin int `json:"duration_min"`
	// Skill is the department skill the handler needs.
	Skill Skill `json:"skill"`
	// Sample is true for invented catalogue entries (the SAMPLE catalogue);
	// false for items imported from the county's official list.
	Sample bool `json:"sample"`
	// List is the service list the item is on: general (通用, the default),
	// personalised (个性化) or cross_level (跨层级).
	List ServiceList `json:"list,omitempty"`
	// HandledAt is the level that decides the item when it is above the
	// level that accepted it (a hand-off chain, 代办转办); empty: decided
	// where accepted. Required for cross_level items.
	HandledAt Level `json:"handled_at,omitempty"`
}

// Validate checks it; errors are Invalid and name the field.
func (it ServiceItem) Validate() error {
	if err := validateID("id", it.ID); err != nil {
		return err
	}
	if err := validateName("name", it.Name); err != nil {
		return err
	}
	if !it.Category.Valid() {
		return FieldError("category", "%q is not a known category %v", it.Category, Categories)
	}
	if it.Kind != "approval" && it.Kind != "public_service" {
		return FieldError("kind", "%q is not approval or public_service", it.Kind)
	}
	if !it.LowestLevel.Valid() {
		return FieldError("lowest_level", "%q is not county, township or village", it.LowestLevel)
	}
	if !it.Mode.Valid() {
		return FieldError("mode", "%q is not on_the_spot, intake_proxy or advice", it.Mode)
	}
	if it.DurationMin < 1 || it.DurationMin > 480 {
		return FieldError("duration_min", "%d is not within 1–480 minutes", it.DurationMin)
	}
	if !it.Skill.Valid() {
		return FieldError("skill", "%q is not a skill name ([a-z][a-z0-9_]*)", it.Skill)
	}
	if !it.List.Valid() {
		return FieldError("list", "%q is not general, personalised or cross_level", it.List)
	}
	if it.HandledAt != "" && !it.HandledAt.Valid() {
		return FieldError("handled_at", "%q is not county, township or village", it.HandledAt)
	}
	if it.List == ListCrossLevel && it.HandledAt == "" {
		return FieldError("handled_at", "a cross_level item needs the level that handles it")
	}
	return nil
}

// StaffRole is what a staff member does.
type StaffRole string

// Staff roles.
const (
	RoleCountyExpert StaffRole = "county_expert" // 县级部门业务骨干
	RoleDeskOfficer  StaffRole = "desk_officer"  // 乡镇便民服务中心坐班员
	RoleVillageAgent StaffRole = "village_agent" // 村代办员
	RoleGridWorker   StaffRole = "grid_worker"   // 网格员
)

// Level returns the level at which the role works.
func (r StaffRole) Level() Level {
	switch r {
	case RoleCountyExpert:
		return LevelCounty
	case RoleDeskOfficer:
		return LevelTownship
	case RoleVillageAgent, RoleGridWorker:
		return LevelVillage
	}
	return ""
}

// Staff is a person who can serve households.
type Staff struct {
	// ID is a stable id, e.g. "ST-001".
	ID string `json:"id"`
	// Name is the person's name.
	Name string `json:"name"`
	// Role is county_expert, desk_officer, village_agent or grid_worker.
	Role StaffRole `json:"role"`
	// Skills are the department skills the person may exercise (≥ 1).
	Skills []Skill `json:"skills"`
	// Department is the home department (e.g. "县医保局"); informative.
	Department string `json:"department,omitempty"`
	// HomeCode is the NBS code of the home base: the county code for county
	// experts, a township code for desk officers, a village code for agents
	// and grid workers.
	HomeCode string `json:"home_code"`
	// HomePointID optionally names the service point the person starts from.
	HomePointID string `json:"home_point_id,omitempty"`
	// Phone is a contact number (optional).
	Phone string `json:"phone,omitempty"`
	// PartyMember marks a Communist Party member (党员), who may be put on
	// the red circuit teams.
	PartyMember bool `json:"party_member"`
	// ServiceStar marks a "service star" (服务之星) distinction.
	ServiceStar bool `json:"service_star"`
	// Availability lists the weekly windows the person can work.
	Availability []WeeklyWindow `json:"availability"`
	// Leave lists date ranges the person is away (ends included) on input
	// (staff import, seed): the store records each as an absence (kind
	// leave), the one leave model the planners read, and returns staff
	// without it.
	Leave []DateRange `json:"leave,omitempty"`
	// MaxDaysPerWeek caps the days per week the person may be planned away
	// from the home base (circuits, market desks); 0 means the planner's default.
	MaxDaysPerWeek int `json:"max_days_per_week,omitempty"`
	// Sample is true for invented staff (SAMPLE data).
	Sample bool `json:"sample"`
	// Version increases by one on every write. A write that sends the
	// version it read is refused (Conflict) when someone wrote in between;
	// 0 writes unconditionally (imports, seed).
	Version int64 `json:"version"`
}

// Validate checks s; errors are Invalid and name the field.
func (s Staff) Validate() error {
	if err := validateID("id", s.ID); err != nil {
		return err
	}
	if err := validateName("name", s.Name); err != nil {
		return err
	}
	lvl := s.Role.Level()
	if lvl == "" {
		return FieldError("role", "%q is not county_expert, desk_officer, village_agent or grid_worker", s.Role)
	}
	if len(s.Skills) == 0 {
		return FieldError("skills", "at least one skill is required")
	}
	for i, k := range s.Skills {
		if !k.Valid() {
			return FieldError(fmt.Sprintf("skills[%d]", i), "%q is not a skill name", k)
		}
	}
	switch {
	case !ValidCode(s.HomeCode):
		return FieldError("home_code", "%q is not an NBS code inside 511822", s.HomeCode)
	case lvl == LevelCounty && s.HomeCode != CountyCode,
		lvl == LevelTownship && (s.HomeCode[9:] != "000" || s.HomeCode == CountyCode),
		lvl == LevelVillage && s.HomeCode[9:] == "000":
		return FieldError("home_code", "%s is not a %s code, as role %s needs", s.HomeCode, lvl, s.Role)
	}
	if s.HomePointID != "" {
		if err := validateID("home_point_id", s.HomePointID); err != nil {
			return err
		}
	}
	if utf8.RuneCountInString(s.Phone) > 30 || utf8.RuneCountInString(s.Department) > 100 {
		return FieldError("phone", "phone (≤ 30) or department (≤ 100 characters) too long")
	}
	if s.MaxDaysPerWeek < 0 || s.MaxDaysPerWeek > 7 {
		return FieldError("max_days_per_week", "%d is not within 0–7", s.MaxDaysPerWeek)
	}
	if err := validateWindows("availability", s.Availability); err != nil {
		return err
	}
	for i, l := range s.Leave {
		if err := l.validate(fmt.Sprintf("leave[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

// TravelMode is how a team moves between stops.
type TravelMode string

// Travel modes.
const (
	TravelCar       TravelMode = "car"
	TravelMotorbike TravelMode = "motorbike"
	TravelFoot      TravelMode = "foot"
)

// Valid reports whether m is a known travel mode.
func (m TravelMode) Valid() bool { return m == TravelCar || m == TravelMotorbike || m == TravelFoot }

// Team is a group of staff that travels together: a county red circuit team
// (红色代办/巡回服务队), a township circuit team, or a one-person village agent.
type Team struct {
	// ID is a stable id, e.g. "T-CTY-1", "T-511822101000", "T-AG-511822101201".
	ID string `json:"id"`
	// Name is a display name.
	Name string `json:"name"`
	// Level is county, township or village; it bounds which items the team may handle.
	Level Level `json:"level"`
	// HomeCode is the NBS code of the team's base (county, township or village).
	HomeCode string `json:"home_code"`
	// HomePointID is the service point where the team's day starts and ends.
	HomePointID string `json:"home_point_id"`
	// MemberIDs are the staff on the team (≥ 1).
	MemberIDs []string `json:"member_ids"`
	// TravelMode is car, motorbike or foot.
	TravelMode TravelMode `json:"travel_mode"`
	// DayStart and DayEnd bound the working day, minutes after local midnight.
	DayStart int `json:"day_start"`
	DayEnd   int `json:"day_end"`
	// LunchStart and LunchEnd bound the lunch break, minutes after local
	// midnight; both 0 means no fixed break.
	LunchStart int `json:"lunch_start"`
	LunchEnd   int `json:"lunch_end"`
	// Red marks a party-member red circuit team (红色巡回服务队).
	Red bool `json:"red"`
	// Seats is how many experts the team's vehicle carries besides its
	// driver; 0 means as many as the team has members. County teams are
	// cars whose crews the circuit planner forms each day from the county
	// experts' pool (docs/circuit.md, "Crews"): a crew never exceeds it.
	Seats int `json:"seats,omitempty"`
	// Sample is true for invented teams (SAMPLE data).
	Sample bool `json:"sample"`
	// Version increases by one on every write; see Staff.Version.
	Version int64 `json:"version"`
}

// MaxSeats bounds Team.Seats (a county minibus at most).
const MaxSeats = 30

// SeatCount is the number of experts t's vehicle carries: Seats, or the
// number of members when Seats is 0.
func (t Team) SeatCount() int {
	if t.Seats > 0 {
		return t.Seats
	}
	return len(t.MemberIDs)
}

// Validate checks t (not that members exist); errors are Invalid.
func (t Team) Validate() error {
	if err := validateID("id", t.ID); err != nil {
		return err
	}
	if err := validateName("name", t.Name); err != nil {
		return err
	}
	if !t.Level.Valid() {
		return FieldError("level", "%q is not county, township or village", t.Level)
	}
	if !ValidCode(t.HomeCode) {
		return FieldError("home_code", "%q is not an NBS code inside 511822", t.HomeCode)
	}
	if err := validateID("home_point_id", t.HomePointID); err != nil {
		return err
	}
	if len(t.MemberIDs) == 0 {
		return FieldError("member_ids", "a team needs at least one member")
	}
	seen := map[string]bool{}
	for i, m := range t.MemberIDs {
		if err := validateID(fmt.Sprintf("member_ids[%d]", i), m); err != nil {
			return err
		}
		if seen[m] {
			return FieldError(fmt.Sprintf("member_ids[%d]", i), "%s listed twice", m)
		}
		seen[m] = true
	}
	if !t.TravelMode.Valid() {
		return FieldError("travel_mode", "%q is not car, motorbike or foot", t.TravelMode)
	}
	if t.Seats < 0 || t.Seats > MaxSeats {
		return FieldError("seats", "%d is not within 0–%d (0 = as many as members)", t.Seats, MaxSeats)
	}
	if t.DayStart < 0 || t.DayEnd > MinutesPerDay || t.DayEnd <= t.DayStart {
		return FieldError("day_end", "working day %d–%d is not within 0–1440 with start < end", t.DayStart, t.DayEnd)
	}
	if t.LunchStart != 0 || t.LunchEnd != 0 {
		if t.LunchStart < t.DayStart || t.LunchEnd > t.DayEnd || t.LunchEnd <= t.LunchStart {
			return FieldError("lunch_end", "lunch %d–%d is not inside the working day %d–%d", t.LunchStart, t.LunchEnd, t.DayStart, t.DayEnd)
		}
	}
	return nil
}
