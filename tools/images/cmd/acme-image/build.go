package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// recipe is part of every cache key: bump it when a change here changes what a build produces.
const recipe = "acme-image/1"

type builder struct {
	project *project
	cache   string // <tool cache>/images
	debs    string // downloaded .deb files, named by SHA-256
}

// indexEntry is what the node needs to import one image and what the values pin.
type indexEntry struct {
	Ref        string `json:"ref"`
	Repository string `json:"repository"`
	Tag        string `json:"tag"`
	Digest     string `json:"digest"`
	Archive    string `json:"archive"`
	Layout     string `json:"layout"`
	Size       int64  `json:"size"`
	Key        string `json:"key"`
}

// image builds one image into <cache>/images/<name>-<key>/ unless that build exists already.
func (b *builder) image(name string) (indexEntry, error) {
	s := b.project.specs[name]
	pkgs, err := b.project.lockedPackages(name)
	if err != nil {
		return indexEntry{}, err
	}
	key, err := b.inputKey(name, pkgs)
	if err != nil {
		return indexEntry{}, err
	}
	out := filepath.Join(b.cache, name+"-"+key)
	entry := indexEntry{Ref: s.Repository + ":" + s.Tag, Repository: s.Repository, Tag: s.Tag, Key: key,
		Archive: filepath.Join(out, "image.tar"), Layout: filepath.Join(out, "oci")}
	if data, err := os.ReadFile(filepath.Join(out, "result.json")); err == nil && json.Unmarshal(data, &entry) == nil {
		fmt.Printf("images: %s up to date (%s)\n", name, entry.Digest)
		return entry, nil
	}
	start := time.Now()
	if err := os.MkdirAll(b.cache, 0o755); err != nil {
		return indexEntry{}, err
	}
	layers, err := b.layers(name, pkgs)
	if err != nil {
		return indexEntry{}, err
	}
	img, err := assemble(s, layers)
	if err != nil {
		return indexEntry{}, err
	}
	tmp, err := os.MkdirTemp(b.cache, "."+name+"-")
	if err != nil {
		return indexEntry{}, err
	}
	defer os.RemoveAll(tmp)
	digest, size, err := writeLayout(filepath.Join(tmp, "oci"), img, entry.Ref)
	if err != nil {
		return indexEntry{}, err
	}
	if err := writeArchive(filepath.Join(tmp, "oci"), filepath.Join(tmp, "image.tar")); err != nil {
		return indexEntry{}, err
	}
	entry.Digest, entry.Size = digest, size
	result, _ := json.MarshalIndent(entry, "", "  ")
	if err := os.WriteFile(filepath.Join(tmp, "result.json"), append(result, '\n'), 0o644); err != nil {
		return indexEntry{}, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return indexEntry{}, err
	}
	_ = os.RemoveAll(out)
	if err := os.Rename(tmp, out); err != nil {
		return indexEntry{}, err
	}
	fmt.Printf("images: built %s %s (%d bytes) in %.1fs\n", name, digest, size, time.Since(start).Seconds())
	return entry, nil
}

