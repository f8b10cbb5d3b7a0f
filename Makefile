# Make targets for the muscle-atrophy triage assistant. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell for p in python3.10 $$(ls -d /root/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10 2>/dev/null); do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
RASA := $(BIN)/rasa

# `make run` reads deploy/endpoints.env.yml, whose values come from these (Rasa's own commands with no flags read
# endpoints.yml: the same defaults, fixed).
export RASA_PORT ?= 5005
export ACTION_PORT ?= 5055
export ACTION_ENDPOINT_URL ?= http://127.0.0.1:$(ACTION_PORT)/webhook
export TRACKER_DIALECT ?= sqlite
export TRACKER_HOST ?=
export TRACKER_DB ?= $(CURDIR)/.rasa/tracker.db
export TRACKER_USER ?=
export TRACKER_PASSWORD ?=
# One Rasa process: in-memory locks. Several sharing a tracker store: LOCK_STORE_TYPE=persistence.lock_store.AtomicRedisLockStore (docs/deploy.md).
export LOCK_STORE_TYPE ?= in_memory
export REDIS_HOST ?= 127.0.0.1
export REDIS_PORT ?= 6379
export REDIS_PASSWORD ?=
export REDIS_DB ?= 1
# Channels read their settings from the environment (settings.py): WECHAT_*, WECOM_* (docs/wechat.md; empty token =
# channel off), WEB_ORIGINS, REST_AUTH_TOKEN (docs/deploy.md). Nothing to export for a local run.
# Staff console (staff/, docs/testing-stories.md): its own process; its own database; reads the tracker store.
export STAFF_HOST ?= 127.0.0.1
export STAFF_PORT ?= 5006
export STAFF_DB_URL ?= sqlite:///$(CURDIR)/.rasa/staff.db
export RASA_URL ?= http://127.0.0.1:$(RASA_PORT)
# Human handoff (docs/handoff.md): the token the console uses to reach Rasa's internal endpoint, made once per
# checkout in .rasa/handoff.token unless given. Service hours and limits: HANDOFF_* in settings.py.
export HANDOFF_TOKEN ?= $(shell mkdir -p .rasa && { test -s .rasa/handoff.token || od -An -N24 -tx1 /dev/urandom | tr -d ' \n' > .rasa/handoff.token; } && cat .rasa/handoff.token)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

