"""Org-wide sweeps: the full history of many repositories, fanned out over a Dask cluster.

``inventory`` turns the user's SOURCES into repositories; ``tasks`` holds what runs on a Dask
worker (prepare a repository: clone or fetch it, read its ref tips, cut big histories into
disjoint commit ranges; scan one range in a child process with time and memory limits);
``store`` keeps one result per repository so a re-run skips what did not change; ``run`` drives
the cluster; ``report`` merges everything into one JSON, SARIF or HTML document.

Plaintext never leaves the child process that scanned it: what travels between Dask workers and
the client is redacted findings with their keyed hashes.
"""
