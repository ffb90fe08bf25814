"""The board paper's document (pdf.report_html), without printing it: links stay inside the document or go to
the web, never to a file of the build machine; the organisation's logo goes on the cover; the running header
cannot break out of its stylesheet. (The printed PDF is tested on every sample site in test_sample_reports.py.)"""

from __future__ import annotations

from wres_helpers.pdf import Cover, report_html

PAGE = (
    '<html><body><nav><a href="other.html">nav</a></nav><article class="bd-article" role="main">{}</article>'
    '<footer><a href="data/x.pdf">footer</a></footer></body></html>'
)


def test_links_stay_in_the_document_and_the_logo_is_on_the_cover(tmp_path):
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "logo.svg").write_text("<svg></svg>")
    (tmp_path / "index.html").write_text(
        PAGE.format(
            '<h1 id="top">Home</h1><a href="#top">up</a> <a href="other.html#notes">notes</a> '
            '<a href="_downloads/abc/t-wres-2021.xlsx">workbook</a> <a href="https://www.england.nhs.uk/">NHS</a>'
        )
    )
    (tmp_path / "other.html").write_text(PAGE.format('<h1 id="notes">Other</h1><a href="index.html">home</a>'))
    title = 'St Mary\'s "North" </style><script>x</script> \\ Trust'
    html = report_html(
        tmp_path,
        [("index", "Home"), ("other", "Other")],
        Cover("St Mary's", title, 2021, "1 May 2030"),
        {"index": 3, "other": 4},
        "",
    )
    assert 'href="#index--top"' in html and 'href="#other--notes"' in html and 'href="#page-index"' in html
    assert 'id="index--top"' in html and 'id="other--notes"' in html
    assert "_downloads" not in html and 'href="data/' not in html  # local files: no link at all
    assert 'href="https://www.england.nhs.uk/"' in html
    assert "nav</a>" not in html and "footer</a>" not in html  # the article only
    assert '<img class="logo" src="_static/logo.svg"' in html
    assert '<span class="page">3</span>' in html and '<span class="page">4</span>' in html
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "<script>" not in style and "\\3c /style>" in style and '\\"North\\"' in style and "\\\\ Trust" in style
