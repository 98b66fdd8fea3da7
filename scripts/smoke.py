"""Smoke test of a running Keel: /healthz answers 200 and each demo login reaches its home page.

python scripts/smoke.py http://127.0.0.1:8000
"""

import re
import sys
import time

import requests

LOGINS = ["admin", "hrbp", "manager", "employee"]


def wait_for(base: str, seconds: int = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(1)
    sys.exit(f"{base}/healthz did not answer 200 within {seconds}s")


def main(base: str) -> None:
    wait_for(base)
    print("healthz: 200")
    for username in LOGINS:
        session = requests.Session()
        page = session.get(f"{base}/login/", timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = session.post(
            f"{base}/login/",
            data={"username": username, "password": "keel-demo", "csrfmiddlewaretoken": token},
            headers={"Referer": f"{base}/login/"},
            timeout=10,
        )
        if response.status_code != 200 or "/login/" in response.url:
            sys.exit(f"{username}: sign-in failed ({response.status_code} at {response.url})")
        print(f"{username}: home {response.status_code}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
