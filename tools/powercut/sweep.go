package powercut

import (
	"errors"
	"fmt"
	"math/rand"
	"sort"
	"strings"
)

// Device is one simulated device in a scenario.
type Device interface {
	// Update runs the whole update: the application stages the new
	// firmware, resets, and the boot code installs it. Storage operations
	// go through the device's Power.
	Update() error
	// Boot powers the device up and runs the boot code to completion; it
	// returns which firmware started: "old", "new", or a description of
	// anything else.
	Boot() (string, error)
}

// Scenario builds devices holding the old firmware, with a new one to
// install.
type Scenario struct {
	Name string
	New  func(p *Power) Device
}

// Options bound the sweep.
type Options struct {
	Torn       bool  // also tear the operation in flight at each cut
	Exhaustive int   // cut after every operation when there are at most this many
	Samples    int   // otherwise: this many seeded random cut points plus all boundaries
	Seed       int64 // for samples and torn contents
}

// Violation is a cut point after which the device did not behave.
type Violation struct {
	Cut      int // operations completed before the cut
	Torn     bool
	LastDone string // the last completed operation
	Lost     string // the operation the cut interrupted
	Got      string
}

func (v Violation) String() string {
	torn := ""
	if v.Torn {
		torn = ", torn"
	}
	return fmt.Sprintf("cut after op %d (%s) before op %d (%s)%s: %s", v.Cut, v.LastDone, v.Cut+1, v.Lost, torn, v.Got)
}

// Report summarises a sweep.
type Report struct {
	Scenario   string
	Ops        int // operations of a complete update
	CutPoints  int // distinct cut points tried
	Runs       int // cut runs (cut points x torn or not)
	Exhaustive bool
	StartedOld int // runs where the first boot after the cut started the old firmware
	StartedNew int
	Restarted  int // runs where a restarted update then completed
	Violations []Violation
}

func (r Report) String() string {
	mode := "exhaustive"
	if !r.Exhaustive {
		mode = "sampled + boundaries"
	}
	return fmt.Sprintf("%s: %d operations, %d cut points (%s), %d runs: old %d, new %d, restarted update completed %d, violations %d",
		r.Scenario, r.Ops, r.CutPoints, mode, r.Runs, r.StartedOld, r.StartedNew, r.Restarted, len(r.Violations))
}

// FirstViolation is the earliest cut point that failed (nil if none).
func (r Report) FirstViolation() *Violation {
	if len(r.Violations) == 0 {
		return nil
	}
	return &r.Violations[0]
}

// Sweep runs the scenario once without a cut (which must install the new
// firmware), then once per cut point.
func Sweep(s Scenario, o Options) (Report, error) {
	rep := Report{Scenario: s.Name}
	ref := NewPower()
	d := s.New(ref)
	if err := d.Update(); err != nil {
		return rep, fmt.Errorf("%s: uninterrupted update: %v", s.Name, err)
	}
	if got, err := d.Boot(); err != nil || got != "new" {
		return rep, fmt.Errorf("%s: uninterrupted update starts %q (%v), not the new firmware", s.Name, got, err)
	}
	rep.Ops = ref.Ops()
	points := cutPoints(ref.labels, o)
	rep.CutPoints, rep.Exhaustive = len(points), len(points) == rep.Ops
	label := func(i int) string {
		if i < 1 || i > len(ref.labels) {
			return "none"
		}
		return ref.labels[i-1]
	}
	for _, k := range points {
		for _, torn := range []bool{false, true} {
			if torn && !o.Torn {
				continue
			}
			rep.Runs++
			got := runCut(s, k, torn, o.Seed, &rep)
			if got != "" {
				rep.Violations = append(rep.Violations, Violation{Cut: k, Torn: torn, LastDone: label(k), Lost: label(k + 1), Got: got})
			}
		}
	}
	return rep, nil
}

// runCut returns "" when the device behaved after a cut at k.
func runCut(s Scenario, k int, torn bool, seed int64, rep *Report) string {
	p := NewCutPower(k, torn, seed)
	d := s.New(p)
	if err := d.Update(); !errors.Is(err, ErrPowerCut) {
		return fmt.Sprintf("update did not hit the cut (err %v)", err)
	}
	p.Restore()
	got, err := d.Boot()
	if err != nil {
		return "boot: " + err.Error()
	}
	switch got {
	case "new":
		rep.StartedNew++
		if again, err := d.Boot(); again != "new" || err != nil {
			return fmt.Sprintf("started new, then %q on the next boot (%v)", again, err)
		}
		return ""
	case "old":
		rep.StartedOld++
	default:
		return "started " + got
	}
	if err := d.Update(); err != nil {
		return "restarted update: " + err.Error()
	}
	if again, err := d.Boot(); again != "new" || err != nil {
		return fmt.Sprintf("restarted update then starts %q (%v)", again, err)
	}
	rep.Restarted++
	return ""
}

// cutPoints is every k in [0, ops) when that is small enough; otherwise
// the first and last operation of each phase (an operation whose label's
// kind differs from its predecessor's) with their neighbours, plus
// seeded random points.
func cutPoints(labels []string, o Options) []int {
	n := len(labels)
	if n <= o.Exhaustive {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	set := map[int]bool{0: true, n - 1: true}
	for i := 1; i < n; i++ {
		if kind(labels[i]) != kind(labels[i-1]) {
			for _, k := range []int{i - 1, i, i + 1} {
				if k >= 0 && k < n {
					set[k] = true
				}
			}
		}
	}
	r := rand.New(rand.NewSource(o.Seed))
	for i := 0; i < o.Samples; i++ {
		set[r.Intn(n)] = true
	}
	out := make([]int, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

// kind drops the address from an operation label ("alt: program 0x40" ->
// "alt: program").
func kind(label string) string {
	if i := strings.LastIndex(label, " 0x"); i >= 0 {
		return label[:i]
	}
	return label
}

func sortedKeys(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
