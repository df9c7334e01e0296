"""Lambda, locally: the template's functions, imported as Lambda imports them and invoked with a context.

:func:`template_functions` reads every ``AWS::Serverless::Function`` of the
template (``Globals`` included); :meth:`LocalFunction.invoke` runs its handler
with the attributes of Lambda's context object that Powertools and the handlers read.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.machinery import PathFinder
from pathlib import Path
from types import ModuleType
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID

from devstack.aws import FUNCTIONS_DIR, with_parameter_defaults

log = logging.getLogger("lobby.local")

ACCOUNT_ID = DEFAULT_ACCOUNT_ID
Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that Powertools and handlers read."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_seconds: int
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = "local"
    tenant_id: str | None = None
    _started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self._started
        return max(0, int((self.timeout_seconds - elapsed) * 1000))


@dataclass
class LocalFunction:
    """One ``AWS::Serverless::Function`` of the template."""

    logical_id: str
    handler: str
    code_dir: Path
    memory_mb: int
    timeout_seconds: int
    events: dict[str, Any]
    region: str = "us-east-1"
    # The handler once imported; a test may set it directly to skip the import.
    implementation: Handler | None = field(default=None, repr=False)

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{self.logical_id}"

    def context(self) -> LambdaContext:
        return LambdaContext(
            function_name=self.logical_id,
            invoked_function_arn=self.arn,
            memory_limit_in_mb=self.memory_mb,
            timeout_seconds=self.timeout_seconds,
            log_group_name=f"/aws/lambda/{self.logical_id}",
        )

    def load(self) -> Handler:
        """Import the handler (once), from ``CodeUri`` as Lambda does.

        Under ``functions/`` the handler is imported by its package path (``api.app``), from the
        installed project, so two functions' ``app.py`` never collide. A handler elsewhere (a test
        template's) is loaded from its ``CodeUri`` directory, without changing ``sys.path``.
        """
        if self.implementation is None:
            module_name, _, attribute = self.handler.rpartition(".")
            code_dir = self.code_dir.resolve()
            if code_dir == FUNCTIONS_DIR or FUNCTIONS_DIR in code_dir.parents:
                prefix = code_dir.relative_to(FUNCTIONS_DIR).parts
                module = importlib.import_module(".".join([*prefix, module_name]))
            else:
                module = _import_from(code_dir, module_name)
            self.implementation = getattr(module, attribute)
        return self.implementation

    def invoke(self, event: dict[str, Any]) -> Any:
        return self.load()(event, self.context())


class Background:
    """A daemon thread that invokes functions until :meth:`stop` (the stream pollers, the schedule clock)."""

    def __init__(self, name: str) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)


def _import_from(code_dir: Path, module_name: str) -> ModuleType:
    """Import ``module_name`` (``pkg.mod`` or ``mod``) with ``code_dir`` as its import root."""
    top, _, rest = module_name.partition(".")
    if top not in sys.modules:
        spec = PathFinder.find_spec(top, [str(code_dir)])
        if spec is None or spec.loader is None:
            raise ModuleNotFoundError(f"no module {top!r} in {code_dir}", name=top)
        module = importlib.util.module_from_spec(spec)
        sys.modules[top] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[top]
            raise
    return importlib.import_module(module_name) if rest else sys.modules[top]


def template_functions(template: dict[str, Any], template_dir: Path, region: str) -> dict[str, LocalFunction]:
    defaults = template.get("Globals", {}).get("Function", {}) or {}
    functions = {}
    for logical_id, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = {**defaults, **(resource.get("Properties") or {})}
        if not isinstance(props.get("CodeUri"), str) or not isinstance(props.get("Handler"), str):
            log.warning("%s: CodeUri and Handler must be plain strings to run locally; skipped", logical_id)
            continue
        functions[logical_id] = LocalFunction(
            logical_id=logical_id,
            handler=props["Handler"],
            code_dir=(template_dir / props["CodeUri"]),
            memory_mb=int(props.get("MemorySize", 128)),
            timeout_seconds=int(props.get("Timeout", 3)),
            events={
                name: {
                    **event,
                    "Properties": {
                        key: with_parameter_defaults(template, value)
                        for key, value in (event.get("Properties") or {}).items()
                    },
                }
                for name, event in (props.get("Events") or {}).items()
            },
            region=region,
        )
    return functions


def describe_failure(error: BaseException, debug: bool) -> str:
    """An error for the console: type and frames, without the message unless ``debug``.

    Exception messages (a validator's above all) can quote the input, which holds
    residents' names and phone numbers; the console never shows personal data.
    """
    if debug:
        return "".join(traceback.format_exception(error))
    frames = "".join(traceback.format_tb(error.__traceback__))
    return f"{frames}{type(error).__name__} (message hidden: run with --debug to show it)"
