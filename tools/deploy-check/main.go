// Command deploy-check validates the distributed setup files with the parsers Docker itself
// uses, so that no Docker engine is needed:
//
//	deploy-check compose docker-compose.yml   # compose-go: schema, interpolation, consistency
//	deploy-check dockerfile Dockerfile        # BuildKit's Dockerfile parser and linter
//
// On top of the parsers it checks what they accept but `docker compose up` or the runtime
// would trip over. It prints every problem and exits 1 when there is one.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: deploy-check compose|dockerfile FILE")
		os.Exit(2)
	}
	var problems []string
	var err error
	switch os.Args[1] {
	case "compose":
		problems, err = checkCompose(os.Args[2])
	case "dockerfile":
		problems, err = checkDockerfile(os.Args[2])
	default:
		fmt.Fprintf(os.Stderr, "unknown check %q\n", os.Args[1])
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", os.Args[2], err)
		os.Exit(1)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(os.Stderr, "%s: %s\n", os.Args[2], p)
		}
		os.Exit(1)
	}
	fmt.Printf("%s: valid\n", os.Args[2])
}

// The values the services accept (libs/http/src/config/platform-config.ts).
var allowedValues = map[string][]string{
	"EVENT_STORE": {"pglite", "postgres", "eventstoredb"},
	"READ_MODELS": {"memory", "mongo"},
	"INTEGRATION": {"log", "kafka"},
	"LOG_LEVEL":   {"fatal", "error", "warn", "info", "debug", "trace", "silent"},
}

var requiredServiceEnv = []string{
	"HOST", "PORT", "DATA_DIR", "AUTH_JWT_SECRET", "EVENT_STORE", "DATABASE_URL",
	"EVENTSTOREDB_URL", "KAFKA_BROKERS", "MONGO_URL", "READ_MODELS", "INTEGRATION", "LOG_LEVEL",
}

func checkCompose(file string) ([]string, error) {
	opts, err := cli.NewProjectOptions([]string{file},
		cli.WithWorkingDirectory(filepath.Dir(file)),
		// The file as committed: its own defaults, not the caller's environment or .env.
		cli.WithEnv([]string{}),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		return nil, err
	}
	// Loading validates against the Compose Specification schema and checks references
	// (services, volumes, networks), as `docker compose config` does.
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		return nil, err
	}

	var problems []string
	if _, ok := project.Extensions["x-context-service"]; !ok {
		problems = append(problems, "the shared `x-context-service` definition is missing")
	}
	names := project.ServiceNames()
	sort.Strings(names)
	for _, name := range names {
		svc := project.Services[name]
		for dep, d := range svc.DependsOn {
			if d.Condition != types.ServiceConditionHealthy {
				continue
			}
			hc := project.Services[dep].HealthCheck
			if hc == nil || hc.Disable || len(hc.Test) == 0 {
				problems = append(problems, fmt.Sprintf(
					"service %q waits for %q to be healthy, but %q has no healthcheck", name, dep, dep))
			}
		}
		if svc.Build == nil {
			continue
		}
		problems = append(problems, checkAppService(name, svc)...)
	}
	return problems, nil
}

