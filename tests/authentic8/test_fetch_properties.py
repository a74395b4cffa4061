"""Whatever the run sizes, page sizes and arrivals between runs, every log of the chosen types is
handed over exactly once."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soarpacks.integrations.common.simkit import serve
from soarpacks.integrations.authentic8.simulator import Simulator

from .conftest import make_instance

TYPES = ["EXPLOIT", "BLOCKED URL", "URL", "AUTH"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(max_fetch=st.integers(1, 40), page_size=st.integers(1, 12),
       arrivals=st.lists(st.tuples(st.sampled_from(TYPES), st.integers(0, 4)), max_size=6),
       seed=st.integers(0, 1000))
def test_runs_of_any_size_hand_every_log_over_exactly_once(max_fetch, page_size, arrivals, seed):
    sim = Simulator(seed=seed, size=60, enc_size=1)
    with serve(sim) as served:
        instance = make_instance(served)
        args = {"log_types": TYPES, "first_fetch": "90 days", "max_fetch": max_fetch, "page_size": page_size}
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
        expected = {f"Acme Corp/{t}/{r['seq_id']}" for t in TYPES for r in sim.logs.get((0, t), [])}
        assert len(handed) == len(set(handed))
        assert set(handed) == expected
