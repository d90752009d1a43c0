# tiffshard: the two commands of the README are `make run` and `make test`.
SWIFT ?= swift
BIN_DEBUG = .build/debug/tiffshard
BIN_RELEASE = .build/release/tiffshard

.PHONY: deps build release run test test-swift test-systemd bench clean

deps:
	bash .ci/install-deps

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product tiffshard

# Set up and run the daemon on the default config: watches ./ingest, publishes into ./shards.
run: release
	$(BIN_RELEASE) run --config config/tiffshard.yaml

# The whole test suite: Swift unit + end-to-end tests, unit-file checks, a real systemd 252 scenario, many machines
# (partitioned convert under a real Slurm 22.05 job array, a fleet of daemons, the shipped examples).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	bash Tests/systemd/check-units.sh
	python3 Tests/systemd/test_harness.py
	python3 Tests/systemd/test_systemd.py --binary $(BIN_DEBUG)
	python3 -m pytest -q bench/tests
	python3 Tests/faults/run.py --quick --binary $(BIN_DEBUG)
	python3 Tests/partitions/run.py --binary $(BIN_DEBUG)
	bash Tests/fuzz/run-fuzz.sh 60

bench: release
	python3 bench/run.py --tiffshard $(BIN_RELEASE)

clean:
	rm -rf .build
