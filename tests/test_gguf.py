"""The GGUF reader on the real default model and on files crafted to be bad.

Every bad file must be refused with a ``BadModelFile`` whose message names
the file and says what is wrong, and the process must carry on (the last
test inspects the real model again). Tiny GGUF files are written here with
``struct``; ``write_gguf`` and ``tiny_model`` are also used by the registry
and CLI tests.
"""

import random
import shutil
import struct
from pathlib import Path

import pytest

from app.errors import InvalidInput
from app.llm.catalog import PROJECT_MODELS_DIR
from app.llm.gguf import (GGML_TYPES, RAM_OVERHEAD_BYTES, ArraySummary, BadModelFile, ModelTooLarge,
                          check_fits_in_memory, inspect_model, read_model_info)

DEFAULT_MODEL = PROJECT_MODELS_DIR / "SmolLM2-135M-Instruct.Q4_1.gguf"
CHAT_TEMPLATE = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}"
                 "<|im_end|>\n{% endfor %}")

# GGUF value types and ggml tensor types used below.
U8, I8, U16, I16, U32, I32, F32V, BOOL, STR, ARR, U64, I64, F64V = range(13)
F32, F16, Q8_0 = 0, 1, 8
_FORMATS = {U8: "B", I8: "b", U16: "H", I16: "h", U32: "I", I32: "i", F32V: "f", BOOL: "?",
            U64: "Q", I64: "q", F64V: "d"}


# --- writing GGUF files ------------------------------------------------------

def _string(text: str) -> bytes:
    raw = text.encode("utf-8")
    return struct.pack("<Q", len(raw)) + raw


def _value(value_type: int, value) -> bytes:
    if value_type == STR:
        return _string(value)
    if value_type == ARR:
        item_type, items = value
        return struct.pack("<IQ", item_type, len(items)) + b"".join(_value(item_type, v) for v in items)
    return struct.pack("<" + _FORMATS[value_type], value)


def _padding(length: int, alignment: int) -> bytes:
    return bytes(-length % alignment)


def gguf_parts(metadata, tensors, *, version=3, alignment=32) -> list[bytes]:
    """Header, metadata, tensor table (padded) and tensor data of a GGUF file."""
    header = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(metadata))
    pairs = b"".join(_string(key) + struct.pack("<I", kind) + _value(kind, value)
                     for key, kind, value in metadata)
    table, data = b"", b""
    for name, dims, ggml_type, raw in tensors:
        table += _string(name) + struct.pack(f"<I{len(dims)}QIQ", len(dims), *dims, ggml_type, len(data))
        data += raw + _padding(len(raw), alignment)
    table += _padding(len(header) + len(pairs) + len(table), alignment)
    return [header, pairs, table, data]


def write_gguf(path: Path, metadata, tensors, **options) -> Path:
    path.write_bytes(b"".join(gguf_parts(metadata, tensors, **options)))
    return path


def llama_metadata(arch="llama", *, layers=1, embedding=8, heads=2, kv_heads=1, context=2048,
                   file_type=F32, vocabulary=2000) -> list:
    """A small model's metadata, with a vocabulary long enough to be skipped."""
    entries = [("general.architecture", STR, arch), ("general.name", STR, "Tiny Test Model"),
               (f"{arch}.context_length", U32, context), (f"{arch}.embedding_length", U32, embedding),
               (f"{arch}.block_count", U32, layers), (f"{arch}.attention.head_count", U32, heads),
               (f"{arch}.attention.head_count_kv", U32, kv_heads),
               ("tokenizer.chat_template", STR, CHAT_TEMPLATE),
               ("tokenizer.ggml.tokens", ARR, (STR, [f"tok{i}" for i in range(vocabulary)]))]
    return entries + ([("general.file_type", U32, file_type)] if file_type is not None else [])


def f32_tensor(name: str, *dims: int, seed: int = 0) -> tuple:
    count = 1
    for dim in dims:
        count *= dim
    values = random.Random(seed).randbytes(count * 4)
    return (name, dims, F32, values)


def tiny_tensors(*, tied=False, extra_rows=0) -> list:
    """Embeddings (16 x 8), one norm, an output matrix unless tied, optional bulk."""
    tensors = [f32_tensor("token_embd.weight", 8, 16, seed=1), f32_tensor("blk.0.attn_norm.weight", 8)]
    tensors += [] if tied else [f32_tensor("output.weight", 8, 16, seed=2)]
    return tensors + ([f32_tensor("blk.0.ffn_up.weight", 256, extra_rows, seed=3)] if extra_rows else [])


def tiny_model(path: Path, *, extra_rows=0, arch="llama", **metadata) -> Path:
    """A valid little GGUF of the llama architecture; ``extra_rows`` of 1 KB make it bigger."""
    return write_gguf(path, llama_metadata(arch, **metadata), tiny_tensors(extra_rows=extra_rows))


