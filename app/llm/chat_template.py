"""Turning a conversation into the exact prompt text a model was trained on.

The template comes from the GGUF file (``tokenizer.chat_template``) and is
rendered in Jinja2's sandbox: it is data shipped inside a model file, so it
must not reach Python internals. Message contents are neutralised first,
so the only control tokens in a prompt are the ones the template writes.
"""

from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .engine import ChatMessage, ModelError
from .fencing import neutralise_control_tokens


def _raise(message: str):
    raise ModelError(f"The model's chat template refused the conversation: {message}")


_ENV = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
_ENV.globals["raise_exception"] = _raise


class ChatTemplate:
    """A model's chat template, compiled once."""

    def __init__(self, source: str, *, bos_token: str = "", eos_token: str = ""):
        try:
            self._template = _ENV.from_string(source)
        except TemplateError as exc:
            raise ModelError(f"The model's chat template does not parse: {exc}") from None
        self._bos, self._eos = bos_token, eos_token

    def render(self, messages: tuple[ChatMessage, ...]) -> str:
        safe = [{"role": m.role, "content": neutralise_control_tokens(m.content)} for m in messages]
        try:
            return self._template.render(messages=safe, add_generation_prompt=True,
                                         bos_token=self._bos, eos_token=self._eos)
        except TemplateError as exc:
            raise ModelError(f"The model's chat template failed: {exc}") from None
