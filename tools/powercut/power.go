// Package powercut proves update protocols safe against power loss. It
// models the storage an update writes (NOR-style NVM with erase blocks and
// program units, an eMMC with two boot partitions), runs an update with the
// power cut after every single storage operation (optionally tearing the
// operation in flight), powers the device up again, lets the boot code run
// to completion and checks what starts: always the old or the new firmware,
// byte for byte, and a restarted update always completes.
package powercut

import (
	"math/rand"

	"github.com/rules-firmware/rules_firmware/tools/staticerr"
)

// ErrPowerCut is returned by every storage operation once power is lost.
var ErrPowerCut error = &staticerr.Error{Text: "power cut"}

// Power counts storage operations and cuts the power after a chosen one.
type Power struct {
	ops      int
	cutAfter int  // cut after this many completed operations; -1: never
	torn     bool // the operation in flight at the cut is partly applied
	dead     bool
	record   bool
	labels   []string
	rng      *rand.Rand
}

// NewPower returns a supply that never fails and records what each
// operation was (the reference run).
func NewPower() *Power { return &Power{cutAfter: -1, record: true} }

// NewCutPower returns a supply that fails after k completed operations.
func NewCutPower(k int, torn bool, seed int64) *Power {
	return &Power{cutAfter: k, torn: torn, rng: rand.New(rand.NewSource(seed + int64(k)))}
}

// Step is called before each operation. It returns cut=true when the
// operation must not complete; partial=true when it must be applied partly
// (a torn write or erase).
func (p *Power) Step(label func() string) (cut, partial bool) {
	if p.dead {
		return true, false
	}
	if p.ops == p.cutAfter {
		p.dead = true
		return true, p.torn
	}
	p.ops++
	if p.record {
		p.labels = append(p.labels, label())
	}
	return false, false
}

// Restore turns power back on; no further cut happens.
func (p *Power) Restore() { p.dead, p.cutAfter = false, -1 }

// Ops is the number of completed operations.
func (p *Power) Ops() int { return p.ops }

// Cut reports whether the power has been cut.
func (p *Power) Cut() bool { return p.dead }

// Rand is the seeded source torn operations draw from.
func (p *Power) Rand() *rand.Rand {
	if p.rng == nil {
		p.rng = rand.New(rand.NewSource(1))
	}
	return p.rng
}
