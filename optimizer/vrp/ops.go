package vrp

// operator evaluates one kind of move for the pair (u, v), where v is a
// neighbour of u (or the start node of a route). It fills s.mv and returns
// whether the move is feasible (then s.mv.delta is the exact change of the
// objective); it never applies the move and never allocates.
type operator struct {
	name string
	eval func(s *search, u, v int32) bool
}

// operators are the local search neighbourhoods, in the order tried.
// Relocate and swap variants follow PyVRP's Exchange<N, M> (and HGS-CVRP's
// moves 1-6, Vidal 2022), 2-opt* and 2-opt follow HGS-CVRP's moves 7-9.
var operators = []operator{
	{"relocate1", func(s *search, u, v int32) bool { return s.exchange(u, v, 1, 0, false) }},
	{"relocate2", func(s *search, u, v int32) bool { return s.exchange(u, v, 2, 0, false) }},
	{"relocate2rev", func(s *search, u, v int32) bool { return s.exchange(u, v, 2, 0, true) }},
	{"swap11", func(s *search, u, v int32) bool { return s.exchange(u, v, 1, 1, false) }},
	{"swap21", func(s *search, u, v int32) bool { return s.exchange(u, v, 2, 1, false) }},
	{"swap22", func(s *search, u, v int32) bool { return s.exchange(u, v, 2, 2, false) }},
	{"twoOptStar", func(s *search, u, v int32) bool { return s.twoOptStar(u, v) }},
	{"twoOpt", func(s *search, u, v int32) bool { return s.twoOpt(u, v) }},
}
