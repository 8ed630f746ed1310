"""Input readers: files, folders, globs, input lists, JSON Lines, WARC, ARC, stdin sniffing."""
from __future__ import annotations

import gzip
import json
from collections import Counter

import pytest
from batch_fixtures import DATA, site_page, warc_record, write_jsonl, write_warc

from model.errors import InputError
from model.read import (RecordFields, decode_page, expand_inputs, input_kind, iter_arc, iter_jsonl, iter_pages,
                        iter_warc, sniff_kind)


@pytest.mark.parametrize("name, kind", [
    ("a/b.jsonl", "jsonl"), ("b.jsonl.gz", "jsonl"), ("b.JSONL.zst", "jsonl"), ("b.ndjson", "jsonl"),
    ("CC-MAIN-1.warc.gz", "warc"), ("x.warc", "warc"), ("old.arc.gz", "arc"), ("page.html", "page"),
    ("dump.txt", "page"), ("archive.gz", "page"),
])
def test_input_kind_should_follow_the_suffix_under_compression(name, kind):
    assert input_kind(name) == kind


def test_folders_should_be_read_recursively_in_order_without_hidden_files(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for rel in ("b/2.html", "a.html", ".git/x", "b/.hidden.html"):
        (tmp_path / rel).write_text("<p>x</p>")
    assert expand_inputs([str(tmp_path)]) == [str(tmp_path / "a.html"), str(tmp_path / "b" / "2.html")]


def test_symlinked_folders_should_be_followed_once_even_in_a_loop(tmp_path):
    (tmp_path / "store" / "2024").mkdir(parents=True)
    (tmp_path / "store" / "2024" / "p.html").write_text("<p>x</p>")
    (tmp_path / "crawl").mkdir()
    (tmp_path / "crawl" / "a.html").write_text("<p>x</p>")
    (tmp_path / "crawl" / "linked").symlink_to(tmp_path / "store")
    (tmp_path / "store" / "back").symlink_to(tmp_path / "crawl")  # a loop
    assert expand_inputs([str(tmp_path / "crawl")]) == [str(tmp_path / "crawl" / "a.html"),
                                                        str(tmp_path / "crawl" / "linked" / "2024" / "p.html")]


def test_globs_input_lists_and_stdin_should_mix_without_duplicates(tmp_path):
    for name in ("1.warc.gz", "2.warc.gz", "p.jsonl"):
        (tmp_path / name).write_bytes(b"")
    listing = tmp_path / "inputs.txt"
    listing.write_text(f"# crawl\n{tmp_path / 'p.jsonl'}\n\n{tmp_path / '1.warc.gz'}\n")
    names = expand_inputs([str(tmp_path / "*.warc.gz"), "-"], input_list=listing)
    assert names == [str(tmp_path / "1.warc.gz"), str(tmp_path / "2.warc.gz"), "-", str(tmp_path / "p.jsonl")]


@pytest.mark.parametrize("bad", ["missing.html", "nothing-*.warc.gz"])
def test_an_input_naming_nothing_should_be_an_input_error(tmp_path, bad):
    with pytest.raises(InputError, match="no such file|matches no file"):
        expand_inputs([str(tmp_path / bad)])


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst"])
def test_jsonl_records_should_become_pages_with_their_id_and_url(tmp_path, suffix):
    url, html = site_page("zh.example.cn", 1)
    path = write_jsonl(tmp_path / f"p{suffix}", [
        {"id": "a", "url": url, "html": html},
        {"url": "http://t/1", "text": "第一行\n第二行文字"},
    ])
    pages = list(iter_jsonl(str(path)))
    assert [(p.id, p.url, p.source, p.error) for p in pages] == [
        ("a", url, "html", None), (f"{path}:2", "http://t/1", "text", None)]


def test_jsonl_bad_lines_should_become_error_pages_and_reading_go_on(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": "a", "text": "one line"}\nnot json\n[1, 2]\n\n{"id": "e"}\n{"id": "z", "text": "ok"}\n')
    pages = list(iter_jsonl(str(path)))
    assert [p.id for p in pages] == ["a", f"{path}:2", f"{path}:3", "e", "z"]
    assert [p.metadata.get("error_kind") for p in pages] == [None, "read", "read", "read", None]
    assert "no 'html' or 'text'" in pages[3].error
    # the error names the file and line, not just the record's own id
    assert pages[3].error.startswith(f"e ({path}:5): ")


def test_jsonl_field_names_should_be_configurable(tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [{"doc_id": "7", "link": "http://x/7", "raw_content": "hello there"}])
    fields = RecordFields(text="raw_content", id="doc_id", url="link")
    (page,) = iter_jsonl(str(path), fields=fields)
    assert (page.id, page.url, page.raw, page.error) == ("7", "http://x/7", "hello there", None)


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst"])
def test_a_truncated_compressed_file_should_end_with_one_error_page(tmp_path, suffix):
    records = [{"id": str(i), "text": f"第{i}条 今天天气很好，我们去公园散步。" * 3} for i in range(2000)]
    path = write_jsonl(tmp_path / f"p{suffix}", records)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    pages = list(iter_jsonl(str(path)))
    assert pages[-1].metadata["error_kind"] == "read" and "cannot read further" in pages[-1].error
    assert all(p.error is None for p in pages[:-1]) and 100 < len(pages) < 2000
    assert [p.id for p in pages[:-1]] == [str(i) for i in range(len(pages) - 1)]


def test_zstd_files_of_several_frames_read_whole(tmp_path):
    import zstandard

    data = "".join(json.dumps({"id": str(i), "text": f"第{i}行"}, ensure_ascii=False) + "\n" for i in range(3000))
    raw = data.encode()
    path = tmp_path / "p.jsonl.zst"
    path.write_bytes(b"".join(zstandard.ZstdCompressor().compress(raw[a:a + 7000]) for a in range(0, len(raw), 7000)))
    assert [p.id for p in iter_jsonl(str(path))] == [str(i) for i in range(3000)]
    broken = bytearray(path.read_bytes())
    broken[4:40] = bytes(b ^ 0x55 for b in broken[4:40])  # the first frame's header
    path.write_bytes(bytes(broken))
    (page,) = iter_jsonl(str(path))
    assert page.metadata["error_kind"] == "read" and "corrupt zstd data" in page.error


@pytest.mark.parametrize("compress", ["none", "record", "file"])
def test_warc_should_yield_html_responses_and_count_the_rest(tmp_path, compress):
    url, html = site_page("en.example.com", 3, "en")
    gbk = (DATA / "zh-gbk.html").read_bytes()
    path = write_warc(tmp_path / "c.warc.gz", [
        warc_record("http://x/req", b"", warc_type="request"),
        warc_record(url, html.encode()),
        warc_record("http://x/404", b"gone", status=404),
        warc_record("http://x/logo.png", b"\x89PNG\r\n", content_type="image/png"),
        warc_record("http://gbk.example.cn/1", gbk, content_type="text/html; charset=GBK"),
    ], compress=compress)
    skipped = Counter()
    pages = list(iter_warc(str(path), skipped=skipped))
    assert [p.url for p in pages] == [url, "http://gbk.example.cn/1"]
    assert all(p.error is None and p.id.startswith("<urn:uuid:") for p in pages)
    assert "山区学校迎来新图书室" in pages[1].raw and pages[1].metadata["encoding"] == "gb18030"
    assert skipped == {"warc_non_response": 1, "http_404": 1, "non_html": 1}


@pytest.mark.parametrize("compress", ["none", "file"])
@pytest.mark.parametrize("cut", ["payload", "http header", "warc header", "warc type", "http status",
                                 "content type", "header end"])
def test_a_warc_cut_off_mid_record_should_keep_the_records_before_and_end_in_an_error(tmp_path, compress, cut):
    """A crawl file cut short (a killed download, a full disk): the pages before the cut
    come out, the cut record is an error record, and nothing raises."""
    url, html = site_page("en.example.com", 3, "en")
    good = warc_record(url, html.encode())
    last = warc_record("http://x/last", ("<p>" + "bridge repair " * 60 + "</p>").encode())
    http_at = last.index(b"HTTP/1.1")
    type_at = last.index(b"Content-Type: text/html", http_at) + len("Content-Type: text/ht")
    keep = {"payload": len(last) - 300, "http header": http_at + 20, "warc header": 40, "warc type": 15,
            "http status": http_at + len("HTTP/1.1 2"), "content type": type_at,  # "text/ht" is not HTML
            "header end": last.index(b"\r\n\r\n", http_at) + 2}[cut]
    data = write_warc(tmp_path / "c.warc", [good, last[:keep]], compress="none").read_bytes()
    path = tmp_path / ("cut.warc" if compress == "none" else "cut.warc.gz")
    path.write_bytes(data if compress == "none" else gzip.compress(data))
    pages = list(iter_warc(str(path)))
    assert pages[0].url == url and pages[0].error is None
    assert len(pages) == 2 and pages[1].metadata["error_kind"] == "read"
    assert "truncated file?" in pages[1].error and path.name in pages[1].error


def test_a_page_over_the_size_limit_should_be_a_too_large_error(tmp_path):
    path = write_warc(tmp_path / "c.warc", [warc_record("http://x/big", b"<p>" + b"a" * 5000 + b"</p>")],
                      compress="none")
    (page,) = iter_warc(str(path), max_bytes=1000)
    assert page.metadata["error_kind"] == "too_large" and page.url == "http://x/big"
    assert decode_page(b"\x00\x01\x02" * 100, id="bin").metadata["error_kind"] == "decode"


def test_arc_files_should_be_read_too(tmp_path):
    url, html = site_page("zh.example.cn", 2)
    body = html.encode()
    http = b"HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body
    missing = b"HTTP/1.0 404 Not Found\r\nContent-Type: text/html\r\n\r\nno"
    desc = b"1 0 Test\nURL IP-address Archive-date Content-type Archive-length\n"
    arc = (b"filedesc://t.arc 0.0.0.0 20240526000000 text/plain %d\n" % len(desc) + desc + b"\n"
           + f"{url} 1.2.3.4 20240526000000 text/html {len(http)}\n".encode() + http + b"\n"
           + b"http://x/404 1.2.3.4 20240526000000 text/html %d\n" % len(missing) + missing + b"\n")
    garbled = b"HTTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<p>a page behind a bad status line</p>"
    dns = b"20240526000000\nexample.cn. 300 IN A 1.2.3.4\n"
    arc += (b"http://x/garbled 1.2.3.4 20240526000000 text/html %d\n" % len(garbled) + garbled + b"\n"
            + b"dns:example.cn 1.2.3.4 20240526000000 text/dns %d\n" % len(dns) + dns + b"\n")
    path = tmp_path / "t.arc.gz"
    path.write_bytes(gzip.compress(arc))
    skipped = Counter()
    pages = list(iter_arc(str(path), skipped=skipped))
    assert [(p.url, p.error) for p in pages] == [
        (url, None), ("http://x/garbled", f"{path}#4: unparsable HTTP header")]
    assert pages[1].metadata["error_kind"] == "read"
    assert skipped == {"arc_filedesc": 1, "http_404": 1, "non_http": 1}


def test_a_warc_response_with_a_garbled_http_header_is_an_error_and_dns_records_are_skipped(tmp_path):
    good = warc_record("http://x/good", b"<p>" + b"good text " * 50 + b"</p>")
    garbled = warc_record("http://x/garbled", b"<p>a page behind a bad status line</p>").replace(
        b"HTTP/1.1 200 OK", b"HTTP/1.1 2OO OK")  # same length: the WARC Content-Length still holds
    dns = warc_record("dns:example.cn", b"").replace(b"application/http; msgtype=response", b"text/dns")
    path = write_warc(tmp_path / "c.warc.gz", [good, garbled, dns])
    skipped = Counter()
    pages = list(iter_warc(str(path), skipped=skipped))
    assert [(p.url, p.metadata.get("error_kind")) for p in pages] == [("http://x/good", None),
                                                                     ("http://x/garbled", "read")]
    assert "record 2 of" in pages[1].error and "unparsable HTTP header" in pages[1].error
    assert skipped == {"non_http": 1}


@pytest.mark.parametrize("head, kind", [
    (b"WARC/1.0\r\nWARC-Type", "warc"), (b"  {\"id\": 1}", "jsonl"), (b"filedesc://x", "arc"),
    (b"<!DOCTYPE html>", "page"), (b"just text", "page"),
    (b"\xef\xbb\xbf{\"id\": 1}", "jsonl"),  # a BOM, as editors on Windows write one
    ("{这是第一行，以花括号开头}\n第二行".encode(), "page"),  # a text dump, not JSON
    (b"{}\n", "jsonl"), (b'{ \n "id": 2}', "jsonl"),
])
def test_stdin_content_should_be_sniffed(head, kind):
    assert sniff_kind(head) == kind


def test_iter_pages_should_dispatch_on_the_file_kind(tmp_path):
    page_file = tmp_path / "one.html"
    page_file.write_bytes((DATA / "en-news.html").read_bytes())
    (page,) = iter_pages(str(page_file))
    assert page.source == "html" and page.metadata["from_file"]


def test_a_lone_surrogate_escape_in_jsonl_becomes_a_replacement_character(tmp_path):
    """JSON can spell half a surrogate pair, UTF-8 cannot encode it: before, a big record with
    one ended the whole file ("cannot read further"), a small one failed later, in classify."""
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "s\\ud800", "text": "正文内容\\ud800很长的一行文字。' + "长" * 3000 + '"}\n'
                    '{"id": "next", "text": "下一条记录"}\n', encoding="utf-8")
    pages = list(iter_jsonl(str(path), max_bytes=10_000))
    assert [p.id for p in pages] == ["s\ufffd", "next"] and all(p.error is None for p in pages)
    assert "正文内容\ufffd很长" in pages[0].raw


