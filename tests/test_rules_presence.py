"""Group A rules (presence and markup): pages that must and must not trigger each rule, and the SPEC's
real-world examples, each asserted with its exact rule id, location and values."""

from __future__ import annotations

import pytest
from sdg_tags.taxonomy.annexes import annex1_item
from sdg_tags.validators.engine import apply_options, check_page
from sdg_tags.validators.extraction import extract_tags
from sdg_tags.validators.models import Finding, ValidationOptions
from sdg_tags.validators.rules import RULES, RuleContext
from sdg_tags.validators.rules.presence import compare_rendered

from tests.pages import TAG_LINE, VALID_TAGS, only, page, rule_ids, with_tags


def renamed(old: str, new: str, attribute: str = "name") -> list[tuple[str, str, str | None]]:
    """VALID_TAGS with the tag `old` written as `new` (and `attribute`)."""
    return [
        (attribute, new, content) if name == old else ("name", name, content) for name, content in VALID_TAGS
    ]


def test_valid_page_has_no_findings() -> None:
    result = check_page(page(VALID_TAGS))
    assert result.findings == []
    assert result.verdict == "compliant"


# --- no-sdg-tags / tag-other-syntax-only -------------------------------------------------------------------


def test_untagged_page_is_not_self_describing() -> None:
    result = check_page(page([]))
    assert rule_ids(result) == {"no-sdg-tags"}
    finding = only(result, "no-sdg-tags")
    assert finding.severity == "info"
    assert "upload, manual entry or the web service" in finding.message
    assert result.verdict == "not-self-describing"


def test_lone_dc_language_does_not_count_as_tagging() -> None:
    result = check_page(page([("DC.Language", "sv")], lang=None))
    assert rule_ids(result) == {"no-sdg-tags"}
    assert "only DC.Language" in only(result, "no-sdg-tags").message
    assert result.verdict == "not-self-describing"


@pytest.mark.parametrize(
    ("extra", "body", "kind"),
    [
        ('<script type="application/ld+json">{"sdg-tag": "sdg", "DC.ISO3166": "SE"}</script>', "", "json-ld"),
        ("<script>window.tags = {'policy-code': 'C2'};</script>", "", "script"),
        ("", '<span itemprop="policy-code">C2</span>', "markup attributes (microdata/RDFa)"),
    ],
)
def test_sdg_data_only_in_another_syntax(extra: str, body: str, kind: str) -> None:
    result = check_page(page([], head_extra=extra, body=body))
    assert rule_ids(result) == {"tag-other-syntax-only"}
    finding = only(result, "tag-other-syntax-only")
    assert finding.value == kind
    assert result.verdict == "not-self-describing"


def test_other_syntax_next_to_meta_tags_is_not_reported() -> None:
    extra = '<script type="application/ld+json">{"sdg-tag": "sdg"}</script>'
    assert check_page(page(VALID_TAGS, head_extra=extra)).findings == []


# --- tag-name-case -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("canonical", "written"),
    [("DC.Location", "DC.location"), ("DC.Service", "DC.service"), ("DC.Service", "dc.service")],
    ids=["pilot DC.location", "pilot DC.service", "ePortugal dc.service"],
)
def test_tag_name_case_seen(canonical: str, written: str) -> None:
    tags = (
        renamed(canonical, written) if canonical != "DC.Location" else [*VALID_TAGS, ("DC.location", "BE1")]
    )
    result = check_page(page(tags))
    assert rule_ids(result) == {"tag-name-case"}
    finding = only(result, "tag-name-case")
    assert (finding.tag, finding.value, finding.expected) == (canonical, written, canonical)
    assert finding.severity == "warning"
    assert result.verdict == "compliant-with-warnings"


def test_tag_name_case_is_an_error_in_the_strict_profile() -> None:
    result = check_page(
        page(renamed("DC.Service", "dc.service")), options=ValidationOptions(profile="strict")
    )
    assert only(result, "tag-name-case").severity == "error"
    assert result.verdict == "non-compliant"


