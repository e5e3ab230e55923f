"""search_runs with MLflow's grammar: metrics, params, tags, attributes, LIKE/ILIKE, IN for run ids,
backticked keys, order_by, and pages through page tokens."""

import mlflow
import pytest
from mlflow.exceptions import MlflowException


@pytest.fixture
def runs(experiment, client):
    """Twelve finished runs: model a/b alternating, acc rising, a tag and a key with special characters."""
    ids = []
    for i in range(12):
        with mlflow.start_run(run_name=f"Trial-{i:02d}") as run:
            mlflow.log_param("model", "a" if i % 2 == 0 else "b")
            mlflow.log_param("lr", str(0.001 * (i + 1)))
            mlflow.log_metric("acc", 0.5 + i * 0.04)
            mlflow.log_metric("val-loss", 1.0 - i * 0.05)
            mlflow.set_tag("team", "Vision" if i < 6 else "nlp")
            if i == 3:
                mlflow.set_tag("special", "yes")
        ids.append(run.info.run_id)
    return experiment, ids


def names(runs):
    return [r.info.run_name for r in runs]


def search(experiment, f="", order_by=None, **kw):
    return mlflow.search_runs([experiment], filter_string=f, order_by=order_by, output_format="list", **kw)


def test_filters(runs):
    exp, ids = runs
    assert names(search(exp, "metrics.acc > 0.9", ["metrics.acc ASC"])) == ["Trial-11"]
    assert names(search(exp, "metrics.acc >= 0.86 and params.model = 'a'", ["attributes.start_time"])) == ["Trial-10"]
    assert len(search(exp, "params.model = 'b'")) == 6
    assert len(search(exp, "params.model != 'b'")) == 6
    assert names(search(exp, "tags.special = 'yes'")) == ["Trial-03"]
    assert len(search(exp, "tags.team = 'vision'")) == 0
    assert len(search(exp, "tags.team LIKE 'Vis%'")) == 6
    assert len(search(exp, "tags.team LIKE 'vis%'")) == 0
    assert len(search(exp, "tags.team ILIKE 'VIS%'")) == 6
    assert len(search(exp, "attributes.run_name ILIKE 'trial-0%'")) == 10
    assert len(search(exp, "run_name LIKE 'Trial-1_'")) == 2
    assert len(search(exp, "attributes.status = 'FINISHED'")) == 12
    assert search(exp, "attributes.status = 'RUNNING'") == []
    picked = search(exp, f"attributes.run_id IN ('{ids[1]}', '{ids[4]}')", ["attributes.run_name"])
    assert [r.info.run_id for r in picked] == [ids[1], ids[4]]
    assert len(search(exp, f"attributes.run_id NOT IN ('{ids[1]}')")) == 11
    assert names(search(exp, "metrics.`val-loss` < 0.46", ["metrics.`val-loss` DESC"])) == ["Trial-11"]
    assert len(search(exp, 'metrics."val-loss" <= 1')) == 12
    assert len(search(exp, "params.missing = 'x'")) == 0
    created = min(r.info.start_time for r in search(exp))
    assert len(search(exp, f"attributes.start_time >= {created}")) == 12


def test_order_by(runs):
    exp, _ = runs
    by_acc = search(exp, order_by=["metrics.acc DESC"])
    assert names(by_acc) == [f"Trial-{i:02d}" for i in reversed(range(12))]
    by_param = search(exp, order_by=["params.model ASC", "metrics.acc ASC"])
    assert names(by_param)[:6] == [f"Trial-{i:02d}" for i in range(0, 12, 2)]
    by_name = search(exp, order_by=["attributes.run_name DESC"])
    assert names(by_name)[0] == "Trial-11"


def test_pages(runs, client):
    exp, ids = runs
    seen, token, pages = [], None, 0
    while True:
        page = client.search_runs([exp], order_by=["metrics.acc ASC"], max_results=5, page_token=token)
        seen += [r.info.run_id for r in page]
        pages += 1
        token = page.token
        if not token:
            break
    assert pages == 3 and seen == ids
    # The fluent API pages through all of them by itself.
    assert len(mlflow.search_runs([exp], max_results=7, output_format="list")) == 7


def test_search_across_experiments(runs, client):
    exp, ids = runs
    other = client.create_experiment(f"other-{exp}")
    client.create_run(other, run_name="elsewhere")
    both = client.search_runs([exp, other], filter_string="attributes.run_name LIKE '%elsewhere%'")
    assert names(both) == ["elsewhere"]
    assert len(client.search_runs([exp, other])) == 13


def test_bad_filters_are_refused(runs):
    exp, _ = runs
    for bad in ["metrics.acc > 0.5 OR params.model = 'a'", "params.model = a", "metrics.acc > 'x'", "nonsense.key = 'x'", "(metrics.acc > 1)"]:
        with pytest.raises(MlflowException) as e:
            search(exp, bad)
        assert e.value.error_code == "INVALID_PARAMETER_VALUE", bad
    with pytest.raises(MlflowException) as e:
        search(exp, order_by=["metrics.acc SIDEWAYS"])
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"
