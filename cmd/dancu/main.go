// Command dancu runs the population registry: the HTTP server, database
// migrations and operator commands. Run "dancu help" for the commands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// DANCU_CPUPROFILE=FILE profiles any command, for the benchmarks; %p
	// in FILE is replaced by the process id, so that the servers a
	// benchmark starts each write their own.
	if path := strings.ReplaceAll(os.Getenv("DANCU_CPUPROFILE"), "%p", strconv.Itoa(os.Getpid())); path != "" {
		if f, err := os.Create(path); err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	if err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "dancu:", err)
		os.Exit(1)
	}
}