# --- tag-name-typo -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("canonical", "written"),
    [
        ("DC.ISO3166", "DC.ISO03166"),
        ("policy-code", "dc_policy-code"),
        ("DC.ISO3166", "ISO3166"),
        ("policy-code", "policy_code"),
        ("sdg-tag", "sdg_tag"),
    ],
    ids=["Swedish guidance DC.ISO03166", "pilot crawler dc_policy-code", "ISO3166", "policy_code", "sdg_tag"],
)
def test_tag_name_typo_seen(canonical: str, written: str) -> None:
    result = check_page(page(renamed(canonical, written)))
    # Reported once as a typo: the tag is not also missing, and its (valid) value raises nothing.
    assert rule_ids(result) == {"tag-name-typo"}
    finding = only(result, "tag-name-typo")
    assert (finding.tag, finding.value, finding.expected) == (canonical, written, canonical)
    assert finding.line == TAG_LINE + [name for name, _ in VALID_TAGS].index(canonical)
    assert finding.severity == "error"


def test_typo_tag_value_is_still_checked() -> None:
    result = check_page(page(renamed("DC.ISO3166", "DC.ISO03166")).replace(b'"BE"', b'"GR"'))
    assert rule_ids(result) == {"tag-name-typo", "country-gr-instead-of-el"}


def test_whitespace_around_a_name_is_a_typo() -> None:
    result = check_page(page(renamed("sdg-tag", " sdg-tag ")))
    assert rule_ids(result) == {"tag-name-typo"}
    assert only(result, "tag-name-typo").value == " sdg-tag "


def test_curly_quoted_typo_names_the_quotes_and_the_extra_digit() -> None:
    """Swedish guidance page: `”DC.ISO03166”`; the prefix is there, the quotes and the extra 0 are not right."""
    result = check_page(page(renamed("DC.ISO3166", "”DC.ISO03166”")))
    assert rule_ids(result) == {"tag-name-typo", "markup-typographic-quotes"}
    message = only(result, "tag-name-typo").message
    assert "wrapped in quote characters (”)" in message
    assert "an extra '0' in '03166'" in message
    assert "prefix" not in message


def test_typo_without_quotes_names_no_quotes() -> None:
    message = only(check_page(page(renamed("DC.ISO3166", "DC.ISO03166"))), "tag-name-typo").message
    assert "an extra '0'" in message
    assert "quote" not in message and "prefix" not in message


@pytest.mark.parametrize("name", ["DC.Creator", "DC.Title", "dcterms.language", "DC.Subject", "description"])
def test_real_metadata_names_are_not_typos(name: str) -> None:
    result = check_page(page([*VALID_TAGS, (name, "x")]))
    assert result.findings == []


# --- tag-property-attribute --------------------------------------------------------------------------------


@pytest.mark.parametrize("attribute", ["property", "itemprop"])
def test_property_attribute_seen_on_eportugal(attribute: str) -> None:
    result = check_page(page(renamed("sdg-tag", "sdg-tag", attribute)))
    assert rule_ids(result) == {"tag-property-attribute"}
    finding = only(result, "tag-property-attribute")
    assert (finding.tag, finding.value, finding.expected, finding.line) == (
        "sdg-tag",
        "sdg-tag",
        'name="sdg-tag"',
        TAG_LINE,
    )
    assert check_page(
        page(renamed("sdg-tag", "sdg-tag", attribute)), options=ValidationOptions(profile="strict")
    ).verdict == ("non-compliant")


# --- tag-duplicate -----------------------------------------------------------------------------------------


