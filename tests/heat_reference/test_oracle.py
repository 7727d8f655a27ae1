"""tools/heat_oracle.py itself: Heat's verdicts on small cases, its resolution, its batches.

Each case in cases/ states what Heat says in its first comment lines (`# heat: valid` or
`# heat: <exception class>: <part of the message>`; `# unknown_parameters` runs it in that mode);
a JSON case keeps them in a `<name>.json.heat` sidecar.
"""

from pathlib import Path

import pytest

CASES = Path(__file__).parent / "cases"
CASE_FILES = sorted(p for p in CASES.iterdir() if p.suffix in (".yaml", ".json"))


def _header(path: Path) -> tuple[str, bool]:
    sidecar = path.with_name(path.name + ".heat")
    text = sidecar.read_text() if sidecar.exists() else path.read_text()
    lines = [line.lstrip("# ").strip() for line in text.splitlines()]
    expected = next(line[len("heat:") :].strip() for line in lines if line.startswith("heat:"))
    return expected, "unknown_parameters" in lines


@pytest.fixture(scope="module")
def verdicts(heat_oracle):
    requests = []
    for path in CASE_FILES:
        _, unknown = _header(path)
        requests.append({"id": path.name, "template": str(path), "unknown_parameters": unknown})
    return heat_oracle.run(requests)


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.name)
def test_heat_verdict(path, verdicts):
    expected, _ = _header(path)
    result = verdicts[path.name]
    if expected == "valid":
        assert result["valid"], result
        assert result["error"] is None
        return
    error_type, _, text = expected.partition(": ")
    assert not result["valid"], result
    assert result["error_type"] == error_type, result
    assert text in result["error"], result


def test_resolve_gives_heat_values_before_create(heat_oracle):
    path = CASES / "resolve.yaml"
    result = heat_oracle.run([{"id": "r", "template": str(path), "resolve": True}])["r"]
    assert result["valid"], result
    assert result["parameters"] == {"env": "dev", "ports": ["22", "80"]}
    assert result["conditions"] == {"prod": False}
    resources = result["resources"]
    assert resources["extra"] is None  # disabled by its condition
    assert resources["net"] == {}
    assert resources["subnet"] == {"network": "net", "cidr": "10.0.0.0/24"}
    assert resources["server"]["name"] == "web-dev"
    assert resources["server"]["networks"] == [{"port": "port"}]
    assert resources["script"] == {"config": "nested data\n"}
    # get_attr of an uncreated resource is None; a false condition keeps the output, valueless.
    assert result["outputs"] == {"ip": None, "ports": "22,80", "only_prod": None}
    edges = {tuple(edge) for edge in result["dependencies"]}
    assert ("server", "port") in edges
    assert ("server", "subnet") in edges  # implicit: Server.add_dependencies
    assert result["waves"][0] == ["net", "script"]
    assert result["waves"][-1] == ["server"]


def test_one_failure_does_not_end_the_batch(heat_oracle, tmp_path):
    unreadable = tmp_path / "absent.yaml"
    results = heat_oracle.run(
        [
            {"id": "absent", "template": str(unreadable)},
            {"id": "good", "template": str(CASES / "valid.yaml"), "resolve": True},
        ]
    )
    assert results["absent"]["error_type"] == "FileNotFoundError"
    assert results["absent"]["stage"] == "read"
    assert results["good"]["valid"]
    assert results["good"]["outputs"] == {"value": None}
    assert heat_oracle.stats["heat_version"] == "27.0.1"
    assert heat_oracle.stats["maxrss_kib"] > 0


def test_parameters_and_environment_files(heat_oracle, tmp_path):
    environment = tmp_path / "env.yaml"
    environment.write_text(
        "parameter_defaults:\n  name: from-env\n"
        f"resource_registry:\n  My::Child: {CASES / 'nested' / 'child.yaml'}\n"
    )
    template = tmp_path / "t.yaml"
    template.write_text(
        "heat_template_version: 2018-08-31\n"
        "parameters:\n  name: {type: string}\n  size: {type: number}\n"
        "resources:\n  child:\n    type: My::Child\n    properties: {size: {get_param: size}}\n"
        "outputs:\n  name: {value: {get_param: name}}\n"
    )
    request = {"template": str(template), "environment": [str(environment)], "resolve": True}
    results = heat_oracle.run(
        [
            {"id": "given", **request, "parameters": {"size": "3"}},
            {"id": "bad", **request, "parameters": {"size": "three"}},
        ]
    )
    assert results["given"]["valid"], results["given"]
    assert results["given"]["outputs"] == {"name": "from-env"}
    assert results["given"]["resources"]["child"] == {"size": 3}
    assert not results["bad"]["valid"]
    assert "three" in results["bad"]["error"]
