"""Train the miniserve tiny GPT on the stdlib-docstring corpus.

The corpus is tokenised with model/tokenizer.json; documents (separated by a
blank line in corpus.txt) are joined with <|endoftext|> so the model learns to
stop. Training samples are random 512-token windows of the stream, so every
position 0..511 of the learned position table is trained.

usage: python3 train.py [--steps N] [--batch B] [--seed S] [--threads T] ...
"""
import argparse
import json
import math
import os
import random
import time

import numpy as np
import torch
import torch.nn.functional as F

from gpt import GPT, GPTConfig
from tokenizer import Tokenizer, EOT_ID

HERE = os.path.dirname(os.path.abspath(__file__))


def load_stream(corpus, tok_path, seed, val_frac):
    with open(corpus, encoding="utf-8") as fh:
        docs = [d for d in fh.read().split("\n\n") if d.strip()]
    rng = random.Random(seed)
    rng.shuffle(docs)
    n_val = max(1, int(len(docs) * val_frac))
    tok = Tokenizer.load(tok_path)

    def stream(ds):
        out = []
        for d in ds:
            out.extend(tok.encode(d.strip()))
            out.append(EOT_ID)
        return torch.tensor(out, dtype=torch.long)

    return stream(docs[n_val:]), stream(docs[:n_val])


def batch(data, B, T, gen):
    ix = torch.randint(0, len(data) - T - 1, (B,), generator=gen)
    x = torch.stack([data[i:i + T] for i in ix])
    y = torch.stack([data[i + 1:i + T + 1] for i in ix])
    return x, y


@torch.no_grad()
def evaluate(model, data, B, T, n_batches, seed):
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(n_batches):
        x, y = batch(data, B, T, gen)
        logits = model(x)
        losses.append(F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1)).item())
    model.train()
    return float(np.mean(losses))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(HERE, "out", "corpus.txt"))
    ap.add_argument("--tokenizer", default=os.path.join(HERE, "..", "tokenizer.json"))
    ap.add_argument("--out", default=os.path.join(HERE, "out", "ckpt.pt"))
    ap.add_argument("--d-model", type=int, default=96)
    ap.add_argument("--n-layer", type=int, default=3)
    ap.add_argument("--n-head", type=int, default=4)
    ap.add_argument("--n-kv-head", type=int, default=1, help="key/value heads (1 = multi-query attention)")
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--min-lr", type=float, default=1e-4)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--eval-every", type=int, default=200)
    ap.add_argument("--val-frac", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--stop-step", type=int, default=0,
                    help="end after this many steps while keeping the --steps LR schedule (0 = off)")
    ap.add_argument("--max-minutes", type=float, default=0, help="stop early after this wall time (0 = off)")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    random.seed(a.seed)
    np.random.seed(a.seed)

    train_data, val_data = load_stream(a.corpus, a.tokenizer, a.seed, a.val_frac)
    print(f"train tokens={len(train_data)} val tokens={len(val_data)}", flush=True)

    cfg = GPTConfig(d_model=a.d_model, n_layer=a.n_layer, n_head=a.n_head, n_kv_head=a.n_kv_head,
                    dropout=a.dropout)
    T = cfg.n_ctx
    model = GPT(cfg)
    print(f"params={model.n_params()} config={cfg.to_dict()}", flush=True)

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.95))

    def lr_at(step):
        if step < a.warmup:
            return a.lr * (step + 1) / a.warmup
        t = (step - a.warmup) / max(1, a.steps - a.warmup)
        return a.min_lr + 0.5 * (a.lr - a.min_lr) * (1 + math.cos(math.pi * min(1.0, t)))

    gen = torch.Generator().manual_seed(a.seed)
    history, t0, step = [], time.time(), 0
    train_ema = None
    for step in range(a.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        x, y = batch(train_data, a.batch, T, gen)
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        train_ema = loss.item() if train_ema is None else 0.95 * train_ema + 0.05 * loss.item()
        el = time.time() - t0
        if step % 20 == 0:
            print(f"step {step} loss {loss.item():.4f} ema {train_ema:.4f} lr {lr_at(step):.2e} "
                  f"elapsed {el:.0f}s ({(step + 1) / el:.2f} it/s)", flush=True)
        last = (step == a.steps - 1 or (a.stop_step and step + 1 >= a.stop_step)
                or (a.max_minutes and el > a.max_minutes * 60))
        if (step > 0 and step % a.eval_every == 0) or last:
            vl = evaluate(model, val_data, a.batch, T, 8, a.seed + 1)
            tl = evaluate(model, train_data, a.batch, T, 8, a.seed + 2)
            history.append({"step": step, "train_loss": tl, "val_loss": vl, "elapsed_s": el})
            print(f"EVAL step {step} train {tl:.4f} val {vl:.4f}", flush=True)
        if last:
            break
    wall = time.time() - t0
    steps_done = step + 1
    ck = {
        "config": {k: v for k, v in cfg.to_dict().items() if k != "dropout"} | {"dropout": 0.0},
        "model": model.state_dict(),
        "train": {"steps": steps_done, "batch": a.batch, "seq_len": T, "tokens_seen": steps_done * a.batch * T,
                  "wall_time_s": wall, "lr": a.lr, "min_lr": a.min_lr, "warmup": a.warmup,
                  "weight_decay": a.weight_decay, "dropout": a.dropout, "seed": a.seed,
                  "threads": a.threads, "train_tokens": len(train_data), "val_tokens": len(val_data),
                  "final_train_loss": history[-1]["train_loss"], "final_val_loss": history[-1]["val_loss"],
                  "history": history, "params": model.n_params()},
    }
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    torch.save(ck, a.out)
    with open(a.out.replace(".pt", ".train.json"), "w") as fh:
        json.dump(ck["train"], fh, indent=1)
    print(f"saved {a.out} after {steps_done} steps in {wall:.0f}s", flush=True)


if __name__ == "__main__":
    main()
