"""The command-array protocol: setauth first, replies matched to commands, per-command errors as
error kinds, HTTP failures through the runtime's retry rules. Wire-level, against pytest-httpserver."""
import json

import pytest

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.retry import FAST_RETRY
from soarpacks.integrations.authentic8.client import OrgError, SiloApi, extractlog
from soarpacks.integrations.authentic8.handlers import make_client

TOKEN = "canary-a8-transport-token"


@pytest.fixture
def api(httpserver) -> SiloApi:
    return make_client({"base_url": httpserver.url_for("/"), "token": TOKEN, "org": "Acme Corp", "insecure": False},
                       retry=FAST_RETRY)


def answer(httpserver, replies, status=200):
    httpserver.expect_ordered_request("/api/", method="POST").respond_with_json(replies, status=status)


def sent(httpserver, index=0):
    return json.loads(httpserver.log[index][0].get_data(as_text=True))


def test_every_post_starts_with_setauth_carrying_the_token_and_tags_each_command(httpserver, api):
    answer(httpserver, [{"result": {}}, {"result": {"log_types": ["URL"], "version": "1"}, "command_id": "1"}])
    api.get_log_types()
    body = sent(httpserver)
    assert body[0] == {"command": "setauth", "data": TOKEN}
    assert body[1] == {"command": "get_log_types", "command_id": "1"}
    request = httpserver.log[0][0]
    assert request.path == "/api/" and request.mimetype == "application/json"
    assert "Authorization" not in request.headers


def test_replies_are_matched_to_commands_by_command_id(httpserver, api):
    answer(httpserver, [{"result": {}},
                        {"command_id": "2", "result": {"logs": [{"seq_id": 9, "create_ts": 1.0}], "next_seq": 10}},
                        {"command_id": "1", "error": "Unknown log type: NOPE"}])
    first, second = api.call([extractlog("Acme Corp", "NOPE", start_seq=0, limit=5),
                              extractlog("Acme Corp", "URL", start_seq=0, limit=5)])
    assert isinstance(first.error, errors.InputError) and first.command["type"] == "NOPE"
    assert second.error is None and second.result["next_seq"] == 10


def test_replies_without_command_id_are_matched_by_position(httpserver, api):
    answer(httpserver, [{"result": {}}, {"result": {"a": 1}}, {"result": {"b": 2}}])
    first, second = api.call([{"command": "get_log_types"}, {"command": "get_log_types"}])
    assert (first.result, second.result) == ({"a": 1}, {"b": 2})


def test_a_rejected_token_is_an_auth_error_exit_3_without_the_token(httpserver, api):
    answer(httpserver, [{"error": "Invalid auth token"}, {"error": "Not authenticated"}])
    with pytest.raises(errors.AuthError) as failure:
        api.get_log_types()
    assert failure.value.exit_code == 3
    assert TOKEN not in str(failure.value) and TOKEN not in repr(api)


def test_no_org_matching_is_an_input_error_exit_2(httpserver, api):
    answer(httpserver, [{"result": {}}, {"command_id": "1", "error": 'No org matching "Initech"'}])
    with pytest.raises(OrgError) as failure:
        api.extract("Initech", "URL", start_seq=0, limit=1)
    assert failure.value.exit_code == 2 and "Initech" in str(failure.value)


@pytest.mark.parametrize("message, kind", [
    ("Permission denied for log type AUTH", errors.AuthError),
    ("start_time must look like YYYY-MM-DD HH:MM:SS", errors.InputError),
    ("Internal error, please retry", errors.VendorError),
    ({"message": "Backend timeout"}, errors.VendorError),
])
def test_per_command_errors_become_the_error_kind_a_user_can_act_on(httpserver, api, message, kind):
    answer(httpserver, [{"result": {}}, {"command_id": "1", "error": message}])
    with pytest.raises(kind):
        api.one({"command": "get_log_types"})


def test_http_401_is_an_auth_error(httpserver, api):
    answer(httpserver, {"error": "unauthorized"}, status=401)
    with pytest.raises(errors.AuthError):
        api.get_log_types()


