# make lab   - create .venv if needed, install, open JupyterLab at notebook 00
# make test  - create .venv if needed, install, run every test
# make bench - measure import, trace, explorer, notebook and scale timings; write BENCHMARKS.md
# make clean - remove .venv and caches

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

LAB_ARGS ?=
PYTEST_ARGS ?=
# JupyterLab refuses to run as root without --allow-root.
ROOT_ARGS = $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test bench clean venv

lab: $(STAMP)
	$(VENV)/bin/jupyter lab $(ROOT_ARGS) --LabApp.default_url=/lab/tree/notebooks/00-start-here.ipynb $(LAB_ARGS)

test: $(STAMP)
	MPLBACKEND=Agg $(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) benchmarks/bench.py

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PY) -m pip --version >/dev/null 2>&1 || { \
	  rm -rf $(VENV); \
	  $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	    echo "error: '$(PYTHON) -m venv' failed: install Python's venv module (Debian/Ubuntu: apt-get install python3-venv) and run make again." >&2; \
	    exit 1; }; }
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e '.[lab,test]'
	@touch $@

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build dist *.egg-info
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
