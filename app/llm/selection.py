"""Which model to run, with which settings: from the manager's settings to an engine.

Loading the engine (``llama_engine``) happens only when a model is really
used, so listing models or counting settings never imports llama.cpp.
"""

from pathlib import Path

from ..errors import NotFound
from ..settings import Settings, effective_threads
from .registry import InstalledModel, installed_models, resolve_model


def chosen_model(settings: Settings, home: Path | None = None) -> InstalledModel:
    """The model the settings name, or the default; NotFound with what is installed."""
    if settings.model:
        return resolve_model(settings.model, home=home)
    models = installed_models(home=home)
    if not models or models[0].path is None:
        raise NotFound("No model is installed; run `make setup` or `trellis models add PATH`")
    return models[0]


def engine_for(settings: Settings, home: Path | None = None):
    """An unloaded LlamaEngine for the chosen model, threads and context cap."""
    from .llama_engine import LlamaEngine
    model = chosen_model(settings, home)
    if model.path is None:
        raise NotFound(f"The file of model {model.name!r} is missing")
    return LlamaEngine(model.path, name=model.name, model_sha256=model.sha256,
                       context_cap=settings.context_cap, threads=effective_threads(settings))
