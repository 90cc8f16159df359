"""Build tiny-random-llama: a test model in Hugging Face's ONNX decoder layout.

Its weights are random (seeded): it exists to prove that miniserve serves any folder laid out like
an `optimum-cli export onnx --task text-generation-with-past` export of a Llama-family model, not
to write sensible text. Everything the server reads comes from the files this script writes:

  model.onnx              in  input_ids [B,S] int64, attention_mask [B,P+S] int64,
                              position_ids [B,S] int64, past_key_values.{l}.key/value [B,KV,P,Dh]
                          out logits [B,S,V], present.{l}.key/value [B,KV,P+S,Dh] (past + new)
  config.json             LlamaForCausalLM fields (layers, heads, KV heads, head_dim, context, ids)
  generation_config.json  the end-of-sequence ids (two of them, to exercise a list)
  tokenizer.json          miniserve-tiny's byte-level BPE written in the `tokenizers` format,
                          plus the chat tokens <|im_start|> and <|im_end|>
  tokenizer_config.json   special tokens and a ChatML chat template
  fixtures/reference.json logits computed here by PyTorch without a cache, for the parity tests

It also writes test/engine/fixtures/no-past/model.onnx, a graph without past key/values, which
the loader must refuse with a clear error.

`--shape smollm2-135m --out DIR` writes instead, outside the repository, a random model with the
shape of HuggingFaceTB/SmolLM2-135M (30 layers, 576 wide, 9 query and 3 KV heads, 8,192 context,
49,152-token vocabulary; about 540 MB): a forward pass costs what the real model's costs, so it
times the engine at a realistic size, while its text means nothing. Its tokenizer is the tiny one
with placeholder tokens up to that vocabulary.

usage: python3 tiny_llama.py [--seed 17] [--out ../tiny-random-llama] [--shape tiny|smollm2-135m]
"""
import argparse
import hashlib
import json
import math
import os
import re

import torch
import torch.nn as nn
import onnx

OPSET = 17
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))

# Architecture: small enough that the ONNX file stays far below 1 MB, and shaped like the models
# the walkthrough serves: grouped-query attention (2 KV heads for 4 query heads), RoPE, RMSNorm,
# SwiGLU MLP, embeddings tied with the output projection.
ARCH = dict(vocab_size=1026, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
            num_key_value_heads=2, head_dim=16, max_position_embeddings=256, rms_norm_eps=1e-5, rope_theta=10000.0)
SHAPES = {
    "tiny": ARCH,
    "smollm2-135m": dict(vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30, num_attention_heads=9,
                         num_key_value_heads=3, head_dim=64, max_position_embeddings=8192, rms_norm_eps=1e-5, rope_theta=100000.0),
}
EOT, IM_START, IM_END = 1023, 1024, 1025
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}"
    "{% endif %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return self.weight * x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


class Layer(nn.Module):
    def __init__(self, a):
        super().__init__()
        d, H, KV, Dh = a["hidden_size"], a["num_attention_heads"], a["num_key_value_heads"], a["head_dim"]
        self.H, self.KV, self.Dh = H, KV, Dh
        self.input_layernorm = RMSNorm(d, a["rms_norm_eps"])
        self.q_proj = nn.Linear(d, H * Dh, bias=False)
        self.k_proj = nn.Linear(d, KV * Dh, bias=False)
        self.v_proj = nn.Linear(d, KV * Dh, bias=False)
        self.o_proj = nn.Linear(H * Dh, d, bias=False)
        self.post_attention_layernorm = RMSNorm(d, a["rms_norm_eps"])
        self.gate_proj = nn.Linear(d, a["intermediate_size"], bias=False)
        self.up_proj = nn.Linear(d, a["intermediate_size"], bias=False)
        self.down_proj = nn.Linear(a["intermediate_size"], d, bias=False)

    def forward(self, x, cos, sin, bias, past_k, past_v):
        B, S, _ = x.shape
        h = self.input_layernorm(x)
        q = self.q_proj(h).view(B, S, self.H, self.Dh).transpose(1, 2)
        k = self.k_proj(h).view(B, S, self.KV, self.Dh).transpose(1, 2)
        v = self.v_proj(h).view(B, S, self.KV, self.Dh).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat([past_k, k], dim=2)  # present: past + new, as Hugging Face exports return it
        v = torch.cat([past_v, v], dim=2)
        T = k.shape[2]
        rep = self.H // self.KV  # grouped-query attention: repeat each KV head for its query heads
        kr = k[:, :, None].expand(B, self.KV, rep, T, self.Dh).reshape(B, self.H, T, self.Dh)
        vr = v[:, :, None].expand(B, self.KV, rep, T, self.Dh).reshape(B, self.H, T, self.Dh)
        att = torch.matmul(q, kr.transpose(-1, -2)) / math.sqrt(self.Dh) + bias
        y = torch.matmul(torch.softmax(att, dim=-1), vr).transpose(1, 2).reshape(B, S, self.H * self.Dh)
        x = x + self.o_proj(y)
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(nn.functional.silu(self.gate_proj(h)) * self.up_proj(h)), k, v


