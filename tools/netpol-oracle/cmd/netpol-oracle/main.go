// Command netpol-oracle answers, for a set of namespaces, pods and NetworkPolicies, whether each
// queried connection is allowed, using an implementation of NetworkPolicy semantics that shares no
// code with the harness's evaluator: cyclonus's policy matcher. Every policy first goes through
// what the API server does on create (v1 defaulting, then validation), so null or empty fields
// mean what they mean in a cluster.
//
// Input (stdin, JSON):
//
//	{"namespaces": [{"name": "acme", "labels": {"team": "a"}}],
//	 "pods": [{"namespace": "acme", "name": "api", "ip": "10.244.0.2", "labels": {...},
//	           "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}],
//	 "policies": [<networking.k8s.io/v1 NetworkPolicy>, ...],
//	 "queries": [{"from": {"pod": "acme/api"}, "to": {"ip": "192.0.2.1"}, "port": 443, "protocol": "TCP"}]}
//
// Output (stdout, one JSON line per document): {"results": [{"egress": bool, "ingress": bool,
// "allowed": bool}, ...]}, one per query in order, or {"error": "..."} for a document the API server
// or the matcher refuses. Stdin may hold several documents one after another (tests keep one process
// and send one document per case); each answer is flushed before the next document is read. Exit 2
// when any document was refused or stdin is not JSON, with its message on stderr too.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"strings"

	"github.com/mattfenwick/cyclonus/pkg/matcher"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	"k8s.io/kubernetes/pkg/apis/networking"
	_ "k8s.io/kubernetes/pkg/apis/networking/install" // v1 defaulting and conversion into legacyscheme
	"k8s.io/kubernetes/pkg/apis/networking/validation"
	sigsjson "sigs.k8s.io/json"
)

type port struct {
	Name     string `json:"name"`
	Port     int    `json:"port"`
	Protocol string `json:"protocol"`
}

type pod struct {
	Namespace string            `json:"namespace"`
	Name      string            `json:"name"`
	IP        string            `json:"ip"`
	Labels    map[string]string `json:"labels"`
	Ports     []port            `json:"ports"`
}

type namespace struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels"`
}

type endpoint struct {
	Pod string `json:"pod"` // namespace/name of a pod in the input
	IP  string `json:"ip"`  // an address outside the cluster
}

type query struct {
	From     endpoint `json:"from"`
	To       endpoint `json:"to"`
	Port     int      `json:"port"`
	Protocol string   `json:"protocol"`
}

type input struct {
	Namespaces []namespace       `json:"namespaces"`
	Pods       []pod             `json:"pods"`
	Policies   []json.RawMessage `json:"policies"`
	Queries    []query           `json:"queries"`
}

type result struct {
	Egress  bool `json:"egress"`
	Ingress bool `json:"ingress"`
	Allowed bool `json:"allowed"`
}

type world struct {
	namespaces map[string]map[string]string
	pods       map[string]pod
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "--version" {
		fmt.Println(version())
		return
	}
	if len(os.Args) > 1 {
		fmt.Fprintln(os.Stderr, "netpol-oracle: takes no arguments but --version; it reads JSON documents on stdin")
		os.Exit(2)
	}
	dec := json.NewDecoder(bufio.NewReader(os.Stdin))
	dec.DisallowUnknownFields()
	out := bufio.NewWriter(os.Stdout)
	failed := false
	for {
		var in input
		err := dec.Decode(&in)
		if err == io.EOF {
			break
		}
		var answer any
		if err != nil {
			// A document that does not decode leaves the stream unreadable: answer and stop.
			err = fmt.Errorf("stdin is not the expected JSON document: %v", err)
			reply(out, map[string]string{"error": err.Error()})
			fmt.Fprintln(os.Stderr, "netpol-oracle:", err)
			os.Exit(2)
		}
		results, err := answerOne(in)
		if err != nil {
			failed = true
			fmt.Fprintln(os.Stderr, "netpol-oracle:", err)
			answer = map[string]string{"error": err.Error()}
		} else {
			answer = map[string]any{"results": results}
		}
		reply(out, answer)
	}
	if failed {
		os.Exit(2)
	}
}

// version names the two modules whose semantics the answers are, as built into the binary.
func version() string {
	mods := map[string]string{}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			mods[dep.Path] = dep.Version
		}
	}
	return fmt.Sprintf("netpol-oracle cyclonus %s, kubernetes %s",
		mods["github.com/mattfenwick/cyclonus"], mods["k8s.io/kubernetes"])
}

