"""SANA-style LinearDiT on the latent grid.

Per block (SANA ``SanaMSBlock`` with adaLN-single):
    shift1, scale1, gate1, shift2, scale2, gate2 = table[6, D] + t_block(t_emb).reshape(B, 6, D)
    x += gate1 * LiteLA(LN(x) * (1 + scale1) + shift1)        ReLU linear self-attention, heads of 32
    x += CrossAttn(x, prompt_tokens)                          softmax, no norm / modulation / gate
    x += gate2 * MixFFN(LN(x) * (1 + scale2) + shift2)        GLUMBConv on the (B, D, H, W) token map
Patch size 1 (a 1x1 conv embeds the latent), no positional embedding (the depthwise conv of the Mix-FFN
carries position), one shared ``t_block`` and a final layer with its own 2xD table.

Prompt conditioning: ``prompt_tokens[P, T, D]`` are learned embeddings (T tokens per prompt of the small
vocabulary in ``config.PROMPTS``) in place of SANA's Gemma text encoder + caption projection.

Structured pruning (train/prune.py) changes ``heads`` and ``hidden`` per block; the constructor takes the
per-block sizes from ``DiTConfig.heads(i)`` / ``DiTConfig.ffn(i)`` so pruned models rebuild from config.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .blocks import GLUMBConv, relu_linear_attention
from .config import DiTConfig


def timestep_embedding(t: torch.Tensor, dim: int, max_period: float = 10000.0) -> torch.Tensor:
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.float().unsqueeze(1) * freqs.unsqueeze(0)
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1)


class TimestepEmbedder(nn.Module):
    def __init__(self, width: int, freq_dim: int):
        super().__init__()
        self.freq_dim = freq_dim
        self.fc1 = nn.Linear(freq_dim, width)
        self.fc2 = nn.Linear(width, width)

    def forward(self, t: torch.Tensor) -> torch.Tensor:
        # the sinusoid is computed in fp32; cast to the weights so a module converted to bf16/fp16 runs
        return self.fc2(F.silu(self.fc1(timestep_embedding(t, self.freq_dim).to(self.fc1.weight.dtype))))


def modulate(x: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return x * (1 + scale) + shift


class LiteLA(nn.Module):
    """SANA linear self-attention: qkv without bias, ReLU kernel, pad-ones normaliser in fp32."""

    def __init__(self, width: int, heads: int, head_dim: int, eps: float):
        super().__init__()
        self.heads = heads
        self.head_dim = head_dim
        self.eps = eps
        # "softmax" swaps in quadratic attention on the same q, k, v: only for the linear-scaling benchmark
        # (export --attention softmax); the weights are trained for the ReLU kernel.
        self.kernel = "relu_linear"
        self.qkv = nn.Linear(width, 3 * heads * head_dim, bias=False)
        self.proj = nn.Linear(heads * head_dim, width, bias=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, _ = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, self.head_dim).permute(2, 0, 3, 4, 1)  # 3,B,h,d,N
        if self.kernel == "softmax":
            att = torch.softmax(torch.matmul(qkv[0].transpose(-1, -2), qkv[1]) / math.sqrt(self.head_dim), dim=-1)
            out = torch.matmul(qkv[2], att.transpose(-1, -2))                                   # B,h,d,N
        else:
            out = relu_linear_attention(qkv[0], qkv[1], qkv[2], self.eps)
        out = out.permute(0, 3, 1, 2).reshape(b, n, self.heads * self.head_dim).to(x.dtype)
        return self.proj(out)


class CrossAttention(nn.Module):
    """Softmax multi-head cross-attention from latent tokens to prompt tokens (q, kv, proj with bias)."""

    def __init__(self, width: int, heads: int, head_dim: int):
        super().__init__()
        self.heads = heads
        self.head_dim = head_dim
        self.q = nn.Linear(width, heads * head_dim)
        self.kv = nn.Linear(width, 2 * heads * head_dim)
        self.proj = nn.Linear(heads * head_dim, width)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        b, n, _ = x.shape
        m = y.shape[1]
        q = self.q(x).reshape(b, n, self.heads, self.head_dim).transpose(1, 2)              # B,h,N,d
        kv = self.kv(y).reshape(b, m, 2, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)  # 2,B,h,M,d
        att = torch.softmax(torch.matmul(q, kv[0].transpose(-1, -2)) / math.sqrt(self.head_dim), dim=-1)
        out = torch.matmul(att, kv[1]).transpose(1, 2).reshape(b, n, self.heads * self.head_dim)
        return self.proj(out)


class DiTBlock(nn.Module):
    def __init__(self, width: int, heads: int, head_dim: int, cross_heads: int, cross_head_dim: int,
                 hidden: int, eps: float):
        super().__init__()
        self.width = width
        self.attn = LiteLA(width, heads, head_dim, eps)
        self.cross = CrossAttention(width, cross_heads, cross_head_dim)
        self.ffn = GLUMBConv(width, hidden)
        self.scale_shift_table = nn.Parameter(torch.randn(6, width) / width ** 0.5)

    def forward(self, x: torch.Tensor, y: torch.Tensor, t0: torch.Tensor, h: int, w: int) -> torch.Tensor:
        b, n, d = x.shape
        mod = (self.scale_shift_table.unsqueeze(0) + t0.reshape(b, 6, d)).to(x.dtype)
        shift1, scale1, gate1 = mod[:, 0:1], mod[:, 1:2], mod[:, 2:3]
        shift2, scale2, gate2 = mod[:, 3:4], mod[:, 4:5], mod[:, 5:6]
        x = x + gate1 * self.attn(modulate(F.layer_norm(x, [d], eps=1e-6), shift1, scale1))
        x = x + self.cross(x, y)
        u = modulate(F.layer_norm(x, [d], eps=1e-6), shift2, scale2)
        u = self.ffn(u.transpose(1, 2).reshape(b, d, h, w)).reshape(b, d, n).transpose(1, 2)
        return x + gate2 * u


class FinalLayer(nn.Module):
    def __init__(self, width: int, out_ch: int):
        super().__init__()
        self.scale_shift_table = nn.Parameter(torch.randn(2, width) / width ** 0.5)
        self.linear = nn.Linear(width, out_ch)
        # zero init: the untrained DiT predicts v = 0, so the one-step model starts as z_H = z_L
        nn.init.zeros_(self.linear.weight)
        nn.init.zeros_(self.linear.bias)

    def forward(self, x: torch.Tensor, t_emb: torch.Tensor) -> torch.Tensor:
        d = x.shape[-1]
        mod = (self.scale_shift_table.unsqueeze(0) + t_emb.unsqueeze(1)).to(x.dtype)
        x = modulate(F.layer_norm(x, [d], eps=1e-6), mod[:, 0:1], mod[:, 1:2])
        return self.linear(x)


class LinearDiT(nn.Module):
    def __init__(self, cfg: DiTConfig, latent_channels: int, num_prompts: int):
        super().__init__()
        d = cfg.width
        self.width = d
        self.latent_channels = latent_channels
        self.x_embedder = nn.Conv2d(latent_channels, d, 1)
        self.t_embedder = TimestepEmbedder(d, cfg.freq_dim)
        self.t_block = nn.Sequential(nn.SiLU(), nn.Linear(d, 6 * d))
        self.prompt_tokens = nn.Parameter(torch.randn(num_prompts, cfg.tokens_per_prompt, d) * 0.02)
        self.blocks = nn.ModuleList([
            DiTBlock(d, cfg.heads(i), cfg.head_dim, cfg.cross_heads, cfg.cross_head_dim, cfg.ffn(i), cfg.attn_eps)
            for i in range(cfg.depth)])
        self.final = FinalLayer(d, latent_channels)

    def forward(self, x: torch.Tensor, t: torch.Tensor, prompt: torch.Tensor) -> torch.Tensor:
        """x: latent [B, C, H, W]; t: flow time in model units (1000 * sigma) [B]; prompt: indices [B]."""
        b, c, h, w = x.shape
        x = self.x_embedder(x).flatten(2).transpose(1, 2)               # B, N, D
        t_emb = self.t_embedder(t)
        t0 = self.t_block(t_emb)
        y = self.prompt_tokens[prompt.long()].to(x.dtype)               # B, T, D
        for blk in self.blocks:
            x = blk(x, y, t0, h, w)
        x = self.final(x, t_emb)
        return x.transpose(1, 2).reshape(b, self.latent_channels, h, w)
