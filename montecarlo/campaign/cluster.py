"""Clusters for campaigns: SLURM through dask-jobqueue, with GPU workers declared.

A campaign runs on any ``distributed.Client``; this helper builds the SLURM one that
campaigns want: one single-threaded worker process per core (the engine is single-threaded
per task; parallelism comes from tasks), and, with ``gpus``, workers that declare the
resource ``GPU=1`` so that ``backend = 'cupy'`` tasks (which ask for it) land only there.

Example (on a SLURM login node)::

    from distributed import Client
    from montecarlo import Campaign
    from montecarlo.campaign.cluster import slurm_cluster

    cluster = slurm_cluster(cores=16, memory="64GB", walltime="08:00:00", account="myproj")
    cluster.scale(jobs=10)                       # 10 SLURM jobs of 16 workers each
    Campaign.from_toml("spec.toml").run("spec.zarr", client=Client(cluster))

or from the shell, against a scheduler started by the cluster:
``assoc campaign run spec.toml --scheduler tcp://HOST:8786``. ``print(cluster.job_script())``
shows the batch script it submits.
"""

from __future__ import annotations

from typing import Any

__all__ = ["slurm_cluster"]


def slurm_cluster(*, cores: int, memory: str, walltime: str, gpus: int = 0,
                  queue: str | None = None, account: str | None = None, **kwargs: Any) -> Any:
    """A ``dask_jobqueue.SLURMCluster`` set up for campaigns.

    Parameters
    ----------
    cores : cores per SLURM job (one single-threaded worker process each).
    memory : memory per job (``'64GB'``).
    walltime : job time limit (``'08:00:00'``).
    gpus : GPUs per job; each job then runs ``gpus`` workers, each declaring ``GPU=1``
        (``--gres=gpu:<gpus>``).
    queue, account : SLURM partition and account.
    **kwargs : passed to ``SLURMCluster`` (e.g. ``job_script_prologue``).
    """
    try:
        from dask_jobqueue import SLURMCluster
    except ImportError:
        raise ModuleNotFoundError("SLURM clusters need dask-jobqueue: pip install "
                                  "'assoc-memory[distributed]'") from None
    processes = gpus if gpus else cores
    extra = list(kwargs.pop("worker_extra_args", []))
    directives = list(kwargs.pop("job_extra_directives", []))
    if gpus:
        extra += ["--resources", "GPU=1"]
        directives += [f"--gres=gpu:{gpus}"]
    return SLURMCluster(cores=cores, processes=processes, memory=memory, walltime=walltime,
                        queue=queue, account=account, worker_extra_args=extra,
                        job_extra_directives=directives, **kwargs)
