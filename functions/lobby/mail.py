"""SES v2: the only module that sends e-mail."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from msgspec import Struct

if TYPE_CHECKING:
    from mypy_boto3_sesv2.client import SESV2Client


class Mail(Struct, frozen=True):
    """One e-mail to one recipient. ``role`` names the recipient for the sent-marker (office, resident …)."""

    role: str
    to: str
    subject: str
    text: str
    html: str


@cache
def ses_client() -> SESV2Client:
    import boto3

    return boto3.client("sesv2")


def one_line(text: str) -> str:
    """Subjects are single lines whatever a resident typed: no header can be smuggled in."""
    return " ".join(text.split())[:200]


def send(mail: Mail, sender: str, client: SESV2Client | None = None) -> str:
    """Send through SES v2 and return its message id. Errors propagate: the caller decides on retries."""
    response = (client or ses_client()).send_email(
        FromEmailAddress=sender,
        Destination={"ToAddresses": [mail.to]},
        Content={
            "Simple": {
                "Subject": {"Data": one_line(mail.subject), "Charset": "UTF-8"},
                "Body": {
                    "Text": {"Data": mail.text, "Charset": "UTF-8"},
                    "Html": {"Data": mail.html, "Charset": "UTF-8"},
                },
            }
        },
    )
    return response["MessageId"]


class Attachment(Struct, frozen=True):
    """A file sent with an e-mail, such as the monthly statistics CSV."""

    filename: str
    content: bytes
    content_type: str  # "text/csv"


def mime_message(mail: Mail, sender: str, attachment: Attachment) -> bytes:
    """A multipart/mixed message: the text and HTML bodies as alternatives, then the attachment."""
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import formatdate

    message = EmailMessage(policy=SMTP)
    message["Date"] = formatdate(usegmt=True)  # the moment it is handed to SES
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = one_line(mail.subject)
    # base64 keeps every line 7-bit clean, as SES recommends for raw messages with non-ASCII text
    message.set_content(mail.text, subtype="plain", charset="utf-8", cte="base64")
    message.add_alternative(mail.html, subtype="html", charset="utf-8", cte="base64")
    maintype, subtype = attachment.content_type.split("/", 1)
    message.add_attachment(
        attachment.content, maintype=maintype, subtype=subtype, filename=one_line(attachment.filename)
    )
    return message.as_bytes()


def send_with_attachment(
    mail: Mail, sender: str, attachment: Attachment, client: SESV2Client | None = None
) -> str:
    """Send a message with one attachment through SES v2 (raw content) and return its message id."""
    response = (client or ses_client()).send_email(
        FromEmailAddress=sender,
        Destination={"ToAddresses": [mail.to]},
        Content={"Raw": {"Data": mime_message(mail, sender, attachment)}},
    )
    return response["MessageId"]