func reply(out *bufio.Writer, answer any) {
	line, _ := json.Marshal(answer)
	out.Write(append(line, '\n'))
	out.Flush()
}

func answerOne(in input) ([]result, error) {
	w, err := newWorld(in)
	if err != nil {
		return nil, err
	}
	policies := make([]*networkingv1.NetworkPolicy, 0, len(in.Policies))
	for i, raw := range in.Policies {
		np, err := admit(raw)
		if err != nil {
			return nil, fmt.Errorf("policies[%d]: %v", i, err)
		}
		if err := w.checkNotIn(np); err != nil {
			return nil, fmt.Errorf("policies[%d] (%s/%s): %v", i, np.Namespace, np.Name, err)
		}
		policies = append(policies, np)
	}
	built, err := build(policies)
	if err != nil {
		return nil, err
	}
	results := make([]result, 0, len(in.Queries))
	for i, q := range in.Queries {
		traffic, err := w.traffic(q)
		if err != nil {
			return nil, fmt.Errorf("queries[%d]: %v", i, err)
		}
		r, err := decide(built, traffic)
		if err != nil {
			return nil, fmt.Errorf("queries[%d]: %v", i, err)
		}
		results = append(results, r)
	}
	return results, nil
}

// admit decodes one policy and applies what the API server applies before storing it.
func admit(raw json.RawMessage) (*networkingv1.NetworkPolicy, error) {
	np := &networkingv1.NetworkPolicy{}
	// The API server's decoder: field names case-sensitive, unknown or duplicate fields refused
	// (what `kubectl apply --validate=strict` gets).
	strict, err := sigsjson.UnmarshalStrict(raw, np)
	if err == nil && len(strict) > 0 {
		err = strict[0]
	}
	if err != nil {
		return nil, fmt.Errorf("not a NetworkPolicy: %v", err)
	}
	if np.Namespace == "" {
		return nil, fmt.Errorf("%s: metadata.namespace is required (the oracle has no current namespace)", np.Name)
	}
	legacyscheme.Scheme.Default(np)
	internal := &networking.NetworkPolicy{}
	if err := legacyscheme.Scheme.Convert(np, internal, nil); err != nil {
		return nil, fmt.Errorf("%s/%s: %v", np.Namespace, np.Name, err)
	}
	if errs := validation.ValidateNetworkPolicy(internal, validation.NetworkPolicyValidationOptions{}); len(errs) > 0 {
		return nil, fmt.Errorf("%s/%s: the API server would refuse it: %v", np.Namespace, np.Name, errs.ToAggregate())
	}
	return np, nil
}

func newWorld(in input) (*world, error) {
	w := &world{namespaces: map[string]map[string]string{}, pods: map[string]pod{}}
	for i, ns := range in.Namespaces {
		if ns.Name == "" {
			return nil, fmt.Errorf("namespaces[%d]: name is required", i)
		}
		labels := map[string]string{}
		for k, v := range ns.Labels {
			labels[k] = v
		}
		labels[corev1.LabelMetadataName] = ns.Name // set by the API server on every namespace
		w.namespaces[ns.Name] = labels
	}
	for i, p := range in.Pods {
		if _, ok := w.namespaces[p.Namespace]; !ok {
			return nil, fmt.Errorf("pods[%d] (%s): namespace %q is not among namespaces", i, p.Name, p.Namespace)
		}
		if net.ParseIP(p.IP) == nil {
			return nil, fmt.Errorf("pods[%d] (%s/%s): ip %q is not an IP address (ipBlocks are matched against it)", i, p.Namespace, p.Name, p.IP)
		}
		w.pods[p.Namespace+"/"+p.Name] = p
	}
	return w, nil
}

