package data

import "context"

type dryRunKey struct{}

// DryRun returns a context under which Store writes do all their checks
// (validation, references, versions) as usual and then roll back: nothing
// is written, and a nil error means the write would have succeeded. Output
// parameters (assigned ids, versions) are filled in as if it had.
//
// It lets an import report the bad rows the store would find together with
// the rows its parser rejected, before writing anything.
func DryRun(ctx context.Context) context.Context {
	return context.WithValue(ctx, dryRunKey{}, true)
}

// IsDryRun reports whether ctx was made by DryRun.
func IsDryRun(ctx context.Context) bool {
	v, _ := ctx.Value(dryRunKey{}).(bool)
	return v
}
