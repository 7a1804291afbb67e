package roadgraph

import (
	"math"
	"math/bits"
)

// Dijkstra (1959) one-to-many over the CSR arrays, with a radix heap
// (Ahuja, Mehlhorn, Orlin & Tarjan 1990, "Faster algorithms for the shortest
// path problem") as priority queue: Dijkstra pops keys in non-decreasing
// order and the keys are integers (milliseconds), which is all a radix heap
// needs; pushes are appends and each entry moves down at most 32 buckets, so
// it beats the binary and 4-ary heaps we measured on road grids. Stale
// entries are skipped when popped (lazy deletion) instead of decrease-key.
// Times and lengths are uint32 (ms, dm) to halve the memory traffic: a path
// longer than 49 days or 429 000 km is treated as unreachable. All buffers
// belong to a searcher that a worker reuses, so a search allocates nothing
// after warm-up.

const inf = math.MaxUint32

type heapItem struct {
	key  uint32 // tentative travel time, ms
	node int32
}

// radixHeap is a monotone priority queue: every pushed key must be ≥ the
// last popped key.
type radixHeap struct {
	last    uint32
	size    int
	buckets [33][]heapItem
}

func (h *radixHeap) reset() {
	h.last, h.size = 0, 0
	for i := range h.buckets {
		h.buckets[i] = h.buckets[i][:0]
	}
}

func (h *radixHeap) push(it heapItem) {
	b := bits.Len32(it.key ^ h.last)
	h.buckets[b] = append(h.buckets[b], it)
	h.size++
}

func (h *radixHeap) pop() heapItem {
	if len(h.buckets[0]) == 0 {
		i := 1
		for len(h.buckets[i]) == 0 {
			i++
		}
		bk := h.buckets[i]
		m := bk[0].key
		for _, it := range bk[1:] {
			if it.key < m {
				m = it.key
			}
		}
		h.last = m
		for _, it := range bk {
			b := bits.Len32(it.key ^ m)
			h.buckets[b] = append(h.buckets[b], it)
		}
		h.buckets[i] = bk[:0]
	}
	b0 := h.buckets[0]
	it := b0[len(b0)-1]
	h.buckets[0] = b0[:len(b0)-1]
	h.size--
	return it
}

// label is a node's tentative travel time (ms; inf when unreached) and the
// length (dm) of that path, side by side so that a relaxation touches one
// cache line.
type label struct {
	d, l uint32
}

type searcher struct {
	g       *Graph
	lab     []label
	pred    []int32 // predecessor node; -1 for a start node; only if wantPred
	touched []int32
	heap    radixHeap

	wantPred bool
	// target marks: stop once every marked node is settled.
	mark    []bool
	nMarked int
}

func newSearcher(g *Graph, wantPred bool) *searcher {
	n := g.NumNodes()
	s := &searcher{g: g, lab: make([]label, n), wantPred: wantPred}
	for i := range s.lab {
		s.lab[i].d = inf
	}
	if wantPred {
		s.pred = make([]int32, n)
	}
	return s
}

func (s *searcher) reset() {
	for _, v := range s.touched {
		s.lab[v].d = inf
	}
	s.touched = s.touched[:0]
	s.heap.reset()
}

// seed sets a start node with an initial cost (the part of the first
// segment from the snapped point to the node). Seeds come before run.
func (s *searcher) seed(v int32, ms, dm int64) {
	if ms < 0 || ms >= inf || dm < 0 || dm >= inf || uint32(ms) >= s.lab[v].d {
		return
	}
	if s.lab[v].d == inf {
		s.touched = append(s.touched, v)
	}
	s.lab[v] = label{uint32(ms), uint32(dm)}
	if s.wantPred {
		s.pred[v] = -1
	}
	s.heap.push(heapItem{uint32(ms), v})
}

// run settles nodes in order of travel time until the heap is empty or
// every marked node is settled.
func (s *searcher) run() {
	g := s.g
	remaining := s.nMarked
	off, edges := g.off, g.edges
	lab := s.lab
	for s.heap.size > 0 {
		it := s.heap.pop()
		u := it.node
		du := it.key
		lu := lab[u]
		if du > lu.d {
			continue // stale
		}
		if s.mark != nil && s.mark[u] {
			remaining--
			if remaining == 0 {
				return
			}
		}
		for k := off[u]; k < off[u+1]; k++ {
			e := edges[k]
			nd := uint64(du) + uint64(e.ms)
			v := e.head
			if dv := lab[v].d; nd < uint64(dv) {
				if dv == inf {
					s.touched = append(s.touched, v)
				}
				nl := uint64(lu.l) + uint64(e.dm)
				if nl >= inf {
					nl = inf - 1
				}
				lab[v] = label{uint32(nd), uint32(nl)}
				if s.wantPred {
					s.pred[v] = u
				}
				s.heap.push(heapItem{uint32(nd), v})
			}
		}
	}
}
