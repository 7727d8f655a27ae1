"""`kiln preview`: the documented JSON document and the text form."""

import json
from pathlib import Path

from click.testing import CliRunner

from kiln.cli.main import cli
from kiln.compiler.driver import CompileOptions, compile_file
from kiln.compiler.preview import preview_document

HERE = Path(__file__).parent
MAIN = HERE / "stack" / "main.yaml"


def document(registries, *parameters):
    result = compile_file(str(MAIN), registries, CompileOptions(parameters=parameters))
    assert not result.has_errors, [d.message for d in result.diagnostics]
    return preview_document(result.unit, registries.schemas)


def by_name(doc):
    return {item["name"]: item for item in doc["resources"]}


def test_document_shape_and_values(registries):
    doc = document(registries)
    assert doc["kiln_preview"] == 1 and doc["dialect"] == "hot" and doc["version"] == "2021-04-16"
    assert doc["parameters"] == {"env": "dev", "password": "******", "sizes": ["1", " 2"]}
    assert doc["conditions"] == {"prod": False}
    resources = by_name(doc)
    assert resources["random"]["wave"] == 0 and resources["random"]["properties"] == {"length": 8}
    app = resources["app"]
    assert app["wave"] == 1 and app["requires"] == ["random"]
    assert app["properties"]["label"] == "app-dev"
    assert app["properties"]["secret"]["$unknown"] == "string"
    # Disabled by its condition: Heat drops it, so no properties.
    assert resources["extra"]["enabled"] is False and resources["extra"]["properties"] is None
    # Creation order: by wave; a disabled resource is not created, so it has none and comes last.
    assert resources["extra"]["wave"] is None
    assert [item["name"] for item in doc["resources"]] == ["random", "app", "extra"]
    # The provider template is previewed with the values its parent passes.
    nested = app["nested"]
    assert nested["template"].endswith("child.yaml")
    (value,) = nested["resources"]
    assert value["properties"] == {"value": "name=app-dev"}
    assert doc["outputs"]["sizes"] == ["1", " 2"]
    assert doc["outputs"]["only_prod"] is None  # a false condition keeps the output, valueless
    assert doc["outputs"]["label"]["$unknown"]


def test_parameters_given_change_the_preview(registries):
    doc = document(registries, ("env", "prod"))
    resources = by_name(doc)
    assert doc["conditions"] == {"prod": True}
    assert resources["extra"]["enabled"] is True and resources["extra"]["properties"] == {
        "length": 4
    }
    assert resources["app"]["nested"]["resources"][0]["properties"] == {"value": "name=app-prod"}


def test_cli_json_and_text():
    runner = CliRunner()
    result = runner.invoke(cli, ["preview", "--no-plugins", "--format", "json", str(MAIN)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["template"] == str(MAIN)
    text = runner.invoke(cli, ["preview", "--no-plugins", str(MAIN), "-P", "env=prod"])
    assert text.exit_code == 0
    assert "[wave 1] app: child.yaml" in text.stdout
    assert 'label: "app-prod"' in text.stdout
    assert "s3cret" not in text.stdout


def test_cli_preview_of_an_invalid_template_exits_1(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("heat_template_version: 2018-08-31\nresources:\n  a: {type: OS::Heat::Valu}\n")
    result = CliRunner().invoke(cli, ["preview", "--no-plugins", str(bad)])
    assert result.exit_code == 1
    assert "SCH001" in result.stderr
