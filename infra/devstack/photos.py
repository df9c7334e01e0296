"""The photo bucket's event notifications, for the local stack.

moto stores an upload but sends no S3 event to Lambda. The local stack polls instead: every half
second it lists the bucket under each S3 subscription's prefix (the template's ``Type: S3`` events,
``incoming/`` for PhotoFunction) and invokes the function with the event S3 would have sent, once
per object version. Both ways in land there: a browser's presigned POST and the API's form path.
A poll rather than a hook in the front, because the form path writes to moto from inside the API
function, which the front never sees; the function deletes what it has handled, so a listing is
never more than the uploads in flight.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import boto3

from devstack.functions import Background, LocalFunction, describe_failure
from devstack.s3post import object_created

log = logging.getLogger("lobby.local")


@dataclass(frozen=True)
class BucketSubscription:
    function: LocalFunction
    prefix: str


def bucket_subscriptions(functions: dict[str, LocalFunction]) -> list[BucketSubscription]:
    """Each function's S3 events, with the key prefix its filter names (empty: the whole bucket)."""
    found = []
    for function in functions.values():
        for event in function.events.values():
            if event.get("Type") != "S3":
                continue
            rules = (((event["Properties"].get("Filter") or {}).get("S3Key") or {}).get("Rules")) or []
            prefix = next((str(rule["Value"]) for rule in rules if rule.get("Name") == "prefix"), "")
            found.append(BucketSubscription(function, prefix))
    return found


class UploadPoller(Background):
    """Invokes a bucket's subscribed function for each new object under its prefix."""

    def __init__(
        self,
        subscription: BucketSubscription,
        bucket: str,
        region: str,
        *,
        interval: float = 0.5,
        debug: bool = False,
    ) -> None:
        super().__init__(f"s3-{subscription.function.logical_id}")
        self.subscription = subscription
        self.bucket = bucket
        self.region = region
        self._interval = interval
        self._debug = debug
        self._seen: set[tuple[str, str]] = set()
        self._client: Any = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception as error:  # the poller outlives any one bad listing or failed invocation
                log.warning("upload poller: %s", describe_failure(error, self._debug))
            self._stop.wait(self._interval)

    def poll_once(self) -> int:
        """Deliver the objects not seen before; how many."""
        if self._client is None:
            self._client = boto3.client("s3")
        listing = self._client.list_objects_v2(Bucket=self.bucket, Prefix=self.subscription.prefix)
        delivered = 0
        for item in listing.get("Contents", []):
            version = (item["Key"], item["ETag"] + str(item["LastModified"]))
            if version in self._seen:
                continue
            self._seen.add(version)
            self.subscription.function.invoke(
                object_created(self.bucket, item["Key"], item["Size"], self.region)
            )
            delivered += 1
        return delivered
