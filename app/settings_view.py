"""Every setting as it applies now, and where it came from: for ``trellis settings``.

Why this module exists: what applies depends on the saved settings, the
organisation's policy and, for the model, on which models are installed
and allowed. It sits above ``app.settings`` and ``app.llm.selection`` so that
neither imports the other.
"""

from dataclasses import dataclass, fields, replace
from pathlib import Path

from . import policy as policies
from .errors import TrellisError
from .llm.selection import chosen_model, model_choice_note
from .paths import data_home, data_home_source
from .settings import DEFAULT, YOURS, Settings, effective_threads, load_settings


@dataclass(frozen=True)
class EffectiveValue:
    value: object
    source: str            # DEFAULT, YOURS, "policy <where>", or for data_dir how it was found
    locked: bool = False   # set by the organisation: cannot be changed by the user
    note: str = ""         # a limit the policy puts on the user's choice

    def as_dict(self) -> dict:
        value = str(self.value) if isinstance(self.value, Path) else self.value
        return {"value": value, "source": self.source, "locked": self.locked, "note": self.note}


def policy_source(policy: policies.Policy, key: str) -> str:
    return f"policy {policy.source(key)}"


def effective_settings(home: Path | None = None,
                       policy: policies.Policy | None = None) -> dict[str, EffectiveValue]:
    """Every setting as it applies now, with where it came from; data_dir last."""
    policy = policy or policies.current_policy()
    saved, defaults = load_settings(home), Settings()
    # The file keeps every field; a value equal to the default is shown as the default.
    result = {f.name: EffectiveValue(getattr(saved, f.name),
                                     YOURS if getattr(saved, f.name) != getattr(defaults, f.name)
                                     else DEFAULT)
              for f in fields(Settings)}
    result["model"] = _effective_model(result["model"], saved, home, policy)
    result["threads"] = _effective_threads(result["threads"], saved, policy)
    if policy.locked("IdleLockMinutes"):
        result["idle_lock_minutes"] = EffectiveValue(
            policy.idle_lock_minutes, policy_source(policy, "IdleLockMinutes"), locked=True)
    result["data_dir"] = EffectiveValue(home or data_home(), data_home_source(),
                                        locked=policy.locked("DataDir"))
    return result


def _effective_threads(shown: EffectiveValue, saved: Settings,
                       policy: policies.Policy) -> EffectiveValue:
    cap = policy.max_threads
    if cap is None:
        return shown
    note = f"at most {cap}, set by your organisation"
    if saved.threads is not None and saved.threads <= cap:
        return replace(shown, note=note)
    return EffectiveValue(effective_threads(saved, policy), policy_source(policy, "MaxThreads"),
                          note=note)


def _effective_model(shown: EffectiveValue, saved: Settings, home: Path | None,
                     policy: policies.Policy) -> EffectiveValue:
    if policy.allowed_models is None:
        return shown
    note = "only models your organisation allows"
    try:
        model = chosen_model(saved, home, policy=policy)
    except TrellisError as exc:
        return EffectiveValue(shown.value, policy_source(policy, "AllowedModels"), note=str(exc))
    replaced = model_choice_note(saved, model, home, policy)
    if replaced:
        return EffectiveValue(model.name, policy_source(policy, "AllowedModels"), note=replaced)
    return replace(shown, note=note)
