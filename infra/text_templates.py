"""Print the text-message templates for registration (``make text-templates``).

Messages to mainland China numbers are delivered only when their templates are registered with AWS
(a support case; site/docs/admin/deploy). This prints each template of the message catalog
(``text.<event>``) in every language, with its variables, the longest it can get and the segment
limit, ready to paste into the case.
"""

from __future__ import annotations

import re


def main() -> int:
    import compile_messages

    compile_messages.compile_all()
    from lobby import policy
    from lobby.catalog import load_catalog
    from lobby.text_links import PATH, TOKEN_LENGTH
    from views.messages import languages, translate
    from views.texts import TEXT_EVENTS, segment_size

    catalog = load_catalog()
    link = (
        "https://"
        + "w" * (policy.TEXT_SITE_URL_LONGEST - len("https://.cn"))
        + ".cn"
        + PATH
        + "x" * TOKEN_LENGTH
    )
    print(
        f"Lobby text-message templates ({len(TEXT_EVENTS)} per language), each signed with the property's name."
    )
    print("Variables: ${kind} the kind of request, ${link} a link to its status page on this site.\n")
    for lang in languages():
        kinds = [kind.name(lang) for kind in catalog.kinds.values()]
        signed = catalog.property.name(lang)
        print(f"== {lang} (kinds: {', '.join(kinds)})")
        for event in TEXT_EVENTS:
            values = {"reference": "20261231-999999"}
            template = translate(lang, f"text.{event}", kind="{kind}", link="{link}", **values)
            longest = translate(lang, f"text.{event}", kind=max(kinds, key=len), link=link, **values)
            length, limit = segment_size(translate(lang, "text.signed", property=signed, body=longest))
            shown = re.sub(
                r"\{(\w+)\}", r"${\1}", translate(lang, "text.signed", property=signed, body=template)
            )
            print(f"{event:12} {shown}\n{'':12} longest {length} of {limit} characters")
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
