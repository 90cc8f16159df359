"""Export a miniserve checkpoint (or an untrained candidate) to ONNX.

usage:
  python3 export.py --ckpt out/ckpt.pt --out ../miniserve-tiny.onnx --config-out ../model-config.json
  python3 export.py --random --d-model 96 --n-layer 3 --n-head 4 --n-kv-head 1 --out out/cand.onnx \
      [--config-out out/cand-config.json]

Graph I/O (L layers, Dh = head_dim, KV = n_kv_head; B, S, P dynamic):
  in  input_ids [B,S] int64, position_ids [B,S] int64, attention_mask [B,P+S] float32,
      inv_temperature [B] float32, past_key_{l} / past_value_{l} [B,KV,P,Dh] float32 for l = 0..L-1
  out logits [B,V] float32 (each row's last real new position), probs [B,V] float32
      (softmax(logits * inv_temperature)), present_key_{l} / present_value_{l} [B,KV,S,Dh] float32
      (keys/values of the new tokens only)
"""
import argparse
import hashlib
import json
import os

import torch
import onnx

from gpt import GPT, GPTConfig, CachedGPT

OPSET = 17


def io_names(n_layer):
    past, present = [], []
    for l in range(n_layer):
        past += [f"past_key_{l}", f"past_value_{l}"]
        present += [f"present_key_{l}", f"present_value_{l}"]
    return past, present


def export(gpt: GPT, path: str):
    gpt.eval()
    cfg = gpt.cfg
    wrapped = CachedGPT(gpt).eval()
    B, S, P = 2, 3, 5  # example sizes; all three axes are declared dynamic
    input_ids = torch.randint(0, cfg.vocab_size, (B, S), dtype=torch.long)
    position_ids = (torch.arange(S) + P)[None].repeat(B, 1).long()
    attention_mask = torch.ones(B, P + S, dtype=torch.float32)
    inv_temperature = torch.ones(B, dtype=torch.float32)
    past_names, present_names = io_names(cfg.n_layer)
    past = [torch.randn(B, cfg.n_kv_head, P, cfg.head_dim) for _ in past_names]
    dyn = {
        "input_ids": {0: "B", 1: "S"},
        "position_ids": {0: "B", 1: "S"},
        "attention_mask": {0: "B", 1: "P_plus_S"},
        "inv_temperature": {0: "B"},
        "logits": {0: "B"},
        "probs": {0: "B"},
    }
    dyn.update({n: {0: "B", 2: "P"} for n in past_names})
    dyn.update({n: {0: "B", 2: "S"} for n in present_names})
    with torch.no_grad():
        torch.onnx.export(
            wrapped,
            (input_ids, position_ids, attention_mask, inv_temperature, *past),
            path,
            input_names=["input_ids", "position_ids", "attention_mask", "inv_temperature", *past_names],
            output_names=["logits", "probs", *present_names],
            dynamic_axes=dyn,
            opset_version=OPSET,
            do_constant_folding=True,
        )
    m = onnx.load(path)
    onnx.checker.check_model(m)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt")
    ap.add_argument("--random", action="store_true")
    ap.add_argument("--d-model", type=int, default=64)
    ap.add_argument("--n-layer", type=int, default=4)
    ap.add_argument("--n-head", type=int, default=4)
    ap.add_argument("--n-kv-head", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--config-out", help="also write model-config.json (architecture + sha256) here")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    if a.random:
        gpt = GPT(GPTConfig(d_model=a.d_model, n_layer=a.n_layer, n_head=a.n_head, n_kv_head=a.n_kv_head))
    else:
        ck = torch.load(a.ckpt, map_location="cpu")
        conf = dict(ck["config"])
        conf.setdefault("n_kv_head", conf["n_head"])  # checkpoints from before n_kv_head were multi-head
        gpt = GPT(GPTConfig(**conf))
        gpt.load_state_dict(ck["model"])
    export(gpt, a.out)
    if a.config_out:
        with open(a.out, "rb") as fh:
            sha = hashlib.sha256(fh.read()).hexdigest()
        c = gpt.cfg
        conf = {"name": "miniserve-tiny", "n_layer": c.n_layer, "n_head": c.n_head, "n_kv_head": c.n_kv_head, "d_model": c.d_model, "head_dim": c.head_dim,
                "n_ctx": c.n_ctx, "vocab_size": c.vocab_size, "eot_id": c.vocab_size - 1,
                "onnx": os.path.basename(a.out), "tokenizer": "tokenizer.json", "sha256": sha}
        with open(a.config_out, "w") as fh:
            json.dump(conf, fh, indent=1)
            fh.write("\n")
        print(f"wrote {a.config_out} sha256={sha}")
    print(f"exported {a.out}: {os.path.getsize(a.out)} bytes, {gpt.n_params()} params")


if __name__ == "__main__":
    main()
