#!/usr/bin/env bash
# Draws the lifecycle again from the library's table (lifecycle::TRANSITIONS)
# and rewrites the three files that show it:
#
#   docs/lifecycle.md   the Mermaid block between its marker comments
#   docs/lifecycle.dot  the DOT text, as `dojo-capture diagram --format dot` prints it
#   docs/lifecycle.svg  that DOT rendered by Graphviz's dot, with a comment
#                       holding the SHA-256 of the DOT text it was rendered from
#
#   scripts/diagram.sh
#
# Run it after changing the table; tests/lifecycle_docs.rs fails until then.
# It needs Graphviz (Debian: apt-get install graphviz); the test does not: it
# checks the SVG's hash comment against the DOT the code draws now, and
# that every state and label is in the SVG's text.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dot >/dev/null; then
    echo "scripts/diagram.sh: Graphviz's dot is not installed (Debian: apt-get install graphviz)" >&2
    exit 1
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

diagram() {
    cargo run -q -p dojo-capture-cli -- diagram --format "$1"
}
diagram mermaid >"$scratch/lifecycle.mmd"
diagram dot >"$scratch/lifecycle.dot"

# The SVG, with the hash of its DOT right after the XML declaration.
dot -Tsvg "$scratch/lifecycle.dot" >"$scratch/rendered.svg"
hash=$(sha256sum "$scratch/lifecycle.dot" | cut -d ' ' -f 1)
comment="<!-- dot-sha256: $hash: rendered from docs/lifecycle.dot by scripts/diagram.sh -->"
awk -v comment="$comment" '
    NR == 1 && /^<\?xml/ { print; print comment; next }
    NR == 1 { print comment }
    { print }
' "$scratch/rendered.svg" >"$scratch/lifecycle.svg"

# The Mermaid block of docs/lifecycle.md, between its markers.
start='<!-- lifecycle.mermaid: begin'
end='<!-- lifecycle.mermaid: end'
if ! grep -q "^$start" docs/lifecycle.md || ! grep -q "^$end" docs/lifecycle.md; then
    echo "scripts/diagram.sh: docs/lifecycle.md lacks the lines starting '$start' and '$end'" >&2
    exit 1
fi
awk -v start="$start" -v end="$end" -v block="$scratch/lifecycle.mmd" '
    index($0, start) == 1 {
        print
        print "```mermaid"
        while ((getline line < block) > 0) print line
        print "```"
        skipping = 1
        next
    }
    index($0, end) == 1 { skipping = 0 }
    !skipping { print }
' docs/lifecycle.md >"$scratch/lifecycle.md"

cp "$scratch/lifecycle.dot" docs/lifecycle.dot
cp "$scratch/lifecycle.svg" docs/lifecycle.svg
cp "$scratch/lifecycle.md" docs/lifecycle.md
echo "docs/lifecycle.md, docs/lifecycle.dot and docs/lifecycle.svg drawn from the table (dot-sha256 $hash)"
