"""Architecture tests: shapes, 32x compression, linear attention vs the O(N^2) kernel, LoRA merging."""
import pytest
import torch
import torch.nn as nn

from sanasr import config
from sanasr.autoencoder import AutoEncoder, Encoder
from sanasr.blocks import LiteMLA, relu_attention_reference, relu_linear_attention
from sanasr.dit import LiteLA, LinearDiT
from sanasr.lora import LoRALayer, apply_lora, merge_lora, strip_lora, unmerge_lora
from sanasr.model import SanaSR


def test_linear_attention_equals_quadratic_kernel():
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 3, 8, 50, generator=g) for _ in range(3))
    fast = relu_linear_attention(q, k, v, 1e-8)
    ref = relu_attention_reference(q, k, v, 1e-8)
    assert fast.dtype == torch.float32
    assert torch.allclose(fast, ref, atol=1e-5, rtol=1e-4)


def test_linear_attention_accumulates_in_fp32_from_half_inputs():
    g = torch.Generator().manual_seed(1)
    q, k, v = (torch.randn(1, 2, 8, 64, generator=g) for _ in range(3))
    out = relu_linear_attention(q.bfloat16(), k.bfloat16(), v.bfloat16(), 1e-8)
    assert out.dtype == torch.float32
    ref = relu_attention_reference(q.bfloat16().float(), k.bfloat16().float(), v.bfloat16().float(), 1e-8)
    assert torch.allclose(out, ref, atol=1e-4, rtol=1e-3)


def test_dit_self_attention_is_the_kernel():
    att = LiteLA(width=16, heads=2, head_dim=8, eps=1e-8)
    x = torch.randn(2, 10, 16)
    qkv = att.qkv(x).reshape(2, 10, 3, 2, 8).permute(2, 0, 3, 4, 1)
    ref = relu_attention_reference(qkv[0], qkv[1], qkv[2], 1e-8).permute(0, 3, 1, 2).reshape(2, 10, 16)
    assert torch.allclose(att(x), att.proj(ref), atol=1e-5)


def test_autoencoder_compresses_32x():
    cfg = config.tiny().ae
    assert cfg.compression == 32
    ae = AutoEncoder(cfg)
    x = torch.rand(2, 3, 64, 96)
    z = ae.encoder(x)
    assert z.shape == (2, cfg.latent_channels, 2, 3)
    assert ae(x).shape == x.shape


def test_full_preset_dc_ae_widths_and_latent():
    p = config.full()
    assert p.ae.widths == (128, 256, 512, 512, 1024, 1024) and p.ae.latent_channels == 32
    assert p.dit.width == 1152 and p.dit.depth == 16 and (p.dit.cross_heads, p.dit.cross_head_dim) == (16, 72)


def test_multiscale_attention_block_shapes():
    m = LiteMLA(16, head_dim=8)
    assert m(torch.randn(1, 16, 5, 7)).shape == (1, 16, 5, 7)


@pytest.mark.parametrize("entry", ["bicubic", "direct"])
@pytest.mark.parametrize("guided", [False, True])
def test_sr_model_shapes_for_both_entries(entry, guided):
    p = config.tiny()
    p.sr.lr_entry, p.sr.lr_guided = entry, guided
    m = SanaSR(p).eval()
    x = torch.rand(2, 3, 16, 24)
    with torch.no_grad():
        z = m.sr.encode(x)
        assert z.shape == (2, p.ae.latent_channels, 2, 3)   # same latent grid for both entries
        y = m(x, torch.tensor([0.0, 6.0]))
    assert y.shape == (2, 3, 64, 96)


def test_dit_prompt_changes_output():
    p = config.tiny()
    dit = LinearDiT(p.dit, 8, p.num_prompts)
    nn.init.normal_(dit.final.linear.weight)               # the zero-initialised head would hide any effect
    x, t = torch.randn(1, 8, 3, 4), torch.tensor([500.0])
    a, b = dit(x, t, torch.tensor([0])), dit(x, t, torch.tensor([3]))
    assert a.shape == x.shape and (a - b).abs().max() > 1e-4


