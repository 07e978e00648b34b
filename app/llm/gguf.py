"""Read a GGUF model file's header, without loading it, and refuse bad files.

Why this module exists: llama.cpp trusts the file it is handed. A truncated
download, a renamed text file, or a model for an architecture this build
cannot run can crash it or stall the app. So Trellis reads the GGUF header
itself first, in pure Python: magic, version, metadata, the tensor table.
Every count is checked against the file's size before it is used, and no
tensor data is read. Only a file that passes goes to the engine
(``llama_engine.py``, the one module that imports llama_cpp).

The same reading tells the model manager what a model will cost: RAM at a
given context size, and the bytes of weights read for every decoded token
(which, divided into memory bandwidth, bounds decoding speed).
"""

import ctypes
import math
import os
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InvalidInput

GGUF_MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32
MAX_DIMS = 4                 # ggml tensors have at most four dimensions
MAX_ARRAY_NESTING = 8
KEPT_ARRAY_ITEMS = 1024      # longer arrays (a vocabulary) are recorded by length only
MAX_HEADER_BYTES = 1 << 30   # real headers take a few MB, mostly the vocabulary
MAX_STRING_BYTES = 16 << 20  # the longest real strings are chat templates of a few KB
READ_CHUNK = 1 << 20
DEFAULT_CONTEXT_CAP = 8192   # the context Trellis plans RAM for when none is given
# Compute buffers, logits and the runtime. Measured here: about 25 MB for the
# 135M default model; 7-8 B models with a 128k vocabulary need a few hundred.
RAM_OVERHEAD_BYTES = 256 << 20

# Architectures that llama.cpp 0.3.36 runs and that Trellis accepts: dense
# instruct models of 1-8 B parameters. Mistral's older GGUFs say "llama".
SUPPORTED_ARCHITECTURES = frozenset({
    "llama", "mistral3", "qwen2", "qwen3", "phi3", "gemma", "gemma2", "gemma3",
    "granite", "olmo2", "smollm3",
})


class BadModelFile(InvalidInput):
    """A model file Trellis refuses to hand to llama.cpp; the message names the file."""


class ModelTooLarge(BadModelFile):
    """A sound model file that needs more memory than this machine can give it."""


@dataclass(frozen=True)
class GgmlType:
    """How ggml stores one tensor type: elements per block and bytes per block."""
    name: str
    block_size: int
    block_bytes: int


def _ggml(name: str, block_size: int, block_bytes: int) -> GgmlType:
    return GgmlType(name, block_size, block_bytes)


# ggml's type ids and sizes, as in ggml.c's type_traits of llama.cpp 0.3.36.
GGML_TYPES = {
    0: _ggml("F32", 1, 4), 1: _ggml("F16", 1, 2), 2: _ggml("Q4_0", 32, 18),
    3: _ggml("Q4_1", 32, 20), 6: _ggml("Q5_0", 32, 22), 7: _ggml("Q5_1", 32, 24),
    8: _ggml("Q8_0", 32, 34), 9: _ggml("Q8_1", 32, 36), 10: _ggml("Q2_K", 256, 84),
    11: _ggml("Q3_K", 256, 110), 12: _ggml("Q4_K", 256, 144), 13: _ggml("Q5_K", 256, 176),
    14: _ggml("Q6_K", 256, 210), 15: _ggml("Q8_K", 256, 292), 16: _ggml("IQ2_XXS", 256, 66),
    17: _ggml("IQ2_XS", 256, 74), 18: _ggml("IQ3_XXS", 256, 98), 19: _ggml("IQ1_S", 256, 50),
    20: _ggml("IQ4_NL", 32, 18), 21: _ggml("IQ3_S", 256, 110), 22: _ggml("IQ2_S", 256, 82),
    23: _ggml("IQ4_XS", 256, 136), 24: _ggml("I8", 1, 1), 25: _ggml("I16", 1, 2),
    26: _ggml("I32", 1, 4), 27: _ggml("I64", 1, 8), 28: _ggml("F64", 1, 8),
    29: _ggml("IQ1_M", 256, 56), 30: _ggml("BF16", 1, 2), 34: _ggml("TQ1_0", 256, 54),
    35: _ggml("TQ2_0", 256, 66), 39: _ggml("MXFP4", 32, 17), 40: _ggml("NVFP4", 64, 36),
    41: _ggml("Q1_0", 128, 18), 42: _ggml("Q2_0", 64, 18),
}

