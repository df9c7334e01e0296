"""The e-mails, one module each; ``bodies`` lays out their text and HTML.

- ``office``: a request for an office (new, passed on, reopened), with its action links
- ``reminder``: a reminder or escalation from the reminder ladder, and the follow-up due
- ``director_alert``: a resident not satisfied at follow-up
- ``spot_check``: a company spot check, for the office that drew it, with the link to record it
- ``owner``: the owner's next steps after each staff action, with the request's card
- ``resident``: the resident's receipt and each update on their request
- ``digest``: an office's morning list
- ``monthly``: the director's monthly report (``monthly_csv``: its attachment)

Who hears of which event is ``lobby.notifications``; ``events`` picks the e-mail for each role.
"""
