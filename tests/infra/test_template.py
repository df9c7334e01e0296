"""What template.yaml deploys, read as written (intrinsics kept as cfn.Tag)."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cfn import Tag, resource

from lobby.catalog import SOURCE_YAML, load_catalog

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
OUTBOX_FILTER = {"eventName": ["INSERT"], "dynamodb": {"Keys": {"SK": {"S": [{"prefix": "OUTBOX#"}]}}}}
CLOSING_FILTER = {
    "eventName": ["INSERT"],
    "dynamodb": {
        "Keys": {"SK": {"S": [{"prefix": "EVENT#"}]}},
        "NewImage": {"event": {"S": ["close", "cancel", "rated", "followed_up"]}},
    },
}
REQUIRED_OUTPUTS = {
    "SiteUrl",
    "SiteBucketName",
    "DistributionId",
    "ApiUrl",
    "TableName",
    "DeadLetterQueueUrl",
}


# ------------------------------------------------------------------ helpers
def of_type(template: dict[str, Any], type_name: str) -> dict[str, dict[str, Any]]:
    return {name: body for name, body in template["Resources"].items() if body["Type"] == type_name}


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return of_type(template, "AWS::Serverless::Function")


def function_setting(template: dict[str, Any], name: str, key: str) -> Any:
    """A function property, falling back to Globals as SAM does."""
    props = resource(template, name)["Properties"]
    return props.get(key, template.get("Globals", {}).get("Function", {}).get(key))


def environment(template: dict[str, Any], name: str) -> dict[str, Any]:
    """Globals' variables merged with the function's own, as SAM merges them."""
    merged = dict(template["Globals"]["Function"]["Environment"]["Variables"])
    merged.update(resource(template, name)["Properties"].get("Environment", {}).get("Variables", {}))
    return merged


def statements(template: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """A function's statements: inline, and those of the template's managed policies it attaches."""
    found = []
    for attached in resource(template, name)["Properties"].get("Policies", []):
        policy = attached
        if isinstance(attached, Tag) and attached.name == "Ref":
            policy = resource(template, str(attached.value))["Properties"]["PolicyDocument"]
        if isinstance(policy, dict) and "Statement" in policy:
            found.extend(policy["Statement"])
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def sub_text(value: Any) -> str:
    """The format string of a ``!Sub`` (short or long form)."""
    assert isinstance(value, Tag) and value.name == "Sub", value
    return value.value[0] if isinstance(value.value, list) else value.value


def references(value: Any) -> Iterator[str]:
    """Every resource or parameter name an expression mentions."""
    if isinstance(value, Tag):
        if value.name in ("Ref", "GetAtt"):
            yield str(value.value).split(".")[0]
        elif value.name == "Sub":
            yield from re.findall(r"\$\{([A-Za-z0-9]+)", sub_text(value))
            if isinstance(value.value, list):
                yield from references(value.value[1])
        else:
            yield from references(value.value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


# ------------------------------------------------------------------ functions
@pytest.mark.parametrize("name", ["ApiFunction", "NotifyFunction"])
def test_each_function_handler_is_a_lambda_handler_in_the_code(
    template: dict[str, Any], root: Path, name: str
) -> None:
    props = resource(template, name)["Properties"]
    module, attribute = props["Handler"].rsplit(".", 1)
    source = root / props["CodeUri"] / (module.replace(".", "/") + ".py")

    assert source.is_file(), f"{name}: {props['Handler']} needs {source}"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert attribute == "lambda_handler"
    assert attribute in defined


def test_the_template_declares_the_api_notify_and_scheduled_functions(template: dict[str, Any]) -> None:
    handlers = {props["Properties"]["Handler"] for props in functions(template).values()}

    assert handlers == {
        "api.app.lambda_handler",
        "notify.app.lambda_handler",
        "schedules.reminders.lambda_handler",
        "schedules.digest.lambda_handler",
        "schedules.monthly.lambda_handler",
        "photos.app.lambda_handler",
    }


@pytest.mark.parametrize(
    ("function", "event", "expression"),
    [
        ("RemindersFunction", "Reminders", "rate(15 minutes)"),
        ("DigestFunction", "DailyDigest", "cron(30 8 * * ? *)"),
        ("MonthlyFunction", "MonthlyStatistics", "cron(0 8 1 * ? *)"),
        ("NotifyFunction", "OutboxRetries", "rate(1 minute)"),
    ],
)
def test_schedules_run_on_the_property_clock_with_retries_and_a_dead_letter_queue(
    template: dict[str, Any], function: str, event: str, expression: str
) -> None:
    schedule = template["Resources"][function]["Properties"]["Events"][event]
    props = schedule["Properties"]

    assert schedule["Type"] == "ScheduleV2"
    assert props["ScheduleExpression"] == expression
    assert props["ScheduleExpressionTimezone"] == Tag("Ref", "TimeZone")
    assert props["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert props["DeadLetterConfig"]["Arn"] == Tag("GetAtt", "ScheduleDeadLetterQueue.Arn")
    # "now" is the scheduled moment, which Scheduler substitutes into the payload.
    assert json.loads(props["Input"]) == {"time": "<aws.scheduler.scheduled-time>"}


def test_the_schedules_time_zone_is_the_catalogs(template: dict[str, Any]) -> None:
    assert template["Parameters"]["TimeZone"]["Default"] == load_catalog(SOURCE_YAML).property.time_zone


@pytest.mark.parametrize("name", ["ApiFunction", "NotifyFunction"])
def test_functions_run_python_3_12_or_later_on_arm64(template: dict[str, Any], name: str) -> None:
    runtime = function_setting(template, name, "Runtime")
    match = re.fullmatch(r"python3\.(\d+)", runtime)

    assert match and int(match[1]) >= 12, runtime
    assert function_setting(template, name, "Architectures") == ["arm64"]


@pytest.mark.parametrize("name", ["ApiFunction", "NotifyFunction"])
def test_functions_get_the_runtime_settings_lobby_reads(template: dict[str, Any], name: str) -> None:
    env = environment(template, name)

    assert env["POWERTOOLS_SERVICE_NAME"] == "lobby"
    assert env["POWERTOOLS_LOG_LEVEL"] == "INFO"
    assert env["TABLE_NAME"] == Tag("Ref", "RequestsTable")
    assert env["SENDER_EMAIL"] == Tag("Ref", "SenderEmail")
    assert env["OFFICE_EMAILS"] == Tag("Ref", "OfficeEmails")
    assert env["SIGNING_SECRET_PARAMETER"] == Tag("Ref", "SigningSecretParameterName")
    # Logging whole events would write residents' names and phones to the logs.
    assert "POWERTOOLS_LOGGER_LOG_EVENT" not in env


def test_notify_links_to_the_custom_site_url_or_else_the_distribution(template: dict[str, Any]) -> None:
    site_url = environment(template, "NotifyFunction")["SITE_URL"]

    assert site_url.name == "If"
    condition, custom, default = site_url.value
    assert condition == "HasSiteUrl"
    assert custom == Tag("Ref", "SiteUrl")
    assert sub_text(default) == "https://${Distribution.DomainName}"


def test_the_api_function_does_not_depend_on_the_distribution(template: dict[str, Any]) -> None:
    """The distribution depends on the API, so the reverse would be a cycle."""
    props = resource(template, "ApiFunction")["Properties"]

    assert "SITE_URL" not in environment(template, "ApiFunction")
    assert "Distribution" not in set(references(props))
    assert "Distribution" not in set(references(template["Globals"]))


def test_the_api_serves_everything_under_api_and_the_desk(template: dict[str, Any]) -> None:
    events = resource(template, "ApiFunction")["Properties"]["Events"]

    paths = []
    for event in events.values():
        assert event["Type"] == "HttpApi"
        assert event["Properties"]["ApiId"] == Tag("Ref", "HttpApi")
        assert event["Properties"]["Method"].upper() == "ANY"
        paths.append(event["Properties"]["Path"])
    assert sorted(paths) == ["/api/{proxy+}", "/desk", "/desk/{proxy+}"]


def test_cloudfront_sends_the_desk_to_the_api_uncached(template: dict[str, Any]) -> None:
    behaviors = resource(template, "Distribution")["Properties"]["DistributionConfig"]["CacheBehaviors"]
    by_path = {behavior["PathPattern"]: behavior for behavior in behaviors}
    desk, api = by_path["/desk/*"], by_path["/api/*"]
    assert desk["TargetOriginId"] == "Api"
    assert {key: value for key, value in desk.items() if key != "PathPattern"} == {
        key: value for key, value in api.items() if key != "PathPattern"
    }


def test_the_api_reads_the_staff_roster_parameter_only(template: dict[str, Any]) -> None:
    by_sid = {statement.get("Sid"): statement for statement in statements(template, "ApiFunction")}
    read = by_sid["ReadStaffRoster"]
    assert as_list(read["Action"]) == ["ssm:GetParameter"]
    assert sub_text(read["Resource"]) == (
        "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${StaffRosterParameterName}"
    )
    assert environment(template, "ApiFunction")["STAFF_ROSTER_PARAMETER"] == Tag(
        "Ref", "StaffRosterParameterName"
    )


def test_the_http_api_throttles_every_route(template: dict[str, Any]) -> None:
    api = resource(template, "HttpApi")
    settings = api["Properties"]["DefaultRouteSettings"]
    parameters = template["Parameters"]

    assert api["Type"] == "AWS::Serverless::HttpApi"
    for key, parameter in (
        ("ThrottlingBurstLimit", "ApiThrottlingBurstLimit"),
        ("ThrottlingRateLimit", "ApiThrottlingRateLimit"),
    ):
        assert settings[key] == Tag("Ref", parameter)
        assert parameters[parameter]["Default"] > 0


# ------------------------------------------------------------------ stream and DLQ
def stream_event(template: dict[str, Any]) -> dict[str, Any]:
    (event,) = [
        event
        for event in resource(template, "NotifyFunction")["Properties"]["Events"].values()
        if event["Type"] == "DynamoDB"
    ]
    return event["Properties"]


def test_notify_reads_the_table_stream_in_small_batches_reporting_item_failures(
    template: dict[str, Any],
) -> None:
    event = stream_event(template)

    assert event["Stream"] == Tag("GetAtt", "RequestsTable.StreamArn")
    assert event["StartingPosition"] in ("TRIM_HORIZON", "LATEST")
    assert event["BatchSize"] == 10
    assert event["MaximumBatchingWindowInSeconds"] == 1
    assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert event["BisectBatchOnFunctionError"] is True
    assert 0 < event["MaximumRetryAttempts"] <= 10


def test_batches_that_fail_every_retry_go_to_the_dead_letter_queue(template: dict[str, Any]) -> None:
    on_failure = stream_event(template)["DestinationConfig"]["OnFailure"]
    queue = resource(template, "DeadLetterQueue")

    assert on_failure["Type"] == "SQS"  # SAM grants sqs:SendMessage for it
    assert on_failure["Destination"] == Tag("GetAtt", "DeadLetterQueue.Arn")
    assert queue["Type"] == "AWS::SQS::Queue"
    assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert queue["Properties"]["SqsManagedSseEnabled"] is True


def test_only_new_outbox_items_and_closing_events_wake_the_sender(template: dict[str, Any]) -> None:
    outbox, closing = stream_event(template)["FilterCriteria"]["Filters"]

    assert json.loads(outbox["Pattern"]) == OUTBOX_FILTER
    assert json.loads(closing["Pattern"]) == CLOSING_FILTER


def test_closing_events_are_the_ones_the_sender_retires(template: dict[str, Any]) -> None:
    from notify.app import CLOSING_EVENTS

    assert set(CLOSING_FILTER["dynamodb"]["NewImage"]["event"]["S"]) == CLOSING_EVENTS  # type: ignore[index]


# ------------------------------------------------------------------ permissions
def ses_statements(template: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [
        statement
        for statement in statements(template, name)
        if any(str(action).startswith("ses:") for action in as_list(statement["Action"]))
    ]


# SNS sends a text to a phone number only under Resource "*"; these two actions are the one exception,
# and only beside a Deny of every topic, so the grant reaches phone numbers and nothing else.
SMS_ACTIONS = {"sns:Publish", "sns:CheckIfPhoneNumberIsOptedOut"}


def grants_only_texts(statement: dict[str, Any], policy: list[dict[str, Any]]) -> bool:
    denies_topics = any(
        other["Effect"] == "Deny" and as_list(other["Action"]) == ["sns:Publish"] for other in policy
    )
    return (
        statement["Effect"] == "Allow" and set(as_list(statement["Action"])) <= SMS_ACTIONS and denies_topics
    )


@pytest.mark.parametrize("name", ["ApiFunction", "NotifyFunction"])
def test_no_statement_grants_anything_on_every_resource(template: dict[str, Any], name: str) -> None:
    policy = statements(template, name)
    for statement in policy:
        if "*" in as_list(statement["Resource"]):
            assert name == "NotifyFunction" and grants_only_texts(statement, policy), statement


def test_the_text_grant_is_refused_on_topics(template: dict[str, Any]) -> None:
    policy = statements(template, "NotifyFunction")
    texts = [statement for statement in policy if "*" in as_list(statement["Resource"])]
    assert len(texts) == 1 and grants_only_texts(texts[0], policy)
    assert not any("*" in as_list(statement["Resource"]) for statement in statements(template, "ApiFunction"))


@pytest.mark.parametrize("name", ["RemindersFunction", "DigestFunction", "MonthlyFunction"])
def test_only_the_sender_may_send_mail(template: dict[str, Any], name: str) -> None:
    assert ses_statements(template, name) == []  # the schedules queue their messages in the outbox


def test_the_api_function_cannot_send_mail(template: dict[str, Any]) -> None:
    assert ses_statements(template, "ApiFunction") == []
    assert not any(
        "SES" in str(policy) for policy in resource(template, "ApiFunction")["Properties"]["Policies"]
    )


def test_notify_may_send_only_as_the_sender_identity(template: dict[str, Any]) -> None:
    (statement,) = ses_statements(template, "NotifyFunction")
    resources = [sub_text(item) for item in as_list(statement["Resource"])]

    assert as_list(statement["Action"]) == ["ses:SendEmail", "ses:SendRawEmail"]  # raw: the report's CSV
    assert statement["Effect"] == "Allow"
    prefix = "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/"
    assert sorted(resources) == [prefix + "${SenderDomain}", prefix + "${SenderEmail}"]
    domain = next(item for item in as_list(statement["Resource"]) if "SenderDomain" in sub_text(item))
    assert domain.value[1]["SenderDomain"] == Tag(
        "Select", [1, Tag("Split", ["@", Tag("Ref", "SenderEmail")])]
    )


@pytest.mark.parametrize("name", ["ApiFunction", "NotifyFunction", "RemindersFunction"])
def test_functions_read_only_the_signing_secret_parameter(template: dict[str, Any], name: str) -> None:
    by_sid = {statement.get("Sid"): statement for statement in statements(template, name)}
    parameter_arn = (
        "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${SigningSecretParameterName}"
    )

    read = by_sid["ReadSigningSecret"]
    assert set(as_list(read["Action"])) <= {"ssm:GetParameter", "ssm:GetParameters"}
    assert sub_text(read["Resource"]) == parameter_arn
    decrypt = by_sid["DecryptSigningSecret"]
    assert as_list(decrypt["Action"]) == ["kms:Decrypt"]
    conditions = decrypt["Condition"]["StringEquals"]
    assert sub_text(conditions["kms:ViaService"]) == "ssm.${AWS::Region}.amazonaws.com"
    assert sub_text(conditions["kms:EncryptionContext:PARAMETER_ARN"]) == parameter_arn
    assert template["Parameters"]["SigningSecretParameterName"]["Default"] == "/lobby/signing-secret"


FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
STORE = FUNCTIONS / "lobby" / "storage"  # the package; every module of it
# The IAM action behind each client call and each kind of transaction item (a transaction needs
# the item actions it is made of, and dynamodb:ConditionCheckItem for a condition check).
CALL_ACTIONS = {
    "get_item": "GetItem",
    "put_item": "PutItem",
    "update_item": "UpdateItem",
    "delete_item": "DeleteItem",
    "query": "Query",
    "batch_get_item": "BatchGetItem",
}
TRANSACTION_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def table_actions_of_the_store() -> set[str]:
    """The DynamoDB actions the calls of the lobby/storage package need, read from its source."""
    source = "\n".join(path.read_text(encoding="utf-8") for path in sorted(STORE.glob("*.py")))
    needed = set()
    for call in set(re.findall(r"\.client\.([a-z_]+)\(", source)):
        if call == "transact_write_items":
            items = re.findall(r'"(Put|Update|Delete|ConditionCheck)": \{', source)
            needed |= {TRANSACTION_ACTIONS[item] for item in items}
        else:
            assert call in CALL_ACTIONS, f"lobby/storage calls {call}: grant it in template.yaml and here"
            needed.add(CALL_ACTIONS[call])
    return {f"dynamodb:{action}" for action in needed}


def test_only_the_store_talks_to_the_table() -> None:
    clients = re.compile(r"""client\(\s*["']dynamodb["']|resource\(\s*["']dynamodb["']""")
    callers = {
        path.relative_to(FUNCTIONS).as_posix()
        for path in FUNCTIONS.rglob("*.py")
        if clients.search(path.read_text(encoding="utf-8"))
    }
    assert callers == {"lobby/storage/core.py"}


def test_functions_may_make_exactly_the_table_calls_the_store_makes(template: dict[str, Any]) -> None:
    document = resource(template, "TableAccessPolicy")["Properties"]["PolicyDocument"]
    (statement,) = document["Statement"]

    assert statement["Effect"] == "Allow"
    assert set(as_list(statement["Action"])) == table_actions_of_the_store()
    assert "dynamodb:Scan" not in as_list(statement["Action"])
    table, indexes = statement["Resource"]
    assert table == Tag("GetAtt", "RequestsTable.Arn")
    assert sub_text(indexes) == "${RequestsTable.Arn}/index/*"
    for name in functions(template):
        policies = resource(template, name)["Properties"]["Policies"]
        assert Tag("Ref", "TableAccessPolicy") in policies, name
        assert not any("DynamoDB" in str(policy) for policy in policies), name  # no broader SAM template


def test_the_stack_creates_the_sender_identity_unless_it_exists(template: dict[str, Any]) -> None:
    identity = resource(template, "SenderIdentity")

    assert identity["Type"] == "AWS::SES::EmailIdentity"
    assert identity["Condition"] == "CreatesSenderIdentity"
    chosen = identity["Properties"]["EmailIdentity"]
    assert chosen.value[0] == "SenderIdentityIsDomain"
    assert chosen.value[2] == Tag("Ref", "SenderEmail")


# ------------------------------------------------------------------ table
def test_the_table_keeps_its_records(template: dict[str, Any]) -> None:
    table = resource(template, "RequestsTable")
    props = table["Properties"]

    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert props["KeySchema"] == [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ]


def documented_indexes(root: Path) -> dict[str, tuple[str, str]]:
    """``**GSI1** `ByOfficeDeadline`: `GSI1PK = …`` rows of infra/README.md → name: (hash, range)."""
    readme = (root / "infra" / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"\*\*(GSI\d)\*\* `(\w+)`", readme)
    return {name: (f"{gsi}PK", f"{gsi}SK") for gsi, name in rows}


def test_the_table_has_the_five_indexes_of_the_design(template: dict[str, Any], root: Path) -> None:
    documented = documented_indexes(root)
    indexes = resource(template, "RequestsTable")["Properties"]["GlobalSecondaryIndexes"]
    declared = {
        index["IndexName"]: tuple(key["AttributeName"] for key in index["KeySchema"]) for index in indexes
    }

    assert documented == {
        "ByOfficeDeadline": ("GSI1PK", "GSI1SK"),
        "Agenda": ("GSI2PK", "GSI2SK"),
        "ByPlace": ("GSI3PK", "GSI3SK"),
        "ByContact": ("GSI4PK", "GSI4SK"),
        "ByMonth": ("GSI5PK", "GSI5SK"),
    }
    assert declared == documented
    projections = {index["IndexName"]: index["Projection"] for index in indexes}
    # ByPlace only counts a matter's earlier requests (lobby.repeats): keys and status, nothing personal.
    assert projections.pop("ByPlace") == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["status"]}
    assert all(projection == {"ProjectionType": "ALL"} for projection in projections.values())


