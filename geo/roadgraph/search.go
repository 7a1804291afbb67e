package roadgraph

import "math"

// Dijkstra (1959) one-to-many over the CSR arrays with a 4-ary min-heap and
// lazy deletion (stale entries are skipped when popped) instead of
// decrease-key: fewer writes per relaxation, and the heap stays small on road
// graphs whose nodes have two to four neighbours. All buffers belong to a
// searcher that a worker reuses for every source, so a search allocates
// nothing after warm-up.

const inf = math.MaxInt64

type heapItem struct {
	key  int64 // tentative travel time, ms
	node int32
}

type searcher struct {
	g       *Graph
	dist    []int64 // ms; inf when unreached
	length  []int64 // decimetres along the fastest path
	pred    []int32 // predecessor node; -1 for a start node; only if wantPred
	touched []int32
	heap    []heapItem

	wantPred bool
	// target marks: stop once every marked node is settled.
	mark    []bool
	nMarked int
}

func newSearcher(g *Graph, wantPred bool) *searcher {
	n := g.NumNodes()
	s := &searcher{g: g, dist: make([]int64, n), length: make([]int64, n), wantPred: wantPred}
	for i := range s.dist {
		s.dist[i] = inf
	}
	if wantPred {
		s.pred = make([]int32, n)
	}
	return s
}

func (s *searcher) reset() {
	for _, v := range s.touched {
		s.dist[v] = inf
	}
	s.touched = s.touched[:0]
	s.heap = s.heap[:0]
}

// seed sets a start node with an initial cost (the part of the first
// segment from the snapped point to the node).
func (s *searcher) seed(v int32, ms, dm int64) {
	if ms >= s.dist[v] {
		return
	}
	if s.dist[v] == inf {
		s.touched = append(s.touched, v)
	}
	s.dist[v], s.length[v] = ms, dm
	if s.wantPred {
		s.pred[v] = -1
	}
	s.push(heapItem{ms, v})
}

// run settles nodes in order of travel time until the heap is empty or
// every marked node is settled.
func (s *searcher) run() {
	g := s.g
	remaining := s.nMarked
	off, head, wms, wdm := g.off, g.head, g.ms, g.dm
	for len(s.heap) > 0 {
		it := s.pop()
		u := it.node
		if it.key > s.dist[u] {
			continue // stale
		}
		if s.mark != nil && s.mark[u] {
			remaining--
			if remaining == 0 {
				return
			}
		}
		du, lu := it.key, s.length[u]
		for k := off[u]; k < off[u+1]; k++ {
			v := head[k]
			nd := du + int64(wms[k])
			dv := s.dist[v]
			if nd < dv {
				if dv == inf {
					s.touched = append(s.touched, v)
				}
				s.dist[v] = nd
				s.length[v] = lu + int64(wdm[k])
				if s.wantPred {
					s.pred[v] = u
				}
				s.push(heapItem{nd, v})
			}
		}
	}
}

func (s *searcher) push(it heapItem) {
	h := append(s.heap, it)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 4
		if h[p].key <= it.key {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = it
	s.heap = h
}

func (s *searcher) pop() heapItem {
	h := s.heap
	top := h[0]
	last := h[len(h)-1]
	h = h[:len(h)-1]
	n := len(h)
	if n > 0 {
		i := 0
		for {
			c := 4*i + 1
			if c >= n {
				break
			}
			m := c
			mk := h[c].key
			end := min(c+4, n)
			for j := c + 1; j < end; j++ {
				if h[j].key < mk {
					m, mk = j, h[j].key
				}
			}
			if mk >= last.key {
				break
			}
			h[i] = h[m]
			i = m
		}
		h[i] = last
	}
	s.heap = h
	return top
}