// inputKey hashes everything that decides the image's bytes: the spec, the pinned packages,
// every file it copies, the Go sources and toolchain, the C source and compiler.
func (b *builder) inputKey(name string, pkgs []string) (string, error) {
	s := b.project.specs[name]
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n", recipe, dependencyVersion("github.com/google/go-containerregistry"), b.project.raw[name])
	for _, pkg := range pkgs {
		pin := b.project.lock.Packages[pkg]
		fmt.Fprintf(h, "deb %s %s %s\n", pkg, pin.Version, pin.SHA256)
	}
	hashDir := func(dir string) error {
		files, err := walkFiles(dir)
		if err != nil {
			return badInput("%v", err)
		}
		for _, rel := range files {
			data, err := os.ReadFile(filepath.Join(dir, rel))
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			fmt.Fprintf(h, "file %s %x\n", rel, sum)
		}
		return nil
	}
	for _, f := range s.Files {
		data, err := os.ReadFile(filepath.Join(b.project.imageDir(name), f.Src))
		if err != nil {
			return "", badInput("images/%s: %v", name, err)
		}
		fmt.Fprintf(h, "file %s %x\n", f.Src, sha256.Sum256(data))
	}
	for _, tr := range s.Trees {
		if err := hashDir(filepath.Join(b.project.imageDir(name), tr.Src)); err != nil {
			return "", err
		}
	}
	if len(s.Go) > 0 {
		version, err := exec.Command("go", "env", "GOVERSION").Output()
		if err != nil {
			return "", badInput("no Go toolchain on PATH: %v", err)
		}
		fmt.Fprintf(h, "go %s", version)
		for _, g := range s.Go {
			if err := hashDir(filepath.Join(b.project.root, g.Module)); err != nil {
				return "", err
			}
		}
	}
	if len(s.C) > 0 {
		version, err := exec.Command("gcc", "--version").Output()
		if err != nil {
			return "", badInput("no C compiler (gcc) on PATH for %s: install Debian's gcc", name)
		}
		fmt.Fprintf(h, "gcc %s", strings.SplitN(string(version), "\n", 2)[0])
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

type builtLayer struct {
	tar       []byte
	createdBy string
}

// layers: the Debian packages first (they change least), then everything the project adds.
func (b *builder) layers(name string, pkgs []string) ([]builtLayer, error) {
	s := b.project.specs[name]
	var layers []builtLayer
	if len(pkgs) > 0 {
		debs, err := b.fetchDebs(pkgs)
		if err != nil {
			return nil, err
		}
		patterns := append(append([]string(nil), defaultExclude...), s.Exclude...)
		excluded := func(p string) bool {
			for _, pattern := range patterns {
				if globMatch(pattern, p) {
					return true
				}
			}
			return false
		}
		base := newTree()
		for _, pkg := range pkgs {
			if err := unpackDeb(base, debs[pkg], excluded); err != nil {
				return nil, err
			}
		}
		data, err := base.tarBytes()
		if err != nil {
			return nil, err
		}
		layers = append(layers, builtLayer{data, "acme-image: Debian " + strings.Join(pkgs, " ")})
	}
	app := newTree()
	if len(s.Users) > 0 {
		addUsers(app, s.Users)
	}
	for _, d := range s.Dirs {
		mode, _ := parseMode(d.Mode, 0o755)
		app.addDir(d.Path, mode)
	}
	for _, l := range s.Symlinks {
		app.addLink(l.Path, l.Target)
	}
	if err := b.addFiles(app, name, s.Files); err != nil {
		return nil, err
	}
	for _, tr := range s.Trees {
		if err := b.addTree(app, name, tr); err != nil {
			return nil, err
		}
	}
	for _, g := range s.Go {
		if err := b.goBuild(app, g); err != nil {
			return nil, err
		}
	}
	for _, c := range s.C {
		if err := b.cBuild(app, c); err != nil {
			return nil, err
		}
	}
	if !app.empty() {
		data, err := app.tarBytes()
		if err != nil {
			return nil, err
		}
		layers = append(layers, builtLayer{data, "acme-image: files of images/" + name})
	}
	return layers, nil
}

// assemble turns the layers into an OCI image with the spec's run configuration.
func assemble(s *spec, layers []builtLayer) (v1.Image, error) {
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	created := v1.Time{Time: epoch}
	for _, l := range layers {
		data := l.tar
		layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(data)), nil
		}, tarball.WithMediaType(types.OCILayer))
		if err != nil {
			return nil, err
		}
		img, err = mutate.Append(img, mutate.Addendum{Layer: layer, MediaType: types.OCILayer,
			History: v1.History{Created: created, CreatedBy: l.createdBy}})
		if err != nil {
			return nil, err
		}
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.Architecture, cfg.OS, cfg.Created = "amd64", "linux", created
	c := s.Config
	cfg.Config = v1.Config{Entrypoint: c.Entrypoint, Cmd: c.Cmd, User: c.User, Env: c.Env,
		WorkingDir: c.WorkingDir, StopSignal: c.StopSignal, Labels: c.Labels}
	if len(c.ExposedPorts) > 0 {
		cfg.Config.ExposedPorts = map[string]struct{}{}
		for _, port := range c.ExposedPorts {
			cfg.Config.ExposedPorts[port] = struct{}{}
		}
	}
	return mutate.ConfigFile(img, cfg)
}

// writeLayout writes an OCI image layout holding the image under its reference name (the
// annotation containerd's import reads) and returns the manifest digest and total blob size.
func writeLayout(dir string, img v1.Image, ref string) (string, int64, error) {
	path, err := layout.Write(dir, empty.Index)
	if err != nil {
		return "", 0, err
	}
	annotations := map[string]string{"org.opencontainers.image.ref.name": ref, "io.containerd.image.name": ref}
	if err := path.AppendImage(img, layout.WithAnnotations(annotations)); err != nil {
		return "", 0, err
	}
	digest, err := img.Digest()
	if err != nil {
		return "", 0, err
	}
	files, err := walkFiles(filepath.Join(dir, "blobs"))
	if err != nil {
		return "", 0, err
	}
	var size int64
	for _, rel := range files {
		info, err := os.Stat(filepath.Join(dir, "blobs", rel))
		if err != nil {
			return "", 0, err
		}
		size += info.Size()
	}
	return digest.String(), size, nil
}

// writeArchive tars the layout (what `ctr images import` reads), with fixed times and order.
func writeArchive(dir, archive string) error {
	files, err := walkFiles(dir)
	if err != nil {
		return err
	}
	t := newTree()
	for _, rel := range files {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			return err
		}
		t.addFile(rel, 0o644, data)
	}
	data, err := t.tarBytes()
	if err != nil {
		return err
	}
	return os.WriteFile(archive, data, 0o644)
}

// writeIndex merges the built images into the index (name → ref, digest, archive), so building
// one image keeps the entries of the others; images no longer in images/ drop out.
func writeIndex(path string, results map[string]indexEntry, known map[string]*spec) error {
	index := struct {
		Images map[string]indexEntry `json:"images"`
	}{Images: map[string]indexEntry{}}
	if data, err := os.ReadFile(path); err == nil {
		_ = json.Unmarshal(data, &index)
	}
	for name := range index.Images {
		if known[name] == nil {
			delete(index.Images, name)
		}
	}
	for name, entry := range results {
		index.Images[name] = entry
	}
	names := make([]string, 0, len(index.Images))
	for name := range index.Images {
		names = append(names, name)
	}
	sort.Strings(names)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(index, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
