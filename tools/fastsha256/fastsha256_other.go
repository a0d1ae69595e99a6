//go:build !amd64

package fastsha256

func useSHANI() bool { return false }

func blockSHANI(*[8]uint32, []byte) { panic("fastsha256: no SHA instructions") }
