# Two commands set everything up on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= data/commitments.duckdb
PORT ?= 8501

.PHONY: install run etl dashboard test bench evaluate clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

etl: $(STAMP)
	$(BIN)/python -m etl load seeds --db $(DB)

run: etl
	$(BIN)/streamlit run dashboard/app.py --server.port $(PORT)

dashboard: $(STAMP)
	$(BIN)/streamlit run dashboard/app.py --server.port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest -q

evaluate: $(STAMP)
	$(BIN)/python -m etl evaluate

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache
