"""The vectorised CSV reader (csv_fast.py) gives the streaming reader's table, or hands the file to it."""

from __future__ import annotations

import pandas as pd
import pytest

from wres_helpers import csv_fast
from wres_helpers.tables import ROW, read_table

GOOD = [
    b'staff_id,ethnic_category\r\ns1, A \r\ns2,"C3 White, other"\r\n',
    b"\xef\xbb\xbfStaff ID,Ethnic-Category\n s1 ,A\n,\ns3,N",  # BOM, a row of empty cells, no final newline
    b'a,b\n1,"x"\n2,y\n',
]
HANDED_OVER = [
    b"a,b\n1,2\n\n3,4\n",  # a blank line is a row of its own
    b'a,b\n1,"x\ny"\n',  # a quoted cell over two lines
    b'a,b\n1,"ab"c\n',  # text after a closing quote (strict csv refuses it)
    b"a,b\n1,2,3\n",  # a ragged row
    b"a,b\n1,\xe9\n",  # not UTF-8
    b"a,b\r1,2\r",  # Excel for Mac's lone \r
    b"a,a\n1,2\n",  # a name twice
]


@pytest.mark.parametrize("content", GOOD)
def test_the_fast_reader_reads_a_good_file_as_the_streaming_reader(tmp_path, content):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    assert csv_fast.read_csv_fast(path, []) is not None
    fast = read_table(path, "f.csv", vectorised=True).frame.astype(object)
    slow = read_table(path, "f.csv").frame.astype(object)
    pd.testing.assert_frame_equal(fast, slow, check_dtype=False)
    assert list(fast[ROW]) == list(slow[ROW])


@pytest.mark.parametrize("content", HANDED_OVER)
def test_anything_unusual_goes_to_the_streaming_reader(tmp_path, content):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    assert csv_fast.read_csv_fast(path, []) is None
