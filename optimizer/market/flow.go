package market

// flowNet is a small min-cost flow network with integer capacities and
// costs, solved by successive shortest paths with a queue-based
// Bellman–Ford (SPFA) so that negative arc costs are allowed (Ahuja,
// Magnanti & Orlin, Network Flows, 1993, §9.7). Augmenting stops as soon as
// the cheapest path has non-negative cost: the result is a min-cost flow of
// any value, which with negative source arcs maximises the weighted number
// of requirements covered, cheapest first.
type flowNet struct {
	head []int
	arcs []flowArc
}

type flowArc struct {
	to, next int
	cap      int
	cost     int64
}

func newFlowNet(n int) *flowNet {
	h := make([]int, n)
	for i := range h {
		h[i] = -1
	}
	return &flowNet{head: h}
}

func (g *flowNet) addNode() int {
	g.head = append(g.head, -1)
	return len(g.head) - 1
}

// addArc adds u→v with capacity c and cost w (and its residual twin); it
// returns the arc index, whose flow is the twin's capacity.
func (g *flowNet) addArc(u, v, c int, w int64) int {
	g.arcs = append(g.arcs, flowArc{to: v, next: g.head[u], cap: c, cost: w})
	g.head[u] = len(g.arcs) - 1
	g.arcs = append(g.arcs, flowArc{to: u, next: g.head[v], cap: 0, cost: -w})
	g.head[v] = len(g.arcs) - 1
	return len(g.arcs) - 2
}

// flow returns the flow on arc a.
func (g *flowNet) flow(a int) int { return g.arcs[a^1].cap }

// minCost pushes flow from s to t along negative-cost shortest paths until
// none is left, and returns the flow value and its cost. Capacities are
// small integers, so each augmentation moves at least one unit; the number
// of augmentations is bounded by the total capacity out of s.
func (g *flowNet) minCost(s, t int) (value int, cost int64) {
	n := len(g.head)
	dist := make([]int64, n)
	inQ := make([]bool, n)
	prev := make([]int, n)
	queue := make([]int, 0, n)
	const inf = int64(1) << 62
	for {
		for i := range dist {
			dist[i], prev[i] = inf, -1
		}
		dist[s] = 0
		queue = append(queue[:0], s)
		inQ[s] = true
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			inQ[u] = false
			for a := g.head[u]; a >= 0; a = g.arcs[a].next {
				e := &g.arcs[a]
				if e.cap > 0 && dist[u]+e.cost < dist[e.to] {
					dist[e.to] = dist[u] + e.cost
					prev[e.to] = a
					if !inQ[e.to] {
						inQ[e.to] = true
						queue = append(queue, e.to)
					}
				}
			}
		}
		if dist[t] >= 0 { // unreachable (inf) or no longer profitable
			return value, cost
		}
		push := int(^uint(0) >> 1)
		for v := t; v != s; v = g.arcs[prev[v]^1].to {
			push = min(push, g.arcs[prev[v]].cap)
		}
		for v := t; v != s; v = g.arcs[prev[v]^1].to {
			g.arcs[prev[v]].cap -= push
			g.arcs[prev[v]^1].cap += push
		}
		value += push
		cost += int64(push) * dist[t]
	}
}
