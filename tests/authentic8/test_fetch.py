"""fetch-incidents: one POST per round carrying every type, a bookmark per (org, log type) that
moves only with what was handed over, and per-type failures that cost the other types nothing."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.simkit import serve
from soarpacks.integrations.common.state import MemoryStateStore
from soarpacks.integrations.authentic8.simulator import Simulator
from tests.support import drain

from .conftest import extract_commands, make_instance

TYPES = ["EXPLOIT", "BLOCKED URL", "DOWNLOAD", "URL"]
ALL_PLAIN = ["A8SS", "ADMIN_AUDIT", "APP_LAUNCH", "AUTH", "BLOCKED URL", "CASE MANAGER", "CLIPBOARD", "DOWNLOAD",
             "EVENT", "EXPLOIT", "EXTENSION", "HARVEST", "ISOLATE_BYPASS", "LAUNCHER", "LOCATION CHANGE", "PRINT",
             "SESSION", "SMS", "TRAFFICMAN", "TRANSLATION", "UPLOAD", "URL"]


def seqs_of(sim, log_type, org=0):
    return [r["seq_id"] for r in sim.logs.get((org, log_type), [])]


def ids(incidents):
    return [i["id"] for i in incidents]


def bookmarks(instance):
    return instance.store.load(instance.state_key())["next_seq"]["Acme Corp"]


def test_one_post_carries_the_extractlog_of_every_type_in_each_round(sim, instance):
    instance.fetch_all({"log_types": TYPES, "first_fetch": "90 days"})
    assert len(sim.posts) == 1
    post = sim.posts[0]
    assert post[0]["command"] == "setauth"
    assert [c["type"] for c in extract_commands(post)] == TYPES
    assert all(c["org"] == "Acme Corp" for c in extract_commands(post))


def test_later_rounds_carry_only_the_types_that_still_have_more(sim, instance):
    incidents = instance.fetch_all({"log_types": ["EXPLOIT", "URL"], "first_fetch": "90 days", "page_size": 10})
    rounds = [[c["type"] for c in extract_commands(p)] for p in sim.posts]
    url_rounds = len(seqs_of(sim, "URL")) // 10 + 1
    assert rounds[0] == ["EXPLOIT", "URL"]
    assert rounds[-1] == ["URL"] and len(rounds) == url_rounds
    assert len(incidents) == len(seqs_of(sim, "EXPLOIT")) + len(seqs_of(sim, "URL"))


def test_a_failing_type_keeps_its_bookmark_while_the_others_advance(sim, instance):
    args = {"log_types": TYPES, "first_fetch": "90 days"}
    instance.fetch_all(args)
    before = bookmarks(instance)
    arrived = {t: sim.add_logs("Acme Corp", t, 2) for t in TYPES}
    sim.fail_command("Internal error while reading DOWNLOAD logs", log_type="DOWNLOAD")
    handed = []
    with pytest.raises(errors.VendorError, match="DOWNLOAD") as failure:
        instance.run("fetch-incidents", args, emit=handed.extend)
    assert failure.value.exit_code == 4
    # The other types came back in the same POST, were handed over, and advanced.
    assert len(extract_commands(sim.posts[-1])) == len(TYPES)
    assert sorted(ids(handed)) == sorted(f"Acme Corp/{t}/{r['seq_id']}" for t in TYPES if t != "DOWNLOAD"
                                         for r in arrived[t])
    after = bookmarks(instance)
    for log_type in ("EXPLOIT", "BLOCKED URL", "URL"):
        assert after[log_type] == arrived[log_type][-1]["seq_id"] + 1
    assert after["DOWNLOAD"] == before["DOWNLOAD"]
    # The next run picks DOWNLOAD up from where it was, and nothing else again.
    again = instance.fetch_all(args)
    assert ids(again) == [f"Acme Corp/DOWNLOAD/{r['seq_id']}" for r in arrived["DOWNLOAD"]]


def test_a_type_failing_mid_run_loses_nothing_it_had_not_handed_over(sim, instance):
    args = {"log_types": ["EXPLOIT", "URL"], "first_fetch": "90 days", "page_size": 5}
    sim.fail_command("Backend timeout", log_type="URL", times=1)
    handed = []
    with pytest.raises(errors.VendorError):
        instance.run("fetch-incidents", args, emit=handed.extend)
    assert bookmarks(instance).get("URL") is None
    handed += drain(instance, args)
    expected = [f"Acme Corp/{t}/{s}" for t in ("EXPLOIT", "URL") for s in seqs_of(sim, t)]
    assert sorted(ids(handed)) == sorted(expected)


def test_an_org_error_ends_the_run_at_once_as_exit_2_and_saves_nothing(served):
    instance = make_instance(served, org="Initech")
    with pytest.raises(errors.InputError, match="No org matching") as failure:
        instance.fetch_all({"log_types": TYPES})
    assert failure.value.exit_code == 2
    assert instance.store.load(instance.state_key()) is None


def test_bookmarks_are_kept_per_org_and_log_type(sim, served):
    store = MemoryStateStore()
    acme = make_instance(served, store=store)
    acme.fetch_all({"log_types": ["URL"], "first_fetch": "90 days"})
    globex = make_instance(served, store=store, org="Globex")
    fetched = globex.fetch_all({"log_types": ["URL"], "first_fetch": "90 days"})
    assert len(fetched) == len(seqs_of(sim, "URL", org=2)) > 0
    state = store.load(acme.state_key())["next_seq"]
    assert state["Acme Corp"]["URL"] == seqs_of(sim, "URL", org=0)[-1] + 1
    assert state["Globex"]["URL"] == seqs_of(sim, "URL", org=2)[-1] + 1


def test_the_next_run_fetches_only_logs_that_arrived_since(sim, instance):
    args = {"log_types": ["EXPLOIT", "BLOCKED URL"], "first_fetch": "90 days"}
    instance.fetch_all(args)
    new = sim.add_logs("Acme Corp", "BLOCKED URL", 3)
    again = instance.fetch_all(args)
    assert ids(again) == [f"Acme Corp/BLOCKED URL/{r['seq_id']}" for r in new]
    assert instance.fetch_all(args) == []


def test_resumed_runs_start_each_type_at_its_stored_next_seq(sim, instance):
    args = {"log_types": ["EXPLOIT", "URL"], "first_fetch": "90 days"}
    instance.fetch_all(args)
    marks = bookmarks(instance)
    instance.fetch_all(args)
    sent = {c["type"]: c for c in extract_commands(sim.posts[-1])}
    assert sent["EXPLOIT"]["start_seq"] == marks["EXPLOIT"] and sent["URL"]["start_seq"] == marks["URL"]
    assert "start_time" not in sent["EXPLOIT"]


@pytest.mark.parametrize("max_fetch", [1, 7, 50])
def test_max_fetch_is_obeyed_and_runs_in_a_row_hand_everything_over_exactly_once(sim, instance, max_fetch):
    args = {"log_types": ALL_PLAIN, "first_fetch": "90 days", "max_fetch": max_fetch}
    handed = []
    for _ in range(400):
        batch = instance.fetch_all(args)
        assert len(batch) <= max_fetch
        if not batch:
            break
        handed.extend(batch)
    assert len(ids(handed)) == len(set(ids(handed))) == sim.expected_incident_count()


def test_the_first_run_reaches_back_first_fetch_not_the_whole_retention(sim, instance):
    from soarpacks.integrations.common.timeutil import parse_time
    since = parse_time("3 days").timestamp()
    incidents = instance.fetch_all({"log_types": ALL_PLAIN, "first_fetch": "3 days"})
    expected = [r for (org, _), records in sim.logs.items() if org == 0 for r in records if r["create_ts"] >= since]
    assert 0 < len(incidents) == len(expected) < sim.expected_incident_count()
    assert all("start_time" in c for c in extract_commands(sim.posts[0]))


def test_a_type_with_nothing_in_the_first_window_keeps_using_first_fetch(sim, instance):
    # COOKIES-like emptiness: Acme logs no ENC at all, so the API answers next_seq=start_seq=0.
    instance.fetch_all({"log_types": ["ENC", "EXPLOIT"], "first_fetch": "3 days"})
    assert "ENC" not in bookmarks(instance)
    instance.fetch_all({"log_types": ["ENC", "EXPLOIT"], "first_fetch": "3 days"})
    enc = extract_commands(sim.posts[-1])[0]
    assert enc["type"] == "ENC" and "start_time" in enc  # not start_seq=0 over 90 days


def test_a_type_cut_off_by_max_fetch_before_its_first_log_keeps_no_bookmark(sim, instance):
    instance.fetch_all({"log_types": ["URL", "BLOCKED URL"], "first_fetch": "3 days", "max_fetch": 1})
    assert set(bookmarks(instance)) == {"URL"}
    instance.fetch_all({"log_types": ["URL", "BLOCKED URL"], "first_fetch": "3 days", "max_fetch": 1})
    blocked = extract_commands(sim.posts[-1])[1]
    assert blocked["type"] == "BLOCKED URL" and "start_time" in blocked and blocked["start_seq"] == 0


def test_incidents_of_a_round_are_handed_over_oldest_first(instance):
    batches = []
    instance.run("fetch-incidents", {"log_types": ALL_PLAIN, "first_fetch": "90 days"}, emit=batches.append)
    assert len(batches) > 1
    for batch in batches:
        times = [i["occurred"] for i in batch]
        assert times == sorted(times)


def test_an_encrypted_org_fetches_enc_logs_with_their_key_name(sim, served):
    instance = make_instance(served, org="Acme Corp/Research")
    incidents = instance.fetch_all({"log_types": ["ENC", "EXPLOIT"], "first_fetch": "90 days"})
    assert len(incidents) == len(seqs_of(sim, "ENC", org=1)) > 0
    assert all(i["labels"]["key_name"] == "SILO-Research-2024" and i["raw"]["enc"] for i in incidents)
    assert all(i["severity"] == 0 and i["id"].startswith("Acme Corp/Research/ENC/") for i in incidents)


def test_an_unreadable_bookmark_is_a_state_error_never_a_restart(served):
    store = MemoryStateStore()
    instance = make_instance(served, store=store)
    store.save(instance.state_key(), {"version": 1, "next_seq": {"Acme Corp": {"URL": "yesterday"}}})
    with pytest.raises(errors.StateError):
        instance.fetch_all({"log_types": ["URL"]})
    store.save(instance.state_key(), {"last_run": "2024-01-01"})
    with pytest.raises(errors.StateError):
        instance.fetch_all({"log_types": ["URL"]})


def test_bad_fetch_arguments_are_refused_before_any_request(sim, instance):
    for bad in ({"log_types": "COOKIES"}, {"log_types": "URL,NOPE"}, {"max_fetch": 0}, {"page_size": 1001}):
        with pytest.raises(errors.InputError):
            instance.fetch_all(bad)
    assert sim.posts == []


def test_log_types_with_spaces_are_sent_as_named(sim, instance):
    instance.fetch_all({"log_types": "BLOCKED URL,LOCATION CHANGE", "first_fetch": "90 days"})
    assert [c["type"] for c in extract_commands(sim.posts[0])] == ["BLOCKED URL", "LOCATION CHANGE"]


def test_faults_during_a_drain_neither_lose_nor_duplicate(sim, instance):
    sim.faults.rates.update({"429": 0.1, "503": 0.1, "drop": 0.1})
    args = {"log_types": ALL_PLAIN, "first_fetch": "90 days", "page_size": 3}
    handed = drain(instance, args)
    assert len(ids(handed)) == len(set(ids(handed))) == sim.expected_incident_count()
    assert sum(sim.faults.injected.values()) > 0


# --- a property: whatever the run sizes, page sizes and arrivals between runs, every log of the chosen
# types is handed over exactly once.

PROPERTY_TYPES = ["EXPLOIT", "BLOCKED URL", "URL", "AUTH"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(max_fetch=st.integers(1, 40), page_size=st.integers(1, 12),
       arrivals=st.lists(st.tuples(st.sampled_from(PROPERTY_TYPES), st.integers(0, 4)), max_size=6),
       seed=st.integers(0, 1000))
def test_runs_of_any_size_hand_every_log_over_exactly_once(max_fetch, page_size, arrivals, seed):
    sim = Simulator(seed=seed, size=60, enc_size=1)
    with serve(sim) as served:
        instance = make_instance(served)
        args = {"log_types": PROPERTY_TYPES, "first_fetch": "90 days", "max_fetch": max_fetch, "page_size": page_size}
        handed = []
        pending_arrivals = list(arrivals)
        for _ in range(500):
            batch = instance.fetch_all(args)
            assert len(batch) <= max_fetch
            handed.extend(i["id"] for i in batch)
            if pending_arrivals:
                log_type, count = pending_arrivals.pop()
                sim.add_logs("Acme Corp", log_type, count)
            elif not batch:
                break
        expected = {f"Acme Corp/{t}/{r['seq_id']}" for t in PROPERTY_TYPES for r in sim.logs.get((0, t), [])}
        assert len(handed) == len(set(handed))
        assert set(handed) == expected