def test_a_giant_jsonl_line_is_measured_in_pieces_not_read_whole():
    import io

    from model.read import _bounded_lines

    class Watched(io.BytesIO):
        biggest = 0

        def readline(self, size=-1):
            line = super().readline(size)
            Watched.biggest = max(Watched.biggest, len(line))
            return line

    data = b'{"a": 1}\n' + b"x" * 5_000_000 + b"\n" + b'{"c": 3}'
    assert list(_bounded_lines(Watched(data), 1000)) == [b'{"a": 1}\n', 5_000_001, b'{"c": 3}']
    assert Watched.biggest <= 1 << 20  # never the whole line at once


def _encoded_record(url: str, payload: bytes, encoding: str) -> bytes:
    http = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: {encoding}\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n").encode("ascii") + payload
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{url}>\r\nWARC-Target-URI: {url}\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n")
    return head.encode("ascii") + http + b"\r\n\r\n"


def test_warc_payloads_are_decoded_per_record_and_a_broken_one_spoils_only_its_record(tmp_path):
    import zlib

    import brotli

    html = "<html><body><p>市政府今天发布了新规定，居民买菜更方便了。</p></body></html>".encode()
    deflate = zlib.compressobj(wbits=-15)
    records = [_encoded_record("http://x/gzip", gzip.compress(html), "gzip"),
               _encoded_record("http://x/deflate", deflate.compress(html) + deflate.flush(), "deflate"),
               _encoded_record("http://x/zlib", zlib.compress(html), "deflate"),
               _encoded_record("http://x/br", brotli.compress(html), "br"),
               _encoded_record("http://x/lying", b"\x1f\x8b\x08\x00 cut short " + html[:20], "gzip"),
               _encoded_record("http://x/after", gzip.compress(html), "x-gzip")]
    path = write_warc(tmp_path / "c.warc.gz", records)
    pages = list(iter_warc(str(path)))
    assert [(p.url, p.error is None) for p in pages] == [
        ("http://x/gzip", True), ("http://x/deflate", True), ("http://x/zlib", True), ("http://x/br", True),
        ("http://x/lying", False), ("http://x/after", True)]
    assert all("市政府" in p.raw for p in pages if p.error is None)
    assert "(record 5 of" in pages[4].error and "Content-Encoding" in pages[4].error


