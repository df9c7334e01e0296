"""The office's desk: the staff roster, sign-in and sessions, the queue, the request card, registration.

Plain Python over ``lobby``: the API's desk routes (``api.desk_*``) wire these to HTTP, the pages
live in ``views.pages.desk*``, and the table is reached through ``lobby.storage.desk``.
"""