def test_http_404_means_base_url_is_not_a_silo_api(httpserver, api):
    answer(httpserver, {"error": "not found"}, status=404)
    with pytest.raises(errors.ConfigError):
        api.get_log_types()


def test_503_then_success_is_retried_because_extractlog_posts_are_reads(httpserver, api):
    answer(httpserver, {"message": "busy"}, status=503)
    answer(httpserver, [{"result": {}}, {"command_id": "1", "result": {"logs": [], "next_seq": 0, "is_more": False}}])
    page = api.extract("Acme Corp", "URL", start_seq=0, limit=1)
    assert page.logs == [] and len(httpserver.log) == 2
    assert sent(httpserver, 1)[0]["command"] == "setauth"


def test_http_500_is_a_vendor_error_exit_4(httpserver, api):
    answer(httpserver, {"error": "boom"}, status=500)
    with pytest.raises(errors.VendorError) as failure:
        api.get_log_types()
    assert failure.value.exit_code == 4


def test_a_reply_count_that_does_not_match_the_commands_is_a_vendor_error(httpserver, api):
    answer(httpserver, [{"result": {}}])
    with pytest.raises(errors.VendorError, match="expected 2 replies"):
        api.get_log_types()


def test_a_reply_tagged_for_another_command_is_refused(httpserver, api):
    answer(httpserver, [{"result": {}}, {"command_id": "7", "result": {}}])
    with pytest.raises(errors.VendorError, match="answers command 7"):
        api.get_log_types()


def test_is_more_without_a_next_seq_that_moves_on_is_refused_rather_than_looped(httpserver, api):
    answer(httpserver, [{"result": {}}, {"command_id": "1", "result": {"logs": [], "next_seq": 5, "is_more": True}}])
    with pytest.raises(errors.VendorError, match="refusing to loop"):
        api.extract("Acme Corp", "URL", start_seq=5, limit=10)


def test_limit_is_capped_at_the_apis_1000():
    assert extractlog("Acme Corp", "URL", start_seq=0, limit=5000)["limit"] == 1000


def test_times_are_sent_in_the_vendors_format_in_utc():
    from datetime import datetime, timedelta, timezone
    moment = datetime(2024, 5, 1, 14, 30, 5, tzinfo=timezone(timedelta(hours=2)))
    cmd = extractlog("Acme Corp", "BLOCKED URL", start_seq=0, limit=1, start_time=moment, end_time=moment)
    assert cmd["start_time"] == cmd["end_time"] == "2024-05-01 12:30:05"
    assert cmd["type"] == "BLOCKED URL"


def log(seq):
    return {"seq_id": seq, "date": "2024-03-01 10:00:00", "user": "alice"}


def test_extract_upto_sends_each_next_seq_in_the_command_and_asks_only_for_what_is_left(httpserver, api):
    answer(httpserver, [{"result": "ok"}, {"command_id": "1", "result": {"logs": [log(0), log(1)], "next_seq": 5, "is_more": True}}])
    answer(httpserver, [{"result": "ok"}, {"command_id": "1", "result": {"logs": [log(5)], "next_seq": 6, "is_more": True}}])
    found = api.extract_upto("Acme Corp", "URL", limit=3)
    assert [r["seq_id"] for r in found.logs] == [0, 1, 5] and found.next_seq == 6 and found.more
    second = sent(httpserver, 1)
    assert second[0] == {"command": "setauth", "data": TOKEN}
    assert (second[1]["start_seq"], second[1]["limit"]) == (5, 1)


def test_extract_upto_raises_the_commands_error_from_a_later_page(httpserver, api):
    answer(httpserver, [{"result": "ok"}, {"command_id": "1", "result": {"logs": [log(0)], "next_seq": 1, "is_more": True}}])
    answer(httpserver, [{"result": "ok"}, {"command_id": "1", "error": "unknown log type URL"}])
    with pytest.raises(errors.InputError, match="unknown log type"):
        api.extract_upto("Acme Corp", "URL", limit=10)
