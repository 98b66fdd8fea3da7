"""A small concurrent HTTP load client: N threads, each with its own session, hitting one
endpoint a fixed number of times; latency comes from the server's own X-Server-Time-Ms header
(time inside Django) and the round trip is measured beside it."""

from __future__ import annotations

import re
import statistics
import threading
import time
from dataclasses import dataclass, field

import requests

ANONYMOUS_FLOOR = "floor: minimal view"
SIGNED_IN_PAGE_FLOOR = "floor: signed-in empty page"
SIGNED_IN_API_FLOOR = "floor: signed-in minimal API call"


@dataclass
class Endpoint:
    name: str
    path: str
    user: str | None = None  # username to sign in as (session), None = anonymous
    method: str = "GET"
    json: dict | None = None
    token: bool = False  # use the API token instead of the session
    limit: float | None = 5.0  # allowed p95 ratio to its floor (None: no bar, a floor)
    group: str = "page"
    target_ms: float | None = None  # an absolute p95 target instead of the ratio
    htmx: bool = False  # sent as an htmx request (a partial)

    @property
    def floor(self) -> str:
        """The floor this row's p95 is compared with: the anonymous minimal view for the
        floors, the signed-in minimal API call for token requests, else the signed-in empty
        page."""
        if self.group == "floor":
            return ANONYMOUS_FLOOR
        return SIGNED_IN_API_FLOOR if self.token else SIGNED_IN_PAGE_FLOOR


@dataclass
class Result:
    name: str
    group: str
    limit: float | None
    target_ms: float | None = None
    floor: str = ANONYMOUS_FLOOR
    requests: int = 0
    errors: int = 0
    server_ms: list[float] = field(default_factory=list)
    round_trip_ms: list[float] = field(default_factory=list)
    queries: set[int] = field(default_factory=set)
    elapsed_s: float = 0.0

    @staticmethod
    def pct(values: list[float], q: float) -> float:
        if not values:
            return float("nan")
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    def summary(self) -> dict:
        return {
            "name": self.name,
            "group": self.group,
            "requests": self.requests,
            "errors": self.errors,
            "p50_ms": round(self.pct(self.server_ms, 0.50), 2),
            "p95_ms": round(self.pct(self.server_ms, 0.95), 2),
            "rt_p95_ms": round(self.pct(self.round_trip_ms, 0.95), 2),
            "mean_ms": round(statistics.fmean(self.server_ms), 2) if self.server_ms else None,
            "throughput_rps": round(self.requests / self.elapsed_s, 1) if self.elapsed_s else 0,
            "queries": sorted(self.queries),
            "limit_ratio": self.limit,
            "target_ms": self.target_ms,
            "floor": self.floor,
        }


class Sessions:
    """Signed-in sessions and API tokens per username, made once."""

    def __init__(self, base: str, password: str):
        self.base, self.password = base, password
        self._sessions: dict[str, requests.Session] = {}
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()

    def session(self, username: str | None) -> requests.Session:
        session = requests.Session()
        if username is None:
            return session
        with self._lock:
            if username not in self._sessions:
                self._sessions[username] = self._login(username)
            cookies = self._sessions[username].cookies.copy()
        session.cookies.update(cookies)
        session.headers["X-CSRFToken"] = cookies.get("csrftoken", "")
        session.headers["Referer"] = f"{self.base}/"
        return session

    def token(self, username: str) -> str:
        with self._lock:
            if username not in self._tokens:
                response = requests.post(
                    f"{self.base}/api/v1/auth/token/",
                    json={"username": username, "password": self.password},
                    timeout=30,
                )
                response.raise_for_status()
                self._tokens[username] = response.json()["token"]
            return self._tokens[username]

    def _login(self, username: str) -> requests.Session:
        session = requests.Session()
        page = session.get(f"{self.base}/login/", timeout=30)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = session.post(
            f"{self.base}/login/",
            data={"username": username, "password": self.password, "csrfmiddlewaretoken": csrf},
            headers={"Referer": f"{self.base}/login/"},
            timeout=30,
        )
        if "/login/" in response.url:
            raise RuntimeError(f"could not sign in as {username}")
        return session


def run(
    base: str, sessions: Sessions, endpoint: Endpoint, *, clients: int, per_client: int, warmup: int
) -> Result:
    result = Result(
        endpoint.name, endpoint.group, endpoint.limit, endpoint.target_ms, floor=endpoint.floor
    )
    lock = threading.Lock()

    def one(session: requests.Session, record: bool) -> None:
        started = time.perf_counter()
        response = session.request(
            endpoint.method,
            f"{base}{endpoint.path}",
            json=endpoint.json,
            headers={"HX-Request": "true"} if endpoint.htmx else None,
            timeout=120,
        )
        round_trip = (time.perf_counter() - started) * 1000
        if not record:
            return
        with lock:
            result.requests += 1
            if response.status_code >= 400:
                result.errors += 1
            server = response.headers.get("X-Server-Time-Ms")
            if server is not None:
                result.server_ms.append(float(server))
                result.queries.add(int(response.headers.get("X-Queries", "-1")))
            result.round_trip_ms.append(round_trip)

    def make_session() -> requests.Session:
        if endpoint.token:
            session = requests.Session()
            session.headers["Authorization"] = f"Token {sessions.token(endpoint.user)}"
            return session
        return sessions.session(endpoint.user)

    warm = make_session()
    for _ in range(warmup):
        one(warm, record=False)

    def worker() -> None:
        session = make_session()
        for _ in range(per_client):
            one(session, record=True)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed_s = time.perf_counter() - started
    return result