# general.file_type: the quantisation a model was converted with, by name.
FILE_TYPE_NAMES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1",
    10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M",
    16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S",
    22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M",
    28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0",
    37: "TQ2_0", 38: "MXFP4_MOE", 39: "NVFP4", 40: "Q1_0", 41: "Q2_0",
}

# GGUF metadata value types: the fixed-size ones, then string and array.
_SCALARS = {
    0: struct.Struct("<B"), 1: struct.Struct("<b"), 2: struct.Struct("<H"),
    3: struct.Struct("<h"), 4: struct.Struct("<I"), 5: struct.Struct("<i"),
    6: struct.Struct("<f"), 7: struct.Struct("<?"), 10: struct.Struct("<Q"),
    11: struct.Struct("<q"), 12: struct.Struct("<d"),
}
_STRING, _ARRAY = 8, 9
_VALUE_TYPE_NAMES = {0: "uint8", 1: "int8", 2: "uint16", 3: "int16", 4: "uint32",
                     5: "int32", 6: "float32", 7: "bool", 8: "string", 9: "array",
                     10: "uint64", 11: "int64", 12: "float64"}
_U32, _U64 = struct.Struct("<I"), struct.Struct("<Q")


@dataclass(frozen=True)
class ArraySummary:
    """A metadata array too long to keep, such as a vocabulary: its item type and length."""
    item_type: str
    length: int


@dataclass(frozen=True)
class TensorInfo:
    """One entry of the tensor table; ``offset`` is relative to the data section."""
    name: str
    dims: tuple[int, ...]
    type_name: str
    offset: int
    n_elements: int
    n_bytes: int


@dataclass(frozen=True)
class ModelInfo:
    """What a GGUF file says about the model in it, read without loading it."""
    path: Path
    file_size: int
    version: int
    architecture: str
    name: str | None
    parameter_count: int
    quantisation: str
    dominant_tensor_type: str
    context_length: int | None
    embedding_length: int | None
    block_count: int | None
    chat_template: str | None
    tensor_count: int
    tensor_bytes: int
    bytes_per_token_estimate: int
    alignment: int
    data_offset: int
    metadata: dict = field(repr=False, compare=False)
    tensors: tuple[TensorInfo, ...] = field(repr=False, compare=False)

    def planning_context(self) -> int:
        """The context Trellis would run this model with, absent a setting."""
        return min(self.context_length or DEFAULT_CONTEXT_CAP, DEFAULT_CONTEXT_CAP)

    def kv_cache_bytes(self, n_ctx: int) -> int:
        """f16 keys and values for every layer at ``n_ctx`` tokens, allocated up front."""
        return 2 * n_ctx * _kv_values_per_token(self.metadata, self.architecture,
                                                self.block_count or 0)

    def ram_needed(self, n_ctx: int | None = None) -> int:
        """Estimated bytes in use with the model loaded: weights, KV cache, overhead."""
        n_ctx = self.planning_context() if n_ctx is None else n_ctx
        return self.tensor_bytes + self.kv_cache_bytes(n_ctx) + RAM_OVERHEAD_BYTES


# --- reading -----------------------------------------------------------------

class _Cursor:
    """Reads little-endian values from the header, never past the end of the file."""

    def __init__(self, handle, size: int, path: Path):
        self.handle, self.size, self.path = handle, size, path
        self.pos, self.start, self.buf = 0, 0, b""
        self.section = "header"

    def remaining(self) -> int:
        return self.size - self.pos

    def _window(self, n: int) -> int:
        """Make ``n`` bytes from the position readable; return their index in ``buf``."""
        if n > self.remaining():
            raise self.truncated()
        if self.pos < self.start or self.pos + n > self.start + len(self.buf):
            self.handle.seek(self.pos)
            self.buf, self.start = self.handle.read(max(n, READ_CHUNK)), self.pos
            if len(self.buf) < n:  # the file shrank while we read it
                raise self.truncated()
        return self.pos - self.start

    def unpack(self, form: struct.Struct):
        index = self._window(form.size)
        self.pos += form.size
        return form.unpack_from(self.buf, index)[0]

    def take(self, n: int) -> bytes:
        index = self._window(n)
        self.pos += n
        return self.buf[index:index + n]

    def skip(self, n: int) -> None:
        if n > self.remaining():
            raise self.truncated()
        self.pos += n

    def count(self, item_bytes: int, what: str, limit: int = MAX_HEADER_BYTES,
              follows: bool = True) -> int:
        """A u64 count of items of at least ``item_bytes``, checked before it is used.

        A count no real model has is damage; one whose items, which follow
        (``follows``), run past the end of this file means it was cut short.
        """
        n = self.unpack(_U64)
        if n * item_bytes > limit:
            raise BadModelFile(f"{self.path} is damaged: its {what} says {n:,}, "
                               "more than any model file holds")
        if follows and n * item_bytes > self.remaining():
            raise self.truncated()
        return n

    def string(self) -> str:
        n = self.count(1, "string length", MAX_STRING_BYTES)
        return self.take(n).decode("utf-8", errors="replace")

    def skip_strings(self, n: int) -> None:
        # A vocabulary holds hundreds of thousands of strings: this loop is
        # most of the reading time, so it avoids a method call per string.
        window, unpack_length = self._window, _U64.unpack_from
        for _ in range(n):
            index = window(8)   # may refill buf, so it comes first
            length = unpack_length(self.buf, index)[0]
            if length > MAX_STRING_BYTES:
                raise BadModelFile(f"{self.path} is damaged: its string length says {length:,}, "
                                   "more than any model file holds")
            self.pos += 8 + length
        if self.pos > self.size:
            raise self.truncated()

    def truncated(self) -> BadModelFile:
        return BadModelFile(f"{self.path} is truncated: it ends inside its {self.section} "
                            f"(the file is {self.size:,} bytes); copy or download it again")


