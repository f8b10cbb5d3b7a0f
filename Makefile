# Make targets for the muscle-atrophy triage assistant. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell for p in python3.10 $$(ls -d /root/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10 2>/dev/null); do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
RASA := $(BIN)/rasa

export RASA_PORT ?= 5005
export ACTION_PORT ?= 5055
export ACTION_ENDPOINT_URL ?= http://127.0.0.1:$(ACTION_PORT)/webhook
export TRACKER_DIALECT ?= sqlite
export TRACKER_HOST ?=
export TRACKER_DB ?= $(CURDIR)/.rasa/tracker.db
export TRACKER_USER ?=
export TRACKER_PASSWORD ?=
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

TRAIN_INPUTS := config.yml domain data knowledge

.PHONY: help install data validate train run test test-unit test-e2e test-stories test-nlu bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "python3.10 not found: install Python 3.10 (Rasa 3.6 needs < 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip wheel
	$(BIN)/pip install -q -c constraints.txt -e ".[test]"
	touch $@

install: $(VENV)/.installed ## create .venv with python3.10 and install everything
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; fi

data: $(VENV)/.installed ## regenerate NLU lookups and the jieba dictionary from knowledge/causes.yml
	$(BIN)/python scripts/gen_nlu_terms.py

validate: install ## rasa data validate --fail-on-warnings
	$(RASA) data validate --domain domain --data data --config config.yml --fail-on-warnings

train: install ## train the model if the data changed (Rasa reuses unchanged components)
	@mkdir -p models .rasa
	$(RASA) train --domain domain --data data --config config.yml --out models --fixed-model-name triage --quiet

run: train ## start the action server and the Rasa server on localhost (Ctrl-C stops both)
	@mkdir -p .rasa
	@trap 'kill 0' INT TERM EXIT; \
	$(RASA) run actions --actions actions --port $(ACTION_PORT) & \
	$(RASA) run --model models/triage.tar.gz --endpoints endpoints.yml --credentials credentials.yml \
		--port $(RASA_PORT) --interface 127.0.0.1 --cors "http://127.0.0.1:$(RASA_PORT)" & \
	wait

test: train ## run every test (unit, NLU hold-out, stories, end-to-end)
	$(MAKE) validate
	$(BIN)/pytest -q -p no:cacheprovider

test-unit: install ## unit tests only (no servers)
	$(BIN)/pytest -q -m "not e2e and not browser" -p no:cacheprovider

test-e2e: train ## end-to-end tests against the real servers
	$(BIN)/pytest -q -m e2e -p no:cacheprovider

bench: train ## latency, throughput, start time, training time and memory, written to bench/results/
	$(BIN)/python bench/bench.py

clean: ## remove models, reports and caches
	rm -rf models reports results .rasa bench/results .pytest_cache
