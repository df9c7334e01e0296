"""The offices' group robots: WeCom (企业微信) and DingTalk (钉钉) webhooks, one post per outbox item.

A chat message is an outbox item like an e-mail (``channel`` ``wecom`` or ``dingtalk``, ``recipient``
``office``); ``lobby.sender`` renders and delivers it, and a failed post is retried and parked as any
delivery is. This module knows the two platforms and nothing of requests:

- **the format**: a markdown message (WeCom ``{"msgtype": "markdown", "markdown": {"content": …}}``,
  DingTalk ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``), at most
  ``MARKDOWN_BYTES`` of UTF-8: WeCom's documented limit for markdown content; DingTalk documents no
  smaller one, and a card longer than that is no card. A longer text is cut on a character boundary
  and keeps its last line, the link to the request;
- **the signature**: DingTalk's "加签" robots take ``timestamp`` (milliseconds) and ``sign``, the base64
  HMAC-SHA256 of ``timestamp + "\\n" + secret`` keyed by the secret, both URL-encoded in the query;
- **the rate**: both platforms accept 20 messages a minute per robot (DingTalk then refuses for ten
  minutes). The sender counts each post in a per-robot, per-minute counter of the table
  (``Store.take``) before it posts, across every running copy of the function; over the limit the item
  waits for its next try (``RobotBusy``), it is never dropped;
- **the answer**: an HTTP error, a timeout, an unreachable host, or a 200 whose body has
  ``errcode != 0`` (both platforms answer so) raise ``RobotFailed`` with a short code
  (``wecom-errcode-45009``, ``dingtalk-http-502``, ``wecom-timeout``): the outbox retries it, then parks it.
  Neither the webhook URL (its key is a credential) nor the message is ever in an error or a log line.

The webhook URLs and DingTalk secrets are per-deployment secrets in SSM Parameter Store, under the path
``Settings.robots_parameter_path`` (template.yaml ``RobotsParameterPath``):
``<path>/<office>/wecom``, ``<path>/<office>/dingtalk`` and ``<path>/<office>/dingtalk-secret``. Which
offices have which robot is ``Settings.office_robots`` (not a secret: it decides which items are queued).
The standard library's ``urllib`` posts, with a short timeout: no new dependency in the Lambda.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import quote_plus

from msgspec import Struct

from lobby.policy import ROBOT_MESSAGES_PER_MINUTE, SECRET_CACHE_SECONDS

WECOM = "wecom"
DINGTALK = "dingtalk"
PLATFORMS = (WECOM, DINGTALK)
MARKDOWN_BYTES = 4096  # WeCom: "markdown内容，最长不超过4096个字节，必须是utf8编码"
POST_TIMEOUT_SECONDS = 5.0  # a robot that does not answer by then is tried again later
ELLIPSIS = "…"


class RobotFailed(Exception):
    """A post the platform did not take; ``code`` says why and is all that is logged."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class RobotBusy(RobotFailed):
    """The robot has posted its messages for this minute: the item waits for its next try."""


class RobotMissing(RobotFailed):
    """The office's robot has no webhook URL in the parameter store (a deployment to finish)."""


class Robot(Struct, frozen=True):
    platform: str  # WECOM or DINGTALK
    office: str
    url: str  # the webhook, its access key included: a credential
    secret: str | None = None  # DingTalk's signing secret, when the robot signs ("加签")

    def __repr__(self) -> str:  # never the URL or the secret, wherever a robot is printed
        return f"Robot({self.platform}, {self.office})"


class ChatPost(Struct, frozen=True):
    """A rendered chat message: the robot it goes to and the JSON the platform reads."""

    robot: Robot
    title: str
    markdown: str
    at: datetime  # when it was rendered, a moment before it is posted: DingTalk's signature carries it

    def payload(self) -> dict[str, Any]:
        if self.robot.platform == WECOM:
            return {"msgtype": "markdown", "markdown": {"content": self.markdown}}
        return {"msgtype": "markdown", "markdown": {"title": self.title, "text": self.markdown}}


# the format ---------------------------------------------------------------------------------------------
def cut_utf8(text: str, limit: int) -> str:
    """The longest start of ``text`` that is at most ``limit`` bytes of UTF-8 (never half a character)."""
    return text.encode()[: max(limit, 0)].decode("utf-8", "ignore")


