"""Tables as HTML: the pixel table and its readable text."""

import numpy as np

from mnistreport.render import tables


def test_pixel_table_shades_cells_and_keeps_text_readable():
    image = np.array([[0, 255]], np.uint8)
    html = tables.pixel_table(image, "cap", 1, "Table", "r \\ c")
    assert "background:rgb(255,255,255);color:#000000" in html
    assert "background:rgb(0,0,0);color:#ffffff" in html
