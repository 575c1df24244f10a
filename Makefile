# The two commands of the README: `make run` and `make test`. Everything else is for developers.
.PHONY: setup run test lint format train validate evaluate benchmark loadtest soak lock clean

export RASA_TELEMETRY_ENABLED := false
PY := .venv/bin/python
# `make run PROFILE=production`: PostgreSQL, Redis, several Rasa replicas behind nginx (README).
PROFILE ?= embedded
export TELEBOT_PROFILE := $(PROFILE)
SETUP_FLAGS := $(if $(filter production,$(PROFILE)),--production)

setup:
	@scripts/setup.sh $(SETUP_FLAGS)

run: setup
	@$(PY) -m bot run

# The lint steps (configured in pyproject.toml), shared by `make lint` and `make test`.
define run-lint
	@.venv/bin/ruff check bot actions tests
	@.venv/bin/ruff format --check bot actions tests
	@.venv/bin/mypy
endef

# Lint first, then the tests.
test:
	@scripts/setup.sh --test
	$(run-lint)
	@$(PY) -m pytest

# ruff and mypy only: --lint installs the venv and the lint tools, not npm or the Debian packages.
lint:
	@scripts/setup.sh --lint
	$(run-lint)

# Rewrites the code: ruff's formatter, then ruff's safe fixes (sorted imports, unused ones, ...).
format:
	@scripts/setup.sh --lint
	@.venv/bin/ruff format bot actions tests
	@.venv/bin/ruff check --fix bot actions tests

train: setup
	@$(PY) -m bot train

validate: setup
	@$(PY) -m rasa data validate --data data/nlu data/rules data/stories --domain domain

# Trainers: our pipeline vs the stock one on the held-out set (reports in results/evaluation/).
evaluate: setup
	@$(PY) -m bot evaluate

# p50/p95 latency of /model/parse for both pipelines (run `make evaluate` first to reuse its models).
benchmark: setup
	@$(PY) -m bot benchmark

# Simulated customers at 1, 10, 50 and 200 at once against the embedded profile, the production
# profile and one stock `rasa run` (results/load/: report.md, load.png).
loadtest:
	@scripts/setup.sh --production
	@$(PY) -m bot loadtest

# Ten minutes of steady load on the production profile, memory of every process sampled (results/soak/).
soak:
	@scripts/setup.sh --production
	@$(PY) -m bot soak

# Resolve every pin in one run together with rasa (see requirements.in). The pins already in
# requirements.lock hold (a new package is fitted around them); `make lock UPGRADE=1` re-resolves all.
lock: setup
	rm -rf /tmp/telebot-lock && $(PY) -m venv /tmp/telebot-lock  # Python 3.10, as setup found it
	/tmp/telebot-lock/bin/pip install -r requirements.in $(if $(UPGRADE),,-c requirements.lock)
	/tmp/telebot-lock/bin/pip freeze | grep -v '^pkg_resources' > requirements.lock

clean:
	rm -rf .venv var models/*.tar.gz .rasa
