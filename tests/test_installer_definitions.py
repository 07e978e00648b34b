"""The Windows MSI, the macOS pkg and their CI workflow are consistent with the project.

They cannot be built here (WiX, signtool, codesign and notarytool need
Windows and macOS), so these tests check what can go wrong on this side:
files that do not parse, a version that drifted from pyproject.toml, a path
in the workflow that does not exist, a WiX variable nobody passes, a manifest
that a signature would break, a shell script with a syntax error.
"""

import plistlib
import re
import shutil
import subprocess
import tomllib
import uuid
import xml.etree.ElementTree as ET

import pytest
import yaml

from app import manifest, policy
from conftest import REPO

WORKFLOW = REPO / ".github" / "workflows" / "installers.yml"
WINDOWS = REPO / "packaging" / "windows"
MACOS = REPO / "packaging" / "macos"
WXS = WINDOWS / "trellis.wxs"
BUILD_PS1 = WINDOWS / "build.ps1"
BUILD_PKG = MACOS / "build_pkg.sh"
POSTINSTALL = MACOS / "scripts" / "postinstall"
SHARED_SPEC = REPO / "packaging" / "trellis.spec"
WIX = "{http://wixtoolset.org/schemas/v4/wxs}"
GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def project_version() -> str:
    return tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["version"]


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text("utf-8"))


@pytest.fixture(scope="module")
def wxs() -> ET.Element:
    return ET.parse(WXS).getroot()


