// Command scrape-oracle prints the scrape configurations that prometheus-operator's own
// configuration generator writes for a set of ServiceMonitors and PodMonitors, so the harness's
// generator (harness/deploy/observability/scrape_config.py, written from the operator's semantics
// without its code) can be compared with it job by job.
//
// Input (stdin, JSON): {"prometheusVersion": "v3.16.0", "serviceMonitors": [...], "podMonitors": [...]},
// the objects as the API server would store them. Output (stdout, JSON): {"scrape_configs": [...]},
// the operator's jobs in its order, for a Prometheus in namespace "monitoring" with one shard and
// no scrape classes, or {"error": "..."} and exit 2.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus-operator/prometheus-operator/pkg/assets"
	"github.com/prometheus-operator/prometheus-operator/pkg/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

type input struct {
	PrometheusVersion string                      `json:"prometheusVersion"`
	ServiceMonitors   []monitoringv1.ServiceMonitor `json:"serviceMonitors"`
	PodMonitors       []monitoringv1.PodMonitor     `json:"podMonitors"`
}

func generate(in input) (any, error) {
	p := &monitoringv1.Prometheus{
		ObjectMeta: metav1.ObjectMeta{Name: "oracle", Namespace: "monitoring"},
		Spec: monitoringv1.PrometheusSpec{CommonPrometheusFields: monitoringv1.CommonPrometheusFields{
			Version: in.PrometheusVersion,
		}},
	}
	cg, err := prometheus.NewConfigGenerator(nil, p)
	if err != nil {
		return nil, err
	}
	// The operator keys the monitors it selected by namespace/name and writes them in key order.
	sMons := map[string]*monitoringv1.ServiceMonitor{}
	for i := range in.ServiceMonitors {
		m := &in.ServiceMonitors[i]
		sMons[m.Namespace+"/"+m.Name] = m
	}
	pMons := map[string]*monitoringv1.PodMonitor{}
	for i := range in.PodMonitors {
		m := &in.PodMonitors[i]
		pMons[m.Namespace+"/"+m.Name] = m
	}
	out, err := cg.GenerateServerConfiguration(p, sMons, pMons, nil, nil, assets.NewStoreBuilder(nil, nil), nil, nil, nil, nil)
	if err != nil {
		return nil, err
	}
	var config map[string]any
	if err := yaml.Unmarshal(out, &config); err != nil {
		return nil, err
	}
	return map[string]any{"scrape_configs": config["scrape_configs"]}, nil
}

func version() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/prometheus-operator/prometheus-operator" {
				return dep.Version
			}
		}
	}
	return "unknown"
}

func fail(err error) {
	_ = json.NewEncoder(os.Stdout).Encode(map[string]string{"error": err.Error()})
	fmt.Fprintln(os.Stderr, "scrape-oracle:", err)
	os.Exit(2)
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "--version" {
		fmt.Printf("scrape-oracle (github.com/prometheus-operator/prometheus-operator %s)\n", version())
		return
	}
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fail(fmt.Errorf("stdin is not the JSON document described in the command's comment: %w", err))
	}
	result, err := generate(in)
	if err != nil {
		fail(err)
	}
	if err := json.NewEncoder(os.Stdout).Encode(result); err != nil {
		fail(err)
	}
}
