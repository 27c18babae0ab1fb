# Potluck: `make run` to talk to the bot, `make test` to run the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench console clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@ $(VENV)/.installed

## Start the bot: Discord/Slack when tokens are configured, else the console on SQLite.
run: $(VENV)/.installed
	$(BIN)/potluck run

console: $(VENV)/.installed
	$(BIN)/potluck console

## The whole suite; PostgreSQL too when POTLUCK_TEST_DATABASE_URL is set.
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/rsvp_burst.py
	$(BIN)/python bench/discord_latency.py
	$(BIN)/python bench/slack_latency.py
	$(BIN)/python bench/matching.py
	$(BIN)/python bench/reminders_scale.py
	$(BIN)/python bench/invitations.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
