"""Forms and pages rendered from the catalog, as the API shows them to a resident without JavaScript."""

from __future__ import annotations

import pytest
from lobby_html import Element, parse

from lobby.catalog import Catalog
from views import forms, page

SCRIPT = "<script>alert('x')</script>"


def _form(html: str) -> Element:
    form = parse(html).find("form")
    assert form is not None
    return form


def test_errors_are_summarised_at_the_top_and_told_beside_each_field(catalog: Catalog) -> None:
    errors = {
        "phone": "请输入联系电话",
        "category": "请选择报修类别",
        "consent": "请勾选同意",
    }
    form = _form(forms.render_form(catalog, "repair", "zh", values={}, errors=errors))

    summary = form.one(cls="lobby-error-summary")
    assert (summary.get("role"), summary.get("tabindex")) == ("alert", "-1")
    first_element = next(child for child in form.children if isinstance(child, Element))
    assert first_element is summary
    links = [(link.get("href"), link.text) for link in summary.find_all("a")]
    # In the order of the form, each linking to the field it is about.
    assert links == [
        ("#f-category", "请选择报修类别"),
        ("#f-phone", "请输入联系电话"),
        ("#f-consent", "请勾选同意"),
    ]
    for field_id, message in errors.items():
        assert form.by_id(f"f-{field_id}") is not None, f"the summary links to a missing #f-{field_id}"
        wrapper = form.one(cls="lobby-field", data_field=field_id)
        assert "lobby-field--error" in wrapper.classes
        note = wrapper.one(id=f"f-{field_id}-error")
        assert note.text == f"错误：{message}"
        error_id = f"f-{field_id}-error"
        described = [node for node in form.iter() if error_id in (node.get("aria-describedby") or "").split()]
        assert described, f"nothing points screen readers at the error of {field_id}"
    phone = form.one("input", name="phone")
    assert phone.get("aria-invalid") == "true"
    assert (phone.get("aria-describedby") or "").split() == ["f-phone-hint", "f-phone-error"]
    # Fields without a problem are left alone.
    name = form.one("input", name="name")
    assert not name.has("aria-invalid")
    assert "lobby-field--error" not in form.one(cls="lobby-field", data_field="name").classes


def test_values_are_kept_and_escaped(catalog: Catalog) -> None:
    values = {
        "name": SCRIPT,
        "description": f'漏水 {SCRIPT} "quoted" & more',
        "size": "medium",
        "category": "water",
        "building": '3栋" onfocus="alert(1)',
        "consent": "yes",
    }
    html = forms.render_form(catalog, "repair", "zh", values=values, errors={"phone": SCRIPT})

    assert "<script>" not in html
    assert 'onfocus="alert(1)"' not in html
    form = _form(html)
    assert form.one("input", name="name").get("value") == SCRIPT
    assert form.one("input", name="building").get("value") == values["building"]
    assert not form.one("input", name="building").has("onfocus")
    assert form.one("textarea", name="description").text == " ".join(values["description"].split())
    assert [radio.get("value") for radio in form.find_all("input", name="size") if radio.has("checked")] == [
        "medium"
    ]
    assert [option.get("value") for option in form.find_all("option") if option.has("selected")] == ["water"]
    assert form.one("input", name="consent").has("checked")
    assert form.one(cls="lobby-error-summary").one("a").text == SCRIPT
    assert form.one(id="f-phone-error").text == f"错误：{SCRIPT}"


def test_a_problem_without_a_field_is_listed_as_text(catalog: Catalog) -> None:
    form = _form(forms.render_form(catalog, "complaint", "en", errors={"colour": "Unknown field colour"}))
    item = form.one(cls="lobby-error-summary").one("li")
    assert item.text == "Unknown field colour"
    assert item.find("a") is None


def test_no_errors_means_no_summary_and_empty_fields(catalog: Catalog) -> None:
    form = _form(forms.render_form(catalog, "suggestion", "en"))
    assert form.find(cls="lobby-error-summary") is None
    assert form.find(cls="lobby-error-message") is None
    assert all(node.get("value") in ("", None) for node in form.find_all("input", type="text"))
    assert not form.one("input", name="consent").has("checked")


def test_few_choices_are_radios_and_many_are_a_list(catalog: Catalog) -> None:
    form = _form(forms.render_form(catalog, "repair", "en"))
    size = catalog.kinds["repair"].field("size")
    radios = form.find_all("input", name="size")
    assert len(radios) == len(catalog.choices(size)) <= forms.MAX_RADIOS
    # The first radio carries the field's id, so the summary's #f-size link lands on it.
    assert radios[0].get("id") == "f-size"
    assert len({radio.get("id") for radio in radios}) == len(radios)
    for radio in radios:
        assert form.one("label", for_=radio.get("id") or "").text
    fieldset = form.one(cls="lobby-field", data_field="size").one("fieldset")
    legend = fieldset.one("legend").text
    assert legend.startswith(size.label("en")) and legend.endswith("(optional)") == (not size.required)
    category = catalog.kinds["repair"].field("category")
    assert len(catalog.choices(category)) > forms.MAX_RADIOS
    assert form.one("select", name="category").get("id") == "f-category"


def test_paid_services_show_their_prices(catalog: Catalog) -> None:
    form = _form(forms.render_form(catalog, "paid-service", "zh"))
    labels = [label.text for label in form.find_all("label", cls="lobby-radio__label")]
    for price in catalog.prices.values():
        assert any(price.name("zh") in label and f"{price.price:g} 元" in label for label in labels)
    assert form.one("input", name="preferred_date").get("type") == "date"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_status_form_posts_reference_and_contact(lang: str) -> None:
    form = _form(forms.render_status_form(lang))
    assert "lobby-status-form" in form.classes
    assert (form.get("method"), form.get("action")) == ("post", "/api/status")
    names = {node.get("name") for node in form.iter() if node.tag in {"input", "select", "textarea"}}
    assert names == {"reference", "contact", "lang"}
    assert form.one("input", name="lang").get("value") == lang
    for field_id in ("reference", "contact"):
        assert form.one("label", for_=f"f-{field_id}").text
        assert form.one("input", name=field_id).has("required")


def test_status_form_shows_its_errors() -> None:
    form = _form(
        forms.render_status_form("en", values={"reference": SCRIPT}, errors={"contact": "Enter a phone"})
    )
    assert form.one("input", name="reference").get("value") == SCRIPT
    assert form.one(cls="lobby-error-summary").one("a").get("href") == "#f-contact"
    assert form.one(id="f-contact-error").text == "Error: Enter a phone"


@pytest.mark.parametrize(("lang", "home"), [("zh", "/"), ("en", "/en/")])
def test_standalone_page_uses_the_site_look_and_links_home(lang: str, home: str) -> None:
    document = parse(page.render_page(lang, f"Title {SCRIPT}", "<h1>Body</h1>"))
    assert document.one("html").get("lang") == lang
    assert document.one("title").text.startswith(f"Title {SCRIPT}")
    assert "<script>alert" not in page.render_page(lang, SCRIPT, "")
    sheets = [link.get("href") for link in document.find_all("link", rel="stylesheet")]
    # Material's stylesheet (its stable copy, site/hooks/page_assets.py), then the site's own.
    assert sheets == ["/assets/stylesheets/material.css", "/assets/stylesheets/lobby.css"]
    assert "md-typeset" in document.one("article").classes
    assert home in {link.get("href") for link in document.find_all("a")}
    assert document.one("main").one("h1").text == "Body"
