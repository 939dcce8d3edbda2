# Sourced by the e2e scripts: PASS/FAIL lines and their counts, and a JSON field reader.
# End a script with: echo "NAME ($SECONDS s): $passed passed, $failed failed"; [ "$failed" -eq 0 ]
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "  PASS $1"; }
fail() { failed=$((failed + 1)); echo "  FAIL $1"; }
# json EXPR: evaluates the Python expression EXPR with d = the JSON document on stdin.
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
