#!/usr/bin/env bash
# The colour model of issue 31: all four art styles, 25 kinds, a wider UNet with attention at 8x8.
# Rerun this same script to resume (it adds --resume when a checkpoint exists).
cd "$(dirname "$0")/../.."
resume=""; ls runs/emoji-kinds/checkpoint.pt* >/dev/null 2>&1 && resume="--resume"
exec nice -n 5 python -m diffusion_core.train --dataset emoji-kinds --data ../shared/data/emoji \
  --channels 32,96,160 --res-blocks 2 --attention 2 --power-ema 0.05,0.1 --bf16 --hflip --shift 2 \
  --min-snr-gamma 5 --batch-size 64 --steps 20000 --lr 0.0004 --seed 0 --threads 1 \
  --run-dir runs/emoji-kinds --checkpoint-minutes 5 --export --assets runs/emoji-kinds-assets $resume