def refused(path: Path, *words: str) -> str:
    with pytest.raises(BadModelFile) as caught:
        inspect_model(path)
    message = str(caught.value)
    assert str(path) in message or path.name in message, message
    for word in words:
        assert word in message, message
    return message


# --- the real default model --------------------------------------------------

def bytes_read_by(work):
    """(what ``work()`` returned, bytes this process read from files meanwhile)."""
    def rchar() -> int:
        counters = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
        return int(counters["rchar"])
    before = rchar()
    result = work()
    return result, rchar() - before


def test_default_model_is_read_without_loading_it():
    info, read = bytes_read_by(lambda: inspect_model(DEFAULT_MODEL))
    assert read < 8 << 20 < DEFAULT_MODEL.stat().st_size  # the header, not 94 MB of weights
    assert (info.version, info.architecture, info.context_length) == (3, "llama", 8192)
    assert info.quantisation == "Q4_1" and info.dominant_tensor_type == "Q4_1"
    assert 130e6 < info.parameter_count < 140e6
    assert "<|im_start|>" in info.chat_template
    assert (info.embedding_length, info.block_count, info.tensor_count) == (576, 30, 272)
    assert info.metadata["tokenizer.ggml.tokens"] == ArraySummary("string", 49152)
    assert info.data_offset + info.tensor_bytes == info.file_size == DEFAULT_MODEL.stat().st_size


def test_default_model_ties_embeddings_so_every_weight_is_read_per_token():
    info = inspect_model(DEFAULT_MODEL)
    assert not any(t.name == "output.weight" for t in info.tensors)
    assert info.bytes_per_token_estimate == info.tensor_bytes


def test_default_model_ram_estimate_and_memory_check():
    info = inspect_model(DEFAULT_MODEL)
    kv = 2 * 30 * 8192 * (576 * 3 // 9) * 2          # K and V, layers, tokens, n_embd_kv, f16
    assert info.kv_cache_bytes(8192) == kv
    assert info.ram_needed(8192) == info.tensor_bytes + kv + RAM_OVERHEAD_BYTES
    assert check_fits_in_memory(info, 8192, available_bytes=64 << 30) == info.ram_needed(8192)
    with pytest.raises(ModelTooLarge) as caught:
        check_fits_in_memory(info, 8192, available_bytes=100_000_000)
    message = str(caught.value)
    assert DEFAULT_MODEL.name in message and "0.55 GB" in message and "0.10 GB" in message
    assert isinstance(caught.value, InvalidInput)


def test_default_model_fits_in_this_machines_free_memory():
    assert check_fits_in_memory(inspect_model(DEFAULT_MODEL)) > 0


# --- small files written here ------------------------------------------------

def test_every_metadata_type_and_nested_arrays_are_read(tmp_path):
    extra = [("t.u8", U8, 255), ("t.i8", I8, -3), ("t.u16", U16, 65535), ("t.i16", I16, -300),
             ("t.i32", I32, -70000), ("t.f32", F32V, 0.5), ("t.bool", BOOL, True),
             ("t.u64", U64, 2**40), ("t.i64", I64, -2**40), ("t.f64", F64V, 1.25),
             ("t.nested", ARR, (ARR, [(U16, [1, 2]), (STR, ["a", "bé"])])),
             ("t.long", ARR, (F32V, [0.0] * 5000))]
    path = write_gguf(tmp_path / "types.gguf", llama_metadata() + extra, tiny_tensors())
    meta = inspect_model(path).metadata
    assert [meta[k] for k in ("t.u8", "t.i8", "t.u16", "t.i16", "t.i32", "t.f32", "t.bool")] == \
        [255, -3, 65535, -300, -70000, 0.5, True]
    assert (meta["t.u64"], meta["t.i64"], meta["t.f64"]) == (2**40, -2**40, 1.25)
    assert meta["t.nested"] == [[1, 2], ["a", "bé"]]
    assert meta["t.long"] == ArraySummary("float32", 5000)
    assert meta["tokenizer.ggml.tokens"] == ArraySummary("string", 2000)


def test_tiny_model_counts(tmp_path):
    info = inspect_model(tiny_model(tmp_path / "tiny.gguf", extra_rows=4))
    assert info.parameter_count == 128 + 8 + 128 + 1024
    assert info.tensor_bytes == 4 * info.parameter_count
    assert info.bytes_per_token_estimate == info.tensor_bytes - 128 * 4   # not token_embd
    assert (info.quantisation, info.context_length, info.name) == ("F32", 2048, "Tiny Test Model")
    assert info.kv_cache_bytes(100) == 2 * 100 * 1 * (1 * 4 + 1 * 4)


def test_quantisation_falls_back_to_the_dominant_tensor_type(tmp_path):
    tensors = tiny_tensors(tied=True) + [("blk.0.ffn_down.weight", (64, 8), Q8_0, bytes(2 * 8 * 34))]
    path = write_gguf(tmp_path / "q8.gguf", llama_metadata(file_type=None), tensors)
    info = inspect_model(path)
    assert info.quantisation == info.dominant_tensor_type == "Q8_0"
    assert info.bytes_per_token_estimate == info.tensor_bytes   # tied: token_embd is the output


def test_version_2_and_a_wider_alignment(tmp_path):
    metadata = llama_metadata() + [("general.alignment", U32, 64)]
    path = write_gguf(tmp_path / "v2.gguf", metadata, tiny_tensors(), version=2, alignment=64)
    info = inspect_model(path)
    assert (info.version, info.alignment, info.data_offset % 64) == (2, 64, 0)


def test_a_large_sparse_model_is_inspected_without_reading_its_weights(tmp_path):
    rows = 1 << 20                                     # a 4 GB F32 matrix
    parts = gguf_parts(llama_metadata(), [("blk.0.ffn_up.weight", (1024, rows), F32, b"")])
    path = tmp_path / "sparse.gguf"
    with open(path, "wb") as handle:
        handle.write(b"".join(parts))
        handle.truncate(len(b"".join(parts)) + 1024 * rows * 4)
    info, read = bytes_read_by(lambda: inspect_model(path))
    assert read < 4 << 20  # the header (read in 1 MB chunks), never the 4 GB of data
    assert info.tensor_bytes == 4 << 30


def test_ggml_type_sizes():
    sizes = {t.name: (t.block_size, t.block_bytes) for t in GGML_TYPES.values()}
    assert sizes["Q4_0"] == (32, 18) and sizes["Q8_0"] == (32, 34) and sizes["BF16"] == (1, 2)
    assert sizes["Q4_K"] == (256, 144) and sizes["Q6_K"] == (256, 210) and sizes["IQ4_XS"] == (256, 136)


# --- bad files ---------------------------------------------------------------

def test_empty_file(tmp_path):
    path = tmp_path / "empty.gguf"
    path.write_bytes(b"")
    refused(path, "empty")


def test_random_bytes(tmp_path):
    path = tmp_path / "noise.gguf"
    path.write_bytes(random.Random(7).randbytes(65536))
    refused(path, "not a GGUF")


def test_a_text_file(tmp_path):
    path = tmp_path / "notes.gguf"
    path.write_text("Ana led the checkout outage review.\n" * 100)
    refused(path, "not a GGUF")


@pytest.mark.parametrize("keep", [3, 4, 10, 23])
def test_real_model_truncated_in_its_header(tmp_path, keep):
    path = tmp_path / "head.gguf"
    path.write_bytes(DEFAULT_MODEL.read_bytes()[:keep])
    refused(path, "not a GGUF" if keep < 4 else "truncated")


@pytest.mark.parametrize("keep", [24, 1000, 200_000, 1_500_000])
def test_real_model_truncated_in_its_metadata(tmp_path, keep):
    path = tmp_path / "meta.gguf"
    with open(DEFAULT_MODEL, "rb") as handle:
        path.write_bytes(handle.read(keep))
    refused(path, "truncated", "metadata")


def test_real_model_truncated_in_its_tensor_data(tmp_path):
    path = tmp_path / "cut.gguf"
    shutil.copyfile(DEFAULT_MODEL, path)
    with open(path, "r+b") as handle:
        handle.truncate(DEFAULT_MODEL.stat().st_size - 1)
    refused(path, "truncated", "tensor data")


def test_tiny_model_truncated_in_each_part(tmp_path):
    header, pairs, table, data = gguf_parts(llama_metadata(), tiny_tensors())
    cuts = {"metadata": len(header) + len(pairs) // 2, "tensor table": len(header) + len(pairs) + 20,
            "tensor data": len(header) + len(pairs) + len(table) + len(data) - 4}
    whole = header + pairs + table + data
    for part, cut in cuts.items():
        path = tmp_path / f"cut-{part.replace(' ', '-')}.gguf"
        path.write_bytes(whole[:cut])
        refused(path, "truncated", part)


def test_absurd_array_length(tmp_path):
    header, pairs, table, data = gguf_parts(llama_metadata(), tiny_tensors())
    bogus = _string("tokenizer.ggml.scores") + struct.pack("<IIQ", ARR, F32V, 2**60)
    path = tmp_path / "array.gguf"
    path.write_bytes(header[:-8] + struct.pack("<Q", len(llama_metadata()) + 1) + pairs + bogus)
    refused(path, "damaged", "metadata array length", "1,152,921,504,606,846,976")


def test_an_array_longer_than_a_cut_file_is_called_truncated(tmp_path):
    header, pairs, table, data = gguf_parts(llama_metadata(vocabulary=100_000), tiny_tensors())
    path = tmp_path / "vocab-cut.gguf"
    path.write_bytes((header + pairs)[:200_000])
    refused(path, "truncated", "metadata")


def test_absurd_string_length(tmp_path):
    header = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 2**62) + b"x" * 100
    path = tmp_path / "string.gguf"
    path.write_bytes(header)
    refused(path, "damaged", "string length")


