package market

import (
	"context"
	"fmt"
	"math"

	"github.com/yingjing/xunhui/data"
)

// DemandWindowDays is how far back EstimateDemand looks.
const DemandWindowDays = 90

// Demand is the expected walk-in demand of one township and item category
// on one market day.
type Demand struct {
	TownshipID string        `json:"township_id"`
	Category   data.Category `json:"category"`
	// PastBookings counts the bookings (served or not) on the township's
	// market days in the window; ServedRequests the ledger requests of the
	// township marked done in the window (by their last update).
	PastBookings   int `json:"past_bookings"`
	ServedRequests int `json:"served_requests"`
	// MarketDays is the number of the township's market days in the window.
	MarketDays int `json:"market_days"`
	// PerMarketDay = (PastBookings + ServedRequests) / MarketDays: expected
	// walk-ins per market day.
	PerMarketDay float64 `json:"per_market_day"`
	// Minutes = PerMarketDay × the category's mean item duration.
	Minutes float64 `json:"minutes"`
}

// EstimateDemand estimates walk-in demand per township and category for a
// market day after asOf. The estimate is deliberately simple and explained:
// over the DemandWindowDays days before asOf, every booked item and every
// ledger request served in the township is taken as one unit of demand of
// its item's category, and walk-ins are assumed to arrive at the same rate
// per market day: (past bookings + served requests) / market days in the
// window. A township without market days in the window gets zero. Only
// categories with demand are listed; tid == "" means every township.
func (s *Service) EstimateDemand(ctx context.Context, tid string, asOf data.Date) ([]Demand, error) {
	from, to := asOf.AddDays(-DemandWindowDays), asOf.AddDays(-1)
	items, err := s.store.ListServiceItems(ctx)
	if err != nil {
		return nil, fmt.Errorf("items: %w", err)
	}
	cat := map[string]data.Category{}
	sumMin, nItems := map[data.Category]int{}, map[data.Category]int{}
	for _, it := range items {
		cat[it.ID] = it.Category
		sumMin[it.Category] += it.DurationMin
		nItems[it.Category]++
	}
	towns, err := s.store.ListTownships(ctx)
	if err != nil {
		return nil, fmt.Errorf("townships: %w", err)
	}
	out := []Demand{}
	for _, tw := range towns {
		if tid != "" && tw.ID != tid {
			continue
		}
		days, err := s.MarketDays(ctx, tw.ID, from, to)
		if err != nil {
			return nil, fmt.Errorf("market days of %s: %w", tw.ID, err)
		}
		booked, served := map[data.Category]int{}, map[data.Category]int{}
		bs, err := allBookings(ctx, s.cfg.Bookings, data.BookingFilter{TownshipID: tw.ID, From: from, To: to})
		if err != nil {
			return nil, fmt.Errorf("bookings: %w", err)
		}
		for _, b := range bs {
			if b.Status != data.BookingCancelled {
				booked[cat[b.ItemID]]++
			}
		}
		for off := 0; ; off += data.MaxLimit {
			rs, total, err := s.store.ListRequests(ctx, data.RequestFilter{TownshipID: tw.ID, Statuses: []data.Status{data.StatusDone}, Limit: data.MaxLimit, Offset: off})
			if err != nil {
				return nil, fmt.Errorf("requests: %w", err)
			}
			for _, r := range rs {
				if d := data.DateOf(r.UpdatedAt); d < from || d > to {
					continue
				}
				for _, id := range r.ItemIDs {
					served[cat[id]]++
				}
			}
			if off+len(rs) >= total || len(rs) == 0 {
				break
			}
		}
		for _, c := range data.Categories {
			n := booked[c] + served[c]
			if n == 0 {
				continue
			}
			d := Demand{TownshipID: tw.ID, Category: c, PastBookings: booked[c], ServedRequests: served[c], MarketDays: len(days)}
			if len(days) > 0 {
				d.PerMarketDay = float64(n) / float64(len(days))
				if nItems[c] > 0 {
					d.Minutes = d.PerMarketDay * float64(sumMin[c]) / float64(nItems[c])
				}
			}
			out = append(out, d)
		}
	}
	return out, nil
}

// walkInMinutes sums EstimateDemand's minutes per township, rounded up.
func (s *Service) walkInMinutes(ctx context.Context, asOf data.Date) (map[string]int, error) {
	ds, err := s.EstimateDemand(ctx, "", asOf)
	if err != nil {
		return nil, err
	}
	sum := map[string]float64{}
	for _, d := range ds {
		sum[d.TownshipID] += d.Minutes
	}
	out := map[string]int{}
	for k, v := range sum {
		out[k] = int(math.Ceil(v))
	}
	return out, nil
}
