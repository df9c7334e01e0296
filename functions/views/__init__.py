"""Everything a person reads: the message catalog, the e-mails and the API's pages.

The domain (``lobby``) decides and returns facts; this package turns facts into words and HTML.
``views.messages`` is the catalog (gettext, one ``.po`` per language under ``views/locale``).
"""
