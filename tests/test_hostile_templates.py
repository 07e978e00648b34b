"""Hostile chat templates in model files: refused with a sentence, never a hang (issue 15, part 4).

A GGUF's chat template is Jinja code shipped by whoever made the file. One
that loops, explodes a number or a string, calls itself without end, or
reaches for Python internals is refused when the model loads, before
llama.cpp sees the file, within about a second.
"""

import pytest

from app.llm.chat_template import ChatTemplate
from app.llm.engine import ModelError
from app.llm.llama_engine import LlamaEngine
from test_gguf import STR, llama_metadata, tiny_tensors, write_gguf

HOSTILE = {
    "nested loops": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "huge power": "{{ 9**(9**9) }}",
    "huge string": "{{ 'ha' * 10000000000 }}",
    "huge padding": "{{ 'x'.center(10000000000) }}",
    "endless recursion": "{% macro again() %}{{ again() }}{% endmacro %}{{ again() }}",
    "sandbox escape": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "huge range": "{% for i in range(10**12) %}{% endfor %}",
}


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_template_is_refused_with_a_sentence_within_its_budget(source):
    with pytest.raises(ModelError, match="chat template") as refused:  # a hang fails by timeout
        ChatTemplate(source)
    assert "Traceback" not in str(refused.value) and str(refused.value).endswith(".")


def test_an_ordinary_template_still_renders(tmp_path):
    template = ChatTemplate("{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}"
                            "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}"
                            "<|im_start|>assistant\n{% endif %}")
    from app.llm.engine import ChatMessage
    text = template.render((ChatMessage("user", "Ana shipped the importer."),))
    assert text.endswith("<|im_start|>assistant\n") and "Ana shipped" in text


@pytest.mark.parametrize("name", ["nested loops", "huge power", "sandbox escape"])
def test_a_model_file_with_a_hostile_template_is_refused_before_llama_cpp_loads_it(tmp_path, name):
    entries = [e if e[0] != "tokenizer.chat_template" else ("tokenizer.chat_template", STR, HOSTILE[name])
               for e in llama_metadata()]
    path = write_gguf(tmp_path / "hostile.gguf", entries, tiny_tensors())
    engine = LlamaEngine(path)
    with pytest.raises(ModelError, match="chat template"):
        engine.load()
    assert engine._llm is None  # llama.cpp never loaded it


def test_adding_the_hostile_file_is_refused_with_a_sentence_and_copies_nothing(tmp_path, cli, data_home):
    entries = [e if e[0] != "tokenizer.chat_template" else ("tokenizer.chat_template", STR,
                                                            HOSTILE["nested loops"])
               for e in llama_metadata()]
    path = write_gguf(tmp_path / "hostile.gguf", entries, tiny_tensors())
    result = cli("models", "add", str(path), timeout=60)
    assert result.returncode == 1 and "chat template is not safe to use" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(data_home.rglob("hostile*.gguf"))
