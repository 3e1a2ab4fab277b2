package deploy

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// The Compose example is loaded with compose-go, the library `docker compose` itself loads files with
// (schema validation, interpolation from .env, normalisation), with env.example as the .env file: what
// `docker compose config` would do. Starting the containers needs an engine, which is not verifiable here.

const composeDir = "compose"

func loadCompose(t *testing.T) *types.Project {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{filepath.Join(composeDir, "docker-compose.yml")},
		cli.WithName("mmzoom"),
		cli.WithWorkingDirectory(composeDir),
		cli.WithEnvFiles(filepath.Join(composeDir, "env.example")),
		cli.WithDotEnv,
	)
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker compose would refuse docker-compose.yml: %v", err)
	}
	return p
}

// TestComposeVariables checks that every ${VARIABLE} the Compose file uses is set in env.example, so that
// `cp env.example .env` leaves nothing blank by accident.
func TestComposeVariables(t *testing.T) {
	yml, err := os.ReadFile(filepath.Join(composeDir, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	env, err := os.ReadFile(filepath.Join(composeDir, "env.example"))
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	for _, line := range strings.Split(string(env), "\n") {
		if k, _, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(k, "#") {
			set[k] = true
		}
	}
	for _, m := range regexp.MustCompile(`\$\{([A-Z0-9_]+)\}`).FindAllStringSubmatch(string(yml), -1) {
		if !set[m[1]] {
			t.Errorf("docker-compose.yml uses ${%s}, which env.example does not set", m[1])
		}
	}
	// Bare names in an environment list come from .env too: one env.example lacks stays unset.
	for name, s := range loadCompose(t).Services {
		for k, v := range s.Environment {
			if v == nil {
				t.Errorf("docker-compose.yml passes %s to %s, which env.example does not set", k, name)
			}
		}
	}
}

// TestCompose pins what the example promises: Mattermost's PostgreSQL layout, mmzoom in its own database
// on the same server, hardened containers, and nothing published beyond loopback.
func TestCompose(t *testing.T) {
	p := loadCompose(t)
	for _, name := range []string{"postgres", "mattermost", "mmzoom"} {
		if _, ok := p.Services[name]; !ok {
			t.Fatalf("no %s service; services: %v", name, p.ServiceNames())
		}
	}
	env := func(svc, key string) string {
		v := p.Services[svc].Environment[key]
		if v == nil {
			t.Errorf("%s: %s is not set", svc, key)
			return ""
		}
		return *v
	}
	mm, err := url.Parse(env("mattermost", "MM_SQLSETTINGS_DATASOURCE"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := url.Parse(env("mmzoom", "MMZOOM_DATABASE"))
	if err != nil {
		t.Fatal(err)
	}
	if db.Scheme != "postgres" || db.Host != mm.Host || db.Path == mm.Path || db.User.Username() == mm.User.Username() {
		t.Errorf("MMZOOM_DATABASE is %s://%s%s as %s; want mmzoom's own database and role on Mattermost's server %s (Mattermost: %s as %s)",
			db.Scheme, db.Host, db.Path, db.User.Username(), mm.Host, mm.Path, mm.User.Username())
	}
	documented := documentedVars(t)
	for k := range p.Services["mmzoom"].Environment {
		if !documented[k] && k != "TZ" {
			t.Errorf("mmzoom is given %s, which the README's environment table does not list", k)
		}
	}
	if got := env("mmzoom", "MMZOOM_MATTERMOST_URL"); got != "http://mattermost:8065" {
		t.Errorf("MMZOOM_MATTERMOST_URL=%q, want Mattermost inside the Compose network", got)
	}

	z := p.Services["mmzoom"]
	if z.Build == nil || z.Build.Dockerfile != "Dockerfile" {
		t.Errorf("mmzoom is not built from the repository's Dockerfile: %+v", z.Build)
	} else if abs, _ := filepath.Abs(".."); z.Build.Context != abs {
		t.Errorf("mmzoom's build context is %s, want the repository root %s", z.Build.Context, abs)
	}
	if !z.ReadOnly || !slices.Contains(z.CapDrop, "ALL") || !slices.Contains(z.SecurityOpt, "no-new-privileges:true") {
		t.Errorf("mmzoom: read_only %v, cap_drop %v, security_opt %v; want a read-only root, no capabilities, no-new-privileges",
			z.ReadOnly, z.CapDrop, z.SecurityOpt)
	}
	if !slices.ContainsFunc(z.Volumes, func(v types.ServiceVolumeConfig) bool { return v.Type == "volume" && v.Target == "/var/lib/mmzoom" }) {
		t.Errorf("mmzoom has no named volume on /var/lib/mmzoom (the image's VOLUME): %+v", z.Volumes)
	}
	if dep, ok := z.DependsOn["postgres"]; !ok || dep.Condition != types.ServiceConditionHealthy || p.Services["postgres"].HealthCheck == nil {
		t.Errorf("mmzoom does not wait for a healthy postgres")
	}
	for name, s := range p.Services {
		for _, port := range s.Ports {
			if port.HostIP != "127.0.0.1" {
				t.Errorf("%s publishes port %d on %q: everything public goes through the host's reverse proxy", name, port.Target, port.HostIP)
			}
		}
	}
	init := slices.IndexFunc(p.Services["postgres"].Volumes, func(v types.ServiceVolumeConfig) bool {
		return v.Target == "/docker-entrypoint-initdb.d"
	})
	if init < 0 {
		t.Errorf("postgres does not mount postgres-init/ (mmzoom's role and database)")
	}
}

// TestPostgresInitScript checks the script that creates mmzoom's role and database: valid sh, and using
// the variables Compose hands the postgres container.
func TestPostgresInitScript(t *testing.T) {
	const script = "compose/postgres-init/10-mmzoom.sh"
	if out, err := exec.Command("sh", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("sh -n %s: %v\n%s", script, err, out)
	}
	b, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(script)
	if fi.Mode()&0o111 == 0 {
		t.Errorf("%s is not executable", script)
	}
	passed := loadCompose(t).Services["postgres"].Environment
	for _, m := range regexp.MustCompile(`\$\{?([A-Z][A-Z0-9_]+)`).FindAllStringSubmatch(string(b), -1) {
		if _, ok := passed[m[1]]; !ok {
			t.Errorf("%s reads $%s, which the postgres service is not given", script, m[1])
		}
	}
}
