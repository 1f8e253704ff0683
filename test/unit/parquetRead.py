"""Reads a Parquet export the way its users will: pyarrow, pandas and polars, one line each.

Prints one JSON object per table: row counts, row groups, each library's column types, the
values as pyarrow reads them (timestamps as integer milliseconds), and whether pandas and
polars read the same values. The mocha tests compare that with the recording.
Usage: python parquetRead.py BASE  (reads BASE.samples.parquet, ...)
"""
import json
import math
import sys

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq


def same(a, b):
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    if b is None or (isinstance(b, float) and math.isnan(b)):
        return False
    return a == b


def arrow_values(table, name):
    col = table.column(name)
    if pa.types.is_timestamp(col.type):
        col = col.cast(pa.int64())
    return col.to_pylist()


def pandas_values(df, name):
    s = df[name]
    if str(s.dtype).startswith('datetime64'):
        return [None if pd.isna(v) else v.value // 1_000_000 for v in s]
    return [None if pd.isna(v) else v for v in s.tolist()]


def polars_values(df, name):
    s = df[name]
    if s.dtype == pl.Datetime:
        s = s.dt.epoch('ms')
    return s.to_list()


def read(path):
    pf = pq.ParquetFile(path)
    table = pf.read()
    df = pd.read_parquet(path)
    pdf = pl.read_parquet(path)
    columns = {f.name: arrow_values(table, f.name) for f in table.schema}
    mismatches = []
    for name, values in columns.items():
        for lib, got in (('pandas', pandas_values(df, name)), ('polars', polars_values(pdf, name))):
            if len(got) != len(values) or not all(same(a, b) for a, b in zip(values, got)):
                mismatches.append(f'{lib}:{name}')
    meta = (table.schema.metadata or {}).get(b'headroom.recording')
    return {
        'rows': table.num_rows,
        'rowGroups': pf.metadata.num_row_groups,
        'arrow': {f.name: str(f.type) for f in table.schema},
        'pandas': {c: str(df[c].dtype) for c in df.columns},
        'polars': {k: str(v) for k, v in pdf.schema.items()},
        'pandasRows': len(df),
        'polarsRows': pdf.height,
        'mismatches': mismatches,
        'header': json.loads(meta) if meta else None,
        'columns': columns,
    }


def main():
    base = sys.argv[1]
    out = {t: read(f'{base}.{t}.parquet') for t in ('samples', 'processes', 'events', 'gpu')}
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
