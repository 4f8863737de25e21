# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fleets: site.yml on fresh hosts and again (no change) for 1, 3 and 6 mirrors and a 1+3 tiered
fleet, with Ansible's forks at their default and raised: how provisioning grows with the fleet.

BENCH_FLEET_CASES (for example "6,1+3@5": fleet, or fleet@forks; default every case) measures only those; the
others keep their rows from the last run that measured them; BENCH_FLEET_MINUTES starts no new case
after that many minutes (the run then ends and writes the page); the (build/bench/full/fleet-cases.json,
written after every case, so a run cut short keeps what it finished), each row with its date.
"""

from __future__ import annotations

import glob
import json
import os
import time

from environment import UPSTREAM_URL
from harness import CommandFailed, loadavg, say, summary
from page import num, spread
from sections.provisioning import mirrors_changed

NAME = "fleet"
TITLE = "8. Fleets: site.yml on 1, 3 and 6 mirrors and a 1+3 tiered fleet, forks default and raised"
NEEDS = ()
SMOKE_CHART = False
DEFAULT_FORKS = 5  # Ansible's own default
RAISED_FORKS = 12  # more than the largest fleet here: every host in one batch
FORKS = (DEFAULT_FORKS, RAISED_FORKS)
TIERED = "1+3"
FLEETS = ("1", "3", "6", TIERED)  # the table's order
# What a run cut short should have measured first: one mirror (its fresh converge is the setup's),
# then the cases that say the most (the largest fleet, the tiers, forks beyond one batch).
MEASURE_ORDER = (("1", 5), ("6", 5), (TIERED, 5), ("6", 12), ("3", 5), (TIERED, 12), ("3", 12), ("1", 12))
CASES_FILE = "fleet-cases.json"
TIER_VARIABLE = "gentoo_mirror_downstream_group"  # a tier-1 host's downstream group
FULL = {"again_runs": 2}
SMOKE = {"again_runs": 1}
# Below this a difference between two single runs is not read as an effect (busy shared machine).
NOISE_PCT = 10


def wanted_cases(spec: str) -> list:
    """The (fleet, forks) cases BENCH_FLEET_CASES asks for ("6" both forks, "6@12" one), in
    MEASURE_ORDER (all when empty)."""
    asked = set()
    for part in (p.strip() for p in spec.split(",") if p.strip()):
        fleet, dummy, forks = part.partition("@")
        if fleet not in FLEETS or forks not in ("",) + tuple(str(k) for k in FORKS):
            raise CommandFailed("BENCH_FLEET_CASES: unknown case %s; allowed: a fleet (%s), optionally @forks (%s)"
                                % (part, ", ".join(FLEETS), ", ".join(str(k) for k in FORKS)))
        asked |= {(fleet, k) for k in FORKS if not forks or k == int(forks)}
    return [case for case in MEASURE_ORDER if case in asked or not asked]


def tiered_layout() -> dict:
    """The 1+3 fleet's groups: one tier-1 host on the stand-in upstream naming its downstream
    group, three tier-2 hosts whose upstream is derived from it."""
    return {
        "gentoo_mirrors_tier1": {"bench-t1.example.test": {
            TIER_VARIABLE: "gentoo_mirrors_tier2", "gentoo_mirror_upstream": UPSTREAM_URL}},
        "gentoo_mirrors_tier2": {"bench-t%d.example.test" % i: {} for i in (2, 3, 4)},
    }


def fleet_hosts(fleet: str) -> list:
    if fleet == TIERED:
        return [host for members in tiered_layout().values() for host in members]
    return ["bench-f%d.example.test" % i for i in range(1, int(fleet) + 1)]


def collection_has_tiers(paths: str) -> bool:
    """Whether the mirrorkit.gentoo installed on the colon-separated collection paths documents
    TIER_VARIABLE in a role's argument spec (main gains tiers while this section exists)."""
    for top in paths.split(":"):
        for spec in glob.glob(os.path.join(top, "ansible_collections/mirrorkit/gentoo/roles/*/meta/argument_specs.yml")):
            with open(spec, encoding="utf-8") as handle:
                if TIER_VARIABLE + ":" in handle.read():
                    return True
    return False


