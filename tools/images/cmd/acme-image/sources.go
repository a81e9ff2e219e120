package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// walkFiles lists the regular files under dir (relative, slash-separated, sorted).
func walkFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// passwd writes /etc/passwd and /etc/group: root plus the image's users, so programs that look
// up their own uid (PostgreSQL refuses to start otherwise) find it.
func addUsers(t *tree, users []user) {
	passwd := []string{"root:x:0:0:root:/root:/usr/sbin/nologin"}
	group := []string{"root:x:0:"}
	for _, u := range users {
		home := u.Home
		if home == "" {
			home = "/nonexistent"
		}
		passwd = append(passwd, fmt.Sprintf("%s:x:%d:%d:%s:%s:/usr/sbin/nologin", u.Name, u.UID, u.GID, u.Name, home))
		group = append(group, fmt.Sprintf("%s:x:%d:", u.Name, u.GID))
	}
	t.addFile("etc/passwd", 0o644, []byte(strings.Join(passwd, "\n")+"\n"))
	t.addFile("etc/group", 0o644, []byte(strings.Join(group, "\n")+"\n"))
}

func (b *builder) addFiles(t *tree, name string, files []fileSpec) error {
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(b.project.imageDir(name), f.Src))
		if err != nil {
			return badInput("images/%s: %v", name, err)
		}
		mode, _ := parseMode(f.Mode, 0o644)
		t.addFile(f.Dst, mode, data)
	}
	return nil
}

// fingerprinted renames base.ext to base.<12 hex of SHA-256>.ext.
func fingerprinted(rel string, data []byte) string {
	sum := sha256.Sum256(data)
	ext := path.Ext(rel)
	return strings.TrimSuffix(rel, ext) + "." + hex.EncodeToString(sum[:])[:12] + ext
}

// addTree copies a directory; fingerprinted files get their hash in the name and every
// reference to them in .html/.css/.js files of the tree follows the rename.
func (b *builder) addTree(t *tree, name string, spec treeSpec) error {
	src := filepath.Join(b.project.imageDir(name), spec.Src)
	files, err := walkFiles(src)
	if err != nil {
		return badInput("images/%s: %v", name, err)
	}
	contents := map[string][]byte{}
	for _, rel := range files {
		if contents[rel], err = os.ReadFile(filepath.Join(src, rel)); err != nil {
			return err
		}
	}
	renames := map[string]string{}
	var renamed []string
	for _, rel := range files {
		for _, pattern := range spec.Fingerprint {
			if ok, _ := path.Match(pattern, path.Base(rel)); ok {
				renames[rel] = fingerprinted(rel, contents[rel])
				renamed = append(renamed, rel)
				break
			}
		}
	}
	// Longest names first, so app.js never rewrites part of vendor-app.js's reference.
	sort.Slice(renamed, func(i, j int) bool { return len(renamed[i]) > len(renamed[j]) })
	for _, rel := range files {
		data := contents[rel]
		switch path.Ext(rel) {
		case ".html", ".css", ".js":
			text := string(data)
			for _, old := range renamed {
				text = strings.ReplaceAll(text, "/"+old, "/"+renames[old])
			}
			data = []byte(text)
		}
		target := rel
		if renamed, ok := renames[rel]; ok {
			target = renamed
		}
		dst := path.Join(spec.Dst, target)
		t.addFile(dst, 0o644, data)
		t.nodes[cleanPath(dst)].mtime = contentTime(data)
	}
	return nil
}

// contentTime is a file's mtime derived from its content (a date between 1990 and 2020): web
// servers build ETag and Last-Modified from mtime and size, so one fixed mtime for every
// build would answer 304 to a changed index.html of the same length.
func contentTime(data []byte) time.Time {
	sum := sha256.Sum256(data)
	const start, span = 631152000, 946080000 // 1990-01-01, 30 years
	return time.Unix(start+int64(binary.BigEndian.Uint32(sum[:4]))%span, 0).UTC()
}

// compiled runs a compiler that writes out, then adds out's bytes to the tree as an executable.
func (b *builder) compiled(t *tree, dst string, compile func(out string) error) error {
	tmp, err := os.MkdirTemp(b.cache, ".build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "bin")
	if err := compile(out); err != nil {
		return err
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return err
	}
	t.addFile(dst, 0o755, data)
	return nil
}

// goBuild compiles a static binary (no cgo, no build id, no paths) from a repository module.
func (b *builder) goBuild(t *tree, spec goSpec) error {
	pkg := spec.Package
	if pkg == "" {
		pkg = "."
	}
	return b.compiled(t, spec.Dst, func(out string) error {
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -buildid=", "-o", out, pkg)
		cmd.Dir = filepath.Join(b.project.root, spec.Module)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false -mod=readonly", "GOOS=linux", "GOARCH=amd64")
		if output, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", spec.Module, err, output)
		}
		return nil
	})
}

// moduleDir downloads path@version from the module proxy (checked against go.sum's database)
// and returns its directory in the module cache.
func moduleDir(module string) (string, error) {
	out, err := exec.Command("go", "mod", "download", "-json", module).Output()
	if err != nil {
		return "", badInput("go mod download %s failed (module proxy unreachable?): %v", module, err)
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil || info.Dir == "" {
		return "", badInput("go mod download %s: %s", module, info.Error)
	}
	return info.Dir, nil
}

// cBuild compiles one C file of a Go module with the machine's gcc (its version is in the key).
func (b *builder) cBuild(t *tree, spec cSpec) error {
	dir, err := moduleDir(spec.Module)
	if err != nil {
		return err
	}
	return b.compiled(t, spec.Dst, func(out string) error {
		args := append(append([]string(nil), spec.Flags...), "-o", out, filepath.Join(dir, spec.Source))
		if output, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("gcc %s: %v\n%s", spec.Source, err, output)
		}
		return nil
	})
}
