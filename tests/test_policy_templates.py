"""The templates IT deploys (packaging/policy/) parse, name every key, and load with no problems."""

import json
import plistlib
import uuid
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from app import policy as policies
from app.llm.catalog import load_catalog

from conftest import REPO

TEMPLATES = REPO / "packaging" / "policy"
NS = {"p": "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"}
DEFAULT_SHA = load_catalog()[0].sha256


@pytest.fixture(scope="module")
def admx():
    return ElementTree.parse(TEMPLATES / "trellis.admx").getroot()


@pytest.fixture(scope="module")
def adml():
    return ElementTree.parse(TEMPLATES / "en-US" / "trellis.adml").getroot()


def _policies(admx) -> dict:
    return {p.get("name"): p for p in admx.findall("p:policies/p:policy", NS)}


def test_admx_has_its_namespace_a_category_and_one_machine_policy_per_key(admx):
    assert admx.tag == f"{{{NS['p']}}}policyDefinitions"
    assert admx.find("p:policyNamespaces/p:target", NS).get("namespace") == "Trellis.Policies.Trellis"
    assert [c.get("name") for c in admx.findall("p:categories/p:category", NS)] == ["Trellis"]
    found = _policies(admx)
    assert sorted(found) == sorted(policies.POLICY_KEYS)
    for name, policy in found.items():
        assert policy.get("key") == policies.WINDOWS_POLICY_KEY, name
        assert policy.get("class") == "Machine", name
        assert policy.find("p:parentCategory", NS).get("ref") == "Trellis", name


def test_each_key_has_the_element_type_that_writes_the_right_registry_value(admx):
    found = _policies(admx)
    for key in policies.BOOL_KEYS:
        assert found[key].get("valueName") == key
        assert found[key].find("p:enabledValue/p:decimal", NS).get("value") == "1"
        assert found[key].find("p:disabledValue/p:decimal", NS).get("value") == "0"
    for key, (low, high) in policies.INT_LIMITS.items():
        element = found[key].find("p:elements/p:decimal", NS)
        assert (element.get("valueName"), element.get("minValue"), element.get("maxValue")) == (
            key, str(low), str(high))
    assert found["DataDir"].find("p:elements/p:text", NS).get("valueName") == "DataDir"
    assert found["AllowedModels"].find("p:elements/p:multiText", NS).get("valueName") == "AllowedModels"


def test_every_string_and_presentation_the_admx_names_is_in_the_adml(admx, adml):
    strings = {s.get("id") for s in adml.findall("p:resources/p:stringTable/p:string", NS)}
    shown = {p.get("id"): p for p in adml.findall("p:resources/p:presentationTable/p:presentation", NS)}
    for element in admx.iter():
        for attribute in ("displayName", "explainText"):
            value = element.get(attribute)
            if value:
                assert value.startswith("$(string.") and value[9:-1] in strings, value
        presentation = element.get("presentation")
        if presentation:
            refs = {child.get("refId") for child in shown[presentation[15:-1]]}
            ids = {e.get("id") for e in element.find("p:elements", NS)}
            assert refs == ids, presentation


def _registry_as_gpo_writes_it(admx) -> list[tuple]:
    """The (name, value, type) entries Group Policy writes when every policy is enabled."""
    sample = {"decimal": lambda e: (int(e.get("minValue")) + int(e.get("maxValue"))) // 2,
              "text": lambda e: str(Path.home()), "multiText": lambda e: [DEFAULT_SHA]}
    kinds = {"decimal": policies.REG_DWORD, "text": policies.REG_EXPAND_SZ,
             "multiText": policies.REG_MULTI_SZ}
    entries = []
    for policy in _policies(admx).values():
        if policy.find("p:enabledValue", NS) is not None:
            entries.append((policy.get("valueName"), 1, policies.REG_DWORD))
        for element in policy.find("p:elements", NS) if policy.find("p:elements", NS) is not None else ():
            kind = element.tag.split("}")[1]
            entries.append((element.get("valueName"), sample[kind](element), kinds[kind]))
    return entries


def test_what_the_admx_writes_loads_with_no_problems(admx):
    policy = policies.registry_values(_registry_as_gpo_writes_it(admx))
    assert policy.problems == ()
    assert sorted(policy.values) == sorted(policies.POLICY_KEYS)
    assert policy.allowed_models == (DEFAULT_SHA,) and policy.disable_export


def test_the_mobileconfig_is_a_profile_whose_payload_loads_with_no_problems():
    profile = plistlib.loads((TEMPLATES / "trellis.mobileconfig").read_bytes())
    assert profile["PayloadType"] == "Configuration" and profile["PayloadScope"] == "System"
    [payload] = profile["PayloadContent"]
    assert payload["PayloadType"] == "com.apple.ManagedClient.preferences"
    assert len({str(uuid.UUID(profile["PayloadUUID"])), str(uuid.UUID(payload["PayloadUUID"]))}) == 2
    [forced] = payload["PayloadContent"][policies.MAC_BUNDLE_ID]["Forced"]
    settings = forced["mcx_preference_settings"]
    assert sorted(settings) == sorted(policies.POLICY_KEYS)
    policy = policies.policy_from_mapping(settings, "trellis.mobileconfig")
    assert policy.problems == () and sorted(policy.values) == sorted(policies.POLICY_KEYS)


def test_the_example_policy_json_loads_with_no_problems():
    path = TEMPLATES / "policy.json"
    assert sorted(json.loads(path.read_text())) == sorted(policies.POLICY_KEYS)
    policy = policies.policy_from_json(path)
    assert policy.problems == () and sorted(policy.values) == sorted(policies.POLICY_KEYS)
    assert policy.allowed_models == (DEFAULT_SHA,) and policy.data_dir.is_absolute()


def test_the_docs_describe_every_key():
    text = (REPO / "docs" / "policy.md").read_text()
    for key in policies.POLICY_KEYS:
        assert f"`{key}`" in text, key
    for where in ("/etc/trellis/policy.json", "HKLM\\Software\\Policies\\Trellis",
                  "/Library/Managed Preferences/app.trellis.Trellis.plist", "trellis doctor",
                  "trellis policy"):
        assert where in text, where
