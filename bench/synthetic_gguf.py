"""Write a large llama-architecture GGUF with random weights, for the model benchmark.

Why it exists: the default model (about 100 MB) decodes too fast, on
compute, to say how close the app comes to the memory bandwidth with a model
whose weights must all be read from memory for every token. This writes one
of about 1.5 GB with the ``gguf`` package: llama layers with Q8_0, F16 or
Q4_0 matrices, the default model's tokenizer and chat template (so the
app's engine accepts it and prompts tokenise the same way), and random
weights. The text it generates is noise; the speed is real, because
decoding reads every weight once per token whatever the values are.

The weights are scaled so that each matrix roughly preserves the size of its
input: the activations stay finite through every layer, and no quantised
block has a scale that is infinite, NaN or subnormal. The output rows of the
tokenizer's control tokens (end of turn, end of text …) are zero so that
greedy decoding never ends early on an end-of-generation token.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from gguf import GGMLQuantizationType, GGUFReader, GGUFValueType, GGUFWriter

TOKEN_TYPE_CONTROL = 3
_CHUNK_ROWS = 1024   # rows of a matrix generated at a time, to bound memory
# general.file_type (llama_ftype) of a model whose matrices are all of one type.
_FILE_TYPES = {GGMLQuantizationType.F16: 1, GGMLQuantizationType.Q4_0: 2,
               GGMLQuantizationType.Q8_0: 7}


@dataclass(frozen=True)
class SyntheticShape:
    """The dimensions of the synthetic model (the defaults resemble a 1.5 B llama)."""

    n_embd: int = 2048
    n_ff: int = 5632
    n_head: int = 16
    n_head_kv: int = 4
    context_length: int = 2048

    @property
    def kv_width(self) -> int:
        return self.n_embd // self.n_head * self.n_head_kv

    def layer_matrices(self, layer: int) -> list[tuple[str, int, int]]:
        """(name, rows = outputs, columns = inputs) of each weight matrix of one layer."""
        e, f, kv = self.n_embd, self.n_ff, self.kv_width
        prefix = f"blk.{layer}."
        return [(prefix + "attn_q.weight", e, e), (prefix + "attn_k.weight", kv, e),
                (prefix + "attn_v.weight", kv, e), (prefix + "attn_output.weight", e, e),
                (prefix + "ffn_gate.weight", f, e), (prefix + "ffn_up.weight", f, e),
                (prefix + "ffn_down.weight", e, f)]


# --- random weights, by ggml type ----------------------------------------------

def _row_bytes(kind: GGMLQuantizationType, columns: int) -> int:
    if kind == GGMLQuantizationType.F16:
        return 2 * columns
    if kind == GGMLQuantizationType.Q8_0:
        return columns // 32 * 34
    if kind == GGMLQuantizationType.Q4_0:
        return columns // 32 * 18
    raise ValueError(f"synthetic weights of type {kind.name} are not supported")


def _random_rows(rng: np.random.Generator, kind: GGMLQuantizationType,
                 rows: int, columns: int) -> np.ndarray:
    """``rows`` random rows as raw bytes; each output has about unit variance for unit input."""
    std = 1.0 / np.sqrt(columns)
    if kind == GGMLQuantizationType.F16:
        # Random sign and mantissa, one exponent: magnitudes in [m, 2m) with m
        # about std / 1.5, from random bits (drawing normals is 10x slower).
        bits = np.frombuffer(rng.bytes(rows * columns * 2), dtype=np.uint16)
        exponent = np.uint16(round(np.log2(std / 1.5)) + 15) << np.uint16(10)
        return ((bits & np.uint16(0x83FF)) | exponent).view(np.uint8).reshape(rows, -1)
    # A block is an f16 scale and 32 quants: int8 (Q8_0) or 4-bit minus 8 (Q4_0).
    block_bytes, quant_std = (34, 74.0) if kind == GGMLQuantizationType.Q8_0 else (18, 4.6)
    blocks = np.frombuffer(rng.bytes(rows * columns // 32 * block_bytes), dtype=np.uint8)
    blocks = blocks.reshape(rows, columns // 32, block_bytes).copy()
    blocks[:, :, :2] = np.array([std / quant_std], dtype=np.float16).view(np.uint8)
    return blocks.reshape(rows, -1)


def _zero_rows(data: np.ndarray, first_row: int, rows: list[int]) -> None:
    """Zero the given rows (absolute indices) that fall in this chunk: all-zero is valid in every type."""
    local = [r - first_row for r in rows if first_row <= r < first_row + len(data)]
    if local:
        data[local] = 0


# --- the file ------------------------------------------------------------------

def _copy_tokenizer(writer: GGUFWriter, source: GGUFReader) -> list[int]:
    """Copy every ``tokenizer.*`` key; return the ids of the control tokens."""
    for key, field in source.fields.items():
        if not key.startswith("tokenizer."):
            continue
        main = field.types[0]
        sub = field.types[-1] if main == GGUFValueType.ARRAY else None
        writer.add_key_value(key, field.contents(), main, sub)
    types = source.fields["tokenizer.ggml.token_type"].contents()
    return [i for i, t in enumerate(types) if t == TOKEN_TYPE_CONTROL]


def _add_hparams(writer: GGUFWriter, shape: SyntheticShape, layers: int, vocab: int,
                 kind: GGMLQuantizationType) -> None:
    writer.add_name("Trellis synthetic benchmark model (random weights)")
    writer.add_block_count(layers)
    writer.add_context_length(shape.context_length)
    writer.add_embedding_length(shape.n_embd)
    writer.add_feed_forward_length(shape.n_ff)
    writer.add_head_count(shape.n_head)
    writer.add_head_count_kv(shape.n_head_kv)
    writer.add_rope_dimension_count(shape.n_embd // shape.n_head)
    writer.add_rope_freq_base(10000.0)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_vocab_size(vocab)
    writer.add_file_type(_FILE_TYPES[kind])
    writer.add_quantization_version(2)


def _tensor_plan(shape: SyntheticShape, layers: int, vocab: int):
    """(name, rows, columns, is a matrix) for every tensor, in file order."""
    plan = [("token_embd.weight", vocab, shape.n_embd, True)]
    for layer in range(layers):
        plan.append((f"blk.{layer}.attn_norm.weight", 1, shape.n_embd, False))
        plan.extend((name, rows, cols, True) for name, rows, cols in shape.layer_matrices(layer))
        plan.append((f"blk.{layer}.ffn_norm.weight", 1, shape.n_embd, False))
    plan.append(("output_norm.weight", 1, shape.n_embd, False))
    plan.append(("output.weight", vocab, shape.n_embd, True))
    return plan


def layers_for_size(shape: SyntheticShape, kind: GGMLQuantizationType, vocab: int,
                    target_bytes: int) -> int:
    """How many layers bring the file to about ``target_bytes``."""
    per_layer = sum(rows * _row_bytes(kind, cols) for _, rows, cols in shape.layer_matrices(0))
    tables = 2 * vocab * _row_bytes(kind, shape.n_embd)   # token_embd and output
    return max(1, round((target_bytes - tables) / per_layer))


def _write_tensor(writer: GGUFWriter, rng, kind, name, rows, cols, zero_rows) -> None:
    if not zero_rows and rows <= _CHUNK_ROWS:
        writer.write_tensor_data(_random_rows(rng, kind, rows, cols))
        return
    # Big tables are written in chunks; the writer checks only the total size.
    fout = writer.fout[0]
    writer.write_padding(fout, fout.tell())
    for start in range(0, rows, _CHUNK_ROWS):
        chunk = _random_rows(rng, kind, min(_CHUNK_ROWS, rows - start), cols)
        _zero_rows(chunk, start, zero_rows)
        chunk.tofile(fout)
    writer.tensors[0].pop(name)
    writer.write_padding(fout, rows * _row_bytes(kind, cols))


def write_synthetic_model(path: Path, *, tokenizer_from: Path, target_bytes: int = 1_500_000_000,
                          kind: GGMLQuantizationType = GGMLQuantizationType.Q8_0,
                          shape: SyntheticShape = SyntheticShape(), seed: int = 7) -> int:
    """Write the model to ``path``; returns its number of layers."""
    source = GGUFReader(tokenizer_from)
    vocab = len(source.fields["tokenizer.ggml.tokens"].data)
    layers = layers_for_size(shape, kind, vocab, target_bytes)
    writer = GGUFWriter(path, "llama")
    control_tokens = _copy_tokenizer(writer, source)
    _add_hparams(writer, shape, layers, vocab, kind)
    plan = _tensor_plan(shape, layers, vocab)
    for name, rows, cols, matrix in plan:
        if matrix:
            writer.add_tensor_info(name, (rows, _row_bytes(kind, cols)), np.dtype(np.uint8),
                                   rows * _row_bytes(kind, cols), raw_dtype=kind)
        else:
            writer.add_tensor_info(name, (cols,), np.dtype(np.float32), 4 * cols)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    rng = np.random.default_rng(seed)
    for name, rows, cols, matrix in plan:
        if matrix:
            zero = control_tokens if name == "output.weight" else []
            _write_tensor(writer, rng, kind, name, rows, cols, zero)
        else:
            writer.write_tensor_data(np.ones(cols, dtype=np.float32))
    writer.close()
    return layers
