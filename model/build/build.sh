#!/usr/bin/env bash
# Build the miniserve tiny model end to end:
#   corpus -> tokenizer -> train -> export -> verify -> model card sha256
#
# Usage: model/build/build.sh [--steps "corpus tokenizer train export verify card"]
#
# Environment / flags (flags override env):
#   STEPS        space-separated subset of: corpus tokenizer train export verify card
#                (default: all, in that order)              --steps "..."
#   SEED         training seed (default 1234)               --seed N
#   THREADS      torch CPU threads for training (default 2) --threads N
#   TRAIN_STEPS  optimizer steps = length of the cosine schedule (default 750,
#                the released run)                          --train-steps N
#   BATCH        sequences of 512 tokens per step (default 8) --batch N
#   N_KV_HEAD    key/value heads; 1 = multi-query attention (default 1) --n-kv-head N
#   STOP_STEP    end training after this many steps, keeping the TRAIN_STEPS
#                cosine schedule, 0 = run the whole schedule (default 0) --stop-step N
#   MAX_MINUTES  wall-clock cap for training, 0 = none (default 0) --max-minutes N
#   PYTHON       python interpreter (default /usr/bin/python3)
#
# Outputs: model/tokenizer.json, model/fixtures/*.json, model/miniserve-tiny.onnx,
# model/model-config.json (with sha256), the sha256 line of model/MODEL_CARD.md.
# Intermediate files (corpus, checkpoint, logs, samples) go to model/build/out/.
# Training wants a fast BLAS: with Debian's reference libblas3 torch is ~20x
# slower; install libopenblas0-pthread (apt) to switch the libblas.so.3 alternative.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODEL="$(cd "$HERE/.." && pwd)"
STEPS="${STEPS:-corpus tokenizer train export verify card}"
SEED="${SEED:-1234}"
THREADS="${THREADS:-2}"
TRAIN_STEPS="${TRAIN_STEPS:-750}"
BATCH="${BATCH:-8}"
N_KV_HEAD="${N_KV_HEAD:-1}"
STOP_STEP="${STOP_STEP:-0}"
MAX_MINUTES="${MAX_MINUTES:-0}"
PYTHON="${PYTHON:-/usr/bin/python3}"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --steps) STEPS="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --train-steps) TRAIN_STEPS="$2"; shift 2 ;;
    --batch) BATCH="$2"; shift 2 ;;
    --n-kv-head) N_KV_HEAD="$2"; shift 2 ;;
    --stop-step) STOP_STEP="$2"; shift 2 ;;
    --max-minutes) MAX_MINUTES="$2"; shift 2 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

mkdir -p "$HERE/out" "$MODEL/fixtures"
cd "$HERE"
want() { [[ " $STEPS " == *" $1 "* ]]; }

if want corpus; then
  echo "== corpus"
  "$PYTHON" corpus.py --out out/corpus.txt
fi
if want tokenizer; then
  echo "== tokenizer"
  "$PYTHON" tokenizer.py --corpus out/corpus.txt --out "$MODEL/tokenizer.json" \
    --fixtures "$MODEL/fixtures/tokenizer-cases.json"
fi
if want train; then
  echo "== train (log: model/build/out/train.log)"
  "$PYTHON" train.py --seed "$SEED" --threads "$THREADS" --steps "$TRAIN_STEPS" --batch "$BATCH" \
    --n-kv-head "$N_KV_HEAD" --stop-step "$STOP_STEP" --max-minutes "$MAX_MINUTES" --dropout 0 --lr 3e-3 --warmup 60 --eval-every 200 \
    --out out/ckpt.pt 2>&1 | tee out/train.log
fi
if want export; then
  echo "== export"
  "$PYTHON" export.py --ckpt out/ckpt.pt --out "$MODEL/miniserve-tiny.onnx" \
    --config-out "$MODEL/model-config.json" 2>&1 | grep -v -i warning || true
  test -s "$MODEL/miniserve-tiny.onnx"
fi
if want verify; then
  echo "== verify"
  node verify.mjs
fi
if want card; then
  echo "== card"
  SHA="$(sha256sum "$MODEL/miniserve-tiny.onnx" | cut -d' ' -f1)"
  "$PYTHON" - "$MODEL" "$SHA" <<'PY'
import json, re, sys
model, sha = sys.argv[1], sys.argv[2]
p = f"{model}/model-config.json"
c = json.load(open(p)); c["sha256"] = sha
open(p, "w").write(json.dumps(c, indent=1) + "\n")
card = f"{model}/MODEL_CARD.md"
t = open(card).read()
t2 = re.sub(r"(<!-- sha256 -->)`[0-9a-f]*`", rf"\1`{sha}`", t)
if t2 == t and sha not in t:
    sys.exit("MODEL_CARD.md has no <!-- sha256 --> marker")
open(card, "w").write(t2)
print("sha256", sha)
PY
fi
echo "done"
