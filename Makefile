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
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,nlp]'
	touch $(STAMP)

demo: install
	rm -rf $(DEMO_OUT)
	$(BIN)/storyline ingest examples/riverton-flood --db $(DEMO_OUT)/storyline.db
	$(BIN)/storyline articles --db $(DEMO_OUT)/storyline.db --out $(DEMO_OUT)/articles.txt
	@echo
	@echo "Demo built: $(DEMO_OUT)/storyline.db (database) and $(DEMO_OUT)/articles.txt (listing)."
	@echo "Next: $(BIN)/storyline show ID --db $(DEMO_OUT)/storyline.db   (ID from the first column)"

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/python -m ruff check src tests bench
	$(BIN)/python -m ruff format --check src tests bench

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache
