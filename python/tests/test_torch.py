"""test_torch.py — the PyTorch drop-in (mpbsim.dropin) on the Hugging-Face-style example
model (python/examples/tiny_llama.py) loaded from safetensors weights. Skipped when torch
or safetensors is missing: `make test-torch` installs them into build/venv (torch is a
540 MB wheel plus CUDA libraries from PyPI, so the default venv leaves it out)."""
import sys
from pathlib import Path

import numpy as np
import pytest

WHY = "torch/safetensors not installed in this venv (make test-torch installs them: 540 MB torch wheel + CUDA deps)"
torch = pytest.importorskip("torch", reason=WHY)
pytest.importorskip("safetensors", reason=WHY)

import mpbsim  # noqa: E402
import mpbsim.dropin  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
import tiny_llama  # noqa: E402


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("w") / "tiny.safetensors"
    tiny_llama.write_random_weights(path, seed=3)
    return tiny_llama.load(path)


def test_cossin_mode_returns_bridge_cos_sin(model):
    pos = torch.tensor([[0, 5, 300, 70000]])
    x = torch.zeros(1, 4, 32)
    with mpbsim.dropin.patch(model, rope="cossin", softmax=False):
        cos, sin = model.rotary_emb(x, pos)
    bm = mpbsim.Model(head_dim=32, base=10000.0)
    cs = bm.rope_cossin(pos.numpy()[..., None], np.arange(16))
    assert np.array_equal(cos.numpy()[..., :16], cs.cos_value.astype(np.float32))
    assert np.array_equal(sin.numpy()[..., 16:], cs.sin_value.astype(np.float32))
    cos2, _ = model.rotary_emb(x, pos)  # removed: float again
    assert not torch.equal(cos2, cos)


def test_datapath_rotation_and_softmax_are_the_bridge(model):
    q = torch.randn(2, 4, 6, 32)
    k = torch.randn(2, 2, 6, 32)
    pos = torch.arange(6)[None].expand(2, -1) * 1000
    with mpbsim.dropin.patch(model) as h:
        cos, sin = model.rotary_emb(q, pos)
        rq, rk = tiny_llama.apply_rotary_pos_emb(q, k, cos, sin)
        bm = mpbsim.Model(head_dim=32, base=10000.0)
        assert np.array_equal(rq.numpy(), mpbsim.rope_float(q.numpy(), pos.numpy()[:, None, :], bm))
        assert np.array_equal(rk.numpy(), mpbsim.rope_float(k.numpy(), pos.numpy()[:, None, :], bm))
        s = torch.randn(3, 9)
        assert torch.equal(torch.nn.functional.softmax(s, dim=-1), torch.softmax(s, -1))  # not in a forward
        seen = []
        orig = model.lm_head.forward
        model.lm_head.forward = lambda x: (seen.append(torch.nn.functional.softmax(s, dim=-1)), orig(x))[1]
        model(torch.zeros(1, 3, dtype=torch.long))
        del model.lm_head.forward
        assert np.array_equal(seen[0].numpy(), mpbsim.softmax_float(s.numpy(), model=bm))
        assert h is not None
    assert tiny_llama.apply_rotary_pos_emb.__name__ == "apply_rotary_pos_emb"
    assert sys.modules["tiny_llama"].apply_rotary_pos_emb is tiny_llama.apply_rotary_pos_emb


def test_example_runs_from_safetensors(model, capsys):
    ref, got = tiny_llama.compare(model, 40)
    assert got.shape == ref.shape == (1, 40, 256)
    assert not torch.equal(got, ref)  # the patch took effect (int8 q/k: ~1% of the logit range)
    assert (got - ref).abs().max().item() < 0.05 * ref.abs().max().item()
    assert (got.argmax(-1) == ref.argmax(-1)).float().mean().item() >= 0.9
    assert tiny_llama.main(["--tokens", "16", "--config", "patent"]) == 0
    assert "top-1 agreement" in capsys.readouterr().out


def test_gradients_pass_straight_through(model):
    ids = torch.zeros(1, 4, dtype=torch.long)
    with mpbsim.dropin.patch(model):
        model(ids).sum().backward()
    assert model.layers[0].self_attn.q_proj.weight.grad is not None
    model.zero_grad()


def test_refuses_scaled_frequencies(model):
    saved = model.rotary_emb.inv_freq.clone()
    model.rotary_emb.inv_freq[3:] *= 0.5
    try:
        with pytest.raises(ValueError, match="not base"):
            mpbsim.dropin.patch(model)
    finally:
        model.rotary_emb.inv_freq.copy_(saved)
    assert "forward" not in vars(model)  # a failed patch leaves nothing behind
    with pytest.raises(ValueError, match="no rotary embedding"):
        mpbsim.dropin.patch(torch.nn.Linear(2, 2))
