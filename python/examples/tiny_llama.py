"""tiny_llama.py — a small Llama-architecture model run from safetensors weights with and
without the bridge's numerics (mpbsim.dropin), in the Hugging Face module layout:
RotaryEmbedding (inv_freq buffer; forward(x, position_ids) -> cos, sin), rotate_half and
apply_rotary_pos_emb, eager attention with torch.nn.functional.softmax, RMSNorm, SwiGLU.

No weights can be downloaded here, so the script writes a seeded random model's weights
to a safetensors file first (or reads the file given with --weights), loads them with
safetensors.torch.load_file, and runs one forward pass over a token sequence twice.

    build/venv/bin/python python/examples/tiny_llama.py [--weights FILE] [--tokens N]
        [--config configs/patent-literal.cfg] [--rope datapath|cossin]

Prints the logit difference and the top-1 agreement of bridge vs float (needs torch and
safetensors: `make test-torch` installs them into build/venv).
"""
import argparse
import math
import os
import sys
import tempfile

import torch
from torch import nn

GEOMETRY = dict(vocab=256, dim=128, layers=2, heads=4, kv_heads=2, head_dim=32, ffn=256, base=10000.0)


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary_pos_emb(q, k, cos, sin, position_ids=None, unsqueeze_dim=1):
    cos, sin = cos.unsqueeze(unsqueeze_dim), sin.unsqueeze(unsqueeze_dim)
    return q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin


class RotaryEmbedding(nn.Module):
    def __init__(self, head_dim, base):
        super().__init__()
        inv_freq = 1.0 / (base ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    @torch.no_grad()
    def forward(self, x, position_ids):
        freqs = (self.inv_freq[None, :, None].float() @ position_ids[:, None, :].float()).transpose(1, 2)
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(x.dtype), emb.sin().to(x.dtype)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return self.weight * x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)


class Attention(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.h, self.kv, self.d = g["heads"], g["kv_heads"], g["head_dim"]
        self.q_proj = nn.Linear(g["dim"], self.h * self.d, bias=False)
        self.k_proj = nn.Linear(g["dim"], self.kv * self.d, bias=False)
        self.v_proj = nn.Linear(g["dim"], self.kv * self.d, bias=False)
        self.o_proj = nn.Linear(self.h * self.d, g["dim"], bias=False)

    def forward(self, x, cos, sin):
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.h, self.d).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kv, self.d).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv, self.d).transpose(1, 2)
        q, k = apply_rotary_pos_emb(q, k, cos, sin)
        k = k.repeat_interleave(self.h // self.kv, dim=1)
        v = v.repeat_interleave(self.h // self.kv, dim=1)
        w = q @ k.transpose(2, 3) / math.sqrt(self.d)
        w = w + torch.full((s, s), float("-inf")).triu(1)
        w = nn.functional.softmax(w, dim=-1, dtype=torch.float32).to(q.dtype)
        return self.o_proj((w @ v).transpose(1, 2).reshape(b, s, -1))


class DecoderLayer(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.input_layernorm = RMSNorm(g["dim"])
        self.self_attn = Attention(g)
        self.post_attention_layernorm = RMSNorm(g["dim"])
        self.gate_proj = nn.Linear(g["dim"], g["ffn"], bias=False)
        self.up_proj = nn.Linear(g["dim"], g["ffn"], bias=False)
        self.down_proj = nn.Linear(g["ffn"], g["dim"], bias=False)

    def forward(self, x, cos, sin):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin)
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(nn.functional.silu(self.gate_proj(h)) * self.up_proj(h))


class TinyLlama(nn.Module):
    def __init__(self, g=GEOMETRY):
        super().__init__()
        self.embed_tokens = nn.Embedding(g["vocab"], g["dim"])
        self.layers = nn.ModuleList(DecoderLayer(g) for _ in range(g["layers"]))
        self.norm = RMSNorm(g["dim"])
        self.lm_head = nn.Linear(g["dim"], g["vocab"], bias=False)
        self.rotary_emb = RotaryEmbedding(g["head_dim"], g["base"])

    def forward(self, input_ids, position_ids=None):
        if position_ids is None:
            position_ids = torch.arange(input_ids.shape[1])[None].expand(input_ids.shape[0], -1)
        x = self.embed_tokens(input_ids)
        cos, sin = self.rotary_emb(x, position_ids)
        for layer in self.layers:
            x = layer(x, cos, sin)
        return self.lm_head(self.norm(x))


def write_random_weights(path, seed=0):
    """A seeded random TinyLlama's weights as a safetensors file."""
    from safetensors.torch import save_file
    torch.manual_seed(seed)
    m = TinyLlama()
    with torch.no_grad():  # scales that give peaked attention, so RoPE's numerics matter
        for name, p in m.named_parameters():
            if name.endswith("layernorm.weight") or name == "norm.weight":
                continue
            p.normal_(0, 1.0 if "embed" in name else 0.15 if ("q_proj" in name or "k_proj" in name) else 0.08)
    save_file({k: v.contiguous() for k, v in m.state_dict().items()}, str(path))


def load(path):
    from safetensors.torch import load_file
    m = TinyLlama()
    m.load_state_dict(load_file(str(path)))
    return m.eval()


def compare(model, tokens, config=None, rope="datapath", position_offset=0):
    """(float logits, bridge logits) of one forward pass."""
    import mpbsim.dropin
    ids = torch.arange(tokens)[None] * 7 % GEOMETRY["vocab"]
    pos = torch.arange(tokens)[None] + position_offset
    with torch.no_grad():
        ref = model(ids, pos)
        with mpbsim.dropin.patch(model, config=config, rope=rope):
            got = model(ids, pos)
    return ref, got


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weights", help="safetensors file (default: write a random model to a temp file)")
    ap.add_argument("--tokens", type=int, default=48)
    ap.add_argument("--offset", type=int, default=0, help="first position")
    ap.add_argument("--config", default=None, help="datapath config file or preset (default: default)")
    ap.add_argument("--rope", default="datapath", choices=("datapath", "cossin"))
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = a.weights or os.path.join(tmp, "tiny-llama.safetensors")
        if not a.weights:
            write_random_weights(path)
        model = load(path)
        ref, got = compare(model, a.tokens, a.config, a.rope, a.offset)
    diff = (got - ref).abs().max().item() / ref.abs().max().item()
    agree = (got.argmax(-1) == ref.argmax(-1)).float().mean().item()
    print(f"tiny-llama ({sum(p.numel() for p in model.parameters())} parameters, {a.tokens} tokens from "
          f"position {a.offset}), bridge ({a.rope}) vs float: max |logit diff| / max |logit| {diff:.3g}, "
          f"top-1 agreement {100 * agree:.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
