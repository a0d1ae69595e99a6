//go:build amd64

package fastsha256

import "sync"

// useSHANI reports CPUID leaf 7 EBX bit 29 (SHA) and leaf 1 ECX bits 9
// (SSSE3) and 19 (SSE4.1), the instructions blockSHANI uses. It asks on
// first use, not at start-up: in a virtual machine every CPUID traps to
// the hypervisor (3 us each on the benchmark VM), and most fwtool calls
// hash nothing.
func useSHANI() bool {
	shaniOnce.Do(func() {
		maxLeaf, _, _, _ := cpuid(0, 0)
		if maxLeaf < 7 {
			return
		}
		_, _, ecx1, _ := cpuid(1, 0)
		_, ebx7, _, _ := cpuid(7, 0)
		shani = ecx1&(1<<9) != 0 && ecx1&(1<<19) != 0 && ebx7&(1<<29) != 0
	})
	return shani
}

var (
	shaniOnce sync.Once
	shani     bool
)

func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

// blockSHANI hashes the whole 64-byte blocks of p into dig.
//
//go:noescape
func blockSHANI(dig *[8]uint32, p []byte)