def test_duplicate_tag_lists_all_occurrences_and_merges_values() -> None:
    result = check_page(page([*VALID_TAGS, ("DC.Service", "procedure")]))
    assert rule_ids(result) == {"tag-duplicate"}
    finding = only(result, "tag-duplicate")
    assert (finding.tag, finding.value, finding.line) == ("DC.Service", "procedure", TAG_LINE + 5)
    assert finding.expected == "information;procedure"
    assert f"line {TAG_LINE + 2} 'information' (effective)" in finding.message
    assert f"line {TAG_LINE + 5} 'procedure'" in finding.message
    assert result.page_types == ["information"]  # the first occurrence is effective


def test_duplicate_occurrences_are_validated_too() -> None:
    result = check_page(page([*VALID_TAGS, ("DC.ISO3166", "GR")]))
    assert rule_ids(result) == {"tag-duplicate", "country-gr-instead-of-el"}
    assert only(result, "country-gr-instead-of-el").line == TAG_LINE + 5


def test_single_occurrences_are_no_duplicates() -> None:
    assert "tag-duplicate" not in rule_ids(check_page(page(with_tags(DC_Location="BE1", DC_Language="en"))))


# --- tag-empty ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "content", "words"),
    [
        ("DC.Location", "", "is empty ('')"),
        ("DC.Location", None, "has no content attribute"),
        ("DC.Location", " ; ", "is empty"),
        ("DC.Language", "", "is empty ('')"),
    ],
)
def test_empty_optional_tag(tag: str, content: str | None, words: str) -> None:
    result = check_page(page([*VALID_TAGS, (tag, content)]))
    assert rule_ids(result) == {"tag-empty"}
    finding = only(result, "tag-empty")
    assert (finding.tag, finding.line, finding.value) == (tag, TAG_LINE + 5, content)
    assert words in finding.message


def test_empty_dc_policy_is_tag_empty() -> None:
    result = check_page(page(with_tags(DC_Policy="")))
    assert "tag-empty" in rule_ids(result)
    assert only(result, "tag-empty").tag == "DC.Policy"


def test_empty_dc_language_without_lang_is_language_missing_not_tag_empty() -> None:
    result = check_page(page([*VALID_TAGS, ("DC.Language", "")], lang=None))
    assert rule_ids(result) == {"language-missing"}
    assert "DC.Language is empty" in only(result, "language-missing").message


def test_empty_mandatory_tag_is_only_its_missing_rule() -> None:
    result = check_page(page(with_tags(DC_ISO3166="")))
    assert rule_ids(result) == {"country-missing"}
    assert "empty" in only(result, "country-missing").message


# --- tag-outside-head --------------------------------------------------------------------------------------


def test_tag_in_body_is_found_and_reported() -> None:
    # The head lacks policy-code, so the body is read (docs/extraction.md: the fast path).
    head = with_tags(policy_code=None)
    result = check_page(page(head, body='\n<p>Text</p><meta name="policy-code" content="C2">'))
    assert rule_ids(result) == {"tag-outside-head"}
    finding = only(result, "tag-outside-head")
    assert (finding.tag, finding.line, finding.column) == ("policy-code", TAG_LINE + 7, 12)


def test_non_head_element_before_tags_moves_them_to_the_body() -> None:
    result = check_page(
        page([("sdg-tag", "sdg")], head_extra="").replace(b"<head>", b"<head><div>banner</div>")
    )
    assert "tag-outside-head" in rule_ids(result)


def test_tracking_pixel_noscript_does_not_end_the_head() -> None:
    pixel = '<noscript><img src="https://example.org/p.gif"></noscript>'
    html = page(VALID_TAGS).replace(b'<meta charset="utf-8">', f'<meta charset="utf-8">{pixel}'.encode())
    assert check_page(html).findings == []


# --- markup-typographic-quotes -----------------------------------------------------------------------------

HETCAK_HEAD = """<!DOCTYPE html>
<html lang="nl">
<head>
<meta name="sdg-tag" content="sdg">
<meta name="DC.ISO3166" content="NL">
<meta name="DC.Service" content="procedure">
<meta name="policy-code" content="B2">
<meta name="DC.Policy" content="Ziektekostenverzekering buitenland”/>
<link rel="canonical" href="https://www.hetcak.nl/regelingen">
<title>CAK</title>
</head><body></body></html>
"""


