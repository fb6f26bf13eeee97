"""What `collect` emits validates against the published JSON Schema of the unified model, for
every shipped feed shape, with good and bad records mixed in."""
import json

import jsonschema
import pytest

from conftest import ROOT, run

SHAPES = ["tpch-flat-csv", "tpch-nested-ndjson", "shop-csv", "jd-waybill-ndjson"]
EXT = {"tpch-flat-csv": "csv", "tpch-nested-ndjson": "ndjson", "shop-csv": "csv", "jd-waybill-ndjson": "ndjson"}


@pytest.fixture(scope="module")
def validator():
    schema = json.loads((ROOT / "docs/unified-order.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_committed_schema_matches_the_binary(waybill):
    assert run([waybill, "schema"]).stdout.decode() == (ROOT / "docs/unified-order.schema.json").read_text()


@pytest.mark.parametrize("shape", SHAPES)
def test_collect_output_validates(waybill, validator, tmp_path, shape):
    feed = tmp_path / f"feed.{EXT[shape]}"
    truth = tmp_path / "truth.json"
    updates = [] if shape.startswith("tpch") else ["--update-share", "0.1"]  # TPC-H has no versions
    run([waybill, "sample", "--shape", shape, "--orders", "400", "--seed", "11", "--bad-share", "0.05",
         *updates, "--out", feed, "--truth", truth])
    rejects = tmp_path / "rejects.ndjson"
    p = run([waybill, "collect", feed, "--profile", ROOT / "Pipelines/profiles" / f"{shape}.yaml",
             "--rejects", rejects])
    out = p.stdout.splitlines()
    assert out, "collect emitted nothing"
    for n, raw in enumerate(out, 1):
        errors = sorted(validator.iter_errors(json.loads(raw)), key=str)
        assert not errors, f"{shape} output line {n}: {errors[0].message} at {list(errors[0].absolute_path)}"
    reject_lines = [json.loads(r) for r in rejects.read_text().splitlines()]
    for r in reject_lines:
        assert r["stage"] == "collect" and r["code"] and r["reason"] and r["file"].endswith(feed.name)
        assert r["line"] >= 1 and r["byte_offset"] >= 0 and ("raw" in r or "raw_base64" in r)
    assert reject_lines, "a 5% bad share must produce rejects"
    assert b"books balance" in p.stderr
