"""What the CloudFormation frontend says, beyond which code it reports."""

from kiln.compiler.driver import compile_file


def messages(tmp_path, registries, text):
    path = tmp_path / "t.yaml"
    path.write_text(text)
    return [(d.code.id, d.message) for d in compile_file(str(path), registries).diagnostics]


def test_foreach_without_its_transform_says_so(tmp_path, registries):
    loop = "Resources:\n  Fn::ForEach::B:\n    - N\n    - [a]\n    - {}\n"
    without = messages(tmp_path, registries, loop)
    with_it = messages(tmp_path, registries, "Transform: AWS::LanguageExtensions\n" + loop)
    assert [code for code, _ in without] == ["FN006"]
    assert "needs Transform: AWS::LanguageExtensions" in without[0][1]
    assert [code for code, _ in with_it] == ["FN006"]
    assert "needs Transform" not in with_it[0][1]


def test_transform_only_section_names_its_transform(tmp_path, registries):
    found = messages(tmp_path, registries, "Globals: {}\nResources: {}\n")
    assert found == [
        ("SYN013", "unknown section 'Globals'; it needs Transform: AWS::Serverless-2016-10-31")
    ]


def test_heat_version_under_the_aws_key(tmp_path, registries):
    found = messages(tmp_path, registries, "AWSTemplateFormatVersion: '2012-12-12'\n")
    assert found == [
        (
            "SYN012",
            "unknown AWSTemplateFormatVersion '2012-12-12'; "
            "2012-12-12 is the version of HeatTemplateFormatVersion",
        )
    ]