def test_hetcak_value_swallowing_the_next_link() -> None:
    result = check_page(HETCAK_HEAD.encode())
    assert rule_ids(result) == {"markup-typographic-quotes"}
    finding = only(result, "markup-typographic-quotes")
    assert (finding.tag, finding.line, finding.column) == ("DC.Policy", 8, 1)
    assert finding.value == "Ziektekostenverzekering buitenland”/>\n<link rel="
    assert finding.expected == "Ziektekostenverzekering buitenland"
    assert "'/>'" in finding.message
    assert result.canonical_url is None  # the link element was swallowed


def test_guidance_page_printing_typographic_quotes_around_the_name() -> None:
    html = page(VALID_TAGS[1:], head_extra="<meta name=”sdg-tag” content=”sdg”/>")
    result = check_page(html)
    assert rule_ids(result) == {"markup-typographic-quotes"}
    finding = only(result, "markup-typographic-quotes")
    assert (finding.tag, finding.value, finding.expected) == ("sdg-tag", "”sdg”/", "sdg")
    assert "the name '”sdg-tag”'" in finding.message


@pytest.mark.parametrize("content", ["“C2”", "'C2'", "„C2“", "C2″"])
def test_quote_debris_in_a_value_is_reported_once(content: str) -> None:
    result = check_page(page(with_tags(policy_code=content)))
    assert rule_ids(result) == {"markup-typographic-quotes"}
    assert only(result, "markup-typographic-quotes").expected == "C2"


def test_value_with_meta_debris() -> None:
    html = page(VALID_TAGS[1:]).replace(
        b'<meta charset="utf-8">', b'<meta charset="utf-8">\n<meta name="sdg-tag" content="sdg>'
    )
    result = check_page(html)
    finding = only(result, "markup-typographic-quotes")
    assert finding.tag == "sdg-tag"
    assert "'<meta'" in finding.message


def test_quotes_inside_a_value_are_fine() -> None:
    # Dutch page: DC.Policy titles are not compared (no Dutch title list), only the markup matters here.
    tags = with_tags(DC_Policy="Het “CAK” en de zorgverzekering")
    assert check_page(page(tags, lang="nl")).findings == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("sdg-tag", "”sdg”"),
        ("DC.ISO3166", "‘BE’"),
        ("DC.Service", "“information”"),
        ("DC.Language", "″en″"),
        ("policy-code", "“C2”"),
    ],
)
def test_typographic_quotes_around_a_code_list_value(name: str, content: str) -> None:
    result = check_page(page([*((n, c) for n, c in VALID_TAGS if n != name), (name, content)]))
    assert rule_ids(result) == {"markup-typographic-quotes"}
    finding = only(result, "markup-typographic-quotes")
    assert (finding.tag, finding.expected) == (name, content.strip("”‘’“″"))


def test_typographic_quotes_around_a_location_code() -> None:
    result = check_page(page(with_tags(DC_Location="“BE1”")))
    assert rule_ids(result) == {"markup-typographic-quotes"}
    assert only(result, "markup-typographic-quotes").expected == "BE1"


@pytest.mark.parametrize(
    "policy",
    [
        "acquiring and renewing a driving licence 'VA'",
        "acquiring and renewing a driving licence &quot;VA&quot;",
        "«acquiring and renewing a driving licence»",
        "„acquiring and renewing a driving licence“",
        "'acquiring and renewing a driving licence'",
    ],
    ids=["straight-single", "straight-double", "guillemets", "low-high", "wrapped-single"],
)
def test_quotes_in_free_text_dc_policy_are_ordinary_text(policy: str) -> None:
    """SPEC §6.2: an editor's DC.Policy may end in a quote (`'VA'`); that is text, not markup debris."""
    result = check_page(page(with_tags(DC_Policy=policy)))
    assert "markup-typographic-quotes" not in rule_ids(result)
    assert result.findings == []