# ------------------------------------------------------------------ alarms and logs
def test_failed_mail_and_function_errors_raise_alarms(template: dict[str, Any]) -> None:
    alarms = of_type(template, "AWS::CloudWatch::Alarm").values()
    watched = {
        (alarm["Properties"]["MetricName"], str(alarm["Properties"]["Dimensions"][0]["Value"].value))
        for alarm in alarms
        if "Dimensions" in alarm["Properties"]
    }
    queues = {
        Tag("GetAtt", name.replace(".QueueName", ".Arn"))
        for metric, name in watched
        if metric == "ApproximateNumberOfMessagesVisible"
    }

    assert ("ApproximateNumberOfMessagesVisible", "DeadLetterQueue.QueueName") in watched
    assert ("OutboxParked", "RequestsTable") in watched  # the metric lobby/sender.py emits, per table
    # The API answers residents at once and nothing retries it: its errors are watched directly.
    assert ("Errors", "ApiFunction") in watched
    # Every other function is watched by where its runs land after their last retry.
    for name, function in functions(template).items():
        if name == "ApiFunction":
            continue
        props = function["Properties"]
        assert props["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]["Destination"] in queues, name
        for event in props["Events"].values():
            if event["Type"] == "DynamoDB":
                assert event["Properties"]["DestinationConfig"]["OnFailure"]["Destination"] in queues, name
            if event["Type"] == "ScheduleV2":
                assert event["Properties"]["DeadLetterConfig"]["Arn"] in queues, name
    for alarm in alarms:
        props = alarm["Properties"]
        assert props["ComparisonOperator"] == "GreaterThanThreshold"
        assert props["Threshold"] == 0
        assert props["AlarmActions"] == [Tag("Ref", "AlarmTopic")]


def test_an_unknown_calendar_year_raises_the_alarm_on_the_metric_the_digest_emits(
    template: dict[str, Any],
) -> None:
    from lobby import metrics

    alarm = resource(template, "CalendarYearUnknownAlarm")["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == (metrics.NAMESPACE, metrics.CALENDAR_YEAR_UNKNOWN)
    assert alarm["Dimensions"] == [{"Name": "Table", "Value": Tag("Ref", "RequestsTable")}]
    assert alarm["Period"] == 86400  # the digest counts once a day: one day's data point decides
    # The administrator's e-mail goes where the alarms go; the notify function renders and sends it.
    assert environment(template, "NotifyFunction")["ADMINISTRATOR_EMAIL"] == Tag("Ref", "AlarmEmail")


def test_alarm_mail_is_subscribed_only_when_an_address_is_given(template: dict[str, Any]) -> None:
    subscription = resource(template, "AlarmEmailSubscription")

    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"]["Endpoint"] == Tag("Ref", "AlarmEmail")
    assert template["Parameters"]["AlarmEmail"]["Default"] == ""


def test_every_log_group_expires_and_each_function_logs_to_its_own(template: dict[str, Any]) -> None:
    groups = of_type(template, "AWS::Logs::LogGroup")
    used = {
        resource(template, name)["Properties"]["LoggingConfig"]["LogGroup"].value
        for name in functions(template)
    }

    assert groups
    for group in groups.values():
        assert group["Properties"]["RetentionInDays"] == Tag("Ref", "LogRetentionDays")
    assert used == set(groups)
    assert template["Parameters"]["LogRetentionDays"]["Default"] == 90


# ------------------------------------------------------------------ site
def test_the_site_bucket_is_private_and_encrypted(template: dict[str, Any]) -> None:
    props = resource(template, "SiteBucket")["Properties"]

    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]


def test_only_this_distribution_may_read_the_bucket(template: dict[str, Any]) -> None:
    policy = resource(template, "SiteBucketPolicy")["Properties"]
    allows = [
        statement for statement in policy["PolicyDocument"]["Statement"] if statement["Effect"] == "Allow"
    ]

    assert policy["Bucket"] == Tag("Ref", "SiteBucket")
    (allow,) = allows
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    source = allow["Condition"]["StringEquals"]["AWS:SourceArn"]
    assert sub_text(source).endswith(":distribution/${Distribution}")


def distribution(template: dict[str, Any]) -> dict[str, Any]:
    return resource(template, "Distribution")["Properties"]["DistributionConfig"]


def test_the_distribution_serves_the_site_from_s3_through_origin_access_control(
    template: dict[str, Any],
) -> None:
    config = distribution(template)
    origins = {origin["Id"]: origin for origin in config["Origins"]}
    default = config["DefaultCacheBehavior"]
    site = origins[default["TargetOriginId"]]

    assert site["DomainName"] == Tag("GetAtt", "SiteBucket.RegionalDomainName")
    assert site["OriginAccessControlId"] == Tag("GetAtt", "SiteOriginAccessControl.Id")
    assert default["CachePolicyId"] == CACHING_OPTIMIZED
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    (association,) = default["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    assert association["FunctionARN"] == Tag("GetAtt", "DirectoryIndexFunction.FunctionMetadata.FunctionARN")
    assert config["DefaultRootObject"] == "index.html"
    assert config["HttpVersion"] == "http2and3"
    assert config["PriceClass"] == Tag("Ref", "PriceClass")


def test_the_distribution_sends_api_paths_to_the_http_api_uncached(template: dict[str, Any]) -> None:
    config = distribution(template)
    origins = {origin["Id"]: origin for origin in config["Origins"]}
    (behaviour,) = [item for item in config["CacheBehaviors"] if item["PathPattern"] == "/api/*"]
    api = origins[behaviour["TargetOriginId"]]

    assert sub_text(api["DomainName"]) == "${HttpApi}.execute-api.${AWS::Region}.amazonaws.com"
    assert api["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert behaviour["CachePolicyId"] == CACHING_DISABLED
    assert behaviour["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    assert set(behaviour["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert behaviour["ViewerProtocolPolicy"] in ("https-only", "redirect-to-https")
    assert "FunctionAssociations" not in behaviour


def test_missing_pages_show_the_404_page_but_api_answers_pass_unchanged(template: dict[str, Any]) -> None:
    """Error pages apply to every origin: S3's 403 for a missing key becomes the 404 page,
    while a 404 (which the API sends for an unknown reference) is never replaced."""
    responses = {item["ErrorCode"]: item for item in distribution(template)["CustomErrorResponses"]}

    assert responses[403]["ResponsePagePath"] == "/404.html"
    assert responses[403]["ResponseCode"] == 404
    assert "ResponsePagePath" not in responses.get(404, {})


def test_the_custom_domain_is_served_only_with_a_certificate(template: dict[str, Any]) -> None:
    config = distribution(template)

    assert config["Aliases"].value[0] == "HasCustomDomain"
    assert config["ViewerCertificate"].value[0] == "HasCustomDomain"
    assert template["Conditions"]["HasCustomDomain"].name == "And"


def test_a_custom_domain_requires_tls_1_2_and_the_deploy_page_says_what_the_default_allows(
    template: dict[str, Any], root: Path
) -> None:
    """checkov CKV_AWS_174: CloudFront's default certificate allows TLSv1, and that cannot be changed;
    with a custom domain the distribution requires TLS 1.2 (2021 ciphers)."""
    _, custom, default = distribution(template)["ViewerCertificate"].value
    assert custom["MinimumProtocolVersion"] == "TLSv1.2_2021"
    assert custom["SslSupportMethod"] == "sni-only"
    assert default == {"CloudFrontDefaultCertificate": True}
    english = (root / "site/docs/admin/deploy.en.md").read_text()
    chinese = (root / "site/docs/admin/deploy.zh.md").read_text()
    for page in (english, chinese):
        assert "TLSv1.2_2021" in page and "`TLSv1`" in page and "*.cloudfront.net" in page
    assert "cannot be tightened" in english
    assert "无法收紧" in chinese


# ------------------------------------------------------------------ parameters and outputs
def test_parameters_have_the_documented_defaults(template: dict[str, Any]) -> None:
    parameters = template["Parameters"]

    assert "Default" not in parameters["SenderEmail"]
    assert "Default" not in parameters["OfficeEmails"]
    assert parameters["SiteUrl"]["Default"] == ""
    assert template["Conditions"]["HasSiteUrl"] == Tag("Not", [Tag("Equals", [Tag("Ref", "SiteUrl"), ""])])


def test_the_office_emails_parameter_names_every_office_of_the_catalog(template: dict[str, Any]) -> None:
    description = template["Parameters"]["OfficeEmails"]["Description"]

    for office in load_catalog(SOURCE_YAML).offices:
        assert f'"{office}"' in description


def test_the_stack_outputs_what_publish_and_operators_need(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]

    assert set(outputs) >= REQUIRED_OUTPUTS
    assert outputs["SiteBucketName"]["Value"] == Tag("Ref", "SiteBucket")
    assert outputs["DistributionId"]["Value"] == Tag("Ref", "Distribution")
    assert outputs["TableName"]["Value"] == Tag("Ref", "RequestsTable")
    assert outputs["DeadLetterQueueUrl"]["Value"] == Tag("Ref", "DeadLetterQueue")
