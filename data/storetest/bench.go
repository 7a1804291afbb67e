package storetest

import (
	"context"
	"testing"

	"github.com/yingjing/xunhui/data"
	"github.com/yingjing/xunhui/data/seed"
)

// Bench runs the store benchmarks on s, which it seeds with the county and
// 300 SAMPLE requests first (the setup is not timed).
func Bench(b *testing.B, s data.Store) {
	ctx := context.Background()
	if _, err := seed.Load(ctx, s, seed.Options{Requests: 300}); err != nil {
		b.Fatal(err)
	}
	page, _, err := s.ListRequests(ctx, data.RequestFilter{Limit: 1})
	if err != nil || len(page) == 0 {
		b.Fatalf("no seeded requests: %v", err)
	}
	id := page[0].ID
	b.Run("ListRequests/township-page100", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := s.ListRequests(ctx, data.RequestFilter{TownshipID: "511822103000", Limit: 100}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ListRequests/all300", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := s.ListRequests(ctx, data.RequestFilter{Limit: 1000}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GetRequest", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.GetRequest(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("UpdateRequest", func(b *testing.B) {
		r, _ := s.GetRequest(ctx, id)
		for b.Loop() {
			if err := s.UpdateRequest(ctx, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