def _randomise_lora(m):
    for layer in m.modules():
        if isinstance(layer, LoRALayer):
            nn.init.normal_(layer.lora_B, std=0.1)


def test_lora_merge_equals_unmerged():
    torch.manual_seed(0)
    p = config.tiny()
    m = SanaSR(p).eval()
    nn.init.normal_(m.sr.dit.final.linear.weight, std=0.1)
    names = apply_lora(m.sr.dit, p.train.lora_targets, rank=2)
    assert any(n.endswith("attn.qkv") for n in names) and any(n.endswith("ffn.point") for n in names)
    _randomise_lora(m)
    x, pr = torch.rand(1, 3, 16, 16), torch.tensor([1.0])
    with torch.no_grad():
        unmerged = m(x, pr)
        merge_lora(m)
        merged = m(x, pr)
        unmerge_lora(m)
        back = m(x, pr)
        strip_lora(m)
        stripped = m(x, pr)
    assert (merged - unmerged).abs().max() < 1e-5
    assert (back - unmerged).abs().max() < 1e-5
    assert (stripped - unmerged).abs().max() < 1e-5
    assert not any(isinstance(l, LoRALayer) for l in m.modules())


def test_lora_changes_output_and_only_wraps_linear_or_pointwise():
    conv3 = nn.Conv2d(4, 4, 3)
    with pytest.raises(TypeError):
        LoRALayer(conv3, 2)
    lin = nn.Linear(6, 5)
    layer = LoRALayer(lin, 2)
    x = torch.randn(3, 6)
    assert torch.equal(layer(x), lin(x))                      # B = 0 at init
    nn.init.normal_(layer.lora_B)
    assert (layer(x) - lin(x)).abs().max() > 1e-3


def test_softmax_kernel_swap_is_quadratic_attention_and_scriptable():
    """export --attention softmax (scaling benchmark) must compute softmax attention on the same q, k, v."""
    import math
    from sanasr.dit import LiteLA
    torch.manual_seed(0)
    la = LiteLA(width=16, heads=2, head_dim=8, eps=1e-8).eval()
    x = torch.randn(1, 10, 16)
    linear = la(x)
    la.kernel = "softmax"
    q, k, v = la.qkv(x).reshape(1, 10, 3, 2, 8).permute(2, 0, 3, 1, 4)               # 3,B,h,N,d
    ref = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(8), dim=-1) @ v           # B,h,N,d
    ref = la.proj(ref.permute(0, 2, 1, 3).reshape(1, 10, 16))
    assert torch.allclose(la(x), ref, atol=1e-5)
    assert not torch.allclose(la(x), linear, atol=1e-3)
    assert torch.allclose(torch.jit.script(la)(x), ref, atol=1e-5)


def test_guide_prompt_film_starts_neutral_then_makes_the_guide_prompt_dependent():
    p = config.tiny()
    p.sr.guide_prompt = True
    m = SanaSR(p).eval()
    x = torch.rand(1, 3, 16, 16)
    guide = m.sr.guide
    with torch.no_grad():
        plain = guide(x)
        assert all(torch.equal(a, b) for a, b in zip(plain, guide(x, torch.tensor([3]))))   # zero-initialised
        nn.init.normal_(guide.prompt_film.weight)
        a, b = guide(x, torch.tensor([1])), guide(x, torch.tensor([2]))
    assert not torch.allclose(a[-1], b[-1])
    nn.init.normal_(m.sr.guide_head.weight)                   # make the guide visible in the output
    scripted = torch.jit.script(m.sr)
    with torch.no_grad():
        assert torch.allclose(scripted(x, torch.tensor([2.0])), m.sr(x, torch.tensor([2.0])), atol=1e-5)
        assert not torch.allclose(m.sr(x, torch.tensor([1.0])), m.sr(x, torch.tensor([2.0])))
