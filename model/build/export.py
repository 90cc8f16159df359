"""Export a miniserve checkpoint (or an untrained candidate) to ONNX.

usage:
  python3 export.py --ckpt out/ckpt.pt --out ../miniserve-tiny.onnx --config-out ../model-config.json
  python3 export.py --random --d-model 64 --n-layer 4 --n-head 4 --out out/cand.onnx
"""
import argparse
import hashlib
import json
import os

import torch
import onnx

from gpt import GPT, GPTConfig, CachedGPT

OPSET = 17


def export(gpt: GPT, path: str):
    gpt.eval()
    cfg = gpt.cfg
    wrapped = CachedGPT(gpt).eval()
    B, S, P = 2, 3, 5  # example sizes; all three axes are declared dynamic
    input_ids = torch.randint(0, cfg.vocab_size, (B, S), dtype=torch.long)
    position_ids = (torch.arange(S) + P)[None].repeat(B, 1).long()
    attention_mask = torch.ones(B, P + S, dtype=torch.float32)
    past = torch.randn(cfg.n_layer, 2, B, cfg.n_head, P, cfg.head_dim)
    with torch.no_grad():
        torch.onnx.export(
            wrapped,
            (input_ids, position_ids, attention_mask, past),
            path,
            input_names=["input_ids", "position_ids", "attention_mask", "past_key_values"],
            output_names=["logits", "present_key_values"],
            dynamic_axes={
                "input_ids": {0: "B", 1: "S"},
                "position_ids": {0: "B", 1: "S"},
                "attention_mask": {0: "B", 1: "P_plus_S"},
                "past_key_values": {2: "B", 4: "P"},
                "logits": {0: "B", 1: "S"},
                "present_key_values": {2: "B", 4: "S"},
            },
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
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--config-out", help="also write model-config.json (architecture + sha256) here")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    if a.random:
        gpt = GPT(GPTConfig(d_model=a.d_model, n_layer=a.n_layer, n_head=a.n_head))
    else:
        ck = torch.load(a.ckpt, map_location="cpu")
        gpt = GPT(GPTConfig(**ck["config"]))
        gpt.load_state_dict(ck["model"])
    export(gpt, a.out)
    if a.config_out:
        with open(a.out, "rb") as fh:
            sha = hashlib.sha256(fh.read()).hexdigest()
        c = gpt.cfg
        conf = {"n_layer": c.n_layer, "n_head": c.n_head, "d_model": c.d_model, "head_dim": c.head_dim,
                "n_ctx": c.n_ctx, "vocab_size": c.vocab_size, "eot_id": c.vocab_size - 1,
                "onnx": os.path.basename(a.out), "tokenizer": "tokenizer.json", "sha256": sha}
        with open(a.config_out, "w") as fh:
            json.dump(conf, fh, indent=1)
            fh.write("\n")
        print(f"wrote {a.config_out} sha256={sha}")
    print(f"exported {a.out}: {os.path.getsize(a.out)} bytes, {gpt.n_params()} params")


if __name__ == "__main__":
    main()
