package scheduler

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data/postgres/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func shanghai(t *testing.T, y int, m time.Month, d, h, min int) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(y, m, d, h, min, 0, 0, loc)
}

// counter is a job body that counts its runs.
type counter struct {
	n atomic.Int32
}

func (c *counter) fn(context.Context) (Result, error) {
	c.n.Add(1)
	return Result{Summary: "counted", Output: map[string]any{"n": 1}}, nil
}

func newTestScheduler(t *testing.T, o Options, jobs ...Job) *Scheduler {
	t.Helper()
	o.Logger = quiet
	if o.Clock == nil {
		o.Clock = FixedClock{time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)}
	}
	s := New(o)
	for _, j := range jobs {
		if err := s.Register(j); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestParseSpec(t *testing.T) {
	tests := []struct {
		spec, tz, field string
	}{
		{"0 16 * * fri", "", ""},
		{"0 0 16 * * 5", "Asia/Shanghai", ""},
		{"@monthly", "UTC", ""},
		{"", "", "spec"},
		{"0 16 * *", "", "spec"},
		{"61 * * * *", "", "spec"},
		{"0 0 30 2 *", "", "spec"},
		{"@every 1h", "", "spec"},
		{"TZ=UTC 0 16 * * 5", "", ""},
		{"CRON_TZ=Asia/Shanghai 0 16 * * 5", "Asia/Shanghai", ""},
		{"CRON_TZ=UTC 0 16 * * 5", "Asia/Shanghai", "time_zone"},
		{"CRON_TZ=UTC CRON_TZ=UTC 0 16 * * 5", "", "spec"},
		{"CRON_TZ=Nowhere/Atall 0 16 * * 5", "", "time_zone"},
		{"CRON_TZ=", "", "spec"},
		{"TZ= 0 16 * * 5", "", "spec"},
		{"0 16 * * 5", "Mars/Olympus", "time_zone"},
		{"0 16 * * 5", "Local", "time_zone"},
	}
	for _, tt := range tests {
		t.Run(tt.spec+"|"+tt.tz, func(t *testing.T) {
			_, err := ParseSpec(tt.spec, tt.tz)
			if tt.field == "" {
				if err != nil {
					t.Errorf("ParseSpec(%q, %q) = %v, want ok", tt.spec, tt.tz, err)
				}
				return
			}
			fe, ok := AsFieldError(err)
			if !ok || fe.Field != tt.field {
				t.Errorf("ParseSpec(%q, %q) = %v, want a FieldError on %s", tt.spec, tt.tz, err, tt.field)
			}
		})
	}
}

func TestPrevSlot(t *testing.T) {
	sched, err := ParseSpec("0 16 * * fri", "Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		now, want time.Time
	}{
		{shanghai(t, 2026, 11, 28, 9, 0), shanghai(t, 2026, 11, 27, 16, 0)},
		{shanghai(t, 2026, 11, 27, 16, 0), shanghai(t, 2026, 11, 27, 16, 0)},
		{shanghai(t, 2026, 11, 27, 15, 59), shanghai(t, 2026, 11, 20, 16, 0)},
	}
	for _, tt := range tests {
		got, ok := prevSlot(sched, tt.now)
		if !ok || !got.Equal(tt.want) {
			t.Errorf("prevSlot(%v) = %v, %v; want %v", tt.now, got, ok, tt.want)
		}
	}
}
