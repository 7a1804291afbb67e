package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/yingjing/xunhui/optimizer/vrp/solomon"
)

func init() {
	register(command{
		name:    "bench-vrptw",
		summary: "run the public VRPTW benchmarks, check every solution, write docs/benchmarks.md",
		run:     runBenchVRPTW,
	})
}

// benchRow is the outcome of one instance.
type benchRow struct {
	Set, Instance, Class string
	// Cost is the float64 distance from the independent checker.
	Cost     float64
	Vehicles int
	Seconds  float64
	// BestSeconds is the time to the best solution (the search's own clock).
	BestSeconds float64
	// PeakMiB is the peak resident set of the solving process (subprocess
	// mode) or the sampled peak heap (in-process mode), in MiB.
	PeakMiB float64
	// CPUSeconds is the user+system CPU time of the solving process: on a
	// shared machine it shows how much of Seconds the solver really ran.
	CPUSeconds float64
	HasBKS     bool
	BKS        float64
	// BKSVehicles is the number of routes of the best known solution.
	BKSVehicles int
	// BKSDistance is true when BKS is the distance-objective entry.
	BKSDistance bool
	Feasible    bool
	Err         string
	// VROOM-JSON mode (0 when not run).
	VroomCost    float64
	VroomRoutes  int
	VroomSeconds float64
	VroomErr     string
}

// Gap returns the relative gap to the best known cost in percent.
func (r benchRow) Gap() float64 { return (r.Cost - r.BKS) / r.BKS * 100 }

type benchConfig struct {
	dir       string
	sets      []string
	instances map[string]bool
	opts      vrptwOptions
	inProcess bool
	vroomDir  string
	// jobs is how many instances are solved at once (each with one search
	// thread, in its own subprocess).
	jobs int
	args []string
	// loadBefore and loadAfter are /proc/loadavg's 1-minute figure around
	// the run: the CPU is shared and this says how busy it was.
	loadBefore, loadAfter string
}

func runBenchVRPTW(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench-vrptw", stderr)
	dir := fs.String("dir", "../shared/benchmarks/vrptw", "folder with one sub-folder per set and BKS.json")
	sets := fs.String("sets", "solomon", "comma-separated sets (sub-folders of --dir): solomon, homberger_200, ...")
	limit := fs.Duration("time-limit", time.Second, "wall-time limit per instance")
	iters := fs.Int("iterations", 0, "cap on search iterations per instance (0 = none)")
	instances := fs.String("instances", "", "comma-separated instance names to run (default: all)")
	seed := fs.Int64("seed", 1, "random seed")
	neighbours := fs.Int("neighbours", 0, "granular neighbourhood size passed to every solve (0 = the engine's default, 20)")
	out := fs.String("out", "", "markdown file to merge the results into (default: print to stdout)")
	inProcess := fs.Bool("in-process", false, "solve in this process instead of one subprocess per instance (memory is then the sampled heap)")
	jobs := fs.Int("jobs", 1, "instances solved at once, each in its own single-threaded subprocess (use at most the number of idle cores)")
	fleet := fs.Bool("fleet", false, "fleet mode: minimise vehicles first, then distance, compared with the vehicles-first best known solutions")
	stall := fs.Float64("stall", defaultStall, "stop each search once its best has not improved over this share of its iterations (0 = run to the time limit)")
	vroomDir := fs.String("vroom-json", "", "also solve the VROOM-JSON version of each instance found in this folder (NAME.json) through the vrp command path")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: xunhui bench-vrptw --dir ../shared/benchmarks/vrptw --sets solomon,homberger_200 --time-limit 1s [--instances C101,R201] [--seed 1] [--out docs/benchmarks.md]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *sets == "" || *jobs < 1 || !(*stall >= 0 && *stall < 1) {
		fs.Usage()
		return errUsage
	}
	cfg := benchConfig{dir: *dir, opts: vrptwOptions{timeLimit: *limit, iterations: *iters, seed: *seed, threads: 1, neighbours: *neighbours, stall: *stall, fleet: *fleet},
		inProcess: *inProcess, vroomDir: *vroomDir, jobs: *jobs, args: args}
	for _, s := range strings.Split(*sets, ",") {
		if s = strings.TrimSpace(s); s != "" {
			cfg.sets = append(cfg.sets, s)
		}
	}
	if *instances != "" {
		cfg.instances = map[string]bool{}
		for _, s := range strings.Split(*instances, ",") {
			cfg.instances[strings.ToLower(strings.TrimSpace(s))] = true
		}
	}
	bks, err := solomon.LoadBKS(filepath.Join(cfg.dir, "BKS.json"))
	if err != nil {
		fmt.Fprintf(stderr, "warning: %v (no gaps will be reported)\n", err)
	}
	cfg.loadBefore = loadAverage()
	rows, err := runBench(ctx, cfg, bks, stderr)
	cfg.loadAfter = loadAverage()
	if err != nil {
		return err
	}
	section := renderBench(cfg, rows)
	if *out == "" || *out == "-" {
		_, err := io.WriteString(stdout, section.body)
		return err
	}
	if err := mergeSection(*out, section); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote section %q to %s\n", section.key, *out)
	return nil
}