def run_scripts(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


# --- the workflow -------------------------------------------------------------

def test_workflow_has_a_windows_and_a_macos_job_on_python_311(workflow):
    assert workflow["jobs"]["windows"]["runs-on"] == "windows-latest"
    assert workflow["jobs"]["macos"]["runs-on"] == "macos-latest"
    for job in workflow["jobs"].values():
        setup = [step for step in job["steps"] if step.get("uses", "").startswith("actions/setup-python@")]
        assert setup and setup[0]["with"]["python-version"] == "3.11"
        uploads = [step for step in job["steps"] if step.get("uses", "").startswith("actions/upload-artifact@")]
        assert uploads and uploads[0]["with"]["if-no-files-found"] == "error"


def test_workflow_runs_on_release_tags_and_by_hand(workflow):
    triggers = workflow.get("on", workflow.get(True))     # YAML 1.1 reads a bare `on` as True
    assert "workflow_dispatch" in triggers
    assert triggers["push"]["tags"] == ["v*"]


def test_workflow_builds_llama_cpp_with_the_makefiles_portable_flags(workflow):
    makefile = (REPO / "Makefile").read_text("utf-8")
    flags = re.search(r"^LLAMA_CMAKE_ARGS := (.+)$", makefile, re.MULTILINE).group(1).strip()
    assert workflow["env"]["CMAKE_ARGS"] == flags
    for job in workflow["jobs"].values():
        assert "--no-binary llama-cpp-python" in run_scripts(job)


def test_workflow_installs_the_locks_fetches_the_model_and_runs_doctor(workflow):
    for name, job in workflow["jobs"].items():
        script = run_scripts(job)
        for lock in ("requirements.lock", "requirements-package.lock",
                     f"packaging/{name}/requirements-{name}.lock"):
            assert lock in script, f"{name} job does not install {lock}"
        assert "python -m app.llm.fetch --models-dir models" in script
        assert "pip check" in script
        assert re.search(r"trellis(\.exe)? doctor", script), f"{name} job never runs the bundled doctor"


def test_every_repository_path_the_workflow_names_exists(workflow):
    text = WORKFLOW.read_text("utf-8")
    paths = set(re.findall(r"(?:^|(?<=[\s\"'=(]))(?:\./)?((?:packaging|\.github|app|models)/[\w./-]+"
                           r"|requirements[\w-]*\.lock)", text, re.MULTILINE))
    assert "packaging/windows/build.ps1" in paths and "packaging/macos/build_pkg.sh" in paths
    built = {"packaging/windows/requirements-windows.lock", "packaging/macos/requirements-macos.lock"}
    missing = sorted(path for path in paths | built if not (REPO / path).exists())
    assert missing == []


def test_workflow_names_its_signing_secrets_and_maps_each_one(workflow):
    for job in workflow["jobs"].values():
        for name, value in job.get("env", {}).items():
            if "secrets." in str(value):
                assert value == "${{ secrets.%s }}" % name, f"env {name} is not fed by the secret of its name"
    secrets = set(re.findall(r"secrets\.(\w+)", WORKFLOW.read_text("utf-8")))
    assert {"TRELLIS_WINDOWS_CERT_PFX_BASE64", "TRELLIS_MAC_APP_CERT_P12_BASE64",
            "TRELLIS_MAC_INSTALLER_CERT_P12_BASE64", "TRELLIS_NOTARY_KEY_P8_BASE64"} <= secrets
    header = WORKFLOW.read_text("utf-8").split("\nname:")[0]
    assert all(secret in header for secret in secrets), "every secret is explained at the top"


def test_both_installers_build_from_the_shared_pyinstaller_spec(workflow):
    """The workflow runs build.ps1 and build_pkg.sh; both end in packaging/trellis.spec."""
    assert SHARED_SPEC.is_file(), "packaging/trellis.spec is the one spec every platform builds"
    assert "packaging/windows/build.ps1" in run_scripts(workflow["jobs"]["windows"])
    assert "packaging/macos/build_pkg.sh" in run_scripts(workflow["jobs"]["macos"])
    bundle_build = REPO / "packaging" / "bundle" / "build.py"
    assert "packaging\\bundle\\build.py" in BUILD_PS1.read_text("utf-8")
    assert re.search(r'SPEC = ROOT / "packaging" / "trellis.spec"', bundle_build.read_text("utf-8"))
    assert "packaging/macos/trellis-app.spec" in BUILD_PKG.read_text("utf-8")
    app_spec = (MACOS / "trellis-app.spec").read_text("utf-8")
    assert 'os.path.join(SPECPATH, "trellis.spec")' in app_spec and "exec(compile(" in app_spec


# --- Windows ------------------------------------------------------------------

def test_msi_is_per_machine_with_a_stable_upgrade_code(wxs):
    package = wxs.find(f"{WIX}Package")
    assert wxs.tag == f"{WIX}Wix"
    assert package.get("Scope") == "perMachine"
    assert GUID.fullmatch(package.get("UpgradeCode"))
    assert package.get("Version") == "$(var.Version)"
    assert package.find(f"{WIX}MajorUpgrade") is not None
    assert package.get("ProductCode") is None, "a fixed ProductCode would break MajorUpgrade"


def test_msi_installs_the_whole_bundle_into_program_files(wxs):
    program_files = [element for element in wxs.iter(f"{WIX}StandardDirectory")
                     if element.get("Id") == "ProgramFiles64Folder"]
    folder = program_files[0].find(f"{WIX}Directory")
    assert (folder.get("Id"), folder.get("Name")) == ("INSTALLFOLDER", "Trellis")
    groups = {group.get("Id"): group for group in wxs.iter(f"{WIX}ComponentGroup")}
    harvest = groups["BundleFiles"].find(f"{WIX}Files")
    assert groups["BundleFiles"].get("Directory") == "INSTALLFOLDER"
    assert harvest.get("Include") == "!(bindpath.Bundle)\\**"
    feature_refs = {ref.get("Id") for ref in wxs.iter() if ref.tag in (f"{WIX}ComponentGroupRef", f"{WIX}ComponentRef")}
    components = {component.get("Id") for component in wxs.iter(f"{WIX}Component")}
    assert feature_refs == {"BundleFiles"} | components, "every component is in the feature"


def test_msi_has_a_start_menu_shortcut_and_trellis_on_the_system_path(wxs):
    shortcut = next(wxs.iter(f"{WIX}Shortcut"))
    assert shortcut.get("Target") == "[INSTALLFOLDER]trellis-desktop.exe"
    environment = next(wxs.iter(f"{WIX}Environment"))
    assert (environment.get("Name"), environment.get("System"), environment.get("Value")) == \
        ("PATH", "yes", "[INSTALLFOLDER]")
    assert environment.get("Part") == "last" and environment.get("Permanent") == "no"


def test_msi_has_no_per_user_parts(wxs):
    roots = {element.get("Root") for element in wxs.iter() if element.get("Root")}
    assert roots <= {"HKLM", "HKMU"}, "HKMU is HKLM in a per-machine package; never HKCU"
    per_user_folders = {"AppDataFolder", "LocalAppDataFolder", "PersonalFolder", "DesktopFolder",
                        "StartupFolder", "UserProfileFolder"}
    used = {element.get("Id") for element in wxs.iter(f"{WIX}StandardDirectory")}
    assert not used & per_user_folders
    for component in wxs.iter(f"{WIX}Component"):
        guid = component.get("Guid")
        assert GUID.fullmatch(guid) and uuid.UUID(guid) != uuid.UUID(
            wxs.find(f"{WIX}Package").get("UpgradeCode"))


def test_msi_add_remove_programs_properties(wxs):
    properties = {prop.get("Id"): prop.get("Value") for prop in wxs.iter(f"{WIX}Property")}
    icons = {icon.get("Id") for icon in wxs.iter(f"{WIX}Icon")}
    assert properties["ARPPRODUCTICON"] in icons
    assert properties["ARPNOMODIFY"] == "1"
    assert any(step.get("Id") == "ARPINSTALLLOCATION" for step in wxs.iter(f"{WIX}SetProperty"))


def test_build_script_passes_every_variable_and_bind_path_the_wxs_uses():
    source, script = WXS.read_text("utf-8"), BUILD_PS1.read_text("utf-8")
    for variable in set(re.findall(r"\$\(var\.(\w+)\)", source)):
        assert f'"{variable}=$' in script, f"build.ps1 never passes -d {variable}=..."
    for bind_path in set(re.findall(r"!\(bindpath\.(\w+)\)", source)):
        assert f'"{bind_path}=$' in script, f"build.ps1 never passes -bindpath {bind_path}=..."


def test_build_script_signs_then_rewrites_the_manifest_then_builds_and_signs_the_msi():
    script = BUILD_PS1.read_text("utf-8")
    main = script[script.index("$signTool = Find-SignTool"):]     # the signed build
    order = [main.index(step) for step in ("Invoke-Sign $signTool $binaries", "Update-Manifest",
                                           "Build-Msi $version $msi", "Invoke-Sign $signTool @($msi)",
                                           "'verify', '/pa'")]
    assert order == sorted(order)
    for option in ("'/fd', 'SHA256'", "'/tr', $TimestampUrl", "'/td', 'SHA256'"):
        assert option in script, "Authenticode with SHA-256 and an RFC 3161 timestamp"
    assert "osslsigncode sign" in script and "msiexec /x $productCode /qn" in script


# --- macOS --------------------------------------------------------------------

def test_info_plist_identifies_trellis_at_the_projects_version():
    info = plistlib.loads((MACOS / "Info.plist").read_bytes())
    assert info["CFBundleIdentifier"] == "app.trellis.Trellis" == policy.MAC_BUNDLE_ID
    assert info["CFBundleShortVersionString"] == info["CFBundleVersion"] == project_version()
    assert info["CFBundlePackageType"] == "APPL"
    assert info["NSHighResolutionCapable"] is True
    assert re.fullmatch(r"\d+\.\d+", info["LSMinimumSystemVersion"])
    spec = SHARED_SPEC.read_text("utf-8")
    assert f'name="{info["CFBundleExecutable"]}"' in spec, "the main executable is one the spec builds"
    assert info["CFBundleExecutable"] + "\"" in '"'.join(manifest.SEALED_BY_CODESIGN) + '"'


def test_entitlements_are_few_and_each_one_is_explained():
    text = (MACOS / "entitlements.plist").read_text("utf-8")
    entitlements = plistlib.loads(text.encode("utf-8"))
    comment = "".join(re.findall(r"<!--(.*?)-->", text, re.DOTALL))
    assert entitlements == {"com.apple.security.cs.allow-unsigned-executable-memory": True}
    for key in entitlements:
        assert key in comment, f"{key} has no reason written next to it"
    assert "com.apple.security.cs.disable-library-validation" not in entitlements


def test_pkg_script_signs_inside_out_with_hardened_runtime_and_notarises():
    script = BUILD_PKG.read_text("utf-8")
    assert "hardening=(--options runtime --timestamp)" in script
    assert 'codesign --force "${hardening[@]}"' in script
    sign_app = script[script.index("sign_app() {"):]
    steps = [sign_app.index(step) for step in ("done < <(mach_o_files)", "-name '*.framework'",
                                               '"$APP/Contents/MacOS/trellis"', "write_manifest",
                                               'codesign_with --entitlements "$ENTITLEMENTS" "$APP"')]
    assert steps == sorted(steps)
    for command in ("pkgbuild --root", "--install-location /Applications", "productbuild --distribution",
                    "xcrun notarytool submit", "--wait", "xcrun stapler staple", "rcodesign"):
        assert command in script


@pytest.mark.parametrize("script", [BUILD_PKG, POSTINSTALL], ids=lambda path: path.name)
def test_shell_scripts_parse_and_are_executable(script):
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert script.stat().st_mode & 0o111


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
def test_shell_scripts_are_shellcheck_clean():
    result = subprocess.run(["shellcheck", str(BUILD_PKG), str(POSTINSTALL)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_pkg_script_refuses_an_unknown_option_and_explains_itself():
    helped = subprocess.run(["bash", str(BUILD_PKG), "--help"], capture_output=True, text=True)
    assert helped.returncode == 0 and "notarytool" in helped.stdout and "--unsigned" in helped.stdout
    refused = subprocess.run(["bash", str(BUILD_PKG), "--sign-later"], capture_output=True, text=True)
    assert refused.returncode == 1
    assert "unknown option '--sign-later'" in refused.stderr


def test_manifest_of_a_signed_app_ignores_only_what_the_final_seal_rewrites(tmp_path):
    """build_pkg.sh writes the manifest before codesign seals Trellis.app; the seal must not break it."""
    contents = tmp_path / "Trellis.app" / "Contents"
    for name in ("MacOS/trellis-desktop", "MacOS/trellis", "Frameworks/libllama.dylib", "Info.plist"):
        (contents / name).parent.mkdir(parents=True, exist_ok=True)
        (contents / name).write_bytes(b"built " + name.encode())
    manifest.write_manifest(contents)
    (contents / "MacOS" / "trellis-desktop").write_bytes(b"signed by the final seal")
    (contents / "_CodeSignature").mkdir()
    (contents / "_CodeSignature" / "CodeResources").write_text("<plist/>")
    assert manifest.verify_manifest(contents).ok
    (contents / "MacOS" / "trellis").write_bytes(b"changed after signing")
    report = manifest.verify_manifest(contents)
    assert report.changed == ("MacOS/trellis",)


def test_platform_locks_pin_exact_versions_that_requirements_lock_lacks():
    shared = {line.split("==")[0] for line in (REPO / "requirements.lock").read_text().splitlines()
              if "==" in line and not line.startswith("#")}
    for lock in (WINDOWS / "requirements-windows.lock", MACOS / "requirements-macos.lock"):
        pins = [line for line in lock.read_text().splitlines() if line and not line.startswith("#")]
        assert pins and all(re.fullmatch(r"[a-z0-9-]+==[\w.]+", pin) for pin in pins)
        assert not {pin.split("==")[0] for pin in pins} & shared


def test_the_hicolor_icons_the_app_icon_is_made_from_exist():
    script = BUILD_PKG.read_text("utf-8")
    sizes = {int(size) for size in re.search(r"for size in ([\d ]+); do\n\s+cp \"\$hicolor/\$\{size\}",
                                             script).group(1).split()}
    sizes |= {2 * int(size) for size in re.search(r"for size in ([\d ]+); do\n\s+cp \"\$hicolor/\$\(\(",
                                                  script).group(1).split()}
    hicolor = REPO / "packaging" / "linux" / "icons" / "hicolor"
    assert sizes == {16, 32, 64, 128, 256, 512}
    assert all((hicolor / f"{size}x{size}" / "apps" / "trellis.png").is_file() for size in sizes)


# --- docs/it-deployment.md ----------------------------------------------------

DEPLOYMENT_DOC = REPO / "docs" / "it-deployment.md"
EXPECTED_POLICY = {"AllowedModels": ("b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",),
                   "DisableModelImport": True, "RequirePassphrase": True,
                   "IdleLockMinutes": 10, "MaxThreads": 4}


def doc_block(language: str, after: str) -> str:
    """The first fenced ``language`` block that follows the text ``after`` in the deployment guide."""
    text = DEPLOYMENT_DOC.read_text("utf-8")
    return re.search(rf"```{language}\n(.*?)```", text[text.index(after):], re.DOTALL).group(1)


def reg_file_entries(text: str) -> list[tuple[str, object, int]]:
    """``(name, value, type)`` as winreg gives them, from a .reg file's values."""
    entries = []
    for name, kind, data in re.findall(r'^"(\w+)"=(dword:|hex\(7\):|")(.*)$',
                                       text.replace("\\\n  ", ""), re.MULTILINE):
        if kind == "dword:":
            entries.append((name, int(data, 16), policy.REG_DWORD))
        elif kind == "hex(7):":
            raw = bytes(int(byte, 16) for byte in data.split(",")).decode("utf-16-le")
            entries.append((name, [item for item in raw.split("\0") if item], policy.REG_MULTI_SZ))
        else:
            entries.append((name, data.rstrip('"'), policy.REG_SZ))
    return entries


def test_the_guides_policy_examples_are_the_same_valid_policy_on_every_system():
    linux = policy.policy_from_mapping(
        yaml.safe_load(doc_block("json", "**Linux**: `/etc/trellis/policy.json`")), "policy.json")
    windows = policy.registry_values(reg_file_entries(doc_block("reg", "**Windows**: values under")))
    profile = plistlib.loads(("<plist><dict>" + doc_block("xml", "**macOS**: managed preferences")
                              + "</dict></plist>").encode("utf-8"))
    mac = policy.policy_from_mapping(
        profile["app.trellis.Trellis"]["Forced"][0]["mcx_preference_settings"], "profile")
    for example in (linux, windows, mac):
        assert example.problems == ()
        assert example.values == EXPECTED_POLICY


def test_the_guide_names_real_files_and_the_real_upgrade_code(wxs):
    text = DEPLOYMENT_DOC.read_text("utf-8")
    links = re.findall(r"\]\(\.\./([^)#]+)\)", text)
    assert "packaging/trellis.spec" in links
    assert [link for link in links if not (REPO / link).exists()] == []
    upgrade_code = wxs.find(f"{WIX}Package").get("UpgradeCode").upper()
    assert "{%s}" % upgrade_code in text
    for command in ("make package", "TRELLIS_SIGNING_KEY", "signed-by=", "msiexec /i", "msiexec /x {ProductCode} /qn",
                    "xcrun notarytool", "rcodesign", "osslsigncode", "trellis doctor"):
        assert command in text


def test_a_rebuild_of_the_same_version_replaces_the_installed_build(wxs):
    upgrade = wxs.find(f"{WIX}Package").find(f"{WIX}MajorUpgrade")
    assert upgrade.get("AllowSameVersionUpgrades") == "yes"
    assert upgrade.get("DowngradeErrorMessage")
