package seekhole

// macOS <sys/unistd.h> numbers them the other way round from Linux.
const (
	whenceHole = 3
	whenceData = 4
)
