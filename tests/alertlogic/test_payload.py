"""The packet payload analysis: request and response parsed separately, gzip in memory under a cap,
partial results (never a crash) for truncated, corrupt and binary payloads."""
from __future__ import annotations

import base64
import gzip
import tracemalloc
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from soarpacks.integrations.alertlogic.payload import analyse_payload, decode_payload, gunzip, printable

PAGE = b"<html><body>hello from the victim</body></html>"
GET = b"GET /index.php?id=1%20UNION%20SELECT HTTP/1.1\r\nHost: www.example.net\r\nUser-Agent: sqlmap\r\n\r\n"


def response(code: int, reason: str, body: bytes, extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 %d %s\r\nContent-Length: %d\r\n%s\r\n" % (code, reason.encode(), len(body), extra) + body


def post(body: bytes, *, length: bool = True) -> bytes:
    head = b"POST /cgi-bin/run.php HTTP/1.1\r\nHost: shop.example.com\r\n"
    if length:
        head += b"Content-Length: %d\r\n" % len(body)
    return head + b"\r\n" + body


def test_a_get_exchange_gives_the_request_line_host_full_url_and_response():
    result = analyse_payload(GET + response(200, "OK", PAGE))
    assert result["request"]["method"] == "GET"
    assert result["request"]["resource"] == "/index.php?id=1%20UNION%20SELECT"
    assert result["request"]["protocol"] == "HTTP/1.1"
    assert result["request"]["host"] == "www.example.net"
    assert result["request"]["full_url"] == "http://www.example.net/index.php?id=1%20UNION%20SELECT"
    assert (result["response"]["code"], result["response"]["message"]) == (200, "OK")
    assert result["truncated"] is False and result["decompressed"] is None


def test_a_post_body_containing_a_status_line_is_never_taken_for_the_response():
    body = b"HTTP/1.1 200 OK\r\ncmd=system('id')"
    result = analyse_payload(post(body) + response(403, "Forbidden", b"denied"))
    assert result["request"]["method"] == "POST"
    assert result["request"]["body_bytes"] == len(body)
    assert (result["response"]["code"], result["response"]["message"]) == (403, "Forbidden")


def test_a_post_body_with_a_status_line_and_no_response_gives_no_response():
    result = analyse_payload(post(b"x=1&y=HTTP/1.1 200 OK\r\nHTTP/1.0 200 Connection established"))
    assert result["request"]["method"] == "POST"
    assert result["response"] is None
    assert "no response in the payload" in result["notes"]


def test_an_unframed_post_body_is_not_searched_for_a_status_line():
    # Without Content-Length a request has no body (RFC 9112 §6.3): what follows is not a response.
    result = analyse_payload(post(b"a=1\r\nHTTP/1.1 200 OK\r\n\r\n", length=False))
    assert result["response"] is None
    assert "data after the request is not an HTTP response" in result["notes"]


def test_a_status_line_inside_an_unframed_body_right_after_the_headers_is_the_response():
    # The only place a response may start is where the request ends.
    result = analyse_payload(post(b"", length=False) + response(201, "Created", b""))
    assert result["response"]["code"] == 201


def test_a_gzip_body_is_decompressed_in_memory():
    result = analyse_payload(GET + response(200, "OK", gzip.compress(PAGE), b"Content-Encoding: gzip\r\n"))
    assert result["decompressed"] == PAGE.decode()
    assert result["decompression"] == "complete"
    assert result["response"]["content_encoding"] == "gzip"


def test_a_gzip_body_is_recognised_by_its_magic_bytes_without_a_content_encoding_header():
    result = analyse_payload(GET + response(200, "OK", gzip.compress(PAGE)))
    assert result["decompressed"] == PAGE.decode()


def test_a_chunked_gzip_body_is_joined_before_it_is_decompressed():
    packed = gzip.compress(PAGE * 4)
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(packed[i:i + 20]), packed[i:i + 20]) for i in range(0, len(packed), 20))
    wire = (GET + b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n"
            + chunks + b"0\r\n\r\n")
    result = analyse_payload(wire)
    assert result["decompressed"] == (PAGE * 4).decode()
    assert result["truncated"] is False