def test_quote_at_the_end_of_dc_policy_is_kept_in_its_items() -> None:
    from sdg_tags.validators.rules.values import split_items

    items = split_items("Veteran benefits 'VA'", "DC.Policy")
    assert [item.text for item in items] == ["Veteran benefits 'VA'"]
    assert [item.text for item in split_items("”sdg”", "sdg-tag")] == ["sdg"]


def test_quotes_around_an_assistance_title_are_ordinary_text() -> None:
    tags = with_tags(DC_Service="assistance", policy_code="'SOLVIT'", DC_Policy=None)
    assert "markup-typographic-quotes" not in rule_ids(check_page(page(tags)))


def test_markup_debris_in_free_text_is_still_reported() -> None:
    result = check_page(page(with_tags(DC_Policy="acquiring and renewing a driving licence”/>")))
    assert rule_ids(result) == {"markup-typographic-quotes"}
    assert only(result, "markup-typographic-quotes").expected == "acquiring and renewing a driving licence"


# --- tags-only-after-javascript / tags-changed-by-javascript -----------------------------------------------


def rendered_findings(static_html: bytes, rendered_html: bytes) -> list[Finding]:
    static = extract_tags(static_html)
    rendered = extract_tags(rendered_html, origin="rendered")
    ctx = RuleContext(rendered, ValidationOptions())
    return apply_options(compare_rendered(static, rendered, ctx), ctx.options)


def test_tags_only_after_javascript_react_portal() -> None:
    findings = rendered_findings(page([], lang=None), page(VALID_TAGS))
    assert [(f.rule, f.tag, f.origin) for f in findings] == [
        ("tags-only-after-javascript", tag, "rendered")
        for tag in ("sdg-tag", "DC.ISO3166", "DC.Service", "policy-code", "DC.Policy")
    ] + [("tags-only-after-javascript", "html-lang", "rendered")]
    assert findings[0].line == TAG_LINE


def test_tags_changed_by_javascript() -> None:
    findings = rendered_findings(page(VALID_TAGS), page(with_tags(DC_Service="information;procedure")))
    assert [(f.rule, f.tag, f.value, f.expected) for f in findings] == [
        ("tags-changed-by-javascript", "DC.Service", "information;procedure", "information;procedure")
    ]
    removed = rendered_findings(page(VALID_TAGS), page(with_tags(DC_Policy=None)))
    assert [(f.rule, f.tag) for f in removed] == [("tags-changed-by-javascript", "DC.Policy")]


def test_identical_rendering_and_static_checks_report_nothing() -> None:
    assert rendered_findings(page(VALID_TAGS), page(VALID_TAGS)) == []
    result = check_page(page(VALID_TAGS))
    assert not rule_ids(result) & {"tags-only-after-javascript", "tags-changed-by-javascript"}


def test_javascript_rules_escalate_in_strict_profile() -> None:
    static, rendered = extract_tags(page([])), extract_tags(page(VALID_TAGS), origin="rendered")
    ctx = RuleContext(rendered, ValidationOptions(profile="strict"))
    findings = apply_options(compare_rendered(static, rendered, ctx), ctx.options)
    assert {f.severity for f in findings} == {"error"}


# --- value-whitespace --------------------------------------------------------------------------------------

GUIDANCE_EXAMPLE_2 = [
    ("sdg-tag", "sdg"),
    ("DC.ISO3166", "BE"),
    ("DC.Location", "BE1"),
    ("DC.Service", "information;procedure"),
    ("policy-code", "J1;W1"),
    (
        "DC.Policy",
        " registering, changing the legal form of or closing a business (registration procedures and legal "
        "forms for carrying out business);General registration of business activity, excluding procedures "
        "concerning the constitution of companies or firms within the meaning of the second paragraph of "
        "Article 54 TFEU",
    ),
]


