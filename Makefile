# tiffshard: the two commands of the README are `make run` and `make test`.
SWIFT ?= swift
BIN_DEBUG = .build/debug/tiffshard
BIN_RELEASE = .build/release/tiffshard

.PHONY: deps build release run test test-swift test-systemd bench clean static deb install uninstall \
        test-packaging test-python

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
	$(MAKE) --no-print-directory test-python
	$(MAKE) --no-print-directory test-packaging

bench: release
	python3 bench/run.py --tiffshard $(BIN_RELEASE)

clean:
	rm -rf .build .build-static .build-deb tiffshard_*.deb

# --- Packaging: the binary for packages, the .deb, make install --------------------------------
# VERSION lives in packaging/VERSION only; the .deb and the Python reader take it from there.
VERSION := $(shell tr -d '[:space:]' < packaging/VERSION)
ARCH := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
BIN_STATIC = .build-static/release/tiffshard
DEB = tiffshard_$(VERSION)_$(ARCH).deb

# Release build with the Swift runtime linked in (runs where no Swift toolchain is installed) and
# without SwiftPM's $ORIGIN rpath. Its own build directory, so it never invalidates .build/release.
static:
	$(SWIFT) build -c release --static-swift-stdlib --disable-local-rpath --product tiffshard \
	    --scratch-path .build-static

# tiffshard_VERSION_ARCH.deb in the repository root, built with dpkg-deb (no network).
deb: static
	bash packaging/build-deb.sh $(BIN_STATIC) .

# make install [PREFIX=/usr/local] [DESTDIR=]: the same files as the .deb, for systems without dpkg.
# Units go where systemd looks for them under /usr/local (/usr/local/lib/systemd/system); with
# another PREFIX, set UNITDIR=/etc/systemd/system. The config is installed only if absent (it is
# yours once installed), and the units name this BINDIR/SYSCONFDIR. Nothing is started: see
# systemd/INSTALL.md for sysusers, tmpfiles and systemctl.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
UNITDIR ?= $(LIBDIR)/systemd/system
SYSUSERSDIR ?= $(LIBDIR)/sysusers.d
TMPFILESDIR ?= $(LIBDIR)/tmpfiles.d
DOCDIR ?= $(PREFIX)/share/doc/tiffshard
SYSCONFDIR ?= /etc
UNIT_PATHS = -e 's|/usr/local/bin/tiffshard|$(BINDIR)/tiffshard|g' \
             -e 's|/usr/local/share/doc/tiffshard/|$(DOCDIR)/|g' -e 's|/etc/tiffshard/|$(SYSCONFDIR)/tiffshard/|g'

install: static
	install -D -m 0755 $(BIN_STATIC) $(DESTDIR)$(BINDIR)/tiffshard
	install -d $(DESTDIR)$(UNITDIR)
	for u in tiffshard.service tiffshard@.service; do \
	    sed $(UNIT_PATHS) systemd/$$u > $(DESTDIR)$(UNITDIR)/$$u && chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	install -D -m 0644 systemd/tiffshard.sysusers $(DESTDIR)$(SYSUSERSDIR)/tiffshard.conf
	install -D -m 0644 systemd/tiffshard.tmpfiles $(DESTDIR)$(TMPFILESDIR)/tiffshard.conf
	install -D -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	test -e $(DESTDIR)$(SYSCONFDIR)/tiffshard/tiffshard.yaml || \
	    install -D -m 0644 config/tiffshard.yaml $(DESTDIR)$(SYSCONFDIR)/tiffshard/tiffshard.yaml
	@echo "installed; as root: systemd-sysusers tiffshard.conf && systemd-tmpfiles --create tiffshard.conf" \
	      "&& systemctl daemon-reload && systemctl enable --now tiffshard.service"

# Removes what install put there; the config only if unchanged; never the data in /var/lib/tiffshard.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tiffshard $(DESTDIR)$(UNITDIR)/tiffshard.service \
	      $(DESTDIR)$(UNITDIR)/tiffshard@.service $(DESTDIR)$(SYSUSERSDIR)/tiffshard.conf \
	      $(DESTDIR)$(TMPFILESDIR)/tiffshard.conf $(DESTDIR)$(DOCDIR)/README.md
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null
	if cmp -s config/tiffshard.yaml $(DESTDIR)$(SYSCONFDIR)/tiffshard/tiffshard.yaml; then \
	    rm -f $(DESTDIR)$(SYSCONFDIR)/tiffshard/tiffshard.yaml; \
	    rmdir $(DESTDIR)$(SYSCONFDIR)/tiffshard 2>/dev/null || true; \
	elif [ -e $(DESTDIR)$(SYSCONFDIR)/tiffshard/tiffshard.yaml ]; then \
	    echo "kept $(DESTDIR)$(SYSCONFDIR)/tiffshard/tiffshard.yaml (changed since install)"; \
	fi

# The .deb on this machine under a real systemd (Tests/packaging), make install into a DESTDIR.
test-packaging: deb
	python3 Tests/packaging/test_deb.py --deb $(DEB) --compare-binary $(BIN_DEBUG)
	python3 -m pytest -q Tests/packaging/test_make_install.py

# The Python reader (python/), against real output of the debug binary.
test-python:
	python3 -m pytest -q Tests/python
