import copy, json
from typing import Any
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from tests.fuzz.lambda_asgi import LambdaAsgi
from tests.fuzz.test_schemathesis import app
from tests.integration.conftest import Aws, aws  # noqa

raw = copy.deepcopy(app and json.loads(app.exchanges[0][1]["body"]))
post = raw["paths"].pop("/api/requests/{kind}")["post"]
for kind_schema_name, body in raw["components"]["schemas"].items():
    if not kind_schema_name.endswith("Request"):
        continue
    kind = kind_schema_name[:-7]
    for name, prop in body["properties"].items():
        if name in ("phone", "phone_alt"):
            prop["pattern"] = r"^\+?[ ().-]*(?:[0-9][ ().-]*){7,15}$"
        if name == "email":
            prop["pattern"] = (
                r"^[^@\s<>\"',;:()\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
            )
        if prop.get("format") == "date":
            prop["enum"] = ["2027-01-04"]
    for name in body["required"]:
        body["properties"][name].setdefault("minLength", 1)
        body["properties"][name].setdefault("pattern", r"\S")
    op = copy.deepcopy(post)
    op["parameters"] = []
    op["operationId"] = f"submit-{kind}"
    ref = {"$ref": f"#/components/schemas/{kind_schema_name}"}
    op["requestBody"]["content"] = {"application/json": {"schema": ref}}
    raw["paths"][f"/api/requests/{kind}"] = {"post": op}
raw["paths"] = {k: v for k, v in raw["paths"].items() if k.startswith("/api/requests/") and "{" not in k}
s = schemathesis.openapi.from_dict(raw)
s.app = app
s.config.generation.update(modes=[GenerationMode.POSITIVE], deterministic=True)
s.config.phases.update(phases=["examples", "fuzzing"])


@s.parametrize()
@settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_x(case: Any, aws: Aws) -> None:  # noqa
    case.call_and_validate(checks=[positive_data_acceptance])
