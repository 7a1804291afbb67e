package data

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Local is the county's civil time zone, China Standard Time (UTC+8, no
// daylight saving). Dates, weekdays and minutes-of-day in records are all
// in this zone. A fixed zone avoids depending on the tz database at run time.
var Local = time.FixedZone("CST", 8*3600)

// Date is a civil date in Local, formatted YYYY-MM-DD. The zero value ""
// means "no date". Dates compare correctly as strings.
type Date string

// DateOf returns the civil date of t in Local.
func DateOf(t time.Time) Date { return Date(t.In(Local).Format(time.DateOnly)) }

// Today returns the current civil date in Local.
func Today() Date { return DateOf(time.Now()) }

// ParseDate parses s as YYYY-MM-DD; the error is Invalid.
func ParseDate(s string) (Date, error) {
	if _, err := time.ParseInLocation(time.DateOnly, s, Local); err != nil {
		return "", Errorf(Invalid, "date %q is not YYYY-MM-DD", s)
	}
	return Date(s), nil
}

// Valid reports whether d is a well-formed date (the zero Date is not).
func (d Date) Valid() bool {
	_, err := time.ParseInLocation(time.DateOnly, string(d), Local)
	return err == nil && len(d) == 10
}

// Time returns midnight of d in Local; the zero time if d is not valid.
func (d Date) Time() time.Time {
	t, err := time.ParseInLocation(time.DateOnly, string(d), Local)
	if err != nil {
		return time.Time{}
	}
	return t
}

// AddDays returns d shifted by n days (n may be negative).
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// Weekday returns the day of the week of d (time.Sunday = 0).
func (d Date) Weekday() time.Weekday { return d.Time().Weekday() }

// DateRange is an inclusive range of civil dates, e.g. a leave from From to
// To, both days included.
type DateRange struct {
	From Date `json:"from"`
	To   Date `json:"to"`
}

// Contains reports whether d lies within r, ends included.
func (r DateRange) Contains(d Date) bool { return r.From <= d && d <= r.To }

func (r DateRange) validate(field string) error {
	if !r.From.Valid() {
		return FieldError(field+".from", "%q is not a date YYYY-MM-DD", r.From)
	}
	if !r.To.Valid() {
		return FieldError(field+".to", "%q is not a date YYYY-MM-DD", r.To)
	}
	if r.To < r.From {
		return FieldError(field+".to", "ends (%s) before it starts (%s)", r.To, r.From)
	}
	return nil
}

// MinutesPerDay is the number of minutes in a civil day; minute-of-day
// values lie in [0, MinutesPerDay].
const MinutesPerDay = 24 * 60

// Clock formats a minute of day (minutes after local midnight) as "HH:MM".
func Clock(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// ParseClock parses "HH:MM" (or "H:MM") into minutes after midnight; 24:00
// is allowed as the end of a day. The error is Invalid.
func ParseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh*60+mm > MinutesPerDay || len(m) != 2 {
		return 0, Errorf(Invalid, "time %q is not HH:MM", s)
	}
	return hh*60 + mm, nil
}

// WeeklyWindow is a recurring time window: on Weekday, from minute From to
// minute To after local midnight (From < To; To ≤ 1440). It describes staff
// working hours and the hours at which a household can receive a visit.
type WeeklyWindow struct {
	// Weekday is the day of the week, Go numbering: 0 = Sunday … 6 = Saturday.
	Weekday time.Weekday `json:"weekday"`
	// From is the opening minute of the day (0–1439).
	From int `json:"from"`
	// To is the closing minute of the day (From+1 – 1440).
	To int `json:"to"`
}

func (w WeeklyWindow) validate(field string) error {
	if w.Weekday < time.Sunday || w.Weekday > time.Saturday {
		return FieldError(field+".weekday", "%d is not a weekday 0 (Sunday) – 6 (Saturday)", w.Weekday)
	}
	if w.From < 0 || w.From >= MinutesPerDay {
		return FieldError(field+".from", "%d is not a minute of the day 0–1439", w.From)
	}
	if w.To <= w.From || w.To > MinutesPerDay {
		return FieldError(field+".to", "%d must be after from (%d) and at most 1440", w.To, w.From)
	}
	return nil
}

func validateWindows(field string, ws []WeeklyWindow) error {
	for i, w := range ws {
		if err := w.validate(fmt.Sprintf("%s[%d]", field, i)); err != nil {
			return err
		}
	}
	return nil
}

// WorkingWeek returns Monday–Friday windows from minute from to minute to,
// a convenient default for office hours.
func WorkingWeek(from, to int) []WeeklyWindow {
	ws := make([]WeeklyWindow, 0, 5)
	for d := time.Monday; d <= time.Friday; d++ {
		ws = append(ws, WeeklyWindow{Weekday: d, From: from, To: to})
	}
	return ws
}

