"""The simulator is faithful where the integration depends on it."""
import json

from werkzeug.test import Client

from soarpacks.integrations.authentic8.simulator import LOG_TYPES, Simulator


def post(sim, commands, token=None):
    body = [{"command": "setauth", "data": token or sim.token}, *commands]
    response = Client(sim).post("/api/", data=json.dumps(body), content_type="application/json")
    return response.status_code, response.get_json()


def test_the_same_seed_gives_the_same_world():
    assert Simulator(seed=3).logs == Simulator(seed=3).logs
    assert Simulator(seed=3).logs != Simulator(seed=4).logs


def test_all_25_log_types_and_a_version_are_listed():
    status, replies = post(Simulator(), [{"command": "get_log_types"}])
    assert status == 200 and len(replies[1]["result"]["log_types"]) == 25 == len(LOG_TYPES)


def test_errors_come_back_per_command_inside_http_200_and_the_rest_still_run():
    sim = Simulator()
    status, replies = post(sim, [{"command": "extractlog", "org": "Initech", "type": "URL", "command_id": "a"},
                                 {"command": "extractlog", "org": "Acme Corp", "type": "URL", "limit": 1,
                                  "command_id": "b"}])
    assert status == 200
    assert replies[1] == {"error": 'No org matching "Initech"', "command_id": "a"}
    assert len(replies[2]["result"]["logs"]) == 1 and replies[2]["command_id"] == "b"


def test_a_wrong_token_fails_setauth_and_every_command_after_it():
    status, replies = post(Simulator(), [{"command": "get_log_types"}], token="canary-wrong")
    assert status == 200 and "error" in replies[0] and "error" in replies[1]


def test_limit_is_served_at_most_1000_with_next_seq_and_is_more():
    sim = Simulator(size=3000, enc_size=1)
    _, replies = post(sim, [{"command": "extractlog", "org": "Acme Corp", "type": "URL", "limit": 5000}])
    result = replies[1]["result"]
    assert len(result["logs"]) == 1000 and result["is_more"] is True
    assert result["next_seq"] == result["logs"][-1]["seq_id"] + 1


def test_url_records_carry_the_documented_fields():
    record = Simulator().logs[(0, "URL")][0]
    assert {"domain", "path", "scheme", "port", "method", "headers", "response_headers", "response_code",
            "response_size", "user_id", "session_id", "org_id", "client_ip", "title", "categories", "seq_id",
            "create_ts", "type"} <= set(record)


def test_an_encrypted_org_logs_only_enc_records_with_a_key_name():
    sim = Simulator()
    assert {t for (org, t) in sim.logs if org == 1} == {"ENC"}
    assert all(r["key_name"] and r["enc"] for r in sim.logs[(1, "ENC")])


def test_org_paths_may_skip_elements_and_escape_slashes():
    from soarpacks.integrations.authentic8.simulator import split_org_path
    assert split_org_path(r"Acme Corp/R\/D") == ["Acme Corp", "R/D"]
    sim = Simulator()
    _, replies = post(sim, [{"command": "extractlog", "org": "acme corp/research", "type": "ENC", "limit": 1}])
    assert replies[1]["result"]["logs"][0]["type"] == "ENC"


def test_a_bad_time_filter_is_a_per_command_error():
    _, replies = post(Simulator(), [{"command": "extractlog", "org": "Acme Corp", "type": "URL",
                                     "start_time": "2024-05-01T00:00:00Z"}])
    assert "YYYY-MM-DD HH:MM:SS" in replies[1]["error"]
