"""Minimal reader for ncnn models (.param text graph + .bin weights).

Only what the Real-ESRGAN ncnn export needs: the text .param format and the
weights of `Convolution` layers (fp16-tagged or raw fp32). Other weighted
layer types make the reader fail loudly instead of silently mis-aligning the
.bin stream, which is a flat concatenation with no per-layer index.

Format reference: ncnn wiki "param and model file structure".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Union

import numpy as np

PARAM_MAGIC = 7767517
# Key offset ncnn uses for array-valued parameters: "-23310=1,0.2" is key 10.
ARRAY_KEY_BASE = -23300

TAG_FP16 = 0x01306B47
TAG_INT8 = 0x000D4B38
TAG_FP32_ALT = 0x0002C056  # raw fp32 written by some converters

# Layer types that carry no entries in the .bin stream.
WEIGHTLESS_TYPES = {
    "Input", "Split", "Concat", "Eltwise", "BinaryOp", "Interp", "ReLU",
    "Sigmoid", "Crop", "Reshape", "Permute", "Pooling", "PixelShuffle",
    "UnaryOp", "Slice", "Flatten", "Softmax", "Clip", "TanH", "Noop",
}

ParamValue = Union[int, float, List[Union[int, float]]]


@dataclass
class Layer:
    type: str
    name: str
    inputs: List[str]
    outputs: List[str]
    params: Dict[int, ParamValue] = field(default_factory=dict)
    weights: Dict[str, np.ndarray] = field(default_factory=dict)


def _parse_number(text: str) -> Union[int, float]:
    # ncnn writes floats with a '.' or exponent; everything else is an int.
    if any(c in text for c in ".eE") and not text.lstrip("-").isdigit():
        return float(text)
    return int(text)


def parse_param(text: str) -> List[Layer]:
    """Parses the text .param format into layers (no weights yet)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines or int(lines[0]) != PARAM_MAGIC:
        raise ValueError("not an ncnn text .param file (bad magic)")
    layer_count, _blob_count = (int(v) for v in lines[1].split())
    layers = []
    for line in lines[2:]:
        tokens = line.split()
        layer_type, name = tokens[0], tokens[1]
        n_in, n_out = int(tokens[2]), int(tokens[3])
        pos = 4
        inputs = tokens[pos:pos + n_in]
        pos += n_in
        outputs = tokens[pos:pos + n_out]
        pos += n_out
        params: Dict[int, ParamValue] = {}
        for item in tokens[pos:]:
            key_text, value_text = item.split("=", 1)
            key = int(key_text)
            if key <= ARRAY_KEY_BASE:
                values = [_parse_number(v) for v in value_text.split(",")]
                count = int(values[0])
                params[ARRAY_KEY_BASE - key] = values[1:1 + count]
            else:
                params[key] = _parse_number(value_text)
        layers.append(Layer(layer_type, name, inputs, outputs, params))
    if len(layers) != layer_count:
        raise ValueError(f"header says {layer_count} layers, found {len(layers)}")
    return layers


def _read_tagged_array(data: memoryview, offset: int, count: int):
    """Reads one weight array preceded by ncnn's 4-byte storage flag."""
    tag = int.from_bytes(bytes(data[offset:offset + 4]), "little")
    offset += 4
    if tag == TAG_FP16:
        array = np.frombuffer(data, dtype="<f2", count=count, offset=offset)
        offset += 2 * count
        # fp16 arrays are padded to a 4-byte boundary in the stream.
        offset += (-2 * count) % 4
        return array.astype(np.float32), offset
    if tag == 0 or tag == TAG_FP32_ALT:
        array = np.frombuffer(data, dtype="<f4", count=count, offset=offset)
        return array.copy(), offset + 4 * count
    if tag == TAG_INT8:
        raise NotImplementedError("int8-quantised ncnn weights are not supported")
    raise NotImplementedError(f"unsupported ncnn weight storage flag 0x{tag:08x}")


def _read_raw_fp32(data: memoryview, offset: int, count: int):
    array = np.frombuffer(data, dtype="<f4", count=count, offset=offset)
    return array.copy(), offset + 4 * count


def attach_weights(layers: List[Layer], blob: bytes) -> None:
    """Fills `layer.weights` of each Convolution from the .bin byte stream."""
    data = memoryview(blob)
    offset = 0
    for layer in layers:
        if layer.type in WEIGHTLESS_TYPES:
            continue
        if layer.type != "Convolution":
            raise NotImplementedError(f"weights of ncnn layer type {layer.type} not supported")
        p = layer.params
        num_output = int(p[0])
        kernel_w = int(p.get(1, 0))
        kernel_h = int(p.get(11, kernel_w))
        weight_count = int(p[6])
        num_input, remainder = divmod(weight_count, num_output * kernel_h * kernel_w)
        if remainder:
            raise ValueError(f"{layer.name}: weight count {weight_count} does not factor")
        weight, offset = _read_tagged_array(data, offset, weight_count)
        # ncnn stores convolution weights as [out][in][kh][kw], like PyTorch.
        layer.weights["weight"] = weight.reshape(num_output, num_input, kernel_h, kernel_w)
        if int(p.get(5, 0)):
            layer.weights["bias"], offset = _read_raw_fp32(data, offset, num_output)
    if offset != len(blob):
        raise ValueError(f".bin has {len(blob) - offset} unread bytes: layout mismatch")


def load_model(param_text: str, bin_bytes: bytes) -> List[Layer]:
    layers = parse_param(param_text)
    attach_weights(layers, bin_bytes)
    return layers


def load_files(param_path: str, bin_path: str) -> List[Layer]:
    with open(param_path, "r", encoding="ascii") as f:
        param_text = f.read()
    with open(bin_path, "rb") as f:
        bin_bytes = f.read()
    return load_model(param_text, bin_bytes)
