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
	./pkg/expose:FuzzParseContextName \
	./pkg/expose:FuzzShapes \
	./pkg/kubeconfig:FuzzEdit \
	./simulator/openapi:FuzzErrorRoundTrip \
	./simulator/openapi:FuzzMasterURLRoundTrip \
	./pkg/backend/aliyun:FuzzParseEndpoint \
	./internal/probe:FuzzParseConnectTo \
	./pkg/expose:FuzzParseSources \
	./internal/journal:FuzzList

.PHONY: all build test vet demo bench fuzz mutate api dist krew-check clean

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/kubectl-ack_expose

STATICCHECK := .cache/bin/staticcheck
STATICCHECK_VERSION := v0.8.2

vet: $(STATICCHECK)
	@out=$$(gofmt -l cmd pkg simulator internal hack); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) mod tidy -diff
	$(GO) vet ./...
	$(STATICCHECK) ./...
	@# kubectl's own libraries read the kubeconfig and print -o; genericclioptions
	@# would drag in kustomize and all of client-go's API types (docs/design.md).
	@deps=$$($(GO) list -deps ./cmd/kubectl-ack_expose); \
	  for p in k8s.io/client-go/tools/clientcmd k8s.io/cli-runtime/pkg/printers; do \
	    echo "$$deps" | grep -qx "$$p" || { echo "the plugin no longer links $$p"; exit 1; }; done; \
	  if echo "$$deps" | grep -q '^k8s.io/cli-runtime/pkg/genericclioptions$$'; then echo "the plugin links cli-runtime's genericclioptions (use genericiooptions)"; exit 1; fi

$(STATICCHECK):
	GOBIN=$(CURDIR)/.cache/bin $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

# Unit tests, fuzz seeds, every testscript story against both backends, and
# the Krew install of the host's release archive through the real kubectl.
test: vet
	bash hack/krew-check.sh
	$(GO) test -count=1 ./...

# Rewrite the golden list of the exported API under pkg/ after a deliberate
# change to it (internal/apisurface's test fails until then; docs/maintainers.md).
api:
	$(GO) test ./internal/apisurface -run TestAPI -update

# Release archives for every platform in dist/ (reproducible: the same source and
# VERSION give the same bytes), and plugins/ack-expose.yaml for them.
dist:
	$(GO) run ./hack/dist -out dist -manifest plugins/ack-expose.yaml
	bash hack/krew-platforms.sh

# Performance budget: measures every target side by side, writes BENCH.md.
bench:
	$(GO) run ./hack/bench -out BENCH.md

krew-check:
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