class TinyLlama(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.a = a
        self.embed_tokens = nn.Embedding(a["vocab_size"], a["hidden_size"])
        self.layers = nn.ModuleList([Layer(a) for _ in range(a["num_hidden_layers"])])
        self.norm = RMSNorm(a["hidden_size"], a["rms_norm_eps"])
        Dh = a["head_dim"]
        self.register_buffer("inv_freq", 1.0 / (a["rope_theta"] ** (torch.arange(0, Dh, 2).float() / Dh)), persistent=False)
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.normal_(p, 0.0, 0.2)  # large enough that logits differ visibly between tokens

    def forward(self, input_ids, attention_mask, position_ids, *past):
        S = input_ids.shape[1]
        T = attention_mask.shape[1]  # P + S
        x = self.embed_tokens(input_ids)
        freqs = position_ids[:, :, None].float() * self.inv_freq[None, None, :]
        emb = torch.cat([freqs, freqs], dim=-1)
        cos, sin = emb.cos()[:, None], emb.sin()[:, None]  # [B,1,S,Dh]
        # Query i (absolute column P+i) sees columns <= P+i that the mask marks real. Masked scores
        # get the float minimum, not -inf, so a fully masked (padding) query row stays finite.
        cols = torch.arange(T)
        rows = torch.arange(S) + (T - S)
        allowed = (cols[None, :] <= rows[:, None])[None, None] & (attention_mask[:, None, None, :] > 0)
        bias = torch.zeros(allowed.shape).masked_fill(~allowed, torch.finfo(torch.float32).min)
        presents = []
        for i, layer in enumerate(self.layers):
            x, k, v = layer(x, cos, sin, bias, past[2 * i], past[2 * i + 1])
            presents += [k, v]
        logits = torch.matmul(self.norm(x), self.embed_tokens.weight.t())
        return (logits, *presents)


class NoPast(nn.Module):
    """A decoder graph exported without a cache: input_ids, attention_mask -> logits only."""

    def __init__(self, vocab):
        super().__init__()
        self.embed = nn.Embedding(vocab, 8)

    def forward(self, input_ids, attention_mask):
        x = self.embed(input_ids) * attention_mask[:, :, None].float()
        return torch.matmul(x, self.embed.weight.t())


def kv_names(n_layer):
    past, present = [], []
    for l in range(n_layer):
        for kind in ("key", "value"):
            past.append(f"past_key_values.{l}.{kind}")
            present.append(f"present.{l}.{kind}")
    return past, present


def export(model, path):
    a = model.a
    B, S, P = 2, 3, 4  # example sizes; every one of them is declared dynamic
    past_names, present_names = kv_names(a["num_hidden_layers"])
    args = (torch.randint(0, a["vocab_size"], (B, S)), torch.ones(B, P + S, dtype=torch.long),
            (torch.arange(S) + P)[None].repeat(B, 1),
            *[torch.randn(B, a["num_key_value_heads"], P, a["head_dim"]) for _ in past_names])
    dyn = {"input_ids": {0: "batch_size", 1: "sequence_length"},
           "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
           "position_ids": {0: "batch_size", 1: "sequence_length"},
           "logits": {0: "batch_size", 1: "sequence_length"}}
    dyn.update({n: {0: "batch_size", 2: "past_sequence_length"} for n in past_names})
    dyn.update({n: {0: "batch_size", 2: "total_sequence_length"} for n in present_names})
    with torch.no_grad():
        torch.onnx.export(model, args, path, input_names=["input_ids", "attention_mask", "position_ids", *past_names],
                          output_names=["logits", *present_names], dynamic_axes=dyn, opset_version=OPSET,
                          # no folding: it would store the tied embedding a second time, transposed
                          do_constant_folding=False)
    onnx.checker.check_model(onnx.load(path))


def bytes_to_unicode():
    """GPT-2's byte -> printable character map, which the `tokenizers` ByteLevel steps use."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


# JavaScript's \s, spelled out as literal characters: Oniguruma (the `tokenizers` regex engine) and
# JavaScript disagree on a few code points, and miniserve-tiny's tokenizer is defined by the JS regex.
JS_WS = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def standard_tokenizer(vocab_size=ARCH["vocab_size"]):
    """miniserve-tiny's tokenizer (model/tokenizer.json) in the `tokenizers` library's format,
    with placeholder tokens after the chat tokens when the model's vocabulary is larger."""
    src = json.load(open(os.path.join(REPO, "model", "tokenizer.json")))
    b2u = bytes_to_unicode()
    strings = [b2u[b] for b in range(256)]
    merges = []
    for left, right in src["merges"]:
        merges.append(f"{strings[left]} {strings[right]}")
        strings.append(strings[left] + strings[right])
    assert len(set(strings)) == len(strings) == EOT
    pattern = (f" ?[A-Za-z]+| ?[0-9]+| ?[^{JS_WS}A-Za-z0-9]+|[{JS_WS}]+(?![^{JS_WS}])|[{JS_WS}]+")
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
             for i, t in ((EOT, "<|endoftext|>"), (IM_START, "<|im_start|>"), (IM_END, "<|im_end|>"))]
    added += [{"id": i, "content": f"<|placeholder_{i}|>", "single_word": False, "lstrip": False, "rstrip": False,
               "normalized": False, "special": False} for i in range(IM_END + 1, vocab_size)]
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": pattern}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": {s: i for i, s in enumerate(strings)}, "merges": merges},
    }


