package data

import (
	"regexp"
	"unicode/utf8"
)

// CountyCode is the 12-digit NBS statistical code of Yingjing County.
const CountyCode = "511822000000"

var codeRE = regexp.MustCompile(`^511822\d{6}$`)

// ValidCode reports whether code is a 12-digit NBS code inside Yingjing
// County (prefix 511822).
func ValidCode(code string) bool { return codeRE.MatchString(code) }

// Township is a township-level unit (乡/镇/街道). Its ID is the 12-digit NBS
// 2021 code, e.g. "511822101000" (花滩镇).
type Township struct {
	// ID is the NBS 2021 code (12 digits, ending in 000).
	ID string `json:"id"`
	// Name is the official NBS name, e.g. "民建彝族乡".
	Name string `json:"name"`
	// Type is 街道, 镇 or 乡.
	Type string `json:"type"`
	// Predecessor2016 describes the 2016 unit whose map point is used for
	// this township, e.g. "511822209000 三合乡"; empty if unchanged.
	Predecessor2016 string `json:"predecessor_2016,omitempty"`
}

// Validate checks t; errors are Invalid and name the field.
func (t Township) Validate() error {
	if !ValidCode(t.ID) || t.ID[9:] != "000" || t.ID == CountyCode {
		return FieldError("id", "%q is not a township code 511822xxx000", t.ID)
	}
	if err := validateName("name", t.Name); err != nil {
		return err
	}
	switch t.Type {
	case "街道", "镇", "乡":
	default:
		return FieldError("type", "%q is not 街道, 镇 or 乡", t.Type)
	}
	return nil
}

// VillageKind distinguishes villages (村委会) from urban communities (社区/居委会).
type VillageKind string

// Village kinds.
const (
	KindVillage   VillageKind = "village"
	KindCommunity VillageKind = "community"
)

// Village is a village-level unit (村/社区). Its ID is the 12-digit NBS 2021
// code; its township is the unit whose code shares the first 9 digits.
type Village struct {
	// ID is the NBS 2021 code, e.g. "511822103205".
	ID string `json:"id"`
	// TownshipID is the code of the parent township.
	TownshipID string `json:"township_id"`
	// Name is the official NBS name, e.g. "新建村村委会".
	Name string `json:"name"`
	// ShortName is the everyday name, e.g. "新建村".
	ShortName string `json:"short_name"`
	// Kind is village or community.
	Kind VillageKind `json:"kind"`
	// Location is the village's service room (or its best estimate), WGS84.
	Location Point `json:"location"`
	// Provenance says how Location was obtained.
	Provenance Provenance `json:"provenance"`
}

// Validate checks v; errors are Invalid and name the field.
func (v Village) Validate() error {
	if !ValidCode(v.ID) || v.ID[9:] == "000" {
		return FieldError("id", "%q is not a village code 511822xxxyyy", v.ID)
	}
	if v.TownshipID != v.ID[:9]+"000" {
		return FieldError("township_id", "%q is not the parent of village %s (want %s)", v.TownshipID, v.ID, v.ID[:9]+"000")
	}
	if err := validateName("name", v.Name); err != nil {
		return err
	}
	if err := validateName("short_name", v.ShortName); err != nil {
		return err
	}
	if v.Kind != KindVillage && v.Kind != KindCommunity {
		return FieldError("kind", "%q is not village or community", v.Kind)
	}
	if err := v.Location.validate("location"); err != nil {
		return err
	}
	if !v.Provenance.Valid() {
		return FieldError("provenance", "%q is not surveyed, public-2016-point or estimated", v.Provenance)
	}
	return nil
}

// TownshipOf returns the township code of a village or township code, or ""
// when code is not a county code.
func TownshipOf(code string) string {
	if !ValidCode(code) || code == CountyCode {
		return ""
	}
	return code[:9] + "000"
}

// VillageLocation is one row of a coordinate import: a surveyed (or
// otherwise better) WGS84 point for an existing village.
type VillageLocation struct {
	VillageID  string     `json:"village_id"`
	Location   Point      `json:"location"`
	Provenance Provenance `json:"provenance"`
}

// Validate checks l (not that the village exists); errors are Invalid.
func (l VillageLocation) Validate() error {
	if !ValidCode(l.VillageID) || l.VillageID[9:] == "000" {
		return FieldError("code", "%q is not a village code 511822xxxyyy", l.VillageID)
	}
	if err := l.Location.validate("lon/lat"); err != nil {
		return err
	}
	if !l.Provenance.Valid() {
		return FieldError("provenance", "%q is not surveyed, public-2016-point or estimated", l.Provenance)
	}
	return nil
}

// Circle is one of the three service circles a service point belongs to.
type Circle string

// The three circles: the county government-service centre, the township
// convenience-service centres (便民服务中心) and the village service rooms
// (便民服务室/代办点).
const (
	CircleCounty   Circle = "county"
	CircleTownship Circle = "township"
	CircleVillage  Circle = "village"
)

// ServicePoint is a place where services are delivered: the county centre,
// a township centre or a village room. Teams start and end their circuits at
// service points; market desks stand at township points.
type ServicePoint struct {
	// ID is a stable id, by convention "sp-" + the unit's NBS code.
	ID string `json:"id"`
	// Circle is county, township or village.
	Circle Circle `json:"circle"`
	// Code is the NBS code of the unit served (county, township or village).
	Code string `json:"code"`
	// Name is a display name, e.g. "花滩镇便民服务中心".
	Name string `json:"name"`
	// Location is WGS84.
	Location Point `json:"location"`
	// Provenance says how Location was obtained.
	Provenance Provenance `json:"provenance"`
}

// Validate checks p; errors are Invalid and name the field.
func (p ServicePoint) Validate() error {
	if err := validateID("id", p.ID); err != nil {
		return err
	}
	if !ValidCode(p.Code) {
		return FieldError("code", "%q is not an NBS code inside 511822", p.Code)
	}
	isTownship := p.Code[9:] == "000" && p.Code != CountyCode
	switch {
	case p.Circle == CircleCounty && p.Code == CountyCode:
	case p.Circle == CircleTownship && isTownship:
	case p.Circle == CircleVillage && p.Code[9:] != "000":
	default:
		return FieldError("circle", "%q does not match code %s", p.Circle, p.Code)
	}
	if err := validateName("name", p.Name); err != nil {
		return err
	}
	if err := p.Location.validate("location"); err != nil {
		return err
	}
	if !p.Provenance.Valid() {
		return FieldError("provenance", "%q is not surveyed, public-2016-point or estimated", p.Provenance)
	}
	return nil
}

func validateName(field, s string) error {
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return FieldError(field, "is required")
	}
	if n > 100 || !utf8.ValidString(s) {
		return FieldError(field, "must be valid UTF-8 of at most 100 characters")
	}
	return nil
}
