"""The table built from the template's own definition (infra/cfn.py) serves every access pattern."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Key
from cfn import create_table

TABLE = "lobby-test"
PROPERTY = "P#maple-court"
REFERENCE = "20261122-0001"


@pytest.fixture
def dynamodb(fake_aws: None, template: dict[str, Any]) -> Any:
    client = boto3.client("dynamodb")
    create_table(client, template, "RequestsTable", TABLE)
    return client


@pytest.fixture
def table(dynamodb: Any) -> Any:
    return boto3.resource("dynamodb").Table(TABLE)


def open_request(reference: str = REFERENCE, **extra: str) -> dict[str, str]:
    """A request item as infra/README.md lays it out, while open (in every index)."""
    return {
        "PK": f"{PROPERTY}#R#{reference}",
        "SK": "REQUEST",
        "GSI1PK": f"{PROPERTY}#OFFICE#engineering",
        "GSI1SK": f"2026-11-22T09:30:00Z#{reference}",
        "GSI2PK": f"{PROPERTY}#AGENDA",
        "GSI2SK": f"2026-11-22T05:30:00Z#{reference}",
        "GSI4PK": f"{PROPERTY}#CONTACT#" + "ab" * 32,
        "GSI4SK": "2026-11-22T01:30:00Z",
        "GSI5PK": f"{PROPERTY}#MONTH#2026-11",
        "GSI5SK": f"2026-11-22T01:30:00Z#{reference}",
        "kind": "repair",
        **extra,
    }


def test_the_table_has_the_template_keys_indexes_stream_and_ttl(dynamodb: Any) -> None:
    description = dynamodb.describe_table(TableName=TABLE)["Table"]
    indexes = {
        index["IndexName"]: [key["AttributeName"] for key in index["KeySchema"]]
        for index in description["GlobalSecondaryIndexes"]
    }
    ttl = dynamodb.describe_time_to_live(TableName=TABLE)["TimeToLiveDescription"]

    assert [key["AttributeName"] for key in description["KeySchema"]] == ["PK", "SK"]
    assert indexes == {
        "ByOfficeDeadline": ["GSI1PK", "GSI1SK"],
        "Agenda": ["GSI2PK", "GSI2SK"],
        "ByPlace": ["GSI3PK", "GSI3SK"],
        "ByContact": ["GSI4PK", "GSI4SK"],
        "ByMonth": ["GSI5PK", "GSI5SK"],
    }
    assert description["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


@pytest.mark.parametrize(
    ("index", "partition", "sort_prefix"),
    [
        ("ByOfficeDeadline", ("GSI1PK", f"{PROPERTY}#OFFICE#engineering"), ("GSI1SK", "2026-11-22")),
        ("Agenda", ("GSI2PK", f"{PROPERTY}#AGENDA"), ("GSI2SK", "2026-11-22T05")),
        ("ByContact", ("GSI4PK", f"{PROPERTY}#CONTACT#" + "ab" * 32), ("GSI4SK", "2026-11")),
    ],
)
def test_each_index_finds_an_open_request(
    table: Any, index: str, partition: tuple[str, str], sort_prefix: tuple[str, str]
) -> None:
    table.put_item(Item=open_request())

    items = table.query(
        IndexName=index,
        KeyConditionExpression=Key(partition[0]).eq(partition[1])
        & Key(sort_prefix[0]).begins_with(sort_prefix[1]),
    )["Items"]

    assert [item["PK"] for item in items] == [f"{PROPERTY}#R#{REFERENCE}"]
    assert items[0]["kind"] == "repair"  # projection ALL: the list needs no second read


def test_the_agenda_is_sparse_and_read_up_to_now(table: Any) -> None:
    due = open_request("20261122-0001")
    later = open_request("20261122-0002", GSI2SK="2026-11-23T00:00:00Z#20261122-0002")
    closed = {
        key: value for key, value in open_request("20261122-0003").items() if not key.startswith("GSI2")
    }
    for item in (due, later, closed):
        table.put_item(Item=item)

    items = table.query(
        IndexName="Agenda",
        KeyConditionExpression=Key("GSI2PK").eq(f"{PROPERTY}#AGENDA")
        & Key("GSI2SK").lte("2026-11-22T12:00:00Z"),
    )["Items"]

    assert [item["PK"] for item in items] == [due["PK"]]


def test_a_request_and_its_history_come_back_in_one_query(table: Any) -> None:
    request = open_request()
    event = {"PK": request["PK"], "SK": "EVENT#2026-11-22T01:30:00Z#0001", "public": True}
    marker = {"PK": request["PK"], "SK": "MAIL#EVENT#2026-11-22T01:30:00Z#0001#office"}
    for item in (request, event, marker):
        table.put_item(Item=item)

    items = table.query(KeyConditionExpression=Key("PK").eq(request["PK"]))["Items"]

    assert [item["SK"] for item in items] == [event["SK"], marker["SK"], "REQUEST"]
