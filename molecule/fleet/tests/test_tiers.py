# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet in two tiers: one pull from the upstream, the downstream mirrors fed privately by
the tier-1 host and triggered by it over SSH; then its faults (a trigger during a sync, a
downstream down, the tier-1 host down, a broken tier-1 tree). Runs after test_fleet.py, whose
verify runs already passed on all four mirrors."""

import json
import subprocess
import time
import urllib.request

from test_fleet import playbook

TIER1 = "fleet-mirror1.example.test"
DOWNSTREAM = ["fleet-mirror2.example.test", "fleet-mirror3.example.test", "fleet-mirror4.example.test"]
UPSTREAM = "fleet-upstream"
UPSTREAM_DISTFILES = "/srv/upstream/gentoo/distfiles"
STATUS = "/var/lib/gentoo-mirror/status.json"
METRICS = "/var/lib/gentoo-mirror/gentoo_mirror_sync.prom"
REQUEST = "/var/lib/gentoo-mirror/requests/sync"
TIERS = "/etc/gentoo-mirror/tiers"
PUSH_USER = "gentoo-mirror-push"


def run(container, *args, stdin=None, timeout=300):
    result = subprocess.run(["podman", "exec", "-i", container, *args], input=stdin,
                            capture_output=True, text=True, timeout=timeout, check=False)
    return result.returncode, result.stdout, result.stderr


def sh(container, script, timeout=300):
    rc, out, err = run(container, "sh", "-c", script, timeout=timeout)
    assert rc == 0, (container, script, out, err)
    return out


def status(host):
    return json.loads(sh(host, "cat " + STATUS))


def sync(host):
    """Start the host's sync unit and wait for it, as the timer would; its exit status."""
    return run(host, "systemctl", "start", "gentoo-mirror-sync.service")[0]


