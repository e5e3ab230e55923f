"""A bench table for scripts/bench-monitor.sh: ROWS x 50 columns (25 numeric, 25 categorical with 5-200
categories), seeded; with SHIFT=1 a quarter of each kind is shifted. Usage: monitor_tables.py ROWS SEED SHIFT OUT"""
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

rows, seed, shift, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = np.random.default_rng(seed)
writer = None
chunk = 1_000_000
for start in range(0, rows, chunk):
    n = min(chunk, rows - start)
    cols = {}
    for i in range(25):
        moved = shift and i % 4 == 0
        cols[f"num_{i}"] = np.round(rng.normal(0.3 if moved else 0.0, 1.0 + i / 25, n), 4)
    for i in range(25):
        k = [5, 20, 50, 200][i % 4]
        p = np.arange(1, k + 1, dtype=float)
        if shift and i % 4 == 1:
            p = p[::-1]
        cats = np.array([f"c{i}_{j}" for j in range(k)])
        cols[f"cat_{i}"] = cats[rng.choice(k, n, p=p / p.sum())]
    table = pa.table(cols)
    writer = writer or pq.ParquetWriter(out, table.schema)
    writer.write_table(table)
writer.close()
