package main

import (
	"strings"
	"testing"
)

func TestDatabaseIsChosenByScheme(t *testing.T) {
	for _, c := range []struct {
		in       string
		postgres bool
		target   string
		err      string
	}{
		{in: "sqlite://mmzoom.db", target: "mmzoom.db"},
		{in: "sqlite:///var/lib/mmzoom/mmzoom.db", target: "/var/lib/mmzoom/mmzoom.db"},
		{in: "/var/lib/mmzoom/mmzoom.db", target: "/var/lib/mmzoom/mmzoom.db"},
		{in: "mmzoom.db", target: "mmzoom.db"},
		{in: "postgres://mmzoom:pw@db:5432/mmzoom?sslmode=require", postgres: true, target: "postgres://mmzoom:pw@db:5432/mmzoom?sslmode=require"},
		{in: "postgresql://db/mmzoom", postgres: true, target: "postgresql://db/mmzoom"},
		{in: "sqlite://", err: "names no SQLite file"},
		{in: "mysql://root:hunter2@db/mmzoom", err: "mysql:// is none of them"},
	} {
		got, err := parseDatabase(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("%s: error %v, want one saying %q without the password", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got.postgres != c.postgres || got.target != c.target {
			t.Errorf("%s: %+v %v, want postgres=%v %s", c.in, got, err, c.postgres, c.target)
		}
	}
}