def fit_markdown(body: str, link_line: str, limit: int = MARKDOWN_BYTES) -> str:
    """``body``, then a blank line and ``link_line``, in at most ``limit`` bytes: the body is cut (with an
    ellipsis) when the whole is too long, the link line never is."""
    whole = f"{body}\n\n{link_line}"
    if len(whole.encode()) <= limit:
        return whole
    room = limit - len(f"\n\n{link_line}".encode()) - len(ELLIPSIS.encode())
    return f"{cut_utf8(body, room).rstrip()}{ELLIPSIS}\n\n{link_line}"


_MARKDOWN_SIGNS = str.maketrans({sign: " " for sign in "*_`#[]<>|\\~\r\n\t"})


def plain(value: str) -> str:
    """A value typed by someone (a building, a unit) as plain text in a markdown line: no markup, one line."""
    return " ".join(value.translate(_MARKDOWN_SIGNS).split())


# the signature ------------------------------------------------------------------------------------------
def dingtalk_signature(secret: str, timestamp_ms: int) -> str:
    """DingTalk's ``sign``: base64 of HMAC-SHA256(key=secret, message=timestamp + "\\n" + secret)."""
    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_url(robot: Robot, now: datetime) -> str:
    """The URL to post to: DingTalk's signed robots get ``timestamp`` and ``sign`` added."""
    if robot.platform != DINGTALK or not robot.secret:
        return robot.url
    timestamp = int(now.timestamp() * 1000)
    sign = quote_plus(dingtalk_signature(robot.secret, timestamp))
    joiner = "&" if "?" in robot.url else "?"
    return f"{robot.url}{joiner}timestamp={timestamp}&sign={sign}"


# the rate -----------------------------------------------------------------------------------------------
class Counter(Protocol):
    def take(self, counter: str, limit: int, expires_at: int) -> bool: ...


def take_turn(
    counter: Counter, robot: Robot, now: datetime, per_minute: int = ROBOT_MESSAGES_PER_MINUTE
) -> None:
    """Count one post against the robot's minute; ``RobotBusy`` when the minute is used up."""
    epoch = int(now.timestamp())
    minute = epoch - epoch % 60
    if not counter.take(f"ROBOT#{robot.platform}#{robot.office}#{minute}", per_minute, minute + 180):
        raise RobotBusy(f"{robot.platform}-busy")


# the post -----------------------------------------------------------------------------------------------
def post(chat: ChatPost, now: datetime, timeout: float = POST_TIMEOUT_SECONDS) -> None:
    """Post one message; return when the platform took it, raise ``RobotFailed`` otherwise."""
    import urllib.error  # here: only the sender of a chat message pays for importing them
    import urllib.request

    platform = chat.robot.platform
    data = json.dumps(chat.payload(), ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 - the URL is the robot's https webhook from SSM
        signed_url(chat.robot, now),
        data=data,
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            answer = response.read(64 * 1024)
    except urllib.error.HTTPError as error:
        raise RobotFailed(f"{platform}-http-{error.code}") from None
    except TimeoutError:
        raise RobotFailed(f"{platform}-timeout") from None
    except urllib.error.URLError as error:
        reason = "timeout" if isinstance(error.reason, TimeoutError) else "unreachable"
        raise RobotFailed(f"{platform}-{reason}") from None
    except OSError:
        raise RobotFailed(f"{platform}-unreachable") from None
    try:
        errcode = json.loads(answer).get("errcode", 0)
    except (ValueError, AttributeError):
        raise RobotFailed(f"{platform}-bad-answer") from None
    if errcode not in (0, "0"):
        raise RobotFailed(f"{platform}-errcode-{errcode}")


# where the robots are -----------------------------------------------------------------------------------
def robot_parameters(path: str) -> dict[str, str]:
    """Every parameter under ``path``, by its name below it (``engineering/wecom``), decrypted and cached."""
    from lobby.links import secret_store

    found = secret_store().get_multiple(path, decrypt=True, recursive=True, max_age=SECRET_CACHE_SECONDS)
    return {str(name).strip("/"): str(value) for name, value in found.items()}


def find_robot(parameters: dict[str, str], office: str, platform: str) -> Robot:
    """The office's robot on ``platform`` from the parameters; ``RobotMissing`` when its URL is not there."""
    url = parameters.get(f"{office}/{platform}")
    if not url:
        raise RobotMissing(f"{platform}-no-webhook")
    secret = parameters.get(f"{office}/{platform}-secret") if platform == DINGTALK else None
    return Robot(platform, office, url, secret or None)
