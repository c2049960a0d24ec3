"""Evaluation semantics: OH's IsSatisfiedBy tables plus the per-type operator table."""

from __future__ import annotations

import json

import pytest

from edgeplane.policy import compiler, properties, terms

OH_SATISFIED = [
    (['prop == true && prop2 == "a b"'], '[{"name":"prop","value":true},{"name":"prop2","value":"a b"}]'),
    (["prop == onefishtwofish && prop2 == value2"],
     '[{"name":"prop","value":"onefishtwofish"},{"name":"prop2","value":"value2"}]'),
    (["prop == value && prop2 == value2", "prop3 == value3 || prop4 == value4 && prop5 <= 5", "property6 >= 6"],
     '[{"name":"prop","value":"value"},{"name":"prop2","value":"value2"},{"name":"prop3","value":"value3"},'
     '{"name":"prop4","value":"value4"},{"name":"prop5","value":5},{"name":"property6","value":7.0}]'),
    (["iame2edev == true && cpu == 3 || memory <= 32", 'hello == "world"',
      'eggs == "truckload" AND certification in "USDA,Organic"', "version == 1.1.1 OR USDA == true",
      "version in [1.1.1,INFINITY) OR cert == USDA"],
     '[{"name":"iame2edev", "value":true},{"name":"cpu", "value":3},{"name":"memory", "value":32},'
     '{"name":"hello", "value":"world"},{"name":"eggs","value":"truckload"},{"name":"USDA","value":true},'
     '{"name":"certification","value":"USDA"},{"name":"version","value":"1.2.1","type":"version"}]'),
    (['version == 1.1.1 OR USDA in "United,States,Department,of,Agriculture"',
      "version in [1.1.1,INFINITY) OR cert == USDA", 'color == "orange"'],
     '[{"name":"version", "value":"2.1.5", "type":"version"},{"name":"USDA", "value":"Department"},'
     '{"name":"color", "value":"orange","type":"string"}]'),
    (["purpose==network-testing"],
     '[{"name":"purpose", "value":"network-testing"},{"name":"openhorizon.cpu", "value":"1"}]'),
    (["iame2edev == true", "NONS==false || NOGPS == true || NOLOC == false || NOPWS == false || NOHELLO == false"],
     '[{"name":"iame2edev", "value":"true"},{"name":"NONS", "value":"false"},{"name":"number", "value":"12"}]'),
    (['color == gray || (colour ="grey" && countryin"england,australia,canada")'],
     '[{"name":"color", "value":"gray"}]'),
    (['(species == t-rex && ((feathers =hopefully && scales=maybe || (talonsin"sharp,very sharp" || teeth =1.3.8))))'],
     '[{"name":"species", "value":"t-rex"},{"name":"feathers", "value": "hopefully"},'
     '{"name":"talons", "value": "sharp    "}]'),
    (["species == cat"], '[{"name":"species", "value":"toad,cat,dog"}]'),
    (["version in [0.0.1,9.3.2)"], '[{"name":"version", "value":"0.0.2"}]'),
]

OH_NOT_SATISFIED = [
    (["((versionin[1.3.1,3.1.2) && server=false) || (os!=windows && foo !=bar) )"],
     '[{"name":"version", "value":"2.3.4"},{"name":"foo", "value": "chunk"}]'),
    (['(sasquatch=real && locationin"British Columbia,Alberta,Montana") OR (nessie  ==   real && location="Scotland")'],
     '[{"name":"sasquatch", "value":"real"},{"name":"location", "value": "Scotland"}]'),
    ([" purpose == testing AND ( nodenum > 4 || nodenum <= 2)"],
     '[{"name":"purpose", "value":"testing"},{"name":"nodenum", "value": "3"}]'),
    ([' purpose == testing AND ( nodenum > 4 || nodenum <= 2 || (test2 in "a,b,c" && openhorizon.cpu ==2)'
      ' || propx = false)'],
     '[{"name":"purpose", "value":"testing"},{"name":"nodenum", "value": "3"},{"name":"test2", "value": "b"}]'),
    (["device=kiosk && (station=kyoto OR station=hunai)"],
     '[{"name":"device", "value":"kiosk"},{"name":"station", "value": "tokyo"}]'),
    (['device=kiosk && (station=kyoto OR station=hunai) && stationtype="train"'],
     '[{"name":"device", "value":"kiosk"},{"name":"station", "value": "kyoto"}]'),
    (['device=kiosk || station=kyoto  || stationtype="train" OR schedule=on-time'],
     '[{"name":"device", "value":"scanner"},{"name":"schedule", "value": "delayed"}]'),
    (["((device=kiosk || station=macau) && (station=kyoto OR station=hunai))"],
     '[{"name":"device", "value":"kiosk"},{"name":"station", "value": "tokyo"}]'),
    (["purpose == network-testing1", "group == bluenode"],
     '[{"name":"purpose", "value":"network-testing"},{"name":"group", "value": "bluenode"}]'),
]


