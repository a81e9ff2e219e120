// Command promql-inspect parses PromQL expressions with the parser promtool and Prometheus use
// (the same module version, built from the same go.mod as promtool) and names the metrics each
// one selects, so the harness can hold dashboards and rules to the metrics that are exported.
//
// Input (stdin): a JSON array of expressions. Output (stdout): a JSON array with one object per
// expression, in order: {"metrics": ["name", ...]} (sorted, unique; selectors without a fixed
// metric name, like {__name__=~"..."}, add none) or {"error": "<parser's message>"}.
// Exit 0 when every expression was answered (parse errors are answers), 2 when stdin is not a
// JSON array of strings.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"
	"slices"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// answer is {"metrics": [...]} or {"error": "..."}, never both.
type answer map[string]any

func inspect(p parser.Parser, expr string) answer {
	tree, err := p.ParseExpr(expr)
	if err != nil {
		return answer{"error": err.Error()}
	}
	names := []string{}
	for _, matchers := range parser.ExtractSelectors(tree) {
		for _, m := range matchers {
			if m.Name == labels.MetricName && m.Type == labels.MatchEqual && !slices.Contains(names, m.Value) {
				names = append(names, m.Value)
			}
		}
	}
	slices.Sort(names)
	return answer{"metrics": names}
}

func version() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/prometheus/prometheus" {
				return dep.Version
			}
		}
	}
	return "unknown"
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "--version" {
		fmt.Printf("promql-inspect (github.com/prometheus/prometheus %s)\n", version())
		return
	}
	var exprs []string
	if err := json.NewDecoder(os.Stdin).Decode(&exprs); err != nil {
		fmt.Fprintf(os.Stderr, "promql-inspect: stdin is not a JSON array of expressions: %v\n", err)
		os.Exit(2)
	}
	// Default options: what a Prometheus server without feature flags accepts.
	p := parser.NewParser(parser.Options{})
	answers := make([]answer, len(exprs))
	for i, expr := range exprs {
		answers[i] = inspect(p, expr)
	}
	if err := json.NewEncoder(os.Stdout).Encode(answers); err != nil {
		fmt.Fprintf(os.Stderr, "promql-inspect: %v\n", err)
		os.Exit(2)
	}
}