def test_a_gzip_bomb_stops_at_the_cap_without_exhausting_memory():
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = b"\0" * (1024 * 1024)
    bomb = b"".join(compressor.compress(zeros) for _ in range(256)) + compressor.flush()  # 256 MiB inflated
    wire = GET + b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + bomb
    tracemalloc.start()
    try:
        result = analyse_payload(wire, max_decompressed=64 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result["decompression"] == "capped"
    assert result["decompressed_bytes"] == 64 * 1024
    assert peak < 8 * 1024 * 1024
    assert any("cap" in note for note in result["notes"])


def test_a_truncated_gzip_body_gives_what_could_be_decompressed():
    text = b"".join(b"line %d of the page\n" % i for i in range(2000))
    packed = gzip.compress(text)
    result = analyse_payload(GET + b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n"
                             % len(packed) + packed[: len(packed) // 2])
    assert result["decompression"] == "partial"
    assert result["decompressed"] and text.decode().startswith(result["decompressed"])
    assert result["truncated"] is True
    assert result["response"]["code"] == 200 and result["response"]["complete"] is False


def test_a_corrupt_gzip_body_is_reported_not_raised():
    result = analyse_payload(GET + response(200, "OK", b"\x1f\x8b\x08\x00garbage-not-deflate",
                                            b"Content-Encoding: gzip\r\n"))
    assert result["decompression"] == "failed"
    assert result["decompressed"] is None


def test_headers_cut_short_give_the_request_line_and_drop_the_half_header():
    result = analyse_payload(b"GET /admin HTTP/1.1\r\nUser-Agent: x\r\nHost: www.exa")
    assert result["request"]["method"] == "GET" and result["request"]["resource"] == "/admin"
    assert result["request"]["host"] is None and result["request"]["full_url"] is None
    assert result["truncated"] is True
    assert result["response"] is None


def test_a_request_body_cut_short_is_partial_and_has_no_response():
    wire = post(b"a" * 100)[:-40]
    result = analyse_payload(wire)
    assert result["request"]["complete"] is False and result["request"]["body_bytes"] == 60
    assert result["response"] is None and result["truncated"] is True


def test_a_binary_payload_gives_printable_text_and_no_http():
    data = b"\x00\x00\x00\x85\xffSMBr\x00\x01\x02hello\x7f\x80"
    result = analyse_payload(data)
    assert result["request"] is None and result["response"] is None
    assert result["full_payload"] == ".....SMBr...hello.."
    assert len(result["full_payload"]) == len(data)


def test_a_payload_that_starts_with_the_response_has_only_a_response():
    result = analyse_payload(response(302, "Found", b"", b"Location: /login\r\n"))
    assert result["request"] is None
    assert (result["response"]["code"], result["response"]["message"]) == (302, "Found")


def test_a_request_line_after_leading_noise_is_found():
    result = analyse_payload(b"\x16\x03garbage\r\n" + GET + response(404, "Not Found", b""))
    assert result["request"]["method"] == "GET" and result["response"]["code"] == 404


def test_an_absolute_form_request_target_is_the_full_url():
    result = analyse_payload(b"GET http://proxy.example.org/x HTTP/1.1\r\nHost: proxy.example.org\r\n\r\n")
    assert result["request"]["full_url"] == "http://proxy.example.org/x"


def test_a_gzip_body_after_a_header_break_is_found_where_no_http_was_parsed():
    result = analyse_payload(b"garbage headers\r\n\r\n" + gzip.compress(PAGE))
    assert result["decompressed"] == PAGE.decode()


def test_an_empty_payload_is_reported_as_such():
    assert analyse_payload(None)["notes"] == ["no payload"]
    assert analyse_payload(b"")["request"] is None


def test_an_oversized_payload_is_cut_before_parsing():
    result = analyse_payload(GET + b"x" * 5000, max_payload=1000)
    assert result["truncated"] is True and len(result["full_payload"]) == 1000
    assert result["payload_bytes"] == len(GET) + 5000


def test_payload_fields_decode_from_base64_or_hex_and_bad_input_is_reported():
    assert decode_payload(base64.b64encode(GET).decode()) == (GET, None)
    assert decode_payload(GET.hex()) == (GET, None)
    assert decode_payload("!!! not base64 !!!")[0] is None
    assert decode_payload(None) == (None, None)
    assert decode_payload(42)[1] is not None


def test_gunzip_says_complete_for_a_whole_stream():
    assert gunzip(gzip.compress(PAGE)) == (PAGE, "complete")


def test_printable_replaces_control_bytes_with_dots_and_keeps_line_breaks():
    assert printable(b"a\r\n\tb\x00\xff") == "a\r\n\tb.."


EXCHANGE = (post(b"HTTP/1.1 200 OK\r\nfoo=bar") + b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n"
            % len(gzip.compress(PAGE)) + gzip.compress(PAGE))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_never_crash_the_analysis(data):
    result = analyse_payload(data)
    assert len(result["full_payload"]) == len(data)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=len(EXCHANGE)))
def test_every_truncation_of_an_exchange_gives_a_partial_result_and_never_a_post_body_as_response(cut):
    result = analyse_payload(EXCHANGE[:cut])
    if result["response"] is not None:
        # The only response in the exchange starts after the POST body; a cut inside the body
        # must not promote the body's fake status line.
        assert cut > EXCHANGE.index(b"foo=bar") + len(b"foo=bar")
    if result["decompressed"]:
        assert PAGE.decode().startswith(result["decompressed"])
