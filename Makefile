# kubectl ack-expose. `make demo` runs the real lifecycle against a fresh
# simulator world in a temp dir; `make test` is the one test command (CI runs it).

SHELL   := bash
GO      ?= go
BIN     := bin/kubectl-ack_expose
VERSION ?= $(shell bash hack/version.sh)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null)
LDFLAGS := -s -w -X github.com/ack-expose/ack-expose/pkg/cmd.version=$(VERSION) -X github.com/ack-expose/ack-expose/pkg/cmd.commit=$(COMMIT)
export CGO_ENABLED := 0

FUZZTIME ?= 10s
FUZZ_TARGETS := \
	./simulator:FuzzDecode \
	./pkg/expose:FuzzParseEIPRef \
	./internal/certsan:FuzzCanonical \
	./pkg/expose:FuzzParseContextName \
	./pkg/expose:FuzzShapes \
	./pkg/kubeconfig:FuzzEdit \
	./simulator/openapi:FuzzErrorRoundTrip \
	./simulator/openapi:FuzzMasterURLRoundTrip \
	./pkg/backend/aliyun:FuzzParseEndpoint \
	./internal/probe:FuzzParseConnectTo \
	./internal/probe:FuzzReadHosts \
	./pkg/expose:FuzzParseSources \
	./internal/journal:FuzzList \
	./internal/kubeserver:FuzzEndpointKey

.PHONY: all build test prereqs vet docs demo bench fuzz mutate api dist release-snapshot release krew-check clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/kubectl-ack_expose

# Tools, pinned, installed from the Go module proxy into .cache/bin on first
# use (not in go.mod: GoReleaser's dependency tree stays out of the plugin's).
TOOLS               := $(CURDIR)/.cache/bin
STATICCHECK         := $(TOOLS)/staticcheck
STATICCHECK_VERSION := v0.8.2
GORELEASER          := $(TOOLS)/goreleaser
GORELEASER_VERSION  := v2.17.0
ACTIONLINT          := $(TOOLS)/actionlint
ACTIONLINT_VERSION  := v1.7.12
CYCLONEDX           := $(TOOLS)/cyclonedx-gomod
CYCLONEDX_VERSION   := v1.10.0
# go install PKG@VERSION into .cache/bin, saying in one line what failed.
install-tool = GOBIN=$(TOOLS) $(GO) install $(1)@$(2) || { echo "make: could not install $(1)@$(2) from the Go module proxy ($$($(GO) env GOPROXY)): is it reachable?"; exit 1; }

# One line naming what `make test` needs and is missing: Go, kubectl, the
# module proxy (make itself goes without saying).
prereqs:
	@bash hack/prereqs.sh

vet: prereqs $(STATICCHECK) $(ACTIONLINT) $(GORELEASER)
	@out=$$(gofmt -l cmd pkg simulator internal hack); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) mod tidy -diff
	$(GO) vet ./...
	$(STATICCHECK) ./...
	@# kubectl's own libraries read the kubeconfig and print -o; genericclioptions
	@# would drag in kustomize and all of client-go's API types (docs/development.md).
	@deps=$$($(GO) list -deps ./cmd/kubectl-ack_expose); \
	  for p in k8s.io/client-go/tools/clientcmd k8s.io/cli-runtime/pkg/printers; do \
	    echo "$$deps" | grep -qx "$$p" || { echo "the plugin no longer links $$p"; exit 1; }; done; \
	  if echo "$$deps" | grep -q '^k8s.io/cli-runtime/pkg/genericclioptions$$'; then echo "the plugin links cli-runtime's genericclioptions (use genericiooptions)"; exit 1; fi
	$(ACTIONLINT)
	$(GORELEASER) check

$(STATICCHECK):
	@$(call install-tool,honnef.co/go/tools/cmd/staticcheck,$(STATICCHECK_VERSION))
