"""Put on a child process's ``PYTHONPATH`` by a virtual-time loop: see ``sitecustomize`` here and ``helpers._loop``."""
