package matcher

import "math"

// network is a flow network with integer capacities and non-negative integer
// arc costs, solved for a minimum-cost maximum flow by successive shortest
// paths (primal-dual): Dijkstra with Johnson potentials finds the length of a
// shortest augmenting path, then a blocking flow (Dinic) saturates every path
// of that length at once. The number of Dijkstra runs is therefore the number
// of distinct path lengths (a few dozen here, as costs are small integers),
// not the number of units of flow.
//
// Arcs are stored in pairs: arc a and its residual twin a^1. Nodes are dense
// ints; freeze builds the adjacency once all arcs are added.
type network struct {
	n    int
	from []int32
	to   []int32
	cap  []int32
	cost []int32

	start []int32 // adjacency of node u: adj[start[u]:start[u+1]]
	adj   []int32
}

const inf32 = math.MaxInt32 / 4

func (g *network) addNode() int {
	g.n++
	return g.n - 1
}

// addArc adds u→v and returns its id; its flow is afterwards g.cap[id^1].
func (g *network) addArc(u, v, capacity, cost int) int {
	id := len(g.to)
	g.from = append(g.from, int32(u), int32(v))
	g.to = append(g.to, int32(v), int32(u))
	g.cap = append(g.cap, int32(capacity), 0)
	g.cost = append(g.cost, int32(cost), int32(-cost))
	return id
}

// flow is the flow on forward arc a.
func (g *network) flow(a int) int { return int(g.cap[a^1]) }

// freeze lays the arcs out by tail node (in the order they were added, so
// that the search order, and with it the answer among equal-cost optima,
// depends only on the order of construction).
func (g *network) freeze() {
	g.start = make([]int32, g.n+1)
	for _, u := range g.from {
		g.start[u+1]++
	}
	for u := 0; u < g.n; u++ {
		g.start[u+1] += g.start[u]
	}
	next := make([]int32, g.n)
	copy(next, g.start[:g.n])
	g.adj = make([]int32, len(g.from))
	for a, u := range g.from {
		g.adj[next[u]] = int32(a)
		next[u]++
	}
}

// minCostMaxFlow sends as much flow as possible from s to t and, among the
// maximum flows, one of least cost; it returns the flow and its cost.
// All arc costs must be non-negative (so zero potentials are feasible).
func (g *network) minCostMaxFlow(s, t int) (flow, cost int) {
	g.freeze()
	n := g.n
	pi := make([]int32, n)    // potentials: reduced cost c(u,v)+pi[u]-pi[v] >= 0 on residual arcs
	dist := make([]int32, n)  // Dijkstra distances (reduced costs)
	done := make([]bool, n)   // settled by Dijkstra
	level := make([]int32, n) // Dinic levels on the admissible graph
	iter := make([]int32, n)  // Dinic current-arc pointers
	queue := make([]int32, 0, n)
	var h heap

	for {
		// Dijkstra on reduced costs, stopped as soon as t is settled.
		for i := range dist {
			dist[i] = inf32
			done[i] = false
		}
		dist[s] = 0
		h.reset()
		h.push(0, int32(s))
		for h.len() > 0 {
			d, u := h.pop()
			if done[u] || d > dist[u] {
				continue
			}
			done[u] = true
			if int(u) == t {
				break
			}
			for _, a := range g.adj[g.start[u]:g.start[u+1]] {
				if g.cap[a] == 0 {
					continue
				}
				v := g.to[a]
				if done[v] {
					continue
				}
				if nd := d + g.cost[a] + pi[u] - pi[v]; nd < dist[v] {
					dist[v] = nd
					h.push(nd, v)
				}
			}
		}
		if !done[t] {
			return flow, cost
		}
		// Cap every distance at D = dist[t]: min(dist, D) is still a
		// feasible potential, nodes not settled have dist >= D, and every
		// arc of a shortest s–t path gets reduced cost 0.
		D := dist[t]
		for v := range pi {
			if done[v] && dist[v] < D {
				pi[v] += dist[v]
			} else {
				pi[v] += D
			}
		}

		// Max flow (Dinic) on the admissible arcs: residual, reduced cost 0.
		// Every path found costs pi[t]-pi[s] in original costs.
		admissible := func(a int32) bool {
			return g.cap[a] > 0 && g.cost[a]+pi[g.from[a]]-pi[g.to[a]] == 0
		}
		for {
			for i := range level {
				level[i] = -1
			}
			level[s] = 0
			queue = append(queue[:0], int32(s))
			for i := 0; i < len(queue) && level[t] < 0; i++ {
				u := queue[i]
				for _, a := range g.adj[g.start[u]:g.start[u+1]] {
					if v := g.to[a]; level[v] < 0 && admissible(a) {
						level[v] = level[u] + 1
						queue = append(queue, v)
					}
				}
			}
			if level[t] < 0 {
				break
			}
			copy(iter, g.start[:n])
			var dfs func(u int32, limit int32) int32
			dfs = func(u int32, limit int32) int32 {
				if int(u) == t {
					return limit
				}
				for ; iter[u] < g.start[u+1]; iter[u]++ {
					a := g.adj[iter[u]]
					v := g.to[a]
					if level[v] != level[u]+1 || !admissible(a) {
						continue
					}
					if f := dfs(v, min(limit, g.cap[a])); f > 0 {
						g.cap[a] -= f
						g.cap[a^1] += f
						return f
					}
				}
				return 0
			}
			for {
				f := dfs(int32(s), inf32)
				if f == 0 {
					break
				}
				flow += int(f)
				cost += int(f) * int(pi[t]-pi[s])
			}
		}
	}
}

// heap is a binary min-heap of (distance, node) packed into one uint64, so
// that equal distances are popped in node order.
type heap struct{ a []uint64 }

func (h *heap) reset()   { h.a = h.a[:0] }
func (h *heap) len() int { return len(h.a) }

func (h *heap) push(d, v int32) {
	h.a = append(h.a, uint64(d)<<32|uint64(uint32(v)))
	i := len(h.a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h.a[p] <= h.a[i] {
			break
		}
		h.a[p], h.a[i] = h.a[i], h.a[p]
		i = p
	}
}

func (h *heap) pop() (int32, int32) {
	top := h.a[0]
	last := len(h.a) - 1
	h.a[0] = h.a[last]
	h.a = h.a[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= last {
			break
		}
		c := l
		if r := l + 1; r < last && h.a[r] < h.a[l] {
			c = r
		}
		if h.a[i] <= h.a[c] {
			break
		}
		h.a[i], h.a[c] = h.a[c], h.a[i]
		i = c
	}
	return int32(top >> 32), int32(uint32(top))
}