// runBench solves every selected instance and returns one row each. A run
// that fails (crash, unassigned customers, checker rejection) gives a row
// with Feasible false; only I/O problems with the instance list are errors.
func runBench(ctx context.Context, cfg benchConfig, bks solomon.BKSTable, stderr io.Writer) ([]benchRow, error) {
	type task struct{ set, file string }
	var tasks []task
	for _, set := range cfg.sets {
		files, err := filepath.Glob(filepath.Join(cfg.dir, set, "*.txt"))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("no *.txt instances in %s", filepath.Join(cfg.dir, set))
		}
		sort.Slice(files, func(a, b int) bool { return naturalLess(filepath.Base(files[a]), filepath.Base(files[b])) })
		for _, f := range files {
			name := strings.TrimSuffix(filepath.Base(f), ".txt")
			if cfg.instances != nil && !cfg.instances[strings.ToLower(name)] {
				continue
			}
			tasks = append(tasks, task{set, f})
		}
	}
	if len(tasks) == 0 {
		return nil, errors.New("no instance selected")
	}
	// Solve with cfg.jobs workers; rows keep the instance order. Progress
	// lines are printed as instances finish.
	rows := make([]benchRow, len(tasks))
	var mu sync.Mutex
	next := make(chan int)
	var wg sync.WaitGroup
	workers := max(1, min(cfg.jobs, len(tasks)))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				row := benchOne(ctx, cfg, tasks[i].set, tasks[i].file, bks)
				rows[i] = row
				mu.Lock()
				printBenchProgress(stderr, cfg, tasks[i].set, row)
				mu.Unlock()
			}
		}()
	}
feed:
	for i := range tasks {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return rows, nil
}

// printBenchProgress writes one line for a finished instance.
func printBenchProgress(stderr io.Writer, cfg benchConfig, set string, row benchRow) {
	status := "ok"
	if !row.Feasible {
		status = "FAILED: " + row.Err
	}
	gap := ""
	if row.Feasible && row.HasBKS {
		gap = " gap " + signed(row.Gap()) + "%"
	}
	fmt.Fprintf(stderr, "%s/%s: cost %.2f vehicles %d%s %.2fs (CPU %.2fs) %.0fMiB %s\n",
		set, row.Instance, row.Cost, row.Vehicles, gap, row.Seconds, row.CPUSeconds, row.PeakMiB, status)
	if cfg.vroomDir != "" && row.VroomErr == "" && row.VroomCost > 0 {
		fmt.Fprintf(stderr, "  vroom-json: cost/1000 %.3f routes %d %.2fs\n", row.VroomCost, row.VroomRoutes, row.VroomSeconds)
	} else if row.VroomErr != "" {
		fmt.Fprintf(stderr, "  vroom-json: FAILED: %s\n", row.VroomErr)
	}
}

