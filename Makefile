# The two commands of the course: `make lab` opens it, `make test` checks everything.
# Both set up .venv on first use (Python 3.11+ as `python3`, or PYTHON=python3.12 make ...).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: lab test setup lock clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[course]"
	touch $(STAMP)

lab: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab --notebook-dir=. notebooks/00-start-here/00-start-here.ipynb

test: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest

lock: $(STAMP)
	@echo "# Exact versions of every package the course installs (pip install -c requirements.lock). Regenerate with \`make lock\`." > requirements.lock
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^asyncio-course-helpers' >> requirements.lock

clean:
	rm -rf $(VENV)
