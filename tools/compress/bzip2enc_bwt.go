package compress

// bwtSort sorts the rotations of block[:n] into ptr and returns the
// origin pointer (where rotation 0 lands), as bzip2 would.
func (e *bzEncoder) bwtSort(block []byte, n int, ptr []int32) int {
	return e.bzRefSort(block, n, ptr)
}
