package vrp

// seg is a route segment summary after Vidal et al. (2013) ("A hybrid
// genetic algorithm with adaptive diversity management for a large class of
// vehicle routing problems with time-windows", Comput. Oper. Res. 40) as
// implemented in PyVRP's DurationSegment: concatenating two segments is
// O(1). first/last are the first and last located nodes (-1 when the
// segment has none, e.g. a lone break): a break thus happens where the
// vehicle is, and travel spans over it.
type seg struct {
	first, last int32
	dur         int64 // minimal duration incl. travel, service, waiting
	tw          int64 // time warp (lateness forced on the segment)
	early       int64 // earliest start of the first node with duration dur
	late        int64 // latest start of the first node without extra warp
	travel      int64 // summed travel durations
	metric      int64 // summed metric arcs
}

// mergeInto sets *a to the concatenation of *a and *b (merge without
// copying segments in and out: the search's hot path).
func (in *instance) mergeInto(a, b *seg) {
	var edge, em int64
	if a.last >= 0 && b.first >= 0 {
		k := int(a.last)*in.nLoc + int(b.first)
		edge, em = in.dur[k], in.metric[k]
	}
	atSecond := a.dur - a.tw + edge
	diffWait := max(b.early-atSecond-a.late, 0)
	diffTw := max(a.early+atSecond-b.late, 0)
	a.dur += b.dur + edge + diffWait
	a.tw += b.tw + diffTw
	a.early = max(b.early-atSecond, a.early) - diffWait
	a.late = min(b.late-atSecond, a.late) + diffTw
	a.travel += b.travel + edge
	a.metric += b.metric + em
	if a.first < 0 {
		a.first = b.first
	}
	if b.last >= 0 {
		a.last = b.last
	}
}

// merge concatenates a and b (a then b).
func (in *instance) merge(a, b seg) seg {
	in.mergeInto(&a, &b)
	return a
}

// segV is node's segment on a vehicle of class c.
func (in *instance) segV(node int32, c int32) seg {
	if m := in.multiIdx[node]; m >= 0 && in.clipSeg != nil {
		return in.clipSeg[int(c)*in.nMulti+int(m)]
	}
	return in.nodeSeg[node]
}

// multiV reports whether node keeps several windows on a vehicle of class
// c (its routes then take the forward pass).
func (in *instance) multiV(node int32, c int32) bool {
	m := in.multiIdx[node]
	if m < 0 {
		return false
	}
	return in.clipSeg == nil || in.clipMulti[int(c)*in.nMulti+int(m)]
}
