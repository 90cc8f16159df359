"""Tiny decoder-only transformer used by miniserve.

One module serves both training (full causal sequences, no cache) and the
exported inference graph (new tokens + past key/value cache, explicit
padding mask). Both paths share the same weights and arithmetic.
"""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F

NEG = -1.0e9  # additive mask value; finite so fully masked rows never give NaN


@dataclass
class GPTConfig:
    vocab_size: int = 1024
    n_ctx: int = 512
    n_layer: int = 4
    n_head: int = 4
    d_model: int = 64
    dropout: float = 0.0

    @property
    def head_dim(self):
        return self.d_model // self.n_head

    def to_dict(self):
        return asdict(self)


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc = nn.Linear(d, 4 * d)
        self.fc_out = nn.Linear(4 * d, d)
        self.drop = nn.Dropout(cfg.dropout)

    def split_heads(self, t):
        B, S, _ = t.shape
        return t.view(B, S, self.cfg.n_head, self.cfg.head_dim).transpose(1, 2)

    def forward(self, x, bias, past_k=None, past_v=None):
        """x: [B,S,D]; bias: additive mask broadcastable to [B,H,S,P+S].
        Returns the new x and this layer's keys/values for the new tokens."""
        B, S, D = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=2)
        q, k, v = self.split_heads(q), self.split_heads(k), self.split_heads(v)
        if past_k is not None:
            k_all = torch.cat([past_k, k], dim=2)
            v_all = torch.cat([past_v, v], dim=2)
        else:
            k_all, v_all = k, v
        att = torch.matmul(q, k_all.transpose(-1, -2)) * (1.0 / math.sqrt(self.cfg.head_dim))
        att = att + bias
        att = torch.softmax(att, dim=-1)
        att = self.drop(att)
        y = torch.matmul(att, v_all).transpose(1, 2).reshape(B, S, D)
        x = x + self.drop(self.proj(y))
        x = x + self.drop(self.fc_out(F.gelu(self.fc(self.ln2(x)))))
        return x, k, v


class GPT(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.wpe = nn.Embedding(cfg.n_ctx, cfg.d_model)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)])
        self.ln_f = nn.LayerNorm(cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)
        self.apply(self._init)
        # GPT-2 style scaled init for the residual output projections
        for name, p in self.named_parameters():
            if name.endswith("proj.weight") or name.endswith("fc_out.weight"):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * cfg.n_layer))

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, 0.02)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, 0.0, 0.02)

    def n_params(self):
        return sum(p.numel() for p in self.parameters())

    def head(self, x):
        # output projection tied to the token embedding
        return torch.matmul(self.ln_f(x), self.wte.weight.t())

    def forward(self, idx):
        """Training path: idx [B,T] -> logits [B,T,V], plain causal attention."""
        B, T = idx.shape
        pos = torch.arange(T, device=idx.device)
        x = self.drop(self.wte(idx) + self.wpe(pos)[None])
        causal = torch.ones(T, T, dtype=torch.bool, device=idx.device).tril()
        bias = torch.zeros(T, T, device=idx.device).masked_fill(~causal, NEG)
        for blk in self.blocks:
            x, _, _ = blk(x, bias)
        return self.head(x)


class CachedGPT(nn.Module):
    """Inference wrapper implementing the miniserve ONNX I/O contract."""

    def __init__(self, gpt: GPT):
        super().__init__()
        self.gpt = gpt

    def forward(self, input_ids, position_ids, attention_mask, past_key_values):
        g = self.gpt
        S = input_ids.shape[1]
        P = past_key_values.shape[4]
        x = g.wte(input_ids) + g.wpe(position_ids)
        # causal structure: query i (absolute column P+i) may see columns <= P+i
        cols = torch.arange(P + S, device=input_ids.device)
        rows = torch.arange(S, device=input_ids.device) + P
        allowed = (cols[None, :] <= rows[:, None]).to(attention_mask.dtype)  # [S,P+S]
        keep = allowed[None, None, :, :] * attention_mask[:, None, None, :]  # [B,1,S,P+S]
        bias = (1.0 - keep) * NEG
        presents = []
        for li, blk in enumerate(g.blocks):
            x, k, v = blk(x, bias, past_key_values[li, 0], past_key_values[li, 1])
            presents.append(torch.stack([k, v], dim=0))
        logits = g.head(x)
        return logits, torch.stack(presents, dim=0)