// An app service is one built from the repository's Dockerfile.
func checkAppService(name string, svc types.ServiceConfig) []string {
	var problems []string
	dockerfile := svc.Build.Dockerfile
	if !filepath.IsAbs(dockerfile) {
		dockerfile = filepath.Join(svc.Build.Context, dockerfile)
	}
	if _, err := os.Stat(dockerfile); err != nil {
		problems = append(problems, fmt.Sprintf("service %q builds from %s, which does not exist", name, dockerfile))
	}
	app := svc.Build.Args["APP"]
	if app == nil || *app == "" {
		problems = append(problems, fmt.Sprintf("service %q sets no APP build argument", name))
	} else if main := filepath.Join(svc.Build.Context, "apps", *app, "src", "main.ts"); !fileExists(main) {
		problems = append(problems, fmt.Sprintf("service %q builds APP=%s, but %s does not exist", name, *app, main))
	}
	if svc.HealthCheck == nil || svc.HealthCheck.Disable {
		problems = append(problems, fmt.Sprintf("service %q has no healthcheck", name))
	}
	required := requiredServiceEnv
	if app != nil && *app == "gateway" {
		// The gateway holds no state: it only needs where to listen and where the services are.
		required = []string{"HOST", "PORT", "NEEDS_URL"}
	}
	for _, key := range required {
		value := svc.Environment[key]
		if value == nil {
			problems = append(problems, fmt.Sprintf("service %q does not set %s", name, key))
			continue
		}
		if allowed, ok := allowedValues[key]; ok && !slices.Contains(allowed, *value) {
			problems = append(problems, fmt.Sprintf("service %q: %s=%q is not one of %s",
				name, key, *value, strings.Join(allowed, ", ")))
		}
	}
	if secret := svc.Environment["AUTH_JWT_SECRET"]; secret != nil && len(*secret) < 32 {
		problems = append(problems, fmt.Sprintf("service %q: AUTH_JWT_SECRET must be at least 32 characters", name))
	}
	return problems
}

func fileExists(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir()
}

func checkDockerfile(file string) ([]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ast, err := parser.Parse(f)
	if err != nil {
		return nil, err
	}
	var problems []string
	for _, w := range ast.Warnings {
		line := 0
		if w.Location != nil {
			line = w.Location.Start.Line
		}
		problems = append(problems, fmt.Sprintf("line %d: %s", line, w.Short))
	}
	lint := linter.New(&linter.Config{
		Warn: func(rule, _, _, msg string, loc []parser.Range) {
			problems = append(problems, fmt.Sprintf("line %d: %s (%s)", firstLine(loc), msg, rule))
		},
	})
	stages, metaArgs, err := instructions.Parse(ast.AST, lint)
	if err != nil {
		return nil, err
	}
	if len(stages) == 0 {
		return append(problems, "no FROM instruction"), nil
	}

	declared := map[string]bool{}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			declared[kv.Key] = true
		}
	}
	seen := map[string]bool{}
	for i, st := range stages {
		if ref, ok := strings.CutPrefix(st.BaseName, "${"); ok {
			if arg := strings.TrimSuffix(ref, "}"); !declared[arg] {
				problems = append(problems, fmt.Sprintf("stage %d: FROM uses %s, which no ARG before the first FROM declares", i, st.BaseName))
			}
		}
		for _, cmd := range st.Commands {
			if c, ok := cmd.(*instructions.CopyCommand); ok && c.From != "" && !seen[strings.ToLower(c.From)] {
				problems = append(problems, fmt.Sprintf("stage %q: COPY --from=%s names no earlier stage", st.Name, c.From))
			}
		}
		seen[strings.ToLower(st.Name)] = true
	}

	// The image that runs: not root, a health check, the HTTP port, an APP argument.
	final := stages[len(stages)-1]
	var user string
	var health, exposes3000, appArg bool
	for _, cmd := range final.Commands {
		switch c := cmd.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.HealthCheckCommand:
			health = c.Health != nil && len(c.Health.Test) > 0 && c.Health.Test[0] != "NONE"
		case *instructions.ExposeCommand:
			exposes3000 = exposes3000 || slices.Contains(c.Ports, "3000") || slices.Contains(c.Ports, "3000/tcp")
		case *instructions.ArgCommand:
			for _, kv := range c.Args {
				appArg = appArg || kv.Key == "APP"
			}
		}
	}
	if user == "" || user == "root" || user == "0" || strings.HasPrefix(user, "0:") || strings.HasPrefix(user, "root:") {
		problems = append(problems, "the final stage runs as root (add a USER)")
	}
	if !health {
		problems = append(problems, "the final stage has no HEALTHCHECK")
	}
	if !exposes3000 {
		problems = append(problems, "the final stage does not EXPOSE 3000")
	}
	if !appArg {
		problems = append(problems, "the final stage declares no ARG APP")
	}
	return problems, nil
}

func firstLine(loc []parser.Range) int {
	if len(loc) == 0 {
		return 0
	}
	return loc[0].Start.Line
}
