"""The local stack (``make dev``): Lobby on one machine, without Docker or an AWS account.

One module per emulated part of AWS, plus the web front and the command:

- :mod:`devstack.aws`: moto's server in this process, the functions' environment, the table, the
  SES sender and the signing secret, all from ``template.yaml``;
- :mod:`devstack.functions`: Lambda, the template's functions imported and invoked as Lambda does;
- :mod:`devstack.stream`: the table's stream → Lambda (an event source mapping with filters,
  batches, retries and the on-failure destination);
- :mod:`devstack.scheduler`: EventBridge Scheduler (the schedules' events and their clock);
- :mod:`devstack.ses`: what SES sent, and the outbox page;
- :mod:`devstack.web`: the site, the API and the local-only tools under ``/_local/`` as one ASGI app;
- :mod:`devstack.stack`: ``python -m devstack``, which starts and stops all of it.
"""
