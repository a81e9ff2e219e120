package main

import (
	"bufio"
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
	"strconv"
	"strings"
)

// defaultExclude: package files a container never reads (docs, man pages, translations, init
// systems). An image adds its own patterns in `exclude`.
var defaultExclude = []string{
	"usr/share/doc/**", "usr/share/doc-base/**", "usr/share/man/**", "usr/share/info/**",
	"usr/share/locale/**", "usr/share/lintian/**", "usr/share/bug/**", "usr/share/menu/**",
	"etc/init.d/**", "etc/logrotate.d/**", "etc/cron.d/**", "lib/systemd/**", "usr/lib/systemd/**",
	"etc/systemd/**",
}

// stanza is one package record of `apt-cache show`.
type stanza map[string]string

// shown memoizes aptShow: a closure asks about the same alternatives many times.
var shown = map[string]stanza{}

func aptShow(pkg string) (stanza, error) {
	if record, ok := shown[pkg]; ok {
		return record, nil
	}
	out, err := exec.Command("apt-cache", "show", "--no-all-versions", pkg).Output()
	if err != nil {
		shown[pkg] = nil
		return nil, nil // virtual or unknown: the caller decides
	}
	record := stanza{}
	var last string
	scanner := bufio.NewScanner(bytes.NewReader(out))
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		line := scanner.Text()
		if line == "" {
			break // --no-all-versions prints the candidate first
		}
		if strings.HasPrefix(line, " ") {
			record[last] += "\n" + line
			continue
		}
		key, value, _ := strings.Cut(line, ":")
		last = key
		record[key] = strings.TrimSpace(value)
	}
	shown[pkg] = record
	return record, nil
}

// dependencyGroups parses Depends and Pre-Depends into groups of alternatives (names only).
func dependencyGroups(record stanza) [][]string {
	var groups [][]string
	for _, field := range []string{"Pre-Depends", "Depends"} {
		for _, group := range strings.Split(record[field], ",") {
			var alternatives []string
			for _, alt := range strings.Split(group, "|") {
				name := strings.Fields(alt)
				if len(name) == 0 {
					continue
				}
				alternatives = append(alternatives, strings.SplitN(name[0], ":", 2)[0])
			}
			if len(alternatives) > 0 {
				groups = append(groups, alternatives)
			}
		}
	}
	return groups
}

// closure is the roots plus everything they depend on, minus skip: the packages an image needs
// at run time (maintainer-script helpers such as debconf go in skip). A dependency only a
// virtual name satisfies is met by a package in the closure that Provides it (name it as a
// root, e.g. python3-cffi-backend).
func closure(roots, skip []string) (map[string]stanza, error) {
	found := map[string]stanza{}
	type pending struct {
		pkg   string
		group []string
	}
	var virtual []pending
	queue := append([]string(nil), roots...)
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		if _, done := found[pkg]; done {
			continue
		}
		record, _ := aptShow(pkg)
		if record == nil {
			return nil, badInput("Debian package %s is unknown to apt (run apt-get update, or fix the name in image.json)", pkg)
		}
		found[pkg] = record
	groups:
		for _, group := range dependencyGroups(record) {
			for _, alt := range group {
				if contains(skip, alt) {
					continue groups
				}
				if _, ok := found[alt]; ok {
					continue groups
				}
			}
			for _, alt := range group {
				if candidate, _ := aptShow(alt); candidate != nil && candidate["Package"] == alt {
					queue = append(queue, alt)
					continue groups
				}
			}
			virtual = append(virtual, pending{pkg, group})
		}
	}
	provided := map[string]bool{}
	for _, record := range found {
		for _, item := range strings.Split(record["Provides"], ",") {
			if fields := strings.Fields(item); len(fields) > 0 {
				provided[fields[0]] = true
			}
		}
	}
	for _, v := range virtual {
		met := false
		for _, alt := range v.group {
			met = met || provided[alt]
		}
		if !met {
			return nil, badInput("%s depends on %s, which only a virtual package names; add its provider to debian.packages or the name to debian.skip", v.pkg, strings.Join(v.group, " | "))
		}
	}
	return found, nil
}