TRAIN_INPUTS := config.yml domain.yml data knowledge
WEB_SOURCES := $(wildcard web/src/*.js) web/index.html web/style.css web/favicon.svg web/build.mjs package-lock.json

.PHONY: help install data validate train run staff-user test test-unit test-e2e test-stories test-nlu eval eval-indep eval-indep2 export-story test-web web bench retention clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "python3.10 not found: install Python 3.10 (Rasa 3.6 needs < 3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip wheel
	$(BIN)/pip install -q -c constraints.txt -e ".[test]"
	touch $@

# npm ci deletes node_modules first: run it only when package-lock.json changed, so that concurrent
# make runs (and a `make test` while `make run` serves) never see node_modules half-installed.
install: $(VENV)/.installed node_modules/.package-lock.json ## create .venv with python3.10 and install everything

data: $(VENV)/.installed ## regenerate NLU lookups and the jieba dictionary from knowledge/causes.yml
	$(BIN)/python scripts/gen_nlu_terms.py

validate: install ## rasa data validate, every warning fatal but three known Rasa 3.6 false positives
	$(BIN)/python scripts/validate_data.py

train: install ## train the model if the data changed (Rasa reuses unchanged components)
	@mkdir -p models .rasa
	$(RASA) train --domain domain.yml --data data --config config.yml --out models --fixed-model-name triage --quiet

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

web/dist/app.js: node_modules/.package-lock.json $(WEB_SOURCES)
	npm run --silent build

web: web/dist/app.js ## build the web chat page into web/dist (make run serves it at /chat/)

run: train web ## start the action server, the Rasa server and the staff console on localhost (Ctrl-C stops all)
	@mkdir -p .rasa
	@trap 'kill 0' INT TERM EXIT; \
	$(RASA) run actions --actions actions --port $(ACTION_PORT) & \
	$(RASA) run --model models/triage.tar.gz --endpoints deploy/endpoints.env.yml --credentials credentials.yml \
		--port $(RASA_PORT) --interface 127.0.0.1 --cors "http://127.0.0.1:$(RASA_PORT)" & \
	$(BIN)/python -m staff & \
	wait

staff-user: install ## create a staff account or reset its password (NAME=..., ROLE=viewer|editor; asks the password)
	@test -n "$(NAME)" || { echo "usage: make staff-user NAME=<name> [ROLE=viewer|editor]"; exit 2; }
	@mkdir -p .rasa
	@$(BIN)/python -m staff.cli "$(NAME)" --role "$(or $(ROLE),editor)"

test: train web ## run every test (unit, NLU hold-out, stories, end-to-end)
	$(MAKE) validate
	$(BIN)/pytest -q -p no:cacheprovider

test-unit: install ## unit tests only (no servers)
	$(BIN)/pytest -q -m "not e2e and not browser" -p no:cacheprovider

test-e2e: train ## end-to-end tests against the real servers
	$(BIN)/pytest -q -m e2e -p no:cacheprovider

test-web: train web ## the web chat in headless Chromium (/usr/bin/chromium; screenshots in test-artifacts/)
	$(BIN)/pytest -q -m browser -p no:cacheprovider

# tests/test_stories.yml and every tests/stories/test_*.yml (saved from the staff console).
STORIES ?= tests/test_stories.yml tests/stories
test-stories: validate train ## run the test stories (STORIES="files or folders"), report in reports/stories.html and .md
	$(BIN)/python scripts/run_stories.py --stories $(STORIES) --model models/triage.tar.gz --out reports --results results

test-nlu: train ## NLU cross-validation and hold-out set, F1 floors; reports/nlu/ (intent report, confusion matrix)
	$(BIN)/python scripts/nlu_report.py --out reports/nlu

SPLIT ?= all
eval: install ## score the real patient-text set (SPLIT=dev|test|all; needs the data mirrors), reports/eval-real.md
	$(BIN)/python scripts/real_set.py
	$(MAKE) train
	$(BIN)/python scripts/eval_real.py --split $(SPLIT) --model models/triage.tar.gz --report reports/eval-real.md

eval-indep: train ## score the independent set of our own writing (tests/independent/, every miss listed), reports/eval-indep.md
	$(BIN)/python scripts/eval_real.py --set tests/independent/set.yml --model models/triage.tar.gz --report reports/eval-indep.md

# The second independent set (tests/independent2/): the dev half lists every miss, the test half figures only.
eval-indep2: train ## score tests/independent2/ (SPLIT=dev|test; test: figures only), reports/eval-indep2-<split>.md
	@case "$(SPLIT)" in dev|test) ;; *) echo "usage: make eval-indep2 SPLIT=dev|test"; exit 2;; esac
	$(BIN)/python scripts/eval_real.py --set tests/independent2/$(SPLIT).yml --model models/triage.tar.gz \
		--report reports/eval-indep2-$(SPLIT).md

export-story: install ## write a stored conversation as a test story (SENDER=id or LAST=N; OUT=file)
	@test -n "$(SENDER)$(LAST)" || { echo "usage: make export-story SENDER=<sender id>  or  LAST=<N>  [OUT=file]"; exit 2; }
	$(BIN)/python scripts/export_story.py $(if $(SENDER),--sender $(SENDER),--last $(LAST)) \
		--out $(or $(OUT),reports/test_exported_stories.yml)

bench: train ## ours next to a stock `rasa init` bot, interleaved: latency, throughput, load, memory (bench/RESULTS.md)
	$(BIN)/python bench/bench.py

retention: install ## delete conversations that ended more than DAYS days ago from the tracker store (DAYS=N)
	@test -n "$(DAYS)" || { echo "usage: make retention DAYS=N"; exit 2; }
	$(BIN)/python scripts/retention.py --days $(DAYS)

clean: ## remove models, reports and caches
	rm -rf models reports results .rasa bench/results .pytest_cache
