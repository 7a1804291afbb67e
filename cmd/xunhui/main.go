// Command xunhui is the one binary of Xunhui (巡回), the planning service for
// Yingjing County's government-service circuits. It serves the HTTP API and runs
// the offline tools (migrate, seed, import, solve-vrptw, ...).
//
// Each subcommand lives in its own file and registers itself with register in
// an init function, so that features can be added without editing a central
// switch. The whole program is reachable through Main, which tests call
// directly with their own arguments and writers.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand of xunhui.
type command struct {
	// name is the word after xunhui on the command line.
	name string
	// summary is a one-line description shown by xunhui help.
	summary string
	// run executes the command with the arguments that follow its name. It
	// returns an error for the user; errUsage prints the command's usage.
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

// register adds c to the set of subcommands. It panics on a duplicate name,
// which is a programming error caught by any test that starts the binary.
func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("xunhui: duplicate command " + c.name)
	}
	commands[c.name] = c
}

// errUsage reports bad command-line arguments; the message has been printed.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Main runs xunhui with args (without the program name) and returns the exit
// status: 0 on success, 1 on failure, 2 on bad usage.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printHelp(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "xunhui: unknown command %q\n\n", args[0])
		printHelp(stderr)
		return 2
	}
	if err := c.run(ctx, args[1:], stdout, stderr); err != nil {
		if errors.Is(err, errUsage) || errors.Is(err, flag.ErrHelp) {
			return 2
		}
		fmt.Fprintf(stderr, "xunhui %s: %v\n", c.name, err)
		return 1
	}
	return 0
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "xunhui: planning service for rural government-service circuits (荥经县 巡回服务)")
	fmt.Fprintln(w, "\nUsage: xunhui COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-14s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'xunhui COMMAND -h' for a command's flags.")
}

// newFlagSet returns a flag set for a subcommand that reports errors instead
// of exiting, writing usage to stderr.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("xunhui "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}
