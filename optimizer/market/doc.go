// Package market plans the county's convenience market days (便民赶集日):
// which staff sit at which township's market-day service desk over a
// horizon, so that every booked item (订单式) meets a person with the skill,
// every township gets desks at its target frequency, nobody is in two places
// a day or over their days per week, travel from each person's base stays
// low and the work is shared fairly.
//
// Layers, in the order data flows:
//
//   - Problem (problem.go): an immutable model in dense indices and integer
//     units (minutes), validated once by Prepare. The township's market days
//     come from scheduler/calendar; travel times from geo.
//   - Solve (solve.go): a min-cost flow construction that is exact for
//     booking coverage under "one requirement per person-day" (flow.go),
//     greedy frequency and desk-size fills, then a late-acceptance local
//     search over add/drop/replace/move/swap moves with O(1)-ish deltas.
//   - Check (check.go): an exact feasibility and cost check, written
//     independently of the solver; every returned Solution passes it.
//   - Service (service.go): bookings, walk-in demand, asynchronous plan runs,
//     coordinator adjustments (locks, swaps, added or cancelled market days)
//     with a change log and conflict reports, publication, and the views,
//     iCalendar feeds and posters the API serves.
//
// docs/market.md explains the method and why it was chosen.
package market
