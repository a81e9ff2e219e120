// Command acme-image builds the local cluster's container images from pinned inputs (Debian
// packages recorded in images/debian.lock.json, Go and C sources, files under images/) into
// OCI image layouts and archives, with no registry and no container engine.
//
//	acme-image build [-root DIR] [-cache DIR] [-index FILE] [NAME ...]   build (or reuse) images
//	acme-image lock  [-root DIR] [NAME ...]                              pin Debian packages
//	acme-image version
//
// Exit codes: 0 done, 1 a build step failed, 2 bad input or environment (one line on stderr).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
)

// inputError is bad input or a missing piece of the environment: exit 2, one sentence.
type inputError struct{ msg string }

func (e *inputError) Error() string { return e.msg }

func badInput(format string, args ...any) error { return &inputError{fmt.Sprintf(format, args...)} }

func main() {
	err := run(os.Args[1:])
	if err == nil {
		return
	}
	fmt.Fprintf(os.Stderr, "acme-image: %v\n", err)
	var bad *inputError
	if errors.As(err, &bad) {
		os.Exit(2)
	}
	os.Exit(1)
}

func run(args []string) error {
	if len(args) == 0 {
		return badInput("missing command: build, lock or version")
	}
	switch args[0] {
	case "version":
		fmt.Printf("acme-image (go-containerregistry %s)\n", dependencyVersion("github.com/google/go-containerregistry"))
		return nil
	case "build":
		return runBuild(args[1:])
	case "lock":
		return runLock(args[1:])
	}
	return badInput("unknown command %q: build, lock or version", args[0])
}

func dependencyVersion(path string) string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == path {
				return dep.Version
			}
		}
	}
	return "unknown"
}

func defaultCache() string {
	if dir := os.Getenv("ACME_TOOLS_CACHE"); dir != "" {
		return dir
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "acme-tools")
}

// parse reads the -root flag every command has, then the image names after the flags.
func parse(flags *flag.FlagSet, args []string) (*project, []string, error) {
	root := flags.String("root", ".", "repository root (holds images/)")
	flags.SetOutput(io.Discard) // the error below is the one line
	if err := flags.Parse(args); err != nil {
		return nil, nil, badInput("%s: %v", flags.Name(), err)
	}
	project, err := loadProject(*root)
	if err != nil {
		return nil, nil, err
	}
	names, err := project.selected(flags.Args())
	return project, names, err
}

func runBuild(args []string) error {
	flags := flag.NewFlagSet("build", flag.ContinueOnError)
	cache := flags.String("cache", defaultCache(), "tool cache; images go under <cache>/images")
	index := flags.String("index", "", "index to write (default <root>/.tools/images/index.json)")
	debs := flags.String("debs", "", "downloaded Debian packages (default <cache>/images/debs)")
	project, names, err := parse(flags, args)
	if err != nil {
		return err
	}
	if *index == "" {
		*index = filepath.Join(project.root, ".tools", "images", "index.json")
	}
	builder := &builder{project: project, cache: filepath.Join(*cache, "images"), debs: *debs}
	if builder.debs == "" {
		builder.debs = filepath.Join(builder.cache, "debs")
	}
	results := map[string]indexEntry{}
	for _, name := range names {
		entry, err := builder.image(name)
		if err != nil {
			return fmt.Errorf("image %s: %w", name, err)
		}
		results[name] = entry
	}
	return writeIndex(*index, results, project.specs)
}

func runLock(args []string) error {
	project, names, err := parse(flag.NewFlagSet("lock", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	return lockImages(project, names)
}
