"""The template through the real SAM transform (aws-sam-translator, offline), as CloudFormation gets it.

cfn-lint checks SAM resources only loosely; after the transform every generated
resource (roles, event source mapping, API stage) is checked against its
CloudFormation schema, and circular dependencies show up.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from test_cfn_lint import run_cfn_lint

pytest.importorskip("samtranslator", reason="aws-sam-translator performs the SAM transform offline")

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """The template names no managed policy, so nothing needs looking up in IAM."""

    def load(self) -> dict[str, str]:
        return {}


@pytest.fixture(scope="module")
def transformed(root: Path) -> dict[str, Any]:
    document = yaml_parse((root / "template.yaml").read_text(encoding="utf-8"))
    packaged = copy.deepcopy(document)
    for body in packaged["Resources"].values():
        if body["Type"] == "AWS::Serverless::Function":
            body["Properties"]["CodeUri"] = "s3://lobby-artifacts/code.zip"  # what sam package does
        if body["Type"] == "AWS::Serverless::LayerVersion":
            body["Properties"]["ContentUri"] = "s3://lobby-artifacts/layer.zip"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "ap-southeast-1")
        return transform(packaged, {}, NoManagedPolicies())


def resources_of(transformed: dict[str, Any], type_name: str) -> dict[str, dict[str, Any]]:
    return {name: body for name, body in transformed["Resources"].items() if body["Type"] == type_name}


def role_statements(transformed: dict[str, Any], role: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for policy in transformed["Resources"][role]["Properties"].get("Policies", []):
        found.extend(policy["PolicyDocument"]["Statement"])
    return found


def test_the_transformed_template_has_no_cfn_lint_findings(
    transformed: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "transformed.json"
    path.write_text(json.dumps(transformed), encoding="utf-8")

    result = run_cfn_lint(path)

    assert result.returncode == 0, f"cfn-lint found problems:\n{result.stdout}{result.stderr}"


def test_the_stream_mapping_is_deployed_as_designed(transformed: dict[str, Any]) -> None:
    mappings = resources_of(transformed, "AWS::Lambda::EventSourceMapping").values()
    (mapping,) = [
        found for found in mappings if found["Properties"]["FunctionName"] == {"Ref": "NotifyFunction"}
    ]
    props = mapping["Properties"]

    assert props["EventSourceArn"] == {"Fn::GetAtt": ["RequestsTable", "StreamArn"]}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # SAM's own "Type" key is consumed: CloudFormation accepts only the destination.
    assert props["DestinationConfig"] == {
        "OnFailure": {"Destination": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}}
    }
    assert json.loads(props["FilterCriteria"]["Filters"][0]["Pattern"])["eventName"] == ["INSERT"]


def test_the_photo_function_hears_only_uploads_and_the_tables_ttl_removals(
    transformed: dict[str, Any],
) -> None:
    mappings = resources_of(transformed, "AWS::Lambda::EventSourceMapping").values()
    (mapping,) = [
        found for found in mappings if found["Properties"]["FunctionName"] == {"Ref": "PhotoFunction"}
    ]
    (pattern,) = [
        json.loads(found["Pattern"]) for found in mapping["Properties"]["FilterCriteria"]["Filters"]
    ]
    assert pattern["eventName"] == ["REMOVE"]
    assert pattern["userIdentity"] == {"type": ["Service"], "principalId": ["dynamodb.amazonaws.com"]}
    notification = transformed["Resources"]["PhotoBucket"]["Properties"]["NotificationConfiguration"]
    (target,) = notification["LambdaConfigurations"]
    assert target["Function"] == {"Fn::GetAtt": ["PhotoFunction", "Arn"]}
    assert target["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "incoming/"}]
    layers = transformed["Resources"]["PhotoFunction"]["Properties"]["Layers"]
    assert layers and all(
        not function["Properties"].get("Layers")
        for name, function in resources_of(transformed, "AWS::Lambda::Function").items()
        if name != "PhotoFunction"
    )


def test_notify_may_write_failures_to_the_dead_letter_queue(transformed: dict[str, Any]) -> None:
    statements = role_statements(transformed, "NotifyFunctionRole")

    assert {
        "Action": "sqs:SendMessage",
        "Effect": "Allow",
        "Resource": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]},
    } in statements


def test_no_generated_role_grants_mail_or_everything(transformed: dict[str, Any]) -> None:
    for role in resources_of(transformed, "AWS::IAM::Role"):
        for statement in role_statements(transformed, role):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            if "*" in resources:  # SNS texts a phone number only under "*" (see test_template)
                assert role == "NotifyFunctionRole", (role, statement)
                assert set(actions) <= {"sns:Publish", "sns:CheckIfPhoneNumberIsOptedOut"}, statement
            # Only the functions that send mail themselves: notify, the daily digest and the monthly report.
            if role not in {"NotifyFunctionRole", "DigestFunctionRole", "MonthlyFunctionRole"}:
                assert not any(action.startswith("ses:") for action in actions), (role, statement)


def test_every_generated_role_attaches_the_table_policy_and_no_broader_table_access(
    transformed: dict[str, Any],
) -> None:
    functions = resources_of(transformed, "AWS::Lambda::Function")
    assert len(functions) == 6
    for name in functions:
        role = f"{name}Role"
        managed = transformed["Resources"][role]["Properties"]["ManagedPolicyArns"]
        assert {"Ref": "TableAccessPolicy"} in managed, role
    for role in resources_of(transformed, "AWS::IAM::Role"):  # the schedules' roles included
        for statement in role_statements(transformed, role):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert not any(action.startswith("dynamodb:") for action in actions), (role, statement)


def test_the_http_api_routes_api_paths_to_the_api_function_with_throttling(
    transformed: dict[str, Any],
) -> None:
    api = transformed["Resources"]["HttpApi"]["Properties"]["Body"]
    (stage,) = resources_of(transformed, "AWS::ApiGatewayV2::Stage").values()
    integration = api["paths"]["/api/{proxy+}"]["x-amazon-apigateway-any-method"][
        "x-amazon-apigateway-integration"
    ]

    assert "ApiFunction.Arn" in integration["uri"]["Fn::Sub"]
    assert integration["payloadFormatVersion"] == "2.0"
    assert stage["Properties"]["StageName"] == "$default"
    assert set(stage["Properties"]["DefaultRouteSettings"]) == {"ThrottlingBurstLimit", "ThrottlingRateLimit"}
