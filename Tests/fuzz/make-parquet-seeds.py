"""Writes small Parquet seed files with pyarrow: the encodings, codecs and nestings other
writers produce, which Waybill's reader must reject cleanly or read. Usage: make-parquet-seeds.py DIR"""
import os, sys
import pyarrow as pa
import pyarrow.parquet as pq

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
t = pa.table({
    "order_id": pa.array(["A1", "A2", None, "A4"]),
    "version": pa.array([1, 2, 3, None], pa.int64()),
    "quantity": pa.array([1, None, 3, 4], pa.int32()),
    "paid": pa.array([True, False, None, True]),
    "tags": pa.array([["x", "y"], [], None, ["z"]], pa.list_(pa.string())),
    "attributes": pa.array([[("k", "v")], None, [], [("a", None)]], pa.map_(pa.string(), pa.string())),
})
pq.write_table(t, f"{out}/pyarrow-snappy.parquet", compression="snappy", row_group_size=2)
pq.write_table(t, f"{out}/pyarrow-zstd-v2.parquet", compression="zstd", data_page_version="2.0", write_page_index=True)
pq.write_table(t, f"{out}/pyarrow-plain-gzip.parquet", compression="gzip", use_dictionary=False)
pq.write_table(t.slice(0, 0), f"{out}/pyarrow-empty.parquet")
