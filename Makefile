# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# mirrorkit.gentoo: `make test` runs every test, `make demo` runs the main job on an
# embedded default. Each target sets up what it needs and says what it is doing.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

TOP := $(CURDIR)
VENV := $(TOP)/.venv
SSLYZE_VENV := $(TOP)/.venv-sslyze
# Galaxy's importer and the community's linters (tests/requirements-galaxy.txt), apart from .venv.
GALAXY_VENV := $(TOP)/.venv-galaxy
GALAXY_STEPS := licence changelog docs-lint galaxy
PY := python3.11
BUILD := $(TOP)/build
STEP_SH := $(TOP)/tests/testbed/step.sh
# Each step is named for its target: `make test` lists it by that name in its timing table.
STEP = $(STEP_SH) --name $@
# Where `make test`'s steps write their times (tests/testbed/step.sh), read back for its last table.
TEST_TIMES := $(BUILD)/test-times.tsv
VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
TARBALL := $(BUILD)/mirrorkit-gentoo-$(VERSION).tar.gz
SCENARIOS ?= $(sort $(filter-out shared,$(notdir $(wildcard molecule/*))))
SUITES := bookworm trixie
MOLECULE_LANES ?= 1

export CONTAINERS_CONF := $(TOP)/tests/testbed/containers.conf
export ANSIBLE_COLLECTIONS_PATH := $(BUILD)/collections
export ANSIBLE_FORCE_COLOR ?= 0
export PATH := $(VENV)/bin:$(PATH)
export PY_COLORS ?= 0
# The faults scenario scans HTTPS with it.
export MIRRORKIT_SSLYZE := $(SSLYZE_VENV)/bin/sslyze

.PHONY: help test demo demo-down venv host-deps images collection lint yamllint ansible-lint \
        sanity unit bench-smoke molecule bench clean demo-smoke test-steps core-matrix \
        install-test sanity-tree promtool

help:
	@echo "make test       run every test (lint, sanity, unit, molecule scenarios: $(SCENARIOS)),"
	@echo "                then a table of how long each step and scenario took"
	@echo "make demo       bring up a stand-in upstream and a Debian 12 mirror, provision, sync, verify"
	@echo "make demo-down  remove the demo hosts"
	@echo "make bench      measure performance, write docs/performance.md"

# The steps run in a make of their own, so that the table of their times follows even when one
# fails (the exit status stays the failed step's).
test:
	@mkdir -p $(BUILD) && : > $(TEST_TIMES); start=$$(date +%s); rc=0; \
	MIRRORKIT_TEST_TIMES=$(TEST_TIMES) $(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) test-steps || rc=$$?; \
	printf '\n\033[1m==> make test: time per step and scenario (%s)\033[0m\n' "$(TEST_TIMES)"; \
	python3 tests/testbed/timing_table.py $(TEST_TIMES) $$(( $$(date +%s) - start )); exit $$rc

test-steps: venv host-deps images collection lint promtool core-matrix sanity-tree install-test $(GALAXY_STEPS) bench-smoke molecule demo-smoke
	@echo; echo "make test: all steps passed"

$(VENV)/.installed: tests/requirements.txt
	@$(STEP_SH) --name venv "creating the virtual environment .venv with pinned tools (tests/requirements.txt)" \
	  bash -c '$(PY) -m venv $(VENV) && $(VENV)/bin/pip install -q --upgrade pip && $(VENV)/bin/pip install -q -r tests/requirements.txt'
	@touch $@

venv: $(VENV)/.installed $(SSLYZE_VENV)/.installed

$(SSLYZE_VENV)/.installed: tests/requirements-sslyze.txt
	@$(STEP_SH) --name venv-sslyze "creating .venv-sslyze with the TLS scanner sslyze (tests/requirements-sslyze.txt)" \
	  bash -c '$(PY) -m venv $(SSLYZE_VENV) && $(SSLYZE_VENV)/bin/pip install -q -r tests/requirements-sslyze.txt'
	@touch $@

host-deps:
	@$(STEP) "checking host tools (podman, runc, debootstrap, rsync, curl, wget, lftp, xmllint, wrk, iperf3, shellcheck, chromium, chromedriver, certutil, promtool)" tests/testbed/host-deps.sh

images: host-deps
	@for suite in $(SUITES); do \
	  $(STEP_SH) --name images/$$suite "test-host image Debian $$suite (debootstrap, cached by recipe)" tests/testbed/build-image.sh $$suite; \
	done

collection: venv
	@$(STEP) "building the collection tarball and installing it into build/collections" bash -c '\
	  mkdir -p $(BUILD) && rm -rf $(BUILD)/collections.new $(BUILD)/collections.old && \
	  ansible-galaxy collection build --force --output-path $(BUILD) . && \
	  ansible-galaxy collection install --force --no-deps -p $(BUILD)/collections.new $(TARBALL) && \
	  { [ ! -d $(BUILD)/collections ] || mv $(BUILD)/collections $(BUILD)/collections.old; } && \
	  mv $(BUILD)/collections.new $(BUILD)/collections && rm -rf $(BUILD)/collections.old'

lint: yamllint ansible-lint

yamllint: venv
	@$(STEP) "yamllint" yamllint --strict .

ansible-lint: venv
	@$(STEP) "ansible-lint (profile: production)" ansible-lint

# The quick one, with .venv's ansible-core; `make test` runs it on every release (core-matrix).
sanity: venv collection
	@$(STEP) "ansible-test sanity on the built tarball, installed (ansible-core of .venv)" tests/testbed/sanity.sh

# The Python the tarball leaves out (tests/, molecule/): compile, pep8 and pylint on the checkout.
sanity-tree: venv
	@$(STEP) "ansible-test sanity (compile, pep8, pylint) on the test code, which is not shipped" \
	  env SANITY_DIR=$(BUILD)/sanity-tree tests/testbed/sanity.sh --tree

# Sanity on the tarball and the unit tests on every supported ansible-core
# (tests/requirements-core-*.txt), each in a venv of its own under build/core; 2.20 and later
# run in a Debian 13 controller container (Python 3.13). Ends with the matrix.
core-matrix: venv images collection
	@$(STEP) "sanity and unit tests on every supported ansible-core" tests/testbed/core-matrix.sh

# The collection installed through a requirements.yml from the tarball and from git, offline.
install-test: venv collection
	@$(STEP) "install through requirements.yml (tarball, git) into an empty path, without Galaxy" tests/testbed/install-test.sh

# The alert rules the status role ships: valid (check rules), and each alert fires on the series
# that should fire it and stays silent on a healthy one (test rules).
PROMETHEUS_RULES := roles/gentoo_mirror_status/files/usr/local/share/gentoo-mirror/prometheus/gentoo-mirror.rules.yml
promtool: host-deps
	@$(STEP) "promtool check rules and test rules on the alert rules" bash -c '\
	  promtool check rules $(PROMETHEUS_RULES) && \
	  promtool test rules tests/unit/$(PROMETHEUS_RULES:.yml=.test.yml)'

# `make test` runs the unit tests in core-matrix, on every supported ansible-core (the oldest is
# .venv's); this is the quick run for development.
unit: venv
	@$(STEP) "pytest unit tests" pytest -q tests/unit

# Every scenario, each one's output also in build/molecule-logs/; MOLECULE_LANES=N runs them in
# N parallel lanes (a gain only with more than 2 cores: see tests/testbed/molecule-lanes.sh).
# NEWEST_CORE_SCENARIO converges with the newest supported ansible-core (in the controller
# container, tests/testbed/molecule-core.sh), every other with .venv's, the oldest.
NEWEST_CORE_SCENARIO ?= default
molecule: venv images collection
	@$(STEP) "molecule scenarios ($(MOLECULE_LANES) lane(s)): $(SCENARIOS); $(NEWEST_CORE_SCENARIO) with the newest ansible-core" \
	  env MIRRORKIT_NEWEST_CORE_SCENARIO=$(NEWEST_CORE_SCENARIO) \
	  tests/testbed/molecule-lanes.sh $(MOLECULE_LANES) $(BUILD)/molecule-logs $(SCENARIOS)

molecule-%: venv images collection
	@$(STEP) "molecule scenario '$*'" molecule test -s $*

# One scenario with the newest supported ansible-core: make molecule-newest-core-default
molecule-newest-core-%: venv images collection
	@$(STEP) "molecule scenario '$*' with the newest supported ansible-core" tests/testbed/molecule-core.sh $*

demo: venv images collection
	@tests/testbed/demo.sh up

demo-down:
	@tests/testbed/demo.sh down

demo-smoke: venv images collection
	@$(STEP) "make demo, smoke run under names and ports of its own (up, its URLs answer, down)" tests/testbed/demo-smoke.sh

bench-smoke: venv images collection
	@$(STEP) "make bench harness, smoke run (seconds; keeps the benchmarks from rotting)" tests/bench/run.sh --smoke

# One section or a few: make bench BENCH_ARGS="--only sync --only http"
bench: venv images collection
	@$(STEP) "benchmarks (writes docs/performance.md)" tests/bench/run.sh $(BENCH_ARGS)

# Galaxy readiness: licence headers, changelog, docs lint and Galaxy's importer on the tarball.
.PHONY: galaxy-venv licence changelog docs-lint galaxy release

$(GALAXY_VENV)/.installed: tests/requirements-galaxy.txt
	@$(STEP_SH) --name venv-galaxy "creating .venv-galaxy with galaxy-importer, antsibull-docs, antsibull-changelog, reuse (tests/requirements-galaxy.txt)" \
	  bash -c '$(PY) -m venv $(GALAXY_VENV) && $(GALAXY_VENV)/bin/pip install -q --upgrade pip && $(GALAXY_VENV)/bin/pip install -q -r tests/requirements-galaxy.txt'
	@touch $@

galaxy-venv: $(GALAXY_VENV)/.installed

licence: galaxy-venv
	@$(STEP) "reuse lint: every file's copyright and licence (headers, REUSE.toml)" bash -c '\
	  $(GALAXY_VENV)/bin/reuse --root $(TOP) lint --lines && echo "reuse lint: every file names its copyright and licence"'

changelog: galaxy-venv collection
	@$(STEP) "antsibull-changelog lint, and the shipped CHANGELOG.md regenerated from changelogs/changelog.yaml" \
	  tests/testbed/changelog-check.sh $(GALAXY_VENV) $(BUILD)/collections/ansible_collections/mirrorkit/gentoo

docs-lint: galaxy-venv collection
	@$(STEP) "antsibull-docs lint-collection-docs --plugin-docs on the installed collection" bash -c '\
	  cd $(BUILD)/collections/ansible_collections/mirrorkit/gentoo && \
	  PATH=$(GALAXY_VENV)/bin:$$PATH antsibull-docs lint-collection-docs --plugin-docs . && echo "antsibull-docs: the documentation of every plugin and role renders"'

galaxy: galaxy-venv collection
	@$(STEP) "galaxy-importer on $(notdir $(TARBALL)) (what Galaxy runs on an upload; any warning fails)" \
	  tests/testbed/galaxy-importer.sh $(GALAXY_VENV) $(TARBALL)

# What would be uploaded: the tarball, checked as Galaxy checks it; the upload itself needs a key.
release: galaxy changelog
	@ls -l $(TARBALL)
	@echo "To publish: ansible-galaxy collection publish $(patsubst $(TOP)/%,%,$(TARBALL)) --api-key <your Galaxy API key>"

clean:
	rm -rf $(BUILD)
