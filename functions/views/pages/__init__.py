"""The API's own HTML pages: ``resident`` (receipt, status, form errors), ``signed_links`` (staff actions, ratings)."""
