"""Tiny decoder-only transformer used by miniserve.

One module serves both training (full causal sequences, no cache) and the
exported inference graph (new tokens + per-layer past key/value cache,
explicit padding mask). Both paths share the same weights and arithmetic.

Attention is multi-query when n_kv_head == 1: the n_head query heads all
attend over a single key/value head of size head_dim, which shrinks the KV
cache (and the memory a decode step has to read) by a factor of n_head.
The shared head is used through plain reshapes, never an expanded copy:
queries [B,H,S,Dh] are viewed as [B,1,H*S,Dh], so each attention product is
one matrix product per row against the row's [B,1,P+S,Dh] keys/values.
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
    n_kv_head: int = 1  # 1 = multi-query attention; n_head = classic multi-head
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
        assert cfg.n_head % cfg.n_kv_head == 0
        self.kv_dim = cfg.n_kv_head * cfg.head_dim
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, d + 2 * self.kv_dim)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc = nn.Linear(d, 4 * d)
        self.fc_out = nn.Linear(4 * d, d)
        self.drop = nn.Dropout(cfg.dropout)

    def split_heads(self, t, n):
        B, S, _ = t.shape
        return t.view(B, S, n, self.cfg.head_dim).transpose(1, 2)

    def forward(self, x, bias, past_k=None, past_v=None):
        """x: [B,S,D]; bias: additive mask broadcastable to [B,1,S,P+S].
        Returns the new x and this layer's keys/values for the new tokens,
        [B,n_kv_head,S,Dh] each."""
        B, S, D = x.shape
        H, KV, Dh = self.cfg.n_head, self.cfg.n_kv_head, self.cfg.head_dim
        G = H // KV  # query heads per key/value head
        q, k, v = self.qkv(self.ln1(x)).split([D, self.kv_dim, self.kv_dim], dim=2)
        q = self.split_heads(q, H)  # [B,H,S,Dh]
        k, v = self.split_heads(k, KV), self.split_heads(v, KV)  # [B,KV,S,Dh]
        if past_k is not None:
            k_all = torch.cat([past_k, k], dim=2)
            v_all = torch.cat([past_v, v], dim=2)
        else:
            k_all, v_all = k, v
        # group the G query heads that share a KV head into one matrix of G*S rows
        qg = q.reshape(B, KV, G * S, Dh)
        att = torch.matmul(qg, k_all.transpose(-1, -2)) * (1.0 / math.sqrt(Dh))  # [B,KV,G*S,P+S]
        T = att.shape[-1]
        att = att.view(B, KV, G, S, T) + bias.unsqueeze(2)  # bias [B,1,S,T] -> [B,1,1,S,T]
        att = torch.softmax(att, dim=-1).view(B, KV, G * S, T)
        att = self.drop(att)
        y = torch.matmul(att, v_all)  # [B,KV,G*S,Dh]
        y = y.view(B, H, S, Dh).transpose(1, 2).reshape(B, S, D)
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
        bias = torch.zeros(T, T, device=idx.device).masked_fill(~causal, NEG)[None, None]  # [1,1,T,T]
        for blk in self.blocks:
            x, _, _ = blk(x, bias)
        return self.head(x)


class CachedGPT(nn.Module):
    """Inference wrapper implementing the miniserve ONNX I/O contract:
    forward(input_ids, position_ids, attention_mask, inv_temperature, past_key_0, past_value_0, ...,
    past_key_{L-1}, past_value_{L-1}) -> (logits, probs, present_key_0, present_value_0, ...).

    Only each row's last real new position reaches the output head: the server samples from it
    and nothing else, and skipping the other positions saves the vocabulary projection for all
    of them during prefill. `probs` is softmax(logits * inv_temperature), which the runtime
    computes with vectorised kernels far faster than a JavaScript loop over the vocabulary."""

    def __init__(self, gpt: GPT):
        super().__init__()
        self.gpt = gpt

    def forward(self, input_ids, position_ids, attention_mask, inv_temperature, *past):
        g = self.gpt
        S = input_ids.shape[1]
        T = attention_mask.shape[1]  # P + S
        x = g.wte(input_ids) + g.wpe(position_ids)
        # causal structure: query i (absolute column P+i) may see columns <= P+i
        cols = torch.arange(T, device=input_ids.device)
        rows = torch.arange(S, device=input_ids.device) + (T - S)
        allowed = (cols[None, :] <= rows[:, None]).to(attention_mask.dtype)  # [S,P+S]
        keep = allowed[None, None, :, :] * attention_mask[:, None, None, :]  # [B,1,S,P+S]
        bias = (1.0 - keep) * NEG
        presents = []
        for li, blk in enumerate(g.blocks):
            x, k, v = blk(x, bias, past[2 * li], past[2 * li + 1])
            presents += [k, v]
        # last real new position of each row: the new part of the mask counts a row's new tokens
        last = (attention_mask[:, T - S:].sum(-1) - 1).clamp(min=0).long()  # [B]
        x_last = torch.gather(x, 1, last[:, None, None].expand(x.shape[0], 1, x.shape[2])).squeeze(1)  # [B,D]
        logits = g.head(x_last)  # [B,V]
        probs = torch.softmax(logits * inv_temperature[:, None], dim=-1)
        return (logits, probs, *presents)