def test_a_brotli_bomb_is_capped_at_the_page_limit():
    import brotli

    from model.read import _content_decoded

    bomb = brotli.compress(b"<p>" + b"a" * 50_000_000)
    assert len(bomb) < 1000
    assert len(_content_decoded(bomb, "br", 1_000_000)) == 1_000_001


def test_content_encodings_browsers_tolerate_are_tolerated():
    import zlib

    from model.read import _content_decoded

    html = b"<html><body><p>\xe6\x96\x87</p></body></html>"
    small_window = zlib.compressobj(wbits=10)
    assert _content_decoded(small_window.compress(html) + small_window.flush(), "deflate", 10_000) == html
    assert _content_decoded(html, "gzip", 10_000) == html  # a stale header over a stored-decoded body
    for coding in ("UTF-8", "", "identity", "none"):
        assert _content_decoded(html, coding, 10_000) == html
    assert _content_decoded(gzip.compress(html), "identity, GZIP", 10_000) == html


@pytest.mark.parametrize("keep", [10, 50])
def test_a_record_per_member_warc_cut_in_a_members_first_bytes_ends_in_an_error(tmp_path, keep):
    """fastwarc takes a gzip member cut this early for the end of the file: without a
    check the last record would be lost without a word."""
    records = [warc_record(f"http://x/{i}", f"<p>{'text ' * 50}{i}</p>".encode()) for i in range(3)]
    data = write_warc(tmp_path / "c.warc.gz", records, compress="record").read_bytes()
    whole = sum(len(gzip.compress(r)) for r in records[:2])
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[:whole + keep])
    pages = list(iter_warc(str(path)))
    assert [p.error is None for p in pages] == [True, True, False]
    assert "gzip member is cut short after 2 records (truncated file?)" in pages[-1].error
    path.write_bytes(data[:whole])  # cut exactly between members: nothing to tell it from a whole file
    assert [p.error for p in iter_warc(str(path))] == [None, None]