def test_guidance_example_2_leading_space() -> None:
    result = check_page(page(GUIDANCE_EXAMPLE_2, lang="fr"))
    finding = only(result, "value-whitespace")
    assert (finding.tag, finding.item, finding.line) == ("DC.Policy", 0, TAG_LINE + 5)
    assert finding.expected == GUIDANCE_EXAMPLE_2[5][1].strip()
    assert "leading whitespace" in finding.message
    # SPEC §3.5: exactly these two findings (the other is group F's).
    assert rule_ids(result) == {"value-whitespace", "policy-legacy-annex2-meaning"}


@pytest.mark.parametrize(
    ("tags", "tag", "item", "words", "expected"),
    [
        (with_tags(sdg_tag="sdg "), "sdg-tag", 0, "trailing whitespace", "sdg"),
        (
            with_tags(DC_Service="information ;procedure"),
            "DC.Service",
            0,
            "spaces around ';'",
            "information;procedure",
        ),
        (with_tags(policy_code="C2\u00a0"), "policy-code", 0, "no-break space (U+00A0)", "C2"),
        (
            with_tags(DC_Policy="acquiring and renewing\na driving licence"),
            "DC.Policy",
            0,
            "a line break",
            "acquiring and renewing a driving licence",
        ),
        (with_tags(DC_ISO3166="\tBE"), "DC.ISO3166", 0, "leading whitespace", "BE"),
    ],
    ids=["trailing", "around-semicolon", "nbsp", "line-break", "tab"],
)
def test_value_whitespace(tags: list, tag: str, item: int, words: str, expected: str) -> None:
    result = check_page(page(tags))
    assert "value-whitespace" in rule_ids(result)
    finding = only(result, "value-whitespace")
    assert (finding.tag, finding.item, finding.expected) == (tag, item, expected)
    assert words in finding.message
    assert rule_ids(result) == {"value-whitespace"}


def test_inner_single_spaces_in_titles_are_fine() -> None:
    assert "value-whitespace" not in rule_ids(check_page(page(VALID_TAGS)))


# --- value-empty-item --------------------------------------------------------------------------------------


def test_value_empty_item_between_separators() -> None:
    titles = f"{annex1_item('J1').title};{annex1_item('J4').title}"
    result = check_page(page(with_tags(policy_code="J1;;J4", DC_Policy=titles)))
    assert rule_ids(result) == {"value-empty-item"}
    finding = only(result, "value-empty-item")
    assert (finding.tag, finding.value, finding.expected) == ("policy-code", "J1;;J4", "J1;J4")
    assert "';;'" in finding.message


@pytest.mark.parametrize(
    ("content", "words"),
    [("sdg;", "a trailing ';'"), (";sdg", "a leading ';'"), ("sdg; ;", "a trailing ';'")],
)
def test_value_empty_item_at_the_ends(content: str, words: str) -> None:
    result = check_page(page(with_tags(sdg_tag=content)))
    assert rule_ids(result) == {"value-empty-item"}
    assert words in only(result, "value-empty-item").message
    assert only(result, "value-empty-item").expected == "sdg"


# --- value-duplicate-item ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "tag", "item", "others"),
    [
        (with_tags(sdg_tag="sdg;sdg"), "sdg-tag", 1, set()),
        (with_tags(DC_ISO3166="BE;be"), "DC.ISO3166", 1, {"country-case"}),
        (with_tags(policy_code="C2;c2"), "policy-code", 1, None),
    ],
    ids=["marker", "country-case-folded", "code-case-folded"],
)
def test_value_duplicate_item(tags: list, tag: str, item: int, others: set[str] | None) -> None:
    result = check_page(page(tags))
    finding = only(result, "value-duplicate-item")
    assert (finding.tag, finding.item) == (tag, item)
    assert finding.normalized == finding.expected.casefold()
    if others is not None:
        assert rule_ids(result) == {"value-duplicate-item", *others}