def previous_cases(cases_file) -> dict:
    """{(fleet, forks): row} an earlier run left in CASES_FILE (none when absent)."""
    try:
        rows = json.loads(cases_file.read_text())["cases"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {(row["fleet"], row["forks"]): row for row in rows if "fleet" in row}


def save_cases(cases_file, cases: dict) -> None:
    cases_file.write_text(json.dumps({"cases": ordered(cases)}, indent=1))


def ordered(cases: dict) -> list:
    return [cases[(f, k)] for f in FLEETS for k in FORKS if (f, k) in cases]


def measure_case(env, fleet: str, forks: int, runs: int) -> dict:
    """One fresh converge on new hosts, then `runs` no-change runs on them; the hosts removed after.
    One mirror at the default forks is the bench mirror, whose fresh converge the setup made."""
    forks_arg = ("--forks", str(forks))
    tag = "fleet-%s-forks%d" % (fleet.replace("+", "plus"), forks)
    if fleet == "1" and forks == DEFAULT_FORKS and env.fresh1:
        names, (took, inv) = [], (env.fresh1[0], env.inv1)
    else:
        names = fleet_hosts(fleet)
        took, inv = env.fresh_converge(names, "site-%s-fresh.log" % tag, remove=False, extra=forks_arg,
                                       tiers=tiered_layout() if fleet == TIERED else None)
    again, changed = [], []
    try:
        for i in range(runs):
            seconds, recap = env.playbook(inv, "mirrorkit.gentoo.site", *forks_arg,
                                          log_name="site-%s-again-%d.log" % (tag, i + 1))
            again.append(seconds)
            changed.append(mirrors_changed(recap))
    finally:
        if names:
            env.hosts.remove(names)
    say("    %s mirror(s), forks %d: fresh %.1f s, no-change %s s, changed %s"
        % (fleet, forks, took, ", ".join("%.1f" % s for s in again), changed))
    return {"fleet": fleet, "mirrors": len(fleet_hosts(fleet)), "forks": forks, "fresh": summary([took]),
            "again": summary(again), "changed": changed, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "load": loadavg()}


def measure_smoke(env) -> dict:
    """No fleet can be provisioned in seconds: each fleet's inventory is written and site.yml
    lists its hosts with each forks setting (the figures are those listings' times)."""
    cases = {}
    for fleet in FLEETS:
        names = fleet_hosts(fleet)
        inv = env.out / ("inventory-fleet-%s.yml" % fleet.replace("+", "plus"))
        env.write_inventory(inv, names, tiers=tiered_layout() if fleet == TIERED else None)
        for forks in FORKS:
            log_name = "fleet-%s-forks%d-hosts.log" % (fleet.replace("+", "plus"), forks)
            took, dummy = env.playbook(inv, "mirrorkit.gentoo.site", "--list-hosts", "--forks", str(forks),
                                       log_name=log_name)
            listed = (env.out / log_name).read_text()
            if not all(name in listed for name in names):
                raise CommandFailed("site.yml does not list every host of the %s fleet's inventory %s" % (fleet, inv))
            cases[(fleet, forks)] = {"fleet": fleet, "mirrors": len(names), "forks": forks,
                                     "fresh": summary([took]), "again": summary([took]), "changed": [0]}
    return {"smoke": True, "cases": ordered(cases), "cpus": os.cpu_count()}


def measure(env) -> dict:
    say("==> section fleet: site.yml fresh and again, fleets of %s, forks %s"
        % (", ".join(FLEETS), " and ".join(str(k) for k in FORKS)))
    wanted = wanted_cases(os.environ.get("BENCH_FLEET_CASES", ""))
    if env.smoke:
        return measure_smoke(env)
    cases = previous_cases(env.out / CASES_FILE)
    has_tiers = collection_has_tiers(os.environ.get("ANSIBLE_COLLECTIONS_PATH", ""))
    deadline = time.monotonic() + float(os.environ.get("BENCH_FLEET_MINUTES") or "inf") * 60
    for fleet, forks in wanted:
        if time.monotonic() > deadline:
            say("    BENCH_FLEET_MINUTES passed: %s, forks %d, not started" % (fleet, forks))
            continue
        if fleet == TIERED and not has_tiers:
            say("    %s tiered, forks %d: the installed collection has no %s; not run" % (fleet, forks, TIER_VARIABLE))
            cases[(fleet, forks)] = {"fleet": fleet, "mirrors": len(fleet_hosts(fleet)), "forks": forks,
                                     "absent": "the installed collection has no `%s` yet" % TIER_VARIABLE}
            continue
        cases[(fleet, forks)] = measure_case(env, fleet, forks, FULL["again_runs"])
        save_cases(env.out / CASES_FILE, cases)
    return {"cases": ordered(cases), "cpus": os.cpu_count()}


# -- the page --------------------------------------------------------------------------------
def per_mirror(row: dict, key: str):
    """Seconds per mirror of a row's figure (fresh or again)."""
    return row[key]["median"] / row["mirrors"] if row.get(key) else None


def pct(new, old) -> float:
    return (new - old) / old * 100.0


def find(rows, fleet, forks):
    return next((r for r in rows if r["fleet"] == fleet and r["forks"] == forks and r.get("fresh")), None)


def growth_sentence(rows) -> str:
    """How a fresh converge and a no-change run grow from one mirror to the largest flat fleet
    (default forks)."""
    flat = [r for r in rows if r["fleet"] != TIERED and r["forks"] == DEFAULT_FORKS and r.get("fresh")]
    if len(flat) < 2:
        return ""
    one, big = min(flat, key=lambda r: r["mirrors"]), max(flat, key=lambda r: r["mirrors"])
    n = big["mirrors"] / one["mirrors"]
    parts = []
    for key, what in (("fresh", "a fresh converge"), ("again", "a no-change run")):
        a, b = one[key]["median"], big[key]["median"]
        parts.append("%s of %d mirrors took %s s against %s s for %d (%.1f× for %g× the mirrors: %s s per mirror"
                     " instead of %s, each further mirror adding %s s)"
                     % (what, big["mirrors"], num(b), num(a), one["mirrors"], b / a, n,
                        num(per_mirror(big, key)), num(per_mirror(one, key)),
                        num((b - a) / (big["mirrors"] - one["mirrors"]))))
    return "At forks %d, %s; %s." % (DEFAULT_FORKS, parts[0], parts[1])


def forks_sentence(rows, cpus) -> str:
    """What raising forks changed: on fleets larger than the default forks (where Ansible runs a
    task in more than one batch), against the noise on fleets it cannot change."""
    pairs = [(find(rows, f, DEFAULT_FORKS), find(rows, f, RAISED_FORKS)) for f in FLEETS]
    pairs = [(lo, hi) for lo, hi in pairs if lo and hi]
    if not pairs:
        return "No fleet has been measured with both forks settings yet: what raising forks buys is not shown."
    within = [abs(pct(hi[k]["median"], lo[k]["median"])) for lo, hi in pairs if lo["mirrors"] <= DEFAULT_FORKS
              for k in ("fresh", "again")]
    noise = max(within + [NOISE_PCT])
    beyond = [(lo, hi) for lo, hi in pairs if lo["mirrors"] > DEFAULT_FORKS]
    text = ""
    if within:
        text = ("On fleets of up to %d mirrors forks %d already run every host at once, and raising them"
                " moved the figures by up to %.0f %% (noise between single runs). "
                % (DEFAULT_FORKS, DEFAULT_FORKS, max(within)))
    for lo, hi in beyond:
        fresh, again = pct(hi["fresh"]["median"], lo["fresh"]["median"]), pct(hi["again"]["median"], lo["again"]["median"])
        verdict = ("buys %.0f %% of the wall time" % -min(fresh, again) if min(fresh, again) < -noise
                   else "costs %.0f %% more wall time" % min(fresh, again) if min(fresh, again) > noise
                   else "buys nothing beyond that noise")
        text += ("With %d mirrors, forks %d instead of %d changed the fresh converge by %+.0f %% and the no-change"
                 " run by %+.0f %%: on this %s-core machine raising forks %s."
                 % (lo["mirrors"], RAISED_FORKS, DEFAULT_FORKS, fresh, again, cpus, verdict))
    return text.strip()


def tiered_sentence(rows) -> str:
    """The tiered fleet's cost per mirror against the flat fleets measured (default forks)."""
    tiered = find(rows, TIERED, DEFAULT_FORKS)
    flat = [r for r in (find(rows, f, DEFAULT_FORKS) for f in FLEETS if f != TIERED) if r]
    if not tiered or not flat:
        return ""
    against = " and ".join("%s s for %d" % (num(per_mirror(r, "fresh")), r["mirrors"]) for r in flat)
    again = " and ".join("%s s for %d" % (num(per_mirror(r, "again")), r["mirrors"]) for r in flat)
    return ("The 1+3 tiered fleet's fresh converge cost %s s per mirror (flat fleets: %s; its tier-2 hosts"
            " pull from the tier-1 host, not from the upstream), its no-change run %s s per mirror (flat: %s)."
            % (num(per_mirror(tiered, "fresh")), against, num(per_mirror(tiered, "again")), again))


def table_row(row, dated) -> str:
    cells = ["1+3 tiered" if row["fleet"] == TIERED else row["fleet"],
             "%d%s" % (row["forks"], " (default)" if row["forks"] == DEFAULT_FORKS else "")]
    if row.get("fresh"):
        cells += [spread(row["fresh"]), spread(row["again"]), ", ".join(str(c) for c in row["changed"]),
                  "%s / %s" % (num(per_mirror(row, "fresh")), num(per_mirror(row, "again")))]
    else:
        cells += ["—", "—", "—", "— (%s)" % row.get("absent", "not run")]
    if dated:
        cells.append("%s%s" % (row.get("date", "—"), (", load " + row["load"]) if row.get("load") else ""))
    return "| %s |" % " | ".join(cells)


def report(page, d):
    if not page.header(NAME, TITLE, d):
        return
    have = {(r["fleet"], r["forks"]): r for r in d["cases"]}
    rows = [have.get((f, k), {"fleet": f, "forks": k, "absent": "not measured yet"}) for f in FLEETS for k in FORKS]
    if d.get("smoke"):
        page.add("", "Smoke run: no host provisioned; each fleet's inventory was written and",
                 "`ansible-playbook mirrorkit.gentoo.site --list-hosts --forks N` listed its hosts (its seconds",
                 "stand in for both runs below).")
    else:
        page.add(
            "",
            "`ansible-playbook -i inventory mirrorkit.gentoo.site --forks N` from this machine over podman exec,",
            "wall time, like section 4: fresh test hosts, `gentoo_mirror_initial_sync: wait` (the first",
            "sync is part of the fresh run), packages from Debian's mirrors. Per fleet and forks setting:",
            "one fresh converge on new hosts (one run per case: read single figures with the load in",
            "mind; one mirror at forks %d is the bench mirror's own first converge), then %d no-change"
            % (DEFAULT_FORKS, FULL["again_runs"]),
            "runs on the same hosts, median (min–max). Forks %d is Ansible's" % DEFAULT_FORKS,
            "default; %d puts every host of these fleets in one batch. The tiered fleet: one tier-1 host"
            % RAISED_FORKS,
            "on the stand-in upstream naming its downstream group (`%s`), three tier-2 hosts" % TIER_VARIABLE,
            "that pull from it.",
        )
    dated = len({r.get("date") for r in rows if r.get("fresh")}) > 1
    page.add("", "| mirrors | forks | fresh converge s | no-change run s | tasks changed (no-change runs) |"
             " s per mirror: fresh / no-change |%s" % (" measured (load average 1, 5, 15 min at the end) |" if dated else ""),
             "|---|---:|---:|---:|---|---:|%s" % ("---|" if dated else ""))
    page.add(*[table_row(r, dated) for r in rows])
    prose = [s for s in (growth_sentence(rows), forks_sentence(rows, d.get("cpus", "?")), tiered_sentence(rows)) if s]
    if prose:
        page.add("", *prose)
    measured = [r for r in rows if r.get("fresh")]
    ok = all(c == 0 for r in measured for c in r["changed"])
    page.add("", "Target: no task changed in a no-change run, in every fleet: %s." % ("**met**" if ok else "**not met**"))
