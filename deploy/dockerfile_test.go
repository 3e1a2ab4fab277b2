package deploy

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	"github.com/opencontainers/go-digest"
)

// No container engine runs on the machines that test mmzoom (hadolint is not packaged for Debian either),
// so the Dockerfile is checked with BuildKit's own code: the parser and the build checks that
// `docker build --check` runs, with base images described by offlineImages instead of a registry. What an
// engine would add — pulling the bases, running the RUN steps in them — is covered by running the build
// stage's RUN commands here (TestDockerBuildStage) on the repository, the way the Dockerfile runs them.

const dockerfilePath = "../Dockerfile"

// offlineImages answers BuildKit's image-config look-ups with what the real base images declare, and
// records which images were asked for.
type offlineImages struct{ asked []string }

var _ sourceresolver.ImageMetaResolver = (*offlineImages)(nil)

func (o *offlineImages) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	o.asked = append(o.asked, ref)
	cfg := map[string]any{"Env": []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}}
	switch {
	case strings.HasPrefix(ref, "docker.io/library/golang:"):
		cfg = map[string]any{"Env": []string{"PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"GOLANG_VERSION=1.26.8", "GOTOOLCHAIN=local", "GOPATH=/go"}, "WorkingDir": "/go"}
	case strings.HasPrefix(ref, "gcr.io/distroless/"):
		cfg = map[string]any{"Env": []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"}, "User": "65532", "WorkingDir": "/home/nonroot"}
	}
	img, err := json.Marshal(map[string]any{"architecture": runtime.GOARCH, "os": "linux", "config": cfg,
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{digest.FromString(ref).String()}}})
	return ref, "", img, err
}

func readDockerfile(t *testing.T) []byte {
	t.Helper()
	dt, err := os.ReadFile(dockerfilePath)
	if err != nil {
		t.Fatal(err)
	}
	return dt
}

// TestDockerfileLint runs BuildKit's build checks over the Dockerfile: no warning and no error.
func TestDockerfileLint(t *testing.T) {
	dt := readDockerfile(t)
	images := &offlineImages{}
	src := llb.NewSourceMap(nil, "Dockerfile", "Dockerfile", dt)
	src.Definition = &llb.Definition{} // the results name their source; no build context is involved
	res, err := dockerfile2llb.DockerfileLint(context.Background(), dt, dockerfile2llb.ConvertOpt{
		SourceMap:    src,
		MetaResolver: images,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Error != nil {
		t.Errorf("BuildKit cannot build the Dockerfile: %s (line %v)", res.Error.Message, res.Error.Location.Ranges)
	}
	for _, w := range res.Warnings {
		line := 0
		if w.Location != nil && len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		t.Errorf("Dockerfile:%d: %s: %s (%s)", line, w.RuleName, w.Detail, w.URL)
	}
	// The checks only mean something if they saw both stages' bases.
	for _, want := range []string{"docker.io/library/golang:", "gcr.io/distroless/static-debian12:nonroot"} {
		if !slices.ContainsFunc(images.asked, func(r string) bool { return strings.HasPrefix(r, want) }) {
			t.Errorf("BuildKit never looked up %s; it asked for %v", want, images.asked)
		}
	}
}

// stages parses the Dockerfile into its stages, the way BuildKit does.
func stages(t *testing.T, dt []byte) []instructions.Stage {
	t.Helper()
	ast, err := parser.Parse(bytes.NewReader(dt))
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestDockerfileEssentials pins what an admin relies on in the image: a multi-stage build whose runtime
// stage copies only the binary, runs as a non-root user, keeps the database in a volume, exposes the port
// mmzoom listens on, and has a HEALTHCHECK that needs no shell.
func TestDockerfileEssentials(t *testing.T) {
	st := stages(t, readDockerfile(t))
	if len(st) < 2 {
		t.Fatalf("%d stage(s), want a build stage and a runtime stage", len(st))
	}
	build, final := st[0], st[len(st)-1]
	if final.BaseName == build.BaseName || !strings.Contains(final.BaseName, "distroless/static") {
		t.Errorf("runtime base %q, want a distroless static image apart from the build stage's %q", final.BaseName, build.BaseName)
	}
	var runs []string
	for _, c := range build.Commands {
		if r, ok := c.(*instructions.RunCommand); ok {
			runs = append(runs, strings.Join(r.CmdLine, " "))
		}
	}
	if !slices.ContainsFunc(runs, func(r string) bool {
		return strings.Contains(r, "CGO_ENABLED=0") && strings.Contains(r, "go build") && strings.Contains(r, "./cmd/mmzoom")
	}) {
		t.Errorf("no RUN in the build stage builds ./cmd/mmzoom with CGO_ENABLED=0: %q", runs)
	}

	var (
		user, entry         string
		env                 = map[string]string{}
		volumes, exposed    []string
		health              []string
		copiedFromBuild     []string
		healthIntervalValid bool
	)
	for _, c := range final.Commands {
		switch c := c.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				env[kv.Key] = kv.Value
			}
		case *instructions.VolumeCommand:
			volumes = append(volumes, c.Volumes...)
		case *instructions.ExposeCommand:
			exposed = append(exposed, c.Ports...)
		case *instructions.HealthCheckCommand:
			health = c.Health.Test
			healthIntervalValid = c.Health.Interval > 0 && c.Health.Timeout > 0 && c.Health.Timeout < c.Health.Interval
		case *instructions.EntrypointCommand:
			if !c.PrependShell && len(c.CmdLine) > 0 {
				entry = c.CmdLine[0]
			}
		case *instructions.CopyCommand:
			if c.From == build.Name {
				copiedFromBuild = append(copiedFromBuild, c.DestPath)
			}
		case *instructions.RunCommand:
			t.Errorf("the runtime stage runs %q: it has no shell", c.CmdLine)
		}
	}
	if user == "" || user == "root" || user == "0" || strings.HasPrefix(user, "0:") || strings.HasPrefix(user, "root:") {
		t.Errorf("USER %q in the runtime stage, want a non-root user", user)
	}
	if entry == "" || !slices.Contains(copiedFromBuild, entry) {
		t.Errorf("ENTRYPOINT %q (exec form) is not the binary copied from the build stage (%v)", entry, copiedFromBuild)
	}
	db, ok := strings.CutPrefix(env["MMZOOM_DATABASE"], "sqlite://")
	if !ok || !slices.ContainsFunc(volumes, func(v string) bool { return strings.HasPrefix(db, strings.TrimSuffix(v, "/")+"/") }) {
		t.Errorf("MMZOOM_DATABASE=%q is not inside a VOLUME (%v): the database would die with the container", env["MMZOOM_DATABASE"], volumes)
	}
	if !slices.ContainsFunc(copiedFromBuild, func(d string) bool { return slices.Contains(volumes, d) }) {
		t.Errorf("the volume directory %v is not created with the non-root user as owner (COPY --chown from the build stage)", volumes)
	}
	_, port, _ := strings.Cut(env["MMZOOM_LISTEN"], ":")
	if port == "" || !slices.Contains(exposed, port) && !slices.Contains(exposed, port+"/tcp") {
		t.Errorf("MMZOOM_LISTEN=%q but EXPOSE %v", env["MMZOOM_LISTEN"], exposed)
	}
	if len(health) < 2 || health[0] != "CMD" || !slices.Contains(health, entry) || health[len(health)-1] != "healthcheck" {
		t.Errorf("HEALTHCHECK %q, want CMD [%q, \"healthcheck\"] (exec form: no shell in the image)", health, entry)
	}
	if !healthIntervalValid {
		t.Errorf("HEALTHCHECK needs an interval and a shorter timeout")
	}
}

// dockerignore reads the repository's .dockerignore with the code Docker reads it with.
func dockerignore(t *testing.T) *patternmatcher.PatternMatcher {
	t.Helper()
	f, err := os.Open("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatal(err)
	}
	return pm
}

// buildContext copies the repository into a new directory the way `docker build .` sends it: without what
// .dockerignore excludes.
func buildContext(t *testing.T) string {
	t.Helper()
	pm := dockerignore(t)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if rel == "." {
			return nil
		}
		if skip, err := pm.MatchesOrParentMatches(filepath.ToSlash(rel)); err != nil || skip {
			if d.IsDir() && err == nil && !pm.Exclusions() {
				return filepath.SkipDir
			}
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestDockerignore checks that secrets, databases and bulky directories stay out of the build context
// and that what the build needs stays in.
func TestDockerignore(t *testing.T) {
	pm := dockerignore(t)
	for path, excluded := range map[string]bool{
		".env": true, "deploy/compose/.env": true, "cmd/mmzoom/.env": true, "mmzoom.env": true,
		"mmzoom.db": true, "var/mmzoom.db-wal": true, ".git/config": true, "webapp/node_modules/react/index.js": true,
		"webapp/src/plugin.tsx": true, "mmzoom": true,
		"go.mod": false, "go.sum": false, "cmd/mmzoom/main.go": false, "cmd/mmzoom/plugin/com.mmzoom.meetings.tar.gz": false,
		"sqlite/migrations/0001_init.sql": false, "i18n/catalogs/ja.json": false, "sim/mmsim/webui/index.html": false,
	} {
		got, err := pm.MatchesOrParentMatches(path)
		if err != nil || got != excluded {
			t.Errorf("%s excluded from the build context: %v (%v), want %v", path, got, err, excluded)
		}
	}
}

// TestDockerBuildStage runs the build stage's RUN commands on the build context (the repository less what
// .dockerignore excludes), as the Dockerfile runs them in /src (with /out in a temporary directory), and
// checks what they produce: a static Linux binary that runs. This is the part of `docker build` that can
// go wrong with the code.
func TestDockerBuildStage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds mmzoom with the image's flags (-trimpath, CGO_ENABLED=0), a cold build the first time")
	}
	st := stages(t, readDockerfile(t))
	root := buildContext(t)
	out := t.TempDir()
	for _, c := range st[0].Commands {
		r, ok := c.(*instructions.RunCommand)
		if !ok {
			continue
		}
		line := strings.ReplaceAll(strings.Join(r.CmdLine, " "), "/out/", out+"/")
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
		cmd := exec.CommandContext(ctx, "sh", "-c", line)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "TARGETOS=linux", "TARGETARCH="+runtime.GOARCH)
		b, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("RUN %s: %v\n%s", line, err, b)
		}
	}
	bin := filepath.Join(out, "mmzoom")
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("the build stage made no Linux binary at /out/mmzoom: %v", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("/out/mmzoom asks for a dynamic loader: it would not start in a distroless static image")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("/out/mmzoom needs shared libraries %v", libs)
	}
	if fi, err := os.Stat(filepath.Join(out, "state")); err != nil || !fi.IsDir() {
		t.Errorf("the build stage made no /out/state directory for the volume: %v", err)
	}
	// The binary runs, and knows the HEALTHCHECK's sub-command.
	b, err := exec.Command(bin, "healthcheck", "--help").CombinedOutput()
	if err != nil || !strings.Contains(string(b), "usage: mmzoom healthcheck") {
		t.Errorf("mmzoom healthcheck --help: %v\n%s", err, b)
	}
}
