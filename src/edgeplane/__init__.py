"""edgeplane: deliver AI/ML models and their workloads from a hub to edge fleets, and serve them there."""

from edgeplane._kit.errors import Error

__version__ = "0.1.0"
__all__ = ["Error", "__version__"]