def test_different_items_are_no_duplicates() -> None:
    result = check_page(page(with_tags(DC_Service="information;procedure")))
    assert "value-duplicate-item" not in rule_ids(result)


# --- value-separator ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "content", "expected", "others"),
    [
        ("DC_Service", "information,procedure", "information;procedure", set()),
        ("DC_ISO3166", "BE/NL", "BE;NL", {"country-multiple"}),
        ("DC_ISO3166", "BE | NL", "BE;NL", {"country-multiple"}),
    ],
    ids=["seen information,procedure", "slash", "pipe with spaces"],
)
def test_value_separator(tag: str, content: str, expected: str, others: set[str]) -> None:
    result = check_page(page(with_tags(**{tag: content})))
    assert rule_ids(result) == {"value-separator", *others}
    finding = only(result, "value-separator")
    assert (finding.value, finding.item, finding.expected) == (content, 0, expected)


def test_value_separator_in_dc_language() -> None:
    result = check_page(page(with_tags(DC_Language="en:fr")))
    assert only(result, "value-separator").expected == "en;fr"


def test_policy_code_separator_is_not_value_separator() -> None:
    result = check_page(page(with_tags(policy_code="N1:W1", DC_Policy=None)))
    assert "value-separator" not in rule_ids(result)
    assert "policy-code-separator" in rule_ids(result)


# --- tags-managed-by-javascript -----------------------------------------------------------------------------


def managed_page(
    marker: str, names: tuple[str, ...] = ("sdg-tag", "DC.ISO3166", "DC.Service", "policy-code")
) -> bytes:
    """VALID_TAGS, the elements named in `names` carrying `marker` (as a React or Vue head manager writes them)."""
    lines = [
        f'<meta {marker} name="{name}" content="{content}">'
        if name in names
        else f'<meta name="{name}" content="{content}">'
        for name, content in VALID_TAGS
    ]
    return page([], head_extra="\n".join(lines))


@pytest.mark.parametrize(
    ("marker", "library"),
    [
        ('data-react-helmet="true"', "React Helmet"),
        ('data-rh="true"', "react-helmet-async"),
        ('data-n-head="ssr"', "Nuxt (vue-meta)"),
        ('data-hid="sdg"', "Nuxt (vue-meta)"),
        ('data-vue-meta="1"', "vue-meta"),
        ("data-vmid", "vue-meta"),
        ("data-gatsby-head", "Gatsby"),
        ('data-senna-track="temporary"', "Liferay (SennaJS)"),
    ],
)
def test_tags_with_a_client_side_head_marker(marker: str, library: str) -> None:
    """Finnish study portal (React): the tags carry data-react-helmet; the served HTML may lack them."""
    result = check_page(managed_page(marker))
    assert rule_ids(result) == {"tags-managed-by-javascript"}
    finding = only(result, "tags-managed-by-javascript")
    attribute = marker.split("=")[0]
    assert (finding.severity, finding.tag, finding.value, finding.line) == (
        "info",
        "sdg-tag",
        attribute,
        TAG_LINE,
    )
    assert f"sdg-tag, DC.ISO3166, DC.Service, policy-code by {library} ({attribute})" in finding.message
    assert "--render" in finding.message and "--render" in (finding.hint or "")
    assert result.verdict == "compliant"


def test_one_managed_tag_is_enough_and_is_named() -> None:
    finding = only(check_page(managed_page('data-rh="true"', ("DC.Policy",))), "tags-managed-by-javascript")
    assert finding.tag == "DC.Policy"
    assert "(DC.Policy by react-helmet-async (data-rh))" in finding.message


@pytest.mark.parametrize("marker", ['data-track="x"', 'data-component="meta"', 'class="helmet"', ""])
def test_other_attributes_are_not_a_head_manager(marker: str) -> None:
    assert check_page(managed_page(marker)).findings == []


