# The two commands of the course: `make lab` opens it, `make test` checks everything.
# Both set up .venv on first use (Python 3.11+ as `python3`, or PYTHON=python3.12 make ...).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: lab test setup lock clean notebooks chromium

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock setup.py helpers/_speedups.c helpers/_speedups_gc.c \
		kernel-config/pyproject.toml kernel-config/ipython_kernel_config.json
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[course]"
	# every kernel of .venv loads the course's IPython extension (helpers._kernel); not editable: see its pyproject
	$(BIN)/python -m pip install --quiet ./kernel-config
	@$(BIN)/python -m helpers
	touch $(STAMP)

lab: $(STAMP)
	@$(BIN)/python -m helpers
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab --notebook-dir=. $(LAB_ARGS) \
		$(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00-start-here/00-start-here.ipynb

# Unit tests, nbval on every solution notebook (outputs compared), student notebooks on fresh kernels,
# the grading proof, and the browser suite; two workers, one notebook or test file each.
test: $(STAMP) chromium
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -n 2 --dist loadfile \
		--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 120 \
		tests solutions

# The browser suite (tests/browser) drives a Chromium from the system (Playwright never downloads one).
# As root with apt-get (CI, containers) it is installed here; elsewhere the suite is skipped, and says so.
chromium:
	@if [ -n "$$CHROMIUM" ] || [ -x /usr/lib/chromium/chromium ] || command -v chromium >/dev/null 2>&1 \
		|| command -v chromium-browser >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Chromium for the browser tests: apt-get install chromium"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
			|| echo "Chromium could not be installed: the browser tests (tests/browser) will be skipped."; \
	else \
		echo "No Chromium found: the browser tests (tests/browser) will be skipped." \
			"To run them: sudo apt-get install chromium (Debian, Ubuntu), or set CHROMIUM=/path/to/chromium"; \
	fi

lock: $(STAMP)
	@echo "# Exact versions of every package the course installs (pip install -c requirements.lock). Regenerate with \`make lock\`." > requirements.lock
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^asyncio-course-' >> requirements.lock

clean:
	rm -rf $(VENV)

# After editing a notebook in solutions/: store its outputs (nbval compares them) and regenerate notebooks/.
# `make notebooks NB=02-coroutines` does one notebook only.
NB ?= *
notebooks: $(STAMP)
	for nb in solutions/$(NB)/*.ipynb; do \
		PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
			--ExecutePreprocessor.timeout=120 --ExecutePreprocessor.record_timing=False "$$nb" || exit 1; \
	done
	for dir in solutions/$(NB)/; do \
		PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/nbgrader generate_assignment "$$(basename $$dir)" --force --no-db \
			--log-level=WARN || exit 1; \
	done
