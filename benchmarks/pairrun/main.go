// Command pairrun times commands side by side: it runs them in turn, one
// round after another (a warm-up round first), so load from other
// processes falls on all of them alike, and prints per command the
// minimum and median wall time, the minimum and median CPU time (user +
// system, from the kernel's accounting, not 10 ms steps), the median
// number of page faults and peak RSS, then each command's wall and CPU
// over the first command's, paired round by round (min and median).
//
//	pairrun [-n ROUNDS] [-pre SHELL-COMMAND] CMD ARGS... ';;' CMD ARGS... [';;' ...]
//
// -pre runs a shell command, untimed, before every run (removing the
// previous run's outputs, say, so no run pays for replacing them).
//
// Outputs go to /dev/null; a command that fails stops the run.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"time"
)

type sample struct{ wall, cpu, faults, rssMiB float64 }

func main() {
	rounds := flag.Int("n", 21, "timed rounds")
	pre := flag.String("pre", "", "shell command run (untimed) before each run")
	flag.Parse()
	cmds := split(flag.Args())
	if len(cmds) == 0 || len(cmds[0]) == 0 {
		fmt.Fprintln(os.Stderr, "usage: pairrun [-n ROUNDS] CMD ARGS... ';;' CMD ARGS...")
		os.Exit(2)
	}
	samples := make([][]sample, len(cmds))
	for r := -1; r < *rounds; r++ {
		for i, c := range cmds {
			if *pre != "" {
				if err := exec.Command("/bin/sh", "-c", *pre).Run(); err != nil {
					fmt.Fprintf(os.Stderr, "pairrun: -pre: %v\n", err)
					os.Exit(1)
				}
			}
			s, err := runOnce(c)
			if err != nil {
				fmt.Fprintf(os.Stderr, "pairrun: %s: %v\n", strings.Join(c, " "), err)
				os.Exit(1)
			}
			if r >= 0 {
				samples[i] = append(samples[i], s)
			}
		}
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("%d rounds, %s; load average after the runs: %s", *rounds, time.Now().UTC().Format("2006-01-02 15:04 UTC"), load)
	fmt.Printf("%-56s %8s %8s %8s %8s %7s %6s\n", "command", "wall_min", "wall_med", "cpu_min", "cpu_med", "faults", "MiB")
	for i, c := range cmds {
		name := strings.Join(c, " ")
		if len(name) > 56 {
			name = name[:53] + "..."
		}
		col := func(f func(sample) float64) []float64 { return column(samples[i], f) }
		wall, cpu := col(func(s sample) float64 { return s.wall }), col(func(s sample) float64 { return s.cpu })
		fmt.Printf("%-56s %8.2f %8.2f %8.2f %8.2f %7.0f %6.1f\n", name, minOf(wall), median(wall), minOf(cpu), median(cpu),
			median(col(func(s sample) float64 { return s.faults })), median(col(func(s sample) float64 { return s.rssMiB })))
	}
	for i := 1; i < len(cmds); i++ {
		var wr, cr []float64
		for r := range samples[0] {
			wr = append(wr, samples[i][r].wall/samples[0][r].wall)
			if samples[0][r].cpu > 0 {
				cr = append(cr, samples[i][r].cpu/samples[0][r].cpu)
			}
		}
		fmt.Printf("command %d / command 0, paired: wall min %.2f median %.2f; cpu min %.2f median %.2f\n", i, minOf(wr), median(wr), minOf(cr), median(cr))
	}
}

func split(args []string) [][]string {
	cmds := [][]string{nil}
	for _, a := range args {
		if a == ";;" {
			cmds = append(cmds, nil)
			continue
		}
		cmds[len(cmds)-1] = append(cmds[len(cmds)-1], a)
	}
	return cmds
}

func runOnce(c []string) (sample, error) {
	cmd := exec.Command(c[0], c[1:]...)
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return sample{}, err
	}
	wall := time.Since(start)
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return sample{}, fmt.Errorf("no resource usage on this system")
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec)*1e3 + float64(t.Usec)/1e3 }
	return sample{
		wall:   float64(wall.Microseconds()) / 1e3,
		cpu:    tv(ru.Utime) + tv(ru.Stime),
		faults: float64(ru.Minflt + ru.Majflt),
		rssMiB: float64(ru.Maxrss) / 1024,
	}, nil
}

func column(s []sample, f func(sample) float64) []float64 {
	out := make([]float64, len(s))
	for i, x := range s {
		out[i] = f(x)
	}
	sort.Float64s(out)
	return out
}

func minOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	m := v[0]
	for _, x := range v {
		if x < m {
			m = x
		}
	}
	return m
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
