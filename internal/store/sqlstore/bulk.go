package sqlstore

import (
	"fmt"
	"strings"
)

// Bulk statements: many rows in one statement. SQLite takes them as a
// multi-row VALUES list under its parameter limit; PostgreSQL as one
// array per column (unnest), whose text is the same for any number of
// rows, so pgx prepares it once per connection and the server parses no
// parameter list 30,000 long.

// Column types of bulk statements, as PostgreSQL names them.
const (
	tInt   = "bigint"
	tText  = "text"
	tFloat = "double precision"
)

// rowsPer returns how many rows of cols columns one statement carries.
func (db *DB) rowsPer(cols int) int {
	if db.D.Arrays {
		return 1 << 16
	}
	return max(1, db.D.MaxParams/cols)
}

// rowsSQL returns the row source of n rows of the given column types,
// for INSERT … <rows>: VALUES (?,?),(?,?)… or SELECT * FROM unnest(…).
func (db *DB) rowsSQL(types []string, n int) string {
	if db.D.Arrays {
		var b strings.Builder
		b.WriteString("SELECT * FROM unnest(")
		for i, t := range types {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("?::" + t + "[]")
		}
		b.WriteByte(')')
		return b.String()
	}
	return "VALUES " + tuples(n, len(types))
}

// rowsArgs returns the arguments of rowsSQL for args given row by row.
func (db *DB) rowsArgs(types []string, args []any) []any {
	if !db.D.Arrays {
		return args
	}
	k := len(types)
	n := len(args) / k
	out := make([]any, k)
	for c, t := range types {
		switch t {
		case tInt:
			col := make([]*int64, n)
			for r := range n {
				col[r] = asInt(args[r*k+c])
			}
			out[c] = col
		case tFloat:
			col := make([]*float64, n)
			for r := range n {
				if v := args[r*k+c]; v != nil {
					f := v.(float64)
					col[r] = &f
				}
			}
			out[c] = col
		default:
			col := make([]*string, n)
			for r := range n {
				if v := args[r*k+c]; v != nil {
					s := v.(string)
					col[r] = &s
				}
			}
			out[c] = col
		}
	}
	return out
}

func asInt(v any) *int64 {
	var x int64
	switch v := v.(type) {
	case nil:
		return nil
	case int64:
		x = v
	case int:
		x = int64(v)
	default:
		panic(fmt.Sprintf("sqlstore: bulk integer column given %T", v))
	}
	return &x
}

// inChunk returns how many values one IN list carries.
func (db *DB) inChunk() int {
	if db.D.Arrays {
		return 1 << 16
	}
	return max(1, db.D.MaxParams)
}

// in returns "col IN (?,?…)", or "col = ANY(?)" with one array, and its
// arguments; vals is []int64 or []string.
func (db *DB) in(col string, vals any) (string, []any) {
	switch v := vals.(type) {
	case []int64:
		if db.D.Arrays {
			return col + " = ANY(?::bigint[])", []any{v}
		}
		return col + " IN (" + placeholders(len(v)) + ")", int64Args(v)
	case []string:
		if db.D.Arrays {
			return col + " = ANY(?::text[])", []any{v}
		}
		return col + " IN (" + placeholders(len(v)) + ")", stringArgs(v)
	}
	panic(fmt.Sprintf("sqlstore: IN list of %T", vals))
}
