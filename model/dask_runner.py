"""Run shards on a Dask distributed cluster: the same ``run_shard``, more machines.

Install with ``pip install 'linesift[dask]'``. Each task is one call of
``model.shards.run_shard`` on one shard, so outputs, done-markers and stats are
exactly those of a local run; the caller (``model.shards.run_to_dir``) merges
the stats and writes the summary. Workers load the model once each (by path,
cached per worker process), so the model file, the inputs and the output
folder must be visible to every worker at the same paths (a shared file
system, or one machine with ``--dask local``).

The per-page ``--timeout`` needs the main thread of a process (SIGALRM) and
Dask runs tasks in worker threads, so it is not enforced on a cluster.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

from model.errors import InputError


def _client(address: str, jobs: int):
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise InputError("Dask is not installed: pip install 'linesift[dask]'") from None
    if address == "local":
        cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        return Client(cluster), cluster
    try:
        return Client(address, timeout="30s"), None
    except (OSError, TimeoutError) as exc:
        raise InputError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def run_dask(shards: Sequence, config, out_dir: Path, address: str, *, jobs: int = 1,
             templates_path: str | None = None) -> Iterator[tuple[object, dict | BaseException]]:
    """Yield ``(shard, marker dict)`` as shards finish on the cluster, or ``(shard, exception)``.

    Parameters
    ----------
    shards : sequence of model.shards.Shard
    config : model.shards.RunConfig
    out_dir : Path
        Must be reachable from every worker at this path.
    address : str
        ``"local"`` to start a LocalCluster of ``jobs`` single-threaded worker
        processes, else a scheduler address such as ``tcp://host:8786``.
    """
    from dask.distributed import as_completed

    from model.shards import run_shard

    if not shards:
        return
    client, cluster = _client(address, jobs)
    run = uuid.uuid4().hex[:8]  # fresh task keys: a long-lived scheduler must not hand back old results
    try:
        futures = client.map(run_shard, list(shards), config=config, out_dir=str(Path(out_dir).resolve()),
                             templates_path=templates_path, pure=False,
                             key=[f"linesift-{run}-{s.name}" for s in shards])
        by_key = {future.key: shard for future, shard in zip(futures, shards)}
        for future in as_completed(futures):
            shard = by_key[future.key]
            try:
                yield shard, future.result()
            except Exception as exc:  # noqa: BLE001 - reported as a failed shard; a rerun retries it
                yield shard, exc
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
