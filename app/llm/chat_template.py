"""Turning a conversation into the exact prompt text a model was trained on.

The template comes from the GGUF file (``tokenizer.chat_template``). It is
data shipped inside a model file, so it is rendered in Jinja2's sandbox,
which keeps it away from Python internals, and within a budget:

- at most ``BUDGET_S`` seconds, checked at every call, attribute, operator
  and ``range`` step;
- ``range`` of at most ``MAX_ITEMS``;
- no string or list multiplied past ``MAX_ITEMS``, and no power past
  ``MAX_POWER_BITS`` bits;
- no output past ``MAX_OUTPUT`` characters, and no recursion past Python's
  limit.

So a template that loops (nested ``range(100000)``) or explodes
(``9**(9**9)``) refuses the model with a sentence instead of hanging
drafting at full CPU. Every template is tried once, on a short
conversation, before llama.cpp loads the model. Message contents are
neutralised first, so the only control tokens in a prompt are the ones the
template writes.
"""

import operator
import threading
import time

from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .engine import ChatMessage, ModelError
from .fencing import neutralise_control_tokens

BUDGET_S = 1.0
MAX_ITEMS = 100_000
MAX_POWER_BITS = 4096
MAX_OUTPUT = 4_000_000
PROBE = (ChatMessage("system", "You help a manager."), ChatMessage("user", "Hello."))


class _OverBudget(Exception):
    """The template went past its time, size or depth budget."""


def _raise(message: str):
    raise ModelError(f"The model's chat template refused the conversation: {message}")


class _BudgetedSandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox with a deadline and size limits on what can grow."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self):
        super().__init__(trim_blocks=True, lstrip_blocks=True)
        self._local = threading.local()
        self.globals["raise_exception"] = _raise
        self.globals["range"] = self._range

    def start(self) -> None:
        self._local.deadline = time.monotonic() + BUDGET_S

    def check(self) -> None:
        if time.monotonic() > getattr(self._local, "deadline", float("inf")):
            raise _OverBudget(f"it ran for more than {BUDGET_S:g} s")

    def _range(self, *args):
        numbers = range(*args)
        if len(numbers) > MAX_ITEMS:
            raise _OverBudget(f"it asked for a range of {len(numbers):,} numbers")
        for number in numbers:
            self.check()
            yield number

    def call(self, __context, __obj, *args, **kwargs):
        self.check()
        if any(isinstance(a, int) and abs(a) > MAX_ITEMS for a in (*args, *kwargs.values())):
            raise _OverBudget("it passed a number too large to any function")
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj, attribute):
        self.check()
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        self.check()
        return super().getitem(obj, argument)

    def call_binop(self, context, op, left, right):
        self.check()
        if op == "**" and isinstance(left, int) and isinstance(right, int) and \
                abs(left) > 1 and right * max(abs(left).bit_length(), 1) > MAX_POWER_BITS:
            raise _OverBudget(f"it raised {left} to the power {right}")
        if op == "*" and _repeats(left, right) > MAX_ITEMS:
            raise _OverBudget("it built a string or list too long")
        if op in ("+", "%") and isinstance(left, str) and len(left) > MAX_OUTPUT:
            raise _OverBudget("it built a string too long")
        functions = {"*": operator.mul, "**": operator.pow, "%": operator.mod, "+": operator.add}
        return functions[op](left, right)


def _repeats(left, right) -> int:
    """How long ``left * right`` would be when one side is a sequence and the other a count."""
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, (str, list, tuple)) and isinstance(count, int):
            return len(sequence) * count
    return 0


_ENV = _BudgetedSandbox()


class ChatTemplate:
    """A model's chat template, compiled once and tried on a short conversation."""

    def __init__(self, source: str, *, bos_token: str = "", eos_token: str = ""):
        try:
            self._template = _ENV.from_string(source)
        except TemplateError as exc:
            raise ModelError(f"The model's chat template does not parse: {exc}") from None
        except RecursionError:
            raise ModelError("The model's chat template is nested too deeply to read") from None
        self._bos, self._eos = bos_token, eos_token
        self.render(PROBE)

    def render(self, messages: tuple[ChatMessage, ...]) -> str:
        safe = [{"role": m.role, "content": neutralise_control_tokens(m.content)} for m in messages]
        _ENV.start()
        try:
            text = self._template.render(messages=safe, add_generation_prompt=True,
                                         bos_token=self._bos, eos_token=self._eos)
        except TemplateError as exc:
            raise ModelError(f"The model's chat template failed: {exc}") from None
        except (_OverBudget, RecursionError, MemoryError, OverflowError) as exc:
            why = str(exc) if isinstance(exc, _OverBudget) else "it " + {
                RecursionError: "called itself without end", MemoryError: "ran out of memory",
                OverflowError: "built a number too large"}[type(exc)]
            raise ModelError(f"The model's chat template is not safe to use ({why}), so Trellis "
                             "refused the model. Choose another model file.") from None
        if len(text) > MAX_OUTPUT:
            raise ModelError("The model's chat template wrote a prompt of "
                             f"{len(text):,} characters, so Trellis refused the model.")
        return text
