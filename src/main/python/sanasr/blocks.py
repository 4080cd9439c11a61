"""Building blocks shared by the autoencoder and the DiT (written TorchScript-friendly).

* ``RMSNorm2d``            RMS normalisation over channels of an NCHW map, with weight and bias (DC-AE "trms2d").
* ``ResBlock``             conv3x3 (bias) -> SiLU -> conv3x3 -> RMSNorm, plus identity (DC-AE).
* ``GLUMBConv``            1x1 expand to 2h + SiLU, depthwise 3x3, x * SiLU(gate), 1x1 project (SANA Mix-FFN,
                           DC-AE EViT FFN with a trailing RMSNorm).
* ``relu_linear_attention`` the ReLU linear attention with SANA's pad-ones trick, in fp32 with an eps;
                           ``relu_attention_reference`` is the explicit O(N^2) form of the same kernel (tests).
* ``LiteMLA`` / ``EViTBlock`` EfficientViT multi-scale linear attention block (DC-AE stages 4-6).
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm2d(nn.Module):
    def __init__(self, channels: int, eps: float = 1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dtype = x.dtype
        xf = x.float()
        xf = xf * torch.rsqrt(xf.pow(2).mean(dim=1, keepdim=True) + self.eps)
        return (xf.to(dtype) * self.weight.view(1, -1, 1, 1).to(dtype) + self.bias.view(1, -1, 1, 1).to(dtype))


class RMSNorm(nn.Module):
    """RMS norm over the last dimension (tokens), used for the prompt tokens (SANA's caption_norm)."""

    def __init__(self, dim: int, eps: float = 1e-5, scale: float = 1.0):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.full((dim,), float(scale)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        xf = x.float()
        xf = xf * torch.rsqrt(xf.pow(2).mean(dim=-1, keepdim=True) + self.eps)
        return xf.to(x.dtype) * self.weight.to(x.dtype)


class ResBlock(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=True)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.norm = RMSNorm2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.norm(self.conv2(F.silu(self.conv1(x))))


class GLUMBConv(nn.Module):
    """Mix-FFN. ``hidden`` is h (the GLU output width); the expand conv produces 2h (value, gate)."""

    def __init__(self, channels: int, hidden: int, out_norm: bool = False):
        super().__init__()
        self.hidden = hidden
        self.inverted = nn.Conv2d(channels, 2 * hidden, 1, bias=True)
        self.depth = nn.Conv2d(2 * hidden, 2 * hidden, 3, padding=1, groups=2 * hidden, bias=True)
        self.point = nn.Conv2d(hidden, channels, 1, bias=False)
        self.norm = RMSNorm2d(channels) if out_norm else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.depth(F.silu(self.inverted(x)))
        x, gate = torch.chunk(x, 2, dim=1)
        x = self.point(x * F.silu(gate))
        if self.norm is not None:
            x = self.norm(x)
        return x


def _linear_attention_core(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, eps: float) -> torch.Tensor:
    # q, k, v: [B, heads, d, N]. Pad v with a row of ones so that one matmul chain yields both the
    # numerator (first d rows) and the normaliser sum_j phi(k_j)^T phi(q_i) (the last row).
    q = F.relu(q)
    k = F.relu(k)
    v = F.pad(v, (0, 0, 0, 1), mode="constant", value=1.0)          # [B, h, d+1, N]
    vk = torch.matmul(v, k.transpose(-1, -2))                        # [B, h, d+1, d]
    out = torch.matmul(vk, q)                                        # [B, h, d+1, N]
    return out[:, :, :-1] / (out[:, :, -1:] + eps)


def relu_linear_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, eps: float) -> torch.Tensor:
    """O_i = sum_j phi(k_j)^T phi(q_i) v_j / (sum_j phi(k_j)^T phi(q_i) + eps), phi = ReLU, in fp32.

    Layout [B, heads, d, N]; returns fp32 [B, heads, d, N]. Under CUDA bf16 autocast the matmuls are kept
    in fp32 (the accumulation over N tokens is what loses precision in half precision).
    """
    if torch.jit.is_scripting():
        return _linear_attention_core(q.float(), k.float(), v.float(), eps)
    with torch.autocast(device_type=q.device.type, enabled=False):
        return _linear_attention_core(q.float(), k.float(), v.float(), eps)


def relu_attention_reference(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, eps: float) -> torch.Tensor:
    """Explicit O(N^2) form of the same kernel, for tests. Layout [B, heads, d, N]."""
    q = F.relu(q.double())
    k = F.relu(k.double())
    a = torch.einsum("bhdi,bhdj->bhij", q, k)                        # A_ij = phi(q_i) . phi(k_j)
    num = torch.einsum("bhij,bhdj->bhdi", a, v.double())
    den = a.sum(dim=-1).unsqueeze(2)                                 # [B, h, 1, N]
    return (num / (den + eps)).float()


class LiteMLA(nn.Module):
    """EfficientViT multi-scale ReLU linear attention (DC-AE's EViT attention, scales=(5,))."""

    def __init__(self, channels: int, head_dim: int = 32, eps: float = 1e-15):
        super().__init__()
        assert channels % head_dim == 0, "channels must be a multiple of head_dim"
        self.heads = channels // head_dim
        self.head_dim = head_dim
        self.eps = eps
        self.qkv = nn.Conv2d(channels, 3 * channels, 1, bias=False)
        # multi-scale branch: 5x5 depthwise on q,k,v then a grouped 1x1 (groups = 3 * heads)
        self.aggreg_dw = nn.Conv2d(3 * channels, 3 * channels, 5, padding=2, groups=3 * channels, bias=False)
        self.aggreg_pw = nn.Conv2d(3 * channels, 3 * channels, 1, groups=3 * self.heads, bias=False)
        self.proj = nn.Conv2d(2 * channels, channels, 1, bias=False)
        self.norm = RMSNorm2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, _, h, w = x.shape
        qkv = self.qkv(x)
        ms = self.aggreg_pw(self.aggreg_dw(qkv))
        qkv = torch.cat([qkv, ms], dim=1)                            # 2x the heads
        qkv = qkv.reshape(b, -1, 3 * self.head_dim, h * w)
        q, k, v = torch.split(qkv, [self.head_dim, self.head_dim, self.head_dim], dim=2)
        out = relu_linear_attention(q, k, v, self.eps).to(x.dtype)
        out = out.reshape(b, -1, h, w)
        return self.norm(self.proj(out))


class EViTBlock(nn.Module):
    def __init__(self, channels: int, head_dim: int = 32, expand: int = 4, eps: float = 1e-15):
        super().__init__()
        self.attn = LiteMLA(channels, head_dim, eps)
        self.ffn = GLUMBConv(channels, expand * channels, out_norm=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(x)
        return x + self.ffn(x)


def make_block(kind: str, channels: int, head_dim: int, expand: int, eps: float) -> nn.Module:
    if kind == "res":
        return ResBlock(channels)
    if kind == "evit":
        return EViTBlock(channels, min(head_dim, channels), expand, eps)
    raise ValueError(f"unknown block type {kind!r}")
