"""W1-W6 of bench/mpc/side-by-side.ts in MPyC 0.11, at its best: numpy secure arrays, SecInt(32)
(its 32-bit comparison, sec_param 30), and its own inner product (@) wherever a sum of products is
opened. Three local processes; party 0 prints one JSON line with its timings, results and bytes
sent per workload (MPyC's own count: payload plus 12 bytes of header per message).

    python3 mpyc_workloads.py COHORT.csv -P 127.0.0.1:PORT0 -P ... -I INDEX   (MPyC source on PYTHONPATH)

Columns of COHORT.csv: app (party 0), gp, cost (party 1), income (party 2). Every party reads the
file but inputs only its own columns; the others' arrays are zeros of the same shape. With WARM=1
the workloads first run once, untimed, on the first 200 records (as a long-lived process would be).
"""
import csv
import json
import os
import sys
import time

import numpy as np
from mpyc.runtime import mpc

path = sys.argv[1]
with open(path, newline='') as fh:
    table = list(csv.DictReader(fh))
N = len(table)
secint = mpc.SecInt(32)


rows = table


def column(name):
    return np.array([int(row[name]) for row in rows], dtype=np.int64)


def mine(values, owner):
    """this party's own values, zeros elsewhere (mpc.input takes them from `owner` only)"""
    return secint.array(values if mpc.pid == owner else np.zeros_like(values))


async def workloads():
    N = len(rows)
    ms, out, sent = {}, {}, {}

    def nbytes():
        return sum(peer.protocol.nbytes_sent for peer in mpc.parties if peer.pid != mpc.pid)

    b0 = [nbytes()]

    def lap(name, t0):
        ms[name] = round((time.perf_counter() - t0) * 1000, 2)
        sent[name] = nbytes() - b0[0]
        b0[0] = nbytes()

    t0 = time.perf_counter()
    app = mpc.input(mine(column('app'), 0), senders=0)
    gp = mpc.input(mine(column('gp'), 1), senders=1)
    cost = mpc.input(mine(column('cost'), 1), senders=1)
    income = mpc.input(mine(column('income'), 2), senders=2)
    await mpc.gather(app, gp, cost, income)
    lap('W1', t0)

    t0 = time.perf_counter()
    out['W2'] = int(await mpc.output(app @ cost))
    lap('W2', t0)

    t0 = time.perf_counter()
    out['W3'] = int(await mpc.output(np.sum(gp < 3)))
    lap('W3', t0)

    t0 = time.perf_counter()
    app_cost = app * cost
    w4 = await mpc.output([np.sum(app), np.sum(app_cost), app_cost @ cost, np.sum(cost), cost @ cost])
    out['W4'] = [int(v) for v in w4]
    lap('W4', t0)

    t0 = time.perf_counter()
    g = column('gp')
    bins = mpc.input(mine(np.stack([(g == b).astype(np.int64) for b in range(10)]), 1), senders=1)
    out['W5'] = [int(v) for v in await mpc.output(bins @ app)]
    lap('W5', t0)

    t0 = time.perf_counter()
    X = np.stack([secint.array(np.ones(N, dtype=np.int64)), app, income])
    gram = np.concatenate((np.reshape(X @ X.T, (9,)), X @ cost))
    out['W6'] = [int(v) for v in await mpc.output(gram)]
    lap('W6', t0)
    return ms, out, sent


async def main():
    global rows
    await mpc.start()
    if os.environ.get('WARM') == '1':
        rows = table[:200]
        await workloads()
        rows = table
    ms, out, sent = await workloads()
    await mpc.shutdown()
    if mpc.pid == 0:
        print(json.dumps({'N': N, 'ms': ms, 'results': out, 'bytes': sent}), flush=True)


mpc.run(main())
