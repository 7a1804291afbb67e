package circuit

import (
	"testing"

	"github.com/yingjing/xunhui/data"
)

// TestExpertHours: a county day with two members (S-C covers disability
// and general; S-X forestry): a disability visit needs one of them, a
// visit with a disability and a forestry item needs both.
func TestExpertHours(t *testing.T) {
	s := smallCounty()
	s.Staff["S-X"] = data.Staff{ID: "S-X", Role: data.RoleCountyExpert, HomeCode: data.CountyCode, Skills: []data.Skill{data.SkillForestry}}
	s.Requests = []data.Request{req("R1", v1, "IC"), req("R2", v2, "IC", "IX")}
	d := data.PlanDetail{Itineraries: []data.Itinerary{{TeamID: "T-CTY", Date: monday, StaffIDs: []string{"S-C", "S-X"}, ReturnSeconds: 600,
		Stops: []data.Stop{
			{Seq: 1, RequestIDs: []string{"R1"}, Arrival: 540, Start: 540, Depart: 570, TravelSeconds: 600},
			{Seq: 2, RequestIDs: []string{"R2"}, Arrival: 580, Start: 580, Depart: 630, TravelSeconds: 600},
		}}}}
	got := ExpertHours(s, d)
	want := ExpertUse{Visits: 2, OverStaffed: 1, DayMinutes: (640 - 530) * 2, OnSiteMinutes: (30 + 50) * 2, NeededMinutes: 30 + 50*2}
	if got != want {
		t.Fatalf("ExpertHours = %+v, want %+v", got, want)
	}
}
