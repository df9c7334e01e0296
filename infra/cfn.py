"""Read template.yaml with its CloudFormation tags, and build resources from it.

Tests and the local stack create the DynamoDB table from the template's own
definition, so they cannot drift from what is deployed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

TEMPLATE = Path(__file__).resolve().parents[1] / "template.yaml"


@dataclass(frozen=True)
class Tag:
    """A CloudFormation intrinsic such as ``!Ref X`` or ``!GetAtt A.B``, kept as written."""

    name: str
    value: Any


class CfnLoader(yaml.SafeLoader):
    """A safe YAML loader that keeps CloudFormation short-form tags as :class:`Tag`."""


def _construct(loader: yaml.Loader, suffix: str, node: yaml.Node) -> Tag:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return Tag(suffix, value)


CfnLoader.add_multi_constructor("!", _construct)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=CfnLoader)  # noqa: S506 - safe loader


def resource(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return template["Resources"][logical_id]


def _plain(value: Any) -> Any:
    """Drop CloudFormation-only wrappers that moto's create_table does not accept."""
    if isinstance(value, Tag):
        raise ValueError(f"cannot resolve !{value.name} {value.value!r} locally")
    return value


def table_kwargs(template: dict[str, Any], logical_id: str, table_name: str) -> dict[str, Any]:
    """``create_table`` arguments for the template's ``AWS::DynamoDB::Table`` resource."""
    table = resource(template, logical_id)
    if table["Type"] != "AWS::DynamoDB::Table":
        raise ValueError(f"{logical_id} is a {table['Type']}, not a DynamoDB table")
    props = table["Properties"]
    kwargs: dict[str, Any] = {
        "TableName": table_name,
        "AttributeDefinitions": _plain(props["AttributeDefinitions"]),
        "KeySchema": _plain(props["KeySchema"]),
        "BillingMode": props.get("BillingMode", "PROVISIONED"),
    }
    if props.get("GlobalSecondaryIndexes"):
        kwargs["GlobalSecondaryIndexes"] = _plain(props["GlobalSecondaryIndexes"])
    stream = props.get("StreamSpecification")
    if stream:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    return kwargs


def ttl_attribute(template: dict[str, Any], logical_id: str) -> str | None:
    spec = resource(template, logical_id)["Properties"].get("TimeToLiveSpecification")
    return spec["AttributeName"] if spec and spec.get("Enabled") else None


def create_table(client: Any, template: dict[str, Any], logical_id: str, table_name: str) -> None:
    """Create the table (and its TTL setting) through a boto3 DynamoDB client."""
    client.create_table(**table_kwargs(template, logical_id, table_name))
    attribute = ttl_attribute(template, logical_id)
    if attribute:
        client.update_time_to_live(
            TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute}
        )