def reference(model, cases):
    """Logits PyTorch computes for each prompt without a cache: the last position after the prompt,
    then after each continuation token fed back (what a prefill and its decode steps must give)."""
    out = []
    a = model.a
    with torch.no_grad():
        for ids, continuation in cases:
            rows = []
            for n in range(len(continuation) + 1):
                seq = torch.tensor([ids + continuation[:n]])
                L = seq.shape[1]
                past = [torch.zeros(1, a["num_key_value_heads"], 0, a["head_dim"]) for _ in range(2 * a["num_hidden_layers"])]
                logits = model(seq, torch.ones(1, L, dtype=torch.long), torch.arange(L)[None], *past)[0][0, -1]
                top = torch.topk(logits, 5)
                rows.append({"top5": [{"id": int(i), "logit": round(float(v), 5)} for v, i in zip(top.values, top.indices)]})
            out.append({"prompt_ids": ids, "continuation": continuation, "steps": rows})
    return out


def write_json(path, obj):
    with open(path, "w") as fh:
        json.dump(obj, fh, indent=1, ensure_ascii=False)
        fh.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--out", default=os.path.join(REPO, "model", "tiny-random-llama"))
    ap.add_argument("--shape", choices=sorted(SHAPES), default="tiny")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    out = args.out
    arch = SHAPES[args.shape]
    os.makedirs(os.path.join(out, "fixtures"), exist_ok=True)

    model = TinyLlama(arch).eval()
    onnx_path = os.path.join(out, "model.onnx")
    export(model, onnx_path)
    sha = hashlib.sha256(open(onnx_path, "rb").read()).hexdigest()

    write_json(os.path.join(out, "config.json"), {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", **arch, "hidden_act": "silu",
        "tie_word_embeddings": True, "attention_bias": False, "bos_token_id": IM_START, "eos_token_id": IM_END,
        "pad_token_id": EOT, "torch_dtype": "float32", "use_cache": True})
    write_json(os.path.join(out, "generation_config.json"), {"bos_token_id": IM_START, "eos_token_id": [IM_END, EOT]})
    write_json(os.path.join(out, "tokenizer.json"), standard_tokenizer(arch["vocab_size"]))
    write_json(os.path.join(out, "tokenizer_config.json"), {
        "add_bos_token": False, "add_eos_token": False, "bos_token": "<|im_start|>", "eos_token": "<|im_end|>",
        "pad_token": "<|endoftext|>", "unk_token": None, "clean_up_tokenization_spaces": False,
        "model_max_length": arch["max_position_embeddings"], "tokenizer_class": "GPT2Tokenizer", "chat_template": CHAT_TEMPLATE})
    n_params = sum(p.numel() for p in model.parameters())
    if args.shape != "tiny":
        print(f"wrote {out}: model.onnx {os.path.getsize(onnx_path)} bytes, {n_params} parameters, sha256 {sha}")
        return
    cases = [([300, 301, 302, 303, 304, 305, 306], [400, 401, 402]), ([IM_START, 500], [501, 502, 503]),
             (list(range(600, 640)), [700])]
    write_json(os.path.join(out, "fixtures", "reference.json"), {"sha256": sha, "cases": reference(model, cases)})
    card = os.path.join(out, "MODEL_CARD.md")
    if os.path.exists(card):  # the card states the graph's sha256 after its marker
        text = open(card).read()
        open(card, "w").write(re.sub(r"(<!-- sha256 -->)`[0-9a-f]*`", rf"\1`{sha}`", text))

    no_past_dir = os.path.join(REPO, "test", "engine", "fixtures", "no-past")
    os.makedirs(no_past_dir, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(NoPast(ARCH["vocab_size"]), (torch.randint(0, 100, (1, 3)), torch.ones(1, 3, dtype=torch.long)),
                          os.path.join(no_past_dir, "model.onnx"), input_names=["input_ids", "attention_mask"],
                          output_names=["logits"], dynamic_axes={"input_ids": {0: "b", 1: "s"}, "attention_mask": {0: "b", 1: "s"},
                                                                 "logits": {0: "b", 1: "s"}}, opset_version=OPSET)
    print(f"wrote {out}: model.onnx {os.path.getsize(onnx_path)} bytes, {n_params} parameters, sha256 {sha}")


if __name__ == "__main__":
    main()