$(GORELEASER):
	@$(call install-tool,github.com/goreleaser/goreleaser/v2,$(GORELEASER_VERSION))
$(ACTIONLINT):
	@$(call install-tool,github.com/rhysd/actionlint/cmd/actionlint,$(ACTIONLINT_VERSION))
$(CYCLONEDX):
	@$(call install-tool,github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod,$(CYCLONEDX_VERSION))

# Vet (gofmt, tidy, vet, staticcheck, the dependency rule, actionlint, goreleaser
# check); the release snapshot's archives installed through the real Krew and
# kubectl; unit tests, fuzz seeds, the docs and manifests checks, and every
# testscript story against both backends. The Krew check runs beside the Go
# tests (its output, kept aside, is printed once it ends); both must pass.
test: vet
	@log=$$(mktemp); trap 'rm -f "$$log"' EXIT; \
	  echo "bash hack/krew-check.sh (beside go test; its output follows the tests')"; \
	  bash hack/krew-check.sh >"$$log" 2>&1 & krew=$$!; \
	  echo "$(GO) test -count=1 ./..."; \
	  $(GO) test -count=1 ./...; tests=$$?; \
	  wait $$krew; krewst=$$?; \
	  echo "== hack/krew-check.sh"; cat "$$log"; \
	  [ $$krewst -eq 0 ] || echo "make test: hack/krew-check.sh failed (exit $$krewst)"; \
	  [ $$tests -eq 0 ] || echo "make test: go test failed (exit $$tests)"; \
	  [ $$tests -eq 0 ] && [ $$krewst -eq 0 ]

# Rewrite the golden list of the exported API under pkg/ after a deliberate
# change to it (internal/apisurface's test fails until then; docs/maintainers.md).
api:
	$(GO) test ./internal/apisurface -run TestAPI -update

# The command reference in docs/reference, from the commands' help.
docs:
	$(GO) run ./hack/docs -out docs/reference

# The whole release, offline, into dist/: the six archives, checksums.txt, an
# SBOM per archive and dist/krew/ack-expose.yaml (not signed, not published).
# Then every archive installed with Krew under its own platform selector,
# .krew.yaml rendered for VERSION and compared with GoReleaser's manifest, and
# that manifest copied to plugins/ack-expose.yaml.
release-snapshot: $(GORELEASER) $(CYCLONEDX)
	bash hack/goreleaser.sh release --snapshot --clean --skip=sign
	$(GO) run ./hack/krewcompare -template .krew.yaml -tag $$(tr -d '[:space:]' < VERSION) -checksums dist/checksums.txt -manifest dist/krew/ack-expose.yaml
	bash hack/krew-platforms.sh
	cp dist/krew/ack-expose.yaml plugins/ack-expose.yaml

# The old name of release-snapshot.
dist: release-snapshot

# The real release, from CI on a v* tag (.github/workflows/release.yml):
# needs GITHUB_TOKEN and cosign with an OIDC identity.
release: $(GORELEASER) $(CYCLONEDX)
	bash hack/goreleaser.sh release --clean

# Performance budget: measures every target side by side, writes BENCH.md.
bench:
	$(GO) run ./hack/bench -out BENCH.md

krew-check: $(GORELEASER)
	bash hack/krew-check.sh

demo: build
	bash hack/demo.sh $(BIN)

# Each fuzz target for FUZZTIME (the seeds alone run in `make test`).
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t##*:}; \
	  echo "== $$name ($$pkg)"; $(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) $$pkg; done

# Deliberate bugs, one safety rule each (hack/mutate/mutations.txt), applied one
# at a time through `go test -overlay` (the tree is never written): fails under
# MUTATE_MIN percent killed, or on a stale mutation. MUTATE_ONLY=text runs some.
MUTATE_MIN ?= 90
mutate:
	$(GO) run ./hack/mutate -min $(MUTATE_MIN) -only '$(MUTATE_ONLY)'

clean:
	rm -rf bin dist
