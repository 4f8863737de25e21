#!/usr/bin/env python3
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generate a Gentoo-shaped source mirror tree for the stand-in upstream.

The tree has the shape of rsync://masterdistfiles.gentoo.org/gentoo/:

  distfiles/layout.conf            [structure] 0=filename-hash BLAKE2B 8 (GLEP 75)
  distfiles/XX/<name>              XX = first 2 hex digits of BLAKE2B(<name>)
  distfiles/timestamp.mirmon       current UNIX time (mirmon, mirrorselect)
  distfiles/timestamp.chk          current UNIX time (older checkers)
  releases/<arch>/autobuilds/      latest-*.txt pointers and dated stage tarballs
  releases/historical/             old releases (a mirror may exclude them)
  snapshots/gentoo-latest.tar.xz   with .gpgsig; hard link to the dated snapshot
  experimental/                    odd projects
  THIS-FILE-SHOULD-NOT-BE-PUBLIC.txt  at the top and inside distfiles

Content is pseudo-random from --seed, so two runs with the same parameters give the same
bytes. Only the standard library is used: it runs on a bare test host.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time

ARCHES = ("amd64", "arm64", "x86")
NOT_PUBLIC = "THIS-FILE-SHOULD-NOT-BE-PUBLIC.txt"
CHUNK = 1 << 20


def hashed_dir(name: str, bits: int = 8) -> str:
    """Subdirectory of a distfile under GLEP 75 `filename-hash BLAKE2B <bits>`."""
    digest = hashlib.blake2b(name.encode("utf-8")).hexdigest()
    return digest[: bits // 4]


def write_random(path: str, size: int, rng: random.Random) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        left = size
        while left > 0:
            step = min(CHUNK, left)
            handle.write(rng.randbytes(step))
            left -= step


def write_text(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def link(src: str, dst: str) -> None:
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.lexists(dst):
        os.unlink(dst)
    os.link(src, dst)


def build(root: str, files: int, big_mib: int, max_kib: int, seed: int, now: int) -> dict:
    rng = random.Random(seed)
    count = 0
    size = 0

    def add_random(path: str, nbytes: int) -> None:
        nonlocal count, size
        write_random(path, nbytes, rng)
        count += 1
        size += nbytes

    def add_text(path: str, text: str) -> None:
        nonlocal count, size
        write_text(path, text)
        count += 1
        size += len(text.encode("utf-8"))

    distfiles = os.path.join(root, "distfiles")
    add_text(
        os.path.join(distfiles, "layout.conf"),
        "# Gentoo distfiles layout, GLEP 75\n[structure]\n0=filename-hash BLAKE2B 8\n",
    )
    add_text(os.path.join(distfiles, "timestamp.mirmon"), f"{now}\n")
    add_text(os.path.join(distfiles, "timestamp.chk"), f"{now}\n")
    add_text(os.path.join(distfiles, NOT_PUBLIC), "upstream-only file, never mirrored\n")
    add_text(os.path.join(root, NOT_PUBLIC), "upstream-only file, never mirrored\n")

    names = []
    for index in range(files):
        name = f"pkg{index:05d}-{rng.randint(1, 9)}.{rng.randint(0, 20)}.tar.{rng.choice(('gz', 'xz', 'bz2'))}"
        names.append(name)
        add_random(os.path.join(distfiles, hashed_dir(name), name), rng.randint(1, max_kib) * 1024)
    # Hard links: the same distfile known under a second name (as happens for renamed
    # upstream tarballs); -H must keep them one inode on the mirror.
    for index in range(0, min(files, 50), 5):
        name = names[index]
        alias = name.replace("pkg", "alias", 1)
        link(os.path.join(distfiles, hashed_dir(name), name), os.path.join(distfiles, hashed_dir(alias), alias))
        count += 1

    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
    for arch in ARCHES:
        auto = os.path.join(root, "releases", arch, "autobuilds")
        flavour = f"stage3-{arch}-openrc"
        tarball = f"{stamp}/{flavour}-{stamp}.tar.xz"
        nbytes = big_mib * CHUNK if arch == "amd64" else rng.randint(64, 512) * 1024
        add_random(os.path.join(auto, tarball), nbytes)
        digest = hashlib.sha512()
        with open(os.path.join(auto, tarball), "rb") as handle:
            for block in iter(lambda: handle.read(CHUNK), b""):
                digest.update(block)
        add_text(os.path.join(auto, tarball + ".DIGESTS"), f"# SHA512 HASH\n{digest.hexdigest()}  {os.path.basename(tarball)}\n")
        add_text(os.path.join(auto, tarball + ".asc"), "-----BEGIN PGP SIGNATURE-----\nstand-in\n-----END PGP SIGNATURE-----\n")
        add_text(
            os.path.join(auto, f"latest-{flavour}.txt"),
            f"# Latest as of {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime(now))}\n"
            f"# ts={now}\n{tarball} {nbytes}\n",
        )
        add_random(os.path.join(root, "releases", arch, "installcd", f"install-{arch}-minimal.iso"), 256 * 1024)
    for year in ("2008.0", "2012"):
        add_random(os.path.join(root, "releases", "historical", year, f"livecd-{year}.iso"), 128 * 1024)

    snapshots = os.path.join(root, "snapshots")
    dated = os.path.join(snapshots, f"gentoo-{stamp[:8]}.tar.xz")
    add_random(dated, 1024 * 1024)
    link(dated, os.path.join(snapshots, "gentoo-latest.tar.xz"))
    add_text(os.path.join(snapshots, "gentoo-latest.tar.xz.gpgsig"), "-----BEGIN PGP SIGNATURE-----\nstand-in\n-----END PGP SIGNATURE-----\n")
    add_text(os.path.join(snapshots, "gentoo-latest.tar.xz.md5sum"), f"{hashlib.md5(b'stand-in').hexdigest()}  gentoo-latest.tar.xz\n")
    count += 1

    for project in ("prefix", "hardened"):
        for index in range(3):
            add_random(os.path.join(root, "experimental", project, f"{project}-{index}.tar.bz2"), 32 * 1024)
    return {"files": count, "bytes": size, "timestamp": now}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, help="directory to create the tree in")
    parser.add_argument("--files", type=int, default=2000, help="number of distfiles (default 2000)")
    parser.add_argument("--big-mib", type=int, default=64, help="size of the largest file in MiB (default 64)")
    parser.add_argument("--max-kib", type=int, default=64, help="largest small distfile in KiB (default 64)")
    parser.add_argument("--seed", type=int, default=4242, help="seed of the pseudo-random content")
    parser.add_argument("--now", type=int, default=None, help="UNIX time written to the timestamps")
    parser.add_argument("--force", action="store_true", help="rebuild even when the parameters match")
    args = parser.parse_args(argv)

    root = os.path.abspath(args.root)
    params = {"files": args.files, "big_mib": args.big_mib, "max_kib": args.max_kib, "seed": args.seed}
    marker = root.rstrip("/") + ".params.json"
    if not args.force and os.path.exists(marker) and os.path.isdir(root):
        with open(marker, encoding="utf-8") as handle:
            if json.load(handle).get("params") == params:
                print(f"tree at {root} already built with {params}")
                return 0
    now = args.now if args.now is not None else int(time.time())
    os.makedirs(root, exist_ok=True)
    result = build(root, args.files, args.big_mib, args.max_kib, args.seed, now)
    with open(marker, "w", encoding="utf-8") as handle:
        json.dump({"params": params, "result": result}, handle)
    print(f"built tree at {root}: {result['files']} files, {result['bytes'] / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
