#!/usr/bin/env bash
# Regenerate docs/report.png: the evaluation report of the shipped model on the project's own
# synthetic test calls (tests/evaluate/data/labeled_calls.jsonl; no real calls), in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cit-triage evaluate tests/evaluate/data/labeled_calls.jsonl --slice district --out "$tmp/eval" >/dev/null
chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
  --disable-sync --no-first-run --user-data-dir="$tmp/profile" --hide-scrollbars \
  --screenshot="$tmp/full.png" --window-size=1280,2000 "file://$tmp/eval/report.html" 2>/dev/null
# Palette PNG keeps the file small enough for the repository.
python - "$tmp/full.png" docs/report.png <<'PY'
import sys
from PIL import Image
Image.open(sys.argv[1]).convert("RGB").quantize(colors=128).save(sys.argv[2], optimize=True)
PY
echo "wrote docs/report.png"
