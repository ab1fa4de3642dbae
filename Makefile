VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Where the CPU build of torch comes from. Empty: pip's own index (a local CPU wheel on the
# course's machines). Elsewhere: make test TORCH_INDEX=https://download.pytorch.org/whl/cpu
TORCH_INDEX ?=

.PHONY: demo test test-load bench mutants feedback clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0 $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(PY) -m pip install --quiet -e ".[dev]"
	@if $(PY) -m pip list 2>/dev/null | grep -qi '^nvidia-'; then echo "error: nvidia-* packages in $(VENV); remove them (pip uninstall) and rerun"; exit 1; fi
	touch $(STAMP)

# Two reports, then one line saying what they showed.
demo: $(STAMP)
	@mkdir -p out/demo
	$(VENV)/bin/grade run examples/buggy_submission --seed 1 -o out/demo/buggy.txt
	@cat out/demo/buggy.txt
	$(VENV)/bin/grade run solutions --seed 1 -o out/demo/solutions.txt
	@cat out/demo/solutions.txt
	@$(PY) examples/demo_summary.py out/demo/buggy.txt out/demo/solutions.txt

test: $(STAMP)
	$(PY) -m pytest -n 2

# The suite while two CPU-burning processes compete for the cores (a busy 2-core machine);
# the burners end with the target, whatever the outcome.
test-load: $(STAMP)
	@burners=""; \
	for n in 1 2; do $(PY) -c "while True: pass" & burners="$$burners $$!"; done; \
	trap 'kill $$burners 2>/dev/null' EXIT INT TERM; \
	$(PY) -m pytest -n 2

# Both benchmarks run; a missed target is marked MISSED on its line and fails the target.
bench: $(STAMP)
	@status=0; $(PY) -m benchmarks.bench || status=1; $(PY) -m benchmarks.loop || status=1; \
	exit $$status

# Mutation benchmark (not part of make test): every single-point bug of solutions/ must lose
# points on seeds 1, 2 and 3. One module while developing: make mutants MODULES=losses
mutants: $(STAMP)
	$(PY) -m benchmarks.mutants --seeds $(or $(SEEDS),1 2 3) $(if $(MODULES),--modules $(MODULES))

# Feedback benchmark (not part of make test): every hint a killed mutant gets must hold on
# its actual outputs. One module while developing: make feedback MODULES=losses SEEDS=1
feedback: $(STAMP)
	$(PY) -m benchmarks.feedback --seeds $(or $(SEEDS),1 2 3) $(if $(MODULES),--modules $(MODULES))

clean:
	rm -rf $(VENV) .pytest_cache