def _props(doc: str) -> dict[str, properties.Value]:
    return properties.parse(json.loads(doc))


@pytest.mark.parametrize(("constraints", "props"), OH_SATISFIED)
def test_oh_satisfied(constraints: list[str], props: str) -> None:
    assert compiler.compile_constraints(constraints).evaluate(_props(props))


@pytest.mark.parametrize(("constraints", "props"), OH_NOT_SATISFIED)
def test_oh_not_satisfied(constraints: list[str], props: str) -> None:
    assert not compiler.compile_constraints(constraints).evaluate(_props(props))


TABLE = [
    # constraint, property value, property type, expected reason
    ("x != a", None, None, terms.MISSING),
    ("x == a", None, None, terms.MISSING),
    ("x in \"a,b\"", None, None, terms.MISSING),
    ("x != a", "b", None, terms.HELD),
    ("x != a", "a,b", None, terms.VALUE),
    ("x == b", "a, b", None, terms.HELD),
    ("x == b", "a,b", "string", terms.VALUE),
    ("x == \"a,b\"".replace(",", ""), "ab", "string", terms.HELD),
    ("x in \"b,c\"", "a,b", "list of strings", terms.HELD),
    ("x in \"c,d\"", "a,b", "list of strings", terms.VALUE),
    ("x == b", "a,b", "list of strings", terms.HELD),
    ("x > 4", "8", None, terms.MISMATCH),
    ("x > 4", 8, None, terms.HELD),
    ("x > 4", "8", "int", terms.HELD),
    ("x <= 4.5", 4.5, None, terms.HELD),
    ("x == 3", 3.0, "float", terms.HELD),
    ("x != 3", 4, None, terms.HELD),
    ("x == abc", 3, None, terms.MISMATCH),
    ("x == \"3\"", 3, None, terms.MISMATCH),
    ("x == 3", "3", None, terms.HELD),
    ("x in \"2,4,8\"", 4, None, terms.HELD),
    ("x in \"2,4,8\"", 5, None, terms.VALUE),
    ("x == true", True, None, terms.HELD),
    ("x == \"true\"", True, None, terms.HELD),
    ("x != true", False, None, terms.HELD),
    ("x == yes", True, None, terms.MISMATCH),
    ("x == 1.2", "1.2.0", "version", terms.HELD),
    ("x == 1.2.1", "1.2.0", "version", terms.VALUE),
    ("x in [1.0.0,2.0.0)", "1.9.9", "version", terms.HELD),
    ("x in [1.0.0,2.0.0)", "2.0.0", "version", terms.VALUE),
    ("x in (1.0.0,2.0.0]", "2.0.0", "version", terms.HELD),
    ("x in (1.0.0,2.0.0]", "1.0.0", "version", terms.VALUE),
    ("x in (1.2,INFINITY)", "99.0", "version", terms.HELD),
    ("x in 1.5.0", "1.5.0", "version", terms.HELD),
    ("x in 1.5.0", "2.0.0", "version", terms.HELD),
    ("x in 1.5.0", "1.4.9", "version", terms.VALUE),
    ("x in \"1.0,2.0\"", "2.0.0", "version", terms.HELD),
    ("x in [1.0.0,2.0.0)", "abc", None, terms.MISMATCH),
    ("x in [1.0.0,2.0.0)", "1.5", "string", terms.MISMATCH),
    ("x == amd64", "amd64", "string", terms.HELD),
    ("x in \"'hi world', 'test'\"", "hi world", None, terms.HELD),
    ("x == \"truck load\"", "truck load", None, terms.HELD),
    ("x < 10", True, None, terms.MISMATCH),
    ("x == 1.0.0", "1.0.0", None, terms.HELD),
]


@pytest.mark.parametrize(("constraint", "value", "kind", "reason"), TABLE)
def test_operator_table(constraint: str, value: object, kind: str | None, reason: str) -> None:
    term = compiler.compile_constraints([constraint]).terms[0]
    prop = None if value is None else properties.make("x", value, kind)
    assert terms.check(term, prop) == reason
