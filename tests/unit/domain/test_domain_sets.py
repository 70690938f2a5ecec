"""Domain sets: the built-in set, validation messages, junk resistance, copying and versions."""

from __future__ import annotations

import contextlib
import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casedesk.domain.domain_sets import (
    SCALE_MAX,
    SCALE_MIN,
    SDOH_CATEGORIES,
    DomainSet,
    DomainSetError,
    DomainSetRef,
    add_domain,
    builtin_domain_sets,
    copy_domain_set,
    domain_set_from_data,
    load_domain_set,
    parse_domain_set,
    rename_domain,
    revise_domain_set,
    to_data,
    to_json,
)

RESOURCES = Path(__file__).resolve().parents[3] / "resources"
CORE_FILE = RESOURCES / "domains" / "casedesk-core.v1.json"

EXPECTED_DOMAIN_NAMES = {
    "Physical health and medication",
    "Mental health and wellbeing",
    "Mobility",
    "Daily living activities",
    "Cognition",
    "Alcohol and other drugs",
    "Housing",
    "Money and benefits",
    "Employment, education and training",
    "Legal",
    "Family, relationships and social connection",
    "Informal carers and their own wellbeing",
    "Culture, identity and spirituality",
    "Safety",
}

# Outcomes Star "Journey of Change" / ladder wording we must not reproduce.
LICENSED_STAGE_WORDS = (
    "stuck",
    "accepting help",
    "believing",
    "learning",
    "self-reliance",
    "cause for concern",
    "talking about it",
    "meeting your basic needs",
    "choice and control",
    "as good as they can be",
)


@pytest.fixture(scope="module")
def core() -> DomainSet:
    return load_domain_set(CORE_FILE)


def core_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CORE_FILE.read_text(encoding="utf-8"))
    return data


def parse_data(data: object, name: str = "test.json") -> DomainSet:
    return parse_domain_set(json.dumps(data), name)


def error_for(data: object, name: str = "bad.json") -> str:
    with pytest.raises(DomainSetError) as info:
        parse_data(data, name)
    return str(info.value)


# ----------------------------------------------------------------------------- built-in set


def test_core_set_covers_every_domain_in_the_practice_guide(core: DomainSet) -> None:
    assert {d.name for d in core.domains} == EXPECTED_DOMAIN_NAMES
    assert core.ref == DomainSetRef("casedesk-core", 1)


def test_core_set_every_score_has_a_label(core: DomainSet) -> None:
    for domain in core.domains:
        for score in range(SCALE_MIN, SCALE_MAX + 1):
            assert domain.band_for(score).label


def test_core_set_has_strengths_prompts_and_valid_sdoh_codes(core: DomainSet) -> None:
    for domain in core.domains:
        assert domain.prompts.going_well and domain.prompts.miracle
        assert domain.prompts.exceptions and domain.prompts.scaling
        assert domain.sdoh_category is None or domain.sdoh_category in SDOH_CATEGORIES
    assert core.domain("housing").sdoh_category == "housing-instability"
    assert core.domain("money_benefits").sdoh_category == "financial-insecurity"
    assert core.domain("family_social").sdoh_category == "social-connection"


def test_core_set_does_not_reuse_licensed_stage_names(core: DomainSet) -> None:
    labels = [band.label.casefold() for d in core.domains for band in d.scale]
    for label in labels:
        for word in LICENSED_STAGE_WORDS:
            assert word not in label


def test_builtin_domain_sets_loads_the_resources_folder() -> None:
    sets = builtin_domain_sets(RESOURCES)
    assert [s.ref for s in sets] == [DomainSetRef("casedesk-core", 1)]


def test_builtin_domain_sets_refuses_two_files_with_the_same_version(tmp_path: Path) -> None:
    (tmp_path / "domains").mkdir()
    text = CORE_FILE.read_text(encoding="utf-8")
    (tmp_path / "domains" / "a.json").write_text(text, encoding="utf-8")
    (tmp_path / "domains" / "b.json").write_text(text, encoding="utf-8")
    with pytest.raises(DomainSetError, match=r"b\.json.*already defines"):
        builtin_domain_sets(tmp_path)


def test_band_for_refuses_scores_off_the_scale(core: DomainSet) -> None:
    with pytest.raises(ValueError, match="outside"):
        core.domains[0].band_for(0)
    with pytest.raises(ValueError, match="outside"):
        core.domains[0].band_for(11)


def test_domain_lookup_unknown_key(core: DomainSet) -> None:
    with pytest.raises(KeyError):
        core.domain("nope")


# ----------------------------------------------------------------------------- round trip


def test_to_json_round_trips(core: DomainSet) -> None:
    assert parse_domain_set(to_json(core), "again.json") == core


