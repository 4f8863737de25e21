# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Provisioning: site.yml on fresh hosts and again (no change), over podman exec and over SSH
with pipelining, one host and three."""

from __future__ import annotations

from harness import CommandFailed, say, summary
from environment import MIRROR, PORT_SSH, UPSTREAM
from page import bars, median_min_max, num, pyplot, spread

NAME = "provisioning"
TITLE = "4. Provisioning: site.yml on a fresh host and again"
NEEDS = ()
SMOKE_CHART = False
# fresh converges per case (the first of one host is the mirror's own)
FULL = {"fresh_runs": 3}
SMOKE = {"fresh_runs": 1}
FLEET = ("bench-p1.example.test", "bench-p2.example.test", "bench-p3.example.test")
FRESH = "bench-fresh.example.test"  # the further fresh one-host converges (the first is the mirror's)
# The everyday run that changes nothing, over SSH with pipelining, must stay under this: every
# task that asks the host costs a round trip, so the roles ask little.
NO_CHANGE_TARGET_S = 15


def mirrors_changed(recap) -> int:
    """Tasks a playbook run changed on the mirrors (the upstream's own tasks left out)."""
    return sum(v.get("changed", 0) for h, v in recap.items() if h != UPSTREAM)


def measure(env) -> dict:
    scale = SMOKE if env.smoke else FULL
    say("==> section provisioning: site.yml fresh and again, 1 host and 3 hosts")
    if env.smoke:
        # No test host can be provisioned in seconds; the harness still drives the
        # installed playbook and reads the recap on a syntax check and a task listing.
        took, dummy = env.playbook(env.inv1, "mirrorkit.gentoo.site", "--list-tasks", log_name="site-list.log")
        tiny = env.out / "recap-playbook.yml"
        tiny.write_text("- name: One task, to read its recap\n  hosts: localhost\n  gather_facts: false\n"
                        "  tasks:\n    - name: Say hello\n      ansible.builtin.debug:\n        msg: hello\n")
        took2, recap = env.playbook(env.inv1, str(tiny), "-c", "local", log_name="recap.log")
        if sum(v.get("ok", 0) for v in recap.values()) < 1:
            raise CommandFailed("could not read the PLAY RECAP of a playbook run")
        return {"smoke": True, "list_seconds": took, "recap_seconds": took2,
                "one": {"fresh": summary([took]), "again": summary([took2]), "changed": [0]}}
    result = {}
    again = []
    changed = []
    for dummy in range(env.runs):
        took, recap = env.playbook(env.inv1, "mirrorkit.gentoo.site", log_name="site-1-again.log")
        again.append(took)
        changed.append(mirrors_changed(recap))
    if env.fresh1 is None:
        raise CommandFailed("no fresh provisioning figure in a --reuse run; run without --reuse")
    # Further fresh converges, each on a host of its own (the first one was MIRROR's).
    fresh1 = [env.fresh1[0]]
    for i in range(1, scale["fresh_runs"]):
        fresh1.append(env.fresh_converge([FRESH], "site-1-fresh-%d.log" % (i + 1))[0])
    result["one"] = {"fresh": summary(fresh1), "again": summary(again), "changed": changed}
    say("    1 host: fresh %.1f s, no-change %.1f s, changed %s" % (
        summary(fresh1)["median"], summary(again)["median"], changed))
    # The same no-change run the way an admin runs it: over SSH, with pipelining (one
    # connection per task instead of podman's three execs). Every run starts a new SSH
    # master connection (a control path directory of its own), as a first run of the day would.
    inv_ssh = env.out / "inventory-1-ssh.yml"
    env.write_inventory(inv_ssh, [MIRROR], ssh_key=env.setup_ssh(env.mirror))
    again_ssh, changed_ssh = [], []
    for i in range(env.runs):
        control = env.out / "ssh" / ("cp-%d" % i)
        control.mkdir(parents=True, exist_ok=True)
        took, recap = env.playbook(inv_ssh, "mirrorkit.gentoo.site", log_name="site-1-again-ssh.log",
                                   env={"ANSIBLE_SSH_CONTROL_PATH_DIR": str(control)})
        again_ssh.append(took)
        changed_ssh.append(mirrors_changed(recap))
    result["one"].update(again_ssh=summary(again_ssh), changed_ssh=changed_ssh)
    result["ssh_port"] = PORT_SSH
    say("    1 host over SSH: no-change %.1f s, changed %s" % (summary(again_ssh)["median"], changed_ssh))
    took, inv3 = env.fresh_converge(FLEET, "site-3-fresh.log", remove=False)
    fresh3 = [took]
    again3, changed3 = [], []
    for dummy in range(max(2, env.runs - 1)):
        took, recap = env.playbook(inv3, "mirrorkit.gentoo.site", log_name="site-3-again.log")
        again3.append(took)
        changed3.append(mirrors_changed(recap))
    env.hosts.remove(FLEET)
    for i in range(1, scale["fresh_runs"]):
        fresh3.append(env.fresh_converge(FLEET, "site-3-fresh-%d.log" % (i + 1))[0])
    result["three"] = {"fresh": summary(fresh3), "again": summary(again3), "changed": changed3}
    say("    3 hosts: fresh %.1f s, no-change %.1f s, changed %s" % (
        summary(fresh3)["median"], summary(again3)["median"], changed3))
    return result


def report(page, d):
    if not page.header(NAME, TITLE, d):
        return
    if d.get("smoke"):
        page.add("", "Smoke run: `ansible-playbook mirrorkit.gentoo.site --list-tasks` took %s s; the"
                 % num(d["list_seconds"]), "recap of a one-task playbook was read (no host provisioned).")
        return
    page.add(
        "",
        "`ansible-playbook -i inventory mirrorkit.gentoo.site` from this machine, wall time, fresh",
        "test hosts (the Debian 12 image: systemd, python3, nothing else), `gentoo_mirror_initial_sync:",
        "wait` (the first sync of the stand-in tree — 2000 distfiles and a 256 MiB stage file — is part",
        "of the fresh run), packages from Debian's mirrors over the network (their speed is part of the",
        "fresh figure). Every fresh run has new hosts of its own (a provisioned host is not fresh",
        "again), fresh runs per case: %d; the no-change run %d times on the hosts of the first one;"
        % (d["one"]["fresh"]["n"], d["one"]["again"]["n"]),
        "median (min–max).",
        "",
        "Two connections: **podman exec** (`containers.podman.podman`, how the molecule tests reach",
        "their hosts; it cannot pipeline, so every task costs three `podman exec` calls and a file",
        "copy), and **SSH** (how admins run the playbook: OpenSSH to 127.0.0.1:%d, published to the"
        % d["ssh_port"],
        "host's port 22, with `ansible_pipelining: true`; every run opens a new master connection).",
        "",
        "| hosts | connection | fresh converge s | no-change run s | tasks changed in the no-change runs |",
        "|---|---|---:|---:|---|",
    )
    one = d["one"]
    page.add("| 1 | podman exec | %s | %s | %s |" % (
        spread(one["fresh"]), spread(one["again"]), ", ".join(str(c) for c in one["changed"])))
    if "again_ssh" in one:
        page.add("| 1 | SSH, pipelining | (same host) | %s | %s |" % (
            spread(one["again_ssh"]), ", ".join(str(c) for c in one["changed_ssh"])))
    if "three" in d:
        page.add("| 3 at once | podman exec | %s | %s | %s |" % (
            spread(d["three"]["fresh"]), spread(d["three"]["again"]), ", ".join(str(c) for c in d["three"]["changed"])))
    judged = one.get("again_ssh", one["again"])
    ok_time = judged["median"] < NO_CHANGE_TARGET_S
    ok_changed = all(c == 0 for k in ("one", "three") if k in d
                     for field in ("changed", "changed_ssh") for c in d[k].get(field, []))
    page.add("", "Targets: no-change run under %d s for one host%s: %s s — %s; no task changed in a second run: %s."
             % (NO_CHANGE_TARGET_S, " (over SSH, as admins run it)" if "again_ssh" in one else "", num(judged["median"]),
                "**met**" if ok_time else "**not met**", "**met**" if ok_changed else "**not met**"))
    if "again_ssh" in one:
        page.add("Over podman exec the same run takes %s s: the transport of the test hosts, not the"
                 % num(one["again"]["median"]),
                 "collection, makes the difference (per-task times: `build/bench/full/site-1-again*.log`).")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.4))
    keys = [k for k in ("one", "three") if k in d]
    groups = ["1 host" if k == "one" else "3 hosts" for k in keys]
    series = [("fresh", lambda k: median_min_max(d[k]["fresh"])),
              ("no change, podman exec", lambda k: median_min_max(d[k]["again"]))]
    if "again_ssh" in one:
        series.append(("no change, SSH", lambda k: median_min_max(d[k]["again_ssh"]) if "again_ssh" in d[k] else (0, 0, 0)))
    bars(ax, groups, [name for name, dummy in series],
         [[get(k)[0] for k in keys] for dummy, get in series],
         [[get(k)[1] for k in keys] for dummy, get in series],
         [[get(k)[2] for k in keys] for dummy, get in series], "seconds", "site.yml wall time")
    page.chart("provisioning", fig)
    page.add("How to reproduce: `time ansible-playbook -i inventory mirrorkit.gentoo.site` twice, over SSH "
             "with `ANSIBLE_PIPELINING=True` (or `ansible_pipelining: true` in the inventory); the "
             "second run's PLAY RECAP shows `changed=0`.")
