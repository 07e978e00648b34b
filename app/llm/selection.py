"""Which model to run, with which settings: from the manager's settings to an engine.

Loading the engine (``llama_engine``) happens only when a model is really
used, so listing models or counting settings never imports llama.cpp.

The organisation's policy has the last word: a model whose sha256 is not in
AllowedModels is never loaded; if the manager chose one, the first allowed
installed model is used instead (``model_choice_note`` says so), and
MaxThreads caps the threads.
"""

from pathlib import Path

from .. import policy as policies
from ..errors import NotFound
from ..settings import Settings, effective_threads
from .catalog import reinstall_hint
from .registry import InstalledModel, installed_models, resolve_model


def chosen_model(settings: Settings, home: Path | None = None, *,
                 policy: policies.Policy | None = None) -> InstalledModel:
    """The model the settings name (or the default) if the policy allows it, else the first allowed."""
    policy = policy or policies.current_policy()
    wanted = _wanted_model(settings, home)
    if policy.model_allowed(wanted.sha256):
        return wanted
    allowed = allowed_models(home, policy)
    if not allowed:
        policies.refuse_model(wanted.name, wanted.sha256, policy)
    return allowed[0]


def _wanted_model(settings: Settings, home: Path | None) -> InstalledModel:
    if settings.model:
        return resolve_model(settings.model, home=home)
    models = installed_models(home=home)
    if not models or models[0].path is None:
        raise NotFound(f"No model is installed; {reinstall_hint()} or `trellis models add PATH`")
    return models[0]


def allowed_models(home: Path | None = None,
                   policy: policies.Policy | None = None) -> list[InstalledModel]:
    """Installed models whose file is here and whose sha256 the policy allows."""
    policy = policy or policies.current_policy()
    return [model for model in installed_models(home=home)
            if model.path is not None and policy.model_allowed(model.sha256)]


def model_choice_note(settings: Settings, used: InstalledModel, home: Path | None = None,
                      policy: policies.Policy | None = None) -> str:
    """A sentence when the policy made Trellis use another model than the settings name; else ""."""
    policy = policy or policies.current_policy()
    try:
        wanted = _wanted_model(settings, home)
    except NotFound:
        return ""
    if wanted.sha256 == used.sha256:
        return ""
    return (f"{wanted.name!r} is not allowed by your organisation "
            f"({policy.reason('AllowedModels')}); {used.name!r} is used instead.")


def engine_for(settings: Settings, home: Path | None = None):
    """An unloaded LlamaEngine for the chosen model, threads and context cap."""
    from .llama_engine import LlamaEngine
    policy = policies.current_policy()
    model = chosen_model(settings, home, policy=policy)
    if model.path is None:
        raise NotFound(f"The file of model {model.name!r} is missing")
    policies.refuse_model(model.name, model.sha256, policy)
    return LlamaEngine(model.path, name=model.name, model_sha256=model.sha256,
                       context_cap=settings.context_cap,
                       threads=effective_threads(settings, policy))