def test_absurd_tensor_count(tmp_path):
    path = tmp_path / "tensors.gguf"
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 2**40, 0) + bytes(1000))
    refused(path, "damaged", "tensor count")


@pytest.mark.parametrize("version, words", [(1, "version 1"), (4, "version 4"),
                                            (0x03000000, "big-endian")])
def test_unsupported_version(tmp_path, version, words):
    header, *rest = gguf_parts(llama_metadata(), tiny_tensors())
    path = tmp_path / f"v{version}.gguf"
    path.write_bytes(b"GGUF" + struct.pack("<I", version) + header[8:] + b"".join(rest))
    refused(path, words)


def test_unsupported_architecture_in_a_tiny_file(tmp_path):
    path = tiny_model(tmp_path / "gpt2.gguf", arch="gpt2")
    refused(path, "'gpt2' architecture", "does not run", "llama")
    assert read_model_info(path).architecture == "gpt2"   # readable, only not runnable


def test_unsupported_architecture_patched_into_the_real_model(tmp_path):
    path = tmp_path / "mamba.gguf"
    shutil.copyfile(DEFAULT_MODEL, path)
    needle = _string("general.architecture") + struct.pack("<I", STR) + _string("llama")
    with open(path, "r+b") as handle:
        at = handle.read(4096).index(needle) + len(needle) - 5
        handle.seek(at)
        handle.write(b"mamba")
    refused(path, "'mamba' architecture")


def test_no_architecture(tmp_path):
    metadata = [m for m in llama_metadata() if m[0] != "general.architecture"]
    refused(write_gguf(tmp_path / "anon.gguf", metadata, tiny_tensors()), "general.architecture")


def test_unknown_tensor_type_is_named(tmp_path):
    tensors = tiny_tensors() + [("blk.0.odd.weight", (32,), 99, bytes(32))]
    refused(write_gguf(tmp_path / "odd.gguf", llama_metadata(), tensors), "ggml type 99",
            "blk.0.odd.weight")


@pytest.mark.parametrize("change, words", [
    ("duplicate key", "appears twice"), ("five dims", "5 dimensions"),
    ("alignment 3", "general.alignment"), ("duplicate tensor", "share a name"),
    ("unknown value type", "value type 13"), ("partial block", "not a multiple of 32"),
])
def test_damaged_structure(tmp_path, change, words):
    metadata, tensors = llama_metadata(), tiny_tensors()
    if change == "duplicate key":
        metadata.append(metadata[2])
    elif change == "five dims":
        tensors.append(("blk.0.big.weight", (1, 1, 1, 1, 1), F32, bytes(4)))
    elif change == "alignment 3":
        metadata.append(("general.alignment", U32, 3))
    elif change == "duplicate tensor":
        tensors.append(tensors[0])
    elif change == "partial block":
        tensors.append(("blk.0.q.weight", (48,), Q8_0, bytes(34)))
    path = write_gguf(tmp_path / "damaged.gguf", metadata, tensors)
    if change == "unknown value type":
        raw = path.read_bytes()
        key = _string("general.name")
        at = raw.index(key) + len(key)
        path.write_bytes(raw[:at] + struct.pack("<I", 13) + raw[at + 4:])
    refused(path, "damaged", words)


def test_the_process_is_still_fine_after_all_refusals():
    info = inspect_model(DEFAULT_MODEL)
    assert (info.architecture, info.quantisation) == ("llama", "Q4_1")


def test_damaged_copies_are_read_or_refused_never_crash(tmp_path):
    """Random damage to a tiny model: each copy reads or is refused with BadModelFile."""
    whole = b"".join(gguf_parts(llama_metadata(vocabulary=50), tiny_tensors()))
    rng, path, outcomes = random.Random(3), tmp_path / "fuzzed.gguf", set()
    for _ in range(600):
        damaged = bytearray(whole)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(damaged))
            damaged[at:at + rng.choice((1, 8))] = rng.randbytes(rng.choice((1, 8)))
        path.write_bytes(bytes(damaged[:rng.choice((len(damaged), rng.randrange(len(damaged))))]))
        try:
            read_model_info(path)
            outcomes.add("read")
        except BadModelFile:
            outcomes.add("refused")
    assert outcomes == {"read", "refused"}
