"""The board paper's first print, which only finds where the sections start, prints its charts as blank boxes."""

import base64
import io

from PIL import Image

from wres_helpers.pdf import _blank_charts


def _png(width: int, height: int) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "orange").save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def test_a_chart_becomes_an_empty_image_of_its_own_size_and_nothing_else_changes():
    document = (
        f'<p>before</p><img src="data:image/png;base64,{_png(1280, 744)}" alt="a chart" width="640" '
        'style="max-width:100%;height:auto"><img src="_static/logo.png" alt=""><p>after</p>'
    )
    blank = _blank_charts(document)
    assert "base64" not in blank
    assert "width='1280' height='744'" in blank  # the PNG's own pixels: the same shape, so the same layout
    assert 'alt="a chart" width="640" style="max-width:100%;height:auto">' in blank
    assert '<img src="_static/logo.png" alt=""><p>after</p>' in blank and blank.startswith("<p>before</p>")