func benchOne(ctx context.Context, cfg benchConfig, set, file string, bks solomon.BKSTable) benchRow {
	name := strings.TrimSuffix(filepath.Base(file), ".txt")
	row := benchRow{Set: set, Instance: name, Class: solomon.Class(name)}
	in, err := solomon.ReadFile(file)
	if err != nil {
		row.Err = err.Error()
		return row
	}
	row.Instance = in.Name
	if cfg.opts.fleet {
		if b, ok := bks.LookupFleet(in.Name); ok {
			row.HasBKS, row.BKS, row.BKSVehicles = true, b.Cost, b.Vehicles
		}
	} else if b, dist, ok := bks.Lookup(in.Name); ok {
		row.HasBKS, row.BKS, row.BKSVehicles, row.BKSDistance = true, b.Cost, b.Vehicles, dist
	}
	var res *vrptwResult
	if cfg.inProcess {
		res, row.PeakMiB, row.CPUSeconds, err = solveInProcess(ctx, in, cfg.opts)
	} else {
		res, row.PeakMiB, row.CPUSeconds, err = solveSubprocess(ctx, file, cfg.opts)
	}
	if res != nil {
		row.Vehicles, row.Seconds, row.BestSeconds = len(res.Routes), res.Seconds, res.BestSeconds
	}
	if err != nil {
		row.Err = oneLine(err.Error())
	} else {
		// Check again here: the subprocess already did, but the parent must
		// not trust a child's JSON.
		chk, err := solomon.Check(in, res.Routes)
		if err != nil {
			row.Err = oneLine(err.Error())
		} else {
			row.Cost, row.Vehicles, row.Feasible = chk.Distance, chk.Vehicles, true
		}
	}
	if cfg.vroomDir != "" {
		benchVroom(ctx, cfg, in, &row)
	}
	return row
}

// solveInProcess runs solveVRPTW here, sampling the live heap for a peak.
func solveInProcess(ctx context.Context, in *solomon.Instance, o vrptwOptions) (*vrptwResult, float64, float64, error) {
	var res *vrptwResult
	var err error
	before := selfCPU()
	peak := sampleHeap(func() { res, err = solveVRPTW(ctx, in, o) })
	return res, peak, selfCPU() - before, err
}

// selfCPU returns this process's user+system CPU seconds.
func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return tvSeconds(ru.Utime) + tvSeconds(ru.Stime)
}

func tvSeconds(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

// sampleHeap runs f while sampling the heap object bytes every 5 ms and
// returns the peak in MiB (a lower bound on the true peak).
func sampleHeap(f func()) float64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() float64 {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return float64(sample[0].Value.Uint64()) / (1 << 20)
	}
	done := make(chan struct{})
	peakc := make(chan float64)
	go func() {
		peak := read()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				peakc <- math.Max(peak, read())
				return
			case <-t.C:
				peak = math.Max(peak, read())
			}
		}
	}()
	f()
	close(done)
	return <-peakc
}

// solveSubprocess runs "xunhui solve-vrptw" on file in a child process, so
// that a crash cannot stop the benchmark and the peak RSS is the run's own.
func solveSubprocess(ctx context.Context, file string, o vrptwOptions) (*vrptwResult, float64, float64, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, 0, 0, fmt.Errorf("find own binary: %w", err)
	}
	args := []string{"solve-vrptw", "--instance", file, "--time-limit", o.timeLimit.String(),
		"--seed", strconv.FormatInt(o.seed, 10), "--threads", "1", "--iterations", strconv.Itoa(o.iterations),
		"--neighbours", strconv.Itoa(o.neighbours), "--stall", strconv.FormatFloat(o.stall, 'g', -1, 64)}
	if o.fleet {
		args = append(args, "--fleet")
	}
	var stdout, stderr bytes.Buffer
	peak, cpu, err := runChild(ctx, self, args, o.timeLimit, &stdout, &stderr)
	var res vrptwResult
	if jerr := json.Unmarshal(stdout.Bytes(), &res); jerr != nil {
		if err == nil {
			err = fmt.Errorf("bad output: %v", jerr)
		}
		return nil, peak, cpu, fmt.Errorf("%v: %s", err, lastLine(stderr.String()))
	}
	if err != nil {
		return &res, peak, cpu, fmt.Errorf("%v: %s", err, lastLine(stderr.String()))
	}
	return &res, peak, cpu, nil
}

