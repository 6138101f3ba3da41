#!/usr/bin/env python3
"""A CSCMS consumer for a portal that keeps a copy of CSCMS records.

Two halves, standard library only:

* a webhook receiver that verifies Standard Webhooks 1.0 signatures
  (`webhook-id`, `webhook-timestamp`, `webhook-signature`), drops a message
  it has already handled (the `webhook-id` is the same on every retry) and
  answers 204 quickly;
* a feed follower that reads GET /v1/changes from a saved cursor, so nothing
  is missed while the receiver was down: webhooks say "something changed
  now", the feed is the record of everything, in order.

Each change is thin: read the record at its `href` with your token.

    export CSCMS_WEBHOOK_SECRET=whsec_...   # shown once when DoPT subscribed you
    python3 examples/webhook_receiver.py serve --port 8000
    export CSCMS_URL=https://cscms.example.gov.in CSCMS_TOKEN=...   # a client token
    python3 examples/webhook_receiver.py follow --cursor-file cursor.txt

    python3 examples/webhook_receiver.py selftest   # the specification's example
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

TOLERANCE_SECS = 5 * 60


class InvalidSignature(Exception):
    pass


def verify(secrets, headers, body):
    """Checks a message against any of `secrets` (during a rotation keep the
    old and the new one); returns the parsed body."""
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not (msg_id and timestamp and signatures):
        raise InvalidSignature("missing webhook headers")
    try:
        ts = int(timestamp)
    except ValueError:
        raise InvalidSignature("bad timestamp")
    if abs(time.time() - ts) > TOLERANCE_SECS:
        raise InvalidSignature("timestamp too old or too new (replay?)")
    signed = f"{msg_id}.{timestamp}.".encode() + body
    for secret in secrets:
        key = base64.b64decode(secret.removeprefix("whsec_"))
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        for entry in signatures.split(" "):
            version, _, sig = entry.partition(",")
            if version == "v1" and hmac.compare_digest(sig, expected):
                return json.loads(body)
    raise InvalidSignature("no signature matches")


class Receiver(BaseHTTPRequestHandler):
    secrets = []
    seen = set()  # use your database in production: the webhook-id is the key

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            message = verify(self.secrets, headers, body)
        except InvalidSignature as e:
            self.send_response(401)
            self.end_headers()
            print(f"refused: {e}", file=sys.stderr)
            return
        msg_id = headers["webhook-id"]
        if msg_id not in self.seen:
            self.seen.add(msg_id)
            handle(message)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def handle(message):
    """Queue the work and return: CSCMS waits at most 15 s for the answer."""
    data = message["data"]
    if message["type"] == "webhook.ping":
        print("ping from CSCMS", data)
    else:
        print(message["type"], data.get("entity_id"), "->", data.get("href"))


def get(url, token):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=40) as r:
        return json.load(r)


def follow(base, token, cursor_file, once=False):
    """Follows the feed from the saved cursor; saves `next` after each page."""
    try:
        with open(cursor_file) as f:
            cursor = f.read().strip()
    except FileNotFoundError:
        # First run: note the end, then read everything in full (not shown).
        cursor = get(f"{base}/v1/changes/latest", token)["cursor"]
    while True:
        try:
            page = get(f"{base}/v1/changes?after={cursor}&limit=500&wait=30", token)
        except urllib.error.HTTPError as e:
            if e.code == 410:
                sys.exit("cursor older than the feed keeps: read in full, then start again")
            raise
        for change in page["changes"]:
            handle({"type": change["type"], "data": change})
        cursor = page["next"]
        with open(cursor_file + ".tmp", "w") as f:
            f.write(cursor)
        os.replace(cursor_file + ".tmp", cursor_file)
        if once and not page["more"]:
            return


def selftest():
    """The example of the Standard Webhooks specification."""
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    ts = str(int(time.time()))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    sig = base64.b64encode(
        hmac.new(key, f"msg_p5jXN8AQM9LWM0D4loKWxJek.{ts}.".encode() + body, hashlib.sha256).digest()
    ).decode()
    headers = {"webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": ts,
               "webhook-signature": f"v1,{sig}"}
    assert verify([secret], headers, body) == {"test": 2432232314}
    # The published signature for timestamp 1614265330.
    published = base64.b64encode(hmac.new(
        key, b"msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330." + body, hashlib.sha256).digest()).decode()
    assert published == "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", published
    try:
        verify([secret], dict(headers, **{"webhook-signature": "v1,AAAA"}), body)
        raise AssertionError("a wrong signature was accepted")
    except InvalidSignature:
        pass
    print("selftest: ok")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--port", type=int, default=8000)
    f = sub.add_parser("follow")
    f.add_argument("--cursor-file", default="cscms-cursor.txt")
    sub.add_parser("selftest")
    args = p.parse_args()
    if args.cmd == "selftest":
        selftest()
    elif args.cmd == "serve":
        # Comma-separated: during a rotation, the new secret and the old.
        Receiver.secrets = os.environ["CSCMS_WEBHOOK_SECRET"].split(",")
        HTTPServer(("0.0.0.0", args.port), Receiver).serve_forever()
    else:
        follow(os.environ["CSCMS_URL"].rstrip("/"), os.environ["CSCMS_TOKEN"], args.cursor_file)


if __name__ == "__main__":
    main()