def _value(cur: _Cursor, value_type: int, depth: int):
    if value_type in _SCALARS:
        return cur.unpack(_SCALARS[value_type])
    if value_type == _STRING:
        return cur.string()
    if value_type == _ARRAY:
        return _array(cur, depth + 1)
    raise BadModelFile(f"{cur.path} is damaged: unknown metadata value type {value_type}")


def _min_item_bytes(cur: _Cursor, item_type: int) -> int:
    if item_type in _SCALARS:
        return _SCALARS[item_type].size
    if item_type in (_STRING, _ARRAY):
        return 8 if item_type == _STRING else 12
    raise BadModelFile(f"{cur.path} is damaged: unknown metadata value type {item_type}")


def _array(cur: _Cursor, depth: int):
    if depth > MAX_ARRAY_NESTING:
        raise BadModelFile(f"{cur.path} is damaged: metadata arrays nested {depth} deep")
    item_type = cur.unpack(_U32)
    n = cur.count(_min_item_bytes(cur, item_type), "metadata array length")
    if n <= KEPT_ARRAY_ITEMS:
        return [_value(cur, item_type, depth) for _ in range(n)]
    if item_type in _SCALARS:
        cur.skip(n * _SCALARS[item_type].size)
    elif item_type == _STRING:
        cur.skip_strings(n)
    else:
        for _ in range(n):
            _array(cur, depth + 1)
    return ArraySummary(_VALUE_TYPE_NAMES[item_type], n)


def _metadata(cur: _Cursor, n_pairs: int) -> dict:
    cur.section = "metadata"
    pairs = {}
    for _ in range(n_pairs):
        key = cur.string()
        if key in pairs:
            raise BadModelFile(f"{cur.path} is damaged: metadata key {key!r} appears twice")
        pairs[key] = _value(cur, cur.unpack(_U32), 0)
    return pairs


def _tensor_info(cur: _Cursor) -> TensorInfo:
    name = cur.string()
    n_dims = cur.unpack(_U32)
    if not 1 <= n_dims <= MAX_DIMS:
        raise BadModelFile(f"{cur.path} is damaged: tensor {name!r} has {n_dims} dimensions")
    dims = tuple(cur.unpack(_U64) for _ in range(n_dims))
    kind = _ggml_type(cur.path, name, cur.unpack(_U32))
    n_elements = math.prod(dims)
    if dims[0] % kind.block_size:
        raise BadModelFile(f"{cur.path} is damaged: tensor {name!r} of type {kind.name} has "
                           f"rows of {dims[0]}, not a multiple of {kind.block_size}")
    n_bytes = n_elements // kind.block_size * kind.block_bytes
    return TensorInfo(name, dims, kind.name, cur.unpack(_U64), n_elements, n_bytes)


def _ggml_type(path: Path, tensor: str, type_id: int) -> GgmlType:
    if type_id not in GGML_TYPES:
        raise BadModelFile(f"{path}: tensor {tensor!r} uses ggml type {type_id}, "
                           "which Trellis does not know")
    return GGML_TYPES[type_id]


def _tensor_table(cur: _Cursor, n_tensors: int) -> tuple[TensorInfo, ...]:
    cur.section = "tensor table"
    tensors = tuple(_tensor_info(cur) for _ in range(n_tensors))
    names = {t.name for t in tensors}
    if len(names) != len(tensors):
        raise BadModelFile(f"{cur.path} is damaged: two tensors share a name")
    return tensors


