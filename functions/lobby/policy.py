"""The numbers the property office has decided: one module, read by the code and by the handbook.

A sentence never types one of these numbers. It names a placeholder, and the code fills it
from here (``views.wording.describe_timedelta(REWORK_WITHIN, lang)`` → "24 小时" / "24 hours");
the handbook's ``<!-- lobby:limit … -->`` markers read the same values (site/hooks/system_facts.py).
Change a number here and the e-mails, the pages and the handbook all follow; the catalog test
(tests/unit/test_messages.py) fails if a sentence in the message catalog still types the old one.

To add a number: give it a name here, import it where it is enforced, and, if the handbook
states it, add it to ``system_facts.limits()``.
"""

from __future__ import annotations

from datetime import timedelta

# --- promises to residents ---------------------------------------------------------------------------

REWORK_WITHIN = timedelta(hours=24)  # a reopened request is visited and reworked within this
AUTOCLOSE_AFTER = timedelta(days=7)  # a resolved request nobody follows up closes after the rating window
FOLLOW_UP_REPEAT = timedelta(days=1)  # the service centre is reminded of a due follow-up this often

# --- links in e-mails --------------------------------------------------------------------------------

STAFF_LINK_LIFETIME = timedelta(days=14)  # an office e-mail's action links
RESIDENT_LINK_LIFETIME = timedelta(days=30)  # a resident's rating link
SECRET_CACHE_SECONDS = 300  # how long a function keeps the signing secret before reading it again

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
