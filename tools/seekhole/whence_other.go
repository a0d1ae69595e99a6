//go:build !darwin && !windows

package seekhole

// Linux, FreeBSD and illumos numbering. Systems without SEEK_DATA (OpenBSD,
// NetBSD) reject whence 3 and 4 with EINVAL.
const (
	whenceData = 3
	whenceHole = 4
)
