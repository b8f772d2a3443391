#!/usr/bin/env python3
"""Factory provisioning: the per-device NVS contents of one toy.

Runs on the factory's provisioning station, the only place besides the gateway that holds the
fleet secret (ESP32_SHARED_SECRET). It derives the toy's own key (PROTOCOL.md §1):
    device_key = HMAC_SHA256(key = secret as text, msg = "teddy-device-key|" + device_id)
and writes the CSV that ESP-IDF's nvs_partition_gen.py turns into an *encrypted* NVS image for
that toy (`encrypt --inputkey <the toy's nvs_keys>`). The firmware image itself carries no secret.

    provision.py --device-id Teddy-ESP32-001 --secret-file /secure/fleet.secret \\
                 [--wifi-ssid S --wifi-password P] > nvs.csv
    provision.py --check-vectors test/vectors/auth.json     (self-test against the shared vectors)
"""
import argparse
import hashlib
import hmac
import json
import re
import sys

DEVICE_ID = re.compile(r"^[A-Za-z0-9:_.-]{1,64}$")


def device_key(secret: str, device_id: str) -> bytes:
    return hmac.new(secret.encode(), ("teddy-device-key|" + device_id).encode(), hashlib.sha256).digest()


def csv_rows(device_id: str, key: bytes, ssid: str | None, password: str | None) -> str:
    rows = ["key,type,encoding,value", "teddy,namespace,,", f"device_id,data,string,{device_id}", f"device_key,data,hex2bin,{key.hex()}"]
    if ssid:
        rows += ["wifi,namespace,,", f"ssid,data,string,{ssid}", f"password,data,string,{password or ''}"]
    return "\n".join(rows) + "\n"


def check_vectors(path: str) -> int:
    vectors = json.load(open(path))
    bad = 0
    for case in vectors["cases"]:
        got = device_key(vectors["secret"], case["device_id"]).hex()
        if got != case["device_key_hex"]:
            print(f"device key of {case['device_id']}: {got} != {case['device_key_hex']}")
            bad += 1
    print(f"{len(vectors['cases'])} device keys checked, {bad} wrong")
    return 1 if bad else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device-id")
    ap.add_argument("--secret-file", help="file holding the 64-hex-character fleet secret")
    ap.add_argument("--wifi-ssid")
    ap.add_argument("--wifi-password")
    ap.add_argument("--check-vectors", metavar="AUTH_JSON")
    args = ap.parse_args()
    if args.check_vectors:
        return check_vectors(args.check_vectors)
    if not args.device_id or not args.secret_file:
        ap.error("--device-id and --secret-file are required")
    if not DEVICE_ID.match(args.device_id):
        ap.error("device ids are 1-64 characters of A-Z a-z 0-9 : _ . -")
    secret = open(args.secret_file).read().strip()
    if not re.fullmatch(r"[0-9a-fA-F]{64}", secret):
        ap.error("the fleet secret is 64 hex characters")
    sys.stdout.write(csv_rows(args.device_id, device_key(secret, args.device_id), args.wifi_ssid, args.wifi_password))
    return 0


if __name__ == "__main__":
    sys.exit(main())