def test_marker_on_other_metadata_only_is_fine() -> None:
    head = '<meta data-react-helmet="true" property="og:title" content="Driving licence">'
    assert check_page(page(VALID_TAGS, head_extra=head)).findings == []


def test_all_group_a_rules_are_registered_with_spec_metadata() -> None:
    expected = {
        "no-sdg-tags": ("info", "IR 2020/1121 Art 2(2)(b); Guidance 2020 §registry upload"),
        "tag-name-case": ("warning", "Guidance 2020 §tag table; HTML meta"),
        "tag-name-typo": ("error", "Guidance 2020 §tag table, §DC prefix"),
        "tag-property-attribute": ("warning", "Guidance 2020 §tag table"),
        "tag-duplicate": ("warning", "Guidance 2020 §multiple values"),
        "tag-empty": ("warning", "IR 2020/1121 Annex I"),
        "tag-outside-head": ("warning", "IR 2020/1121 Art 2(2)(a)"),
        "markup-typographic-quotes": ("error", "IR 2020/1121 Art 2(2)(a)"),
        "tags-only-after-javascript": (
            "warning",
            "IR 2020/1121 Art 2(2)(a), Art 2(4); Guidance 2020 §crawler access",
        ),
        "tags-changed-by-javascript": (
            "warning",
            "IR 2020/1121 Art 2(2)(a), Art 2(4); Guidance 2020 §crawler access",
        ),
        "tags-managed-by-javascript": (
            "info",
            "IR 2020/1121 Art 2(2)(a), Art 2(4); Guidance 2020 §crawler access",
        ),
        "tag-other-syntax-only": ("info", "Guidance 2020 §tag table"),
        "value-whitespace": ("warning", "Guidance 2020 §multiple values"),
        "value-empty-item": ("warning", "Guidance 2020 §multiple values"),
        "value-duplicate-item": ("warning", "Guidance 2020 §multiple values"),
        "value-separator": ("error", "Guidance 2020 §multiple values"),
    }
    for rule_id, (severity, reference) in expected.items():
        spec = RULES[rule_id]
        assert (spec.group, spec.severity, spec.reference) == ("A", severity, reference), rule_id


def test_line_break_between_items_is_a_separator_not_whitespace() -> None:
    result = check_page(page(with_tags(DC_Service="information\nprocedure")))
    assert rule_ids(result) == {"value-separator"}
    finding = only(result, "value-separator")
    assert (finding.expected, finding.item) == ("information;procedure", 0)
    assert "' '" in finding.message


def test_identical_duplicate_elements_are_reported_once() -> None:
    # The repeated element is listed by tag-duplicate; its (same) bad value is not reported twice.
    result = check_page(page([*with_tags(DC_ISO3166="GR"), ("DC.ISO3166", "GR")]))
    assert [f.rule for f in result.findings] == ["country-gr-instead-of-el", "tag-duplicate"]


def test_a_rendered_page_is_not_told_to_render() -> None:
    """tags-managed-by-javascript suggests --render; on a page checked with rendering it has done its job."""
    from sdg_tags.rendering.comparison import extract_rendered, validate_with_rendering
    from sdg_tags.validators.engine import check_page
    from sdg_tags.validators.extraction import extract_tags
    from sdg_tags.validators.models import ValidationOptions

    tags = [
        ("sdg-tag", "sdg"),
        ("DC.ISO3166", "BE"),
        ("DC.Service", "information"),
        ("policy-code", "C2"),
    ]
    body = page(
        [], head_extra="\n".join(f'<meta name="{n}" content="{v}" data-react-helmet="true">' for n, v in tags)
    )
    assert "tags-managed-by-javascript" in {finding.rule for finding in check_page(body).findings}
    rendered = validate_with_rendering(
        extract_tags(body), extract_rendered(body.decode()), ValidationOptions()
    )
    assert "tags-managed-by-javascript" not in {finding.rule for finding in rendered.findings}
