package main

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"
)

// epoch is every timestamp in every image: the same inputs give the same bytes on any day.
var epoch = time.Unix(0, 0).UTC()

type nodeKind byte

const (
	kindDir nodeKind = iota
	kindFile
	kindLink
)

type node struct {
	kind     nodeKind
	mode     int64 // permission bits incl. setuid/setgid/sticky
	uid, gid int
	data     []byte
	target   string    // symlink target
	mtime    time.Time // zero: epoch
}

// tree is one layer's file system, keyed by clean path without leading slash.
type tree struct{ nodes map[string]*node }

func newTree() *tree { return &tree{nodes: map[string]*node{}} }

func cleanPath(p string) string {
	p = path.Clean("/" + p)
	return strings.TrimPrefix(p, "/")
}

// ensureParents adds the missing parent directories of p (0755, root-owned).
func (t *tree) ensureParents(p string) {
	for dir := path.Dir(p); dir != "." && dir != "/" && dir != ""; dir = path.Dir(dir) {
		if _, ok := t.nodes[dir]; ok {
			continue
		}
		t.nodes[dir] = &node{kind: kindDir, mode: 0o755}
	}
}

func (t *tree) addDir(p string, mode int64) {
	p = cleanPath(p)
	if p == "" {
		return
	}
	t.ensureParents(p)
	t.nodes[p] = &node{kind: kindDir, mode: mode}
}

func (t *tree) addFile(p string, mode int64, data []byte) {
	p = cleanPath(p)
	t.ensureParents(p)
	t.nodes[p] = &node{kind: kindFile, mode: mode, data: data}
}

func (t *tree) addLink(p, target string) {
	p = cleanPath(p)
	t.ensureParents(p)
	t.nodes[p] = &node{kind: kindLink, mode: 0o777, target: target}
}

func (t *tree) empty() bool { return len(t.nodes) == 0 }

// tarBytes writes the tree as a tar stream with sorted entries and fixed owners and times,
// so the bytes depend on the content only.
func (t *tree) tarBytes() ([]byte, error) {
	paths := make([]string, 0, len(t.nodes))
	for p := range t.nodes {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	for _, p := range paths {
		n := t.nodes[p]
		mtime := epoch
		if !n.mtime.IsZero() {
			mtime = n.mtime
		}
		hdr := &tar.Header{Name: p, Mode: n.mode, Uid: n.uid, Gid: n.gid, ModTime: mtime, Format: tar.FormatPAX}
		switch n.kind {
		case kindDir:
			hdr.Typeflag, hdr.Name = tar.TypeDir, p+"/"
		case kindFile:
			hdr.Typeflag, hdr.Size = tar.TypeReg, int64(len(n.data))
		case kindLink:
			hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, n.target
		}
		if err := w.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("tar %s: %w", p, err)
		}
		if n.kind == kindFile {
			if _, err := w.Write(n.data); err != nil {
				return nil, fmt.Errorf("tar %s: %w", p, err)
			}
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// addTar merges a tar stream (a Debian package's data) into the tree, skipping excluded paths.
// Hard links become copies: a layer needs no link semantics for these few files.
func (t *tree) addTar(r io.Reader, excluded func(string) bool) error {
	reader := tar.NewReader(r)
	files := map[string]*node{} // every regular file, excluded ones too, for hard links
	for {
		hdr, err := reader.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		p := cleanPath(hdr.Name)
		mode := hdr.Mode & 0o7777
		if hdr.Typeflag == tar.TypeReg {
			data, err := io.ReadAll(reader)
			if err != nil {
				return err
			}
			files[p] = &node{kind: kindFile, mode: mode, data: data}
		}
		if p == "" || excluded(p) {
			continue
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			if existing, ok := t.nodes[p]; ok && existing.kind == kindDir {
				continue
			}
			t.addDir(p, mode)
		case tar.TypeReg:
			t.addFile(p, mode, files[p].data)
		case tar.TypeSymlink:
			t.addLink(p, hdr.Linkname)
		case tar.TypeLink:
			source, ok := files[cleanPath(hdr.Linkname)]
			if !ok {
				return fmt.Errorf("hard link %s to missing %s", p, hdr.Linkname)
			}
			t.addFile(p, source.mode, source.data)
		default:
			return fmt.Errorf("%s: unsupported tar entry type %q", p, hdr.Typeflag)
		}
	}
}

// globMatch matches a cleaned path against a pattern where `**` spans directories.
func globMatch(pattern, p string) bool {
	if strings.HasSuffix(pattern, "/**") {
		prefix := strings.TrimSuffix(pattern, "/**")
		return p == prefix || strings.HasPrefix(p, prefix+"/")
	}
	ok, _ := path.Match(pattern, p)
	return ok
}
