# make lab   - create .venv if needed, install, open JupyterLab at notebook 00
# make test  - create .venv if needed, install, run every test
# make bench - measure import, trace, explorer, notebook and scale timings; write BENCHMARKS.md
# make student SALT=... - build the student edition (no solutions) in student/
# make student-export SALT=... EXPORT=dir - the students' copy of the repository (no tests,
#   no solutions, no history), to commit as a branch of its own
# make grade SUBMISSIONS=dir SALT=... [ROSTER=file] - grade submitted notebooks into grades/*.csv
# make clean - remove .venv and caches

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

LAB_ARGS ?=
PYTEST_ARGS ?=
SALT ?=
SUBMISSIONS ?=
EXPORT ?=
ROSTER ?=
GRADES ?= grades
JOBS ?= 2
# JupyterLab refuses to run as root without --allow-root.
ROOT_ARGS = $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test bench student student-export grade clean venv

lab: $(STAMP)
	$(VENV)/bin/jupyter lab $(ROOT_ARGS) --LabApp.default_url=/lab/tree/notebooks/00-start-here.ipynb $(LAB_ARGS)

test: $(STAMP)
	MPLBACKEND=Agg $(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) benchmarks/bench.py

student: $(STAMP)
	$(PY) -m kpath_nb.coursework student-edition notebooks student $(if $(SALT),--salt "$(SALT)")

student-export: $(STAMP)
	@test -n "$(SALT)" -a -n "$(EXPORT)" || { echo "usage: make student-export SALT=<course salt> EXPORT=<new folder outside the repository>" >&2; exit 2; }
	$(PY) -m kpath_nb.coursework student-export . "$(EXPORT)" --salt "$(SALT)"

grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=<folder> SALT=<course salt> [ROSTER=<file>]" >&2; exit 2; }
	$(PY) -m kpath_nb.coursework grade "$(SUBMISSIONS)" --out "$(GRADES)" --jobs $(JOBS) $(if $(SALT),--salt "$(SALT)") $(if $(ROSTER),--roster "$(ROSTER)")

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