def _header(cur: _Cursor) -> tuple[int, int, int]:
    """Magic, version, tensor count and metadata count; the version and counts are returned."""
    if cur.size == 0:
        raise BadModelFile(f"{cur.path} is empty; it is not a GGUF model file")
    magic = cur.take(4) if cur.size >= 4 else b""
    if magic != GGUF_MAGIC:
        raise BadModelFile(f"{cur.path} is not a GGUF model file (it does not start with "
                           "'GGUF'); Trellis runs GGUF models only")
    version = cur.unpack(_U32)
    if version not in SUPPORTED_VERSIONS:
        raise BadModelFile(_version_message(cur.path, version))
    n_tensors = cur.count(24, "tensor count", follows=False)
    return version, n_tensors, cur.count(13, "metadata entry count", follows=False)


def _version_message(path: Path, version: int) -> str:
    if version & 0xFFFF == 0 and version >> 24 in SUPPORTED_VERSIONS:
        return f"{path} is a big-endian GGUF file, which Trellis cannot run"
    return (f"{path} is GGUF version {version}; Trellis reads versions "
            f"{' and '.join(map(str, SUPPORTED_VERSIONS))}")


def _alignment(path: Path, metadata: dict) -> int:
    alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    if not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1):
        raise BadModelFile(f"{path} is damaged: general.alignment is {alignment!r}")
    return alignment


def _check_tensor_data(cur: _Cursor, tensors, data_offset: int, alignment: int) -> None:
    cur.section = "tensor data"
    for tensor in tensors:
        if tensor.offset % alignment:
            raise BadModelFile(f"{cur.path} is damaged: tensor {tensor.name!r} is not aligned")
        if data_offset + tensor.offset + tensor.n_bytes > cur.size:
            raise cur.truncated()


