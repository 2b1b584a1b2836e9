"""Decoding and extraction: Chinese legacy encodings, main text, links."""

from __future__ import annotations

from autogpt.web.extract import decode_html, extract
from tests.web.site import BIG5_TEXT, GBK_TEXT, gbk_page


def test_a_page_labelled_gb2312_with_gbk_characters_decodes() -> None:
    text = decode_html(gbk_page(declared=True), "text/html")
    assert GBK_TEXT in text  # 喆 is in GBK, not in GB2312


def test_an_undeclared_gbk_page_is_detected() -> None:
    assert GBK_TEXT in decode_html(gbk_page(declared=False), "text/html")


def test_the_header_charset_wins_for_big5() -> None:
    body = f"<p>{BIG5_TEXT}</p>".encode("big5")
    assert BIG5_TEXT in decode_html(body, "text/html; charset=Big5")


def test_a_mislabelled_utf8_page_still_decodes() -> None:
    body = "<p>冰淇淋</p>".encode()
    assert "冰淇淋" in decode_html(body, "text/html; charset=gbk")


def test_extract_gives_title_text_and_resolved_http_links() -> None:
    html = (
        "<html><head><title>T</title><script>var secret='no'</script></head><body>"
        "<p>Visible \x1b[31mred\x1b[0m words.</p><a href='/a#frag'>A</a><a href='/a'>A again</a>"
        "<a href='javascript:x()'>js</a><a href='mailto:m@x.org'>mail</a>"
        "<a href='https://other.org/b'>B</a></body></html>"
    )
    page = extract(html, "http://site.test/dir/page")
    assert page.title == "T"
    assert "Visible red words." in page.text and "secret" not in page.text
    assert "\x1b" not in page.text
    assert [str(link) for link in page.links] == [
        "A (http://site.test/a)",
        "B (https://other.org/b)",
    ]


def test_rendered_text_is_the_fallback_for_pages_without_an_article() -> None:
    page = extract(
        "<html><body><div id=app></div></body></html>",
        "http://x.test/",
        rendered_text="Shown by a script",
    )
    assert page.text == "Shown by a script"