func lockImages(p *project, names []string) error {
	for _, name := range names {
		s := p.specs[name]
		if s.Debian == nil || len(s.Debian.Packages) == 0 {
			delete(p.lock.Images, name)
			continue
		}
		records, err := closure(s.Debian.Packages, s.Debian.Skip)
		if err != nil {
			return fmt.Errorf("image %s: %w", name, err)
		}
		var pkgs []string
		for pkg, record := range records {
			size, _ := strconv.ParseInt(record["Size"], 10, 64)
			if record["SHA256"] == "" || record["Version"] == "" {
				return badInput("apt-cache show %s gives no Version/SHA256", pkg)
			}
			p.lock.Packages[pkg] = lockedDeb{Version: record["Version"], SHA256: record["SHA256"], Size: size}
			pkgs = append(pkgs, pkg)
		}
		sort.Strings(pkgs)
		p.lock.Images[name] = pkgs
		fmt.Printf("lock: %s: %d packages\n", name, len(pkgs))
	}
	used := map[string]bool{}
	for _, pkgs := range p.lock.Images {
		for _, pkg := range pkgs {
			used[pkg] = true
		}
	}
	for pkg := range p.lock.Packages {
		if !used[pkg] {
			delete(p.lock.Packages, pkg)
		}
	}
	p.lock.Architecture = "amd64"
	p.lock.Comment = "Written by `make images-lock` from apt's candidates; the image build downloads exactly these versions and checks each SHA-256."
	data, err := json.MarshalIndent(p.lock, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(p.lockPath(), append(data, '\n'), 0o644)
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// fetchDebs returns the cached .deb of every package, downloading the missing ones with
// `apt-get download name=version` and keeping only files whose SHA-256 is the pinned one.
func (b *builder) fetchDebs(pkgs []string) (map[string]string, error) {
	dir := b.debs
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	paths := map[string]string{}
	var missing []string
	for _, pkg := range pkgs {
		pin := b.project.lock.Packages[pkg]
		path := filepath.Join(dir, pin.SHA256+".deb")
		if sum, err := fileSHA256(path); err == nil && sum == pin.SHA256 {
			paths[pkg] = path
			continue
		}
		missing = append(missing, pkg)
	}
	if len(missing) == 0 {
		return paths, nil
	}
	tmp, err := os.MkdirTemp(dir, ".download-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	args := []string{"download", "-q"}
	for _, pkg := range missing {
		args = append(args, pkg+"="+b.project.lock.Packages[pkg].Version)
	}
	fmt.Printf("images: downloading %d Debian packages\n", len(missing))
	cmd := exec.Command("apt-get", args...)
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, badInput("apt-get download of the pinned packages failed (%s); when Debian has replaced a pinned version, refresh the pins with: make images-lock", lastLine(out))
	}
	bySum := map[string]string{}
	downloaded, _ := filepath.Glob(filepath.Join(tmp, "*.deb"))
	for _, file := range downloaded {
		sum, err := fileSHA256(file)
		if err != nil {
			return nil, err
		}
		bySum[sum] = file
	}
	for _, pkg := range missing {
		pin := b.project.lock.Packages[pkg]
		file, ok := bySum[pin.SHA256]
		if !ok {
			return nil, badInput("downloaded %s %s does not have the pinned SHA-256 %s", pkg, pin.Version, pin.SHA256)
		}
		path := filepath.Join(dir, pin.SHA256+".deb")
		if err := os.Rename(file, path); err != nil {
			return nil, err
		}
		paths[pkg] = path
	}
	return paths, nil
}

func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// unpackDeb merges a package's files (its data archive, read by dpkg-deb) into the tree.
func unpackDeb(t *tree, deb string, excluded func(string) bool) error {
	cmd := exec.Command("dpkg-deb", "--fsys-tarfile", deb)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return badInput("dpkg-deb not found (Debian's dpkg): %v", err)
	}
	if err := t.addTar(stdout, excluded); err != nil {
		_ = cmd.Wait()
		return fmt.Errorf("%s: %w", filepath.Base(deb), err)
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("dpkg-deb %s: %v %s", filepath.Base(deb), err, stderr.String())
	}
	return nil
}
