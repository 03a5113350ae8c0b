#!/bin/sh
# The tools that hold the service to its OpenAPI document, from npm and
# pinned in tests/contract/package-lock.json: @redocly/cli lints the
# document, Ajv validates every response the API tests receive
# (tests/contract/validate.js, driven by tests/support/contract.c).
#
#   scripts/contract.sh deps           npm ci under tests/contract, when
#                                      the lock file changed since
#   scripts/contract.sh lint DOC       redocly lint, recommended rules;
#                                      fails on any error or warning
#   scripts/contract.sh summary COUNTS DOC  the validators' counts,
#                                      summed, and the operations no
#                                      test called
set -eu
cd "$(dirname "$0")/.."
DIR=tests/contract

deps() {
	if ! command -v npm >/dev/null 2>&1; then
		scripts/deps.sh npm
	fi
	stamp=$DIR/node_modules/.package-lock.json
	if [ -f "$stamp" ] && [ ! "$DIR/package-lock.json" -nt "$stamp" ]; then
		return 0
	fi
	echo "contract: npm ci in $DIR"
	(cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}

lint() {
	# --format stylish prints one line a problem; the summary line says
	# "Woohoo! Your API description is valid." only when nothing is wrong,
	# and warnings do not fail redocly's exit code, so grep for them.
	out=$("$DIR/node_modules/.bin/redocly" lint --format stylish \
		--extends recommended "$1" 2>&1) || { echo "$out"; return 1; }
	echo "$out"
	if echo "$out" | grep -q 'warning'; then
		return 1
	fi
}

summary() {
	node -e '
const fs = require("fs");
const all = {validated: 0, operations: {}};
for (const l of fs.readFileSync(process.argv[1], "utf8").split("\n")) {
  if (!l) continue;
  const c = JSON.parse(l);
  all.validated += c.validated;
  for (const [k, n] of Object.entries(c.operations))
    all.operations[k] = (all.operations[k] || 0) + n;
}
const ops = new Set(Object.keys(all.operations).map((k) => k.split(" ")[0]));
const doc = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const none = [];
for (const item of Object.values(doc.paths))
  for (const op of Object.values(item))
    if (!ops.has(op.operationId)) none.push(op.operationId);
console.log(`contract: ${all.validated} responses validated against ` +
  `/openapi.json, ${Object.keys(all.operations).length} operation/status ` +
  `pairs seen` + (none.length ? `; never called: ${none.join(", ")}` : ""));
' "$1" "$2"
}

case "${1:-}" in
deps) deps ;;
lint) lint "$2" ;;
summary) summary "$2" "$3" ;;
*) echo "usage: scripts/contract.sh deps | lint DOC | summary COUNTS DOC" >&2; exit 2 ;;
esac
