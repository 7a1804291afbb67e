package api

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yingjing/xunhui/data"
)

// countingGens is a store whose data generation is a counter that tests
// raise ("commit") at will; Generations reads it at its start and then
// takes a while, as a database round trip does.
type countingGens struct {
	data.Store
	gen   atomic.Int64
	reads atomic.Int64
}

func (s *countingGens) Generations(context.Context) (data.Generations, error) {
	s.reads.Add(1)
	g := s.gen.Load()
	time.Sleep(time.Millisecond)
	return data.Generations{Data: g}, nil
}

// TestGenReaderSeesEarlierCommits: a shared read never answers a
// generation older than one committed before the request asked, and
// concurrent requests share reads.
func TestGenReaderSeesEarlierCommits(t *testing.T) {
	st := &countingGens{}
	r := &genReader{store: st}
	var wg sync.WaitGroup
	const n = 400
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			committed := st.gen.Load()
			if i%4 == 0 {
				committed = st.gen.Add(1) // this request's own write, just before it reads
			}
			g, err := r.read(context.Background())
			if err != nil || g.Data < committed {
				t.Errorf("read %d: generation %d (err %v), but %d was committed before it asked", i, g.Data, err, committed)
			}
		}()
	}
	wg.Wait()
	if reads := st.reads.Load(); reads >= n {
		t.Errorf("%d store reads for %d requests: nothing shared", reads, n)
	}
	t.Logf("%d requests, %d store reads", n, st.reads.Load())
}
