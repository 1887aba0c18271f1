# Recipes for working on warroom. Each uses the project's .venv.

venv := ".venv/bin"

# Install and start the demo: embedded PostgreSQL, demo data, the TUI.
demo *args:
    python3 -m venv .venv && {{venv}}/pip install -q -e . && {{venv}}/warroom demo {{args}}

# Install the test extras and run the whole suite.
test *args:
    python3 -m venv .venv && {{venv}}/pip install -q -e '.[test]' && {{venv}}/python -m pytest {{args}}

# Lint and check formatting.
lint:
    {{venv}}/ruff check . && {{venv}}/ruff format --check .

# Format the code.
fmt:
    {{venv}}/ruff format . && {{venv}}/ruff check --fix .

# Run the benchmarks; figures go in docs/BENCHMARKS.md.
bench:
    {{venv}}/python -m pytest tests/bench -o python_files='bench_*.py' -s

# Delete the embedded database and the war room's state (asks first).
reset:
    {{venv}}/warroom reset
