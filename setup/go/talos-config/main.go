// talos-config: Talos's own config library (github.com/siderolabs/talos/pkg/machinery),
// called as a program by the kit's TypeScript. The setup builds it at the model's Talos
// version.
//
//	talos-config gen --out DIR --cluster NAME --endpoint URL [--kubernetes V] [--mirror HOST=URL]...
//	    [--install-disk DEV] [--install-image REF] [--secrets FILE]
//	    [--patch FILE]... [--patch-controlplane FILE]... [--patch-worker FILE]...
//	    [--talos-endpoint IP]...
//	    writes the secrets bundle once (DIR/secrets.yaml, or FILE; kept when it exists:
//	    regenerating PKI breaks a booted cluster), then DIR/controlplane.yaml and
//	    DIR/worker.yaml from it, with the strategic-merge patches applied (as
//	    talosctl gen config --config-patch… does), and DIR/talosconfig, talosctl's
//	    client config for those endpoints (the control planes' addresses).
//	talos-config validate [--mode metal|cloud|container] FILE...
//	    strict validation, as a node does before it applies a config; one JSON line per file.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/siderolabs/talos/pkg/machinery/config"
	"github.com/siderolabs/talos/pkg/machinery/config/configloader"
	"github.com/siderolabs/talos/pkg/machinery/config/configpatcher"
	"github.com/siderolabs/talos/pkg/machinery/config/encoder"
	"github.com/siderolabs/talos/pkg/machinery/config/generate"
	"github.com/siderolabs/talos/pkg/machinery/config/generate/secrets"
	"github.com/siderolabs/talos/pkg/machinery/config/machine"
	"github.com/siderolabs/talos/pkg/machinery/config/validation"
	"github.com/siderolabs/talos/pkg/machinery/constants"
	"gopkg.in/yaml.v3"
)

// mode is the platform a config is validated for: bare metal and clouds install to disk.
type mode string

func (m mode) String() string        { return string(m) }
func (m mode) RequiresInstall() bool { return m != "container" }
func (m mode) InContainer() bool     { return m == "container" }

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

type result struct {
	File     string   `json:"file"`
	OK       bool     `json:"ok"`
	Kind     string   `json:"kind,omitempty"`
	Warnings []string `json:"warnings"`
	Error    string   `json:"error,omitempty"`
}

func validate(args []string) int {
	fs := flag.NewFlagSet("validate", flag.ExitOnError)
	m := fs.String("mode", "metal", "platform mode: metal, cloud or container")
	_ = fs.Parse(args)
	if *m != "metal" && *m != "cloud" && *m != "container" {
		fmt.Fprintf(os.Stderr, "--mode %q: use metal, cloud or container\n", *m)
		return 2
	}
	failed := 0
	for _, file := range fs.Args() {
		r := result{File: file, Warnings: []string{}}
		cfg, err := configloader.NewFromFile(file)
		if err == nil {
			r.Kind = cfg.Machine().Type().String()
			var warnings []string
			warnings, err = cfg.Validate(mode(*m), validation.WithStrict())
			if warnings != nil {
				r.Warnings = warnings
			}
		}
		if err != nil {
			r.Error = err.Error()
			failed++
		} else {
			r.OK = true
		}
		line, _ := json.Marshal(r)
		fmt.Println(string(line))
	}
	if failed > 0 {
		return 1
	}
	return 0
}

func gen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	out := fs.String("out", "", "folder to write secrets.yaml, controlplane.yaml and worker.yaml to")
	cluster := fs.String("cluster", "", "cluster name")
	endpoint := fs.String("endpoint", "", "Kubernetes API endpoint, e.g. https://10.20.13.10:6443")
	kubernetes := fs.String("kubernetes", constants.DefaultKubernetesVersion, "Kubernetes version")
	image := fs.String("install-image", "", "installer image (an Image Factory reference)")
	disk := fs.String("install-disk", "", "the disk Talos installs to, e.g. /dev/vda")
	secretsPath := fs.String("secrets", "", "the secrets bundle to use, made there when missing (default DIR/secrets.yaml)")
	var mirrors, patches, cpPatches, workerPatches, talosEndpoints list
	fs.Var(&mirrors, "mirror", "registry mirror HOST=URL (repeatable)")
	fs.Var(&talosEndpoints, "talos-endpoint", "a control plane's address for talosconfig (repeatable)")
	fs.Var(&patches, "patch", "a patch file for every role (repeatable)")
	fs.Var(&cpPatches, "patch-controlplane", "a patch file for control-plane configs (repeatable)")
	fs.Var(&workerPatches, "patch-worker", "a patch file for worker configs (repeatable)")
	_ = fs.Parse(args)
	if *out == "" || *cluster == "" || *endpoint == "" {
		return errors.New("gen needs --out, --cluster and --endpoint")
	}
	if err := os.MkdirAll(*out, 0o700); err != nil {
		return err
	}
	secretsFile := filepath.Join(*out, "secrets.yaml")
	if *secretsPath != "" {
		secretsFile = *secretsPath
	}
	bundle, err := secrets.LoadBundle(secretsFile)
	if errors.Is(err, os.ErrNotExist) {
		bundle, err = secrets.NewBundle(secrets.NewClock(), config.TalosVersionCurrent)
		if err != nil {
			return err
		}
		data, err := yaml.Marshal(bundle)
		if err != nil {
			return err
		}
		if err = os.WriteFile(secretsFile, data, 0o600); err != nil {
			return err
		}
	} else if err != nil {
		return fmt.Errorf("%s: %w", secretsFile, err)
	}
	opts := []generate.Option{generate.WithSecretsBundle(bundle)}
	for _, m := range mirrors {
		host, url, ok := strings.Cut(m, "=")
		if !ok {
			return fmt.Errorf("--mirror %q: write HOST=URL", m)
		}
		opts = append(opts, generate.WithRegistryMirror(host, url))
	}
	if *disk != "" {
		opts = append(opts, generate.WithInstallDisk(*disk))
	}
	if *image != "" {
		opts = append(opts, generate.WithInstallImage(*image))
	}
	if len(talosEndpoints) > 0 {
		opts = append(opts, generate.WithEndpointList(talosEndpoints))
	}
	input, err := generate.NewInput(*cluster, *endpoint, *kubernetes, opts...)
	if err != nil {
		return err
	}
	load := func(files list) ([]configpatcher.Patch, error) {
		refs := make([]string, len(files))
		for i, f := range files {
			refs[i] = "@" + f
		}
		p, err := configpatcher.LoadPatches(refs)
		if err != nil {
			return nil, fmt.Errorf("patch: %w", err)
		}
		return p, nil
	}
	for _, t := range []machine.Type{machine.TypeControlPlane, machine.TypeWorker} {
		cfg, err := input.Config(t)
		if err != nil {
			return err
		}
		own := workerPatches
		if t == machine.TypeControlPlane {
			own = cpPatches
		}
		ps, err := load(append(append(list{}, patches...), own...))
		if err != nil {
			return err
		}
		patched, err := configpatcher.Apply(configpatcher.WithConfig(cfg), ps)
		if err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
		if cfg, err = patched.Config(); err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
		data, err := cfg.EncodeBytes(encoder.WithComments(encoder.CommentsDisabled))
		if err != nil {
			return err
		}
		if err = os.WriteFile(filepath.Join(*out, t.String()+".yaml"), data, 0o600); err != nil {
			return err
		}
	}
	tc, err := input.Talosconfig()
	if err != nil {
		return err
	}
	data, err := tc.Bytes()
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(*out, "talosconfig"), data, 0o600)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: talos-config gen|validate …")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "validate":
		os.Exit(validate(os.Args[2:]))
	case "gen":
		if err := gen(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "talos-config gen:", err)
			os.Exit(1)
		}
	default:
		fmt.Fprintf(os.Stderr, "talos-config: unknown command %q; use gen or validate\n", os.Args[1])
		os.Exit(2)
	}
}
