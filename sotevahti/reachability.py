"""Which hosts are worth another request: a crawl without a network must end fast and say so.

Without this, every queued request waits out its own timeout and retries: with no network a
crawl of the real sites took 45 s (253 s when packets were dropped) and then reported "ok". A
host whose connections keep failing is given up for the rest of the crawl, and when several
hosts fail and none has answered at all, there is no network, so every host is given up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Connection failures in a row after which a host is given up for the rest of the crawl.
HOST_FAILURES = 2
#: Hosts given up, with no host answering at all, after which the network is taken as down.
HOSTS_FOR_NO_NETWORK = 3


@dataclass
class Reachability:
    """Connection outcomes per host (``netloc``) during one crawl.

    >>> r = Reachability()
    >>> r.failed("stm.fi"); r.failed("stm.fi"); r.given_up("stm.fi")
    True
    >>> r.given_up("vm.fi")
    False
    """

    host_failures: int = HOST_FAILURES
    hosts_for_no_network: int = HOSTS_FOR_NO_NETWORK
    _streak: dict[str, int] = field(default_factory=dict)
    _answered: set[str] = field(default_factory=set)

    def answered(self, host: str) -> None:
        """The host sent a response (any status): it is reachable."""
        self._streak[host] = 0
        self._answered.add(host)

    def failed(self, host: str) -> None:
        """A connection to the host failed (refused, timed out, DNS, reset)."""
        self._streak[host] = self._streak.get(host, 0) + 1

    @property
    def network_down(self) -> bool:
        """No host has answered and enough hosts have been given up."""
        dead = sum(n >= self.host_failures for n in self._streak.values())
        return not self._answered and dead >= self.hosts_for_no_network

    def given_up(self, host: str) -> bool:
        """Whether a request to ``host`` should fail at once instead of being sent."""
        return self._streak.get(host, 0) >= self.host_failures or (host not in self._answered and self.network_down)