def read_model_info(path: Path | str) -> ModelInfo:
    """Read and check a GGUF file's header; any architecture is accepted here."""
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb", buffering=0) as handle:
        cur = _Cursor(handle, size, path)
        version, n_tensors, n_pairs = _header(cur)
        metadata = _metadata(cur, n_pairs)
        tensors = _tensor_table(cur, n_tensors)
    alignment = _alignment(path, metadata)
    data_offset = -(-cur.pos // alignment) * alignment
    _check_tensor_data(cur, tensors, data_offset, alignment)
    return _model_info(path, size, version, metadata, tensors, alignment, data_offset)


def inspect_model(path: Path | str) -> ModelInfo:
    """Read a GGUF file and refuse it unless Trellis can run its architecture."""
    info = read_model_info(path)
    if info.architecture not in SUPPORTED_ARCHITECTURES:
        raise BadModelFile(f"{info.path} is a model of the {info.architecture!r} "
                           "architecture, which Trellis does not run (it runs: "
                           f"{', '.join(sorted(SUPPORTED_ARCHITECTURES))})")
    return info


# --- what the header says ----------------------------------------------------

def _model_info(path, size, version, metadata, tensors, alignment, data_offset) -> ModelInfo:
    arch = _architecture(path, metadata)
    template = metadata.get("tokenizer.chat_template")
    return ModelInfo(
        path=path, file_size=size, version=version, architecture=arch,
        name=_text(metadata.get("general.name")),
        parameter_count=sum(t.n_elements for t in tensors),
        quantisation=_quantisation(metadata, tensors),
        dominant_tensor_type=_dominant_type(tensors),
        context_length=_number(metadata.get(f"{arch}.context_length")),
        embedding_length=_number(metadata.get(f"{arch}.embedding_length")),
        block_count=_number(metadata.get(f"{arch}.block_count")),
        chat_template=template if isinstance(template, str) else None,
        tensor_count=len(tensors), tensor_bytes=sum(t.n_bytes for t in tensors),
        bytes_per_token_estimate=_bytes_read_per_token(tensors),
        alignment=alignment, data_offset=data_offset, metadata=metadata, tensors=tensors)


def _architecture(path: Path, metadata: dict) -> str:
    arch = metadata.get("general.architecture")
    if not isinstance(arch, str) or not arch:
        raise BadModelFile(f"{path} does not say which architecture it is "
                           "(no general.architecture); it is not a model Trellis can run")
    return arch


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


def _number(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _quantisation(metadata: dict, tensors) -> str:
    """The name the model was quantised under, else its dominant tensor type."""
    return FILE_TYPE_NAMES.get(metadata.get("general.file_type"), _dominant_type(tensors))


def _dominant_type(tensors) -> str:
    """The type holding most bytes of the weight matrices (1-D norms are kept in F32)."""
    matrices = [t for t in tensors if len(t.dims) >= 2] or list(tensors)
    totals: dict[str, int] = {}
    for tensor in matrices:
        totals[tensor.type_name] = totals.get(tensor.type_name, 0) + tensor.n_bytes
    return max(totals, key=totals.get) if totals else "none"


def _bytes_read_per_token(tensors) -> int:
    # Decoding one token reads every weight once, but only one row of the
    # token embedding table -- unless the model has no output.weight, in
    # which case it ties embeddings and reads that table whole as its output.
    tied = not any(t.name == "output.weight" for t in tensors)
    return sum(t.n_bytes for t in tensors if tied or t.name != "token_embd.weight")


def _kv_values_per_token(metadata: dict, arch: str, n_layer: int) -> int:
    """Keys plus values cached per token, summed over layers."""
    n_embd = _number(metadata.get(f"{arch}.embedding_length")) or 0
    heads = _per_layer(metadata.get(f"{arch}.attention.head_count"), n_layer)
    kv_heads = _per_layer(metadata.get(f"{arch}.attention.head_count_kv"), n_layer) or heads
    key_length = _number(metadata.get(f"{arch}.attention.key_length"))
    value_length = _number(metadata.get(f"{arch}.attention.value_length"))
    total = 0
    for n_head, n_head_kv in zip(heads, kv_heads):
        head_dim = n_embd // n_head if n_head else 0
        total += n_head_kv * ((key_length or head_dim) + (value_length or head_dim))
    return total


def _per_layer(value, n_layer: int) -> list[int]:
    """A per-layer setting, given in GGUF as one number or as one per layer."""
    if isinstance(value, list):
        return [_number(v) or 0 for v in value]
    return [value] * n_layer if _number(value) else []


# --- memory ------------------------------------------------------------------

def check_fits_in_memory(info: ModelInfo, n_ctx: int | None = None,
                         available_bytes: int | None = None) -> int:
    """Refuse a model that needs more memory than is free; return the estimate."""
    n_ctx = info.planning_context() if n_ctx is None else n_ctx
    needed = info.ram_needed(n_ctx)
    free = available_memory_bytes() if available_bytes is None else available_bytes
    if free is not None and needed > free:
        raise ModelTooLarge(f"{info.path.name} needs about {gigabytes(needed)} of memory "
                            f"with a {n_ctx:,}-token context, but only {gigabytes(free)} "
                            "is free; close other programs or choose a smaller model")
    return needed


def gigabytes(n_bytes: int) -> str:
    return f"{n_bytes / 1e9:.2f} GB" if n_bytes < 10e9 else f"{n_bytes / 1e9:.1f} GB"


def available_memory_bytes() -> int | None:
    """Memory the OS could give a new model now, or None where it cannot tell."""
    return (_meminfo("MemAvailable") or _sysconf_pages("SC_AVPHYS_PAGES")
            or _windows_memory(total=False))


def total_memory_bytes() -> int | None:
    """All physical memory of this machine, or None where it cannot tell."""
    return _meminfo("MemTotal") or _sysconf_pages("SC_PHYS_PAGES") or _windows_memory(total=True)


def _meminfo(field_name: str) -> int | None:
    # Linux: MemAvailable counts page cache that can be reclaimed, which the
    # free pages of sysconf do not; llama.cpp maps weights into that cache.
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _sysconf_pages(name: str) -> int | None:
    try:
        return os.sysconf(name) * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


class _MemoryStatus(ctypes.Structure):
    _fields_ = [("dwLength", ctypes.c_uint32), ("dwMemoryLoad", ctypes.c_uint32),
                ("ullTotalPhys", ctypes.c_uint64), ("ullAvailPhys", ctypes.c_uint64),
                ("ullTotalPageFile", ctypes.c_uint64), ("ullAvailPageFile", ctypes.c_uint64),
                ("ullTotalVirtual", ctypes.c_uint64), ("ullAvailVirtual", ctypes.c_uint64),
                ("ullAvailExtendedVirtual", ctypes.c_uint64)]


def _windows_memory(*, total: bool) -> int | None:
    if sys.platform != "win32":
        return None
    status = _MemoryStatus(dwLength=ctypes.sizeof(_MemoryStatus))
    if not ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):
        return None
    return status.ullTotalPhys if total else status.ullAvailPhys