def test_data_round_trips(core: DomainSet) -> None:
    assert domain_set_from_data(to_data(core), "vault") == core
    with pytest.raises(DomainSetError, match=r"^vault: expected an object"):
        domain_set_from_data([], "vault")


def test_accepts_bytes_with_bom() -> None:
    raw = b"\xef\xbb\xbf" + CORE_FILE.read_bytes()
    assert parse_domain_set(raw, "bom.json").key == "casedesk-core"


# ----------------------------------------------------------------------------- clear messages


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(DomainSetError, match=r"absent\.json: can't read"):
        load_domain_set(tmp_path / "absent.json")


def test_not_json_names_the_file() -> None:
    with pytest.raises(DomainSetError, match=r"^broken\.json: not valid JSON"):
        parse_domain_set("{not json", "broken.json")


def test_not_utf8() -> None:
    with pytest.raises(DomainSetError, match="not UTF-8"):
        parse_domain_set(b"\xff\xfe\x00", "bin.json")


def test_top_level_must_be_an_object() -> None:
    assert "expected an object, got a list" in error_for([1, 2])


def test_missing_set_field() -> None:
    data = core_data()
    del data["licence"]
    message = error_for(data, "nolicence.json")
    assert message.startswith("nolicence.json:")
    assert "missing field 'licence'" in message


def test_missing_domain_field_names_the_domain() -> None:
    data = core_data()
    del data["domains"][6]["description"]
    assert "domains[6] (housing): missing field 'description'" in error_for(data)


def test_unknown_field_is_refused() -> None:
    data = core_data()
    data["domains"][0]["descripton"] = "typo"
    assert "unknown field 'descripton'" in error_for(data)


def test_wrong_type_version() -> None:
    data = core_data()
    data["version"] = "1"
    assert "version: expected a whole number, got text" in error_for(data)


def test_boolean_is_not_a_number() -> None:
    data = core_data()
    data["domains"][0]["scale"][0]["min"] = True
    assert "expected a whole number, got true/false" in error_for(data)


def test_version_must_be_positive() -> None:
    data = core_data()
    data["version"] = 0
    assert "positive whole number" in error_for(data)


def test_empty_name_refused() -> None:
    data = core_data()
    data["domains"][1]["name"] = "   "
    assert "domains[1] (mental_health).name: must not be empty" in error_for(data)


def test_duplicate_domain_key() -> None:
    data = core_data()
    data["domains"][1]["key"] = data["domains"][0]["key"]
    assert "duplicate domain key 'physical_health'" in error_for(data)


def test_duplicate_domain_name_ignores_case() -> None:
    data = core_data()
    data["domains"][1]["name"] = data["domains"][0]["name"].upper()
    assert "duplicate domain name" in error_for(data)


def test_no_domains() -> None:
    data = core_data()
    data["domains"] = []
    assert "at least one domain" in error_for(data)


def test_bad_key_format() -> None:
    data = core_data()
    data["domains"][0]["key"] = "Physical Health"
    assert "not a valid key" in error_for(data)


def test_unknown_sdoh_code() -> None:
    data = core_data()
    data["domains"][0]["sdoh_category"] = "happiness"
    assert "'happiness' is not a Gravity Project SDOH category code" in error_for(data)


def test_bands_with_a_gap() -> None:
    data = core_data()
    data["domains"][0]["scale"][2] = {"min": 5, "max": 5, "label": "Gap after"}
    assert "score bands don't cover 6" in error_for(data)


def test_bands_overlapping() -> None:
    data = core_data()
    data["domains"][0]["scale"][2] = {"min": 4, "max": 6, "label": "Overlap"}
    assert "score bands overlap at 4" in error_for(data)


def test_band_off_the_scale() -> None:
    data = core_data()
    data["domains"][0]["scale"][4] = {"min": 9, "max": 11, "label": "Too far"}
    assert "must sit inside 1-10" in error_for(data)


def test_band_min_above_max() -> None:
    data = core_data()
    data["domains"][0]["scale"][0] = {"min": 2, "max": 1, "label": "Backwards"}
    assert "min <= max" in error_for(data)


def test_bands_may_be_listed_in_any_order() -> None:
    data = core_data()
    data["domains"][0]["scale"].reverse()
    parsed = parse_data(data)
    assert [b.min for b in parsed.domains[0].scale] == [1, 3, 5, 7, 9]


def test_missing_prompt() -> None:
    data = core_data()
    del data["domains"][0]["prompts"]["miracle"]
    assert "prompts: missing field 'miracle'" in error_for(data)