def wait_for(what, predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(1)
    raise AssertionError("not within %d s: %s" % (timeout, what))


def has_file(host, path):
    return run(host, "test", "-f", path)[0] == 0


def new_upstream_file(tag):
    """A new distfile at the stand-in upstream; its path inside a mirror's tree."""
    name = "tier-%s-%d.tar.xz" % (tag, time.time_ns())
    sh(UPSTREAM, "head -c 65536 /dev/urandom > %s/%s" % (UPSTREAM_DISTFILES, name))
    return "/srv/gentoo/distfiles/" + name


def ssh_with_trigger_key(source, key_of, *args):
    """ssh from `source` as root with the tier-1 host's trigger key for `key_of`."""
    return run(source, "ssh", "-F", "/dev/null", "-i", "%s/push/%s.key" % (TIERS, key_of),
               "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
               "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=10", "-l", PUSH_USER, *args,
               timeout=60)


def test_every_downstream_keeps_its_timer_and_takes_triggers():
    """The trigger is an addition: each downstream's timer still runs (a dead tier-1 host or a
    lost trigger delays it 4 h at most); the path unit waits for requests. A mirror on its own
    (the tier-1 host) has no path unit."""
    for host in DOWNSTREAM:
        for unit in ("gentoo-mirror-sync.timer", "gentoo-mirror-sync-request.path"):
            assert run(host, "systemctl", "is-enabled", "--quiet", unit)[0] == 0, (host, unit)
            assert run(host, "systemctl", "is-active", "--quiet", unit)[0] == 0, (host, unit)
    assert run(TIER1, "systemctl", "cat", "gentoo-mirror-sync-request.path")[0] != 0


def test_the_feed_is_neither_listed_nor_open_to_others():
    """The tier-1 host's feed module: not listed, a login per downstream from its own address
    only; secrets 0600 and nowhere in the logs."""
    listing = subprocess.run(["rsync", "rsync://127.0.0.1:16874/"], capture_output=True, text=True,
                             timeout=60, check=False).stdout
    assert "gentoo" in listing.split() and "gentoo-feed" not in listing, listing
    own, other = DOWNSTREAM[0], DOWNSTREAM[1]
    password = sh(own, "cat %s/feed.password" % TIERS).strip()
    other_password = sh(other, "cat %s/feed.password" % TIERS).strip()
    assert len(password) == 64 and password != other_password
    feed = "rsync://%s@%s/gentoo-feed/distfiles/layout.conf" % (own, TIER1)
    # Its own login from its own address: the file.
    rc, out, err = run(own, "env", "RSYNC_PASSWORD=" + password, "rsync", feed)
    assert rc == 0 and "layout.conf" in out, (out, err)
    # Another downstream's password: refused.
    rc, out, err = run(own, "env", "RSYNC_PASSWORD=" + other_password, "rsync", feed)
    assert rc != 0 and "auth failed" in err, (out, err)
    # The right login from a host that is not a downstream: to it the module does not exist.
    rc, out, err = run(UPSTREAM, "env", "RSYNC_PASSWORD=" + password, "rsync", feed)
    assert rc != 0 and "@ERROR: Unknown module 'gentoo-feed'" in err, (out, err)
    for host, path, owner in ((TIER1, "/etc/rsyncd.gentoo-feed.secrets", "root"), (TIER1, TIERS + "/feed.key", "root"),
                              (own, TIERS + "/feed.password", "gentoo-mirror")):
        assert sh(host, "stat -c '%a %U' " + path).split() == ["600", owner], (host, path)
    for host in (TIER1, own):
        logs = sh(host, "journalctl --no-pager -o cat; cat /etc/gentoo-mirror/sync.conf " + STATUS)
        assert password not in logs, host


def test_a_change_upstream_reaches_every_tree_within_two_minutes():
    path = new_upstream_file("push")
    began = time.time()
    assert sync(TIER1) == 0
    tier1 = status(TIER1)
    assert tier1["result"] == "success" and tier1["changes_applied"], tier1
    assert [(p["name"], p["delivered"]) for p in tier1["push"]] == [(d, True) for d in DOWNSTREAM], tier1["push"]
    end = tier1["end_timestamp"]
    for host in DOWNSTREAM:
        wait_for("%s has %s" % (host, path), lambda h=host: has_file(h, path), timeout=max(1, end + 120 - time.time()))
    for host in DOWNSTREAM:
        wait_for("%s's sync ended" % host, lambda h=host: status(h)["start_timestamp"] > began and
                 run(h, "systemctl", "is-active", "--quiet", "gentoo-mirror-sync.service")[0] != 0, timeout=60)
        own = status(host)
        # Started by the trigger within 60 s of the tier-1 sync's end, done within 2 minutes.
        assert own["triggered"] and own["result"] == "success", own
        assert own["start_timestamp"] - end <= 60 and own["end_timestamp"] - end <= 120, (own, end)


def test_the_trigger_key_can_only_ask_for_a_sync():
    target = DOWNSTREAM[0]
    rc, out, err = ssh_with_trigger_key(TIER1, target, target, "echo pwned; id")
    assert rc != 0 and "refused" in err and "pwned" not in out + err and "uid=" not in out + err, (rc, out, err)
    # No pty, no port forwarding.
    rc, out, err = ssh_with_trigger_key(TIER1, target, "-tt", target, "sync")
    assert rc != 0 and "PTY allocation request failed" in err, (rc, out, err)
    rc, out, err = ssh_with_trigger_key(TIER1, target, "-N", "-o", "ExitOnForwardFailure=yes",
                                        "-R", "0:127.0.0.1:22", target)
    assert rc != 0 and "forwarding failed" in err, (rc, out, err)
    # The same key from another host than the tier-1 host: refused (from=).
    key = sh(TIER1, "cat %s/push/%s.key" % (TIERS, target))
    rc, out, err = run(DOWNSTREAM[1], "sh", "-c", "umask 077 && cat > /root/stolen.key", stdin=key)
    assert rc == 0, err
    rc, out, err = run(DOWNSTREAM[1], "ssh", "-F", "/dev/null", "-i", "/root/stolen.key", "-o", "BatchMode=yes",
                       "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-l", PUSH_USER,
                       target, "sync", timeout=60)
    sh(DOWNSTREAM[1], "rm -f /root/stolen.key")
    assert rc != 0 and "Permission denied" in err, (rc, out, err)
    wait_for("the triggered syncs of %s ended" % target,
             lambda: run(target, "systemctl", "is-active", "--quiet", "gentoo-mirror-sync.service")[0] != 0
             and not has_file(target, REQUEST), timeout=60)


def test_a_trigger_during_a_sync_leads_to_exactly_one_more_sync():
    host = DOWNSTREAM[0]
    since = sh(host, "date +%s").strip()
    # Start a sync and hold its rsync (SIGSTOP) while the trigger arrives, then let it go.
    sh(host, "systemctl start --no-block gentoo-mirror-sync.service; "
             "for i in $(seq 400); do pkill -STOP -u gentoo-mirror -x rsync && break; sleep 0.05; done")
    sh(host, "runuser -u %s -- /usr/local/bin/gentoo-mirror-sync-request" % PUSH_USER)
    assert has_file(host, REQUEST)
    sh(host, "pkill -CONT -u gentoo-mirror -x rsync")

    def runs():
        return sh(host, "journalctl --no-pager -o cat -u gentoo-mirror-sync.service --since @%s" % since).count(
            "gentoo-mirror-sync: syncing ")

    wait_for("two syncs on %s" % host, lambda: runs() >= 2 and not has_file(host, REQUEST) and
             run(host, "systemctl", "is-active", "--quiet", "gentoo-mirror-sync.service")[0] != 0, timeout=90)
    time.sleep(3)
    assert runs() == 2
    assert status(host)["triggered"] and status(host)["result"] == "success"


def test_a_downstream_down_leaves_the_tier1_sync_successful():
    down = DOWNSTREAM[2]
    run(down, "systemctl", "stop", "ssh.socket", "ssh.service")
    try:
        path = new_upstream_file("down")
        assert sync(TIER1) == 0
        tier1 = status(TIER1)
        assert tier1["result"] == "success"
        delivered = {p["name"]: p["delivered"] for p in tier1["push"]}
        assert delivered == {DOWNSTREAM[0]: True, DOWNSTREAM[1]: True, down: False}, tier1["push"]
        metrics = sh(TIER1, "cat " + METRICS)
        assert "\ngentoo_mirror_sync_push_failures{" in metrics
        assert [line.split()[-1] for line in metrics.splitlines() if line.startswith("gentoo_mirror_sync_push_failures{")] == ["1"]
        journal = sh(TIER1, "journalctl --no-pager -o cat -u gentoo-mirror-sync.service -n 30")
        assert "could not trigger downstream %s" % down in journal, journal
    finally:
        sh(down, "systemctl start ssh.service")
    # Its own timer (started here at once) catches it up.
    assert sync(down) == 0 and has_file(down, path)


def test_the_tier1_host_down_leaves_the_downstream_serving_and_saying_so():
    host, port = DOWNSTREAM[0], 16082
    sh(TIER1, "systemctl stop rsync.service")
    try:
        assert sync(host) != 0
        own = status(host)
        assert own["upstream_unreachable"] and own["message"].startswith(
            "upstream tier-1 %s unreachable" % TIER1), own
        metrics = sh(host, "cat " + METRICS)
        assert [line.split()[-1] for line in metrics.splitlines()
                if line.startswith("gentoo_mirror_sync_upstream_reachable{")] == ["0"], metrics
        page = urllib.request.urlopen("http://127.0.0.1:%d/status/" % port, timeout=30).read().decode()
        assert "tier-1 %s unreachable" % TIER1 in page
        # The tree is still served.
        with urllib.request.urlopen("http://127.0.0.1:%d/distfiles/layout.conf" % port, timeout=30) as reply:
            assert reply.status == 200
    finally:
        sh(TIER1, "systemctl start rsync.service")
    # Back: the next change reaches it through the trigger.
    path = new_upstream_file("back")
    assert sync(TIER1) == 0
    wait_for("%s caught up" % host, lambda: has_file(host, path) and status(host)["result"] == "success", timeout=120)


def test_a_broken_tier1_tree_is_never_pushed():
    """The stand-in upstream loses most of its distfiles: the tier-1 guard refuses the sync and
    no downstream is triggered."""
    before = {host: status(host)["end_timestamp"] for host in DOWNSTREAM}
    sh(UPSTREAM, "mkdir -p /srv/upstream/held && cd %s && for d in */; do mv \"$d\" /srv/upstream/held/; done"
       % UPSTREAM_DISTFILES)
    try:
        assert sync(TIER1) != 0
        tier1 = status(TIER1)
        assert (tier1["result"], tier1["exit_code"]) == ("refused", 3) and not tier1.get("pushed"), tier1
    finally:
        sh(UPSTREAM, "mv /srv/upstream/held/* %s/ && rmdir /srv/upstream/held" % UPSTREAM_DISTFILES)
    time.sleep(5)
    for host in DOWNSTREAM:
        assert status(host)["end_timestamp"] == before[host] and not has_file(host, REQUEST), host


def test_the_upstream_served_one_client_the_tier1_host():
    """Everything so far (converge, idempotence, verify, every sync above) took the tree from
    the stand-in upstream through the tier-1 host alone."""
    tier1_address = sh(TIER1, "hostname -I").split()
    journal = sh(UPSTREAM, "journalctl --no-pager -o cat")
    clients = {line.rsplit("(", 1)[-1].rstrip(")") for line in journal.splitlines() if "connect from" in line}
    # The upstream's own check of its daemon (prepare_upstream.yml) comes from itself.
    clients -= {"127.0.0.1", "::1"}
    assert clients and clients <= set(tier1_address), (clients, tier1_address)


def test_a_downstream_provisioned_before_its_tier1_host_is_told_what_to_run():
    """A downstream mirror run on its own (--limit, or a serial batch before its tier-1 host's)
    whose tier-1 host has not made its feed key, then its trigger key, yet fails naming the file,
    the host and the run that fixes it; nothing on the mirror changes before."""
    host = DOWNSTREAM[-1]
    limit = "--limit %s,%s" % (TIER1, host)
    for path, missing in ((TIERS + "/feed.key", "which has no %s/feed.key yet" % TIERS),
                          ("%s/push/%s.key.pub" % (TIERS, host), "needs %s/push/%s.key.pub from %s" % (TIERS, host, TIER1))):
        sh(TIER1, "mv %s %s.held" % (path, path))
        try:
            rc, out = playbook("site", "--tags", "tiers", "--limit", host)
        finally:
            sh(TIER1, "mv %s.held %s" % (path, path))
        assert rc != 0 and missing in out and limit in out, out
        assert "changed: [%s]" % host not in out, out


def test_mirrors_taken_out_of_their_tier_keep_nothing_of_it():
    """Last (it changes the fleet): site.yml on the tier-1 host and one downstream mirror when the
    tier-1 host no longer names a downstream group (the extra variable empties it on every host)
    makes both mirrors on their own. The downstream stops taking triggers (its request path unit
    stopped, disabled and gone), loses the trigger account, its key, the forced command and its
    feed login, and pulls from the upstream again; the tier-1 host loses the feed module, the feed
    key, the logins and the trigger keys."""
    host = DOWNSTREAM[-1]
    assert sh(host, "systemctl is-active gentoo-mirror-sync-request.path").strip() == "active"
    rc, out = playbook("site", "--limit", "%s,%s" % (TIER1, host),
                       "-e", json.dumps({"gentoo_mirror_downstream_group": ""}))
    assert rc == 0, out[-4000:]
    rc, active, err = run(host, "systemctl", "is-active", "gentoo-mirror-sync-request.path")
    assert (rc, active.strip()) != (0, "active"), (active, err)
    rc, enabled, err = run(host, "systemctl", "is-enabled", "gentoo-mirror-sync-request.path")
    assert rc != 0, (enabled, err)
    assert run(host, "id", PUSH_USER)[0] != 0
    for path in ("/etc/systemd/system/gentoo-mirror-sync-request.path", TIERS, "/var/lib/gentoo-mirror-push",
                 "/usr/local/bin/gentoo-mirror-sync-request", REQUEST.rsplit("/", 1)[0]):
        assert run(host, "test", "-e", path)[0] != 0, path
    for mirror in (TIER1, host):
        config = json.loads("\n".join(line for line in sh(mirror, "cat /etc/gentoo-mirror/sync.conf").splitlines()
                                      if not line.startswith("#")))
        assert config["upstream"] == "rsync://fleet-upstream/gentoo/" and config["password_file"] == "", config
        assert config["push"] == [], config
    assert run(TIER1, "test", "-e", TIERS)[0] != 0
    assert run(TIER1, "test", "-e", "/etc/rsyncd.gentoo-feed.secrets")[0] != 0
    assert "[gentoo-feed]" not in sh(TIER1, "cat /etc/rsyncd.conf")