// Point is a WGS84 location in decimal degrees (longitude east, latitude
// north), the CRS used everywhere inside Xunhui. Points from Chinese web maps
// (GCJ-02) must be converted before they are stored.
type Point struct {
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
}

// County bounding box with a margin (degrees, WGS84). Points outside it are
// rejected as typos or as a forgotten CRS conversion. Yingjing lies roughly
// at 102.4–103.1 E, 29.4–30.1 N.
const (
	minLon, maxLon = 102.0, 103.5
	minLat, maxLat = 29.0, 30.5
)

func (p Point) validate(field string) error {
	if math.IsNaN(p.Lon) || math.IsNaN(p.Lat) || p.Lon < minLon || p.Lon > maxLon || p.Lat < minLat || p.Lat > maxLat {
		return FieldError(field, "(%.6f, %.6f) is outside Yingjing County (lon %.1f–%.1f, lat %.1f–%.1f, WGS84)", p.Lon, p.Lat, minLon, maxLon, minLat, maxLat)
	}
	return nil
}

// Provenance says where a location comes from, so that planners and users
// know how far to trust it.
type Provenance string

// Provenances, from most to least trustworthy.
const (
	// Surveyed: measured on site or supplied by the county (xunhui import villages).
	Surveyed Provenance = "surveyed"
	// Public2016Point: a public 2016 map point (Amap, GCJ-02 converted to
	// WGS84) of the same-named or predecessor unit; may be off by kilometres.
	Public2016Point Provenance = "public-2016-point"
	// Estimated: placed by the documented deterministic method in data/seed.
	Estimated Provenance = "estimated"
)

// Valid reports whether p is one of the known provenances.
func (p Provenance) Valid() bool {
	return p == Surveyed || p == Public2016Point || p == Estimated
}

// Level is an administrative level, ordered county < township < village.
// For service items it is the lowest level allowed to handle the item.
type Level string

// Levels.
const (
	LevelCounty   Level = "county"
	LevelTownship Level = "township"
	LevelVillage  Level = "village"
)

// Rank returns 0 for county, 1 for township, 2 for village and -1 otherwise,
// so that "team level may handle item" is rank(team) <= rank(item lowest level).
func (l Level) Rank() int {
	switch l {
	case LevelCounty:
		return 0
	case LevelTownship:
		return 1
	case LevelVillage:
		return 2
	}
	return -1
}

// Valid reports whether l is a known level.
func (l Level) Valid() bool { return l.Rank() >= 0 }

// CanHandle reports whether staff or a team at level l may handle an item
// whose lowest handling level is item: higher levels can do everything lower
// levels can.
func (l Level) CanHandle(item Level) bool {
	return l.Valid() && item.Valid() && l.Rank() <= item.Rank()
}

// Skill is a department skill (the line department whose competence an item
// needs), a lower-case snake_case word such as "civil_affairs".
type Skill string

// Department skills used by the county; others matching [a-z][a-z0-9_]* are
// accepted.
const (
	SkillCivilAffairs        Skill = "civil_affairs"        // 民政: assistance, elderly, subsistence allowance
	SkillMedicalSecurity     Skill = "medical_security"     // 医保: medical insurance and assistance
	SkillSocialSecurity      Skill = "social_security"      // 人社: pensions, employment, social insurance
	SkillEducation           Skill = "education"            // 教育: student aid, enrolment
	SkillHealth              Skill = "health"               // 卫健: family doctors, health certificates
	SkillPublicSecurity      Skill = "public_security"      // 公安: household registration, ID cards
	SkillAgriculture         Skill = "agriculture"          // 农业农村: subsidies, land contracts
	SkillForestry            Skill = "forestry"             // 林业: logging permits, forest rights
	SkillDisability          Skill = "disability"           // 残联: disability cards and aid
	SkillNaturalResources    Skill = "natural_resources"    // 自然资源: rural housing land
	SkillHousingConstruction Skill = "housing_construction" // 住建: dangerous-house renovation
	SkillVeteransAffairs     Skill = "veterans_affairs"     // 退役军人事务
	SkillGeneral             Skill = "general"              // 综合: any trained desk officer or agent
)

var skillRE = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// Valid reports whether s is a well-formed skill name.
func (s Skill) Valid() bool { return skillRE.MatchString(string(s)) }

var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$`)

// ValidID reports whether id is a well-formed record id: 1–64 characters of
// letters, digits, '.', '_', ':' and '-', not starting with punctuation.
func ValidID(id string) bool { return idRE.MatchString(id) }

func validateID(field, id string) error {
	if !ValidID(id) {
		return FieldError(field, "%q is not a valid id (1–64 of A-Z a-z 0-9 . _ : -)", id)
	}
	return nil
}
