# The two commands of the course: `make lab` opens it, `make test` checks everything.
# Both set up .venv on first use (Python 3.11+ as `python3`, or PYTHON=python3.12 make ...).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: lab test setup lock clean notebooks

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock kernel-config/pyproject.toml kernel-config/ipython_kernel_config.json
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[course]"
	# every kernel of .venv loads the course's IPython extension (helpers._kernel); not editable: see its pyproject
	$(BIN)/python -m pip install --quiet ./kernel-config
	touch $(STAMP)

lab: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab --notebook-dir=. $(LAB_ARGS) \
		$(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00-start-here/00-start-here.ipynb

# Unit tests, nbval on every solution notebook (outputs compared), student notebooks on fresh kernels,
# and the grading proof; two workers, one notebook or test file each.
test: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -n 2 --dist loadfile \
		--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 120 \
		tests solutions

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
