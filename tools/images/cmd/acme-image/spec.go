package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

// spec is images/<name>/image.json: what goes into one image and how it starts.
type spec struct {
	Description string `json:"description"`
	Repository  string `json:"repository"`
	Tag         string `json:"tag"`
	// Debian packages: roots whose Depends/Pre-Depends closure `lock` pins, minus skip.
	Debian *struct {
		Packages []string `json:"packages"`
		Skip     []string `json:"skip"`
	} `json:"debian"`
	// Paths (globs, no leading slash) left out of the packages: docs, man pages, locales.
	Exclude  []string    `json:"exclude"`
	Users    []user      `json:"users"`
	Dirs     []dirSpec   `json:"dirs"`
	Symlinks []linkSpec  `json:"symlinks"`
	Files    []fileSpec  `json:"files"`
	Trees    []treeSpec  `json:"trees"`
	Go       []goSpec    `json:"go"`
	C        []cSpec     `json:"c"`
	Config   imageConfig `json:"config"`
}

type user struct {
	Name string `json:"name"`
	UID  int    `json:"uid"`
	GID  int    `json:"gid"`
	Home string `json:"home"`
}

type dirSpec struct {
	Path string `json:"path"`
	Mode string `json:"mode"`
}

type linkSpec struct {
	Path   string `json:"path"`
	Target string `json:"target"`
}

type fileSpec struct {
	Src  string `json:"src"` // relative to the image's directory
	Dst  string `json:"dst"`
	Mode string `json:"mode"`
}

// treeSpec copies a directory; files matching Fingerprint get their content hash in the name
// and every reference in the tree's text files is rewritten to the new name.
type treeSpec struct {
	Src         string   `json:"src"`
	Dst         string   `json:"dst"`
	Fingerprint []string `json:"fingerprint"`
}

// goSpec builds a static binary from a Go module in the repository.
type goSpec struct {
	Module  string `json:"module"` // repository-relative directory holding go.mod
	Package string `json:"package"`
	Dst     string `json:"dst"`
}

// cSpec compiles one C file from a Go module on the module proxy (e.g. Kubernetes' pause.c).
type cSpec struct {
	Module string   `json:"module"` // path@version
	Source string   `json:"source"` // file inside the module
	Flags  []string `json:"flags"`
	Dst    string   `json:"dst"`
}

type imageConfig struct {
	Entrypoint   []string          `json:"entrypoint"`
	Cmd          []string          `json:"cmd"`
	User         string            `json:"user"`
	Env          []string          `json:"env"`
	ExposedPorts []string          `json:"exposedPorts"`
	WorkingDir   string            `json:"workingDir"`
	StopSignal   string            `json:"stopSignal"`
	Labels       map[string]string `json:"labels"`
}

// lockFile is images/debian.lock.json: every pinned package once, and each image's closure.
type lockFile struct {
	Comment      string               `json:"comment"`
	Architecture string               `json:"architecture"`
	Packages     map[string]lockedDeb `json:"packages"`
	Images       map[string][]string  `json:"images"`
}

type lockedDeb struct {
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
	Size    int64  `json:"size"`
}

type project struct {
	root  string
	specs map[string]*spec
	raw   map[string][]byte // spec bytes, part of the cache key
	lock  *lockFile
}

func (p *project) imageDir(name string) string { return filepath.Join(p.root, "images", name) }
func (p *project) lockPath() string            { return filepath.Join(p.root, "images", "debian.lock.json") }

func loadProject(root string) (*project, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, badInput("repository root %s: %v", root, err)
	}
	p := &project{root: abs, specs: map[string]*spec{}, raw: map[string][]byte{}}
	matches, _ := filepath.Glob(filepath.Join(abs, "images", "*", "image.json"))
	if len(matches) == 0 {
		return nil, badInput("no images/*/image.json under %s", abs)
	}
	for _, path := range matches {
		name := filepath.Base(filepath.Dir(path))
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, badInput("%v", err)
		}
		var s spec
		decoder := json.NewDecoder(bytes.NewReader(data))
		decoder.DisallowUnknownFields()
		if err := decoder.Decode(&s); err != nil {
			return nil, badInput("images/%s/image.json: %v", name, err)
		}
		if err := s.validate(); err != nil {
			return nil, badInput("images/%s/image.json: %v", name, err)
		}
		p.specs[name], p.raw[name] = &s, data
	}
	lock, err := readLock(p.lockPath())
	if err != nil {
		return nil, err
	}
	p.lock = lock
	return p, nil
}

func (s *spec) validate() error {
	if s.Repository == "" || s.Tag == "" {
		return errors.New("repository and tag are required (the name the node imports the image under)")
	}
	if len(s.Config.Entrypoint) == 0 && len(s.Config.Cmd) == 0 {
		return errors.New("config.entrypoint or config.cmd is required")
	}
	if s.Config.User == "" {
		return errors.New("config.user is required (a numeric uid:gid, so runAsNonRoot can verify it)")
	}
	for _, d := range s.Dirs {
		if _, err := parseMode(d.Mode, 0o755); err != nil {
			return fmt.Errorf("dirs %s: %v", d.Path, err)
		}
	}
	for _, f := range s.Files {
		if _, err := parseMode(f.Mode, 0o644); err != nil {
			return fmt.Errorf("files %s: %v", f.Dst, err)
		}
	}
	return nil
}

func parseMode(text string, fallback int64) (int64, error) {
	if text == "" {
		return fallback, nil
	}
	mode, err := strconv.ParseInt(text, 8, 32)
	if err != nil || mode > 0o7777 {
		return 0, fmt.Errorf("mode %q is not an octal permission", text)
	}
	return mode, nil
}

func readLock(path string) (*lockFile, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &lockFile{Architecture: "amd64", Packages: map[string]lockedDeb{}, Images: map[string][]string{}}, nil
	}
	if err != nil {
		return nil, badInput("%v", err)
	}
	var lock lockFile
	if err := json.Unmarshal(data, &lock); err != nil {
		return nil, badInput("%s: %v", path, err)
	}
	if lock.Packages == nil {
		lock.Packages = map[string]lockedDeb{}
	}
	if lock.Images == nil {
		lock.Images = map[string][]string{}
	}
	return &lock, nil
}

// selected returns the named images (all when none is named), sorted.
func (p *project) selected(names []string) ([]string, error) {
	if len(names) == 0 {
		for name := range p.specs {
			names = append(names, name)
		}
	}
	for _, name := range names {
		if _, ok := p.specs[name]; !ok {
			return nil, badInput("unknown image %q (no images/%s/image.json)", name, name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// lockedPackages is the pinned closure of an image's Debian packages, in lock order.
func (p *project) lockedPackages(name string) ([]string, error) {
	s := p.specs[name]
	if s.Debian == nil || len(s.Debian.Packages) == 0 {
		return nil, nil
	}
	names, ok := p.lock.Images[name]
	if !ok {
		return nil, badInput("image %s has Debian packages but no entry in images/debian.lock.json; run: make images-lock", name)
	}
	for _, pkg := range s.Debian.Packages {
		if !contains(names, pkg) {
			return nil, badInput("images/debian.lock.json does not pin %s for image %s (image.json changed); run: make images-lock", pkg, name)
		}
	}
	for _, pkg := range names {
		if _, ok := p.lock.Packages[pkg]; !ok {
			return nil, badInput("images/debian.lock.json lists %s for image %s without a version; run: make images-lock", pkg, name)
		}
	}
	return names, nil
}

func contains(list []string, item string) bool {
	for _, x := range list {
		if x == item {
			return true
		}
	}
	return false
}
