"""alertlogic-search-logs against the simulator's Expert Mode Search: submit, poll, page, release."""
from __future__ import annotations

import pytest

from soarpacks.integrations.alertlogic import search
from soarpacks.integrations.alertlogic.search import SearchApi, run_search
from soarpacks.integrations.common import errors
from soarpacks.integrations.common.timeutil import parse_time

FAILED_LOGINS = "SELECT time_recv, message FROM logmsgs WHERE CONTAINS(message, 'Failed password')"


@pytest.fixture(autouse=True)
def fake_time(monkeypatch):
    """Polls cost no wall time: each wait moves a fake clock forward instead."""
    clock = {"now": 1000.0}
    monkeypatch.setattr(search, "monotonic", lambda: clock["now"])
    monkeypatch.setattr(search, "sleep", lambda seconds: clock.__setitem__("now", clock["now"] + seconds))
    return clock


def failed_logins(sim) -> list[dict]:
    return [m for m in sim.log_messages if "failed password" in m["fields"]["message"].lower()]


def requests_to(sim, method: str, suffix: str) -> list[str]:
    return [path for m, path in sim.requests if m == method and path.startswith("/search/") and path.endswith(suffix)]


def search_args(**overrides):
    return {"query": FAILED_LOGINS, "start_time": "30 days", "search_type": "batch", **overrides}


def test_a_finished_search_returns_every_matching_row(al, sim):
    out = al.run("alertlogic-search-logs", search_args()).outputs
    assert {row["id"] for row in out["rows"]} == {m["id"] for m in failed_logins(sim)}
    assert out["total_found"] == out["returned"] == len(failed_logins(sim)) and out["truncated"] is False


def test_rows_carry_the_selected_columns(al):
    out = al.run("alertlogic-search-logs", search_args()).outputs
    assert out["columns"] == ["time_recv", "message"] and set(out["rows"][0]["fields"]) == {"time_recv", "message"}


def test_the_status_is_polled_until_the_search_completes(al, sim):
    sim.search_polls = 5
    out = al.run("alertlogic-search-logs", search_args()).outputs
    assert out["status"] == "complete" and len(requests_to(sim, "GET", "/status")) == 5


def test_results_are_read_page_by_page_to_the_end(al, sim):
    api = SearchApi(al.client.service_http("search"), al.client.account_id)
    done = run_search(api, FAILED_LOGINS, start=parse_time("30 days"), end=parse_time("0 seconds"),
                      search_type="batch", timeout=60, limit=10_000, page_size=7)
    wanted = len(failed_logins(sim))
    result_reads = [p for p in requests_to(sim, "GET", "") if p.count("/") == 5]
    assert len(done.rows) == wanted and len({row["id"] for row in done.rows}) == wanted
    assert len(result_reads) == -(-wanted // 7)


def test_limit_stops_reading_and_says_the_rows_are_truncated(al, sim):
    out = al.run("alertlogic-search-logs", search_args(limit=10)).outputs
    assert out["returned"] == 10 and out["truncated"] is True and out["total_found"] == len(failed_logins(sim))


def test_the_search_is_released_once_read(al, sim):
    out = al.run("alertlogic-search-logs", search_args()).outputs
    assert out["released"] is True and sim.searches[out["search_uuid"]]["status"] == "released"


def test_a_search_still_running_at_the_timeout_exits_5_with_one_line(al, sim):
    sim.search_polls = 10_000
    with pytest.raises(errors.WaitTimeoutError) as failure:
        al.run("alertlogic-search-logs", search_args(timeout=30))
    assert failure.value.exit_code == 5 and "within 30s" in str(failure.value) and "\n" not in str(failure.value)


def test_a_search_that_timed_out_is_released(al, sim):
    sim.search_polls = 10_000
    with pytest.raises(errors.WaitTimeoutError):
        al.run("alertlogic-search-logs", search_args(timeout=30))
    (only,) = sim.searches.values()
    assert only["status"] == "released" and len(requests_to(sim, "DELETE", "")) == 1


def test_the_timeout_bounds_the_waiting(al, sim, fake_time):
    sim.search_polls = 10_000
    started = fake_time["now"]
    with pytest.raises(errors.WaitTimeoutError):
        al.run("alertlogic-search-logs", search_args(timeout=30))
    assert fake_time["now"] - started == pytest.approx(30)


def test_a_failed_search_is_a_vendor_error_and_is_released(al, sim):
    sim.search_failure = True
    with pytest.raises(errors.VendorError) as failure:
        al.run("alertlogic-search-logs", search_args())
    (only,) = sim.searches.values()
    assert failure.value.exit_code == 4 and "failed" in str(failure.value) and only["status"] == "released"


def test_a_suspended_search_with_too_few_rows_is_run_to_the_end(al, sim):
    sim.suspend_at = 5
    out = al.run("alertlogic-search-logs", search_args(search_type="auto")).outputs
    assert out["returned"] == len(failed_logins(sim)) and len(requests_to(sim, "POST", "/complete")) == 1


def test_a_suspended_search_with_enough_rows_is_read_as_it_is(al, sim):
    sim.suspend_at = 20
    out = al.run("alertlogic-search-logs", search_args(search_type="auto", limit=15)).outputs
    assert out["returned"] == 15 and requests_to(sim, "POST", "/complete") == []


def test_a_query_the_service_refuses_is_bad_input(al):
    with pytest.raises(errors.InputError) as failure:
        al.run("alertlogic-search-logs", search_args(query="DROP TABLE logmsgs"))
    assert failure.value.exit_code == 2 and "invalid query" in str(failure.value)


def test_a_start_after_the_end_is_refused_before_any_search(al, sim):
    with pytest.raises(errors.InputError):
        al.run("alertlogic-search-logs", search_args(start_time="1 hour", end_time="2 hours"))
    assert sim.searches == {}


def test_the_time_range_is_sent_as_epoch_seconds(al, sim):
    al.run("alertlogic-search-logs", search_args(start_time="2026-01-01T00:00:00Z", end_time="2026-01-02T00:00:00Z"))
    (only,) = sim.searches.values()
    assert only["window"] == (1767225600, 1767312000)


def test_the_search_host_comes_from_the_endpoints_service(al, sim):
    al.run("alertlogic-search-logs", search_args())
    assert any(path.endswith("/services/search/endpoint") for _, path in sim.requests)


def test_a_status_poll_answering_503_is_retried(al, sim):
    sim.faults.inject("503", path_contains="/status")
    out = al.run("alertlogic-search-logs", search_args())
    assert out.outputs["status"] == "complete" and sim.faults.injected == {"503": 1}



def test_rows_read_are_returned_with_a_warning_when_the_delete_fails(al, sim):
    # Three status reads and one results page come first; then every DELETE attempt answers 500.
    sim.faults.inject("500", times=50, after=4, path_contains="/searches/")
    out = al.run("alertlogic-search-logs", search_args()).outputs
    assert out["returned"] == len(failed_logins(sim)) and out["released"] is False
    assert "could not be deleted" in out["warning"]


def test_a_failed_delete_does_not_hide_why_the_search_failed(al, sim):
    sim.search_failure = True
    sim.faults.inject("500", times=50, after=3, path_contains="/searches/")
    with pytest.raises(errors.VendorError) as failure:
        al.run("alertlogic-search-logs", search_args())
    assert "failed: the search exceeded its resources" in str(failure.value)