// runChild runs self with args, killing it if it overruns its time limit
// generously, and returns its peak RSS in MiB and its CPU seconds.
func runChild(ctx context.Context, self string, args []string, limit time.Duration, stdout, stderr io.Writer) (peak, cpu float64, err error) {
	// Generous: on a loaded machine a search timed by thread CPU (vrptune
	// builds, VRP_CPUCLOCK=1) takes many times its limit in wall time.
	deadline := 20*limit + 60*time.Second
	cctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	cmd := exec.CommandContext(cctx, self, args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err = cmd.Run()
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peak = float64(ru.Maxrss) / 1024 // Linux reports KiB
		}
		cpu = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	}
	if cctx.Err() == context.DeadlineExceeded {
		return peak, cpu, fmt.Errorf("killed after %v", deadline)
	}
	return peak, cpu, err
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", "/")
	if len(s) > 160 {
		s = s[:160] + "..."
	}
	return s
}

// naturalLess orders names with embedded numbers numerically: c1_2_2 before
// c1_2_10.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digitPrefix(a), digitPrefix(b)
		if da > 0 && db > 0 {
			na, _ := strconv.Atoi(a[:da])
			nb, _ := strconv.Atoi(b[:db])
			if na != nb {
				return na < nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digitPrefix(s string) int {
	i := 0
	for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// section is one generated block of the benchmarks file.
type section struct {
	key, body string
}

func sectionKey(cfg benchConfig) string {
	k := "vrptw sets=" + strings.Join(cfg.sets, ",") + " time=" + cfg.opts.timeLimit.String()
	if cfg.opts.iterations > 0 {
		k += " iterations=" + strconv.Itoa(cfg.opts.iterations)
	}
	if cfg.opts.neighbours > 0 {
		k += " neighbours=" + strconv.Itoa(cfg.opts.neighbours)
	}
	if cfg.opts.fleet {
		k += " fleet"
	}
	if cfg.opts.stall != defaultStall {
		k += " stall=" + strconv.FormatFloat(cfg.opts.stall, 'g', -1, 64)
	}
	if cfg.instances != nil {
		var names []string
		for n := range cfg.instances {
			names = append(names, n)
		}
		sort.Strings(names)
		k += " instances=" + strings.Join(names, ",")
	}
	if cfg.vroomDir != "" {
		k += " vroom-json"
	}
	return k
}

var classOrder = map[string]int{"C1": 1, "C2": 2, "R1": 3, "R2": 4, "RC1": 5, "RC2": 6}

type benchGroup struct {
	set, class string
	rows       []benchRow
}

func groupRows(rows []benchRow) []benchGroup {
	idx := map[[2]string]int{}
	var gs []benchGroup
	for _, r := range rows {
		k := [2]string{r.Set, r.Class}
		i, ok := idx[k]
		if !ok {
			i = len(gs)
			idx[k] = i
			gs = append(gs, benchGroup{set: r.Set, class: r.Class})
		}
		gs[i].rows = append(gs[i].rows, r)
	}
	sort.SliceStable(gs, func(a, b int) bool {
		if gs[a].set != gs[b].set {
			return false // keep the order of --sets
		}
		return classOrder[gs[a].class] < classOrder[gs[b].class]
	})
	return gs
}

// summary aggregates rows: averages over feasible rows (gap over those with
// a best known solution).
type summary struct {
	n, feasible, infeasible, withBKS       int
	gap, vehicles, bksVehicles, secs, peak float64
	best, medianSecs                       float64
	worst, median                          float64
	cpu                                    float64
	vroomN                                 int
	vroomCost, vroomSecs, vroomGap         float64
	vroomWithBKS                           int
}

func summarise(rows []benchRow) summary {
	var s summary
	var gaps, secs []float64
	for _, r := range rows {
		s.n++
		s.peak = math.Max(s.peak, r.PeakMiB)
		if r.VroomErr == "" && r.VroomRoutes > 0 {
			s.vroomN++
			s.vroomCost += r.VroomCost
			s.vroomSecs += r.VroomSeconds
			if r.HasBKS {
				s.vroomWithBKS++
				s.vroomGap += (r.VroomCost - r.BKS) / r.BKS * 100
			}
		}
		if !r.Feasible {
			s.infeasible++
			continue
		}
		s.feasible++
		s.vehicles += float64(r.Vehicles)
		s.secs += r.Seconds
		s.best += r.BestSeconds
		secs = append(secs, r.Seconds)
		s.cpu += r.CPUSeconds
		if r.HasBKS {
			s.withBKS++
			s.gap += r.Gap()
			s.bksVehicles += float64(r.BKSVehicles)
			gaps = append(gaps, r.Gap())
		}
	}
	if len(gaps) > 0 {
		sort.Float64s(gaps)
		s.worst = gaps[len(gaps)-1]
		s.median = gaps[len(gaps)/2]
		if len(gaps)%2 == 0 {
			s.median = (gaps[len(gaps)/2-1] + gaps[len(gaps)/2]) / 2
		}
	}
	if s.feasible > 0 {
		s.medianSecs = median(secs)
		s.vehicles /= float64(s.feasible)
		s.secs /= float64(s.feasible)
		s.best /= float64(s.feasible)
		s.cpu /= float64(s.feasible)
	}
	if s.withBKS > 0 {
		s.gap /= float64(s.withBKS)
		s.bksVehicles /= float64(s.withBKS)
	}
	if s.vroomN > 0 {
		s.vroomSecs /= float64(s.vroomN)
	}
	if s.vroomWithBKS > 0 {
		s.vroomGap /= float64(s.vroomWithBKS)
	}
	return s
}

// median returns the median of xs (sorted in place); 0 when empty.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	m := xs[len(xs)/2]
	if len(xs)%2 == 0 {
		m = (xs[len(xs)/2-1] + m) / 2
	}
	return m
}

func fmtGap(s summary) string {
	if s.withBKS == 0 {
		return "—"
	}
	return signed(s.gap)
}

func fmtWorst(s summary) string {
	if s.withBKS == 0 {
		return "—"
	}
	return signed(s.worst)
}

// signed formats a percentage with its sign, printing tiny values (BKS are
// rounded to 2 decimals) as 0.00 rather than -0.00.
func signed(x float64) string {
	if math.Abs(x) < 0.005 {
		return "0.00"
	}
	return fmt.Sprintf("%+.2f", x)
}

func renderBench(cfg benchConfig, rows []benchRow) section {
	key := sectionKey(cfg)
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- bench-vrptw:begin %s -->\n", key)
	title := strings.Join(cfg.sets, " + ") + ", " + cfg.opts.timeLimit.String() + " per instance"
	if cfg.opts.iterations > 0 {
		title += fmt.Sprintf(", at most %d iterations", cfg.opts.iterations)
	}
	if cfg.opts.neighbours > 0 {
		title += fmt.Sprintf(", %d neighbours", cfg.opts.neighbours)
	}
	if cfg.opts.stall != defaultStall {
		title += fmt.Sprintf(", early stop at a %g stall", cfg.opts.stall)
	}
	if cfg.instances != nil {
		title += fmt.Sprintf(" (%d selected instances)", len(rows))
	}
	if cfg.opts.fleet {
		title = "fleet mode (vehicles first), " + title
	}
	fmt.Fprintf(&b, "## VRPTW: %s\n\n", title)
	mem := "peak RSS of the solving subprocess"
	if cfg.inProcess {
		mem = "peak live heap sampled every 5 ms (in-process run)"
	}
	fmt.Fprintf(&b, "- Date: %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- Machine: %d CPUs (nproc), %s, %s/%s, %s. **The CPU was shared with other work while this ran**, so times and costs are pessimistic.\n",
		runtime.NumCPU(), cpuModel(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Fprintf(&b, "- Load average (1 min) at start / end: %s / %s on %d CPUs.\n", cfg.loadBefore, cfg.loadAfter, runtime.NumCPU())
	fmt.Fprintf(&b, "- Command: `%s`\n", commandLine("bench-vrptw", cfg.args))
	fmt.Fprintf(&b, "- One search thread per instance (%d instance(s) solved at once), seed %d. Cost = total Euclidean distance recomputed in float64 by the independent checker (`optimizer/vrp/solomon.Check`); gap = (cost − BKS) / BKS. BKS: %s Memory: %s. %s\n\n", max(cfg.jobs, 1), cfg.opts.seed, bksNote(cfg.opts.fleet), mem, stallNote(cfg.opts.stall))

	if cfg.opts.fleet {
		b.WriteString(fleetTable(cfg, rows))
	}
	fmt.Fprintf(&b, "### Summary\n\n")
	fmt.Fprintf(&b, "| set | class | instances | feasible | avg gap %% | worst gap %% | avg vehicles | avg BKS vehicles | avg s | median s | avg s to best | avg CPU s | max MiB |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, g := range groupRows(rows) {
		s := summarise(g.rows)
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f |\n",
			g.set, g.class, s.n, s.feasible, fmtGap(s), fmtWorst(s), s.vehicles, s.bksVehicles, s.secs, s.medianSecs, s.best, s.cpu, s.peak)
	}
	for _, set := range cfg.sets {
		var sr []benchRow
		for _, r := range rows {
			if r.Set == set {
				sr = append(sr, r)
			}
		}
		if len(sr) == 0 {
			continue
		}
		s := summarise(sr)
		fmt.Fprintf(&b, "| **%s** | **all** | %d | %d | **%s** | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f |\n",
			set, s.n, s.feasible, fmtGap(s), fmtWorst(s), s.vehicles, s.bksVehicles, s.secs, s.medianSecs, s.best, s.cpu, s.peak)
	}
	all := summarise(rows)
	medianGap := "—"
	if all.withBKS > 0 {
		medianGap = signed(all.median)
	}
	fmt.Fprintf(&b, "\nOverall: %d instances, **%d infeasible or failed**, average gap %s %% (median %s %%, worst %s %%), %.2f vehicles, %.2f s wall (median %.2f s, best found after %.2f s) and %.2f s CPU per instance.\n\n",
		all.n, all.infeasible, fmtGap(all), medianGap, fmtWorst(all), all.vehicles, all.secs, all.medianSecs, all.best, all.cpu)
	if cfg.vroomDir != "" {
		fmt.Fprintf(&b, "VROOM-JSON path (`xunhui vrp`, integer matrices ×1000, cost/1000 shown): %d instances solved, average cost/1000 gap %s %%, %.2f s per instance.\n\n",
			all.vroomN, signed(all.vroomGap), all.vroomSecs)
	}
	b.WriteString(referenceFigures(cfg.sets))

	fmt.Fprintf(&b, "### Per instance\n\n")
	if cfg.vroomDir != "" {
		fmt.Fprintf(&b, "| set | instance | cost | BKS | gap %% | vehicles | BKS vehicles | s | s to best | CPU s | MiB | feasible | vroom-json cost/1000 | vroom-json routes | vroom-json s |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|\n")
	} else {
		fmt.Fprintf(&b, "| set | instance | cost | BKS | gap %% | vehicles | BKS vehicles | s | s to best | CPU s | MiB | feasible |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	}
	for _, r := range rows {
		cost, gap, bks, bv := "—", "—", "—", "—"
		if r.Feasible {
			cost = fmt.Sprintf("%.2f", r.Cost)
		}
		if r.HasBKS {
			bks = fmt.Sprintf("%.2f", r.BKS)
			bv = strconv.Itoa(r.BKSVehicles)
			if r.Feasible {
				gap = signed(r.Gap())
			}
		}
		feas := "yes"
		if !r.Feasible {
			feas = "**no**: " + r.Err
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %d | %s | %.2f | %.2f | %.2f | %.0f | %s |", r.Set, r.Instance, cost, bks, gap, r.Vehicles, bv, r.Seconds, r.BestSeconds, r.CPUSeconds, r.PeakMiB, feas)
		if cfg.vroomDir != "" {
			if r.VroomErr != "" {
				fmt.Fprintf(&b, " **failed**: %s | — | — |", r.VroomErr)
			} else if r.VroomRoutes == 0 {
				fmt.Fprintf(&b, " — | — | — |")
			} else {
				fmt.Fprintf(&b, " %.3f | %d | %.2f |", r.VroomCost, r.VroomRoutes, r.VroomSeconds)
			}
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\n<!-- bench-vrptw:end %s -->\n", key)
	return section{key: key, body: b.String()}
}

// referenceFigures returns published figures for the sets run, for
// comparison (they were measured on other machines).
func referenceFigures(sets []string) string {
	var b strings.Builder
	b.WriteString("Reference figures (published, other machines; same instances and conventions):\n\n")
	for _, s := range sets {
		switch s {
		case "solomon":
			b.WriteString("- VROOM 1.14 (`-x 5 -t 1`): Solomon average gap +1.61 % at 1.31 s per instance; R2 +3.9 %, RC2 +2.6 %.\n")
			b.WriteString("- VROOM 1.12 (`-x 5`, 4 cores / 8 threads, Xeon E5-1620): Solomon average gap +1.63 % (median +1.12 %, worst +7.54 %), 0.36 s per instance.\n")
		case "homberger_200":
			b.WriteString("- VROOM 1.14 (`-x 5 -t 1`): Gehring & Homberger 200 average gap −0.51 % at 6.7 s per instance, using 13.0 vehicles on average vs 11.6 in the BKS.\n")
		case "homberger_1000":
			b.WriteString("- VROOM 1.14 (`-x 5 -t 1`), distance: c1_10_1 42478.91 in 90 s, r1_10_1 55882.42 in 193 s, rc1_10_1 48516.18 in 180 s, r2_10_1 41932.63 in 230 s.\n")
			b.WriteString("- PyVRP 0.14: average gap 0.65 % on the 1000-customer set after 2 hours on one core.\n")
		}
	}
	b.WriteString("\n")
	return b.String()
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func commandLine(name string, args []string) string {
	parts := []string{"xunhui", name}
	for _, a := range args {
		if a == "" || strings.ContainsAny(a, " \t'\"`|") {
			a = strconv.Quote(a)
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

const benchFileHeader = `# Benchmarks

Generated by ` + "`xunhui bench-vrptw`" + ` (see ` + "`make bench-vrptw SETS=solomon TIME=1s`" + `). Each section is
keyed by its sets, time limit and options and is replaced when the same run is repeated; other
sections are kept. Every solution was verified by the independent float64 checker before it was
counted; a failed or rejected run is listed as infeasible, never averaged in.

`

// mergeSection writes s into the markdown file path, replacing a section
// with the same key or appending it.
func mergeSection(path string, s section) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	text := string(old)
	if strings.TrimSpace(text) == "" {
		text = benchFileHeader
	}
	begin := fmt.Sprintf("<!-- bench-vrptw:begin %s -->\n", s.key)
	end := fmt.Sprintf("<!-- bench-vrptw:end %s -->\n", s.key)
	if i := strings.Index(text, begin); i >= 0 {
		if j := strings.Index(text[i:], end); j >= 0 {
			text = text[:i] + s.body + text[i+j+len(end):]
		} else {
			return fmt.Errorf("%s: section %q has no end marker; fix the file by hand", path, s.key)
		}
	} else {
		if !strings.HasSuffix(text, "\n\n") {
			text = strings.TrimRight(text, "\n") + "\n\n"
		}
		text += s.body
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// benchVroom solves the VROOM-JSON version of in (cfg.vroomDir/NAME.json)
// through the same path as "xunhui vrp" and stores its cost/1000 in row.
// Its cost is the engine's integer duration sum (distances ×1000, rounded),
// so it is close to, but not exactly, the float64 cost.
func benchVroom(ctx context.Context, cfg benchConfig, in *solomon.Instance, row *benchRow) {
	file := filepath.Join(cfg.vroomDir, in.Name+".json")
	if _, err := os.Stat(file); err != nil {
		return // no VROOM-JSON twin: leave the columns empty
	}
	seconds := strconv.FormatFloat(cfg.opts.timeLimit.Seconds(), 'f', -1, 64)
	var out vroomSummaryOutput
	var err error
	if cfg.inProcess {
		out, err = vroomInProcess(ctx, file, cfg.opts)
	} else {
		self, e := os.Executable()
		if e != nil {
			row.VroomErr = e.Error()
			return
		}
		var stdout, stderr bytes.Buffer
		_, _, err = runChild(ctx, self, []string{"vrp", "-i", file, "-l", seconds, "-t", "1",
			"--seed", strconv.FormatInt(cfg.opts.seed, 10), "--iterations", strconv.Itoa(cfg.opts.iterations),
			"--stall", strconv.FormatFloat(cfg.opts.stall, 'g', -1, 64)},
			cfg.opts.timeLimit, &stdout, &stderr)
		if jerr := json.Unmarshal(stdout.Bytes(), &out); jerr != nil && err == nil {
			err = fmt.Errorf("bad output: %v", jerr)
		}
		if err != nil {
			err = fmt.Errorf("%v: %s", err, lastLine(stderr.String()))
		}
	}
	switch {
	case err != nil:
		row.VroomErr = oneLine(err.Error())
	case out.Code != 0:
		row.VroomErr = oneLine(fmt.Sprintf("code %d: %s", out.Code, out.Error))
	case out.Summary.Unassigned > 0:
		row.VroomErr = fmt.Sprintf("%d jobs unassigned", out.Summary.Unassigned)
	default:
		row.VroomCost = float64(out.Summary.Cost) / 1000
		row.VroomRoutes = out.Summary.Routes
		row.VroomSeconds = float64(out.Summary.ComputingTimes.Loading+out.Summary.ComputingTimes.Solving) / 1000
	}
}

// vroomSummaryOutput is the part of a VROOM-style answer the benchmark reads.
type vroomSummaryOutput struct {
	Code    int    `json:"code"`
	Error   string `json:"error"`
	Summary struct {
		Cost           int64 `json:"cost"`
		Routes         int   `json:"routes"`
		Unassigned     int   `json:"unassigned"`
		ComputingTimes struct {
			Loading int64 `json:"loading"`
			Solving int64 `json:"solving"`
		} `json:"computing_times"`
	} `json:"summary"`
}

// loadAverage returns the 1-minute load average from /proc/loadavg, or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

// stallNote says how the searches ended, for the section header.
func stallNote(stall float64) string {
	if stall == 0 {
		return "Every search ran to its time limit."
	}
	return fmt.Sprintf("Each search stopped at its time limit or once its best had not improved over the last %g of its iterations (`--stall`, at least 200 iterations): s is the wall time of the whole solve, s to best when the returned solution was found.", stall)
}

// bksNote says which best known solutions the gaps refer to.
func bksNote(fleet bool) string {
	if fleet {
		return "the vehicles-first best known solution (fewest vehicles, then distance; `NAME` in BKS.json): the gap is the distance gap, meaningful where the vehicles match."
	}
	return "the distance-objective best known solution for Solomon (`NAME_distance` in BKS.json), the vehicles-first one for Gehring & Homberger (a distance-only solver can beat it with more vehicles)."
}

// fleetTable sums the vehicles per set and class against the vehicles-first
// best known solutions (fleet mode): the figure fleet mode is judged by.
func fleetTable(cfg benchConfig, rows []benchRow) string {
	var b strings.Builder
	b.WriteString("### Vehicles (fleet mode)\n\n")
	b.WriteString("| set | class | instances | feasible | vehicles | BKS vehicles | avg vehicles | avg BKS vehicles | at BKS vehicles | above | below | avg gap % where vehicles match |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	line := func(set, class string, rs []benchRow, bold bool) {
		var n, feas, veh, bv, at, above, below, same int
		var gap float64
		for _, r := range rs {
			n++
			if !r.Feasible || !r.HasBKS {
				continue
			}
			feas++
			veh += r.Vehicles
			bv += r.BKSVehicles
			switch {
			case r.Vehicles == r.BKSVehicles:
				at++
				same++
				gap += r.Gap()
			case r.Vehicles > r.BKSVehicles:
				above++
			default:
				below++
			}
		}
		g := "—"
		if same > 0 {
			g = signed(gap / float64(same))
		}
		avg, avgB := 0.0, 0.0
		if feas > 0 {
			avg, avgB = float64(veh)/float64(feas), float64(bv)/float64(feas)
		}
		f := "| %s | %s | %d | %d | %d | %d | %.2f | %.2f | %d | %d | %d | %s |\n"
		if bold {
			f = "| **%s** | **%s** | %d | %d | **%d** | %d | **%.2f** | %.2f | %d | %d | %d | %s |\n"
		}
		fmt.Fprintf(&b, f, set, class, n, feas, veh, bv, avg, avgB, at, above, below, g)
	}
	for _, g := range groupRows(rows) {
		line(g.set, g.class, g.rows, false)
	}
	for _, set := range cfg.sets {
		var sr []benchRow
		for _, r := range rows {
			if r.Set == set {
				sr = append(sr, r)
			}
		}
		if len(sr) > 0 {
			line(set, "all", sr, true)
		}
	}
	b.WriteString("\nA run that failed or that the checker rejected counts as infeasible and is left out of the sums (the feasible column says how many were counted).\n\n")
	return b.String()
}
