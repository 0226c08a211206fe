# The README's commands. A fresh Debian machine needs nothing but `make demo` and `make test`; `make test` first
# installs the Debian packages the browser/database tests use, or says in one line how to (.ci/system-packages).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install install-user demo test test-fast test-floor system-packages bench lint docs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,render,distributed]'
	touch $(STAMP)

install: $(STAMP)

# The command of this checkout's .venv for every shell of this user, without activating: a link in ~/.local/bin
# (Debian's ~/.profile puts that folder on PATH at login once it exists). `make clean` leaves a dangling link.
USER_BIN ?= $(HOME)/.local/bin
install-user: $(STAMP)
	mkdir -p $(USER_BIN)
	ln -sfn $(CURDIR)/$(BIN)/sdg-tags $(USER_BIN)/sdg-tags
	@case ":$$PATH:" in *":$(USER_BIN):"*) echo "sdg-tags is on your PATH: $(USER_BIN)/sdg-tags" ;; \
	*) echo "linked $(USER_BIN)/sdg-tags; $(USER_BIN) is not on your PATH yet: log in again, or add it (export PATH=\"$(USER_BIN):\$$PATH\")" ;; esac

demo: $(STAMP)
	$(BIN)/sdg-tags demo

# pytest exits 5 when it collected no tests; that is a failure for us, never a pass. Tests run on every core
# (pytest-xdist); every server a test starts listens on its own ephemeral loopback port.
PYTEST_ARGS ?= -n auto
test: system-packages $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest ran no tests - failing" >&2; exit 1; fi; exit $$rc

# Chromium, redis-server and PostgreSQL, installed with apt-get where this machine allows it (root or password-less
# sudo); elsewhere one line with the exact apt-get command and a failure, before any test.
system-packages:
	@.ci/system-packages

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not postgres and not redis and not browser" $(PYTEST_ARGS)

# The declared lower bounds of pyproject.toml, installed as such (uv's lowest-direct resolution) in .venv-floor,
# with the unit tests run against them: a floor we declare is a version the code works with.
FLOOR := .venv-floor
test-floor:
	test -x $(FLOOR)/bin/python || $(PYTHON) -m venv $(FLOOR)
	$(FLOOR)/bin/python -m pip install -q --upgrade pip uv
	$(FLOOR)/bin/uv pip install -q --python $(FLOOR)/bin/python --resolution lowest-direct -e '.[test,render,distributed]'
	$(FLOOR)/bin/python -m pytest -m "not slow and not postgres and not redis and not browser" $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench.run_all

# Import contracts (pyproject.toml [tool.importlinter]) are checked on the built wheel, where every folder sits
# under sdg_tags/ as users get it: tests/test_packaging.py::test_import_contracts_hold.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/test_packaging.py

docs: $(STAMP)
	$(BIN)/sdg-tags rules --markdown > docs/rules.md

clean:
	rm -rf $(VENV) $(FLOOR) .pytest_cache build *.egg-info