def test_deep_nesting() -> None:
    with pytest.raises(DomainSetError, match=r"nested too deeply|not valid JSON"):
        parse_domain_set("[" * 200_000, "deep.json")


def test_nan_refused() -> None:
    text = CORE_FILE.read_text(encoding="utf-8").replace('"version": 1', '"version": NaN', 1)
    with pytest.raises(DomainSetError, match="NaN"):
        parse_domain_set(text, "nan.json")


# ----------------------------------------------------------------------------- junk never crashes

CORE_DATA = core_data()
JSON_LEAVES = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_only_raise_domain_set_error(raw: bytes) -> None:
    with pytest.raises(DomainSetError):
        parse_domain_set(raw, "junk.json")


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_random_json_only_raises_domain_set_error(value: object) -> None:
    with pytest.raises(DomainSetError):
        parse_domain_set(json.dumps(value), "junk.json")


FIELD_NAMES = st.sampled_from(
    [
        "key",
        "version",
        "name",
        "description",
        "licence",
        "domains",
        "sdoh_category",
        "scale",
        "prompts",
        "min",
        "max",
        "label",
        "going_well",
        "miracle",
        "based_on",
    ]
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, (*prefix, i))
    return found


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_valid_file_never_crashes(data: st.DataObject) -> None:
    """Damage one spot of a real file; the result must parse or fail with DomainSetError."""
    document = copy.deepcopy(CORE_DATA)
    paths = _paths(document)
    path = data.draw(st.sampled_from(paths[1:]))
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    action = data.draw(st.sampled_from(["replace", "delete", "add"]))
    if action == "replace":
        parent[path[-1]] = data.draw(JSON_VALUES)
    elif action == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[data.draw(FIELD_NAMES)] = data.draw(JSON_VALUES)
    else:
        parent.append(data.draw(JSON_VALUES))
    with contextlib.suppress(DomainSetError):
        parse_data(document)


# ----------------------------------------------------------------------------- copy and versions


def test_copy_gets_new_key_version_one_and_remembers_its_base(core: DomainSet) -> None:
    mine = copy_domain_set(core, "rural-outreach", "Rural outreach domains")
    assert mine.ref == DomainSetRef("rural-outreach", 1)
    assert mine.based_on == core.ref
    assert mine.domains == core.domains
    assert parse_domain_set(to_json(mine), "mine.json") == mine


def test_copy_needs_a_different_key(core: DomainSet) -> None:
    with pytest.raises(DomainSetError, match="different"):
        copy_domain_set(core, core.key, "Same")


def test_copy_refuses_invalid_key_or_name(core: DomainSet) -> None:
    with pytest.raises(DomainSetError, match="not a valid key"):
        copy_domain_set(core, "My Set", "Mine")
    with pytest.raises(DomainSetError, match="must not be empty"):
        copy_domain_set(core, "mine", " ")


def test_rename_bumps_version_and_keeps_key(core: DomainSet) -> None:
    mine = copy_domain_set(core, "mine", "Mine")
    renamed = rename_domain(mine, "housing", "Home and tenancy")
    assert renamed.version == 2
    assert renamed.domain("housing").name == "Home and tenancy"
    assert mine.domain("housing").name == "Housing"  # old version untouched


def test_rename_unknown_domain(core: DomainSet) -> None:
    with pytest.raises(DomainSetError, match="no domain 'garden'"):
        rename_domain(core, "garden", "Garden")


def test_rename_to_a_taken_name(core: DomainSet) -> None:
    with pytest.raises(DomainSetError, match="duplicate domain name"):
        rename_domain(core, "housing", "Legal")


def test_add_domain_bumps_version(core: DomainSet) -> None:
    mine = copy_domain_set(core, "mine", "Mine")
    extra = replace(core.domain("housing"), key="transport", name="Transport")
    added = add_domain(mine, extra)
    assert added.version == 2
    assert added.domain_keys()[-1] == "transport"


def test_add_duplicate_domain_key_refused(core: DomainSet) -> None:
    with pytest.raises(DomainSetError, match="duplicate domain key"):
        add_domain(core, replace(core.domain("housing"), name="Another housing"))


def test_revision_cannot_change_identity(core: DomainSet) -> None:
    with pytest.raises(DomainSetError, match="key can't be changed"):
        revise_domain_set(core, key="other")
    with pytest.raises(DomainSetError, match="version can't be changed"):
        revise_domain_set(core, version=7)


def test_revision_keeps_based_on(core: DomainSet) -> None:
    mine = copy_domain_set(core, "mine", "Mine")
    revised = revise_domain_set(mine, description="For my rural caseload")
    assert revised.ref == DomainSetRef("mine", 2)
    assert revised.based_on == core.ref
