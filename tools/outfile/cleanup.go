package outfile

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// Temporary files and directories are removed by the code that made them
// on every return path; a signal (Ctrl-C, a build tool's kill) would skip
// those defers, so each one is also registered here, and the first
// SIGINT, SIGTERM or SIGHUP runs every registered undo (newest first)
// before the process dies of that signal as it would have.

var cleanups struct {
	sync.Mutex
	next    int
	undo    map[int]func()
	handler sync.Once
}

// OnSignal registers undo to run if the process is interrupted before
// the returned cancel is called. Call cancel once the thing undo removes
// is gone or has been renamed into place.
func OnSignal(undo func()) (cancel func()) {
	id := register(undo)
	return func() { unregister(id) }
}

func register(undo func()) int {
	cleanups.handler.Do(installHandler)
	cleanups.Lock()
	defer cleanups.Unlock()
	return registerLocked(undo)
}

func registerLocked(undo func()) int {
	if cleanups.undo == nil {
		cleanups.undo = map[int]func(){}
	}
	id := cleanups.next
	cleanups.next++
	cleanups.undo[id] = undo
	return id
}

// made runs create (which makes a file or directory and returns its path)
// and registers undo for that path as one step, so a signal cannot fall
// between the creation and the registration.
func made(create func() (string, error), undo func(path string)) (string, int, error) {
	cleanups.handler.Do(installHandler)
	cleanups.Lock()
	defer cleanups.Unlock()
	p, err := create()
	if err != nil {
		return "", 0, err
	}
	return p, registerLocked(func() { undo(p) }), nil
}

func unregister(id int) {
	cleanups.Lock()
	delete(cleanups.undo, id)
	cleanups.Unlock()
}

// settle runs step (a rename into place) and unregisters id as one
// action a signal cannot split.
func settle(id int, step func() error) error {
	cleanups.Lock()
	defer cleanups.Unlock()
	err := step()
	delete(cleanups.undo, id)
	return err
}

// TempDir makes a temporary directory (in os.TempDir() when dir is empty)
// that is removed with everything in it by the returned function, or on a
// signal.
func TempDir(dir, pattern string) (string, func(), error) {
	p, id, err := made(func() (string, error) { return os.MkdirTemp(dir, pattern) }, removeAll)
	if err != nil {
		return "", nil, err
	}
	return p, func() {
		os.RemoveAll(p)
		unregister(id)
	}, nil
}

func removeAll(p string) { os.RemoveAll(p) }

func remove(p string) { os.Remove(p) }

var exitSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

func installHandler() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, exitSignals...)
	go func() {
		sig := <-ch
		runCleanups()
		// Die of the signal, as without the handler (the exit status
		// tells the parent we were killed).
		signal.Reset(exitSignals...)
		if p, err := os.FindProcess(os.Getpid()); err == nil {
			p.Signal(sig)
		}
		time.Sleep(time.Second)
		code := 1
		if s, ok := sig.(syscall.Signal); ok {
			code = 128 + int(s)
		}
		os.Exit(code)
	}()
}

// runCleanups runs every undo and keeps the registry locked, so no
// output is renamed into place while the process goes down.
func runCleanups() {
	cleanups.Lock()
	for id := cleanups.next - 1; id >= 0; id-- {
		if f, ok := cleanups.undo[id]; ok {
			f()
			delete(cleanups.undo, id)
		}
	}
}
