# storyline — the two commands a new user types: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_OUT ?= demo-output

.PHONY: install demo test lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,nlp,eval,postgres,ray]'
	touch $(STAMP)

demo: install
	rm -rf $(DEMO_OUT)
	$(BIN)/storyline build examples/riverton-flood --out $(DEMO_OUT)
	@echo
	@echo "Demo built in $(DEMO_OUT)/: index.html (open it in a browser), timeline.md, timeline.json,"
	@echo "and the database storyline.db. Explore it: $(BIN)/storyline articles --db $(DEMO_OUT)/storyline.db"

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/python -m ruff check src tests bench
	$(BIN)/python -m ruff format --check src tests bench

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache
