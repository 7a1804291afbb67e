package sqlstore

import (
	"context"
	"reflect"

	"github.com/yingjing/xunhui/data"
)

// textGuard wraps a Tx so that no statement receives a text argument that
// PostgreSQL refuses (a NUL character, invalid UTF-8) and SQLite would keep:
// both stores answer such a write with the same Invalid error instead of one
// storing it and the other failing. Every store method runs through it (see
// Store.tx), including methods added later. Inputs are checked again, with
// the field named, at the edges (api, data/seed); this is the backstop.
type textGuard struct{ Tx }

func (g textGuard) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	if err := checkArgs(args); err != nil {
		return 0, err
	}
	return g.Tx.Exec(ctx, q, args...)
}

func (g textGuard) Query(ctx context.Context, q string, args ...any) (Rows, error) {
	if err := checkArgs(args); err != nil {
		return nil, err
	}
	return g.Tx.Query(ctx, q, args...)
}

func (g textGuard) QueryRow(ctx context.Context, q string, args ...any) Row {
	if err := checkArgs(args); err != nil {
		return errRow{err}
	}
	return g.Tx.QueryRow(ctx, q, args...)
}

// errRow is a Row whose Scan fails with err.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// checkArgs rejects string arguments (and string-kinded named types such as
// data.Date, and pointers to them) that TextProblem refuses.
func checkArgs(args []any) error {
	for _, a := range args {
		v := reflect.ValueOf(a)
		if v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		if v.Kind() != reflect.String {
			continue
		}
		if msg := data.TextProblem(v.String()); msg != "" {
			return &data.Error{Kind: data.Invalid, Field: "text", Message: "a text value " + msg}
		}
	}
	return nil
}
