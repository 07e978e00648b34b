"""``trellis models``: list, add, remove and verify the on-device models.

Why this module exists: a manager, or IT preparing a machine, needs to see
which models are installed and whether they are intact, and to add a larger
model without editing files by hand. The commands stay thin: files, hashes
and records are ``app.llm.registry``'s, inspection is ``app.llm.gguf``'s,
and loading a model for ``models verify`` is ``app.llm.verify``'s (the only
path from here to llama.cpp, taken only after a file has been inspected).
"""

import json
import sys
from pathlib import Path

from .. import policy as policies
from ..errors import TrellisError
from ..llm.catalog import user_models_dir
from ..llm.gguf import check_fits_in_memory, inspect_model
from ..llm.registry import (InstalledModel, add_model, check_hash, installed_models, remove_model,
                           resolve_model, stored_file_name)
from .common import json_flag, table


def add_model_commands(sub) -> None:
    """Add ``models list|add|remove|verify`` to the ``trellis`` sub-commands."""
    models = sub.add_parser("models", help="list, add, remove or verify on-device models")
    actions = models.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = actions.add_parser("list", help="installed models (--verify re-hashes each file)")
    p.add_argument("--verify", action="store_true", help="check sha256 instead of size (slower)")
    json_flag(p); p.set_defaults(func=cmd_models_list)
    p = actions.add_parser("add", help="copy a GGUF model into the data dir, hashing it")
    p.add_argument("path"); p.add_argument("--name", help="default: the file name")
    json_flag(p); p.set_defaults(func=cmd_models_add)
    p = actions.add_parser("remove", help="delete a model you added")
    p.add_argument("name", help="name or file name, as `trellis models list` shows it")
    p.set_defaults(func=cmd_models_remove)
    p = actions.add_parser("check", help="measure how often a model's rewordings pass the checks "
                                         "(on the sample team; drafts skip a model that rarely passes)")
    p.add_argument("name", nargs="?", help="model name or file (default: the one drafts use)")
    p.add_argument("--sentences", type=int, default=30, help="how many sentences to try (default 30)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_models_check)
    p = actions.add_parser("verify", help="hash, load and try each installed model")
    p.add_argument("name", nargs="?", help="only this model")
    json_flag(p); p.set_defaults(func=cmd_models_verify)


# --- list --------------------------------------------------------------------

def cmd_models_list(args) -> int:
    models = installed_models(verify=args.verify)
    if args.json:
        print(json.dumps([model.as_dict() for model in models], ensure_ascii=False, indent=2))
        return 0
    header = ["NAME", "FILE", "SIZE", "QUANT", "CONTEXT", "SHA256", "CHECK"]
    rows = [header] + [_list_row(model) for model in models]
    print("\n".join(table(rows)) if models else "No models installed; run `make setup`.")
    return 1 if args.verify and not all(model.verified for model in models) else 0


def _list_row(model: InstalledModel) -> list[str]:
    name = model.name + (" (default)" if model.is_default else "")
    if not policies.current_policy().model_allowed(model.sha256):
        name += " (not allowed by your organisation)"
    return [name, model.file, _megabytes(model.size_bytes), model.quantisation,
            str(model.context_length or "?"), model.sha256[:12], _check_word(model)]


def _check_word(model: InstalledModel) -> str:
    if model.verified_by == "missing":
        return "MISSING"
    if not model.verified:
        return "MISMATCH" if model.verified_by == "sha256" else "WRONG SIZE"
    return "sha256 ok" if model.verified_by == "sha256" else "size ok"


def _megabytes(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:,.0f} MB"


# --- add and remove ----------------------------------------------------------

def cmd_models_add(args) -> int:
    source = Path(args.path)
    label = f"Copying {stored_file_name(source)} to {user_models_dir()}"
    model = add_model(source, name=args.name, progress=_progress_on_stderr(label))
    if args.json:
        print(json.dumps(model.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"Added {model.name!r}: {model.file}, {_megabytes(model.size_bytes)}, "
              f"{model.quantisation}, context {model.context_length}, sha256 {model.sha256}")
    return 0


def _progress_on_stderr(label: str):
    """A progress callback that prints a line at every tenth of the copy."""
    shown = -1

    def report(done: int, total: int) -> None:
        nonlocal shown
        step = 100 if total <= 0 else done * 100 // total // 10 * 10
        if step > shown:
            shown = step
            after = "; checking the copy" if step == 100 else ""
            print(f"{label}: {step}%{after}", file=sys.stderr, flush=True)
    return report


def cmd_models_remove(args) -> int:
    model = remove_model(args.name)
    print(f"Removed {model.name!r} ({model.file} deleted)")
    return 0


# --- verify ------------------------------------------------------------------

def cmd_models_check(args) -> int:
    """Measure the model's fit and keep it per sha256 in the data dir."""
    from ..llm.selection import chosen_model
    from ..paths import data_home
    from ..reviews.model_fit import check_model
    from ..settings import load_settings

    if args.sentences < 1:
        raise TrellisError("--sentences must be at least 1")
    model = resolve_model(args.name) if args.name else chosen_model(load_settings())
    print(f"Checking {model.name} on the sample team ({args.sentences} sentences)…", file=sys.stderr)
    fit = check_model(model, home=data_home(), limit=args.sentences)
    print(json.dumps(fit.to_dict(), indent=2) if args.json else fit.summary())
    return 0


def cmd_models_verify(args) -> int:
    models = [resolve_model(args.name)] if args.name else installed_models()
    generate = _generation_check()
    reports = [_verify_one(model, generate) for model in models]
    if args.json:
        print(json.dumps(reports, ensure_ascii=False, indent=2))
    else:
        print("\n".join(_verify_line(report) for report in reports) or "No models installed.")
    if generate is None:
        print("trellis: the generation check is unavailable in this installation "
              "(no app.llm.verify); only hashes were checked", file=sys.stderr)
    return 0 if all(report["ok"] for report in reports) else 1


def _generation_check():
    """``app.llm.verify.verify_model`` when this installation has it, else None."""
    try:
        from ..llm.verify import verify_model
    except ModuleNotFoundError as exc:
        if exc.name != "app.llm.verify":
            raise
        return None
    return verify_model


def _verify_one(model: InstalledModel, generate) -> dict:
    report = {"name": model.name, "file": model.file, "ok": False, "sha256": model.sha256}
    if model.path is None:
        return {**report, "problem": f"{model.file} is missing"}
    try:
        policies.refuse_model(model.name, model.sha256)
        check_fits_in_memory(inspect_model(model.path))
        if generate is None:
            _require_hash(model)
        else:
            # verify_model hashes the file itself before loading it.
            report["generation"] = generate(model.path, model.sha256)
    except TrellisError as exc:
        return {**report, "problem": str(exc)}
    except ModuleNotFoundError as exc:
        if exc.name != "llama_cpp":
            raise
        return {**report, "problem": "llama-cpp-python is not installed; run `make setup`"}
    return {**report, "ok": True}


def _require_hash(model: InstalledModel) -> None:
    if not check_hash(model).verified:
        raise TrellisError(f"{model.path} does not match its recorded sha256 {model.sha256}")


def _verify_line(report: dict) -> str:
    if not report["ok"]:
        return f"FAILED  {report['name']}: {report['problem']}"
    generation = report.get("generation")
    if not generation:
        return f"ok      {report['name']}: sha256 matches"
    return (f"ok      {report['name']}: sha256 matches, loaded in {generation.get('load_ms', '?')} ms, "
            f"{generation.get('tokens', '?')} tokens at {generation.get('tokens_per_second', '?')} "
            "tokens/s")
