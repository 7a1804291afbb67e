package market

import (
	"errors"
	"fmt"
	"slices"

	"github.com/yingjing/xunhui/data"
)

// Check verifies sol against p from first principles, sharing no code with
// the search: desks only on market days, people only on days they work,
// one place a day, at most their days per ISO week, desks no larger than
// MaxStaff, locks kept (except for reported conflicts), the uncovered list
// exactly the bookings no present person can handle, and every cost term
// recomputed. It returns all violations joined, or nil. p must be prepared.
func Check(p *Problem, sol *Solution) error {
	if p.prep == nil {
		return errors.New("check: problem not prepared")
	}
	opt := p.Options.withDefaults()
	slots := p.Slots()
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(sol.Desks) != len(slots) {
		return fmt.Errorf("check: %d desks for %d slots", len(sol.Desks), len(slots))
	}
	type key struct{ a, b int }
	type wkey struct{ staff, year, week int }
	place := map[key]int{}
	perWeek := map[wkey]int{}
	days := make([]int64, len(p.Staff))
	var c Cost
	for i, desk := range sol.Desks {
		sl := slots[i]
		tw := p.Townships[sl.Township]
		if !slices.Contains(tw.MarketDays, sl.Day) {
			bad("desk %s %s: not a market day", tw.ID, p.Days[sl.Day])
		}
		if len(desk) > opt.MaxStaff {
			bad("desk %s %s: %d people, max %d", tw.ID, p.Days[sl.Day], len(desk), opt.MaxStaff)
		}
		for _, x := range desk {
			if x < 0 || x >= len(p.Staff) {
				bad("desk %s %s: staff index %d out of range", tw.ID, p.Days[sl.Day], x)
				continue
			}
			st := p.Staff[x]
			if !st.Available[sl.Day] {
				bad("%s works at %s on %s, a day off or leave", st.ID, tw.ID, p.Days[sl.Day])
			}
			if o, dup := place[key{x, sl.Day}]; dup {
				bad("%s is in two places on %s: %s and %s", st.ID, p.Days[sl.Day], p.Townships[slots[o].Township].ID, tw.ID)
			}
			place[key{x, sl.Day}] = i
			y, w := p.Days[sl.Day].Time().ISOWeek()
			perWeek[wkey{x, y, w}]++
			days[x]++
			c.TravelMin += 2 * int64(st.TravelMin[sl.Township])
		}
	}
	for k, n := range perWeek {
		limit := p.Staff[k.staff].MaxDaysPerWeek
		if limit <= 0 {
			limit = opt.MaxDaysPerWeek
		}
		if n > limit {
			bad("%s has %d market days in week %d-W%02d, max %d", p.Staff[k.staff].ID, n, k.year, k.week, limit)
		}
	}
	// Locks: the desk holds exactly the locked people, minus conflicts.
	type deskDay struct {
		staff    string
		date     data.Date
		township string
	}
	conflicted := map[deskDay]bool{}
	for _, cf := range sol.Conflicts {
		conflicted[deskDay{cf.StaffID, cf.Date, cf.TownshipID}] = true
	}
	slotIdx := map[key]int{}
	for i, sl := range slots {
		slotIdx[key{sl.Township, sl.Day}] = i
	}
	want := map[int][]int{}
	for _, l := range p.Locks {
		i := slotIdx[key{l.Township, l.Day}]
		if _, ok := want[i]; !ok {
			want[i] = []int{}
		}
		for _, x := range l.Staff {
			if !conflicted[deskDay{p.Staff[x].ID, p.Days[l.Day], p.Townships[l.Township].ID}] && !slices.Contains(want[i], x) {
				want[i] = append(want[i], x)
			}
		}
	}
	for i, w := range want {
		got := slices.Sorted(slices.Values(sol.Desks[i]))
		slices.Sort(w)
		if !slices.Equal(got, w) {
			bad("locked desk %s %s: staff %v, locked %v", p.Townships[slots[i].Township].ID, p.Days[slots[i].Day], got, w)
		}
	}
	// Coverage, from skills and levels.
	handles := func(x int, b Booking) bool {
		st := p.Staff[x]
		return st.Level.CanHandle(b.Level) && slices.Contains(st.Skills, b.Skill)
	}
	reported := map[int]bool{}
	for _, u := range sol.Uncovered {
		if reported[u.Booking] {
			bad("booking %d reported uncovered twice", u.Booking)
		}
		reported[u.Booking] = true
	}
	minutes := make([]int, len(slots))
	booked := make([]bool, len(slots))
	for b, bk := range p.Bookings {
		i, ok := slotIdx[key{bk.Township, bk.Day}]
		covered := false
		if ok {
			minutes[i] += bk.Minutes
			booked[i] = true
			for _, x := range sol.Desks[i] {
				if handles(x, bk) {
					covered = true
					break
				}
			}
			if !covered {
				c.Uncovered++
			}
		}
		if covered == reported[b] {
			bad("booking %s: covered=%v but reported uncovered=%v", bk.ID, covered, reported[b])
		}
	}
	// Weekly targets and desk sizes.
	type tweek struct{ t, year, week int }
	marketDays, heldDays := map[tweek]int{}, map[tweek]int{}
	for i, sl := range slots {
		y, w := p.Days[sl.Day].Time().ISOWeek()
		k := tweek{sl.Township, y, w}
		marketDays[k]++
		if len(sol.Desks[i]) > 0 {
			heldDays[k]++
		}
		n := len(sol.Desks[i])
		if n > 0 || booked[i] {
			per := max(1, opt.DeskEnd-opt.DeskStart)
			m := minutes[i] + p.Townships[sl.Township].WalkInMinutes
			size := max(opt.MinStaff, min(opt.MaxStaff, (m+per-1)/per))
			c.Shortfall += int64(max(0, size-n))
		}
	}
	for k, n := range marketDays {
		per := p.Townships[k.t].TargetPerWeek
		if per <= 0 {
			per = opt.TargetPerWeek
		}
		c.Missed += int64(max(0, min(per, n)-heldDays[k]))
	}
	prev := map[key]bool{}
	for _, a := range p.Previous {
		if i, ok := slotIdx[key{a.Township, a.Day}]; ok {
			prev[key{a.Staff, i}] = true
		}
	}
	now := map[key]bool{}
	for i, desk := range sol.Desks {
		for _, x := range desk {
			now[key{x, i}] = true
			if !prev[key{x, i}] {
				c.Changes++
			}
		}
	}
	for k := range prev {
		if !now[k] {
			c.Changes++
		}
	}
	for _, d := range days {
		c.FairnessSq += d * d
	}
	c.Total = costTotal(&c, opt.Weights)
	if c != sol.Cost {
		bad("cost: recomputed %+v, reported %+v", c, sol.Cost)
	}
	return errors.Join(errs...)
}