// checkNotIn refuses a NotIn on a key that some object lacks: Kubernetes matches such an object,
// cyclonus v0.5.6 does not (pkg/kube.IsMatchExpressionMatchForLabels), so its answer would be wrong.
func (w *world) checkNotIn(np *networkingv1.NetworkPolicy) error {
	var podLabels, nsLabels []map[string]string
	for _, p := range w.pods {
		podLabels = append(podLabels, p.Labels)
	}
	for _, labels := range w.namespaces {
		nsLabels = append(nsLabels, labels)
	}
	check := func(sel *metav1.LabelSelector, objects []map[string]string, where string) error {
		if sel == nil {
			return nil
		}
		for _, expr := range sel.MatchExpressions {
			if expr.Operator != metav1.LabelSelectorOpNotIn {
				continue
			}
			for _, labels := range objects {
				if _, ok := labels[expr.Key]; !ok {
					return fmt.Errorf("%s: NotIn on key %q that some object lacks is outside what the oracle answers correctly", where, expr.Key)
				}
			}
		}
		return nil
	}
	if err := check(&np.Spec.PodSelector, podLabels, "spec.podSelector"); err != nil {
		return err
	}
	peers := func(list []networkingv1.NetworkPolicyPeer, where string) error {
		for i, peer := range list {
			if err := check(peer.PodSelector, podLabels, fmt.Sprintf("%s[%d].podSelector", where, i)); err != nil {
				return err
			}
			if err := check(peer.NamespaceSelector, nsLabels, fmt.Sprintf("%s[%d].namespaceSelector", where, i)); err != nil {
				return err
			}
		}
		return nil
	}
	for i, rule := range np.Spec.Ingress {
		if err := peers(rule.From, fmt.Sprintf("spec.ingress[%d].from", i)); err != nil {
			return err
		}
	}
	for i, rule := range np.Spec.Egress {
		if err := peers(rule.To, fmt.Sprintf("spec.egress[%d].to", i)); err != nil {
			return err
		}
	}
	return nil
}

func (w *world) peer(e endpoint) (*matcher.TrafficPeer, *pod, error) {
	switch {
	case e.Pod != "" && e.IP != "":
		return nil, nil, fmt.Errorf("an endpoint is a pod or an ip, not both (%s, %s)", e.Pod, e.IP)
	case e.Pod != "":
		p, ok := w.pods[e.Pod]
		if !ok {
			return nil, nil, fmt.Errorf("pod %q is not among pods", e.Pod)
		}
		return &matcher.TrafficPeer{IP: p.IP, Internal: &matcher.InternalPeer{
			PodLabels: p.Labels, Namespace: p.Namespace, NamespaceLabels: w.namespaces[p.Namespace],
		}}, &p, nil
	case net.ParseIP(e.IP) != nil:
		return &matcher.TrafficPeer{IP: e.IP}, nil, nil
	default:
		return nil, nil, fmt.Errorf("an endpoint needs a pod (namespace/name) or an ip address, got %+v", e)
	}
}

func (w *world) traffic(q query) (*matcher.Traffic, error) {
	from, _, err := w.peer(q.From)
	if err != nil {
		return nil, fmt.Errorf("from: %v", err)
	}
	to, dst, err := w.peer(q.To)
	if err != nil {
		return nil, fmt.Errorf("to: %v", err)
	}
	protocol := corev1.Protocol(strings.ToUpper(q.Protocol))
	if protocol == "" {
		protocol = corev1.ProtocolTCP
	}
	if q.Port < 1 || q.Port > 65535 {
		return nil, fmt.Errorf("port %d is not in 1-65535", q.Port)
	}
	// A named port in a rule means the destination pod's container port of that name.
	name := ""
	if dst != nil {
		for _, p := range dst.Ports {
			proto := corev1.Protocol(p.Protocol)
			if proto == "" {
				proto = corev1.ProtocolTCP
			}
			if p.Port == q.Port && proto == protocol && p.Name != "" {
				name = p.Name
			}
		}
	}
	return &matcher.Traffic{Source: from, Destination: to, ResolvedPort: q.Port, ResolvedPortName: name, Protocol: protocol}, nil
}

// build and decide turn the matcher's panics on input it cannot handle into errors.
func build(policies []*networkingv1.NetworkPolicy) (p *matcher.Policy, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the matcher refused the policies: %v", r)
		}
	}()
	return matcher.BuildNetworkPolicies(false, policies), nil
}

func decide(p *matcher.Policy, t *matcher.Traffic) (r result, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			err = fmt.Errorf("the matcher failed: %v", rec)
		}
	}()
	verdict := p.IsTrafficAllowed(t)
	return result{Egress: verdict.Egress.IsAllowed(), Ingress: verdict.Ingress.IsAllowed(), Allowed: verdict.IsAllowed()}, nil
}
