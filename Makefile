# mlplatform: a Kubernetes operator and the sentence-embedding model server it deploys.
SHELL := /bin/bash
MVN ?= mvn -B
SERVER_JAR := model-server/target/model-server.jar
JAVA ?= java

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*?## "} /^[a-zA-Z0-9_-]+:.*?## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## Compile and package everything (no tests)
	$(MVN) -q package -DskipTests

$(SERVER_JAR): $(shell find model-server/src -type f 2>/dev/null) model-server/pom.xml pom.xml
	$(MVN) -q -pl model-server -am package -DskipTests

.PHONY: run
run: $(SERVER_JAR) ## Start the model server on the bundled model (offline) on :8080, metrics on :9090
	$(JAVA) -XX:+UseG1GC -XX:TieredStopAtLevel=1 -XX:MaxNewSize=128m -Xmx1g -jar $(SERVER_JAR)

.PHONY: test-deps
test-deps: ## Install (or name) every tool the tests need: tools/setup.sh (apt as root or sudo -n)
	bash tools/setup.sh test

.PHONY: test
test: test-deps ## Run unit and integration tests (what CI runs); sets up its tools first
	$(MVN) verify

.PHONY: bench bench-deps
bench-deps: ## Install (or name) what the benchmarks need: wrk
	bash tools/setup.sh bench

bench: build bench-deps ## Benchmark: the server vs a naive ONNX Runtime server, side by side under wrk (docs/performance.md)
	bash bench/run.sh

.PHONY: bench-engine
bench-engine: build bench-deps ## Benchmark: each engine alone in-process vs the HTTP server under wrk (ONNX Runtime, PyTorch)
	bash bench/engine.sh

.PHONY: bench-load
bench-load: build bench-deps ## Load over time: max, rate-limited, overload (single and batch), recovery; plots in bench/results
	bash bench/load.sh load

.PHONY: bench-soak
bench-soak: build bench-deps ## Soak: SOAK_MINUTES (10) at 80 % of max throughput; RSS and p99 drift verdicts, plots
	bash bench/load.sh soak

.PHONY: fmt
fmt: ## Format all Java sources (google-java-format via Spotless)
	$(MVN) -q spotless:apply

.PHONY: clean
clean: ## Remove build outputs
	$(MVN) -q clean

.PHONY: bench-operator
bench-operator: ## Benchmark the operator: 2 bursts of 200 ModelServers against a real API server it starts (BENCH_TARGET=mock: the mock)
	$(MVN) -q -pl operator -am package -DskipTests
	cd operator && $(MVN) -q exec:java -Dexec.classpathScope=test \
	  -Dexec.mainClass=dev.mlplatform.operator.bench.OperatorBench \
	  -Dbench.target=$${BENCH_TARGET:-real} -Dbench.count=$${BENCH_COUNT:-200} \
	  -Dbench.bursts=$${BENCH_BURSTS:-2} -Dbench.idleSeconds=$${BENCH_IDLE_SECONDS:-60} \
	  "-Dbench.operatorJvmArgs=$${BENCH_OPERATOR_JVM_ARGS:-}"

TORCHSCRIPT_OUT ?= models/all-minilm-l6-v2-torchscript
.PHONY: torchscript
torchscript: $(SERVER_JAR) ## Build a TorchScript of the bundled MiniLM into TORCHSCRIPT_OUT (needs python3-torch, python3-onnx)
	tmp=$$(mktemp -d) && (cd $$tmp && jar xf $(CURDIR)/$(SERVER_JAR) all-minilm-l6-v2.onnx all-minilm-l6-v2-tokenizer.json) && \
	  bash tools/torchscript-fixture.sh $$tmp/all-minilm-l6-v2.onnx $$tmp/all-minilm-l6-v2-tokenizer.json $(TORCHSCRIPT_OUT); \
	  status=$$?; rm -rf $$tmp; exit $$status

OVERLAY ?= dev
.PHONY: k8s-render
k8s-render: ## Print the Kustomize overlay OVERLAY (dev or prod) as kubectl would apply it
	kubectl kustomize k8s/overlays/$(OVERLAY)

.PHONY: k8s-deploy
k8s-deploy: ## Install the operator into the current kubectl context with the OVERLAY (default dev)
	kubectl apply -k k8s/overlays/$(OVERLAY)

.PHONY: images images-smoke images-lint images-deps
images-deps: ## Install (or name) what the image targets need: podman, runc, debootstrap, npm
	bash tools/setup.sh images

images: build images-deps ## Build both container images offline with podman (debootstrap base cached in ~/.cache/mlplatform)
	bash tools/images.sh build

images-smoke: build images-deps ## Build the images and run them hardened: server /health/ready + /predict, operator reconciles against a mock API server
	bash tools/images.sh smoke

images-lint: images-deps ## Lint Dockerfile.server and Dockerfile.operator (npm dockerfilelint)
	bash tools/images.sh lint

.PHONY: e2e e2e-down e2e-deps
e2e-deps: ## Install (or name) what make e2e needs: containerd, runc, CNI plugins, the Kubernetes binaries
	bash tools/setup.sh e2e

e2e: build images-deps e2e-deps ## End-to-end on a throwaway one-node cluster (tools/e2e, root): images, operator, scenarios; KEEP=1 leaves it up
	KEEP=$(KEEP) bash tools/e2e/run.sh

e2e-down: ## Remove the e2e cluster and everything it left (idempotent, safe when none is up)
	bash tools/e2e/cluster.sh down
