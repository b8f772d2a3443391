#!/usr/bin/env python3
"""Code size and static RAM per core module, from the rv32imc -Os link map of size_probe.

usage: size_report.py <size_probe.map> [<budget file> [<dir with the core's .su files>]]
(prints a Markdown table; exit 1 over budget)

Flash = .text + .rodata + .srodata kept by --gc-sections; RAM = .data + .sdata + .bss + .sbss.
The objects the application holds (the Client with its buffers, the OTA client, ...) are listed
by their .bss symbol, since on the device main/ allocates them statically too."""
import re
import sys
from collections import defaultdict

SECTION = re.compile(r"^ (\.[\w.$]+)(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+))?$")
CONT = re.compile(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)$")


def kind(section):
    for prefix, k in ((".text", "flash"), (".rodata", "flash"), (".srodata", "flash"), (".data", "ram"),
                      (".sdata", "ram"), (".bss", "ram"), (".sbss", "ram")):
        if section.startswith(prefix):
            return k
    return None


def module(obj):
    m = re.search(r"lib(teddy_core|teddy_vendor)\.a\((\w+)\.(?:cc|c)\.obj?\)", obj)
    if m:
        return ("core/" if m.group(1) == "teddy_core" else "vendor/") + m.group(2)
    if "size_probe" in obj:
        return "app objects"
    return "libc, libgcc, runtime"


def parse(path):
    sizes = defaultdict(lambda: {"flash": 0, "ram": 0})
    objects = {}
    in_map = False
    pending = None
    for line in open(path):
        if line.startswith("Linker script and memory map"):
            in_map = True
            continue
        if not in_map:
            continue
        line = line.rstrip("\n")
        m = SECTION.match(line)
        if m:
            pending = None
            name, addr, size, obj = m.groups()
            if size is None:
                pending = name  # address, size and object on the next line
                continue
        else:
            c = CONT.match(line)
            if not (c and pending):
                pending = None
                continue
            name, (addr, size, obj) = pending, c.groups()
            pending = None
        k = kind(name)
        n = int(size, 16)
        if not k or n == 0 or "(" not in obj and not obj.endswith((".o", ".obj")):
            continue
        mod = module(obj)
        sizes[mod][k] += n
        if mod == "app objects" and k == "ram":
            sym = re.sub(r"^\.s?bss\.|^\.s?data\.", "", name)
            objects[sym] = n
    return sizes, objects


def stack_frames(root):
    """The largest stack frame per core module, from gcc's -fstack-usage files."""
    import os
    frames = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith(".su"):
                mod = "core/" + f.split(".")[0]
                for line in open(os.path.join(dirpath, f)):
                    parts = line.rstrip("\n").split("\t")
                    if len(parts) >= 2 and parts[1].isdigit():
                        frames[mod] = max(frames.get(mod, 0), int(parts[1]))
    return frames


def demangle_hint(sym):
    m = re.search(r"(g_\w+?)(E|$)", sym)
    return m.group(1) if m else sym


def main():
    sizes, objects = parse(sys.argv[1])
    rows = sorted((k, v) for k, v in sizes.items() if k.startswith("core/"))
    rows += sorted((k, v) for k, v in sizes.items() if k.startswith("vendor/"))
    frames = stack_frames(sys.argv[3]) if len(sys.argv) > 3 else {}
    print("| module | flash (bytes) | static RAM (bytes) | largest stack frame (bytes) |")
    print("|---|---:|---:|---:|")
    core = {"flash": 0, "ram": 0}
    for name, v in rows:
        print(f"| {name} | {v['flash']} | {v['ram']} | {frames.get(name, '')} |")
        if name.startswith(("core/", "vendor/")):
            core["flash"] += v["flash"]
            core["ram"] += v["ram"]
    print(f"| **core + vendored crypto** | **{core['flash']}** | **{core['ram']}** | |")
    for sym, n in sorted(objects.items(), key=lambda kv: -kv[1]):
        print(f"| object `{demangle_hint(sym)}` (held by main) | — | {n} | |")
    other = sizes.get("libc, libgcc, runtime", {"flash": 0, "ram": 0})
    print(f"| picolibc + libgcc pulled in (memcpy, snprintf, soft division) | {other['flash']} | {other['ram']} | |")

    if len(sys.argv) > 2:
        budget = {}
        for line in open(sys.argv[2]):
            line = line.split("#")[0].strip()
            if line:
                key, value = line.split("=")
                budget[key.strip()] = int(value)
        client = next((n for s, n in objects.items() if "g_client" in s), 0)
        checks = [("core_flash_bytes", core["flash"]), ("core_static_ram_bytes", core["ram"]), ("client_object_bytes", client)]
        failed = False
        for key, value in checks:
            limit = budget.get(key)
            over = limit is not None and value > limit
            failed |= over
            print(f"budget {key}: {value} of {limit}" + ("  OVER BUDGET" if over else ""))
        if failed:
            sys.exit(1)

if __name__ == "__main__":
    main()
