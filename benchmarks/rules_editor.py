"""Rules editor benchmark: every editor page, save and publish on a rule set of 300 activities.

Builds the shipped rule set grown to 300 activities (real KBLI codes from the shipped catalog,
each with its own everyday words and one risk row), publishes it as the active version in a
fresh SQLite database, signs an admin in, and times each console request in process (ASGI, no
sockets). Prints one line per request: the median and the slowest of REPEAT runs.

Run: .venv/bin/python benchmarks/rules_editor.py [--activities 300] [--repeat 5] [--profile out.prof]
Targets (issue 17): every page and save under 300 ms, publish under 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from office.accounts import add_officer
from permit_rules import RuleSet, default_rules_text, load_default_catalog
from storage import rule_sets
from tests.contract.test_console_http import sign_in
from tests.helpers import running_app, settings_for

PASSWORD = "rahasia-sekali-123"


def grown_rules(activities: int) -> str:
    """The shipped rule file with activities added up to `activities` (appended as YAML text,
    so the file keeps its comments and layout like an admin's file would)."""
    text = default_rules_text()
    rules = RuleSet.from_yaml(text)
    used = {a.kbli for a in rules.activities}
    codes = [e for e in load_default_catalog() if e.code not in used]
    missing = activities - len(rules.activities)
    added = []
    for n, entry in enumerate(codes[: max(0, missing)]):
        added.append(
            {
                "kbli": entry.code,
                "title": entry.title,
                "everyday_words": [f"usaha contoh {n} satu", f"usaha contoh {n} dua"],
                "support": [],
                "risk_rules": [
                    {
                        "id": f"bench-{entry.code}",
                        "when": {"scale": ["mikro", "kecil"]},
                        "risk_level": "rendah",
                        "note": "baris contoh untuk benchmark",
                        "legal_basis": {
                            "regulation": "PP 28/2025",
                            "article": f"Lampiran I, KBLI {entry.code}",
                            "source": "benchmark",
                        },
                        "verified_by": None,
                        "verified_on": None,
                    }
                ],
            }
        )
    block = yaml.safe_dump(added, allow_unicode=True, sort_keys=False, width=100)
    indented = "".join("  " + line if line.strip() else line for line in block.splitlines(True))
    grown = text.rstrip("\n") + "\n" + indented
    assert len(RuleSet.from_yaml(grown).activities) == max(activities, len(rules.activities))
    return grown


async def timed(
    label: str, repeat: int, call: Callable[[], Awaitable[httpx.Response]], ok: tuple[int, ...]
) -> None:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = await call()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code in ok, (label, response.status_code, response.text[:500])
    print(f"{label:<34} median {statistics.median(times):8.1f} ms   max {max(times):8.1f} ms")


async def run(activities: int, repeat: int, profile: str) -> None:
    text = grown_rules(activities)
    rule_set = RuleSet.from_yaml(text)
    activity = rule_set.activities[len(rule_set.activities) // 2]
    index = len(rule_set.activities) // 2
    print(f"rule set: {len(rule_set.activities)} activities, {len(text.splitlines())} lines")
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        async with running_app(settings_for(db_url, Path(tmp))) as (app, client):
            async with app.office.sessions() as db, db.begin():
                await add_officer(db, "admin", "Admin", PASSWORD, "admin")
                await rule_sets.publish_text(db, text, by="bench", note="300 kegiatan")
            csrf = await sign_in(client, "admin")
            r = await client.post("/console/rules/drafts", data={"csrf_token": csrf})
            draft = int(re.findall(r"\d+$", r.headers["location"])[0])
            base = f"/console/rules/drafts/{draft}"
            permit_form = {"csrf_token": csrf}
            page = await client.get(f"/console/rules/permits/NIB?draft={draft}")
            for name, value in re.findall(
                r'name="(permits\.NIB\.[^"]+)" value="([^"]*)"', page.text
            ):
                permit_form[name] = value
            for name, value in re.findall(
                r'name="(permits\.NIB\.[^"]+)"[^>]*>([^<]*)</textarea>', page.text
            ):
                permit_form[name] = value
            permit_form["permits.NIB.kind"] = "perizinan_berusaha"
            permit_form["permits.NIB.where"] = "OSS"
            due = iter(range(1, 1000))
            words = iter(range(1000))
            profiler = cProfile.Profile() if profile else None

            async def save_permit() -> httpx.Response:
                form = {**permit_form, "permits.NIB.due_working_days": str(next(due))}
                return await client.post(f"{base}/permits/NIB", data=form)

            async def save_activity() -> httpx.Response:
                n = next(words)
                form = {
                    "csrf_token": csrf,
                    f"activities[{index}].title": activity.title,
                    f"activities[{index}].everyday_words": f"kata uji {n}\nkata uji {n} lain",
                    f"activities[{index}].note": "",
                }
                return await client.post(f"{base}/activities/{index}", data=form)

            steps: list[tuple[str, Callable[[], Awaitable[httpx.Response]], tuple[int, ...]]] = [
                ("GET rules index", lambda: client.get("/console/rules"), (200,)),
                ("GET rules search", lambda: client.get("/console/rules?q=warung"), (200,)),
                ("GET draft page", lambda: client.get(base), (200,)),
                (
                    "GET activity page (draft)",
                    lambda: client.get(f"/console/rules/activities/{activity.key}?draft={draft}"),
                    (200,),
                ),
                (
                    "GET permit page (draft)",
                    lambda: client.get(f"/console/rules/permits/NIB?draft={draft}"),
                    (200,),
                ),
                ("POST save permit", save_permit, (303,)),
                ("POST save activity", save_activity, (303,)),
                (
                    "GET preview",
                    lambda: client.get(f"{base}/preview?kbli=56102&capital=50000000"),
                    (200,),
                ),
            ]
            if profiler:
                profiler.enable()
            for label, call, ok in steps:
                await timed(label, repeat, call, ok)
            await timed(
                "POST publish (confirmation page)",
                repeat,
                lambda: client.post(f"{base}/publish", data={"csrf_token": csrf}),
                (200,),
            )
            await timed(
                "POST publish (confirmed)",
                1,
                lambda: client.post(f"{base}/publish", data={"csrf_token": csrf, "confirmed": "1"}),
                (303,),
            )
            rollback = {"csrf_token": csrf, "number": "2"}
            await timed(
                "POST rollback (confirmation page)",
                repeat,
                lambda: client.post("/console/rules/rollback", data=rollback),
                (200,),
            )
            await timed(
                "POST rollback (confirmed)",
                1,
                lambda: client.post("/console/rules/rollback", data={**rollback, "confirmed": "1"}),
                (303,),
            )
            if profiler:
                profiler.disable()
                profiler.dump_stats(profile)
                print(f"profile written to {profile}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", default="", help="write a cProfile of the requests here")
    args = parser.parse_args()
    asyncio.run(run(args.activities, args.repeat, args.profile))


if __name__ == "__main__":
    main()
