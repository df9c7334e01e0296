"""The numbers the property office has decided: one module, read by the code and by the handbook.

A sentence never types one of these numbers. It names a placeholder, and the code fills it
from here (``views.wording.describe_timedelta(REWORK_WITHIN, "en")`` → "24 hours");
the handbook's ``<!-- lobby:limit … -->`` markers read the same values (site/hooks/system_facts.py).
Change a number here and the e-mails, the pages and the handbook all follow; the catalog test
(tests/unit/test_messages.py) fails if a sentence in the message catalog still types the old one.

To add a number: give it a name here, import it where it is enforced, and, if the handbook
states it, add it to ``system_facts.limits()``.
"""

from __future__ import annotations

from datetime import time, timedelta

# --- promises to residents ---------------------------------------------------------------------------

REWORK_WITHIN = timedelta(hours=24)  # a reopened request is visited and reworked within this
AUTOCLOSE_AFTER = timedelta(days=7)  # a resolved request nobody follows up closes after the rating window
FOLLOW_UP_REPEAT = timedelta(days=1)  # the service centre is reminded of a due follow-up this often

SERVICE_LINE_HOURS = 24  # the property's service line (catalog property.phone_24h) answers round the clock

RATING_SCALES = ("quality", "effect", "attitude")  # what a follow-up scores (seed 002)
RATING_LOWEST = 1  # a follow-up's scores (quality, effect, attitude) run from here ...
RATING_HIGHEST = 5  # ... to here

# --- the resident's own request page (lobby/resident_steps.py) ----------------------------------------

# What a resident may type there, in characters. Well inside the API's 16 KB body even in Chinese (a
# character is 9 bytes once a form encodes it), so a too-long text is answered with the form again.
RESIDENT_INFORMATION_MAX_CHARS = 1000  # "add information": appended to the request's history
CANCEL_REASON_MAX_CHARS = 300  # the reason a resident gives for cancelling their request

# --- links in e-mails --------------------------------------------------------------------------------

STAFF_LINK_LIFETIME = timedelta(days=14)  # an office e-mail's action links
RESIDENT_LINK_LIFETIME = timedelta(days=30)  # a resident's rating link
# A company spot check's link (lobby.spot_checks): it is due with the follow-up, a month after a repair at
# the latest, and the checker may need a little longer to reach the resident.
SPOT_CHECK_LINK_LIFETIME = timedelta(days=45)
SIGN_IN_LINK_LIFETIME = timedelta(minutes=15)  # the desk's e-mailed sign-in link, used once
SECRET_CACHE_SECONDS = 300  # how long a function keeps the signing secret before reading it again

# --- group robots (WeCom, DingTalk) -------------------------------------------------------------------

ROBOT_MESSAGES_PER_MINUTE = 20  # both platforms' documented limit per robot; more wait for the next minute

# --- duplicates ---------------------------------------------------------------------------------------

DEDUPE_WINDOW_SECONDS = 600  # the same request sent again within this is registered once

# --- quiet hours ---------------------------------------------------------------------------------------
# Reminders of kinds not marked urgent are held outside office hours (the catalog's
# property.office_hours and calendar); a deadline falling exactly at closing time keeps its
# reminder on that day when it lands within this grace.
CLOSING_GRACE = timedelta(minutes=1)

# --- lists in e-mails ---------------------------------------------------------------------------------

DIGEST_LIST_LIMIT = 100  # rows of the digest's "other open requests"; the counts always cover them all
MONTHLY_LIST_LIMIT = 30  # rows of a list in the monthly e-mail; the CSV always has them all

# --- the monthly report's red flags --------------------------------------------------------------------

WINDOW_MONTHS = 3  # the report month and the two before it: repeats and late ratings are looked for here
# The rules: a complaint about the same matter twice or more, the same repair three times or more.
REPEAT_THRESHOLDS = {"complaint": 2, "repair": 3}  # same flat, same category, this many times or more

# --- follow-up sampling (seed 002; lobby/sampling.py explains the bands and their shared end points) ----

FIXED_SMALL = 5  # work orders followed up in a month of fewer than LOW_BAND_FROM
LOW_BAND_FROM = 20  # from here to LOW_BAND_TO: LOW_BAND_PERCENT, rounded up
LOW_BAND_TO = 50
LOW_BAND_PERCENT = 30
HIGH_BAND_PERCENT = 15  # above LOW_BAND_TO and below LARGE_FROM, rounded up
LARGE_FROM = 100  # from here on: FIXED_LARGE
FIXED_LARGE = 20

# --- text messages to residents (lobby/texts.py) -------------------------------------------------------

TEXT_QUIET_FROM = time(21, 0)  # no texts from this local time ...
TEXT_QUIET_UNTIL = time(8, 0)  # ... until this one, unless the request's kind is urgent: they wait
TEXTS_PER_REQUEST_PER_DAY = 4  # texts one request may cause in a local day; more are left out
TEXT_LINK_LIFETIME = timedelta(days=400)  # a text's status link works this long after the request's day
TEXT_SITE_URL_LONGEST = (
    24  # the site's address as long as the one-segment texts allow (https://wy.example.cn)
)

# --- photos on a request (lobby/photos.py, photos/clean.py) -------------------------------------------

PHOTO_KINDS = ("repair", "complaint", "help")  # the kinds whose residents may attach photos
PHOTOS_PER_REQUEST = 5  # photos one request may carry, however they arrive
PHOTO_MAX_MB = 10  # one photo uploaded straight to the bucket (the presigned POST's content-length-range)
FORM_PHOTO_MAX_MB = 5  # what a form without JavaScript may send through the API at once, its photos together
PHOTO_UPLOAD_LIFETIME = timedelta(minutes=5)  # a presigned POST works this long, for one slot of one request
PHOTO_TOKEN_LIFETIME = timedelta(days=1)  # the receipt's "add photos" permission, for its one request
PHOTO_VIEW_LIFETIME = timedelta(
    minutes=15
)  # a presigned GET of a photo (desk card, status page, e-mail redirect)
PHOTO_LONG_SIDE = 2560  # a stored photo's longer side, in pixels, at most
THUMB_LONG_SIDE = 320  # a thumbnail's longer side
PHOTO_MAX_PIXELS = 50_000_000  # a decoded image larger than this is refused (a decompression bomb)
