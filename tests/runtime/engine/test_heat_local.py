"""The local handlers follow Heat's plugins: RandomString (random_string.py with
common/password_gen.py), Value (value.py), None (none_resource.py)."""

import re
import string

from hypothesis import given
from hypothesis import strategies as st

from kiln.runtime.handlers.base import HandlerContext
from kiln.runtime.handlers.heat_local import (
    CHARACTER_CLASSES,
    NoneHandler,
    RandomStringHandler,
    ValueHandler,
    generate_password,
)

CLASSES = sorted(CHARACTER_CLASSES)


@given(
    chosen=st.lists(
        st.tuples(st.sampled_from(CLASSES), st.integers(min_value=0, max_value=5)), max_size=4
    ),
    sequences=st.lists(
        st.tuples(st.text(alphabet="!@#$%^&*", min_size=1, max_size=4), st.integers(0, 5)),
        max_size=2,
    ),
    extra=st.integers(min_value=0, max_value=20),
)
def test_passwords_meet_every_minimum(chosen, sequences, extra):
    classes = [(CHARACTER_CLASSES[name], minimum) for name, minimum in chosen]
    classes += list(sequences)
    if not classes:
        classes = [(CHARACTER_CLASSES["lettersdigits"], 1)]
    length = sum(minimum for _, minimum in classes) + extra
    if length == 0:
        return
    value = generate_password(length, classes)
    assert len(value) == length
    allowed = set().union(*(set(characters) for characters, _ in classes))
    assert set(value) <= allowed
    for characters, minimum in classes:
        assert sum(char in characters for char in value) >= minimum


def _context(props=None, data=None):
    saved = {}
    return (
        HandlerContext(
            stack_name="s",
            stack_id="id",
            logical_name="r",
            resource_type="T",
            request_token="0123456789abcdef0123456789abcdef",
            data=dict(data or {}),
            save=saved.__setitem__,
            cloud_provider=lambda: None,
            props=props or {},
        ),
        saved,
    )


def test_random_string_is_made_once_and_kept(registries):
    handler = RandomStringHandler(registries.schemas.get("OS::Heat::RandomString"))
    props = handler.translate({"length": 16, "sequence": "octdigits"})
    assert props == {"length": 16, "character_classes": [{"class": "octdigits", "min": 1}]}
    ctx, saved = _context()
    physical_id = handler.create(ctx, props)
    assert re.fullmatch(r"s-r-[a-z2-7]{12}", physical_id)  # Heat's <stack>-<name>-<short id>
    assert handler.create(_context()[0], props) == physical_id  # the same token, the same name
    value = saved["value"]
    assert len(value) == 16 and set(value) <= set(string.octdigits)
    assert handler.reference_id(ctx, physical_id) == value  # get_resource is the string
    assert handler.attributes(ctx, physical_id, ["value"])["value"] == value
    assert handler.find_existing(ctx) == physical_id  # what a resumed create finds
    again, _ = _context(data={"value": "kept"})
    handler.create(again, props)
    assert handler.reference_id(again, physical_id) == "kept"
    assert handler.find_existing(_context()[0]) is None


def test_random_string_checks_its_minimums(registries):
    handler = RandomStringHandler(registries.schemas.get("OS::Heat::RandomString"))
    too_short = {"length": 2, "character_classes": [{"class": "digits", "min": 3}]}
    assert handler.validate(too_short) == (
        "Length property cannot be smaller than combined character class and character "
        "sequence minimums"
    )
    explicit = handler.translate(
        {"sequence": "digits", "character_classes": [{"class": "letters", "min": 2}]}
    )
    assert explicit["character_classes"] == [
        {"class": "letters", "min": 2},
        {"class": "digits", "min": 1},
    ]


def test_value_types_its_value_like_a_parameter(registries):
    handler = ValueHandler(registries.schemas.get("OS::Heat::Value"))
    assert handler.offline_attributes({"value": "5", "type": "number"}) == {"value": 5}
    assert handler.offline_attributes({"value": {"a": 1}, "type": None}) == {"value": {"a": 1}}
    assert handler.validate({"value": "a,b", "type": "comma_delimited_list"}) == (
        "Property error: value: \"'a,b'\" is not a list"
    )
    ctx, _ = _context(props={"value": "true", "type": "boolean"})
    assert handler.attributes(ctx, "p", ["value"])["value"] is True


def test_none_accepts_anything_and_never_updates(registries):
    handler = NoneHandler(registries.schemas.get("OS::Heat::None"))
    assert handler.needs_update({"a": 1}, {"a": 2}, frozenset({"a"})) is False
    ctx, _ = _context()
    assert handler.create(ctx, {}) == "01234567-89ab-cdef-0123-456789abcdef"
    assert handler.attributes(ctx, "p", ["anything"]) == {"anything": None}
