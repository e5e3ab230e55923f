"""Peer for the large-file benchmark: how long pandas takes before it can show any page of a CSV
(read_csv of the whole file), and a page slice afterwards. Prints one JSON line."""
import json
import sys
import time

import pandas as pd

t = time.perf_counter()
df = pd.read_csv(sys.argv[1])
read_s = time.perf_counter() - t
t = time.perf_counter()
for off in range(0, len(df), len(df) // 50):
    df.iloc[off:off + 100].to_dict("records")
page_s = (time.perf_counter() - t) / 50
print(json.dumps({"first_page_s": read_s, "page_s": page_s, "rows": len(df)}))
