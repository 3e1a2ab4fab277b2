package deploy

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPostgresInitScriptCreatesMmzoomDatabase runs compose/postgres-init/10-mmzoom.sh the way the postgres
// image runs its init scripts (as the administrator POSTGRES_USER, after POSTGRES_DB exists) against a
// throwaway PostgreSQL server on a Unix socket, and checks that mmzoom's role can then use its own
// database, and nothing more.
func TestPostgresInitScriptCreatesMmzoomDatabase(t *testing.T) {
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		toolMissing(t, "PostgreSQL's initdb", "postgresql")
	}
	bin := filepath.Dir(bins[len(bins)-1])
	psql := needTool(t, "psql", "postgresql-client")

	// PostgreSQL refuses to run as root: run the server as the postgres user then, in a directory it owns.
	dir, err := os.MkdirTemp("", "mmzoom-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root and there is no postgres user to run the server as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	server := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Dir = dir
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		return cmd
	}
	data := filepath.Join(dir, "data")
	if out, err := server("initdb", "-D", data, "-U", "admin", "--auth=trust", "-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	var logs strings.Builder
	pg := server("postgres", "-D", data, "-k", dir, "-c", "listen_addresses=", "-c", "fsync=off")
	pg.Stdout, pg.Stderr = &logs, &logs
	exited := startProcess(t, pg)
	t.Cleanup(func() {
		// An immediate shutdown takes the server's own processes down with it.
		_ = pg.Process.Signal(syscall.SIGQUIT)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
		}
	})
	socket := filepath.Join(dir, ".s.PGSQL.5432")
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(socket); err == nil {
			if exec.Command(filepath.Join(bin, "pg_isready"), "-h", dir, "-U", "admin").Run() == nil {
				break
			}
		}
		select {
		case <-exited:
			t.Fatalf("postgres exited:\n%s", logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("postgres is not ready after 20 s:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	sql := func(role, db, query string) (string, error) {
		out, err := exec.Command(psql, "-h", dir, "-U", role, "-d", db, "-v", "ON_ERROR_STOP=1", "-At", "-c", query).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	// The postgres image creates POSTGRES_DB (Mattermost's) before it runs the init scripts.
	if out, err := sql("admin", "postgres", "CREATE DATABASE mattermost"); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	script, _ := filepath.Abs("compose/postgres-init/10-mmzoom.sh")
	run := exec.Command("sh", script)
	run.Env = append(os.Environ(), "PGHOST="+dir, "POSTGRES_USER=admin", "POSTGRES_DB=mattermost",
		"MMZOOM_DB=mmzoom", "MMZOOM_DB_USER=mmzoom", "MMZOOM_DB_PASSWORD=it's a \"secret\"")
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("10-mmzoom.sh: %v\n%s", err, out)
	}

	if out, err := sql("mmzoom", "mmzoom", "CREATE TABLE probe (x int); SELECT current_user || ' ' || current_database()"); err != nil || !strings.HasSuffix(out, "mmzoom mmzoom") {
		t.Errorf("mmzoom cannot use its database: %v: %q", err, out)
	}
	if out, err := sql("admin", "postgres", "SELECT rolsuper, rolcreatedb, rolcreaterole, rolpassword IS NOT NULL FROM pg_authid WHERE rolname = 'mmzoom'"); err != nil || out != "f|f|f|t" {
		t.Errorf("the mmzoom role is %q (superuser|createdb|createrole|has a password), want f|f|f|t: %v", out, err)
	}
	if out, err := sql("admin", "postgres", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'mmzoom'"); err != nil || out != "mmzoom" {
		t.Errorf("the mmzoom database belongs to %q, want mmzoom: %v", out, err)
	}
}
